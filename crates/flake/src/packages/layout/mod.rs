//! Where per-system outputs live: flake-parts, flake-utils, `genAttrs`
//! helpers and plain `packages.<system>.<name>` attributes.
//!
//! Detection decides, for every place a package or dev shell is written,
//! how code there names its system and package set (see [`helper`]), and
//! refuses — naming the construct — where a new attribute could be
//! shadowed (`//`), could duplicate one defined elsewhere (imported
//! modules, `inherit`), or could change what `nix build`/`nix develop`
//! pick (legacy `defaultPackage`/`devShell`).

mod borrowed;
mod dotted;
mod flake_parts;
mod fold;
mod helper;
mod merge;
mod names;
mod place;
mod received;

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{as_attr_set, scope_at, static_string, strip_parens, BinderKind, TextRange};
use rowan::ast::AstNode;

pub(crate) use merge::conditional_set;
pub(crate) use names::{certain_names, known_names};
pub(crate) use place::defines;
pub(crate) use place::write_path;
pub use place::OutputPlace;

use crate::error::{ErrorKind, FlakeError};
use crate::model::Flake;
use helper::{arguments, fresh_arguments, per_system_call};
use merge::{chosen_operand, operands, shadowed_after};
use place::{find, inherited_here, new_output_after, new_output_anchor, place_in, Match};

/// The per-system layouts flakeedit understands, for error messages.
pub const SUPPORTED_LAYOUTS: &str =
    "flake-parts (`perSystem = { pkgs, self', ... }: { … }`, also with `config = { … }`), \
flake-utils (`eachDefaultSystem (system: { … })` or `eachSystem [ … ] (system: { … })`), \
`packages = forAllSystems (system: { … })` / `nixpkgs.lib.genAttrs [ … ] (system: { … })` \
(or a helper passing `pkgs` or `{ pkgs, system }`), \
and plain `packages.<system>.<name> = …;` (also `packages.${system}` with a `let`-bound system)";

/// Outputs that are per-system attribute sets; their system names tell a
/// plain flake's systems when it has no `packages` yet.
const PER_SYSTEM_OUTPUTS: &[&str] = &[
    "packages",
    "devShells",
    "checks",
    "apps",
    "formatter",
    "legacyPackages",
    "defaultPackage",
    "devShell",
];

/// The legacy output standing for `default` of an output.
fn legacy_of(output: &str) -> &'static str {
    if output == "packages" {
        "defaultPackage"
    } else {
        "devShell"
    }
}

/// The kind of layout a flake uses for per-system outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
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
    /// An expression (`pkgs.stdenv.hostPlatform.system`, `args.system`)
    /// where the per-system function receives no system variable.
    Expression(String),
    /// No expression names the system there; the reason, for errors.
    Unknown(String),
}

impl SystemName {
    /// The attribute-path segment selecting this system: `${system}` or
    /// `x86_64-linux`; `None` in flake-parts, where `self'` needs none,
    /// and where the system is unknown.
    pub fn selector(&self) -> Option<String> {
        match self {
            SystemName::Variable(name) | SystemName::Expression(name) => {
                Some(format!("${{{name}}}"))
            }
            SystemName::Literal(system) => Some(flakeedit_syntax::quote_attr_name(system)),
            SystemName::Implicit | SystemName::Unknown(_) => None,
        }
    }
}

