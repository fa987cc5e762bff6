//! The seed article's flake, grown with flakeedit commands from its first
//! listing in the article's order. Each step's result is a snapshot, and
//! evaluates like the article's own step on everything the commands control.
//!
//! Where our text differs from the article's, and why:
//! - step 03: the article (corrected fixture) adds `inherit (pkgs) ocamlPackages;
//!   inherit (ocamlPackages) buildDunePackage;` to the `let`; flakeedit adds no
//!   bindings and writes `pkgs.ocamlPackages.buildDunePackage`, since
//!   `buildDunePackage` is not in scope. It writes nixpkgs' attribute order
//!   `pname; inherit version; src; buildInputs` (the article puts `version`
//!   first and `src` last, in a package set that has no other package to
//!   copy an order from) and not the article's comment.
//! - step 04: the article also renames the version to `0.0.1+dev`, writes its
//!   nixpkgs tools through `builtins.attrValues { inherit (pkgs) …; }` and sets
//!   `dontDetectOcamlConflicts`; none of that is a flakeedit command. flakeedit
//!   writes one `packages = [ … ]` list with the same packages.
//! - steps 05 and 06 (a test derivation, build phases) are hand-written code,
//!   not commands, and are skipped; step 07 is compared without them.
//! - step 07: the tag comes from the `version` binding (`0.0.1` here, since the
//!   rename was not replayed); the article also puts `ounit2` in `contents`.
//! - step 08: the sources come from `fetchFromGitHub` in the article (the
//!   `add-source` command); here they are `./.` and only the dependency graph
//!   (`random` needs `randomconv`, `default` needs `random` and riot) is compared.

use expect_test::expect_file;
use flakeedit_oracle::Nix;
use serde_json::{json, Value};

use super::support::{apply_twice, assert_evaluates, eval, fixture};
use crate::{AddDevShell, AddDockerImage, AddDunePackage, AddInput, Operation};

fn pnames(nix: &Nix, text: &str, list: &str) -> Value {
    eval(
        nix,
        text,
        &format!("builtins.sort builtins.lessThan (map (p: p.pname or p.name) ({list}))"),
    )
}

#[test]
fn packages_seed_step_by_step() {
    let nix = Nix::require();
    let step01 = fixture("seed/01-initial.nix");

    // 02: the riot input, following nixpkgs. Byte for byte the article's.
    let step02 = apply_twice(
        &step01,
        &Operation::AddInput(AddInput {
            url: "github:emilpriver/riot".into(),
            follows: vec![("nixpkgs".into(), "nixpkgs".into())],
            ..Default::default()
        }),
    );
    assert_eq!(step02, fixture("seed/02-riot-input.nix"));

    // 03: the default dune package, with riot's package as build input.
    let step03 = apply_twice(
        &step02,
        &Operation::AddDunePackage(AddDunePackage {
            pname: "nix_template".into(),
            build_inputs: vec!["riot".into()],
            default: true,
            ..Default::default()
        }),
    );
    expect_file!["snapshots/seed/03-package-default.nix"].assert_eq(&step03);
    let article03 = fixture("seed/03-package-default.nix");
    let default = "inspect.showShallow outputs.packages.x86_64-linux.default";
    assert_eq!(
        eval(&nix, &step03, default),
        eval(&nix, &article03, default)
    );

    // 04: the dev shell.
    let tools = [
        "pkgs.ocamlPackages.dune_3",
        "pkgs.ocamlPackages.ocaml",
        "pkgs.ocamlPackages.utop",
        "pkgs.ocamlPackages.ocamlformat",
        "clang_17",
        "clang-tools_17",
        "pkg-config",
        "pkgs.ocamlPackages.ocaml-lsp",
        "pkgs.ocamlPackages.ocamlformat-rpc-lib",
    ];
    let step04 = apply_twice(
        &step03,
        &Operation::AddDevShell(AddDevShell {
            packages: tools.iter().map(|tool| tool.to_string()).collect(),
            inputs_from: vec!["default".into()],
            ..Default::default()
        }),
    );
    expect_file!["snapshots/seed/04-dev-shell.nix"].assert_eq(&step04);
    let article04 = fixture("seed/04-dev-shell.nix");
    let shell = "outputs.devShells.x86_64-linux.default";
    assert_eq!(
        pnames(&nix, &step04, &format!("{shell}.packages")),
        pnames(
            &nix,
            &article04,
            &format!("{shell}.buildInputs ++ {shell}.packages")
        ),
    );
    let inputs_from = format!("map (p: p.pname) {shell}.inputsFrom");
    assert_eq!(
        eval(&nix, &step04, &inputs_from),
        eval(&nix, &article04, &inputs_from)
    );

    // 07: the docker image.
    let step07 = apply_twice(
        &step04,
        &Operation::AddDockerImage(AddDockerImage {
            name: Some("nix-template".into()),
            ports: vec!["8000/tcp".into()],
            env: vec!["GITHUB_SHA=123123".into()],
            cmd: Some("bin/main.exe".into()),
            ..Default::default()
        }),
    );
    expect_file!["snapshots/seed/07-docker-image.nix"].assert_eq(&step07);
    let article07 = fixture("seed/07-docker-image.nix");
    let image = "let ps = outputs.packages.x86_64-linux; i = ps.dockerImage; in {
        inherit (i) _stub imageName;
        inherit (i.config) ExposedPorts Env;
        cmd = builtins.replaceStrings [ ps.default.outPath ] [ \"<default>\" ] (builtins.head i.config.Cmd);
        first = (builtins.head i.contents).outPath == ps.default.outPath;
      }";
    assert_eq!(eval(&nix, &step07, image), eval(&nix, &article07, image));
    assert_eq!(
        eval(
            &nix,
            &step07,
            "outputs.packages.x86_64-linux.dockerImage.imageTag"
        ),
        json!("0.0.1")
    );

    // 08: randomconv, random (needs randomconv), and random added to the
    // default package's build inputs (the same package: only that changes).
    let mut step08 = step07.clone();
    for (pname, version, inputs) in [
        ("randomconv", "0.2.0", vec![]),
        ("random", "0.0.1", vec!["randomconv"]),
    ] {
        step08 = apply_twice(
            &step08,
            &Operation::AddDunePackage(AddDunePackage {
                pname: pname.into(),
                version: Some(version.into()),
                build_inputs: inputs.into_iter().map(String::from).collect(),
                ..Default::default()
            }),
        );
    }
    step08 = apply_twice(
        &step08,
        &Operation::AddDunePackage(AddDunePackage {
            pname: "nix_template".into(),
            build_inputs: vec!["random".into(), "riot".into()],
            default: true,
            ..Default::default()
        }),
    );
    expect_file!["snapshots/seed/08-random-sources.nix"].assert_eq(&step08);
    let article08 = fixture("seed/08-random-sources.nix");
    for list in [
        "outputs.packages.x86_64-linux.default.buildInputs",
        "builtins.filter (p: p ? _stub && p._stub != \"package\") outputs.packages.x86_64-linux.random.buildInputs",
    ] {
        assert_eq!(pnames(&nix, &step08, list), pnames(&nix, &article08, list), "{list}");
    }
    for step in [&step03, &step04, &step07, &step08] {
        nix.assert_parses(step);
        assert_evaluates(&nix, step);
    }
}
