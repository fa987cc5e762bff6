//! Helpers of the `check` tests: fixtures, a fixed clock, and a rendering of
//! diagnostics that shows each one's range as `line:col-line:col` plus the
//! text it covers, so a snapshot pins ranges and messages together.

#![allow(dead_code)]

use std::path::PathBuf;

use flakeedit_flake::check::{check, CheckOptions, Diagnostic};
use flakeedit_flake::Lock;
use flakeedit_syntax::SourceFile;

/// 2025-06-01T00:00:00Z: "now" for every check test.
pub const NOW: i64 = 1_748_736_000;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/check")
}

pub fn stubs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/stubs")
}

/// The `flake.nix` text of fixture `name`.
pub fn flake_text(name: &str) -> String {
    let path = fixtures().join(name).join("flake.nix");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `flake.lock` of fixture `name`, when it has one.
pub fn lock(name: &str) -> Option<Lock> {
    let path = fixtures().join(name).join("flake.lock");
    let text = std::fs::read_to_string(path).ok()?;
    Some(Lock::parse(&text).expect("fixture lock parses"))
}

pub fn options() -> CheckOptions {
    CheckOptions {
        now: Some(NOW),
        ..CheckOptions::default()
    }
}

/// Checks a text with a fixed clock.
pub fn diagnostics(text: &str, lock: Option<&Lock>) -> Vec<Diagnostic> {
    check(&SourceFile::parse(text), lock, &options())
}

/// One line per diagnostic: `line:col-line:col severity[code] `covered
/// text`: message`, then the fix when there is one.
pub fn render(text: &str, diagnostics: &[Diagnostic]) -> String {
    let file = SourceFile::parse(text);
    let mut out = String::new();
    for d in diagnostics {
        let start = file.lines().line_col(text, d.range.start());
        let end = file.lines().line_col(text, d.range.end());
        let covered = &text[d.range];
        let covered = if covered.len() > 60 || covered.contains('\n') {
            format!("{}…", covered.lines().next().unwrap_or(""))
        } else {
            covered.to_string()
        };
        out.push_str(&format!(
            "{start}-{end} {}[{}] `{covered}`: {}\n",
            d.severity, d.code, d.message
        ));
        if let Some(fix) = &d.fix {
            out.push_str(&format!(
                "    fix ({}): {}\n",
                if fix.safe { "safe" } else { "unsafe" },
                fix.title
            ));
        }
    }
    out
}

/// Renders the diagnostics of fixture `name` (with its lock).
pub fn render_fixture(name: &str) -> String {
    let text = flake_text(name);
    let lock = lock(name);
    render(&text, &diagnostics(&text, lock.as_ref()))
}
