//! A per-system helper written as a fold over its systems (crane's own
//! flake): `eachSystem = systems: f: foldl' op { } systems` with
//! `op = attrs: system: let ret = f system; … in …`. What the function
//! receives is read from how `f` is applied (every application must
//! agree); whether the helper transposes (`{ packages.<system> = …; }`,
//! as flake-utils does) or returns one value per system
//! (`{ <system> = …; }`, as `genAttrs` does) from the binding that stores
//! the result under `${system}`.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{scope_at, strip_parens, SyntaxNode, TextRange};
use rowan::ast::AstNode;

use super::helper::{definition, ident_text, is_builtin, lambda_of, Definition, Helper, Received};
use super::received::classify;

/// `fold op init list` (through parentheses), with `fold` nixpkgs' or the
/// builtin `foldl'`: `(op, list)`.
fn fold_call(expr: &ast::Expr) -> Option<(ast::Expr, ast::Expr)> {
    let ast::Expr::Apply(outer) = strip_parens(expr.clone()) else {
        return None;
    };
    let ast::Expr::Apply(with_init) = strip_parens(outer.lambda()?) else {
        return None;
    };
    let ast::Expr::Apply(with_op) = strip_parens(with_init.lambda()?) else {
        return None;
    };
    if !is_builtin(&with_op.lambda()?, "foldl'") {
        return None;
    }
    Some((with_op.argument()?, outer.argument()?))
}

fn ident_param(lambda: &ast::Lambda) -> Option<(String, TextRange)> {
    let ast::Param::IdentParam(param) = lambda.param()? else {
        return None;
    };
    Some((
        param.ident().as_ref().and_then(ident_text)?,
        param.syntax().text_range(),
    ))
}

/// Whether `ident` names the parameter whose range is `param`.
fn refers_to(ident: &ast::Ident, param: TextRange) -> bool {
    let Some(root) = ident.syntax().ancestors().last() else {
        return false;
    };
    let Some(name) = ident_text(ident) else {
        return false;
    };
    scope_at(&root, ident.syntax().text_range().start())
        .names
        .get(&name)
        .is_some_and(|binder| binder.range == param)
}

/// A single dynamic attribute `${name}` naming a variable.
fn dynamic_name(binding: &ast::AttrpathValue) -> Option<String> {
    let mut attrs = binding.attrpath()?.attrs();
    let first = attrs.next()?;
    if attrs.next().is_some() {
        return None;
    }
    let ast::Attr::Dynamic(dynamic) = first else {
        return None;
    };
    match strip_parens(dynamic.expr()?) {
        ast::Expr::Ident(ident) => ident_text(&ident),
        _ => None,
    }
}

