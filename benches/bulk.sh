#!/usr/bin/env bash
# Bulk throughput of flakeedit, side by side with a floor program and with
# looping the peer `flake-edit` over the same files. Not a timed test: it
# prints figures, it does not judge them.
#
#   benches/bulk.sh                 # 10,000 flakes, all cores
#   FLAKES=2000 JOBS=2 RUNS=3 PEER_SAMPLE=1000 benches/bulk.sh
#
# For each operation (`follow --all nixpkgs`, `add-input`) every run starts
# from a fresh copy of the same generated tree, and flakeedit and the floor
# alternate so that background load hits both alike; the median of RUNS is
# reported. The floor (benches/floor) reads each file, parses it once with
# rnix and writes the same bytes back atomically (temp file, fsync, rename)
# on the same number of threads: no tool that parses and writes atomically
# can beat it. The peer `flake-edit` (cargo install --locked flake-edit) is
# started once per file, as a script looping over files would, on JOBS
# parallel processes (xargs -P), over the first PEER_SAMPLE files (files/s
# extrapolate: each process is independent).
#
# Needs: python3, GNU time (/usr/bin/time; apt-get install time), cargo.
set -euo pipefail

FLAKES=${FLAKES:-10000}
JOBS=${JOBS:-$(nproc)}
RUNS=${RUNS:-3}
PEER_SAMPLE=${PEER_SAMPLE:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/flakeedit-bulk.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [ ! -x /usr/bin/time ]; then
  echo "GNU time is missing: apt-get install time" >&2
  exit 2
fi

cargo build --quiet --release --manifest-path "$ROOT/Cargo.toml" -p flakeedit -p flakeedit-bench-floor
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
FLAKEEDIT=$TARGET/release/flakeedit
FLOOR=$TARGET/release/bulk-floor
PEER=$(command -v flake-edit || true)

# --- the tree: copies of the fixtures, weighted towards the long ones so the
# median flake is about 100 lines, each with a flake.lock in which every
# input brings its own nixpkgs (what `follow --all nixpkgs` fixes).
python3 - "$ROOT" "$WORK/template" "$FLAKES" "$FLAKEEDIT" <<'PY'
import json, os, statistics, subprocess, sys
root, out, count, flakeedit = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
fixtures = []
for group in ("inputs", "layouts", "seed"):
    directory = os.path.join(root, "tests/fixtures", group)
    for name in sorted(os.listdir(directory)):
        if name.endswith(".nix"):
            fixtures.append(os.path.join(directory, name))
def lines(path):
    with open(path, "rb") as f:
        return f.read().count(b"\n")
long = [f for f in fixtures if lines(f) >= 85]

def lock_for(path):
    listed = json.loads(subprocess.run([flakeedit, "--file", path, "list-inputs", "--json"],
                                       capture_output=True, check=True, text=True).stdout)
    nodes, root_inputs = {}, {}
    def github(owner, repo, n):
        return {"locked": {"lastModified": 1716330097 + n, "narHash": "sha256-" + "A" * 43 + "=",
                           "owner": owner, "repo": repo, "rev": "%040x" % (n + 1), "type": "github"},
                "original": {"owner": owner, "repo": repo, "type": "github"}}
    for n, item in enumerate(listed["inputs"]):
        name = item["name"]
        node = github("example", name, n)
        if name != "nixpkgs" and item["flake"]:
            own = "nixpkgs_%d" % (n + 2)
            nodes[own] = github("NixOS", "nixpkgs", 100 + n)
            node["inputs"] = {"nixpkgs": own}
        nodes[name] = node
        root_inputs[name] = name
    nodes["root"] = {"inputs": root_inputs}
    return json.dumps({"nodes": nodes, "root": "root", "version": 7}, indent=2) + "\n"

locks = {f: lock_for(f) for f in fixtures}
contents = {f: open(f, "rb").read() for f in fixtures}
chosen_lines, total = [], 0
with open(os.path.join(os.path.dirname(out), "list"), "w") as listing:
    for i in range(count):
        source = long[i % len(long)] if i % 5 < 3 else fixtures[i % len(fixtures)]
        directory = os.path.join(out, "d%05d" % i)
        os.makedirs(directory)
        with open(os.path.join(directory, "flake.nix"), "wb") as f:
            f.write(contents[source])
        with open(os.path.join(directory, "flake.lock"), "w") as f:
            f.write(locks[source])
        chosen_lines.append(lines(source))
        total += len(contents[source])
        listing.write("d%05d/flake.nix\n" % i)
print("tree: %d flakes, %.1f MB of flake.nix, median %d lines, %d distinct fixtures"
      % (count, total / 1e6, statistics.median(chosen_lines), len(fixtures)))
with open(os.path.join(os.path.dirname(out), "bytes"), "w") as f:
    f.write(str(total))
PY
BYTES=$(cat "$WORK/bytes")
head -n "$PEER_SAMPLE" "$WORK/list" > "$WORK/peer-list"
PEER_FILES=$(wc -l < "$WORK/peer-list")

# measure NAME COMMAND...: runs COMMAND in a fresh copy of the tree and
# appends "seconds max-rss-kb" to $WORK/NAME.
measure() {
  local name=$1
  shift
  rm -rf "$WORK/run"
  cp -a "$WORK/template" "$WORK/run"
  cp "$WORK/list" "$WORK/peer-list" "$WORK/run/"
  sync
  (cd "$WORK/run" && /usr/bin/time -v "$@" > /dev/null 2> "$WORK/time.txt") || {
    local status=$?
    # flakeedit exits 1 when a file failed; anything else is an error.
    if [ "$status" -ne 1 ]; then cat "$WORK/time.txt" >&2; exit 1; fi
  }
  local seconds rss
  seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time.txt")
  echo "$seconds $rss" >> "$WORK/$name"
  grep -E '^[0-9]+ files: ' "$WORK/time.txt" | tail -1 > "$WORK/$name.summary" || true
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

report() {
  local name=$1 files=$2 label=$3
  local seconds rss
  seconds=$(awk '{ print $1 }' "$WORK/$name" | median)
  rss=$(awk '{ print $2 }' "$WORK/$name" | sort -n | tail -1)
  awk -v label="$label" -v s="$seconds" -v f="$files" -v b="$BYTES" -v n="$FLAKES" -v r="$rss" \
    'BEGIN { printf "  %-34s %8.2f s %9.0f files/s %7.2f MB/s  peak RSS %6.1f MB\n", label, s, f / s, (b * f / n) / s / 1e6, r / 1024 }'
}

echo "jobs: $JOBS, runs: $RUNS (median), files: $FLAKES"
for operation in follow add; do
  case $operation in
    follow)
      ours=(follow --all nixpkgs)
      peer=(xargs -a peer-list -P "$JOBS" -n 1 "$PEER" follow)
      ;;
    add)
      ours=(add-input github:example/tool)
      peer=(xargs -a peer-list -P "$JOBS" -I '{}' "$PEER" --flake '{}' add tool github:example/tool)
      ;;
  esac
  rm -f "$WORK/floor" "$WORK/ours" "$WORK/peer"
  for _ in $(seq "$RUNS"); do
    measure floor "$FLOOR" -j "$JOBS" list
    measure ours "$FLAKEEDIT" --files-from list -j "$JOBS" "${ours[@]}"
  done
  echo "${operation}: $(cat "$WORK/ours.summary")"
  report floor "$FLAKES" "floor (read, parse, atomic write)"
  report ours "$FLAKES" "flakeedit ${ours[*]}"
  floor_s=$(awk '{ print $1 }' "$WORK/floor" | median)
  ours_s=$(awk '{ print $1 }' "$WORK/ours" | median)
  awk -v o="$ours_s" -v f="$floor_s" 'BEGIN { printf "  flakeedit / floor time: %.2fx\n", o / f }'
  if [ -n "$PEER" ]; then
    measure peer "${peer[@]}"
    report peer "$PEER_FILES" "flake-edit, once per file ($PEER_FILES)"
    peer_s=$(awk '{ print $1 }' "$WORK/peer" | median)
    awk -v o="$ours_s" -v n="$FLAKES" -v p="$peer_s" -v m="$PEER_FILES" \
      'BEGIN { printf "  flakeedit speed-up over looping flake-edit: %.1fx (files/s)\n", (n / o) / (m / p) }'
  else
    echo "  flake-edit not found (cargo install --locked flake-edit): no peer ratio"
  fi
done
