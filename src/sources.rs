//! `add-source` and `fix-hashes`: the network step (resolving a revision,
//! prefetching hashes) runs here, before any file is read for writing; the
//! pure operation it produces then goes through the driver like any edit.
//! A network failure therefore writes nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use flakeedit_flake::sources::{placeholder_hashes, prefetch_sites, resolve_source, SourceRequest};
use flakeedit_flake::{FixHashes, Operation};
use flakeedit_prefetch::Error as PrefetchError;
use flakeedit_syntax::SourceFile;

use crate::config::Network;
use crate::driver::Action;

/// What the user can do about a failed download or resolution.
fn hint(error: &PrefetchError) -> &'static str {
    match error {
        PrefetchError::NotFound { .. } | PrefetchError::HttpStatus { .. } => {
            "check the owner, repository and revision (and --forge-url or --github-url); for a private \
             repository pass --hash sha256-… or --no-prefetch"
        }
        PrefetchError::Connect { .. }
        | PrefetchError::Timeout { .. }
        | PrefetchError::Network { .. }
        | PrefetchError::CommandTimeout { .. } => {
            "check the network connection and --forge-url (or --github-url) and try again, or pass \
             --hash sha256-… or --no-prefetch to write the source without downloading it"
        }
        PrefetchError::NotGzip { .. }
        | PrefetchError::BadArchive { .. }
        | PrefetchError::UnsafePath { .. } => {
            "the server did not send a usable .tar.gz source archive: check --forge-url (or --github-url), \
             or pass --hash sha256-… if you know the hash"
        }
        PrefetchError::RefNotFound { .. }
        | PrefetchError::BadRev { .. }
        | PrefetchError::GitFailed { .. } => {
            "give an existing branch or tag, or a full 40-digit commit hash"
        }
        _ => "fix the problem above and run the command again",
    }
}

/// Resolves and prefetches an `add-source` request; on failure prints the
/// error and returns exit status 1 (nothing has been read or written yet).
pub fn add_source_action(request: SourceRequest, network: &Network) -> Result<Action, ExitCode> {
    let client = network.client();
    match resolve_source(&client, &request) {
        Ok(resolved) => {
            for note in &resolved.notes {
                eprintln!("note: {note}");
            }
            Ok(Action::Edit(Operation::AddSource(Box::new(
                resolved.operation,
            ))))
        }
        Err(error) => {
            let spec = &request.spec;
            eprintln!(
                "error: cannot add {}/{}@{}: {error}\n  hint: nothing was written; {}",
                spec.owner,
                spec.repo,
                spec.rev,
                hint(&error)
            );
            Err(ExitCode::FAILURE)
        }
    }
}

/// Finds the placeholders of every selected file and prefetches them, so
/// that one pure [`Operation::FixHashes`] carries every hash; on a failed
/// download prints it and returns exit status 1 before anything is written.
///
/// `paths` are the run's selected files, the same the edit then covers.
pub fn fix_hashes_action(
    paths: &[PathBuf],
    convert_only: bool,
    network: &Network,
) -> Result<Action, ExitCode> {
    let hashes = if convert_only {
        Vec::new()
    } else {
        let mut sites = Vec::new();
        for path in paths {
            // Unreadable files are reported by the edit that follows.
            if let Ok(text) = std::fs::read_to_string(path) {
                sites.extend(placeholder_hashes(&SourceFile::parse(text)));
            }
        }
        prefetch_sites(&network.client(), &sites).map_err(|error| {
            eprintln!(
                "error: cannot prefetch {error}\n  hint: nothing was written; check the \
                 network connection, the URL or revision (and --forge-url or --github-url), or fill in this \
                 hash by hand"
            );
            ExitCode::FAILURE
        })?
    };
    for hash in &hashes {
        eprintln!("note: {} has hash {}", hash.source, hash.hash.to_sri());
    }
    Ok(Action::Edit(Operation::FixHashes(FixHashes {
        hashes,
        convert_legacy: true,
    })))
}