/// The helper `function_param: BODY` when BODY (through `let`) is such a
/// fold; `None` when it is not one.
pub(super) fn fold_helper(
    name: &str,
    function: &str,
    function_param: TextRange,
    body: &ast::Expr,
    depth: usize,
) -> Option<Helper> {
    let mut inner = strip_parens(body.clone());
    while let ast::Expr::LetIn(let_in) = &inner {
        inner = strip_parens(let_in.body()?);
    }
    let (op, list) = fold_call(&inner)?;
    // The list folded is the helper's systems: a parameter, a `let`-bound
    // name, or a literal list of systems.
    let systems = match strip_parens(list) {
        ast::Expr::Ident(list) => matches!(
            definition(list.syntax(), &ident_text(&list)?),
            Some(Definition::Argument | Definition::Let(_))
        ),
        ast::Expr::List(list) => list.items().all(|item| match item {
            ast::Expr::Str(text) => {
                flakeedit_syntax::static_string(&text).is_some_and(|s| super::is_system(&s))
            }
            _ => false,
        }),
        _ => false,
    };
    if !systems {
        return None;
    }
    let op = lambda_of(&op)?;
    ident_param(&op)?;
    let ast::Expr::Lambda(per_system) = strip_parens(op.body()?) else {
        return None;
    };
    let (system, system_param) = ident_param(&per_system)?;
    // Every use of the function is an application to the system, inside
    // the callback.
    let undecidable = || Helper::Undecidable {
        name: name.to_string(),
        range: body.syntax().text_range(),
    };
    let mut argument = None;
    let mut results: Vec<SyntaxNode> = Vec::new();
    for ident in body.syntax().descendants().filter_map(ast::Ident::cast) {
        if ident_text(&ident).as_deref() != Some(function) || !refers_to(&ident, function_param) {
            continue;
        }
        let call = ident.syntax().parent().and_then(ast::Apply::cast);
        let applied = call.as_ref().filter(|call| {
            call.lambda().is_some_and(|f| f.syntax() == ident.syntax())
                && per_system
                    .syntax()
                    .text_range()
                    .contains_range(call.syntax().text_range())
        });
        let Some(call) = applied else {
            return Some(undecidable());
        };
        let Some(given) = call.argument() else {
            return Some(undecidable());
        };
        let received = classify(&given, &system, depth + 1);
        if received != Received::System {
            return Some(undecidable());
        }
        argument = Some(received);
        results.push(call.syntax().clone());
    }
    let received = argument?;
    // `ret = f system;`: the names the result is bound to.
    let bound: Vec<String> = results
        .iter()
        .filter_map(|call| {
            let binding = call.parent().and_then(ast::AttrpathValue::cast)?;
            let attr = binding.attrpath()?.attrs().next()?;
            flakeedit_syntax::attr_name(&attr)
        })
        .collect();
    let is_result = |expr: &ast::Expr| match strip_parens(expr.clone()) {
        ast::Expr::Ident(ident) => ident_text(&ident).is_some_and(|n| bound.contains(&n)),
        ast::Expr::Apply(apply) => results.contains(apply.syntax()),
        _ => false,
    };
    let mut transposes = None;
    for binding in per_system
        .syntax()
        .descendants()
        .filter_map(ast::AttrpathValue::cast)
    {
        if dynamic_name(&binding).as_deref() != Some(system.as_str()) {
            continue;
        }
        let ident_is_system = binding
            .attrpath()
            .and_then(|path| path.attrs().next())
            .and_then(|attr| match attr {
                ast::Attr::Dynamic(dynamic) => match strip_parens(dynamic.expr()?) {
                    ast::Expr::Ident(ident) => Some(refers_to(&ident, system_param)),
                    _ => None,
                },
                _ => None,
            })
            .unwrap_or(false);
        if !ident_is_system {
            continue;
        }
        let Some(value) = binding.value() else {
            continue;
        };
        // `${system} = ret;`: one value per system.
        if is_result(&value) {
            transposes = Some(false);
            break;
        }
        // `${key} = … // { ${system} = ret.${key}; }`: the result's
        // attributes, each per system.
        let ast::Expr::Select(select) = strip_parens(value) else {
            continue;
        };
        let Some(base) = select.expr() else {
            continue;
        };
        let key = select
            .attrpath()
            .and_then(|path| {
                let mut attrs = path.attrs();
                let first = attrs.next()?;
                attrs.next().is_none().then_some(first)
            })
            .and_then(|attr| match attr {
                ast::Attr::Dynamic(dynamic) => match strip_parens(dynamic.expr()?) {
                    ast::Expr::Ident(ident) => ident_text(&ident),
                    _ => None,
                },
                _ => None,
            });
        let Some(key) = key else {
            continue;
        };
        let under_key = binding
            .syntax()
            .ancestors()
            .skip(1)
            .filter_map(ast::AttrpathValue::cast)
            .any(|outer| dynamic_name(&outer).as_deref() == Some(key.as_str()));
        if is_result(&base) && select.default_expr().is_none() && under_key {
            transposes = Some(true);
            break;
        }
    }
    match transposes {
        Some(transposes) => Some(Helper::Known {
            transposes,
            received,
        }),
        None => Some(undecidable()),
    }
}
