//! The use analysis on small outputs functions: each line of a rendering
//! is `line:col kind text` for a certain use, or `line:col undecided
//! construct` for a construct that may use the input.

use expect_test::{expect, Expect};
use flakeedit_syntax::SourceFile;

use super::*;

/// The analysis of `flake` by a walk that passes over every subtree it
/// can (`skip_above` 0) and by one that walks everything.
fn both_walks(flake: &Flake, text: &str) -> (String, String) {
    let walk = |skip_above| {
        let Some(lambda) = flake.outputs.as_ref().and_then(|o| o.lambda.as_ref()) else {
            return String::new();
        };
        let mut walker = walk::Walker::new(text).skipping_above(skip_above);
        walker.outputs(lambda);
        format!("{:#?}", walker.analysis)
    };
    (walk(0), walk(usize::MAX))
}

fn check_usage(text: &str, input: &str, expected: Expect) {
    let file = SourceFile::parse(text);
    let flake = Flake::read(&file).expect("a flake");
    let (skipping, whole) = both_walks(&flake, text);
    assert_eq!(
        skipping, whole,
        "passing over subtrees changed the analysis"
    );
    let usage = input_usage(&flake, input);
    let mut out = String::new();
    for found in &usage.uses {
        let at = file.lines().line_col(text, found.range.start());
        out.push_str(&format!("{at} {:?} {}\n", found.kind, found.text));
    }
    for undecided in &usage.undecided {
        let at = file.lines().line_col(text, undecided.range.start());
        out.push_str(&format!("{at} undecided {}\n", undecided.explain(input)));
    }
    expected.assert_eq(&out);
    assert_eq!(uses_of_input(&flake, input), usage.uses);
}

fn outputs(body: &str) -> String {
    format!("{{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  outputs = {body};\n}}\n")
}

