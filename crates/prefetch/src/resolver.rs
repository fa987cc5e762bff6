//! The prefetcher as the edit library's [`SourceResolver`], so the CLI and
//! the language server hand the same [`Client`] to
//! `flakeedit_flake::sources::resolve_source` and `prefetch_sites`.

use flakeedit_flake::sources::{self, SourceResolver};

use crate::{Client, Error, GitHub, Method, RevKind};

impl SourceResolver for Client {
    type Error = Error;

    fn github_base_url(&self) -> &str {
        self.github().base_url()
    }

    fn resolve_rev(
        &self,
        owner: &str,
        repo: &str,
        rev: &str,
    ) -> Result<sources::ResolvedRev, Error> {
        let resolved = Client::resolve_rev(self, owner, repo, rev)?;
        Ok(sources::ResolvedRev {
            rev: resolved.rev,
            commit: resolved.commit,
            kind: match resolved.kind {
                RevKind::Commit => sources::RevKind::Commit,
                RevKind::Branch => sources::RevKind::Branch,
                RevKind::Tag => sources::RevKind::Tag,
                RevKind::Head => sources::RevKind::Head,
                RevKind::OtherRef => sources::RevKind::OtherRef,
            },
        })
    }

    fn prefetch_github(
        &self,
        host: Option<&str>,
        owner: &str,
        repo: &str,
        commit: &str,
    ) -> Result<sources::Prefetched, Error> {
        let prefetched = match host {
            Some(host) => self
                .clone()
                .with_github(GitHub::new(format!("https://{host}")))
                .prefetch_github_commit(owner, repo, commit),
            None => self.prefetch_github_commit(owner, repo, commit),
        }?;
        Ok(convert(prefetched))
    }

    fn prefetch_file(&self, url: &str) -> Result<sources::Prefetched, Error> {
        self.prefetch_file_url(url).map(convert)
    }

    fn prefetch_archive(&self, url: &str) -> Result<sources::Prefetched, Error> {
        self.prefetch_url(url).map(convert)
    }
}

fn convert(prefetched: crate::Prefetched) -> sources::Prefetched {
    sources::Prefetched {
        url: prefetched.url,
        hash: prefetched.hash,
        method: match prefetched.method {
            Method::Nix => "nix-prefetch-url",
            Method::Native => "native",
        }
        .to_string(),
    }
}
