//! Packages imported from another file of the flake's directory (`import
//! ./pkgs pkgs`): with the directory readable, the names that file defines
//! are known, and a new package is merged after the import; a name the file
//! defines, a file that cannot be read, or no directory at all is refused.

use std::path::{Path, PathBuf};

use expect_test::expect_file;
use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{dune_with, tests_dir};
use crate::imports::beside;
use crate::{run, ErrorKind, FlakeError, Operation};

fn directory() -> PathBuf {
    tests_dir().join("fixtures/layouts/imported-packages")
}

/// Runs `operation` on the fixture `name` of the directory, its imports
/// readable; checks a second run changes nothing.
fn apply_beside(name: &str, operation: &Operation) -> Result<(String, String), FlakeError> {
    let path = directory().join(name);
    let before = std::fs::read_to_string(&path).expect("the fixture reads");
    let after = beside(&path, || run(operation, &before, None))?
        .new_text
        .expect("the operation changed the file");
    let again = beside(&path, || run(operation, &after, None)).expect("the second run succeeds");
    assert!(again.new_text.is_none(), "{:?}", again.new_text);
    Ok((before, after))
}

/// Evaluates `expression` on `text` written as `name` in a copy of the
/// fixture directory, so its imports resolve as they do in the repository.
fn eval_in_directory(nix: &Nix, name: &str, text: &str, expression: &str) -> serde_json::Value {
    let copy = tempfile::tempdir().expect("a temporary directory");
    copy_tree(&directory(), copy.path());
    std::fs::write(copy.path().join(name), text).expect("write the flake");
    let stubs = serde_json::to_string(&tests_dir().join("stubs").display().to_string())
        .expect("a path as a string");
    let expression = format!(
        "let
           inspect = import ({stubs} + \"/inspect.nix\");
           outputs = import ({stubs} + \"/eval.nix\") {{ flake = ./{name}; }};
         in {expression}"
    );
    nix.eval_json(copy.path(), &expression)
        .unwrap_or_else(|error| panic!("{expression}: {error}\n--- {name} ---\n{text}"))
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("the fixture directory reads") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("create a directory");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

#[test]
fn a_package_is_merged_after_an_import_whose_file_shows_the_names() {
    let nix = Nix::require();
    let add = dune_with("extra", &[]);
    for (name, snapshot) in [
        (
            "flake.nix",
            expect_file!["snapshots/imported/generated.nix"],
        ),
        (
            "per-system-body.nix",
            expect_file!["snapshots/imported/per-system-body.nix"],
        ),
    ] {
        let (before, after) =
            apply_beside(name, &add).unwrap_or_else(|error| panic!("{name}: {error:?}"));
        snapshot.assert_eq(&after);
        nix.assert_parses(&after);
        let show = "builtins.seq (builtins.toJSON (inspect.show outputs)) true";
        assert_eq!(
            eval_in_directory(&nix, name, &after, show),
            json!(true),
            "{name}"
        );
        assert_eq!(
            eval_in_directory(
                &nix,
                name,
                &after,
                "let p = outputs.packages.x86_64-linux.extra; in { inherit (p) _stub pname; }"
            ),
            json!({ "_stub": "buildDunePackage", "pname": "extra" }),
            "{name}"
        );
        // What the imported file defines is unchanged, on every system.
        let names = "builtins.mapAttrs (system: set: builtins.attrNames (builtins.removeAttrs set [ \"extra\" ])) outputs.packages";
        assert_eq!(
            eval_in_directory(&nix, name, &after, names),
            eval_in_directory(&nix, name, &before, names),
            "{name}"
        );
    }
}

#[test]
fn names_the_imported_file_defines_or_hides_are_refused() {
    // `tool` is defined by ./pkgs: a second definition is never written.
    let error = apply_beside("flake.nix", &dune_with("tool", &[])).expect_err("tool exists");
    assert_eq!(error.kind, ErrorKind::Conflict, "{error:?}");
    // `linux-only` is defined on some systems only; still a conflict.
    let error =
        apply_beside("per-system-body.nix", &dune_with("linux-only", &[])).expect_err("may exist");
    assert_eq!(error.kind, ErrorKind::Conflict, "{error:?}");

    // Without the flake's directory (text alone), the file is not read.
    let text = std::fs::read_to_string(directory().join("flake.nix")).expect("the fixture reads");
    let error = run(&dune_with("extra", &[]), &text, None).expect_err("no directory");
    assert_eq!(error.kind, ErrorKind::Unsupported);
    assert!(
        error
            .message
            .contains("whose attributes come from `./pkgs`, another file"),
        "{}",
        error.message
    );

    // A file outside the flake's directory, or missing, is not read either.
    for path in ["../imported-elsewhere", "./missing"] {
        let moved = text.replace("import ./pkgs ", &format!("import {path} "));
        assert_ne!(moved, text);
        let error = beside(&directory().join("flake.nix"), || {
            run(&dune_with("extra", &[]), &moved, None)
        })
        .expect_err("unreadable");
        assert_eq!(error.kind, ErrorKind::Unsupported, "{path}");
    }
}
