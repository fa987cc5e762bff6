//! Style-preserving edits of bindings: insert, remove, replace.

use rnix::ast;
use rnix::{SyntaxKind, SyntaxNode, SyntaxToken, TextRange};
use rowan::ast::AstNode;

use crate::change::TextEdit;
use crate::source::SourceFile;
use crate::style::{self, end, line_indent, reindent, size, start};

/// A structural problem that prevents an edit (only possible in files with
/// syntax errors, where a set can lack its closing brace).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {offset}")]
pub struct MalformedError {
    /// What is missing or wrong.
    pub what: String,
    /// Where.
    pub offset: u32,
}

/// Where a new binding goes among the entries of a set or `let`.
#[derive(Debug, Clone)]
pub enum InsertPosition {
    /// Before every entry.
    First,
    /// After every entry.
    Last,
    /// Right after this entry (and its trailing comment).
    After(SyntaxNode),
    /// Right after this entry as part of its group: never separated from
    /// it by a blank line (e.g. `x.inputs.y.follows` next to `x.url`).
    Beside(SyntaxNode),
    /// Right before this entry (and the comment lines directly above it).
    Before(SyntaxNode),
}

/// The delimiters and entries of a binding container: an attribute set
/// (`{` … `}`) or the bindings of a `let` (`let` … `in`).
///
/// The entries are walked when asked for, as far as asked: inserting next
/// to one entry of a set of tens of thousands must not visit them all (an
/// operation that inserts once per input would be quadratic).
struct Container {
    node: SyntaxNode,
    open: SyntaxToken,
    close: SyntaxToken,
}

impl Container {
    /// The entries, in order.
    fn entries(&self) -> impl Iterator<Item = SyntaxNode> + '_ {
        self.node
            .children()
            .filter(|child| ast::Entry::can_cast(child.kind()))
    }

    fn first_entry(&self) -> Option<SyntaxNode> {
        self.entries().next()
    }

    /// The last entry, found from the end.
    fn last_entry(&self) -> Option<SyntaxNode> {
        let mut child = self.node.last_child();
        while let Some(current) = child {
            if ast::Entry::can_cast(current.kind()) {
                return Some(current);
            }
            child = current.prev_sibling();
        }
        None
    }

    /// The entry after `entry`, one of the entries.
    fn entry_after(&self, entry: &SyntaxNode) -> Option<SyntaxNode> {
        if entry.parent().as_ref() != Some(&self.node) {
            let after = end(entry);
            return self.entries().find(|other| start(other) > after);
        }
        let mut next = entry.next_sibling();
        while let Some(current) = next {
            if ast::Entry::can_cast(current.kind()) {
                return Some(current);
            }
            next = current.next_sibling();
        }
        None
    }
}

fn container(node: &SyntaxNode) -> Result<Container, MalformedError> {
    let (open_kind, close_kind) = if ast::AttrSet::can_cast(node.kind()) {
        (SyntaxKind::TOKEN_L_BRACE, SyntaxKind::TOKEN_R_BRACE)
    } else if ast::LetIn::can_cast(node.kind()) {
        (SyntaxKind::TOKEN_LET, SyntaxKind::TOKEN_IN)
    } else {
        return Err(MalformedError {
            what: "not an attribute set or let".to_string(),
            offset: node.text_range().start().into(),
        });
    };
    let missing = |what: &str| MalformedError {
        what: format!("missing {what}"),
        offset: node.text_range().end().into(),
    };
    // The opening token is the first of its kind, the closing one the
    // first of its kind after the last entry (a set's `}` or a `let`'s
    // `in`, which no entry holds directly): each found without walking
    // past the entries.
    let open = node
        .children_with_tokens()
        .filter_map(|element| element.into_token())
        .find(|token| token.kind() == open_kind)
        .ok_or_else(|| missing("opening delimiter"))?;
    let mut close = None;
    let mut element = node.last_child_or_token();
    while let Some(current) = element {
        if current.kind() == close_kind {
            close = current.as_token().cloned();
        }
        if ast::Entry::can_cast(current.kind()) {
            break;
        }
        element = current.prev_sibling_or_token();
    }
    let close = close.ok_or_else(|| missing("closing delimiter"))?;
    Ok(Container {
        node: node.clone(),
        open,
        close,
    })
}

/// Is the container written over several lines (between its delimiters)?
fn container_is_multiline(text: &str, container: &Container) -> bool {
    let from = usize::from(container.open.text_range().end());
    let to = usize::from(container.close.text_range().start());
    text.get(from..to)
        .is_some_and(|inside| inside.contains('\n'))
}

