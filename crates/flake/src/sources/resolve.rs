//! The resolving half of `add-source` and `fix-hashes`: turning a branch or
//! tag into a commit and prefetching hashes. Nothing here reads or edits a
//! flake and none touches the network itself (a [`SourceResolver`] does); each function produces the pure operation (or its data) that
//! [`crate::run`] then applies.

use super::fetches::{FetchHash, FetchSite, FetchSource};
use super::resolver::{RevKind, SourceResolver};
use crate::error::{ErrorKind, FlakeError};
use crate::hash::Hash;
use crate::packages::{unstable_version, version_from_tag, AddSource, SourceHash};

/// A GitHub repository and revision, as `OWNER/REPO@REV`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    /// The owner.
    pub owner: String,
    /// The repository.
    pub repo: String,
    /// A branch, tag, `HEAD` or commit.
    pub rev: String,
}

impl SourceSpec {
    /// Parses `OWNER/REPO@REV` (also with a `github:` prefix).
    pub fn parse(text: &str) -> Result<SourceSpec, FlakeError> {
        let invalid = || {
            FlakeError::new(
                ErrorKind::InvalidArgument,
                format!("`{}` is not OWNER/REPO@REV", text.escape_debug()),
            )
            .hint("for example `hannesm/randomconv@v0.2.0`, `owner/repo@main` or `owner/repo@<commit>`")
        };
        let trimmed = text.trim();
        let trimmed = trimmed.strip_prefix("github:").unwrap_or(trimmed);
        let (path, rev) = trimmed.split_once('@').ok_or_else(invalid)?;
        let (owner, repo) = path.split_once('/').ok_or_else(invalid)?;
        let repo = repo.strip_suffix(".git").unwrap_or(repo);
        if owner.is_empty() || repo.is_empty() || rev.is_empty() || repo.contains('/') {
            return Err(invalid());
        }
        Ok(SourceSpec {
            owner: owner.to_string(),
            repo: repo.to_string(),
            rev: rev.to_string(),
        })
    }
}

/// How `add-source` gets the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashChoice {
    /// Download the archive and hash it.
    #[default]
    Prefetch,
    /// Use this hash (`--hash`).
    Given(Hash),
    /// Write the placeholder `lib.fakeHash` (`--no-prefetch`).
    Placeholder,
}

/// What `add-source` was asked, before anything is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRequest {
    /// The repository and revision.
    pub spec: SourceSpec,
    /// The package's attribute and pname (default: the repository name).
    pub name: Option<String>,
    /// The version (default: from a release tag, else [`unstable_version`]).
    pub version: Option<String>,
    /// How to get the hash.
    pub hash: HashChoice,
    /// The package that needs the new one, or `None`.
    pub dep_of: Option<String>,
    /// Build inputs of the new package.
    pub build_inputs: Vec<String>,
    /// Plain layout only: the one system.
    pub system: Option<String>,
}

/// The result of [`resolve_source`]: the operation to run, and what the
/// user should be told about how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSource {
    /// The pure operation.
    pub operation: AddSource,
    /// Notes such as `resolved main to 1a2b…`, one line each.
    pub notes: Vec<String>,
    /// How the hash was computed, when it was prefetched
    /// ([`super::Prefetched::method`]).
    pub method: Option<String>,
}

/// The base URL of the public GitHub, for which no `githubBase` is written.
pub const DEFAULT_GITHUB_BASE_URL: &str = "https://github.com";

/// The `githubBase` to write for a forge at `base_url`: `None` for
/// github.com; the host (and path) of an `https` base otherwise.
/// `fetchFromGitHub` always downloads over https, so a plain-http base (a
/// local mirror) is not written.
pub fn github_host(base_url: &str) -> Option<String> {
    if base_url == DEFAULT_GITHUB_BASE_URL {
        return None;
    }
    base_url.strip_prefix("https://").map(str::to_string)
}

