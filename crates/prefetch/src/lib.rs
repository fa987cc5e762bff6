//! Source hashes for `fetchFromGitHub`: Nix's own prefetcher when present, a native NAR
//! hasher otherwise.
//!
//! `pkgs.fetchFromGitHub { owner; repo; rev; hash; }` downloads
//! `{base}/{owner}/{repo}/archive/{rev}.tar.gz`, unpacks it, and checks the sha256 of
//! the unpacked tree's NAR serialisation against `hash`. This crate computes that hash
//! in one of two ways that agree byte for byte:
//!
//! - [`Prefetcher::Nix`] runs `nix-prefetch-url --unpack` (found on `PATH`), which also
//!   leaves the source in the Nix store so the next build need not download it;
//! - [`Prefetcher::Native`] streams the tarball over HTTP(S), unpacks it the way Nix does
//!   (a single top-level directory is stripped) into a temporary spool file, and hashes
//!   the NAR serialisation itself, so the tool works where Nix is not installed.
//!
//! [`Prefetcher::Auto`], the default, uses Nix when it is installed and the native
//! hasher otherwise.
//!
//! `fetchurl` checks a *flat* hash instead, the sha256 of the downloaded file itself;
//! [`Client::prefetch_file_url`] computes it the same two ways (`nix-prefetch-url`
//! without `--unpack`, or [`hash_flat`] on the streamed body).
//!
//! A branch or tag is first resolved to a commit with `git ls-remote`
//! ([`GitHub::resolve_rev`]), so what gets written as `rev` never moves.
//!
//! ```no_run
//! use flakeedit_prefetch::{Client, Prefetcher};
//!
//! let client = Client::new().with_prefetcher(Prefetcher::Native);
//! let source = client.prefetch_github("NixOS", "patchelf", "0.18.0")?;
//! println!("rev = \"{}\";", source.rev.commit);
//! println!("hash = \"{}\";", source.prefetched.hash); // sha256-…
//! # Ok::<(), flakeedit_prefetch::Error>(())
//! ```
//!
//! Hashes convert between the spellings Nix uses: [`parse_hash`] reads SRI
//! (`sha256-…`), nix-base32 and hex; [`struct@Hash`] prints each of them.

mod command;
mod error;
mod git;
mod github;
mod nar;
mod native;
mod nix;
mod resolver;
mod unpack;

use std::time::Duration;

pub use error::Error;
pub use flakeedit_hash::{base32, parse_hash, to_sri, Hash, HashParseError};
pub use git::hash_git;
pub use github::{GitHub, ResolvedRev, RevKind};
#[cfg(unix)]
pub use nar::nar_hash_path;
pub use native::{hash_flat, hash_tarball};
pub use nix::find_nix_prefetch_url;

/// How long to wait before giving up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection (TCP and TLS) for the native prefetcher.
    pub connect: Duration,
    /// Silence on an open connection for the native prefetcher: no response or no
    /// further bytes of the body for this long. A slow but steady download never hits it.
    pub read: Duration,
    /// Total running time of `git ls-remote` or `nix-prefetch-url`; `None` waits forever.
    pub command: Option<Duration>,
}

impl Default for Timeouts {
    /// 30 s to connect, 60 s of silence, 30 minutes per command.
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(30),
            read: Duration::from_secs(60),
            command: Some(Duration::from_secs(30 * 60)),
        }
    }
}

/// Which implementation computes the hash.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Prefetcher {
    /// `nix-prefetch-url` when it is on `PATH`, the native implementation otherwise.
    ///
    /// When `nix-prefetch-url` is found but fails for a reason of its own (it printed
    /// an error rather than reporting a 404 or timing out), such as a store it may not
    /// write to, the native implementation gets a try before giving up.
    #[default]
    Auto,
    /// Always `nix-prefetch-url --unpack`; fails with [`Error::NixNotFound`] without Nix.
    Nix,
    /// Always the built-in downloader and NAR hasher.
    Native,
}

