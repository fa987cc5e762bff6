//! `add-source` and `fix-hashes`: the network step (resolving a revision,
//! prefetching hashes) runs here, before any file is read for writing; the
//! pure operation it produces then goes through the driver like any edit.
//! A network failure therefore writes nothing.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use flakeedit_flake::sources::{
    placeholder_hashes, prefetch_sites, resolve_source, HashChoice, SourceRequest, SourceSpec,
};
use flakeedit_flake::{FixHashes, Operation};
use flakeedit_prefetch::{parse_hash, Client, Error as PrefetchError, GitHub, Prefetcher};
use flakeedit_syntax::SourceFile;

use crate::cli::Global;
use crate::driver::Action;
use crate::selection;

const ADD_SOURCE_EXAMPLES: &str = "\
Examples:
  flakeedit add-source hannesm/randomconv@v0.2.0 --no-dep
  flakeedit add-source leostera/random@main --version 0.0.1 \\
      --build-input ocamlPackages.mirage-crypto-rng --build-input randomconv
  flakeedit add-source owner/lib@<commit> --hash sha256-… --dep-of server
  flakeedit add-source owner/lib@v1.2.0 --no-prefetch      # writes lib.fakeHash

Writes `NAME = buildDunePackage { version; pname; src = pkgs.fetchFromGitHub { owner;
repo; rev; hash; }; };` and adds the package to the build inputs of --dep-of (default:
the `default` package). A branch or tag is resolved to its commit with `git ls-remote`
first. The version comes from a release tag (`v0.2.0` gives 0.2.0); otherwise it is
`0-unstable-<first 7 digits of the commit>`: pass --version to choose another.
The hash is computed by nix-prefetch-url when Nix is installed, natively otherwise.

Exit status: 0 success, 1 the source could not be resolved or prefetched (nothing is
written) or the edit failed, 2 usage error.";

const FIX_HASHES_EXAMPLES: &str = "\
Examples:
  flakeedit fix-hashes                 # prefetch placeholders, convert legacy sha256
  flakeedit fix-hashes --convert-only  # offline: legacy sha256 only
  flakeedit fix-hashes -r ~/src --dry-run --diff

Placeholders are empty hashes, `lib.fakeHash`/`lib.fakeSha256` and all-`A` or all-zero
digests in fetchFromGitHub (the archive, unpacked), fetchurl (the file, flat) and
fetchzip (the archive, unpacked) calls. Legacy `sha256 = \"<base32 or hex>\"` becomes
`hash = \"sha256-…\"` with the same digest, without any download.

Exit status: 0 success, 1 a download failed (nothing is written) or an edit failed,
2 usage error.";

/// Which implementation computes hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrefetcherChoice {
    /// nix-prefetch-url when installed, the native hasher otherwise
    Auto,
    /// Always nix-prefetch-url
    Nix,
    /// Always the built-in downloader and NAR hasher
    Native,
}

/// Where and how to download.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// GitHub (Enterprise) base URL archives and repositories are fetched from
    #[arg(long, value_name = "URL", default_value = GitHub::DEFAULT_BASE_URL)]
    pub github_url: String,
    /// Which implementation computes hashes
    #[arg(long, value_enum, default_value_t = PrefetcherChoice::Auto)]
    pub prefetcher: PrefetcherChoice,
}

impl NetworkArgs {
    fn client(&self) -> Client {
        Client::new()
            .with_github(GitHub::new(self.github_url.clone()))
            .with_prefetcher(match self.prefetcher {
                PrefetcherChoice::Auto => Prefetcher::Auto,
                PrefetcherChoice::Nix => Prefetcher::Nix,
                PrefetcherChoice::Native => Prefetcher::Native,
            })
    }
}

