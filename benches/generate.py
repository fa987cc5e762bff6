#!/usr/bin/env python3
"""Generated flakes for the scaling benchmark (benches/scaling.sh).

    benches/generate.py inputs N           a flake with N one-line inputs
    benches/generate.py size MEGABYTES     a flake of about that many MB:
                                           inputs, then per-system packages
    benches/generate.py lock N             the flake.lock of `inputs N` in
                                           which every input brings its own
                                           nixpkgs (each at its own revision)

Output goes to stdout. Every generated flake parses with `nix-instantiate
--parse`; the inputs are one line each (`depN.url = "...";`), the outputs
take `{ self, nixpkgs, ... }@inputs` and use a few of them, so `check`,
`list-inputs` and `add-input` all have real work at every size.
"""

import json
import sys


def inputs_flake(count, packages=0):
    out = ['{\n  description = "generated: %d inputs";\n\n  inputs = {\n' % count]
    out.append('    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";\n')
    for index in range(count):
        out.append('    dep%d.url = "github:example-owner/dep%d-repository";\n' % (index, index))
    out.append("  };\n\n  outputs = { self, nixpkgs, ... }@inputs:\n")
    out.append("    let\n      pkgs = nixpkgs.legacyPackages.x86_64-linux;\n    in\n    {\n")
    out.append("      packages.x86_64-linux = {\n")
    out.append("        default = inputs.dep0.packages.x86_64-linux.default;\n")
    for index in range(packages):
        out.append(
            '        pkg%d = pkgs.stdenv.mkDerivation {\n'
            '          pname = "pkg%d";\n'
            '          version = "0.1.%d";\n'
            '          # built from the repository root\n'
            '          src = ./.;\n'
            '          buildInputs = [ pkgs.ocamlPackages.lwt ];\n'
            '        };\n' % (index, index, index)
        )
    out.append("      };\n    };\n}\n")
    return "".join(out)


def lock_of_inputs_flake(count):
    """What `nix flake lock` would write for inputs_flake(count) if every
    input had a nixpkgs input of its own, not following ours: `check`
    reports `not-following` for each (with a fix), `follow --all nixpkgs`
    edits each."""
    nixpkgs = lambda rev: {
        "locked": {"type": "github", "owner": "NixOS", "repo": "nixpkgs", "rev": rev},
        "original": {"type": "github", "owner": "NixOS", "repo": "nixpkgs"},
    }
    nodes = {"nixpkgs": nixpkgs("f" * 40)}
    root = {"nixpkgs": "nixpkgs"}
    for index in range(count):
        name = "dep%d" % index
        nodes[name] = {
            "inputs": {"nixpkgs": "nixpkgs_%d" % index},
            "locked": {"type": "github", "owner": "example-owner", "repo": name + "-repository", "rev": "%040x" % index},
            "original": {"type": "github", "owner": "example-owner", "repo": name + "-repository"},
        }
        nodes["nixpkgs_%d" % index] = nixpkgs("%040x" % (index + 1))
        root[name] = name
    nodes["root"] = {"inputs": root}
    return json.dumps({"nodes": nodes, "root": "root", "version": 7}, indent=2) + "\n"


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("inputs", "size", "lock"):
        sys.exit(__doc__)
    amount = int(sys.argv[2])
    if sys.argv[1] == "inputs":
        text = inputs_flake(amount)
    elif sys.argv[1] == "lock":
        text = lock_of_inputs_flake(amount)
    else:
        target = amount * 1000 * 1000
        # About a fifth of the bytes in inputs, the rest in packages; the
        # sizes per input and per package are measured, not guessed.
        per_input = len(inputs_flake(1001)) - len(inputs_flake(1))
        per_package = len(inputs_flake(0, 1001)) - len(inputs_flake(0, 1))
        inputs = target // 5 // (per_input // 1000)
        packages = (target - inputs * per_input // 1000) // (per_package // 1000)
        text = inputs_flake(inputs, packages)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
