#!/usr/bin/env bash
# Throughput of `flakeedit check -r` over generated flakes with flake.lock files.
#
#   benches/check.sh [COUNT] [JOBS]       (defaults: 5000 files, all cores)
#
# Generates COUNT directories, each with a flake.nix and a flake.lock drawn
# from five shapes (nested inputs with their own nixpkgs, legacy sha256
# hashes, closed patterns, flake-parts, old nixpkgs), then times
#   flakeedit check -r DIR --fail-on never            (lint only)
#   flakeedit check -r DIR --fix --dry-run --fail-on never   (lint + fix + re-check)
# and prints files per second. Uses the release binary (built if needed).
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-5000}
jobs=${2:-}
cargo build --release --quiet --bin flakeedit
binary=${CARGO_TARGET_DIR:-target}/release/flakeedit

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

lock() { # lock NAME LASTMODIFIED: a flake.lock where riot brings its own nixpkgs
  cat <<LOCK
{
  "nodes": {
    "nixpkgs": { "locked": { "lastModified": $2, "narHash": "sha256-rQaCkEddnhYxk18vtQbtswTMH1L+ylKCNLS3VeAQiaE=", "owner": "NixOS", "repo": "nixpkgs", "rev": "a5266e6f41d4efc97d50a017aea2b98945425f9e", "type": "github" }, "original": { "owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github" } },
    "nixpkgs_2": { "locked": { "lastModified": 1708807242, "narHash": "sha256-Dl3BZSgXHwr+sFzTMeiPUMOoU6sRtB2KFpJI2kvqi7g=", "owner": "NixOS", "repo": "nixpkgs", "rev": "64cfed02d7d378e31eddd40c3b3b76e3cdcef637", "type": "github" }, "original": { "owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github" } },
    "$1": { "inputs": { "nixpkgs": "nixpkgs_2" }, "locked": { "lastModified": 1715968402, "narHash": "sha256-8k4vUl5AkUNW9e9ODMVc7Phkq4Jv6eURodFxhPZ4Dg0=", "owner": "o", "repo": "$1", "rev": "3509f8f9421498f4c4695de25961ec58ac038a7c", "type": "github" }, "original": { "owner": "o", "repo": "$1", "type": "github" } },
    "root": { "inputs": { "nixpkgs": "nixpkgs", "$1": "$1" } }
  },
  "root": "root",
  "version": 7
}
LOCK
}

echo "generating $count flakes in $work" >&2
for ((i = 0; i < count; i++)); do
  dir=$work/$((i % 100))/p$i
  mkdir -p "$dir"
  name=dep$((i % 7))
  case $((i % 5)) in
    0) cat >"$dir/flake.nix" <<NIX
{
  description = "project $i";
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    $name.url = "github:o/$name";
  };
  outputs = { self, nixpkgs, $name }: {
    packages.x86_64-linux.default = $name.packages.x86_64-linux.default;
    legacyPackages.x86_64-linux = nixpkgs.legacyPackages.x86_64-linux;
  };
}
NIX
    ;;
    1) cat >"$dir/flake.nix" <<NIX
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.$name.url = "github:o/$name";
  outputs = { self, nixpkgs, $name }:
    let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
      packages.x86_64-linux.src$i = pkgs.fetchFromGitHub {
        owner = "o"; repo = "r$i"; rev = "v$i";
        sha256 = "1mqnvpwxbx8nw40vrf979y1lzdv3lccn3pip6az7kllmwm2rjy5f";
      };
      packages.x86_64-linux.dep = $name.packages.x86_64-linux.default;
    };
}
NIX
    ;;
    2) cat >"$dir/flake.nix" <<NIX
{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    $name = { url = "github:o/$name"; };
    extra.url = "github:o/extra";
  };
  outputs = { self, nixpkgs, $name }: {
    packages.x86_64-linux.default = $name.packages.x86_64-linux.default;
  };
}
NIX
    ;;
    3) cat >"$dir/flake.nix" <<NIX
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.$name.url = "github:o/$name";
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      perSystem = { pkgs, inputs', ... }: {
        packages.default = inputs'.$name.packages.default;
      };
    };
}
NIX
    ;;
    4) cat >"$dir/flake.nix" <<NIX
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-22.05";
  inputs.$name.url = "github:o/$name";
  inputs.$name.inputs.nixpkgs.follows = "nixpkgs";
  outputs = { self, nixpkgs, $name }: {
    packages.x86_64-linux.default = $name.packages.x86_64-linux.default;
  };
}
NIX
    ;;
  esac
  if ((i % 5 == 4)); then lock "$name" 1614556800 >"$dir/flake.lock"; else lock "$name" 1748736000 >"$dir/flake.lock"; fi
done

measure() { # measure LABEL ARGS...
  local label=$1
  shift
  local start end
  start=$(date +%s.%N)
  "$binary" ${jobs:+-j "$jobs"} check -r "$work" --fail-on never --format json "$@" >"$work.json" 2>/dev/null
  end=$(date +%s.%N)
  local summary
  summary=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print("%d errors, %d warnings, %d fixed" % (s["errors"], s["warnings"], s["fixed"]))' "$work.json" 2>/dev/null || echo "?")
  awk -v n="$count" -v s="$start" -v e="$end" -v l="$label" -v m="$summary" \
    'BEGIN { t = e - s; printf "%-28s %6d files in %6.3f s = %8.0f files/s  (%s)\n", l, n, t, n / t, m }'
}

measure "check -r"
measure "check -r --fix --dry-run" --fix --dry-run
rm -f "$work.json"
