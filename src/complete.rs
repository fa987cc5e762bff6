//! Shell completion that knows the flake. Subcommands and flags come from
//! clap; the names of the inputs (`flakeedit pin <TAB>`) are read from the
//! flake the command line would edit: each `--file`/`-f` given so far, or
//! `./flake.nix`.
//!
//! Completion runs the binary itself (clap_complete's dynamic completion):
//! the script a shell sources only calls `FLAKEEDIT_COMPLETE=<shell> flakeedit -- <words>`,
//! so the candidates are always those of the installed version and of the
//! file as it is now. Nushell has no such protocol in clap_complete yet; its
//! script (`complete.nu`) registers an external completer that asks the
//! binary in the fish protocol.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};
use clap_complete::{ArgValueCandidates, CompleteEnv, CompletionCandidate};
use flakeedit_flake::Flake;
use flakeedit_syntax::SourceFile;

/// The environment variable that switches the binary into completion mode.
/// Not clap's default `COMPLETE`: a user's environment may set that for
/// another program, and every flakeedit command would then fail.
const COMPLETE_VAR: &str = "FLAKEEDIT_COMPLETE";

/// The name the scripts complete and call. A script installed once
/// (`completions bash > …/bash_completion.d/flakeedit`) then keeps working
/// after an upgrade moves the binary, as long as it is on `PATH`.
const BIN: &str = "flakeedit";

/// The shells `completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    /// Bash
    Bash,
    /// Elvish
    Elvish,
    /// fish
    Fish,
    /// Nushell (an external completer)
    Nushell,
    /// PowerShell
    Powershell,
    /// zsh
    Zsh,
}

/// Answers a completion request and exits, when the shell's script asked
/// for one (`FLAKEEDIT_COMPLETE` is set); otherwise returns and the run goes on.
/// Must run before anything is written to stdout.
pub fn complete_if_asked(command: fn() -> clap::Command) {
    // clap_complete collects the arguments and asks for the working
    // directory before it looks at the variable; an ordinary run skips that.
    if std::env::var_os(COMPLETE_VAR).is_none() {
        return;
    }
    CompleteEnv::with_factory(command)
        .var(COMPLETE_VAR)
        .complete();
}

/// The candidates of an argument that names one of the flake's inputs.
pub fn input_names() -> ArgValueCandidates {
    ArgValueCandidates::new(input_candidates)
}

/// Every input declared in the flakes the command line names, with its
/// url as the description (shown by zsh and fish).
fn input_candidates() -> Vec<CompletionCandidate> {
    let words = completion_words(std::env::args_os());
    let mut seen = BTreeSet::new();
    let mut candidates = Vec::new();
    for path in flake_paths(&words) {
        for (name, url) in declared_inputs(&path) {
            if seen.insert(name.clone()) {
                candidates.push(CompletionCandidate::new(name).help(url.map(Into::into)));
            }
        }
    }
    candidates
}

/// The candidates of `follow NAME <CHILD>`: the inputs of NAME's own, at
/// any depth (`nixpkgs`, `devenv/cachix`), read from the `flake.lock` next
/// to the flake, each described by what it is locked to or follows.
pub fn nested_input_names() -> ArgValueCandidates {
    ArgValueCandidates::new(nested_candidates)
}

/// How deep nested inputs are offered: deeper ones are rare, and a lock
/// with hundreds of nodes would bury the useful few.
const NESTED_DEPTH: usize = 3;

fn nested_candidates() -> Vec<CompletionCandidate> {
    let words = completion_words(std::env::args_os());
    let Some(name) = follow_name(&words) else {
        return Vec::new();
    };
    let mut candidates = Vec::new();
    for path in flake_paths(&words) {
        let Ok(text) = std::fs::read_to_string(path.with_file_name("flake.lock")) else {
            continue;
        };
        let Ok(lock) = flakeedit_flake::Lock::parse(&text) else {
            continue;
        };
        lock.walk(std::slice::from_ref(&name), |path, reference| {
            let Some(nested) = path.get(1..).filter(|nested| !nested.is_empty()) else {
                return false;
            };
            let help = match reference {
                flakeedit_flake::LockInputRef::Node(node) => format!("locked as `{node}`"),
                flakeedit_flake::LockInputRef::Follows(target) => {
                    format!("follows `{}`", target.join("/"))
                }
            };
            candidates.push(CompletionCandidate::new(nested.join("/")).help(Some(help.into())));
            nested.len() < NESTED_DEPTH
        });
    }
    candidates
}

/// NAME in `follow NAME CHILD`: the first word after `follow` that is not
/// an option or the value of `--file`/`-f`.
fn follow_name(words: &[OsString]) -> Option<String> {
    let mut words = words
        .iter()
        .skip(1)
        .filter_map(|word| word.to_str())
        .skip_while(|word| *word != "follow")
        .skip(1);
    while let Some(word) = words.next() {
        if word == "--file" || word == "-f" {
            words.next();
        } else if !word.starts_with('-') {
            return Some(word.to_string());
        }
    }
    None
}

