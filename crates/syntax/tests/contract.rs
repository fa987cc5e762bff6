//! The preservation contract of `flakeedit-syntax`, one test per clause.
//!
//! The clauses are written in the crate docs (`src/lib.rs`); each test here
//! is named after its clause and checks it on several inputs. Every edited
//! text is also judged by the real Nix parser, and the escaping clause by
//! the real Nix evaluator.

mod common;

use common::{
    apply, assert_untouched, attr_sets, binding_at, change_set, entries, first_pattern,
    has_bare_lf, has_blank_line_inside_braces, has_double_blank_line, nix, root_set, set_at,
};
use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::style::{file_indent_unit, LineEnding};
use flakeedit_syntax::{
    add_formal, attr_name, find_path, insert_entry, is_plain_identifier, quote_attr_name,
    quote_attr_path, remove_entry, remove_formal, replace_value, static_string, string_literal,
    ApplyError, InsertPosition, SourceFile, TextEdit, TextRange,
};
use flakeedit_syntax::{break_long_one_line_sets, remove_entries, ChangeSet};
use rowan::ast::AstNode;
use serde_json::{json, Value};

/// Inserts `snippet` into the set at `path` and returns the checked result.
fn insert(text: &str, path: &[&str], snippet: &str, position: Position) -> String {
    let file = SourceFile::parse(text);
    let set = set_at(&file, path);
    let position = match position {
        Position::First => InsertPosition::First,
        Position::Last => InsertPosition::Last,
        Position::After(index) => InsertPosition::After(entries(&set)[index].clone()),
        Position::Before(index) => InsertPosition::Before(entries(&set)[index].clone()),
    };
    let edit = insert_entry(&file, &set, snippet, position).expect("the set is well formed");
    apply(&file, [edit])
}

/// [`InsertPosition`] by entry index, so tests can name positions before
/// parsing.
#[derive(Clone, Copy)]
enum Position {
    First,
    Last,
    After(usize),
    Before(usize),
}

/// Removes the binding of `path` and returns the checked result.
fn remove(text: &str, path: &[&str]) -> String {
    let file = SourceFile::parse(text);
    let binding = binding_at(&file, path);
    apply(&file, [remove_entry(&file, &binding)])
}

fn add_formal_to(text: &str, name: &str) -> String {
    let file = SourceFile::parse(text);
    let edits = add_formal(&file, &first_pattern(&file), name);
    apply(&file, edits)
}

fn remove_formal_from(text: &str, name: &str) -> String {
    let file = SourceFile::parse(text);
    let edits = remove_formal(&file, &first_pattern(&file), name);
    apply(&file, edits)
}

/// The names of the formals of the function a file evaluates to, by the
/// real evaluator.
fn function_args(text: &str) -> Vec<String> {
    let value = nix().eval_flake(
        text,
        "builtins.attrNames (builtins.functionArgs (import ./flake.nix))",
    );
    serde_json::from_value(value).expect("a list of names")
}

#[test]
fn clause_1_round_trip() {
    let texts = [
        "",
        "{ }",
        "{ a = 1; }\n",
        "# a comment\n{\n  /* block */ a = 1; # trailing\n}\n",
        "{\r\n  a = 1;\r\n  b = \"x\";\r\n}\r\n",
        "{\n\ta = {\n\t\tb = 1;\n\t};\n}",
        "{ name = \"café ☃ 🦀\"; # ünïcödé\n}\n",
        "{\n  s = ''\n    indented ${\"x\"} ''${literal}\n  '';\n}\n",
        "{ a = 1",
        "{ a = ; }\n",
        "}}}{{{ ;; \"",
        "{ a = \"unterminated }\n",
        "/* unclosed comment\n{ a = 1; }",
        "\u{feff}{ a = 1; }\n",
        "  \n\t\r\n  ",
        "{ a = 1; }\r\n\n\r\n",
        "{ a = 1; } }",
        "let\n  x = 1;\nin\n{ inherit x; y = x; }\n",
    ];
    for text in texts {
        let file = SourceFile::parse(text);
        assert_eq!(file.text(), text);
        assert_eq!(file.syntax().to_string(), text, "round trip of {text:?}");
        let tokens: String = file
            .syntax()
            .descendants_with_tokens()
            .filter_map(|element| element.into_token())
            .map(|token| token.text().to_string())
            .collect();
        assert_eq!(tokens, text, "the tokens of {text:?} cover it exactly");
        if file.is_valid() && !text.is_empty() {
            nix().assert_parses(text);
        }
    }
    // Texts with syntax errors round-trip too (they are in the list above).
    assert!(!SourceFile::parse("{ a = 1").is_valid());
    assert!(!SourceFile::parse("}}}{{{ ;; \"").is_valid());
}

