//! Values given on the command line (`--build-input`, `--package`,
//! `--inputs-from`) as the expressions written into the flake.
//!
//! A value is one of: a package of this flake by attribute name, an input's
//! package (`riot`, `riot#name`), a nixpkgs attribute by bare name (dev
//! shells only), or a Nix expression. An expression is parsed first and
//! refused when it is not exactly one expression; its free variables must be
//! in scope where it lands, except `pkgs`, which always means the package
//! set of that place (`pkgs` itself, `nixpkgs.legacyPackages.${system}`, a
//! `pkgsFor system`…) and is rewritten to it. Written into a list, an
//! expression that is not atomic is parenthesised, so
//! `pkgs.python3.withPackages (ps: [ ps.numpy ])` stays one element.

use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{
    attr_name, quote_attr_name, strip_parens, SourceFile, SyntaxKind, SyntaxNode, TextRange,
};
use rowan::ast::AstNode;

use super::context::Context;
use super::layout::{OutputPlace, Target};
use crate::error::{ErrorKind, FlakeError};

/// Names that are always in scope in Nix.
const BUILTIN_NAMES: &[&str] = &["builtins", "true", "false", "null", "import", "toString"];

/// The name a user writes for "the package set here".
const PACKAGE_SET: &str = "pkgs";

/// What to do with a bare name that is neither a package of the flake nor
/// one of its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unknown {
    /// It is an error ("no package named …").
    Error,
    /// It is an attribute of nixpkgs (`pkgs.<name>`).
    Nixpkgs,
}

/// True for specs written as a bare name (`random`, `riot`, `ocaml-lsp`).
pub(super) fn is_bare_name(spec: &str) -> bool {
    !spec.is_empty()
        && spec
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '+'))
}

/// The build inputs of package `attr` as list elements valid at `place`,
/// without duplicates; a package cannot be a build input of itself.
pub(super) fn resolve_build_inputs(
    context: &mut Context<'_>,
    target: &Target,
    place: &OutputPlace,
    attr: &str,
    specs: &[String],
) -> Result<Vec<String>, FlakeError> {
    let mut inputs: Vec<String> = Vec::new();
    for spec in specs {
        if spec.trim() == attr {
            return Err(FlakeError::new(
                ErrorKind::InvalidArgument,
                format!("package `{attr}` cannot be a build input of itself"),
            ));
        }
        let reference = resolve_reference(context, target, place, spec, Unknown::Error)?;
        if !inputs.contains(&reference) {
            inputs.push(reference);
        }
    }
    Ok(inputs)
}

