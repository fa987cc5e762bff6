//! Per-system helpers written in the ways real flakes write them: given
//! their systems first, as `listToAttrs`/`map`, through a `let`-bound
//! function of `f` and the system, or passing a `rec` set whose package
//! set has overlays; and a per-system set merged with
//! `lib.optionalAttrs cond { … }` (also over `let … in { … }`) or with
//! `builtins.mapAttrs f set` of a `let`-bound set, or returning what a
//! `let`-bound function returns (a set merged after it gets the new
//! entry), or inheriting a `let`-bound set used elsewhere only by name.
//! Each fixture gets a package and a dev
//! shell; the whole result is a snapshot and is evaluated.

use expect_test::{expect_file, ExpectFile};
use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{apply, apply_twice, assert_evaluates, dune_with, eval, fixture, jq_shell};
use crate::{AddDevShell, AddDunePackage, ErrorKind, Operation};

fn check(nix: &Nix, layout: &str, snapshot: ExpectFile) {
    let before = fixture(&format!("layouts/{layout}.nix"));
    let after = apply_twice(
        &apply_twice(&before, &dune_with("extra", &["default"])),
        &jq_shell(),
    );
    snapshot.assert_eq(&after);
    nix.assert_parses(&after);
    assert_evaluates(nix, &after);
    // The new package on every system, built with the flake's own default
    // of that system; the shell from that system's package set.
    let result = eval(
        nix,
        &after,
        "builtins.mapAttrs (system: ps: { \
           stub = ps.extra._stub; \
           input = map (p: p.outPath) ps.extra.buildInputs == [ ps.default.outPath ]; \
           shell = map (p: p.system) outputs.devShells.${system}.default.packages; \
         }) outputs.packages",
    );
    let expected =
        |system: &str| json!({ "stub": "buildDunePackage", "input": true, "shell": [system] });
    assert_eq!(
        result,
        json!({ "x86_64-linux": expected("x86_64-linux"), "aarch64-darwin": expected("aarch64-darwin") }),
        "{layout}"
    );
}

#[test]
fn packages_helpers_written_out_in_other_ways() {
    let nix = Nix::require();
    check(
        &nix,
        "helper-curried",
        expect_file!["snapshots/helpers/helper-curried.nix"],
    );
    check(
        &nix,
        "helper-rec-overlays",
        expect_file!["snapshots/helpers/helper-rec-overlays.nix"],
    );
    check(
        &nix,
        "helper-list-to-attrs",
        expect_file!["snapshots/helpers/helper-list-to-attrs.nix"],
    );
    check(
        &nix,
        "helper-partial",
        expect_file!["snapshots/helpers/helper-partial.nix"],
    );
    check(
        &nix,
        "helper-optional-let",
        expect_file!["snapshots/helpers/helper-optional-let.nix"],
    );
    check(
        &nix,
        "helper-mapattrs-known",
        expect_file!["snapshots/helpers/helper-mapattrs-known.nix"],
    );
    check(
        &nix,
        "helper-known-function",
        expect_file!["snapshots/helpers/helper-known-function.nix"],
    );
    check(
        &nix,
        "inherited-let-packages",
        expect_file!["snapshots/helpers/inherited-let-packages.nix"],
    );
}

/// A per-system function returning `makePackages pkgs`, a `let`-bound
/// function whose set's names are known: a name it defines is refused
/// there; a body that is not a call (`if … then … else …`, where a merged
/// set would bind to the `else` branch only) or whose names are not known
/// is refused.
#[test]
fn packages_merged_after_a_known_function_only_with_new_names() {
    let before = fixture("layouts/helper-known-function.nix");
    let error = apply(&before, &dune_with("lint", &["default"]))
        .expect_err("`lint` is defined by makePackages");
    assert_eq!(error.kind, ErrorKind::Conflict, "{error:?}");
    assert!(error.message.contains("by `makePackages …`"), "{error:?}");
    let range = error.range.expect("the refusal points at the call");
    assert!(before[usize::from(range.start())..].starts_with("makePackages nixpkgs"));
    for (from, to) in [
        (
            "(system: makePackages nixpkgs.legacyPackages.${system})",
            "(system: if system == \"x86_64-linux\" then makePackages nixpkgs.legacyPackages.${system} else { })",
        ),
        ("default = pkgs.hello;", "${pkgs.hello.pname} = pkgs.hello;"),
    ] {
        let changed = before.replace(from, to);
        assert_ne!(changed, before);
        let error = apply(&changed, &dune_with("extra", &["default"])).expect_err("not mergeable");
        assert_eq!(error.kind, ErrorKind::Unsupported, "{to}: {error:?}");
        assert!(
            error.message.contains("not an attribute set literal"),
            "{error:?}"
        );
    }
}

