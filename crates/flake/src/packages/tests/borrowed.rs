//! A flake without a `nixpkgs` input whose other input brings one: with a
//! flake.lock that shows exactly one such input, the package operations
//! declare `nixpkgs.follows = "X/nixpkgs"` and take `nixpkgs` as an outputs
//! argument; without a lock, or with several candidates, they refuse.

use expect_test::expect_file;
use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{assert_evaluates, eval, fixture};
use crate::{run, AddDevShell, AddDunePackage, ErrorKind, Lock, Operation};

fn lock() -> Lock {
    Lock::parse(&fixture("layouts/borrowed-nixpkgs/flake.lock")).expect("the fixture lock parses")
}

/// Runs `operation` with the fixture's lock; checks a second run changes
/// nothing, and returns the new text and the warnings.
fn apply_with_lock(text: &str, operation: &Operation) -> (String, Vec<String>) {
    let lock = lock();
    let result = run(operation, text, Some(&lock))
        .unwrap_or_else(|error| panic!("{operation:?} failed: {error:?}"));
    let after = result.new_text.expect("the operation changed the file");
    let again = run(operation, &after, Some(&lock)).expect("the second run succeeds");
    assert!(again.new_text.is_none(), "{:?}", again.new_text);
    let warnings = result
        .changes
        .warnings
        .iter()
        .map(|warning| warning.message.clone())
        .collect();
    (after, warnings)
}

#[test]
fn borrowed_nixpkgs_is_declared_as_a_follows_of_the_input_the_lock_shows() {
    let nix = Nix::require();
    let before = fixture("layouts/borrowed-nixpkgs/flake.nix");
    let (after, warnings) = apply_with_lock(
        &before,
        &Operation::AddDunePackage(AddDunePackage {
            pname: "extra".into(),
            version: Some("0.2.0".into()),
            ..Default::default()
        }),
    );
    expect_file!["snapshots/borrowed/dune.nix"].assert_eq(&after);
    assert_eq!(
        warnings,
        ["the flake had no `nixpkgs` input: declared `nixpkgs.follows = \"builder/nixpkgs\"` (flake.lock shows `builder` brings one) and added `nixpkgs` to the outputs arguments; `nix flake lock` records it"]
    );
    nix.assert_parses(&after);
    assert_evaluates(&nix, &after);
    let package = eval(
        &nix,
        &after,
        "let p = outputs.packages.x86_64-linux.extra; in { inherit (p) _stub pname version; }",
    );
    assert_eq!(
        package,
        json!({ "_stub": "buildDunePackage", "pname": "extra", "version": "0.2.0" })
    );
    // The package that was there is unchanged.
    assert_eq!(
        eval(&nix, &after, "outputs.packages.x86_64-linux.default.pname"),
        eval(&nix, &before, "outputs.packages.x86_64-linux.default.pname"),
    );

    // A dev shell takes the same path, in a file whose inputs are a block.
    let block = before.replace(
        "  inputs.builder.url = \"github:example/builder\";\n  inputs.flake-utils.url = \"github:numtide/flake-utils\";\n",
        "  inputs = {\n    builder.url = \"github:example/builder\";\n    flake-utils.url = \"github:numtide/flake-utils\";\n  };\n",
    );
    assert_ne!(block, before);
    let (after, _) = apply_with_lock(
        &block,
        &Operation::AddDevShell(AddDevShell {
            packages: vec!["pkgs.hello".into()],
            ..Default::default()
        }),
    );
    expect_file!["snapshots/borrowed/shell-inputs-block.nix"].assert_eq(&after);
    assert_evaluates(&nix, &after);
}

