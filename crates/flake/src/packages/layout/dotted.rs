//! A per-system output written as one dotted binding below a dynamic
//! system (`packages.${system}.default = X;`).
//!
//! Nix rejects a second binding below that dynamic attribute
//! (`packages.${system}.new = …;` is "dynamic attribute already
//! defined"), so a new entry restructures the binding into a set:
//! `packages.${system} = { default = X; new = …; };`. `X` keeps its text;
//! its continuation lines move one level in, except lines inside a
//! string whose value could change (an indented string strips only
//! its common indentation, and only in spaces).

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::style::{file_indent_unit, line_indent, reindent, starts_line, LineEnding};
use flakeedit_syntax::{SyntaxKind, TextEdit, TextRange, TextSize};
use rowan::ast::AstNode;

/// The single binding `HEAD.NAME = X;` whose `HEAD` ends in a dynamic
/// system segment, split where the set will open.
#[derive(Debug, Clone)]
pub struct DottedEntry {
    binding: ast::AttrpathValue,
    /// The end of the last attribute of `HEAD` (`${system}`).
    head_end: TextSize,
    /// The start of `NAME`.
    name_start: TextSize,
}

impl DottedEntry {
    /// The binding `head.name = X;` split after its first `head_len`
    /// attributes, when exactly one attribute follows them and only a
    /// `.` (no comment) separates them.
    pub(crate) fn split(binding: &ast::AttrpathValue, head_len: usize) -> Option<DottedEntry> {
        let attrs: Vec<ast::Attr> = binding.attrpath()?.attrs().collect();
        if head_len == 0 || attrs.len() != head_len + 1 {
            return None;
        }
        let head_end = attrs[head_len - 1].syntax().text_range().end();
        let name_start = attrs[head_len].syntax().text_range().start();
        let between = binding
            .syntax()
            .text()
            // Relative to the binding: a node's text is sliced from its start.
            .slice(TextRange::new(head_end, name_start) - binding.syntax().text_range().start())
            .to_string();
        if between.trim() != "." {
            return None;
        }
        Some(DottedEntry {
            binding: binding.clone(),
            head_end,
            name_start,
        })
    }

    /// The edit writing `HEAD = { NAME = X; <entry> };` in place of the
    /// binding. `entry` is a binding as flakeedit writes snippets (`\n`
    /// line breaks, one `\t` per level).
    pub(crate) fn restructure(&self, text: &str, entry: &str) -> TextEdit {
        let range = self.binding.syntax().text_range();
        let slice = |from: TextSize, to: TextSize| &text[usize::from(from)..usize::from(to)];
        let head = slice(range.start(), self.head_end);
        let start = usize::from(range.start());
        if !starts_line(text, start) {
            // A binding sharing its line: the set stays on that line too.
            let body = slice(self.name_start, range.end());
            let entry = flakeedit_syntax::style::flatten(entry);
            return TextEdit::replace(range, format!("{head} = {{ {body} {entry} }};"));
        }
        let ending = LineEnding::detect(text);
        let eol = ending.as_str();
        let outer = line_indent(text, start).to_string();
        let unit = file_indent_unit(text);
        let inner = format!("{outer}{unit}");
        let body = self.indented_body(text, &unit);
        let entry = reindent(entry, &inner, &unit, ending);
        TextEdit::replace(
            range,
            format!("{head} = {{{eol}{inner}{body}{eol}{inner}{entry}{eol}{outer}}};"),
        )
    }

    /// `NAME = X;` with each continuation line one `unit` further in,
    /// except blank lines and lines starting inside a string that could
    /// change (see [`shifts_safely`]).
    fn indented_body(&self, text: &str, unit: &str) -> String {
        let end = usize::from(self.binding.syntax().text_range().end());
        // Innermost first: a string nested in another's interpolation
        // comes after it in document order.
        let mut strings: Vec<(TextRange, bool)> = self
            .binding
            .syntax()
            .descendants()
            .filter(|node| node.kind() == SyntaxKind::NODE_STRING)
            .map(|node| (node.text_range(), shifts_safely(&node.to_string(), unit)))
            .collect();
        strings.reverse();
        let shifts = |offset: usize| {
            let offset = TextSize::from(offset as u32);
            strings
                .iter()
                .find(|(range, _)| range.start() < offset && offset < range.end())
                .map(|(_, safe)| *safe)
        };
        let mut body = String::new();
        let mut from = usize::from(self.name_start);
        while let Some(found) = text[from..end].find('\n') {
            let line_start = from + found + 1;
            body.push_str(&text[from..line_start]);
            let next = text[line_start..].chars().next();
            let shift = match shifts(line_start) {
                None => !matches!(next, Some('\n' | '\r') | None),
                // Nix ignores an empty line of an indented string.
                Some(safe) => safe && next != Some('\n'),
            };
            if shift {
                body.push_str(unit);
            }
            from = line_start;
        }
        body.push_str(&text[from..end]);
        body
    }
}

