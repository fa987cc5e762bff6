//! The one error type of this crate.

use std::io;
use std::time::Duration;

/// Everything that can go wrong while resolving a revision or prefetching a source.
///
/// Messages name the URL, repository or command involved and, where there is one, what
/// the user can do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered 404.
    #[error("{url} was not found (HTTP 404): {hint}")]
    NotFound {
        /// The URL that was requested.
        url: String,
        /// What may be wrong, such as the owner, repository or revision.
        hint: String,
    },
    /// The server answered with an error status other than 404.
    #[error("{url} answered HTTP {status}{}", if reason.is_empty() { String::new() } else { format!(" {reason}") })]
    HttpStatus {
        /// The URL that was requested.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The reason phrase the server sent, possibly empty.
        reason: String,
    },
    /// No connection could be made: refused, unreachable, or the host name did not resolve.
    #[error("could not connect to {url}: {detail}; check the network connection and the base URL")]
    Connect {
        /// The URL that was requested.
        url: String,
        /// What the operating system or resolver said.
        detail: String,
    },
    /// The server went silent for longer than the configured timeout.
    #[error(
        "{url} did not answer within {} s while {phase}; the server may be slow or unreachable: \
         try again or raise the timeout",
        after.as_secs_f64()
    )]
    Timeout {
        /// The URL that was requested.
        url: String,
        /// What was being waited for, such as `connecting` or `receiving the archive`.
        phase: &'static str,
        /// The timeout that expired.
        after: Duration,
    },
    /// Some other transport failure, such as a connection reset mid-download.
    #[error("download of {url} failed: {detail}")]
    Network {
        /// The URL that was requested.
        url: String,
        /// What went wrong.
        detail: String,
    },
    /// The URL could not be understood.
    #[error("{url:?} is not a usable URL: {detail}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The body is not gzip data.
    #[error("{origin} is not a gzip-compressed tarball: {detail}")]
    NotGzip {
        /// Where the body came from, usually the URL.
        origin: String,
        /// What it looks like instead.
        detail: String,
    },
    /// The body is gzip but not a tarball that unpacks cleanly.
    #[error("{origin} is not a valid source tarball: {detail}")]
    BadArchive {
        /// Where the archive came from, usually the URL.
        origin: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A member of the archive would land outside the unpacked tree.
    #[error("{origin} contains {path:?}, which would unpack outside the source tree; refusing to unpack it")]
    UnsafePath {
        /// Where the archive came from, usually the URL.
        origin: String,
        /// The member's path as stored in the archive.
        path: String,
    },
    /// An owner or repository name that GitHub would not accept.
    #[error("{what} {value:?} is not valid: {reason}")]
    BadName {
        /// `owner` or `repository`.
        what: &'static str,
        /// The name as given.
        value: String,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// A revision that is neither a commit hash nor a possible branch or tag name.
    #[error("revision {rev:?} is not valid: {reason}")]
    BadRev {
        /// The revision as given.
        rev: String,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// The repository has no branch or tag of that name.
    #[error("{repository} has no branch or tag named {rev:?}{hint}")]
    RefNotFound {
        /// The repository URL that was asked.
        repository: String,
        /// The revision as given.
        rev: String,
        /// Extra advice, empty or starting with `; `.
        hint: String,
    },
    /// `git` is needed to resolve a branch or tag but is not installed.
    #[error(
        "git was not found on PATH: install git to resolve branch and tag names, \
         or give a full 40-character commit hash"
    )]
    GitNotFound,
    /// `git ls-remote` failed.
    #[error("`git ls-remote {repository}` failed ({status}): {stderr}; check that the repository exists and is readable")]
    GitFailed {
        /// The repository URL that was asked.
        repository: String,
        /// How git exited.
        status: String,
        /// What git printed on standard error.
        stderr: String,
    },
    /// `git fetch` or `git archive` of a revision failed.
    #[error("could not fetch {rev:?} from {repository}: {stderr}; check that the repository and the tag exist")]
    GitFetchFailed {
        /// The repository URL.
        repository: String,
        /// The revision asked for.
        rev: String,
        /// What git printed on standard error.
        stderr: String,
    },
    /// The revision has git submodules, whose contents `fetchgit` includes.
    #[error(
        "{repository} at {rev:?} has git submodules (.gitmodules); their contents are part of \
         fetchgit's hash and are not fetched here: compute the hash with nix-prefetch-git and write it"
    )]
    Submodules {
        /// The repository URL.
        repository: String,
        /// The revision.
        rev: String,
    },
    /// The Nix prefetcher was requested but `nix-prefetch-url` is not installed.
    #[error("nix-prefetch-url was not found on PATH: install Nix or use the native prefetcher")]
    NixNotFound,
    /// `nix-prefetch-url` failed.
    #[error("nix-prefetch-url failed for {url} ({status}): {stderr}")]
    NixFailed {
        /// The URL that was prefetched.
        url: String,
        /// How it exited.
        status: String,
        /// What it printed on standard error.
        stderr: String,
    },
    /// An external command ran past the configured command timeout and was stopped.
    #[error("`{command}` ran longer than {} s and was stopped; raise the command timeout if the source is large", after.as_secs_f64())]
    CommandTimeout {
        /// The command line, for the message.
        command: String,
        /// The timeout that expired.
        after: Duration,
    },
    /// A local I/O operation failed, such as creating the temporary spool file.
    #[error("could not {action}: {source}")]
    Io {
        /// What was being done.
        action: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

impl Error {
    pub(crate) fn io(action: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            action: action.into(),
            source,
        }
    }
}
