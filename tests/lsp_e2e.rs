//! End-to-end tests of `flakeedit lsp`: the real binary, JSON-RPC over
//! stdio, and a client that applies `workspace/applyEdit` like an editor.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::lsp::{Client, TIMEOUT};

fn initialize(client: &mut Client) -> Value {
    initialize_with(client, Value::Null)
}

fn initialize_with(client: &mut Client, options: Value) -> Value {
    let capabilities = json!({
        "window": { "workDoneProgress": true },
        "textDocument": { "codeAction": {
            "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix", "refactor"] } },
            "resolveSupport": { "properties": ["edit"] } } },
        "workspace": {
            "workspaceEdit": { "documentChanges": true },
            "didChangeWatchedFiles": { "dynamicRegistration": true } },
        // An editor whose plugin runs the prompts, as the VS Code and
        // Neovim plugins announce.
        "experimental": { "commands": { "commands": ["flakeedit.addInput", "flakeedit.addSource"] } },
    });
    let result = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": capabilities,
                "initializationOptions": options }),
    );
    client.notify("initialized", json!({}));
    result
}

fn titles(actions: &[Value]) -> Vec<String> {
    actions
        .iter()
        .map(|a| a["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in the text")) as u32
}

#[test]
fn seed_flake_session() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flake.nix");
    let seed = include_str!("fixtures/seed/01-initial.nix");
    std::fs::write(&path, seed).unwrap();
    let mut client = Client::start();
    let init = initialize(&mut client);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["resolveProvider"],
        true
    );
    client.open(&path);
    let diagnostics = client.diagnostics(1);
    eprintln!("diagnostics of the seed: {diagnostics:#?}");

    // A syntax error gets a precise range, and goes away when fixed.
    let line = line_of(&client.text, "nixpkgs.url");
    let broken = json!({ "start": { "line": line, "character": 55 }, "end": { "line": line, "character": 56 } });
    client.version += 1;
    let version = client.version;
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": client.uri, "version": version },
                "contentChanges": [{ "range": broken, "text": "" }] }),
    );
    let errors = client.diagnostics(version);
    let error = errors
        .iter()
        .find(|d| d["code"] == "syntax-error")
        .expect("a syntax error");
    assert_eq!(error["severity"], 1);
    assert_eq!(error["range"]["start"]["line"], line + 1, "{error}");
    client.version += 1;
    let version = client.version;
    let restore = json!({ "start": { "line": line, "character": 55 }, "end": { "line": line, "character": 55 } });
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": client.uri, "version": version },
                "contentChanges": [{ "range": restore, "text": ";" }] }),
    );
    let after = client.diagnostics(version);
    assert!(
        after.iter().all(|d| d["code"] != "syntax-error"),
        "{after:#?}"
    );
    assert_eq!(client.text, seed);

    // "Add input…": the editor prompts, then runs the server command.
    let actions = client.code_actions(line, 6);
    assert!(
        titles(&actions).contains(&"Add input…".to_string()),
        "{actions:#?}"
    );
    let prompt = actions.iter().find(|a| a["title"] == "Add input…").unwrap();
    assert_eq!(prompt["command"]["command"], "flakeedit.addInput");
    let result = client.request(
        "workspace/executeCommand",
        json!({ "command": "flakeedit.server.addInput",
                "arguments": [{ "uri": client.uri, "url": "github:emilpriver/riot", "follows": ["nixpkgs"] }] }),
    );
    assert_eq!(result["applied"], true, "{result}");
    assert_eq!(client.text, include_str!("fixtures/seed/02-riot-input.nix"));

    // Input actions at the cursor, then a lock appears beside the flake.
    let riot = line_of(&client.text, "riot = {");
    let titles_before = titles(&client.code_actions(riot, 6));
    assert_eq!(
        titles_before,
        [
            "Remove input `riot`",
            "Set `flake = false` on `riot` (a plain source)",
            "Add input…",
            "Add source from GitHub…"
        ]
    );
    let lock = r#"{ "nodes": {
        "nixpkgs": { "locked": { "rev": "1111111111111111111111111111111111111111", "type": "github", "owner": "NixOS", "repo": "nixpkgs" } },
        "riot": { "inputs": { "nixpkgs": ["nixpkgs"] }, "locked": { "rev": "3333333333333333333333333333333333333333", "type": "github", "owner": "emilpriver", "repo": "riot" } },
        "root": { "inputs": { "nixpkgs": "nixpkgs", "riot": "riot" } } },
      "root": "root", "version": 7 }"#;
    std::fs::write(dir.path().join("flake.lock"), lock).unwrap();
    let lock_uri = format!("file://{}", dir.path().join("flake.lock").display());
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": lock_uri, "type": 1 }] }),
    );
    let actions = client.code_actions(riot, 6);
    assert!(
        titles(&actions).contains(&"Pin `riot` to the locked revision 3333333".to_string()),
        "{actions:#?}"
    );
    client.apply_action(&actions, "Pin `riot`");
    let actions = client.code_actions(riot, 6);
    client.apply_action(&actions, "Set `flake = false`");
    expect_test::expect_file!["fixtures/lsp/after-actions.nix"].assert_eq(&client.text);
    // The server's copy is the client's copy: one more round trip agrees.
    let version = client.version;
    let diagnostics = client.diagnostics(version);
    assert!(diagnostics.iter().all(|d| d["code"] != "syntax-error"));
    client.shutdown();
}

