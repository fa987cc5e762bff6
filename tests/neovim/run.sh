#!/usr/bin/env bash
# Headless Neovim test of editors/neovim against the real `flakeedit lsp`.
#
#   tests/neovim/run.sh [NVIM...]   each Neovim binary in turn (default: nvim)
#
# Fails (never skips) when a binary is missing. scripts/test.sh runs it on
# Debian's Neovim 0.7 and on Neovim 0.11. Uses $FLAKEEDIT_BIN, or builds the
# debug binary.
set -euo pipefail
cd "$(dirname "$0")/../.."

binaries=("$@")
if [ "${#binaries[@]}" -eq 0 ]; then
  binaries=(nvim)
fi
for nvim in "${binaries[@]}"; do
  if ! command -v "$nvim" >/dev/null 2>&1; then
    echo "tests/neovim: $nvim not found; install Neovim (Debian: apt-get install neovim), or run scripts/test.sh neovim" >&2
    exit 1
  fi
done
if [ -z "${FLAKEEDIT_BIN:-}" ]; then
  cargo build --quiet --bin flakeedit
  FLAKEEDIT_BIN="${CARGO_TARGET_DIR:-target}/debug/flakeedit"
fi
FLAKEEDIT_BIN="$(cd "$(dirname "$FLAKEEDIT_BIN")" && pwd)/$(basename "$FLAKEEDIT_BIN")"
export FLAKEEDIT_BIN
export FLAKEEDIT_TEST_ROOT="$PWD"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for nvim in "${binaries[@]}"; do
  version="$("$nvim" --version | head -n 1)"
  echo "nvim: $nvim: $version"
  rm -rf "$work/nix_template"
  mkdir -p "$work/nix_template"
  # The seed's step 2 without the follows line: the code action puts it back.
  grep -v 'inputs.nixpkgs.follows = "nixpkgs";' tests/fixtures/seed/02-riot-input.nix >"$work/nix_template/flake.nix"
  export FLAKEEDIT_TEST_FLAKE="$work/nix_template/flake.nix"
  # For :FlakeeditCheckUpdates: a local repository with two release tags,
  # and a flake on the older one.
  rm -rf "$work/tool" "$work/updates"
  git init -q "$work/tool"
  git -C "$work/tool" -c user.name=test -c user.email=test@example.org commit -q --allow-empty -m one
  git -C "$work/tool" tag v1.0.0
  git -C "$work/tool" -c user.name=test -c user.email=test@example.org commit -q --allow-empty -m two
  git -C "$work/tool" tag v1.1.0
  mkdir -p "$work/updates"
  printf '{\n  inputs.tool.url = "git+file://%s?ref=v1.0.0";\n  outputs = { self, tool }: { };\n}\n' "$work/tool" >"$work/updates/flake.nix"
  export FLAKEEDIT_TEST_UPDATES_FLAKE="$work/updates/flake.nix"
  timeout 120 "$nvim" --headless -u NONE -i NONE -n \
    --cmd "set runtimepath^=$PWD/editors/neovim" \
    -c "luafile tests/neovim/test.lua"
  echo
  echo "neovim: ok ($version)"
done
