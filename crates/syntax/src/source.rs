//! A parsed file: its text, its lossless tree, its syntax errors and a line index.

use rnix::{Root, SyntaxNode, TextRange, TextSize};
use rowan::ast::AstNode;

use crate::reparse::Reparsed;

/// A syntax error with the byte range it covers and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where the error is; an empty range at the end of the file for
    /// "unexpected end of file".
    pub range: TextRange,
    /// What is wrong, without the position (callers add `path:line:col`).
    pub message: String,
}

/// The text of a Nix file together with its lossless syntax tree.
///
/// Printing the tree gives back the text byte for byte, with or without
/// syntax errors (see the preservation contract in the crate docs).
#[derive(Clone)]
pub struct SourceFile {
    text: String,
    root: Root,
    errors: Vec<SyntaxError>,
    /// Built on first use: most edits never need positions, and a bulk run
    /// should not pay for an index per file.
    lines: std::sync::OnceLock<LineIndex>,
    /// The file's line ending and indentation unit, read on first use:
    /// each is a pass over the whole text, which an operation making many
    /// edits (a fix per input) must not repeat per edit.
    style: std::sync::OnceLock<(crate::style::LineEnding, String)>,
    /// When this file was made from another by re-parsing only the nodes
    /// an edit touched, those nodes; the tree outside them is the other
    /// file's tree.
    reparsed: Option<Box<[Reparsed]>>,
}

impl std::fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceFile")
            .field("len", &self.text.len())
            .field("errors", &self.errors)
            .finish()
    }
}

impl SourceFile {
    /// Parses `text`. Never fails: syntax errors are collected in [`SourceFile::errors`].
    pub fn parse(text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let parse = Root::parse(&text);
        let end = TextSize::of(text.as_str());
        let errors = parse
            .errors()
            .iter()
            .map(|error| convert_error(error, end))
            .collect();
        SourceFile {
            root: parse.tree(),
            text,
            errors,
            lines: std::sync::OnceLock::new(),
            style: std::sync::OnceLock::new(),
            reparsed: None,
        }
    }

    /// A file without syntax error built by [`crate::change::ChangeSet::apply`]
    /// from another by re-parsing only `reparsed`.
    pub(crate) fn spliced(text: String, root: Root, reparsed: Vec<Reparsed>) -> SourceFile {
        SourceFile {
            text,
            root,
            errors: Vec::new(),
            lines: std::sync::OnceLock::new(),
            style: std::sync::OnceLock::new(),
            reparsed: Some(reparsed.into_boxed_slice()),
        }
    }

    /// A file made from another by re-lexing one token (see [`SourceFile::edited`]):
    /// the same tree shape, one token's text changed.
    pub(crate) fn relexed(text: String, root: Root, errors: Vec<SyntaxError>) -> SourceFile {
        SourceFile {
            text,
            root,
            errors,
            lines: std::sync::OnceLock::new(),
            style: std::sync::OnceLock::new(),
            reparsed: None,
        }
    }

    /// When [`crate::ChangeSet::apply`] made this file by re-parsing only
    /// the nodes its edits touched (the rest of the tree is the original
    /// file's), those nodes; `None` after a whole parse. Checks that compare
    /// the file with the original can then look at these nodes only.
    pub fn reparsed(&self) -> Option<&[Reparsed]> {
        self.reparsed.as_deref()
    }

    /// The text the file was parsed from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The typed root of the tree.
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// The untyped root node of the tree.
    pub fn syntax(&self) -> &SyntaxNode {
        self.root.syntax()
    }

    /// Syntax errors, in the order the parser found them.
    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// True when the file has no syntax error.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// The line ending most lines of the file end with
    /// ([`crate::style::LineEnding::detect`]).
    pub fn line_ending(&self) -> crate::style::LineEnding {
        self.style().0
    }

    /// The file's indentation unit ([`crate::style::file_indent_unit`]).
    pub fn indent_unit(&self) -> &str {
        &self.style().1
    }

    fn style(&self) -> &(crate::style::LineEnding, String) {
        self.style.get_or_init(|| {
            (
                crate::style::LineEnding::detect(&self.text),
                crate::style::file_indent_unit(&self.text),
            )
        })
    }

    /// The line index of the text.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The text of a range of this file.
    pub fn slice(&self, range: TextRange) -> &str {
        &self.text[range]
    }
}

fn convert_error(error: &rnix::ParseError, end: TextSize) -> SyntaxError {
    use rnix::ParseError::*;
    let at_end = TextRange::empty(end);
    let (range, message) = match error {
        Unexpected(range) => (*range, "unexpected syntax".to_string()),
        UnexpectedExtra(range) => (*range, "unexpected text after the expression".to_string()),
        UnexpectedWanted(got, range, wanted) => (
            *range,
            format!(
                "unexpected {}, expected {}",
                describe_kind(*got),
                describe_kinds(wanted)
            ),
        ),
        UnexpectedDoubleBind(range) => (*range, "a pattern is bound twice".to_string()),
        UnexpectedEOF => (at_end, "unexpected end of file".to_string()),
        UnexpectedEOFWanted(wanted) => (
            at_end,
            format!(
                "unexpected end of file, expected {}",
                describe_kinds(wanted)
            ),
        ),
        DuplicatedArgs(range, name) => (*range, format!("duplicate function argument `{name}`")),
        RecursionLimitExceeded => (at_end, "the file is nested too deeply to parse".to_string()),
        _ => (at_end, error.to_string()),
    };
    SyntaxError { range, message }
}

