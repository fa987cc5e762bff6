//! What a per-system function receives. The helper applying it decides:
//! flake-utils' `eachDefaultSystem` and nixpkgs' `genAttrs` pass the
//! system; a local `forAllSystems = f: genAttrs systems (system: f …)`
//! passes whatever it applies `f` to — the system, a package set
//! (`nixpkgs.legacyPackages.${system}`) or a set of both
//! (`{ pkgs = …; inherit system; }`). Reading the helper's definition tells
//! which; when it cannot be read, the layout is refused rather than guessed.

use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{
    attr_name, formal_names, pattern_alias, scope_at, strip_parens, BinderKind, SyntaxNode,
    TextRange,
};
use rowan::ast::AstNode;

use super::received::classify;
use super::SystemName;
use crate::error::{ErrorKind, FlakeError};
use crate::packages::context::binding_value;

/// How deep helper definitions are followed (`a = b; b = genAttrs …`).
pub(super) const MAX_DEPTH: usize = 6;

/// What a per-system function's argument is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Received {
    /// The system name.
    System,
    /// The system's package set; `exact` when its host platform is the
    /// system (`legacyPackages.${system}`, `import nixpkgs { inherit system; }`).
    PackageSet { exact: bool },
    /// An attribute set literal with these attributes.
    Attrs(Vec<(String, Received)>),
    /// Something else.
    Other,
}

/// A call of a per-system helper on a function.
#[derive(Debug, Clone)]
pub(crate) struct PerSystemCall {
    /// flake-utils' helpers return the function's outputs per system
    /// (`{ packages.<system> = …; }`); `genAttrs`-style ones return one
    /// value per system (`{ <system> = …; }`).
    pub transposes: bool,
    /// The per-system function.
    pub function: ast::Lambda,
    /// What it receives.
    pub received: Received,
}

/// What a function expression applied to a per-system function is.
pub(super) enum Helper {
    Known {
        transposes: bool,
        received: Received,
    },
    /// A helper whose argument cannot be read; named for the error.
    Undecidable {
        name: String,
        range: TextRange,
    },
    Unrelated,
}

/// The per-system function of `apply` (`helper (x: …)`, or `helper f`
/// with `f` a `let`-bound function) and what it receives; `Ok(None)` when
/// `apply` is not a per-system helper call; an error naming the helper
/// when it is one whose argument cannot be decided.
pub(crate) fn per_system_call(apply: &ast::Apply) -> Result<Option<PerSystemCall>, FlakeError> {
    let Some(function) = apply.argument().and_then(|argument| lambda_of(&argument)) else {
        return Ok(None);
    };
    let Some(head) = apply.lambda() else {
        return Ok(None);
    };
    match helper(&head, 0) {
        Helper::Known {
            transposes,
            received,
        } => Ok(Some(PerSystemCall {
            transposes,
            function,
            received,
        })),
        Helper::Unrelated => Ok(None),
        Helper::Undecidable { name, range } => Err(undecidable(&name, range)),
    }
}

fn undecidable(name: &str, range: TextRange) -> FlakeError {
    FlakeError::new(
        ErrorKind::Unsupported,
        format!(
            "flakeedit cannot tell what `{name}` passes to its function (a system, a package set, or a set of both)"
        ),
    )
    .at(range)
    .hint(format!(
        "define `{name}` in this file as `nixpkgs.lib.genAttrs systems` or `f: nixpkgs.lib.genAttrs systems (system: f …)`, or add the package by hand"
    ))
}

/// A lambda literal, or a variable bound by `let` to one.
pub(super) fn lambda_of(expr: &ast::Expr) -> Option<ast::Lambda> {
    match strip_parens(expr.clone()) {
        ast::Expr::Lambda(lambda) => Some(lambda),
        ast::Expr::Ident(ident) => match definition(ident.syntax(), &ident_text(&ident)?)? {
            Definition::Let(ast::Expr::Lambda(lambda)) => Some(lambda),
            _ => None,
        },
        _ => None,
    }
}

pub(super) fn ident_text(ident: &ast::Ident) -> Option<String> {
    ident.ident_token().map(|token| token.text().to_string())
}

/// How a name is bound where it is used.
pub(super) enum Definition {
    /// `let name = value;` (or a `rec` attribute).
    Let(ast::Expr),
    /// `inherit (from) name;`: the attribute `name` of `from`.
    Inherited,
    /// A function parameter or formal.
    Argument,
    /// Not bound statically (a `with`, or a builtin).
    Unbound,
}

