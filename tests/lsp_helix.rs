//! `flakeedit lsp` as Helix drives it. Helix cannot be installed for the
//! tests, so this client announces exactly what Helix's `initialize` sends
//! (helix-lsp/src/client.rs) and acts as Helix does: it attaches the server
//! to every Nix file, resolves a chosen code action's edit, applies it, and
//! sends any command of the action to the server with
//! `workspace/executeCommand` (Helix has no client-side commands).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(20);

/// The `initialize` parameters of Helix 25.07 (helix-lsp/src/client.rs,
/// with the default `editor.lsp.snippets = true` and no server `config`).
fn helix_initialize_params(root: &Path) -> Value {
    let root_uri = format!("file://{}", root.display());
    json!({
        "processId": std::process::id(),
        "workspaceFolders": [{ "uri": root_uri, "name": root.file_name().unwrap().to_string_lossy() }],
        "rootPath": root.display().to_string(),
        "rootUri": root_uri,
        "capabilities": {
            "workspace": {
                "configuration": true,
                "didChangeConfiguration": { "dynamicRegistration": false },
                "workspaceFolders": true,
                "applyEdit": true,
                "symbol": { "dynamicRegistration": false },
                "executeCommand": { "dynamicRegistration": false },
                "inlayHint": { "refreshSupport": false },
                "workspaceEdit": {
                    "documentChanges": true,
                    "resourceOperations": ["create", "rename", "delete"],
                    "failureHandling": "abort",
                    "normalizesLineEndings": false
                },
                "didChangeWatchedFiles": { "dynamicRegistration": true, "relativePatternSupport": false },
                "fileOperations": { "willRename": true, "didRename": true }
            },
            "textDocument": {
                "completion": {
                    "completionItem": {
                        "snippetSupport": true,
                        "resolveSupport": { "properties": ["documentation", "detail", "additionalTextEdits"] },
                        "insertReplaceSupport": true,
                        "deprecatedSupport": true,
                        "tagSupport": { "valueSet": [1] }
                    },
                    "completionItemKind": {}
                },
                "hover": { "contentFormat": ["markdown"] },
                "signatureHelp": {
                    "signatureInformation": {
                        "documentationFormat": ["markdown"],
                        "parameterInformation": { "labelOffsetSupport": true },
                        "activeParameterSupport": true
                    }
                },
                "rename": { "dynamicRegistration": false, "prepareSupport": true, "honorsChangeAnnotations": false },
                "formatting": { "dynamicRegistration": false },
                "codeAction": {
                    "codeActionLiteralSupport": { "codeActionKind": { "valueSet": [
                        "", "quickfix", "refactor", "refactor.extract", "refactor.inline",
                        "refactor.rewrite", "source", "source.organizeImports"
                    ] } },
                    "isPreferredSupport": true,
                    "disabledSupport": true,
                    "dataSupport": true,
                    "resolveSupport": { "properties": ["edit", "command"] }
                },
                "publishDiagnostics": { "versionSupport": true, "tagSupport": { "valueSet": [1, 2] } },
                "inlayHint": { "dynamicRegistration": false }
            },
            "window": { "workDoneProgress": true },
            "general": { "positionEncodings": ["utf-8", "utf-32", "utf-16"] }
        },
        "clientInfo": { "name": "helix", "version": "25.07.1" }
    })
}

