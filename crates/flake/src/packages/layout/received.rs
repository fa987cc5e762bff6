//! What a per-system helper passes to its function, read from the
//! expression it applies the function to: the system itself, a package set
//! of that system, or an attribute set of those. Names are resolved
//! lexically; anything not read as one of these is `Other`, and a helper
//! passing `Other` is refused rather than guessed.

use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{attr_name, strip_parens};
use rowan::ast::AstNode;

use super::helper::{
    definition, helper, ident_text, lambda_of, last_attr, Definition, Helper, Received, MAX_DEPTH,
};

/// What `expr` is, inside a function of the system named `system`.
pub(super) fn classify(expr: &ast::Expr, system: &str, depth: usize) -> Received {
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
            if select.default_expr().is_some() {
                return Received::Other;
            }
            let attrs: Vec<ast::Attr> = path.attrs().collect();
            selected(&select, &attrs, system, depth)
        }
        ast::Expr::Apply(apply) => {
            // `nixpkgs.legacyPackages.${system}.appendOverlays [ … ]`,
            // `pkgs.extend overlay`: the same platform's package set with
            // more packages.
            if let Some(ast::Expr::Select(select)) = apply.lambda().map(strip_parens) {
                let attrs: Vec<ast::Attr> = select
                    .attrpath()
                    .map(|p| p.attrs().collect())
                    .unwrap_or_default();
                if let Some((last, before)) = attrs.split_last() {
                    if matches!(
                        attr_name(last).as_deref(),
                        Some("appendOverlays" | "extend")
                    ) && select.default_expr().is_none()
                    {
                        let base = if before.is_empty() {
                            select
                                .expr()
                                .map_or(Received::Other, |base| classify(&base, system, depth + 1))
                        } else {
                            selected(&select, before, system, depth)
                        };
                        return match base {
                            received @ Received::PackageSet { .. } => received,
                            _ => Received::Other,
                        };
                    }
                }
            }
            let Some(function) = apply.lambda().map(strip_parens) else {
                return Received::Other;
            };
            let Some(argument) = apply.argument() else {
                return Received::Other;
            };
            match &function {
                // `import nixpkgs { inherit system; … }`
                ast::Expr::Apply(inner)
                    if matches!(inner.lambda().map(strip_parens), Some(ast::Expr::Ident(i)) if ident_text(&i).as_deref() == Some("import"))
                        && inner
                            .argument()
                            .is_some_and(|source| names_nixpkgs(&source)) =>
                {
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
            // In a `rec` set the values see its attributes: read only when
            // none of them rebinds the system's name (`inherit system;`
            // binds the same value).
            if set.rec_token().is_some() && rebinds(&set, system) {
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

/// `select`'s base followed by `attrs` (its attributes, or the first of
/// them): `nixpkgs.legacyPackages.${system}`, `pkgsFor.${system}`.
fn selected(select: &ast::Select, attrs: &[ast::Attr], system: &str, depth: usize) -> Received {
    let is_system = |expr: &ast::Expr| matches!(strip_parens(expr.clone()), ast::Expr::Ident(ident) if ident_text(&ident).as_deref() == Some(system));
    let Some(ast::Attr::Dynamic(last)) = attrs.last() else {
        return Received::Other;
    };
    if !last.expr().is_some_and(|e| is_system(&e)) {
        return Received::Other;
    }
    let before = attrs.len().checked_sub(2).and_then(|i| attrs.get(i));
    if before.and_then(attr_name).as_deref() == Some("legacyPackages") {
        // Another flake's `legacyPackages` is its own set, not nixpkgs'.
        let source = match attrs.len().checked_sub(3).and_then(|i| attrs.get(i)) {
            Some(attr) => attr_name(attr).is_some_and(|name| name.starts_with("nixpkgs")),
            None => select.expr().is_some_and(|base| names_nixpkgs(&base)),
        };
        return if source {
            Received::PackageSet { exact: true }
        } else {
            Received::Other
        };
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

/// Whether `expr` names nixpkgs: a name or selection whose last name
/// starts with `nixpkgs` (`nixpkgs`, `inputs.nixpkgs-unstable`).
fn names_nixpkgs(expr: &ast::Expr) -> bool {
    let last = match strip_parens(expr.clone()) {
        ast::Expr::Ident(ident) => ident_text(&ident),
        ast::Expr::Select(select) if select.default_expr().is_none() => last_attr(&select),
        _ => None,
    };
    last.is_some_and(|name| name.starts_with("nixpkgs"))
}

/// `<nixpkgs>.legacyPackages`: whether the name before the last attribute
/// of `select` names nixpkgs.
fn names_nixpkgs_before_last(select: &ast::Select) -> bool {
    let attrs: Vec<ast::Attr> = select
        .attrpath()
        .map(|p| p.attrs().collect())
        .unwrap_or_default();
    match attrs.len().checked_sub(2).and_then(|i| attrs.get(i)) {
        Some(attr) => attr_name(attr).is_some_and(|name| name.starts_with("nixpkgs")),
        None => select.expr().is_some_and(|base| names_nixpkgs(&base)),
    }
}

/// Whether the `rec` set `set` binds `name` to something other than the
/// enclosing scope's `name`.
fn rebinds(set: &ast::AttrSet, name: &str) -> bool {
    let bound = set.attrpath_values().any(|binding| {
        binding
            .attrpath()
            .and_then(|path| path.attrs().next())
            .is_none_or(|first| attr_name(&first).is_none_or(|first| first == name))
    });
    let inherited_from = set.inherits().any(|inherit| {
        inherit.from().is_some()
            && inherit
                .attrs()
                .any(|attr| attr_name(&attr).is_none_or(|n| n == name))
    });
    bound || inherited_from
}

/// `genAttrs systems (system: PKGS)` or `nixpkgs.legacyPackages`: a set of
/// package sets by system.
fn per_system_value(value: &ast::Expr, depth: usize) -> Received {
    match strip_parens(value.clone()) {
        ast::Expr::Select(select)
            if last_attr(&select).as_deref() == Some("legacyPackages")
                && names_nixpkgs_before_last(&select) =>
        {
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