/// Whether every line after the first of the string literal `string` can
/// get `unit` in front without changing its value. Only an indented
/// string (`''…''`) can: Nix removes the smallest indentation in spaces
/// of its lines, so spaces added to all of them are removed again — when
/// its first line, which does not move, holds nothing but spaces (Nix
/// then ignores it), `unit` is spaces (a tab would be content) and no
/// line ends in `\r` (content too, so Nix strips nothing).
fn shifts_safely(string: &str, unit: &str) -> bool {
    let Some(rest) = string.strip_prefix("''") else {
        return false;
    };
    let first_line = rest.split('\n').next().unwrap_or_default();
    // A `\r` is content to Nix, not a line break: CRLF strings stay.
    rest.contains('\n')
        && !rest.contains('\r')
        && first_line.chars().all(|c| c == ' ')
        && !unit.is_empty()
        && unit.chars().all(|c| c == ' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use flakeedit_syntax::SourceFile;
    use rowan::ast::AstNode;

    fn restructured(text: &str) -> String {
        let file = SourceFile::parse(text);
        let binding = file
            .syntax()
            .descendants()
            .filter_map(ast::AttrpathValue::cast)
            .find(|b| b.syntax().text().to_string().starts_with("packages"))
            .expect("fixture has a packages binding");
        let dotted = DottedEntry::split(&binding, 2).expect("splits");
        let edit = dotted.restructure(text, "new = 1;");
        let mut out = text.to_string();
        let range = edit.range;
        out.replace_range(
            usize::from(range.start())..usize::from(range.end()),
            &edit.insert,
        );
        out
    }

    #[test]
    fn continuation_lines_move_in_except_inside_strings() {
        let text = "{\n  o = {\n    packages.${s}.default = f {\n      a = ''\n        x\n      '';\n\n      b = 1;\n    };\n  };\n}\n";
        let expected = "{\n  o = {\n    packages.${s} = {\n      default = f {\n        a = ''\n          x\n        '';\n\n        b = 1;\n      };\n      new = 1;\n    };\n  };\n}\n";
        assert_eq!(restructured(text), expected);
    }

    #[test]
    fn strings_whose_lines_could_change_keep_them() {
        // Text on the first line of an indented string, a quoted string
        // and a tab unit: Nix would read the shifted lines differently.
        assert!(!shifts_safely("''a\n  b''", "  "));
        assert!(!shifts_safely("\"a\n  b\"", "  "));
        assert!(!shifts_safely("''\n  b\n''", "\t"));
        assert!(!shifts_safely("''\r\n  b\r\n''", "  "));
        assert!(shifts_safely("''  \n  b\n''", "  "));
        let text = "{\n  o = {\n    packages.${s}.default = f {\n      a = ''x\n        y\n      '';\n    };\n  };\n}\n";
        let expected = "{\n  o = {\n    packages.${s} = {\n      default = f {\n        a = ''x\n        y\n      '';\n      };\n      new = 1;\n    };\n  };\n}\n";
        assert_eq!(restructured(text), expected);
    }

    #[test]
    fn a_binding_sharing_its_line_stays_on_it() {
        let text = "{ o = { packages.${s}.default = 1; }; }";
        assert_eq!(
            restructured(text),
            "{ o = { packages.${s} = { default = 1; new = 1; }; }; }"
        );
    }

    #[test]
    fn a_comment_between_the_attributes_is_not_split() {
        let file = SourceFile::parse("{ packages.${s}/* c */.default = 1; }");
        let binding = file
            .syntax()
            .descendants()
            .find_map(ast::AttrpathValue::cast)
            .expect("binding");
        assert!(DottedEntry::split(&binding, 2).is_none());
    }
}
