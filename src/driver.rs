//! Runs one command over the selected files and reports each outcome.

use std::io::Write;
use std::path::{Path, PathBuf};

use flakeedit_flake::{list_inputs, ErrorKind, Flake, FlakeError, Lock, Operation};
use flakeedit_syntax::{SourceFile, TextSize};
use serde::Serialize;

use crate::files;
use crate::output::{
    self, EditRecord, ErrorRecord, FileDetail, FileRecord, PathField, WarningRecord,
};
use crate::report;

pub use crate::output::Outcome;

/// What to do with each file.
pub enum Action {
    /// Apply an edit.
    Edit(Operation),
    /// List inputs.
    ListInputs,
    /// Apply an edit chosen per file (from the file's text), such as
    /// `update`'s moves; an error fails that file alone.
    #[allow(clippy::type_complexity)]
    Planned(Box<dyn Fn(&Path, &str) -> Result<Operation, FlakeError> + Send + Sync>),
}

/// Output settings.
pub struct Settings {
    pub diff: bool,
    pub dry_run: bool,
    pub check: bool,
    pub json: bool,
    pub color: bool,
    /// Several files: failures are one line each, "not applicable" is only
    /// counted, and a summary follows.
    pub bulk: bool,
}

impl Settings {
    /// Whether edits are written (not `--dry-run`, not `--check`).
    pub fn writes(&self) -> bool {
        !self.dry_run && !self.check
    }
}

/// The result of processing one file, rendered later in input order.
///
/// Only what the settings ask for is built: no diff without `--diff`, no
/// JSON without `--json`, no line index unless an error is reported.
pub struct FileReport {
    /// The file, as given.
    #[allow(dead_code)]
    pub path: PathBuf,
    pub outcome: Outcome,
    /// Text for stdout (diffs, listings).
    pub stdout: String,
    /// Text for stderr (errors, warnings).
    pub stderr: String,
    /// The record for --json (only built with --json).
    pub json: Option<FileRecord>,
}

/// Whether an action reads `flake.lock`: parsing a large lock for every
/// file of a bulk run is wasted work when the operation never looks at it.
fn needs_lock(action: &Action) -> bool {
    match action {
        // The package operations read it only for a flake without a
        // `nixpkgs` input, to follow the one another input brings;
        // add-input with follows, to leave out those of an input already
        // locked without that nested input.
        Action::Edit(operation) => {
            matches!(
                operation,
                Operation::AddInput(request) if !request.follows.is_empty()
            ) || matches!(
                operation,
                Operation::Pin { rev: None, .. }
                    | Operation::FollowAll { .. }
                    | Operation::AddDunePackage(_)
                    | Operation::AddDockerImage(_)
                    | Operation::AddDevShell(_)
                    | Operation::AddSource(_)
            )
        }
        _ => true,
    }
}

fn lock_next_to(target: &Path) -> (Option<Lock>, Option<String>) {
    match files::lock_next_to(target) {
        Ok(lock) => (lock, None),
        Err((path, error)) => (
            None,
            Some(format!("{}: warning: ignored: {error}", path.display())),
        ),
    }
}

fn failed(path: &Path, message: String, hint: Option<&str>, settings: &Settings) -> FileReport {
    let mut stderr = format!("{}: error: {message}\n", path.display());
    if let Some(hint) = hint.filter(|_| !settings.bulk) {
        stderr.push_str(&format!("  hint: {hint}\n"));
    }
    FileReport {
        path: path.to_path_buf(),
        outcome: Outcome::Failed,
        stdout: String::new(),
        json: settings.json.then(|| FileRecord {
            path: PathField::new(path),
            outcome: Outcome::Failed,
            detail: FileDetail::Error {
                error: ErrorRecord::io(message.clone(), hint),
            },
        }),
        stderr,
    }
}

/// The library's errors do not speak in flags; where one names a way past a
/// refusal, the CLI's spelling replaces it.
fn spell_for_cli(action: &Action, error: &mut FlakeError) {
    if let Action::Edit(Operation::RemoveInput { force: false, .. }) = action {
        if let Some(hint) = &mut error.hint {
            *hint = hint.replace(flakeedit_flake::FORCE_REMOVAL, "pass --force");
        }
    }
}

