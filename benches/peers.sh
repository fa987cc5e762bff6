#!/usr/bin/env bash
# Per-call cost of flakeedit next to its peers flake-edit and nix-editor and
# a hello-world Rust binary (the start-up floor), measured with hyperfine in
# one run so the ratios hold however loaded the machine is.
#
#   benches/peers.sh                   # 40 runs per command
#   RUNS=100 PEERS=/opt/peers benches/peers.sh
#
# Flakes: 40 lines (tests/fixtures/seed/03-package-default.nix), and 502 and
# 2,350 lines generated in the seed's flake-parts shape. For each size:
#   - `add-input` written durably (temp file, fsync, rename) vs flake-edit;
#   - `--dry-run add-input` vs nix-editor editing in place (no fsync);
#   - `list-inputs`, and `--version` and hello-world for start-up;
#   - the floor of a durable edit: `bulk-floor --one` reads, parses once,
#     writes the same bytes to a temp file, fsyncs and renames (no edit).
# CPU (user + system) is printed next to wall time: on a loaded machine it
# is the steadier of the two.
# Every edit runs on a fresh copy of the flake (hyperfine --prepare).
# Targets: dry-run <= 1.0x nix-editor, durable <= 0.5x flake-edit,
# --version and a small list-inputs <= 1.2x hello-world.
#
# The peers are installed with `cargo install --locked flake-edit
# nix-editor --root "$PEERS"` when missing (default: benches/.tools, which
# git ignores). Needs: hyperfine, python3, GNU time (/usr/bin/time), cargo.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-40}
PEERS=${PEERS:-$ROOT/benches/.tools}
for peer in flake-edit nix-editor; do
  if [ ! -x "$PEERS/bin/$peer" ]; then
    echo "==> cargo install --locked $peer --root $PEERS" >&2
    cargo install --quiet --locked --root "$PEERS" "$peer"
  fi
done
# FLAKEEDIT=path and HELLO=path measure those binaries instead of building.
if [ -z "${FLAKEEDIT:-}" ] || [ -z "${HELLO:-}" ]; then
  echo "==> cargo build --release" >&2
  cargo build --quiet --release --manifest-path "$ROOT/Cargo.toml" --bin flakeedit
  cargo build --quiet --release --manifest-path "$ROOT/Cargo.toml" -p flakeedit-bench-floor
  TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
  FLAKEEDIT=$TARGET/flakeedit
  HELLO=$TARGET/hello-world
  FLOOR=$TARGET/bulk-floor
fi
FLOOR=${FLOOR:-$(dirname "$HELLO")/bulk-floor}
FLAKE_EDIT=$PEERS/bin/flake-edit
NIX_EDITOR=$PEERS/bin/nix-editor

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flakeedit-peers.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# A flake-parts flake with $1 inputs and $2 packages: 21 + 4×$1 + 11×$2 lines.
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
cp "$ROOT/tests/fixtures/seed/03-package-default.nix" "$WORK/small.nix"
generate 35 31 > "$WORK/medium.nix"
generate 35 199 > "$WORK/large.nix"
mkdir -p "$WORK/run"
cd "$WORK/run"

# Mean wall and CPU milliseconds of each command (one line each), all
# measured in ONE hyperfine run so that load hits them alike: compare
# ratios within a run, not figures across runs. Commands are shell-word
# strings (hyperfine -N splits them).
measure() { # measure NAME SOURCE COMMAND...
  local name=$1 source=$2; shift 2
  hyperfine -N --runs "$RUNS" --warmup 3 --style none \
    --prepare "cp $source $WORK/run/flake.nix" \
    --export-json "$WORK/$name.json" "$@" >/dev/null 2>&1 \
    || { echo "failed: $*" >&2; exit 1; }
  python3 - "$WORK/$name.json" <<'PY'
import json, sys
for result in json.load(open(sys.argv[1]))["results"]:
    print("%.2f %.2f" % (result["mean"] * 1000, (result["user"] + result["system"]) * 1000))
PY
}
rss() { # peak RSS in MB of one run of the command on a fresh copy
  local source=$1; shift
  cp "$source" "$WORK/run/flake.nix"
  /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.1f", $1 / 1024 }'
}

