//! The JSON output names a file faithfully even when its path is not UTF-8:
//! `path` is the lossy text, `path_bytes` the exact bytes (README, "list-inputs --json").

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;

use common::*;

const FLAKE: &str = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  outputs = { self, nixpkgs }: { };\n}\n";

/// A project whose flake sits in a directory named `caf\xe9` (Latin-1, not
/// UTF-8); returns the directory and the flake's relative path bytes.
fn latin1_project() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let name = OsStr::from_bytes(b"caf\xe9");
    std::fs::create_dir(dir.path().join(name)).unwrap();
    std::fs::write(dir.path().join(name).join("flake.nix"), FLAKE).unwrap();
    (dir, b"caf\xe9/flake.nix".to_vec())
}

fn run(dir: &std::path::Path, args: &[&OsStr]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_flakeedit"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run flakeedit");
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}{}", stdout(&output), stderr(&output)))
}

fn bytes(value: &serde_json::Value) -> Vec<u8> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("path_bytes is not an array: {value}"))
        .iter()
        .map(|byte| {
            byte.as_u64()
                .and_then(|b| u8::try_from(b).ok())
                .expect("a byte")
        })
        .collect()
}

#[test]
fn edit_records_carry_the_exact_bytes_of_a_path_that_is_not_utf8() {
    let (dir, path) = latin1_project();
    let file = OsStr::from_bytes(&path);
    let record = run(
        dir.path(),
        &[
            "--json".as_ref(),
            "--dry-run".as_ref(),
            "-f".as_ref(),
            file,
            "set-url".as_ref(),
            "nixpkgs".as_ref(),
            "github:NixOS/nixpkgs/nixos-24.11".as_ref(),
        ],
    );
    assert_eq!(record["outcome"], "changed");
    assert_eq!(record["path"], "caf\u{FFFD}/flake.nix");
    assert_eq!(bytes(&record["path_bytes"]), path);

    let record = run(
        dir.path(),
        &[
            "--json".as_ref(),
            "-f".as_ref(),
            file,
            "pin".as_ref(),
            "nope".as_ref(),
        ],
    );
    assert_eq!(record["outcome"], "not-applicable");
    assert_eq!(bytes(&record["path_bytes"]), path);
    assert_eq!(bytes(&record["error"]["path_bytes"]), path);
}

#[test]
fn check_documents_carry_the_exact_bytes_and_sarif_percent_encodes_them() {
    let (dir, path) = latin1_project();
    let file = OsStr::from_bytes(&path);
    let document = run(
        dir.path(),
        &["check".as_ref(), "--format".as_ref(), "json".as_ref(), file],
    );
    assert_eq!(bytes(&document["files"][0]["path_bytes"]), path);
    let log = run(
        dir.path(),
        &[
            "check".as_ref(),
            "--select".as_ref(),
            "unsupported-branch,unused-input".as_ref(),
            "--fail-on".as_ref(),
            "never".as_ref(),
            "--format".as_ref(),
            "sarif".as_ref(),
            file,
        ],
    );
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty(), "{log}");
    for result in results {
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "caf%E9/flake.nix"
        );
    }
}

#[test]
fn a_utf8_path_has_no_bytes_field() {
    let (dir, _) = project(FLAKE);
    let output = flakeedit(dir.path(), &["--json", "list-inputs"]);
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(record["path"], "flake.nix");
    assert!(record.get("path_bytes").is_none(), "{record}");
}
