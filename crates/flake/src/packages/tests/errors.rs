//! Bad input: unknown packages, conflicting attributes, unsupported layouts,
//! hostile strings. Errors carry a range and a hint; nothing is written.

use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{apply, apply_twice, eval, fixture};
use crate::{run, AddDevShell, AddDockerImage, AddDunePackage, ErrorKind, Operation};

fn error_of(text: &str, operation: &Operation) -> crate::FlakeError {
    match run(operation, text, None) {
        Ok(result) => panic!("expected an error, got {:?}", result.new_text),
        Err(error) => error,
    }
}

#[test]
fn packages_unknown_package_is_an_error_with_a_hint() {
    let text = fixture("layouts/flake-parts-let.nix");
    let error = error_of(
        &text,
        &Operation::AddDockerImage(AddDockerImage {
            package: Some("server".into()),
            ..Default::default()
        }),
    );
    assert_eq!(error.kind, ErrorKind::NotApplicable);
    assert!(error.message.contains("`server`"), "{}", error.message);
    assert!(error.range.is_some());
    assert!(error.hint.as_deref().is_some_and(|h| h.contains("default")));

    let error = error_of(
        &text,
        &Operation::AddDunePackage(AddDunePackage {
            pname: "x".into(),
            build_inputs: vec!["nope".into()],
            ..Default::default()
        }),
    );
    assert_eq!(error.kind, ErrorKind::NotApplicable);
    assert!(error
        .hint
        .as_deref()
        .is_some_and(|h| h.contains("packages: default")));

    // An expression whose variable is not in scope is refused too.
    let error = error_of(
        &fixture("layouts/flake-utils-each-system.nix"),
        &Operation::AddDunePackage(AddDunePackage {
            pname: "x".into(),
            version: Some("1".into()),
            build_inputs: vec!["ocamlPackages.ounit2".into()],
            ..Default::default()
        }),
    );
    assert!(
        error.message.contains("`ocamlPackages`"),
        "{}",
        error.message
    );
}

#[test]
fn packages_conflicting_attribute_is_an_error() {
    let text = fixture("layouts/flake-parts-let.nix");
    // `default` is the dune package `tally`.
    let error = error_of(
        &text,
        &Operation::AddDunePackage(AddDunePackage {
            pname: "other".into(),
            default: true,
            ..Default::default()
        }),
    );
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert!(error.message.contains("pname `tally`"), "{}", error.message);
    assert!(error.range.is_some() && error.hint.is_some());

    // `image` is a streamed image already, not this one.
    let error = error_of(
        &fixture("layouts/flake-utils-each-system.nix"),
        &Operation::AddDockerImage(AddDockerImage {
            attr: Some("image".into()),
            ..Default::default()
        }),
    );
    assert_eq!(error.kind, ErrorKind::Conflict);

    // A dev shell that is not a mkShell call.
    let odd = text.replace(
        "default = mkShell {",
        "default = pkgs.stdenv.mkDerivation {",
    );
    let error = error_of(
        &odd,
        &Operation::AddDevShell(AddDevShell {
            packages: vec!["jq".into()],
            ..Default::default()
        }),
    );
    assert_eq!(error.kind, ErrorKind::Conflict);
}

#[test]
fn packages_unsupported_layout_names_the_supported_ones() {
    for text in [
        "{ outputs = { self, nixpkgs }: { nixosConfigurations.host = { }; }; }",
        "{ outputs = { self, nixpkgs }: { packages = import ./packages.nix; }; }",
    ] {
        let error = error_of(
            text,
            &Operation::AddDunePackage(AddDunePackage {
                pname: "x".into(),
                version: Some("1".into()),
                ..Default::default()
            }),
        );
        assert_eq!(error.kind, ErrorKind::Unsupported, "{text}: {error:?}");
        assert!(
            error
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("flake-parts") && h.contains("genAttrs")),
            "{error:?}"
        );
        assert!(error.range.is_some());
    }
}

