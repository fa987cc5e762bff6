//! Style inference: line endings, indentation, and the line geometry edits need.

use rnix::{SyntaxNode, TextSize};

/// The line ending a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
}

impl LineEnding {
    /// The ending most lines of `text` use; LF for a text without newline.
    pub fn detect(text: &str) -> LineEnding {
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let crlf = memchr::memmem::find_iter(text.as_bytes(), b"\r\n").count();
        if crlf > 0 && crlf * 2 >= newlines {
            LineEnding::CrLf
        } else {
            LineEnding::Lf
        }
    }

    /// The ending as text.
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
        }
    }
}

/// Byte offset of the start of the line containing `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |index| index + 1)
}

/// Byte offset of the end of the line containing `offset`: the position of
/// its `\r\n` or `\n`, or the end of the text.
pub fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let end = text[offset..]
        .find('\n')
        .map_or(text.len(), |index| offset + index);
    if end > 0 && end < text.len() && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// Offset just past the line break ending the line containing `offset`
/// (the end of the text when the line has none).
pub fn next_line_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text[offset..]
        .find('\n')
        .map_or(text.len(), |index| offset + index + 1)
}

/// The leading whitespace of the line containing `offset`.
pub fn line_indent(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let rest = &text[start..];
    let len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..len]
}

/// True when only spaces and tabs precede `offset` on its line.
pub fn starts_line(text: &str, offset: usize) -> bool {
    text[line_start(text, offset)..offset.min(text.len())]
        .chars()
        .all(|c| c == ' ' || c == '\t')
}

/// True when the line containing `offset` is empty or only whitespace.
pub fn is_blank_line(text: &str, offset: usize) -> bool {
    text[line_start(text, offset)..line_end(text, offset)]
        .trim()
        .is_empty()
}

/// True when the node's text spans more than one line.
pub fn is_multiline(text: &str, node: &SyntaxNode) -> bool {
    let range = node.text_range();
    text[usize::from(range.start())..usize::from(range.end())].contains('\n')
}

/// The indentation unit used by the file: a tab, or the most common
/// positive difference between the indentation of consecutive lines.
/// Two spaces for a file that indents nothing.
pub fn file_indent_unit(text: &str) -> String {
    let mut tab_lines = 0usize;
    let mut space_lines = 0usize;
    let mut counts = [0usize; 9];
    let mut previous = 0usize;
    // Lines as `str::lines` gives them, found with memchr: this reads the
    // whole file once per edit of it.
    let bytes = text.as_bytes();
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes)
        .chain((!bytes.is_empty() && bytes.last() != Some(&b'\n')).then_some(bytes.len()));
    for end in ends {
        let line = &bytes[start..end];
        start = end + 1;
        // The first byte that is not ASCII white space; a line of white
        // space only (or of other Unicode white space) is blank.
        let Some(first) = line.iter().position(|byte| !byte.is_ascii_whitespace()) else {
            continue;
        };
        if !line[first].is_ascii() {
            let Ok(line) = std::str::from_utf8(line) else {
                continue;
            };
            if line.trim().is_empty() {
                continue;
            }
        }
        if line.first() == Some(&b'\t') {
            tab_lines += 1;
            continue;
        }
        let width = line.iter().take_while(|&&byte| byte == b' ').count();
        if width > 0 {
            space_lines += 1;
        }
        if width > previous && width - previous <= 8 {
            counts[width - previous] += 1;
        }
        previous = width;
    }
    if tab_lines > space_lines {
        return "\t".to_string();
    }
    let best = (1..=8).max_by_key(|width| (counts[*width], usize::MAX - width));
    match best {
        Some(width) if counts[width] > 0 => " ".repeat(width),
        _ => "  ".to_string(),
    }
}

/// Re-indents a snippet written with one `\t` per nesting level and `\n`
/// line breaks: every line after the first gets `base` plus the nesting in
/// `unit`, and line breaks become `ending`.
pub fn reindent(snippet: &str, base: &str, unit: &str, ending: LineEnding) -> String {
    let mut output = String::with_capacity(snippet.len() + 16);
    for (index, line) in snippet.split('\n').enumerate() {
        if index > 0 {
            output.push_str(ending.as_str());
            if line.trim().is_empty() {
                continue;
            }
            output.push_str(base);
        }
        let depth = line.len() - line.trim_start_matches('\t').len();
        for _ in 0..depth {
            output.push_str(unit);
        }
        output.push_str(&line[depth..]);
    }
    output
}