/// The words of the command line being completed: in completion mode the
/// binary runs as `flakeedit -- flakeedit [words…]`.
fn completion_words(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    args.into_iter()
        .skip_while(|arg| arg != "--")
        .skip(1)
        .collect()
}

/// The files the command line would edit so far: the values of `--file`
/// and `-f` in any spelling clap accepts, or `flake.nix` when there are none.
/// Relative paths are relative to the shell's directory, as for the command.
fn flake_paths(words: &[OsString]) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    let mut words = words.iter().skip(1);
    while let Some(word) = words.next() {
        let Some(text) = word.to_str() else { continue };
        if text == "--" {
            break;
        }
        if text == "--file" || text == "-f" {
            if let Some(value) = words.next() {
                paths.push(PathBuf::from(value));
            }
        } else if let Some(value) = text.strip_prefix("--file=") {
            paths.push(PathBuf::from(value));
        } else if let Some(value) = text.strip_prefix("-f").filter(|value| !value.is_empty()) {
            paths.push(PathBuf::from(value.strip_prefix('=').unwrap_or(value)));
        }
    }
    if paths.is_empty() {
        paths.push(PathBuf::from("flake.nix"));
    }
    paths
}

/// The inputs of one flake, in order, with their urls. A file that cannot be
/// read or is not a flake offers nothing: completion never prints errors.
/// The file is read leniently, so a flake being edited still completes.
fn declared_inputs(path: &Path) -> Vec<(String, Option<String>)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let file = SourceFile::parse(text);
    let Ok(flake) = Flake::read_lenient(&file) else {
        return Vec::new();
    };
    flake
        .inputs
        .iter()
        .map(|input| (input.name.clone(), input.url().map(str::to_string)))
        .collect()
}

/// The Nushell script: an external completer closure that runs
/// `FLAKEEDIT_COMPLETE=fish flakeedit -- <spans>` for the `flakeedit`
/// command and hands every other command to the completer set before it.
const NUSHELL_SCRIPT: &str = include_str!("complete.nu");

/// `flakeedit completions SHELL`: the script to source. For every shell but
/// Nushell it is the dynamic script `FLAKEEDIT_COMPLETE=<shell> flakeedit` prints.
pub fn print_script(shell: CompletionShell) -> ExitCode {
    // clap_complete panics when its writer fails, so the script is built in
    // memory first; a closed pipe (`completions bash | head`) is then a
    // normal end, not a crash.
    let mut script = Vec::new();
    let written = match shell {
        CompletionShell::Nushell => {
            script.extend_from_slice(NUSHELL_SCRIPT.as_bytes());
            Ok(())
        }
        CompletionShell::Bash => registration(&Bash, &mut script),
        CompletionShell::Elvish => registration(&Elvish, &mut script),
        CompletionShell::Fish => registration(&Fish, &mut script),
        CompletionShell::Powershell => registration(&Powershell, &mut script),
        CompletionShell::Zsh => registration(&Zsh, &mut script),
    };
    if let Err(error) = written {
        eprintln!("error: cannot write the completion script: {error}");
        return ExitCode::FAILURE;
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&script).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: cannot write the completion script: {error}");
            ExitCode::FAILURE
        }
    }
}

fn registration(shell: &dyn EnvCompleter, script: &mut Vec<u8>) -> std::io::Result<()> {
    shell.write_registration(COMPLETE_VAR, BIN, BIN, BIN, script)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn completion_words_are_those_after_the_separator() {
        let args = words("/bin/flakeedit -- flakeedit pin ni");
        assert_eq!(completion_words(args), words("flakeedit pin ni"));
    }

    #[test]
    fn every_spelling_of_file_is_read() {
        let paths = flake_paths(&words(
            "flakeedit --file a.nix -f b.nix --file=c.nix -fd.nix -f=e.nix pin",
        ));
        let expected: Vec<PathBuf> = ["a.nix", "b.nix", "c.nix", "d.nix", "e.nix"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(paths, expected);
    }

    #[test]
    fn without_file_it_is_the_flake_here() {
        assert_eq!(
            flake_paths(&words("flakeedit pin")),
            vec![PathBuf::from("flake.nix")]
        );
    }

    #[test]
    fn words_after_a_double_dash_are_not_options() {
        assert_eq!(
            flake_paths(&words("flakeedit pin -- --file=x.nix")),
            vec![PathBuf::from("flake.nix")]
        );
    }

    #[test]
    fn follows_name_is_the_first_plain_word_after_follow() {
        assert_eq!(
            follow_name(&words("flakeedit follow -f x.nix --diff riot ni")),
            Some("riot".to_string())
        );
        assert_eq!(follow_name(&words("flakeedit pin riot")), None);
    }

    #[test]
    fn the_program_name_is_not_an_option() {
        // The first word is the program as typed, never a flag value.
        assert_eq!(
            flake_paths(&words("-fx.nix pin")),
            vec![PathBuf::from("flake.nix")]
        );
    }
}
