//! Every operation on every layout fixture: the whole edited file as a
//! snapshot, idempotence, and what the edited flake evaluates to.

use expect_test::{expect_file, ExpectFile};
use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{apply_twice, assert_evaluates, eval, fixture};
use crate::{AddDevShell, AddDockerImage, AddDunePackage, Operation};

/// Runs `operation` on a layout fixture, compares the whole result with
/// its snapshot, checks it parses and evaluates, and returns it.
fn check_layout(nix: &Nix, layout: &str, operation: &Operation, snapshot: ExpectFile) -> String {
    let before = fixture(&format!("layouts/{layout}.nix"));
    let after = apply_twice(&before, operation);
    snapshot.assert_eq(&after);
    nix.assert_parses(&after);
    assert_evaluates(nix, &after);
    after
}

#[test]
fn packages_dune_package_in_every_layout() {
    let nix = Nix::require();
    let cases = [
        (
            "flake-parts-let",
            expect_file!["snapshots/dune/flake-parts-let.nix"],
        ),
        (
            "flake-parts-no-let",
            expect_file!["snapshots/dune/flake-parts-no-let.nix"],
        ),
        (
            "flake-utils-each-default-system",
            expect_file!["snapshots/dune/flake-utils-each-default-system.nix"],
        ),
        (
            "flake-utils-each-system",
            expect_file!["snapshots/dune/flake-utils-each-system.nix"],
        ),
        (
            "for-all-systems",
            expect_file!["snapshots/dune/for-all-systems.nix"],
        ),
        (
            "genattrs-inline",
            expect_file!["snapshots/dune/genattrs-inline.nix"],
        ),
        (
            "plain-per-system",
            expect_file!["snapshots/dune/plain-per-system.nix"],
        ),
        (
            "no-packages",
            expect_file!["snapshots/dune/no-packages.nix"],
        ),
    ];
    for (layout, snapshot) in cases {
        let has_default = layout != "no-packages";
        let operation = Operation::AddDunePackage(AddDunePackage {
            pname: "extra".into(),
            version: Some("0.2.0".into()),
            build_inputs: if has_default {
                vec!["default".into()]
            } else {
                Vec::new()
            },
            ..Default::default()
        });
        let after = check_layout(&nix, layout, &operation, snapshot);
        // Through `import nixpkgs { … }` the stubs print paths absolute
        // (see tests/stubs/README.md), so `src` is compared by its base name.
        let package = eval(
            &nix,
            &after,
            "let p = outputs.packages.x86_64-linux.extra; in { inherit (p) _stub pname version; src = baseNameOf p.src; }",
        );
        let src = if layout == "genattrs-inline" {
            package["src"].clone()
        } else {
            json!(".")
        };
        assert_eq!(
            package,
            json!({ "_stub": "buildDunePackage", "pname": "extra", "version": "0.2.0", "src": src }),
            "{layout}"
        );
        if has_default {
            // The build input is the flake's own default package, per system.
            let same = eval(
                &nix,
                &after,
                "builtins.all (system: let ps = outputs.packages.${system}; in ps ? extra -> \
                   map (p: p.outPath) ps.extra.buildInputs == [ ps.default.outPath ]) \
                   (builtins.attrNames outputs.packages)",
            );
            assert_eq!(same, json!(true), "{layout}");
        }
    }
}

