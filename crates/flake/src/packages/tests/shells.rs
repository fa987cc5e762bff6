//! Existing dev shells made by other builders than a plain `mkShell { … }`
//! call, and shells whose packages are list expressions: extended where the
//! builder's meaning of the attribute is known, refused (naming the
//! construct) where it is not. Fixtures under `tests/fixtures/shells`.

use expect_test::expect_file;
use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{apply_twice, assert_evaluates, eval, fixture};
use crate::{run, AddDevShell, ErrorKind, Operation};

fn add(shell: &str, packages: &[&str], inputs_from: &[&str]) -> Operation {
    Operation::AddDevShell(AddDevShell {
        name: Some(shell.into()),
        packages: packages.iter().map(|p| p.to_string()).collect(),
        inputs_from: inputs_from.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    })
}

/// Applies the operations in turn (each twice: the second changes nothing);
/// the result parses and evaluates completely.
fn edit_all(nix: &Nix, name: &str, operations: &[Operation]) -> String {
    let mut text = fixture(&format!("shells/{name}.nix"));
    for operation in operations {
        text = apply_twice(&text, operation);
    }
    nix.assert_parses(&text);
    assert_evaluates(nix, &text);
    text
}

/// The package names of every dev shell of one system, by attribute.
const SHELL_PACKAGES: &str = "builtins.mapAttrs (_: s: {
    packages = map (p: p.pname) (s.packages or [ ]);
    buildInputs = map (p: p.pname) (s.buildInputs or [ ]);
    from = map (p: p.pname) (s.inputsFrom or s.packagesFrom or [ ]);
  }) outputs.devShells.x86_64-linux";

#[test]
fn shells_other_builders_are_extended_as_they_read_their_arguments() {
    let nix = Nix::require();
    let after = edit_all(
        &nix,
        "builders",
        &[
            add("default", &["jq"], &[]),
            add("lean", &["jq"], &[]),
            add("modules", &["jq"], &[]),
            add("commands", &["jq"], &["default"]),
            add("recursive", &["jq"], &[]),
        ],
    );
    expect_file!["snapshots/shells/builders.nix"].assert_eq(&after);
    assert_eq!(
        eval(&nix, &after, SHELL_PACKAGES),
        json!({
            "default": { "packages": ["git", "jq"], "buildInputs": [], "from": [] },
            "lean": { "packages": [], "buildInputs": ["git", "jq"], "from": [] },
            "modules": { "packages": ["jq"], "buildInputs": [], "from": [] },
            "commands": { "packages": ["git", "jq"], "buildInputs": [], "from": ["hello"] },
            "recursive": { "packages": ["jq"], "buildInputs": [], "from": [] },
        })
    );
}

#[test]
fn shells_list_expressions_are_extended_with_concatenation() {
    let nix = Nix::require();
    let after = edit_all(
        &nix,
        "expressions",
        &[
            add("default", &["jq"], &[]),
            add("named", &["jq"], &[]),
            add("branches", &["jq"], &[]),
            add("merged", &["jq"], &[]),
        ],
    );
    expect_file!["snapshots/shells/expressions.nix"].assert_eq(&after);
    let shells = |system: &str| {
        eval(
            &nix,
            &after,
            &format!(
                "builtins.mapAttrs (_: s: map (p: p.pname) s.packages) outputs.devShells.{system}"
            ),
        )
    };
    assert_eq!(
        shells("x86_64-linux"),
        json!({
            "default": ["git", "jq"],
            "named": ["git", "jq"],
            "branches": ["git", "jq"],
            "merged": ["git", "jq"],
        })
    );
    // Both branches of the `if` and the empty `optionals` get the package.
    assert_eq!(
        shells("aarch64-darwin"),
        json!({
            "default": ["jq"],
            "named": ["git", "jq"],
            "branches": ["git", "jq"],
            "merged": ["git", "jq"],
        })
    );
}

