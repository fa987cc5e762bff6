//! `flakeedit lsp` as Helix drives it. Helix cannot be installed for the
//! tests, so this client announces exactly what Helix's `initialize` sends
//! (helix-lsp/src/client.rs) and acts as Helix does: it attaches the server
//! to every Nix file, resolves a chosen code action's edit, applies it, and
//! sends any command of the action to the server with
//! `workspace/executeCommand` (Helix has no client-side commands).

mod common;

use std::path::Path;

use serde_json::{json, Value};

use common::lsp::Client;

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

    let mut helix = Client::start();
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
    let other_uri = helix.open_text(&other_path, other);
    let flake_uri = helix.open_text(&flake_path, &flake);
    let diagnostics = helix.diagnostics_of(&flake_uri);
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
    helix.apply_to(&mut text, &fix["edit"]);
    expect_test::expect_file!["fixtures/lsp/helix-after-quick-fix.nix"].assert_eq(&text);

    helix.shutdown();
}