{ read -r hello hello_cpu; read -r version version_cpu; read -r small_list small_list_cpu; } \
  < <(measure start-up "$WORK/small.nix" "$HELLO" "$FLAKEEDIT --version" "$FLAKEEDIT list-inputs")
echo "start-up (ms wall / ms cpu, peak RSS MB), one hyperfine run:"
printf '  %-34s %7s %7s %6s\n' hello-world "$hello" "$hello_cpu" "$(rss "$WORK/small.nix" "$HELLO")"
printf '  %-34s %7s %7s %6s   %.2fx hello-world (cpu %.2fx)\n' "flakeedit --version" "$version" "$version_cpu" \
  "$(rss "$WORK/small.nix" "$FLAKEEDIT" --version)" "$(echo "$version / $hello" | bc -l)" "$(echo "$version_cpu / $hello_cpu" | bc -l)"
printf '  %-34s %7s %7s %6s   %.2fx hello-world (cpu %.2fx)\n' "flakeedit list-inputs (40 lines)" "$small_list" "$small_list_cpu" \
  "$(rss "$WORK/small.nix" "$FLAKEEDIT" list-inputs)" "$(echo "$small_list / $hello" | bc -l)" "$(echo "$small_list_cpu / $hello_cpu" | bc -l)"
echo
echo "per call, ms wall (ms cpu), one hyperfine run per size:"
printf '%-7s %5s | %15s %15s %15s %15s %15s %15s | %6s %6s %6s %6s\n' size lines list dry-run durable \
  flake-edit nix-editor floor 'dry/ne' cpu 'dur/fe' 'dur/fl'
for size in small medium large; do
  file="$WORK/$size.nix"
  lines=$(wc -l < "$file")
  {
    read -r list list_cpu; read -r dry dry_cpu; read -r durable durable_cpu
    read -r peer peer_cpu; read -r editor editor_cpu; read -r floor floor_cpu
  } < <(measure "per-call-$size" "$file" \
    "$FLAKEEDIT list-inputs" \
    "$FLAKEEDIT --dry-run add-input github:example/newdep" \
    "$FLAKEEDIT add-input github:example/newdep" \
    "$FLAKE_EDIT --flake flake.nix add newdep github:example/newdep" \
    "$NIX_EDITOR flake.nix inputs.newdep.url -v '\"github:example/newdep\"' -i" \
    "$FLOOR --one flake.nix")
  printf '%-7s %5s | %6s (%6s) %6s (%6s) %6s (%6s) %6s (%6s) %6s (%6s) %6s (%6s) | %5.2fx %5.2fx %5.2fx %5.2fx\n' "$size" "$lines" \
    "$list" "$list_cpu" "$dry" "$dry_cpu" "$durable" "$durable_cpu" "$peer" "$peer_cpu" "$editor" "$editor_cpu" "$floor" "$floor_cpu" \
    "$(echo "$dry / $editor" | bc -l)" "$(echo "$dry_cpu / $editor_cpu" | bc -l)" \
    "$(echo "$durable / $peer" | bc -l)" "$(echo "$durable / $floor" | bc -l)"
done
echo
echo "peak RSS (MB) of add-input:"
for size in small medium large; do
  printf '  %-7s flakeedit %5s   flake-edit %5s   nix-editor %5s\n' "$size" \
    "$(rss "$WORK/$size.nix" "$FLAKEEDIT" add-input github:example/newdep)" \
    "$(rss "$WORK/$size.nix" "$FLAKE_EDIT" --flake flake.nix add newdep github:example/newdep)" \
    "$(rss "$WORK/$size.nix" "$NIX_EDITOR" flake.nix inputs.newdep.url -v '"github:example/newdep"' -i)"
done