/// `// builtins.mapAttrs f tools` defines the names of `tools`, a
/// `let`-bound set: one of them is refused at that operand (the new entry
/// would be replaced); a fold's names are not known, so it is refused too.
#[test]
fn packages_names_of_a_mapped_set_are_known() {
    let before = fixture("layouts/helper-mapattrs-known.nix");
    let error = apply(&before, &dune_with("lint", &["default"])).expect_err("`lint` is in `tools`");
    assert_eq!(error.kind, ErrorKind::Conflict, "{error:?}");
    assert!(
        error.message.contains("by `builtins.mapAttrs …`"),
        "{error:?}"
    );
    let range = error.range.expect("the refusal points at the operand");
    assert!(before[usize::from(range.start())..].starts_with("builtins.mapAttrs"));
    let folded = before.replace(
        "builtins.mapAttrs (_: name: nixpkgs.legacyPackages.${system}.${name}) tools",
        "builtins.foldl' (acc: name: acc // { ${name} = nixpkgs.legacyPackages.${system}.${name}; }) { } [ \"jq\" ]",
    );
    assert_ne!(folded, before);
    let error =
        apply(&folded, &dune_with("extra", &["default"])).expect_err("a fold's names are unknown");
    assert_eq!(error.kind, ErrorKind::Unsupported, "{error:?}");
    assert!(error.message.contains("`builtins.foldl'"), "{error:?}");
}

/// A name the `optionalAttrs` set merged after defines is refused: the
/// new one would be replaced on the systems where the condition holds.
#[test]
fn packages_name_defined_under_optional_attrs_is_refused() {
    let before = fixture("layouts/helper-curried.nix");
    let error =
        apply(&before, &dune_with("static", &["default"])).expect_err("`static` is defined after");
    assert_eq!(error.kind, ErrorKind::Conflict, "{error:?}");
    assert!(error.message.contains("under `optionalAttrs`"), "{error:?}");
    let range = error.range.expect("the refusal points at the definition");
    assert_eq!(&before[usize::from(range.start())..][..6], "static");
}

/// The same through `optionalAttrs cond (let … in { … })`: a name its set
/// defines, written or inherited, is refused at that definition.
#[test]
fn packages_name_defined_under_optional_attrs_let_is_refused() {
    let before = fixture("layouts/helper-optional-let.nix");
    for name in ["static", "cmake"] {
        let error = apply(&before, &dune_with(name, &["default"])).expect_err("defined after");
        assert_eq!(error.kind, ErrorKind::Conflict, "{name}: {error:?}");
        assert!(error.message.contains("under `optionalAttrs`"), "{error:?}");
        let range = error.range.expect("the refusal points at the definition");
        assert!(
            before[usize::from(range.start())..].starts_with(if name == "static" {
                "static"
            } else {
                "inherit (pkgs) cmake"
            }),
            "{name}: {error:?}"
        );
    }
}

/// Only nixpkgs' `legacyPackages` is a package set: with a helper passing
/// another flake's and the system, the new package comes from nixpkgs.
#[test]
fn packages_other_flakes_legacy_packages_is_not_a_package_set() {
    let nix = Nix::require();
    let before = fixture("layouts/helper-rec-overlays.nix")
        .replace("          pkgs' = pkgs;\n", "")
        .replace(
            "          buildDune = pkgs'.ocamlPackages.buildDunePackage;\n",
            "",
        )
        .replace("{ buildDune, toolPkgs, ... }", "{ toolPkgs, ... }")
        .replace("default = buildDune {", "default = toolPkgs.default // {");
    let after = apply_twice(&before, &dune_with("extra", &["default"]));
    assert!(
        after.contains("extra = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {"),
        "{after}"
    );
    assert_eq!(
        eval(&nix, &after, "outputs.packages.aarch64-darwin.extra._stub"),
        json!("buildDunePackage")
    );
}

