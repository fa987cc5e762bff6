//! `flakeedit check`: lints of a flake and its `flake.lock`, each with a
//! stable code, a severity, a precise range and, where one exists, a fix
//! expressed as a [`ChangeSet`].
//!
//! [`check`] is the one implementation: the CLI (`flakeedit check`) and the
//! language server's diagnostics both call it, so they never disagree.
//! [`fix_safe`] applies every fix marked safe, re-parses the result and
//! re-checks it before handing back the new text.
//!
//! # Codes
//!
//! Codes are a [`DiagnosticCode`], spelled as kebab-case names
//! (`undeclared-input`) like clippy's lints: they say what is wrong, and
//! they never change once released. [`CODES`] lists every code with its
//! severity and what it means; `docs/check.md` documents them for users
//! (a test keeps its table in step with the enum).

mod codes;
mod fix;
mod hashes;
mod incremental;
mod inputs;
mod lockfile;
mod nixpkgs;

use flakeedit_syntax::{ChangeSet, SourceFile, TextRange};

use crate::lock::Lock;
use crate::meaning::AllowedChange;
use crate::model::{analyze_uses_in, Flake, UseAnalysis};

pub use codes::{code_info, CodeInfo, DiagnosticCode, FixKind, UnknownCode, CODES};
pub use fix::{fix_safe, FixOutcome};
pub(crate) use hashes::accepts_hash;
pub use incremental::{check_incrementally, CheckState, Found, Incremental};
pub(crate) use inputs::is_flake_compat;

/// How bad a diagnostic is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; nothing is broken.
    Info,
    /// Probably a mistake or a maintenance problem; the flake still works.
    Warning,
    /// The flake does not evaluate or build as written.
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A way to make a diagnostic go away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, for people ("add `flake-parts` as an input").
    pub title: String,
    /// The edits, in the checked file's byte offsets.
    pub changes: ChangeSet,
    /// True when applying it cannot change what the flake means beyond the
    /// diagnostic (`check --fix` applies only these); false when a person
    /// should decide (e.g. removing an input).
    pub safe: bool,
    /// What the fix may change in the flake's meaning: whoever applies it
    /// checks the result with [`crate::apply_verified`] against this.
    pub allowed: AllowedChange,
}

/// One finding of [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: DiagnosticCode,
    /// How bad it is.
    pub severity: Severity,
    /// The bytes it is about (an input's binding, a url, a hash value).
    pub range: TextRange,
    /// What is wrong and what to do, without the position.
    pub message: String,
    /// What the diagnostic is about (`riot`, `riot/nixpkgs`, a hash's
    /// fetcher and attribute). Stable across edits elsewhere in the file,
    /// so a diagnostic can be recognised again after a fix.
    pub subject: String,
    /// A fix, when flakeedit knows one.
    pub fix: Option<Fix>,
}

pub use nixpkgs::supported_branches_at;

/// Settings of [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    /// nixpkgs branches that do not trigger `unsupported-branch`; `None`
    /// follows the release calendar at [`now`](CheckOptions#structfield.now) (see
    /// [`supported_branches_at`]).
    pub supported_branches: Option<Vec<String>>,
    /// `outdated-nixpkgs` fires when the locked nixpkgs is older than this.
    pub max_age_days: u64,
    /// "Now" in seconds since the Unix epoch; `None` reads the system clock.
    /// Tests fix it so ages do not drift.
    pub now: Option<i64>,
    /// Only these codes are reported (all when empty).
    pub select: Vec<String>,
    /// These codes are never reported.
    pub ignore: Vec<String>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            supported_branches: None,
            max_age_days: 30,
            now: None,
            select: Vec::new(),
            ignore: Vec::new(),
        }
    }
}

impl CheckOptions {
    /// True when diagnostics with `code` are reported.
    pub fn enabled(&self, code: DiagnosticCode) -> bool {
        let name = code.as_str();
        (self.select.is_empty() || self.select.iter().any(|c| c == name))
            && !self.ignore.iter().any(|c| c == name)
    }

    /// The codes of `select` and `ignore` that are not codes, for a usage error.
    pub fn unknown_codes(&self) -> Vec<String> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|code| code_info(code).is_none())
            .cloned()
            .collect()
    }

    fn now(&self) -> i64 {
        self.now.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_secs() as i64)
        })
    }
}

/// What every check reads.
pub(crate) struct Context<'a> {
    pub file: &'a SourceFile,
    pub flake: &'a Flake,
    pub lock: Option<&'a Lock>,
    pub options: &'a CheckOptions,
    pub now: i64,
    /// When `flake` is a partial model (the inputs of one edited binding,
    /// see [`incremental`]), what the whole file declares and follows.
    pub whole: Option<Whole<'a>>,
}

/// Facts about all of a file's inputs, for a check that reads a partial model.
#[derive(Clone, Copy)]
pub(crate) struct Whole<'a> {
    /// True when the file declares an input of this name.
    pub declared: &'a dyn Fn(&str) -> bool,
    /// True when some input's `follows` starts with this name.
    pub followed: &'a dyn Fn(&str) -> bool,
}

