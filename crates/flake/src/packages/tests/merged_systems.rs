//! `packages = forAllSystems (…) // { x86_64-linux.default = …; }`: the
//! set after `//` replaces the named systems' whole sets, so a new package
//! written in the per-system function reaches every other system, and a
//! warning names the ones it does not reach.

use expect_test::expect_file;
use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{apply, apply_twice, assert_evaluates, eval, fixture};
use crate::{AddDunePackage, Operation};

#[test]
fn merged_systems_get_the_package_except_the_replaced_one_with_a_warning() {
    let nix = Nix::require();
    let before = fixture("layouts/packages-merged.nix");
    let operation = Operation::AddDunePackage(AddDunePackage {
        pname: "extra".into(),
        version: Some("0.2.0".into()),
        build_inputs: vec!["default".into()],
        ..Default::default()
    });
    let (_, warnings) = apply(&before, &operation).expect("written in the per-system function");
    assert_eq!(
        warnings,
        ["package `extra` is not added for `x86_64-linux`: a set merged after the per-system function with `//` replaces that system's whole set; add it there by hand if it should be built there too"]
    );
    let after = apply_twice(&before, &operation);
    expect_file!["snapshots/merged/packages-merged.nix"].assert_eq(&after);
    nix.assert_parses(&after);
    assert_evaluates(&nix, &after);
    let packages = "builtins.mapAttrs (_: ps: builtins.mapAttrs (_: p: p.pname or p.name or null) ps) outputs.packages";
    let (old, new) = (eval(&nix, &before, packages), eval(&nix, &after, packages));
    // The replaced system is exactly as it was; the other gets the package,
    // built with that system's own default.
    assert_eq!(new["x86_64-linux"], old["x86_64-linux"]);
    assert_eq!(
        new["aarch64-darwin"]["default"],
        old["aarch64-darwin"]["default"]
    );
    assert_eq!(new["aarch64-darwin"]["extra"], json!("extra"));
    assert_eq!(
        eval(
            &nix,
            &after,
            "let ps = outputs.packages.aarch64-darwin; in map (p: p.outPath) ps.extra.buildInputs == [ ps.default.outPath ]"
        ),
        json!(true)
    );
}