/// Outputs written `X // { … }` (the new entry goes in the literal, after
/// `X`; a name `X` defines is refused, and where `X`'s names are not
/// known the new entry is said to replace one `X` may define) and `let … in { … }`
/// followed by `// genAttrs [ … ] f` (its names are known).
#[test]
fn packages_outputs_merged_or_in_a_let() {
    let nix = Nix::require();
    let before = fixture("layouts/output-merged-let.nix");
    // `tools` is a `let`-bound set: its names are known, and `lint` is one.
    let (after, warnings) = apply(&before, &dune_with("extra", &["default"])).expect("a package");
    assert_eq!(warnings, Vec::<String>::new());
    let error = apply(&before, &dune_with("lint", &["default"])).expect_err("`lint` is in `tools`");
    assert_eq!(error.kind, ErrorKind::Conflict, "{error:?}");
    assert!(error.message.contains("by `tools …`"), "{error:?}");
    // Names from another file are not known: the new entry is said to
    // replace one `tools` may define.
    let imported = before.replace(
        "tools = { lint = pkgs.hello; };",
        "tools = import ./tools.nix pkgs;",
    );
    let (_, warnings) = apply(&imported, &dune_with("extra", &["default"])).expect("a package");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("merged after `tools //`")),
        "{warnings:?}"
    );
    let after = apply_twice(
        &after,
        &Operation::AddDevShell(AddDevShell {
            name: Some("tools".into()),
            packages: vec!["jq".into()],
            ..Default::default()
        }),
    );
    expect_file!["snapshots/helpers/output-merged-let.nix"].assert_eq(&after);
    nix.assert_parses(&after);
    assert_evaluates(&nix, &after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "let s = outputs.devShells.x86_64-linux; p = outputs.packages.x86_64-linux; in \
             { shells = builtins.attrNames s; packages = builtins.attrNames p; \
               input = map (d: d.outPath) p.extra.buildInputs == [ p.default.outPath ]; }"
        ),
        json!({ "shells": ["ci", "default", "tools"], "packages": ["default", "extra", "lint"], "input": true })
    );
    // `ci` is generated after the literal: a new `ci` would be replaced.
    let error = apply(
        &before,
        &Operation::AddDevShell(AddDevShell {
            name: Some("ci".into()),
            packages: vec!["jq".into()],
            ..Default::default()
        }),
    )
    .expect_err("`ci` is generated after");
    assert!(
        error.message.contains("by `nixpkgs.lib.genAttrs …`"),
        "{error:?}"
    );
}

/// A `let` around the output that rebinds the system's name: the new
/// entry's `self.packages.${system}` would mean another system. Refused,
/// pointing at the binding.
#[test]
fn packages_let_rebinding_the_system_is_refused() {
    let before = fixture("layouts/output-merged-let.nix").replace(
        "            common = [ pkgs.jq ];\n",
        "            common = [ pkgs.jq ];\n            system = \"x86_64-linux\";\n",
    );
    let error = apply(
        &before,
        &Operation::AddDevShell(AddDevShell {
            name: Some("tools".into()),
            packages: vec!["default".into()],
            ..Default::default()
        }),
    )
    .expect_err("the let rebinds `system`");
    assert!(error.message.contains("binds `system`"), "{error:?}");
    let range = error.range.expect("it points at the binding");
    assert!(before[usize::from(range.start())..].starts_with("system = \"x86_64-linux\";"));
}

/// Only a `formatter` is per-system: new packages and dev shells are
/// written with its helper, for the same systems.
#[test]
fn packages_new_outputs_use_the_helper_of_another_output() {
    let nix = Nix::require();
    let before = fixture("layouts/formatter-only.nix");
    let operation = Operation::AddDunePackage(AddDunePackage {
        pname: "extra".into(),
        version: Some("0.2.0".into()),
        ..Default::default()
    });
    let after = apply_twice(&apply_twice(&before, &operation), &jq_shell());
    expect_file!["snapshots/helpers/formatter-only.nix"].assert_eq(&after);
    nix.assert_parses(&after);
    assert_evaluates(&nix, &after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "builtins.mapAttrs (system: ps: [ ps.extra._stub ps.extra.system \
               (map (p: p.system) outputs.devShells.${system}.default.packages) ]) outputs.packages"
        ),
        json!({
            "x86_64-linux": ["buildDunePackage", "x86_64-linux", ["x86_64-linux"]],
            "aarch64-darwin": ["buildDunePackage", "aarch64-darwin", ["aarch64-darwin"]]
        })
    );
}