impl Context<'_> {
    /// True when the file declares input `name`.
    pub fn declares(&self, name: &str) -> bool {
        match &self.whole {
            Some(whole) => (whole.declared)(name),
            None => self.flake.input(name).is_some(),
        }
    }

    /// [`Flake::is_registry_input`], for a partial model too.
    pub fn is_registry_input(&self, name: &str) -> bool {
        match &self.whole {
            Some(_) => !self.declares(name) && self.flake.is_registry_input(name),
            None => self.flake.is_registry_input(name),
        }
    }
}

/// Collects diagnostics, dropping disabled codes.
pub(crate) struct Sink<'a> {
    options: &'a CheckOptions,
    /// False when fixes are not wanted: they are dropped, and the costly
    /// ones are not computed ([`Sink::wants_fixes`]).
    fixes: bool,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    /// An empty sink, keeping fixes or not.
    pub fn new(options: &'a CheckOptions, fixes: bool) -> Sink<'a> {
        Sink {
            options,
            fixes,
            diagnostics: Vec::new(),
        }
    }

    /// Adds a diagnostic of `code` with the code's severity.
    pub fn report(
        &mut self,
        code: DiagnosticCode,
        range: TextRange,
        subject: impl Into<String>,
        message: impl Into<String>,
        fix: Option<Fix>,
    ) {
        if !self.options.enabled(code) {
            return;
        }
        self.diagnostics.push(Diagnostic {
            code,
            severity: code.severity(),
            range,
            message: message.into(),
            subject: subject.into(),
            fix: fix.filter(|_| self.fixes),
        });
    }

    /// True when fixes are kept (so they are worth computing).
    pub fn wants_fixes(&self) -> bool {
        self.fixes
    }

    /// True when `code` would be reported (so work for it can be skipped).
    pub fn wants(&self, code: DiagnosticCode) -> bool {
        self.options.enabled(code)
    }
}

/// Checks a flake (and its `flake.lock`, when given). Diagnostics come
/// sorted by position. A file with syntax errors gets only `syntax-error`
/// diagnostics: nothing else can be trusted then.
pub fn check(file: &SourceFile, lock: Option<&Lock>, options: &CheckOptions) -> Vec<Diagnostic> {
    check_with(file, lock, options, true)
}

/// [`check`], with or without fixes (the fix of every diagnostic is then
/// `None`, and checking a large flake is cheaper).
fn check_with(
    file: &SourceFile,
    lock: Option<&Lock>,
    options: &CheckOptions,
    fixes: bool,
) -> Vec<Diagnostic> {
    check_reading(file, lock, options, fixes).0
}

/// What [`check_reading`] read besides the diagnostics.
struct Read {
    flake: Flake,
    uses: UseAnalysis,
    /// What the lock checks found about all inputs (with a lock).
    lock_facts: Option<lockfile::LockFacts>,
}

/// [`check_with`], also giving the model and the outputs' uses it read
/// (`None` when the file has syntax errors or is not a flake) and the time
/// it checked at.
fn check_reading(
    file: &SourceFile,
    lock: Option<&Lock>,
    options: &CheckOptions,
    fixes: bool,
) -> (Vec<Diagnostic>, Option<Read>, i64) {
    let now = options.now();
    let mut sink = Sink::new(options, fixes);
    if !file.is_valid() {
        for error in file.errors() {
            sink.report(
                DiagnosticCode::SyntaxError,
                error.range,
                format!("syntax@{}", u32::from(error.range.start())),
                format!("syntax error: {}", error.message),
                None,
            );
        }
        return (sink.diagnostics, None, now);
    }
    let flake = match Flake::read(file) {
        Ok(flake) => flake,
        Err(error) => {
            sink.report(
                DiagnosticCode::NotAFlake,
                error.range.unwrap_or_default(),
                "flake",
                error.message,
                None,
            );
            return (sink.diagnostics, None, now);
        }
    };
    let context = Context {
        file,
        flake: &flake,
        lock,
        options,
        now,
        whole: None,
    };
    let uses = analyze_uses_in(&flake, file.text());
    inputs::check(&context, &mut sink, None, &uses);
    hashes::check(&context, &mut sink, file.syntax());
    nixpkgs::check(&context, &mut sink);
    let lock_facts = lockfile::check(&context, &mut sink, None, None);
    let mut diagnostics = sink.diagnostics;
    sort(&mut diagnostics);
    (
        diagnostics,
        Some(Read {
            flake,
            uses,
            lock_facts,
        }),
        now,
    )
}

/// The order [`check`] gives diagnostics in.
fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.range.start(), d.range.end(), d.code.as_str()));
}

/// Counts diagnostics by severity: (errors, warnings, infos).
pub fn count_by_severity(diagnostics: &[Diagnostic]) -> (usize, usize, usize) {
    diagnostics
        .iter()
        .fold((0, 0, 0), |(e, w, i), d| match d.severity {
            Severity::Error => (e + 1, w, i),
            Severity::Warning => (e, w + 1, i),
            Severity::Info => (e, w, i + 1),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_and_ignore_filter_codes() {
        let options = CheckOptions {
            select: vec!["unused-input".into(), "fake-hash".into()],
            ignore: vec!["fake-hash".into(), "nope".into()],
            ..CheckOptions::default()
        };
        assert!(options.enabled(DiagnosticCode::UnusedInput));
        assert!(!options.enabled(DiagnosticCode::FakeHash));
        assert!(!options.enabled(DiagnosticCode::MissingFormal));
        assert_eq!(options.unknown_codes(), vec!["nope".to_string()]);
    }
}
