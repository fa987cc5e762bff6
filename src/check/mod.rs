//! `flakeedit check`: runs the library's checks over the selected files,
//! applies safe fixes with `--fix`, and renders text, JSON or SARIF.

mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::{Args, ValueEnum};
use flakeedit_flake::check::{check, fix_safe, CheckOptions, Diagnostic, Severity};
use flakeedit_flake::Lock;
use flakeedit_syntax::SourceFile;

use crate::cli::Global;
use crate::{files, report, selection};

const EXAMPLES: &str = "\
Examples:
  flakeedit check                          # ./flake.nix and ./flake.lock
  flakeedit check -r ~/src --fail-on warning
  flakeedit check --fix                    # apply the safe fixes, report the rest
  flakeedit check --select not-following,unused-input --format json
  flakeedit check --format sarif > flakeedit.sarif

Codes, severities and fixes: docs/check.md.
Exit status: 0 nothing at or above --fail-on remains, 1 something does (or a file
could not be read or written), 2 usage error. Diagnostics fixed by --fix do not count,
so `check --fix --fail-on never` suits formatters (treefmt).";

/// Arguments of `check`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct CheckArgs {
    /// Files to check, in addition to --file, --files-from and -r (pre-commit and
    /// treefmt pass them this way)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Apply every safe fix (written atomically; files with syntax errors are never edited)
    #[arg(long)]
    pub fix: bool,
    /// Only report these codes (comma-separated, repeatable)
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub select: Vec<String>,
    /// Never report these codes (comma-separated, repeatable)
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub ignore: Vec<String>,
    /// Output format (default: text, or json with --json)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Exit 1 when a diagnostic of at least this severity remains
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// nixpkgs branches that are supported (comma-separated; replaces the default list)
    #[arg(long, value_delimiter = ',', value_name = "BRANCH")]
    pub supported_branches: Vec<String>,
    /// Maximum age in days of the locked nixpkgs before `outdated-nixpkgs`
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub max_age: u64,
    /// Pretend the current time is this Unix timestamp (reproducible ages)
    #[arg(long, value_name = "SECONDS")]
    pub now: Option<i64>,
    /// Print every code with its severity and fix, then exit
    #[arg(long)]
    pub list_codes: bool,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: severity[code]: message`, the line and a caret
    Text,
    /// One JSON document (see docs/check.md)
    Json,
    /// SARIF 2.1.0, for code-scanning UIs
    Sarif,
}

/// The least severity that makes `check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Errors only
    Error,
    /// Warnings and errors
    Warning,
    /// Anything, infos included
    Info,
    /// Never (only unreadable or unwritable files fail)
    Never,
}

impl FailOn {
    fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }
}

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

/// What every file is checked with.
struct Run<'a> {
    options: CheckOptions,
    fix: bool,
    write: bool,
    global: &'a Global,
}

/// Runs `check` and returns the exit status.
pub fn run(global: &Global, args: CheckArgs) -> ExitCode {
    if args.list_codes {
        render::list_codes();
        return ExitCode::SUCCESS;
    }
    let mut options = CheckOptions {
        max_age_days: args.max_age,
        now: args.now,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        ..CheckOptions::default()
    };
    if !args.supported_branches.is_empty() {
        options.supported_branches = Some(args.supported_branches.clone());
    }
    let unknown = options.unknown_codes();
    if !unknown.is_empty() {
        eprintln!(
            "error: unknown check code{} {}; `flakeedit check --list-codes` lists them",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", ")
        );
        return ExitCode::from(2);
    }
    let mut paths = args.paths.clone();
    let from_flags = match selection::select(global) {
        Ok(paths) => paths,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    // `select` falls back to ./flake.nix when nothing is named; positional
    // paths are a naming too.
    let defaulted =
        global.files.is_empty() && global.files_from.is_none() && global.recursive.is_empty();
    if !defaulted || paths.is_empty() {
        paths.extend(from_flags);
    }
    let mut seen = std::collections::HashSet::new();
    paths.retain(|path| seen.insert(path.clone()));

    let format = args.format.unwrap_or(if global.json {
        Format::Json
    } else {
        Format::Text
    });
    let run = Run {
        options,
        fix: args.fix,
        write: args.fix && !global.dry_run && !global.check,
        global,
    };
    let results = check_all(&paths, &run);
    let color =
        format == Format::Text && report::use_color(global.color, report::stdout_is_terminal());
    match format {
        Format::Text => render::text(&results, run.fix, global.diff, color),
        Format::Json => render::json(&results),
        Format::Sarif => render::sarif(&results),
    }
    let failed = results.iter().any(|result| {
        result.error.is_some()
            || result
                .diagnostics
                .iter()
                .any(|d| args.fail_on.fails(d.severity))
    });
    // `--check` with `--fix`: fail when a fix would change a file.
    let would_change = global.check && results.iter().any(|result| !result.fixed.is_empty());
    if failed || would_change {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Checks every file on `-j` threads; results in input order.
fn check_all(paths: &[PathBuf], run: &Run) -> Vec<FileResult> {
    // One file runs on this thread without asking for the core count
    // (which reads cgroup files on Linux).
    if paths.len() <= 1 {
        return paths.iter().map(|path| check_file(path, run)).collect();
    }
    let jobs = run
        .global
        .jobs
        .filter(|jobs| *jobs > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(paths.len());
    if jobs <= 1 {
        return paths.iter().map(|path| check_file(path, run)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut indexed: Vec<(usize, FileResult)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = paths.get(index) else {
                            break;
                        };
                        done.push((index, check_file(path, run)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_default())
            .collect()
    });
    indexed.sort_by_key(|(index, _)| *index);
    indexed.into_iter().map(|(_, result)| result).collect()
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

fn check_file(path: &Path, run: &Run) -> FileResult {
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
                if run.write {
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
