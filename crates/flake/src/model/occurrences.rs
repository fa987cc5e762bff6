//! Every place a flake's text names one of its inputs, found in one pass:
//! the declaration, the outputs argument, each use in the outputs body
//! (the scope-aware analysis of `flakeedit_flake`), `inputs ? name` tests
//! and `follows` strings. `rename-input` and the language server's hover,
//! navigation and rename all read this index.

use super::{analyze_uses, Flake, InputDecl, UseKind};
use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{attr_name, static_string, strip_parens, SyntaxNode, TextRange, TextSize};
use rowan::ast::AstNode;

/// What an occurrence is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OccurrenceKind {
    /// The input's name in one of its declaring bindings.
    Declaration,
    /// A formal of the outputs function's pattern.
    Argument,
    /// A use in the outputs body.
    Use(UseKind),
    /// A name in `inherit name;` (the formal's variable, inherited): the
    /// name is also the attribute it binds.
    InheritedVariable,
    /// `inputs ? name` or `builtins.hasAttr "name" inputs`.
    Guard,
    /// The first segment of a `follows` string: `"name"` or `"name/child"`.
    FollowsTarget {
        /// The whole string's content, for completion and links.
        content: TextRange,
    },
}

/// One place naming an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The input named.
    pub name: String,
    /// Exactly the name as written (quotes included for a quoted attribute).
    pub range: TextRange,
    /// What the place is.
    pub kind: OccurrenceKind,
}

/// The occurrences of every input, in source order.
pub fn occurrences(flake: &Flake) -> Vec<Occurrence> {
    let mut found = Vec::new();
    for input in &flake.inputs {
        declarations(input, &mut found);
        follows_targets(input, &mut found);
    }
    if let Some(pattern) = flake.outputs.as_ref().and_then(|outputs| outputs.pattern()) {
        for entry in pattern.pat_entries() {
            let Some(token) = entry.ident().and_then(|ident| ident.ident_token()) else {
                continue;
            };
            let name = token.text().to_string();
            if flake.input(&name).is_some() {
                found.push(Occurrence {
                    name,
                    range: token.text_range(),
                    kind: OccurrenceKind::Argument,
                });
            }
        }
    }
    let root = flake.root.syntax().ancestors().last();
    let analysis = analyze_uses(flake);
    if let Some(root) = root.as_ref() {
        for (name, found_use) in analysis.all_uses() {
            let range = match found_use.kind {
                UseKind::Library => continue,
                UseKind::Variable | UseKind::With => found_use.range,
                UseKind::Selected | UseKind::Inherited => {
                    match name_within(root, found_use.range, &name) {
                        Some(range) => range,
                        None => continue,
                    }
                }
            };
            let inherited = found_use.kind == UseKind::Variable
                && covering(root, range)
                    .ancestors()
                    .any(|node| ast::Inherit::can_cast(node.kind()));
            found.push(Occurrence {
                name,
                range,
                kind: if inherited {
                    OccurrenceKind::InheritedVariable
                } else {
                    OccurrenceKind::Use(found_use.kind)
                },
            });
        }
        for (name, range) in analysis.guards() {
            if let Some(range) = name_within(root, *range, name) {
                found.push(Occurrence {
                    name: name.clone(),
                    range,
                    kind: OccurrenceKind::Guard,
                });
            }
        }
    }
    found.sort_by_key(|occurrence| (occurrence.range.start(), occurrence.range.end()));
    found.dedup();
    found
}

/// The occurrence whose range contains `offset` (its end included, where
/// editors put the cursor after a word).
pub fn occurrence_at(found: &[Occurrence], offset: TextSize) -> Option<&Occurrence> {
    found
        .iter()
        .find(|occurrence| occurrence.range.contains(offset))
        .or_else(|| {
            found
                .iter()
                .find(|occurrence| occurrence.range.end() == offset)
        })
}

fn declarations(input: &InputDecl, found: &mut Vec<Occurrence>) {
    for binding in &input.bindings {
        let Some(path) = binding.node.attrpath() else {
            continue;
        };
        let attrs: Vec<ast::Attr> = path.attrs().collect();
        let Some(index) = attrs.len().checked_sub(binding.below.len() + 1) else {
            continue;
        };
        if let Some(attr) = attrs.get(index) {
            if attr_name(attr).as_deref() == Some(input.name.as_str()) {
                found.push(Occurrence {
                    name: input.name.clone(),
                    range: attr.syntax().text_range(),
                    kind: OccurrenceKind::Declaration,
                });
            }
        }
    }
}

fn follows_targets(input: &InputDecl, found: &mut Vec<Occurrence>) {
    for leaf in &input.leaves {
        if !leaf.is_follows() {
            continue;
        }
        let Some(target) = leaf.value.as_str() else {
            continue;
        };
        let Some(content) = string_content(leaf.binding.value()) else {
            continue;
        };
        let first = target.split('/').next().unwrap_or_default();
        // Only a string written without escapes maps bytes to characters.
        if first.is_empty() || usize::from(content.len()) != target.len() {
            continue;
        }
        let Ok(length) = u32::try_from(first.len()) else {
            continue;
        };
        found.push(Occurrence {
            name: first.to_string(),
            range: TextRange::at(content.start(), length.into()),
            kind: OccurrenceKind::FollowsTarget { content },
        });
    }
}

/// The range between the quotes of a plain `"…"` string.
pub(crate) fn string_content(expr: Option<ast::Expr>) -> Option<TextRange> {
    let ast::Expr::Str(string) = strip_parens(expr?) else {
        return None;
    };
    let range = string.syntax().text_range();
    let text = string.syntax().text().to_string();
    if !(text.starts_with('"') && text.ends_with('"') && text.len() >= 2) {
        return None;
    }
    Some(TextRange::new(
        range.start() + TextSize::from(1),
        range.end() - TextSize::from(1),
    ))
}

/// The smallest node covering `range`.
fn covering(root: &SyntaxNode, range: TextRange) -> SyntaxNode {
    match root.covering_element(range) {
        rowan::NodeOrToken::Node(node) => node,
        rowan::NodeOrToken::Token(token) => token.parent().unwrap_or_else(|| root.clone()),
    }
}

/// Where `name` is written inside the construct at `range`: the attribute
/// ending the range (`inputs.name`), else the first attribute or static
/// string spelling it (`builtins.getAttr "name" inputs`, `inputs ? name`).
fn name_within(root: &SyntaxNode, range: TextRange, name: &str) -> Option<TextRange> {
    let node = covering(root, range);
    let mut first = None;
    for descendant in node.descendants() {
        if !range.contains_range(descendant.text_range()) {
            continue;
        }
        let spelled = if let Some(attr) = ast::Attr::cast(descendant.clone()) {
            attr_name(&attr)
        } else if let Some(string) = ast::Str::cast(descendant.clone()) {
            if ast::Attr::can_cast(descendant.parent()?.kind()) {
                continue;
            }
            static_string(&string)
        } else {
            continue;
        };
        if spelled.as_deref() != Some(name) {
            continue;
        }
        if descendant.text_range().end() == range.end() && ast::Attr::can_cast(descendant.kind()) {
            return Some(descendant.text_range());
        }
        first.get_or_insert(descendant.text_range());
    }
    first
}