/// One place per-system outputs are written: the only one in flake-parts,
/// flake-utils and `genAttrs` layouts, one per system in the plain layout.
#[derive(Debug, Clone)]
pub struct Target {
    /// How the system is named in the `packages` output.
    pub system: SystemName,
    /// The `packages` output.
    pub packages: OutputPlace,
    /// The `devShells` output.
    pub dev_shells: OutputPlace,
    /// The `perSystem` pattern (flake-parts), where formals like `self'`
    /// or `pkgs` can be added.
    pub(crate) module_pattern: Option<ast::Pattern>,
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

/// `function` ("the per-system function") returns `body`, which is not
/// an attribute set literal. When its value comes from another file, the
/// error names that file: flakeedit edits one file at a time.
fn not_a_set(function: &str, body: &ast::Expr) -> FlakeError {
    let range = body.syntax().text_range();
    let returns = format!("{function} returns `{}`", construct(body.syntax()));
    match names::imported_file(body) {
        Some(file) => FlakeError::new(
            ErrorKind::Unsupported,
            format!(
                "{returns}, whose attributes come from `{file}`, another file; flakeedit edits one file at a time"
            ),
        )
        .at(range)
        .hint(format!("add the package to `{file}` by hand")),
        None => unsupported(range, &format!("{returns}, not an attribute set literal")),
    }
}

/// Whether `X // { … }` written after `expr` merges into `expr`'s value:
/// a call, a name, a selection or a merge, not an `if` or a function.
pub(super) fn mergeable(expr: &ast::Expr) -> bool {
    match expr {
        ast::Expr::Apply(_) | ast::Expr::Ident(_) | ast::Expr::Select(_) => true,
        ast::Expr::BinOp(op) => op.operator() == Some(ast::BinOpKind::Update),
        _ => false,
    }
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
            .and_then(|a| flakeedit_syntax::attr_name(&a)),
        ast::Expr::Apply(apply) => function_name(&apply.lambda()?),
        _ => None,
    }
}