#[test]
fn packages_docker_image_in_every_layout() {
    let nix = Nix::require();
    let cases = [
        (
            "flake-parts-let",
            expect_file!["snapshots/docker/flake-parts-let.nix"],
        ),
        (
            "flake-parts-no-let",
            expect_file!["snapshots/docker/flake-parts-no-let.nix"],
        ),
        (
            "flake-utils-each-default-system",
            expect_file!["snapshots/docker/flake-utils-each-default-system.nix"],
        ),
        (
            "flake-utils-each-system",
            expect_file!["snapshots/docker/flake-utils-each-system.nix"],
        ),
        (
            "for-all-systems",
            expect_file!["snapshots/docker/for-all-systems.nix"],
        ),
        (
            "genattrs-inline",
            expect_file!["snapshots/docker/genattrs-inline.nix"],
        ),
        (
            "plain-per-system",
            expect_file!["snapshots/docker/plain-per-system.nix"],
        ),
    ];
    for (layout, snapshot) in cases {
        // `pkgs.hello` has no literal pname: the image takes its name from
        // the package (`lib.getName`); the plain fixture's aarch64-darwin
        // default is such a package, so pick one system there.
        let (name, system) = match layout {
            "plain-per-system" => (None, Some("x86_64-linux".to_string())),
            _ => (None, None),
        };
        let operation = Operation::AddDockerImage(AddDockerImage {
            ports: vec!["8000".into()],
            env: vec!["GITHUB_SHA=123123".into()],
            name: name.clone(),
            system,
            ..Default::default()
        });
        let after = check_layout(&nix, layout, &operation, snapshot);
        let image = eval(
            &nix,
            &after,
            "let
               ps = outputs.packages.x86_64-linux;
               i = ps.dockerImage;
             in {
               inherit (i) _stub imageName;
               ports = i.config.ExposedPorts;
               env = i.config.Env;
               contents = map (p: p.outPath) i.contents == [ ps.default.outPath ];
               cmd = builtins.replaceStrings [ ps.default.outPath ] [ \"<default>\" ] (builtins.head i.config.Cmd);
             }",
        );
        assert_eq!(
            image,
            json!({
                "_stub": "buildLayeredImage",
                "imageName": image["imageName"],
                "ports": { "8000/tcp": {} },
                "env": ["GITHUB_SHA=123123"],
                "contents": true,
                "cmd": format!("<default>/bin/{}", image["imageName"].as_str().unwrap_or_default()),
            }),
            "{layout}"
        );
        let expected_name = name.unwrap_or_else(|| {
            eval(&nix, &after, "outputs.packages.x86_64-linux.default.pname")
                .as_str()
                .unwrap_or_default()
                .to_string()
        });
        assert_eq!(image["imageName"], json!(expected_name), "{layout}");
    }
}

#[test]
fn packages_docker_image_tag_follows_inherit_version() {
    let nix = Nix::require();
    // The default package says `inherit version;`; the binding is "1.2.0".
    let before = fixture("layouts/flake-parts-let.nix");
    let after = apply_twice(
        &before,
        &Operation::AddDockerImage(AddDockerImage::default()),
    );
    let tag = eval(
        &nix,
        &after,
        "outputs.packages.x86_64-linux.dockerImage.imageTag",
    );
    assert_eq!(tag, json!("1.2.0"));
}

#[test]
fn packages_dev_shell_in_every_layout() {
    let nix = Nix::require();
    let cases = [
        (
            "flake-parts-let",
            expect_file!["snapshots/shell/flake-parts-let.nix"],
        ),
        (
            "flake-parts-no-let",
            expect_file!["snapshots/shell/flake-parts-no-let.nix"],
        ),
        (
            "flake-utils-each-default-system",
            expect_file!["snapshots/shell/flake-utils-each-default-system.nix"],
        ),
        (
            "flake-utils-each-system",
            expect_file!["snapshots/shell/flake-utils-each-system.nix"],
        ),
        (
            "for-all-systems",
            expect_file!["snapshots/shell/for-all-systems.nix"],
        ),
        (
            "genattrs-inline",
            expect_file!["snapshots/shell/genattrs-inline.nix"],
        ),
        (
            "plain-per-system",
            expect_file!["snapshots/shell/plain-per-system.nix"],
        ),
        (
            "no-packages",
            expect_file!["snapshots/shell/no-packages.nix"],
        ),
    ];
    for (layout, snapshot) in cases {
        let has_default = layout != "no-packages";
        let operation = Operation::AddDevShell(AddDevShell {
            packages: vec!["jq".into()],
            inputs_from: if has_default {
                vec!["default".into()]
            } else {
                Vec::new()
            },
            ..Default::default()
        });
        let after = check_layout(&nix, layout, &operation, snapshot);
        let shell = eval(
            &nix,
            &after,
            "builtins.mapAttrs (system: shells: let s = shells.default; in {
               inherit (s) _stub;
               hasJq = builtins.any (p: (p.pname or \"\") == \"jq\") ((s.packages or [ ]) ++ (s.buildInputs or [ ]));
               inputsFrom = map (p: p.outPath) (s.inputsFrom or [ ]) ==
                 (if outputs ? packages && outputs.packages ? ${system} then [ outputs.packages.${system}.default.outPath ] else [ ]);
             }) outputs.devShells",
        );
        let systems = shell.as_object().map(|o| o.len()).unwrap_or(0);
        assert!(systems > 0, "{layout}: no dev shells");
        for (system, value) in shell.as_object().into_iter().flatten() {
            assert_eq!(
                value,
                &json!({ "_stub": "mkShell", "hasJq": true, "inputsFrom": true }),
                "{layout} {system}"
            );
        }
    }
}

#[test]
fn packages_plain_layout_adds_to_every_system_or_one() {
    let nix = Nix::require();
    let before = fixture("layouts/plain-per-system.nix");
    let operation = Operation::AddDunePackage(AddDunePackage {
        pname: "tool".into(),
        version: Some("1.0.0".into()),
        system: Some("aarch64-linux".into()),
        ..Default::default()
    });
    let after = apply_twice(&before, &operation);
    expect_file!["snapshots/dune/plain-per-system-new-system.nix"].assert_eq(&after);
    let names = eval(&nix, &after, "inspect.packageNames outputs");
    assert_eq!(
        names,
        json!({
            "aarch64-darwin": ["default"],
            "aarch64-linux": ["tool"],
            "x86_64-linux": ["default", "hello"],
        })
    );
}
