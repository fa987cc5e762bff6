//! Before/after tests of binding edits. Every result is also judged by the
//! real Nix parser.

use super::*;
use crate::attrpath::{find_path, root_attr_set};
use crate::ChangeSet;
use flakeedit_oracle::Nix;

fn apply(file: &SourceFile, edit: TextEdit) -> String {
    let mut changes = ChangeSet::new();
    changes.add(edit).unwrap();
    let result = changes
        .apply(file)
        .expect("the edit keeps the file parsing");
    Nix::require().assert_parses(result.text());
    result.text().to_string()
}

/// The set that is the value of the binding at `path` (or the root set).
fn set_at(file: &SourceFile, path: &[&str]) -> SyntaxNode {
    let root = root_attr_set(file.root()).expect("root set");
    if path.is_empty() {
        return root.syntax().clone();
    }
    let found = find_path(&root, path);
    let binding = &found.first().expect("path exists").binding;
    crate::as_attr_set(binding.value())
        .expect("a set")
        .syntax()
        .clone()
}

fn insert(text: &str, path: &[&str], snippet: &str) -> String {
    let file = SourceFile::parse(text);
    let set = set_at(&file, path);
    let edit = insert_entry(&file, &set, snippet, InsertPosition::Last).unwrap();
    apply(&file, edit)
}

fn insert_first(text: &str, path: &[&str], snippet: &str) -> String {
    let file = SourceFile::parse(text);
    let set = set_at(&file, path);
    let edit = insert_entry(&file, &set, snippet, InsertPosition::First).unwrap();
    apply(&file, edit)
}

fn remove(text: &str, path: &[&str]) -> String {
    let file = SourceFile::parse(text);
    let root = root_attr_set(file.root()).unwrap();
    let found = find_path(&root, path);
    let binding = found.first().expect("path exists").binding.syntax().clone();
    apply(&file, remove_entry(&file, &binding))
}

const RIOT: &str =
    "riot = {\n\turl = \"github:emilpriver/riot\";\n\tinputs.nixpkgs.follows = \"nixpkgs\";\n};";

#[test]
fn insert_copies_two_space_indentation() {
    let before = "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n  };\n}\n";
    assert_eq!(
        insert(before, &["inputs"], RIOT),
        "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    riot = {\n      url = \"github:emilpriver/riot\";\n      inputs.nixpkgs.follows = \"nixpkgs\";\n    };\n  };\n}\n"
    );
}

#[test]
fn insert_copies_tabs_and_four_spaces() {
    let tabs = "{\n\tinputs = {\n\t\tnixpkgs.url = \"n\";\n\t};\n}\n";
    assert_eq!(
        insert(tabs, &["inputs"], RIOT),
        "{\n\tinputs = {\n\t\tnixpkgs.url = \"n\";\n\t\triot = {\n\t\t\turl = \"github:emilpriver/riot\";\n\t\t\tinputs.nixpkgs.follows = \"nixpkgs\";\n\t\t};\n\t};\n}\n"
    );
    let four = "{\n    inputs = {\n        nixpkgs.url = \"n\";\n    };\n}\n";
    assert_eq!(
        insert(four, &["inputs"], "a.url = \"x\";"),
        "{\n    inputs = {\n        nixpkgs.url = \"n\";\n        a.url = \"x\";\n    };\n}\n"
    );
}

#[test]
fn insert_keeps_crlf() {
    let before = "{\r\n  inputs = {\r\n    nixpkgs.url = \"n\";\r\n  };\r\n}\r\n";
    let after = insert(before, &["inputs"], RIOT);
    assert_eq!(
        after,
        "{\r\n  inputs = {\r\n    nixpkgs.url = \"n\";\r\n    riot = {\r\n      url = \"github:emilpriver/riot\";\r\n      inputs.nixpkgs.follows = \"nixpkgs\";\r\n    };\r\n  };\r\n}\r\n"
    );
    assert!(!after.replace("\r\n", "").contains('\n'), "no bare LF");
}

#[test]
fn insert_into_one_line_sets_stays_on_one_line() {
    assert_eq!(
        insert("{ inputs = { nixpkgs.url = \"n\"; }; }", &["inputs"], RIOT),
        "{ inputs = { nixpkgs.url = \"n\"; riot = { url = \"github:emilpriver/riot\"; inputs.nixpkgs.follows = \"nixpkgs\"; }; }; }"
    );
    assert_eq!(
        insert("{ inputs = { }; }", &["inputs"], "a.url = \"x\";"),
        "{ inputs = { a.url = \"x\"; }; }"
    );
    assert_eq!(
        insert("{ inputs = {}; }", &["inputs"], "a.url = \"x\";"),
        "{ inputs = { a.url = \"x\"; }; }"
    );
}

