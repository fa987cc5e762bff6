//! Shell completion driven through real shells: the script `flakeedit
//! completions SHELL` prints is sourced into bash, zsh, fish, elvish and
//! Nushell,
//! which then call the binary the way they do at a TAB, and the input names
//! of the flake on the command line come back. A missing shell fails the
//! test (scripts/test.sh installs them). PowerShell is not packaged by
//! Debian, so its script is only checked to be printed and to call the
//! binary.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

const FLAKE: &str = r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  inputs.riot = {
    url = "github:emilpriver/riot";
    inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, riot }: { };
}
"#;

const OTHER_FLAKE: &str = r#"{
  inputs = {
    flake-parts.url = "github:hercules-ci/flake-parts";
    "hls-1.10".url = "github:haskell/haskell-language-server";
  };
  outputs = inputs: { };
}
"#;

/// A project with `flake.nix` and `sub/flake.nix`, and the completion
/// script of `shell` written into it.
fn project_with_script(shell: &str) -> tempfile::TempDir {
    let (dir, _) = project(FLAKE);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/flake.nix"), OTHER_FLAKE).unwrap();
    let output = flakeedit(dir.path(), &["completions", shell]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    std::fs::write(dir.path().join("script"), &output.stdout).unwrap();
    dir
}

/// Runs `program -c script` in `dir` with the built binary first on PATH:
/// the scripts call `flakeedit` by name, as an installed script does.
fn run_shell(program: &str, dir: &Path, script: &str) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_flakeedit"))
        .parent()
        .expect("the binary has a directory");
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let output = Command::new(program)
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("FLAKEEDIT_COMPLETE")
        .args(["-c", script])
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run {program} ({error}): the completion tests need it; scripts/test.sh installs it")
        });
    assert!(
        output.status.success(),
        "{program} failed: {}{}",
        stdout(&output),
        stderr(&output)
    );
    output
}

/// The candidates bash offers for `words`, the last one being completed,
/// as the registered function computes them at a TAB.
fn bash_candidates(dir: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|word| format!("'{word}'")).collect();
    let script = format!(
        "source ./script\n\
         COMP_WORDS=({words})\n\
         COMP_CWORD={index}\n\
         _clap_complete_flakeedit flakeedit {current} {previous}\n\
         for candidate in \"${{COMPREPLY[@]}}\"; do printf '%s\\n' \"$candidate\"; done",
        words = quoted.join(" "),
        index = words.len() - 1,
        current = quoted[words.len() - 1],
        previous = quoted[words.len() - 2],
    );
    lines(&run_shell("bash", dir, &script))
}

fn lines(output: &Output) -> Vec<String> {
    stdout(output).lines().map(str::to_string).collect()
}

/// The candidates that are not flags.
fn values(candidates: &[String]) -> Vec<&str> {
    candidates
        .iter()
        .map(String::as_str)
        .filter(|candidate| !candidate.starts_with('-') && !candidate.is_empty())
        .collect()
}

#[test]
fn bash_completes_the_input_names_of_the_flake_here() {
    let dir = project_with_script("bash");
    for command in [
        "remove-input",
        "set-url",
        "pin",
        "unpin",
        "toggle-flake",
        "rename-input",
        "follow",
        "update",
        "outdated",
    ] {
        let candidates = bash_candidates(dir.path(), &["flakeedit", command, ""]);
        assert_eq!(
            values(&candidates),
            ["nixpkgs", "riot"],
            "{command}: {candidates:?}"
        );
    }
    let candidates = bash_candidates(dir.path(), &["flakeedit", "pin", "r"]);
    assert_eq!(candidates, ["riot"]);
    let candidates = bash_candidates(dir.path(), &["flakeedit", "follow", "--all", ""]);
    assert_eq!(values(&candidates), ["nixpkgs", "riot"]);
}

#[test]
fn bash_completes_follows_children_from_the_lock() {
    let dir = project_with_script("bash");
    std::fs::write(
        dir.path().join("flake.lock"),
        r#"{
  "nodes": {
    "root": { "inputs": { "nixpkgs": "nixpkgs", "riot": "riot" } },
    "nixpkgs": { "locked": { "type": "github", "owner": "NixOS", "repo": "nixpkgs", "rev": "1111111111111111111111111111111111111111" } },
    "riot": { "inputs": { "nixpkgs": "nixpkgs_2", "utils": "utils" } },
    "nixpkgs_2": { "locked": { "type": "github", "owner": "NixOS", "repo": "nixpkgs", "rev": "2222222222222222222222222222222222222222" } },
    "utils": { "inputs": { "systems": [ "nixpkgs" ] } }
  },
  "root": "root",
  "version": 7
}
"#,
    )
    .unwrap();
    let candidates = bash_candidates(dir.path(), &["flakeedit", "follow", "riot", ""]);
    assert_eq!(
        values(&candidates),
        ["nixpkgs", "utils", "utils/systems"],
        "{candidates:?}"
    );
    let candidates = bash_candidates(dir.path(), &["flakeedit", "follow", "riot", "ut"]);
    assert_eq!(candidates, ["utils", "utils/systems"]);
}

