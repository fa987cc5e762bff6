//! Where per-system outputs live: flake-parts, flake-utils, `genAttrs`
//! helpers and plain `packages.<system>.<name>` attributes.

use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{
    as_attr_set, attr_name, attrpath_names, find_path, strip_parens, PathMatchKind, SyntaxNode,
    TextRange,
};
use rowan::ast::AstNode;

use crate::error::{ErrorKind, FlakeError};
use crate::model::Flake;

/// The per-system layouts flakeedit understands, for error messages.
pub const SUPPORTED_LAYOUTS: &str = "flake-parts (`perSystem = { pkgs, self', ... }: { … }`), \
flake-utils (`eachDefaultSystem (system: { … })` or `eachSystem [ … ] (system: { … })`), \
`packages = forAllSystems (system: { … })` / `nixpkgs.lib.genAttrs [ … ] (system: { … })`, \
and plain `packages.<system>.<name> = …;`";

/// Outputs that are per-system attribute sets; their system names tell a
/// plain flake's systems when it has no `packages` yet.
const PER_SYSTEM_OUTPUTS: &[&str] = &[
    "packages",
    "devShells",
    "checks",
    "apps",
    "formatter",
    "legacyPackages",
];

/// The kind of layout a flake uses for per-system outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayoutKind {
    /// `flake-parts.lib.mkFlake { … } { perSystem = { pkgs, self', … }: … }`.
    FlakeParts,
    /// `flake-utils.lib.eachDefaultSystem (system: …)` or `eachSystem`.
    FlakeUtils,
    /// `packages = forAllSystems (system: …)` or `nixpkgs.lib.genAttrs … (system: …)`.
    GenAttrs,
    /// `packages.x86_64-linux.default = …;`, one attribute per system.
    Plain,
}

/// How a per-system expression names its system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemName {
    /// A variable (`system`), in flake-utils and `genAttrs` layouts.
    Variable(String),
    /// A literal system (`x86_64-linux`) in the plain layout.
    Literal(String),
    /// flake-parts: outputs are per-system implicitly (`self'`, `inputs'`).
    Implicit,
}

impl SystemName {
    /// The attribute-path segment selecting this system: `${system}` or
    /// `x86_64-linux`; `None` in flake-parts, where `self'` needs none.
    pub fn selector(&self) -> Option<String> {
        match self {
            SystemName::Variable(name) => Some(format!("${{{name}}}")),
            SystemName::Literal(system) => Some(flakeedit_syntax::quote_attr_name(system)),
            SystemName::Implicit => None,
        }
    }
}

/// A per-system output set (`packages` or `devShells`) of one target: an
/// attribute set, possibly written below a prefix (`packages.default = …;`
/// is the set `packages` written as dotted bindings of its parent).
#[derive(Debug, Clone)]
pub struct OutputPlace {
    /// The attribute set the output's entries are (or will be) written in.
    pub set: ast::AttrSet,
    /// The attribute path from `set` to the output (`[]` when `set` is
    /// the output itself, `["packages"]` for dotted entries).
    pub prefix: Vec<String>,
    /// Whether the output exists already.
    pub exists: bool,
    /// For a new output in the `genAttrs` layout: the function to apply
    /// (`forAllSystems`), so the new binding is `devShells = f (system: { … });`.
    pub generator: Option<String>,
    /// Where a new output is inserted: before this binding, or last.
    pub before: Option<SyntaxNode>,
    /// Where a new output is inserted when set: after this binding (the
    /// same output of another system, in the plain layout).
    pub after: Option<SyntaxNode>,
}

impl OutputPlace {
    /// The bindings whose value is the entry `name` of the output.
    pub fn entry(&self, name: &str) -> Option<ast::AttrpathValue> {
        if !self.exists {
            return None;
        }
        let mut path: Vec<&str> = self.prefix.iter().map(String::as_str).collect();
        path.push(name);
        find_path(&self.set, &path)
            .into_iter()
            .find(|found| found.kind == PathMatchKind::Exact)
            .map(|found| found.binding)
    }