/// The indentation of entries of a multi-line container, and its unit.
fn entry_indent(text: &str, file_unit: &str, container: &Container) -> (String, String) {
    let open_indent = line_indent(text, usize::from(container.open.text_range().start()));
    let existing = container
        .entries()
        .find(|entry| style::starts_line(text, start(entry)))
        .map(|entry| line_indent(text, start(&entry)).to_string());
    match existing {
        // The new entry lines up with its siblings, and nests what it holds
        // by as much as they sit in from the opening line; but a gap of
        // several of the file's units comes from an open construct around
        // the set (`eachSystem (… {` with entries four columns in, in a
        // two-space file), not from how the file nests, so the file's
        // unit is used then.
        Some(indent) => {
            let file_unit = file_unit.to_string();
            let unit = indent
                .strip_prefix(open_indent)
                .filter(|unit| !unit.is_empty())
                .map(str::to_string)
                .filter(|unit| {
                    let several = unit.len() > file_unit.len()
                        && !file_unit.is_empty()
                        && unit.len() % file_unit.len() == 0
                        && unit.chars().all(|c| file_unit.starts_with(c));
                    !several
                })
                .unwrap_or(file_unit);
            (indent, unit)
        }
        None => {
            let unit = file_unit.to_string();
            (format!("{open_indent}{unit}"), unit)
        }
    }
}

/// True when every two consecutive entries are separated by a blank line.
/// Comment lines between entries are not blank lines: only a whitespace
/// run with two line breaks is.
fn entries_are_blank_separated(container: &Container) -> bool {
    // Two entries with a blank line between them are not yet a pattern
    // (often `inputs` and `outputs`); three or more are.
    let entries: Vec<SyntaxNode> = container.entries().take(3).collect();
    let mut previous = container.entries();
    entries.len() >= 3
        && container.entries().skip(1).all(|next| {
            let Some(entry) = previous.next() else {
                return false;
            };
            let next_start = next.text_range().start();
            let mut token = entry.last_token().and_then(|token| token.next_token());
            while let Some(current) = token {
                if current.text_range().start() >= next_start {
                    break;
                }
                if current.kind() == SyntaxKind::TOKEN_WHITESPACE
                    && current.text().matches('\n').count() >= 2
                {
                    return true;
                }
                token = current.next_token();
            }
            false
        })
}

/// The end of an entry's line content that belongs to it: the entry plus a
/// comment on the same line after it.
fn end_with_trailing_comment(entry: &SyntaxNode) -> usize {
    let mut offset = end(entry);
    let mut token = entry.last_token().and_then(|token| token.next_token());
    while let Some(current) = token {
        match current.kind() {
            SyntaxKind::TOKEN_WHITESPACE if !current.text().contains('\n') => {}
            SyntaxKind::TOKEN_COMMENT if !current.text().contains('\n') => {
                // A line comment in a CRLF file ends with the `\r` of the
                // line break, which belongs to the line break, not to it.
                let comment_end = usize::from(current.text_range().end());
                offset = comment_end - usize::from(current.text().ends_with('\r'));
            }
            _ => break,
        }
        token = current.next_token();
    }
    offset
}

/// The start of the comment lines directly above an entry (no blank line
/// between), or the entry's own start.
fn start_with_leading_comments(text: &str, entry: &SyntaxNode) -> usize {
    let mut offset = start(entry);
    let mut token = entry.first_token().and_then(|token| token.prev_token());
    while let Some(current) = token {
        match current.kind() {
            SyntaxKind::TOKEN_WHITESPACE if current.text().matches('\n').count() <= 1 => {}
            SyntaxKind::TOKEN_COMMENT
                if style::starts_line(text, usize::from(current.text_range().start())) =>
            {
                offset = usize::from(current.text_range().start());
            }
            _ => break,
        }
        token = current.prev_token();
    }
    offset
}

