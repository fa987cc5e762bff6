//! `flakeedit check` end to end: the built binary on temporary copies of
//! `tests/fixtures/check`, its output lines, exit codes and `--fix` result.

use std::path::{Path, PathBuf};
use std::process::Command;

/// 2025-06-01, so lock ages do not drift.
const NOW: &str = "1748736000";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check")
}

/// Copies fixture directories into a fresh temporary directory.
fn copy(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for name in names {
        let target = dir.path().join(name);
        std::fs::create_dir_all(&target).unwrap();
        for file in ["flake.nix", "flake.lock"] {
            let source = fixtures().join(name).join(file);
            if source.exists() {
                std::fs::copy(&source, target.join(file)).unwrap();
            }
        }
    }
    dir
}

fn flakeedit(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_flakeedit"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["check", "--now", NOW])
        .args(args)
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn text_output_has_location_source_line_and_caret() {
    let dir = copy(&["undeclared"]);
    let (code, stdout, stderr) = flakeedit(dir.path(), &["undeclared/flake.nix"]);
    // Registry inputs evaluate: warnings, so exit 0 by default.
    assert_eq!(code, 0, "only warnings: exit 0\n{stdout}{stderr}");
    assert_eq!(
        flakeedit(
            dir.path(),
            &["undeclared/flake.nix", "--fail-on", "warning"]
        )
        .0,
        1
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[..5],
        [
            "undeclared/flake.nix:12:22: warning[registry-input]: outputs takes `flake-parts`, but it is not a declared input: Nix then fetches `flake:flake-parts` through the flake registry, so what it gets depends on each machine's registry",
            "   |",
            "12 |   outputs = inputs@{ flake-parts, mystery-tool, ... }:",
            "   |                      ^^^^^^^^^^^",
            "   = fix: add input `flake-parts` (github:hercules-ci/flake-parts) (safe: `flakeedit check --fix` applies it)",
        ]
    );
    assert!(
        stderr.contains("1 file checked: 0 errors, 2 warnings, 0 infos, 1 fixable with --fix"),
        "{stderr}"
    );
}

#[test]
fn fail_on_select_and_ignore_decide_the_exit_code() {
    let dir = copy(&["duplicate-nixpkgs"]);
    let file = "duplicate-nixpkgs/flake.nix";
    // Only warnings: exit 0 by default, 1 with --fail-on warning.
    assert_eq!(flakeedit(dir.path(), &[file]).0, 0);
    assert_eq!(flakeedit(dir.path(), &[file, "--fail-on", "warning"]).0, 1);
    let (code, stdout, _) = flakeedit(
        dir.path(),
        &[file, "--fail-on", "warning", "--ignore", "not-following"],
    );
    assert_eq!((code, stdout.as_str()), (0, ""));
    let (_, stdout, _) = flakeedit(dir.path(), &[file, "--select", "not-following"]);
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.contains("[not-following]"))
            .count(),
        4
    );
    // Unknown codes are usage errors.
    assert_eq!(
        flakeedit(dir.path(), &[file, "--select", "no-such-code"]).0,
        2
    );
}

#[test]
fn fix_writes_safe_fixes_and_reports_them() {
    let dir = copy(&["undeclared", "duplicate-nixpkgs"]);
    let (code, stdout, stderr) =
        flakeedit(dir.path(), &["--fix", "-r", ".", "--fail-on", "warning"]);
    // `mystery-tool` has no safe fix: a warning remains.
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "./undeclared/flake.nix:12:22: fixed[registry-input]: add input `flake-parts`"
        ),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("fixed[not-following]").count(),
        4,
        "{stdout}"
    );
    let fixed = std::fs::read_to_string(dir.path().join("undeclared/flake.nix")).unwrap();
    assert!(fixed.contains("flake-parts = {\n      url = \"github:hercules-ci/flake-parts\";\n      inputs.nixpkgs-lib.follows = \"nixpkgs\";\n    };"), "{fixed}");
    let fixed = std::fs::read_to_string(dir.path().join("duplicate-nixpkgs/flake.nix")).unwrap();
    assert!(
        fixed.contains("riot.inputs.nixpkgs.follows = \"nixpkgs\";"),
        "{fixed}"
    );
    // A second run has nothing left to fix; as a formatter it exits 0.
    let (code, stdout, _) = flakeedit(dir.path(), &["--fix", "--fail-on", "never", "-r", "."]);
    assert_eq!(code, 0);
    assert!(!stdout.contains("fixed["), "{stdout}");
}