/// Turns a user's package spec into a list element valid at `place`: a
/// package of this flake by attribute name, `INPUT` or `INPUT#PACKAGE` for
/// an input's package, or a Nix expression whose variables are in scope
/// (`ocamlPackages.ounit2`, `pkgs.hello`), parenthesised when it is not
/// atomic.
pub(super) fn resolve_reference(
    context: &mut Context<'_>,
    target: &Target,
    place: &OutputPlace,
    spec: &str,
    unknown: Unknown,
) -> Result<String, FlakeError> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            "an empty package name",
        ));
    }
    if is_bare_name(spec) && target.packages.names().iter().any(|name| name == spec) {
        return context.self_package(target, place, spec);
    }
    let (input, package) = match spec.split_once('#') {
        Some((input, package)) => (input, package),
        None => (spec, "default"),
    };
    if is_bare_name(input) && context.flake.input(input).is_some() {
        if package.is_empty() || package.contains(['\n', '\r']) {
            return Err(FlakeError::new(
                ErrorKind::InvalidArgument,
                format!("`{}` names no package of `{input}`", spec.escape_debug()),
            ));
        }
        return context.input_package(target, place, input, package);
    }
    if spec.contains('#') && is_bare_name(input) {
        return Err(FlakeError::new(
            ErrorKind::NotApplicable,
            format!("no input named `{input}`"),
        )
        .hint(known_names(context, target)));
    }
    if is_bare_name(spec) {
        // The name may be one of the flake's packages, written where
        // flakeedit cannot read them: neither nixpkgs' nor an error.
        if let Some(unreadable) = &target.packages.unreadable {
            let mut error = FlakeError::new(
                ErrorKind::Unsupported,
                format!(
                    "`{spec}` may be a package of this flake, whose `packages` flakeedit cannot read"
                ),
            )
            .hint(format!(
                "write `pkgs.{spec}` for the nixpkgs package, or the flake's own package as an expression (`self.packages.<system>.{spec}`)"
            ));
            error.range = unreadable.range;
            return Err(error);
        }
        return match unknown {
            Unknown::Nixpkgs => {
                let pkgs = selectable(&context.pkgs(target, place)?);
                Ok(format!("{pkgs}.{}", quote_attr_name(spec)))
            }
            Unknown::Error => Err(FlakeError::new(
                ErrorKind::NotApplicable,
                format!("no package or input named `{spec}` in this flake"),
            )
            .at(place.set.syntax().text_range())
            .hint(known_names(context, target))),
        };
    }
    let parsed = parse_expression(spec)?;
    let uses = free_variables(parsed.syntax());
    let maps_package_set = uses.iter().any(|(name, _)| name == PACKAGE_SET);
    check_in_scope(context, place, spec, &uses)?;
    let text = if maps_package_set {
        let package_set = context.pkgs(target, place)?;
        if package_set == PACKAGE_SET {
            spec.to_string()
        } else {
            let ranges: Vec<TextRange> = uses
                .iter()
                .filter(|(name, _)| name == PACKAGE_SET)
                .map(|(_, range)| *range)
                .collect();
            replace_ranges(spec, &ranges, &selectable(&package_set))
        }
    } else {
        spec.to_string()
    };
    Ok(list_element(&text))
}

fn known_names(context: &Context<'_>, target: &Target) -> String {
    let packages = target.packages.names();
    let inputs: Vec<&str> = context
        .flake
        .inputs
        .iter()
        .map(|input| input.name.as_str())
        .collect();
    format!(
        "packages: {}; inputs: {}; or give a Nix expression such as `pkgs.hello`",
        if packages.is_empty() {
            "none".to_string()
        } else {
            packages.join(", ")
        },
        if inputs.is_empty() {
            "none".to_string()
        } else {
            inputs.join(", ")
        }
    )
}

/// Parses a user expression; refuses anything but exactly one expression,
/// saying where it stops being one.
fn parse_expression(spec: &str) -> Result<SourceFile, FlakeError> {
    let parsed = SourceFile::parse(spec);
    if let Some(error) = parsed.errors().first() {
        let at = usize::from(error.range.start());
        let rest = spec.get(at..).unwrap_or_default();
        let place = if rest.is_empty() {
            "at its end".to_string()
        } else {
            format!("at `{}`", rest.chars().take(20).collect::<String>())
        };
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            format!(
                "`{}` is not a Nix expression: {} {place}",
                spec.escape_debug(),
                error.message
            ),
        )
        .hint(
            "give a package of this flake by name, an input (`riot` or `riot#pkg`), or one Nix \
             expression quoted as one argument, e.g. 'pkgs.python3.withPackages (ps: [ ps.numpy ])'",
        ));
    }
    if parsed.root().expr().is_none() {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            format!("`{}` is not a Nix expression", spec.escape_debug()),
        ));
    }
    Ok(parsed)
}

