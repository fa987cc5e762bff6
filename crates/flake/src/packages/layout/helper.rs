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

use super::SystemName;
use crate::error::{ErrorKind, FlakeError};
use crate::packages::context::binding_value;

/// How deep helper definitions are followed (`a = b; b = genAttrs …`).
const MAX_DEPTH: usize = 6;

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
enum Helper {
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
fn lambda_of(expr: &ast::Expr) -> Option<ast::Lambda> {
    match strip_parens(expr.clone()) {
        ast::Expr::Lambda(lambda) => Some(lambda),
        ast::Expr::Ident(ident) => match definition(ident.syntax(), &ident_text(&ident)?)? {
            Definition::Let(ast::Expr::Lambda(lambda)) => Some(lambda),
            _ => None,
        },
        _ => None,
    }
}

fn ident_text(ident: &ast::Ident) -> Option<String> {
    ident.ident_token().map(|token| token.text().to_string())
}

/// How a name is bound where it is used.
enum Definition {
    /// `let name = value;` (or a `rec` attribute).
    Let(ast::Expr),
    /// `inherit (from) name;`: the attribute `name` of `from`.
    Inherited,
    /// A function parameter or formal.
    Argument,
    /// Not bound statically (a `with`, or a builtin).
    Unbound,
}

fn definition(at: &SyntaxNode, name: &str) -> Option<Definition> {
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
fn last_attr(select: &ast::Select) -> Option<String> {
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

fn helper(head: &ast::Expr, depth: usize) -> Helper {
    helper_applied(head, 0, depth)
}

/// A `let`-bound helper `name = value`: an alias or partial application
/// of another helper (`forAllSystems = nixpkgs.lib.genAttrs systems;`, or
/// written out as `f: nixpkgs.lib.genAttrs systems f`), or
/// `f: genAttrs systems (system: f ARG)`. `None` when it is neither.
fn defined(name: &str, value: &ast::Expr, arguments: usize, depth: usize) -> Option<Helper> {
    match strip_parens(value.clone()) {
        ast::Expr::Lambda(lambda) if arguments == 0 => {
            let ast::Param::IdentParam(param) = lambda.param()? else {
                return None;
            };
            let function = param.ident().as_ref().and_then(ident_text)?;
            let body = lambda.body()?;
            let ast::Expr::Apply(outer) = through_let(body) else {
                return None;
            };
            // `f: genAttrs systems f` is `genAttrs systems` written out.
            if matches!(
                strip_parens(outer.argument()?),
                ast::Expr::Ident(ident) if ident_text(&ident).as_deref() == Some(function.as_str())
            ) {
                return match helper(&outer.lambda()?, depth + 1) {
                    Helper::Unrelated => None,
                    found => Some(found),
                };
            }
            let inner = lambda_of(&outer.argument()?)?;
            let Helper::Known {
                transposes: false,
                received: Received::System,
            } = helper(&outer.lambda()?, depth + 1)
            else {
                return None;
            };
            let ast::Param::IdentParam(system) = inner.param()? else {
                return None;
            };
            let system = system.ident().as_ref().and_then(ident_text)?;
            let ast::Expr::Apply(call) = through_let(inner.body()?) else {
                return None;
            };
            let calls_function = matches!(
                strip_parens(call.lambda()?),
                ast::Expr::Ident(ident) if ident_text(&ident).as_deref() == Some(function.as_str())
            );
            if !calls_function {
                return None;
            }
            let received = classify(&call.argument()?, &system, depth + 1);
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

/// What `expr` is, inside a function of the system named `system`.
fn classify(expr: &ast::Expr, system: &str, depth: usize) -> Received {
    if depth > MAX_DEPTH {
        return Received::Other;
    }
    let is_system = |expr: &ast::Expr| matches!(strip_parens(expr.clone()), ast::Expr::Ident(ident) if ident_text(&ident).as_deref() == Some(system));
    match strip_parens(expr.clone()) {
        ast::Expr::Ident(ident) => {
            let Some(name) = ident_text(&ident) else {
                return Received::Other;
            };
            if name == system {
                return Received::System;
            }
            match definition(ident.syntax(), &name) {
                Some(Definition::Let(value)) => classify(&value, system, depth + 1),
                _ => Received::Other,
            }
        }
        // `nixpkgs.legacyPackages.${system}`, `pkgsFor.${system}`
        ast::Expr::Select(select) => {
            let Some(path) = select.attrpath() else {
                return Received::Other;
            };
            let attrs: Vec<ast::Attr> = path.attrs().collect();
            let Some(ast::Attr::Dynamic(last)) = attrs.last() else {
                return Received::Other;
            };
            if !last.expr().is_some_and(|e| is_system(&e)) || select.default_expr().is_some() {
                return Received::Other;
            }
            let before = attrs.len().checked_sub(2).and_then(|i| attrs.get(i));
            if before.and_then(attr_name).as_deref() == Some("legacyPackages") {
                return Received::PackageSet { exact: true };
            }
            // `pkgsFor.${system}` with `pkgsFor = genAttrs systems (system: import nixpkgs { … })`.
            if attrs.len() == 1 {
                if let Some(ast::Expr::Ident(base)) = select.expr().map(strip_parens) {
                    if let Some(Definition::Let(value)) =
                        ident_text(&base).and_then(|name| definition(base.syntax(), &name))
                    {
                        return per_system_value(&value, depth + 1);
                    }
                }
            }
            Received::Other
        }
        ast::Expr::Apply(apply) => {
            let Some(function) = apply.lambda().map(strip_parens) else {
                return Received::Other;
            };
            let Some(argument) = apply.argument() else {
                return Received::Other;
            };
            match &function {
                // `import nixpkgs { inherit system; … }`
                ast::Expr::Apply(inner) if matches!(inner.lambda().map(strip_parens), Some(ast::Expr::Ident(i)) if ident_text(&i).as_deref() == Some("import")) => {
                    match strip_parens(argument) {
                        ast::Expr::AttrSet(arguments) => import_arguments(&arguments, system),
                        _ => Received::Other,
                    }
                }
                // `pkgsFor system` with `pkgsFor = system: import nixpkgs { … }`.
                ast::Expr::Ident(ident) if is_system(&argument) => {
                    match ident_text(ident).and_then(|name| definition(ident.syntax(), &name)) {
                        Some(Definition::Let(ast::Expr::Lambda(lambda))) => match lambda.param() {
                            Some(ast::Param::IdentParam(param)) => {
                                match (param.ident().as_ref().and_then(ident_text), lambda.body()) {
                                    (Some(name), Some(body)) => {
                                        match classify(&body, &name, depth + 1) {
                                            received @ Received::PackageSet { .. } => received,
                                            _ => Received::Other,
                                        }
                                    }
                                    _ => Received::Other,
                                }
                            }
                            _ => Received::Other,
                        },
                        _ => Received::Other,
                    }
                }
                _ => Received::Other,
            }
        }
        ast::Expr::AttrSet(set) => {
            if set.rec_token().is_some() {
                return Received::Other;
            }
            let mut entries = Vec::new();
            for binding in set.attrpath_values() {
                let names: Option<Vec<String>> = binding
                    .attrpath()
                    .map(|path| path.attrs().map(|a| attr_name(&a)).collect())
                    .and_then(|names: Option<Vec<String>>| names);
                let (Some(names), Some(value)) = (names, binding.value()) else {
                    return Received::Other;
                };
                let [name] = names.as_slice() else {
                    entries.push((names.first().cloned().unwrap_or_default(), Received::Other));
                    continue;
                };
                entries.push((name.clone(), classify(&value, system, depth + 1)));
            }
            for inherit in set.inherits() {
                for attr in inherit.attrs() {
                    let Some(name) = attr_name(&attr) else {
                        return Received::Other;
                    };
                    let received = match inherit.from() {
                        None if name == system => Received::System,
                        None => match definition(inherit.syntax(), &name) {
                            Some(Definition::Let(value)) => classify(&value, system, depth + 1),
                            _ => Received::Other,
                        },
                        Some(_) => Received::Other,
                    };
                    entries.push((name, received));
                }
            }
            Received::Attrs(entries)
        }
        ast::Expr::LetIn(let_in) => match let_in.body() {
            Some(body) => classify(&body, system, depth + 1),
            None => Received::Other,
        },
        _ => Received::Other,
    }
}

/// `genAttrs systems (system: PKGS)` or `nixpkgs.legacyPackages`: a set of
/// package sets by system.
fn per_system_value(value: &ast::Expr, depth: usize) -> Received {
    match strip_parens(value.clone()) {
        ast::Expr::Select(select) if last_attr(&select).as_deref() == Some("legacyPackages") => {
            Received::PackageSet { exact: true }
        }
        ast::Expr::Apply(apply) => {
            let Some(lambda) = apply.argument().and_then(|a| lambda_of(&a)) else {
                return Received::Other;
            };
            let Some(head) = apply.lambda() else {
                return Received::Other;
            };
            let Helper::Known {
                transposes: false,
                received: Received::System,
            } = helper(&head, depth + 1)
            else {
                return Received::Other;
            };
            let (Some(ast::Param::IdentParam(param)), Some(body)) = (lambda.param(), lambda.body())
            else {
                return Received::Other;
            };
            match param.ident().as_ref().and_then(ident_text) {
                Some(system) => match classify(&body, &system, depth + 1) {
                    received @ Received::PackageSet { .. } => received,
                    _ => Received::Other,
                },
                None => Received::Other,
            }
        }
        _ => Received::Other,
    }
}

/// The arguments of `import nixpkgs { … }`: a package set for `system`
/// when it says `system = system` (or `localSystem`) and is not a cross
/// set; a package set of some other platform otherwise.
fn import_arguments(arguments: &ast::AttrSet, system: &str) -> Received {
    let mut native = false;
    let mut cross = false;
    let is_system = |value: Option<ast::Expr>| matches!(value.map(strip_parens), Some(ast::Expr::Ident(ident)) if ident_text(&ident).as_deref() == Some(system));
    for binding in arguments.attrpath_values() {
        let names: Vec<String> = binding
            .attrpath()
            .map(|path| path.attrs().filter_map(|a| attr_name(&a)).collect())
            .unwrap_or_default();
        match names
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["system"] | ["localSystem"] | ["localSystem", "system"] => {
                native = is_system(binding.value())
            }
            ["crossSystem", ..] => cross = true,
            _ => {}
        }
    }
    for inherit in arguments.inherits() {
        for attr in inherit.attrs() {
            if inherit.from().is_none() && attr_name(&attr).as_deref() == Some(system) {
                native |= system == "system";
            }
            if attr_name(&attr).as_deref() == Some("crossSystem") {
                cross = true;
            }
        }
    }
    Received::PackageSet {
        exact: native && !cross,
    }
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
