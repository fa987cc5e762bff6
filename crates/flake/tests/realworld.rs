//! Regressions found by running every operation over a corpus of real-world
//! flakes. Each fixture under `tests/fixtures/realworld/` is a minimal flake
//! written for the project that reproduces one finding; each test judges the
//! result with the real Nix parser and evaluator.

mod common;

use common::*;
use flakeedit_flake::{
    AddDevShell, AddDockerImage, AddDunePackage, DiagnosticCode, ErrorKind, Operation,
};
use flakeedit_oracle::Nix;
use serde_json::{json, Value};

fn without(inputs: &Value, name: &str) -> Value {
    let mut inputs = inputs.clone();
    inputs.as_object_mut().unwrap().remove(name);
    inputs
}

/// `set-url` on `{ type = "indirect"; id = …; }` and on
/// `{ type = "git"; url = …; ref = …; }`: the new url must replace the whole
/// old reference, not leave `id`, `type` or `ref` to reinterpret it.
#[test]
fn set_url_replaces_every_reference_attribute() {
    let nix = Nix::require();
    let before = fixture("realworld/typed-references.nix");
    let before_inputs = inputs_json(&nix, &before);
    for name in ["registry", "docs", "tools", "nixpkgs"] {
        let operation = Operation::SetUrl {
            name: name.into(),
            url: "github:example/replaced".into(),
        };
        let after = apply(&before, &operation, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let inputs = inputs_json(&nix, &after);
        let mut expected = before_inputs[name].clone();
        let object = expected.as_object_mut().unwrap();
        object.retain(|key, _| matches!(key.as_str(), "flake" | "inputs"));
        object.insert("url".into(), json!("github:example/replaced"));
        assert_eq!(inputs[name], expected, "{name}");
        assert_eq!(
            without(&inputs, name),
            without(&before_inputs, name),
            "{name}: another input changed"
        );
        // Twice is once.
        assert_eq!(apply(&after, &operation, None).unwrap(), after, "{name}");
    }
}

fn dune(pname: &str) -> Operation {
    Operation::AddDunePackage(AddDunePackage {
        pname: pname.into(),
        attr: None,
        version: Some("0.1.0".into()),
        src: None,
        build_inputs: vec![],
        default: false,
        system: None,
    })
}

fn shell(package: &str) -> Operation {
    Operation::AddDevShell(AddDevShell {
        name: None,
        packages: vec![package.into()],
        inputs_from: vec![],
        system: None,
    })
}

fn stub_eval(nix: &Nix, text: &str, expression: &str) -> Value {
    nix.eval_flake(
        text,
        &format!(
            "let outputs = import ({} + \"/eval.nix\") {{ flake = ./flake.nix; }}; in {expression}",
            stubs()
        ),
    )
}

/// `pkgsFor = eachSystem (system: …)` in a `let`, with a local
/// `eachSystem = genAttrs …`: not flake-utils' layout. The package goes
/// into `packages = eachSystem (system: { … })`.
#[test]
fn a_local_each_system_helper_is_not_flake_utils() {
    let nix = Nix::require();
    let before = fixture("realworld/genattrs-local-each-system.nix");
    let after = apply(&before, &dune("fe-demo"), None).expect("a genAttrs layout");
    nix.parse(&after).expect("parses");
    assert_eq!(inputs_json(&nix, &after), inputs_json(&nix, &before));
    assert_eq!(
        stub_eval(
            &nix,
            &after,
            "builtins.attrNames outputs.packages.x86_64-linux"
        ),
        json!(["default", "fe-demo"])
    );
    assert_eq!(apply(&after, &dune("fe-demo"), None).unwrap(), after);
}

/// `devShells = lib.mapAttrs (…) pkgsFor;` next to a genAttrs `packages`:
/// flakeedit cannot add to it, and must not write a second `devShells`
/// (a duplicate attribute Nix rejects). The readable `packages` next to it
/// still gets a new package, and nothing else changes.
#[test]
fn an_opaque_dev_shells_is_not_duplicated() {
    let nix = Nix::require();
    let before = fixture("realworld/genattrs-opaque-dev-shells.nix");
    for name in [None, Some("tools")] {
        let operation = Operation::AddDevShell(AddDevShell {
            name: name.map(str::to_string),
            packages: vec!["hello".into()],
            inputs_from: vec![],
            system: None,
        });
        let error = apply(&before, &operation, None).expect_err("refused");
        assert_eq!(error.kind, ErrorKind::Unsupported, "{error:?}");
        assert_eq!(
            error.message,
            "`devShells` is `nixpkgs.lib.mapAttrs (system: pkgs: { … }) pkgsFor`, not a per-system helper call flakeedit can add to (`forAllSystems (system: { … })`)"
        );
        assert!(
            render_error(&before, &error).starts_with("16:7: "),
            "{error:?}"
        );
    }
    let after = apply(&before, &dune("fe-demo"), None).expect("a genAttrs `packages`");
    expect_test::expect_file!["snapshots/realworld/genattrs-opaque-dev-shells.nix"]
        .assert_eq(&after);
    nix.parse(&after).expect("parses");
    let everything = "builtins.mapAttrs (_: systems: builtins.mapAttrs (_: set: builtins.mapAttrs (_: d: d.outPath) set) systems) { inherit (outputs) packages devShells; }";
    let (old, new) = (
        stub_eval(&nix, &before, everything),
        stub_eval(&nix, &after, everything),
    );
    assert_eq!(new["devShells"], old["devShells"]);
    for system in ["x86_64-linux", "aarch64-linux"] {
        let mut added = new["packages"][system].clone();
        let package = added
            .as_object_mut()
            .and_then(|set| set.remove("fe-demo"))
            .expect("fe-demo on every system");
        assert!(package
            .as_str()
            .is_some_and(|path| path.ends_with("-fe-demo-0.1.0")));
        assert_eq!(added, old["packages"][system], "{system}");
    }
    assert_eq!(apply(&after, &dune("fe-demo"), None).unwrap(), after);
}

/// `packages = lib.mapAttrs (…) pkgsFor;` next to genAttrs `devShells`:
/// package edits and images are refused naming `packages`; a dev shell is
/// added, but a bare name (`jq`) that may be one of the unreadable packages
/// is refused rather than read as nixpkgs' package.
#[test]
fn an_opaque_packages_refuses_package_edits_and_bare_names() {
    let nix = Nix::require();
    let before = fixture("realworld/genattrs-opaque-packages.nix");
    for operation in [
        dune("fe-demo"),
        Operation::AddDockerImage(AddDockerImage::default()),
    ] {
        let error = apply(&before, &operation, None).expect_err("refused");
        assert_eq!(
            error.message,
            "`packages` is `nixpkgs.lib.mapAttrs (system: pkgs: { … }) pkgsFor`, not a per-system helper call flakeedit can add to (`forAllSystems (system: { … })`)",
            "{operation:?}"
        );
        assert!(
            render_error(&before, &error).starts_with("16:7: "),
            "{error:?}"
        );
    }
    let bare = Operation::AddDevShell(AddDevShell {
        name: Some("tools".into()),
        packages: vec!["jq".into()],
        inputs_from: vec![],
        system: None,
    });
    let error = apply(&before, &bare, None).expect_err("refused");
    assert_eq!(error.kind, ErrorKind::Unsupported, "{error:?}");
    assert!(
        error
            .message
            .contains("`jq` may be a package of this flake"),
        "{error:?}"
    );
    assert!(
        render_error(&before, &error).starts_with("16:7: "),
        "{error:?}"
    );

    let explicit = Operation::AddDevShell(AddDevShell {
        name: Some("tools".into()),
        packages: vec!["pkgs.jq".into()],
        inputs_from: vec![],
        system: None,
    });
    let after = apply(&before, &explicit, None).expect("a genAttrs `devShells`");
    expect_test::expect_file!["snapshots/realworld/genattrs-opaque-packages.nix"].assert_eq(&after);
    nix.parse(&after).expect("parses");
    let everything = "builtins.mapAttrs (_: systems: builtins.mapAttrs (_: set: builtins.mapAttrs (_: d: d.outPath) set) systems) { inherit (outputs) packages devShells; }";
    let (old, new) = (
        stub_eval(&nix, &before, everything),
        stub_eval(&nix, &after, everything),
    );
    assert_eq!(new["packages"], old["packages"]);
    let tools = stub_eval(
        &nix,
        &after,
        "builtins.mapAttrs (_: shells: map (p: p.pname) shells.tools.packages) outputs.devShells",
    );
    assert_eq!(
        tools,
        json!({ "x86_64-linux": ["jq"], "aarch64-linux": ["jq"] })
    );
    for system in ["x86_64-linux", "aarch64-linux"] {
        assert_eq!(
            new["devShells"][system]["default"],
            old["devShells"][system]["default"]
        );
    }
    assert_eq!(apply(&after, &explicit, None).unwrap(), after);
}

/// `inputs.src.flake = false;` is the input's only binding: toggling it must
/// keep the input declared (`flake = true`), and toggling back restores it.
#[test]
fn toggling_an_input_declared_only_by_flake_false() {
    let nix = Nix::require();
    let before = fixture("realworld/flake-false-only.nix");
    let before_inputs = inputs_json(&nix, &before);
    for name in ["src", "extra"] {
        let toggle = Operation::SetFlake {
            name: name.into(),
            value: None,
        };
        let after = apply(&before, &toggle, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let inputs = inputs_json(&nix, &after);
        assert_eq!(inputs[name], json!({ "flake": true }), "{name}");
        assert_eq!(without(&inputs, name), without(&before_inputs, name));
        let back = apply(&after, &toggle, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(inputs_json(&nix, &back), before_inputs, "{name}");
    }
}

/// `outputs = { self, nixpkgs, utils }:` with only `utils` declared (the
/// shape of several official templates): Nix fetches `nixpkgs` as
/// `flake:nixpkgs` through the registry, it does not fail. `check` says so.
#[test]
fn an_undeclared_formal_is_a_registry_input() {
    let nix = Nix::require();
    let text = fixture("realworld/registry-formal.nix");
    // Nix calls outputs with every formal (the stubs do the same).
    assert_eq!(
        stub_eval(&nix, &text, "outputs.lib.greeting"),
        json!("hello")
    );
    let diagnostics = flakeedit_flake::check(
        &flakeedit_syntax::SourceFile::parse(&text),
        None,
        &flakeedit_flake::CheckOptions::default(),
    );
    let undeclared: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.code == DiagnosticCode::RegistryInput)
        .collect();
    assert_eq!(undeclared.len(), 1, "{diagnostics:?}");
    // It evaluates, so it is a warning, not an error.
    assert_eq!(undeclared[0].severity, flakeedit_flake::Severity::Warning);
    assert!(
        undeclared[0].message.contains("flake:nixpkgs")
            && !undeclared[0].message.contains("evaluation fails"),
        "{}",
        undeclared[0].message
    );
}

fn follow(name: &str, child: &str, target: Option<&str>) -> Operation {
    Operation::Follow {
        name: name.into(),
        child: child.into(),
        target: target.map(str::to_string),
    }
}

/// `inputs.tool.inputs.nixpkgs = { type = "github"; … };` overrides the
/// nested input with a reference: `follow tool nixpkgs` must not add a
/// `follows` next to it (leaving a dead reference); it points at it.
#[test]
fn follow_refuses_a_nested_input_overridden_with_a_reference() {
    let nix = Nix::require();
    let before = fixture("realworld/nested-override.nix");
    for name in ["tool", "other"] {
        let error =
            apply(&before, &follow(name, "nixpkgs", None), None).expect_err("a nested override");
        assert_eq!(
            error.kind,
            flakeedit_flake::ErrorKind::Conflict,
            "{error:?}"
        );
        assert!(error.message.contains("overridden"), "{error:?}");
    }
    // Another nested input of the same input can still follow.
    let after = apply(&before, &follow("tool", "utils", Some("nixpkgs")), None).unwrap();
    assert_eq!(
        inputs_json(&nix, &after)["tool"]["inputs"]["utils"],
        json!({ "follows": "nixpkgs" })
    );
}

/// `mkFlake { inherit inputs; }`: nothing names `nixpkgs`, but flake-parts
/// takes `pkgs` from `inputs.nixpkgs`, so removing it is refused as a use
/// (`--force` removes it with a warning). The module is inline and imports
/// nothing, so `unused-tool` is certainly unused and goes without `--force`;
/// with an imported module, whether it is read cannot be told, and removal
/// is refused naming `inherit inputs;` and its position.
#[test]
fn removing_an_input_while_the_input_set_goes_to_mk_flake() {
    let nix = Nix::require();
    let text = fixture("realworld/flake-parts-inherit-inputs.nix");
    let remove = |name: &str, force: bool, text: &str| {
        flakeedit_flake::run(
            &Operation::RemoveInput {
                name: name.into(),
                force,
            },
            text,
            None,
        )
    };
    let refused = remove("nixpkgs", false, &text).expect_err("refused");
    assert_eq!(refused.kind, ErrorKind::Conflict);
    assert_eq!(
        refused.message,
        "input `nixpkgs` is still used by outputs (1 place)"
    );
    assert_eq!(
        refused.related[0].1,
        "used here as `inherit inputs; (flake-parts' mkFlake reads `inputs.nixpkgs` for `pkgs`)`"
    );
    let forced = remove("nixpkgs", true, &text).expect("forced");
    assert!(
        forced
            .changes
            .warnings
            .iter()
            .any(|w| w.message.contains("mkFlake")),
        "{:?}",
        forced.changes.warnings
    );
    let after = remove("unused-tool", false, &text)
        .expect("removed")
        .new_text
        .expect("changed");
    assert!(inputs_json(&nix, &after).get("unused-tool").is_none());
    assert_eq!(
        output_names(&nix, &after),
        output_names(&nix, &text),
        "still evaluates to the same outputs"
    );

    let importing = text.replace(
        "systems = [",
        "imports = [ ./module.nix ];\n      systems = [",
    );
    let refused = remove("unused-tool", false, &importing).expect_err("refused");
    assert_eq!(
        refused.message,
        "cannot tell whether input `unused-tool` is still used: `inherit inputs;` passes the \
         whole input set on, so `unused-tool` may be read through it (line 11, column 31)"
    );
}

/// The lock: `secrets-tool` brings its own nixpkgs, and its `darwin` and
/// `home-manager` already follow `secrets-tool/nixpkgs`. Following ours at
/// `secrets-tool/nixpkgs` fixes all three: `follow --all nixpkgs` writes one
/// line, not also `secrets-tool.inputs.darwin.inputs.nixpkgs.follows`.
#[test]
fn follow_all_skips_nested_inputs_that_follow_inside_the_same_input() {
    let nix = Nix::require();
    let before = fixture("realworld/follows-inside-input.nix");
    let lock = flakeedit_flake::Lock::parse(&fixture("realworld/follows-inside-input.lock"))
        .expect("a lock");
    let operation = Operation::FollowAll {
        target: "nixpkgs".into(),
    };
    let after = apply(&before, &operation, Some(&lock)).expect("follows");
    assert_eq!(
        inputs_json(&nix, &after)["secrets-tool"],
        json!({
            "url": "github:example/secrets-tool",
            "inputs": { "nixpkgs": { "follows": "nixpkgs" } }
        })
    );
    assert_eq!(after.lines().count(), before.lines().count() + 1, "{after}");
}

/// crane's `craneLib.devShell { packages = [ … ]; }` takes `packages` like
/// `mkShell`: `add-dev-shell --package` adds to it instead of refusing.
#[test]
fn add_dev_shell_extends_crane_dev_shell() {
    let nix = Nix::require();
    let before = fixture("realworld/crane-dev-shell.nix");
    let after = apply(&before, &shell("pkgs.jq"), None).expect("extends the shell");
    nix.parse(&after).expect("parses");
    assert_eq!(inputs_json(&nix, &after), inputs_json(&nix, &before));
    assert!(
        after.contains("            pkgs.cargo-edit\n            pkgs.jq\n          ];"),
        "{after}"
    );
    assert_eq!(apply(&after, &shell("pkgs.jq"), None).unwrap(), after);
}

/// `remove-input --force` names each remaining use by line and column (bulk
/// runs print the warnings; byte offsets meant nothing to a reader).
#[test]
fn forced_removal_warnings_give_the_place_of_each_use() {
    let text = fixture("realworld/crane-dev-shell.nix");
    let operation = Operation::RemoveInput {
        name: "crane".into(),
        force: true,
    };
    let result = flakeedit_flake::run(&operation, &text, None).expect("removed");
    let lines = flakeedit_syntax::LineIndex::new(&text);
    let places: Vec<(u32, u32, &str)> = result
        .changes
        .warnings
        .iter()
        .filter(|w| w.code == flakeedit_syntax::WarningCode::StillUsed)
        .filter_map(|w| {
            let at = lines.line_col(&text, w.range?.start());
            Some((at.line, at.col, w.message.as_str()))
        })
        .collect();
    assert!(
        places.contains(&(
            14,
            20,
            "the outputs still use `crane` here; evaluation will fail until that use is removed"
        )),
        "{:?}",
        result.changes.warnings
    );
}

/// `inherit packages;` in the per-system set (packages defined in the
/// `let`) whose set the dev shell also uses whole (`attrValues packages`):
/// a new entry in the `let`-bound set would reach the shell too, and a new
/// `packages = { … };` next to the inherit would be a duplicate attribute.
/// The inherit becomes `packages = packages // { … };`: the shell keeps
/// its inputs, and the dev-shell edit reads the same layout.
#[test]
fn inherited_packages_are_merged_at_the_inherit() {
    let nix = Nix::require();
    let before = fixture("realworld/inherit-packages.nix");
    let after = apply(&before, &dune("fe-demo"), None).expect("merged at the inherit");
    expect_test::expect_file!["snapshots/realworld/inherit-packages.nix"].assert_eq(&after);
    nix.parse(&after).expect("parses");
    let inputs_from = "map (p: p.outPath) outputs.devShells.x86_64-linux.default.inputsFrom";
    assert_eq!(
        stub_eval(&nix, &after, inputs_from),
        stub_eval(&nix, &before, inputs_from)
    );
    assert_eq!(
        stub_eval(
            &nix,
            &after,
            "builtins.attrNames outputs.packages.x86_64-linux"
        ),
        json!(["default", "fe-demo"])
    );
    let shell_edit = apply(&before, &shell("pkgs.jq"), None).expect("the shell is extended");
    assert!(shell_edit.contains("inherit packages;"), "{shell_edit}");
}
