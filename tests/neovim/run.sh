#!/usr/bin/env bash
# Headless Neovim test of editors/neovim against the real `flakeedit lsp`.
# Fails (never skips) when nvim is missing. Uses $FLAKEEDIT_BIN, or builds
# the debug binary.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v nvim >/dev/null 2>&1; then
  echo "tests/neovim: nvim not found; install Neovim (Debian: apt-get install neovim)" >&2
  exit 1
fi
if [ -z "${FLAKEEDIT_BIN:-}" ]; then
  cargo build --quiet --bin flakeedit
  FLAKEEDIT_BIN="${CARGO_TARGET_DIR:-target}/debug/flakeedit"
fi
FLAKEEDIT_BIN="$(cd "$(dirname "$FLAKEEDIT_BIN")" && pwd)/$(basename "$FLAKEEDIT_BIN")"
export FLAKEEDIT_BIN

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/nix_template"
# The seed's step 2 without the follows line: the code action puts it back.
grep -v 'inputs.nixpkgs.follows = "nixpkgs";' tests/fixtures/seed/02-riot-input.nix >"$work/nix_template/flake.nix"
export FLAKEEDIT_TEST_FLAKE="$work/nix_template/flake.nix"
export FLAKEEDIT_TEST_ROOT="$PWD"

echo "nvim: $(nvim --version | head -n 1)"
timeout 120 nvim --headless -u NONE -i NONE -n \
  --cmd "set runtimepath^=$PWD/editors/neovim" \
  -c "luafile tests/neovim/test.lua"
echo
echo "neovim: ok"
