#!/usr/bin/env bash
# The main job on the bundled example: add the riot input, following nixpkgs,
# to a copy of examples/ocaml/flake.nix and print the diff.
#
#   scripts/demo.sh
#
# The example itself is never modified.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo build --release -q"
cargo build --release -q

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
cp examples/ocaml/flake.nix "$workdir/flake.nix"

echo "==> flakeedit --file flake.nix --diff add-input github:emilpriver/riot --follows nixpkgs"
flakeedit=$(readlink -f "${CARGO_TARGET_DIR:-target}/release/flakeedit")
diff=$(cd "$workdir" && "$flakeedit" --file flake.nix --diff \
  add-input github:emilpriver/riot --follows nixpkgs)
if [ -z "$diff" ]; then
  echo "flakeedit printed no diff: the riot input was not added" >&2
  exit 1
fi
printf '%s\n' "$diff"