pub(super) fn definition(at: &SyntaxNode, name: &str) -> Option<Definition> {
    let root = at.ancestors().last()?;
    let scope = scope_at(&root, at.text_range().start());
    let Some(binder) = scope.names.get(name) else {
        return Some(Definition::Unbound);
    };
    Some(match binder.kind {
        BinderKind::Let | BinderKind::RecAttribute => match binding_value(&root, binder.range) {
            Some(value) => Definition::Let(value),
            None => Definition::Argument,
        },
        BinderKind::Inherit => Definition::Inherited,
        _ => Definition::Argument,
    })
}

/// The last attribute of a selection (`eachSystem` of
/// `flake-utils.lib.eachSystem`).
pub(super) fn last_attr(select: &ast::Select) -> Option<String> {
    select
        .attrpath()?
        .attrs()
        .last()
        .and_then(|a| attr_name(&a))
}

/// A helper known by name: flake-utils' and nixpkgs' functions.
/// `arguments` is how many arguments it got before the function.
fn by_name(name: &str, arguments: usize) -> Option<Helper> {
    let known = |transposes| Helper::Known {
        transposes,
        received: Received::System,
    };
    match (name, arguments) {
        ("eachDefaultSystem", 0) | ("eachSystem", 1) => Some(known(true)),
        ("eachDefaultSystemMap", 0) | ("eachSystemMap", 1) | ("genAttrs", 1) => Some(known(false)),
        _ => None,
    }
}

fn looks_per_system(name: &str) -> bool {
    name.to_lowercase().contains("system")
}

/// What `head` is when applied to a per-system function, after
/// `arguments` other arguments.
fn helper_applied(head: &ast::Expr, arguments: usize, depth: usize) -> Helper {
    if depth > MAX_DEPTH {
        return Helper::Unrelated;
    }
    let undecidable = |name: String, node: &SyntaxNode| Helper::Undecidable {
        name,
        range: node.text_range(),
    };
    match strip_parens(head.clone()) {
        ast::Expr::Apply(apply) => match apply.lambda() {
            Some(inner) => helper_applied(&inner, arguments + 1, depth + 1),
            None => Helper::Unrelated,
        },
        ast::Expr::Select(select) => {
            let Some(name) = last_attr(&select) else {
                return Helper::Unrelated;
            };
            match by_name(&name, arguments) {
                Some(known) => known,
                None if looks_per_system(&name) => undecidable(name, select.syntax()),
                None => Helper::Unrelated,
            }
        }
        ast::Expr::Ident(ident) => {
            let Some(name) = ident_text(&ident) else {
                return Helper::Unrelated;
            };
            match definition(ident.syntax(), &name) {
                Some(Definition::Let(value)) => defined(&name, &value, arguments, depth)
                    .unwrap_or_else(|| {
                        if looks_per_system(&name) || by_name(&name, arguments).is_some() {
                            undecidable(name.clone(), ident.syntax())
                        } else {
                            Helper::Unrelated
                        }
                    }),
                Some(Definition::Inherited | Definition::Unbound) => {
                    match by_name(&name, arguments) {
                        Some(known) => known,
                        None if looks_per_system(&name) => undecidable(name, ident.syntax()),
                        None => Helper::Unrelated,
                    }
                }
                Some(Definition::Argument) | None => {
                    if looks_per_system(&name) || by_name(&name, arguments).is_some() {
                        undecidable(name, ident.syntax())
                    } else {
                        Helper::Unrelated
                    }
                }
            }
        }
        _ => Helper::Unrelated,
    }
}

pub(super) fn helper(head: &ast::Expr, depth: usize) -> Helper {
    helper_applied(head, 0, depth)
}

