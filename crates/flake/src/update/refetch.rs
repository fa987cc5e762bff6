//! What to download for a fetched source's new hash: the forge archive,
//! the git tree, or the release URL with its tag (and the version in its
//! file name) moved.

/// What to download for a new release's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refetch {
    /// `fetchFromGitHub` on github.com: the archive of the tag.
    GitHub {
        /// The owner.
        owner: String,
        /// The repository.
        repo: String,
    },
    /// `fetchFromGitLab`: the archive the GitLab API serves for the tag.
    GitLab {
        /// `gitlab.com` or the call's `domain`.
        domain: String,
        /// `group/subgroup/repo`.
        project: String,
    },
    /// `fetchgit`: the tree at the tag.
    Git {
        /// The repository URL.
        url: String,
    },
    /// `fetchurl` (flat hash) or `fetchzip` (unpacked): a release URL.
    Url {
        /// The URL as the call fetches it now (`${version}` expanded).
        url: String,
        /// Where the tag is in `url`.
        tag: std::ops::Range<usize>,
        /// `fetchzip`: hash the unpacked archive.
        unpack: bool,
    },
}

impl Refetch {
    /// The URL to download for release `to` (`None` for GitHub archives and
    /// git repositories, which the prefetcher addresses itself).
    pub fn url_for(&self, to: &str) -> Option<String> {
        match self {
            Refetch::GitLab { domain, project } => Some(format!(
                "https://{domain}/api/v4/projects/{}/repository/archive.tar.gz?sha={}",
                project.replace('/', "%2F"),
                to.replace('/', "%2F")
            )),
            Refetch::Url { url, tag, .. } => {
                let old = url.get(tag.clone())?;
                let rest = url.get(tag.end..)?;
                let (old_version, new_version) = (version_text(old), version_text(to));
                let rest = if old_version.is_empty() || new_version.is_empty() {
                    rest.to_string()
                } else {
                    rest.replace(old_version, new_version)
                };
                Some(format!("{}{to}{rest}", url.get(..tag.start)?))
            }
            Refetch::GitHub { .. } | Refetch::Git { .. } => None,
        }
    }
}

/// `v1.2.0` → `1.2.0`: the tag from its first digit, as file names carry it.
fn version_text(tag: &str) -> &str {
    tag.find(|c: char| c.is_ascii_digit())
        .map_or("", |start| &tag[start..])
}

/// A forge release URL: the repository to list and where the tag is.
/// `https://HOST/O/R/archive/[refs/tags/]TAG.tar.gz` (or `.zip`),
/// `https://HOST/O/R/releases/download/TAG/FILE` (GitHub, Gitea, Forgejo)
/// and `https://HOST/GROUP…/R/-/archive/TAG/FILE` (GitLab).
pub fn release_url(url: &str) -> Option<(String, std::ops::Range<usize>)> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let path_start = scheme.len() + 3 + rest.find('/')?;
    let host = &url[scheme.len() + 3..path_start];
    let path = &url[path_start + 1..];
    let offset = path_start + 1;
    let segment_end = |from: usize| path[from..].find('/').map_or(path.len(), |end| from + end);
    let repository = |project: &str| format!("{scheme}://{host}/{project}.git");
    if let Some(marker) = path.find("/-/archive/") {
        let start = marker + "/-/archive/".len();
        let end = segment_end(start);
        return (end > start && end < path.len())
            .then(|| (repository(&path[..marker]), offset + start..offset + end));
    }
    let parts: Vec<&str> = path.splitn(4, '/').collect();
    let [owner, repo, kind, rest] = parts.as_slice() else {
        return None;
    };
    let project = format!("{owner}/{repo}");
    let start = owner.len() + repo.len() + kind.len() + 3;
    match *kind {
        "archive" => {
            let (skip, file) = match rest.strip_prefix("refs/tags/") {
                Some(file) => ("refs/tags/".len(), file),
                None => (0, *rest),
            };
            let tag = file
                .strip_suffix(".tar.gz")
                .or_else(|| file.strip_suffix(".zip"))
                .filter(|tag| !tag.is_empty() && !tag.contains('/'))?;
            let start = start + skip;
            Some((
                repository(&project),
                offset + start..offset + start + tag.len(),
            ))
        }
        "releases" => {
            let tag_start = start + rest.strip_prefix("download/").map(|_| "download/".len())?;
            let end = segment_end(tag_start);
            (end > tag_start && end < path.len())
                .then(|| (repository(&project), offset + tag_start..offset + end))
        }
        _ => None,
    }
}

/// Arguments that change what a fetcher downloads or how it is hashed, in
/// ways the prefetcher does not reproduce.
pub(super) const CHANGES_THE_OUTPUT: &[&str] = &[
    "postFetch",
    "leaveDotGit",
    "deepClone",
    "sparseCheckout",
    "fetchLFS",
    "forceFetchGit",
    "stripRoot",
    "extension",
    "downloadToTemp",
    "executable",
    "recursiveHash",
    "private",
    "urls",
    "githubBase",
];
