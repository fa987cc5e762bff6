//! Layout after insertions: a one-line set that an edit would grow past
//! [`MAX_LINE_WIDTH`] columns is written over several lines instead, one
//! entry per line, in the file's indentation and line ending.

use rnix::ast;
use rnix::{SyntaxKind, SyntaxNode, TextRange};
use rowan::ast::AstNode;

use super::container;
use crate::change::{ChangeSet, TextEdit};
use crate::source::SourceFile;
use crate::style::{self, end, file_indent_unit, line_indent, size, start, LineEnding};

/// The width past which a one-line set is broken into lines (what
/// formatters of Nix, like nixfmt, use).
pub const MAX_LINE_WIDTH: usize = 100;

/// A one-line insertion into a one-line set: `" x = 1;"` after an entry or
/// `"x = 1; "` before one, as [`super::insert_entry`] writes them.
fn is_one_line_insertion(edit: &TextEdit) -> bool {
    edit.range.is_empty()
        && !edit.insert.contains('\n')
        && (edit.insert.starts_with(' ') || edit.insert.ends_with(' '))
}

/// The attribute sets whose braces enclose `offset` on one line, outermost
/// first.
fn one_line_sets_at(file: &SourceFile, offset: usize) -> Vec<ast::AttrSet> {
    let text = file.text();
    let Some(token) = file.syntax().token_at_offset(size(offset)).left_biased() else {
        return Vec::new();
    };
    let mut sets: Vec<ast::AttrSet> = token
        .parent_ancestors()
        .filter_map(ast::AttrSet::cast)
        .filter(|set| {
            container(set.syntax()).is_ok_and(|found| {
                let open_end = usize::from(found.open.text_range().end());
                let close_start = usize::from(found.close.text_range().start());
                open_end <= offset
                    && offset <= close_start
                    && !text[open_end..close_start].contains('\n')
            })
        })
        .collect();
    sets.reverse();
    sets
}

/// The width of `text[from..to]` once the edits inside it are applied.
fn width_after(text: &str, from: usize, to: usize, changes: &ChangeSet) -> isize {
    let mut width = text[from..to].chars().count() as isize;
    for edit in changes.edits() {
        let (start, end) = (
            usize::from(edit.range.start()),
            usize::from(edit.range.end()),
        );
        if start >= from && end <= to {
            width +=
                edit.insert.chars().count() as isize - text[start..end].chars().count() as isize;
        }
    }
    width
}

/// Rewrites `changes` so that every one-line set that would grow past
/// [`MAX_LINE_WIDTH`] columns gets one entry per line. Sets holding
/// comments, and change sets that edit the whitespace between the set's
/// entries otherwise, are left as they are.
pub fn break_long_one_line_sets(file: &SourceFile, changes: ChangeSet) -> ChangeSet {
    let text = file.text();
    let mut chains: Vec<Vec<ast::AttrSet>> = Vec::new();
    for edit in changes
        .edits()
        .iter()
        .filter(|edit| is_one_line_insertion(edit))
    {
        let chain = one_line_sets_at(file, usize::from(edit.range.start()));
        if !chain.is_empty() && !chains.contains(&chain) {
            chains.push(chain);
        }
    }
    let mut result = changes;
    let mut broken: Vec<(SyntaxNode, String)> = Vec::new();
    for chain in chains {
        for set in chain {
            if broken.iter().any(|(node, _)| node == set.syntax()) {
                continue;
            }
            // Below a set just broken, the set's entry starts its own line.
            let parent = broken.iter().find(|(node, _)| {
                set.syntax()
                    .ancestors()
                    .skip(1)
                    .any(|ancestor| &ancestor == node)
            });
            let (outer, width) = match parent {
                Some((node, inner)) => {
                    let entry = set
                        .syntax()
                        .ancestors()
                        .find(|ancestor| ancestor.parent().as_ref() == Some(node));
                    let Some(entry) = entry else { break };
                    let width = inner.chars().count() as isize
                        + width_after(text, start(&entry), end(&entry), &result);
                    (inner.clone(), width)
                }
                None => {
                    let Ok(found) = container(set.syntax()) else {
                        break;
                    };
                    let from =
                        style::line_start(text, usize::from(found.open.text_range().start()));
                    let to = style::line_end(text, usize::from(found.close.text_range().end()));
                    let outer = line_indent(text, from).to_string();
                    (outer, width_after(text, from, to, &result))
                }
            };
            if width <= MAX_LINE_WIDTH as isize {
                continue;
            }
            let inner = format!("{outer}{}", file_indent_unit(text));
            match break_set(text, &set, &result, &outer, &inner) {
                Some(rebuilt) => {
                    result = rebuilt;
                    broken.push((set.syntax().clone(), inner));
                }
                None => break,
            }
        }
    }
    result
}