/// A `let`-bound helper `name = value`: an alias or partial application
/// of another helper (`forAllSystems = nixpkgs.lib.genAttrs systems;`, or
/// written out as `f: nixpkgs.lib.genAttrs systems f`), or
/// `f: genAttrs systems (system: f ARG)` (also through a `let`-bound
/// `g = f: system: f ARG` as `genAttrs systems (g f)`, or as
/// `listToAttrs (map (system: { name = system; value = f ARG; }) systems)`).
/// A curried helper (`systems: f: …` given its systems first) is read
/// past the arguments it was given. `None` when it is none of these.
fn defined(name: &str, value: &ast::Expr, arguments: usize, depth: usize) -> Option<Helper> {
    if depth > MAX_DEPTH {
        return None;
    }
    match strip_parens(value.clone()) {
        // The arguments given before the function (`forSystems systems`)
        // only choose the systems: what the function receives is read
        // from the rest, and a reference to them is not read as anything.
        ast::Expr::Lambda(lambda) if arguments > 0 => {
            let ast::Param::IdentParam(_) = lambda.param()? else {
                return None;
            };
            defined(name, &lambda.body()?, arguments - 1, depth + 1)
        }
        ast::Expr::Lambda(lambda) => {
            let ast::Param::IdentParam(param) = lambda.param()? else {
                return None;
            };
            let function = param.ident().as_ref().and_then(ident_text)?;
            let body = lambda.body()?;
            if let Some(found) =
                super::fold::fold_helper(name, &function, param.syntax().text_range(), &body, depth)
            {
                return Some(found);
            }
            let ast::Expr::Apply(outer) = through_let(body) else {
                return None;
            };
            // `f: genAttrs systems f` is `genAttrs systems` written out.
            if is_ident(&outer.argument()?, &function) {
                return match helper(&outer.lambda()?, depth + 1) {
                    Helper::Unrelated => None,
                    found => Some(found),
                };
            }
            let (system, call) = match list_to_attrs(&outer, &function) {
                Some(found) => found,
                None => {
                    let Helper::Known {
                        transposes: false,
                        received: Received::System,
                    } = helper(&outer.lambda()?, depth + 1)
                    else {
                        return None;
                    };
                    per_system_body(&outer.argument()?, &function)?
                }
            };
            let received = classify(&call, &system, depth + 1);
            if received == Received::Other {
                return Some(Helper::Undecidable {
                    name: name.to_string(),
                    range: value.syntax().text_range(),
                });
            }
            Some(Helper::Known {
                transposes: false,
                received,
            })
        }
        ast::Expr::Apply(_) | ast::Expr::Select(_) | ast::Expr::Ident(_) => {
            match helper_applied(value, arguments, depth + 1) {
                Helper::Unrelated => None,
                found => Some(found),
            }
        }
        _ => None,
    }
}

fn is_ident(expr: &ast::Expr, name: &str) -> bool {
    matches!(strip_parens(expr.clone()), ast::Expr::Ident(ident) if ident_text(&ident).as_deref() == Some(name))
}

/// The function given to a system helper inside a helper taking
/// `function`: `system: function ARG` (through `let`s), or `g function`
/// with `g = function': system: function' ARG` bound by `let`. The name of
/// the system and `ARG`.
fn per_system_body(argument: &ast::Expr, function: &str) -> Option<(String, ast::Expr)> {
    let (inner, function) = match lambda_of(argument) {
        Some(inner) => (inner, function.to_string()),
        None => {
            let ast::Expr::Apply(partial) = strip_parens(argument.clone()) else {
                return None;
            };
            if !is_ident(&partial.argument()?, function) {
                return None;
            }
            let outer = lambda_of(&partial.lambda()?)?;
            let ast::Param::IdentParam(param) = outer.param()? else {
                return None;
            };
            let renamed = param.ident().as_ref().and_then(ident_text)?;
            let ast::Expr::Lambda(inner) = strip_parens(outer.body()?) else {
                return None;
            };
            (inner, renamed)
        }
    };
    let ast::Param::IdentParam(system) = inner.param()? else {
        return None;
    };
    let system = system.ident().as_ref().and_then(ident_text)?;
    if system == function {
        return None;
    }
    let ast::Expr::Apply(call) = through_let(inner.body()?) else {
        return None;
    };
    if !is_ident(&call.lambda()?, &function) {
        return None;
    }
    Some((system, call.argument()?))
}

/// `builtins.NAME`, `lib.NAME` (nixpkgs' re-export), or a global builtin
/// `NAME` that nothing shadows.
pub(super) fn is_builtin(expr: &ast::Expr, name: &str) -> bool {
    match strip_parens(expr.clone()) {
        ast::Expr::Select(select) => {
            let Some(path) = select.attrpath() else {
                return false;
            };
            let attrs: Vec<Option<String>> = path.attrs().map(|a| attr_name(&a)).collect();
            let [Some(last)] = attrs.as_slice() else {
                return false;
            };
            let base = match select.expr().map(strip_parens) {
                Some(ast::Expr::Ident(base)) => ident_text(&base),
                Some(ast::Expr::Select(base)) => last_attr(&base),
                _ => None,
            };
            last == name
                && select.default_expr().is_none()
                && matches!(base.as_deref(), Some("builtins" | "lib"))
        }
        ast::Expr::Ident(ident) => {
            name == "map"
                && ident_text(&ident).as_deref() == Some(name)
                && matches!(definition(ident.syntax(), name), Some(Definition::Unbound))
        }
        _ => false,
    }
}

