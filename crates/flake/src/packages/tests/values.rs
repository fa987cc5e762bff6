//! Values written into flakes: user expressions as list elements, `pkgs`
//! mapped to the package set in scope, `with pkgs;` lists. Each case is a
//! minimal fixture under `tests/fixtures/values`, the whole edited file as a
//! snapshot, and what the edited flake evaluates to.

use expect_test::expect_file;
use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{apply, apply_twice, assert_evaluates, eval, fixture};
use crate::{
    run, AddDevShell, AddDockerImage, AddDunePackage, AddSource, ErrorKind, Operation, SourceHash,
};

/// Runs `operation` twice on a values fixture; the result parses and
/// evaluates completely.
fn edit(nix: &Nix, name: &str, operation: &Operation) -> String {
    let before = fixture(&format!("values/{name}.nix"));
    let after = apply_twice(&before, operation);
    nix.assert_parses(&after);
    assert_evaluates(nix, &after);
    after
}

#[test]
fn values_expressions_are_one_element_and_pkgs_is_the_package_set_in_scope() {
    let nix = Nix::require();
    let after = edit(
        &nix,
        "pkgs-unbound",
        &Operation::AddDunePackage(AddDunePackage {
            pname: "extra".into(),
            version: Some("0.2.0".into()),
            build_inputs: vec![
                "pkgs.python3.withPackages (ps: [ ps.numpy ])".into(),
                "pkgs.hello".into(),
                "default".into(),
            ],
            ..Default::default()
        }),
    );
    expect_file!["snapshots/values/pkgs-unbound.nix"].assert_eq(&after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "builtins.mapAttrs (_: ps: map (p: p.pname) ps.extra.buildInputs) outputs.packages"
        ),
        json!({
            "aarch64-linux": ["python3-env", "hello", "app"],
            "x86_64-linux": ["python3-env", "hello", "app"],
        })
    );
    assert_eq!(
        eval(
            &nix,
            &after,
            "map (p: p.pname) (builtins.head outputs.packages.x86_64-linux.extra.buildInputs).paths"
        ),
        json!(["numpy"])
    );
}

#[test]
fn values_the_files_own_package_set_table_is_used() {
    let nix = Nix::require();
    let after = edit(
        &nix,
        "nixpkgs-for",
        &Operation::AddDevShell(AddDevShell {
            packages: vec!["jq".into(), "pkgs.curl".into()],
            ..Default::default()
        }),
    );
    expect_file!["snapshots/values/nixpkgs-for.nix"].assert_eq(&after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "builtins.mapAttrs (system: s: map (p: p.pname + \"@\" + p.system) s.default.packages) outputs.devShells"
        ),
        json!({
            "aarch64-darwin": ["jq@aarch64-darwin", "curl@aarch64-darwin"],
            "x86_64-linux": ["jq@x86_64-linux", "curl@x86_64-linux"],
        })
    );
}

#[test]
fn values_with_pkgs_lists_are_extended_in_their_style() {
    let nix = Nix::require();
    // `jq` is there already (bare, under `with pkgs;`); `curl` is a local
    // binding in that file, so pkgs' curl must stay `pkgs.curl`.
    let after = edit(
        &nix,
        "with-pkgs",
        &Operation::AddDevShell(AddDevShell {
            packages: vec!["jq".into(), "pkgs.curl".into(), "pkgs.nodejs".into()],
            inputs_from: vec!["default".into()],
            ..Default::default()
        }),
    );
    let after = apply_twice(
        &after,
        &Operation::AddDevShell(AddDevShell {
            name: Some("tools".into()),
            packages: vec!["nix".into(), "cmake".into()],
            ..Default::default()
        }),
    );
    expect_file!["snapshots/values/with-pkgs.nix"].assert_eq(&after);
    assert_evaluates(&nix, &after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "let s = outputs.devShells.x86_64-linux; in {
               default = map (p: p.pname) s.default.packages;
               inputsFrom = map (p: p.pname) s.default.inputsFrom;
               tools = map (p: p.pname) s.tools.buildInputs;
             }"
        ),
        json!({
            "default": ["git", "jq", "curl", "nodejs"],
            "inputsFrom": ["hello"],
            "tools": ["nix", "cmake"],
        })
    );
}

