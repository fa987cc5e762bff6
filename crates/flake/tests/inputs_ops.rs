//! Input operations on every input form of `tests/fixtures/inputs`, judged
//! by whole-file snapshots and by the real Nix parser and evaluator.

mod common;

use common::*;
use flakeedit_flake::{
    input_usage, uses_of_input, AddInput, Flake, InputUsage, Operation, UseKind,
};
use flakeedit_oracle::Nix;
use flakeedit_syntax::SourceFile;
use serde_json::{json, Value};

fn model(text: &str) -> Flake {
    Flake::read(&SourceFile::parse(text)).expect("fixture is a flake")
}

fn is_closed(text: &str) -> bool {
    model(text).outputs.is_some_and(|o| o.is_closed_pattern())
}

fn evaluates(nix: &Nix, text: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flake.nix"), text).unwrap();
    nix.eval_json(
        dir.path(),
        &format!(
            "builtins.attrNames (import ({} + \"/eval.nix\") {{ flake = ./flake.nix; }})",
            stubs()
        ),
    )
    .is_ok()
}

fn snapshot_name(operation: &str, fixture: &str) -> String {
    format!("{operation}/{}", fixture.replace(".nix", ".txt"))
}

#[test]
fn add_input_in_every_form() {
    let nix = Nix::require();
    for (name, before) in fixtures_in("inputs") {
        let has_nixpkgs = model(&before).input("nixpkgs").is_some();
        let request = AddInput {
            url: "github:hannesm/randomconv".into(),
            name: None,
            follows: if has_nixpkgs {
                vec![("nixpkgs".into(), "nixpkgs".into())]
            } else {
                vec![]
            },
            no_flake: false,
        };
        let operation = Operation::AddInput(request);
        let after = apply(&before, &operation, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let command = if has_nixpkgs {
            "add-input github:hannesm/randomconv --follows nixpkgs"
        } else {
            "add-input github:hannesm/randomconv"
        };
        assert_snapshot(
            &snapshot_name("add-input", &name),
            &before_after(&name, &before, command, &after),
        );
        // Meaning, per the real evaluator.
        let inputs = inputs_json(&nix, &after);
        assert_eq!(
            inputs["randomconv"]["url"],
            json!("github:hannesm/randomconv"),
            "{name}"
        );
        if has_nixpkgs {
            assert_eq!(
                inputs["randomconv"]["inputs"]["nixpkgs"]["follows"],
                json!("nixpkgs"),
                "{name}"
            );
        }
        let before_inputs = inputs_json(&nix, &before);
        for (input, value) in before_inputs.as_object().unwrap() {
            assert_eq!(&inputs[input], value, "{name}: input {input} changed");
        }
        if is_closed(&before) {
            assert_eq!(
                outputs_args(&nix, &after)["randomconv"],
                json!(false),
                "{name}"
            );
        }
        // Every fixture evaluates with the stubs, so a broken stub fails
        // here instead of silently skipping the check after the edit.
        assert!(evaluates(&nix, &before), "{name}: does not evaluate");
        assert!(
            evaluates(&nix, &after),
            "{name}: outputs no longer evaluate"
        );
        // Idempotent.
        let again = flakeedit_flake::run(&operation, &after, None).unwrap();
        assert!(
            again.new_text.is_none(),
            "{name}: second add changed the file"
        );
        // Add then remove gives back the original bytes where the add
        // did not have to create an `inputs` block nor break a one-line
        // set grown past 100 columns into lines.
        let broke_lines = before.lines().count() == 1 && after.lines().count() > 1;
        if !model(&before).inputs.is_empty() && !broke_lines {
            // Where the input set is passed on, whether the new input is
            // read cannot be told: removing it takes --force.
            let force = !input_usage(&model(&after), "randomconv")
                .undecided
                .is_empty();
            let removed = apply(
                &after,
                &Operation::RemoveInput {
                    name: "randomconv".into(),
                    force,
                },
                None,
            )
            .unwrap();
            assert_eq!(
                removed, before,
                "{name}: add then remove is not the identity"
            );
        }
    }
}

#[test]
fn remove_input_in_every_form() {
    let nix = Nix::require();
    for (name, before) in fixtures_in("inputs") {
        let flake = model(&before);
        // The last input certainly unused, else the last one (with --force).
        let unused = |input: &str| input_usage(&flake, input) == InputUsage::default();
        let Some(victim) = flake
            .inputs
            .iter()
            .rev()
            .find(|input| unused(&input.name))
            .or(flake.inputs.last())
        else {
            continue;
        };
        let victim = victim.name.clone();
        let force = !unused(&victim);
        let uses = uses_of_input(&flake, &victim);
        let after = apply(
            &before,
            &Operation::RemoveInput {
                name: victim.clone(),
                force,
            },
            None,
        )
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let command = format!(
            "remove-input {victim}{}",
            if force { " --force" } else { "" }
        );
        assert_snapshot(
            &snapshot_name("remove-input", &name),
            &before_after(&name, &before, &command, &after),
        );
        let inputs = inputs_json(&nix, &after);
        assert!(
            inputs.get(&victim).is_none(),
            "{name}: {victim} still declared"
        );
        let text = inputs.to_string();
        assert!(
            !text.contains(&format!("\"follows\":\"{victim}\"")),
            "{name}: a follows still points at {victim}: {text}"
        );
        if is_closed(&before) {
            let args = outputs_args(&nix, &after);
            // A forced removal keeps a formal the body still uses, so the
            // file stays valid Nix (only evaluation fails, as it must).
            assert_eq!(
                args.get(&victim).is_some(),
                uses.iter().any(|found| found.kind == UseKind::Variable),
                "{name}: formal {victim}"
            );
            for remaining in inputs.as_object().unwrap().keys() {
                assert!(
                    args.get(remaining).is_some(),
                    "{name}: {remaining} not accepted"
                );
            }
        }
        assert!(evaluates(&nix, &before), "{name}: does not evaluate");
        if !force {
            assert!(
                evaluates(&nix, &after),
                "{name}: outputs no longer evaluate"
            );
        }
    }
}

#[test]
fn follow_in_every_form() {
    let nix = Nix::require();
    for (name, before) in fixtures_in("inputs") {
        let flake = model(&before);
        if flake.input("nixpkgs").is_none() {
            continue;
        }
        let Some(input) = flake
            .inputs
            .iter()
            .find(|input| input.name != "nixpkgs" && input.flake() != Some(false))
        else {
            continue;
        };
        let input = input.name.clone();
        let operation = Operation::Follow {
            name: input.clone(),
            child: "nixpkgs".into(),
            target: None,
        };
        let after = apply(&before, &operation, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_snapshot(
            &snapshot_name("follow", &name),
            &before_after(&name, &before, &format!("follow {input} nixpkgs"), &after),
        );
        let inputs = inputs_json(&nix, &after);
        assert_eq!(
            inputs[&input]["inputs"]["nixpkgs"]["follows"],
            json!("nixpkgs"),
            "{name}"
        );
        let again = flakeedit_flake::run(&operation, &after, None).unwrap();
        assert!(again.new_text.is_none(), "{name}: follow is not idempotent");
    }
}

#[test]
fn toggle_flake_in_every_form() {
    let nix = Nix::require();
    for (name, before) in fixtures_in("inputs") {
        let flake = model(&before);
        let Some(input) = flake.inputs.last() else {
            continue;
        };
        let input = input.name.clone();
        let was_flake = flake.input(&input).unwrap().flake() != Some(false);
        let operation = Operation::SetFlake {
            name: input.clone(),
            value: None,
        };
        let after = apply(&before, &operation, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_snapshot(
            &snapshot_name("toggle-flake", &name),
            &before_after(&name, &before, &format!("toggle-flake {input}"), &after),
        );
        let inputs = inputs_json(&nix, &after);
        let flake_value = inputs[&input]
            .get("flake")
            .cloned()
            .unwrap_or(Value::Bool(true));
        assert_eq!(flake_value, json!(!was_flake), "{name}");
        // A plain source has no inputs: overrides of them would be ignored.
        let had_nested = inputs_json(&nix, &before)[&input].get("inputs").is_some();
        if was_flake {
            assert!(
                inputs[&input].get("inputs").is_none(),
                "{name}: `flake = false` input keeps nested inputs: {}",
                inputs[&input]
            );
        }
        // Toggling twice gives back the original where `flake = false` was
        // written by us and nothing else had to go.
        let broke_lines = before.lines().count() == 1 && after.lines().count() > 1;
        if was_flake && !had_nested && !broke_lines {
            let back = apply(&after, &operation, None).unwrap();
            assert_eq!(back, before, "{name}: toggle twice is not the identity");
        }
    }
}

#[test]
fn set_url_and_pin_in_every_form() {
    let nix = Nix::require();
    let rev = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
    for (name, before) in fixtures_in("inputs") {
        let flake = model(&before);
        let Some(input) = flake.inputs.first() else {
            continue;
        };
        let input = input.name.clone();
        let set_url = Operation::SetUrl {
            name: input.clone(),
            url: "github:example/changed".into(),
        };
        let changed = apply(&before, &set_url, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(
            inputs_json(&nix, &changed)[&input]["url"],
            json!("github:example/changed"),
            "{name}"
        );
        let pinned = apply(
            &changed,
            &Operation::Pin {
                name: input.clone(),
                rev: Some(rev.into()),
            },
            None,
        )
        .unwrap();
        assert_eq!(
            inputs_json(&nix, &pinned)[&input]["url"],
            json!(format!("github:example/changed/{rev}")),
            "{name}"
        );
        let unpinned = apply(
            &pinned,
            &Operation::Unpin {
                name: input.clone(),
            },
            None,
        )
        .unwrap();
        assert_eq!(unpinned, changed, "{name}: unpin does not undo pin");
        assert_snapshot(
            &snapshot_name("set-url", &name),
            &before_after(
                &name,
                &before,
                &format!("set-url {input} github:example/changed"),
                &changed,
            ),
        );
    }
}