#[test]
fn borrowed_nixpkgs_is_refused_without_a_lock_or_with_several_candidates() {
    let before = fixture("layouts/borrowed-nixpkgs/flake.nix");
    let add = Operation::AddDunePackage(AddDunePackage {
        pname: "extra".into(),
        version: Some("0.2.0".into()),
        ..Default::default()
    });
    let error = run(&add, &before, None).expect_err("no lock: refused");
    assert_eq!(error.kind, ErrorKind::Unsupported);
    assert!(
        error
            .hint
            .as_deref()
            .is_some_and(|hint| hint.contains("`inputs.nixpkgs.follows = \"INPUT/nixpkgs\";`")),
        "{:?}",
        error.hint
    );

    // Two inputs bring a nixpkgs: which one is meant cannot be decided.
    let mut lock = lock();
    let builder = lock.nodes["builder"].clone();
    lock.nodes.insert("flake-utils".into(), builder);
    let error = run(&add, &before, Some(&lock)).expect_err("ambiguous: refused");
    assert_eq!(error.kind, ErrorKind::Unsupported);
    assert_eq!(
        error.message,
        "the flake has no `nixpkgs` input, and flake.lock shows several inputs that bring one (`builder`, `flake-utils`)"
    );
    assert_eq!(
        error.hint.as_deref(),
        Some("declare the one to use (`inputs.nixpkgs.follows = \"builder/nixpkgs\";`) and add `nixpkgs` to the outputs arguments, then run this again")
    );

    // A lock where no input brings one: the plain refusal.
    let mut lock = self::lock();
    lock.nodes
        .get_mut("builder")
        .expect("builder")
        .inputs
        .remove("nixpkgs");
    let error = run(&add, &before, Some(&lock)).expect_err("no candidate: refused");
    assert_eq!(
        error.message,
        "`nixpkgs` is not reachable from the outputs function here"
    );
}

#[test]
fn without_a_lock_the_input_whose_nixpkgs_the_outputs_read_is_followed() {
    let nix = Nix::require();
    let before = fixture("layouts/borrowed-nixpkgs-read/flake.nix");
    let add = Operation::AddDunePackage(AddDunePackage {
        pname: "extra".into(),
        version: Some("0.2.0".into()),
        ..Default::default()
    });
    let result = run(&add, &before, None).unwrap_or_else(|error| panic!("{error:?}"));
    let after = result.new_text.expect("the operation changed the file");
    assert!(run(&add, &after, None)
        .expect("second run")
        .new_text
        .is_none());
    expect_file!["snapshots/borrowed/dune-read.nix"].assert_eq(&after);
    let warnings: Vec<&str> = result
        .changes
        .warnings
        .iter()
        .map(|warning| warning.message.as_str())
        .collect();
    assert_eq!(
        warnings,
        ["the flake had no `nixpkgs` input: declared `nixpkgs.follows = \"builder/nixpkgs\"` (the outputs read `builder.inputs.nixpkgs`) and added `nixpkgs` to the outputs arguments; `nix flake lock` records it"]
    );
    nix.assert_parses(&after);
    // The stub of `builder` brings the stub nixpkgs as its own.
    assert_evaluates(&nix, &before);
    assert_evaluates(&nix, &after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "let p = outputs.packages.x86_64-linux.extra; in { inherit (p) _stub pname version; }",
        ),
        json!({ "_stub": "buildDunePackage", "pname": "extra", "version": "0.2.0" })
    );
    for attribute in [
        "packages.x86_64-linux.default.pname",
        "devShells.x86_64-linux.default.name",
    ] {
        let expression = format!("outputs.{attribute}");
        assert_eq!(
            eval(&nix, &after, &expression),
            eval(&nix, &before, &expression),
            "{attribute}"
        );
    }
}

#[test]
fn reads_that_do_not_show_which_input_brings_nixpkgs_are_refused() {
    let before = fixture("layouts/borrowed-nixpkgs-read/flake.nix");
    let add = Operation::AddDunePackage(AddDunePackage {
        pname: "extra".into(),
        version: Some("0.2.0".into()),
        ..Default::default()
    });
    // An inner function's own `builder` is not the input.
    let shadowed = before.replace(
        "with builder.inputs.nixpkgs.legacyPackages.${system};",
        "with (builder: builder.inputs.nixpkgs.legacyPackages.${system}) self;",
    );
    assert_ne!(shadowed, before);
    let error = run(&add, &shadowed, None).expect_err("shadowed: refused");
    assert_eq!(
        error.message,
        "`nixpkgs` is not reachable from the outputs function here"
    );

    // Two inputs' nixpkgs are read: which one is meant cannot be decided.
    let both = before.replace(
        "mkShell { packages = [ hello ]; };",
        "mkShell { packages = [ hello flake-utils.inputs.nixpkgs.legacyPackages.${system}.jq ]; };",
    );
    assert_ne!(both, before);
    let error = run(&add, &both, None).expect_err("ambiguous: refused");
    assert_eq!(
        error.message,
        "the flake has no `nixpkgs` input, and the outputs read the `nixpkgs` of several inputs (`builder`, `flake-utils`)"
    );
}
