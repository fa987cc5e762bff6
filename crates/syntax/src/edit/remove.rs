//! Removing several entries at once, with the comment lines that belong to
//! them, without leaving blank-line scars.

use rnix::{SyntaxNode, TextRange};

use super::{end_with_trailing_comment, remove_entry, start_with_leading_comments};
use crate::source::SourceFile;
use crate::style::{self, size, start};

/// The byte ranges that remove `entries` (bindings or `inherit`s of sets or
/// `let`s) together with their comments: the comment lines directly above
/// an entry (no blank line between) and a comment after it on its line.
///
/// Entries on lines of their own are removed as whole lines; neighbouring
/// removals (also across blank lines) become one range, and a range never
/// leaves two blank lines in a row nor a new blank line right inside a
/// brace or bracket. An entry sharing its line with others is removed as
/// [`remove_entry`] does. The ranges are sorted and do not overlap.
pub fn remove_entries(file: &SourceFile, entries: &[SyntaxNode]) -> Vec<TextRange> {
    let text = file.text();
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut ranges: Vec<TextRange> = Vec::new();
    for entry in entries {
        let entry_start = start(entry);
        let entry_end = end_with_trailing_comment(entry);
        let own_lines =
            style::starts_line(text, entry_start) && style::line_end(text, entry_end) == entry_end;
        if !own_lines {
            ranges.push(remove_entry(file, entry).range);
            continue;
        }
        let from = style::line_start(text, start_with_leading_comments(text, entry));
        lines.push((from, style::next_line_start(text, entry_end)));
    }
    lines.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (from, to) in lines {
        match merged.last_mut() {
            // Only blank lines between: one removal, so the blank lines
            // between two removed entries do not pile up.
            Some(last) if from <= last.1 || text[last.1..from].trim().is_empty() => {
                last.1 = last.1.max(to);
            }
            _ => merged.push((from, to)),
        }
    }
    for (mut from, mut to) in merged {
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
        ranges.push(TextRange::new(size(from), size(to)));
    }
    ranges.sort_by_key(|range| (range.start(), range.end()));
    let mut disjoint: Vec<TextRange> = Vec::new();
    for range in ranges {
        match disjoint.last_mut() {
            Some(last) if range.start() <= last.end() => *last = last.cover(range),
            _ => disjoint.push(range),
        }
    }
    disjoint
}
