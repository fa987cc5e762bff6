// Drives the real `flakeedit lsp` through vscode-jsonrpc with the
// extension's own command code (dist/commands.js, built from src/commands.ts).
// The server binary: $FLAKEEDIT_BIN, or the workspace's target/debug/flakeedit.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const childProcess = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const rpc = require("vscode-jsonrpc/node");

const commands = require("../dist/commands.js");

const repository = path.resolve(__dirname, "../../..");

function serverBinary() {
  const binary = process.env.FLAKEEDIT_BIN || path.join(repository, "target/debug/flakeedit");
  if (!fs.existsSync(binary)) {
    throw new Error(`no flakeedit binary at ${binary}: run \`cargo build\` first or set FLAKEEDIT_BIN`);
  }
  return binary;
}

/** Offset of an LSP position (UTF-16 columns: JavaScript strings are UTF-16). */
function offsetOf(text, position) {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) {
      return text.length;
    }
    offset = next + 1;
  }
  const end = text.indexOf("\n", offset);
  const lineEnd = end < 0 ? text.length : end;
  return Math.min(offset + position.character, lineEnd);
}

/** An editor-like session: one open document kept in sync with the server. */
async function session(text) {
  const child = childProcess.spawn(serverBinary(), ["lsp"], { stdio: ["pipe", "pipe", "inherit"] });
  const connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "flakeedit-vscode-"));
  const file = path.join(directory, "flake.nix");
  fs.writeFileSync(file, text);
  const state = { uri: `file://${file}`, text, version: 1, diagnostics: new Map(), waiters: [] };

  function applyEdits(edits) {
    const sorted = [...edits].sort((a, b) =>
      b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    for (const edit of sorted) {
      const start = offsetOf(state.text, edit.range.start);
      const end = offsetOf(state.text, edit.range.end);
      state.text = state.text.slice(0, start) + edit.newText + state.text.slice(end);
    }
    state.version += 1;
    connection.sendNotification("textDocument/didChange", {
      textDocument: { uri: state.uri, version: state.version },
      contentChanges: [{ text: state.text }],
    });
  }

  function applyWorkspaceEdit(edit) {
    const edits = edit.documentChanges
      ? edit.documentChanges.flatMap((change) => change.edits)
      : edit.changes[state.uri];
    applyEdits(edits);
  }

  connection.onRequest("workspace/applyEdit", (params) => {
    applyWorkspaceEdit(params.edit);
    return { applied: true };
  });
  connection.onRequest("client/registerCapability", () => null);
  connection.onNotification("textDocument/publishDiagnostics", (params) => {
    state.diagnostics.set(params.version, params.diagnostics);
    state.waiters = state.waiters.filter((waiter) => !waiter(params));
  });
  connection.listen();

  const initialized = await connection.sendRequest("initialize", {
    processId: process.pid,
    rootUri: `file://${directory}`,
    capabilities: {
      general: { positionEncodings: ["utf-16"] },
      workspace: { workspaceEdit: { documentChanges: true } },
      textDocument: {
        codeAction: {
          codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix", "refactor"] } },
          resolveSupport: { properties: ["edit"] },
        },
      },
      // What the extension's PromptCommandsFeature announces.
      experimental: { commands: { commands: ["flakeedit.addInput", "flakeedit.addSource"] } },
    },
  });
  connection.sendNotification("initialized", {});
  connection.sendNotification("textDocument/didOpen", {
    textDocument: { uri: state.uri, languageId: "nix", version: 1, text },
  });

  return {
    state,
    initialized,
    connection,
    applyWorkspaceEdit,
    diagnostics(version) {
      if (state.diagnostics.has(version)) {
        return Promise.resolve(state.diagnostics.get(version));
      }
      return new Promise((resolve) => {
        state.waiters.push((params) => {
          if (params.version === version) {
            resolve(params.diagnostics);
            return true;
          }
          return false;
        });
      });
    },
    async close() {
      await connection.sendRequest("shutdown");
      connection.sendNotification("exit");
      await new Promise((resolve) => child.on("exit", resolve));
      connection.dispose();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

const seed = fs.readFileSync(path.join(repository, "tests/fixtures/seed/01-initial.nix"), "utf8");

test("answers are read by the server, which explains the ones it cannot read", async () => {
  const server = await session(seed);
  try {
    const before = server.state.text;
    const host = {
      prompt: async () => "github:a/b follows",
      execute: (params) => server.connection.sendRequest("workspace/executeCommand", params),
    };
    await assert.rejects(
      commands.addInput(host, server.state.uri),
      (error) =>
        error.message.includes("cannot read `github:a/b follows` as REF [as NAME] [follows CHILD[=TARGET],…]") &&
        error.message.includes("github:owner/repo follows nixpkgs"),
    );
    host.prompt = async () => "not a spec";
    await assert.rejects(commands.addSource(host, server.state.uri), /`not a spec` is not OWNER\/REPO@REV/);
    assert.equal(server.state.text, before);
  } finally {
    await server.close();
  }
});

test("the seed flake: diagnostic, quick fix, and Add input… through the extension's command", async () => {
  const server = await session(seed);
  try {
    assert.equal(server.initialized.capabilities.positionEncoding, "utf-16");
    assert.ok(server.initialized.capabilities.executeCommandProvider.commands.includes(commands.ADD_INPUT_SERVER_COMMAND));

    const diagnostics = await server.diagnostics(1);
    const undeclared = diagnostics.find((d) => d.code === "registry-input");
    assert.ok(undeclared, JSON.stringify(diagnostics));
    const line = seed.split("\n")[undeclared.range.start.line];
    assert.equal(line.slice(undeclared.range.start.character, undeclared.range.end.character), "flake-parts");

    const actions = await server.connection.sendRequest("textDocument/codeAction", {
      textDocument: { uri: server.state.uri },
      range: undeclared.range,
      context: { diagnostics: [undeclared] },
    });
    const fix = actions.find((a) => a.kind === "quickfix");
    assert.ok(fix && fix.edit, JSON.stringify(actions));
    assert.equal(fix.diagnostics[0].code, "registry-input");
    server.applyWorkspaceEdit(fix.edit);
    assert.match(server.state.text, /flake-parts = \{\n {6}url = "github:hercules-ci\/flake-parts";/);
    const after = await server.diagnostics(server.state.version);
    assert.equal(after.filter((d) => d.code === "registry-input").length, 0, JSON.stringify(after));

    // The code action only names the client command; the extension prompts.
    const prompt = actions.find((a) => a.title === "Add input…");
    assert.equal(prompt.command.command, "flakeedit.addInput");
    const host = {
      prompt: async () => "github:emilpriver/riot follows nixpkgs",
      execute: (params) => server.connection.sendRequest("workspace/executeCommand", params),
    };
    const result = await commands.addInput(host, prompt.command.arguments[0]);
    assert.equal(result.applied, true);
    assert.match(
      server.state.text,
      /riot = \{\n {6}url = "github:emilpriver\/riot";\n {6}inputs\.nixpkgs\.follows = "nixpkgs";\n {4}\};/,
    );

    // A reference the server refuses comes back as an error, the file unchanged.
    const before = server.state.text;
    host.prompt = async () => "github:emilpriver/riot as self";
    await assert.rejects(commands.addInput(host, server.state.uri), /self/);
    assert.equal(server.state.text, before);
  } finally {
    await server.close();
  }
});
