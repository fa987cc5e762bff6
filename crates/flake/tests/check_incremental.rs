//! `check_incrementally` (re-checking only the input binding an edit
//! changed) must find exactly what a whole `check` finds, fixes aside.
//!
//! The property test builds flakes from a few input and outputs shapes
//! (names shared between inputs, follows targets and uses, so that edits
//! rename, add and remove inputs and uses), applies a run of random
//! edits — characters and fragments typed in the inputs block or anywhere,
//! whole bindings added or deleted, uses added to the outputs — parses each
//! version from the previous one as the language server does, and compares
//! each version's diagnostics with a whole check. `PROPTEST_CASES` sets
//! the number of cases (256 by default).

use std::rc::Rc;
use std::sync::Arc;

use flakeedit_flake::{check, check_incrementally, CheckOptions, CheckState, Diagnostic, Lock};
use flakeedit_syntax::{SourceFile, TextEdit, TextRange};
use proptest::prelude::*;
use proptest::sample::Index;

/// A fixed "now" (2026-12-01), so the nixpkgs branch findings do not drift.
fn options() -> CheckOptions {
    CheckOptions {
        now: Some(1_795_000_000),
        ..CheckOptions::default()
    }
}

const NAMES: &[&str] = &[
    "nixpkgs",
    "a",
    "b",
    "utils",
    "flake-utils",
    "systems",
    "compat",
];

/// One binding of the `inputs` block, by shape.
fn binding(shape: usize, name: &str, target: &str) -> String {
    match shape % 7 {
        0 => format!("{name}.url = \"github:owner/{name}\";"),
        1 => format!("{name} = {{ url = \"github:NixOS/nixpkgs/nixos-23.05\"; }};"),
        2 => format!(
            "{name} = {{\n      url = \"github:owner/{name}\";\n      inputs.nixpkgs.follows = \"{target}\";\n    }};"
        ),
        3 => format!("{name} = {{ url = \"github:owner/{name}\"; flake = false; }};"),
        4 => format!("{name}.follows = \"{target}\";"),
        5 => format!("{name}.url = \"github:someone/nixpkgs\";"),
        _ => format!("# about {name}\n    {name}.url = \"github:edolstra/flake-compat\";"),
    }
}

/// The outputs binding, by shape; `uses` are names the body takes from
/// the input set or as variables.
fn outputs(shape: usize, uses: &[&str]) -> String {
    let selected: Vec<String> = uses
        .iter()
        .map(|name| format!("inputs.{name}.packages"))
        .collect();
    let body = format!(
        "{{\n      packages = [ {} ];\n      src = fetchurl {{ url = \"https://example.org/x\"; hash = \"\"; }};\n    }}",
        selected.join(" ")
    );
    match shape % 5 {
        0 => format!("outputs = {{ self, nixpkgs, a, ... }}@inputs: {body};"),
        1 => format!("outputs = {{ self, nixpkgs, a, b }}@inputs: {body};"),
        2 => format!("outputs = inputs: {body};"),
        3 => format!(
            "outputs = {{ self, utils, ... }}@inputs:\n    if inputs ? compat then inputs.compat else inputs.${{\"b\"}} // {body};"
        ),
        _ => format!("outputs = {{ self, ... }}@inputs: builtins.mapAttrs (n: v: v) inputs // {body};"),
    }
}

fn flake_text(bindings: &[(usize, usize, usize)], outputs_shape: usize, uses: &[usize]) -> String {
    let lines: Vec<String> = bindings
        .iter()
        .map(|(shape, name, target)| {
            binding(
                *shape,
                NAMES[name % NAMES.len()],
                NAMES[target % NAMES.len()],
            )
        })
        .collect();
    let uses: Vec<&str> = uses
        .iter()
        .map(|index| NAMES[index % NAMES.len()])
        .collect();
    let inputs = format!("  inputs = {{\n    {}\n  }};\n", lines.join("\n    "));
    let outputs = format!("  {}\n", outputs(outputs_shape, &uses));
    if outputs_shape % 7 == 6 {
        format!("{{\n{outputs}{inputs}}}\n")
    } else {
        format!("{{\n  description = \"test\";\n{inputs}{outputs}}}\n")
    }
}