/// Whether `node` (through parentheses) is the value of a binding `x = node;`.
fn is_binding_value(node: &flakeedit_syntax::SyntaxNode) -> bool {
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

/// A short text of an expression for messages: its first and last line.
fn construct(node: &flakeedit_syntax::SyntaxNode) -> String {
    let text = node.text().to_string();
    let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
    let first = lines.next().unwrap_or_default();
    let last = lines.next_back();
    let shorten = |line: &str| -> String {
        if line.chars().count() > 60 {
            format!("{} …", line.chars().take(60).collect::<String>())
        } else {
            line.to_string()
        }
    };
    match last {
        Some(last) => format!("{} … {}", shorten(first), shorten(last)),
        None => shorten(first),
    }
}

/// The places of `packages` and `devShells` in a per-system body (the
/// value a flake-utils function returns for one system), where code
/// names its system and package set as `arguments` say.
fn per_system_places(
    body: ast::Expr,
    arguments: &helper::Arguments,
) -> Result<(OutputPlace, OutputPlace), FlakeError> {
    let body = body_expr(body);
    let mut places = Vec::new();
    for name in ["packages", "devShells"] {
        let parts = operands(&body);
        let (set, after) = chosen_operand(&parts, name)
            .ok_or_else(|| not_a_set("the per-system function", &body))?;
        shadowed_after(&after, name)?;
        let mut place = place_in(&set, &[], name, arguments.system.clone())?;
        place.package_set = arguments.package_set.clone();
        place.system_formals = arguments.system_formals.clone();
        place.package_set_formals = arguments.package_set_formals.clone();
        place.legacy_default = legacy_entry(&parts, name);
        places.push(place);
    }
    let dev_shells = places.pop().ok_or_else(internal)?;
    let packages = places.pop().ok_or_else(internal)?;
    Ok((packages, dev_shells))
}

fn internal() -> FlakeError {
    FlakeError::new(ErrorKind::Internal, "layout detection lost a place")
}

/// The legacy `defaultPackage = …;` / `devShell = …;` binding of a
/// per-system body, standing for the `default` entry of `output`.
fn legacy_entry(parts: &[ast::Expr], output: &str) -> Option<ast::AttrpathValue> {
    let legacy = legacy_of(output);
    parts.iter().rev().find_map(|part| match part {
        ast::Expr::AttrSet(set) => find(set, &[legacy])
            .into_iter()
            .find(|found| found.kind == Match::Exact)
            .map(|found| found.binding),
        _ => None,
    })
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

        if let Some(layout) = flake_parts::detect(&body)? {
            return Ok(layout);
        }
        if let Some(layout) = Layout::detect_flake_utils(&body)? {
            return Ok(layout);
        }

        let top = body_expr(body);
        let parts = operands(&top);
        let has_literal = parts.iter().any(|p| matches!(p, ast::Expr::AttrSet(_)));
        if !has_literal {
            if names::imported_file(&top).is_some() {
                return Err(not_a_set("the outputs function", &top));
            }
            return Err(unsupported(
                top.syntax().text_range(),
                &format!(
                    "the outputs function returns `{}`, not an attribute set literal or a call of a known per-system helper",
                    construct(top.syntax())
                ),
            ));
        }
        Layout::detect_top_level(&parts, range)
    }

    /// flake-utils: `eachDefaultSystem`/`eachSystem` applied to a
    /// function of the system, anywhere in the outputs.
    fn detect_flake_utils(body: &ast::Expr) -> Result<Option<Layout>, FlakeError> {
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
            let Some(call) = per_system_call(&apply)? else {
                continue;
            };
            if !call.transposes {
                continue;
            }
            let arguments = arguments(&call.function, &call.received)?;
            let Some(function_body) = call.function.body() else {
                continue;
            };
            for name in ["packages", "devShells"] {
                merge::shadowed_around(apply.syntax(), body.syntax(), name)?;
            }
            let (packages, dev_shells) = per_system_places(function_body, &arguments)?;
            return Ok(Some(Layout {
                kind: LayoutKind::FlakeUtils,
                targets: vec![Target {
                    system: packages.system.clone(),
                    packages,
                    dev_shells,
                    module_pattern: None,
                }],
            }));
        }
        Ok(None)
    }

    /// `genAttrs` helpers and plain per-system attributes, in the set (or
    /// the sets merged with `//`) the outputs function returns.
    fn detect_top_level(parts: &[ast::Expr], range: TextRange) -> Result<Layout, FlakeError> {
        let generated = |name: &str| -> Result<Option<Generated>, FlakeError> {
            for part in parts.iter().rev() {
                let ast::Expr::AttrSet(set) = part else {
                    continue;
                };
                for found in find(set, &[name]) {
                    if found.kind != Match::Exact {
                        continue;
                    }
                    let Some(value) = found.binding.value() else {
                        continue;
                    };
                    if let Some(generated) = Generated::of(&found.binding, &value)? {
                        return Ok(Some(generated));
                    }
                }
            }
            Ok(None)
        };
        let packages = generated("packages")?;
        let shells = generated("devShells")?;
        if packages.is_some() || shells.is_some() {
            let outputs_set = |name: &str| -> Result<ast::AttrSet, FlakeError> {
                let (set, after) = chosen_operand(parts, name).ok_or_else(|| {
                    unsupported(range, "the outputs are not an attribute set literal")
                })?;
                shadowed_after(&after, name)?;
                Ok(set)
            };
            let place = |name: &str,
                         found: &Option<Generated>,
                         other: &Option<Generated>|
             -> Result<OutputPlace, FlakeError> {
                if let Some(generated) = found {
                    return generated.place(name);
                }
                let outputs = outputs_set(name)?;
                inherited_here(&outputs, name)?;
                // `devShells = lib.mapAttrs (…) pkgsFor;`, `devShells.x86_64-linux…`:
                // it exists in a form flakeedit cannot add to; a second
                // `devShells` would be a duplicate attribute.
                let other = other.as_ref().ok_or_else(internal)?;
                let fresh = fresh_arguments(&other.received, &other.arguments);
                if let Some(found) = find(&outputs, &[name]).into_iter().next() {
                    // Refused when this output is edited; the other one
                    // (`packages` next to such `devShells`) still can be.
                    let mut place =
                        OutputPlace::new(&outputs, vec![name.to_string()], fresh.system.clone());
                    place.unreadable = Some(FlakeError::new(
                        ErrorKind::Unsupported,
                        format!(
                            "`{name}` is `{}`, not a per-system helper call flakeedit can add to (`forAllSystems (system: {{ … }})`)",
                            found
                                .binding
                                .value()
                                .map_or_else(String::new, |value| construct(value.syntax()))
                        ),
                    )
                    .at(found.binding.syntax().text_range())
                    .hint(format!(
                        "write `{name} = forAllSystems (system: {{ … }});` to let flakeedit add to it"
                    )));
                    return Ok(place);
                }
                // Create it with the same helper as the other output.
                let mut place =
                    OutputPlace::new(&outputs, vec![name.to_string()], fresh.system.clone());
                place.generator = Some((other.helper.clone(), fresh.parameter.clone()));
                place.package_set = fresh.package_set.clone();
                place.bound = fresh.bound.clone();
                place.before = new_output_anchor(&outputs, name);
                place.after = new_output_after(&outputs, name);
                Ok(place)
            };
            // A top-level `defaultPackage = forAllSystems …;` is not an
            // entry flakeedit can extend, but a new `default` would win over it.
            let legacy = |name: &str, mut place: OutputPlace| {
                let found = parts.iter().find_map(|part| match part {
                    ast::Expr::AttrSet(set) => find(set, &[legacy_of(name)]).into_iter().next(),
                    _ => None,
                });
                if let Some(found) = found {
                    place.default_conflict = Some(legacy_error(name, &found.binding));
                    // It is the package `default` to `nix build`, which a
                    // docker image of the default package refers to as
                    // `self.defaultPackage.${system}`.
                    if name == "packages" {
                        place.legacy_default = Some(found.binding);
                    }
                }
                place
            };
            let packages_place = legacy("packages", place("packages", &packages, &shells)?);
            let shells_place = legacy("devShells", place("devShells", &shells, &packages)?);
            // The system as the readable output's function names it.
            let system = if packages_place.unreadable.is_some() {
                shells_place.system.clone()
            } else {
                packages_place.system.clone()
            };
            return Ok(Layout {
                kind: LayoutKind::GenAttrs,
                targets: vec![Target {
                    system,
                    packages: packages_place,
                    dev_shells: shells_place,
                    module_pattern: None,
                }],
            });
        }

        // Plain: the systems of `packages`, or of other per-system outputs.
        let (outputs, after) = chosen_operand(parts, "packages")
            .ok_or_else(|| unsupported(range, "the outputs are not an attribute set literal"))?;
        let systems = plain_systems(&outputs);
        if systems.is_empty() {
            if let Some(layout) = borrowed::layout(&outputs, &after)? {
                return Ok(layout);
            }
            return Err(unsupported(
                range,
                "no per-system outputs were found (no `perSystem`, `eachDefaultSystem`, `genAttrs` or `packages.<system>`)",
            ));
        }
        for name in ["packages", "devShells"] {
            shadowed_after(&after, name)?;
        }
        let targets = systems
            .into_iter()
            .map(|system| Layout::plain_target(&outputs, &system))
            .collect::<Result<_, _>>()?;
        Ok(Layout {
            kind: LayoutKind::Plain,
            targets,
        })
    }

    /// The plain target for one system (also used for `--system`). A
    /// system that the file names through a `let`-bound variable
    /// (`packages.${system}`) is written that way.
    pub(crate) fn plain_target(outputs: &ast::AttrSet, system: &str) -> Result<Target, FlakeError> {
        let segment = plain_systems(outputs)
            .into_iter()
            .find(|segment| {
                segment.starts_with("${")
                    && segment_value(outputs, segment).as_deref() == Some(system)
            })
            .unwrap_or_else(|| system.to_string());
        let system_name = match segment
            .strip_prefix("${")
            .and_then(|rest| rest.strip_suffix('}'))
        {
            Some(variable) => SystemName::Variable(variable.to_string()),
            None => SystemName::Literal(segment.clone()),
        };
        let place = |name: &str| -> Result<OutputPlace, FlakeError> {
            let mut place = place_in(outputs, &[], name, system_name.clone())?;
            if place.prefix.is_empty() {
                // `packages = { x86_64-linux = …; }`: one level further.
                let mut inner = place_in(&place.set, &[], &segment, system_name.clone())?;
                inner.legacy_default = legacy_binding(outputs, name, &segment);
                return Ok(inner);
            }
            let path = [name, segment.as_str()];
            place.prefix.push(segment.clone());
            place.exists = false;
            let founds = find(outputs, &path);
            if let [only] = founds.as_slice() {
                // `packages.${system}.default = X;` alone: it becomes a set.
                if let Match::Deeper(rest) = &only.kind {
                    let head_len = only
                        .binding
                        .attrpath()
                        .map(|path| path.attrs().count())
                        .unwrap_or(0)
                        .saturating_sub(rest.len());
                    if segment.starts_with("${") && rest.len() == 1 {
                        if let Some(entry) = dotted::DottedEntry::split(&only.binding, head_len) {
                            place.exists = true;
                            place.dotted_entry = Some(entry);
                            place.legacy_default = legacy_binding(outputs, name, &segment);
                            return Ok(place);
                        }
                    }
                }
            }
            for found in founds {
                match found.kind {
                    Match::Exact => {
                        if let Some(set) = as_attr_set(found.binding.value()) {
                            place.set = set;
                            place.prefix.clear();
                            place.exists = true;
                            place.legacy_default = legacy_binding(outputs, name, &segment);
                            return Ok(place);
                        }
                        return Err(FlakeError::new(
                            ErrorKind::Unsupported,
                            format!("`{name}.{segment}` is not written as an attribute set"),
                        )
                        .at(found.binding.syntax().text_range()));
                    }
                    // Nix cannot merge a second `packages.${system}.x = …;`
                    // into a dynamic attribute defined by a dotted binding.
                    Match::Deeper(_) if segment.starts_with("${") => {
                        place.exists = true;
                        place.entry_conflict = Some(
                            FlakeError::new(
                                ErrorKind::Unsupported,
                                format!(
                                    "`{name}.{segment}` is written with dotted bindings; Nix rejects a second binding below a dynamic attribute (`dynamic attribute already defined`)"
                                ),
                            )
                            .at(found.binding.syntax().text_range())
                            .hint(format!(
                                "write `{name}.{segment} = {{ … }};` to let flakeedit add to it"
                            )),
                        );
                    }
                    Match::Deeper(_) => place.exists = true,
                    Match::Opaque => {}
                }
            }
            if !place.exists {
                place.before = new_output_anchor(outputs, name);
                place.after = find(outputs, &[name])
                    .into_iter()
                    .filter(|found| found.depth == 0)
                    .map(|found| found.binding.syntax().clone())
                    .last()
                    .or_else(|| new_output_after(outputs, name));
            }
            place.legacy_default = legacy_binding(outputs, name, &segment);
            Ok(place)
        };
        Ok(Target {
            system: system_name.clone(),
            packages: place("packages")?,
            dev_shells: place("devShells")?,
            module_pattern: None,
        })
    }

    /// The set the plain layout's outputs are written in (for `--system`).
    pub(crate) fn plain_outputs_set(&self) -> Option<ast::AttrSet> {
        let target = self.targets.first()?;
        let set = &target.packages.set;
        if target.packages.prefix.first().map(String::as_str) == Some("packages") {
            return Some(set.clone());
        }
        set.syntax()
            .ancestors()
            .filter_map(ast::AttrSet::cast)
            .find(|candidate| !find(candidate, &["packages"]).is_empty())
    }
}

