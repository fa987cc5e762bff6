//! Positions: byte offsets (what flakeedit's change sets use) to and from
//! LSP positions (line + UTF-16 or UTF-8 code-unit column).
//!
//! Conversions never fail: a position past the end of a line means the end
//! of that line, a line past the end of the text means the end of the text,
//! and a column inside a character means the start of that character. The
//! LSP specification asks servers to treat out-of-range positions this way.

use flakeedit_syntax::{ChangeSet, LineIndex, TextRange, TextSize};
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range, TextEdit};

/// How the client counts columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    /// UTF-16 code units: the LSP default, what every client supports.
    #[default]
    Utf16,
    /// UTF-8 bytes, when the client offers `general.positionEncodings` with `utf-8`.
    Utf8,
}

impl PositionEncoding {
    /// Chooses UTF-8 when the client offers it, UTF-16 otherwise.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> PositionEncoding {
        let utf8 = offered
            .unwrap_or_default()
            .contains(&PositionEncodingKind::UTF8);
        if utf8 {
            PositionEncoding::Utf8
        } else {
            PositionEncoding::Utf16
        }
    }

    /// The LSP name of this encoding.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        }
    }
}

/// The byte offset of `position` in `text` (clamped like
/// [`LineMap::offset`]), found by scanning to its line: for a position or
/// two in a large text, cheaper than indexing every line.
pub fn offset_of(text: &str, position: Position, encoding: PositionEncoding) -> usize {
    let line = position.line as usize;
    let start = match line.checked_sub(1) {
        None => 0,
        Some(breaks) => match text.match_indices('\n').nth(breaks) {
            Some((at, _)) => at + 1,
            None => return text.len(),
        },
    };
    let next = text
        .get(start..)
        .and_then(|rest| rest.find('\n'))
        .map(|at| start + at + 1);
    column_offset(text, start, next, position.character, encoding)
}

/// The offset of column `character` on the line starting at `start`, whose
/// next line starts at `next` (`None` for the last line).
fn column_offset(
    text: &str,
    start: usize,
    next: Option<usize>,
    character: u32,
    encoding: PositionEncoding,
) -> usize {
    // The line's content, without its line break.
    let end = next.map_or(text.len(), |next| next - 1);
    let end = if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    };
    let Some(content) = text.get(start..end) else {
        return start.min(text.len());
    };
    let wanted = character as usize;
    let mut units = 0usize;
    for (index, character) in content.char_indices() {
        let width = match encoding {
            PositionEncoding::Utf16 => character.len_utf16(),
            PositionEncoding::Utf8 => character.len_utf8(),
        };
        if units + width > wanted {
            return start + index;
        }
        units += width;
    }
    end
}

/// Line starts of a text, for converting offsets and positions.
#[derive(Debug, Clone)]
pub struct LineMap {
    lines: LineIndex,
    encoding: PositionEncoding,
}

impl LineMap {
    /// Indexes `text` for `encoding`.
    pub fn new(text: &str, encoding: PositionEncoding) -> LineMap {
        LineMap {
            lines: LineIndex::new(text),
            encoding,
        }
    }

