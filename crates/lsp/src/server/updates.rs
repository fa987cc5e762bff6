//! "Check for updates": the one place the server asks remote repositories
//! about inputs, and only when the user runs the command (from its code
//! lens on `inputs`, or the editor's command list). Each input's
//! repository is listed once with the same forge code and the same choice
//! as `flakeedit outdated` (the newest semver tag with the same prefix, the
//! newest channel of the same kind). What was found is kept per document:
//! from then on an information diagnostic says "v1.3.0 is available (on
//! v1.2.0)" on each such input, with a quick fix "Update … to v1.3.0" that
//! runs the library's `update` operation, as `flakeedit update` does.
//!
//! A finding is tied to the input's name and the reference it was found
//! on, not to a document version: it survives unrelated edits and
//! disappears once the input is on something else (updated, or edited by
//! hand).

use std::collections::HashMap;

use flakeedit_flake::update::{newest, update_targets, UpdateTarget};
use flakeedit_flake::{Flake, Operation, RefMove, UpdateRefs};
use flakeedit_forge::{list_all, parse_redirect, ForgeConfig};
use flakeedit_syntax::TextRange;
use serde::Deserialize;
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeLens, Command, Diagnostic, DiagnosticSeverity,
    ExecuteCommandParams, LSPAny, MessageType, NumberOrString, Uri,
};

use super::{request_failed, shielded};

use crate::client::{workspace_edit, ClientFeatures};
use crate::documents::{Document, MAX_ANALYZED_BYTES};
use crate::encoding::{LineMap, PositionEncoding};
use crate::lockfile::LockState;

/// The server command behind "Check for updates" (arguments: one object,
/// `{ "uri": … }`).
pub const CHECK_UPDATES_COMMAND: &str = "flakeedit.server.checkForUpdates";

/// The diagnostic code of "… is available".
pub const UPDATE_AVAILABLE_CODE: &str = "update-available";

/// A newer tag or channel for one input, as the last check found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Available {
    /// The input.
    pub name: String,
    /// The tag or channel it was on.
    pub current: String,
    /// The newest one its repository has.
    pub newer: String,
}

/// What the last check found, per document.
#[derive(Debug, Default)]
pub(crate) struct Updates {
    found: HashMap<Uri, Vec<Available>>,
}

impl Updates {
    /// Replaces what is known about `uri`.
    pub fn set(&mut self, uri: Uri, found: Vec<Available>) {
        self.found.insert(uri, found);
    }

    /// What is known about `uri`.
    pub fn get(&self, uri: &Uri) -> Vec<Available> {
        self.found.get(uri).cloned().unwrap_or_default()
    }
}

/// Arguments of [`CHECK_UPDATES_COMMAND`].
#[derive(Debug, Clone, Deserialize)]
pub struct CheckArgs {
    /// The flake to check (an open document).
    pub uri: Uri,
}

/// The forge settings of `initializationOptions`: `forgeUrls` as
/// `HOST=BASE` strings, like the CLI's `--forge-url`.
pub fn forge_config(forge_urls: &[String]) -> Result<ForgeConfig, String> {
    let mut config = ForgeConfig::default().with_tokens_from_environment();
    for spec in forge_urls {
        let (host, base) =
            parse_redirect(spec).map_err(|error| format!("the `forgeUrls` setting: {error}"))?;
        config.redirect(&host, &base);
    }
    Ok(config)
}

/// Whether the check lists `target`'s repository (as `outdated` does).
fn listed(target: &UpdateTarget) -> bool {
    target.is_listed() && target.repository.is_some()
}

/// The inputs whose repositories the check lists, read from the
/// document's cached parse; an error when it is not a flake flakeedit can
/// read.
pub(crate) fn targets(document: &Document) -> Result<Vec<UpdateTarget>, String> {
    if document.text.len() > MAX_ANALYZED_BYTES {
        return Err("the document is too large for flakeedit to read".into());
    }
    let analysed = crate::analysed::analysed(document)
        .ok_or_else(|| "the document is too large for flakeedit to read".to_string())?;
    let Some(flake) = analysed.flake(false) else {
        return Err(match Flake::read(analysed.file()) {
            Err(error) => error.message,
            Ok(_) => "the flake has syntax errors; fix them and check again".into(),
        });
    };
    Ok(update_targets(analysed.file(), flake)
        .into_iter()
        .filter(listed)
        .collect())
}