/// Outputs or per-system packages that come from another file: the
/// refusal names that file, where the package can be added by hand.
#[test]
fn packages_from_another_file_name_it() {
    let dune = Operation::AddDunePackage(AddDunePackage {
        pname: "x".into(),
        version: Some("1".into()),
        ..Default::default()
    });
    for (text, file, construct) in [
        (
            "{ outputs = { self }: import ./outputs.nix { inherit self; }; }",
            "./outputs.nix",
            "import ./outputs.nix",
        ),
        (
            "{ outputs = { self, nixpkgs }: let each = nixpkgs.lib.genAttrs [ \"x86_64-linux\" ]; in {\n  packages = each (system: import ./pkgs nixpkgs.legacyPackages.${system});\n}; }",
            "./pkgs",
            "packages = each",
        ),
        (
            "{ outputs = { self, nixpkgs }: let\n  each = nixpkgs.lib.genAttrs [ \"x86_64-linux\" ];\n  sets = each (system: import ./. { inherit system; });\nin {\n  packages = each (system: builtins.removeAttrs sets.${system}.packages [ \"recurseForDerivations\" ]);\n}; }",
            "./.",
            "packages = each",
        ),
    ] {
        let error = error_of(text, &dune);
        assert_eq!(error.kind, ErrorKind::Unsupported, "{text}: {error:?}");
        assert!(
            error.message.contains(&format!("come from `{file}`, another file")),
            "{error:?}"
        );
        assert_eq!(
            error.hint.as_deref(),
            Some(format!("add the package to `{file}` by hand").as_str())
        );
        let range = error.range.expect("a location");
        assert!(
            text[usize::from(range.start())..].starts_with(construct),
            "{text}: {error:?}"
        );
    }
}

#[test]
fn packages_hostile_strings_are_escaped_and_evaluate_to_themselves() {
    let nix = Nix::require();
    let hostile = "a\"b${c}\\d\ne$f'' ${";
    let text = fixture("layouts/flake-parts-let.nix");
    let (after, _) = apply(
        &text,
        &Operation::AddDunePackage(AddDunePackage {
            pname: hostile.into(),
            attr: Some("weird name".into()),
            version: Some(hostile.into()),
            src: Some("my dir/\"${x}".into()),
            ..Default::default()
        }),
    )
    .unwrap_or_else(|error| panic!("{error:?}"));
    let after = apply_twice(
        &after,
        &Operation::AddDockerImage(AddDockerImage {
            package: Some("weird name".into()),
            name: Some("weird".into()),
            tag: Some("v1".into()),
            env: vec![format!("KEY={hostile}")],
            cmd: Some(format!("bin/{hostile}")),
            ..Default::default()
        }),
    );
    nix.assert_parses(&after);
    let values = eval(
        &nix,
        &after,
        "let ps = outputs.packages.x86_64-linux; p = ps.\"weird name\"; i = ps.dockerImage; in {
           inherit (p) pname version src;
           inherit (i) imageName imageTag;
           env = i.config.Env;
           cmd = builtins.replaceStrings [ p.outPath ] [ \"<p>\" ] (builtins.head i.config.Cmd);
         }",
    );
    assert_eq!(
        values,
        json!({
            "pname": hostile,
            "version": hostile,
            "src": "./my dir/\"${x}",
            "imageName": "weird",
            "imageTag": "v1",
            "env": [format!("KEY={hostile}")],
            "cmd": format!("<p>/bin/{hostile}"),
        })
    );
}

#[test]
fn packages_init_templates_evaluate() {
    let nix = Nix::require();
    for template in crate::Template::ALL {
        let text = crate::init_flake(template, "demo \"${x}\"");
        nix.assert_parses(&text);
        let declared = eval(
            &nix,
            &text,
            "builtins.attrNames (import ./flake.nix).inputs",
        );
        assert_eq!(
            declared,
            json!(["flake-parts", "nixpkgs"]),
            "{}",
            template.name()
        );
        super::support::assert_evaluates(&nix, &text);
        if template != crate::Template::Minimal {
            let pname = eval(&nix, &text, "outputs.packages.x86_64-linux.default.pname");
            assert_eq!(pname, json!("demo \"${x}\""));
        }
    }
}

