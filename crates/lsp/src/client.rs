//! What the client can do, as far as the server cares, and workspace edits
//! shaped for it. Both the server's handlers and the features use these;
//! keeping them out of `server` keeps the modules free of cycles.

use std::collections::HashMap;

use flakeedit_syntax::ChangeSet;
use serde_json::Value;
use tower_lsp_server::ls_types::*;

use crate::analysis;
use crate::documents::Document;
use crate::encoding::{LineMap, PositionEncoding};

/// What the client said it can do, as far as the server cares.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ClientFeatures {
    pub encoding: PositionEncoding,
    /// `codeAction/resolve` may fill in `edit` later.
    pub resolve_edit: bool,
    /// `WorkspaceEdit.documentChanges` (versioned edits).
    pub document_changes: bool,
    /// `window/workDoneProgress/create` + `$/progress`.
    pub work_done_progress: bool,
    /// Dynamic registration of `workspace/didChangeWatchedFiles`.
    pub watch_files: bool,
    /// The client runs the prompting command `flakeedit.addInput`.
    pub add_input_prompt: bool,
    /// The client runs the prompting command `flakeedit.addSource`.
    pub add_source_prompt: bool,
}

impl ClientFeatures {
    pub(crate) fn from_params(params: &InitializeParams) -> ClientFeatures {
        let capabilities = &params.capabilities;
        let code_action = capabilities
            .text_document
            .as_ref()
            .and_then(|text| text.code_action.as_ref());
        // LSP has no capability for client-side commands; like
        // rust-analyzer, a client lists the ones it runs under
        // `experimental.commands.commands`. One that does not (Helix, a
        // plain client) would answer "unknown command", so it is not
        // offered the prompts.
        let client_commands: Vec<&str> = capabilities
            .experimental
            .as_ref()
            .and_then(|experimental| experimental.get("commands")?.get("commands")?.as_array())
            .map(|commands| commands.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        ClientFeatures {
            add_input_prompt: client_commands.contains(&analysis::ADD_INPUT_CLIENT_COMMAND),
            add_source_prompt: client_commands.contains(&analysis::ADD_SOURCE_CLIENT_COMMAND),
            encoding: PositionEncoding::negotiate(
                capabilities
                    .general
                    .as_ref()
                    .and_then(|general| general.position_encodings.as_deref()),
            ),
            resolve_edit: code_action
                .and_then(|action| action.resolve_support.as_ref())
                .is_some_and(|support| support.properties.iter().any(|p| p == "edit")),
            document_changes: capabilities
                .workspace
                .as_ref()
                .and_then(|workspace| workspace.workspace_edit.as_ref())
                .and_then(|edit| edit.document_changes)
                .unwrap_or(false),
            work_done_progress: capabilities
                .window
                .as_ref()
                .and_then(|window| window.work_done_progress)
                .unwrap_or(false),
            watch_files: capabilities
                .workspace
                .as_ref()
                .and_then(|workspace| workspace.did_change_watched_files.as_ref())
                .and_then(|watched| watched.dynamic_registration)
                .unwrap_or(false),
        }
    }
}

/// A workspace edit of `changes` made against `document`.
pub(crate) fn workspace_edit(
    uri: &Uri,
    document: &Document,
    changes: &ChangeSet,
    features: ClientFeatures,
) -> WorkspaceEdit {
    let map = LineMap::new(&document.text, features.encoding);
    let edits = map.edits(&document.text, changes);
    if features.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(document.version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }
}