/// Lists each repository of `targets` once (blocking: run it off the
/// server's thread) and returns the newer releases, and one message per
/// repository that could not be listed.
pub(crate) fn check(
    config: &ForgeConfig,
    targets: &[UpdateTarget],
) -> (Vec<Available>, Vec<String>) {
    let refs = list_all(
        config,
        targets
            .iter()
            .filter_map(|target| target.repository.clone()),
    );
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for target in targets {
        let (Some(repository), Some(current)) = (&target.repository, target.tracks.release())
        else {
            continue;
        };
        match refs.get(repository) {
            Some(Ok(refs)) => {
                let tags = refs.tags.iter().map(|(name, _)| name.as_str());
                let heads = refs.heads.iter().map(|(name, _)| name.as_str());
                if let Some(newer) = newest(&target.tracks, tags, heads, false) {
                    found.push(Available {
                        name: target.name.clone(),
                        current: current.to_string(),
                        newer,
                    });
                }
            }
            Some(Err(error)) => failures.push(format!("input `{}`: {error}", target.name)),
            None => failures.push(format!(
                "input `{}`: {repository} was not listed",
                target.name
            )),
        }
    }
    (found, failures)
}

/// The findings that still hold in `document`, each with the range of its
/// input: the input exists and is still on the reference it was found on.
fn located(document: &Document, found: &[Available]) -> Vec<(Available, TextRange)> {
    if found.is_empty() {
        return Vec::new();
    }
    let Ok(targets) = targets(document) else {
        return Vec::new();
    };
    found
        .iter()
        .filter_map(|available| {
            let target = targets.iter().find(|target| {
                target.name == available.name
                    && target.tracks.release() == Some(available.current.as_str())
            })?;
            Some((available.clone(), target.range))
        })
        .collect()
}

/// The information diagnostics of the findings that still hold.
pub(crate) fn diagnostics(
    document: &Document,
    found: &[Available],
    encoding: PositionEncoding,
) -> Vec<Diagnostic> {
    let text = &document.text;
    let map = LineMap::new(text, encoding);
    located(document, found)
        .into_iter()
        .map(|(available, range)| diagnostic(&map, text, &available, range))
        .collect()
}

fn diagnostic(map: &LineMap, text: &str, available: &Available, range: TextRange) -> Diagnostic {
    Diagnostic {
        range: map.range(text, range),
        severity: Some(DiagnosticSeverity::INFORMATION),
        code: Some(NumberOrString::String(UPDATE_AVAILABLE_CODE.into())),
        source: Some("flakeedit".into()),
        message: format!(
            "{} is available (on {})",
            available.newer, available.current
        ),
        ..Diagnostic::default()
    }
}

/// "Update NAME to NEWER" for each finding whose input overlaps `range`,
/// each with the edit of the library's `update` operation. A finding
/// whose edit the library refuses is not offered.
pub(crate) fn actions(
    uri: &Uri,
    document: &Document,
    lock_state: &LockState,
    found: &[Available],
    range: TextRange,
    features: ClientFeatures,
) -> Vec<CodeAction> {
    let text = &document.text;
    let map = LineMap::new(text, features.encoding);
    let mut actions = Vec::new();
    for (available, at) in located(document, found) {
        if at.intersect(range).is_none() {
            continue;
        }
        let operation = Operation::Update(UpdateRefs {
            moves: vec![RefMove {
                name: available.name.clone(),
                to: available.newer.clone(),
            }],
            ..UpdateRefs::default()
        });
        let changes =
            shielded(|| crate::analysis::run_operation(text, lock_state.lock(), &operation));
        let Some(Ok(changes)) = changes else {
            continue;
        };
        if changes.is_empty() {
            continue;
        }
        actions.push(CodeAction {
            title: format!("Update `{}` to {}", available.name, available.newer),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic(&map, text, &available, at)]),
            is_preferred: Some(true),
            edit: Some(workspace_edit(uri, document, &changes, features)),
            ..CodeAction::default()
        });
    }
    actions
}

/// The "Check for updates" lens on the `inputs` attribute, when the flake
/// has an input whose repository the check would list.
pub(crate) fn lenses(uri: &Uri, document: &Document, encoding: PositionEncoding) -> Vec<CodeLens> {
    let text = &document.text;
    if text.len() > MAX_ANALYZED_BYTES {
        return Vec::new();
    }
    let Some(analysed) = crate::analysed::analysed(document) else {
        return Vec::new();
    };
    let Some(flake) = analysed.flake(false) else {
        return Vec::new();
    };
    if !update_targets(analysed.file(), flake).iter().any(listed) {
        return Vec::new();
    }
    let Some(first) = flake.inputs.first() else {
        return Vec::new();
    };
    let map = LineMap::new(text, encoding);
    let at = first.range();
    vec![CodeLens {
        range: map.range(text, TextRange::empty(at.start())),
        command: Some(Command {
            title: "Check for updates".into(),
            command: CHECK_UPDATES_COMMAND.into(),
            arguments: Some(vec![json!({ "uri": uri.as_str() })]),
        }),
        data: None,
    }]
}