#[test]
fn bash_reads_the_file_named_on_the_command_line() {
    let dir = project_with_script("bash");
    for file in [
        &["--file", "sub/flake.nix"][..],
        &["-f", "sub/flake.nix"],
        &["--file=sub/flake.nix"],
    ] {
        let mut words = vec!["flakeedit"];
        words.extend_from_slice(file);
        words.extend_from_slice(&["remove-input", ""]);
        let candidates = bash_candidates(dir.path(), &words);
        assert_eq!(
            values(&candidates),
            ["flake-parts", "hls-1.10"],
            "{file:?}: {candidates:?}"
        );
    }
}

#[test]
fn bash_still_completes_commands_and_flags() {
    let dir = project_with_script("bash");
    let candidates = bash_candidates(dir.path(), &["flakeedit", "toggle-"]);
    assert_eq!(candidates, ["toggle-flake"]);
    let candidates = bash_candidates(dir.path(), &["flakeedit", "pin", "--dry"]);
    assert_eq!(candidates, ["--dry-run"]);
}

#[test]
fn no_flake_offers_no_names_and_no_error() {
    let dir = project_with_script("bash");
    std::fs::write(dir.path().join("flake.nix"), "{ inputs = ").unwrap();
    let candidates = bash_candidates(dir.path(), &["flakeedit", "pin", "n"]);
    assert_eq!(candidates, Vec::<String>::new());
    std::fs::remove_file(dir.path().join("flake.nix")).unwrap();
    let candidates = bash_candidates(dir.path(), &["flakeedit", "pin", "n"]);
    assert_eq!(candidates, Vec::<String>::new());
}

#[test]
fn fish_completes_input_names_with_their_urls() {
    let dir = project_with_script("fish");
    let output = run_shell(
        "fish",
        dir.path(),
        "source ./script; complete --do-complete 'flakeedit set-url '",
    );
    let candidates = lines(&output);
    let named: Vec<&str> = candidates
        .iter()
        .map(String::as_str)
        .filter(|line| !line.starts_with('-'))
        .collect();
    assert_eq!(
        named,
        [
            "nixpkgs\tgithub:NixOS/nixpkgs/nixos-24.05",
            "riot\tgithub:emilpriver/riot"
        ]
    );
    let output = run_shell(
        "fish",
        dir.path(),
        "source ./script; complete --do-complete 'flakeedit -f sub/flake.nix pin hl'",
    );
    assert_eq!(
        lines(&output),
        ["hls-1.10\tgithub:haskell/haskell-language-server"]
    );
}

#[test]
fn zsh_completes_input_names_with_their_urls() {
    let dir = project_with_script("zsh");
    // The script's function runs as zsh's completion system would call it,
    // with `words` and `CURRENT` set; `_describe`, which would show the
    // menu, prints the candidates instead, and `compdef` (the registration,
    // needing compinit) is a no-op.
    let output = run_shell(
        "zsh",
        dir.path(),
        "compdef() { : }\n\
         _describe() { local name=${@[-1]}; print -rl -- ${(P)name} }\n\
         source ./script\n\
         words=(flakeedit unpin r)\n\
         CURRENT=3\n\
         _clap_dynamic_completer_flakeedit",
    );
    assert_eq!(lines(&output), ["riot:github:emilpriver/riot"]);
}

/// The candidates elvish's argument completer gives for `words`. Outside
/// its interactive editor elvish has no `edit:` module, so the script is
/// evaluated with a stand-in `edit:completion:arg-completer` map and the
/// completer it registers is called as the editor calls it at a TAB.
fn elvish_candidates(dir: &Path, words: &str) -> Vec<String> {
    let output = run_shell(
        "elvish",
        dir,
        &format!(
            "var edit: = (ns [&completion:=(ns [&arg-completer=[&]])])\n\
             eval (slurp < ./script) &ns=(ns [&edit:=$edit:])\n\
             $edit:completion:arg-completer[flakeedit] {words}"
        ),
    );
    lines(&output)
}

#[test]
fn elvish_completes_input_names() {
    let dir = project_with_script("elvish");
    let candidates = elvish_candidates(dir.path(), "flakeedit set-url ''");
    assert_eq!(values(&candidates), ["nixpkgs", "riot"]);
    assert!(
        candidates.iter().any(|candidate| candidate == "--file"),
        "{candidates:?}"
    );
    assert_eq!(
        elvish_candidates(dir.path(), "flakeedit -f sub/flake.nix pin hl"),
        ["hls-1.10"]
    );
}

