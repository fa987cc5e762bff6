//! flake-parts: `mkFlake { … } { perSystem = …; }`. `perSystem` is a
//! module: its attributes are its `config`, unless it is written with
//! `config = { … }` (and `options`), where new ones go under `config`.
//! Modules listed in `imports` may define anything, so a new `default`
//! next to them is refused; a flake whose `perSystem` lives only in
//! imported files gets a `perSystem` of its own in `flake.nix`, which the
//! module system merges with the imported ones.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{as_attr_set, strip_parens, TextRange};
use rowan::ast::AstNode;

use super::place::{find, place_in, Match};
use super::{
    body_expr, construct, function_name, unsupported, Layout, LayoutKind, OutputPlace, SystemName,
    Target,
};
use crate::error::{ErrorKind, FlakeError};

/// Imported flake modules known not to define packages or dev shells.
const QUIET_MODULES: &[&str] = &[
    "treefmt",
    "pre-commit",
    "git-hooks",
    "flake-root",
    "hercules-ci-effects",
    "easyOverlay",
    "flakeModules.modules",
    "flakeModules.partitions",
];

/// The flake-parts layout of the outputs body, if it is one.
pub(super) fn detect(body: &ast::Expr) -> Result<Option<Layout>, FlakeError> {
    match exported_mk_flake(body) {
        MkFlake::Exported(apply) => {
            if let Some(module) = mk_flake_module(&apply)? {
                return module_layout(&module).map(Some);
            }
        }
        // `devFlake = mkFlake { … } { perSystem = …; };` in a `let`, of which
        // the outputs export only parts (`devFlake.checks.${system}`): a
        // package added there would not be an output. Leave the flake to
        // the other layouts, which refuse when none fits.
        MkFlake::Elsewhere => return Ok(None),
        MkFlake::Absent => {}
    }
    // `perSystem` written somewhere else in the outputs (a module built
    // in a `let`, an alias of mkFlake); a `let perSystem = system: …;`
    // handed to flake-utils is not one.
    if !body.syntax().text().to_string().contains("mkFlake") {
        return Ok(None);
    }
    for node in body.syntax().descendants() {
        let Some(binding) = ast::AttrpathValue::cast(node) else {
            continue;
        };
        if binding
            .syntax()
            .parent()
            .is_some_and(|parent| ast::LetIn::can_cast(parent.kind()))
        {
            continue;
        }
        let names = binding.attrpath().as_ref().and_then(super::place::segments);
        if names.as_ref().and_then(|n| n.last()).map(String::as_str) != Some("perSystem") {
            continue;
        }
        return per_system_layout(&binding, None).map(Some);
    }
    Ok(None)
}

/// Where the outputs' `mkFlake { … } MODULE` call is.
enum MkFlake {
    /// The outputs' value is the call's result (through `let … in`,
    /// `with`, `assert`, parentheses and `//` operands).
    Exported(ast::Apply),
    /// A call exists, but somewhere whose result the outputs may export
    /// only in part (a `let` binding, a function's argument).
    Elsewhere,
    /// No call.
    Absent,
}

/// True when `apply` is a call `mkFlake { … } MODULE`.
fn is_mk_flake_call(apply: &ast::Apply) -> bool {
    let Some(ast::Expr::Apply(inner)) = apply.lambda().map(strip_parens) else {
        return false;
    };
    inner.lambda().and_then(|f| function_name(&f)).as_deref() == Some("mkFlake")
}

fn exported_mk_flake(body: &ast::Expr) -> MkFlake {
    fn on_spine(expr: ast::Expr, depth: usize) -> Option<ast::Apply> {
        if depth > 64 {
            return None;
        }
        match strip_parens(expr) {
            ast::Expr::LetIn(let_in) => on_spine(let_in.body()?, depth + 1),
            ast::Expr::With(with) => on_spine(with.body()?, depth + 1),
            ast::Expr::Assert(assert) => on_spine(assert.body()?, depth + 1),
            ast::Expr::BinOp(binop) if binop.operator() == Some(ast::BinOpKind::Update) => {
                on_spine(binop.lhs()?, depth + 1).or_else(|| on_spine(binop.rhs()?, depth + 1))
            }
            ast::Expr::Apply(apply) if is_mk_flake_call(&apply) => Some(apply),
            _ => None,
        }
    }
    if let Some(apply) = on_spine(body.clone(), 0) {
        return MkFlake::Exported(apply);
    }
    let anywhere = body
        .syntax()
        .descendants()
        .filter_map(ast::Apply::cast)
        .any(|apply| is_mk_flake_call(&apply));
    if anywhere {
        MkFlake::Elsewhere
    } else {
        MkFlake::Absent
    }
}