/// Resolves the revision to a commit (with `git ls-remote` unless it is
/// one already), derives the version, and prefetches the archive of that
/// commit unless a hash was given or a placeholder asked for.
pub fn resolve_source<R: SourceResolver + ?Sized>(
    client: &R,
    request: &SourceRequest,
) -> Result<ResolvedSource, R::Error> {
    let spec = &request.spec;
    let resolved = client.resolve_rev(&spec.owner, &spec.repo, &spec.rev)?;
    let mut notes = Vec::new();
    if resolved.kind != RevKind::Commit {
        let what = match resolved.kind {
            RevKind::Tag => "tag ",
            RevKind::Branch => "branch ",
            _ => "",
        };
        notes.push(format!(
            "resolved {what}{} to {}",
            resolved.rev, resolved.commit
        ));
    }
    let version = match &request.version {
        Some(version) => version.clone(),
        None => match version_from_tag(&resolved.rev).filter(|_| resolved.kind == RevKind::Tag) {
            Some(version) => version,
            None => {
                let version = unstable_version(&resolved.commit);
                notes.push(format!(
                    "version {version}: `{}` is not a release tag (pass --version to choose one)",
                    resolved.rev
                ));
                version
            }
        },
    };
    let (hash, method) = match request.hash {
        HashChoice::Given(hash) => (SourceHash::Known(hash), None),
        HashChoice::Placeholder => (SourceHash::Fake, None),
        HashChoice::Prefetch => {
            let prefetched =
                client.prefetch_github(None, &spec.owner, &spec.repo, &resolved.commit)?;
            notes.push(format!(
                "prefetched {} ({}): {}",
                prefetched.url,
                prefetched.method,
                prefetched.hash.to_sri()
            ));
            (SourceHash::Known(prefetched.hash), Some(prefetched.method))
        }
    };
    let base_url = client.github_base_url();
    let github_host = github_host(base_url);
    if github_host.is_none() && base_url != DEFAULT_GITHUB_BASE_URL {
        notes.push(format!(
            "{base_url} is not an https GitHub base, so no `githubBase` is written: the flake fetches from github.com",
        ));
    }
    Ok(ResolvedSource {
        operation: AddSource {
            owner: spec.owner.clone(),
            repo: spec.repo.clone(),
            rev: resolved.commit,
            hash,
            name: request.name.clone(),
            version,
            github_host,
            dep_of: request.dep_of.clone(),
            build_inputs: request.build_inputs.clone(),
            system: request.system.clone(),
        },
        notes,
        method,
    })
}

/// A prefetch of one fetch site that failed.
#[derive(Debug, thiserror::Error)]
#[error("{subject}: {error}")]
pub struct SiteError<E: std::error::Error + 'static> {
    /// The site's subject (`fetchurl https://…`).
    pub subject: String,
    /// What went wrong.
    #[source]
    pub error: E,
}

/// Prefetches every prefetchable source among `sites` (each distinct source
/// once): `fetchFromGitHub` archives unpacked (from `githubBase` when set,
/// else from the client's forge), `fetchurl` files flat, `fetchzip`
/// archives unpacked. The first failure stops everything, so a caller
/// writes all hashes or none.
pub fn prefetch_sites<R: SourceResolver + ?Sized>(
    client: &R,
    sites: &[FetchSite],
) -> Result<Vec<FetchHash>, SiteError<R::Error>> {
    let mut hashes: Vec<FetchHash> = Vec::new();
    for site in sites {
        let Ok(source) = &site.source else {
            continue;
        };
        if hashes.iter().any(|known| &known.source == source) {
            continue;
        }
        let prefetched = match source {
            FetchSource::GitHub {
                owner,
                repo,
                rev,
                host,
            } => client.prefetch_github(host.as_deref(), owner, repo, rev),
            FetchSource::File { url } => client.prefetch_file(url),
            FetchSource::Archive { url } => client.prefetch_archive(url),
        };
        let prefetched = prefetched.map_err(|error| SiteError {
            subject: site.subject.clone(),
            error,
        })?;
        hashes.push(FetchHash {
            source: source.clone(),
            hash: prefetched.hash,
        });
    }
    Ok(hashes)
}
