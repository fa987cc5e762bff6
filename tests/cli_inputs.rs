//! End-to-end tests of the `flakeedit` binary on one file: exit statuses,
//! `--diff`/`--dry-run`/`--check`/`--json`, error locations, and that a
//! failing run leaves the file byte-for-byte untouched.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;
use flakeedit_oracle::Nix;

#[test]
fn the_seeds_first_step_is_one_command() {
    let nix = Nix::require();
    let before = fixture("seed/01-initial.nix");
    let (dir, path) = project(&before);
    let output = flakeedit(
        dir.path(),
        &[
            "add-input",
            "github:emilpriver/riot",
            "--follows",
            "nixpkgs",
            "--diff",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        stdout(&output),
        "--- a/flake.nix\n+++ b/flake.nix\n@@ -3,6 +3,10 @@\n \n   inputs = {\n     nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n+    riot = {\n+      url = \"github:emilpriver/riot\";\n+      inputs.nixpkgs.follows = \"nixpkgs\";\n+    };\n   };\n \n   outputs = inputs@{ flake-parts, ... }:\n"
    );
    // The article's own inputs block, byte for byte.
    assert!(after.contains(
        "  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n    riot = {\n      url = \"github:emilpriver/riot\";\n      inputs.nixpkgs.follows = \"nixpkgs\";\n    };\n  };\n"
    ));
    nix.assert_parses(&after);
    // A second run changes nothing and says so.
    let again = flakeedit(
        dir.path(),
        &[
            "add-input",
            "github:emilpriver/riot",
            "--follows",
            "nixpkgs",
        ],
    );
    assert_eq!(again.status.code(), Some(0));
    assert!(
        stderr(&again).contains("nothing to do"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
}

#[test]
fn check_and_dry_run_write_nothing() {
    let before = fixture("inputs/block.nix");
    let (dir, path) = project(&before);
    let check = flakeedit(dir.path(), &["--check", "add-input", "o/extra"]);
    assert_eq!(check.status.code(), Some(1), "would change → 1");
    let dry = flakeedit(dir.path(), &["--dry-run", "--diff", "add-input", "o/extra"]);
    assert_eq!(dry.status.code(), Some(0));
    assert!(stdout(&dry).contains("+    extra.url = \"github:o/extra\";"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    let unchanged = flakeedit(
        dir.path(),
        &["--check", "add-input", "github:numtide/flake-utils"],
    );
    assert_eq!(unchanged.status.code(), Some(0), "no change → 0");
}

#[test]
fn errors_name_file_line_column_and_leave_the_file_alone() {
    let before = fixture("inputs/block.nix");
    let (dir, path) = project(&before);
    let output = flakeedit(dir.path(), &["remove-input", "flake-utils"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with("flake.nix:6:5: error: input `flake-utils` is still used by outputs"),
        "{message}"
    );
    assert!(
        message.contains("flake.nix:10:5: note: used here as `flake-utils`"),
        "each use is listed: {message}"
    );
    assert!(message.contains("hint: "), "{message}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);

    let output = flakeedit(
        dir.path(),
        &["add-input", "github:other/nixpkgs", "--name", "nixpkgs"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("set-url"), "{}", stderr(&output));

    let output = flakeedit(dir.path(), &["remove-input", "nope"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "unknown input on a named file fails"
    );

    let broken = fixture("broken/missing-semicolon.nix");
    std::fs::write(&path, &broken).unwrap();
    let output = flakeedit(dir.path(), &["add-input", "o/extra"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.starts_with("flake.nix:"), "{message}");
    assert!(message.contains("syntax error"), "{message}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn usage_errors_exit_2() {
    let (dir, _) = project("{ outputs = _: { }; }");
    assert_eq!(flakeedit(dir.path(), &["add-input"]).status.code(), Some(2));
    assert_eq!(
        flakeedit(dir.path(), &["frobnicate"]).status.code(),
        Some(2)
    );
    assert_eq!(
        flakeedit(dir.path(), &["follow", "--all", "nixpkgs", "riot"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn bad_files_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = flakeedit(dir.path(), &["--file", "nope.nix", "list-inputs"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("nope.nix"),
        "{}",
        stderr(&missing)
    );

    let path = dir.path().join("flake.nix");
    let bytes = b"{ inputs.a.url = \"x\xff\"; outputs = _: { }; }".to_vec();
    std::fs::write(&path, &bytes).unwrap();
    let binary = flakeedit(dir.path(), &["add-input", "o/extra"]);
    assert_eq!(binary.status.code(), Some(1));
    assert!(
        stderr(&binary).contains("flake.nix:1:"),
        "{}",
        stderr(&binary)
    );
    assert!(stderr(&binary).contains("UTF-8"), "{}", stderr(&binary));
    assert_eq!(std::fs::read(&path).unwrap(), bytes);

    // Read-only files are refused, even for root, and stay untouched.
    let text = fixture("inputs/block.nix");
    std::fs::write(&path, &text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let readonly = flakeedit(dir.path(), &["add-input", "o/extra"]);
    assert_eq!(readonly.status.code(), Some(1));
    assert!(
        stderr(&readonly).contains("read-only"),
        "{}",
        stderr(&readonly)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn writes_keep_the_mode_and_go_through_symlinks() {
    let text = fixture("inputs/block.nix");
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.nix");
    std::fs::write(&real, &text).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("real.nix", dir.path().join("flake.nix")).unwrap();
    let output = flakeedit(dir.path(), &["add-input", "o/extra"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let link = std::fs::symlink_metadata(dir.path().join("flake.nix")).unwrap();
    assert!(link.file_type().is_symlink(), "the symlink is kept");
    let written = std::fs::read_to_string(&real).unwrap();
    assert!(written.contains("extra.url"));
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("flakeedit"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn json_output_is_documented_shape() {
    let text = fixture("inputs/follows-deep.nix");
    let (dir, _) = project(&text);
    let output = flakeedit(dir.path(), &["--json", "list-inputs"]);
    assert_eq!(output.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    let devenv = &value["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "devenv")
        .unwrap()
        .clone();
    assert_eq!(devenv["url"], "github:cachix/devenv");
    assert_eq!(devenv["flake"], true);
    assert!(devenv["nested_follows"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!({ "path": ["pre-commit-hooks"], "target": "" })));
    assert_eq!(devenv["line"], 8);

    let output = flakeedit(dir.path(), &["--json", "--dry-run", "remove-input", "nope"]);
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(value["outcome"], "not-applicable");
    assert_eq!(value["error"]["kind"], "not-applicable");

    let output = flakeedit(dir.path(), &["--json", "--dry-run", "add-input", "o/extra"]);
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(value["outcome"], "changed");
    assert_eq!(value["written"], false);
    assert!(value["edits"].as_array().is_some_and(|e| !e.is_empty()));
}

#[test]
fn completions_into_a_closed_pipe_end_quietly() {
    // `flakeedit completions bash | head`: the reader is gone before the
    // script is written (the child needs milliseconds to start; the read end
    // is closed right after spawning).
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flakeedit"))
        .current_dir(dir.path())
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run flakeedit");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait for flakeedit");
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(!errors.contains("panicked"), "{errors}");
    assert_eq!(output.status.code(), Some(0), "{errors}");
}

#[test]
fn follow_all_reads_the_lock_next_to_the_file() {
    let nix = Nix::require();
    let text = "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    riot.url = \"github:emilpriver/riot\";\n  };\n  outputs = { self, nixpkgs, riot }: { };\n}\n";
    let (dir, path) = project(text);
    let no_lock = flakeedit(dir.path(), &["follow", "--all", "nixpkgs"]);
    assert_eq!(no_lock.status.code(), Some(1));
    assert!(
        stderr(&no_lock).contains("no flake.lock"),
        "{}",
        stderr(&no_lock)
    );
    std::fs::write(
        dir.path().join("flake.lock"),
        r#"{ "version": 7, "root": "root", "nodes": {
          "root": { "inputs": { "nixpkgs": "nixpkgs", "riot": "riot" } },
          "nixpkgs": { "locked": { "rev": "1111111111111111111111111111111111111111" } },
          "nixpkgs_2": { "locked": { "rev": "2222222222222222222222222222222222222222" } },
          "riot": { "inputs": { "nixpkgs": "nixpkgs_2" }, "locked": { "rev": "3333333333333333333333333333333333333333" } } } }"#,
    )
    .unwrap();
    let output = flakeedit(dir.path(), &["follow", "--all", "nixpkgs"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let after = std::fs::read_to_string(&path).unwrap();
    let inputs = nix.eval_flake(&after, "(import ./flake.nix).inputs");
    assert_eq!(inputs["riot"]["inputs"]["nixpkgs"]["follows"], "nixpkgs");
    let listed = flakeedit(dir.path(), &["list-inputs"]);
    assert!(stdout(&listed).contains("locked=3333333333333333333333333333333333333333"));
}

/// The library's refusal names its `force` option; the CLI spells it as
/// its flag.
#[test]
fn remove_input_refusal_names_the_cli_flag() {
    let (dir, path) = project(
        "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  inputs.riot.url = \"github:emilpriver/riot\";\n  outputs = { self, nixpkgs, riot }: { packages = riot.packages; };\n}\n",
    );
    let before = std::fs::read_to_string(&path).unwrap();
    let output = flakeedit(dir.path(), &["remove-input", "riot"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .contains("hint: remove those uses first, or pass --force to remove the input anyway"),
        "{}",
        stderr(&output)
    );
    assert!(
        !stderr(&output).contains("set `force`"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
}

/// A warning about one place is printed at that place, `path:line:col`, and
/// `--json` gives its code and range; a warning about no one place has no
/// position.
#[test]
fn warnings_name_their_place() {
    let text = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  inputs.riot.url = \"github:emilpriver/riot\";\n  outputs = { self, nixpkgs, riot }: { packages = riot.packages; };\n}\n";
    let (dir, _) = project(text);
    let output = flakeedit(
        dir.path(),
        &["--dry-run", "remove-input", "riot", "--force"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    expect_test::expect![[r#"
        flake.nix:4:51: warning: the outputs still use `riot` here; evaluation will fail until that use is removed
        flake.nix:4:30: warning: kept `riot` in the outputs arguments because the outputs still use it
    "#]]
    .assert_eq(&stderr(&output));

    let output = flakeedit(
        dir.path(),
        &["--json", "--dry-run", "remove-input", "riot", "--force"],
    );
    let record: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    expect_test::expect![[r#"
        [
          {
            "code": "still-used",
            "message": "the outputs still use `riot` here; evaluation will fail until that use is removed",
            "range": {
              "end": {
                "column": 55,
                "line": 4,
                "offset": 149
              },
              "start": {
                "column": 51,
                "line": 4,
                "offset": 145
              }
            }
          },
          {
            "code": "still-used",
            "message": "kept `riot` in the outputs arguments because the outputs still use it",
            "range": {
              "end": {
                "column": 34,
                "line": 4,
                "offset": 128
              },
              "start": {
                "column": 30,
                "line": 4,
                "offset": 124
              }
            }
          }
        ]"#]]
    .assert_eq(&serde_json::to_string_pretty(&record["warnings"]).unwrap());

    let output = flakeedit(dir.path(), &["add-input", "github:emilpriver/riot"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    expect_test::expect![[r#"
        flake.nix: warning: input `riot` already exists with this url; nothing to do
    "#]]
    .assert_eq(&stderr(&output));
}

#[test]
fn inputs_read_by_files_beside_the_flake_are_not_removed_silently() {
    let flake = r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    compat = {
      url = "github:edolstra/flake-compat";
      flake = false;
    };
  };
  outputs = { self, nixpkgs, ... }: { };
}
"#;
    let (dir, path) = project(flake);
    // flake-compat's default.nix reads the input through flake.lock.
    std::fs::write(
        dir.path().join("default.nix"),
        "let lock = builtins.fromJSON (builtins.readFile ./flake.lock); in\n\
         import (fetchTarball \"https://github.com/edolstra/flake-compat/archive/${lock.nodes.compat.locked.rev}.tar.gz\") { src = ./.; }\n",
    )
    .unwrap();
    let refused = flakeedit(dir.path(), &["remove-input", "compat"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains(
            "input `compat` is not used by outputs, but `default.nix` beside flake.nix names `compat`, which such files read through flake.lock"
        ),
        "{}",
        stderr(&refused)
    );
    assert!(
        stderr(&refused).contains("pass --force"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), flake);

    let forced = flakeedit(dir.path(), &["remove-input", "compat", "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(stderr(&forced).contains("check that they still work after `nix flake lock`"));
    assert!(!std::fs::read_to_string(&path).unwrap().contains("compat"));

    // Nothing beside the flake names it: removed as any unused input.
    let (dir, path) = project(flake);
    let removed = flakeedit(dir.path(), &["remove-input", "compat"]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert!(!std::fs::read_to_string(&path).unwrap().contains("compat"));
}

#[test]
fn a_file_beside_that_does_not_read_the_lock_does_not_keep_an_input() {
    let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  inputs.extra.url = \"github:example/extra\";\n  outputs = { self, ... }: { };\n}\n";
    let (dir, path) = project(flake);
    // `<nixpkgs>` and a mention in prose are not reads through flake.lock.
    std::fs::write(
        dir.path().join("shell.nix"),
        "# extra tools come from nixpkgs\n{ pkgs ? import <nixpkgs> { } }: pkgs.mkShell { }\n",
    )
    .unwrap();
    for name in ["nixpkgs", "extra"] {
        let output = flakeedit(dir.path(), &["remove-input", name, "--dry-run"]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), flake);
}
