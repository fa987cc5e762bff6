#!/usr/bin/env python3
"""Generated flakes for the scaling benchmark (benches/scaling.sh).

    benches/generate.py inputs N           a flake with N one-line inputs
    benches/generate.py size MEGABYTES     a flake of about that many MB:
                                           inputs, then per-system packages

Output goes to stdout. Every generated flake parses with `nix-instantiate
--parse`; the inputs are one line each (`depN.url = "...";`), the outputs
take `{ self, nixpkgs, ... }@inputs` and use a few of them, so `check`,
`list-inputs` and `add-input` all have real work at every size.
"""

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


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("inputs", "size"):
        sys.exit(__doc__)
    amount = int(sys.argv[2])
    if sys.argv[1] == "inputs":
        text = inputs_flake(amount)
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