#[test]
fn empty_one_line_set_grows_for_a_multi_line_binding() {
    let before = "{\n  packages = {};\n}\n";
    assert_eq!(
        insert(
            before,
            &["packages"],
            "default = rec {\n\tpname = \"x\";\n};"
        ),
        "{\n  packages = {\n    default = rec {\n      pname = \"x\";\n    };\n  };\n}\n"
    );
}

#[test]
fn insert_into_empty_multi_line_set() {
    let before = "{\n  inputs = {\n    # none yet\n  };\n}\n";
    assert_eq!(
        insert(before, &["inputs"], "a.url = \"x\";"),
        "{\n  inputs = {\n    # none yet\n    a.url = \"x\";\n  };\n}\n"
    );
}

#[test]
fn insert_after_a_trailing_comment() {
    let before = "{\n  inputs = {\n    nixpkgs.url = \"n\"; # pinned by CI\n  };\n}\n";
    assert_eq!(
        insert(before, &["inputs"], "a.url = \"x\";"),
        "{\n  inputs = {\n    nixpkgs.url = \"n\"; # pinned by CI\n    a.url = \"x\";\n  };\n}\n"
    );
}

#[test]
fn trailing_comments_in_crlf_files_keep_their_line_break() {
    let before = "{\r\n  a = 1; # why\r\n}";
    assert_eq!(
        insert(before, &[], "b = 2;"),
        "{\r\n  a = 1; # why\r\n  b = 2;\r\n}"
    );
    assert_eq!(
        remove("{\r\n  a = 1; # why\r\n  b = 2;\r\n}", &["a"]),
        "{\r\n  b = 2;\r\n}"
    );
}

#[test]
fn insert_respects_blank_line_groups() {
    let grouped = "{\n  inputs = {\n    a.url = \"a\";\n\n    b.url = \"b\";\n\n    c.url = \"c\";\n  };\n}\n";
    assert_eq!(
        insert(grouped, &["inputs"], "d.url = \"d\";"),
        "{\n  inputs = {\n    a.url = \"a\";\n\n    b.url = \"b\";\n\n    c.url = \"c\";\n\n    d.url = \"d\";\n  };\n}\n"
    );
    // Two entries apart are not yet a pattern (often `inputs` and `outputs`).
    let pair = "{\n  x = {\n    a = 1;\n\n    b = 2;\n  };\n}\n";
    assert_eq!(
        insert(pair, &["x"], "c = 3;"),
        "{\n  x = {\n    a = 1;\n\n    b = 2;\n    c = 3;\n  };\n}\n"
    );
    let mixed = "{\n  x = {\n    a = 1;\n    b = 2;\n\n    c = 3;\n  };\n}\n";
    assert_eq!(
        insert(mixed, &["x"], "d = 4;"),
        "{\n  x = {\n    a = 1;\n    b = 2;\n\n    c = 3;\n    d = 4;\n  };\n}\n"
    );
}

#[test]
fn comment_lines_between_entries_are_not_blank_lines() {
    let commented = "{\n  x = {\n    a = 1;\n    # about b\n    b = 2;\n  };\n}\n";
    assert_eq!(
        insert(commented, &["x"], "c = 3;"),
        "{\n  x = {\n    a = 1;\n    # about b\n    b = 2;\n    c = 3;\n  };\n}\n"
    );
}

#[test]
fn insert_first_goes_above_leading_comments() {
    let before = "{\n  x = {\n    # the first\n    a = 1;\n  };\n}\n";
    assert_eq!(
        insert_first(before, &["x"], "z = 0;"),
        "{\n  x = {\n    z = 0;\n    # the first\n    a = 1;\n  };\n}\n"
    );
}

#[test]
fn insert_into_let_bindings() {
    let text = "let\n  a = 1;\nin\na\n";
    let file = SourceFile::parse(text);
    let let_in = file
        .syntax()
        .descendants()
        .find(|node| node.kind() == SyntaxKind::NODE_LET_IN)
        .unwrap();
    let edit = insert_entry(&file, &let_in, "b = 2;", InsertPosition::Last).unwrap();
    assert_eq!(apply(&file, edit), "let\n  a = 1;\n  b = 2;\nin\na\n");
}

