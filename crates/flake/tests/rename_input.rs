//! `rename-input`: whole-file snapshots, the real evaluator comparing the
//! outputs before and after, and the refusals.

mod common;

use common::*;
use flakeedit_flake::{run, ErrorKind, Operation};
use flakeedit_oracle::Nix;

fn rename(old: &str, new: &str) -> Operation {
    Operation::RenameInput {
        old: old.into(),
        new: new.into(),
    }
}

/// The outputs, evaluated with the stubs; `stub` names the stub input the
/// renamed input gets, so both sides see the same source.
fn outputs(nix: &Nix, text: &str, name: &str) -> serde_json::Value {
    nix.eval_flake(
        text,
        &format!(
            "let stubs = {stubs}; lib = import (stubs + \"/nixpkgs/lib.nix\"); in \
             import (stubs + \"/eval.nix\") {{ flake = ./flake.nix; \
               inputs.{name} = import (stubs + \"/generic-input.nix\") {{ inherit lib; name = \"riot\"; }}; }}",
            stubs = stubs()
        ),
    )
}

#[test]
fn renames_every_use_and_means_the_same() {
    let nix = Nix::require();
    let before = fixture("rename/every-use.nix");
    let after = apply(&before, &rename("riot", "ocaml-riot"), None).unwrap();
    assert_snapshot(
        "rename-input/every-use.txt",
        &before_after(
            "every-use.nix",
            &before,
            "rename-input riot ocaml-riot",
            &after,
        ),
    );
    let was = outputs(&nix, &before, "riot");
    let now = outputs(&nix, &after, "ocaml-riot");
    assert_eq!(was, now);
    assert_eq!(now["guarded"], "present");
    assert_eq!(now["riot"], "an attribute");
    let inputs = inputs_json(&nix, &after);
    assert!(inputs.get("riot").is_none());
    assert_eq!(inputs["ocaml-riot"]["url"], "github:riot-ml/riot");
    assert_eq!(inputs["minttea"]["inputs"]["riot"]["follows"], "ocaml-riot");
    assert_eq!(
        inputs["minttea"]["inputs"]["other"]["follows"],
        "ocaml-riot/nixpkgs"
    );
    assert_eq!(
        outputs_args(&nix, &after),
        serde_json::json!({ "self": false, "nixpkgs": false, "ocaml-riot": false })
    );
    // Renaming back gives the original text.
    assert_eq!(
        apply(&after, &rename("ocaml-riot", "riot"), None).unwrap(),
        before
    );
}

fn refusal(text: &str, old: &str, new: &str) -> String {
    let error = run(&rename(old, new), text, None).expect_err("a refusal");
    assert_ne!(error.kind, ErrorKind::Internal, "{error:?}");
    let at = error
        .range
        .map(|range| {
            let start = usize::from(range.start());
            let line = text[..start].matches('\n').count() + 1;
            let column = start - text[..start].rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("{line}:{column}: ")
        })
        .unwrap_or_default();
    format!("{at}{}", error.message)
}

#[test]
fn refuses_what_it_cannot_rename_soundly() {
    let dynamic = "{\n  inputs.a.url = \"github:o/a\";\n  outputs = inputs@{ self, ... }: {\n    x = builtins.mapAttrs (n: v: v) inputs;\n  };\n}\n";
    let with =
        "{\n  inputs.a.url = \"github:o/a\";\n  outputs = inputs: with inputs; { x = a; };\n}\n";
    let inherit =
        "{\n  inputs.a.url = \"github:o/a\";\n  outputs = inputs: { inherit (inputs) a; };\n}\n";
    let captured = "{\n  inputs.a.url = \"github:o/a\";\n  outputs = { self, a }: let b = 1; in { x = a; y = b; };\n}\n";
    let free = "{\n  inputs.a.url = \"github:o/a\";\n  outputs = { self, a }: { x = map; };\n}\n";
    let registry = "{\n  inputs.a = { flake = false; };\n  outputs = { self, a }: { };\n}\n";
    let taken = "{\n  inputs.a.url = \"github:o/a\";\n  inputs.b.url = \"github:o/b\";\n  outputs = { self, a, b }: { };\n}\n";
    let shown = [
        refusal(dynamic, "a", "b"),
        refusal(with, "a", "b"),
        refusal(inherit, "a", "b"),
        refusal(captured, "a", "b"),
        refusal(free, "a", "map"),
        refusal(registry, "a", "b"),
        refusal(taken, "a", "b"),
        refusal(taken, "a", "self"),
        refusal(taken, "missing", "c"),
    ];
    expect_test::expect![[r#"
        [
            "4:9: cannot rename `a`: `builtins.mapAttrs (n: v: v) inputs` passes the whole input set on, so `a` may be read through it, and that use would not be renamed",
            "3:40: cannot rename `a`: `a` here comes from `with`, and under another name another `with` or binding may provide it",
            "3:40: cannot rename `a`: `inherit` here also binds the attribute `a`, which a rename would change",
            "3:30: `b` is already bound where `a` is used; the renamed use would refer to that binding",
            "3:32: the outputs function already refers to `map`; an input of that name would change what it means",
            "2:3: input `a` has no url, so Nix fetches it as `flake:a` from the registry; under another name it would fetch something else",
            "3:3: an input named `b` is already declared",
            "`self` cannot name an input: it must be a Nix identifier other than `self`",
            "no input named `missing`",
        ]
    "#]].assert_debug_eq(&shown);
}
