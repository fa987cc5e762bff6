//! `workspace/executeCommand`: the commands behind "Add input…" and "Add
//! source from GitHub…". The editor prompts (its own command, e.g.
//! `flakeedit.addInput`), then calls the server command with the answer;
//! the server computes the verified edit and sends it back with
//! `workspace/applyEdit`.

use std::sync::atomic::{AtomicU64, Ordering};

use flakeedit_flake::sources::{resolve_source, HashChoice, SourceRequest, SourceSpec};
use flakeedit_flake::{AddInput, Operation};
use flakeedit_prefetch::{Client as PrefetchClient, GitHub, Prefetcher};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{
    ExecuteCommandParams, LSPAny, MessageType, NumberOrString, ProgressToken, Uri,
};
use tower_lsp_server::Client;

use crate::analysis;
use crate::server::{
    request_failed, shielded, workspace_edit, Shared, ADD_INPUT_COMMAND, ADD_SOURCE_COMMAND,
};

/// The commands the server executes.
pub fn server_commands() -> Vec<String> {
    vec![
        ADD_INPUT_COMMAND.to_string(),
        ADD_SOURCE_COMMAND.to_string(),
    ]
}

/// Server settings from `initializationOptions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// The GitHub (Enterprise) base URL for `add-source` (default github.com).
    #[serde(default)]
    pub github_url: Option<String>,
    /// `auto`, `nix` or `native`: which implementation hashes sources.
    #[serde(default)]
    pub prefetcher: Option<String>,
}

impl Settings {
    /// The prefetch client these settings describe.
    pub fn client(&self) -> PrefetchClient {
        let mut client = PrefetchClient::new().with_prefetcher(match self.prefetcher.as_deref() {
            Some("nix") => Prefetcher::Nix,
            Some("native") => Prefetcher::Native,
            _ => Prefetcher::Auto,
        });
        if let Some(url) = &self.github_url {
            client = client.with_github(GitHub::new(url.clone()));
        }
        client
    }
}

/// Arguments of `flakeedit.server.addSource` (one JSON object).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddSourceArgs {
    /// The flake to edit (an open document).
    pub uri: Uri,
    /// `OWNER/REPO@REV`.
    pub spec: String,
    /// The package's attribute and pname (default: the repository name).
    #[serde(default)]
    pub name: Option<String>,
    /// The version (default: from a release tag).
    #[serde(default)]
    pub version: Option<String>,
    /// The package whose buildInputs gets the new one (default: `default`,
    /// as on the command line).
    #[serde(default)]
    pub dep_of: Option<String>,
    /// Add the new package to no other package's buildInputs.
    #[serde(default)]
    pub no_dep: bool,
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
        ADD_SOURCE_COMMAND => {
            let args: AddSourceArgs = argument(&params)?;
            let spec = SourceSpec::parse(&args.spec)
                .map_err(|error| jsonrpc::Error::invalid_params(error.to_string()))?;
            let title = format!("Adding {}/{}@{}", spec.owner, spec.repo, spec.rev);
            let request = SourceRequest {
                spec,
                name: args.name.filter(|name| !name.trim().is_empty()),
                version: args.version.filter(|version| !version.trim().is_empty()),
                hash: HashChoice::Prefetch,
                dep_of: if args.no_dep {
                    None
                } else {
                    Some(
                        args.dep_of
                            .filter(|name| !name.trim().is_empty())
                            .unwrap_or_else(|| "default".to_string()),
                    )
                },
                build_inputs: Vec::new(),
                system: None,
            };
            let settings = shared.settings();
            let token = progress_token(client, shared, &params).await;
            let progress = match token {
                Some(token) => Some(
                    client
                        .progress(token, title)
                        .with_message("resolving the revision and prefetching the archive")
                        .begin()
                        .await,
                ),
                None => None,
            };
            // The network work runs on a blocking thread: the server keeps
            // answering (and applying changes) meanwhile.
            let resolved =
                tokio::task::spawn_blocking(move || resolve_source(&settings.client(), &request))
                    .await;
            let resolved = match resolved {
                Ok(Ok(resolved)) => resolved,
                Ok(Err(error)) => {
                    if let Some(progress) = progress {
                        progress.finish_with_message("failed").await;
                    }
                    return Err(request_failed(error.to_string()));
                }
                Err(_) => {
                    if let Some(progress) = progress {
                        progress.finish_with_message("failed").await;
                    }
                    return Err(request_failed("internal error while prefetching"));
                }
            };
            if let Some(progress) = progress {
                progress.finish_with_message("prefetched").await;
            }
            for note in &resolved.notes {
                client.log_message(MessageType::INFO, note).await;
            }
            let operation = Operation::AddSource(Box::new(resolved.operation));
            let mut result = apply_operation(client, shared, &args.uri, &operation).await?;
            if let Some(object) = result.as_mut().and_then(Value::as_object_mut) {
                object.insert("notes".into(), json!(resolved.notes));
            }
            Ok(result)
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

/// The client's token for this command, or a new one when the client
/// supports server-initiated progress; `None` otherwise.
async fn progress_token(
    client: &Client,
    shared: &Shared,
    params: &ExecuteCommandParams,
) -> Option<ProgressToken> {
    if let Some(token) = &params.work_done_progress_params.work_done_token {
        return Some(token.clone());
    }
    if !shared.features().work_done_progress {
        return None;
    }
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let token = NumberOrString::String(format!(
        "flakeedit-{}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    client
        .create_work_done_progress(token.clone())
        .await
        .ok()
        .map(|()| token)
}