/// The candidates, as `value<TAB>description` lines, that the external
/// completer the Nushell script registers returns for `spans` (a Nushell
/// list), called as Nushell calls it at a TAB; `null` when it returns
/// nothing (Nushell then completes files). `before` runs first, as the part
/// of config.nu above the line that sources the script.
fn nushell_candidates(dir: &Path, before: &str, spans: &str) -> Vec<String> {
    let output = run_shell(
        "nu",
        dir,
        &format!(
            "{before}\n\
             source ./script\n\
             let candidates = do $env.config.completions.external.completer {spans}\n\
             if $candidates == null {{ print \"null\" }} else {{\n\
                 $candidates | each {{|candidate|\n\
                     print $\"($candidate.value)\\t($candidate.description? | default '')\"\n\
                 }} | ignore\n\
             }}"
        ),
    );
    lines(&output)
}

#[test]
fn nushell_completes_input_names_with_their_urls() {
    let dir = project_with_script("nushell");
    let candidates = nushell_candidates(dir.path(), "", r#"[flakeedit pin ""]"#);
    let named: Vec<&str> = candidates
        .iter()
        .map(String::as_str)
        .filter(|line| !line.starts_with('-'))
        .collect();
    assert_eq!(
        named,
        [
            "nixpkgs\tgithub:NixOS/nixpkgs/nixos-24.05",
            "riot\tgithub:emilpriver/riot"
        ]
    );
    assert!(
        candidates.iter().any(|line| line.starts_with("--file\t")),
        "{candidates:?}"
    );
    assert_eq!(
        nushell_candidates(
            dir.path(),
            "",
            "[flakeedit -f sub/flake.nix remove-input hl]"
        ),
        ["hls-1.10\tgithub:haskell/haskell-language-server"]
    );
}

#[test]
fn nushell_hands_other_commands_to_the_previous_completer() {
    let dir = project_with_script("nushell");
    let previous = "$env.config.completions.external.completer = {|spans| \
                    [{value: $\"before-($spans.0)\"}] }";
    assert_eq!(
        nushell_candidates(dir.path(), previous, r#"[git ""]"#),
        ["before-git\t"]
    );
    assert_eq!(
        nushell_candidates(dir.path(), previous, "[flakeedit unpin r]"),
        ["riot\tgithub:emilpriver/riot"]
    );
    // Without a previous completer, other commands get Nushell's own
    // (file) completion: the closure returns null, not an empty list.
    assert_eq!(nushell_candidates(dir.path(), "", r#"[git ""]"#), ["null"]);
}

#[test]
fn every_shell_gets_a_script() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let dir = tempfile::tempdir().unwrap();
        let output = flakeedit(dir.path(), &["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        // The dynamic scripts ask the binary at each TAB.
        assert!(
            stdout(&output).contains(&format!("FLAKEEDIT_COMPLETE=\"{shell}\""))
                || stdout(&output).contains(&format!("FLAKEEDIT_COMPLETE={shell}"))
                || stdout(&output).contains(&format!("FLAKEEDIT_COMPLETE = \"{shell}\"")),
            "{shell}: {}",
            stdout(&output)
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let output = flakeedit(dir.path(), &["completions", "nushell"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("FLAKEEDIT_COMPLETE: fish"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_environment_variable_prints_the_same_script() {
    let dir = tempfile::tempdir().unwrap();
    let from_command = flakeedit(dir.path(), &["completions", "bash"]);
    let from_variable = Command::new(env!("CARGO_BIN_EXE_flakeedit"))
        .current_dir(dir.path())
        .env("FLAKEEDIT_COMPLETE", "bash")
        .output()
        .expect("run flakeedit");
    assert_eq!(from_variable.status.code(), Some(0));
    // The variable's script calls the binary by the path it was run with.
    let expected = stdout(&from_command).replace(
        "\"flakeedit\" --",
        &format!("\"{}\" --", env!("CARGO_BIN_EXE_flakeedit")),
    );
    assert_eq!(stdout(&from_variable), expected);
}

/// Another program's `COMPLETE` in the environment (clap's default name)
/// must not turn every command into a completion request.
#[test]
fn a_foreign_complete_variable_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flake.nix"),
        "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  outputs = { self, nixpkgs }: { };\n}\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_flakeedit"))
        .current_dir(dir.path())
        .env("COMPLETE", "some-other-shell")
        .env_remove("FLAKEEDIT_COMPLETE")
        .arg("list-inputs")
        .output()
        .expect("run flakeedit");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("nixpkgs"), "{}", stdout(&output));
}