#[test]
fn remove_takes_whole_lines_and_trailing_comment() {
    let before = "{\n  inputs = {\n    a.url = \"a\"; # why\n    b = {\n      url = \"b\";\n    };\n    c.url = \"c\";\n  };\n}\n";
    assert_eq!(
        remove(before, &["inputs", "a"]),
        "{\n  inputs = {\n    b = {\n      url = \"b\";\n    };\n    c.url = \"c\";\n  };\n}\n"
    );
    assert_eq!(
        remove(before, &["inputs", "b"]),
        "{\n  inputs = {\n    a.url = \"a\"; # why\n    c.url = \"c\";\n  };\n}\n"
    );
}

#[test]
fn remove_keeps_comments_above() {
    let before = "{\n  # about b\n  b = 1;\n  c = 2;\n}\n";
    assert_eq!(remove(before, &["b"]), "{\n  # about b\n  c = 2;\n}\n");
}

#[test]
fn remove_leaves_no_blank_line_scar() {
    let middle = "{\n  a = 1;\n\n  b = 2;\n\n  c = 3;\n}\n";
    assert_eq!(remove(middle, &["b"]), "{\n  a = 1;\n\n  c = 3;\n}\n");
    let last = "{\n  a = 1;\n\n  b = 2;\n}\n";
    assert_eq!(remove(last, &["b"]), "{\n  a = 1;\n}\n");
    let first = "{\n  a = 1;\n\n  b = 2;\n}\n";
    assert_eq!(remove(first, &["a"]), "{\n  b = 2;\n}\n");
    let crlf = "{\r\n  a = 1;\r\n\r\n  b = 2;\r\n\r\n  c = 3;\r\n}\r\n";
    assert_eq!(
        remove(crlf, &["b"]),
        "{\r\n  a = 1;\r\n\r\n  c = 3;\r\n}\r\n"
    );
}

#[test]
fn remove_before_a_closing_brace_on_the_same_line() {
    assert_eq!(
        remove("{\n  x = {\n    a = 1;\n\n    b = 2; };\n}", &["x", "b"]),
        "{\n  x = {\n    a = 1; };\n}"
    );
    assert_eq!(
        remove(
            "{\n  x = {\n    a = 1; # why\n\n    b = 2; };\n}",
            &["x", "b"]
        ),
        "{\n  x = {\n    a = 1; # why\n  };\n}"
    );
    assert_eq!(
        remove("{\n  x = {\n    b = 2; };\n}", &["x", "b"]),
        "{\n  x = { };\n}"
    );
}

#[test]
fn remove_after_an_opening_brace_on_the_same_line() {
    assert_eq!(
        remove("{ a = 1;\n\n  b = 2;\n}\n", &["a"]),
        "{\n  b = 2;\n}\n"
    );
    assert_eq!(
        remove("{ a = 1;\r\n\r\n  b = 2;\r\n}\r\n", &["a"]),
        "{\r\n  b = 2;\r\n}\r\n"
    );
    assert_eq!(
        remove("{ a = 1;\n  b = 2;\n}\n", &["a"]),
        "{\n  b = 2;\n}\n"
    );
}

#[test]
fn remove_from_one_line_sets() {
    assert_eq!(
        remove("{ a = 1; b = 2; c = 3; }", &["b"]),
        "{ a = 1; c = 3; }"
    );
    assert_eq!(remove("{ a = 1; b = 2; }", &["b"]), "{ a = 1; }");
    assert_eq!(remove("{ a = 1; b = 2; }", &["a"]), "{ b = 2; }");
    assert_eq!(remove("{ a = 1; }", &["a"]), "{ }");
}

#[test]
fn replace_a_value() {
    let text = "{ a.url = \"old\"; }";
    let file = SourceFile::parse(text);
    let root = root_attr_set(file.root()).unwrap();
    let binding = find_path(&root, &["a", "url"])[0].binding.clone();
    let edit = replace_value(&binding, "\"new\"").unwrap();
    assert_eq!(apply(&file, edit), "{ a.url = \"new\"; }");
}

#[test]
fn broken_sets_give_errors_not_panics() {
    let file = SourceFile::parse("{ a = {\n b = 1;\n");
    for node in file.syntax().descendants() {
        if node.kind() == SyntaxKind::NODE_ATTR_SET {
            let _ = insert_entry(&file, &node, "c = 1;", InsertPosition::Last);
        }
    }
}