/// Arguments of `add-source`.
#[derive(Debug, Args)]
#[command(after_help = ADD_SOURCE_EXAMPLES)]
pub struct AddSourceArgs {
    /// The GitHub repository and revision: OWNER/REPO@REV (a branch, tag or commit)
    #[arg(value_name = "OWNER/REPO@REV")]
    pub spec: String,
    /// The package's attribute and pname (default: the repository name)
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// The version (default: from a vX.Y.Z tag, else `0-unstable-<short commit>`)
    #[arg(long = "version", value_name = "V")]
    pub package_version: Option<String>,
    /// Use this hash instead of prefetching (SRI, nix-base32 or hex)
    #[arg(long, value_name = "SRI", conflicts_with = "no_prefetch")]
    pub hash: Option<String>,
    /// Do not download: write `lib.fakeHash` (fill it in later with fix-hashes)
    #[arg(long)]
    pub no_prefetch: bool,
    /// The package whose buildInputs gets the new one (default: default)
    #[arg(long, value_name = "PKG", conflicts_with = "no_dep")]
    pub dep_of: Option<String>,
    /// Add the package to no other package's buildInputs
    #[arg(long)]
    pub no_dep: bool,
    /// A build input of the new package (package name, INPUT[#PACKAGE] or expression); repeatable
    #[arg(long = "build-input", value_name = "EXPR")]
    pub build_inputs: Vec<String>,
    /// Plain `packages.<system>` layouts: only this system
    #[arg(long, value_name = "SYSTEM")]
    pub system: Option<String>,
    #[command(flatten)]
    pub network: NetworkArgs,
}

/// Arguments of `fix-hashes`.
#[derive(Debug, Args)]
#[command(after_help = FIX_HASHES_EXAMPLES)]
pub struct FixHashesArgs {
    /// Only rewrite legacy `sha256` attributes as SRI `hash` (offline)
    #[arg(long)]
    pub convert_only: bool,
    #[command(flatten)]
    pub network: NetworkArgs,
}

/// What the user can do about a failed download or resolution.
fn hint(error: &PrefetchError) -> &'static str {
    match error {
        PrefetchError::NotFound { .. } | PrefetchError::HttpStatus { .. } => {
            "check the owner, repository and revision (and --github-url); for a private \
             repository pass --hash sha256-… or --no-prefetch"
        }
        PrefetchError::Connect { .. }
        | PrefetchError::Timeout { .. }
        | PrefetchError::Network { .. }
        | PrefetchError::CommandTimeout { .. } => {
            "check the network connection and --github-url and try again, or pass \
             --hash sha256-… or --no-prefetch to write the source without downloading it"
        }
        PrefetchError::NotGzip { .. }
        | PrefetchError::BadArchive { .. }
        | PrefetchError::UnsafePath { .. } => {
            "the server did not send a usable .tar.gz source archive: check --github-url, \
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
pub fn add_source_action(args: AddSourceArgs) -> Result<Action, ExitCode> {
    let usage = |message: String| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    };
    let spec = SourceSpec::parse(&args.spec).map_err(|error| {
        usage(match &error.hint {
            Some(hint) => format!("{}\n  hint: {hint}", error.message),
            None => error.message,
        })
    })?;
    let hash = match (&args.hash, args.no_prefetch) {
        (Some(text), _) => {
            HashChoice::Given(parse_hash(text).map_err(|error| usage(format!("--hash: {error}")))?)
        }
        (None, true) => HashChoice::Placeholder,
        (None, false) => HashChoice::Prefetch,
    };
    let request = SourceRequest {
        spec,
        name: args.name,
        version: args.package_version,
        hash,
        dep_of: match (args.no_dep, args.dep_of) {
            (true, _) => None,
            (false, dep_of) => Some(dep_of.unwrap_or_else(|| "default".to_string())),
        },
        build_inputs: args.build_inputs,
        system: args.system,
    };
    let client = args.network.client();
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
pub fn fix_hashes_action(global: &Global, args: FixHashesArgs) -> Result<Action, ExitCode> {
    let hashes = if args.convert_only {
        Vec::new()
    } else {
        let paths = selection::select(global).map_err(|error| {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        })?;
        let mut sites = Vec::new();
        for path in &paths {
            // Unreadable files are reported by the edit that follows.
            if let Ok(text) = std::fs::read_to_string(path) {
                sites.extend(placeholder_hashes(&SourceFile::parse(text)));
            }
        }
        prefetch_sites(&args.network.client(), &sites).map_err(|error| {
            eprintln!(
                "error: cannot prefetch {error}\n  hint: nothing was written; check the \
                 network connection, the URL or revision (and --github-url), or fill in this \
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
