//! Shared helpers for the flake crate's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use flakeedit_flake::{run, FlakeError, Lock, Operation};
use flakeedit_oracle::Nix;

/// The repository's `tests/` directory.
pub fn repo_tests() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests")
}

/// Reads `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> String {
    let path = repo_tests().join("fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.nix` file of a fixture directory, sorted.
pub fn fixtures_in(directory: &str) -> Vec<(String, String)> {
    let dir = repo_tests().join("fixtures").join(directory);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".nix"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = fixture(&format!("{directory}/{name}"));
            (name, text)
        })
        .collect()
}

/// Runs an operation; `Ok` holds the new text (the old one if unchanged).
pub fn apply(text: &str, operation: &Operation, lock: Option<&Lock>) -> Result<String, FlakeError> {
    let result = run(operation, text, lock)?;
    Ok(result.new_text.unwrap_or_else(|| text.to_string()))
}

/// rust-analyzer's `check_assist(before, after)` for flake edits: runs
/// `operation` on `before` through the verified [`run`] and compares the
/// whole new text with `after` (`UPDATE_EXPECT=1` rewrites it). The edit
/// must change the file, the real Nix parser must accept the result, and a
/// second run must change nothing.
pub fn check_edit(operation: &Operation, before: &str, after: expect_test::Expect) {
    let result = run(operation, before, None)
        .unwrap_or_else(|error| panic!("refused: {}", render_error(before, &error)));
    let new_text = result.new_text.expect("the edit changed nothing");
    after.assert_eq(&new_text);
    if let Err(error) = Nix::require().parse(&new_text) {
        panic!("nix-instantiate --parse rejects the result: {error}");
    }
    // Twice is once: the second run changes nothing, or (a removal) finds
    // nothing left to do and says so.
    match run(operation, &new_text, None) {
        Ok(again) => assert_eq!(again.new_text, None, "the edit is not idempotent"),
        Err(error) => assert_eq!(
            error.kind,
            flakeedit_flake::ErrorKind::NotApplicable,
            "the second run: {}",
            render_error(&new_text, &error)
        ),
    }
}

/// The refusal counterpart of [`check_edit`]: `operation` on `before` is
/// refused, and `expected` is the error as a user reads it
/// (`line:col: kind: message`, then the hint and related places).
pub fn check_refused(operation: &Operation, before: &str, expected: expect_test::Expect) {
    match run(operation, before, None) {
        Ok(result) => panic!("not refused; the new text is:\n{:?}", result.new_text),
        Err(error) => expected.assert_eq(&render_error(before, &error)),
    }
}

/// A refusal as text: its position (`line:col`, 1-based), kind, message,
/// hint and related places.
pub fn render_error(text: &str, error: &FlakeError) -> String {
    let file = flakeedit_syntax::SourceFile::parse(text);
    let at = |range: flakeedit_syntax::TextRange| file.lines().line_col(text, range.start());
    let mut out = match error.range {
        Some(range) => format!("{}: {:?}: {}\n", at(range), error.kind, error.message),
        None => format!("{:?}: {}\n", error.kind, error.message),
    };
    if let Some(hint) = &error.hint {
        out.push_str(&format!("  hint: {hint}\n"));
    }
    for (range, label) in &error.related {
        out.push_str(&format!("  {}: {label}\n", at(*range)));
    }
    out
}

/// The stubs directory as a Nix string literal.
pub fn stubs() -> String {
    let dir = repo_tests().join("stubs");
    let dir = dir.canonicalize().expect("tests/stubs exists");
    serde_json::to_string(dir.to_str().expect("UTF-8 path")).expect("string")
}

/// `(import ./flake.nix).inputs` as JSON.
pub fn inputs_json(nix: &Nix, text: &str) -> serde_json::Value {
    nix.eval_flake(text, "(import ./flake.nix).inputs or {}")
}

/// `builtins.functionArgs (import ./flake.nix).outputs` as JSON.
pub fn outputs_args(nix: &Nix, text: &str) -> serde_json::Value {
    nix.eval_flake(text, "builtins.functionArgs (import ./flake.nix).outputs")
}

/// Calls `outputs` with stub inputs the way Nix does (every declared input)
/// and returns the names of the outputs: fails when the pattern rejects an
/// input ("called with unexpected argument") or lacks one.
pub fn output_names(nix: &Nix, text: &str) -> serde_json::Value {
    nix.eval_flake(
        text,
        &format!(
            "builtins.attrNames (import ({stubs} + \"/eval.nix\") {{ flake = ./flake.nix; }})",
            stubs = stubs()
        ),
    )
}

/// Compares `actual` with the snapshot file `tests/snapshots/<name>`;
/// `UPDATE_SNAPSHOTS=1` rewrites it instead.
///
/// Not expect-test's `expect_file!`, the project's snapshot mechanism
/// elsewhere: it turns CRLF into LF before comparing, and these snapshots
/// must show that a CRLF file stays CRLF byte for byte.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with UPDATE_SNAPSHOTS=1 to create it\n--- actual ---\n{actual}",
            path.display()
        )
    });
    if expected != actual {
        let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
            .unified_diff()
            .header("expected", "actual")
            .to_string();
        panic!(
            "snapshot {} differs (UPDATE_SNAPSHOTS=1 to accept):\n{diff}",
            path.display()
        );
    }
}

/// The whole before and after text of an edit, for a snapshot.
pub fn before_after(fixture: &str, before: &str, command: &str, after: &str) -> String {
    format!("=== before: {fixture}\n{before}\n=== after: flakeedit {command}\n{after}\n")
}
