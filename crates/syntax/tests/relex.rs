//! [`SourceFile::edited`] (re-lexing one token, else re-parsing a node,
//! else the whole text) must give exactly the tree and the errors of a
//! whole parse of the edited text.
//!
//! The property test types random characters and fragments at random
//! places of every fixture, valid or broken by an earlier edit, and
//! compares the result with a whole parse. `PROPTEST_CASES` sets the
//! number of cases (256 by default).

mod common;

use std::sync::OnceLock;

use flakeedit_syntax::{SourceFile, TextEdit, TextRange};
use proptest::prelude::*;
use proptest::sample::Index;

/// Every `.nix` fixture.
fn fixtures() -> &'static [String] {
    static FIXTURES: OnceLock<Vec<String>> = OnceLock::new();
    FIXTURES.get_or_init(common::fixture_texts)
}

/// What a person types, and fragments that change how the text around
/// them lexes: number and path syntax, URI colons, comment and string
/// openers, keywords.
const FRAGMENTS: &[&str] = &[
    "",
    " ",
    "\n",
    "a",
    "x",
    "_",
    "-",
    "'",
    "e",
    "E",
    "1",
    "0",
    ".",
    ":",
    "/",
    "//",
    "*",
    "#",
    "/*",
    "*/",
    "\"",
    "''",
    "$",
    "${",
    "{",
    "}",
    "~",
    "<",
    ">",
    "+",
    "=",
    ";",
    "or",
    "in",
    "let",
    "rec",
    "@",
    "?",
    ",",
    "1.5",
    "./p",
    "github:o/r",
    "a.b",
];

fn fragment() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..3).prop_map(|parts| parts.concat())
}

/// `file.edited(edit)` equals a whole parse of the edited text; returns it.
fn check_against_whole_parse(file: &SourceFile, edit: &TextEdit) -> SourceFile {
    let mut text = file.text().to_string();
    text.replace_range(
        usize::from(edit.range.start())..usize::from(edit.range.end()),
        &edit.insert,
    );
    let whole = SourceFile::parse(text.as_str());
    let edited = file.edited(edit);
    assert_eq!(edited.text(), text);
    assert_eq!(
        edited.syntax().green(),
        whole.syntax().green(),
        "trees differ after {edit:?}"
    );
    assert_eq!(
        edited.errors(),
        whole.errors(),
        "errors differ after {edit:?}"
    );
    edited
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn typing_equals_a_whole_parse(
        fixture in any::<Index>(),
        edits in prop::collection::vec(
            (any::<Index>(), prop_oneof![Just(0usize), 0usize..4], fragment()),
            1..4,
        ),
    ) {
        let text = &fixtures()[fixture.index(fixtures().len())];
        let mut file = SourceFile::parse(text.as_str());
        // Later edits may land in a file an earlier one broke.
        for (at, delete, insert) in edits {
            let edit = common::edit_at(file.text(), at, delete, insert);
            file = check_against_whole_parse(&file, &edit);
        }
    }
}

const FLAKE: &str = r#"{
  inputs = {
    # The package set.
    nixpkgs.url = "github:NixOS/nixpkgs";
    dep1.url = github:example/dep1;
    dep2.inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, ... }: {
    value = 1.5 + 2;
  };
}
"#;

/// The green node of the `dep2` binding, whose identity shows whether the
/// tree around an edit was kept or rebuilt by a whole parse.
fn dep2_binding(file: &SourceFile) -> rowan::GreenNode {
    let at = file.text().find("dep2").expect("dep2") as u32;
    let token = file
        .syntax()
        .token_at_offset(at.into())
        .right_biased()
        .expect("a token");
    let binding = token
        .parent_ancestors()
        .find(|node| node.kind() == flakeedit_syntax::SyntaxKind::NODE_ATTRPATH_VALUE)
        .expect("a binding");
    binding.green().to_owned()
}

#[test]
fn typing_in_a_name_a_comment_a_uri_a_number_or_a_string_keeps_the_rest_of_the_tree() {
    let file = SourceFile::parse(FLAKE);
    for (marker, delete, insert) in [
        ("nixpkgs.url", 0, "x"),
        ("package set", 7, "inputs"),
        ("example/dep1", 7, "other"),
        ("1.5", 1, "2"),
        ("\n  outputs", 0, "  "),
        ("self,", 4, "me"),
        ("NixOS/nixpkgs\"", 5, "Other"),
    ] {
        let at = FLAKE.find(marker).expect(marker) as u32;
        let edit = TextEdit::replace(TextRange::at(at.into(), (delete as u32).into()), insert);
        let edited = check_against_whole_parse(&file, &edit);
        let (before, after) = (dep2_binding(&file), dep2_binding(&edited));
        assert!(
            std::ptr::eq::<rowan::GreenNodeData>(&*before, &*after),
            "{marker}: the tree was parsed again"
        );
    }
}

#[test]
fn edits_that_change_how_neighbours_lex_are_parsed_again() {
    let file = SourceFile::parse(FLAKE);
    for (marker, delete, insert) in [
        // `1.5e` would swallow the letter into the number: an error.
        ("1.5", 3, "1.5e"),
        // A name that becomes a keyword.
        ("self,", 4, "let"),
        // A newline removed ends the comment on the next line.
        ("\n    nixpkgs.url", 1, ""),
        // `dep1.url` followed by `:` would lex as a URI.
        (".url = github", 4, ".url:x"),
        // A quote or an interpolation in a string changes what follows.
        ("NixOS/nixpkgs\"", 0, "\""),
        ("NixOS/nixpkgs\"", 0, "${x}"),
    ] {
        let at = FLAKE.find(marker).expect(marker) as u32;
        let edit = TextEdit::replace(TextRange::at(at.into(), (delete as u32).into()), insert);
        check_against_whole_parse(&file, &edit);
    }
}
