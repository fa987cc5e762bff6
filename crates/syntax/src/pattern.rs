//! Edits of a lambda's formals: `{ a, b }:`, `{ a, ... }@x:`, `x@{ ... }:`.

use rnix::ast;
use rnix::{SyntaxKind, SyntaxNode, SyntaxToken, TextRange};
use rowan::ast::AstNode;

use crate::change::TextEdit;
use crate::source::SourceFile;
use crate::style::{self, end, line_indent, size, start, LineEnding};

/// The name of a formal (`a` in `{ a ? 1 }`).
pub fn formal_name(entry: &ast::PatEntry) -> Option<String> {
    entry
        .ident()
        .and_then(|ident| ident.ident_token())
        .map(|token| token.text().to_string())
}

/// The names of all formals of a pattern, in order.
pub fn formal_names(pattern: &ast::Pattern) -> Vec<String> {
    pattern
        .pat_entries()
        .filter_map(|entry| formal_name(&entry))
        .collect()
}

/// The `@` name of a pattern (`inputs` in `inputs@{ ... }` or `{ ... }@inputs`).
pub fn pattern_alias(pattern: &ast::Pattern) -> Option<String> {
    pattern
        .pat_bind()
        .and_then(|bind| bind.ident())
        .and_then(|ident| ident.ident_token())
        .map(|token| token.text().to_string())
}

fn tokens(node: &SyntaxNode) -> impl Iterator<Item = SyntaxToken> {
    node.children_with_tokens()
        .filter_map(|element| element.into_token())
}

/// The elements between the braces: formals and the ellipsis, in order.
fn elements(pattern: &ast::Pattern) -> Vec<(TextRange, Option<String>)> {
    let mut elements = Vec::new();
    for child in pattern.syntax().children_with_tokens() {
        match child {
            rnix::NodeOrToken::Node(node) => {
                if let Some(entry) = ast::PatEntry::cast(node.clone()) {
                    elements.push((node.text_range(), formal_name(&entry)));
                }
            }
            rnix::NodeOrToken::Token(token) if token.kind() == SyntaxKind::TOKEN_ELLIPSIS => {
                elements.push((token.text_range(), None));
            }
            _ => {}
        }
    }
    elements
}

fn brace(pattern: &ast::Pattern, kind: SyntaxKind) -> Option<SyntaxToken> {
    tokens(pattern.syntax()).find(|token| token.kind() == kind)
}

/// True when commas start their lines (`{ a\n, b\n}` style).
fn leading_commas(text: &str, pattern: &ast::Pattern) -> bool {
    tokens(pattern.syntax())
        .filter(|token| token.kind() == SyntaxKind::TOKEN_COMMA)
        .any(|comma| style::starts_line(text, usize::from(comma.text_range().start())))
}

