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
  /** Sends `workspace/executeCommand` to the server. */
  execute(params: ExecuteCommandParams): Promise<unknown>;
  /** Shows an error. */
  error(message: string): void;
}

/**
 * Parses the answer to "Add input…": a flake reference, optionally followed
 * by `as NAME` and `follows CHILD[=TARGET],…` (e.g.
 * `github:emilpriver/riot follows nixpkgs`).
 */
export function parseInputAnswer(answer: string): {
  url: string;
  name?: string;
  follows: string[];
} | undefined {
  const words = answer.trim().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) {
    return undefined;
  }
  const result: { url: string; name?: string; follows: string[] } = { url: words[0], follows: [] };
  for (let i = 1; i < words.length; i += 2) {
    const value = words[i + 1];
    if (value === undefined) {
      return undefined;
    }
    if (words[i] === "as") {
      result.name = value;
    } else if (words[i] === "follows") {
      result.follows.push(...value.split(",").filter((f) => f.length > 0));
    } else {
      return undefined;
    }
  }
  return result;
}

/** Parses `owner/repo@rev` (the rev may be a branch, tag or commit). */
export function parseSourceAnswer(answer: string): { owner: string; repo: string; rev: string } | undefined {
  const match = /^\s*([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)@(\S+)\s*$/.exec(answer);
  if (!match) {
    return undefined;
  }
  return { owner: match[1], repo: match[2], rev: match[3] };
}

/** "Add input…": prompts for a reference and asks the server to add it. */
export async function addInput(host: CommandHost, uri: string): Promise<unknown> {
  const answer = await host.prompt(
    "Flake reference to add (optionally `as NAME`, `follows nixpkgs`)",
    "github:owner/repo follows nixpkgs",
  );
  if (answer === undefined || answer.trim() === "") {
    return undefined;
  }
  const parsed = parseInputAnswer(answer);
  if (!parsed) {
    host.error(`flakeedit: cannot read "${answer}"; write a flake reference, e.g. github:owner/repo follows nixpkgs`);
    return undefined;
  }
  return host.execute({
    command: ADD_INPUT_SERVER_COMMAND,
    arguments: [{ uri, url: parsed.url, name: parsed.name, follows: parsed.follows }],
  });
}

/** "Add source from GitHub…": prompts for `owner/repo@rev`. */
export async function addSource(host: CommandHost, uri: string): Promise<unknown> {
  const answer = await host.prompt("GitHub source to add, as owner/repo@rev", "owner/repo@v1.0.0");
  if (answer === undefined || answer.trim() === "") {
    return undefined;
  }
  const parsed = parseSourceAnswer(answer);
  if (!parsed) {
    host.error(`flakeedit: "${answer}" is not owner/repo@rev`);
    return undefined;
  }
  return host.execute({
    command: ADD_SOURCE_SERVER_COMMAND,
    arguments: [{ uri, spec: `${parsed.owner}/${parsed.repo}@${parsed.rev}` }],
  });
}
