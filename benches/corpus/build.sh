#!/usr/bin/env bash
# Rebuilds the real-world corpus OUTSIDE the repository: every flake.nix (with
# its flake.lock when there is one) of the repositories in repos.txt, one
# directory per flake, plus CRLF copies of every 11th flake.
#
#   benches/corpus/build.sh DEST            # DEST must not be inside the repo
#   python3 benches/corpus/harness.py target/release/flakeedit DEST/src results.jsonl
#   python3 benches/corpus/summarize.py results.jsonl show   # with every failure
#
# Needs git and network access to github.com. Nothing fetched here is ever
# committed: the corpus is other projects' code.
set -euo pipefail
dest=${1:?usage: build.sh DEST}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest/repos" "$dest/src"
while read -r repo; do
  [ -z "$repo" ] && continue
  dir="$dest/repos/${repo/\//+}"
  [ -d "$dir" ] || git clone --quiet --depth 1 --bare "https://github.com/$repo" "$dir" || continue
  git -C "$dir" ls-tree -r --name-only HEAD | grep -E '(^|/)flake\.nix$' | while read -r path; do
    sub=$(dirname "$path")
    id="${repo/\//+}__${sub//\//_}"
    mkdir -p "$dest/src/$id"
    git -C "$dir" show "HEAD:$path" > "$dest/src/$id/flake.nix"
    lock="${sub}/flake.lock"; [ "$sub" = . ] && lock=flake.lock
    git -C "$dir" show "HEAD:$lock" > "$dest/src/$id/flake.lock" 2>/dev/null || rm -f "$dest/src/$id/flake.lock"
  done
done < "$here/repos.txt"
# CRLF variants: the corpus has no CRLF flake of its own.
cd "$dest/src"
for d in $(ls | grep -v '^crlf__' | awk 'NR%11==0'); do
  mkdir -p "crlf__$d"
  sed 's/$/\r/' "$d/flake.nix" > "crlf__$d/flake.nix"
  [ -f "$d/flake.lock" ] && cp "$d/flake.lock" "crlf__$d/"
done
echo "$(ls | wc -l) flakes in $dest/src"
