//! Fixtures, running operations, and evaluating results with Nix.

use std::path::{Path, PathBuf};

use flakeedit_oracle::Nix;

use crate::{run, AddDevShell, AddDunePackage, FlakeError, Operation};

/// The repository's `tests/` directory.
pub(crate) fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests")
}

/// A fixture's text, by path below `tests/fixtures`.
pub(crate) fn fixture(path: &str) -> String {
    let full = tests_dir().join("fixtures").join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|error| panic!("{}: {error}", full.display()))
}

/// Runs `operation` on `text`; the new text (the old one when unchanged).
pub(crate) fn apply(
    text: &str,
    operation: &Operation,
) -> Result<(String, Vec<String>), FlakeError> {
    let result = run(operation, text, None)?;
    let warnings = result
        .changes
        .warnings
        .iter()
        .map(|warning| warning.message.clone())
        .collect();
    Ok((
        result.new_text.unwrap_or_else(|| text.to_string()),
        warnings,
    ))
}

/// Runs `operation`, panicking on error, and checks that running it again
/// changes nothing (idempotence) and says so.
pub(crate) fn apply_twice(text: &str, operation: &Operation) -> String {
    let (changed, _) = apply(text, operation)
        .unwrap_or_else(|error| panic!("{operation:?} failed: {error:?}\n--- text ---\n{text}"));
    assert_ne!(changed, text, "{operation:?} changed nothing");
    let again = run(operation, &changed, None)
        .unwrap_or_else(|error| panic!("second {operation:?} failed: {error:?}\n{changed}"));
    assert!(
        again.new_text.is_none(),
        "second run changed the file again:\n{}",
        again.new_text.unwrap_or_default()
    );
    assert!(
        !again.changes.warnings.is_empty(),
        "second run should say it did nothing"
    );
    changed
}

fn stubs() -> String {
    let dir = tests_dir().join("stubs");
    serde_json::to_string(&dir.display().to_string()).unwrap_or_default()
}

/// Evaluates `expression` (with `outputs` and `inspect` bound) on a flake text.
pub(crate) fn eval(nix: &Nix, text: &str, expression: &str) -> serde_json::Value {
    nix.eval_flake(
        text,
        &format!(
            "let
               inspect = import ({stubs} + \"/inspect.nix\");
               outputs = import ({stubs} + \"/eval.nix\") {{ flake = ./flake.nix; }};
             in {expression}",
            stubs = stubs(),
        ),
    )
}

/// Panics unless the whole flake evaluates (every value forced).
pub(crate) fn assert_evaluates(nix: &Nix, text: &str) {
    eval(
        nix,
        text,
        "builtins.seq (builtins.toJSON (inspect.show outputs)) true",
    );
}

/// A dune package `pname` at version 0.2.0 that builds with `build_inputs`.
pub(crate) fn dune_with(pname: &str, build_inputs: &[&str]) -> Operation {
    Operation::AddDunePackage(AddDunePackage {
        pname: pname.into(),
        version: Some("0.2.0".into()),
        build_inputs: build_inputs.iter().map(|input| input.to_string()).collect(),
        ..Default::default()
    })
}

/// A dev shell with `jq`.
pub(crate) fn jq_shell() -> Operation {
    Operation::AddDevShell(AddDevShell {
        packages: vec!["jq".into()],
        ..Default::default()
    })
}