/// Processes one file completely: read, edit, verify, write.
pub fn process(path: &Path, action: &Action, settings: &Settings) -> FileReport {
    let file = match files::read(path) {
        Ok(file) => file,
        Err(error) => return failed(path, format!("{error:#}"), None, settings),
    };
    let text = match std::str::from_utf8(&file.bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = &file.bytes[..error.valid_up_to()];
            let text = String::from_utf8_lossy(valid);
            let at = report::location(path, &text, TextSize::from(valid.len() as u32));
            let message = format!("{at}: error: the file is not UTF-8 text");
            let mut report = failed(
                path,
                "the file is not UTF-8 text".into(),
                Some("save it as UTF-8"),
                settings,
            );
            report.stderr = if settings.bulk {
                format!("{message}\n")
            } else {
                format!("{message}\n  hint: save it as UTF-8\n")
            };
            return report;
        }
    };
    let (lock, lock_warning) = if needs_lock(action) {
        lock_next_to(&file.target)
    } else {
        (None, None)
    };
    let mut stderr = String::new();
    if let Some(warning) = lock_warning {
        stderr.push_str(&warning);
        stderr.push('\n');
    }
    let error_report = |mut error: FlakeError, mut stderr: String| {
        spell_for_cli(action, &mut error);
        let outcome = if error.kind == ErrorKind::NotApplicable {
            Outcome::NotApplicable
        } else {
            Outcome::Failed
        };
        // Rendered for the chosen output only: each builds a line index.
        let json = settings.json.then(|| FileRecord {
            path: PathField::new(path),
            outcome,
            detail: FileDetail::Error {
                error: ErrorRecord::flake(path, text, &error),
            },
        });
        if !settings.json {
            if !settings.bulk {
                stderr.push_str(&report::render_error(path, text, &error));
            } else if outcome == Outcome::Failed {
                stderr.push_str(&report::render_error_line(path, text, &error));
            }
        }
        FileReport {
            path: path.to_path_buf(),
            outcome,
            stdout: String::new(),
            json,
            stderr,
        }
    };
    let planned;
    let operation = match action {
        Action::ListInputs => {
            let source = SourceFile::parse(text);
            let flake = match Flake::read(&source) {
                Ok(flake) => flake,
                Err(error) => return error_report(error, stderr),
            };
            let inputs = list_inputs(&source, &flake, lock.as_ref());
            let mut stdout = String::new();
            for input in &inputs {
                let source_text = input.url.clone().unwrap_or_else(|| {
                    input
                        .reference
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                });
                let mut line = format!(
                    "{}\t{}",
                    input.name,
                    if source_text.is_empty() {
                        "-".into()
                    } else {
                        source_text
                    }
                );
                if !input.flake {
                    line.push_str("\tflake=false");
                }
                if let Some(follows) = &input.follows {
                    line.push_str(&format!("\tfollows={follows}"));
                }
                for nested in &input.nested_follows {
                    line.push_str(&format!(
                        "\t{}->{}",
                        nested.path.join("/"),
                        if nested.target.is_empty() {
                            "\"\""
                        } else {
                            &nested.target
                        }
                    ));
                }
                if let Some(rev) = input.locked.as_ref().and_then(|l| l.rev.as_ref()) {
                    line.push_str(&format!("\tlocked={rev}"));
                }
                stdout.push_str(&line);
                stdout.push('\n');
            }
            return FileReport {
                path: path.to_path_buf(),
                outcome: Outcome::Unchanged,
                stdout,
                stderr,
                // Only for --json: building the value costs as much as
                // reading the model on a large flake.
                json: settings.json.then(|| FileRecord {
                    path: PathField::new(path),
                    outcome: Outcome::Unchanged,
                    detail: FileDetail::Inputs { inputs },
                }),
            };
        }
        Action::Edit(operation) => operation,
        Action::Planned(plan) => match plan(path, text) {
            Ok(operation) => {
                planned = operation;
                &planned
            }
            Err(error) => return error_report(error, stderr),
        },
    };
    {
        // Files the outputs import are read for the names they define.
        let result = match flakeedit_flake::imports::beside(path, || {
            flakeedit_flake::run(operation, text, lock.as_ref())
        }) {
            Ok(result) => result,
            Err(error) => return error_report(error, stderr),
        };
        // A bulk run reports failures and the summary; "nothing to do"
        // warnings of unchanged files would bury them (JSON keeps them).
        if !(settings.bulk && result.new_text.is_none()) {
            stderr.push_str(&report::render_warnings(
                path,
                text,
                &result.changes.warnings,
            ));
        }
        let Some(new_text) = result.new_text else {
            return FileReport {
                path: path.to_path_buf(),
                outcome: Outcome::Unchanged,
                stdout: String::new(),
                json: settings.json.then(|| FileRecord {
                    path: PathField::new(path),
                    outcome: Outcome::Unchanged,
                    detail: FileDetail::Unchanged {
                        warnings: WarningRecord::all(text, &result.changes.warnings),
                    },
                }),
                stderr,
            };
        };
        // `rename-input` renames the input in flake.lock too; computed
        // before anything is written, so a bad lock writes nothing.
        let lock_edit = match operation {
            Operation::RenameInput { old, new } => match renamed_lock(&file.target, old, new) {
                Ok(edit) => edit,
                Err(error) => return error_report(error, stderr),
            },
            _ => None,
        };
        let write = settings.writes();
        if write {
            if let Some((lock_file, lock_text)) = &lock_edit {
                if let Err(error) = files::write_atomically(lock_file, lock_text) {
                    let message = format!("flake.lock: {error:#}");
                    let mut report = failed(path, message, None, settings);
                    report.stderr = format!("{stderr}{}", report.stderr);
                    return report;
                }
            }
            if let Err(error) = files::write_atomically(&file, &new_text) {
                let message = format!("{error:#}");
                let mut report = failed(path, message, None, settings);
                report.stderr = format!("{stderr}{}", report.stderr);
                return report;
            }
        }
        let diff = settings.diff.then(|| {
            let mut diff =
                report::unified_diff(path, text, &new_text, settings.color && !settings.json);
            if let Some((lock_file, lock_text)) = &lock_edit {
                let before = String::from_utf8_lossy(&lock_file.bytes);
                diff.push_str(&report::unified_diff(
                    &lock_file.target,
                    &before,
                    lock_text,
                    settings.color && !settings.json,
                ));
            }
            diff
        });
        if settings.check && settings.bulk && !settings.json && diff.is_none() {
            stderr.push_str(&format!("{}: would change\n", path.display()));
        }
        let json = settings.json.then(|| FileRecord {
            path: PathField::new(path),
            outcome: Outcome::Changed,
            detail: FileDetail::Changed {
                written: write,
                warnings: WarningRecord::all(text, &result.changes.warnings),
                relock: result.changes.relock.clone(),
                edits: EditRecord::all(&result.changes),
                diff: diff.clone(),
            },
        });
        FileReport {
            path: path.to_path_buf(),
            outcome: Outcome::Changed,
            stdout: match diff {
                Some(diff) if !settings.json => diff,
                _ => String::new(),
            },
            json,
            stderr,
        }
    }
}