    /// The names of the output's entries, in source order.
    pub fn names(&self) -> Vec<String> {
        if !self.exists {
            return Vec::new();
        }
        let mut names: Vec<String> = Vec::new();
        let mut push = |name: String| {
            if !names.contains(&name) {
                names.push(name);
            }
        };
        if self.prefix.is_empty() {
            for binding in self.set.attrpath_values() {
                if let Some(first) = binding
                    .attrpath()
                    .as_ref()
                    .and_then(attrpath_names)
                    .and_then(|names| names.into_iter().next())
                {
                    push(first);
                }
            }
            return names;
        }
        let path: Vec<&str> = self.prefix.iter().map(String::as_str).collect();
        for found in find_path(&self.set, &path) {
            match found.kind {
                PathMatchKind::Deeper { rest } => {
                    if let Some(first) = rest.into_iter().next() {
                        push(first);
                    }
                }
                PathMatchKind::Exact => {
                    if let Some(inner) = as_attr_set(found.binding.value()) {
                        for binding in inner.attrpath_values() {
                            if let Some(first) = binding
                                .attrpath()
                                .as_ref()
                                .and_then(attrpath_names)
                                .and_then(|names| names.into_iter().next())
                            {
                                push(first);
                            }
                        }
                    }
                }
                PathMatchKind::Opaque { .. } => {}
            }
        }
        names
    }

    /// The last binding defining an entry of a dotted output, after which
    /// new dotted entries go.
    pub fn last_dotted(&self) -> Option<ast::AttrpathValue> {
        if !self.exists || self.prefix.is_empty() {
            return None;
        }
        let path: Vec<&str> = self.prefix.iter().map(String::as_str).collect();
        find_path(&self.set, &path)
            .into_iter()
            .filter(|found| found.depth == 0)
            .map(|found| found.binding)
            .last()
    }

    /// An offset inside the place, for scope lookups.
    pub fn inside(&self) -> flakeedit_syntax::TextSize {
        self.set.syntax().text_range().start() + flakeedit_syntax::TextSize::from(1)
    }
}

/// One place per-system outputs are written: the only one in flake-parts,
/// flake-utils and `genAttrs` layouts, one per system in the plain layout.
#[derive(Debug, Clone)]
pub struct Target {
    /// How the system is named here.
    pub system: SystemName,
    /// The `packages` output.
    pub packages: OutputPlace,
    /// The `devShells` output.
    pub dev_shells: OutputPlace,
    /// The `perSystem` pattern (flake-parts), where formals like `self'`
    /// or `pkgs` can be added.
    pub module_pattern: Option<ast::Pattern>,
}

/// A flake's per-system layout.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Its kind.
    pub kind: LayoutKind,
    /// The places outputs are written; more than one only in the plain layout.
    pub targets: Vec<Target>,
}

fn unsupported(range: TextRange, what: &str) -> FlakeError {
    FlakeError::new(
        ErrorKind::Unsupported,
        format!("{what}, so flakeedit cannot tell where per-system packages go"),
    )
    .at(range)
    .hint(format!("supported layouts: {SUPPORTED_LAYOUTS}"))
}

/// Looks through `let … in` and parentheses.
fn body_expr(expr: ast::Expr) -> ast::Expr {
    let mut expr = strip_parens(expr);
    while let ast::Expr::LetIn(let_in) = &expr {
        match let_in.body() {
            Some(body) => expr = strip_parens(body),
            None => break,
        }
    }
    expr
}

/// The last attribute of a function expression: `eachSystem` for
/// `flake-utils.lib.eachSystem`, or the identifier itself.
fn function_name(expr: &ast::Expr) -> Option<String> {
    match strip_parens(expr.clone()) {
        ast::Expr::Ident(ident) => ident.ident_token().map(|token| token.text().to_string()),
        ast::Expr::Select(select) => select
            .attrpath()?
            .attrs()
            .last()
            .and_then(|a| attr_name(&a)),
        ast::Expr::Apply(apply) => function_name(&apply.lambda()?),
        _ => None,
    }
}

