//! `check`'s JSON document and SARIF log.

use std::path::Path;

use flakeedit_flake::check::{Diagnostic, DiagnosticCode, Severity};
use flakeedit_syntax::{LineIndex, TextRange};
use serde::Serialize;

use super::{exact_bytes, EditRecord, PathField};

/// `check --format json`: one document for the whole run (docs/check.md).
#[derive(Debug, Clone, Serialize)]
pub struct CheckDocument {
    /// The schema's version.
    pub version: u32,
    /// Every file, in the order given.
    pub files: Vec<CheckFile>,
    /// Totals over the files.
    pub summary: CheckSummary,
}

/// One file of a [`CheckDocument`].
#[derive(Debug, Clone, Serialize)]
pub struct CheckFile {
    /// The file.
    #[serde(flatten)]
    pub path: PathField,
    /// What remains.
    pub diagnostics: Vec<DiagnosticRecord>,
    /// What `--fix` fixed (ranges in the text before the fixes).
    pub fixed: Vec<DiagnosticRecord>,
    /// Whether the fixed text was written.
    pub written: bool,
    /// Why the file could not be read, fixed or written.
    pub error: Option<String>,
    /// Notes (an unreadable flake.lock).
    pub notes: Vec<String>,
}

/// Totals of a [`CheckDocument`].
#[derive(Debug, Clone, Serialize)]
pub struct CheckSummary {
    /// Files checked.
    pub files: usize,
    /// Remaining errors.
    pub errors: usize,
    /// Remaining warnings.
    pub warnings: usize,
    /// Remaining infos.
    pub infos: usize,
    /// Diagnostics fixed.
    pub fixed: usize,
    /// Files that could not be read, fixed or written.
    pub failed: usize,
}

/// One diagnostic.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticRecord {
    /// The stable code.
    pub code: DiagnosticCode,
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// What is wrong and what to do.
    pub message: String,
    /// What it is about (`riot`, `riot/nixpkgs`, …).
    pub subject: String,
    /// Where.
    pub range: RangeRecord,
    /// The fix, when there is one.
    pub fix: Option<FixRecord>,
}

/// A range as offsets and 1-based lines and columns.
#[derive(Debug, Clone, Serialize)]
pub struct RangeRecord {
    /// Where it starts.
    pub start: PositionRecord,
    /// Where it ends.
    pub end: PositionRecord,
}

impl RangeRecord {
    /// The record of `range` in `text`.
    pub fn new(text: &str, index: &LineIndex, range: TextRange) -> RangeRecord {
        let position = |offset| {
            let at = index.line_col(text, offset);
            PositionRecord {
                offset: u32::from(offset),
                line: at.line,
                column: at.col,
            }
        };
        RangeRecord {
            start: position(range.start()),
            end: position(range.end()),
        }
    }
}

/// A place in a file.
#[derive(Debug, Clone, Serialize)]
pub struct PositionRecord {
    /// Byte offset.
    pub offset: u32,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// A diagnostic's fix.
#[derive(Debug, Clone, Serialize)]
pub struct FixRecord {
    /// What it does.
    pub title: String,
    /// Whether `--fix` applies it.
    pub safe: bool,
    /// Its replacements.
    pub edits: Vec<EditRecord>,
}

impl DiagnosticRecord {
    /// The record of `diagnostic`, whose range is in `text`.
    pub fn new(text: &str, index: &LineIndex, diagnostic: &Diagnostic) -> DiagnosticRecord {
        DiagnosticRecord {
            code: diagnostic.code,
            severity: diagnostic.severity.as_str(),
            message: diagnostic.message.clone(),
            subject: diagnostic.subject.clone(),
            range: RangeRecord::new(text, index, diagnostic.range),
            fix: diagnostic.fix.as_ref().map(|fix| FixRecord {
                title: fix.title.clone(),
                safe: fix.safe,
                edits: EditRecord::all(&fix.changes),
            }),
        }
    }
}

/// A SARIF 2.1.0 log (`check --format sarif`).
#[derive(Debug, Clone, Serialize)]
pub struct SarifLog {
    /// The schema's URL.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// `2.1.0`.
    pub version: &'static str,
    /// One run.
    pub runs: Vec<SarifRun>,
}

/// A SARIF run.
#[derive(Debug, Clone, Serialize)]
pub struct SarifRun {
    /// flakeedit and its rules.
    pub tool: SarifTool,
    /// The findings.
    pub results: Vec<SarifResult>,
}

/// A SARIF tool.
#[derive(Debug, Clone, Serialize)]
pub struct SarifTool {
    /// Its driver.
    pub driver: SarifDriver,
}

/// A SARIF tool driver.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifDriver {
    /// `flakeedit`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
    /// The project's page.
    pub information_uri: &'static str,
    /// One rule per check code.
    pub rules: Vec<SarifRule>,
}

/// A SARIF rule: a check code.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifRule {
    /// The code.
    pub id: DiagnosticCode,
    /// Its summary.
    pub short_description: SarifText,
    /// Its documentation.
    pub help_uri: String,
    /// Its level.
    pub default_configuration: SarifLevel,
}

/// SARIF text.
#[derive(Debug, Clone, Serialize)]
pub struct SarifText {
    /// The text.
    pub text: String,
}

/// A SARIF level holder.
#[derive(Debug, Clone, Serialize)]
pub struct SarifLevel {
    /// `error`, `warning` or `note`.
    pub level: &'static str,
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// The code.
    pub rule_id: DiagnosticCode,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    /// The message.
    pub message: SarifText,
    /// Where.
    pub locations: Vec<SarifLocation>,
}

/// A SARIF location.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifLocation {
    /// The file and region.
    pub physical_location: SarifPhysicalLocation,
}

/// A SARIF physical location.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifPhysicalLocation {
    /// The file.
    pub artifact_location: SarifArtifact,
    /// The lines and columns.
    pub region: SarifRegion,
}

/// A SARIF artifact location.
#[derive(Debug, Clone, Serialize)]
pub struct SarifArtifact {
    /// The path as a relative URI reference (see [`sarif_uri`]).
    pub uri: String,
}

/// A SARIF region, 1-based.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifRegion {
    /// First line.
    pub start_line: u32,
    /// First column.
    pub start_column: u32,
    /// Last line.
    pub end_line: u32,
    /// Column after the end.
    pub end_column: u32,
}

/// SARIF's level for a severity.
pub fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as SARIF's `uri`, without a leading `./`. A UTF-8 path is written
/// as it is; one that is not UTF-8 has every byte outside the unreserved
/// characters and `/` percent-encoded, so the URI names the exact bytes
/// (a URI has no lossless way to carry them otherwise).
pub fn sarif_uri(path: &Path) -> String {
    let uri = match exact_bytes(path) {
        None => path.display().to_string(),
        Some(bytes) => {
            let mut uri = String::new();
            for byte in bytes {
                if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
                    uri.push(char::from(byte));
                } else {
                    uri.push_str(&format!("%{byte:02X}"));
                }
            }
            uri
        }
    };
    uri.trim_start_matches("./").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_sarif_uri_that_is_not_utf8_is_percent_encoded() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"./caf\xe9 x/flake.nix"));
        assert_eq!(sarif_uri(path), "caf%E9%20x/flake.nix");
        assert_eq!(sarif_uri(Path::new("./a b/flake.nix")), "a b/flake.nix");
    }
}