impl Prefetcher {
    /// Every choice with its name, as front-ends spell it.
    pub const NAMES: [(&'static str, Prefetcher); 3] = [
        ("auto", Prefetcher::Auto),
        ("nix", Prefetcher::Nix),
        ("native", Prefetcher::Native),
    ];
}

/// A prefetcher name that is none of [`Prefetcher::NAMES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown prefetcher `{0}`: choose auto, nix or native")]
pub struct UnknownPrefetcher(pub String);

impl std::str::FromStr for Prefetcher {
    type Err = UnknownPrefetcher;

    /// `auto`, `nix` or `native`; anything else is an error rather than a
    /// silent `auto`, so a misspelt setting is noticed.
    fn from_str(name: &str) -> Result<Prefetcher, UnknownPrefetcher> {
        Prefetcher::NAMES
            .iter()
            .find(|(known, _)| *known == name.trim())
            .map(|(_, prefetcher)| *prefetcher)
            .ok_or_else(|| UnknownPrefetcher(name.to_string()))
    }
}

/// The implementation that actually computed a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `nix-prefetch-url --unpack`.
    Nix,
    /// The built-in downloader and NAR hasher.
    Native,
}

impl Prefetcher {
    /// The method this choice stands for on this machine right now.
    pub fn method(self) -> Method {
        match self {
            Prefetcher::Nix => Method::Nix,
            Prefetcher::Native => Method::Native,
            Prefetcher::Auto if find_nix_prefetch_url().is_some() => Method::Nix,
            Prefetcher::Auto => Method::Native,
        }
    }

    /// The NAR hash of the tarball at `url` once unpacked, as `nix-prefetch-url
    /// --unpack` computes it. `not_found_hint` completes the message of an HTTP 404.
    pub fn hash_url(
        self,
        url: &str,
        timeouts: &Timeouts,
        not_found_hint: &str,
    ) -> Result<Prefetched, Error> {
        self.hash(url, true, timeouts, not_found_hint)
    }

    /// The sha256 of the file at `url` as downloaded, not unpacked: the flat hash
    /// `fetchurl` checks, as `nix-prefetch-url URL` (without `--unpack`) computes it.
    /// `not_found_hint` completes the message of an HTTP 404.
    pub fn hash_file_url(
        self,
        url: &str,
        timeouts: &Timeouts,
        not_found_hint: &str,
    ) -> Result<Prefetched, Error> {
        self.hash(url, false, timeouts, not_found_hint)
    }

    /// Hashes `url` unpacked (NAR) or flat, with Nix or natively; `Auto`
    /// falls back to the native hasher when Nix itself fails.
    fn hash(
        self,
        url: &str,
        unpack: bool,
        timeouts: &Timeouts,
        not_found_hint: &str,
    ) -> Result<Prefetched, Error> {
        let native = || {
            if unpack {
                native::hash_url(url, timeouts, not_found_hint)
            } else {
                native::hash_flat_url(url, timeouts, not_found_hint)
            }
        };
        let mut method = self.method();
        let hash = match method {
            Method::Nix => match nix::prefetch(url, unpack, timeouts, not_found_hint) {
                Err(Error::NixFailed { .. }) if self == Prefetcher::Auto => {
                    method = Method::Native;
                    native()?
                }
                result => result?,
            },
            Method::Native => native()?,
        };
        Ok(Prefetched {
            url: url.to_owned(),
            hash,
            method,
        })
    }
}

/// A downloaded and hashed tarball or file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefetched {
    /// The URL that was downloaded.
    pub url: String,
    /// The NAR hash of the unpacked tree; print it with [`Hash::to_sri`].
    pub hash: Hash,
    /// Which implementation computed it.
    pub method: Method,
}

/// A GitHub source ready to be written as `fetchFromGitHub` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubSource {
    /// The repository owner.
    pub owner: String,
    /// The repository name.
    pub repo: String,
    /// The revision as given and the commit it resolved to.
    pub rev: ResolvedRev,
    /// The archive of that commit and its hash.
    pub prefetched: Prefetched,
}