/// `defaultPackage.<system> = …;` (or `devShell.<system>`) in a plain
/// flake: the legacy binding standing for `default`.
fn legacy_binding(
    outputs: &ast::AttrSet,
    output: &str,
    segment: &str,
) -> Option<ast::AttrpathValue> {
    find(outputs, &[legacy_of(output), segment])
        .into_iter()
        .find(|found| found.kind == Match::Exact)
        .map(|found| found.binding)
}

fn legacy_error(output: &str, legacy: &ast::AttrpathValue) -> FlakeError {
    let name = legacy_of(output);
    FlakeError::new(
        ErrorKind::Conflict,
        format!(
            "the flake defines the legacy `{name}`; a new `{output}.default` would replace it for `nix {}`",
            if output == "packages" { "build" } else { "develop" }
        ),
    )
    .at(legacy.syntax().text_range())
    .hint(format!(
        "move `{name}` to `{output}.default` first, or choose another name"
    ))
}

/// A `genAttrs`-style output: `packages = forAllSystems (system: { … })`.
struct Generated {
    binding: ast::AttrpathValue,
    set: ast::AttrSet,
    helper: String,
    received: helper::Received,
    arguments: helper::Arguments,
    /// The expression the per-system function returns when it is not a
    /// set literal (see [`OutputPlace::merged_into`]).
    merged_into: Option<ast::Expr>,
    /// Systems whose whole set a literal merged after the helper call
    /// replaces (see [`OutputPlace::replaced_systems`]).
    replaced_systems: Vec<String>,
}