#[test]
fn clause_2_untouched_outside_edits() {
    let text = "# header comment\r\n{\r\n  description = \"é\";   # odd  spacing\r\n\r\n  inputs = {\r\n    a.url = \"github:o/a\";\r\n    b.url = \"github:o/b\"; /* keep */\r\n  };\r\n  outputs = { self, a, b }: { x = 1;  y = 2; };\r\n}";
    let file = SourceFile::parse(text);

    // One change set touching four places at once.
    let inputs = set_at(&file, &["inputs"]);
    let insert = insert_entry(
        &file,
        &inputs,
        "c.url = \"github:o/c\";",
        InsertPosition::Last,
    )
    .expect("well formed");
    let body = attr_sets(&file)
        .into_iter()
        .find(|set| set.to_string() == "{ x = 1;  y = 2; }")
        .expect("the outputs body");
    let remove = remove_entry(&file, &entries(&body)[0]);
    let description = find_path(&root_set(&file), &["description"])[0]
        .binding
        .clone();
    let replace = replace_value(&description, "\"new\"").expect("has a value");
    let formal = add_formal(&file, &first_pattern(&file), "c").expect("c is new");
    let changes = change_set([insert, remove, replace, formal]);
    let changed = changes.apply(&file).expect("still parses");
    assert_untouched(text, &changes, changed.text());
    nix().assert_parses(changed.text());
    assert_eq!(
        changed.text(),
        "# header comment\r\n{\r\n  description = \"new\";   # odd  spacing\r\n\r\n  inputs = {\r\n    a.url = \"github:o/a\";\r\n    b.url = \"github:o/b\"; /* keep */\r\n    c.url = \"github:o/c\";\r\n  };\r\n  outputs = { self, a, b, c }: { y = 2; };\r\n}"
    );

    // Single edits of every kind keep everything else too (`apply` checks).
    let texts = [
        "{ a = 1; b = { c = 2; }; }",
        "{\n  a = 1; # one\n  # above b\n  b = {\n    c = 2;\n  };\n}\n",
        "{\n\tx.y.z = 1;\n\n\tw = [ 1 2 ];\n}",
    ];
    for text in texts {
        let file = SourceFile::parse(text);
        for set in attr_sets(&file) {
            for (index, entry) in entries(&set).iter().enumerate() {
                let snippet = format!("new{index} = {{\n\tv = {index};\n}};");
                for position in [
                    InsertPosition::After(entry.clone()),
                    InsertPosition::Before(entry.clone()),
                ] {
                    let edit = insert_entry(&file, &set, &snippet, position).expect("ok");
                    apply(&file, [edit]);
                }
                apply(&file, [remove_entry(&file, entry)]);
            }
        }
    }
}

#[test]
fn clause_3_no_broken_files() {
    let valid = "{\n  a = 1;\n  b = { c = \"x\"; };\n}\n";
    let file = SourceFile::parse(valid);
    assert!(file.is_valid());
    let breaking = [
        // Deleting the `;` after `1`.
        TextEdit::delete(TextRange::new(9.into(), 10.into())),
        TextEdit::insert(2.into(), "{"),
        TextEdit::insert(0.into(), "\""),
        TextEdit::replace(TextRange::new(4.into(), 5.into()), "in"),
        TextEdit::insert(u32::try_from(valid.len()).unwrap().into(), "}"),
    ];
    for edit in breaking {
        let result = change_set([edit.clone()]).apply(&file);
        assert!(
            matches!(result, Err(ApplyError::BrokeSyntax { .. })),
            "{edit:?} must be refused, got {result:?}"
        );
        // What was refused is indeed broken for the real parser too.
        let text = change_set([edit])
            .apply_unchecked(valid)
            .expect("in bounds");
        assert!(nix().parse(&text).is_err(), "Nix accepts {text:?}");
    }

    // Every insertion and removal the crate produces keeps valid files valid.
    let texts = [
        valid,
        "{ }",
        "{ a = { }; b = {}; }",
        "{\r\n\tinputs = {\r\n\t\t# nothing\r\n\t};\r\n}\r\n",
        "{\n  a = 1; # one\n\n  inherit (builtins) map;\n\n  c.d = rec { e = 2; };\n}",
    ];
    for text in texts {
        let file = SourceFile::parse(text);
        assert!(file.is_valid(), "{text:?}");
        for set in attr_sets(&file) {
            for snippet in ["z = 0;", "z = {\n\tw = [\n\t\t1\n\t];\n};"] {
                for position in [InsertPosition::First, InsertPosition::Last] {
                    if entries(&set).is_empty() && matches!(position, InsertPosition::First) {
                        continue;
                    }
                    let edit = insert_entry(&file, &set, snippet, position).expect("ok");
                    apply(&file, [edit]);
                }
            }
            for entry in entries(&set) {
                apply(&file, [remove_entry(&file, &entry)]);
            }
        }
    }

    // A file that was already broken may stay broken: the edit is applied.
    let broken = SourceFile::parse("{ a = ; }");
    let changed = change_set([TextEdit::insert(0.into(), "# note\n")])
        .apply(&broken)
        .expect("broken input, no promise broken");
    assert_eq!(changed.text(), "# note\n{ a = ; }");
}

