//! Where the time of one `add-input` goes, phase by phase, on the flakes of
//! `benches/peers.sh` (its 40-line seed, and its generated 502 and 2,350 lines): parsing,
//! reading the model, computing the change set, applying it (local
//! re-parse, next to the whole parse it replaces), the duplicate check
//! (local, next to the whole-file walk), reading the model back, the
//! meaning comparison (`apply_verified` less its parts) and all of `run`.
//! Run: `cargo bench -p flakeedit-flake --bench phases`.

use flakeedit_flake::{apply_verified, run, AddInput, AllowedChange, Flake, Operation};
use flakeedit_syntax::{adds_duplicates, duplicate_attributes, SourceFile};

fn main() {
    divan::main();
}

/// Lines of the three flakes: the seed, and 21 + 4×35 + 11×packages.
const LINES: &[usize] = &[40, 502, 2_350];

/// The peers benchmark's flake of `lines` lines: its seed for 40 (two
/// inputs, one package), else its flake-parts flake with 35 inputs and
/// enough packages to reach about `lines` lines (161 at least).
fn flake(lines: usize) -> String {
    if lines == 40 {
        return include_str!("../../../tests/fixtures/seed/03-package-default.nix").to_string();
    }
    let packages = lines.saturating_sub(21 + 4 * 35) / 11;
    let mut text = String::from("{\n  description = \"generated for benchmarks\";\n\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n    flake-parts.url = \"github:hercules-ci/flake-parts\";\n");
    for index in 0..35 {
        text.push_str(&format!(
            "    dep{index} = {{\n      url = \"github:example/dep{index}\";\n      inputs.nixpkgs.follows = \"nixpkgs\";\n    }};\n"
        ));
    }
    text.push_str("  };\n\n  outputs = inputs@{ flake-parts, ... }:\n    flake-parts.lib.mkFlake { inherit inputs; } {\n      systems = [ \"x86_64-linux\" ];\n      perSystem = { pkgs, self', ... }:\n        let\n          inherit (pkgs.ocamlPackages) buildDunePackage;\n        in\n        {\n          packages = {\n");
    for index in 0..packages {
        text.push_str(&format!(
            "            pkg{index} = buildDunePackage {{\n              pname = \"pkg{index}\";\n              version = \"0.1.{index}\";\n              # built from the repository root\n              src = ./.;\n              buildInputs = [\n                pkgs.ocamlPackages.lwt\n              ];\n              doCheck = true;\n            }};\n\n"
        ));
    }
    text.push_str("          };\n        };\n    };\n}\n");
    text
}

fn operation() -> Operation {
    Operation::AddInput(AddInput {
        url: "github:example/newdep".into(),
        name: None,
        follows: Vec::new(),
        no_flake: false,
    })
}

/// Everything the phases start from.
struct Prepared {
    text: String,
    file: SourceFile,
    flake: Flake,
    changes: flakeedit_syntax::ChangeSet,
    after: SourceFile,
}

fn prepare(lines: usize) -> Prepared {
    let text = flake(lines);
    let file = SourceFile::parse(text.as_str());
    let flake = Flake::read(&file).expect("the generated flake reads");
    let changes = operation()
        .changes(&file, &flake, None)
        .expect("add-input applies");
    let after = changes.apply(&file).expect("the edit parses");
    Prepared {
        text,
        file,
        flake,
        changes,
        after,
    }
}

#[divan::bench(args = LINES)]
fn parse(bencher: divan::Bencher, lines: usize) {
    let p = prepare(lines);
    bencher.bench_local(|| SourceFile::parse(divan::black_box(p.text.as_str())));
}

#[divan::bench(args = LINES)]
fn read_model(bencher: divan::Bencher, lines: usize) {
    let p = prepare(lines);
    bencher.bench_local(|| Flake::read(divan::black_box(&p.file)).map(|flake| flake.inputs.len()));
}

#[divan::bench(args = LINES)]
fn change_set(bencher: divan::Bencher, lines: usize) {
    let p = prepare(lines);
    let operation = operation();
    bencher.bench_local(|| operation.changes(divan::black_box(&p.file), &p.flake, None));
}

#[divan::bench(args = LINES)]
fn apply_local_reparse(bencher: divan::Bencher, lines: usize) {
    let p = prepare(lines);
    assert!(
        p.after.reparsed().is_some(),
        "add-input is re-parsed locally"
    );
    bencher.bench_local(|| p.changes.apply(divan::black_box(&p.file)));
}

#[divan::bench(args = LINES)]
fn apply_whole_reparse(bencher: divan::Bencher, lines: usize) {
    let p = prepare(lines);
    bencher.bench_local(|| SourceFile::parse(divan::black_box(p.after.text())));
}

#[divan::bench(args = LINES)]
fn duplicates_local(bencher: divan::Bencher, lines: usize) {
    let p = prepare(lines);
    bencher.bench_local(|| adds_duplicates(divan::black_box(&p.file), &p.after));
}

#[divan::bench(args = LINES)]
fn duplicates_whole_both(bencher: divan::Bencher, lines: usize) {
    let p = prepare(lines);
    bencher.bench_local(|| {
        duplicate_attributes(divan::black_box(p.file.syntax())).len()
            + duplicate_attributes(p.after.syntax()).len()
    });
}

#[divan::bench(args = LINES)]
fn read_model_after(bencher: divan::Bencher, lines: usize) {
    let p = prepare(lines);
    bencher.bench_local(|| Flake::read(divan::black_box(&p.after)).map(|flake| flake.inputs.len()));
}

#[divan::bench(args = LINES)]
fn apply_verified_all(bencher: divan::Bencher, lines: usize) {
    let p = prepare(lines);
    let allowed = AllowedChange::of(&operation());
    bencher
        .bench_local(|| apply_verified(divan::black_box(&p.file), &p.flake, &p.changes, &allowed));
}

#[divan::bench(args = LINES)]
fn run_whole(bencher: divan::Bencher, lines: usize) {
    let p = prepare(lines);
    let operation = operation();
    bencher.bench_local(|| run(&operation, divan::black_box(p.text.as_str()), None));
}
