//! Parsing the command line: the common input commands without clap
//! ([`direct`]), the others with only the invoked subcommand in the tree.
//!
//! The options shared by every command are `global`: when clap builds a
//! command it copies each of them into every subcommand, so parsing any
//! command would clone the twelve options into all twenty subcommands,
//! most of a small command's start-up. A command line that names a
//! subcommand is first parsed by a root holding the same options and that
//! subcommand alone. Only a successful parse is kept: help, version and
//! every error come from the whole tree, exactly as before, because any
//! failure of the small tree parses the line again with the whole one.
//!
//! A successful small parse is the whole tree's parse: the root has no
//! positional argument, so every word before the subcommand is one of the
//! shared options (the same in both trees), and the word clap takes as the
//! subcommand is the one the small tree holds. A wrong guess (the name was
//! an option's value: `-f add-input list-inputs`) fails and falls back.

mod direct;
#[cfg(test)]
mod direct_tests;

use std::ffi::OsString;

use clap::{Command, CommandFactory, FromArgMatches, Parser};

use crate::cli::Cli;

/// Parses the process's arguments; exits with clap's message on help,
/// version or a usage error.
pub fn parse() -> Cli {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Some(cli) = direct::parse(&args) {
        return cli;
    }
    match parse_small(&args) {
        Some(cli) => cli,
        None => Cli::parse_from(args),
    }
}

/// The parse by a root holding only the subcommand the line names, or
/// `None` when the line names none or the small tree fails on it.
fn parse_small(args: &[OsString]) -> Option<Cli> {
    let mut matches = small_tree(args)?.try_get_matches_from(args).ok()?;
    Cli::from_arg_matches_mut(&mut matches).ok()
}

/// The binary's name, as the whole tree spells it (a test holds them equal).
const NAME: &str = "flakeedit";

/// The root with its own options and the first subcommand named on the
/// line (before any `--`). The root's texts are left out: the small tree
/// never renders help or an error.
fn small_tree(args: &[OsString]) -> Option<Command> {
    let whole = Cli::command();
    let subcommand = args
        .iter()
        .skip(1)
        .take_while(|arg| *arg != "--")
        .find_map(|arg| whole.find_subcommand(arg))?
        .clone();
    let root = Command::new(NAME)
        .subcommand_required(whole.is_subcommand_required_set())
        .arg_required_else_help(whole.is_arg_required_else_help_set())
        .disable_help_subcommand(true)
        .args(whole.get_arguments().cloned())
        .subcommand(subcommand);
    Some(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &str) -> Vec<OsString> {
        std::iter::once("flakeedit")
            .chain(words.split_whitespace())
            .map(OsString::from)
            .collect()
    }

    /// Command lines that parse: the small tree gives exactly what the
    /// whole tree gives, options before and after the subcommand alike.
    #[test]
    fn the_small_tree_parses_as_the_whole_tree() {
        let lines = [
            "list-inputs",
            "--json list-inputs",
            "list-inputs --json",
            "-f a.nix list-inputs -f b.nix",
            "--file=a.nix --color never list-inputs --diff",
            "-0 --files-from - list-inputs",
            "-r . --hidden --no-ignore -j 3 list-inputs",
            "-j3 -fa.nix --dry-run add-input github:o/r --follows nixpkgs --name r",
            "add-input o/r --no-flake --check --json",
            "remove-input riot --force",
            "set-url nixpkgs github:NixOS/nixpkgs/nixos-24.05",
            "pin nixpkgs 0123456789abcdef0123456789abcdef01234567",
            "unpin nixpkgs",
            "rename-input a b",
            "toggle-flake a",
            "add-dune-package p --default --build-input riot --version 1 --system x86_64-linux",
            "add-docker-image --port 8000/tcp --env A=B --stream",
            "add-dev-shell --package ocaml-lsp --inputs-from default",
            "init --template rust my-project --dry-run",
            "follow riot nixpkgs",
            "follow --all nixpkgs --check",
            "check --fix --select a,b --ignore c --format json --fail-on warning --now 5 x.nix",
            "check -- -x.nix",
            "add-source o/r@v1 --no-dep --no-prefetch --forge-url a=b",
            "fix-hashes --convert-only --prefetcher native",
            "outdated nixpkgs --pre --timeout 3",
            "update nixpkgs --to v2 --forge-url a=b",
            "lsp",
            "completions nushell",
        ];
        for words in lines {
            let args = line(words);
            let whole = Cli::try_parse_from(&args)
                .unwrap_or_else(|error| panic!("`{words}` does not parse: {error}"));
            let small = parse_small(&args).unwrap_or_else(|| panic!("`{words}`: no small parse"));
            assert_eq!(format!("{small:?}"), format!("{whole:?}"), "`{words}`");
        }
    }

    /// Lines the whole tree refuses, or answers with help or the version:
    /// the small tree has no parse of them, so clap's whole tree answers.
    #[test]
    fn everything_else_falls_back_to_the_whole_tree() {
        let lines = [
            "",
            "--help",
            "help list-inputs",
            "list-inputs --help",
            "add-input -h",
            "--version list-inputs",
            "list-inputs --bogus",
            "lst-inputs",
            "add-input",
            "-f add-input",
            "--color purple list-inputs",
            "check --format yaml",
            "follow riot",
            "follow --all nixpkgs riot",
            "update --to v2",
            "list-inputs extra",
            "-- list-inputs",
        ];
        for words in lines {
            let args = line(words);
            assert!(Cli::try_parse_from(&args).is_err(), "`{words}` parses");
            assert!(parse_small(&args).is_none(), "`{words}`: a small parse");
        }
    }

    /// A subcommand's name given as an option's value is a wrong guess of
    /// the subcommand: the small tree fails on it and the whole tree parses.
    #[test]
    fn a_wrong_guess_falls_back_to_the_whole_tree() {
        for words in [
            "-f list-inputs add-input github:o/r",
            "--file add-input list-inputs",
        ] {
            let args = line(words);
            assert!(
                Cli::try_parse_from(&args).is_ok(),
                "`{words}` does not parse"
            );
            assert!(parse_small(&args).is_none(), "`{words}`: a small parse");
        }
    }

    /// The small tree leaves the other subcommands out: that is its point.
    #[test]
    fn the_small_tree_holds_one_subcommand() {
        let tree = small_tree(&line("--json list-inputs")).expect("a subcommand is named");
        let names: Vec<_> = tree.get_subcommands().map(Command::get_name).collect();
        assert_eq!(names, ["list-inputs"]);
        assert!(small_tree(&line("--json")).is_none());
        assert_eq!(tree.get_name(), Cli::command().get_name());
    }
}