#[test]
fn clause_4_line_endings() {
    let snippet =
        "riot = {\n\turl = \"github:o/riot\";\n\tinputs.nixpkgs.follows = \"nixpkgs\";\n};";

    // CRLF files get CRLF, never a bare LF, for every kind of insertion.
    let crlf = [
        (
            "{\r\n  inputs = {\r\n    nixpkgs.url = \"n\";\r\n  };\r\n}\r\n",
            &["inputs"][..],
        ),
        ("{\r\n  inputs = {};\r\n}\r\n", &["inputs"][..]),
        ("{\r\n  inputs = {\r\n  };\r\n}\r\n", &["inputs"][..]),
        (
            "{\r\n\tinputs = {\r\n\t\t# a comment\r\n\t};\r\n}",
            &["inputs"][..],
        ),
        ("{\r\n  a = 1;\r\n}\r\n", &[][..]),
    ];
    for (text, path) in crlf {
        for position in [Position::First, Position::Last] {
            let after = insert(text, path, snippet, position);
            assert!(!has_bare_lf(&after), "bare LF in {after:?}");
            assert!(after.contains("riot = {\r\n"), "{after:?}");
        }
    }
    // A line comment's token ends with the `\r` of CRLF: the line break
    // stays whole after it.
    let commented = "{\r\n  a = 1; # about a\r\n}";
    assert_eq!(
        insert(commented, &[], "b = 2;", Position::Last),
        "{\r\n  a = 1; # about a\r\n  b = 2;\r\n}"
    );
    assert_eq!(
        insert(commented, &[], "b = 2;", Position::After(0)),
        "{\r\n  a = 1; # about a\r\n  b = 2;\r\n}"
    );
    assert_eq!(
        remove("{\r\n  a = 1; # about a\r\n  b = 2;\r\n}\r\n", &["a"]),
        "{\r\n  b = 2;\r\n}\r\n"
    );
    assert_eq!(
        remove("{\r\n  b = 2;\r\n  a = 1; # about a\r\n}\r\n", &["a"]),
        "{\r\n  b = 2;\r\n}\r\n"
    );
    // Removal in a CRLF file leaves no bare LF either.
    let after = remove(
        "{\r\n  a = 1;\r\n\r\n  b = 2;\r\n\r\n  c = 3;\r\n}\r\n",
        &["b"],
    );
    assert_eq!(after, "{\r\n  a = 1;\r\n\r\n  c = 3;\r\n}\r\n");
    // Formals one per line in a CRLF file.
    let after = add_formal_to("{\r\n  self,\r\n  nixpkgs,\r\n  ...\r\n}: { }\r\n", "riot");
    assert_eq!(
        after,
        "{\r\n  self,\r\n  nixpkgs,\r\n  riot,\r\n  ...\r\n}: { }\r\n"
    );

    // LF files never gain a carriage return.
    let after = insert(
        "{\n  inputs = {\n    n.url = \"n\";\n  };\n}\n",
        &["inputs"],
        snippet,
        Position::Last,
    );
    assert!(!after.contains('\r'), "{after:?}");
    let after = add_formal_to("{ self\n, nixpkgs\n}: { }\n", "riot");
    assert_eq!(after, "{ self\n, nixpkgs\n, riot\n}: { }\n");

    // The majority decides in a mixed file.
    let mostly_crlf = "{\r\n  a = {\r\n    b = 1;\r\n  };\n}\r\n";
    assert_eq!(LineEnding::detect(mostly_crlf), LineEnding::CrLf);
    let after = insert(mostly_crlf, &["a"], "c = 2;", Position::Last);
    assert_eq!(
        after,
        "{\r\n  a = {\r\n    b = 1;\r\n    c = 2;\r\n  };\n}\r\n"
    );
    let mostly_lf = "{\n  a = {\n    b = 1;\r\n  };\n}\n";
    assert_eq!(LineEnding::detect(mostly_lf), LineEnding::Lf);
    let after = insert(mostly_lf, &["a"], "c = 2;", Position::Last);
    assert_eq!(after, "{\n  a = {\n    b = 1;\n    c = 2;\r\n  };\n}\n");
}

