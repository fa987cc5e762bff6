//! The reader without clap against clap itself.

use std::ffi::OsString;

use clap::Parser;

use super::direct;
use crate::cli::Cli;

fn line(words: &[&str]) -> Vec<OsString> {
    std::iter::once("flakeedit")
        .chain(words.iter().copied())
        .map(OsString::from)
        .collect()
}

/// Every line the reader accepts, clap parses to the same value.
fn agrees(words: &[&str]) {
    let args = line(words);
    if let Some(direct) = direct::parse(&args) {
        let clap = Cli::try_parse_from(&args)
            .unwrap_or_else(|error| panic!("{words:?} read directly, refused by clap: {error}"));
        assert_eq!(format!("{direct:?}"), format!("{clap:?}"), "{words:?}");
    }
}

/// Words of the commands read directly, of the options around them and
/// of what must make the reader give up.
const VOCABULARY: &[&str] = &[
    "list-inputs",
    "add-input",
    "remove-input",
    "set-url",
    "pin",
    "unpin",
    "rename-input",
    "toggle-flake",
    "follow",
    "check",
    "help",
    "github:o/r",
    "nixpkgs",
    "a.nix",
    "-",
    "",
    "3",
    "+3",
    "never",
    "-f",
    "--file",
    "--file=a.nix",
    "-fa.nix",
    "--files-from",
    "-0",
    "-r",
    "--hidden",
    "--no-ignore",
    "--diff",
    "--dry-run",
    "--check",
    "--json",
    "-j",
    "--jobs",
    "--color",
    "--name",
    "--follows",
    "--no-flake",
    "--force",
    "--",
    "-h",
    "--help",
    "-V",
    "--version",
    "--bogus",
    "-x",
];

/// Every line of up to three words of the vocabulary.
#[test]
fn every_short_line_reads_as_clap_reads_it() {
    let mut count = 0;
    for a in VOCABULARY {
        agrees(&[a]);
        for b in VOCABULARY {
            agrees(&[a, b]);
            for c in VOCABULARY {
                agrees(&[a, b, c]);
                count += 1;
            }
        }
    }
    assert!(count > 90_000, "{count} lines");
}

/// Longer lines, drawn from the vocabulary by a fixed generator (the
/// same lines on every run).
#[test]
fn longer_lines_read_as_clap_reads_them() {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let mut read = 0;
    for _ in 0..20_000 {
        let length = 4 + next(6);
        let words: Vec<&str> = (0..length)
            .map(|_| VOCABULARY[next(VOCABULARY.len())])
            .collect();
        if direct::parse(&line(&words)).is_some() {
            read += 1;
        }
        agrees(&words);
    }
    // Most random lines are refused; some must be read for the test to
    // compare anything.
    assert!(read > 50, "{read} lines read directly");
}