/// Inserts a binding into an attribute set or `let`, copying its style.
///
/// `snippet` is the binding as written by flakeedit: `\n` line breaks and
/// one `\t` per nesting level. It is re-indented to the container's
/// indentation (tabs, 2 or 4 spaces…), its line breaks become the file's
/// (LF or CRLF), and in a one-line container it is flattened to one line.
/// An empty one-line set (`{ }`) becomes multi-line only when the snippet
/// is multi-line. When every entry is separated by a blank line, so is the
/// new one.
pub fn insert_entry(
    file: &SourceFile,
    node: &SyntaxNode,
    snippet: &str,
    position: InsertPosition,
) -> Result<TextEdit, MalformedError> {
    let text = file.text();
    let container = container(node)?;
    let ending = file.line_ending();
    let open_end = usize::from(container.open.text_range().end());
    let close_start = usize::from(container.close.text_range().start());

    if !container_is_multiline(text, &container) {
        let flat = style::flatten(snippet);
        if container.first_entry().is_none() {
            let range = TextRange::new(size(open_end), size(close_start));
            let is_set = node.kind() == SyntaxKind::NODE_ATTR_SET;
            if snippet.contains('\n') && is_set {
                let outer = line_indent(text, open_end).to_string();
                let unit = file.indent_unit();
                let inner = format!("{outer}{unit}");
                let body = reindent(snippet, &inner, unit, ending);
                let eol = ending.as_str();
                return Ok(TextEdit::replace(
                    range,
                    format!("{eol}{inner}{body}{eol}{outer}"),
                ));
            }
            return Ok(TextEdit::replace(range, format!(" {flat} ")));
        }
        return Ok(match resolve_position(&container, position)? {
            Anchor::After(entry) => TextEdit::insert(size(end(&entry)), format!(" {flat}")),
            Anchor::Before(entry) => TextEdit::insert(size(start(&entry)), format!("{flat} ")),
        });
    }

    let (indent, unit) = entry_indent(text, file.indent_unit(), &container);
    let body = reindent(snippet, &indent, &unit, ending);
    let eol = ending.as_str();
    let beside = matches!(position, InsertPosition::Beside(_));
    let gap = if !beside && entries_are_blank_separated(&container) {
        eol
    } else {
        ""
    };
    if container.first_entry().is_none() {
        if style::starts_line(text, close_start) {
            let at = style::line_start(text, close_start);
            return Ok(TextEdit::insert(size(at), format!("{indent}{body}{eol}")));
        }
        let outer = line_indent(text, close_start);
        return Ok(TextEdit::insert(
            size(close_start),
            format!("{eol}{indent}{body}{eol}{outer}"),
        ));
    }
    Ok(match resolve_position(&container, position)? {
        Anchor::After(mut entry) => {
            // Never split a line that holds several entries: go to its last one.
            while let Some(next) = container
                .entry_after(&entry)
                .filter(|next| !text[end(&entry)..start(next)].contains('\n'))
            {
                entry = next;
            }
            let at = end_with_trailing_comment(&entry);
            TextEdit::insert(size(at), format!("{eol}{gap}{indent}{body}"))
        }
        Anchor::Before(entry) => {
            let entry_start = start_with_leading_comments(text, &entry);
            if style::starts_line(text, entry_start) {
                let at = style::line_start(text, entry_start);
                // Above an entry that a blank line sets apart, keep it apart.
                let set_apart = at >= 1 && at - 1 > open_end && style::is_blank_line(text, at - 1);
                let gap = if set_apart { eol } else { gap };
                TextEdit::insert(size(at), format!("{indent}{body}{eol}{gap}"))
            } else {
                TextEdit::insert(size(entry_start), format!("{} ", style::flatten(snippet)))
            }
        }
    })
}

enum Anchor {
    After(SyntaxNode),
    Before(SyntaxNode),
}

fn resolve_position(
    container: &Container,
    position: InsertPosition,
) -> Result<Anchor, MalformedError> {
    let anchor = match position {
        InsertPosition::After(node) | InsertPosition::Beside(node) => Some(Anchor::After(node)),
        InsertPosition::Before(node) => Some(Anchor::Before(node)),
        InsertPosition::First => container.first_entry().map(Anchor::Before),
        InsertPosition::Last => container.last_entry().map(Anchor::After),
    };
    anchor.ok_or_else(|| MalformedError {
        what: "no entry to insert next to".to_string(),
        offset: container.open.text_range().end().into(),
    })
}

