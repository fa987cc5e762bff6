//! flake-parts flakes judged by the real flake-parts module system.
//!
//! The other tests evaluate flake-parts flakes against the small stub in
//! `tests/stubs/flake-parts.nix`, which has no module system. Here every
//! flake-parts fixture, every snapshot an edit produced from one, and fresh
//! package edits of the layout fixtures are evaluated against the real
//! flake-parts library (vendored with its license under `tests/stubs/vendor`,
//! loaded by `tests/stubs/flake-parts-real.nix`): it must evaluate there, and
//! wherever the stub evaluates it too, both must agree.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use flakeedit_flake::{AddDevShell, AddDockerImage, AddDunePackage, Operation};
use flakeedit_oracle::Nix;
use serde_json::Value;

/// The flake's outputs with every empty attribute set dropped (real
/// flake-parts declares `apps`, `checks`, `overlays`… even when nothing
/// defines them; the stub does not), printed with `inspect.showShallow`.
fn outputs_expression(real: bool) -> String {
    let flake_parts = if real {
        format!(
            "inputs.flake-parts = import ({} + \"/flake-parts-real.nix\");",
            stubs()
        )
    } else {
        String::new()
    };
    format!(
        "let
           inspect = import ({stubs} + \"/inspect.nix\");
           outputs = import ({stubs} + \"/eval.nix\") {{ flake = ./flake.nix; {flake_parts} }};
           nonEmpty = set: builtins.removeAttrs set
             (builtins.filter (name: set.${{name}} == {{ }}) (builtins.attrNames set));
           pruned = nonEmpty (builtins.mapAttrs
             (_: value: if builtins.isAttrs value && !(value ? outPath) then nonEmpty value else value)
             outputs);
         in inspect.showShallow pruned",
        stubs = stubs(),
    )
}

fn evaluate(nix: &Nix, text: &str, real: bool) -> Result<Value, String> {
    let dir = tempfile::tempdir().map_err(|error| error.to_string())?;
    std::fs::write(dir.path().join("flake.nix"), text).map_err(|error| error.to_string())?;
    nix.eval_json(dir.path(), &outputs_expression(real))
}

/// Every `.nix` file under `dir`, recursively.
fn nix_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            nix_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "nix") {
            found.push(path);
        }
    }
}

/// The flake-parts fixtures and the snapshots edits made of them.
fn flake_parts_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut paths = Vec::new();
    for dir in [
        "tests/fixtures/layouts",
        "tests/fixtures/seed",
        "tests/fixtures/realworld",
        "crates/flake/src/packages/tests/snapshots",
        "crates/flake/src/sources/snapshots",
    ] {
        nix_files(&root.join(dir), &mut paths);
    }
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            text.contains("mkFlake").then_some((name, text))
        })
        .collect()
}

/// Layout fixtures where some commands must refuse: no package to put in
/// an image yet.
const EXPECTED_REFUSALS: &[(&str, &[&str])] = &[
    ("flake-parts-imports-only.nix", &["add-docker-image"]),
    ("flake-parts-no-per-system.nix", &["add-docker-image"]),
];

/// Layout fixtures with no per-system output before an edit.
const WITHOUT_PER_SYSTEM_OUTPUTS: &[&str] = &[
    "flake-parts-imports-only.nix",
    "flake-parts-no-per-system.nix",
];

fn has_per_system_output(outputs: &Value) -> bool {
    ["packages", "devShells", "formatter", "checks", "apps"]
        .iter()
        .any(|output| {
            outputs
                .get(output)
                .is_some_and(|value| value.as_object().is_some_and(|systems| !systems.is_empty()))
        })
}

