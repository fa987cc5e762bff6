//! A language client for the end-to-end tests of `flakeedit lsp`: the
//! real binary, JSON-RPC over stdio. It answers the server's requests as
//! an editor does (`workspace/applyEdit` edits its copy of the document)
//! and records the server's notifications.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long any answer of the server may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A language client speaking to the spawned server.
pub struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications received so far, in order.
    pub notifications: Vec<Value>,
    /// Whether positions count UTF-8 bytes (negotiated), not UTF-16 units.
    pub utf8: bool,
    /// The client's copy of the document opened with [`Client::open`]
    /// (edits from the server are applied here).
    pub text: String,
    pub version: i32,
    pub uri: String,
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

impl Client {
    pub fn start() -> Client {
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
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
            notifications: Vec::new(),
            utf8: false,
            text: String::new(),
            version: 0,
            uri: String::new(),
        }
    }

    pub fn send_raw(&mut self, body: &[u8]) {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.stdin.write_all(header.as_bytes()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Writes `bytes` as they are, without a header (to test framing).
    pub fn send_unframed(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn send(&mut self, message: Value) {
        self.send_raw(message.to_string().as_bytes());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its whole response, answering the
    /// server's own requests meanwhile.
    pub fn request_response(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline);
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_response(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// The next message; server requests are answered, notifications recorded.
    pub fn receive(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = match self.messages.recv_timeout(left) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!("no message from the server in time"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        };
        if let (Some(method), Some(id)) = (message.get("method"), message.get("id")) {
            let result = match method.as_str() {
                Some("workspace/applyEdit") => {
                    self.apply_workspace_edit(&message["params"]["edit"]);
                    json!({ "applied": true })
                }
                _ => Value::Null,
            };
            self.send(json!({ "jsonrpc": "2.0", "id": id, "result": result }));
        } else if message.get("method").is_some() {
            self.notifications.push(message.clone());
        }
        message
    }

    /// Opens `text` as the document at `path` (version 0, as Helix does)
    /// without making it the client's document; its URI.
    pub fn open_text(&mut self, path: &Path, text: &str) -> String {
        let uri = format!("file://{}", path.display());
        let document = json!({ "uri": uri, "languageId": "nix", "version": 0, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
        uri
    }

    /// Waits for the latest diagnostics published for `uri`.
    pub fn diagnostics_of(&mut self, uri: &str) -> Vec<Value> {
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

    /// Applies the edits of a workspace edit's `documentChanges` to `text`
    /// (not the client's document).
    pub fn apply_to(&self, text: &mut String, edit: &Value) {
        let mut edits: Vec<Value> = edit["documentChanges"]
            .as_array()
            .expect("documentChanges, which the client announces")
            .iter()
            .flat_map(|change| change["edits"].as_array().cloned().unwrap_or_default())
            .collect();
        edits.sort_by_key(|e| {
            let start = &e["range"]["start"];
            std::cmp::Reverse((start["line"].as_u64(), start["character"].as_u64()))
        });
        for edit in edits {
            let start = offset(text, &edit["range"]["start"], self.utf8);
            let end = offset(text, &edit["range"]["end"], self.utf8);
            text.replace_range(start..end, edit["newText"].as_str().unwrap_or_default());
        }
    }

    /// Waits for the diagnostics of `version`.
    pub fn diagnostics(&mut self, version: i32) -> Vec<Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let found = self.notifications.iter().rev().find(|n| {
                n["method"] == "textDocument/publishDiagnostics"
                    && n["params"]["version"] == json!(version)
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

    pub fn open(&mut self, path: &Path) {
        self.text = std::fs::read_to_string(path).unwrap();
        self.uri = format!("file://{}", path.display());
        self.version = 1;
        let params = json!({ "textDocument": {
            "uri": self.uri, "languageId": "nix", "version": 1, "text": self.text } });
        self.notify("textDocument/didOpen", params);
    }

    /// Applies LSP edits to the client's copy and tells the server, as an
    /// editor does after `workspace/applyEdit` or a code action.
    pub fn apply_workspace_edit(&mut self, edit: &Value) {
        let edits: Vec<Value> = if let Some(changes) = edit["documentChanges"].as_array() {
            changes
                .iter()
                .flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default())
                .collect()
        } else {
            edit["changes"][&self.uri]
                .as_array()
                .cloned()
                .unwrap_or_default()
        };
        // Apply from the end so earlier ranges stay valid.
        let mut sorted = edits.clone();
        sorted.sort_by_key(|e| {
            let start = &e["range"]["start"];
            std::cmp::Reverse((start["line"].as_u64(), start["character"].as_u64()))
        });
        let mut content_changes = Vec::new();
        for edit in sorted {
            let start = offset(&self.text, &edit["range"]["start"], self.utf8);
            let end = offset(&self.text, &edit["range"]["end"], self.utf8);
            let new_text = edit["newText"].as_str().unwrap();
            self.text.replace_range(start..end, new_text);
            content_changes.push(json!({ "range": edit["range"], "text": new_text }));
        }
        self.version += 1;
        let params = json!({
            "textDocument": { "uri": self.uri, "version": self.version },
            "contentChanges": content_changes,
        });
        self.notify("textDocument/didChange", params);
    }

    pub fn code_actions(&mut self, line: u32, character: u32) -> Vec<Value> {
        let position = json!({ "line": line, "character": character });
        let params = json!({
            "textDocument": { "uri": self.uri },
            "range": { "start": position, "end": position },
            "context": { "diagnostics": [] },
        });
        self.request("textDocument/codeAction", params)
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Resolves and applies the action whose title starts with `title`.
    pub fn apply_action(&mut self, actions: &[Value], title: &str) {
        let action = actions
            .iter()
            .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with(title)))
            .unwrap_or_else(|| panic!("no action `{title}` in {actions:#?}"))
            .clone();
        let action = if action.get("edit").is_some() {
            action
        } else {
            self.request("codeAction/resolve", action)
        };
        self.apply_workspace_edit(&action["edit"]);
    }

    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        };
        assert!(status.success(), "the server exited with {status}");
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave its server running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The byte offset of an LSP position in `text`: its columns count UTF-8
/// bytes when `utf8`, UTF-16 units otherwise.
pub fn offset(text: &str, position: &Value, utf8: bool) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (index, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + index;
        }
        units += if utf8 { c.len_utf8() } else { c.len_utf16() };
    }
    text.len()
}
