//! A change set applied by re-parsing only the nodes it touched must give
//! exactly the tree, the errors and the duplicate count of a whole parse.
//!
//! The property test edits every fixture at random places with fragments
//! chosen to cross the boundaries a local re-parse could get wrong (string
//! and comment openers and closers, braces, interpolations, `:` and `@`
//! that turn a set into a pattern) and compares [`ChangeSet::apply`] with
//! parsing the edited text whole. `PROPTEST_CASES` sets the number of cases
//! (256 by default).

mod common;

use std::sync::OnceLock;

use flakeedit_syntax::{
    adds_duplicates, duplicate_attributes, ApplyError, ChangeSet, SourceFile, TextEdit, TextRange,
    TextSize,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;

/// Every `.nix` fixture that parses.
fn fixtures() -> &'static [String] {
    static FIXTURES: OnceLock<Vec<String>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        common::fixture_texts()
            .into_iter()
            .filter(|text| SourceFile::parse(text.as_str()).is_valid())
            .collect()
    })
}

/// Fragments that open or close what a local re-parse must not misjudge.
const FRAGMENTS: &[&str] = &[
    "",
    " ",
    "\n",
    "\"",
    "''",
    "${",
    "}",
    "{",
    "[",
    "]",
    "(",
    ")",
    "#",
    "/*",
    "*/",
    ":",
    "@",
    ";",
    ",",
    "?",
    "...",
    "=",
    "a",
    "rec",
    "let",
    "in",
    "or",
    "./p",
    "/",
    "//",
    "1.5",
    "a = 1;",
    "inherit a;",
    "a.b = 2;",
    "b = { };",
    "\"s ${x} t\"",
    "''x ${y}''",
    "x: x",
    "{ }",
    "c = [ 1 ];",
    "${\"k\"} = 1;",
    "/* c */",
    "# c\n",
];

fn fragment() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..4).prop_map(|parts| parts.concat())
}

/// `apply` equals a whole parse of the edited text. Returns whether the
/// edit was valid and re-parsed locally.
fn check_against_whole_parse(file: &SourceFile, changes: &ChangeSet) -> (bool, bool) {
    let text = changes.apply_unchecked(file.text()).expect("edits fit");
    let whole = SourceFile::parse(text.as_str());
    match changes.apply(file) {
        Ok(applied) => {
            assert_eq!(applied.text(), text);
            assert_eq!(
                applied.syntax().green(),
                whole.syntax().green(),
                "trees differ after {changes:?}"
            );
            assert_eq!(applied.errors(), whole.errors());
            let full = |f: &SourceFile| duplicate_attributes(f.syntax()).len();
            assert_eq!(
                adds_duplicates(file, &applied),
                full(&whole) > full(file),
                "duplicate count differs after {changes:?}"
            );
            (true, applied.reparsed().is_some())
        }
        Err(ApplyError::BrokeSyntax { .. }) => {
            assert!(
                !whole.is_valid(),
                "refused an edit that parses: {changes:?}"
            );
            (false, false)
        }
        Err(error) => panic!("{error}"),
    }
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
    fn one_edit_reparsed_locally_equals_a_whole_parse(
        fixture in any::<Index>(),
        at in any::<Index>(),
        delete in prop_oneof![Just(0usize), 0usize..8],
        insert in fragment(),
    ) {
        let text = &fixtures()[fixture.index(fixtures().len())];
        let file = SourceFile::parse(text.as_str());
        let mut changes = ChangeSet::new();
        changes.add(common::edit_at(text, at, delete, insert)).expect("one edit");
        check_against_whole_parse(&file, &changes);
    }

    #[test]
    fn two_edits_reparsed_locally_equal_a_whole_parse(
        fixture in any::<Index>(),
        first in any::<Index>(),
        second in any::<Index>(),
        inserts in (fragment(), fragment()),
    ) {
        let text = &fixtures()[fixture.index(fixtures().len())];
        let file = SourceFile::parse(text.as_str());
        let mut changes = ChangeSet::new();
        changes.add(common::edit_at(text, first, 0, inserts.0)).expect("first edit");
        // A second insertion; at the same offset it goes after the first.
        changes.add(common::edit_at(text, second, 0, inserts.1)).expect("insertions never overlap");
        check_against_whole_parse(&file, &changes);
    }
}

#[test]
fn most_random_edits_that_parse_are_reparsed_locally() {
    // Replays the property on a fixed sample so the share is stable.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (any::<Index>(), any::<Index>(), fragment());
    let (mut valid, mut local) = (0, 0);
    for _ in 0..300 {
        let (fixture, at, insert) = strategy.new_tree(&mut runner).expect("a case").current();
        let text = &fixtures()[fixture.index(fixtures().len())];
        let file = SourceFile::parse(text.as_str());
        let mut changes = ChangeSet::new();
        changes
            .add(common::edit_at(text, at, 0, insert))
            .expect("one edit");
        let (parses, reparsed) = check_against_whole_parse(&file, &changes);
        valid += usize::from(parses);
        local += usize::from(reparsed);
    }
    assert!(valid > 30, "too few valid edits to judge: {valid}");
    assert!(
        local * 2 >= valid,
        "only {local} of {valid} valid edits were re-parsed locally"
    );
}

/// `file` with `insert` put before the first occurrence of `marker`.
fn insert_before(text: &str, marker: &str, insert: &str) -> (SourceFile, ChangeSet) {
    let at = text.find(marker).expect("marker in text");
    let mut changes = ChangeSet::new();
    changes
        .add(TextEdit::insert(TextSize::from(at as u32), insert))
        .expect("one edit");
    (SourceFile::parse(text), changes)
}