    /// The byte offset of `position` in `text` (clamped, see the module docs).
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let line = position.line as usize;
        let Some(start) = self.lines.line_start(line) else {
            return text.len();
        };
        let next = self.lines.line_start(line + 1);
        column_offset(text, start, next, position.character, self.encoding)
    }

    /// The LSP position of byte `offset` in `text` (clamped to the text and
    /// rounded down to a character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.lines.line_of(offset);
        let start = self.lines.line_start(line).unwrap_or(0);
        let prefix = text.get(start..offset).unwrap_or_default();
        let character = match self.encoding {
            PositionEncoding::Utf16 => prefix.encode_utf16().count(),
            PositionEncoding::Utf8 => prefix.len(),
        };
        Position {
            line: saturate(line),
            character: saturate(character),
        }
    }

    /// The LSP range of a byte range.
    pub fn range(&self, text: &str, range: TextRange) -> Range {
        Range {
            start: self.position(text, usize::from(range.start())),
            end: self.position(text, usize::from(range.end())),
        }
    }

    /// The byte range of an LSP range; a reversed range is put in order.
    pub fn text_range(&self, text: &str, range: Range) -> TextRange {
        let start = self.offset(text, range.start);
        let end = self.offset(text, range.end);
        let (start, end) = if start <= end {
            (start, end)
        } else {
            (end, start)
        };
        TextRange::new(text_size(start), text_size(end))
    }

    /// The LSP edits of a change set made against `text`.
    pub fn edits(&self, text: &str, changes: &ChangeSet) -> Vec<TextEdit> {
        changes
            .edits()
            .iter()
            .map(|edit| TextEdit {
                range: self.range(text, edit.range),
                new_text: edit.insert.clone(),
            })
            .collect()
    }
}

fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// A byte offset as a `TextSize`; texts over 4 GiB never reach here (the
/// server refuses documents that large), so saturating is only a guard.
pub fn text_size(offset: usize) -> TextSize {
    TextSize::from(saturate(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs_as_two() {
        // "é" is 2 bytes and 1 UTF-16 unit; "🦀" is 4 bytes and 2 units.
        let text = "a = \"é🦀x\";\nb";
        let map = LineMap::new(text, PositionEncoding::Utf16);
        let x = text.find('x').unwrap();
        assert_eq!(map.position(text, x), position(0, 8));
        assert_eq!(map.offset(text, position(0, 8)), x);
        // Inside the surrogate pair: the start of the crab.
        let crab = text.find('🦀').unwrap();
        assert_eq!(map.offset(text, position(0, 7)), crab);
        assert_eq!(map.offset(text, position(1, 0)), text.len() - 1);
    }

    #[test]
    fn utf8_columns_count_bytes() {
        let text = "é🦀x";
        let map = LineMap::new(text, PositionEncoding::Utf8);
        assert_eq!(map.position(text, 6), position(0, 6));
        assert_eq!(map.offset(text, position(0, 6)), 6);
        // Inside a character: rounded down to its start.
        assert_eq!(map.offset(text, position(0, 1)), 0);
        assert_eq!(map.position(text, 1), position(0, 0));
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\r\ncd\n";
        let map = LineMap::new(text, PositionEncoding::Utf16);
        // Past the end of a CRLF line: before the `\r`.
        assert_eq!(map.offset(text, position(0, 99)), 2);
        assert_eq!(map.offset(text, position(1, 99)), 6);
        // Past the last line: the end of the text.
        assert_eq!(map.offset(text, position(99, 0)), text.len());
        assert_eq!(map.position(text, 1000), position(2, 0));
        let range = map.text_range(
            text,
            Range {
                start: position(1, 1),
                end: position(0, 1),
            },
        );
        assert_eq!(range, TextRange::new(1.into(), 5.into()));
    }

    #[test]
    fn negotiation_prefers_utf8_only_when_offered() {
        assert_eq!(PositionEncoding::negotiate(None), PositionEncoding::Utf16);
        let offered = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(
            PositionEncoding::negotiate(Some(&offered)),
            PositionEncoding::Utf8
        );
        let offered = [PositionEncodingKind::UTF32];
        assert_eq!(
            PositionEncoding::negotiate(Some(&offered)),
            PositionEncoding::Utf16
        );
    }

    #[test]
    fn scanning_to_a_line_finds_what_the_line_table_finds() {
        let text = "a🦀b\r\n\ncd\n\u{e9}x";
        for encoding in [PositionEncoding::Utf16, PositionEncoding::Utf8] {
            let map = LineMap::new(text, encoding);
            for line in 0..6 {
                for character in 0..8 {
                    let position = Position { line, character };
                    assert_eq!(
                        offset_of(text, position, encoding),
                        map.offset(text, position),
                        "{position:?} {encoding:?}"
                    );
                }
            }
        }
    }
}