#[test]
fn clause_5_indentation() {
    let snippet =
        "riot = {\n\turl = \"u\";\n\tinputs = {\n\t\tnixpkgs.follows = \"nixpkgs\";\n\t};\n};";
    let cases = [
        (
            "{\n  inputs = {\n    n.url = \"n\";\n  };\n}\n",
            "{\n  inputs = {\n    n.url = \"n\";\n    riot = {\n      url = \"u\";\n      inputs = {\n        nixpkgs.follows = \"nixpkgs\";\n      };\n    };\n  };\n}\n",
        ),
        (
            "{\n    inputs = {\n        n.url = \"n\";\n    };\n}\n",
            "{\n    inputs = {\n        n.url = \"n\";\n        riot = {\n            url = \"u\";\n            inputs = {\n                nixpkgs.follows = \"nixpkgs\";\n            };\n        };\n    };\n}\n",
        ),
        (
            "{\n\tinputs = {\n\t\tn.url = \"n\";\n\t};\n}\n",
            "{\n\tinputs = {\n\t\tn.url = \"n\";\n\t\triot = {\n\t\t\turl = \"u\";\n\t\t\tinputs = {\n\t\t\t\tnixpkgs.follows = \"nixpkgs\";\n\t\t\t};\n\t\t};\n\t};\n}\n",
        ),
    ];
    for (before, expected) in cases {
        assert_eq!(
            insert(before, &["inputs"], snippet, Position::Last),
            expected
        );
    }

    // The entries' own indentation wins over the file's unit.
    let odd = "{\n  inputs = {\n     n.url = \"n\";\n  };\n}\n";
    assert_eq!(
        insert(odd, &["inputs"], "a = {\n\tb = 1;\n};", Position::Last),
        "{\n  inputs = {\n     n.url = \"n\";\n     a = {\n        b = 1;\n     };\n  };\n}\n"
    );

    // Entries several of the file's units in from the set's opening line
    // sit inside an open construct (`f (x: {`): what the new entry nests is
    // indented by the file's unit.
    let open_call = "{\n  packages = {\n      a = 1;\n    };\n  b = {\n    c = 1;\n  };\n}\n";
    assert_eq!(
        insert(open_call, &["packages"], "d = {\n\te = 1;\n};", Position::Last),
        "{\n  packages = {\n      a = 1;\n      d = {\n        e = 1;\n      };\n    };\n  b = {\n    c = 1;\n  };\n}\n"
    );

    // A set without entries takes the file's indent unit.
    let four = "{\n    outputs = 1;\n    inputs = {\n    };\n}\n";
    assert_eq!(file_indent_unit(four), "    ");
    assert_eq!(
        insert(four, &["inputs"], "a = {\n\tb = 1;\n};", Position::Last),
        "{\n    outputs = 1;\n    inputs = {\n        a = {\n            b = 1;\n        };\n    };\n}\n"
    );
    let tabs = "{\n\toutputs = 1;\n\tpackages = {};\n}\n";
    assert_eq!(
        insert(tabs, &["packages"], "default = {\n\tpname = \"x\";\n};", Position::Last),
        "{\n\toutputs = 1;\n\tpackages = {\n\t\tdefault = {\n\t\t\tpname = \"x\";\n\t\t};\n\t};\n}\n"
    );

    // `let` bindings follow the same rule.
    let text = "let\n    a = 1;\nin\n{ inherit a; }\n";
    let file = SourceFile::parse(text);
    let let_in = file
        .syntax()
        .descendants()
        .find_map(ast::LetIn::cast)
        .expect("a let");
    let edit = insert_entry(
        &file,
        let_in.syntax(),
        "b = {\n\tc = 2;\n};",
        InsertPosition::Last,
    )
    .expect("ok");
    assert_eq!(
        apply(&file, [edit]),
        "let\n    a = 1;\n    b = {\n        c = 2;\n    };\nin\n{ inherit a; }\n"
    );
}

