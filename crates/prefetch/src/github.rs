//! GitHub (or GitHub Enterprise) addresses, and turning branch and tag names into commits.

use std::process::Command;

use crate::command::{self, Outcome};
use crate::{Error, Timeouts};

/// A GitHub-compatible forge, identified by its web base URL.
///
/// The base URL is configurable for GitHub Enterprise and for tests that serve
/// archives and repositories locally. Archive and clone URLs are built by appending
/// `/{owner}/{repo}/…` to it, so a plain directory path also works as a base for
/// [`GitHub::resolve_rev`] (git accepts paths as repository URLs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHub {
    base_url: String,
}

impl Default for GitHub {
    fn default() -> Self {
        GitHub::new(GitHub::DEFAULT_BASE_URL)
    }
}

/// What kind of name a revision turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevKind {
    /// A full 40-digit commit hash, used as given.
    Commit,
    /// A branch (`refs/heads/…`).
    Branch,
    /// A tag (`refs/tags/…`), annotated or lightweight.
    Tag,
    /// The repository's `HEAD`, its default branch.
    Head,
    /// Another fully qualified ref, such as `refs/pull/1/head`.
    OtherRef,
}

/// A revision and the commit it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRev {
    /// The revision as the user gave it.
    pub rev: String,
    /// The full commit hash in lowercase hex; for an annotated tag, the commit it points
    /// to (the peeled `^{}` value), not the tag object.
    pub commit: String,
    /// Whether the revision was a commit hash, branch, tag, `HEAD` or other ref.
    pub kind: RevKind,
    /// The full name of the ref it matched (`refs/tags/v1.0`), or `None` for a hash.
    pub ref_name: Option<String>,
}

impl ResolvedRev {
    /// Whether the revision named a tag.
    pub fn is_tag(&self) -> bool {
        self.kind == RevKind::Tag
    }
}

impl GitHub {
    /// The public GitHub.
    pub const DEFAULT_BASE_URL: &'static str = "https://github.com";

    /// A forge at `base_url`, such as `https://github.example.com`; a trailing `/` is
    /// ignored.
    pub fn new(base_url: impl Into<String>) -> Self {
        let mut base_url = base_url.into();
        while base_url.ends_with('/') && base_url.len() > 1 {
            base_url.pop();
        }
        GitHub { base_url }
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The tarball URL `fetchFromGitHub` downloads:
    /// `{base}/{owner}/{repo}/archive/{rev}.tar.gz`.
    pub fn archive_url(&self, owner: &str, repo: &str, rev: &str) -> Result<String, Error> {
        check_name("owner", owner)?;
        check_name("repository", repo)?;
        check_rev(rev)?;
        Ok(format!(
            "{}/{owner}/{repo}/archive/{}.tar.gz",
            self.base_url,
            percent_encode_path(rev)
        ))
    }

    /// The git URL of a repository: `{base}/{owner}/{repo}.git`.
    pub fn git_url(&self, owner: &str, repo: &str) -> Result<String, Error> {
        check_name("owner", owner)?;
        check_name("repository", repo)?;
        Ok(format!("{}/{owner}/{repo}.git", self.base_url))
    }

    /// Resolves a branch, tag, `HEAD` or fully qualified ref to a commit with
    /// `git ls-remote`; a full 40-digit hex commit hash is returned as is, without git.
    ///
    /// When a name is both a tag and a branch the tag wins, as it does in git. Tags
    /// resolve to the commit they point to.
    pub fn resolve_rev(
        &self,
        owner: &str,
        repo: &str,
        rev: &str,
        timeouts: &Timeouts,
    ) -> Result<ResolvedRev, Error> {
        let repository = self.git_url(owner, repo)?;
        check_rev(rev)?;
        if rev.len() == 40 && rev.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Ok(ResolvedRev {
                rev: rev.to_owned(),
                commit: rev.to_ascii_lowercase(),
                kind: RevKind::Commit,
                ref_name: None,
            });
        }
        let git = which::which("git").map_err(|_| Error::GitNotFound)?;
        let mut invocation = Command::new(git);
        invocation.env("GIT_TERMINAL_PROMPT", "0").args([
            "ls-remote",
            "--",
            &repository,
            rev,
            &format!("{rev}^{{}}"),
        ]);
        let finished = match command::run(invocation, timeouts.command) {
            Ok(Outcome::Finished(finished)) => finished,
            Ok(Outcome::TimedOut) => {
                return Err(Error::CommandTimeout {
                    command: format!("git ls-remote {repository}"),
                    after: timeouts.command.unwrap_or_default(),
                })
            }
            Err(error) => return Err(Error::io("run git ls-remote", error)),
        };
        if !finished.status.success() {
            return Err(Error::GitFailed {
                repository,
                status: finished.status.to_string(),
                stderr: command::stderr_text(&finished.stderr),
            });
        }
        let listing = String::from_utf8_lossy(&finished.stdout);
        let refs: Vec<(&str, &str)> = listing
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .filter(|(hash, _)| is_object_hash(hash))
            .collect();
        let find = |name: &str| {
            refs.iter()
                .find(|(_, listed)| *listed == name)
                .map(|(hash, _)| *hash)
        };
        // git's own order of preference for a short name (see `git help revisions`).
        let candidates = [
            rev.to_owned(),
            format!("refs/{rev}"),
            format!("refs/tags/{rev}"),
            format!("refs/heads/{rev}"),
        ];
        for ref_name in candidates {
            let Some(hash) = find(&ref_name) else {
                continue;
            };
            let kind = if ref_name == "HEAD" {
                RevKind::Head
            } else if ref_name.starts_with("refs/tags/") {
                RevKind::Tag
            } else if ref_name.starts_with("refs/heads/") {
                RevKind::Branch
            } else {
                RevKind::OtherRef
            };
            let commit = find(&format!("{ref_name}^{{}}")).unwrap_or(hash);
            return Ok(ResolvedRev {
                rev: rev.to_owned(),
                commit: commit.to_ascii_lowercase(),
                kind,
                ref_name: Some(ref_name),
            });
        }
        let hint = if rev.len() >= 4 && rev.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            "; it looks like an abbreviated commit hash, which cannot be resolved remotely: give all 40 hex digits"
        } else {
            ""
        };
        Err(Error::RefNotFound {
            repository,
            rev: rev.to_owned(),
            hint: hint.to_owned(),
        })
    }
}