/// Whether `node` (through parentheses) is the value of a binding `x = node;`.
fn is_binding_value(node: &SyntaxNode) -> bool {
    let mut node = node.clone();
    while let Some(parent) = node.parent() {
        if ast::Paren::can_cast(parent.kind()) {
            node = parent;
            continue;
        }
        return ast::AttrpathValue::cast(parent)
            .and_then(|binding| binding.value())
            .is_some_and(|value| value.syntax() == &node);
    }
    false
}

/// `f (system: body)`: the lambda's parameter name and body when `apply`
/// applies a function to a one-parameter lambda.
fn system_lambda(apply: &ast::Apply) -> Option<(String, ast::Expr)> {
    let ast::Expr::Lambda(lambda) = strip_parens(apply.argument()?) else {
        return None;
    };
    let ast::Param::IdentParam(param) = lambda.param()? else {
        return None;
    };
    let name = param.ident()?.ident_token()?.text().to_string();
    Some((name, lambda.body()?))
}

/// `inherit packages;` or `inherit (x) packages;` in `set`: the output
/// exists, defined elsewhere; a new `packages = { … };` would be a duplicate
/// attribute.
fn inherited_here(set: &ast::AttrSet, name: &str) -> Result<(), FlakeError> {
    for inherit in set.inherits() {
        if inherit
            .attrs()
            .any(|attr| attr_name(&attr).as_deref() == Some(name))
        {
            return Err(FlakeError::new(
                ErrorKind::Unsupported,
                format!("`{name}` is inherited here, not written as an attribute set"),
            )
            .at(inherit.syntax().text_range())
            .hint(format!(
                "write `{name} = {{ … }};` (or add to the set it comes from by hand)"
            )));
        }
    }
    Ok(())
}

/// Finds the output place `name` in a per-system body set.
fn place_in(body: &ast::AttrSet, name: &str) -> Result<OutputPlace, FlakeError> {
    inherited_here(body, name)?;
    let mut place = OutputPlace {
        set: body.clone(),
        prefix: vec![name.to_string()],
        exists: false,
        generator: None,
        before: None,
        after: None,
    };
    for found in find_path(body, &[name]) {
        match found.kind {
            PathMatchKind::Exact => match as_attr_set(found.binding.value()) {
                Some(set) => {
                    place.set = set;
                    place.prefix.clear();
                    place.exists = true;
                    return Ok(place);
                }
                None => {
                    return Err(FlakeError::new(
                        ErrorKind::Unsupported,
                        format!("`{name}` is not written as an attribute set here"),
                    )
                    .at(found.binding.syntax().text_range())
                    .hint(format!(
                        "write `{name} = {{ … }};` to let flakeedit add to it"
                    )))
                }
            },
            PathMatchKind::Deeper { .. } => place.exists = true,
            PathMatchKind::Opaque { .. } => {}
        }
    }
    if !place.exists {
        place.before = new_output_anchor(body, name);
        place.after = new_output_after(body, name);
    }
    Ok(place)
}

/// Where a new `devShells` output goes first of all: right after the last
/// binding of the existing `packages` (`packages = { … };` or the last of
/// `packages.default = …; packages.image = …;`), so what the flake builds
/// stays first and its group is not split. `None` for `packages` itself,
/// or when there are no packages.
fn new_output_after(set: &ast::AttrSet, name: &str) -> Option<SyntaxNode> {
    if name != "devShells" {
        return None;
    }
    set.attrpath_values()
        .filter(|binding| {
            binding
                .attrpath()
                .as_ref()
                .and_then(attrpath_names)
                .and_then(|names| names.into_iter().next())
                .is_some_and(|first| first == "packages")
        })
        .last()
        .map(|binding| binding.syntax().clone())
}

