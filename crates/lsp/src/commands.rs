//! `workspace/executeCommand`: the commands behind "Add input…" and "Add
//! source from GitHub…". The editor prompts (its own command, e.g.
//! `flakeedit.addInput`), then calls the server command with the answer;
//! the server computes the verified edit and sends it back with
//! `workspace/applyEdit`.

use flakeedit_flake::{AddInput, Operation};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{ExecuteCommandParams, LSPAny, MessageType, Uri};
use tower_lsp_server::Client;

use crate::analysis;
use crate::server::{request_failed, shielded, workspace_edit, Shared, ADD_INPUT_COMMAND};

/// The commands the server executes.
pub fn server_commands() -> Vec<String> {
    vec![ADD_INPUT_COMMAND.to_string()]
}

/// Arguments of `flakeedit.server.addInput` (one JSON object).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddInputArgs {
    /// The flake to edit (an open document).
    pub uri: Uri,
    /// The flake reference the user typed (`github:o/r` or `o/r`).
    pub url: String,
    /// The input's name; inferred from the url when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// `CHILD` or `CHILD=TARGET` follows to declare.
    #[serde(default)]
    pub follows: Vec<String>,
    /// Write `flake = false`.
    #[serde(default)]
    pub no_flake: bool,
}

fn argument<T: for<'de> Deserialize<'de>>(params: &ExecuteCommandParams) -> jsonrpc::Result<T> {
    let first = params.arguments.first().cloned().unwrap_or(Value::Null);
    serde_json::from_value(first).map_err(|error| {
        jsonrpc::Error::invalid_params(format!(
            "`{}` expects one object argument: {error}",
            params.command
        ))
    })
}

/// Runs a server command.
pub(crate) async fn execute(
    client: &Client,
    shared: &Shared,
    params: ExecuteCommandParams,
) -> jsonrpc::Result<Option<LSPAny>> {
    match params.command.as_str() {
        ADD_INPUT_COMMAND => {
            let args: AddInputArgs = argument(&params)?;
            let follows = args
                .follows
                .iter()
                .map(|spec| match spec.split_once('=') {
                    Some((child, target)) => (child.to_string(), target.to_string()),
                    None => {
                        let target = spec.rsplit('/').next().unwrap_or(spec);
                        (spec.clone(), target.to_string())
                    }
                })
                .collect();
            let operation = Operation::AddInput(AddInput {
                url: args.url.trim().to_string(),
                name: args.name.filter(|name| !name.trim().is_empty()),
                follows,
                no_flake: args.no_flake,
            });
            apply_operation(client, shared, &args.uri, &operation).await
        }
        other => Err(jsonrpc::Error::invalid_params(format!(
            "unknown command `{other}`"
        ))),
    }
}

/// Computes `operation` on the open document `uri` and asks the client to
/// apply it. Returns `{ "applied": bool, "warnings": [..] }`.
async fn apply_operation(
    client: &Client,
    shared: &Shared,
    uri: &Uri,
    operation: &Operation,
) -> jsonrpc::Result<Option<LSPAny>> {
    let document = shared
        .document(uri)
        .ok_or_else(|| request_failed(format!("{} is not open in the editor", uri.as_str())))?;
    let lock_state = shared.lock_state(uri);
    let changes =
        shielded(|| analysis::run_operation(&document.text, lock_state.lock(), operation))
            .ok_or_else(|| request_failed("internal error while computing the edit"))?
            .map_err(|error| {
                let mut message = error.message.clone();
                if let Some(hint) = &error.hint {
                    message.push_str(&format!(" ({hint})"));
                }
                request_failed(message)
            })?;
    for warning in &changes.warnings {
        client.show_message(MessageType::WARNING, warning).await;
    }
    if changes.is_empty() {
        return Ok(Some(
            json!({ "applied": false, "warnings": changes.warnings }),
        ));
    }
    let edit = workspace_edit(uri, &document, &changes, shared.features());
    let response = client.apply_edit(edit).await?;
    if !response.applied {
        let reason = response
            .failure_reason
            .unwrap_or_else(|| "the editor refused the edit".to_string());
        return Err(request_failed(reason));
    }
    Ok(Some(
        json!({ "applied": true, "warnings": changes.warnings }),
    ))
}
