//! Where the outputs function uses inputs: as formals' variables, through
//! the input set (`inputs.x`, `inputs'.x`, `inherit (inputs) x`), or by
//! passing the whole set on.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{SyntaxKind, SyntaxNode, TextRange};
use rowan::ast::AstNode;

use super::Flake;

/// A place in the outputs function that uses an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputUse {
    /// The range of the use.
    pub range: TextRange,
    /// The text of the use (`riot`, `inputs.riot`).
    pub text: String,
}

/// Where the outputs function uses input `name`: as a formal's variable,
/// as `alias.name`, `alias'.name` (flake-parts), or `inherit (alias) name`.
/// Shadowing is ignored, so this may over-report (the safe direction).
pub fn uses_of_input(flake: &Flake, name: &str) -> Vec<InputUse> {
    let Some(outputs) = &flake.outputs else {
        return Vec::new();
    };
    let Some(body) = outputs.lambda.as_ref().and_then(|lambda| lambda.body()) else {
        return Vec::new();
    };
    let is_formal = outputs.pattern().is_some_and(|pattern| {
        flakeedit_syntax::formal_names(&pattern)
            .iter()
            .any(|n| n == name)
    });
    let mut uses: Vec<InputUse> = Vec::new();
    if is_formal {
        uses.extend(
            body.syntax()
                .descendants()
                .filter(|node| {
                    node.kind() == SyntaxKind::NODE_IDENT
                        && !in_attr_name(node)
                        && node.text() == name
                })
                .map(|node| InputUse {
                    range: node.text_range(),
                    text: name.to_string(),
                }),
        );
    }
    uses.extend(
        uses_through_input_set(flake)
            .into_iter()
            .filter(|(used, _)| used.name == name)
            .map(|(_, found)| found),
    );
    uses.sort_by_key(|found| (found.range.start(), found.range.end()));
    uses
}

/// An input name the outputs body takes from the input set, as
/// [`uses_through_input_set`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSetUse {
    /// The input's name (`riot` in `inputs.riot.packages`).
    pub name: String,
    /// Just the base and the name (`inputs.riot`), or the name in an
    /// `inherit (inputs) riot`: a precise range for diagnostics.
    pub name_range: TextRange,
    /// True for `inputs.riot or null`: a missing input is not an error.
    pub has_default: bool,
}

/// Every input the outputs body takes from the input set: `alias.name`,
/// `alias'.name` and flake-parts' `inputs'.name`, and `inherit (alias)
/// name`, where `alias` is the outputs pattern's `@` name or parameter.
/// Each comes with its [`InputUse`] (the whole selection, for messages).
/// Dynamic names (`inputs.${x}`) are skipped; shadowing is ignored.
pub fn uses_through_input_set(flake: &Flake) -> Vec<(InputSetUse, InputUse)> {
    let Some(outputs) = &flake.outputs else {
        return Vec::new();
    };
    let Some(body) = outputs.lambda.as_ref().and_then(|lambda| lambda.body()) else {
        return Vec::new();
    };
    let alias = outputs.inputs_alias();
    let aliases: Vec<String> = alias
        .iter()
        .flat_map(|alias| [alias.clone(), format!("{alias}'")])
        .chain(std::iter::once("inputs'".to_string()))
        .collect();
    let mut uses = Vec::new();
    for node in body.syntax().descendants() {
        if let Some(select) = ast::Select::cast(node.clone()) {
            let Some(ast::Expr::Ident(base)) = select.expr() else {
                continue;
            };
            let base_name = base.syntax().text().to_string();
            if !aliases.contains(&base_name) {
                continue;
            }
            let Some(first) = select.attrpath().and_then(|path| path.attrs().next()) else {
                continue;
            };
            let Some(name) = flakeedit_syntax::attr_name(&first) else {
                continue;
            };
            uses.push((
                InputSetUse {
                    name: name.clone(),
                    name_range: TextRange::new(
                        select.syntax().text_range().start(),
                        first.syntax().text_range().end(),
                    ),
                    has_default: select.or_token().is_some(),
                },
                InputUse {
                    range: select.syntax().text_range(),
                    text: format!("{base_name}.{name}"),
                },
            ));
        }
        if let Some(inherit) = ast::Inherit::cast(node.clone()) {
            let from = inherit
                .from()
                .and_then(|from| from.expr())
                .map(|e| e.syntax().text().to_string());
            if !from.is_some_and(|from| aliases.contains(&from)) {
                continue;
            }
            for attr in inherit.attrs() {
                let Some(name) = flakeedit_syntax::attr_name(&attr) else {
                    continue;
                };
                let range = attr.syntax().text_range();
                uses.push((
                    InputSetUse {
                        name: name.clone(),
                        name_range: range,
                        has_default: false,
                    },
                    InputUse {
                        range,
                        text: format!("inherit ({}) {name}", alias.clone().unwrap_or_default()),
                    },
                ));
            }
        }
    }
    uses
}

/// True when an identifier node is an attribute name (in an attribute path
/// or an `inherit` list) rather than a variable reference. `inherit x;`
/// references `x`, so it counts as a use.
fn in_attr_name(node: &SyntaxNode) -> bool {
    match node.parent().map(|parent| parent.kind()) {
        Some(SyntaxKind::NODE_ATTRPATH) => true,
        Some(SyntaxKind::NODE_INHERIT) => node
            .parent()
            .and_then(ast::Inherit::cast)
            .is_some_and(|inherit| inherit.from().is_some()),
        _ => false,
    }
}

/// True when the outputs function passes the whole input set on (`inherit
/// inputs`, `mkFlake { inherit inputs; }`, `f inputs`), so any input may be
/// used indirectly.
pub fn inputs_escape(flake: &Flake) -> bool {
    let Some(outputs) = &flake.outputs else {
        return false;
    };
    let (Some(lambda), Some(alias)) = (&outputs.lambda, outputs.inputs_alias()) else {
        return false;
    };
    let Some(body) = lambda.body() else {
        return false;
    };
    body.syntax().descendants().any(|node| {
        node.kind() == SyntaxKind::NODE_IDENT
            && node.text() == alias.as_str()
            && !in_attr_name(&node)
            && node.parent().is_none_or(|parent| {
                parent.kind() != SyntaxKind::NODE_INHERIT_FROM
                    && (parent.kind() != SyntaxKind::NODE_SELECT || !is_select_base(&parent, &node))
            })
    })
}

fn is_select_base(select: &SyntaxNode, node: &SyntaxNode) -> bool {
    ast::Select::cast(select.clone())
        .and_then(|select| select.expr())
        .is_some_and(|expr| expr.syntax() == node)
}