/// What is typed or pasted.
const FRAGMENTS: &[&str] = &[
    "",
    " ",
    "\n",
    "a",
    "x",
    "-",
    ".",
    ";",
    "\"",
    "=",
    "{",
    "}",
    "#",
    "b",
    "nixpkgs",
    "/",
    "\n    c.url = \"github:o/c\";",
    "\n    b = { url = \"github:o/b\"; inputs.nixpkgs.follows = \"a\"; };",
    "\n    d.follows = \"nixpkgs\";",
    " inputs.b.lib ",
    " inputs.zz ",
    " a ",
    " inputs.utils ",
    " (inputs.compat or null) ",
    " with inputs; [ systems ] ",
    " inputs.${n} ",
    " f inputs ",
    " fetchurl { url = \"u\"; sha256 = \"\"; } ",
    "inputs ? systems",
    " hash = \"\"; ",
    " sha256 = \"0000000000000000000000000000000000000000000000000000\"; ",
    "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
];

#[derive(Debug, Clone)]
struct Edit {
    /// Into the inputs block (0, most edits), the outputs (1) or anywhere.
    region: usize,
    at: Index,
    deleted: usize,
    fragment: Index,
    /// Delete a whole line instead.
    line: bool,
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    (
        prop_oneof![6 => Just(0usize), 3 => Just(1usize), 1 => Just(2usize)],
        any::<Index>(),
        prop_oneof![4 => Just(0usize), 2 => 1usize..3, 1 => 3usize..30],
        any::<Index>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(region, at, deleted, fragment, line)| Edit {
            region,
            at,
            deleted,
            fragment,
            line,
        })
}

