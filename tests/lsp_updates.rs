//! "Check for updates" in the language server, end to end and offline but
//! real: the real server over stdio, a repository reached as a
//! `git+file://` URL and another through a git smart-HTTP server on
//! 127.0.0.1 that the `forgeUrls` setting redirects github.com to. The
//! quick fix's result must be what `flakeedit update` writes, and Nix's
//! parser judges it.

mod common;
mod git_http;

use std::time::Instant;

use common::lsp::{Client, TIMEOUT};
use common::*;
use flakeedit_oracle::Nix;
use git_http::{repository, GitServer};
use serde_json::{json, Value};

fn initialize(client: &mut Client, forge_url: &str) {
    let capabilities = json!({
        "window": { "workDoneProgress": true },
        "textDocument": { "codeAction": {
            "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix", "refactor"] } },
            "resolveSupport": { "properties": ["edit"] } } },
        "workspace": { "workspaceEdit": { "documentChanges": true } },
    });
    client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": capabilities,
                "initializationOptions": { "forgeUrls": [forge_url] } }),
    );
    client.notify("initialized", json!({}));
}

fn flake(tool: &str) -> String {
    format!(
        r#"{{
  description = "updates in the editor";
  inputs = {{
    # the tool, on a release tag
    tool.url = "{tool}?ref=v1.9.0";
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
    kept.url = "github:NixOS/nixpkgs/nixos-24.05"; # flakeedit: pin
    tool.inputs.nixpkgs.follows = "nixpkgs";
  }};
  outputs = {{ self, nixpkgs, ... }}: {{ }};
}}
"#
    )
}

