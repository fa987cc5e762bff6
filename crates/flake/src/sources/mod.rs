//! Sources fetched from the network: `add-source` and `fix-hashes`.
//!
//! Both are split in two so every front-end runs the same pieces:
//!
//! 1. a **resolver** step that touches no file and reaches the network only
//!    through the front-end's [`SourceResolver`] —
//!    [`resolve_source`] turns `OWNER/REPO@REV` into a commit, a version and
//!    a hash; [`placeholder_hashes`] finds the fetches to prefetch in a text
//!    and [`prefetch_sites`] computes their hashes;
//! 2. a **pure operation** — [`crate::Operation::AddSource`] and
//!    [`crate::Operation::FixHashes`] — that [`crate::run`] applies and
//!    verifies like every other edit.
//!
//! The CLI runs step 1 before it reads files for writing; the language
//! server runs it when a code action is resolved or a command is executed.
//! Either way, a network failure leaves every file untouched.

mod fetches;
mod resolve;
mod resolver;

pub use fetches::{fix_hashes, placeholder_hashes, FetchHash, FetchSite, FetchSource, FixHashes};
pub use resolve::{
    github_host, prefetch_sites, resolve_source, HashChoice, ResolvedSource, SiteError,
    SourceRequest, SourceSpec, DEFAULT_GITHUB_BASE_URL,
};
pub use resolver::{Prefetched, ResolvedRev, RevKind, SourceResolver};

pub(crate) use fetches::verify as verify_fix_hashes;

#[cfg(test)]
mod fake_resolver;
#[cfg(test)]
mod tests;