/// Where a new `packages` (or `devShells`, when [`new_output_after`] finds
/// no packages) output goes: before the first other per-system output
/// that sorts after it in the usual order (`packages`, `devShells`,
/// `checks`, `apps`, `formatter`…).
fn new_output_anchor(set: &ast::AttrSet, name: &str) -> Option<SyntaxNode> {
    let after: &[&str] = if name == "packages" {
        &["checks", "apps", "formatter", "legacyPackages", "devShells"]
    } else {
        &["packages", "checks", "apps", "formatter", "legacyPackages"]
    };
    set.attrpath_values()
        .find(|binding| {
            binding
                .attrpath()
                .as_ref()
                .and_then(attrpath_names)
                .and_then(|names| names.into_iter().next())
                .is_some_and(|first| after.contains(&first.as_str()))
        })
        .map(|binding| binding.syntax().clone())
}

impl Layout {
    /// Detects the layout of a flake's outputs.
    pub fn detect(flake: &Flake) -> Result<Layout, FlakeError> {
        let outputs = flake.outputs.as_ref().ok_or_else(|| {
            FlakeError::new(ErrorKind::NotApplicable, "the flake has no `outputs`")
                .at(flake.root.syntax().text_range())
                .hint("add `outputs = { self, nixpkgs }: { };` first")
        })?;
        let range = outputs.binding.syntax().text_range();
        let lambda = outputs
            .lambda
            .as_ref()
            .ok_or_else(|| unsupported(range, "`outputs` is not a function"))?;
        let body = lambda
            .body()
            .ok_or_else(|| unsupported(range, "`outputs` has no body"))?;

        // flake-parts: a `perSystem` module anywhere in the outputs.
        for node in body.syntax().descendants() {
            let Some(binding) = ast::AttrpathValue::cast(node) else {
                continue;
            };
            let names = binding.attrpath().as_ref().and_then(attrpath_names);
            if names.as_ref().and_then(|n| n.last()).map(String::as_str) != Some("perSystem") {
                continue;
            }
            let binding_range = binding.syntax().text_range();
            let Some(ast::Expr::Lambda(module)) = binding.value().map(strip_parens) else {
                return Err(unsupported(
                    binding_range,
                    "`perSystem` is not written as a function here",
                ));
            };
            let pattern = match module.param() {
                Some(ast::Param::Pattern(pattern)) => Some(pattern),
                _ => None,
            };
            let module_body = module.body().map(body_expr);
            let Some(ast::Expr::AttrSet(set)) = module_body else {
                return Err(unsupported(
                    binding_range,
                    "`perSystem` does not return an attribute set literal",
                ));
            };
            return Ok(Layout {
                kind: LayoutKind::FlakeParts,
                targets: vec![Target {
                    system: SystemName::Implicit,
                    packages: place_in(&set, "packages")?,
                    dev_shells: place_in(&set, "devShells")?,
                    module_pattern: pattern,
                }],
            });
        }

        // flake-utils: eachDefaultSystem / eachSystem applied to `system: …`.
        for node in body.syntax().descendants() {
            let Some(apply) = ast::Apply::cast(node) else {
                continue;
            };
            let head = apply.lambda().and_then(|f| function_name(&f));
            if !matches!(head.as_deref(), Some("eachDefaultSystem" | "eachSystem")) {
                continue;
            }
            // `pkgsFor = eachSystem (system: import nixpkgs { … })` in a
            // `let`, or `packages = eachSystem (system: { … })` with a local
            // `eachSystem = lib.genAttrs …`: a binding's value is a helper or
            // a genAttrs-style output (found below), not flake-utils' layout.
            if is_binding_value(apply.syntax()) {
                continue;
            }
            let Some((system, per_system)) = system_lambda(&apply) else {
                continue;
            };
            let ast::Expr::AttrSet(set) = body_expr(per_system) else {
                return Err(unsupported(
                    apply.syntax().text_range(),
                    "the per-system function does not return an attribute set literal",
                ));
            };
            return Ok(Layout {
                kind: LayoutKind::FlakeUtils,
                targets: vec![Target {
                    system: SystemName::Variable(system),
                    packages: place_in(&set, "packages")?,
                    dev_shells: place_in(&set, "devShells")?,
                    module_pattern: None,
                }],
            });
        }

        let ast::Expr::AttrSet(outputs_set) = body_expr(body) else {
            return Err(unsupported(
                range,
                "the outputs function does not return an attribute set literal",
            ));
        };
        Layout::detect_top_level(&outputs_set, range)
    }