#[test]
fn values_docker_name_and_tag_come_from_the_package_when_not_literal() {
    let nix = Nix::require();
    let after = edit(
        &nix,
        "docker-derived",
        &Operation::AddDockerImage(AddDockerImage::default()),
    );
    expect_file!["snapshots/values/docker-derived.nix"].assert_eq(&after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "let ps = outputs.packages.x86_64-linux; i = ps.dockerImage; in {
               inherit (i) imageName imageTag;
               cmd = builtins.replaceStrings [ ps.default.outPath ] [ \"<default>\" ] (builtins.head i.config.Cmd);
             }"
        ),
        json!({ "imageName": "probe", "imageTag": "latest", "cmd": "<default>/bin/probe" })
    );
    // A computed version may not be a valid Docker tag (`1.0+git`): it is
    // not used, and the user is told how to choose a tag.
    let (_, warnings) = apply(
        &fixture("values/docker-derived.nix"),
        &Operation::AddDockerImage(AddDockerImage::default()),
    )
    .unwrap_or_else(|error| panic!("{error:?}"));
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("not written as a literal") && w.contains("--tag")),
        "{warnings:?}"
    );
}

#[test]
fn values_docker_references_docker_refuses_are_refused_with_what_to_do() {
    let before = fixture("values/docker-derived.nix");
    for (request, message, hint) in [
        (
            AddDockerImage {
                name: Some("My Server".into()),
                ..Default::default()
            },
            "`My Server` (--name) is not a valid Docker image name",
            "--name my-server",
        ),
        (
            AddDockerImage {
                name: Some("server:1.0".into()),
                ..Default::default()
            },
            "`server:1.0` (--name)",
            "--tag",
        ),
        (
            AddDockerImage {
                tag: Some("1.0 beta".into()),
                ..Default::default()
            },
            "`1.0 beta` (--tag) is not a valid Docker tag",
            "--tag 1.0-beta",
        ),
    ] {
        let error = match run(&Operation::AddDockerImage(request.clone()), &before, None) {
            Ok(_) => panic!("{request:?} was accepted"),
            Err(error) => error,
        };
        assert_eq!(error.kind, ErrorKind::InvalidArgument, "{request:?}");
        assert!(error.message.contains(message), "{}", error.message);
        assert!(
            error.hint.as_deref().is_some_and(|h| h.contains(hint)),
            "{:?}",
            error.hint
        );
    }
}

fn randomconv(dep_of: &str) -> Operation {
    Operation::AddSource(Box::new(AddSource {
        owner: "hannesm".into(),
        repo: "randomconv".into(),
        rev: "b2ce656d09738d676351f5a1c18aff0ff37a7dcc".into(),
        hash: SourceHash::Fake,
        version: "0.2.0".into(),
        dep_of: Some(dep_of.into()),
        ..Default::default()
    }))
}

#[test]
fn values_add_source_never_puts_an_ocaml_library_into_a_go_package() {
    let nix = Nix::require();
    let before = fixture("values/go-default.nix");
    let error = match run(&randomconv("default"), &before, None) {
        Ok(result) => panic!("accepted: {:?}", result.new_text),
        Err(error) => error,
    };
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert!(
        error
            .message
            .contains("package `default` is built with `buildGoModule`, not as an OCaml package"),
        "{}",
        error.message
    );
    assert!(error.range.is_some());
    assert!(error
        .hint
        .as_deref()
        .is_some_and(|h| h.contains("--dep-of")));

    // A generic builder with OCaml in its inputs is an OCaml package.
    let after = edit(&nix, "go-default", &randomconv("tool"));
    expect_file!["snapshots/values/go-default.nix"].assert_eq(&after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "let ps = outputs.packages.x86_64-linux; in {
               tool = map (p: p.pname) ps.tool.buildInputs;
               default = ps.default ? buildInputs;
             }"
        ),
        json!({ "tool": ["randomconv"], "default": false })
    );
}

/// The file writes `version` first and lists dependencies in
/// `propagatedBuildInputs`: new packages do the same, and a one-line list
/// that would pass 100 columns is broken into lines.
#[test]
fn values_new_packages_follow_the_files_conventions() {
    let nix = Nix::require();
    let after = edit(
        &nix,
        "libraries",
        &Operation::AddDunePackage(AddDunePackage {
            pname: "extra".into(),
            version: Some("0.3.0".into()),
            build_inputs: vec!["core".into()],
            ..Default::default()
        }),
    );
    let after = apply_twice(&after, &randomconv("default"));
    expect_file!["snapshots/values/libraries.nix"].assert_eq(&after);
    assert_evaluates(&nix, &after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "let ps = outputs.packages.x86_64-linux; in {
               extra = map (p: p.pname) ps.extra.propagatedBuildInputs;
               default = map (p: p.pname) ps.default.propagatedBuildInputs;
             }"
        ),
        json!({ "extra": ["core"], "default": ["core", "yojson", "randomconv"] })
    );
}

