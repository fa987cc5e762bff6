//! `flakeedit check`: runs the library's checks over the selected files,
//! applies safe fixes with `--fix`, and renders text, JSON or SARIF.

mod render;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flakeedit_flake::check::{check, fix_safe, Diagnostic};
use flakeedit_flake::Lock;
use flakeedit_syntax::SourceFile;

use crate::bulk;
use crate::config::{CheckConfig, CheckFormat, Config};
use crate::files;

/// The outcome of one file.
pub struct FileResult {
    /// The path as given.
    pub path: PathBuf,
    /// The text the remaining diagnostics refer to (the fixed text after --fix).
    pub text: String,
    /// The text before fixes, which `fixed` refers to.
    pub original: String,
    /// Diagnostics that remain.
    pub diagnostics: Vec<Diagnostic>,
    /// Diagnostics fixed by --fix (ranges in `original`).
    pub fixed: Vec<Diagnostic>,
    /// True when the fixed text was written.
    pub written: bool,
    /// The file could not be read, fixed or written.
    pub error: Option<String>,
    /// Notes for stderr (an unreadable flake.lock).
    pub notes: Vec<String>,
}

impl FileResult {
    fn failed(path: &Path, error: String) -> FileResult {
        FileResult {
            path: path.to_path_buf(),
            text: String::new(),
            original: String::new(),
            diagnostics: Vec::new(),
            fixed: Vec::new(),
            written: false,
            error: Some(error),
            notes: Vec::new(),
        }
    }
}

/// Prints every code with its severity and fix (`check --list-codes`).
pub fn list_codes() -> ExitCode {
    render::list_codes();
    ExitCode::SUCCESS
}

/// Checks the selected `paths` on the edit commands' runner and returns
/// the exit status.
pub fn run(paths: &[PathBuf], config: &Config, check_config: &CheckConfig) -> ExitCode {
    let unknown = check_config.options.unknown_codes();
    if !unknown.is_empty() {
        eprintln!(
            "error: unknown check code{} {}; `flakeedit check --list-codes` lists them",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", ")
        );
        return ExitCode::from(2);
    }
    let mut results = Vec::with_capacity(paths.len());
    let ran = bulk::run_ordered(
        paths,
        config.jobs,
        false,
        |path| check_guarded(path, config, check_config),
        |result| results.push(result),
    );
    if let Err(error) = ran {
        eprintln!("error: {error:#}");
        return ExitCode::from(2);
    }
    let output = &config.output;
    match check_config.format {
        CheckFormat::Text => render::text(&results, check_config.fix, output.diff, output.color),
        CheckFormat::Json => render::json(&results),
        CheckFormat::Sarif => render::sarif(&results),
    }
    let failed = results.iter().any(|result| {
        result.error.is_some()
            || result
                .diagnostics
                .iter()
                .any(|d| check_config.fails(d.severity))
    });
    // `--check` with `--fix`: fail when a fix would change a file.
    let would_change = output.check && results.iter().any(|result| !result.fixed.is_empty());
    if failed || would_change {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Checks one file; a panic becomes a failed result rather than the end of
/// the run.
fn check_guarded(path: &Path, config: &Config, check_config: &CheckConfig) -> FileResult {
    catch_unwind(AssertUnwindSafe(|| check_file(path, config, check_config))).unwrap_or_else(|_| {
        FileResult::failed(
            path,
            "internal error: flakeedit crashed on this file; nothing was written".into(),
        )
    })
}

fn lock_next_to(target: &Path) -> (Option<Lock>, Option<String>) {
    match files::lock_next_to(target) {
        Ok(lock) => (lock, None),
        Err((path, error)) => (
            None,
            Some(format!(
                "{}: warning: ignored, so lock checks were skipped: {error}",
                path.display()
            )),
        ),
    }
}

fn check_file(path: &Path, config: &Config, run: &CheckConfig) -> FileResult {
    let file = match files::read(path) {
        Ok(file) => file,
        Err(error) => return FileResult::failed(path, format!("{error:#}")),
    };
    let Ok(text) = String::from_utf8(file.bytes.clone()) else {
        return FileResult::failed(path, "the file is not UTF-8 text; save it as UTF-8".into());
    };
    let (lock, note) = lock_next_to(&file.target);
    let mut result = FileResult {
        path: path.to_path_buf(),
        text: text.clone(),
        original: text.clone(),
        diagnostics: Vec::new(),
        fixed: Vec::new(),
        written: false,
        error: None,
        notes: note.into_iter().collect(),
    };
    if !run.fix {
        result.diagnostics = check(&SourceFile::parse(text), lock.as_ref(), &run.options);
        return result;
    }
    match fix_safe(&text, lock.as_ref(), &run.options) {
        Ok(outcome) => {
            result.diagnostics = outcome.remaining;
            result.fixed = outcome.fixed;
            if let Some(new_text) = outcome.new_text {
                if run.writes(&config.output) {
                    if let Err(error) = files::write_atomically(&file, &new_text) {
                        result.error = Some(format!("{error:#}"));
                        // Nothing was written: report the original findings.
                        result.diagnostics =
                            check(&SourceFile::parse(text), lock.as_ref(), &run.options);
                        result.fixed.clear();
                        return result;
                    }
                    result.written = true;
                }
                result.text = new_text;
            }
        }
        Err(error) => {
            result.error = Some(error.message);
            result.diagnostics = check(&SourceFile::parse(text), lock.as_ref(), &run.options);
        }
    }
    result
}
