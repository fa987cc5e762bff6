// The client side of the prompt commands, without the `vscode` module, so
// the node tests can drive the real server with exactly this code.

/** The server command that adds an input (see crates/lsp). */
export const ADD_INPUT_SERVER_COMMAND = "flakeedit.server.addInput";
/** The server command that adds a source from GitHub, when the server has it. */
export const ADD_SOURCE_SERVER_COMMAND = "flakeedit.server.addSource";

/** `workspace/executeCommand` parameters. */
export interface ExecuteCommandParams {
  command: string;
  arguments: unknown[];
}

/** What a prompt command needs from its host (VS Code, or a test). */
export interface CommandHost {
  /** Asks the user; `undefined` when they cancel. */
  prompt(question: string, placeholder: string): Promise<string | undefined>;
  /**
   * Sends `workspace/executeCommand` to the server; rejects with the
   * server's message when it refuses (the host shows it).
   */
  execute(params: ExecuteCommandParams): Promise<unknown>;
}

/**
 * "Add input…": prompts for a reference, optionally followed by `as NAME` and
 * `follows CHILD[=TARGET],…`, and sends the answer as typed: the server reads
 * it (the same reading as the command line's) and, when it cannot, rejects
 * the request with a message that says why and gives an example.
 */
export async function addInput(host: CommandHost, uri: string): Promise<unknown> {
  const answer = await host.prompt(
    "Flake reference to add (optionally `as NAME`, `follows nixpkgs`)",
    "github:owner/repo follows nixpkgs",
  );
  if (answer === undefined || answer.trim() === "") {
    return undefined;
  }
  return host.execute({
    command: ADD_INPUT_SERVER_COMMAND,
    arguments: [{ uri, answer }],
  });
}

/** "Add source from GitHub…": prompts for `owner/repo@rev`, sent as typed. */
export async function addSource(host: CommandHost, uri: string): Promise<unknown> {
  const answer = await host.prompt("GitHub source to add, as owner/repo@rev", "owner/repo@v1.0.0");
  if (answer === undefined || answer.trim() === "") {
    return undefined;
  }
  return host.execute({
    command: ADD_SOURCE_SERVER_COMMAND,
    arguments: [{ uri, spec: answer.trim() }],
  });
}
