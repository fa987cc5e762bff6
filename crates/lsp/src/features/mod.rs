//! Reading features of the server, all offline from `flake.nix` and
//! `flake.lock`: hover, inlay hints, document links, completion, go to
//! definition, references, rename and the outline. Each works on the same
//! model the edit operations use (`flakeedit_flake::Flake`, the
//! scope-aware use analysis, [`flakeedit_flake::Lock`]).
//!
//! The functions here take a document and answer in LSP types; they are
//! synchronous and run behind the server's panic shield.

pub mod completion;
pub mod forge;
pub mod hover;
pub mod links;
pub mod navigation;
pub mod outline;

use flakeedit_flake::{FlakeError, Lock};
use tower_lsp_server::ls_types::*;

use std::rc::Rc;

use crate::analysed::{analysed, Analysed};
use crate::documents::Document;
use crate::encoding::{text_size, LineMap, PositionEncoding};

/// Settings of the reading features, from `initializationOptions` or
/// `workspace/didChangeConfiguration` (`{ "inlayHints": false }`, also
/// under a `flakeedit` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Show the locked commit and its age after each input's url.
    pub inlay_hints: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { inlay_hints: true }
    }
}

impl Settings {
    /// These settings updated from a settings object; unknown or
    /// mistyped keys change nothing.
    pub fn updated(mut self, value: &serde_json::Value) -> Settings {
        let value = value.get("flakeedit").unwrap_or(value);
        if let Some(enabled) = value.get("inlayHints").and_then(serde_json::Value::as_bool) {
            self.inlay_hints = enabled;
        }
        self
    }
}

/// True when `uri` names a file called `flake.nix`: the server reads only
/// those (some editors send it every Nix file).
pub fn is_flake_uri(uri: &Uri) -> bool {
    let path = uri.path().as_str();
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "flake.nix"
}

/// Seconds since the epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// A document's analysis (parse, model, occurrences), shared by every
/// request about its current version (see [`crate::analysed`]).
pub(crate) fn model(document: &Document) -> Option<Rc<Analysed>> {
    if document.text.len() > crate::documents::MAX_ANALYZED_BYTES {
        return None;
    }
    analysed(document)
}

/// `textDocument/hover`.
pub fn hover(
    document: &Document,
    lock: Option<&Lock>,
    encoding: PositionEncoding,
    position: Position,
    now: i64,
) -> Option<Hover> {
    let analysed = model(document)?;
    let flake = analysed.flake(true)?;
    let text = &document.text;
    let map = LineMap::new(text, encoding);
    let offset = text_size(map.offset(text, position));
    let (range, markdown) = hover::hover(flake, analysed.occurrences(), lock, offset, now)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(map.range(text, range)),
    })
}

/// A document, its line map and the byte offset of `position`.
fn locate(
    document: &Document,
    encoding: PositionEncoding,
    position: Position,
) -> (LineMap, flakeedit_syntax::TextSize) {
    let map = LineMap::new(&document.text, encoding);
    let offset = text_size(map.offset(&document.text, position));
    (map, offset)
}

/// The `flake.lock` beside the flake at `uri`: its URI and text.
fn lock_file(uri: &Uri) -> Option<(Uri, String)> {
    let path = uri.to_file_path()?.with_file_name("flake.lock");
    let text = std::fs::read_to_string(&path).ok()?;
    Some((Uri::from_file_path(&path)?, text))
}

/// `textDocument/definition`.
pub fn definition(
    uri: &Uri,
    document: &Document,
    lock: Option<&Lock>,
    encoding: PositionEncoding,
    position: Position,
) -> Option<GotoDefinitionResponse> {
    let analysed = model(document)?;
    let (map, offset) = locate(document, encoding, position);
    let location = match navigation::definition(analysed.occurrences(), lock, offset)? {
        navigation::Definition::InFlake(range) => Location {
            uri: uri.clone(),
            range: map.range(&document.text, range),
        },
        navigation::Definition::LockNode(key) => {
            let (lock_uri, text) = lock_file(uri)?;
            let start = navigation::lock_node_offset(&text, &key)?;
            let lock_map = LineMap::new(&text, encoding);
            let length = serde_json::to_string(&key).map_or(0, |quoted| quoted.len());
            let range = flakeedit_syntax::TextRange::at(text_size(start), text_size(length));
            Location {
                uri: lock_uri,
                range: lock_map.range(&text, range),
            }
        }
    };
    Some(GotoDefinitionResponse::Scalar(location))
}

/// `textDocument/references`.
pub fn references(
    uri: &Uri,
    document: &Document,
    encoding: PositionEncoding,
    position: Position,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let analysed = model(document)?;
    let (map, offset) = locate(document, encoding, position);
    let found = navigation::references(analysed.occurrences(), offset, include_declaration);
    Some(
        found
            .into_iter()
            .map(|range| Location {
                uri: uri.clone(),
                range: map.range(&document.text, range),
            })
            .collect(),
    )
}

/// `textDocument/prepareRename`: the input's name under the cursor.
pub fn prepare_rename(
    document: &Document,
    encoding: PositionEncoding,
    position: Position,
) -> Option<PrepareRenameResponse> {
    let analysed = model(document)?;
    let flake = analysed.flake(false)?;
    let (map, offset) = locate(document, encoding, position);
    let (name, range) = navigation::rename_target(flake, analysed.occurrences(), offset)?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: map.range(&document.text, range),
        placeholder: name,
    })
}