/// Removes an entry of a set or `let` (a binding or an `inherit`) with its
/// trailing comment.
///
/// An entry on lines of its own takes those whole lines with it; if that
/// leaves two blank lines together, or a blank line right inside a brace,
/// one blank line goes too, so no blank-line scar is left. An entry sharing
/// its line with others (a one-line set) takes the space on one side.
pub fn remove_entry(file: &SourceFile, entry: &SyntaxNode) -> TextEdit {
    let text = file.text();
    let entry_start = start(entry);
    let entry_end = end_with_trailing_comment(entry);
    let own_lines =
        style::starts_line(text, entry_start) && style::line_end(text, entry_end) == entry_end;
    if own_lines {
        let mut from = style::line_start(text, entry_start);
        let mut to = style::next_line_start(text, entry_end);
        let blank_before = from > 0 && style::is_blank_line(text, from - 1);
        let blank_after = to < text.len() && style::is_blank_line(text, to);
        let next_is_close = text[to..].trim_start().starts_with(['}', ']']);
        let prev_is_open = text[..from.saturating_sub(1)]
            .trim_end()
            .ends_with(['{', '[']);
        if blank_after && (blank_before || prev_is_open) {
            to = style::next_line_start(text, to);
        } else if blank_before && next_is_close {
            from = style::line_start(text, from - 1);
        }
        return TextEdit::delete(TextRange::new(size(from), size(to)));
    }
    // Same-line removal: take the spaces after the entry, or before it when
    // the next thing is a closing delimiter or the end of the line.
    let after = &text[entry_end..];
    let spaces_after = after.len() - after.trim_start_matches([' ', '\t']).len();
    let next = after[spaces_after..].chars().next();
    if spaces_after > 0 && !matches!(next, Some('}' | '\n' | '\r') | None) {
        return TextEdit::delete(TextRange::new(
            size(entry_start),
            size(entry_end + spaces_after),
        ));
    }
    if next == Some('}') && style::starts_line(text, entry_start) {
        // `  b = 2; };`: the entry starts its line and a closing delimiter
        // follows it there. Removing only the entry would leave that
        // delimiter alone on an indented line, after any blank line.
        if let Some(edit) = remove_joining_previous_line(text, entry, entry_end, spaces_after) {
            return edit;
        }
    }
    let before = &text[..entry_start];
    let spaces_before = before.len() - before.trim_end_matches([' ', '\t']).len();
    let from = entry_start - spaces_before;
    let mut to = entry_end;
    // `{ a = 1;` then a blank line: with `a` gone, that blank line would sit
    // right inside the brace, so one line break goes with the entry.
    let ends_line = style::line_end(text, entry_end) == entry_end + spaces_after;
    let next_line = style::next_line_start(text, entry_end);
    if ends_line
        && text[..from].ends_with(['{', '['])
        && next_line < text.len()
        && style::is_blank_line(text, next_line)
    {
        to = next_line;
    }
    TextEdit::delete(TextRange::new(size(from), size(to)))
}

/// Removes an entry that starts its line but shares it with the closing
/// delimiter after it, moving that delimiter up to the end of the previous
/// element (`a = 1;\n  b = 2; };` → `a = 1; };`). After a line comment,
/// which must keep its line break, the delimiter goes on the next line at
/// the container's indentation instead.
fn remove_joining_previous_line(
    text: &str,
    entry: &SyntaxNode,
    entry_end: usize,
    spaces_after: usize,
) -> Option<TextEdit> {
    let mut token = entry.first_token()?.prev_token();
    while let Some(current) = token.as_ref() {
        if current.kind() != SyntaxKind::TOKEN_WHITESPACE {
            break;
        }
        token = current.prev_token();
    }
    let previous = token?;
    let previous_end = usize::from(previous.text_range().end());
    if previous.kind() == SyntaxKind::TOKEN_COMMENT && previous.text().starts_with('#') {
        let line = style::next_line_start(text, previous_end);
        let indent = entry
            .parent()
            .map(|container| line_indent(text, start(&container)).to_string())
            .unwrap_or_default();
        return Some(TextEdit::replace(
            TextRange::new(size(line), size(entry_end + spaces_after)),
            indent,
        ));
    }
    Some(TextEdit::delete(TextRange::new(
        size(previous_end),
        size(entry_end),
    )))
}

/// Replaces the value of a binding, keeping everything around it.
pub fn replace_value(binding: &ast::AttrpathValue, new_value: &str) -> Option<TextEdit> {
    let value = binding.value()?;
    Some(TextEdit::replace(
        value.syntax().text_range(),
        new_value.to_string(),
    ))
}

#[path = "edit/layout.rs"]
mod layout;
#[path = "edit/remove.rs"]
mod remove;

pub use layout::{break_long_one_line_sets, MAX_LINE_WIDTH};
pub use remove::remove_entries;

#[cfg(test)]
#[path = "edit/tests.rs"]
mod tests;
