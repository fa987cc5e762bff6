//! The CLI's JSON output, one serde type per record: the per-file lines of
//! the edit commands (`--json`, JSON Lines in bulk), the bulk summary,
//! `init`'s and `outdated`'s records, and `check`'s document and SARIF log
//! (in [`check`]).
//! The schemas live here and nowhere else, so a field cannot be spelt two
//! ways.
//!
//! Two rules hold for every record:
//! - Keys are printed in sorted order (each record goes through
//!   [`serde_json::Value`], whose maps are sorted), as they always were: a
//!   field's place in its struct never changes the output.
//! - A path is written as text in `path` (or `uri`); when it is not UTF-8 the
//!   text is lossy (`\u{FFFD}` for each invalid sequence), so `path_bytes`
//!   follows it with the exact bytes (an array of numbers, 0 to 255) that
//!   name the file. UTF-8 paths have no `path_bytes`.

use std::path::Path;

use flakeedit_flake::update::Tracks;
use flakeedit_flake::{ErrorKind, FlakeError, InputSummary};
use flakeedit_syntax::{ChangeSet, LineIndex, Warning};
use serde::Serialize;

mod check;

pub use check::*;

/// Prints `record` on one line of stdout.
pub fn print(record: &impl Serialize) {
    println!("{}", line(record));
}

/// `record` as one line of JSON, keys sorted.
pub fn line(record: &impl Serialize) -> String {
    // Serialising plain data with string keys cannot fail; an error would
    // be a bug in a record type, shown rather than hidden.
    match serde_json::to_value(record) {
        Ok(value) => value.to_string(),
        Err(error) => format!("{{\"error\":\"cannot serialise a record: {error}\"}}"),
    }
}

/// A file's path: `path` as text, and `path_bytes` when that text is not
/// the file's exact name. Flattened into the record that names the file.
#[derive(Debug, Clone, Serialize)]
pub struct PathField {
    /// The path as text (lossy when it is not UTF-8).
    pub path: String,
    /// The path's bytes, only when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<Vec<u8>>,
}

impl PathField {
    /// The field for `path`.
    pub fn new(path: &Path) -> PathField {
        PathField {
            path: path.display().to_string(),
            path_bytes: exact_bytes(path),
        }
    }
}

/// The bytes of a path that is not UTF-8 (on Unix, where names are bytes;
/// elsewhere the lossy text is all there is).
fn exact_bytes(path: &Path) -> Option<Vec<u8>> {
    if path.to_str().is_some() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(path.as_os_str().as_bytes().to_vec())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The outcome of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The file was changed (or would be, with --dry-run/--check).
    Changed,
    /// Nothing to do.
    Unchanged,
    /// The operation does not apply (e.g. no such input).
    NotApplicable,
    /// An error; the file is untouched.
    Failed,
}

/// One file's line in the output of an edit command or `list-inputs`.
#[derive(Debug, Clone, Serialize)]
pub struct FileRecord {
    /// The file.
    #[serde(flatten)]
    pub path: PathField,
    /// What happened to it.
    pub outcome: Outcome,
    /// What else there is to say, by outcome.
    #[serde(flatten)]
    pub detail: FileDetail,
}

/// The fields of a [`FileRecord`] that depend on what happened.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum FileDetail {
    /// The edit failed or does not apply.
    Error {
        /// Why.
        error: ErrorRecord,
    },
    /// `list-inputs`.
    Inputs {
        /// Every input, in the file's order.
        inputs: Vec<InputSummary>,
    },
    /// Nothing to do.
    Unchanged {
        /// The operation's warnings.
        warnings: Vec<WarningRecord>,
    },
    /// The file changed (or would, without `--check`/`--dry-run`).
    Changed {
        /// Whether the new text was written.
        written: bool,
        /// The operation's warnings.
        warnings: Vec<WarningRecord>,
        /// Inputs whose flake.lock entry is stale after the change
        /// (`nix flake lock --update-input NAME` for each).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        relock: Vec<String>,
        /// The replacements, as byte offsets into the old text.
        edits: Vec<EditRecord>,
        /// The unified diff, with `--diff`.
        diff: Option<String>,
    },
}

