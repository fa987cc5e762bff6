//! Reading features of the server, all offline from `flake.nix` and
//! `flake.lock`: hover, inlay hints, document links, completion, go to
//! definition, references, rename and the outline. Each works on the same
//! model the edit operations use (`flakeedit_flake::Flake`, the
//! scope-aware use analysis, [`flakeedit_flake::Lock`]).
//!
//! The functions here take a document and answer in LSP types; they are
//! synchronous and run behind the server's panic shield.

pub mod forge;
pub mod hover;

use flakeedit_flake::{Flake, Lock};
use flakeedit_syntax::SourceFile;
use tower_lsp_server::ls_types::*;

use crate::documents::{Document, MAX_ANALYZED_BYTES};
use crate::encoding::{text_size, LineMap, PositionEncoding};

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

/// A document's parse and model, when it is small enough to analyse and
/// reads as a flake; `lenient` accepts syntax errors (reading only).
pub(crate) fn model(document: &Document, lenient: bool) -> Option<(SourceFile, Flake)> {
    if document.text.len() > MAX_ANALYZED_BYTES {
        return None;
    }
    let file = SourceFile::parse(document.text.as_str());
    let flake = if lenient {
        Flake::read_lenient(&file).ok()?
    } else {
        Flake::read(&file).ok()?
    };
    Some((file, flake))
}

/// `textDocument/hover`.
pub fn hover(
    document: &Document,
    lock: Option<&Lock>,
    encoding: PositionEncoding,
    position: Position,
    now: i64,
) -> Option<Hover> {
    let (_, flake) = model(document, true)?;
    let text = &document.text;
    let map = LineMap::new(text, encoding);
    let offset = text_size(map.offset(text, position));
    let (range, markdown) = hover::hover(&flake, lock, offset, now)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(map.range(text, range)),
    })
}

#[cfg(test)]
mod tests;