/// Waits for a response with `id` (a number, or null for parse errors).
fn response_with_id(client: &mut Client, id: Value) -> Value {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let message = client.receive(deadline);
        if message.get("method").is_none() && message.get("id") == Some(&id) {
            return message;
        }
    }
}

fn error_code(response: &Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {response}"))
}

#[test]
fn hostile_messages_get_errors_or_nothing_never_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flake.nix");
    std::fs::write(&path, include_str!("fixtures/seed/02-riot-input.nix")).unwrap();
    let mut client = Client::start();
    initialize(&mut client);

    // Malformed JSON: a parse error (-32700) with a null id.
    client.send_raw(b"{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": ");
    let response = response_with_id(&mut client, Value::Null);
    assert_eq!(error_code(&response), -32700, "{response}");
    // Bytes that are not UTF-8 (replaced by U+FFFD: an unknown method).
    client.send_raw(b"{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"\xff\xfe\",\"params\":{}}");
    let response = response_with_id(&mut client, json!(6));
    assert_eq!(error_code(&response), -32601, "{response}");
    // JSON that is not a JSON-RPC message: invalid request, with its id.
    client.send_raw(b"{\"id\": 8, \"params\": []}");
    let response = response_with_id(&mut client, json!(8));
    assert_eq!(error_code(&response), -32600, "{response}");
    // A header block without a usable length, then a valid message.
    client.send_unframed(b"Content-Length: lots\r\n\r\n");
    let response = response_with_id(&mut client, Value::Null);
    assert_eq!(error_code(&response), -32700, "{response}");
    // Unknown methods: MethodNotFound for a request, nothing for a notification.
    let response = client.request_response("flakeedit/unknown", json!({}));
    assert_eq!(error_code(&response), -32601, "{response}");
    client.notify("$/flakeedit/unknown", json!({}));
    // Wrong parameters for a known method.
    let response = client.request_response("textDocument/codeAction", json!({ "nonsense": 1 }));
    assert!(error_code(&response) < 0, "{response}");

    client.open(&path);
    client.diagnostics(1);
    // A stale version is ignored.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": client.uri, "version": 1 },
                "contentChanges": [{ "text": "{ broken" }] }),
    );
    // Out-of-range positions: clamped, for changes and for actions.
    let far = json!({ "line": 1_000_000, "character": 1_000_000 });
    let response = client.request_response(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": client.uri }, "range": { "start": far, "end": far },
                "context": { "diagnostics": [] } }),
    );
    assert!(response["result"].is_array(), "{response}");
    client.version += 1;
    let version = client.version;
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": client.uri, "version": version },
                "contentChanges": [{ "range": { "start": far, "end": { "line": 0, "character": 999 } }, "text": "" }] }),
    );
    // The clamped change deleted from the end of line 1 to the end: `{`.
    let diagnostics = client.diagnostics(version);
    assert!(
        diagnostics.iter().any(|d| d["code"] == "syntax-error"),
        "{diagnostics:#?}"
    );

    // Resolve and commands with nonsense: errors, not crashes.
    let response = client.request_response(
        "codeAction/resolve",
        json!({ "title": "x", "data": { "uri": "file:///nowhere/flake.nix", "action": "remove-input", "input": "a" } }),
    );
    assert!(error_code(&response) < 0, "{response}");
    let response = client.request_response(
        "codeAction/resolve",
        json!({ "title": "x", "data": { "something": "else" } }),
    );
    assert_eq!(response["result"]["title"], "x", "{response}");
    let response = client.request_response(
        "workspace/executeCommand",
        json!({ "command": "flakeedit.server.addInput", "arguments": [42] }),
    );
    assert_eq!(error_code(&response), -32602, "{response}");
    let response = client.request_response(
        "workspace/executeCommand",
        json!({ "command": "flakeedit.server.addInput",
                "arguments": [{ "uri": client.uri, "url": "github:a/b" }] }),
    );
    assert!(
        error_code(&response) < 0,
        "a file with syntax errors is not edited: {response}"
    );

    // A 9 MB document: opened, reported as too large, no actions, edits fine.
    let big_path = dir.path().join("big").join("flake.nix");
    let mut big = String::from("{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  outputs = { self, nixpkgs }: {\n    data = [\n");
    while big.len() < 9 * 1024 * 1024 {
        big.push_str("      \"abcdefghijklmnopqrstuvwxyz0123456789 é 🦀\"\n");
    }
    big.push_str("    ];\n  };\n}\n");
    let big_uri = format!("file://{}", big_path.display());
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": big_uri, "languageId": "nix", "version": 1, "text": big } }),
    );
    let started = Instant::now();
    let response = client.request_response(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": big_uri },
                "range": { "start": { "line": 3, "character": 0 }, "end": { "line": 3, "character": 0 } },
                "context": { "diagnostics": [] } }),
    );
    assert_eq!(response["result"], json!([]), "{response}");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": big_uri, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } }, "text": "  # a comment\n" }] }),
    );
    let deadline = Instant::now() + TIMEOUT;
    let too_large = loop {
        let found =
            client.notifications.iter().rev().find(|n| {
                n["params"]["uri"] == json!(big_uri) && n["params"]["version"] == json!(2)
            });
        if let Some(found) = found {
            break found["params"]["diagnostics"].clone();
        }
        client.receive(deadline);
    };
    assert_eq!(too_large[0]["code"], "too-large", "{too_large}");
    assert!(started.elapsed() < Duration::from_secs(10));

    // After all that, the server still answers, with the clamped change
    // applied: undoing it makes the flake whole again.
    client.version += 1;
    let version = client.version;
    let rest = include_str!("fixtures/seed/02-riot-input.nix")
        .split_once('\n')
        .map(|(_, rest)| format!("\n{rest}"))
        .unwrap();
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": client.uri, "version": version },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": 1 }, "end": { "line": 0, "character": 1 } }, "text": rest }] }),
    );
    let diagnostics = client.diagnostics(version);
    assert!(
        diagnostics.iter().all(|d| d["code"] != "syntax-error"),
        "{diagnostics:#?}"
    );
    let actions = client.code_actions(0, 0);
    assert!(
        titles(&actions).contains(&"Add input…".to_string()),
        "{actions:#?}"
    );
    client.shutdown();
}

