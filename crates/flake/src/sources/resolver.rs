//! The boundary between the edit library and the network: what a front-end
//! must provide so [`super::resolve_source`] and [`super::prefetch_sites`]
//! can turn a revision into a commit and a source into its hash.
//!
//! The library itself never downloads anything. The front-ends (the CLI and
//! the language server) pass the prefetcher of `flakeedit-prefetch`, which
//! implements [`SourceResolver`]; tests pass a fake that answers from a
//! table.

use crate::hash::Hash;

/// Resolves revisions and prefetches hashes for the library's source steps.
///
/// Implementations may block on the network; the library calls them before
/// it edits anything, so a failure leaves every file untouched.
pub trait SourceResolver {
    /// Why a revision could not be resolved or a source not prefetched.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The base URL of the GitHub forge this resolver talks to, without a
    /// trailing `/` (`https://github.com` for the public one).
    fn github_base_url(&self) -> &str;

    /// Resolves `rev` (a branch, tag, `HEAD` or commit) of `owner/repo` to a
    /// commit.
    fn resolve_rev(&self, owner: &str, repo: &str, rev: &str) -> Result<ResolvedRev, Self::Error>;

    /// The NAR hash of the unpacked GitHub archive of `commit`, from the forge
    /// at `https://{host}` when `host` is given (a `githubBase` the flake
    /// names), else from [`SourceResolver::github_base_url`].
    fn prefetch_github(
        &self,
        host: Option<&str>,
        owner: &str,
        repo: &str,
        commit: &str,
    ) -> Result<Prefetched, Self::Error>;

    /// The flat sha256 of the file at `url`, as `fetchurl` checks it.
    fn prefetch_file(&self, url: &str) -> Result<Prefetched, Self::Error>;

    /// The NAR hash of the unpacked archive at `url`, as `fetchzip` checks it.
    fn prefetch_archive(&self, url: &str) -> Result<Prefetched, Self::Error>;
}

/// A revision and the commit it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRev {
    /// The revision as the user gave it.
    pub rev: String,
    /// The full commit hash it resolved to.
    pub commit: String,
    /// What kind of revision it was.
    pub kind: RevKind,
}

/// What kind of revision a [`ResolvedRev`] was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevKind {
    /// A full commit hash, used as given.
    Commit,
    /// A branch.
    Branch,
    /// A tag, annotated or lightweight.
    Tag,
    /// The repository's `HEAD`, its default branch.
    Head,
    /// Another ref, such as `refs/pull/1/head`.
    OtherRef,
}

/// A downloaded and hashed source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefetched {
    /// The URL that was downloaded.
    pub url: String,
    /// Its hash, in the form the fetcher checks (NAR or flat).
    pub hash: Hash,
    /// How the hash was computed, for the user (`nix-prefetch-url`, `native`).
    pub method: String,
}