/// `textDocument/rename`: the verified `rename-input` edit of the flake,
/// and the whole new `flake.lock` when it names the input. `Ok(None)` when
/// nothing under the cursor can be renamed.
pub(crate) fn rename(
    uri: &Uri,
    document: &Document,
    lock: Option<&Lock>,
    features: crate::client::ClientFeatures,
    position: Position,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, FlakeError> {
    let Some(analysed) = model(document) else {
        return Ok(None);
    };
    let Some(flake) = analysed.flake(false) else {
        return Ok(None);
    };
    let (_, offset) = locate(document, features.encoding, position);
    let Some(operation) =
        navigation::rename_operation(flake, analysed.occurrences(), offset, new_name)
    else {
        return Ok(None);
    };
    let flakeedit_flake::Operation::RenameInput { old, new } = &operation else {
        return Ok(None);
    };
    let result = flakeedit_flake::run(&operation, &document.text, lock)?;
    let mut edit = crate::client::workspace_edit(uri, document, &result.changes, features);
    if let Some((lock_uri, text)) = lock_file(uri) {
        if let Some(renamed) = flakeedit_flake::rename_in_lock(&text, old, new)? {
            let lock_map = LineMap::new(&text, features.encoding);
            let whole = lock_map.range(
                &text,
                flakeedit_syntax::TextRange::up_to(text_size(text.len())),
            );
            let replace = TextEdit {
                range: whole,
                new_text: renamed,
            };
            if let Some(DocumentChanges::Edits(edits)) = edit.document_changes.as_mut() {
                edits.push(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: lock_uri,
                        version: None,
                    },
                    edits: vec![OneOf::Left(replace)],
                });
            } else if let Some(changes) = edit.changes.as_mut() {
                changes.insert(lock_uri, vec![replace]);
            }
        }
    }
    Ok(Some(edit))
}

/// `textDocument/documentSymbol`.
pub fn document_symbols(
    document: &Document,
    encoding: PositionEncoding,
) -> Option<DocumentSymbolResponse> {
    let analysed = model(document)?;
    let flake = analysed.flake(true)?;
    let map = LineMap::new(&document.text, encoding);
    let outline = outline::symbols(analysed.file(), flake, analysed.occurrences(), |range| {
        map.range(&document.text, range)
    });
    Some(DocumentSymbolResponse::Nested(outline))
}

/// `textDocument/completion`.
pub fn completion(
    document: &Document,
    lock: Option<&Lock>,
    encoding: PositionEncoding,
    position: Position,
) -> Option<CompletionResponse> {
    let analysed = model(document)?;
    let flake = analysed.flake(true)?;
    let text = &document.text;
    let map = LineMap::new(text, encoding);
    let offset = map.offset(text, position);
    let items = completion::complete(text, analysed.file(), flake, lock, offset)
        .into_iter()
        .map(|candidate| CompletionItem {
            label: candidate.label.clone(),
            kind: Some(match candidate.kind {
                completion::CandidateKind::Input => CompletionItemKind::MODULE,
                completion::CandidateKind::NestedInput => CompletionItemKind::REFERENCE,
                completion::CandidateKind::Attribute => CompletionItemKind::PROPERTY,
            }),
            detail: Some(candidate.detail),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: map.range(text, candidate.replace),
                new_text: candidate.label,
            })),
            ..CompletionItem::default()
        })
        .collect();
    Some(CompletionResponse::Array(items))
}

/// `textDocument/documentLink`.
pub fn document_links(
    uri: &Uri,
    document: &Document,
    encoding: PositionEncoding,
) -> Option<Vec<DocumentLink>> {
    let analysed = model(document)?;
    let flake = analysed.flake(true)?;
    let map = LineMap::new(&document.text, encoding);
    let directory = uri
        .to_file_path()
        .and_then(|path| path.parent().map(std::path::Path::to_path_buf));
    let found = links::links(flake, directory.as_deref(), &links::registry_files());
    Some(
        found
            .into_iter()
            .filter_map(|link| {
                Some(DocumentLink {
                    range: map.range(&document.text, link.range),
                    target: Some(link.target.parse().ok()?),
                    tooltip: None,
                    data: None,
                })
            })
            .collect(),
    )
}

/// `textDocument/inlayHint`: the locked commit and its age after each url.
pub fn inlay_hints(
    document: &Document,
    lock: Option<&Lock>,
    encoding: PositionEncoding,
    range: Range,
    now: i64,
) -> Option<Vec<InlayHint>> {
    let lock = lock?;
    let analysed = model(document)?;
    let flake = analysed.flake(true)?;
    let text = &document.text;
    let map = LineMap::new(text, encoding);
    let wanted = map.text_range(text, range);
    Some(
        links::hints(flake, lock, now)
            .into_iter()
            .filter(|hint| wanted.contains_inclusive(hint.at))
            .map(|hint| InlayHint {
                position: map.position(text, usize::from(hint.at)),
                label: InlayHintLabel::String(hint.label),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests;