/// Adds a formal to a pattern, keeping its layout: one-line or one per
/// line, leading or trailing commas. The new formal goes before the `...`
/// when there is one, else last. Returns `None` when the name is already a
/// formal (adding is idempotent) or the pattern has no braces.
pub fn add_formal(file: &SourceFile, pattern: &ast::Pattern, name: &str) -> Option<TextEdit> {
    if formal_names(pattern)
        .iter()
        .any(|existing| existing == name)
    {
        return None;
    }
    let text = file.text();
    let open = brace(pattern, SyntaxKind::TOKEN_L_BRACE)?;
    let close = brace(pattern, SyntaxKind::TOKEN_R_BRACE)?;
    let inside = TextRange::new(open.text_range().end(), close.text_range().start());
    let multiline = text[inside].contains('\n');
    let elements = elements(pattern);
    let ellipsis = elements
        .iter()
        .find(|(_, name)| name.is_none())
        .map(|(r, _)| *r);
    let last_formal = elements
        .iter()
        .filter(|(range, name)| name.is_some() && ellipsis.is_none_or(|e| range.end() <= e.start()))
        .map(|(range, _)| *range)
        .next_back();
    let ending = LineEnding::detect(text).as_str();

    if elements.is_empty() {
        return Some(TextEdit::replace(inside, format!(" {name} ")));
    }
    if !multiline {
        return Some(match (ellipsis, last_formal) {
            (Some(ellipsis), _) => TextEdit::insert(ellipsis.start(), format!("{name}, ")),
            (None, Some(last)) => TextEdit::insert(last.end(), format!(", {name}")),
            (None, None) => TextEdit::replace(inside, format!(" {name} ")),
        });
    }

    let leading = leading_commas(text, pattern);
    let first_start = usize::from(elements[0].0.start());
    // Where entries on lines of their own are indented.
    let entry_indent = elements
        .iter()
        .map(|(range, _)| usize::from(range.start()))
        .find(|offset| style::starts_line(text, *offset))
        .map(|offset| line_indent(text, offset).to_string())
        .unwrap_or_else(|| {
            format!(
                "{}{}",
                line_indent(text, first_start),
                style::file_indent_unit(text)
            )
        });
    let comma_indent = tokens(pattern.syntax())
        .filter(|token| token.kind() == SyntaxKind::TOKEN_COMMA)
        .map(|comma| usize::from(comma.text_range().start()))
        .find(|offset| style::starts_line(text, *offset))
        .map(|offset| line_indent(text, offset).to_string())
        .unwrap_or_else(|| line_indent(text, usize::from(open.text_range().start())).to_string());

    if let Some(ellipsis) = ellipsis {
        let at = usize::from(ellipsis.start());
        if leading && style::starts_line(text, at) {
            // `, ...` on its own line is impossible (the comma precedes it on
            // the line); the ellipsis starting a line only happens first.
            return Some(TextEdit::insert(
                size(at),
                format!("{name}{ending}{comma_indent}, "),
            ));
        }
        if leading {
            // `  , ...`: put `, name` on a line of its own before it.
            let comma_line = style::line_start(text, at);
            if style::line_indent(text, at).len() + style::line_start(text, at) < at
                && text[comma_line..at].trim() == ","
            {
                return Some(TextEdit::insert(
                    size(comma_line),
                    format!("{comma_indent}, {name}{ending}"),
                ));
            }
            return Some(TextEdit::insert(size(at), format!("{name}, ")));
        }
        if style::starts_line(text, at) {
            let line = style::line_start(text, at);
            return Some(TextEdit::insert(
                size(line),
                format!("{entry_indent}{name},{ending}"),
            ));
        }
        return Some(TextEdit::insert(size(at), format!("{name}, ")));
    }

    let last = last_formal?;
    let last_end = usize::from(last.end());
    if leading {
        return Some(TextEdit::insert(
            size(last_end),
            format!("{ending}{comma_indent}, {name}"),
        ));
    }
    // Trailing commas: keep a final comma if the last formal has one.
    let after = next_significant(pattern, last_end);
    match after {
        Some(comma) if comma.kind == SyntaxKind::TOKEN_COMMA => Some(TextEdit::insert(
            comma.range.end(),
            format!("{ending}{entry_indent}{name},"),
        )),
        _ => Some(TextEdit::insert(
            size(last_end),
            format!(",{ending}{entry_indent}{name}"),
        )),
    }
}

/// A non-trivia child (token or node) of the pattern, as kind and range.
#[derive(Debug, Clone, Copy)]
struct Element {
    kind: SyntaxKind,
    range: TextRange,
}

fn significant(pattern: &ast::Pattern) -> Vec<Element> {
    pattern
        .syntax()
        .children_with_tokens()
        .filter(|element| {
            !matches!(
                element.kind(),
                SyntaxKind::TOKEN_WHITESPACE | SyntaxKind::TOKEN_COMMENT
            )
        })
        .map(|element| Element {
            kind: element.kind(),
            range: element.text_range(),
        })
        .collect()
}

fn next_significant(pattern: &ast::Pattern, offset: usize) -> Option<Element> {
    significant(pattern)
        .into_iter()
        .find(|element| usize::from(element.range.start()) >= offset)
}

