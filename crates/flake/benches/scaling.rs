//! How `check`, `list_inputs` and `add-input` grow with the number of
//! inputs: each doubling of N should about double the time (linear), never
//! quadruple it. The flakes are those of `benches/generate.py inputs N`.
//! Run: `cargo bench -p flakeedit-flake --bench scaling`; the whole-binary
//! figures (up to 64,000 inputs and a 20 MB file) are `benches/scaling.sh`.

use flakeedit_flake::{
    check, check_incrementally, list_inputs, run, AddInput, CheckOptions, Flake, Operation,
};
use flakeedit_syntax::{SourceFile, TextEdit};

fn main() {
    divan::main();
}

const SIZES: &[usize] = &[1_000, 4_000, 16_000];

/// A flake with `count` one-line inputs, as `benches/generate.py inputs`.
fn inputs_flake(count: usize) -> String {
    let mut text = format!(
        "{{\n  description = \"generated: {count} inputs\";\n\n  inputs = {{\n    nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n"
    );
    for index in 0..count {
        text.push_str(&format!(
            "    dep{index}.url = \"github:example-owner/dep{index}-repository\";\n"
        ));
    }
    text.push_str(
        "  };\n\n  outputs = { self, nixpkgs, ... }@inputs:\n    let\n      pkgs = nixpkgs.legacyPackages.x86_64-linux;\n    in\n    {\n      packages.x86_64-linux = {\n        default = inputs.dep0.packages.x86_64-linux.default;\n      };\n    };\n}\n",
    );
    text
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn check_inputs(bencher: divan::Bencher, count: usize) {
    let text = inputs_flake(count);
    let options = CheckOptions::default();
    bencher.bench(|| {
        let file = SourceFile::parse(divan::black_box(text.as_str()));
        check(&file, None, &options).len()
    });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn list_inputs_of(bencher: divan::Bencher, count: usize) {
    let text = inputs_flake(count);
    bencher.bench(|| {
        let file = SourceFile::parse(divan::black_box(text.as_str()));
        let flake = Flake::read(&file).ok()?;
        Some(list_inputs(&file, &flake, None).len())
    });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn add_input(bencher: divan::Bencher, count: usize) {
    let text = inputs_flake(count);
    let operation = Operation::AddInput(AddInput {
        url: "github:example/new-input".into(),
        ..AddInput::default()
    });
    bencher.bench(|| run(&operation, divan::black_box(&text), None).map(|result| result.changed()));
}

/// Diagnostics after a one-character change by parsing the whole new text
/// and checking it whole, at 1 MB and 5 MB: what the language server did
/// before it parsed and checked incrementally
/// ([`incremental_diagnostics_after_one_char_change`]).
#[divan::bench(args = [1_000_000, 5_000_000], sample_count = 5)]
fn diagnostics_after_one_char_change(bencher: divan::Bencher, bytes: usize) {
    // 59 bytes an input line.
    let text = inputs_flake(bytes / 59);
    // `dep1` becomes `dep1x`.
    let at = text.find("dep1.url").map_or(0, |offset| offset + 4);
    let options = CheckOptions::default();
    bencher
        .with_inputs(|| {
            let mut changed = text.clone();
            changed.insert(at, 'x');
            changed
        })
        .bench_values(|changed| {
            let file = SourceFile::parse(changed);
            check(&file, None, &options).len()
        });
}

/// What the language server does for diagnostics after a one-character
/// change in an input's name: parse from the previous tree
/// (`SourceFile::edited`) and `check_incrementally` from the previous
/// version's state (set up, with a whole check, outside the timing).
#[divan::bench(args = [1_000_000, 5_000_000], sample_count = 5)]
fn incremental_diagnostics_after_one_char_change(bencher: divan::Bencher, bytes: usize) {
    let text = inputs_flake(bytes / 59);
    // `dep1` becomes `dep1x`, as above.
    let at = text.find("dep1.url").map_or(0, |offset| offset + 4);
    bench_incremental_insert(bencher, &text, at);
}

/// Parses `text` from the previous tree after inserting an `x` at `at`,
/// and checks it incrementally from the state of a whole check (made
/// outside the timing); the check must take the incremental path.
fn bench_incremental_insert(bencher: divan::Bencher, text: &str, at: usize) {
    let options = CheckOptions::default();
    bencher
        .with_inputs(|| {
            let file = std::rc::Rc::new(SourceFile::parse(text));
            let state = check_incrementally(&file, None, &options, None).state;
            (file, state)
        })
        .bench_local_values(|(file, state)| {
            let edit = TextEdit::insert((at as u32).into(), "x");
            let changed = std::rc::Rc::new(file.edited(&edit));
            let found = check_incrementally(&changed, None, &options, state);
            assert!(found.incremental, "the change is checked incrementally");
            found.diagnostics.len()
        });
}

/// A flake of about `bytes` bytes, most of them in the outputs, as
/// `benches/generate.py size`: a fifth in one-line inputs, the rest in
/// packages (the outputs use `dep0`).
fn outputs_heavy_flake(bytes: usize) -> String {
    let inputs = inputs_flake(bytes / 5 / 59);
    let mut packages = String::new();
    let mut index = 0;
    while inputs.len() + packages.len() < bytes {
        packages.push_str(&format!(
            "        pkg{index} = pkgs.stdenv.mkDerivation {{\n          pname = \"pkg{index}\";\n          version = \"0.1.{index}\";\n          # built from the repository root\n          src = ./.;\n          buildInputs = [ pkgs.ocamlPackages.lwt ];\n        }};\n"
        ));
        index += 1;
    }
    let at = inputs
        .find("        default = inputs.dep0")
        .unwrap_or(inputs.len());
    format!("{}{packages}{}", &inputs[..at], &inputs[at..])
}

/// What the language server does after a one-character change in the
/// outputs (a package's `pname`) of a 5 MB flake whose outputs hold four
/// fifths of it: parse from the previous tree and `check_incrementally`,
/// which reads the outputs' uses again.
#[divan::bench(args = [1_000_000, 5_000_000], sample_count = 5)]
fn incremental_diagnostics_after_one_char_change_in_the_outputs(
    bencher: divan::Bencher,
    bytes: usize,
) {
    let text = outputs_heavy_flake(bytes);
    let at = text
        .find("pname = \"pkg1\"")
        .map_or(0, |offset| offset + 12);
    bench_incremental_insert(bencher, &text, at);
}