fn updates_of(diagnostics: &[Value]) -> Vec<(u64, String)> {
    let mut found: Vec<(u64, String)> = diagnostics
        .iter()
        .filter(|d| d["code"] == "update-available")
        .map(|d| {
            assert_eq!(d["severity"], 3, "information: {d}");
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn check_for_updates_then_the_quick_fix_writes_what_the_cli_writes() {
    let root = tempfile::tempdir().unwrap();
    let tool = repository(
        root.path(),
        "tool.git",
        &["v1.2.0", "v1.9.0", "v1.10.0", "v1.11.0-rc.1"],
        &[],
    );
    repository(
        root.path(),
        "NixOS/nixpkgs.git",
        &[],
        &["nixos-24.05", "nixos-24.11", "nixos-unstable"],
    );
    let server = GitServer::start(root.path());
    let forge_url = format!("github.com={}", server.base);
    let tool_url = format!("git+file://{}", tool.display());
    let before = flake(&tool_url);
    let (project, path) = project(&before);

    let mut client = Client::start();
    initialize(&mut client, &forge_url);
    client.open(&path);
    let uri = client.uri.clone();
    assert!(
        updates_of(&client.diagnostics(1)).is_empty(),
        "nothing is known before the check"
    );

    // The lens on the inputs runs the server's command.
    let lenses = client.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    );
    let lenses = lenses.as_array().expect("lenses");
    assert_eq!(lenses.len(), 1, "{lenses:#?}");
    let command = &lenses[0]["command"];
    assert_eq!(command["title"], "Check for updates");
    assert_eq!(command["command"], "flakeedit.server.checkForUpdates");

    let result = client.request(
        "workspace/executeCommand",
        json!({ "command": command["command"], "arguments": command["arguments"] }),
    );
    assert_eq!(
        result["available"],
        json!([
            { "name": "tool", "current": "v1.9.0", "newer": "v1.10.0" },
            { "name": "nixpkgs", "current": "nixos-24.05", "newer": "nixos-24.11" },
        ]),
        "{result}"
    );
    assert_eq!(result["failures"], json!([]));
    // One listing of nixpkgs, though two inputs name it (one is pinned and
    // not asked about at all).
    assert_eq!(server.queries_of("/NixOS/nixpkgs.git"), 1);
    let progress: Vec<&Value> = client
        .notifications
        .iter()
        .filter(|n| n["method"] == "$/progress")
        .collect();
    assert!(
        progress
            .iter()
            .any(|n| n["params"]["value"]["kind"] == "begin")
            && progress
                .iter()
                .any(|n| n["params"]["value"]["kind"] == "end"),
        "{progress:#?}"
    );

    let tool_line = before
        .lines()
        .position(|line| line.contains("tool.url"))
        .unwrap() as u64;
    let nixpkgs_line = tool_line + 1;
    let deadline = Instant::now() + TIMEOUT;
    let diagnostics = loop {
        let latest = client.diagnostics(1);
        if !updates_of(&latest).is_empty() {
            break latest;
        }
        client.receive(deadline);
    };
    assert_eq!(
        updates_of(&diagnostics),
        [
            (tool_line, "v1.10.0 is available (on v1.9.0)".to_string()),
            (
                nixpkgs_line,
                "nixos-24.11 is available (on nixos-24.05)".to_string()
            ),
        ]
    );

    let actions = client.code_actions(tool_line as u32, 6);
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(titles.contains(&"Update `tool` to v1.10.0"), "{titles:?}");
    assert!(
        !titles.iter().any(|t| t.contains("nixpkgs` to")),
        "only the input under the cursor: {titles:?}"
    );
    client.apply_action(&actions, "Update `tool` to v1.10.0");
    let edited = client.text.clone();
    assert_eq!(edited, before.replace("?ref=v1.9.0", "?ref=v1.10.0"));
    // Judged by evaluation: the inputs mean what they meant, apart from
    // the tool's reference.
    let nix = Nix::require();
    let inputs = "(import ./flake.nix).inputs";
    let mut expected = nix.eval_flake(&before, inputs);
    expected["tool"]["url"] = json!(format!("{tool_url}?ref=v1.10.0"));
    assert_eq!(nix.eval_flake(&edited, inputs), expected);

    // After the edit the tool's finding no longer holds; nixpkgs' does.
    let after = client.diagnostics(client.version);
    assert_eq!(
        updates_of(&after),
        [(
            nixpkgs_line,
            "nixos-24.11 is available (on nixos-24.05)".to_string()
        )]
    );
    client.shutdown();

    // The CLI's `update tool` writes the same file.
    let output = flakeedit(
        project.path(),
        &["update", "tool", &format!("--forge-url={forge_url}")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
}

#[test]
fn a_repository_that_cannot_be_listed_is_named_and_nothing_is_claimed() {
    let root = tempfile::tempdir().unwrap();
    let gone = root.path().join("gone.git");
    let before = flake(&format!("git+file://{}", gone.display()));
    let (_project, path) = project(&before);
    let mut client = Client::start();
    initialize(&mut client, "github.com=http://127.0.0.1:9");
    client.open(&path);
    let result = client.request(
        "workspace/executeCommand",
        json!({ "command": "flakeedit.server.checkForUpdates",
                "arguments": [{ "uri": client.uri }] }),
    );
    assert_eq!(result["available"], json!([]), "{result}");
    let failures: Vec<&str> = result["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(failures.iter().any(|f| f.starts_with("input `tool`")));
    assert!(failures.iter().any(|f| f.starts_with("input `nixpkgs`")));
    assert!(
        client
            .notifications
            .iter()
            .any(|n| n["method"] == "window/showMessage"
                && n["params"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("input `tool`"))),
        "the failure is shown to the user"
    );
    // A bad setting is an error naming it, not a silent default.
    let mut client = Client::start();
    initialize(&mut client, "not-a-redirect");
    client.open(&path);
    let response = client.request_response(
        "workspace/executeCommand",
        json!({ "command": "flakeedit.server.checkForUpdates",
                "arguments": [{ "uri": client.uri }] }),
    );
    let message = response["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("forgeUrls"), "{response}");
}
