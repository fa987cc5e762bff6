//! Nested input paths are typed: the `inputs` segments of an attribute path
//! are syntax, read in one place, so a nested input that is itself named
//! `inputs` keeps its name everywhere (listing, `check`, edits).

mod common;

use common::{check_assist, Assist};
use expect_test::expect;
use flakeedit_flake::{
    check, CheckOptions, DiagnosticCode, Flake, LeafTarget, NestedPath, Operation,
};
use flakeedit_oracle::Nix;
use flakeedit_syntax::SourceFile;

/// `a`'s nested input `inputs` follows an input this flake does not declare.
const FLAKE: &str = r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs";
  inputs.a = {
    url = "github:o/a";
    inputs.inputs.follows = "missing";
    inputs.b.inputs.c.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, a }: { };
}
"#;

fn names(path: &NestedPath) -> Vec<&str> {
    path.names().iter().map(String::as_str).collect()
}

#[test]
fn leaves_say_what_they_set() {
    let file = SourceFile::parse(FLAKE);
    let flake = Flake::read(&file).expect("a flake");
    let a = flake.input("a").expect("input a");
    let targets: Vec<String> = a
        .leaves
        .iter()
        .map(|leaf| match leaf.target() {
            LeafTarget::Own(attribute) => format!("own {attribute}"),
            LeafTarget::Nested { path, attribute } => format!("{path} {attribute}"),
            LeafTarget::Unknown => "unknown".to_string(),
        })
        .collect();
    assert_eq!(targets, ["own url", "inputs follows", "b/c follows"]);
    let nested = a.nested_follows();
    assert_eq!(names(&nested[0].path), ["inputs"]);
    assert_eq!(names(&nested[1].path), ["b", "c"]);
    assert_eq!(
        nested[1].path.attrpath("follows"),
        ["inputs", "b", "inputs", "c", "follows"]
    );
}

#[test]
fn check_names_a_nested_input_called_inputs() {
    let file = SourceFile::parse(FLAKE);
    let dangling: Vec<String> = check(&file, None, &CheckOptions::default())
        .into_iter()
        .filter(|diagnostic| diagnostic.code == DiagnosticCode::DanglingFollows)
        .map(|diagnostic| diagnostic.subject)
        .collect();
    assert_eq!(dangling, ["a/inputs"]);
}

#[test]
fn following_a_nested_input_called_inputs_writes_its_path() {
    let nix = Nix::require();
    let after = check_assist(
        Assist::Operation(Operation::Follow {
            name: "a".into(),
            child: "inputs".into(),
            target: Some("nixpkgs".into()),
        }),
        r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs";
  inputs.a.url = "github:o/a";
  outputs = { self, nixpkgs, a }: { };
}
"#,
        expect![[r#"
            {
              inputs.nixpkgs.url = "github:NixOS/nixpkgs";
              inputs.a.url = "github:o/a";
              inputs.a.inputs.inputs.follows = "nixpkgs";
              outputs = { self, nixpkgs, a }: { };
            }
        "#]],
    );
    let inputs = nix.eval_flake(&after, "(import ./flake.nix).inputs");
    assert_eq!(inputs["a"]["inputs"]["inputs"]["follows"], "nixpkgs");
}