/// Joins a multi-line snippet into one line: each line trimmed, joined by
/// single spaces. Valid because generated snippets never contain raw line
/// breaks inside strings.
pub fn flatten(snippet: &str) -> String {
    snippet
        .split('\n')
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Convenience: the offset of a node's start as `usize`.
pub(crate) fn start(node: &SyntaxNode) -> usize {
    usize::from(node.text_range().start())
}

/// Convenience: the offset of a node's end as `usize`.
pub(crate) fn end(node: &SyntaxNode) -> usize {
    usize::from(node.text_range().end())
}

/// Converts a `usize` offset into a `TextSize`. Offsets come from texts
/// rnix parsed, which are smaller than 4 GiB.
pub(crate) fn size(offset: usize) -> TextSize {
    TextSize::try_from(offset).unwrap_or(TextSize::from(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_follow_the_majority() {
        assert_eq!(LineEnding::detect("a\r\nb\r\n"), LineEnding::CrLf);
        assert_eq!(LineEnding::detect("a\nb\n"), LineEnding::Lf);
        assert_eq!(LineEnding::detect("a"), LineEnding::Lf);
    }

    /// The unit as it was computed with `str::lines`, for comparison.
    fn indent_unit_by_lines(text: &str) -> String {
        let mut tab_lines = 0usize;
        let mut space_lines = 0usize;
        let mut counts = [0usize; 9];
        let mut previous = 0usize;
        for line in text.lines() {
            if line.trim().is_empty() {
                continue;
            }
            if line.starts_with('\t') {
                tab_lines += 1;
                continue;
            }
            let width = line.len() - line.trim_start_matches(' ').len();
            if width > 0 {
                space_lines += 1;
            }
            if width > previous && width - previous <= 8 {
                counts[width - previous] += 1;
            }
            previous = width;
        }
        if tab_lines > space_lines {
            return "\t".to_string();
        }
        let best = (1..=8).max_by_key(|width| (counts[*width], usize::MAX - width));
        match best {
            Some(width) if counts[width] > 0 => " ".repeat(width),
            _ => "  ".to_string(),
        }
    }

    proptest::proptest! {
        #[test]
        fn the_indent_unit_reads_lines_as_str_lines_does(
            text in "([ \t\r\u{a0}\u{2003}]{0,9}[a-z{};=]{0,3}\r?\n){0,12}[ \ta]{0,4}",
        ) {
            proptest::prop_assert_eq!(file_indent_unit(&text), indent_unit_by_lines(&text));
            let crlf = text.matches("\r\n").count();
            let newlines = text.matches('\n').count();
            let expected = if crlf > 0 && crlf * 2 >= newlines { LineEnding::CrLf } else { LineEnding::Lf };
            proptest::prop_assert_eq!(LineEnding::detect(&text), expected);
        }
    }

    #[test]
    fn indent_units_are_inferred() {
        assert_eq!(file_indent_unit("{\n\ta = {\n\t\tb = 1;\n\t};\n}"), "\t");
        assert_eq!(
            file_indent_unit("{\n    a = {\n        b = 1;\n    };\n}"),
            "    "
        );
        assert_eq!(file_indent_unit("{\n  a = 1;\n}"), "  ");
        assert_eq!(file_indent_unit("{ a = 1; }"), "  ");
    }

    #[test]
    fn reindent_and_flatten_snippets() {
        let snippet = "x = {\n\turl = \"u\";\n};";
        assert_eq!(
            reindent(snippet, "  ", "    ", LineEnding::CrLf),
            "x = {\r\n      url = \"u\";\r\n  };"
        );
        assert_eq!(flatten(snippet), "x = { url = \"u\"; };");
    }

    #[test]
    fn line_geometry() {
        let text = "ab\r\n  cd\nef";
        assert_eq!(line_start(text, 6), 4);
        assert_eq!(line_end(text, 0), 2);
        assert_eq!(line_end(text, 6), 8);
        assert_eq!(next_line_start(text, 0), 4);
        assert_eq!(line_indent(text, 7), "  ");
        assert!(starts_line(text, 6));
        assert!(!starts_line(text, 7));
    }
}