fn is_object_hash(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// Owner and repository names as GitHub allows them: ASCII letters, digits, `-`, `_`, `.`.
fn check_name(what: &'static str, value: &str) -> Result<(), Error> {
    let reason = if value.is_empty() {
        Some("it is empty")
    } else if value.len() > 100 {
        Some("it is longer than 100 characters")
    } else if value == "." || value == ".." {
        Some("it is a relative path component")
    } else if value.starts_with('-') {
        Some("it starts with '-'")
    } else if !value
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'))
    {
        Some("only ASCII letters, digits, '-', '_' and '.' are allowed")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::BadName {
            what,
            value: value.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Revisions must be commit hashes or names git accepts as refs (`git check-ref-format`).
fn check_rev(rev: &str) -> Result<(), Error> {
    let reason = if rev.is_empty() {
        Some("it is empty")
    } else if rev.len() > 255 {
        Some("it is longer than 255 bytes")
    } else if rev.starts_with('-') {
        Some("it starts with '-'")
    } else if rev.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("it contains whitespace or control characters")
    } else if rev
        .chars()
        .any(|c| matches!(c, '~' | '^' | ':' | '?' | '*' | '[' | '\\'))
    {
        Some("git does not allow ~ ^ : ? * [ or \\ in branch and tag names")
    } else if rev.contains("..") || rev.contains("@{") || rev.contains("//") {
        Some("git does not allow '..', '@{' or '//' in branch and tag names")
    } else if rev.starts_with('/')
        || rev.ends_with('/')
        || rev.ends_with('.')
        || rev.ends_with(".lock")
    {
        Some("git does not allow a name to start or end with '/' or end with '.' or '.lock'")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::BadRev {
            rev: rev.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

fn percent_encode_path(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'/' | b'+' | b'@' | b'=' | b',')
        {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_urls_follow_the_base() {
        let github = GitHub::default();
        assert_eq!(
            github
                .archive_url("NixOS", "nixpkgs", "nixos-24.05")
                .unwrap(),
            "https://github.com/NixOS/nixpkgs/archive/nixos-24.05.tar.gz"
        );
        let enterprise = GitHub::new("http://127.0.0.1:8080/ghe/");
        assert_eq!(
            enterprise.archive_url("o", "r.js", "feature/ü").unwrap(),
            "http://127.0.0.1:8080/ghe/o/r.js/archive/feature/%C3%BC.tar.gz"
        );
        assert_eq!(
            enterprise.git_url("o", "r").unwrap(),
            "http://127.0.0.1:8080/ghe/o/r.git"
        );
    }

    #[test]
    fn bad_names_and_revs_are_refused() {
        let github = GitHub::default();
        for (owner, repo) in [
            ("", "r"),
            ("o", ".."),
            ("-o", "r"),
            ("o/x", "r"),
            ("o", "r?x"),
        ] {
            assert!(
                matches!(
                    github.archive_url(owner, repo, "main"),
                    Err(Error::BadName { .. })
                ),
                "{owner}/{repo}"
            );
        }
        for rev in [
            "", "-x", "a b", "a..b", "v1^{}", "x:y", "a/", "x.lock", "@{-1}", "a\nb",
        ] {
            assert!(
                matches!(github.archive_url("o", "r", rev), Err(Error::BadRev { .. })),
                "{rev:?}"
            );
        }
    }
}
