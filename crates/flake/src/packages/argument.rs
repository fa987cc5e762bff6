//! The argument set of a builder call (`mkShell { … }`,
//! `buildDunePackage { … }`) and its list attributes, seen through
//! `with pkgs;`: what is already in a list, and how a new element is
//! written there.
//!
//! Under `with pkgs;` a list may name packages bare (`[ git jq ]`). A new
//! element is written bare too when that is certain to mean the same: the
//! innermost `with` around the list is the package set the element selects
//! from, that set is a lexical name, and the element's first name is not
//! bound lexically (lexical bindings and Nix's global builtins win over
//! `with`). Otherwise it keeps its full form (`pkgs.curl`), which means the
//! same under any `with`.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{
    is_global, is_plain_identifier, is_trivia, scope_at, strip_parens, SyntaxNode, TextSize,
};
use rowan::ast::AstNode;

use super::expression::split_selection;
use super::list::{binding_at, call_with_set, normalized, normalized_text};

/// Looks through parentheses and `with …;`.
fn strip_with(expr: ast::Expr) -> ast::Expr {
    let mut expr = strip_parens(expr);
    while let ast::Expr::With(with) = &expr {
        match with.body() {
            Some(body) => expr = strip_parens(body),
            None => break,
        }
    }
    expr
}

/// `f { … }` (under any number of `with …;`): the function's last name and
/// the argument set.
pub(super) fn builder_call(expr: Option<ast::Expr>) -> Option<(String, ast::AttrSet)> {
    call_with_set(Some(strip_with(expr?)))
}

/// The list literal bound to `name` in a set (`name = [ … ];` or
/// `name = with pkgs; [ … ];`), or the one that ends a concatenation
/// (`name = lib.optionals c [ … ] ++ [ … ];`): appending to it appends to
/// the whole list.
pub(super) fn list_value(set: &ast::AttrSet, name: &str) -> Option<ast::List> {
    let mut expr = strip_with(binding_at(set, &[name])?.value()?);
    loop {
        match expr {
            ast::Expr::List(list) => return Some(list),
            ast::Expr::BinOp(binop) if binop.operator() == Some(ast::BinOpKind::Concat) => {
                expr = strip_with(binop.rhs()?);
            }
            _ => return None,
        }
    }
}

fn compact(node: &SyntaxNode) -> String {
    node.descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .filter(|token| !is_trivia(token.kind()))
        .map(|token| token.text().to_string())
        .collect()
}

/// The namespace of the innermost `with` whose body holds `node`, as
/// compact text (`pkgs`), when it is a lexically bound name.
fn innermost_with(node: &SyntaxNode, root: &SyntaxNode) -> Option<String> {
    let with = node.ancestors().filter_map(ast::With::cast).find(|with| {
        with.body()
            .is_some_and(|body| body.syntax().text_range().contains_range(node.text_range()))
    })?;
    let namespace = with.namespace()?;
    let ast::Expr::Ident(ident) = strip_parens(namespace) else {
        return None;
    };
    let name = ident.syntax().text().to_string();
    scope_at(root, with.syntax().text_range().start())
        .contains(&name)
        .then_some(name)
}

/// Whether the bare `name` at `offset` would be looked up in a `with`: no
/// lexical binding and no global name has it.
fn reaches_with(root: &SyntaxNode, offset: TextSize, name: &str) -> bool {
    !is_global(name) && !scope_at(root, offset).contains(name)
}

/// What a list holds, normalized: each element, and for a bare `jq` in a
/// `with pkgs;` list that reaches the `with`, also `pkgs.jq`.
fn present_forms(root: &SyntaxNode, list: &ast::List) -> Vec<String> {
    let namespace = innermost_with(list.syntax(), root);
    let offset = list.syntax().text_range().start() + TextSize::from(1);
    let mut present: Vec<String> = Vec::new();
    for item in list.items() {
        present.push(normalized(item.syntax()));
        if let (Some(namespace), ast::Expr::Ident(ident)) = (&namespace, &item) {
            let name = compact(ident.syntax());
            if reaches_with(root, offset, &name) {
                present.push(normalized_text(&format!("{namespace}.{name}")));
            }
        }
    }
    present
}

/// Whether `list` already holds the expression `item` (in any spelling
/// [`present_forms`] knows).
pub(super) fn has_item(root: &SyntaxNode, list: &ast::List, item: &str) -> bool {
    present_forms(root, list).contains(&normalized_text(item))
}

/// The elements of `items` that `list` does not have yet, each written as
/// it should be there: bare under a `with` of its own package set, when
/// certain (see the module docs).
pub(super) fn missing_items(root: &SyntaxNode, list: &ast::List, items: &[String]) -> Vec<String> {
    let namespace = innermost_with(list.syntax(), root);
    let offset = list.syntax().text_range().start() + TextSize::from(1);
    let mut present = present_forms(root, list);
    let mut missing: Vec<String> = Vec::new();
    for item in items {
        let full = normalized_text(item);
        if present.contains(&full) {
            continue;
        }
        present.push(full);
        let short = namespace.as_ref().and_then(|namespace| {
            let (base, names) = split_selection(item)?;
            let first = names.first()?;
            let plain = names.iter().all(|name| is_plain_identifier(name));
            (base == *namespace && plain && reaches_with(root, offset, first))
                .then(|| names.join("."))
        });
        missing.push(short.unwrap_or_else(|| item.clone()));
    }
    missing
}