fn previous_significant(pattern: &ast::Pattern, offset: usize) -> Option<Element> {
    significant(pattern)
        .into_iter()
        .rfind(|element| usize::from(element.range.end()) <= offset)
}

/// Removes a formal with one adjacent comma, keeping the pattern's layout.
/// Returns `None` when there is no such formal.
pub fn remove_formal(file: &SourceFile, pattern: &ast::Pattern, name: &str) -> Option<TextEdit> {
    let text = file.text();
    let entry = pattern
        .pat_entries()
        .find(|entry| formal_name(entry).as_deref() == Some(name))?;
    let node = entry.syntax();
    let entry_start = start(node);
    let entry_end = end(node);
    let following = next_significant(pattern, entry_end);
    let preceding = previous_significant(pattern, entry_start);
    let comma_after = following.filter(|element| element.kind == SyntaxKind::TOKEN_COMMA);
    let comma_before = preceding.filter(|element| element.kind == SyntaxKind::TOKEN_COMMA);

    // The entry and its comma fill whole lines: remove those lines.
    let line_from = style::line_start(text, entry_start);
    let before_on_line = text[line_from..entry_start].trim();
    let (own_start, own_end) = match (before_on_line, comma_after) {
        ("", Some(comma)) => (line_from, usize::from(comma.range.end())),
        ("", None) => (line_from, entry_end),
        (",", _) => (line_from, entry_end),
        _ => (usize::MAX, 0),
    };
    if own_start != usize::MAX {
        let rest = text[own_end..style::line_end(text, own_end)].trim();
        // With leading commas, a formal right after `{` cannot lose its line
        // unless the next line's comma goes too; handled by the token path.
        if rest.is_empty()
            && (before_on_line == "," || comma_after.is_some() || comma_before.is_some())
        {
            let to = style::next_line_start(text, own_end);
            // Without a comma after it, the previous formal's comma now
            // trails; Nix accepts a trailing comma in formals.
            return Some(TextEdit::delete(TextRange::new(size(own_start), size(to))));
        }
    }

    if let Some(comma) = comma_after {
        // `a, b` → `b`: remove the entry, its comma and the space after it.
        let comma_end = usize::from(comma.range.end());
        let to = next_significant(pattern, comma_end)
            .map_or(comma_end, |next| usize::from(next.range.start()));
        return Some(TextEdit::delete(TextRange::new(
            size(entry_start),
            size(to),
        )));
    }
    if let Some(comma) = comma_before {
        // `a, b` → `a`: remove from the end of the previous element.
        let comma_start = usize::from(comma.range.start());
        let from = previous_significant(pattern, comma_start)
            .map_or(comma_start, |previous| usize::from(previous.range.end()));
        return Some(TextEdit::delete(TextRange::new(
            size(from),
            size(entry_end),
        )));
    }
    // The only element: `{ a }` → `{ }`.
    let before = &text[..entry_start];
    let spaces = before.len() - before.trim_end_matches([' ', '\t']).len();
    Some(TextEdit::delete(TextRange::new(
        size(entry_start - spaces),
        size(entry_end),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern_of(file: &SourceFile) -> ast::Pattern {
        file.syntax()
            .descendants()
            .find_map(ast::Pattern::cast)
            .expect("a pattern")
    }

    fn add(text: &str, name: &str) -> String {
        let file = SourceFile::parse(text);
        let mut changes = crate::ChangeSet::new();
        if let Some(edit) = add_formal(&file, &pattern_of(&file), name) {
            changes.add(edit).unwrap();
        }
        let result = changes.apply(&file).expect("still parses");
        result.text().to_string()
    }

    fn remove(text: &str, name: &str) -> String {
        let file = SourceFile::parse(text);
        let mut changes = crate::ChangeSet::new();
        if let Some(edit) = remove_formal(&file, &pattern_of(&file), name) {
            changes.add(edit).unwrap();
        }
        let result = changes.apply(&file).expect("still parses");
        result.text().to_string()
    }

    #[test]
    fn add_to_one_line_patterns() {
        assert_eq!(
            add("{ self, nixpkgs }: 1", "riot"),
            "{ self, nixpkgs, riot }: 1"
        );
        assert_eq!(
            add("{ self, ... }@inputs: 1", "riot"),
            "{ self, riot, ... }@inputs: 1"
        );
        assert_eq!(add("inputs@{ ... }: 1", "riot"), "inputs@{ riot, ... }: 1");
        assert_eq!(add("{ }: 1", "riot"), "{ riot }: 1");
        assert_eq!(add("{}: 1", "riot"), "{ riot }: 1");
        assert_eq!(add("{ self, riot }: 1", "riot"), "{ self, riot }: 1");
    }

    #[test]
    fn add_to_one_per_line_patterns() {
        assert_eq!(
            add("{ self\n, nixpkgs\n}: 1", "riot"),
            "{ self\n, nixpkgs\n, riot\n}: 1"
        );
        assert_eq!(
            add("{\n  self,\n  nixpkgs,\n}: 1", "riot"),
            "{\n  self,\n  nixpkgs,\n  riot,\n}: 1"
        );
        assert_eq!(
            add("{\n  self,\n  nixpkgs\n}: 1", "riot"),
            "{\n  self,\n  nixpkgs,\n  riot\n}: 1"
        );
        assert_eq!(
            add("{\n  self,\n  ...\n}@inputs: 1", "riot"),
            "{\n  self,\n  riot,\n  ...\n}@inputs: 1"
        );
        assert_eq!(
            add("{ self\n, nixpkgs\n, ...\n}: 1", "riot"),
            "{ self\n, nixpkgs\n, riot\n, ...\n}: 1"
        );
        assert_eq!(
            add("{\r\n\tself,\r\n\tnixpkgs\r\n}: 1", "riot"),
            "{\r\n\tself,\r\n\tnixpkgs,\r\n\triot\r\n}: 1"
        );
    }

    #[test]
    fn remove_from_one_line_patterns() {
        assert_eq!(
            remove("{ self, nixpkgs, riot }: 1", "nixpkgs"),
            "{ self, riot }: 1"
        );
        assert_eq!(
            remove("{ self, nixpkgs, riot }: 1", "riot"),
            "{ self, nixpkgs }: 1"
        );
        assert_eq!(
            remove("{ self, nixpkgs, riot }: 1", "self"),
            "{ nixpkgs, riot }: 1"
        );
        assert_eq!(
            remove("{ self, riot, ... }@i: 1", "riot"),
            "{ self, ... }@i: 1"
        );
        assert_eq!(remove("{ riot }: 1", "riot"), "{ }: 1");
        assert_eq!(remove("{ self }: 1", "riot"), "{ self }: 1");
    }

    #[test]
    fn remove_from_one_per_line_patterns() {
        assert_eq!(
            remove("{ self\n, nixpkgs\n, riot\n}: 1", "nixpkgs"),
            "{ self\n, riot\n}: 1"
        );
        assert_eq!(
            remove("{ self\n, nixpkgs\n, riot\n}: 1", "self"),
            "{ nixpkgs\n, riot\n}: 1"
        );
        assert_eq!(
            remove("{\n  self,\n  nixpkgs,\n  riot,\n}: 1", "nixpkgs"),
            "{\n  self,\n  riot,\n}: 1"
        );
        assert_eq!(
            remove("{\n  self,\n  nixpkgs,\n  riot\n}: 1", "riot"),
            "{\n  self,\n  nixpkgs,\n}: 1"
        );
    }

    #[test]
    fn aliases_and_names_are_read() {
        let file = SourceFile::parse("inputs@{ self, nixpkgs ? null, ... }: 1");
        let pattern = pattern_of(&file);
        assert_eq!(formal_names(&pattern), vec!["self", "nixpkgs"]);
        assert_eq!(pattern_alias(&pattern).as_deref(), Some("inputs"));
    }
}
