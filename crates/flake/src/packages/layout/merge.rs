//! Sets merged with `//`: `{ … } // eachDefaultSystem (…)`,
//! `packages = forAllSystems (…) // { … }`. `//` is shallow and its right
//! side wins, so a new attribute goes in the rightmost set that defines
//! the output, and only when nothing merged after it may define it too.

use flakeedit_syntax::rnix::ast::{self, BinOpKind};
use flakeedit_syntax::{strip_parens, SyntaxNode};
use rowan::ast::AstNode;

use super::names::known_names;
use super::place::{defines, first_segment};
use super::{body_expr, construct, is_system};
use crate::error::{ErrorKind, FlakeError};
use flakeedit_syntax::rnix::ast::HasEntry;

/// The operands of a `//` chain, left to right, each through parentheses
/// and `let`; one operand for any other expression.
pub(crate) fn operands(expr: &ast::Expr) -> Vec<ast::Expr> {
    let expr = body_expr(expr.clone());
    if let ast::Expr::BinOp(binop) = &expr {
        if binop.operator() == Some(BinOpKind::Update) {
            if let (Some(lhs), Some(rhs)) = (binop.lhs(), binop.rhs()) {
                let mut parts = operands(&lhs);
                parts.extend(operands(&rhs));
                return parts;
            }
        }
    }
    vec![expr]
}

/// The attribute set literal a new attribute of output `name` goes in:
/// the rightmost that defines `name`, else the rightmost literal (for an
/// empty `name`: the rightmost literal); and the operands after it.
pub(crate) fn chosen_operand(
    parts: &[ast::Expr],
    name: &str,
) -> Option<(ast::AttrSet, Vec<ast::Expr>)> {
    let literal = |index: usize| match &parts[index] {
        ast::Expr::AttrSet(set) => Some(set.clone()),
        _ => None,
    };
    let defining = (!name.is_empty())
        .then(|| {
            (0..parts.len())
                .rev()
                .find(|&i| literal(i).is_some_and(|set| defines(&set, name).is_some()))
        })
        .flatten();
    let index = defining.or_else(|| (0..parts.len()).rev().find(|&i| literal(i).is_some()))?;
    Some((literal(index)?, parts[index + 1..].to_vec()))
}

fn merged_after(name: &str, part: &ast::Expr, what: &str) -> FlakeError {
    FlakeError::new(
        ErrorKind::Unsupported,
        format!(
            "`{}` is merged after it with `//` and {what}, so a new attribute there could be overridden",
            construct(part.syntax())
        ),
    )
    .at(part.syntax().text_range())
    .hint(format!("add to `{name}` by hand, or merge the sets the other way round"))
}

/// Refuses when an operand merged after the chosen one may define output
/// `name` (a literal that defines it, or anything not a literal).
pub(crate) fn shadowed_after(after: &[ast::Expr], name: &str) -> Result<(), FlakeError> {
    for part in after {
        match part {
            ast::Expr::AttrSet(set) => {
                if defines(set, name).is_some() {
                    return Err(merged_after(name, part, &format!("defines `{name}` again")));
                }
            }
            // `// builtins.mapAttrs f { … }`: names read from the file.
            _ if known_names(part).is_some_and(|names| !names.iter().any(|n| n == name)) => {}
            _ => return Err(merged_after(name, part, &format!("may define `{name}`"))),
        }
    }
    Ok(())
}

/// [`shadowed_after`] for the operands merged after `node` on its way up
/// to `stop` (the outputs body): `eachDefaultSystem (…) // { … }`.
pub(crate) fn shadowed_around(
    node: &SyntaxNode,
    stop: &SyntaxNode,
    name: &str,
) -> Result<(), FlakeError> {
    let mut node = node.clone();
    while &node != stop {
        let Some(parent) = node.parent() else {
            break;
        };
        if let Some(binop) = ast::BinOp::cast(parent.clone()) {
            if binop.operator() != Some(BinOpKind::Update) {
                break;
            }
            let is_lhs = binop.lhs().is_some_and(|lhs| lhs.syntax() == &node);
            if is_lhs {
                if let Some(rhs) = binop.rhs() {
                    shadowed_after(&operands(&rhs), name)?;
                }
            }
        } else if !(ast::Paren::can_cast(parent.kind()) || ast::LetIn::can_cast(parent.kind())) {
            break;
        }
        node = parent;
    }
    Ok(())
}