fn break_set(
    text: &str,
    set: &ast::AttrSet,
    changes: &ChangeSet,
    outer: &str,
    inner: &str,
) -> Option<ChangeSet> {
    let found = container(set.syntax()).ok()?;
    let open_end = usize::from(found.open.text_range().end());
    let close_start = usize::from(found.close.text_range().start());
    let has_comment = set
        .syntax()
        .children_with_tokens()
        .any(|element| element.kind() == SyntaxKind::TOKEN_COMMENT);
    let entries: Vec<SyntaxNode> = found.entries().collect();
    if has_comment || entries.is_empty() {
        return None;
    }
    let eol = LineEnding::detect(text).as_str();
    let entries: Vec<&SyntaxNode> = entries.iter().collect();
    // Whitespace gaps: after `{`, between entries, before `}`.
    let mut gaps: Vec<(usize, usize, String)> = Vec::new();
    gaps.push((open_end, start(entries[0]), format!("{eol}{inner}")));
    for pair in entries.windows(2) {
        gaps.push((end(pair[0]), start(pair[1]), format!("{eol}{inner}")));
    }
    gaps.push((
        end(entries[entries.len() - 1]),
        close_start,
        format!("{eol}{outer}"),
    ));
    if gaps
        .iter()
        .any(|(from, to, _)| !text[*from..*to].trim().is_empty())
    {
        return None;
    }
    let in_gap = |offset: usize| {
        gaps.iter()
            .any(|(from, to, _)| *from <= offset && offset <= *to)
    };
    let mut rebuilt = ChangeSet::new();
    rebuilt.warnings = changes.warnings.clone();
    for edit in changes.edits() {
        let offset = usize::from(edit.range.start());
        let inside = open_end <= offset && offset <= close_start;
        if !inside {
            rebuilt.add(edit.clone()).ok()?;
            continue;
        }
        if is_one_line_insertion(edit) && in_gap(offset) {
            // Several bindings flattened into one insertion get a line each.
            let entries = split_entries(edit.insert.trim()).join(&format!("{eol}{inner}"));
            let insert = if edit.insert.starts_with(' ') {
                format!("{eol}{inner}{entries}")
            } else {
                format!("{entries}{eol}{inner}")
            };
            rebuilt
                .add(TextEdit::insert(edit.range.start(), insert))
                .ok()?;
        } else if gaps
            .iter()
            .any(|(from, to, _)| edit.range.start() < size(*to) && size(*from) < edit.range.end())
        {
            // Something else edits the layout between entries: keep it.
            return None;
        } else {
            rebuilt.add(edit.clone()).ok()?;
        }
    }
    for (from, to, layout) in gaps {
        rebuilt
            .add(TextEdit::replace(
                TextRange::new(size(from), size(to)),
                layout,
            ))
            .ok()?;
    }
    Some(rebuilt)
}

/// The bindings of a flattened snippet (`a.url = "x"; a.flake = false;`),
/// each as written; the whole snippet when it does not parse as bindings.
fn split_entries(snippet: &str) -> Vec<String> {
    let wrapped = format!("{{ {snippet} }}");
    let parsed = SourceFile::parse(&wrapped);
    let entries: Option<Vec<String>> = parsed.is_valid().then(|| {
        parsed
            .syntax()
            .descendants()
            .find_map(ast::AttrSet::cast)
            .and_then(|set| container(set.syntax()).ok())
            .map(|found| {
                found
                    .entries()
                    .map(|entry| entry.text().to_string())
                    .collect()
            })
            .unwrap_or_default()
    });
    match entries {
        Some(entries) if !entries.is_empty() => entries,
        _ => vec![snippet.to_string()],
    }
}
