//! Open documents and the in-order application of their changes.
//!
//! The transport hands each incoming message to the service one at a time,
//! in the order they arrived, but runs the handlers' futures concurrently.
//! So the server applies `didOpen`/`didChange`/`didClose` in the service's
//! `call` (see `server::OrderedService`), synchronously, before any handler
//! runs: the text of a document is then always the result of its changes in
//! wire order, whatever order the handlers finish in. Stale versions (not
//! greater than the current one) are ignored.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    TextDocumentContentChangeEvent, Uri,
};

use flakeedit_syntax::{TextEdit, TextRange, TextSize};

use crate::encoding::{offset_of, PositionEncoding};

/// Documents larger than this get diagnostics only (no hover, completion,
/// code actions, outline…): a real `flake.nix` is a few kilobytes, and
/// reading the whole model of a file this large after a keystroke would
/// make the editor lag.
pub const MAX_ANALYZED_BYTES: usize = 1024 * 1024;

/// Documents larger than this are kept but not analysed at all (one
/// `too-large` diagnostic). Up to it, a keystroke inside one input of the
/// `inputs` block is checked incrementally; any other change checks the
/// whole file.
pub const MAX_DIAGNOSED_BYTES: usize = 8 * 1024 * 1024;

/// Documents larger than this are refused outright.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

/// One open document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The current text.
    pub text: String,
    /// The version the client gave it.
    pub version: i32,
    /// How this version was made from the previous one, when the client
    /// sent ranged changes: the analysis then re-parses only what the
    /// edits touched.
    pub changed: Option<Changed>,
}

impl Document {
    /// A document opened (or replaced whole) at `version`.
    pub fn new(text: impl Into<String>, version: i32) -> Document {
        Document {
            text: text.into(),
            version,
            changed: None,
        }
    }
}

/// The edits that made a document's version from an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The version the edits apply to.
    pub from: i32,
    /// The edits, each on the text the ones before it left.
    pub edits: Vec<TextEdit>,
}

/// What happened to a change notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// The document is now at this version.
    Applied(i32),
    /// Ignored, with the reason (for the log).
    Ignored(String),
}

/// The open documents, by URI.
#[derive(Debug, Default)]
pub struct Documents {
    documents: HashMap<Uri, Document>,
}

impl Documents {
    /// The document at `uri`.
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.documents.get(uri)
    }

    /// The URIs of the open documents.
    pub fn uris(&self) -> Vec<Uri> {
        self.documents.keys().cloned().collect()
    }

    /// `textDocument/didOpen`.
    pub fn open(&mut self, params: DidOpenTextDocumentParams) -> ChangeOutcome {
        let document = params.text_document;
        if document.text.len() > MAX_DOCUMENT_BYTES {
            return ChangeOutcome::Ignored(format!(
                "{} is larger than {MAX_DOCUMENT_BYTES} bytes; not opened",
                document.uri.as_str()
            ));
        }
        self.documents
            .insert(document.uri, Document::new(document.text, document.version));
        ChangeOutcome::Applied(document.version)
    }

    /// `textDocument/didClose`.
    pub fn close(&mut self, params: DidCloseTextDocumentParams) {
        self.documents.remove(&params.text_document.uri);
    }

    /// `textDocument/didChange`: applies the changes in order, or none of
    /// them when the version is stale or the document is not open.
    pub fn change(
        &mut self,
        params: DidChangeTextDocumentParams,
        encoding: PositionEncoding,
    ) -> ChangeOutcome {
        let uri = &params.text_document.uri;
        let version = params.text_document.version;
        let Some(document) = self.documents.get_mut(uri) else {
            return ChangeOutcome::Ignored(format!("{} is not open", uri.as_str()));
        };
        if version <= document.version {
            return ChangeOutcome::Ignored(format!(
                "stale change to {} (version {version}, the document is at {})",
                uri.as_str(),
                document.version
            ));
        }
        let mut text = document.text.clone();
        let mut edits = Some(Vec::new());
        for change in params.content_changes {
            match apply_change(&mut text, change, encoding) {
                Some(edit) => match (edit, edits.as_mut()) {
                    (Some(edit), Some(edits)) => edits.push(edit),
                    _ => edits = None,
                },
                None => {
                    return ChangeOutcome::Ignored(format!(
                        "a change to {} would make it larger than {MAX_DOCUMENT_BYTES} bytes",
                        uri.as_str()
                    ))
                }
            }
        }
        document.changed = edits.map(|edits| Changed {
            from: document.version,
            edits,
        });
        document.text = text;
        document.version = version;
        ChangeOutcome::Applied(version)
    }
}