/// `packages = forAllSystems (…) // X`: the systems whose whole set `X`
/// replaces (`//` is shallow), when `X` is set literals that name them
/// (`{ x86_64-darwin = { … }; }`): a new entry written in the per-system
/// function does not reach them, and the caller says so. Refuses when `X`
/// may replace systems the file does not name.
pub(crate) fn systems_shadowed(after: &[ast::Expr]) -> Result<Vec<String>, FlakeError> {
    let mut replaced: Vec<String> = Vec::new();
    for part in after {
        let stripped = strip_parens(part.clone());
        let unnamed = match &stripped {
            ast::Expr::AttrSet(set) => {
                let mut unnamed = set.inherits().next().is_some() || set.rec_token().is_some();
                for binding in set.attrpath_values() {
                    match first_segment(&binding) {
                        Some(first) if first.starts_with("${") => unnamed = true,
                        Some(first) if is_system(&first) => {
                            if !replaced.contains(&first) {
                                replaced.push(first);
                            }
                        }
                        Some(_) => {}
                        None => unnamed = true,
                    }
                }
                unnamed
            }
            other => known_names(other).is_none_or(|names| {
                names
                    .iter()
                    .any(|name| name.starts_with("${") || is_system(name))
            }),
        };
        if unnamed {
            return Err(merged_after(
                "packages",
                part,
                "may replace a system's whole set",
            ));
        }
    }
    Ok(replaced)
}

/// A per-system function returning `{ … } // X`: refuses when the names
/// `X` may define cannot be read from the file (see [`known_names`]); the
/// names of the others are compared when the entry is written.
pub(crate) fn entries_shadowed(after: &[ast::Expr], output: &str) -> Result<(), FlakeError> {
    for part in after {
        let readable = matches!(strip_parens(part.clone()), ast::Expr::AttrSet(_))
            || conditional_set(part).is_some()
            || known_names(part).is_some();
        if !readable {
            return Err(merged_after(output, part, "may define the same names"));
        }
    }
    Ok(())
}

/// The set literal of `lib.optionalAttrs cond { … }` (also written
/// `let … in { … }`), which is that set or the empty set: it defines at
/// most the names written in it.
pub(crate) fn conditional_set(part: &ast::Expr) -> Option<ast::AttrSet> {
    let ast::Expr::Apply(apply) = strip_parens(part.clone()) else {
        return None;
    };
    let ast::Expr::Apply(head) = strip_parens(apply.lambda()?) else {
        return None;
    };
    if !is_lib_function(&head.lambda()?, "optionalAttrs") {
        return None;
    }
    // `optionalAttrs cond (let … in { … })`: the `let` names no entry.
    let ast::Expr::AttrSet(set) = super::body_expr(apply.argument()?) else {
        return None;
    };
    // A name computed at evaluation (`${x} = …`) may be any name.
    let literal = set.attrpath_values().all(|binding| {
        binding
            .attrpath()
            .and_then(|path| path.attrs().next())
            .and_then(|first| flakeedit_syntax::attr_name(&first))
            .is_some()
    });
    literal.then_some(set)
}

/// `lib.NAME`, `nixpkgs.lib.NAME`, `pkgs.lib.NAME`: nixpkgs' library.
fn is_lib_function(expr: &ast::Expr, name: &str) -> bool {
    let ast::Expr::Select(select) = strip_parens(expr.clone()) else {
        return false;
    };
    if select.default_expr().is_some() {
        return false;
    }
    let mut segments: Vec<Option<String>> = select
        .attrpath()
        .map(|path| {
            path.attrs()
                .map(|a| flakeedit_syntax::attr_name(&a))
                .collect()
        })
        .unwrap_or_default();
    if let Some(ast::Expr::Ident(base)) = select.expr().map(strip_parens) {
        segments.insert(0, base.ident_token().map(|t| t.text().to_string()));
    }
    matches!(
        segments.as_slice(),
        [.., Some(lib), Some(last)] if lib == "lib" && last == name
    )
}
