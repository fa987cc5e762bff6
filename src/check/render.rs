//! Output of `check`: text with source lines and carets, JSON, SARIF.

use std::io::Write;

use flakeedit_flake::check::{count_by_severity, Diagnostic, Severity, CODES};
use flakeedit_syntax::LineIndex;

use super::FileResult;
use crate::output::{
    self, sarif_level, sarif_uri, CheckDocument, CheckFile, CheckSummary, DiagnosticRecord,
    PathField, SarifArtifact, SarifDriver, SarifLevel, SarifLocation, SarifLog,
    SarifPhysicalLocation, SarifRegion, SarifResult, SarifRule, SarifRun, SarifText, SarifTool,
};
use crate::report;

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;34",
    }
}

/// `path:line:col: severity[code]: message`, the source line, a caret line
/// under the range (its first line), and the fix when there is one.
fn render_diagnostic(
    out: &mut String,
    path: &str,
    text: &str,
    index: &LineIndex,
    diagnostic: &Diagnostic,
    fixing: bool,
    color: bool,
) {
    let start = index.line_col(text, diagnostic.range.start());
    let severity = paint(
        &format!("{}[{}]", diagnostic.severity, diagnostic.code),
        severity_color(diagnostic.severity),
        color,
    );
    out.push_str(&format!(
        "{path}:{start}: {severity}: {}\n",
        diagnostic.message
    ));
    let line_number = start.line as usize - 1;
    let line_start = index.line_start(line_number).unwrap_or(0);
    let line_end = index
        .line_start(line_number + 1)
        .unwrap_or(text.len())
        .min(text.len());
    let line = text
        .get(line_start..line_end)
        .unwrap_or("")
        .trim_end_matches(['\n', '\r']);
    let gutter = " ".repeat(start.line.to_string().len());
    out.push_str(&format!("{gutter} |\n{} | {line}\n", start.line));
    // Carets from the start to the end of the range or of the line.
    let range_end = usize::from(diagnostic.range.end()).min(line_start + line.len());
    let width = text
        .get(usize::from(diagnostic.range.start())..range_end)
        .map_or(0, |covered| covered.chars().count())
        .max(1);
    let padding: String = line
        .chars()
        .take(start.col as usize - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let carets = paint(
        &"^".repeat(width),
        severity_color(diagnostic.severity),
        color,
    );
    out.push_str(&format!("{gutter} | {padding}{carets}\n"));
    if let Some(fix) = &diagnostic.fix {
        let how = match (fix.safe, fixing) {
            (true, false) => " (safe: `flakeedit check --fix` applies it)",
            (true, true) => " (safe, but it overlapped another fix: run --fix again)",
            (false, _) => " (review it: offered as a code action, never applied by --fix)",
        };
        out.push_str(&format!("{gutter} = fix: {}{how}\n", fix.title));
    }
}

/// Renders every result as text on stdout; notes and the summary on stderr.
pub fn text(results: &[FileResult], fixing: bool, diff: bool, color: bool) {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut stderr = String::new();
    let (mut errors, mut warnings, mut infos, mut fixed, mut fixable, mut failed) =
        (0, 0, 0, 0, 0, 0);
    for result in results {
        let path = result.path.display().to_string();
        let mut text = String::new();
        for note in &result.notes {
            stderr.push_str(note);
            stderr.push('\n');
        }
        if let Some(error) = &result.error {
            failed += 1;
            stderr.push_str(&format!("{path}: error: {error}\n"));
        }
        if !result.fixed.is_empty() {
            let index = LineIndex::new(&result.original);
            for done in &result.fixed {
                let at = index.line_col(&result.original, done.range.start());
                let title = done.fix.as_ref().map_or("", |fix| fix.title.as_str());
                text.push_str(&format!(
                    "{path}:{at}: {}: {title}\n",
                    paint(&format!("fixed[{}]", done.code), "1;32", color)
                ));
            }
            if diff {
                text.push_str(&report::unified_diff(
                    &result.path,
                    &result.original,
                    &result.text,
                    color,
                ));
            }
        }
        let index = LineIndex::new(&result.text);
        for diagnostic in &result.diagnostics {
            render_diagnostic(
                &mut text,
                &path,
                &result.text,
                &index,
                diagnostic,
                fixing,
                color,
            );
        }
        let (e, w, i) = count_by_severity(&result.diagnostics);
        errors += e;
        warnings += w;
        infos += i;
        fixed += result.fixed.len();
        fixable += result
            .diagnostics
            .iter()
            .filter(|d| d.fix.as_ref().is_some_and(|fix| fix.safe))
            .count();
        let _ = out.write_all(text.as_bytes());
    }
    let _ = out.flush();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut summary = format!(
        "{} checked: {}, {}, {}",
        plural(results.len(), "file"),
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(infos, "info")
    );
    if fixing {
        summary.push_str(&format!(", {fixed} fixed"));
    } else if fixable > 0 {
        summary.push_str(&format!(", {fixable} fixable with --fix"));
    }
    if failed > 0 {
        summary.push_str(&format!(
            ", {} unreadable or unwritable",
            plural(failed, "file")
        ));
    }
    stderr.push_str(&summary);
    stderr.push('\n');
    let _ = std::io::stderr().write_all(stderr.as_bytes());
}

/// One JSON document for the whole run (documented in docs/check.md).
pub fn json(results: &[FileResult]) {
    let mut files = Vec::new();
    let (mut errors, mut warnings, mut infos, mut fixed, mut failed) = (0, 0, 0, 0, 0);
    for result in results {
        let index = LineIndex::new(&result.text);
        let original = LineIndex::new(&result.original);
        let (e, w, i) = count_by_severity(&result.diagnostics);
        errors += e;
        warnings += w;
        infos += i;
        fixed += result.fixed.len();
        failed += usize::from(result.error.is_some());
        files.push(CheckFile {
            path: PathField::new(&result.path),
            diagnostics: result
                .diagnostics
                .iter()
                .map(|d| DiagnosticRecord::new(&result.text, &index, d))
                .collect(),
            fixed: result
                .fixed
                .iter()
                .map(|d| DiagnosticRecord::new(&result.original, &original, d))
                .collect(),
            written: result.written,
            error: result.error.clone(),
            notes: result.notes.clone(),
        });
    }
    output::print(&CheckDocument {
        version: 1,
        files,
        summary: CheckSummary {
            files: results.len(),
            errors,
            warnings,
            infos,
            fixed,
            failed,
        },
    });
}

/// A SARIF 2.1.0 log with one run; rules are the check codes.
pub fn sarif(results: &[FileResult]) {
    let rules = CODES
        .iter()
        .map(|info| SarifRule {
            id: info.code,
            short_description: SarifText {
                text: info.summary.to_string(),
            },
            help_uri: format!(
                "https://github.com/flakeedit/flakeedit/blob/main/docs/check.md#{}",
                info.code
            ),
            default_configuration: SarifLevel {
                level: sarif_level(info.severity),
            },
        })
        .collect();
    let mut findings = Vec::new();
    for result in results {
        let index = LineIndex::new(&result.text);
        let uri = sarif_uri(&result.path);
        for diagnostic in &result.diagnostics {
            let start = index.line_col(&result.text, diagnostic.range.start());
            let end = index.line_col(&result.text, diagnostic.range.end());
            findings.push(SarifResult {
                rule_id: diagnostic.code,
                level: sarif_level(diagnostic.severity),
                message: SarifText {
                    text: diagnostic.message.clone(),
                },
                locations: vec![SarifLocation {
                    physical_location: SarifPhysicalLocation {
                        artifact_location: SarifArtifact { uri: uri.clone() },
                        region: SarifRegion {
                            start_line: start.line,
                            start_column: start.col,
                            end_line: end.line,
                            end_column: end.col,
                        },
                    },
                }],
            });
        }
    }
    output::print(&SarifLog {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![SarifRun {
            tool: SarifTool {
                driver: SarifDriver {
                    name: "flakeedit",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/flakeedit/flakeedit",
                    rules,
                },
            },
            results: findings,
        }],
    });
}

/// `--list-codes`: one line per code.
pub fn list_codes() {
    for info in CODES {
        let fix = info.fix.describe();
        let lock = if info.needs_lock {
            ", needs flake.lock"
        } else {
            ""
        };
        println!(
            "{:<20} {:<8} {}  ({fix}{lock})",
            info.code,
            info.severity.as_str(),
            info.summary
        );
    }
}