/// Serves registered paths over HTTP on 127.0.0.1 (404 for the rest).
fn archive_server(routes: Vec<(String, Vec<u8>)>) -> String {
    use std::io::Write as _;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line.trim().is_empty() => break,
                    Ok(_) => {}
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let mut stream = stream;
            match routes.iter().find(|(route, _)| route == path) {
                Some((_, body)) => {
                    let header = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(header.as_bytes());
                    let _ = stream.write_all(body);
                }
                None => {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    base
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .args(args)
        .output()
        .expect("git is installed");
    assert!(output.status.success(), "git {args:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[test]
fn add_source_prefetches_with_progress_and_matches_the_cli() {
    // A repository and the archive of its commit, where GitHub serves it.
    let forge = tempfile::tempdir().unwrap();
    let work = forge.path().join("work");
    std::fs::create_dir_all(work.join("src")).unwrap();
    git(&work, &["init", "--quiet", "--initial-branch=main"]);
    std::fs::write(work.join("dune-project"), "(lang dune 3.0)\n").unwrap();
    std::fs::write(work.join("src/randomlib.ml"), "let x = 4\n").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "--quiet", "-m", "first"]);
    let commit = git(&work, &["rev-parse", "HEAD"]);
    let archive = forge.path().join("archive.tar.gz");
    git(
        &work,
        &[
            "archive",
            "--format=tar.gz",
            &format!("--prefix=randomlib-{commit}/"),
            "-o",
            archive.to_str().unwrap(),
            &commit,
        ],
    );
    let base = archive_server(vec![(
        format!("/owner/randomlib/archive/{commit}.tar.gz"),
        std::fs::read(&archive).unwrap(),
    )]);

    let seed = include_str!("fixtures/seed/03-package-default.nix");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("lsp")).unwrap();
    std::fs::create_dir_all(dir.path().join("cli")).unwrap();
    let path = dir.path().join("lsp/flake.nix");
    std::fs::write(&path, seed).unwrap();
    let cli_path = dir.path().join("cli/flake.nix");
    std::fs::write(&cli_path, seed).unwrap();

    let mut client = Client::start();
    initialize_with(
        &mut client,
        json!({ "githubUrl": base, "prefetcher": "native" }),
    );
    client.open(&path);
    client.diagnostics(1);
    let actions = client.code_actions(0, 0);
    let prompt = actions
        .iter()
        .find(|a| a["title"] == "Add source from GitHub…")
        .expect("the prompt action");
    assert_eq!(prompt["command"]["command"], "flakeedit.addSource");
    let spec = format!("owner/randomlib@{commit}");
    let result = client.request(
        "workspace/executeCommand",
        json!({ "command": "flakeedit.server.addSource",
                "arguments": [{ "uri": client.uri, "spec": spec }] }),
    );
    assert_eq!(result["applied"], true, "{result}");
    let progress: Vec<&Value> = client
        .notifications
        .iter()
        .filter(|n| n["method"] == "$/progress")
        .collect();
    let kinds: Vec<&str> = progress
        .iter()
        .filter_map(|n| n["params"]["value"]["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["begin", "end"], "{progress:#?}");

    // The CLI, on the same flake and forge, writes the same bytes.
    let output = Command::new(env!("CARGO_BIN_EXE_flakeedit"))
        .args(["--file", cli_path.to_str().unwrap(), "add-source", &spec])
        .args(["--github-url", &base, "--prefetcher", "native"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let from_cli = std::fs::read_to_string(&cli_path).unwrap();
    assert_ne!(from_cli, seed);
    assert_eq!(client.text, from_cli);

    // A placeholder hash gets "Prefetch the hash", resolved with the network.
    let hash_start = client.text.find("hash = \"sha256-").unwrap() + "hash = ".len();
    let hash_end = hash_start + client.text[hash_start..].find(';').unwrap();
    client.text.replace_range(hash_start..hash_end, "\"\"");
    client.version += 1;
    let version = client.version;
    let full = client.text.clone();
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": client.uri, "version": version },
                "contentChanges": [{ "text": full }] }),
    );
    let diagnostics = client.diagnostics(version);
    let fake = diagnostics
        .iter()
        .find(|d| d["code"] == "fake-hash")
        .unwrap_or_else(|| panic!("{diagnostics:#?}"))
        .clone();
    let start = &fake["range"]["start"];
    let actions = client.code_actions(
        start["line"].as_u64().unwrap() as u32,
        start["character"].as_u64().unwrap() as u32,
    );
    let prefetch = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Prefetch the hash"))
        })
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert!(prefetch.get("edit").is_none(), "listing must not download");
    assert_eq!(prefetch["diagnostics"][0]["code"], "fake-hash");
    client.apply_action(&actions, "Prefetch the hash");
    assert_eq!(client.text, from_cli);

    // A repository the forge does not have: an error, the file unchanged.
    let before = client.text.clone();
    let response = client.request_response(
        "workspace/executeCommand",
        json!({ "command": "flakeedit.server.addSource",
                "arguments": [{ "uri": client.uri, "spec": format!("owner/missing@{commit}") }] }),
    );
    assert!(
        response["error"]["message"].as_str().is_some(),
        "{response}"
    );
    assert_eq!(client.text, before);
    client.shutdown();
}

/// Hover, definition, references, rename (with flake.lock) and the outline
/// over stdio; other `.nix` files get nothing; positions past the end and a
/// malformed lock get answers, never a crash.
#[test]
fn reading_features_and_rename_over_stdio() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flake.nix");
    let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  inputs.utils = {\n    url = \"github:numtide/flake-utils\";\n    inputs.nixpkgs.follows = \"nixpkgs\";\n  };\n\n  outputs = { self, nixpkgs, utils }: {\n    lib = nixpkgs.lib;\n    utils = utils.lib;\n  };\n}\n";
    std::fs::write(&path, flake).unwrap();
    let lock = r#"{
  "nodes": {
    "nixpkgs": {
      "locked": {
        "lastModified": 1732837521,
        "narHash": "sha256-AAAA",
        "owner": "NixOS",
        "repo": "nixpkgs",
        "rev": "970e93b9f82e2a0f3675757eb0bfc73297cc6370",
        "type": "github"
      },
      "original": {
        "owner": "NixOS",
        "ref": "nixos-unstable",
        "repo": "nixpkgs",
        "type": "github"
      }
    },
    "root": {
      "inputs": {
        "nixpkgs": "nixpkgs",
        "utils": "utils"
      }
    },
    "utils": {
      "inputs": {
        "nixpkgs": [
          "nixpkgs"
        ]
      },
      "locked": {
        "lastModified": 1731533236,
        "narHash": "sha256-BBBB",
        "owner": "numtide",
        "repo": "flake-utils",
        "rev": "11707dc2f618dd54ca8739b309ec4fc024de578b",
        "type": "github"
      },
      "original": {
        "owner": "numtide",
        "repo": "flake-utils",
        "type": "github"
      }
    }
  },
  "root": "root",
  "version": 7
}
"#;
    std::fs::write(dir.path().join("flake.lock"), lock).unwrap();
    let mut client = Client::start();
    let init = initialize(&mut client);
    let capabilities = &init["capabilities"];
    assert_eq!(capabilities["hoverProvider"], true);
    assert_eq!(capabilities["renameProvider"]["prepareProvider"], true);
    client.open(&path);
    client.diagnostics(1);
    let uri = client.uri.clone();
    let at = |line: u32, character: u32| json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });

    // Hover on the outputs argument shows the locked commit and its link.
    let hover = client.request("textDocument/hover", at(7, 22));
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("[`970e93b`](https://github.com/NixOS/nixpkgs/commit/970e93b9f82e2a0f3675757eb0bfc73297cc6370)"), "{markdown}");
    // On `utils.lib`, which follows ours.
    let hover = client.request("textDocument/hover", at(9, 13));
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.contains("`nixpkgs`: follows `nixpkgs` (ours)"),
        "{markdown}"
    );

    // Definition: a use goes to the declaration, the declaration to flake.lock.
    let definition = client.request("textDocument/definition", at(8, 11));
    assert_eq!(
        definition["range"]["start"],
        json!({ "line": 1, "character": 9 })
    );
    let definition = client.request("textDocument/definition", at(1, 10));
    assert!(
        definition["uri"].as_str().unwrap().ends_with("/flake.lock"),
        "{definition}"
    );
    assert_eq!(
        definition["range"]["start"],
        json!({ "line": 2, "character": 4 })
    );
    let references = client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 8, "character": 11 },
                "context": { "includeDeclaration": true } }),
    );
    assert_eq!(references.as_array().unwrap().len(), 4, "{references}");

    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let names: Vec<&str> = symbols[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["nixpkgs", "utils"]);

    // Rename `utils` from its use: the flake and flake.lock change together.
    let prepared = client.request("textDocument/prepareRename", at(9, 13));
    assert_eq!(prepared["placeholder"], "utils");
    let mut params = at(9, 13);
    params["newName"] = json!("flake-utils");
    let edit = client.request("textDocument/rename", params.clone());
    let changes = edit["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{edit}");
    let lock_text = changes[1]["edits"][0]["newText"].as_str().unwrap();
    assert!(
        lock_text.contains("\"flake-utils\": \"flake-utils\""),
        "{lock_text}"
    );
    client.apply_workspace_edit(&json!({ "documentChanges": [changes[0].clone()] }));
    assert_eq!(
        client.text,
        flake
            .replace("inputs.utils", "inputs.flake-utils")
            .replace(" utils }", " flake-utils }")
            .replace("= utils.lib", "= flake-utils.lib")
    );
    // A refusal is an error that names the place.
    params["newName"] = json!("nixpkgs");
    let response = client.request_response("textDocument/rename", params);
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already declared"),
        "{response}"
    );

    // Positions past the end, and a malformed lock: answers, no crash.
    assert_eq!(
        client.request("textDocument/hover", at(999, 999)),
        Value::Null
    );
    std::fs::write(dir.path().join("flake.lock"), b"\xff{ not json").unwrap();
    let hover = client.request("textDocument/hover", at(7, 22));
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("No readable `flake.lock`"));

    // Another Nix file is not a flake: no diagnostics, no answers.
    let other = dir.path().join("default.nix");
    std::fs::write(&other, "{ inputs = 1; }\n").unwrap();
    let other_uri = format!("file://{}", other.display());
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
        "uri": other_uri, "languageId": "nix", "version": 1, "text": "{ inputs = 1; }\n" } }),
    );
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": other_uri }, "position": { "line": 0, "character": 3 } }),
    );
    assert_eq!(hover, Value::Null);
    client.request("shutdown", Value::Null);
    assert!(
        !client
            .notifications
            .iter()
            .any(|n| n["params"]["uri"] == json!(other_uri)),
        "diagnostics were published for default.nix"
    );
    client.notify("exit", Value::Null);
}