/// Resolves revisions and prefetches sources with one configuration.
#[derive(Debug, Clone, Default)]
pub struct Client {
    github: GitHub,
    prefetcher: Prefetcher,
    timeouts: Timeouts,
}

impl Client {
    /// Public GitHub, [`Prefetcher::Auto`] and default [`Timeouts`].
    pub fn new() -> Self {
        Client::default()
    }

    /// Uses a different forge, such as GitHub Enterprise.
    pub fn with_github(mut self, github: GitHub) -> Self {
        self.github = github;
        self
    }

    /// Chooses the implementation that computes hashes.
    pub fn with_prefetcher(mut self, prefetcher: Prefetcher) -> Self {
        self.prefetcher = prefetcher;
        self
    }

    /// Sets the timeouts.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The forge in use.
    pub fn github(&self) -> &GitHub {
        &self.github
    }

    /// The configured implementation choice.
    pub fn prefetcher(&self) -> Prefetcher {
        self.prefetcher
    }

    /// The configured timeouts.
    pub fn timeouts(&self) -> &Timeouts {
        &self.timeouts
    }

    /// Resolves a branch, tag or `HEAD` to a commit; see [`GitHub::resolve_rev`].
    pub fn resolve_rev(&self, owner: &str, repo: &str, rev: &str) -> Result<ResolvedRev, Error> {
        self.github.resolve_rev(owner, repo, rev, &self.timeouts)
    }

    /// Hashes the tarball at any URL, unpacked (as `fetchzip` and `fetchFromGitHub`
    /// check it).
    pub fn prefetch_url(&self, url: &str) -> Result<Prefetched, Error> {
        self.prefetcher
            .hash_url(url, &self.timeouts, "check the URL")
    }

    /// Hashes the file at any URL as downloaded, not unpacked (as `fetchurl` checks
    /// it); see [`Prefetcher::hash_file_url`].
    pub fn prefetch_file_url(&self, url: &str) -> Result<Prefetched, Error> {
        self.prefetcher
            .hash_file_url(url, &self.timeouts, "check the URL")
    }

    /// Hashes the tree of `repository` at `rev` as `fetchgit` checks it;
    /// see [`hash_git`].
    pub fn prefetch_git(&self, repository: &str, rev: &str) -> Result<Prefetched, Error> {
        Ok(Prefetched {
            url: repository.to_owned(),
            hash: hash_git(repository, rev, &self.timeouts)?,
            method: Method::Native,
        })
    }

    /// Resolves `rev` to a commit and hashes the GitHub archive of that commit.
    pub fn prefetch_github(
        &self,
        owner: &str,
        repo: &str,
        rev: &str,
    ) -> Result<GitHubSource, Error> {
        let resolved = self.resolve_rev(owner, repo, rev)?;
        let prefetched = self.prefetch_github_commit(owner, repo, &resolved.commit)?;
        Ok(GitHubSource {
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            rev: resolved,
            prefetched,
        })
    }

    /// Hashes the GitHub archive of `rev` exactly as given, without resolving it first.
    pub fn prefetch_github_commit(
        &self,
        owner: &str,
        repo: &str,
        rev: &str,
    ) -> Result<Prefetched, Error> {
        let url = self.github.archive_url(owner, repo, rev)?;
        let hint = format!(
            "the owner {owner:?}, repository {repo:?} or revision {rev:?} may be wrong, \
             or the repository may be private"
        );
        self.prefetcher.hash_url(&url, &self.timeouts, &hint)
    }
}

#[cfg(test)]
mod prefetcher_name_tests {
    use super::*;

    #[test]
    fn names_parse_and_unknown_names_are_errors() {
        for (name, prefetcher) in Prefetcher::NAMES {
            assert_eq!(name.parse::<Prefetcher>(), Ok(prefetcher));
        }
        assert_eq!(
            "nixx"
                .parse::<Prefetcher>()
                .map_err(|error| error.to_string()),
            Err("unknown prefetcher `nixx`: choose auto, nix or native".to_string())
        );
    }
}