/// An image or dev shell that exists in another form than `name = …;`
/// is never defined a second time: the refusal points at it.
#[test]
fn values_no_second_definition_of_an_inherited_entry() {
    let before = fixture("values/definitions.nix");
    for (operation, message, at) in [
        (
            Operation::AddDockerImage(AddDockerImage {
                name: Some("hello".into()),
                ..Default::default()
            }),
            "`dockerImage` is defined already, by `inherit`",
            "inherit dockerImage;",
        ),
        (
            Operation::AddDevShell(AddDevShell {
                packages: vec!["jq".into()],
                ..Default::default()
            }),
            "dev shell `default` is defined already, by `inherit`",
            "inherit (shells) default;",
        ),
        (
            Operation::AddDunePackage(AddDunePackage {
                pname: "image".into(),
                attr: Some("dockerImage".into()),
                version: Some("1".into()),
                ..Default::default()
            }),
            "package `dockerImage` is defined already, by `inherit`",
            "inherit dockerImage;",
        ),
    ] {
        let error = match run(&operation, &before, None) {
            Ok(result) => panic!("{operation:?} was accepted: {:?}", result.new_text),
            Err(error) => error,
        };
        assert_eq!(error.kind, ErrorKind::Conflict, "{operation:?}");
        assert!(error.message.contains(message), "{}", error.message);
        let range = error.range.expect("the refusal points at the definition");
        assert_eq!(&before[range], at);
    }
}

/// Ports and environment that would pass 100 columns on one line are
/// written one per line.
#[test]
fn values_docker_long_config_lists_are_broken_into_lines() {
    let nix = Nix::require();
    let env: Vec<String> = [
        "DATABASE_URL=postgres://db.internal:5432/app",
        "LOG_LEVEL=debug",
        "PORT=8000",
    ]
    .iter()
    .map(|v| v.to_string())
    .collect();
    let after = edit(
        &nix,
        "docker-derived",
        &Operation::AddDockerImage(AddDockerImage {
            ports: vec!["8000".into()],
            env: env.clone(),
            ..Default::default()
        }),
    );
    expect_file!["snapshots/values/docker-long-config.nix"].assert_eq(&after);
    assert!(after.lines().all(|line| line.chars().count() <= 100));
    assert_eq!(
        eval(
            &nix,
            &after,
            "outputs.packages.x86_64-linux.dockerImage.config.Env"
        ),
        json!(env)
    );
}

#[test]
fn values_dune_package_without_a_version_is_dev_and_its_image_is_tagged_so() {
    let nix = Nix::require();
    let before = fixture("layouts/genattrs-inline.nix");
    let dune = Operation::AddDunePackage(AddDunePackage {
        pname: "server".into(),
        ..Default::default()
    });
    let (_, warnings) = super::support::apply(&before, &dune).expect("add-dune-package");
    assert_eq!(
        warnings,
        vec![
            "no --version given and no `version` binding in scope: package `server` gets \
             `version = \"dev\";`; pass --version 0.1.0 to choose one"
                .to_string()
        ]
    );
    let after = apply_twice(&before, &dune);
    let after = apply_twice(
        &after,
        &Operation::AddDockerImage(AddDockerImage {
            package: Some("server".into()),
            ..Default::default()
        }),
    );
    nix.assert_parses(&after);
    assert_evaluates(&nix, &after);
    expect_file!["snapshots/values/dune-no-version.nix"].assert_eq(&after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "builtins.mapAttrs (_: ps: {
               inherit (ps.server) version;
               inherit (ps.dockerImage) imageName imageTag;
             }) outputs.packages"
        ),
        json!({
            "x86_64-linux": { "version": "dev", "imageName": "server", "imageTag": "dev" },
            "aarch64-darwin": { "version": "dev", "imageName": "server", "imageTag": "dev" },
        })
    );
}

#[test]
fn values_docker_name_and_tag_read_from_the_package_are_made_valid_and_said_so() {
    let nix = Nix::require();
    let request = Operation::AddDockerImage(AddDockerImage {
        package: Some("Upper".into()),
        ..Default::default()
    });
    let before = fixture("values/docker-derived.nix");
    let (_, warnings) = super::support::apply(&before, &request).expect("add-docker-image");
    assert_eq!(
        warnings,
        vec![
            "`Upper` (the pname of package `Upper`) is not a valid Docker image name; the image \
             is named `upper` (pass --name to choose another)"
                .to_string(),
            "`0.0.1+dev` (the version of package `Upper`) is not a valid Docker tag; the image \
             is tagged `0.0.1-dev` (pass --tag to choose another)"
                .to_string(),
        ]
    );
    let after = edit(&nix, "docker-derived", &request);
    expect_file!["snapshots/values/docker-sanitised.nix"].assert_eq(&after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "let i = outputs.packages.x86_64-linux.dockerImage; in { inherit (i) imageName imageTag; }"
        ),
        json!({ "imageName": "upper", "imageTag": "0.0.1-dev" })
    );
}
