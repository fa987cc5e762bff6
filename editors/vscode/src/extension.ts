// VS Code extension: starts `flakeedit lsp` for flake.nix files and adds
// the prompt commands "Add input…" and "Add source from GitHub…".

import * as vscode from "vscode";
import {
  ClientCapabilities,
  ExecuteCommandRequest,
  FeatureState,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  StaticFeature,
} from "vscode-languageclient/node";

import { addInput, addSource, CommandHost } from "./commands";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration("flakeedit");
  const command = config.get<string>("server.path") || "flakeedit";
  const extraArgs = config.get<string[]>("server.extraArgs") ?? [];
  return { command, args: ["lsp", ...extraArgs] };
}

/**
 * Tells the server that this client runs the prompting commands (the
 * rust-analyzer convention, `experimental.commands.commands`); the server
 * offers "Add input…" and "Add source from GitHub…" only to clients that do.
 */
class PromptCommandsFeature implements StaticFeature {
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
    experimental.commands = { commands: ["flakeedit.addInput", "flakeedit.addSource"] };
    capabilities.experimental = experimental;
  }

  initialize(): void {}

  getState(): FeatureState {
    return { kind: "static" };
  }

  clear(): void {}
}

function startClient(): LanguageClient {
  const config = vscode.workspace.getConfiguration("flakeedit");
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", pattern: "**/flake.nix" }],
    initializationOptions: {
      githubUrl: config.get<string>("github.url") || undefined,
      prefetcher: config.get<string>("prefetcher") ?? "auto",
      forgeUrls: config.get<string[]>("forgeUrls") ?? [],
    },
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/flake.lock"),
    },
  };
  const started = new LanguageClient("flakeedit", "flakeedit", serverOptions(), clientOptions);
  started.registerFeature(new PromptCommandsFeature());
  void started.start();
  return started;
}

/** The flake a command applies to: its argument, or the active editor's. */
function targetUri(argument: unknown): string | undefined {
  if (typeof argument === "string") {
    return argument;
  }
  const document = vscode.window.activeTextEditor?.document;
  if (document && document.uri.path.endsWith("/flake.nix")) {
    return document.uri.toString();
  }
  return undefined;
}

function host(): CommandHost {
  return {
    prompt: (prompt, placeHolder) => Promise.resolve(vscode.window.showInputBox({ prompt, placeHolder })),
    execute: async (params) => {
      if (!client) {
        throw new Error("the flakeedit language server is not running");
      }
      return client.sendRequest(ExecuteCommandRequest.type, params);
    },
  };
}

function promptCommand(run: typeof addInput) {
  return async (argument: unknown) => {
    const uri = targetUri(argument);
    if (!uri) {
      void vscode.window.showErrorMessage("flakeedit: open a flake.nix first");
      return;
    }
    try {
      await run(host(), uri);
    } catch (error) {
      void vscode.window.showErrorMessage(`flakeedit: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

export function activate(context: vscode.ExtensionContext): void {
  client = startClient();
  context.subscriptions.push(
    vscode.commands.registerCommand("flakeedit.addInput", promptCommand(addInput)),
    vscode.commands.registerCommand("flakeedit.addSource", promptCommand(addSource)),
    vscode.commands.registerCommand("flakeedit.restartServer", async () => {
      await client?.stop();
      client = startClient();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("flakeedit")) {
        await client?.stop();
        client = startClient();
      }
    }),
  );
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
