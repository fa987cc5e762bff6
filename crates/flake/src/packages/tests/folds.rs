//! Per-system helpers written as a fold over their systems: what the
//! function receives and whether the helper transposes are read from the
//! fold's callback; a helper applying its function to anything else is
//! refused by name.

use expect_test::expect_file;
use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{apply, apply_twice, assert_evaluates, dune_with, eval, fixture, jq_shell};
use crate::ErrorKind;

/// The new package on every system, built with that system's default;
/// the shell from that system's package set.
fn check_systems(nix: &Nix, after: &str) {
    let result = eval(
        nix,
        after,
        "builtins.mapAttrs (system: ps: { \
           input = map (p: p.outPath) ps.extra.buildInputs == [ ps.default.outPath ]; \
           shell = map (p: p.system) outputs.devShells.${system}.default.packages; \
         }) outputs.packages",
    );
    let expected = |system: &str| json!({ "input": true, "shell": [system] });
    assert_eq!(
        result,
        json!({ "x86_64-linux": expected("x86_64-linux"), "aarch64-darwin": expected("aarch64-darwin") })
    );
}

#[test]
fn folds_that_transpose_or_store_one_value_per_system() {
    let nix = Nix::require();
    for (layout, snapshot) in [
        (
            "helper-fold",
            expect_file!["snapshots/folds/helper-fold.nix"],
        ),
        (
            "helper-fold-genattrs",
            expect_file!["snapshots/folds/helper-fold-genattrs.nix"],
        ),
    ] {
        let before = fixture(&format!("layouts/{layout}.nix"));
        let after = apply_twice(
            &apply_twice(&before, &dune_with("extra", &["default"])),
            &jq_shell(),
        );
        snapshot.assert_eq(&after);
        nix.assert_parses(&after);
        assert_evaluates(&nix, &after);
        check_systems(&nix, &after);
    }
}

#[test]
fn folds_whose_function_gets_something_else_are_refused() {
    let before = fixture("layouts/helper-fold.nix");
    for (from, to) in [
        // A second application to a literal: not every application agrees.
        (
            "ret = f system;",
            "ret = f system;\n              unused = f \"x86_64-linux\";",
        ),
        // The function given a package set built from the system.
        ("ret = f system;", "ret = f (import ./pkgs.nix system);"),
        // The result stored under another name than the system.
        ("${system} = ret.${key};", "${key} = ret.${key};"),
    ] {
        let changed = before.replace(from, to);
        assert_ne!(changed, before, "{to}");
        let error = apply(&changed, &dune_with("extra", &["default"])).expect_err("refused");
        assert_eq!(error.kind, ErrorKind::Unsupported, "{to}: {error:?}");
        assert!(
            error
                .message
                .contains("flakeedit cannot tell what `eachSystem` passes to its function")
                || error.message.contains("`eachDefaultSystem`"),
            "{to}: {error:?}"
        );
    }
}

/// crane's own flake: the helper is read, and a `packages` imported from
/// another file is refused naming that file.
#[test]
fn folds_with_packages_from_another_file_name_it() {
    let before = fixture("layouts/helper-fold.nix").replace(
        "packages.default = pkgs.hello;",
        "packages = import ./pkgs { inherit pkgs; };",
    );
    let error = apply(&before, &dune_with("extra", &["default"])).expect_err("another file");
    assert_eq!(error.kind, ErrorKind::Unsupported, "{error:?}");
    assert_eq!(
        error.message,
        "`packages` is `import ./pkgs { inherit pkgs; }`, whose attributes come from `./pkgs`, another file; flakeedit edits one file at a time"
    );
}
