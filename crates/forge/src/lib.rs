//! The tags and branches of remote repositories, on any forge.
//!
//! One forge-agnostic path: `git ls-remote --tags --heads URL`, which needs
//! no API and no token for a public repository and reaches GitHub, GitLab,
//! SourceHut, Codeberg/Forgejo/Gitea, self-hosted servers and local
//! `file://` repositories alike. [`ForgeConfig`] redirects hosts (GitHub
//! Enterprise, self-hosted forges, test servers), carries access tokens for
//! private repositories (sent as an HTTP header through git's environment,
//! never on a command line) and bounds the time of each query.
//! [`list_all`] queries each distinct repository once, in parallel with a
//! bound.

mod config;
mod query;

pub use config::{parse_redirect, ForgeConfig};
pub use query::{list_all, list_refs};

/// The tags and branches a repository advertises.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refs {
    /// Tag names (without `refs/tags/`) with the commit each points at
    /// (annotated tags peeled to their commit).
    pub tags: Vec<(String, String)>,
    /// Branch names (without `refs/heads/`) with their head commit.
    pub heads: Vec<(String, String)>,
}

impl Refs {
    /// The commit of tag or branch `name` (a tag wins, as in git).
    pub fn commit_of(&self, name: &str) -> Option<&str> {
        let name = name
            .strip_prefix("refs/tags/")
            .or_else(|| name.strip_prefix("refs/heads/"))
            .unwrap_or(name);
        self.tags
            .iter()
            .chain(self.heads.iter())
            .find(|(ref_name, _)| ref_name == name)
            .map(|(_, commit)| commit.as_str())
    }
}

/// Why a repository's references could not be listed. Each message names
/// the repository and says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ForgeError {
    /// `git` is not installed.
    #[error("cannot run `git` to list the tags of {url}: {detail}")]
    NoGit {
        /// The repository.
        url: String,
        /// The operating system's error.
        detail: String,
    },
    /// The repository does not exist (or is private and no token fits).
    #[error(
        "the repository {url} was not found: {detail}; check the input's url, or for a \
         private repository set GITHUB_TOKEN or `access-tokens` in nix.conf"
    )]
    Gone {
        /// The repository.
        url: String,
        /// git's message.
        detail: String,
    },
    /// No answer within the time limit.
    #[error(
        "{url} did not answer within {seconds} s; check the network (or --forge-url), or \
         raise --timeout"
    )]
    Timeout {
        /// The repository.
        url: String,
        /// The limit.
        seconds: u64,
    },
    /// Any other failure of `git ls-remote`.
    #[error("cannot list the tags of {url}: {detail}; check the url and the network")]
    Failed {
        /// The repository.
        url: String,
        /// git's message.
        detail: String,
    },
}

impl ForgeError {
    /// The repository the error is about.
    pub fn url(&self) -> &str {
        match self {
            ForgeError::NoGit { url, .. }
            | ForgeError::Gone { url, .. }
            | ForgeError::Timeout { url, .. }
            | ForgeError::Failed { url, .. } => url,
        }
    }
}

/// Reads the output of `git ls-remote`: `<commit>\t<ref>` lines, where an
/// annotated tag is followed by its peeled `<ref>^{}` line.
pub fn parse_ls_remote(output: &str) -> Refs {
    let mut refs = Refs::default();
    for line in output.lines() {
        let Some((commit, name)) = line.split_once('\t') else {
            continue;
        };
        let commit = commit.trim().to_string();
        if let Some(tag) = name.strip_prefix("refs/tags/") {
            if let Some(peeled) = tag.strip_suffix("^{}") {
                if let Some(entry) = refs.tags.iter_mut().find(|(name, _)| name == peeled) {
                    entry.1 = commit;
                } else {
                    refs.tags.push((peeled.to_string(), commit));
                }
            } else if !refs.tags.iter().any(|(name, _)| name == tag) {
                refs.tags.push((tag.to_string(), commit));
            }
        } else if let Some(head) = name.strip_prefix("refs/heads/") {
            refs.heads.push((head.to_string(), commit));
        }
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotated_tags_are_peeled_to_their_commit() {
        let output = "\
1111111111111111111111111111111111111111\trefs/heads/main
2222222222222222222222222222222222222222\trefs/tags/v1.0.0
3333333333333333333333333333333333333333\trefs/tags/v1.0.0^{}
4444444444444444444444444444444444444444\trefs/tags/v1.1.0
";
        let refs = parse_ls_remote(output);
        assert_eq!(
            refs.heads,
            vec![(
                "main".into(),
                "1111111111111111111111111111111111111111".into()
            )]
        );
        assert_eq!(
            refs.commit_of("v1.0.0"),
            Some("3333333333333333333333333333333333333333")
        );
        assert_eq!(
            refs.commit_of("refs/tags/v1.1.0"),
            Some("4444444444444444444444444444444444444444")
        );
        assert_eq!(refs.commit_of("v2"), None);
    }
}
