//! `check --fix` on the fixtures of `tests/fixtures/check`: the whole file
//! after every safe fix (a snapshot), the diagnostics that were fixed and
//! those that remain, and what the real Nix parser and evaluator say about
//! the result.

mod check_common;

use std::process::Command;

use check_common::*;
use expect_test::expect;
use flakeedit_flake::check::{fix_safe, FixOutcome};
use flakeedit_flake::DiagnosticCode;
use flakeedit_oracle::Nix;
use serde_json::{json, Value};

fn fix(name: &str) -> (String, FixOutcome) {
    let before = flake_text(name);
    let lock = lock(name);
    let outcome = fix_safe(&before, lock.as_ref(), &options()).expect("fixes apply");
    let after = outcome.new_text.clone().expect("something was fixed");
    // Fixing again finds nothing more to fix: `--fix` is idempotent.
    let again = fix_safe(&after, lock.as_ref(), &options()).expect("fixes apply");
    assert_eq!(
        again.new_text, None,
        "a second --fix changed the file again"
    );
    (after, outcome)
}

fn codes(outcome: &FixOutcome) -> Vec<String> {
    outcome
        .fixed
        .iter()
        .map(|d| format!("{} {}", d.code, d.subject))
        .collect()
}

fn inputs(nix: &Nix, text: &str) -> Value {
    nix.eval_flake(text, "(import ./flake.nix).inputs")
}

fn formals(nix: &Nix, text: &str) -> Value {
    nix.eval_flake(text, "builtins.functionArgs (import ./flake.nix).outputs")
}

/// Evaluates the whole flake against the stub inputs of `tests/stubs`.
fn evaluate(nix: &Nix, text: &str, attribute: &str) -> Value {
    let eval = stubs().join("eval.nix");
    let inspect = stubs().join("inspect.nix");
    nix.eval_flake(
        text,
        &format!(
            "(import {}).show (import {} {{ flake = ./flake.nix; }}).{attribute}",
            inspect.display(),
            eval.display()
        ),
    )
}