#[test]
fn clause_6_one_line_sets_stay_one_line() {
    let nested = "b = {\n\tc = 1;\n\td = \"x\";\n};";
    let cases = [
        ("{ a = 1; }", Position::Last, "b = 2;", "{ a = 1; b = 2; }"),
        ("{ a = 1; }", Position::First, "b = 2;", "{ b = 2; a = 1; }"),
        (
            "{ a = 1; c = 3; }",
            Position::After(0),
            "b = 2;",
            "{ a = 1; b = 2; c = 3; }",
        ),
        (
            "{ a = 1; c = 3; }",
            Position::Before(1),
            "b = 2;",
            "{ a = 1; b = 2; c = 3; }",
        ),
        (
            "{ a = 1; }",
            Position::Last,
            nested,
            "{ a = 1; b = { c = 1; d = \"x\"; }; }",
        ),
        ("{ }", Position::Last, "b = 2;", "{ b = 2; }"),
        ("{}", Position::Last, "b = 2;", "{ b = 2; }"),
        (
            "{\n  x = { a = 1; };\n}\n",
            Position::Last,
            nested,
            "{\n  x = { a = 1; b = { c = 1; d = \"x\"; }; };\n}\n",
        ),
    ];
    for (before, position, snippet, expected) in cases {
        let path: &[&str] = if before.contains("x =") { &["x"] } else { &[] };
        let after = insert(before, path, snippet, position);
        assert_eq!(after, expected);
        assert_eq!(after.lines().count(), before.lines().count().max(1));
    }
    // An empty `{ }` becomes multi-line only for a multi-line binding.
    assert_eq!(
        insert("{\n  x = { };\n}\n", &["x"], nested, Position::Last),
        "{\n  x = {\n    b = {\n      c = 1;\n      d = \"x\";\n    };\n  };\n}\n"
    );
    assert_eq!(
        insert("{\n  x = {};\n}\n", &["x"], "b = 2;", Position::Last),
        "{\n  x = { b = 2; };\n}\n"
    );
    // Removing from a one-line set keeps it one line with single spaces.
    assert_eq!(
        remove("{ a = 1; b = 2; c = 3; }", &["b"]),
        "{ a = 1; c = 3; }"
    );
    assert_eq!(remove("{ a = 1; b = 2; }", &["b"]), "{ a = 1; }");
    assert_eq!(remove("{ a = 1; b = 2; }", &["a"]), "{ b = 2; }");
    // Past 100 columns, the layout pass writes one binding per line.
    let long = "{\n\tx = { a = \"0123456789012345678901234567890123456789\"; b = \"01234567890123456789\"; };\n}\n";
    let file = SourceFile::parse(long);
    let set = set_at(&file, &["x"]);
    let edit = insert_entry(
        &file,
        &set,
        "c = \"0123456789\";\nd = 4;",
        InsertPosition::Last,
    )
    .expect("well formed");
    let mut changes = ChangeSet::new();
    changes.add(edit).expect("one edit");
    let laid_out = break_long_one_line_sets(&file, changes);
    let after = laid_out.apply(&file).expect("parses");
    nix().assert_parses(after.text());
    assert_eq!(
        after.text(),
        "{\n\tx = {\n\t\ta = \"0123456789012345678901234567890123456789\";\n\t\tb = \"01234567890123456789\";\n\t\tc = \"0123456789\";\n\t\td = 4;\n\t};\n}\n"
    );
    // Under 100 columns it changes nothing.
    let file = SourceFile::parse("{ a = 1; }");
    let set = set_at(&file, &[]);
    let mut changes = ChangeSet::new();
    changes
        .add(insert_entry(&file, &set, "b = 2;", InsertPosition::Last).expect("well formed"))
        .expect("one edit");
    let laid_out = break_long_one_line_sets(&file, changes.clone());
    assert_eq!(laid_out.edits(), changes.edits());
}

#[test]
fn clause_7_comments_stay_attached() {
    // After: past the same-line comment (line or block).
    assert_eq!(
        insert(
            "{\n  a = 1; # about a\n  c = 3;\n}\n",
            &[],
            "b = 2;",
            Position::After(0)
        ),
        "{\n  a = 1; # about a\n  b = 2;\n  c = 3;\n}\n"
    );
    assert_eq!(
        insert(
            "{\n  a = 1; /* about a */\n}\n",
            &[],
            "b = 2;",
            Position::Last
        ),
        "{\n  a = 1; /* about a */\n  b = 2;\n}\n"
    );
    // Before: above the comment lines directly over the entry.
    assert_eq!(
        insert(
            "{\n  a = 1;\n  # about c\n  # more about c\n  c = 3;\n}\n",
            &[],
            "b = 2;",
            Position::Before(1)
        ),
        "{\n  a = 1;\n  b = 2;\n  # about c\n  # more about c\n  c = 3;\n}\n"
    );
    assert_eq!(
        insert(
            "{\n  # about a\n  a = 1;\n}\n",
            &[],
            "z = 0;",
            Position::First
        ),
        "{\n  z = 0;\n  # about a\n  a = 1;\n}\n"
    );
    // A comment separated by a blank line is not the entry's own.
    // (Whether the new entry is then set apart from `a` by a blank line
    // is a matter of grouping, not of comments.)
    let after = insert(
        "{\n  # section\n\n  a = 1;\n}\n",
        &[],
        "z = 0;",
        Position::First,
    );
    assert!(
        after.starts_with("{\n  # section\n\n  z = 0;\n"),
        "{after:?}"
    );
    assert!(after.ends_with("  a = 1;\n}\n"), "{after:?}");
    // Removing takes the same-line comment and leaves the one above.
    assert_eq!(
        remove(
            "{\n  # about a\n  a = 1; # same line\n  b = 2;\n}\n",
            &["a"]
        ),
        "{\n  # about a\n  b = 2;\n}\n"
    );
    assert_eq!(
        remove(
            "{\n  a = 1;\n  b = { c = 1; }; /* same line */\n}\n",
            &["b"]
        ),
        "{\n  a = 1;\n}\n"
    );
    assert_eq!(remove("{ a = 1; /* a's */ b = 2; }", &["a"]), "{ b = 2; }");
    // A comment on the next line belongs to the next entry and stays.
    assert_eq!(
        remove("{\n  a = 1;\n  # about b\n  b = 2;\n}\n", &["a"]),
        "{\n  # about b\n  b = 2;\n}\n"
    );
    // Removing a whole declaration takes the comment lines right above it,
    // not one a blank line sets apart, and leaves no blank-line scar.
    let text =
        "{\n  # section\n\n  # about a\n  # more about a\n  a = 1; # same line\n\n  b = 2;\n}\n";
    let file = SourceFile::parse(text);
    let root = set_at(&file, &[]);
    let a = entries(&root)[0].clone();
    let ranges = remove_entries(&file, &[a]);
    let after = apply(&file, ranges.into_iter().map(TextEdit::delete));
    assert_eq!(after, "{\n  # section\n\n  b = 2;\n}\n");
}