#[test]
fn dry_run_and_check_write_nothing() {
    let dir = copy(&["legacy-sha256"]);
    let path = dir.path().join("legacy-sha256/flake.nix");
    let before = std::fs::read_to_string(&path).unwrap();
    let (code, stdout, _) = flakeedit(
        dir.path(),
        &["--fix", "--check", "--diff", "legacy-sha256/flake.nix"],
    );
    assert_eq!(code, 1, "--check fails when a fix would change the file");
    assert!(
        stdout
            .contains("+          hash = \"sha256-rniZReWV0nm+MjfeYRmjY7dPg08nubwB4Rb11fndFtc=\";"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
}

#[test]
fn syntax_errors_are_reported_and_never_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{ outputs = { self, flake-parts }: { };\n";
    std::fs::write(dir.path().join("flake.nix"), text).unwrap();
    let (code, stdout, _) = flakeedit(dir.path(), &["--fix"]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with(
            "flake.nix:2:1: error[syntax-error]: syntax error: unexpected end of file"
        ),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("flake.nix")).unwrap(),
        text
    );
}

#[test]
fn json_and_sarif_are_documents() {
    let dir = copy(&["fake-hashes"]);
    let (code, stdout, _) = flakeedit(dir.path(), &["--format", "json", "fake-hashes/flake.nix"]);
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(value["version"], 1);
    assert_eq!(value["summary"]["errors"], 5);
    let first = &value["files"][0]["diagnostics"][0];
    assert_eq!(first["code"], "fake-hash");
    assert_eq!(first["range"]["start"]["line"], 11);
    assert_eq!(first["range"]["start"]["column"], 88);
    assert_eq!(first["fix"], serde_json::Value::Null);
    let (_, stdout, _) = flakeedit(dir.path(), &["--format", "sarif", "fake-hashes/flake.nix"]);
    let sarif: serde_json::Value = serde_json::from_str(&stdout).expect("SARIF");
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "fake-hash");
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        11
    );
}

/// Flakes that evaluate, with inputs used through `with inputs;`, computed
/// names, shadowing `inputs` arguments, `inputs ? x` guards, outputs
/// arguments as follows targets and non-flake inputs: no error, so `check`
/// exits 0; what cannot be decided is an info naming the construct.
#[test]
fn scope_fixtures_have_no_errors() {
    let names = [
        "with-inputs",
        "dynamic-use",
        "shadowed-inputs",
        "guarded-inputs",
        "registry-follows",
        "non-flake-inputs",
    ];
    let dir = copy(&names);
    let files: Vec<String> = names
        .iter()
        .map(|name| format!("{name}/flake.nix"))
        .collect();
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = flakeedit(dir.path(), &args);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("6 files checked: 0 errors, 1 warning, 6 infos"),
        "{stderr}"
    );
    assert!(
        stdout.contains(
            "dynamic-use/flake.nix:6:5: info[undecided-input-use]: cannot tell whether input `riot` is used: `inputs.${name}` takes an input whose name is computed, so it may be `riot` (line 13, column 25)"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("unused-input]"), "{stdout}");
    assert!(!stdout.contains("dangling-follows"), "{stdout}");
}

/// One file named twice (`./flake.nix` and `flake.nix`, or a symlink) is
/// checked and fixed once, as the edit commands do: it used to be fixed
/// twice in parallel, each run writing over the other.
#[test]
fn a_file_named_twice_is_fixed_once() {
    let dir = copy(&["legacy-sha256"]);
    let flake = dir.path().join("legacy-sha256");
    std::os::unix::fs::symlink("flake.nix", flake.join("alias.nix")).unwrap();
    let (code, stdout, stderr) = flakeedit(
        &flake,
        &[
            "--fix",
            "--format",
            "json",
            "./flake.nix",
            "flake.nix",
            "alias.nix",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let value: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let files = value["files"].as_array().expect("a list of files");
    assert_eq!(files.len(), 1, "{stdout}");
    assert_eq!(files[0]["path"], "./flake.nix");
    assert_eq!(files[0]["written"], true, "{stdout}");
}