/// Applies one content change to `text`: a range replacement, or the
/// whole text when the change has no range. Returns the edit for a range
/// (`None` inside for a whole replacement); `None` when the text would grow
/// past [`MAX_DOCUMENT_BYTES`] (then `text` is unchanged).
fn apply_change(
    text: &mut String,
    change: TextDocumentContentChangeEvent,
    encoding: PositionEncoding,
) -> Option<Option<TextEdit>> {
    let Some(range) = change.range else {
        if change.text.len() > MAX_DOCUMENT_BYTES {
            return None;
        }
        *text = change.text;
        return Some(None);
    };
    // Positions are found by scanning to their lines: a line table of a
    // large file would cost more than the change.
    let start = offset_of(text, range.start, encoding);
    let end = offset_of(text, range.end, encoding);
    let (start, end) = (start.min(end), start.max(end));
    if text.len() - (end - start) + change.text.len() > MAX_DOCUMENT_BYTES {
        return None;
    }
    text.replace_range(start..end, &change.text);
    let range = TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32));
    Some(Some(TextEdit::replace(range, change.text)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{
        Position, Range, TextDocumentItem, VersionedTextDocumentIdentifier,
    };

    fn uri() -> Uri {
        "file:///project/flake.nix".parse().unwrap()
    }

    fn edit(version: i32, range: (u32, u32, u32, u32), text: &str) -> DidChangeTextDocumentParams {
        DidChangeTextDocumentParams {
            text_document: VersionedTextDocumentIdentifier {
                uri: uri(),
                version,
            },
            content_changes: vec![TextDocumentContentChangeEvent {
                range: Some(Range {
                    start: Position::new(range.0, range.1),
                    end: Position::new(range.2, range.3),
                }),
                range_length: None,
                text: text.to_string(),
            }],
        }
    }

    fn open(text: &str) -> Documents {
        let mut documents = Documents::default();
        documents.open(DidOpenTextDocumentParams {
            text_document: TextDocumentItem {
                uri: uri(),
                language_id: "nix".into(),
                version: 1,
                text: text.into(),
            },
        });
        documents
    }

    #[test]
    fn incremental_changes_use_utf16_columns() {
        let mut documents = open("{ a = \"🦀\"; }\n");
        // Replace the `;` after the crab (UTF-16 column 10, byte 12).
        let outcome =
            documents.change(edit(2, (0, 10, 0, 11), "; b = 1;"), PositionEncoding::Utf16);
        assert_eq!(outcome, ChangeOutcome::Applied(2));
        assert_eq!(
            documents.get(&uri()).unwrap().text,
            "{ a = \"🦀\"; b = 1; }\n"
        );
    }

    #[test]
    fn stale_versions_and_unknown_documents_are_ignored() {
        let mut documents = open("{ }");
        documents.change(edit(5, (0, 1, 0, 1), " a = 1;"), PositionEncoding::Utf16);
        let stale = documents.change(edit(5, (0, 0, 0, 3), ""), PositionEncoding::Utf16);
        assert!(matches!(stale, ChangeOutcome::Ignored(_)));
        let older = documents.change(edit(4, (0, 0, 0, 3), ""), PositionEncoding::Utf16);
        assert!(matches!(older, ChangeOutcome::Ignored(_)));
        assert_eq!(documents.get(&uri()).unwrap().text, "{ a = 1; }");
        documents.close(DidCloseTextDocumentParams {
            text_document: tower_lsp_server::ls_types::TextDocumentIdentifier { uri: uri() },
        });
        let closed = documents.change(edit(9, (0, 0, 0, 0), "x"), PositionEncoding::Utf16);
        assert!(matches!(closed, ChangeOutcome::Ignored(_)));
    }

    #[test]
    fn out_of_range_changes_are_clamped_not_panicking() {
        let mut documents = open("ab\ncd");
        documents.change(edit(2, (7, 3, 9, 9), "!"), PositionEncoding::Utf16);
        documents.change(edit(3, (1, 99, 0, 1), "?"), PositionEncoding::Utf8);
        assert_eq!(documents.get(&uri()).unwrap().text, "a?");
    }

    #[test]
    fn ranged_changes_are_recorded_as_edits_of_the_previous_version() {
        let mut documents = open("ab\ncd\n");
        documents.change(edit(2, (1, 1, 1, 2), "X"), PositionEncoding::Utf16);
        let document = documents.get(&uri()).unwrap();
        assert_eq!(document.text, "ab\ncX\n");
        let changed = document.changed.as_ref().expect("ranged");
        assert_eq!(changed.from, 1);
        assert_eq!(
            changed.edits,
            [TextEdit::replace(TextRange::new(4.into(), 5.into()), "X")]
        );
        // A whole-text change leaves nothing to re-parse from.
        let mut whole = edit(3, (0, 0, 0, 0), "{ }");
        whole.content_changes[0].range = None;
        documents.change(whole, PositionEncoding::Utf16);
        assert_eq!(documents.get(&uri()).unwrap().changed, None);
    }
}
