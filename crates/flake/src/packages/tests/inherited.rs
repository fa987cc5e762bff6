//! `inherit packages;` of a binding that is also used whole (`attrValues
//! packages`, a second `inherit packages;`) or whose names the file does
//! not tell: the inherit becomes `packages = packages // { … };`, so the
//! binding and its other uses keep their value.

use expect_test::expect_file;
use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{apply, apply_twice, assert_evaluates, dune_with, eval, fixture};
use crate::ErrorKind;

/// The let-bound set is used whole elsewhere: every such use sees the
/// same value after the edit, and the new package is in `packages` only.
#[test]
fn inherited_set_used_whole_is_merged_at_the_inherit() {
    let nix = Nix::require();
    let before = fixture("layouts/inherited-let-packages.nix");
    let variants = [
        (
            "inputsFrom = [ packages.default ];",
            "inputsFrom = builtins.attrValues packages;",
            Some(expect_file!["snapshots/inherited/attr-values.nix"]),
        ),
        (
            "apps.default = {",
            "checks = { inherit packages; };\n        apps.default = {",
            None,
        ),
        (
            "inherit (packages) tool;",
            "inherit (packages) tool extra;",
            None,
        ),
    ];
    let unchanged = "builtins.mapAttrs (system: _: { \
           shell = map (p: p.outPath) outputs.devShells.${system}.default.inputsFrom; \
           checks = builtins.attrNames (outputs.checks.${system}.packages or { }); \
           app = outputs.apps.${system}.default.program; \
         }) outputs.packages";
    for (from, to, snapshot) in variants {
        let changed = before.replace(from, to);
        assert_ne!(changed, before);
        let after = apply_twice(&changed, &dune_with("extra", &["default"]));
        if let Some(snapshot) = snapshot {
            snapshot.assert_eq(&after);
        }
        nix.assert_parses(&after);
        assert_evaluates(&nix, &after);
        assert_eq!(
            eval(&nix, &after, unchanged),
            eval(&nix, &changed, unchanged),
            "{to}"
        );
        let package = eval(
            &nix,
            &after,
            "builtins.mapAttrs (system: ps: { \
               names = builtins.attrNames ps; \
               input = map (p: p.outPath) ps.extra.buildInputs == [ ps.default.outPath ]; \
             }) outputs.packages",
        );
        let expected = json!({ "names": ["default", "extra", "tool"], "input": true });
        assert_eq!(
            package,
            json!({ "x86_64-linux": expected, "aarch64-darwin": expected }),
            "{to}"
        );
    }
    // A name the set defines already is a conflict, not a replacement.
    let changed = before.replace(
        "inputsFrom = [ packages.default ];",
        "inputsFrom = builtins.attrValues packages;",
    );
    let error = apply(&changed, &dune_with("tool", &[])).expect_err("`tool` is in the set");
    assert_eq!(error.kind, ErrorKind::Conflict, "{error:?}");
}

/// Names the file does not tell (`listToAttrs`), inherited along with
/// another output: the inherit is split, and a warning says the set may
/// define the new name too.
#[test]
fn inherited_set_with_unknown_names_is_split_and_merged_with_a_warning() {
    let nix = Nix::require();
    let before = fixture("layouts/inherited-packages-opaque.nix");
    let operation = dune_with("extra", &[]);
    let (_, warnings) = apply(&before, &operation).expect("merged");
    assert_eq!(
        warnings,
        ["package `extra` is merged after `packages //`; if that defines it too, the new one replaces it"]
    );
    let after = apply_twice(&before, &operation);
    expect_file!["snapshots/inherited/opaque.nix"].assert_eq(&after);
    nix.assert_parses(&after);
    assert_evaluates(&nix, &after);
    let shell = "map (p: p.outPath) outputs.devShells.x86_64-linux.default.inputsFrom";
    assert_eq!(eval(&nix, &after, shell), eval(&nix, &before, shell));
    assert_eq!(
        eval(
            &nix,
            &after,
            "{ names = builtins.attrNames outputs.packages.x86_64-linux; formatter = outputs.formatter.x86_64-linux.outPath == outputs.packages.x86_64-linux.default.outPath; pname = outputs.packages.x86_64-linux.extra.pname; }"
        ),
        json!({ "names": ["default", "extra"], "formatter": true, "pname": "extra" })
    );

    // In a `rec` set, `packages = packages // …` would refer to itself.
    let recursive = before.replace("      in\n      {\n", "      in\n      rec {\n");
    assert_ne!(recursive, before);
    let error = apply(&recursive, &operation).expect_err("rec: refused");
    assert_eq!(error.kind, ErrorKind::Unsupported, "{error:?}");
    assert!(error.message.contains("inherited here"), "{error:?}");
}