/// `listToAttrs (map (system: { name = system; value = function ARG; }) systems)`,
/// which is `genAttrs systems (system: function ARG)`: the system's name and `ARG`.
fn list_to_attrs(outer: &ast::Apply, function: &str) -> Option<(String, ast::Expr)> {
    if !is_builtin(&outer.lambda()?, "listToAttrs") {
        return None;
    }
    let ast::Expr::Apply(mapped) = strip_parens(outer.argument()?) else {
        return None;
    };
    let ast::Expr::Apply(map) = strip_parens(mapped.lambda()?) else {
        return None;
    };
    if !is_builtin(&map.lambda()?, "map") {
        return None;
    }
    let ast::Expr::Lambda(inner) = strip_parens(map.argument()?) else {
        return None;
    };
    let ast::Param::IdentParam(system) = inner.param()? else {
        return None;
    };
    let system = system.ident().as_ref().and_then(ident_text)?;
    let ast::Expr::AttrSet(pair) = strip_parens(inner.body()?) else {
        return None;
    };
    if pair.rec_token().is_some() || pair.inherits().next().is_some() {
        return None;
    }
    let (mut name, mut value) = (None, None);
    for binding in pair.attrpath_values() {
        let names: Vec<Option<String>> =
            binding.attrpath()?.attrs().map(|a| attr_name(&a)).collect();
        match names.as_slice() {
            [Some(n)] if n == "name" && name.is_none() => name = binding.value(),
            [Some(n)] if n == "value" && value.is_none() => value = binding.value(),
            _ => return None,
        }
    }
    if !is_ident(&name?, &system) || system == function {
        return None;
    }
    let ast::Expr::Apply(call) = strip_parens(value?) else {
        return None;
    };
    if !is_ident(&call.lambda()?, function) {
        return None;
    }
    Some((system, call.argument()?))
}

fn through_let(expr: ast::Expr) -> ast::Expr {
    let mut expr = strip_parens(expr);
    while let ast::Expr::LetIn(let_in) = &expr {
        match let_in.body() {
            Some(body) => expr = strip_parens(body),
            None => break,
        }
    }
    expr
}

/// How code inside a per-system function names its system and package
/// set, given what the function receives.
#[derive(Debug, Clone)]
pub(crate) struct Arguments {
    pub system: SystemName,
    pub package_set: Option<String>,
    pub system_formals: Vec<(ast::Pattern, String)>,
    pub package_set_formals: Vec<(ast::Pattern, String)>,
    /// The parameter a new per-system function of the same helper takes.
    pub parameter: String,
    /// The names that parameter binds.
    pub bound: Vec<String>,
}