#[test]
fn clause_8_blank_line_groups() {
    let grouped = "{\n  a = 1;\n\n  b = 2;\n\n  c = 3;\n}\n";
    assert_eq!(
        insert(grouped, &[], "z = 0;", Position::Last),
        "{\n  a = 1;\n\n  b = 2;\n\n  c = 3;\n\n  z = 0;\n}\n"
    );
    assert_eq!(
        insert(grouped, &[], "z = 0;", Position::First),
        "{\n  z = 0;\n\n  a = 1;\n\n  b = 2;\n\n  c = 3;\n}\n"
    );
    assert_eq!(
        insert(grouped, &[], "z = 0;", Position::After(0)),
        "{\n  a = 1;\n\n  z = 0;\n\n  b = 2;\n\n  c = 3;\n}\n"
    );
    assert_eq!(
        insert(grouped, &[], "z = 0;", Position::Before(2)),
        "{\n  a = 1;\n\n  b = 2;\n\n  z = 0;\n\n  c = 3;\n}\n"
    );
    // Not every pair separated: no blank line added.
    let mixed = "{\n  a = 1;\n  b = 2;\n\n  c = 3;\n}\n";
    assert_eq!(
        insert(mixed, &[], "z = 0;", Position::Last),
        "{\n  a = 1;\n  b = 2;\n\n  c = 3;\n  z = 0;\n}\n"
    );

    // Comment lines between entries are not blank lines.
    let commented = "{\n  a = 1;\n  # about b\n  b = 2;\n  /* about c */\n  c = 3;\n}\n";
    assert_eq!(
        insert(commented, &[], "z = 0;", Position::Last),
        "{\n  a = 1;\n  # about b\n  b = 2;\n  /* about c */\n  c = 3;\n  z = 0;\n}\n"
    );
    // Blank lines around comments still count.
    let grouped_comments = "{\n  a = 1;\n\n  # about b\n  b = 2;\n\n  c = 3;\n}\n";
    assert_eq!(
        insert(grouped_comments, &[], "z = 0;", Position::Last),
        "{\n  a = 1;\n\n  # about b\n  b = 2;\n\n  c = 3;\n\n  z = 0;\n}\n"
    );

    // Removal leaves no scar, wherever the binding was.
    for (path, expected) in [
        ("a", "{\n  b = 2;\n\n  c = 3;\n}\n"),
        ("b", "{\n  a = 1;\n\n  c = 3;\n}\n"),
        ("c", "{\n  a = 1;\n\n  b = 2;\n}\n"),
    ] {
        let after = remove(grouped, &[path]);
        assert_eq!(after, expected);
    }
    for text in [
        grouped,
        mixed,
        "{\r\n  a = 1;\r\n\r\n  b = 2;\r\n\r\n  c = 3;\r\n}\r\n",
        "{\n  x = {\n\n    a = 1;\n\n    b = 2;\n  };\n}\n",
        "{\n  a = 1;\n\n  # about b\n  b = 2;\n\n  c = 3;\n}\n",
        "{\n  x = {\n    a = 1;\n\n    b = 2; };\n}\n",
        "{\n  x = {\n    a = 1; # about a\n\n    b = 2; };\n}\n",
    ] {
        let file = SourceFile::parse(text);
        for set in attr_sets(&file) {
            for entry in entries(&set) {
                let after = apply(&file, [remove_entry(&file, &entry)]);
                if !has_double_blank_line(text) {
                    assert!(!has_double_blank_line(&after), "{after:?}");
                }
                if !has_blank_line_inside_braces(text) {
                    assert!(!has_blank_line_inside_braces(&after), "{after:?}");
                }
            }
        }
    }
}