/// The edit `edit` describes on `text`, on character boundaries.
fn text_edit(text: &str, edit: &Edit) -> TextEdit {
    let inputs = match (text.find("inputs = {"), text.find("\n  };")) {
        (Some(from), Some(to)) if from < to => Some((from, to)),
        _ => None,
    };
    // The outputs binding: up to the inputs after it, else the last brace.
    let outputs = text.find("outputs =").map(|from| {
        let to = text[from..]
            .find("\n  inputs = {")
            .map(|end| from + end)
            .or_else(|| text.rfind('}'))
            .unwrap_or(text.len())
            .max(from);
        (from, to)
    });
    let (from, to) = match edit.region {
        0 => inputs,
        1 => outputs,
        _ => None,
    }
    .unwrap_or((0, text.len()));
    let boundary = |mut offset: usize| {
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let start = boundary(from + edit.at.index(to - from + 1));
    let (start, end, insert) = if edit.line {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        (line_start, line_end, "")
    } else {
        let end = boundary((start + edit.deleted).min(text.len())).max(start);
        (start, end, *edit.fragment.get(FRAGMENTS))
    };
    TextEdit::replace(
        TextRange::new((start as u32).into(), (end as u32).into()),
        insert,
    )
}

/// A diagnostic without its fix.
fn unfixed(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .map(|d| Diagnostic {
            fix: None,
            ..d.clone()
        })
        .collect()
}

/// A `flake.lock` locking some of `NAMES`: each (name, shape, revision)
/// locks the name (the first time it comes) as a node that has, by shape,
/// no inputs, its own nixpkgs, a nixpkgs following ours, its own
/// `systems`, a `flake-utils` with its own nixpkgs below it, or a nixpkgs
/// following a path the lock does not have. Names the flake does not
/// declare are stale entries; own nixpkgs come at one of three revisions,
/// so the counts of `not-following` vary.
fn lock_text(locked: &[(usize, usize, usize)]) -> String {
    let rev = |index: usize| format!("{index}").repeat(40);
    let nixpkgs = |index: usize| {
        format!(
            "{{ \"locked\": {{ \"type\": \"github\", \"owner\": \"NixOS\", \"repo\": \"nixpkgs\", \"rev\": \"{}\" }} }}",
            rev(index % 3 + 1)
        )
    };
    let mut root = Vec::new();
    let mut nodes = Vec::new();
    let mut seen = Vec::new();
    for (index, (name, shape, revision)) in locked.iter().enumerate() {
        let name = NAMES[name % NAMES.len()];
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        let node = format!("node{index}");
        root.push(format!("\"{name}\": \"{node}\""));
        if name == "nixpkgs" {
            nodes.push(format!("\"{node}\": {}", nixpkgs(*revision)));
            continue;
        }
        let locked = format!(
            "\"locked\": {{ \"type\": \"github\", \"owner\": \"o\", \"repo\": \"{name}\", \"rev\": \"{}\" }}",
            rev(index % 10)
        );
        let inputs = match shape % 6 {
            0 => String::new(),
            1 => {
                nodes.push(format!("\"{node}-nixpkgs\": {}", nixpkgs(*revision)));
                format!("\"nixpkgs\": \"{node}-nixpkgs\"")
            }
            2 => "\"nixpkgs\": [ \"nixpkgs\" ]".to_string(),
            3 => {
                nodes.push(format!("\"{node}-systems\": {{ {locked} }}"));
                format!("\"systems\": \"{node}-systems\"")
            }
            4 => {
                nodes.push(format!("\"{node}-nixpkgs\": {}", nixpkgs(*revision)));
                nodes.push(format!(
                    "\"{node}-utils\": {{ \"inputs\": {{ \"nixpkgs\": \"{node}-nixpkgs\" }}, {locked} }}"
                ));
                format!("\"flake-utils\": \"{node}-utils\"")
            }
            _ => "\"nixpkgs\": [ \"gone\", \"nixpkgs\" ]".to_string(),
        };
        nodes.push(format!(
            "\"{node}\": {{ \"inputs\": {{ {inputs} }}, {locked} }}"
        ));
    }
    nodes.push(format!(
        "\"root\": {{ \"inputs\": {{ {} }} }}",
        root.join(", ")
    ));
    format!(
        "{{ \"version\": 7, \"root\": \"root\", \"nodes\": {{ {} }} }}",
        nodes.join(", ")
    )
}

/// Checks every version of `text` under `edits`, incrementally and whole
/// (with `lock` beside it, when given); returns how many versions were
/// checked incrementally.
fn compare(text: String, edits: &[Edit], lock: Option<&Arc<Lock>>) -> Result<usize, TestCaseError> {
    let options = options();
    let whole_lock = lock.map(|lock| &**lock);
    let mut file = Rc::new(SourceFile::parse(text));
    let first = check_incrementally(&file, lock, &options, None);
    prop_assert_eq!(
        &first.diagnostics.to_vec(),
        &unfixed(&check(&file, whole_lock, &options))
    );
    let mut state: Option<CheckState> = first.state;
    let mut incremental = 0;
    for edit in edits {
        let edit = text_edit(file.text(), edit);
        file = Rc::new(file.edited(&edit));
        let found = check_incrementally(&file, lock, &options, state.take());
        let whole = unfixed(&check(&file, whole_lock, &options));
        prop_assert_eq!(
            &found.diagnostics.to_vec(),
            &whole,
            "after {:?}, incremental: {}, text:\n{}",
            edit,
            found.incremental,
            file.text()
        );
        incremental += usize::from(found.incremental);
        state = found.state;
    }
    Ok(incremental)
}

proptest! {
    #[test]
    fn incremental_diagnostics_are_those_of_a_whole_check(
        bindings in prop::collection::vec((0usize..7, 0usize..7, 0usize..7), 1..7),
        outputs_shape in 0usize..7,
        uses in prop::collection::vec(0usize..7, 0..4),
        edits in prop::collection::vec(edit_strategy(), 1..8),
    ) {
        let text = flake_text(&bindings, outputs_shape, &uses);
        compare(text, &edits, None)?;
    }

    #[test]
    fn incremental_diagnostics_with_a_lock_are_those_of_a_whole_check(
        bindings in prop::collection::vec((0usize..7, 0usize..7, 0usize..7), 1..7),
        outputs_shape in 0usize..7,
        uses in prop::collection::vec(0usize..7, 0..4),
        locked in prop::collection::vec((0usize..7, 0usize..6, 0usize..3), 0..7),
        edits in prop::collection::vec(edit_strategy(), 1..8),
    ) {
        let text = flake_text(&bindings, outputs_shape, &uses);
        let lock = Lock::parse(&lock_text(&locked)).expect("the generated lock parses");
        compare(text, &edits, Some(&Arc::new(lock)))?;
    }
}

/// Edits that the incremental check must handle without a whole check, so
/// the property above compares the incremental path and not only the
/// fallback: renaming an input, typing in a url, adding and removing a
/// follows, adding an input.
#[test]
fn typical_edits_are_checked_incrementally() {
    let text = flake_text(&[(0, 1, 0), (2, 2, 0), (1, 0, 0), (0, 3, 0)], 0, &[0, 1]);
    let options = options();
    let mut file = Rc::new(SourceFile::parse(text));
    let mut state = check_incrementally(&file, None, &options, None).state;
    assert!(
        state.is_some(),
        "a flake with one inputs block keeps a state"
    );
    let at = |file: &SourceFile, needle: &str| {
        file.text()
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in the flake")) as u32
    };
    let edits = [
        // Rename `a`, which the outputs use (after the edit) and take as
        // an argument, which becomes `registry-input`.
        ("a.url", 0, "x"),
        // Rename `utils` (unused) to `xutils`.
        ("utils.url", 0, "x"),
        // Type in a url.
        ("owner/a\"", 5, "z"),
        // The nixpkgs branch.
        ("23.05", 0, "2"),
        // Add an input.
        ("xutils.url", 0, "c.url = \"github:o/c\";\n    "),
    ];
    for (needle, offset, insert) in edits {
        let start = at(&file, needle) + offset;
        let edit = TextEdit::insert(start.into(), insert);
        file = Rc::new(file.edited(&edit));
        let found = check_incrementally(&file, None, &options, state.take());
        assert_eq!(
            found.diagnostics.to_vec(),
            unfixed(&check(&file, None, &options)),
            "after inserting {insert:?} at {needle}"
        );
        assert!(
            found.incremental,
            "inserting {insert:?} at {needle} was checked whole"
        );
        state = found.state;
        if needle == "a.url" {
            let codes: Vec<&str> = found
                .diagnostics
                .iter()
                .map(|(_, d)| d.code.as_str())
                .collect();
            assert!(codes.contains(&"registry-input"), "{codes:?}");
        }
    }
}

/// Edits inside the outputs function's body are checked without a whole
/// check too: typing, a use added and removed, an undeclared input used,
/// a hash filled in, a line added above the uses.
#[test]
fn edits_in_the_outputs_body_are_checked_incrementally() {
    let text = flake_text(
        &[(0, 1, 0), (2, 2, 0), (1, 0, 0), (0, 3, 0), (3, 6, 0)],
        0,
        &[0, 1],
    );
    let options = options();
    let mut file = Rc::new(SourceFile::parse(text));
    let mut state = check_incrementally(&file, None, &options, None).state;
    let codes_about = |found: &flakeedit_flake::Found, subject: &str| -> Vec<String> {
        found
            .iter()
            .filter(|(_, d)| d.subject == subject || d.subject.ends_with(&format!(".{subject}")))
            .map(|(_, d)| d.code.as_str().to_string())
            .collect()
    };
    let before = check_incrementally(&file, None, &options, None);
    assert_eq!(codes_about(&before.diagnostics, "utils"), ["unused-input"]);
    assert_eq!(codes_about(&before.diagnostics, "hash"), ["fake-hash"]);
    // (needle, offset in it, deleted bytes, inserted, subject, its codes after)
    type Step<'a> = (&'a str, u32, u32, &'a str, &'a str, &'a [&'a str]);
    let edits: [Step; 6] = [
        ("packages = [", 12, 0, " ", "utils", &["unused-input"]),
        ("packages = [", 12, 0, " inputs.utils.lib", "utils", &[]),
        ("inputs.utils.lib", 0, 16, "", "utils", &["unused-input"]),
        (
            "packages = [",
            12,
            0,
            " inputs.zz",
            "zz",
            &["undeclared-input"],
        ),
        (
            "hash = \"\"",
            8,
            0,
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            "hash",
            &[],
        ),
        (
            "packages = [",
            0,
            0,
            "\n      ",
            "zz",
            &["undeclared-input"],
        ),
    ];
    for (needle, offset, deleted, insert, subject, codes) in edits {
        let start = file
            .text()
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in the flake")) as u32
            + offset;
        let edit = TextEdit::replace(
            TextRange::new(start.into(), (start + deleted).into()),
            insert,
        );
        file = Rc::new(file.edited(&edit));
        let found = check_incrementally(&file, None, &options, state.take());
        assert_eq!(
            found.diagnostics.to_vec(),
            unfixed(&check(&file, None, &options)),
            "after {edit:?}"
        );
        assert!(found.incremental, "{edit:?} was checked whole");
        assert_eq!(
            codes_about(&found.diagnostics, subject),
            codes,
            "after {edit:?}"
        );
        state = found.state;
    }
}