#[test]
fn undeclared_flake_parts_is_declared() {
    let nix = Nix::require();
    let (after, outcome) = fix("undeclared");
    assert_eq!(codes(&outcome), ["registry-input flake-parts"]);
    expect![[r#"
        {
          description = "The seed's mistake: flake-parts is used but never declared";

          inputs = {
            nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
            riot = {
              url = "github:emilpriver/riot";
              inputs.nixpkgs.follows = "nixpkgs";
            };
            flake-parts = {
              url = "github:hercules-ci/flake-parts";
              inputs.nixpkgs-lib.follows = "nixpkgs";
            };
          };

          outputs = inputs@{ flake-parts, mystery-tool, ... }:
            flake-parts.lib.mkFlake { inherit inputs; } {
              systems = [ "x86_64-linux" ];
              perSystem = { pkgs, inputs', ... }: {
                packages.default = inputs'.riot.packages.default;
              };
            };
        }
    "#]]
    .assert_eq(&after);
    nix.assert_parses(&after);
    assert_eq!(
        inputs(&nix, &after)["flake-parts"],
        json!({ "url": "github:hercules-ci/flake-parts", "inputs": { "nixpkgs-lib": { "follows": "nixpkgs" } } })
    );
    // The unknown one stays, without a fix.
    let remaining: Vec<&str> = outcome
        .remaining
        .iter()
        .map(|d| d.subject.as_str())
        .collect();
    assert!(remaining.contains(&"mystery-tool"), "{remaining:?}");
    assert_eq!(
        evaluate(&nix, &after, "packages.x86_64-linux.default.pname"),
        json!("riot")
    );
}

/// Two uses of the undeclared `flake-utils` carry the same fix: it is
/// applied once, and the flake then evaluates.
#[test]
fn undeclared_uses_are_declared() {
    let nix = Nix::require();
    let (after, outcome) = fix("undeclared-uses");
    assert_eq!(
        codes(&outcome),
        [
            "undeclared-input flake-utils",
            "undeclared-input flake-utils"
        ]
    );
    expect![[r#"
        {
          description = "Inputs taken from the input set without being declared";

          inputs = {
            nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
            systems.url = "github:nix-systems/default";
            flake-utils = {
              url = "github:numtide/flake-utils";
              inputs.systems.follows = "systems";
            };
          };

          outputs = { self, ... }@inputs:
            let
              inherit (inputs) flake-utils;
            in
            flake-utils.lib.eachSystem inputs.flake-utils.lib.defaultSystems (system: {
              packages.default = inputs.nixpkgs.legacyPackages.${system}.hello;
              packages.tool = inputs.mystery-tool.packages.${system}.default;
              # A default makes a missing input fine, and `self` is always there.
              packages.maybe = inputs.optional.packages.${system}.default or inputs.self.packages.${system}.default;
              packages.systems = builtins.length (import inputs.systems);
            });
        }
    "#]]
    .assert_eq(&after);
    nix.assert_parses(&after);
    assert_eq!(
        inputs(&nix, &after)["flake-utils"],
        json!({ "url": "github:numtide/flake-utils", "inputs": { "systems": { "follows": "systems" } } })
    );
    let remaining: Vec<&str> = outcome
        .remaining
        .iter()
        .map(|d| d.subject.as_str())
        .collect();
    // `inputs.optional … or …` stays as an info: the default is used.
    assert_eq!(remaining, ["mystery-tool", "optional"]);
    assert_eq!(
        evaluate(&nix, &after, "packages.x86_64-linux.default.pname"),
        json!("hello")
    );
    assert_eq!(
        evaluate(&nix, &after, "packages.x86_64-linux.maybe.pname"),
        json!("hello")
    );
}

#[test]
fn missing_formal_is_added() {
    let nix = Nix::require();
    let (after, outcome) = fix("missing-formal");
    assert_eq!(codes(&outcome), ["missing-formal flake-utils"]);
    expect![[r#"
        {
          inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
          inputs.flake-utils.url = "github:numtide/flake-utils";
          inputs."hls-1.10".url = "github:haskell/haskell-language-server/1.10.0.0";

          outputs = { self, nixpkgs, flake-utils }:
            {
              packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.hello;
            };
        }
    "#]]
    .assert_eq(&after);
    nix.assert_parses(&after);
    assert_eq!(
        formals(&nix, &after),
        json!({ "self": false, "nixpkgs": false, "flake-utils": false })
    );
    // `hls-1.10` cannot be a formal: it stays, unfixed.
    assert!(outcome
        .remaining
        .iter()
        .any(|d| d.code == DiagnosticCode::MissingFormal && d.subject == "hls-1.10"));
}

#[test]
fn nested_inputs_follow_ours() {
    let nix = Nix::require();
    let (after, outcome) = fix("duplicate-nixpkgs");
    assert_eq!(
        codes(&outcome),
        [
            "not-following flake-utils/systems",
            "not-following riot/nixpkgs",
            "not-following riot/flake-utils",
            "not-following crane/nixpkgs",
        ]
    );
    expect![[r#"
        {
          description = "Nested inputs that bring their own nixpkgs, flake-utils and systems";

          inputs = {
            nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
            systems.url = "github:nix-systems/default";
            flake-utils = {
              url = "github:numtide/flake-utils";
              inputs.systems.follows = "systems";
            };
            riot.url = "github:emilpriver/riot";
            riot.inputs.nixpkgs.follows = "nixpkgs";
            riot.inputs.flake-utils.follows = "flake-utils";
            crane.url = "github:ipetkov/crane";
            crane.inputs.nixpkgs.follows = "nixpkgs";
          };

          outputs = { self, nixpkgs, systems, flake-utils, riot, crane }:
            flake-utils.lib.eachSystem (import systems) (system: {
              packages.default = crane.packages.${system}.default;
              packages.riot = riot.packages.${system}.default;
              legacyPackages = nixpkgs.legacyPackages.${system};
            });
        }
    "#]]
    .assert_eq(&after);
    nix.assert_parses(&after);
    let inputs = inputs(&nix, &after);
    assert_eq!(
        inputs["flake-utils"]["inputs"],
        json!({ "systems": { "follows": "systems" } })
    );
    assert_eq!(
        inputs["riot"]["inputs"],
        json!({ "nixpkgs": { "follows": "nixpkgs" }, "flake-utils": { "follows": "flake-utils" } })
    );
    assert_eq!(
        inputs["crane"]["inputs"],
        json!({ "nixpkgs": { "follows": "nixpkgs" } })
    );
    // The lock predates the follows: that is what remains, with advice.
    let remaining: Vec<&str> = outcome.remaining.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(remaining, ["lock-out-of-date"; 4]);
    assert_eq!(
        evaluate(&nix, &after, "packages.x86_64-linux.riot.pname"),
        json!("riot")
    );
}

#[test]
fn transitive_nixpkgs_follow_ours() {
    let nix = Nix::require();
    let (after, outcome) = fix("transitive-nixpkgs");
    assert_eq!(
        codes(&outcome),
        [
            "not-following home-manager/nix-darwin/nixpkgs",
            "not-following crane/nixpkgs",
            "not-following crane/rust-overlay/nixpkgs",
        ]
    );
    expect![[r#"
        {
          description = "Inputs whose own inputs bring yet another nixpkgs";

          inputs = {
            nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
            home-manager = {
              url = "github:nix-community/home-manager";
              inputs.nixpkgs.follows = "nixpkgs";
              inputs.nix-darwin.inputs.nixpkgs.follows = "nixpkgs";
            };
            crane.url = "github:ipetkov/crane";
            crane.inputs.nixpkgs.follows = "nixpkgs";
            crane.inputs.rust-overlay.inputs.nixpkgs.follows = "nixpkgs";
          };

          outputs = { self, nixpkgs, home-manager, crane }: {
            packages.x86_64-linux.default = crane.packages.x86_64-linux.default;
            packages.x86_64-linux.home-manager = home-manager.packages.x86_64-linux.default;
          };
        }
    "#]]
    .assert_eq(&after);
    nix.assert_parses(&after);
    let inputs = inputs(&nix, &after);
    assert_eq!(
        inputs["home-manager"]["inputs"],
        json!({
            "nixpkgs": { "follows": "nixpkgs" },
            "nix-darwin": { "inputs": { "nixpkgs": { "follows": "nixpkgs" } } }
        })
    );
    assert_eq!(
        inputs["crane"]["inputs"],
        json!({
            "nixpkgs": { "follows": "nixpkgs" },
            "rust-overlay": { "inputs": { "nixpkgs": { "follows": "nixpkgs" } } }
        })
    );
    // Only relocking is left.
    let remaining: Vec<&str> = outcome.remaining.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(remaining, ["lock-out-of-date"; 3]);
    assert_eq!(
        evaluate(&nix, &after, "packages.x86_64-linux.home-manager.pname"),
        json!("home-manager")
    );
}

/// The output path of a fixed-output derivation depends only on its digest,
/// so two spellings of a hash are the same hash when the paths agree.
fn fixed_output_path(hash: &str) -> String {
    Nix::require();
    let expression = format!(
        "(derivation {{ name = \"x\"; system = \"x\"; builder = \"x\"; outputHashMode = \"flat\"; \
         outputHashAlgo = \"sha256\"; outputHash = \"{hash}\"; }}).outPath"
    );
    let output = Command::new("nix-instantiate")
        .env("NIX_REMOTE", "")
        .args(["--readonly-mode", "--eval", "--json", "--expr", &expression])
        .output()
        .expect("nix-instantiate runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn legacy_sha256_becomes_the_same_sri_hash() {
    let nix = Nix::require();
    let before = flake_text("legacy-sha256");
    let (after, outcome) = fix("legacy-sha256");
    assert_eq!(outcome.fixed.len(), 3, "{:?}", codes(&outcome));
    expect![[r#"
        {
          inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

          outputs = { self, nixpkgs }:
            let
              pkgs = nixpkgs.legacyPackages.x86_64-linux;
            in
            {
              packages.x86_64-linux = {
                # nix-base32, as nix-prefetch-url prints it
                randomconv = pkgs.fetchFromGitHub {
                  owner = "hannesm";
                  repo = "randomconv";
                  rev = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
                  hash = "sha256-rniZReWV0nm+MjfeYRmjY7dPg08nubwB4Rb11fndFtc=";
                };
                # hex
                tarball = (pkgs.fetchzip) { url = "https://example.org/t.tar.gz"; hash = "sha256-ccQ+WUoNIabicYhID/Xgg0CotCsPuMHOKFWhcuyhAxQ="; };
                # SRI under the old name
                zarith = pkgs.fetchurl {
                  url = "https://example.org/zarith.tar.gz";
                  hash = "sha256-zzw0kceAQSniZGWsSaYVdfZB1Ig8R7AGZdA+a/8EzaA=";
                };
                # both: only the warning, no fix
                both = pkgs.fetchurl {
                  url = "https://example.org/both.tar.gz";
                  hash = "sha256-zzw0kceAQSniZGWsSaYVdfZB1Ig8R7AGZdA+a/8EzaA=";
                  sha256 = "186d0kznngnhcl3b0irwi3a43xkm2nk4kb35cki2jhc0qy8k8g6g";
                };
              };
            };
        }
    "#]].assert_eq(&after);
    nix.assert_parses(&after);
    let old = evaluate(&nix, &before, "packages.x86_64-linux");
    let new = evaluate(&nix, &after, "packages.x86_64-linux");
    for package in ["randomconv", "tarball", "zarith"] {
        let legacy = old[package]["sha256"].as_str().expect("sha256 before");
        let sri = new[package]["hash"].as_str().expect("hash after");
        assert!(sri.starts_with("sha256-"), "{sri}");
        assert_eq!(new[package].get("sha256"), None, "{package} kept sha256");
        assert_eq!(
            fixed_output_path(legacy),
            fixed_output_path(sri),
            "{package}: {legacy} and {sri} are different digests"
        );
    }
    // `both` has `hash` already: flagged, not rewritten.
    assert_eq!(new["both"], old["both"]);
}

#[test]
fn files_with_syntax_errors_are_never_fixed() {
    let text = "{ outputs = { self, flake-parts }: { }; inputs = { sha256 = \"0\"; ";
    let outcome = fix_safe(text, None, &options()).unwrap();
    assert_eq!(outcome.new_text, None);
    assert!(outcome.fixed.is_empty());
    assert!(outcome
        .remaining
        .iter()
        .all(|d| d.code == DiagnosticCode::SyntaxError));
    assert!(!outcome.remaining.is_empty());
}