/// One warning of an edit.
#[derive(Debug, Clone, Serialize)]
pub struct WarningRecord {
    /// Its stable code (`nothing-to-do`, `still-used`, …).
    pub code: &'static str,
    /// What happened and what to do.
    pub message: String,
    /// The place it is about, in the file before the edit; null when it is
    /// about no one place.
    pub range: Option<RangeRecord>,
}

impl WarningRecord {
    /// The records of `warnings`, whose ranges are in `text`.
    pub fn all(text: &str, warnings: &[Warning]) -> Vec<WarningRecord> {
        let index = warnings
            .iter()
            .any(|warning| warning.range.is_some())
            .then(|| LineIndex::new(text));
        warnings
            .iter()
            .map(|warning| WarningRecord {
                code: warning.code.as_str(),
                message: warning.message.clone(),
                range: warning
                    .range
                    .zip(index.as_ref())
                    .map(|(range, index)| RangeRecord::new(text, index, range)),
            })
            .collect()
    }
}

/// One replacement: bytes `start..end` of the old text become `insert`.
#[derive(Debug, Clone, Serialize)]
pub struct EditRecord {
    /// Byte offset where the replaced text starts.
    pub start: u32,
    /// Byte offset where it ends.
    pub end: u32,
    /// The new text.
    pub insert: String,
}

impl EditRecord {
    /// The replacements of a change set, in order.
    pub fn all(changes: &ChangeSet) -> Vec<EditRecord> {
        changes
            .edits()
            .iter()
            .map(|edit| EditRecord {
                start: u32::from(edit.range.start()),
                end: u32::from(edit.range.end()),
                insert: edit.insert.clone(),
            })
            .collect()
    }
}

/// Why a file failed.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ErrorRecord {
    /// The library refused or failed, at a place in the file.
    Flake {
        /// The library's error kind (`syntax`, `not-applicable`, …).
        kind: ErrorKind,
        /// The message.
        message: String,
        /// The file.
        #[serde(flatten)]
        path: PathField,
        /// 1-based line of the place, if the error has one.
        line: Option<u32>,
        /// 1-based column (UTF-8 characters) of the place.
        column: Option<u32>,
        /// What to do.
        hint: Option<String>,
        /// Other places the message refers to.
        related: Vec<RelatedRecord>,
    },
    /// The file could not be read or written.
    Io {
        /// Always `io`.
        kind: RunErrorKind,
        /// The message.
        message: String,
        /// What to do.
        hint: Option<String>,
    },
    /// flakeedit crashed on this file (and wrote nothing).
    Internal {
        /// Always `internal`.
        kind: RunErrorKind,
        /// The message.
        message: String,
    },
}

/// Error kinds of the CLI's own, beside the library's [`ErrorKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunErrorKind {
    /// Reading or writing a file.
    Io,
    /// A panic caught while processing a file.
    Internal,
}

/// A place a message refers to.
#[derive(Debug, Clone, Serialize)]
pub struct RelatedRecord {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is there.
    pub message: String,
}

impl ErrorRecord {
    /// The record of a library error in `text`, the contents of `path`.
    pub fn flake(path: &Path, text: &str, error: &FlakeError) -> ErrorRecord {
        let index = LineIndex::new(text);
        let position = error.range.map(|range| index.line_col(text, range.start()));
        ErrorRecord::Flake {
            kind: error.kind,
            message: error.message.clone(),
            path: PathField::new(path),
            line: position.map(|p| p.line),
            column: position.map(|p| p.col),
            hint: error.hint.clone(),
            related: error
                .related
                .iter()
                .map(|(range, label)| {
                    let p = index.line_col(text, range.start());
                    RelatedRecord {
                        line: p.line,
                        column: p.col,
                        message: label.clone(),
                    }
                })
                .collect(),
        }
    }

    /// A file that could not be read or written.
    pub fn io(message: String, hint: Option<&str>) -> ErrorRecord {
        ErrorRecord::Io {
            kind: RunErrorKind::Io,
            message,
            hint: hint.map(str::to_string),
        }
    }