/// The module set of the outputs' `mkFlake { … } MODULE` call.
fn mk_flake_module(apply: &ast::Apply) -> Result<Option<ast::AttrSet>, FlakeError> {
    let Some(module) = apply.argument() else {
        return Ok(None);
    };
    let set = match strip_parens(module.clone()) {
        ast::Expr::AttrSet(set) => Some(set),
        ast::Expr::Lambda(lambda) => match lambda.body().map(body_expr) {
            Some(ast::Expr::AttrSet(set)) => Some(set),
            _ => None,
        },
        _ => None,
    };
    match set {
        Some(set) => Ok(Some(set)),
        None => Err(unsupported(
            module.syntax().text_range(),
            &format!(
                "the flake-parts module is `{}`, not written in this file",
                construct(module.syntax())
            ),
        )),
    }
}

/// `imports = [ … ]` of a module set: the binding's range when it lists
/// modules that may define packages or dev shells.
fn loud_imports(set: &ast::AttrSet) -> Option<TextRange> {
    let binding = find(set, &["imports"])
        .into_iter()
        .find(|found| found.kind == Match::Exact)?
        .binding;
    let loud = match binding.value().map(strip_parens) {
        Some(ast::Expr::List(list)) => list.items().any(|item| {
            let text = item.syntax().text().to_string();
            !QUIET_MODULES.iter().any(|quiet| text.contains(quiet))
        }),
        _ => true,
    };
    loud.then(|| binding.syntax().text_range())
}

fn imported_default(range: TextRange) -> FlakeError {
    FlakeError::new(
        ErrorKind::Conflict,
        "`default` may already be defined by a module listed in `imports`, which flakeedit cannot see from this file",
    )
    .at(range)
    .hint("choose another name (--name/--attr), or add it in the imported module")
}

fn module_layout(module: &ast::AttrSet) -> Result<Layout, FlakeError> {
    let imports = loud_imports(module);
    let per_system = find(module, &["perSystem"])
        .into_iter()
        .chain(find(module, &["config", "perSystem"]))
        .find(|found| found.kind == Match::Exact);
    if let Some(found) = per_system {
        return per_system_layout(&found.binding, imports);
    }
    // With `imports` and no `perSystem` here, a new `perSystem` is one more
    // module definition: the module system merges it with the imported
    // ones, and a name defined twice is an evaluation error, not a silent
    // override. Only `default`, which imported modules commonly define, is
    // refused. `systems` may then be set by an imported module.
    if imports.is_none() && find(module, &["systems"]).is_empty() {
        return Err(unsupported(
            module.syntax().text_range(),
            "the flake-parts module has neither `perSystem` nor `systems`",
        ));
    }
    // A new `perSystem` before `flake = { … }`, or last.
    let place = |name: &str| {
        let mut place = OutputPlace::new(
            module,
            vec!["perSystem".to_string(), name.to_string()],
            SystemName::Implicit,
        );
        place.new_per_system = true;
        place.default_conflict = imports.map(imported_default);
        place.before = find(module, &["flake"])
            .into_iter()
            .find(|found| found.depth == 0)
            .map(|found| found.binding.syntax().clone());
        place
    };
    Ok(Layout {
        kind: LayoutKind::FlakeParts,
        targets: vec![Target {
            system: SystemName::Implicit,
            packages: place("packages"),
            dev_shells: place("devShells"),
            module_pattern: None,
        }],
    })
}

/// The target of a `perSystem = { … }: { … };` binding.
fn per_system_layout(
    binding: &ast::AttrpathValue,
    imports: Option<TextRange>,
) -> Result<Layout, FlakeError> {
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
    let Some(ast::Expr::AttrSet(set)) = module.body().map(body_expr) else {
        return Err(unsupported(
            binding_range,
            "`perSystem` does not return an attribute set literal",
        ));
    };
    // Imports of the per-system module may define entries too.
    let imports = imports.or_else(|| loud_imports(&set));
    // A module written with `config`/`options`: its attributes are under `config`.
    let module_style = ["config", "options"]
        .iter()
        .any(|name| !find(&set, &[name]).is_empty());
    let (set, base) = if module_style {
        let config = find(&set, &["config"])
            .into_iter()
            .find(|found| found.kind == Match::Exact);
        match config {
            Some(found) => match as_attr_set(found.binding.value()) {
                Some(config) => (config, Vec::new()),
                None => {
                    return Err(unsupported(
                        found.binding.syntax().text_range(),
                        "`perSystem`'s `config` is not an attribute set literal",
                    ))
                }
            },
            None => (set, vec!["config".to_string()]),
        }
    } else {
        (set, Vec::new())
    };
    let place = |name: &str| -> Result<OutputPlace, FlakeError> {
        let mut place = place_in(&set, &base, name, SystemName::Implicit)?;
        if module_style && base.is_empty() && !place.exists {
            place.before = None;
            place.after = None;
        }
        place.default_conflict = imports.map(imported_default);
        Ok(place)
    };
    Ok(Layout {
        kind: LayoutKind::FlakeParts,
        targets: vec![Target {
            system: SystemName::Implicit,
            packages: place("packages")?,
            dev_shells: place("devShells")?,
            module_pattern: pattern,
        }],
    })
}
