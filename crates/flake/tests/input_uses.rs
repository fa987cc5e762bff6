//! Scope and use analysis end to end: remove-input sees uses through
//! `with inputs;`, `self.inputs` and quoted names, refuses where a use
//! cannot be decided and names the construct; add-input accepts outputs
//! arguments as follows targets; `check` reports no error on any fixture
//! that evaluates. The real evaluator judges every fixture.

mod check_common;
mod common;

use common::{apply, fixture, inputs_json, stubs};
use flakeedit_flake::check::Severity;
use flakeedit_flake::{run, AddInput, DiagnosticCode, ErrorKind, Operation, FORCE_REMOVAL};
use flakeedit_oracle::Nix;
use serde_json::json;

fn remove(name: &str, force: bool) -> Operation {
    Operation::RemoveInput {
        name: name.into(),
        force,
    }
}

/// Evaluates every output of a flake text against the stubs; `Err` holds
/// Nix's message.
fn evaluates(nix: &Nix, text: &str) -> Result<serde_json::Value, String> {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("flake.nix"), text).expect("write flake.nix");
    nix.eval_json(
        dir.path(),
        &format!(
            "let
               inspect = import ({stubs} + \"/inspect.nix\");
               outputs = import ({stubs} + \"/eval.nix\") {{ flake = ./flake.nix; }};
             in inspect.show outputs",
            stubs = stubs()
        ),
    )
}

#[test]
fn the_new_fixtures_evaluate() {
    let nix = Nix::require();
    for name in [
        "with-inputs",
        "dynamic-use",
        "shadowed-inputs",
        "guarded-inputs",
        "registry-follows",
        "non-flake-inputs",
    ] {
        let text = fixture(&format!("check/{name}/flake.nix"));
        if let Err(error) = evaluates(&nix, &text) {
            panic!("{name} does not evaluate: {error}");
        }
    }
}

/// Every input of `with-inputs` is used, through `with inputs;`,
/// `self.inputs.riot`, `inputs.${"crane"}` or `builtins.getAttr "tool"`:
/// removing any is refused, and naming the use.
#[test]
fn uses_through_with_self_inputs_and_quoted_names_block_removal() {
    let text = fixture("check/with-inputs/flake.nix");
    for (name, shown) in [
        ("nixpkgs", "used here as `nixpkgs`"),
        ("flake-utils", "used here as `flake-utils`"),
        ("riot", "used here as `self.inputs.riot`"),
        ("crane", "used here as `inputs.${\"crane\"}`"),
        ("tool", "used here as `builtins.getAttr \"tool\" inputs`"),
    ] {
        let error = run(&remove(name, false), &text, None).expect_err(name);
        assert_eq!(error.kind, ErrorKind::Conflict, "{name}");
        assert_eq!(
            error.message,
            format!("input `{name}` is still used by outputs (1 place)")
        );
        assert_eq!(error.related.len(), 1, "{name}");
        assert_eq!(error.related[0].1, shown, "{name}");
    }
}

/// `inputs.${name}` may read `riot`; a bare `crane` under `with inputs;
/// with pkgs;` may come from either set. Removal is refused with the
/// construct and its position; `--force` removes with a warning, and the
/// result then fails to evaluate, which is why the refusal is right.
#[test]
fn dynamic_uses_refuse_without_force() {
    let nix = Nix::require();
    let text = fixture("check/dynamic-use/flake.nix");
    let error = run(&remove("riot", false), &text, None).expect_err("refused");
    assert_eq!(
        error.message,
        "cannot tell whether input `riot` is still used: `inputs.${name}` takes an input whose \
         name is computed, so it may be `riot` (line 13, column 25)"
    );
    assert!(error.hint.as_deref().unwrap_or("").contains(FORCE_REMOVAL));
    let error = run(&remove("crane", false), &text, None).expect_err("refused");
    assert_eq!(
        error.message,
        "cannot tell whether input `crane` is still used: `crane` under `with` takes `crane` \
         from the input set unless `nixpkgs.legacyPackages.${system}` has an attribute `crane` \
         (line 20, column 17)"
    );
    assert_eq!(error.related.len(), 1, "the computed name is listed too");
    for name in ["riot", "crane"] {
        let forced = run(&remove(name, true), &text, None).expect("forced");
        assert!(
            forced.changes.warnings.iter().any(|w| w.range.is_some()
                && matches!(
                    w.code,
                    flakeedit_syntax::WarningCode::StillUsed
                        | flakeedit_syntax::WarningCode::Undecided
                )),
            "{:?}",
            forced.changes.warnings
        );
        let after = forced.new_text.expect("changed");
        assert!(inputs_json(&nix, &after).get(name).is_none());
        let error = evaluates(&nix, &after).expect_err("the input was used");
        assert!(error.contains(name), "{error}");
    }
}

/// The inner `{ inputs, ... }:`, `inputs:` and `let inputs` are not this
/// flake's inputs, and `nixpkgs:`/`riot:` arguments shadow the formals.
#[test]
fn shadowed_names_are_not_uses() {
    let nix = Nix::require();
    let text = fixture("check/shadowed-inputs/flake.nix");
    let file = flakeedit_syntax::SourceFile::parse(text.as_str());
    let flake = flakeedit_flake::Flake::read(&file).expect("a flake");
    let at = |name: &str| -> Vec<String> {
        flakeedit_flake::uses_of_input(&flake, name)
            .iter()
            .map(|found| {
                let position = file.lines().line_col(&text, found.range.start());
                format!("{position} {}", found.text)
            })
            .collect()
    };
    assert_eq!(at("nixpkgs"), ["11:14 nixpkgs"]);
    assert_eq!(at("riot"), ["31:16 riot"]);
    assert!(at("partition-tool").is_empty() && at("other-tool").is_empty());
    assert!(flakeedit_flake::uses_through_input_set(&flake).is_empty());
    // Removing `riot` with --force keeps its formal (still used), and the
    // shadowing `riot:` argument keeps evaluating to its own value.
    let forced = apply(&text, &remove("riot", true), None).expect("forced");
    assert!(inputs_json(&nix, &forced).get("riot").is_none());
}

/// `nixpkgs` is only an outputs argument: Nix adds it as an input, so it
/// is a valid follows target for add-input, judged by evaluation.
#[test]
fn outputs_arguments_are_follows_targets() {
    let nix = Nix::require();
    let text = fixture("check/registry-follows/flake.nix");
    let after = apply(
        &text,
        &Operation::AddInput(AddInput {
            url: "github:ipetkov/crane".into(),
            name: None,
            follows: vec![("nixpkgs".into(), "nixpkgs".into())],
            no_flake: false,
        }),
        None,
    )
    .expect("added");
    assert_eq!(
        inputs_json(&nix, &after)["crane"],
        json!({ "url": "github:ipetkov/crane", "inputs": { "nixpkgs": { "follows": "nixpkgs" } } })
    );
    evaluates(&nix, &after).expect("still evaluates");
    // A target that is neither declared nor an argument is still refused.
    let error = apply(
        &text,
        &Operation::AddInput(AddInput {
            url: "github:ipetkov/crane".into(),
            name: None,
            follows: vec![("nixpkgs".into(), "nixpkgs-stable".into())],
            no_flake: false,
        }),
        None,
    )
    .expect_err("refused");
    assert!(error.message.contains("nixpkgs-stable"), "{error:?}");
}

/// The property `check` promises: a flake that evaluates gets no
/// error-level finding. Every fixture flake with an error is judged by the
/// evaluator, which must fail on it. Two codes are judged elsewhere:
/// `fake-hash` is about building (such a flake evaluates, and its build
/// fails), and `dangling-follows` is rejected by Nix's lock file check
/// ("input 'x' follows a non-existent input 'y'"), which the stubs do not
/// model.
#[test]
fn check_reports_errors_only_on_fixtures_that_do_not_evaluate() {
    let nix = Nix::require();
    let mut files: Vec<(String, String)> = Vec::new();
    for directory in ["inputs", "layouts", "realworld", "seed"] {
        for (name, text) in common::fixtures_in(directory) {
            files.push((format!("{directory}/{name}"), text));
        }
    }
    let check_dir = common::repo_tests().join("fixtures/check");
    let mut names: Vec<String> = std::fs::read_dir(&check_dir)
        .expect("fixtures/check")
        .filter_map(|entry| Some(entry.ok()?.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    for name in names {
        files.push((
            format!("check/{name}"),
            fixture(&format!("check/{name}/flake.nix")),
        ));
    }
    assert!(files.len() > 50, "{} fixtures", files.len());
    let mut with_errors: Vec<&str> = Vec::new();
    for (name, text) in &files {
        let errors: Vec<String> = check_common::diagnostics(text, None)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .filter(|d| {
                !matches!(
                    d.code,
                    DiagnosticCode::FakeHash | DiagnosticCode::DanglingFollows
                )
            })
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        if errors.is_empty() {
            continue;
        }
        with_errors.push(name);
        // It fails, and for the reason the diagnostics give: a stub that
        // broke would fail too, for another one.
        let failure = match evaluates(&nix, text) {
            Ok(value) => panic!("{name} evaluates ({value}), yet check reports {errors:#?}"),
            Err(failure) => failure,
        };
        let reasons: Vec<&str> = errors
            .iter()
            .filter_map(|error| {
                let (_, quoted) = error.split_once("evaluation fails with \"")?;
                quoted.split_once('"').map(|(reason, _)| reason)
            })
            .collect();
        assert!(
            !reasons.is_empty() && reasons.iter().any(|reason| failure.contains(reason)),
            "{name}: evaluation fails, but not as {reasons:?} says:\n{failure}"
        );
    }
    // The fixtures made to fail are the ones judged.
    assert_eq!(
        with_errors,
        ["check/missing-formal", "check/undeclared-uses"]
    );
}