#[test]
fn package_actions_read_the_names_an_imported_file_defines() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("mylib");
    std::fs::create_dir_all(project.join("pkgs")).unwrap();
    let path = project.join("flake.nix");
    let flake = include_str!("fixtures/layouts/imported-packages/flake.nix");
    std::fs::write(&path, flake).unwrap();
    let mut client = Client::start();
    initialize(&mut client);
    client.open(&path);
    client.diagnostics(1);
    let line = line_of(&client.text, "packages = forAllSystems");
    // Without ./pkgs on disk, its names are unknown: no package action.
    let without = titles(&client.code_actions(line, 8));
    assert!(
        !without
            .iter()
            .any(|title| title.starts_with("Add a buildDunePackage")),
        "{without:?}"
    );
    std::fs::write(
        project.join("pkgs/default.nix"),
        include_str!("fixtures/layouts/imported-packages/pkgs/default.nix"),
    )
    .unwrap();
    let actions = client.code_actions(line, 8);
    client.apply_action(&actions, "Add a buildDunePackage `mylib`");
    assert!(
        client.text.contains(
            "packages = forAllSystems (system: import ./pkgs nixpkgs.legacyPackages.${system} // {\n        default = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {\n          pname = \"mylib\";"
        ),
        "{}",
        client.text
    );
    client.shutdown();
}