impl Generated {
    /// `value` (the value of output `binding`) as a generated output:
    /// the rightmost helper call of a `//` chain.
    fn of(
        binding: &ast::AttrpathValue,
        value: &ast::Expr,
    ) -> Result<Option<Generated>, FlakeError> {
        let parts = operands(&strip_parens(value.clone()));
        for (index, part) in parts.iter().enumerate().rev() {
            let ast::Expr::Apply(apply) = part else {
                continue;
            };
            let Some(call) = per_system_call(apply)? else {
                continue;
            };
            if call.transposes {
                continue;
            }
            let replaced_systems = merge::systems_shadowed(&parts[index + 1..])?;
            let arguments = arguments(&call.function, &call.received)?;
            let body =
                call.function.body().map(body_expr).ok_or_else(|| {
                    unsupported(binding.syntax().text_range(), "an empty function")
                })?;
            let body_parts = operands(&body);
            let helper = apply
                .lambda()
                .map(|f| f.syntax().text().to_string())
                .unwrap_or_default();
            let Some((set, after)) = chosen_operand(&body_parts, "") else {
                // `forAllSystems (system: make-set pkgs)` with a `let`-bound
                // `make-set = pkgs: { … };`: its names are known, and a set
                // merged after it can add one it does not define.
                let enclosing = binding.syntax().ancestors().find_map(ast::AttrSet::cast);
                if let (true, Some(_), Some(set)) =
                    (mergeable(&body), names::known_names(&body), enclosing)
                {
                    return Ok(Some(Generated {
                        binding: binding.clone(),
                        set,
                        helper,
                        received: call.received,
                        arguments,
                        merged_into: Some(body),
                        replaced_systems,
                    }));
                }
                return Err(
                    not_a_set("the per-system function", &body).at(binding.syntax().text_range())
                );
            };
            let output = place::first_segment(binding).unwrap_or_default();
            merge::entries_shadowed(&after, &output)?;
            return Ok(Some(Generated {
                binding: binding.clone(),
                set,
                helper,
                received: call.received,
                arguments,
                merged_into: None,
                replaced_systems,
            }));
        }
        Ok(None)
    }