    /// `genAttrs` helpers and plain per-system attributes, in the set the
    /// outputs function returns.
    fn detect_top_level(outputs: &ast::AttrSet, range: TextRange) -> Result<Layout, FlakeError> {
        let generated = |name: &str| -> Option<(ast::AttrpathValue, ast::Apply)> {
            find_path(outputs, &[name])
                .into_iter()
                .filter(|found| found.kind == PathMatchKind::Exact)
                .find_map(|found| match found.binding.value().map(strip_parens) {
                    Some(ast::Expr::Apply(apply)) if system_lambda(&apply).is_some() => {
                        Some((found.binding, apply))
                    }
                    _ => None,
                })
        };
        let packages = generated("packages");
        let shells = generated("devShells");
        if packages.is_some() || shells.is_some() {
            let place = |name: &str,
                         found: &Option<(ast::AttrpathValue, ast::Apply)>,
                         other: &Option<(ast::AttrpathValue, ast::Apply)>|
             -> Result<(OutputPlace, Option<String>), FlakeError> {
                if let Some((binding, apply)) = found {
                    let Some((system, per_system)) = system_lambda(apply) else {
                        return Err(unsupported(binding.syntax().text_range(), "unexpected"));
                    };
                    let ast::Expr::AttrSet(set) = body_expr(per_system) else {
                        return Err(unsupported(
                            binding.syntax().text_range(),
                            &format!(
                                "`{name}` is not a function returning an attribute set literal"
                            ),
                        ));
                    };
                    return Ok((
                        OutputPlace {
                            set,
                            prefix: Vec::new(),
                            exists: true,
                            generator: None,
                            before: None,
                            after: None,
                        },
                        Some(system),
                    ));
                }
                inherited_here(outputs, name)?;
                // `devShells = lib.mapAttrs (…) pkgsFor;`, `devShells.x86_64-linux…`:
                // it exists in a form flakeedit cannot add to; a second
                // `devShells` would be a duplicate attribute.
                if let Some(found) = find_path(outputs, &[name]).into_iter().next() {
                    return Err(FlakeError::new(
                        ErrorKind::Unsupported,
                        format!(
                            "`{name}` is not written as a function of the system returning an attribute set literal"
                        ),
                    )
                    .at(found.binding.syntax().text_range())
                    .hint(format!(
                        "write `{name} = forAllSystems (system: {{ … }});` to let flakeedit add to it"
                    )));
                }
                // Create it with the same generator as the other output.
                let generator = other
                    .as_ref()
                    .and_then(|(_, apply)| apply.lambda())
                    .map(|f| f.syntax().text().to_string());
                Ok((
                    OutputPlace {
                        set: outputs.clone(),
                        prefix: vec![name.to_string()],
                        exists: false,
                        generator,
                        before: new_output_anchor(outputs, name),
                        after: new_output_after(outputs, name),
                    },
                    None,
                ))
            };
            let (packages_place, system_a) = place("packages", &packages, &shells)?;
            let (shells_place, system_b) = place("devShells", &shells, &packages)?;
            let system = system_a.or(system_b).unwrap_or_else(|| "system".into());
            return Ok(Layout {
                kind: LayoutKind::GenAttrs,
                targets: vec![Target {
                    system: SystemName::Variable(system),
                    packages: packages_place,
                    dev_shells: shells_place,
                    module_pattern: None,
                }],
            });
        }

        // Plain: the systems of `packages`, or of other per-system outputs.
        let mut systems: Vec<String> = Vec::new();
        for output in PER_SYSTEM_OUTPUTS {
            for found in find_path(outputs, &[output]) {
                let names = match found.kind {
                    PathMatchKind::Deeper { rest } => rest.into_iter().take(1).collect(),
                    PathMatchKind::Exact => as_attr_set(found.binding.value())
                        .map(|set| {
                            set.attrpath_values()
                                .filter_map(|b| {
                                    b.attrpath()
                                        .as_ref()
                                        .and_then(attrpath_names)?
                                        .into_iter()
                                        .next()
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    PathMatchKind::Opaque { .. } => Vec::new(),
                };
                for name in names {
                    if is_system(&name) && !systems.contains(&name) {
                        systems.push(name);
                    }
                }
            }
            if *output == "packages" && !systems.is_empty() {
                break;
            }
        }
        if systems.is_empty() {
            return Err(unsupported(
                range,
                "no per-system outputs were found (no `perSystem`, `eachDefaultSystem`, `genAttrs` or `packages.<system>`)",
            ));
        }
        let targets = systems
            .into_iter()
            .map(|system| Layout::plain_target(outputs, &system))
            .collect::<Result<_, _>>()?;
        Ok(Layout {
            kind: LayoutKind::Plain,
            targets,
        })
    }

    /// The plain target for one system (also used for `--system`).
    pub fn plain_target(outputs: &ast::AttrSet, system: &str) -> Result<Target, FlakeError> {
        let place = |name: &str| -> Result<OutputPlace, FlakeError> {
            let mut place = place_in(outputs, name)?;
            if place.prefix.is_empty() {
                // `packages = { x86_64-linux = …; }`: one level further.
                let inner = place_in(&place.set, system)?;
                return Ok(inner);
            }
            let path = [name, system];
            place.prefix.push(system.to_string());
            place.exists = false;
            for found in find_path(outputs, &path) {
                match found.kind {
                    PathMatchKind::Exact => {
                        if let Some(set) = as_attr_set(found.binding.value()) {
                            place.set = set;
                            place.prefix.clear();
                            place.exists = true;
                            return Ok(place);
                        }
                        return Err(FlakeError::new(
                            ErrorKind::Unsupported,
                            format!("`{name}.{system}` is not written as an attribute set"),
                        )
                        .at(found.binding.syntax().text_range()));
                    }
                    PathMatchKind::Deeper { .. } => place.exists = true,
                    PathMatchKind::Opaque { .. } => {}
                }
            }
            if !place.exists {
                place.before = new_output_anchor(outputs, name);
                place.after = find_path(outputs, &[name])
                    .into_iter()
                    .filter(|found| found.depth == 0)
                    .map(|found| found.binding.syntax().clone())
                    .last()
                    .or_else(|| new_output_after(outputs, name));
            }
            Ok(place)
        };
        Ok(Target {
            system: SystemName::Literal(system.to_string()),
            packages: place("packages")?,
            dev_shells: place("devShells")?,
            module_pattern: None,
        })
    }

    /// The set the plain layout's outputs are written in (for `--system`).
    pub fn plain_outputs_set(&self) -> Option<ast::AttrSet> {
        let target = self.targets.first()?;
        let set = &target.packages.set;
        if target.packages.prefix.first().map(String::as_str) == Some("packages") {
            return Some(set.clone());
        }
        set.syntax()
            .ancestors()
            .filter_map(ast::AttrSet::cast)
            .find(|candidate| !find_path(candidate, &["packages"]).is_empty())
    }
}

/// True when `name` looks like a Nix system double (`x86_64-linux`).
pub fn is_system(name: &str) -> bool {
    let Some((arch, os)) = name.split_once('-') else {
        return false;
    };
    !arch.is_empty()
        && matches!(
            os,
            "linux" | "darwin" | "windows" | "freebsd" | "netbsd" | "openbsd" | "none" | "wasi"
        )
}