    /// A crash caught on one file.
    pub fn internal(message: &str) -> ErrorRecord {
        ErrorRecord::Internal {
            kind: RunErrorKind::Internal,
            message: message.to_string(),
        }
    }
}

/// The last line of a bulk `--json` run.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRecord {
    /// The counts.
    pub summary: Counts,
}

/// Files by outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    /// Every file.
    pub total: usize,
    /// Changed (or would be).
    pub changed: usize,
    /// Nothing to do.
    pub unchanged: usize,
    /// The operation does not apply.
    pub not_applicable: usize,
    /// Failed.
    pub failed: usize,
}

/// `init --json`.
#[derive(Debug, Clone, Serialize)]
pub struct InitRecord {
    /// The flake.nix written (or not).
    #[serde(flatten)]
    pub path: PathField,
    /// `written`, `unchanged`, `would-write`, `failed`, …
    pub outcome: &'static str,
    /// Whether the file was written.
    pub written: bool,
    /// Why it failed.
    pub error: Option<String>,
}

/// `outdated --json`: one record per file.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum OutdatedRecord {
    /// The file was read.
    File {
        /// The file.
        #[serde(flatten)]
        path: PathField,
        /// Its inputs.
        inputs: Vec<OutdatedInput>,
        /// Its fetcher calls on a release tag.
        sources: Vec<OutdatedSource>,
        /// Repositories that could not be listed, as printed on stderr.
        errors: Vec<String>,
    },
    /// The file could not be read or parsed.
    Failed {
        /// The file.
        #[serde(flatten)]
        path: PathField,
        /// Why.
        error: String,
    },
}

/// One input in [`OutdatedRecord`].
#[derive(Debug, Clone, Serialize)]
pub struct OutdatedInput {
    /// The input's name.
    pub name: String,
    /// What it is on.
    pub tracks: Tracks,
    /// The repository asked.
    pub repository: Option<String>,
    /// `outdated`, `up-to-date`, `pinned`, `follows`, `branch`, `commit`,
    /// `missing`, `failed` or `unknown`.
    pub status: &'static str,
    /// The newer release, when `outdated`.
    pub latest: Option<String>,
    /// The commit flake.lock locks.
    pub locked_rev: Option<String>,
    /// The age of that commit.
    pub locked_age_seconds: Option<i64>,
}

/// One fetcher call in [`OutdatedRecord`].
#[derive(Debug, Clone, Serialize)]
pub struct OutdatedSource {
    /// The package's pname, or the repository's name.
    pub name: String,
    /// `fetchFromGitHub`, `fetchFromGitLab` or `fetchgit`.
    pub fetcher: String,
    /// What the revision is on.
    pub tracks: Tracks,
    /// The repository asked.
    pub repository: Option<String>,
    /// As for inputs, or `not-a-release`.
    pub status: &'static str,
    /// The newer release, when `outdated`.
    pub latest: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf8_path_is_text_only() {
        let record = PathField::new(Path::new("dir/flake.nix"));
        assert_eq!(line(&record), r#"{"path":"dir/flake.nix"}"#);
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_utf8_keeps_its_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"caf\xe9/flake.nix"));
        assert_eq!(
            line(&PathField::new(path)),
            r#"{"path":"caf�/flake.nix","path_bytes":[99,97,102,233,47,102,108,97,107,101,46,110,105,120]}"#
        );
    }

    #[test]
    fn keys_are_sorted_whatever_the_field_order() {
        let record = FileRecord {
            path: PathField::new(Path::new("flake.nix")),
            outcome: Outcome::Unchanged,
            detail: FileDetail::Unchanged {
                warnings: WarningRecord::all(
                    "{ }",
                    &[Warning::new(
                        flakeedit_syntax::WarningCode::NothingToDo,
                        "w",
                    )],
                ),
            },
        };
        assert_eq!(
            line(&record),
            r#"{"outcome":"unchanged","path":"flake.nix","warnings":[{"code":"nothing-to-do","message":"w","range":null}]}"#
        );
    }
}