#[test]
fn with_inputs_makes_bare_names_uses() {
    check_usage(
        &outputs("{ self, ... }@inputs: with inputs; nixpkgs.lib"),
        "nixpkgs",
        expect![[r#"
            3:48 With nixpkgs
        "#]],
    );
}

#[test]
fn a_lexical_binding_wins_over_with_inputs() {
    check_usage(
        &outputs("{ self, ... }@inputs: with inputs; let nixpkgs = 1; in nixpkgs"),
        "nixpkgs",
        expect![[""]],
    );
    check_usage(
        &outputs("inputs: with inputs; map (nixpkgs: nixpkgs) [ ]"),
        "nixpkgs",
        expect![[""]],
    );
}

#[test]
fn an_inner_with_of_another_set_makes_a_bare_name_undecided() {
    check_usage(
        &outputs("inputs: with inputs; with nixpkgs.legacyPackages.x86_64-linux; { a = hello; b = nixpkgs; }"),
        "nixpkgs",
        expect![[r#"
            3:39 With nixpkgs
            3:93 undecided `nixpkgs` under `with` takes `nixpkgs` from the input set unless `nixpkgs.legacyPackages.x86_64-linux` has an attribute `nixpkgs`
        "#]],
    );
}

#[test]
fn self_inputs_quoted_names_and_get_attr_are_uses() {
    check_usage(
        &outputs(
            "{ self, ... }@inputs: [ self.inputs.nixpkgs inputs.${\"nixpkgs\"} inputs.\"nixpkgs\" (builtins.getAttr \"nixpkgs\" inputs) inputs.self.inputs.nixpkgs ]",
        ),
        "nixpkgs",
        expect![[r#"
            3:37 Selected self.inputs.nixpkgs
            3:57 Selected inputs.${"nixpkgs"}
            3:77 Selected inputs."nixpkgs"
            3:95 Selected builtins.getAttr "nixpkgs" inputs
            3:130 Selected inputs.self.inputs.nixpkgs
        "#]],
    );
}

#[test]
fn computed_names_are_undecided() {
    check_usage(
        &outputs("inputs: let f = name: inputs.${name}; g = n: builtins.getAttr n inputs; in f"),
        "nixpkgs",
        expect![[r#"
            3:35 undecided `inputs.${name}` takes an input whose name is computed, so it may be `nixpkgs`
            3:58 undecided `builtins.getAttr n inputs` takes an input whose name is computed, so it may be `nixpkgs`
        "#]],
    );
}

#[test]
fn passing_the_set_on_is_undecided_but_aliases_are_followed() {
    check_usage(
        &outputs(
            "inputs: let i = inputs; in { a = i.nixpkgs; b = f (inputs // { }); inherit inputs; }",
        ),
        "nixpkgs",
        expect![[r#"
            3:46 Selected i.nixpkgs
            3:64 undecided `inputs // { }` passes the whole input set on, so `nixpkgs` may be read through it
            3:80 undecided `inherit inputs;` passes the whole input set on, so `nixpkgs` may be read through it
        "#]],
    );
}

#[test]
fn an_inner_inputs_argument_is_not_ours() {
    let text = outputs(
        "{ self, ... }@inputs: { m = { inputs, ... }: inputs.nixpkgs; l = inputs: inputs.nixpkgs; s = { self, ... }: self.inputs.nixpkgs; t = let inputs = { }; in inputs.nixpkgs; }",
    );
    check_usage(&text, "nixpkgs", expect![[""]]);
    let file = SourceFile::parse(text.as_str());
    let flake = Flake::read(&file).expect("a flake");
    assert!(uses_through_input_set(&flake).is_empty());
}

#[test]
fn an_inner_inputs_argument_may_be_ours_when_the_set_is_passed_on() {
    check_usage(
        &outputs("inputs: mkFlake { inherit inputs; } ({ inputs, ... }: { imports = [ inputs.nixpkgs.m ]; })"),
        "nixpkgs",
        expect![[r#"
            3:31 Library inherit inputs; (flake-parts' mkFlake reads `inputs.nixpkgs` for `pkgs`)
            3:81 undecided `inputs.nixpkgs` reads the `inputs` argument of an inner function, and this flake's inputs are passed on, so it may be this flake's `nixpkgs`
            3:31 undecided `inherit inputs;` passes the whole input set on, so `nixpkgs` may be read through it
        "#]],
    );
}

#[test]
fn formals_are_shadowed_by_inner_arguments_and_lets() {
    check_usage(
        &outputs("{ self, nixpkgs }: { a = nixpkgs: nixpkgs.hello; b = { nixpkgs ? 1 }: nixpkgs; c = let nixpkgs = 2; in nixpkgs; d = rec { nixpkgs = 3; e = nixpkgs; }; f = nixpkgs; }"),
        "nixpkgs",
        expect![[r#"
            3:168 Variable nixpkgs
        "#]],
    );
}

#[test]
fn inherit_reads_the_outer_scope() {
    check_usage(
        &outputs("{ self, nixpkgs }: let inherit nixpkgs; in { inherit nixpkgs; }"),
        "nixpkgs",
        expect![[r#"
            3:44 Variable nixpkgs
            3:66 Variable nixpkgs
        "#]],
    );
}

#[test]
fn flake_parts_inputs_prime_and_guards() {
    let text = outputs(
        "inputs: { perSystem = { inputs', ... }: inputs'.tool.packages.default; x = if inputs ? other then inputs.other else null; }",
    );
    let file = SourceFile::parse(text.as_str());
    let flake = Flake::read(&file).expect("a flake");
    let rendered: Vec<String> = uses_through_input_set(&flake)
        .into_iter()
        .map(|(used, found)| {
            format!(
                "{} {} guarded={}",
                used.name,
                found.text,
                used.guarded_by.is_some()
            )
        })
        .collect();
    assert_eq!(
        rendered,
        [
            "tool inputs'.tool guarded=false",
            "other inputs.other guarded=true"
        ]
    );
    assert!(!inputs_escape(&flake));
}

/// flake-parts' `mkFlake { inherit inputs; }` reads `inputs.nixpkgs`; with
/// an inline module that imports nothing, every other reader is in the
/// file, and a module's own `inputs` argument is this flake's set.
#[test]
fn flake_parts_mk_flake_reads_nixpkgs() {
    let text = |module: &str| {
        format!(
            "{{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  inputs.tool.url = \"github:o/tool\";\n  outputs = inputs@{{ flake-parts, ... }}: flake-parts.lib.mkFlake {{ inherit inputs; }} {module};\n}}\n"
        )
    };
    check_usage(
        &text("{ }"),
        "nixpkgs",
        expect![[r#"
            4:68 Library inherit inputs; (flake-parts' mkFlake reads `inputs.nixpkgs` for `pkgs`)
        "#]],
    );
    check_usage(&text("{ }"), "tool", expect![[""]]);
    check_usage(
        &text("({ inputs, ... }: { flake.x = inputs.tool; })"),
        "tool",
        expect![[r#"
            4:116 Selected inputs.tool
        "#]],
    );
    check_usage(
        &text("{ perSystem = { pkgs, ... }: { packages.default = pkgs.stdenv.mkDerivation { src = ./.; }; }; }"),
        "tool",
        expect![[""]],
    );
    check_usage(
        &text(
            "({ inputs, pkgs, ... }: { flake.x = pkgs.callPackage ./x.nix { inherit inputs; }; })",
        ),
        "tool",
        expect![[r#"
            4:149 undecided `inherit inputs;` passes the whole input set on, so `tool` may be read through it
        "#]],
    );
    check_usage(
        &text("{ imports = [ ./module.nix ]; }"),
        "tool",
        expect![[r#"
            4:68 undecided `inherit inputs;` passes the whole input set on, so `tool` may be read through it
        "#]],
    );
}

/// Passing over subtrees in which no name with a meaning is written finds
/// what walking everything finds, on every flake of the test fixtures
/// (real-world flakes among them).
#[test]
fn passing_over_subtrees_finds_what_the_whole_walk_finds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut pending = vec![root];
    let mut compared = 0;
    while let Some(path) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "nix") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let file = SourceFile::parse(text.as_str());
            let Ok(flake) = Flake::read_lenient(&file) else {
                continue;
            };
            let (skipping, whole) = both_walks(&flake, &text);
            assert_eq!(skipping, whole, "{}", path.display());
            compared += usize::from(!whole.is_empty());
        }
    }
    assert!(
        compared > 50,
        "only {compared} flakes with an outputs function"
    );
}
