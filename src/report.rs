//! Human rendering: error locations, diffs (JSON is [`crate::output`]).

use std::path::Path;

use flakeedit_flake::FlakeError;
use flakeedit_syntax::{LineIndex, TextSize, Warning};

/// A unified diff of a file's change, `--- a/path` / `+++ b/path`.
pub fn unified_diff(path: &Path, old: &str, new: &str, color: bool) -> String {
    let display = path.display().to_string();
    let shown = display.trim_start_matches('/');
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string();
    if !color {
        return text;
    }
    text.lines()
        .map(|line| {
            let code = if line.starts_with("+++") || line.starts_with("---") {
                "1"
            } else if line.starts_with('+') {
                "32"
            } else if line.starts_with('-') {
                "31"
            } else if line.starts_with("@@") {
                "36"
            } else {
                ""
            };
            if code.is_empty() {
                format!("{line}\n")
            } else {
                format!("\x1b[{code}m{line}\x1b[0m\n")
            }
        })
        .collect()
}

/// `path:line:col` of an offset in `text`.
pub fn location(path: &Path, text: &str, offset: TextSize) -> String {
    let index = LineIndex::new(text);
    let position = index.line_col(text, offset);
    format!("{}:{}:{}", path.display(), position.line, position.col)
}

/// Renders an edit's warnings, one line each: `path:line:col: warning:
/// message` for a warning about one place, `path: warning: message` otherwise.
pub fn render_warnings(path: &Path, text: &str, warnings: &[Warning]) -> String {
    let mut out = String::new();
    // Built only when a warning has a place: most have none.
    let mut index = None;
    for warning in warnings {
        match warning.range {
            Some(range) => {
                let index = index.get_or_insert_with(|| LineIndex::new(text));
                let at = index.line_col(text, range.start());
                out.push_str(&format!(
                    "{}:{}:{}: warning: {}\n",
                    path.display(),
                    at.line,
                    at.col,
                    warning.message
                ));
            }
            None => out.push_str(&format!(
                "{}: warning: {}\n",
                path.display(),
                warning.message
            )),
        }
    }
    out
}

/// Renders an operation error: `path:line:col: error: message`, related
/// places as notes, then the hint.
pub fn render_error(path: &Path, text: &str, error: &FlakeError) -> String {
    let offset = error.range.map_or(TextSize::from(0), |range| range.start());
    let mut out = format!(
        "{}: error: {}\n",
        location(path, text, offset),
        error.message
    );
    for (range, label) in &error.related {
        out.push_str(&format!(
            "{}: note: {label}\n",
            location(path, text, range.start())
        ));
    }
    if let Some(hint) = &error.hint {
        out.push_str(&format!("  hint: {hint}\n"));
    }
    out
}

/// One line for an operation error, as bulk runs print them:
/// `path:line:col: error: message`.
pub fn render_error_line(path: &Path, text: &str, error: &FlakeError) -> String {
    let offset = error.range.map_or(TextSize::from(0), |range| range.start());
    format!(
        "{}: error: {}\n",
        location(path, text, offset),
        error.message
    )
}
