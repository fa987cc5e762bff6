//! Lossless parsing of every fixture file of the repository and of
//! generated texts: printing the tree gives back the bytes exactly.
//!
//! Fixtures outside `broken/` must parse without errors in rnix and in the
//! real Nix parser; those in `broken/` must be rejected by both, so the two
//! parsers agree on what a broken file is.

mod common;

use std::path::{Path, PathBuf};

use common::nix;
use flakeedit_syntax::SourceFile;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Every file under `dir`, recursively, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let listing = std::fs::read_dir(&current)
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", current.display()));
        for entry in listing {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn assert_round_trips(text: &str, what: &str) -> SourceFile {
    let file = SourceFile::parse(text);
    let printed = file.syntax().to_string();
    assert!(
        printed.as_bytes() == text.as_bytes(),
        "{what} does not round-trip\n--- text ---\n{text:?}\n--- printed ---\n{printed:?}"
    );
    file
}

#[test]
fn every_fixture_round_trips_and_both_parsers_agree() {
    let root = fixtures_dir();
    let mut covered = 0usize;
    let mut broken = 0usize;
    for path in walk(&root) {
        let relative = path.strip_prefix(&root).expect("under the fixtures");
        // Only Nix files are fixtures for the parsers; every file must still
        // round-trip (lock files and `.gitattributes` included).
        let bytes = std::fs::read(&path).expect("readable fixture");
        let Ok(text) = String::from_utf8(bytes) else {
            panic!("{} is not UTF-8", relative.display());
        };
        let file = assert_round_trips(&text, &relative.display().to_string());
        covered += 1;
        if path.extension().is_none_or(|extension| extension != "nix") {
            continue;
        }
        let is_broken = relative.starts_with("broken");
        let nix_result = nix().parse_file(&path);
        if is_broken {
            broken += 1;
            assert!(
                !file.is_valid(),
                "rnix accepts the broken fixture {}",
                relative.display()
            );
            assert!(
                nix_result.is_err(),
                "Nix accepts the broken fixture {}",
                relative.display()
            );
        } else {
            assert!(
                file.is_valid(),
                "rnix rejects {}: {:?}",
                relative.display(),
                file.errors()
            );
            if let Err(error) = nix_result {
                panic!("Nix rejects {}:\n{error}", relative.display());
            }
        }
    }
    println!(
        "round-tripped {covered} fixture files ({broken} broken ones rejected by both parsers)"
    );
    assert!(
        covered > 40,
        "only {covered} fixture files under {}: is the directory missing?",
        root.display()
    );
    assert!(broken > 0, "no broken fixtures were checked");
}

#[test]
fn generated_texts_round_trip() {
    let base = "# comment\n{\n  description = \"café ☃\";\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\"; # pinned\n\n    /* block\n       comment */\n    x = { flake = false; };\n  };\n  outputs = { self, ... }: { };\n}\n";
    let variants = [
        ("as is", base.to_string()),
        ("CRLF", base.replace('\n', "\r\n")),
        ("mixed line endings", base.replacen('\n', "\r\n", 3)),
        ("lone carriage returns", base.replace('\n', "\r")),
        ("tabs", base.replace("  ", "\t")),
        ("trailing whitespace", base.replace(";\n", "; \t\n")),
        ("no trailing newline", base.trim_end().to_string()),
        ("many trailing newlines", format!("{base}\n\n\n")),
        ("leading blank lines", format!("\n\n{base}")),
        ("non-ASCII", base.replace("comment", "κόσμε 🦀 日本語")),
        ("byte order mark", format!("\u{feff}{base}")),
        ("empty", String::new()),
        ("only whitespace", " \t\r\n\n".to_string()),
        ("only a comment", "# nothing here".to_string()),
        ("truncated", base[..base.len() / 2].to_string()),
        ("doubled", format!("{base}{base}")),
        ("unclosed string", base.replacen("\";", "", 1)),
    ];
    for (what, text) in &variants {
        let file = assert_round_trips(text, what);
        let valid_variant = [
            "as is",
            "CRLF",
            "mixed line endings",
            "tabs",
            "trailing whitespace",
            "no trailing newline",
            "many trailing newlines",
            "leading blank lines",
            "non-ASCII",
        ];
        if valid_variant.contains(what) {
            assert!(file.is_valid(), "{what}: {:?}", file.errors());
            nix().assert_parses(text);
        }
    }
    // Each prefix of a file round-trips, however it is cut (on character
    // boundaries).
    let text = &variants[1].1;
    for (cut, _) in text.char_indices() {
        assert_round_trips(&text[..cut], "a prefix");
    }
}
