//! `workspace/executeCommand`: the commands behind "Add input…" and "Add
//! source from GitHub…". The editor prompts (its own command, e.g.
//! `flakeedit.addInput`), then calls the server command with the answer;
//! the server computes the verified edit and sends it back with
//! `workspace/applyEdit`.

use std::sync::atomic::{AtomicU64, Ordering};

use flakeedit_flake::requests::{self, SourceAnswers};
use flakeedit_flake::sources::{resolve_source, HashChoice};
use flakeedit_flake::{FlakeError, Operation};
use flakeedit_prefetch::{Client as PrefetchClient, GitHub, Prefetcher};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{
    ExecuteCommandParams, LSPAny, MessageType, NumberOrString, ProgressToken, Uri,
};
use tower_lsp_server::Client;

use super::{
    request_failed, shielded, workspace_edit, Shared, ADD_INPUT_COMMAND, ADD_SOURCE_COMMAND,
};
use crate::analysis;

/// The commands the server executes.
pub fn server_commands() -> Vec<String> {
    vec![
        ADD_INPUT_COMMAND.to_string(),
        ADD_SOURCE_COMMAND.to_string(),
        super::updates::CHECK_UPDATES_COMMAND.to_string(),
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
    /// `HOST=BASE` redirects for "Check for updates", like the CLI's
    /// `--forge-url` (GitHub Enterprise, self-hosted GitLab or Gitea).
    #[serde(default)]
    pub forge_urls: Vec<String>,
}

impl Settings {
    /// The prefetch client these settings describe; an unknown prefetcher
    /// name is an error (the message names the choices), not `auto`.
    pub fn client(&self) -> Result<PrefetchClient, String> {
        let prefetcher = match self.prefetcher.as_deref() {
            Some(name) => name
                .parse::<Prefetcher>()
                .map_err(|error| format!("the `prefetcher` setting: {error}"))?,
            None => Prefetcher::Auto,
        };
        let mut client = PrefetchClient::new().with_prefetcher(prefetcher);
        if let Some(url) = &self.github_url {
            client = client.with_github(GitHub::new(url.clone()));
        }
        Ok(client)
    }
}

/// A request error as the editor shows it: the message and its hint.
fn answer_error(error: FlakeError) -> jsonrpc::Error {
    let mut message = error.message;
    if let Some(hint) = &error.hint {
        message.push_str(&format!(" ({hint})"));
    }
    request_failed(message)
}

/// Arguments of `flakeedit.server.addSource` (one JSON object).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddSourceArgs {
    /// The flake to edit (an open document).
    pub uri: Uri,
    /// `OWNER/REPO@REV`, as the user typed it.
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

/// Arguments of `flakeedit.server.addInput` (one JSON object): the raw
/// `answer`, or its parts.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddInputArgs {
    /// The flake to edit (an open document).
    pub uri: Uri,
    /// The answer to "Add input…" as typed:
    /// `REF [as NAME] [follows CHILD[=TARGET],…]`. When present, `url`,
    /// `name` and `follows` are ignored.
    #[serde(default)]
    pub answer: Option<String>,
    /// The flake reference the user typed (`github:o/r` or `o/r`).
    #[serde(default)]
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
            let request = match &args.answer {
                Some(answer) => requests::parse_input_answer(answer),
                None => requests::add_input(
                    &args.url,
                    args.name.as_deref(),
                    &args.follows,
                    args.no_flake,
                ),
            }
            .map_err(answer_error)?;
            let operation = Operation::AddInput(request);
            apply_operation(client, shared, &args.uri, &operation).await
        }
        ADD_SOURCE_COMMAND => {
            let args: AddSourceArgs = argument(&params)?;
            let request = requests::source_request(SourceAnswers {
                spec: args.spec,
                name: args.name,
                version: args.version,
                hash: HashChoice::Prefetch,
                dep_of: args.dep_of,
                no_dep: args.no_dep,
                ..SourceAnswers::default()
            })
            .map_err(answer_error)?;
            let spec = &request.spec;
            let title = format!("Adding {}/{}@{}", spec.owner, spec.repo, spec.rev);
            let prefetch_client = shared.settings().client().map_err(request_failed)?;
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
                tokio::task::spawn_blocking(move || resolve_source(&prefetch_client, &request))
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
    let warnings = placed_warnings(&document.text, &changes, shared.features().encoding);
    let lines = flakeedit_syntax::LineIndex::new(&document.text);
    for warning in &changes.warnings {
        // People count lines from 1, the protocol from 0: the message says
        // where in their terms, the response carries the LSP range.
        let message = match warning.range {
            Some(range) => {
                let at = lines.line_col(&document.text, range.start());
                format!("line {}, column {}: {}", at.line, at.col, warning.message)
            }
            None => warning.message.clone(),
        };
        client.show_message(MessageType::WARNING, message).await;
    }
    if changes.is_empty() {
        return Ok(Some(json!({ "applied": false, "warnings": warnings })));
    }
    let edit = workspace_edit(uri, &document, &changes, shared.features());
    let response = client.apply_edit(edit).await?;
    if !response.applied {
        let reason = response
            .failure_reason
            .unwrap_or_else(|| "the editor refused the edit".to_string());
        return Err(request_failed(reason));
    }
    Ok(Some(json!({ "applied": true, "warnings": warnings })))
}

/// The change's warnings for the client: `{ code, message, range }`, the
/// range in the client's position encoding (or null when the warning is
/// about no one place), so an editor can show each where it belongs.
fn placed_warnings(
    text: &str,
    changes: &flakeedit_syntax::ChangeSet,
    encoding: crate::encoding::PositionEncoding,
) -> Vec<Value> {
    let map = crate::encoding::LineMap::new(text, encoding);
    changes
        .warnings
        .iter()
        .map(|warning| {
            json!({
                "code": warning.code.as_str(),
                "message": warning.message,
                "range": warning.range.map(|range| map.range(text, range)),
            })
        })
        .collect()
}

/// The client's token for this command, or a new one when the client
/// supports server-initiated progress; `None` otherwise.
pub(super) async fn progress_token(
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

#[cfg(test)]
mod tests {
    use flakeedit_syntax::{ChangeSet, TextRange, WarningCode};

    use super::*;
    use crate::encoding::PositionEncoding;

    #[test]
    fn warnings_carry_their_range_in_the_clients_encoding() {
        // `é` is two bytes and one UTF-16 unit: the range is not in bytes.
        let text = "{\n  x = \"é\" + riot;\n}\n";
        let start = text.find("riot").expect("riot is there") as u32;
        let mut changes = ChangeSet::new();
        changes.warn_at(
            WarningCode::StillUsed,
            TextRange::new(start.into(), (start + 4).into()),
            "still used",
        );
        changes.warn(WarningCode::NothingToDo, "nothing");
        let utf16 = placed_warnings(text, &changes, PositionEncoding::Utf16);
        expect_test::expect![[r#"[{"code":"still-used","message":"still used","range":{"end":{"character":16,"line":1},"start":{"character":12,"line":1}}},{"code":"nothing-to-do","message":"nothing","range":null}]"#]]
            .assert_eq(&serde_json::to_string(&utf16).unwrap());
        let utf8 = placed_warnings(text, &changes, PositionEncoding::Utf8);
        assert_eq!(utf8[0]["range"]["start"]["character"], 13);
    }
}