struct Helix {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    notifications: Vec<Value>,
    /// Requests the server sent, by method.
    server_requests: Vec<String>,
    utf8: bool,
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Helix {
    fn start() -> Helix {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flakeedit"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("flakeedit lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Helix {
            child,
            stdin,
            messages,
            next_id: 1,
            notifications: Vec::new(),
            server_requests: Vec::new(),
            utf8: false,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The next message; the server's requests are answered as Helix would
    /// (edits are not expected in this session, so none is applied).
    fn receive(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = self
            .messages
            .recv_timeout(left)
            .expect("a message from the server in time");
        match (message.get("method"), message.get("id")) {
            (Some(method), Some(id)) => {
                self.server_requests
                    .push(method.as_str().unwrap_or_default().to_string());
                self.send(json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            }
            (Some(_), None) => self.notifications.push(message.clone()),
            _ => {}
        }
        message
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline);
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
        }
    }

    fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = format!("file://{}", path.display());
        // Helix's language id for every Nix file.
        let document = json!({ "uri": uri, "languageId": "nix", "version": 0, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
        uri
    }

    /// Waits for the diagnostics of `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let found = self.notifications.iter().rev().find(|n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
            });
            if let Some(found) = found {
                return found["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            self.receive(deadline);
        }
    }

    /// The byte offset of `position` in `text`, in the negotiated encoding.
    fn offset(&self, text: &str, position: &Value) -> usize {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (index, c) in text[start..].char_indices() {
            if units >= character || c == '\n' {
                return start + index;
            }
            units += if self.utf8 {
                c.len_utf8()
            } else {
                c.len_utf16()
            };
        }
        text.len()
    }

    fn apply(&self, text: &mut String, edit: &Value) {
        let mut edits: Vec<Value> = edit["documentChanges"]
            .as_array()
            .expect("documentChanges, which Helix announces")
            .iter()
            .flat_map(|change| change["edits"].as_array().cloned().unwrap_or_default())
            .collect();
        edits.sort_by_key(|e| {
            let start = &e["range"]["start"];
            std::cmp::Reverse((start["line"].as_u64(), start["character"].as_u64()))
        });
        for edit in edits {
            let start = self.offset(text, &edit["range"]["start"]);
            let end = self.offset(text, &edit["range"]["end"]);
            text.replace_range(start..end, edit["newText"].as_str().unwrap());
        }
    }
}

impl Drop for Helix {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in the text")) as u32
}

#[test]
fn helix_session_offers_only_what_helix_can_run_and_ignores_other_nix_files() {
    let dir = tempfile::tempdir().unwrap();
    let flake_path = dir.path().join("flake.nix");
    // The seed's step 2 without riot's follows: flake-parts is used, not declared.
    let flake: String = include_str!("fixtures/seed/02-riot-input.nix")
        .lines()
        .filter(|line| !line.contains("inputs.nixpkgs.follows = \"nixpkgs\";"))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(&flake_path, &flake).unwrap();
    let other_path = dir.path().join("default.nix");
    let other = "{ pkgs ? import <nixpkgs> { } }:\npkgs.hello\n";
    std::fs::write(&other_path, other).unwrap();

    let mut helix = Helix::start();
    let init = helix.request("initialize", helix_initialize_params(dir.path()));
    helix.notify("initialized", json!({}));
    let encoding = init["capabilities"]["positionEncoding"].clone();
    assert!(
        encoding == "utf-8" || encoding == "utf-16",
        "an encoding Helix offered: {init}"
    );
    helix.utf8 = encoding == "utf-8";
    let server_commands: Vec<Value> = init["capabilities"]["executeCommandProvider"]["commands"]
        .as_array()
        .cloned()
        .unwrap_or_default();

    // Helix attaches the server to every Nix file: a default.nix gets
    // nothing, neither diagnostics nor actions nor hover.
    let other_uri = helix.open(&other_path, other);
    let flake_uri = helix.open(&flake_path, &flake);
    let diagnostics = helix.diagnostics(&flake_uri);
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"registry-input"), "{diagnostics:#?}");
    let everywhere =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 10 } });
    let other_actions = helix.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": other_uri }, "range": everywhere,
                "context": { "diagnostics": [], "triggerKind": 1 } }),
    );
    assert!(
        other_actions.is_null() || other_actions == json!([]),
        "{other_actions}"
    );
    let other_hover = helix.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": other_uri }, "position": { "line": 1, "character": 2 } }),
    );
    assert!(other_hover.is_null(), "{other_hover}");
    let published_for_other: Vec<&Value> = helix
        .notifications
        .iter()
        .filter(|n| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"] == other_uri
                && n["params"]["diagnostics"] != json!([])
        })
        .collect();
    assert!(published_for_other.is_empty(), "{published_for_other:#?}");

    // `space a` on `flake-parts` in the outputs arguments, with the
    // diagnostics under the cursor, as Helix asks.
    let line = line_of(&flake, "inputs@{ flake-parts");
    let column = flake
        .lines()
        .nth(line as usize)
        .unwrap()
        .find("flake-parts")
        .unwrap() as u32;
    let cursor = json!({ "line": line, "character": column + 1 });
    let under_cursor: Vec<Value> = diagnostics
        .iter()
        .filter(|d| d["range"]["start"]["line"] == line)
        .cloned()
        .collect();
    let actions = helix.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": flake_uri }, "range": { "start": cursor, "end": cursor },
                "context": { "diagnostics": under_cursor, "triggerKind": 1 } }),
    );
    let actions = actions.as_array().cloned().unwrap_or_default();
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    // Helix sends every command to the server: an action whose command only
    // an editor plugin could run (the prompts) would fail "unknown command".
    for action in &actions {
        if let Some(command) = action.get("command") {
            assert!(
                server_commands.contains(&command["command"]),
                "`{}` names a command the server does not run: {command}",
                action["title"]
            );
        }
    }
    assert!(!titles.iter().any(|t| t.ends_with('…')), "{titles:?}");

    // Choose the quick fix: resolve it when it has no edit yet (Helix
    // announces resolveSupport for edit), then apply it.
    let fix = actions
        .iter()
        .find(|a| {
            a["kind"] == "quickfix"
                && a["title"]
                    .as_str()
                    .is_some_and(|t| t.contains("flake-parts"))
        })
        .unwrap_or_else(|| panic!("a quick fix for flake-parts in {titles:?}"))
        .clone();
    let fix = if fix.get("edit").is_some() {
        fix
    } else {
        helix.request("codeAction/resolve", fix)
    };
    let mut text = flake.clone();
    helix.apply(&mut text, &fix["edit"]);
    expect_test::expect_file!["fixtures/lsp/helix-after-quick-fix.nix"].assert_eq(&text);

    helix.request("shutdown", Value::Null);
    helix.notify("exit", Value::Null);
}
