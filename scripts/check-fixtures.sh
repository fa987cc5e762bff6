#!/usr/bin/env bash
# Checks the test data with the real Nix parser and evaluator:
#   - every fixture flake parses with `nix-instantiate --parse`, and every file
#     under tests/fixtures/broken/ fails to parse;
#   - the style fixtures keep their bytes (CRLF, no trailing newline);
#   - every layout and seed fixture, every example and the project's own flake
#     evaluate completely against tests/stubs;
#   - the seed's final docker image exposes 8000/tcp;
#   - every tests/fixtures/locks/*.lock is a well-formed version 7 lock.
set -euo pipefail
cd "$(dirname "$0")/.."

nix_instantiate() {
  # No build users: evaluation builds nothing, and without this Nix warns on
  # stderr when the `nixbld` group does not exist, which the checks below read.
  NIX_REMOTE="" nix-instantiate --option substituters "" --option build-users-group "" "$@"
}

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# Fixtures that must parse, and fixtures that must not.
while IFS= read -r -d '' file; do
  if ! error=$(nix_instantiate --parse "$file" 2>&1 >/dev/null); then
    fail "$file does not parse: $error"
  fi
done < <(find tests/fixtures examples flake.nix -name '*.nix' -not -path 'tests/fixtures/broken/*' -print0 | sort -z)

while IFS= read -r -d '' file; do
  if nix_instantiate --parse "$file" >/dev/null 2>&1; then
    fail "$file is in broken/ but parses"
  fi
done < <(find tests/fixtures/broken -name '*.nix' -print0 | sort -z)

# Style fixtures whose point is their bytes.
crlf=tests/fixtures/inputs/style-crlf.nix
if [ "$(grep -c $'\r$' "$crlf")" != "$(wc -l <"$crlf")" ]; then
  fail "$crlf must end every line with CRLF"
fi
if [ "$(tail -c 1 tests/fixtures/inputs/style-no-trailing-newline.nix | od -An -c | tr -d ' ')" = '\n' ]; then
  fail "tests/fixtures/inputs/style-no-trailing-newline.nix must not end with a newline"
fi

# Full evaluation against the stubs: `show` forces every value of the outputs.
evaluate() {
  local file=$1 expression=$2
  nix_instantiate --eval --strict --json --expr "
    let
      inspect = import ./tests/stubs/inspect.nix;
      outputs = import ./tests/stubs/eval.nix { flake = ./$file; };
    in
    $expression"
}
while IFS= read -r -d '' file; do
  if ! error=$(evaluate "$file" 'inspect.show outputs' 2>&1 >/dev/null); then
    fail "$file does not evaluate against tests/stubs: $error"
  fi
# Files a fixture imports (not flakes) are evaluated through that fixture.
done < <(find tests/fixtures/inputs tests/fixtures/layouts tests/fixtures/seed tests/fixtures/values tests/fixtures/shells tests/fixtures/realworld examples flake.nix -name '*.nix' \
  -not -path 'tests/fixtures/layouts/imported-packages/pkgs/*' -not -path 'tests/fixtures/layouts/imported-packages/nix/*' -print0 | sort -z)

ports=$(evaluate tests/fixtures/seed/09-final.nix 'outputs.packages.x86_64-linux.dockerImage.config.ExposedPorts' 2>&1) || true
if [ "$ports" != '{"8000/tcp":{}}' ]; then
  fail "seed 09-final: dockerImage.config.ExposedPorts is $ports"
fi
project=$(nix_instantiate --eval --strict --json tests/stubs/project-flake.nix 2>&1) || fail "flake.nix: $project"
case $project in
  *'"pname":"flakeedit"'*) ;;
  *) fail "flake.nix: packages.default is not flakeedit: $project" ;;
esac

# Locks.
for lock in tests/fixtures/locks/*.lock; do
  problems=$(nix_instantiate --eval --strict --json scripts/validate-lock.nix --arg lock "./$lock" 2>&1) || true
  if [ "$problems" != "[]" ]; then
    fail "$lock: $problems"
  fi
done

if [ "$failures" -gt 0 ]; then
  echo "$failures fixture check(s) failed" >&2
  exit 1
fi
echo "fixtures: all parse, broken ones fail, layouts/seed/examples/flake.nix evaluate, locks are well formed"
