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