fn describe_kinds(kinds: &[rnix::SyntaxKind]) -> String {
    let names: Vec<String> = kinds.iter().map(|kind| describe_kind(*kind)).collect();
    match names.len() {
        0 => "something else".to_string(),
        1 => names[0].clone(),
        _ => format!("one of {}", names.join(", ")),
    }
}

fn describe_kind(kind: rnix::SyntaxKind) -> String {
    use rnix::SyntaxKind::*;
    let text = match kind {
        TOKEN_SEMICOLON => "`;`",
        TOKEN_ASSIGN => "`=`",
        TOKEN_COLON => "`:`",
        TOKEN_COMMA => "`,`",
        TOKEN_L_BRACE => "`{`",
        TOKEN_R_BRACE => "`}`",
        TOKEN_L_BRACK => "`[`",
        TOKEN_R_BRACK => "`]`",
        TOKEN_L_PAREN => "`(`",
        TOKEN_R_PAREN => "`)`",
        TOKEN_IN => "`in`",
        TOKEN_THEN => "`then`",
        TOKEN_ELSE => "`else`",
        TOKEN_IDENT => "an identifier",
        TOKEN_STRING_END => "the end of the string",
        TOKEN_INTERPOL_END => "`}` closing the interpolation",
        TOKEN_DOT => "`.`",
        other => return format!("{other:?}").to_lowercase().replace('_', " "),
    };
    text.to_string()
}

/// Converts byte offsets to 1-based line and column numbers.
///
/// Columns count Unicode scalar values (characters), which is what people
/// and most editors call a column. A `\r\n` pair ends a line as one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
    text_len: usize,
    /// For non-ASCII files, the text is needed to count characters.
    ascii: bool,
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column in characters, starting at 1.
    pub col: u32,
}

impl std::fmt::Display for LineCol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        // memchr's vectorised search: a byte-by-byte filter cost about
        // seven instructions a byte, 2.6% of `list-inputs` on a 2,350-line
        // flake (the index gives each input its line and column).
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|index| index + 1));
        LineIndex {
            line_starts,
            text_len: text.len(),
            ascii: text.is_ascii(),
        }
    }

    /// Number of lines (a final line without newline counts).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 0-based line `line` starts, if it exists.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).copied()
    }

    /// The 0-based line containing byte `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text_len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The 1-based line and column of byte `offset` in `text` (the text
    /// this index was built from).
    pub fn line_col(&self, text: &str, offset: TextSize) -> LineCol {
        let offset = usize::from(offset).min(self.text_len);
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let col = if self.ascii {
            offset - start
        } else {
            let end = floor_char_boundary(text, offset);
            text.get(start..end)
                .map_or(0, |slice| slice.chars().count())
        };
        LineCol {
            line: line as u32 + 1,
            col: col as u32 + 1,
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let text = "a\nbé c\r\nd";
        let index = LineIndex::new(text);
        let at = |offset: usize| index.line_col(text, TextSize::from(offset as u32));
        assert_eq!(at(0), LineCol { line: 1, col: 1 });
        assert_eq!(at(2), LineCol { line: 2, col: 1 });
        // 'c' is after "bé " where é is two bytes.
        assert_eq!(at(6), LineCol { line: 2, col: 4 });
        assert_eq!(at(9), LineCol { line: 3, col: 1 });
        assert_eq!(at(100), LineCol { line: 3, col: 2 });
    }

    #[test]
    fn every_line_start_is_indexed() {
        for text in ["", "a", "\n", "\n\n", "a\nb", "a\nb\n", "a\r\nbé\n\nc"] {
            let expected: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(index, _)| index + 1))
                .collect();
            let index = LineIndex::new(text);
            assert_eq!(index.line_count(), expected.len(), "{text:?}");
            for (line, start) in expected.iter().enumerate() {
                assert_eq!(index.line_start(line), Some(*start), "{text:?}");
            }
            assert_eq!(index.line_start(expected.len()), None, "{text:?}");
        }
    }

    #[test]
    fn syntax_errors_have_ranges_and_readable_messages() {
        let file = SourceFile::parse("{ a = 1 }");
        assert!(!file.is_valid());
        let error = &file.errors()[0];
        assert!(error.message.contains("`;`"), "{}", error.message);
        let file = SourceFile::parse("{ a = 1;");
        assert_eq!(file.errors()[0].range, TextRange::empty(TextSize::from(8)));
    }
}