/// Values no string literal may let escape.
const HOSTILE_VALUES: &[&str] = &[
    "",
    "plain",
    "\"",
    "\\",
    "\\\"",
    "${builtins.abort \"x\"}",
    "\\${builtins.abort \"x\"}",
    "$${builtins.abort \"x\"}",
    "$",
    "$$",
    "${",
    "a$",
    "$\\{x}",
    "\n",
    "\r\n",
    "\t",
    "a\"; b = \"c",
    "\"; }; evil = { x = \"",
    "''",
    "''${x}",
    "'''",
    "# not a comment",
    "/* not a comment */",
    "café ☃ 🦀 \u{2028} \u{200b}",
    "\u{7f}\u{1}\u{1b}[31m",
    "ends with backslash \\",
];

#[test]
fn clause_9_escaping() {
    // Every value round-trips through the real evaluator, exactly.
    for value in HOSTILE_VALUES {
        let literal = string_literal(value);
        let text = format!("{{ v = {literal}; }}\n");
        let file = SourceFile::parse(&text);
        assert!(file.is_valid(), "{text:?}: {:?}", file.errors());
        // rnix reads the same value back (and sees no interpolation).
        let binding = find_path(&root_set(&file), &["v"]);
        assert_eq!(binding.len(), 1, "{text:?} binds exactly v");
        let read = match binding[0].binding.value() {
            Some(ast::Expr::Str(string)) => static_string(&string),
            other => panic!("not a string: {other:?}"),
        };
        assert_eq!(read.as_deref(), Some(*value), "rnix reads {literal}");
        let evaluated = nix().eval_flake(&text, "(import ./flake.nix).v");
        assert_eq!(
            evaluated,
            Value::String(value.to_string()),
            "Nix reads {literal}"
        );
        let names = nix().eval_flake(&text, "builtins.attrNames (import ./flake.nix)");
        assert_eq!(names, json!(["v"]), "{literal} injected bindings");
    }

    // Attribute names: quoted when needed, and each is exactly one name.
    let names = [
        "nixpkgs",
        "flake-parts",
        "self'",
        "_private",
        "hls-1.10",
        "1password",
        "a.b",
        "with space",
        "",
        "in",
        "rec",
        "or",
        "inherit",
        "let",
        "é",
        "a\"b",
        "${builtins.abort \"x\"}",
        "x = 1; y",
        "\n",
    ];
    for name in names {
        let quoted = quote_attr_name(name);
        assert_eq!(
            is_plain_identifier(name),
            !quoted.starts_with('"'),
            "{name:?} → {quoted}"
        );
        let text = format!("{{ {quoted} = 1; }}\n");
        let file = SourceFile::parse(&text);
        assert!(file.is_valid(), "{text:?}: {:?}", file.errors());
        let attr = root_set(&file)
            .syntax()
            .descendants()
            .find_map(ast::Attr::cast)
            .expect("an attribute");
        assert_eq!(
            attr_name(&attr).as_deref(),
            Some(name),
            "rnix reads {quoted}"
        );
        let evaluated = nix().eval_flake(&text, "builtins.attrNames (import ./flake.nix)");
        assert_eq!(evaluated, json!([name]), "Nix reads {quoted}");
    }

    // Attribute paths quote each segment on its own.
    let paths: [&[&str]; 4] = [
        &["inputs", "nixpkgs", "url"],
        &["inputs", "hls-1.10", "url"],
        &["a.b", "c", "${x}"],
        &["in", "", "\"; z = 1"],
    ];
    for path in paths {
        let text = format!("{{ {} = 1; }}\n", quote_attr_path(path));
        let file = SourceFile::parse(&text);
        assert!(file.is_valid(), "{text:?}");
        assert_eq!(find_path(&root_set(&file), path).len(), 1, "{text:?}");
        let mut expected = json!(1);
        for segment in path.iter().rev() {
            expected = json!({ *segment: expected });
        }
        assert_eq!(nix().eval_flake(&text, "import ./flake.nix"), expected);
    }

    // Through an edit: a binding built from hostile parts lands intact.
    let text = "{\n  inputs = {\n    nixpkgs.url = \"n\";\n  };\n}\n";
    let name = "hls-1.10\"; evil = \"";
    let value = "${builtins.abort \"x\"}\"; evil = \"";
    let snippet = format!(
        "{} = {{\n\turl = {};\n}};",
        quote_attr_name(name),
        string_literal(value)
    );
    let after = insert(text, &["inputs"], &snippet, Position::Last);
    let evaluated = nix().eval_flake(&after, "(import ./flake.nix).inputs");
    assert_eq!(
        evaluated,
        json!({ "nixpkgs": { "url": "n" }, name: { "url": value } })
    );
}

