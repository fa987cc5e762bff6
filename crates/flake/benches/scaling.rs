//! How `check`, `list_inputs` and `add-input` grow with the number of
//! inputs: each doubling of N should about double the time (linear), never
//! quadruple it. The flakes are those of `benches/generate.py inputs N`.
//! Run: `cargo bench -p flakeedit-flake --bench scaling`; the whole-binary
//! figures (up to 64,000 inputs and a 20 MB file) are `benches/scaling.sh`.

use flakeedit_flake::{check, list_inputs, run, AddInput, CheckOptions, Flake, Operation};
use flakeedit_syntax::SourceFile;

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

/// What the language server does for diagnostics after a one-character
/// change: parse the whole new text and check it. At 1 MiB (the size above
/// which the server stops analysing) and at 5 MB.
#[divan::bench(args = [1_000_000, 5_000_000], sample_count = 5)]
fn diagnostics_after_one_char_change(bencher: divan::Bencher, bytes: usize) {
    // 59 bytes an input line.
    let text = inputs_flake(bytes / 59);
    let at = text.find("dep1.url").map_or(0, |offset| offset + 3);
    let options = CheckOptions::default();
    bencher
        .with_inputs(|| {
            let mut changed = text.clone();
            changed.replace_range(at..at + 1, "7");
            changed
        })
        .bench_values(|changed| {
            let file = SourceFile::parse(changed);
            check(&file, None, &options).len()
        });
}