#[test]
fn flake_parts_fixtures_evaluate_with_the_real_library_as_with_the_stub() {
    let nix = Nix::require();
    let files = flake_parts_files();
    assert!(
        files
            .iter()
            .filter(|(name, _)| name.starts_with("tests/fixtures/layouts/"))
            .count()
            >= 2,
        "the flake-parts layout fixtures were not found: {:?}",
        files.iter().map(|(name, _)| name).collect::<Vec<_>>()
    );
    let mut failures = Vec::new();
    for (name, text) in &files {
        let real = match evaluate(&nix, text, true) {
            Ok(real) => real,
            Err(error) => {
                failures.push(format!("{name}: the real flake-parts rejects it:\n{error}"));
                continue;
            }
        };
        let empty = WITHOUT_PER_SYSTEM_OUTPUTS
            .iter()
            .any(|file| name.ends_with(&format!("/{file}")));
        if !empty && !has_per_system_output(&real) {
            failures.push(format!(
                "{name}: no per-system output with the real flake-parts: {real}"
            ));
        }
        // Every fixture is within what the stub implements, so both judge
        // it; a stub that stopped evaluating one fails here rather than
        // skipping the comparison.
        match evaluate(&nix, text, false) {
            Ok(stub) if stub != real => failures.push(format!(
                "{name}: the stub and the real flake-parts disagree\n stub: {stub}\n real: {real}"
            )),
            Ok(_) => {}
            Err(error) => failures.push(format!("{name}: the stub rejects it:\n{error}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn package_operations() -> Vec<(&'static str, Operation)> {
    vec![
        (
            "add-dune-package",
            Operation::AddDunePackage(AddDunePackage {
                pname: "fe-pkg".into(),
                attr: None,
                version: Some("0.1.0".into()),
                src: None,
                build_inputs: vec![],
                default: false,
                system: None,
            }),
        ),
        (
            "add-dev-shell",
            Operation::AddDevShell(AddDevShell {
                name: Some("fe-shell".into()),
                packages: vec!["hello".into()],
                inputs_from: vec![],
                system: None,
            }),
        ),
        (
            "add-docker-image",
            Operation::AddDockerImage(AddDockerImage::default()),
        ),
    ]
}

/// What the edit added: the per-system attributes present after and not
/// before, on x86_64-linux.
fn added(before: &Value, after: &Value) -> Vec<String> {
    let mut added = Vec::new();
    for output in ["packages", "devShells"] {
        let names = |value: &Value| -> Vec<String> {
            value[output]["x86_64-linux"]
                .as_object()
                .map(|set| set.keys().cloned().collect())
                .unwrap_or_default()
        };
        let old = names(before);
        added.extend(
            names(after)
                .into_iter()
                .filter(|name| !old.contains(name))
                .map(|name| format!("{output}.{name}")),
        );
    }
    added
}

#[test]
fn package_edits_of_flake_parts_layouts_evaluate_with_the_real_library() {
    let nix = Nix::require();
    let layouts: Vec<_> = fixtures_in("layouts")
        .into_iter()
        .filter(|(_, text)| text.contains("mkFlake"))
        .collect();
    assert!(layouts.len() >= 2, "flake-parts layout fixtures not found");
    let mut failures = Vec::new();
    for (name, text) in &layouts {
        let before = evaluate(&nix, text, true).unwrap_or_else(|error| panic!("{name}: {error}"));
        for (command, operation) in package_operations() {
            let refuses = EXPECTED_REFUSALS
                .iter()
                .any(|(file, commands)| name.ends_with(file) && commands.contains(&command));
            let after_text = match apply(text, &operation, None) {
                Ok(after_text) if refuses => {
                    failures.push(format!("{name}: {command} should refuse\n{after_text}"));
                    continue;
                }
                Err(_) if refuses => continue,
                Ok(after_text) => after_text,
                Err(error) => {
                    failures.push(format!("{name}: {command} refused: {error:?}"));
                    continue;
                }
            };
            let after = match evaluate(&nix, &after_text, true) {
                Ok(after) => after,
                Err(error) => {
                    failures.push(format!("{name}: {command}: the real flake-parts rejects the result:\n{error}\n{after_text}"));
                    continue;
                }
            };
            let new = added(&before, &after);
            let expected = match command {
                "add-dune-package" => "packages.fe-pkg",
                "add-dev-shell" => "devShells.fe-shell",
                _ => "packages.dockerImage",
            };
            if new != [expected] {
                failures.push(format!(
                    "{name}: {command} added {new:?}, expected [{expected}]\n{after_text}"
                ));
            }
            // Everything that was there is still there, unchanged.
            for output in ["packages", "devShells"] {
                for (attr, value) in before[output]["x86_64-linux"]
                    .as_object()
                    .into_iter()
                    .flatten()
                {
                    if &after[output]["x86_64-linux"][attr] != value {
                        failures.push(format!("{name}: {command} changed {output}.{attr}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn dune_package(pname: &str) -> Operation {
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

/// A flake whose only `perSystem` is a module in `imports` gets a
/// `perSystem` of its own in `flake.nix`. The module system merges the two:
/// a new name is added next to the imported ones, and a name the imported
/// module already defines is an evaluation error naming both definitions,
/// never a silent override.
#[test]
fn a_new_per_system_merges_with_imported_modules_and_a_duplicate_fails_loudly() {
    let nix = Nix::require();
    let text = fixture("flake-parts-modules/imports-inline.nix");
    let before = evaluate(&nix, &text, true).unwrap_or_else(|error| panic!("{error}"));

    let after_text = apply(&text, &dune_package("fe-pkg"), None)
        .unwrap_or_else(|error| panic!("add-dune-package refused: {error:?}"));
    expect_test::expect_file!["snapshots/flake-parts-modules/imports-inline.nix"]
        .assert_eq(&after_text);
    let after = evaluate(&nix, &after_text, true).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(added(&before, &after), ["packages.fe-pkg"]);
    assert_eq!(
        after["packages"]["x86_64-linux"]["greeter"],
        before["packages"]["x86_64-linux"]["greeter"]
    );
    assert_eq!(
        after["packages"]["x86_64-linux"]["fe-pkg"]["_stub"],
        "buildDunePackage"
    );

    let duplicate = apply(&text, &dune_package("greeter"), None)
        .unwrap_or_else(|error| panic!("add-dune-package refused: {error:?}"));
    let error = evaluate(&nix, &duplicate, true)
        .expect_err("a second definition of `greeter` must not evaluate");
    assert!(
        error.contains("packages.greeter' is defined multiple times"),
        "{error}"
    );
}