/// In `inherit (x) y` the `y` is an attribute name, not a variable: such
/// expressions are accepted (and evaluate), while a truly free variable
/// next to them is still refused.
#[test]
fn packages_inherit_from_in_an_expression_is_not_a_free_variable() {
    let nix = Nix::require();
    let before = fixture("layouts/flake-parts-let.nix");
    let operation = |build_inputs: &[&str]| {
        Operation::AddDunePackage(AddDunePackage {
            pname: "extra".into(),
            version: Some("0.1".into()),
            build_inputs: build_inputs.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })
    };
    let after = apply_twice(
        &before,
        &operation(&[
            "(let inherit (pkgs.ocamlPackages) ounit2; in ounit2)",
            "(pkgs.symlinkJoin { name = \"tools\"; paths = [ ]; inherit (pkgs) hello; })",
        ]),
    );
    let added = after
        .lines()
        .skip_while(|line| !line.contains("extra = "))
        .take(8)
        .map(|line| line.get(12..).unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    expect_test::expect![[r#"
        extra = buildDunePackage {
          version = "0.1";
          pname = "extra";
          src = ./.;
          buildInputs = [
            (let inherit (pkgs.ocamlPackages) ounit2; in ounit2)
            (pkgs.symlinkJoin { name = "tools"; paths = [ ]; inherit (pkgs) hello; })
          ];"#]]
    .assert_eq(&added);
    nix.assert_parses(&after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "map (p: p.pname or p.name) outputs.packages.x86_64-linux.extra.buildInputs"
        ),
        json!(["ounit2", "tools"])
    );
    for (expression, free) in [
        ("(let inherit (pkgs) hello; in nope)", "`nope`"),
        (
            "(pkgs.symlinkJoin { name = \"t\"; inherit nope; })",
            "`nope`",
        ),
        ("(let inherit (missing) hello; in hello)", "`missing`"),
    ] {
        let error = error_of(&before, &operation(&[expression]));
        assert_eq!(error.kind, ErrorKind::NotApplicable, "{expression}");
        assert!(
            error.message.contains(free),
            "{expression}: {}",
            error.message
        );
    }
}

#[test]
fn packages_without_nixpkgs_say_how_to_get_it() {
    let add = Operation::AddDunePackage(AddDunePackage {
        pname: "x".into(),
        version: Some("1".into()),
        ..Default::default()
    });
    // No nixpkgs input at all (an opam-nix style flake): adding the argument
    // alone would fetch `nixpkgs` from the registry, so the hint says to
    // declare it.
    let undeclared = r#"{
  inputs.flake-utils.url = "github:numtide/flake-utils";
  outputs = { self, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system: {
      packages.default = self.legacyPackages.${system}.tool;
    });
}
"#;
    let error = error_of(undeclared, &add);
    assert_eq!(error.kind, ErrorKind::Unsupported);
    assert_eq!(
        error.message,
        "`nixpkgs` is not reachable from the outputs function here"
    );
    assert_eq!(
        error.hint.as_deref(),
        Some(
            "the flake has no `nixpkgs` input: declare it (`inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";`, or `inputs.nixpkgs.follows = \"INPUT/nixpkgs\";` to use the nixpkgs another input brings, which flakeedit writes itself when a flake.lock beside the file, or the outputs reading `INPUT.inputs.nixpkgs`, show one such input) and add `nixpkgs` to the outputs arguments, then run this again"
        )
    );
    // Declared but not an argument of a closed pattern: only the argument is missing.
    let declared = undeclared.replace(
        "  inputs.flake-utils.url",
        "  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  inputs.flake-utils.url",
    );
    let error = error_of(&declared, &add);
    assert_eq!(
        error.hint.as_deref(),
        Some("add `nixpkgs` to the outputs arguments (`{ self, nixpkgs, ... }:`)")
    );
}