    fn place(&self, name: &str) -> Result<OutputPlace, FlakeError> {
        let _ = &self.binding;
        let mut place = OutputPlace::new(&self.set, Vec::new(), self.arguments.system.clone());
        place.exists = self.merged_into.is_none();
        place.merged_into = self.merged_into.clone();
        place.replaced_systems = self.replaced_systems.clone();
        place.package_set = self.arguments.package_set.clone();
        place.system_formals = self.arguments.system_formals.clone();
        place.package_set_formals = self.arguments.package_set_formals.clone();
        let _ = name;
        Ok(place)
    }
}

/// The system segments of a plain flake: literal systems (`x86_64-linux`)
/// and `${name}` where `name` is `let`-bound to a literal system.
fn plain_systems(outputs: &ast::AttrSet) -> Vec<String> {
    let mut systems: Vec<String> = Vec::new();
    for output in PER_SYSTEM_OUTPUTS {
        for found in find(outputs, &[output]) {
            let names: Vec<String> = match found.kind {
                Match::Deeper(rest) => rest.into_iter().take(1).collect(),
                Match::Exact => as_attr_set(found.binding.value())
                    .map(|set| {
                        flakeedit_syntax::rnix::ast::HasEntry::attrpath_values(&set)
                            .filter_map(|b| place::first_segment(&b))
                            .collect()
                    })
                    .unwrap_or_default(),
                Match::Opaque => Vec::new(),
            };
            for name in names {
                let system = if name.starts_with("${") {
                    segment_value(outputs, &name).is_some_and(|value| is_system(&value))
                } else {
                    is_system(&name)
                };
                if system && !systems.contains(&name) {
                    systems.push(name);
                }
            }
        }
        if *output == "packages" && !systems.is_empty() {
            break;
        }
    }
    systems
}

/// The literal string a `${name}` segment stands for, when `name` is
/// `let`-bound to one where `outputs` is.
fn segment_value(outputs: &ast::AttrSet, segment: &str) -> Option<String> {
    let name = segment.strip_prefix("${")?.strip_suffix('}')?;
    let root = outputs.syntax().ancestors().last()?;
    let scope = scope_at(&root, outputs.syntax().text_range().start());
    let binder = scope.names.get(name)?;
    if binder.kind != BinderKind::Let {
        return None;
    }
    match crate::packages::context::binding_value(&root, binder.range)? {
        ast::Expr::Str(string) => static_string(&string),
        _ => None,
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
