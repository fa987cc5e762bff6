//! Every operation on every layout fixture: the whole edited file as a
//! snapshot, idempotence, and what the edited flake evaluates to.

use expect_test::{expect_file, ExpectFile};
use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{apply_twice, assert_evaluates, eval, fixture};
use crate::{AddDevShell, AddDockerImage, AddDunePackage, Operation};

/// Layout fixtures without packages.
const NO_PACKAGES: &[&str] = &[
    "no-packages",
    "flake-parts-no-per-system",
    "flake-parts-imports-only",
];

/// Layout fixtures whose package set is `import nixpkgs { … }`, where the
/// stubs print paths absolute.
const IMPORTS_NIXPKGS: &[&str] = &["genattrs-inline", "for-each-system-args"];

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
        (
            "flake-utils-named-function",
            expect_file!["snapshots/dune/flake-utils-named-function.nix"],
        ),
        (
            "for-all-systems-pkgs",
            expect_file!["snapshots/dune/for-all-systems-pkgs.nix"],
        ),
        (
            "for-all-systems-written-out",
            expect_file!["snapshots/dune/for-all-systems-written-out.nix"],
        ),
        (
            "flake-parts-let-bound",
            expect_file!["snapshots/dune/flake-parts-let-bound.nix"],
        ),
        (
            "for-each-system-args",
            expect_file!["snapshots/dune/for-each-system-args.nix"],
        ),
        (
            "each-system-pkgs",
            expect_file!["snapshots/dune/each-system-pkgs.nix"],
        ),
        (
            "flake-parts-module",
            expect_file!["snapshots/dune/flake-parts-module.nix"],
        ),
        (
            "flake-parts-imports",
            expect_file!["snapshots/dune/flake-parts-imports.nix"],
        ),
        (
            "plain-let-system",
            expect_file!["snapshots/dune/plain-let-system.nix"],
        ),
        (
            "plain-let-system-dotted",
            expect_file!["snapshots/dune/plain-let-system-dotted.nix"],
        ),
        (
            "outputs-merged",
            expect_file!["snapshots/dune/outputs-merged.nix"],
        ),
        (
            "flake-parts-no-per-system",
            expect_file!["snapshots/dune/flake-parts-no-per-system.nix"],
        ),
        (
            "flake-parts-imports-only",
            expect_file!["snapshots/dune/flake-parts-imports-only.nix"],
        ),
    ];
    for (layout, snapshot) in cases {
        let has_default = !NO_PACKAGES.contains(&layout);
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
        let src = if IMPORTS_NIXPKGS.contains(&layout) {
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
        (
            "flake-utils-named-function",
            expect_file!["snapshots/docker/flake-utils-named-function.nix"],
        ),
        (
            "for-all-systems-pkgs",
            expect_file!["snapshots/docker/for-all-systems-pkgs.nix"],
        ),
        (
            "for-all-systems-written-out",
            expect_file!["snapshots/docker/for-all-systems-written-out.nix"],
        ),
        (
            "flake-parts-let-bound",
            expect_file!["snapshots/docker/flake-parts-let-bound.nix"],
        ),
        (
            "for-each-system-args",
            expect_file!["snapshots/docker/for-each-system-args.nix"],
        ),
        (
            "each-system-pkgs",
            expect_file!["snapshots/docker/each-system-pkgs.nix"],
        ),
        (
            "flake-parts-module",
            expect_file!["snapshots/docker/flake-parts-module.nix"],
        ),
        (
            "flake-parts-imports",
            expect_file!["snapshots/docker/flake-parts-imports.nix"],
        ),
        (
            "plain-let-system",
            expect_file!["snapshots/docker/plain-let-system.nix"],
        ),
        (
            "plain-let-system-dotted",
            expect_file!["snapshots/docker/plain-let-system-dotted.nix"],
        ),
        (
            "outputs-merged",
            expect_file!["snapshots/docker/outputs-merged.nix"],
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
        (
            "flake-utils-named-function",
            expect_file!["snapshots/shell/flake-utils-named-function.nix"],
        ),
        (
            "for-all-systems-pkgs",
            expect_file!["snapshots/shell/for-all-systems-pkgs.nix"],
        ),
        (
            "for-all-systems-written-out",
            expect_file!["snapshots/shell/for-all-systems-written-out.nix"],
        ),
        (
            "flake-parts-let-bound",
            expect_file!["snapshots/shell/flake-parts-let-bound.nix"],
        ),
        (
            "for-each-system-args",
            expect_file!["snapshots/shell/for-each-system-args.nix"],
        ),
        (
            "each-system-pkgs",
            expect_file!["snapshots/shell/each-system-pkgs.nix"],
        ),
        (
            "flake-parts-module",
            expect_file!["snapshots/shell/flake-parts-module.nix"],
        ),
        (
            "plain-let-system",
            expect_file!["snapshots/shell/plain-let-system.nix"],
        ),
        (
            "outputs-merged",
            expect_file!["snapshots/shell/outputs-merged.nix"],
        ),
        (
            "flake-parts-no-per-system",
            expect_file!["snapshots/shell/flake-parts-no-per-system.nix"],
        ),
    ];
    for (layout, snapshot) in cases {
        let has_default = !NO_PACKAGES.contains(&layout);
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

/// Legacy `defaultPackage`/`devShell` stand for `default`: a dev shell
/// `default` extends `devShell` (a new `devShells.default` would replace it
/// for `nix develop`), references to `default` go to `defaultPackage`.
#[test]
fn packages_legacy_default_outputs_stand_for_default() {
    let nix = Nix::require();
    let before = fixture("layouts/legacy-default.nix");
    let shell = apply_twice(
        &before,
        &Operation::AddDevShell(AddDevShell {
            packages: vec!["jq".into()],
            ..Default::default()
        }),
    );
    expect_file!["snapshots/shell/legacy-default.nix"].assert_eq(&shell);
    assert_eq!(
        eval(
            &nix,
            &shell,
            "{ outputs = inspect.outputNames outputs; jq = map (p: p.pname) outputs.devShell.x86_64-linux.packages; }"
        ),
        json!({ "outputs": ["defaultPackage", "devShell"], "jq": ["jq"] })
    );
    let package = apply_twice(
        &before,
        &Operation::AddDunePackage(AddDunePackage {
            pname: "extra".into(),
            version: Some("1.0.0".into()),
            build_inputs: vec!["default".into()],
            ..Default::default()
        }),
    );
    expect_file!["snapshots/dune/legacy-default.nix"].assert_eq(&package);
    assert_eq!(
        eval(
            &nix,
            &package,
            "builtins.mapAttrs (system: ps: map (p: p.outPath) ps.extra.buildInputs == [ outputs.defaultPackage.${system}.outPath ]) outputs.packages"
        ),
        json!({ "aarch64-darwin": true, "aarch64-linux": true, "x86_64-darwin": true, "x86_64-linux": true })
    );
}

/// A top-level `defaultPackage = forAllSystems …;` cannot be extended, and
/// a new `packages.<system>.default` would win over it: refused.
#[test]
fn packages_new_default_next_to_legacy_generated_is_refused() {
    let text = "{
  outputs = { self, nixpkgs }:
    let forAllSystems = nixpkgs.lib.genAttrs [ \"x86_64-linux\" ]; in
    {
      packages = forAllSystems (system: { tool = nixpkgs.legacyPackages.${system}.hello; });
      defaultPackage = forAllSystems (system: self.packages.${system}.tool);
    };
}
";
    let error = refusal(
        text,
        &Operation::AddDunePackage(AddDunePackage {
            pname: "app".into(),
            version: Some("1".into()),
            default: true,
            ..Default::default()
        }),
    );
    assert!(error.message.contains("`defaultPackage`"), "{error:?}");
    assert_eq!(located(text, &error), (6, 7));
    // Another name is fine.
    let (after, _) = super::support::apply(
        text,
        &Operation::AddDunePackage(AddDunePackage {
            pname: "app".into(),
            version: Some("1".into()),
            ..Default::default()
        }),
    )
    .expect("a non-default package");
    assert_ne!(after, text);
}

/// The refusal of `operation` on `text`, which must leave nothing written.
fn refusal(text: &str, operation: &Operation) -> crate::FlakeError {
    match crate::run(operation, text, None) {
        Ok(result) => panic!("expected a refusal, got {:?}", result.new_text),
        Err(error) => {
            assert!(error.range.is_some(), "no location: {error:?}");
            assert!(error.hint.is_some(), "no hint: {error:?}");
            error
        }
    }
}

/// The 1-based line and column an error points at.
fn located(text: &str, error: &crate::FlakeError) -> (usize, usize) {
    let start = error
        .range
        .map(|r| usize::from(r.start()))
        .unwrap_or_default();
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let column = start - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

fn every_operation() -> Vec<Operation> {
    vec![
        Operation::AddDunePackage(AddDunePackage {
            pname: "extra".into(),
            version: Some("0.1.0".into()),
            ..Default::default()
        }),
        Operation::AddDockerImage(AddDockerImage {
            name: Some("image".into()),
            ..Default::default()
        }),
        Operation::AddDevShell(AddDevShell {
            name: Some("tools".into()),
            packages: vec!["jq".into()],
            ..Default::default()
        }),
    ]
}

/// Layouts where a new attribute could be overridden, could duplicate one
/// defined elsewhere, or could not be written where Nix accepts it:
/// every package command refuses, naming the construct at its position.
#[test]
fn packages_layouts_that_are_refused_name_the_construct() {
    let cases: [(&str, &str, (usize, usize)); 1] = [
        // `forAllSystems (…) // overrides`: which systems' whole sets
        // `overrides` replaces is not in the file.
        (
            "packages-merged",
            "`overrides` is merged after it with `//`",
            (13, 13),
        ),
    ];
    for (layout, says, at) in cases {
        let text = fixture(&format!("layouts/{layout}.nix")).replace(
            "}) // {\n        x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.jq;\n      };",
            "}) // overrides;",
        );
        assert!(text.contains("// overrides;"), "{layout}");
        for operation in every_operation() {
            let error = refusal(&text, &operation);
            assert!(error.message.contains(says), "{layout}: {error:?}");
            assert_eq!(located(&text, &error), at, "{layout}: {error:?}");
        }
    }
}

/// A new `default` next to imported flake-parts modules may be a second
/// definition, whether the flake has a `perSystem` of its own or gets a
/// new one; another name is added.
#[test]
fn packages_default_next_to_imported_modules_is_refused() {
    for layout in ["flake-parts-imports", "flake-parts-imports-only"] {
        let text = fixture(&format!("layouts/{layout}.nix"));
        let error = refusal(
            &text,
            &Operation::AddDevShell(AddDevShell {
                packages: vec!["jq".into()],
                ..Default::default()
            }),
        );
        assert_eq!(error.kind, crate::ErrorKind::Conflict, "{layout}");
        assert!(error.message.contains("`imports`"), "{layout}: {error:?}");
        assert_eq!(located(&text, &error), (12, 7), "{layout}");
    }
}

/// `devShells.${system}.default = …;` cannot get a sibling
/// `devShells.${system}.tools` (Nix rejects a second binding below a
/// dynamic attribute): the binding becomes a set holding both, and the
/// indented string of the dotted package keeps its content.
#[test]
fn packages_dotted_dynamic_system_becomes_a_set() {
    let nix = Nix::require();
    let operation = Operation::AddDevShell(AddDevShell {
        name: Some("tools".into()),
        packages: vec!["jq".into()],
        ..Default::default()
    });
    let after = check_layout(
        &nix,
        "plain-let-system",
        &operation,
        expect_file!["snapshots/shell/plain-let-system-tools.nix"],
    );
    let shells = eval(
        &nix,
        &after,
        "builtins.mapAttrs (_: s: { inherit (s) _stub; jq = map (p: p.pname) (s.packages or [ ]); }) outputs.devShells.x86_64-linux",
    );
    assert_eq!(
        shells,
        json!({
            "default": { "_stub": "mkShell", "jq": [] },
            "tools": { "_stub": "mkShell", "jq": ["jq"] },
        })
    );

    let before = fixture("layouts/plain-let-system-dotted.nix");
    let after = apply_twice(
        &before,
        &Operation::AddDunePackage(AddDunePackage {
            pname: "extra".into(),
            version: Some("0.2.0".into()),
            ..Default::default()
        }),
    );
    let read = "let p = outputs.packages.x86_64-linux; in { names = builtins.attrNames p; postInstall = p.default.postInstall; }";
    let expected = json!({ "names": ["default", "extra"], "postInstall": "echo done\n" });
    assert_eq!(eval(&nix, &after, read), expected);
    assert_eq!(
        eval(&nix, &before, read)["postInstall"],
        expected["postInstall"]
    );
}

/// Outputs whose shape flakeedit cannot read are refused, naming the
/// helper or the expression.
#[test]
fn packages_unknown_helpers_and_outputs_are_refused_by_name() {
    let cases = [
        (
            "{ outputs = { self, nixpkgs, helpers }: { packages = helpers.lib.forAllSystems (pkgs: { default = pkgs.hello; }); }; }",
            "`forAllSystems`",
        ),
        (
            "{ outputs = { self, nixpkgs, eachSystem }: { packages = eachSystem (pkgs: { default = pkgs.hello; }); }; }",
            "`eachSystem`",
        ),
        (
            "{ outputs = inputs: import ./nix/outputs.nix inputs; }",
            "`import ./nix/outputs.nix inputs`",
        ),
        (
            "{ outputs = { self, nixpkgs }: let forAllSystems = f: builtins.listToAttrs (map f [ \"x86_64-linux\" ]); in { packages = forAllSystems (s: { default = s; }); }; }",
            "`forAllSystems`",
        ),
    ];
    for (text, names) in cases {
        for operation in every_operation() {
            let error = refusal(text, &operation);
            assert!(error.message.contains(names), "{text}: {error:?}");
        }
    }
}

/// A new dev shell where the package set is `pkgsFor system`: the call is
/// `(pkgsFor system).mkShell`, which evaluates to a shell on every system.
#[test]
fn packages_new_dev_shell_through_a_package_set_function() {
    let nix = Nix::require();
    let before = fixture("layouts/for-all-systems.nix");
    let after = apply_twice(
        &before,
        &Operation::AddDevShell(AddDevShell {
            name: Some("tools".into()),
            packages: vec!["jq".into()],
            ..Default::default()
        }),
    );
    assert!(
        after.contains("tools = (pkgsFor system).mkShell {"),
        "{after}"
    );
    assert_eq!(
        eval(
            &nix,
            &after,
            "builtins.mapAttrs (_: shells: map (p: p.pname) shells.tools.packages) outputs.devShells"
        ),
        json!({ "aarch64-darwin": ["jq"], "aarch64-linux": ["jq"], "x86_64-darwin": ["jq"], "x86_64-linux": ["jq"] })
    );
}
