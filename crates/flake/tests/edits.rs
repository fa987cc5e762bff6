//! Small before/after cases of the input operations, written with
//! [`common::check_edit`] and [`common::check_refused`] (rust-analyzer's
//! `check_assist` style): each shows the whole file after the edit, or the
//! whole refusal. Larger fixture sweeps live in `inputs_ops.rs`.

mod common;

use common::{check_edit, check_refused};
use expect_test::expect;
use flakeedit_flake::{AddInput, Operation};

fn add(url: &str, follows: &[(&str, &str)]) -> Operation {
    Operation::AddInput(AddInput {
        url: url.into(),
        follows: follows
            .iter()
            .map(|(child, target)| (child.to_string(), target.to_string()))
            .collect(),
        ..AddInput::default()
    })
}

fn remove(name: &str) -> Operation {
    Operation::RemoveInput {
        name: name.into(),
        force: false,
    }
}

#[test]
fn add_input_to_a_one_line_inputs_set() {
    check_edit(
        &add(
            "github:hercules-ci/flake-parts",
            &[("nixpkgs-lib", "nixpkgs")],
        ),
        r#"{
  inputs = { nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable"; };
  outputs = { self, nixpkgs }: { };
}
"#,
        expect![[r#"
            {
              inputs = {
                nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
                flake-parts = { url = "github:hercules-ci/flake-parts"; inputs.nixpkgs-lib.follows = "nixpkgs"; };
              };
              outputs = { self, nixpkgs, flake-parts }: { };
            }
        "#]],
    );
}

#[test]
fn add_input_to_an_ellipsis_pattern_leaves_it_alone() {
    check_edit(
        &add("github:numtide/flake-utils", &[]),
        r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, ... }@inputs: { };
}
"#,
        expect![[r#"
            {
              inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
              inputs.flake-utils.url = "github:numtide/flake-utils";
              outputs = { self, ... }@inputs: { };
            }
        "#]],
    );
}

#[test]
fn remove_input_drops_its_argument() {
    check_edit(
        &remove("flake-utils"),
        r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-utils.url = "github:numtide/flake-utils";
  outputs = { self, nixpkgs, flake-utils }: { };
}
"#,
        expect![[r#"
            {
              inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
              outputs = { self, nixpkgs }: { };
            }
        "#]],
    );
}

#[test]
fn remove_input_still_used_is_refused() {
    check_refused(
        &remove("flake-utils"),
        r#"{
  inputs.flake-utils.url = "github:numtide/flake-utils";
  outputs = { self, flake-utils }: flake-utils.lib.eachDefaultSystem (system: { });
}
"#,
        expect![[r#"
            2:3: Conflict: input `flake-utils` is still used by outputs (1 place)
              hint: remove those uses first, or set `force` to remove the input anyway
              3:36: used here as `flake-utils`
        "#]],
    );
}

#[test]
fn add_input_with_a_follows_target_that_is_no_input_is_refused() {
    check_refused(
        &add("github:numtide/flake-utils", &[("systems", "systems")]),
        r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs }: { };
}
"#,
        expect![[r#"
            2:3: NotApplicable: the follows target `systems` is not an input of this flake
              hint: add `systems` as an input first, or give another target with CHILD=TARGET
        "#]],
    );
}