/// With a `flake.lock` beside the flake, a keystroke in an input is
/// checked incrementally too, lock findings included: `not-following` of
/// an input with its own nixpkgs, `unlocked-input` of a renamed or added
/// input, `stale-lock-entry` of a locked name the flake does not declare.
#[test]
fn edits_with_a_lock_are_checked_incrementally() {
    let text = flake_text(&[(1, 0, 0), (0, 1, 0), (0, 2, 0), (0, 3, 0)], 0, &[0, 1]);
    // nixpkgs; `a` and `b` with their own nixpkgs at two revisions;
    // `compat`, which the flake does not declare.
    let lock = Lock::parse(&lock_text(&[(0, 0, 0), (1, 1, 1), (2, 1, 2), (6, 0, 0)]))
        .expect("the lock parses");
    let lock = Arc::new(lock);
    let options = options();
    let mut file = Rc::new(SourceFile::parse(text));
    let first = check_incrementally(&file, Some(&lock), &options, None);
    let codes = |found: &flakeedit_flake::Found| -> Vec<(String, String)> {
        found
            .iter()
            .map(|(_, d)| (d.code.as_str().to_string(), d.subject.clone()))
            .collect()
    };
    let has = |found: &flakeedit_flake::Found, code: &str, subject: &str| {
        codes(found).iter().any(|(c, s)| c == code && s == subject)
    };
    assert!(has(&first.diagnostics, "stale-lock-entry", "compat"));
    assert!(has(&first.diagnostics, "not-following", "a/nixpkgs"));
    assert!(has(&first.diagnostics, "not-following", "b/nixpkgs"));
    assert!(has(&first.diagnostics, "unlocked-input", "utils"));
    let mut state = first.state;
    let edits = [
        ("owner/a\"", 5, "z", "not-following", "a/nixpkgs"),
        ("utils.url", 0, "x", "unlocked-input", "xutils"),
        (
            "xutils.url",
            0,
            "c.url = \"github:o/c\";\n    ",
            "unlocked-input",
            "c",
        ),
        ("owner/b\"", 0, " ", "stale-lock-entry", "compat"),
    ];
    for (needle, offset, insert, code, subject) in edits {
        let start = file
            .text()
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in the flake")) as u32
            + offset;
        let edit = TextEdit::insert(start.into(), insert);
        file = Rc::new(file.edited(&edit));
        let found = check_incrementally(&file, Some(&lock), &options, state.take());
        assert_eq!(
            found.diagnostics.to_vec(),
            unfixed(&check(&file, Some(&lock), &options)),
            "after {edit:?}"
        );
        assert!(found.incremental, "{edit:?} was checked whole");
        assert!(
            has(&found.diagnostics, code, subject),
            "no {code} about {subject} after {edit:?}: {:?}",
            codes(&found.diagnostics)
        );
        state = found.state;
    }
    // A lock read again is another lock: checked whole.
    let reread = Arc::new((*lock).clone());
    let edit = TextEdit::insert(0.into(), " ");
    file = Rc::new(file.edited(&edit));
    let found = check_incrementally(&file, Some(&reread), &options, state.take());
    assert!(!found.incremental);
    assert_eq!(
        found.diagnostics.to_vec(),
        unfixed(&check(&file, Some(&reread), &options))
    );
}
