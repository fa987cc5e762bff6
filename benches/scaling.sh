#!/usr/bin/env bash
# How flakeedit's cost grows with the file: generated flakes with N one-line
# inputs (N = 1k … 64k, 64 bytes a line) and a 20 MB flake, each timed for
# `check`, `list-inputs`, `--dry-run add-input` and `--dry-run
# add-dune-package` (whose meaning check reads every input's uses). Every command should
# grow linearly: the "x prev" column is the ratio to the previous N, about
# 2 when linear and 4 when quadratic. Not a timed test: it prints figures.
#
#   benches/scaling.sh                  # N = 1000 … 64000, 20 MB, 3 runs each
#   SIZES="1000 16000" RUNS=1 benches/scaling.sh
#
# Then the same flakes with a flake.lock in which every input brings its
# own nixpkgs (N = 1k … 32k, LOCKED_SIZES): `check` (a `not-following`
# with a fix and revision counts per input) and `--dry-run follow --all
# nixpkgs` (an edit per input).
#
# The language server's diagnostics after a one-character change in a 5 MB
# flake: `cargo run --release -p flakeedit-lsp --example latency` (through
# the server) and `cargo bench -p flakeedit-flake --bench scaling` (the
# parse + check it would cost without the server's 1 MiB analysis limit).
#
# Needs: python3, hyperfine, GNU time (/usr/bin/time), cargo.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-"1000 2000 4000 8000 16000 32000 64000"}
LOCKED_SIZES=${LOCKED_SIZES:-"1000 2000 4000 8000 16000 32000"}
RUNS=${RUNS:-3}
BIG_MB=${BIG_MB:-20}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/flakeedit-scaling.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# FLAKEEDIT=path measures that binary instead of building one.
if [ -z "${FLAKEEDIT:-}" ]; then
  cargo build --quiet --release --bin flakeedit --manifest-path "$ROOT/Cargo.toml"
  FLAKEEDIT="${CARGO_TARGET_DIR:-$ROOT/target}/release/flakeedit"
fi

# Seconds (mean of RUNS) of the command, run in $WORK.
seconds() {
  hyperfine --runs "$RUNS" --warmup 0 --style none -N --export-json "$WORK/t.json" \
    --ignore-failure "$*" >/dev/null 2>&1
  python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$WORK/t.json"
}

# Peak resident memory in MB of one run of the command.
peak_mb() {
  /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.1f", $1 / 1024 }'
}

printf '%-10s %9s  %-12s %8s %8s  %-12s %8s %8s  %-12s %8s %8s  %-16s %8s %8s\n' \
  file MB check s 'x prev' list-inputs s 'x prev' add-input s 'x prev' add-dune-package s 'x prev'
declare -A previous
row() {
  local name=$1 file=$2 mb
  mb=$(python3 -c 'import os,sys; print("%.1f" % (os.path.getsize(sys.argv[1]) / 1e6))' "$file")
  local line
  line=$(printf '%-10s %9s' "$name" "$mb")
  for command in "check --fail-on never" "list-inputs" "--dry-run add-input github:example/new-input" \
    "--dry-run add-dune-package new-pkg --version 0.1.0"; do
    local key=${command#--dry-run } time ratio
    key=${key%% *}
    time=$(seconds "$FLAKEEDIT" --file "$file" $command)
    if [ -n "${previous[$key]:-}" ]; then
      ratio=$(python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) / max(float(sys.argv[2]), 1e-3)))' "$time" "${previous[$key]}")
    else
      ratio=-
    fi
    previous[$key]=$time
    line+=$(printf '  %-*s %8s %8s' "$(( ${#key} > 12 ? 16 : 12 ))" "$key" "$time" "$ratio")
  done
  echo "$line"
}

for n in $SIZES; do
  python3 "$ROOT/benches/generate.py" inputs "$n" > "$WORK/inputs-$n.nix"
  row "N=$n" "$WORK/inputs-$n.nix"
done
python3 "$ROOT/benches/generate.py" size "$BIG_MB" > "$WORK/big.nix"
previous=()
row "${BIG_MB}MB" "$WORK/big.nix"

echo
echo "with a flake.lock in which every input brings its own nixpkgs:"
printf '%-10s %9s  %-12s %8s %8s  %-16s %8s %8s\n' file MB check s 'x prev' 'follow --all' s 'x prev'
previous_check='' previous_follow=''
for n in $LOCKED_SIZES; do
  mkdir -p "$WORK/locked-$n"
  python3 "$ROOT/benches/generate.py" inputs "$n" > "$WORK/locked-$n/flake.nix"
  python3 "$ROOT/benches/generate.py" lock "$n" > "$WORK/locked-$n/flake.lock"
  mb=$(python3 -c 'import os,sys; print("%.1f" % ((os.path.getsize(sys.argv[1]) + os.path.getsize(sys.argv[2])) / 1e6))' \
    "$WORK/locked-$n/flake.nix" "$WORK/locked-$n/flake.lock")
  check=$(seconds "$FLAKEEDIT" --file "$WORK/locked-$n/flake.nix" check --fail-on never)
  follow=$(seconds "$FLAKEEDIT" --file "$WORK/locked-$n/flake.nix" --dry-run follow --all nixpkgs)
  ratio() { [ -n "$2" ] && python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) / max(float(sys.argv[2]), 1e-3)))' "$1" "$2" || echo -; }
  printf '%-10s %9s  %-12s %8s %8s  %-16s %8s %8s\n' "N=$n" "$mb" check "$check" "$(ratio "$check" "$previous_check")" \
    'follow --all' "$follow" "$(ratio "$follow" "$previous_follow")"
  previous_check=$check previous_follow=$follow
done

echo
echo "peak RSS of one call on the largest inputs flake and the ${BIG_MB} MB flake (MB):"
last=${SIZES##* }
for command in "check --fail-on never" "list-inputs" "--dry-run add-input github:example/new-input" \
    "--dry-run add-dune-package new-pkg --version 0.1.0"; do
  printf '  %-48s N=%-6s %6s   %sMB %6s\n' "$command" "$last" \
    "$(peak_mb "$FLAKEEDIT" --file "$WORK/inputs-$last.nix" $command)" "$BIG_MB" \
    "$(peak_mb "$FLAKEEDIT" --file "$WORK/big.nix" $command)"
done

echo
echo "a file over the size limit is refused at once:"
python3 -c 'import sys; sys.stdout.write("{ }" + " " * (65 * 1024 * 1024))' > "$WORK/huge.nix"
start=$(date +%s%N)
"$FLAKEEDIT" --file "$WORK/huge.nix" list-inputs 2>&1 | head -2 || true
echo "  ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