#[test]
fn clause_10_formals_keep_their_layout() {
    // One-line patterns stay one line; new formals go before `...`.
    let one_line = [
        ("{ self, nixpkgs }: { }", "{ self, nixpkgs, riot }: { }"),
        (
            "{ self, ... }@inputs: { }",
            "{ self, riot, ... }@inputs: { }",
        ),
        (
            "inputs@{ self, nixpkgs, ... }: { }",
            "inputs@{ self, nixpkgs, riot, ... }: { }",
        ),
        ("{ ... }: { }", "{ riot, ... }: { }"),
        ("{ }: { }", "{ riot }: { }"),
        ("{}: { }", "{ riot }: { }"),
        (
            "{ self, nixpkgs ? null }: { }",
            "{ self, nixpkgs ? null, riot }: { }",
        ),
    ];
    for (before, expected) in one_line {
        let after = add_formal_to(before, "riot");
        assert_eq!(after, expected);
        assert!(function_args(&after).contains(&"riot".to_string()));
        assert_eq!(
            remove_formal_from(expected, "riot").replace("{}", "{ }"),
            before.replace("{}", "{ }")
        );
    }

    // One per line, trailing commas (with and without a final comma).
    let trailing = [
        (
            "{\n  self,\n  nixpkgs,\n}: { }\n",
            "{\n  self,\n  nixpkgs,\n  riot,\n}: { }\n",
        ),
        (
            "{\n  self,\n  nixpkgs\n}: { }\n",
            "{\n  self,\n  nixpkgs,\n  riot\n}: { }\n",
        ),
        (
            "{\n\tself,\n\tnixpkgs,\n\t...\n}@inputs: { }\n",
            "{\n\tself,\n\tnixpkgs,\n\triot,\n\t...\n}@inputs: { }\n",
        ),
    ];
    // One per line, leading commas.
    let leading = [
        (
            "{ self\n, nixpkgs\n}: { }\n",
            "{ self\n, nixpkgs\n, riot\n}: { }\n",
        ),
        (
            "{ self\n, nixpkgs\n, ...\n}: { }\n",
            "{ self\n, nixpkgs\n, riot\n, ...\n}: { }\n",
        ),
        (
            "  { self\n  , nixpkgs\n  }: { }\n",
            "  { self\n  , nixpkgs\n  , riot\n  }: { }\n",
        ),
    ];
    for (before, expected) in trailing.iter().chain(leading.iter()) {
        let after = add_formal_to(before, "riot");
        assert_eq!(&after, expected);
        assert_eq!(after.lines().count(), before.lines().count() + 1);
        let mut args = function_args(&after);
        args.sort();
        assert!(args.contains(&"riot".to_string()), "{args:?}");
    }

    // Removing keeps the layout: whole lines go, commas stay consistent.
    let removals = [
        (
            "{ self, nixpkgs, riot }: { }",
            "nixpkgs",
            "{ self, riot }: { }",
        ),
        (
            "{ self, nixpkgs, riot }: { }",
            "self",
            "{ nixpkgs, riot }: { }",
        ),
        (
            "{ self, nixpkgs, riot }: { }",
            "riot",
            "{ self, nixpkgs }: { }",
        ),
        ("{ self, riot, ... }@i: { }", "riot", "{ self, ... }@i: { }"),
        ("{ riot }: { }", "riot", "{ }: { }"),
        (
            "{ self\n, nixpkgs\n, riot\n}: { }",
            "nixpkgs",
            "{ self\n, riot\n}: { }",
        ),
        (
            "{ self\n, nixpkgs\n, riot\n}: { }",
            "self",
            "{ nixpkgs\n, riot\n}: { }",
        ),
        (
            "{ self\n, nixpkgs\n, riot\n}: { }",
            "riot",
            "{ self\n, nixpkgs\n}: { }",
        ),
        (
            "{\n  self,\n  nixpkgs,\n  riot,\n}: { }",
            "nixpkgs",
            "{\n  self,\n  riot,\n}: { }",
        ),
        (
            "{\n  self,\n  nixpkgs,\n  riot\n}: { }",
            "riot",
            "{\n  self,\n  nixpkgs,\n}: { }",
        ),
        (
            "{\n  self,\n  nixpkgs,\n  ...\n}: { }",
            "self",
            "{\n  nixpkgs,\n  ...\n}: { }",
        ),
    ];
    for (before, name, expected) in removals {
        let after = remove_formal_from(before, name);
        assert_eq!(after, expected, "removing {name} from {before:?}");
        assert!(!function_args(&after).contains(&name.to_string()));
    }

    // Adding is idempotent; removing a missing formal changes nothing.
    let file = SourceFile::parse("{ self, riot }: { }");
    assert!(add_formal(&file, &first_pattern(&file), "riot").is_none());
    assert!(remove_formal(&file, &first_pattern(&file), "nixpkgs").is_none());
}