#[test]
fn shells_unknown_builders_and_changed_names_are_refused_naming_the_construct() {
    let before = fixture("shells/refused.nix");
    for (shell, kind, message, line) in [
        (
            "default",
            ErrorKind::Conflict,
            "dev shell `default` exists and is `pkgs.callPackage ({ mkShell }: mkShell { }) { }`, \
             not a call of a shell builder flakeedit knows",
            18,
        ),
        (
            "shadowed",
            ErrorKind::Unsupported,
            "`pkgs` means another binding inside dev shell `shadowed` than where flakeedit \
             resolved `pkgs.jq`",
            22,
        ),
        (
            "merged",
            ErrorKind::Unsupported,
            "dev shell `merged` has no `packages` in the set after `//`; the set before it may \
             have one, which a new `packages` would replace",
            26,
        ),
        (
            "recursive",
            ErrorKind::Unsupported,
            "dev shell `recursive` is a `rec { … }` set that reads `packages` from outside; a new \
             `packages` attribute would change what it reads",
            32,
        ),
        (
            "modules",
            ErrorKind::Conflict,
            "dev shell `modules` exists and is `devenv.lib.mkShell { …`, not a call of a shell \
             builder flakeedit knows",
            34,
        ),
    ] {
        let error = match run(&add(shell, &["jq"], &[]), &before, None) {
            Ok(result) => panic!("{shell}: accepted: {:?}", result.new_text),
            Err(error) => error,
        };
        assert_eq!(error.kind, kind, "{shell}");
        assert_eq!(error.message, message, "{shell}");
        let start = error.range.map(|range| usize::from(range.start()));
        let found = start.map(|start| before[..start].matches('\n').count() + 1);
        assert_eq!(found, Some(line), "{shell}: {error:?}");
        assert!(error.hint.is_some(), "{shell}");
    }
}

#[test]
fn shells_a_one_line_module_set_is_broken_into_lines_in_the_files_style() {
    let nix = Nix::require();
    let after = edit_all(&nix, "devshell-module", &[add("default", &["jq"], &[])]);
    expect_file!["snapshots/shells/devshell-module.nix"].assert_eq(&after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "builtins.mapAttrs (_: s: map (p: p.pname) s.default.packages) outputs.devShells"
        ),
        json!({ "x86_64-linux": ["jq"], "aarch64-darwin": ["jq"] })
    );
}

#[test]
fn shells_new_packages_use_the_package_set_the_file_uses() {
    let nix = Nix::require();
    // `pkgsDebugFor` is bound first and sorts first; the file reads
    // `pkgsFor` everywhere else, so `pkgs.jq` is `pkgsFor.${system}.jq`.
    let after = edit_all(&nix, "package-sets", &[add("default", &["pkgs.jq"], &[])]);
    expect_file!["snapshots/shells/package-sets.nix"].assert_eq(&after);
    assert_eq!(
        eval(&nix, &after, SHELL_PACKAGES),
        json!({ "default": { "packages": ["git", "jq"], "buildInputs": [], "from": [] } })
    );
}

#[test]
fn shells_overrides_of_known_shells_get_the_packages_in_native_build_inputs() {
    let nix = Nix::require();
    let before = fixture("shells/overrides.nix");
    let after = edit_all(
        &nix,
        "overrides",
        &[
            add("default", &["jq"], &[]),
            add("plain", &["jq"], &[]),
            add("merged", &["jq"], &[]),
            add("helper", &["jq"], &[]),
            add("alias", &["jq"], &[]),
        ],
    );
    expect_file!["snapshots/shells/overrides.nix"].assert_eq(&after);
    // nixpkgs' mkShell puts `packages` in `nativeBuildInputs`, which is
    // what an override sees and extends.
    // Shells not overridden before are wrapped in an override, so the
    // function or shell they come from is unchanged for other shells.
    let native = "builtins.mapAttrs (_: s: map (p: p.pname) (s.nativeBuildInputs or [ ]))
        { inherit (outputs.devShells.x86_64-linux) default plain helper alias; }";
    assert_eq!(
        eval(&nix, &before, native),
        json!({ "default": ["nix", "cmake"], "plain": ["git"], "helper": [], "alias": [] })
    );
    assert_eq!(
        eval(&nix, &after, native),
        json!({
            "default": ["nix", "cmake", "jq"],
            "plain": ["git", "jq"],
            "helper": ["jq"],
            "alias": ["nix", "jq"],
        })
    );
    assert_eq!(
        eval(
            &nix,
            &after,
            "map (p: p.pname) outputs.devShells.x86_64-linux.helper.buildInputs"
        ),
        json!(["nix"])
    );
    assert_eq!(
        eval(&nix, &after, SHELL_PACKAGES)["other"],
        json!({ "packages": [], "buildInputs": ["nix"], "from": [] })
    );
    // The shells they override are unchanged.
    assert_eq!(
        eval(&nix, &after, SHELL_PACKAGES)["minimal"],
        json!({ "packages": ["nix"], "buildInputs": [], "from": [] })
    );
    assert_eq!(
        eval(&nix, &after, SHELL_PACKAGES)["merged"],
        json!({ "packages": ["nix", "jq"], "buildInputs": [], "from": [] })
    );
    // `inputsFrom` is read before the override: refused, saying so.
    let error = match run(&add("plain", &[], &["pkgs.hello"]), &before, None) {
        Ok(result) => panic!("accepted: {:?}", result.new_text),
        Err(error) => error,
    };
    assert_eq!(error.kind, ErrorKind::Unsupported);
    assert!(
        error.message.contains("reads `inputsFrom` before"),
        "{}",
        error.message
    );
}
