//! Small before/after cases of the input operations and of the fixes of
//! `check`, written with [`common::check_assist`] and
//! [`common::check_refused`] (rust-analyzer's `check_assist` style): each
//! shows the whole file after the edit, or the whole refusal; a fix is the
//! one of the diagnostic under the `$0` cursor. Larger fixture sweeps live in `inputs_ops.rs`.

mod common;

use common::{check_assist, check_refused, Assist};
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
    check_assist(
        Assist::Operation(add(
            "github:hercules-ci/flake-parts",
            &[("nixpkgs-lib", "nixpkgs")],
        )),
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
    check_assist(
        Assist::Operation(add("github:numtide/flake-utils", &[])),
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
    check_assist(
        Assist::Operation(remove("flake-utils")),
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

#[test]
fn fix_adds_the_missing_formal() {
    check_assist(
        Assist::Fix,
        r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.ex$0tra.url = "github:o/extra";
  outputs = { self, nixpkgs }: { };
}
"#,
        expect![[r#"
            {
              inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
              inputs.extra.url = "github:o/extra";
              outputs = { self, nixpkgs, extra }: { };
            }
        "#]],
    );
}

#[test]
fn fix_declares_a_registry_input() {
    check_assist(
        Assist::Fix,
        r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs, flake-u$0tils }: { };
}
"#,
        expect![[r#"
            {
              inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
              inputs.flake-utils.url = "github:numtide/flake-utils";
              outputs = { self, nixpkgs, flake-utils }: { };
            }
        "#]],
    );
}

#[test]
fn fix_converts_a_legacy_sha256() {
    check_assist(
        Assist::Fix,
        r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs }:
    let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
      packages.x86_64-linux.default = pkgs.fetchurl {
        url = "https://example.org/a.txt";
        sha$0256 = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";
      };
    };
}
"#,
        expect![[r#"
            {
              inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
              outputs = { self, nixpkgs }:
                let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
                  packages.x86_64-linux.default = pkgs.fetchurl {
                    url = "https://example.org/a.txt";
                    hash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
                  };
                };
            }
        "#]],
    );
}