/// Refuses an expression whose free variables (other than `pkgs`, which is
/// mapped to the place's package set) are not in scope at `place`.
fn check_in_scope(
    context: &Context<'_>,
    place: &OutputPlace,
    spec: &str,
    uses: &[(String, TextRange)],
) -> Result<(), FlakeError> {
    let scope = context.scope(place);
    for (name, _) in uses {
        if name == PACKAGE_SET || scope.contains(name) || BUILTIN_NAMES.contains(&name.as_str()) {
            continue;
        }
        return Err(FlakeError::new(
            ErrorKind::NotApplicable,
            format!("`{name}` (in `{spec}`) is not in scope where the package is written"),
        )
        .at(place.set.syntax().text_range())
        .hint(format!(
            "in scope there: {}; `pkgs` always means the package set there",
            scope.names.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(())
}

/// `text` with every range replaced by `replacement`.
fn replace_ranges(text: &str, ranges: &[TextRange], replacement: &str) -> String {
    let mut ranges = ranges.to_vec();
    ranges.sort_by_key(|range| std::cmp::Reverse(range.start()));
    let mut text = text.to_string();
    for range in ranges {
        text.replace_range(
            usize::from(range.start())..usize::from(range.end()),
            replacement,
        );
    }
    text
}

/// An expression that can be followed by `.attr`: a name or a selection as
/// it is, anything else in parentheses (`(pkgsFor system)`).
pub(super) fn selectable(expression: &str) -> String {
    match SourceFile::parse(expression).root().expr() {
        Some(ast::Expr::Ident(_) | ast::Expr::Select(_) | ast::Expr::Paren(_)) => {
            expression.to_string()
        }
        _ => format!("({expression})"),
    }
}

/// True for expressions that are one element of a list as they are.
fn is_atomic(expr: &ast::Expr) -> bool {
    matches!(
        expr,
        ast::Expr::Ident(_)
            | ast::Expr::Select(_)
            | ast::Expr::Str(_)
            | ast::Expr::PathAbs(_)
            | ast::Expr::PathRel(_)
            | ast::Expr::PathHome(_)
            | ast::Expr::PathSearch(_)
            | ast::Expr::List(_)
            | ast::Expr::AttrSet(_)
            | ast::Expr::Paren(_)
            | ast::Expr::CurPos(_)
    ) || matches!(expr, ast::Expr::Literal(_))
}

/// An expression as one list element: parenthesised unless atomic
/// (`pkgs.hello` stays, `f x` becomes `(f x)`).
pub(super) fn list_element(expression: &str) -> String {
    let parsed = SourceFile::parse(expression);
    match parsed.root().expr() {
        Some(expr) if parsed.is_valid() && is_atomic(&expr) => expression.to_string(),
        _ => format!("({expression})"),
    }
}

/// The variables an expression reads from its surroundings, with their
/// ranges: identifiers used as variables and not bound inside it by a
/// lambda, `let` or `rec` set that encloses them. Names under a `with`
/// body that are bound by nothing lexical may come from the `with`: they
/// are not reported (the `with`'s own namespace expression is).
pub(super) fn free_variables(root: &SyntaxNode) -> Vec<(String, TextRange)> {
    let mut names = Vec::new();
    for node in root.descendants() {
        if node.kind() != SyntaxKind::NODE_IDENT || !is_variable(&node) {
            continue;
        }
        let name = node.text().to_string();
        if bound_around(&node, &name) {
            continue;
        }
        names.push((name, node.text_range()));
    }
    names
}

/// Whether an identifier node reads a variable (not an attribute name, a
/// formal, or the attribute of `inherit (x) y`).
fn is_variable(node: &SyntaxNode) -> bool {
    let Some(parent) = node.parent() else {
        return true;
    };
    match parent.kind() {
        SyntaxKind::NODE_PAT_ENTRY | SyntaxKind::NODE_IDENT_PARAM | SyntaxKind::NODE_PAT_BIND => {
            false
        }
        SyntaxKind::NODE_ATTRPATH => false,
        // `inherit y;` reads `y`; `inherit (x) y;` names an attribute of `x`.
        SyntaxKind::NODE_INHERIT => ast::Inherit::cast(parent).is_some_and(|i| i.from().is_none()),
        _ => true,
    }
}

/// Whether `name` is bound (lexically, or possibly by a `with`) between
/// `node` and the root of the expression.
fn bound_around(node: &SyntaxNode, name: &str) -> bool {
    let within = |outer: &SyntaxNode| {
        let range = outer.text_range();
        range.contains_range(node.text_range())
    };
    for ancestor in node.ancestors().skip(1) {
        if let Some(lambda) = ast::Lambda::cast(ancestor.clone()) {
            let binds = match lambda.param() {
                Some(ast::Param::IdentParam(param)) => {
                    param.ident().is_some_and(|i| i.syntax().text() == name)
                }
                Some(ast::Param::Pattern(pattern)) => {
                    pattern
                        .pat_entries()
                        .any(|entry| entry.ident().is_some_and(|i| i.syntax().text() == name))
                        || pattern
                            .pat_bind()
                            .and_then(|bind| bind.ident())
                            .is_some_and(|i| i.syntax().text() == name)
                }
                None => false,
            };
            if binds {
                return true;
            }
        } else if let Some(let_in) = ast::LetIn::cast(ancestor.clone()) {
            if binds_entry(&let_in, name) {
                return true;
            }
        } else if let Some(set) = ast::AttrSet::cast(ancestor.clone()) {
            if set.rec_token().is_some() && binds_entry(&set, name) {
                return true;
            }
        } else if let Some(with) = ast::With::cast(ancestor.clone()) {
            if with.body().is_some_and(|body| within(body.syntax())) {
                return true;
            }
        }
    }
    false
}

fn binds_entry(container: &impl HasEntry, name: &str) -> bool {
    container.entries().any(|entry| match entry {
        ast::Entry::AttrpathValue(binding) => binding
            .attrpath()
            .and_then(|path| path.attrs().next())
            .and_then(|attr| attr_name(&attr))
            .is_some_and(|first| first == name),
        ast::Entry::Inherit(inherit) => inherit
            .attrs()
            .any(|attr| attr_name(&attr).as_deref() == Some(name)),
    })
}

/// The expression as `ns.a.b` → (`ns`, `a.b`) when it is a plain selection
/// of static names from a variable, without an `or` default.
pub(super) fn split_selection(expression: &str) -> Option<(String, Vec<String>)> {
    let parsed = SourceFile::parse(expression);
    if !parsed.is_valid() {
        return None;
    }
    let ast::Expr::Select(select) = strip_parens(parsed.root().expr()?) else {
        return None;
    };
    if select.default_expr().is_some() {
        return None;
    }
    let ast::Expr::Ident(base) = select.expr()? else {
        return None;
    };
    let names: Option<Vec<String>> = select.attrpath()?.attrs().map(|a| attr_name(&a)).collect();
    Some((base.syntax().text().to_string(), names?))
}

/// The file's own name for the package set of `system` at a place, when
/// a `let` in scope binds one: `p = nixpkgs.legacyPackages.${system};`,
/// `pkgs' = import nixpkgs { inherit system; };` (used as is),
/// `pkgsFor = system: …` (applied: `pkgsFor system`) or
/// `nixpkgsFor = forAllSystems (system: import nixpkgs { … })` (selected:
/// `nixpkgsFor.${system}`). `system` is the selector of the target's
/// system (`system` for a variable, `"x86_64-linux"` for a literal).
pub(super) fn package_set_alias(
    root: &SyntaxNode,
    scope: &flakeedit_syntax::Scope,
    system: &super::layout::SystemName,
) -> Option<String> {
    use super::layout::SystemName;
    let (argument, selector) = match system {
        SystemName::Variable(name) => (name.clone(), format!("${{{name}}}")),
        SystemName::Literal(name) => (
            flakeedit_syntax::string_literal(name),
            quote_attr_name(name),
        ),
        // flake-parts has `pkgs`; a system named by an expression comes
        // with the package set the per-system function receives.
        SystemName::Implicit | SystemName::Expression(_) | SystemName::Unknown(_) => return None,
    };
    let alias = |name: &String, binder: &flakeedit_syntax::Binder| {
        if binder.kind != flakeedit_syntax::BinderKind::Let {
            return None;
        }
        let value = super::context::binding_value(root, binder.range)?;
        if let SystemName::Variable(variable) = system {
            if is_package_set_of(&value, variable) {
                return Some(name.clone());
            }
        }
        match &value {
            ast::Expr::Lambda(lambda) if lambda_of_package_set(lambda) => {
                Some(format!("{name} {argument}"))
            }
            ast::Expr::Apply(apply) => {
                let ast::Expr::Lambda(lambda) = apply.argument().map(strip_parens)? else {
                    return None;
                };
                let generates = matches!(
                    apply
                        .lambda()
                        .and_then(|f| function_last_name(&f))
                        .as_deref(),
                    Some("genAttrs" | "forAllSystems" | "forEachSystem" | "eachSystem")
                ) || apply
                    .lambda()
                    .is_some_and(|f| f.syntax().text().to_string().contains("genAttrs"));
                (generates && lambda_of_package_set(&lambda)).then(|| format!("{name}.{selector}"))
            }
            _ => None,
        }
    };
    // Several package sets (`pkgsFor`, `pkgsDebugFor`): the one the file
    // uses most is its usual one; on a tie, the first bound.
    scope
        .names
        .iter()
        .filter_map(|(name, binder)| Some((alias(name, binder)?, name, binder.range.start())))
        .max_by_key(|(_, name, start)| (uses(root, name), std::cmp::Reverse(*start)))
        .map(|(alias, _, _)| alias)
}

/// How many times `name` is read in the file (as a plain identifier).
fn uses(root: &SyntaxNode, name: &str) -> usize {
    root.descendants()
        .filter_map(ast::Ident::cast)
        .filter(|ident| ident.syntax().text() == name)
        .count()
}

/// `system: <the package set of system>`.
fn lambda_of_package_set(lambda: &ast::Lambda) -> bool {
    let Some(ast::Param::IdentParam(param)) = lambda.param() else {
        return false;
    };
    let Some(parameter) = param.ident().map(|i| i.syntax().text().to_string()) else {
        return false;
    };
    lambda
        .body()
        .is_some_and(|body| is_package_set_of(&body, &parameter))
}

/// The last name of a function expression (`genAttrs` for `lib.genAttrs`,
/// `forAllSystems` for `forAllSystems` or `(forAllSystems)`), looking
/// through partial application.
fn function_last_name(expr: &ast::Expr) -> Option<String> {
    match strip_parens(expr.clone()) {
        ast::Expr::Ident(ident) => Some(ident.syntax().text().to_string()),
        ast::Expr::Select(select) => select
            .attrpath()?
            .attrs()
            .last()
            .and_then(|a| attr_name(&a)),
        ast::Expr::Apply(apply) => function_last_name(&apply.lambda()?),
        _ => None,
    }
}

/// Whether `expr` is nixpkgs' package set for the system variable
/// `system`: `<nixpkgs>.legacyPackages.${system}` or `import <nixpkgs> {
/// inherit system; … }` (`system = system;`, `localSystem = …` too), where
/// `<nixpkgs>` is a name or selection ending in a `nixpkgs`-like name.
fn is_package_set_of(expr: &ast::Expr, system: &str) -> bool {
    let compact = |node: &SyntaxNode| -> String {
        node.descendants_with_tokens()
            .filter_map(|element| element.into_token())
            .filter(|token| !flakeedit_syntax::is_trivia(token.kind()))
            .map(|token| token.text().to_string())
            .collect()
    };
    let expr = strip_parens(expr.clone());
    let text = compact(expr.syntax());
    let base_is_nixpkgs = |base: &str| {
        base.rsplit('.')
            .next()
            .is_some_and(|last| last.starts_with("nixpkgs"))
    };
    if let Some(base) = text
        .strip_suffix(&format!(".legacyPackages.${{{system}}}"))
        .or_else(|| text.strip_suffix(&format!(".legacyPackages.\"${{{system}}}\"")))
    {
        return base_is_nixpkgs(base);
    }
    let ast::Expr::Apply(outer) = &expr else {
        return false;
    };
    let (Some(function), Some(argument)) = (outer.lambda(), outer.argument()) else {
        return false;
    };
    let ast::Expr::Apply(import) = strip_parens(function) else {
        return false;
    };
    let is_import = import
        .lambda()
        .is_some_and(|f| compact(f.syntax()) == "import");
    let imports_nixpkgs = import
        .argument()
        .is_some_and(|a| base_is_nixpkgs(&compact(a.syntax())));
    let ast::Expr::AttrSet(arguments) = strip_parens(argument) else {
        return false;
    };
    let passes_system = arguments.entries().any(|entry| match entry {
        ast::Entry::Inherit(inherit) => {
            inherit.from().is_none()
                && inherit
                    .attrs()
                    .any(|attr| attr_name(&attr).as_deref() == Some(system))
                && system == "system"
        }
        ast::Entry::AttrpathValue(binding) => {
            let key = binding
                .attrpath()
                .map(|path| compact(path.syntax()))
                .unwrap_or_default();
            let value = binding
                .value()
                .map(|v| compact(v.syntax()))
                .unwrap_or_default();
            matches!(
                key.as_str(),
                "system" | "localSystem" | "localSystem.system"
            ) && (value == system || value == format!("{{system={system};}}"))
        }
    });
    is_import && imports_nixpkgs && passes_system
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free(expression: &str) -> Vec<String> {
        free_variables(SourceFile::parse(expression).syntax())
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    #[test]
    fn free_variables_respect_lexical_scope_and_with() {
        assert_eq!(
            free("pkgs.python3.withPackages (ps: [ ps.numpy ])"),
            ["pkgs"]
        );
        assert_eq!(free("let x = pkgs; in x.hello"), ["pkgs"]);
        assert_eq!(free("with pkgs; [ hello pkgs.jq ]"), ["pkgs"]);
        assert_eq!(free("rec { a = b; b = c; }"), ["c"]);
        assert_eq!(free("{ inherit (lib) a; inherit b; }"), ["lib", "b"]);
        assert_eq!(free("({ pkgs, ... }: pkgs.hello) args"), ["args"]);
    }

    #[test]
    fn list_elements_are_parenthesised_unless_atomic() {
        for (expression, element) in [
            ("pkgs.hello", "pkgs.hello"),
            ("pkgs.hello or null", "pkgs.hello or null"),
            ("./tools", "./tools"),
            ("(f x)", "(f x)"),
            (
                "pkgs.python3.withPackages (ps: [ ps.numpy ])",
                "(pkgs.python3.withPackages (ps: [ ps.numpy ]))",
            ),
            ("a // b", "(a // b)"),
            ("if c then a else b", "(if c then a else b)"),
            ("-1", "(-1)"),
        ] {
            assert_eq!(list_element(expression), element, "{expression}");
        }
    }

    #[test]
    fn invalid_expressions_are_refused_with_where() {
        for spec in ["pkgs.hello;", "(pkgs.hello", "pkgs.hello )", "a = b"] {
            let error = parse_expression(spec)
                .err()
                .unwrap_or_else(|| panic!("{spec}"));
            assert_eq!(error.kind, ErrorKind::InvalidArgument);
            assert!(error.message.contains("is not a Nix expression"), "{spec}");
            assert!(error.hint.is_some());
        }
    }

    fn alias(text: &str, system: &str) -> Option<String> {
        let file = SourceFile::parse(text);
        let offset = text.find("HERE").map(|i| i as u32).unwrap_or_default();
        let scope = flakeedit_syntax::scope_at(file.syntax(), offset.into());
        package_set_alias(
            file.syntax(),
            &scope,
            &super::super::layout::SystemName::Variable(system.into()),
        )
    }

    #[test]
    fn package_set_aliases_of_the_file_are_found() {
        for (text, found) in [
            ("let p = nixpkgs.legacyPackages.${s}; in HERE", Some("p")),
            ("let p = import nixpkgs { inherit system; }; in HERE", None),
            ("let pkgsFor = system: nixpkgs.legacyPackages.${system}; in HERE", Some("pkgsFor s")),
            (
                "let nixpkgsFor = forAllSystems (system: import inputs.nixpkgs { inherit system; }); in HERE",
                Some("nixpkgsFor.${s}"),
            ),
            ("let p = other.legacyPackages.${s}; in HERE", None),
            ("let p = nixpkgs.legacyPackages.${t}; in HERE", None),
        ] {
            assert_eq!(alias(text, "s").as_deref(), found, "{text}");
        }
        assert_eq!(
            alias(
                "let p = import nixpkgs { inherit system; }; in HERE",
                "system"
            )
            .as_deref(),
            Some("p")
        );
    }

    #[test]
    fn package_set_replacement_is_selectable() {
        assert_eq!(selectable("pkgs"), "pkgs");
        assert_eq!(
            selectable("nixpkgs.legacyPackages.${system}"),
            "nixpkgs.legacyPackages.${system}"
        );
        assert_eq!(selectable("pkgsFor system"), "(pkgsFor system)");
    }
}