/// Lines shaped like real ones (shared options, a subcommand, then its
/// own words and more shared options), drawn by a fixed generator: most
/// are read directly, so the comparison covers the reader's accepting
/// paths, options on both sides of the subcommand included.
#[test]
fn well_formed_lines_read_as_clap_reads_them() {
    const GLOBAL: &[&[&str]] = &[
        &["-f", "a.nix"],
        &["--file", "b.nix"],
        &["--files-from", "-"],
        &["-0"],
        &["-r", "."],
        &["--recursive", "src"],
        &["--hidden"],
        &["--no-ignore"],
        &["--diff"],
        &["--dry-run"],
        &["--check"],
        &["--json"],
        &["-j", "2"],
        &["--jobs", "0"],
        &["--color", "always"],
    ];
    const OWN: &[&[&str]] = &[
        &["--name", "x"],
        &["--follows", "nixpkgs"],
        &["--follows", "a=b"],
        &["--no-flake"],
        &["--force"],
        &["github:o/r"],
        &["nixpkgs"],
        &["-"],
    ];
    const SUBCOMMANDS: &[&str] = &[
        "list-inputs",
        "add-input",
        "remove-input",
        "set-url",
        "pin",
        "unpin",
        "rename-input",
        "toggle-flake",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let mut read = 0;
    for _ in 0..20_000 {
        let mut words: Vec<&str> = Vec::new();
        for _ in 0..next(4) {
            words.extend(GLOBAL[next(GLOBAL.len())]);
        }
        words.push(SUBCOMMANDS[next(SUBCOMMANDS.len())]);
        for _ in 0..next(5) {
            if next(3) == 0 {
                words.extend(GLOBAL[next(GLOBAL.len())]);
            } else {
                words.extend(OWN[next(OWN.len())]);
            }
        }
        if direct::parse(&line(&words)).is_some() {
            read += 1;
        }
        agrees(&words);
    }
    assert!(read > 1_000, "{read} lines read directly");
}

/// The common lines are read directly (the point of the reader), and as
/// clap reads them.
#[test]
fn the_common_lines_are_read_without_clap() {
    let lines = [
        "list-inputs",
        "--json list-inputs",
        "list-inputs --json",
        "-f a.nix -f b.nix list-inputs",
        "list-inputs -f a.nix -r . -f b.nix",
        "--color never list-inputs --diff",
        "-0 --files-from - list-inputs",
        "-r . --hidden --no-ignore -j 3 list-inputs",
        "--dry-run add-input github:example/newdep",
        "add-input github:example/newdep",
        "-j 3 -f a.nix --dry-run add-input github:o/r --follows nixpkgs --name r",
        "add-input --name r o/r --no-flake --check --json",
        "add-input o/r --follows nixpkgs --follows flake-utils=utils",
        "remove-input riot --force",
        "remove-input --force riot",
        "set-url nixpkgs github:NixOS/nixpkgs/nixos-24.05",
        "pin nixpkgs 0123456789abcdef0123456789abcdef01234567",
        "pin nixpkgs",
        "unpin nixpkgs",
        "rename-input a b",
        "toggle-flake a --diff",
    ];
    for words in lines {
        let words: Vec<&str> = words.split_whitespace().collect();
        let args = line(&words);
        let direct = direct::parse(&args).unwrap_or_else(|| panic!("{words:?} not read directly"));
        let clap = Cli::try_parse_from(&args).expect("clap parses it");
        assert_eq!(format!("{direct:?}"), format!("{clap:?}"), "{words:?}");
    }
}

/// Lines the reader leaves to clap: clap's help, version and errors, and
/// the forms it does not read.
#[test]
fn everything_else_is_left_to_clap() {
    let lines: &[&[&str]] = &[
        &[],
        &["--help"],
        &["-V"],
        &["list-inputs", "--help"],
        &["help", "list-inputs"],
        &["list-inputs", "extra"],
        &["add-input"],
        &["add-input", "a", "b"],
        &["add-input", "--name", "x", "--name", "y", "o/r"],
        &["--json", "--json", "list-inputs"],
        &["-j", "1", "-j", "2", "list-inputs"],
        &["-j", "+3", "list-inputs"],
        &["--color", "purple", "list-inputs"],
        &["--file=a.nix", "list-inputs"],
        &["-fa.nix", "list-inputs"],
        &["-f", "", "list-inputs"],
        &["-f", "-x", "list-inputs"],
        &["--", "list-inputs"],
        &["add-input", "--", "-weird"],
        &["rename-input", "a"],
        &["follow", "riot", "nixpkgs"],
        &["check"],
        &["--name", "x", "add-input", "o/r"],
        &["-f", "a.nix", "list-inputs", "-f", "b.nix"],
        &["-r", ".", "list-inputs", "-r", "src"],
    ];
    for words in lines {
        assert!(direct::parse(&line(words)).is_none(), "{words:?}");
    }
}

/// A word that is not UTF-8 is left to clap.
#[cfg(unix)]
#[test]
fn a_word_that_is_not_utf8_is_left_to_clap() {
    use std::os::unix::ffi::OsStringExt;
    let mut args = line(&["-f"]);
    args.push(OsString::from_vec(vec![0xff, b'a']));
    args.push(OsString::from("list-inputs"));
    assert!(direct::parse(&args).is_none());
}