impl super::Backend {
    /// Runs "Check for updates" on an open flake: lists the repositories
    /// off the server's thread (with `$/progress` when the client shows
    /// it), keeps the findings and publishes the diagnostics again.
    pub(super) async fn check_for_updates(
        &self,
        params: ExecuteCommandParams,
    ) -> jsonrpc::Result<Option<LSPAny>> {
        let first = params.arguments.first().cloned().unwrap_or(Value::Null);
        let args: CheckArgs = serde_json::from_value(first).map_err(|error| {
            jsonrpc::Error::invalid_params(format!(
                "`{}` expects one object argument: {error}",
                params.command
            ))
        })?;
        let document = self.shared.document(&args.uri).ok_or_else(|| {
            request_failed(format!("{} is not open in the editor", args.uri.as_str()))
        })?;
        let targets = shielded(|| targets(&document))
            .ok_or_else(|| request_failed("internal error while reading the flake"))?
            .map_err(request_failed)?;
        let config = forge_config(&self.shared.settings().forge_urls).map_err(request_failed)?;
        let token = super::commands::progress_token(&self.client, &self.shared, &params).await;
        let progress = match token {
            Some(token) => Some(
                self.client
                    .progress(token, "Checking for updates")
                    .with_message(format!(
                        "listing the repositories of {} inputs",
                        targets.len()
                    ))
                    .begin()
                    .await,
            ),
            None => None,
        };
        let listed = targets.clone();
        let result = tokio::task::spawn_blocking(move || check(&config, &listed)).await;
        let Ok((found, failures)) = result else {
            if let Some(progress) = progress {
                progress.finish_with_message("failed").await;
            }
            return Err(request_failed("internal error while listing repositories"));
        };
        let summary = match found.len() {
            0 => "every input checked is on its newest release".to_string(),
            1 => "1 input has a newer release".to_string(),
            n => format!("{n} inputs have a newer release"),
        };
        if let Some(progress) = progress {
            progress.finish_with_message(summary.clone()).await;
        }
        for failure in &failures {
            self.client
                .show_message(
                    MessageType::WARNING,
                    format!("Check for updates: {failure}"),
                )
                .await;
        }
        self.client.show_message(MessageType::INFO, summary).await;
        super::lock(&self.shared.updates).set(args.uri.clone(), found.clone());
        self.shared.published.lock().await.remove(&args.uri);
        self.publish(args.uri).await;
        Ok(Some(answer(&found, &failures)))
    }
}

/// The command's answer: what was found, for clients and tests.
pub(crate) fn answer(found: &[Available], failures: &[String]) -> Value {
    json!({
        "available": found
            .iter()
            .map(|available| json!({
                "name": available.name,
                "current": available.current,
                "newer": available.newer,
            }))
            .collect::<Vec<_>>(),
        "failures": failures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAKE: &str = r#"{
  inputs.tool.url = "git+file:///srv/tool?ref=v1.2.0";
  inputs.pinned.url = "git+file:///srv/pinned?ref=v1.0.0"; # flakeedit: pin
  inputs.nixpkgs.url = "github:NixOS/nixpkgs";
  outputs = { self, tool, pinned, nixpkgs }: { };
}
"#;

    fn document(text: &str) -> Document {
        Document::new(text, 1)
    }

    #[test]
    fn only_unpinned_tags_and_channels_are_listed() {
        let names: Vec<String> = targets(&document(FLAKE))
            .unwrap()
            .into_iter()
            .map(|target| target.name)
            .collect();
        assert_eq!(names, ["tool"]);
    }

    #[test]
    fn a_finding_holds_while_the_input_is_on_the_same_reference() {
        let found = vec![Available {
            name: "tool".into(),
            current: "v1.2.0".into(),
            newer: "v1.10.0".into(),
        }];
        assert_eq!(located(&document(FLAKE), &found).len(), 1);
        let moved = FLAKE.replace("ref=v1.2.0", "ref=v1.10.0");
        assert!(located(&document(&moved), &found).is_empty());
        let removed = FLAKE.replace("inputs.tool.url", "inputs.other.url");
        assert!(located(&document(&removed), &found).is_empty());
    }
}
