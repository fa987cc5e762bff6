//! Parse + add-input latency on a typical (~100-line) and a large
//! (~1,500-line) flake. Run: `cargo bench -p flakeedit-flake --bench add_input`.

use flakeedit_flake::{run, AddInput, Operation};

fn main() {
    divan::main();
}

/// A flake with `inputs` inputs and `packages` packages, in the seed's
/// flake-parts shape; about 12 + inputs×4 + packages×12 lines.
pub fn generated_flake(inputs: usize, packages: usize) -> String {
    let mut text = String::from("{\n  description = \"generated for benchmarks\";\n\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n    flake-parts.url = \"github:hercules-ci/flake-parts\";\n");
    for index in 0..inputs {
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
        url: "github:emilpriver/riot".into(),
        name: None,
        follows: vec![("nixpkgs".into(), "nixpkgs".into())],
        no_flake: false,
    })
}

#[divan::bench(args = [100, 1500])]
fn parse_and_add_input(bencher: divan::Bencher, lines: usize) {
    let text = if lines <= 100 {
        generated_flake(8, 5)
    } else {
        generated_flake(60, 104)
    };
    let operation = operation();
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| {
            run(divan::black_box(&operation), divan::black_box(&text), None).map(|r| r.changed())
        });
}