/// [`Arguments`] of a per-system function; an error when what it receives
/// does not match its parameter.
pub(crate) fn arguments(
    function: &ast::Lambda,
    received: &Received,
) -> Result<Arguments, FlakeError> {
    let range = function.syntax().text_range();
    let mismatch = || {
        FlakeError::new(
            ErrorKind::Unsupported,
            "the per-system function's parameter does not match what its helper passes, so flakeedit cannot tell where per-system packages go",
        )
        .at(range)
        .hint("add the package by hand")
    };
    let exact_system =
        |pkgs: &str| SystemName::Expression(format!("{pkgs}.stdenv.hostPlatform.system"));
    let unknown_system = || {
        SystemName::Unknown(
            "the per-system function receives a package set whose system flakeedit cannot confirm"
                .to_string(),
        )
    };
    match function.param() {
        Some(ast::Param::IdentParam(param)) => {
            let name = param
                .ident()
                .as_ref()
                .and_then(ident_text)
                .ok_or_else(mismatch)?;
            let mut arguments = Arguments {
                system: unknown_system(),
                package_set: None,
                system_formals: Vec::new(),
                package_set_formals: Vec::new(),
                parameter: name.clone(),
                bound: vec![name.clone()],
            };
            match received {
                Received::System => arguments.system = SystemName::Variable(name),
                Received::PackageSet { exact } => {
                    if *exact {
                        arguments.system = exact_system(&name);
                    }
                    arguments.package_set = Some(name);
                }
                Received::Attrs(entries) => {
                    let system = entries.iter().find(|(_, r)| *r == Received::System);
                    let pkgs = entries
                        .iter()
                        .find(|(_, r)| matches!(r, Received::PackageSet { .. }));
                    if let Some((pkgs_name, received)) = pkgs {
                        let pkgs =
                            format!("{name}.{}", flakeedit_syntax::quote_attr_name(pkgs_name));
                        if *received == (Received::PackageSet { exact: true }) {
                            arguments.system = exact_system(&pkgs);
                        }
                        arguments.package_set = Some(pkgs);
                    }
                    if let Some((system_name, _)) = system {
                        arguments.system = SystemName::Expression(format!(
                            "{name}.{}",
                            flakeedit_syntax::quote_attr_name(system_name)
                        ));
                    }
                }
                Received::Other => return Err(mismatch()),
            }
            Ok(arguments)
        }
        Some(ast::Param::Pattern(pattern)) => {
            let Received::Attrs(entries) = received else {
                return Err(mismatch());
            };
            let formals = formal_names(&pattern);
            let alias = pattern_alias(&pattern);
            let open = pattern.ellipsis_token().is_some();
            // A formal for `name`: present, addable, or through the alias.
            let reach = |name: &str| -> Option<(String, Vec<(ast::Pattern, String)>)> {
                if formals.iter().any(|f| f == name) {
                    Some((name.to_string(), Vec::new()))
                } else if open && flakeedit_syntax::is_plain_identifier(name) {
                    Some((name.to_string(), vec![(pattern.clone(), name.to_string())]))
                } else {
                    alias.as_ref().map(|alias| {
                        (
                            format!("{alias}.{}", flakeedit_syntax::quote_attr_name(name)),
                            Vec::new(),
                        )
                    })
                }
            };
            let mut arguments = Arguments {
                system: unknown_system(),
                package_set: None,
                system_formals: Vec::new(),
                package_set_formals: Vec::new(),
                parameter: String::new(),
                bound: Vec::new(),
            };
            let pkgs = entries
                .iter()
                .find(|(_, r)| matches!(r, Received::PackageSet { .. }));
            if let Some((pkgs_name, received)) = pkgs {
                if let Some((pkgs, formals)) = reach(pkgs_name) {
                    if *received == (Received::PackageSet { exact: true }) {
                        arguments.system = exact_system(&pkgs);
                        arguments.system_formals = formals.clone();
                    }
                    arguments.package_set = Some(pkgs);
                    arguments.package_set_formals = formals;
                }
            }
            if let Some((system_name, _)) = entries.iter().find(|(_, r)| *r == Received::System) {
                if let Some((system, formals)) = reach(system_name) {
                    arguments.system = if flakeedit_syntax::is_plain_identifier(&system) {
                        SystemName::Variable(system)
                    } else {
                        SystemName::Expression(system)
                    };
                    arguments.system_formals = formals;
                }
            }
            // A new function of the same helper names what it uses.
            let mut names: Vec<String> = entries
                .iter()
                .filter(|(_, r)| *r != Received::Other)
                .map(|(n, _)| n.clone())
                .filter(|n| flakeedit_syntax::is_plain_identifier(n))
                .collect();
            names.dedup();
            let rest = entries.len() > names.len();
            arguments.parameter = format!(
                "{{ {}{} }}",
                names.join(", "),
                if rest { ", ..." } else { "" }
            );
            arguments.bound = names;
            Ok(arguments)
        }
        None => Err(mismatch()),
    }
}

/// [`Arguments`] inside a new per-system function written with
/// `parameter` taken from `existing` (a function of the same helper).
pub(crate) fn fresh_arguments(received: &Received, existing: &Arguments) -> Arguments {
    let mut fresh = existing.clone();
    fresh.system_formals.clear();
    fresh.package_set_formals.clear();
    if let Received::Attrs(entries) = received {
        if !existing.parameter.starts_with('{') {
            return fresh;
        }
        let pkgs = entries.iter().find(|(name, r)| {
            matches!(r, Received::PackageSet { .. }) && existing.bound.contains(name)
        });
        fresh.package_set = pkgs.map(|(name, _)| name.clone());
        fresh.system = match pkgs {
            Some((name, Received::PackageSet { exact: true })) => {
                SystemName::Expression(format!("{name}.stdenv.hostPlatform.system"))
            }
            _ => SystemName::Unknown(
                "the per-system function receives no system flakeedit can confirm".to_string(),
            ),
        };
        if let Some((name, _)) = entries
            .iter()
            .find(|(name, r)| *r == Received::System && existing.bound.contains(name))
        {
            fresh.system = SystemName::Variable(name.clone());
        }
    }
    fresh
}
