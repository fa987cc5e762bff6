//! The flakeedit language server: diagnostics and code actions for
//! `flake.nix` over the Language Server Protocol.
//!
//! A thin front-end, like the CLI: diagnostics and every edit come from
//! `flakeedit-flake` (see [`analysis`]); this crate converts byte ranges
//! and change sets to LSP positions and text edits ([`encoding`]), keeps the
//! open documents in order ([`documents`]) and reads `flake.lock` beside
//! each flake ([`lockfile`]).
//!
//! - **Positions**: UTF-16 columns, or UTF-8 when the client offers
//!   `general.positionEncodings` with `utf-8`.
//! - **Ordering**: `didOpen`/`didChange`/`didClose` are applied in the
//!   order they arrive, before any handler runs (the transport runs
//!   handlers concurrently; see [`OrderedService`]). A change with a version
//!   not greater than the document's is ignored.
//! - **Speed**: each version of a document is parsed and read into the
//!   flake model once, and its diagnostics computed once per `flake.lock`
//!   state; hover, completion, the outline and code actions reuse them
//!   (`analysed`). A version made by ranged changes is parsed from the
//!   previous version's tree: the token a keystroke lands in is re-lexed,
//!   or the smallest delimited node around it re-parsed
//!   (`SourceFile::edited`), instead of the whole file. Above 256 KiB the
//!   diagnostics are checked incrementally (`check_incrementally`: a
//!   keystroke inside one input of the `inputs` block re-checks that
//!   binding, one in the outputs function's body what the body decides)
//!   and published without fixes, at most
//!   [`MAX_PUBLISHED_DIAGNOSTICS`] of them. Listing code
//!   actions computes change sets without re-parsing; for clients that
//!   resolve, the package actions (dune package, docker image) are listed
//!   after a cheap check and their change sets computed only in
//!   `codeAction/resolve`, where every edit is verified (apply, re-parse,
//!   postcondition); for clients that cannot resolve, all of it happens
//!   while listing.
//! - **Robustness**: no message or file content can panic the server;
//!   analysis runs behind a panic shield, positions are clamped, files
//!   over [`documents::MAX_ANALYZED_BYTES`] get diagnostics only and files
//!   over [`documents::MAX_DIAGNOSED_BYTES`] not even those, and incoming
//!   messages are re-framed so that no body can stop the transport
//!   ([`framing`]).

mod analysed;
pub mod analysis;
mod client;
pub mod documents;
pub mod encoding;
pub mod features;
pub mod framing;
pub mod lockfile;
mod server;

pub use server::{
    Backend, OrderedService, ADD_INPUT_COMMAND, ADD_SOURCE_COMMAND, MAX_PUBLISHED_DIAGNOSTICS,
};

use tower_lsp_server::Server;

/// Serves the protocol on `input`/`output` until the client exits.
pub async fn serve<I, O>(input: I, output: O)
where
    I: tokio::io::AsyncRead + Unpin,
    O: tokio::io::AsyncWrite,
{
    let (service, socket) = OrderedService::new();
    let (reader, writer) = tokio::io::duplex(64 * 1024);
    let server = Server::new(reader, output, socket).serve(service);
    tokio::pin!(server);
    // `writer` is moved into `feeding` and dropped when the input ends,
    // which ends the server's input too.
    let feeding = async move {
        if let Err(error) = framing::sanitize(input, writer).await {
            eprintln!("flakeedit lsp: reading the client's messages failed: {error}");
        }
    };
    tokio::select! {
        () = &mut server => {}
        () = feeding => server.await,
    }
}

/// Runs the server on standard input and output (`flakeedit lsp`).
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // Reading stdin blocks a thread that only returns when the client
    // closes the pipe; after `exit`, do not wait for it.
    runtime.shutdown_background();
    Ok(())
}
