#!/usr/bin/env bash
# Per-call process time of adding an input, flakeedit next to its peers
# flake-edit and nix-editor, on a ~100-line and a ~1,500-line flake.
#
#   benches/peers.sh [CALLS]        (default 200 calls per tool and size)
#
# Installs the peers with `cargo install --locked` into benches/.tools when
# they are missing. Each call runs on a fresh copy of the flake; the copy is
# the same for every tool, so the ratios compare the tools themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-200}
tools=benches/.tools
mkdir -p "$tools"
for peer in flake-edit nix-editor; do
  if [ ! -x "$tools/bin/$peer" ]; then
    echo "==> cargo install --locked $peer"
    cargo install --quiet --locked --root "$tools" "$peer"
  fi
done
echo "==> cargo build --release"
cargo build --quiet --release --bin flakeedit
flakeedit="${CARGO_TARGET_DIR:-target}/release/flakeedit"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same generator as crates/flake/benches/add_input.rs.
generate() {
  local inputs=$1 packages=$2 i
  printf '{\n  description = "generated for benchmarks";\n\n  inputs = {\n'
  printf '    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";\n'
  printf '    flake-parts.url = "github:hercules-ci/flake-parts";\n'
  for ((i = 0; i < inputs; i++)); do
    printf '    dep%d = {\n      url = "github:example/dep%d";\n      inputs.nixpkgs.follows = "nixpkgs";\n    };\n' "$i" "$i"
  done
  printf '  };\n\n  outputs = inputs@{ flake-parts, ... }:\n    flake-parts.lib.mkFlake { inherit inputs; } {\n'
  printf '      systems = [ "x86_64-linux" ];\n      perSystem = { pkgs, self'"'"', ... }:\n        let\n'
  printf '          inherit (pkgs.ocamlPackages) buildDunePackage;\n        in\n        {\n          packages = {\n'
  for ((i = 0; i < packages; i++)); do
    printf '            pkg%d = buildDunePackage {\n              pname = "pkg%d";\n              version = "0.1.%d";\n              # built from the repository root\n              src = ./.;\n              buildInputs = [\n                pkgs.ocamlPackages.lwt\n              ];\n              doCheck = true;\n            };\n\n' "$i" "$i" "$i"
  done
  printf '          };\n        };\n    };\n}\n'
}
generate 8 5 > "$work/small.nix"
generate 60 104 > "$work/large.nix"

# Milliseconds per call of "$@" run in $work/run on a fresh copy of $1.
per_call() {
  local source=$1; shift
  mkdir -p "$work/run"
  local start end i
  start=$(date +%s%N)
  for ((i = 0; i < calls; i++)); do
    cp "$source" "$work/run/flake.nix"
    (cd "$work/run" && "$@" >/dev/null 2>&1) || { echo "failed: $*" >&2; exit 1; }
  done
  end=$(date +%s%N)
  echo "scale=3; ($end - $start) / 1000000 / $calls" | bc
}

# The copy alone, to show how much of each figure is the harness.
baseline() {
  per_call "$1" true
}

abs() { readlink -f "$1"; }
fe=$(abs "$flakeedit"); pe=$(abs "$tools/bin/flake-edit"); ne=$(abs "$tools/bin/nix-editor")
printf '%-8s %-6s %10s %12s %12s %14s %14s\n' size lines harness flakeedit flake-edit nix-editor 'fe/flake-edit'
for size in small large; do
  file="$work/$size.nix"
  lines=$(wc -l < "$file")
  harness=$(baseline "$file")
  ours=$(per_call "$file" "$fe" add-input github:emilpriver/riot)
  theirs=$(per_call "$file" "$pe" --flake flake.nix add riot github:emilpriver/riot)
  editor=$(per_call "$file" "$ne" flake.nix inputs.riot.url -v '"github:emilpriver/riot"' -i)
  ratio=$(echo "scale=3; $ours / $theirs" | bc)
  printf '%-8s %-6s %8sms %10sms %10sms %12sms %14s\n' "$size" "$lines" "$harness" "$ours" "$theirs" "$editor" "$ratio"
done
echo "(ms per call including the harness; target: flakeedit/flake-edit <= 0.5)"