/// Counts of outcomes, printed at the end of a run over several files.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub changed: usize,
    pub unchanged: usize,
    pub not_applicable: usize,
    pub failed: usize,
}

impl Summary {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Changed => self.changed += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::NotApplicable => self.not_applicable += 1,
            Outcome::Failed => self.failed += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.changed + self.unchanged + self.not_applicable + self.failed
    }

    /// The JSON summary record that ends a `--json` bulk run.
    pub fn json(&self) -> output::SummaryRecord {
        output::SummaryRecord {
            summary: output::Counts {
                total: self.total(),
                changed: self.changed,
                unchanged: self.unchanged,
                not_applicable: self.not_applicable,
                failed: self.failed,
            },
        }
    }

    /// The human summary line of a bulk run.
    pub fn line(&self, check: bool) -> String {
        format!(
            "{} files: {} {}, {} unchanged, {} not applicable, {} failed",
            self.total(),
            self.changed,
            if check { "would change" } else { "changed" },
            self.unchanged,
            self.not_applicable,
            self.failed
        )
    }
}

/// Emits one file's report: its JSON line or its stdout text to `out`,
/// its messages to stderr.
pub fn emit(report: &FileReport, settings: &Settings, out: &mut dyn Write) {
    if settings.json {
        let line = match &report.json {
            Some(record) => output::line(record),
            None => "null".to_string(),
        };
        let _ = writeln!(out, "{line}");
    } else {
        let _ = out.write_all(report.stdout.as_bytes());
        if !report.stderr.is_empty() {
            let _ = std::io::stderr().write_all(report.stderr.as_bytes());
        }
    }
}

/// The `flake.lock` beside `target` with input `old` renamed to `new`, when
/// there is a lock that has it.
fn renamed_lock(
    target: &Path,
    old: &str,
    new: &str,
) -> Result<Option<(files::ReadFile, String)>, FlakeError> {
    let path = target.with_file_name("flake.lock");
    if !path.exists() {
        return Ok(None);
    }
    let lock_file = files::read(&path).map_err(|error| {
        FlakeError::new(
            ErrorKind::Unsupported,
            format!("{}: {error:#}", path.display()),
        )
    })?;
    let Ok(text) = std::str::from_utf8(&lock_file.bytes) else {
        return Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!("{}: not UTF-8 text", path.display()),
        )
        .hint("run `nix flake lock` to rewrite it, then rename again"));
    };
    Ok(flakeedit_flake::rename_in_lock(text, old, new)?
        .filter(|renamed| renamed != text)
        .map(|renamed| (lock_file, renamed)))
}
