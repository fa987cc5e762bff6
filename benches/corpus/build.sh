#!/usr/bin/env bash
# Rebuilds the real-world corpus OUTSIDE the repository: every flake.nix (with
# its flake.lock when there is one) of the repositories in repos.txt, one
# directory per flake with the .nix, .toml and .json files beside and below it
# (what the flake imports or reads), plus CRLF copies of every 11th flake.
#
#   benches/corpus/build.sh DEST                        # clones from github.com
#   benches/corpus/build.sh --from-mirrors MIRRORS DEST  # no network
#   python3 benches/corpus/harness.py target/release/flakeedit DEST/src results.jsonl
#   python3 benches/corpus/summarize.py results.jsonl show   # with every failure
#
# --from-mirrors MIRRORS reads repositories that were already fetched: MIRRORS
# holds one bare git directory per repository, named `owner+name`, either
# directly or one level down (`owner+name/<any>`). Repositories missing there
# are skipped and counted.
#
# Needs git (and, without --from-mirrors, network access to github.com).
# Nothing fetched here is ever committed: the corpus is other projects' code.
set -euo pipefail
mirrors=
if [ "${1:-}" = --from-mirrors ]; then
  mirrors=${2:?usage: build.sh [--from-mirrors MIRRORS] DEST}
  shift 2
fi
dest=${1:?usage: build.sh [--from-mirrors MIRRORS] DEST}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest/repos" "$dest/src"

# The bare git directory of `owner/name` under $mirrors, if there is one.
mirror_of() {
  local base="$mirrors/${1/\//+}" candidate
  for candidate in "$base" "$base"/*; do
    if [ -d "$candidate" ] && git --git-dir="$candidate" rev-parse --verify -q HEAD >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

repos=0 skipped=0
while read -r repo; do
  repo=${repo%%#*}
  repo=${repo//[[:space:]]/}
  [ -z "$repo" ] && continue
  repos=$((repos + 1))
  if [ -n "$mirrors" ]; then
    if ! dir=$(mirror_of "$repo"); then
      echo "skipped $repo: no mirror" >&2
      skipped=$((skipped + 1))
      continue
    fi
  else
    dir="$dest/repos/${repo/\//+}"
    if ! { [ -d "$dir" ] || git clone --quiet --depth 1 --bare "https://github.com/$repo" "$dir"; }; then
      echo "skipped $repo: clone failed" >&2
      skipped=$((skipped + 1))
      continue
    fi
  fi
  git --git-dir="$dir" ls-tree -r --name-only HEAD | grep -E '(^|/)flake\.nix$' | while read -r path; do
    sub=$(dirname "$path")
    id="${repo/\//+}__${sub//\//_}"
    mkdir -p "$dest/src/$id"
    git --git-dir="$dir" show "HEAD:$path" > "$dest/src/$id/flake.nix"
    lock="${sub}/flake.lock"; [ "$sub" = . ] && lock=flake.lock
    git --git-dir="$dir" show "HEAD:$lock" > "$dest/src/$id/flake.lock" 2>/dev/null || rm -f "$dest/src/$id/flake.lock"
    # The files the flake may import or read (./nix/*.nix, Cargo.toml, …),
    # so that more of it evaluates; small text files only.
    prefix=; [ "$sub" = . ] || prefix="$sub/"
    git --git-dir="$dir" ls-tree -r -l HEAD -- "${prefix:-.}" \
      | awk '$4 != "-" && $4 <= 262144 { print $5 }' \
      | grep -E '\.(nix|toml|json)$' | grep -vE '(^|/)flake\.nix$' | head -n 600 \
      | xargs -r -d '\n' git --git-dir="$dir" archive --format=tar HEAD -- \
      | tar -x -i -C "$dest/src/$id" --strip-components="$(printf %s "$prefix" | tr -cd / | wc -c)" || true
  done || true
done < "$here/repos.txt"
# CRLF variants: the corpus has no CRLF flake of its own.
cd "$dest/src"
for d in $(ls | grep -v '^crlf__' | awk 'NR%11==0'); do
  rm -rf "crlf__$d"
  cp -r "$d" "crlf__$d"
  sed 's/$/\r/' "$d/flake.nix" > "crlf__$d/flake.nix"
done
echo "$(ls | wc -l) flakes in $dest/src from $((repos - skipped)) of $repos repositories ($skipped skipped)"