const FLAKE: &str = r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs";
  };
  outputs = { self, nixpkgs }: {
    packages = [ "a" ];
    value = (f x);
    text = ''
      ${"x"} }
    '';
  };
}
"#;

#[test]
fn an_input_added_to_the_inputs_set_is_reparsed_there_only() {
    let (file, changes) = insert_before(FLAKE, "  };\n  outputs", "    b.url = \"github:o/b\";\n");
    let applied = changes.apply(&file).expect("valid edit");
    let reparsed = applied.reparsed().expect("a local re-parse");
    assert_eq!(reparsed.len(), 1);
    assert!(applied
        .slice(reparsed[0].after)
        .starts_with("{\n    nixpkgs.url"));
    let whole = SourceFile::parse(applied.text());
    assert_eq!(applied.syntax().green(), whole.syntax().green());
}

#[test]
fn a_formal_and_an_input_are_two_local_reparses() {
    let file = SourceFile::parse(FLAKE);
    let mut changes = ChangeSet::new();
    let inputs_end = FLAKE.find("  };\n  outputs").expect("inputs end");
    let formals_end = FLAKE.find(" }:").expect("pattern end");
    changes
        .add(TextEdit::insert(
            (inputs_end as u32).into(),
            "    b.url = \"x\";\n",
        ))
        .expect("edit");
    changes
        .add(TextEdit::insert((formals_end as u32).into(), ", b"))
        .expect("edit");
    let applied = changes.apply(&file).expect("valid edit");
    let kinds: Vec<_> = applied
        .reparsed()
        .expect("a local re-parse")
        .iter()
        .map(|reparsed| format!("{:?}", reparsed.kind))
        .collect();
    assert_eq!(kinds, ["NODE_ATTR_SET", "NODE_PATTERN"]);
    assert_eq!(
        applied.syntax().green(),
        SourceFile::parse(applied.text()).syntax().green()
    );
}

/// Edits whose region parses alone or looks balanced but breaks the file:
/// each must be refused, as a whole parse refuses it.
#[test]
fn edits_that_open_a_string_or_comment_past_the_region_are_refused() {
    for (marker, insert) in [
        // A quote opens a string that runs past the set's `}`.
        ("nixpkgs.url", "\""),
        // A line comment swallows the set's closing brace.
        ("];", "# "),
        // A block comment is closed only by text outside the list.
        ("\"a\" ]", "/* "),
        // An indented string opened in the list runs past its `]`.
        ("\"a\" ]", "''"),
        // A comment that runs to the end: parsed alone, rnix takes its
        // error token for the parenthesis's `)` and reports no error
        // (found by the property test below).
        ("x);", "/* "),
        // An interpolation outside a string.
        ("nixpkgs.url", "${"),
    ] {
        let (file, changes) = insert_before(FLAKE, marker, insert);
        let error = changes.apply(&file).expect_err(insert);
        assert!(
            matches!(error, ApplyError::BrokeSyntax { .. }),
            "{insert}: {error}"
        );
        let text = changes.apply_unchecked(FLAKE).expect("fits");
        assert!(!SourceFile::parse(text).is_valid(), "{insert}");
    }
}

#[test]
fn an_emptied_set_before_a_colon_is_left_to_a_whole_parse() {
    // `{ }` followed by `:` is a pattern; the set must not be spliced
    // from its own text alone (too few tokens to decide).
    let text = "{ x ? { a = 1; } }: x";
    let file = SourceFile::parse(text);
    let at = text.find("a = 1;").expect("binding");
    let mut changes = ChangeSet::new();
    changes
        .add(TextEdit::delete(TextRange::at(
            (at as u32).into(),
            TextSize::of("a = 1;"),
        )))
        .expect("edit");
    let applied = changes.apply(&file).expect("still valid");
    assert!(applied.reparsed().is_none());
}

#[test]
fn a_duplicate_added_in_a_nested_set_is_seen_locally() {
    let text = "{ a = { b = 1; }; a.c = 2; d = { e = 1; }; }";
    let file = SourceFile::parse(text);
    for (marker, insert, adds) in [
        // `a.c` already exists through the merge with the outer binding.
        ("b = 1;", "c = 3; ", true),
        ("b = 1;", "f = 3; ", false),
        ("e = 1;", "e = 2; ", true),
    ] {
        let at = text.find(marker).expect("marker");
        let mut changes = ChangeSet::new();
        changes
            .add(TextEdit::insert((at as u32).into(), insert))
            .expect("edit");
        let applied = changes.apply(&file).expect("valid");
        assert!(applied.reparsed().is_some(), "{insert}");
        assert_eq!(adds_duplicates(&file, &applied), adds, "{insert}");
    }
}

#[test]
fn a_duplicate_the_file_already_had_elsewhere_is_not_counted_again() {
    // `x` is defined twice in `p` before and after; the edit is in `q`.
    let text = "{ p = { x = 1; x = 2; }; q = { y = 1; }; }";
    let file = SourceFile::parse(text);
    let at = text.find("y = 1;").expect("marker");
    let mut changes = ChangeSet::new();
    changes
        .add(TextEdit::insert((at as u32).into(), "z = 1; "))
        .expect("edit");
    let applied = changes.apply(&file).expect("valid");
    assert!(applied.reparsed().is_some());
    assert!(!adds_duplicates(&file, &applied));
}
