//! Where a flake reference names its branch, tag or channel, and which git
//! repository it lives in.

use std::ops::Range;

/// What a reference string says about updating it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlReference {
    /// The git URL to list tags and branches of (`https://github.com/o/r.git`),
    /// when flakeedit knows it.
    pub repository: Option<String>,
    /// The byte range of the branch, tag or channel name in the string.
    pub reference: Option<Range<usize>>,
    /// The commit the reference is pinned to, if any.
    pub rev: Option<String>,
}

impl UrlReference {
    /// The name at [`UrlReference::reference`] in `url`.
    pub fn name<'a>(&self, url: &'a str) -> Option<&'a str> {
        self.reference.clone().and_then(|range| url.get(range))
    }
}

pub(crate) fn is_commit(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The value range of query parameter `key` within `url`.
fn param_range(url: &str, query_start: usize, key: &str) -> Option<Range<usize>> {
    let query_end = url[query_start..]
        .find('#')
        .map_or(url.len(), |index| query_start + index);
    let mut offset = query_start + 1;
    for param in url.get(query_start + 1..query_end)?.split('&') {
        if let Some(value) = param
            .strip_prefix(key)
            .and_then(|rest| rest.strip_prefix('='))
        {
            let start = offset + key.len() + 1;
            return Some(start..start + value.len());
        }
        offset += param.len() + 1;
    }
    None
}

fn param<'a>(url: &'a str, query_start: Option<usize>, key: &str) -> Option<&'a str> {
    query_start
        .and_then(|start| param_range(url, start, key))
        .and_then(|range| url.get(range))
}

/// The git URL of a forge repository.
pub fn forge_repository(
    scheme: &str,
    owner: &str,
    repo: &str,
    host: Option<&str>,
) -> Option<String> {
    if owner.is_empty() || repo.is_empty() {
        return None;
    }
    Some(match scheme {
        "github" => format!(
            "https://{}/{owner}/{repo}.git",
            host.unwrap_or("github.com")
        ),
        // Subgroups are written `group%2Fsub`.
        "gitlab" => format!(
            "https://{}/{}/{repo}.git",
            host.unwrap_or("gitlab.com"),
            owner.replace("%2F", "/").replace("%2f", "/")
        ),
        "sourcehut" => format!("https://{}/{owner}/{repo}", host.unwrap_or("git.sr.ht")),
        _ => return None,
    })
}

const NIXPKGS: &str = "https://github.com/NixOS/nixpkgs.git";

/// Reads a flake reference URL; `None` when it names nothing updatable
/// (a path, an unknown scheme).
pub fn read_url(url: &str) -> Option<UrlReference> {
    let query_start = url
        .find(['?', '#'])
        .filter(|index| url.as_bytes()[*index] == b'?');
    let base_end = url.find(['?', '#']).unwrap_or(url.len());
    let base = &url[..base_end];
    let rev = param(url, query_start, "rev").map(str::to_string);
    let query_ref = query_start.and_then(|start| param_range(url, start, "ref"));
    let scheme_end = base.find(':').filter(|index| !base[..*index].contains('/'));
    let Some(scheme_end) = scheme_end else {
        return indirect(url, base, 0, query_ref, rev);
    };
    let scheme = &base[..scheme_end];
    let rest_start = scheme_end + 1;
    let rest = &base[rest_start..];
    match scheme {
        "github" | "gitlab" | "sourcehut" => {
            let mut parts = rest.splitn(3, '/');
            let owner = parts.next().unwrap_or("");
            let repo = parts.next().unwrap_or("");
            let path_ref = parts.next().filter(|r| !r.is_empty());
            let host = param(url, query_start, "host");
            let repository = forge_repository(scheme, owner, repo, host);
            let (reference, rev) = match path_ref {
                Some(name) if is_commit(name) => (None, Some(name.to_string())),
                Some(name) => (Some(base_end - name.len()..base_end), rev),
                None => (query_ref, rev),
            };
            Some(UrlReference {
                repository,
                reference,
                rev,
            })
        }
        "flake" => indirect(url, rest, rest_start, query_ref, rev),
        _ if scheme.starts_with("git+") => {
            let repository = base.strip_prefix("git+").map(str::to_string);
            // `?ref=refs/tags/v1.2`: only the name after the prefix moves.
            let reference = query_ref.map(|range| {
                let value = &url[range.clone()];
                let skip = ["refs/tags/", "refs/heads/"]
                    .iter()
                    .find(|prefix| value.starts_with(**prefix))
                    .map_or(0, |prefix| prefix.len());
                range.start + skip..range.end
            });
            Some(UrlReference {
                repository,
                reference,
                rev,
            })
        }
        "http" | "https" | "tarball+https" | "tarball+http" => tarball(url, base),
        _ => None,
    }
}

/// `nixpkgs`, `nixpkgs/nixos-25.05`, `flake:nixpkgs/nixos-25.05/<rev>`:
/// only the `nixpkgs` id has a repository flakeedit knows without asking
/// the registry.
fn indirect(
    url: &str,
    path: &str,
    path_start: usize,
    query_ref: Option<Range<usize>>,
    rev: Option<String>,
) -> Option<UrlReference> {
    if path.starts_with(['.', '/']) {
        return None;
    }
    let mut segments = path.split('/');
    let id = segments.next()?;
    if id != "nixpkgs" {
        return None;
    }
    let mut offset = path_start + id.len() + 1;
    let mut reference = query_ref;
    let mut rev = rev;
    for segment in segments {
        if is_commit(segment) {
            rev = Some(segment.to_string());
        } else if !segment.is_empty() {
            reference = Some(offset..offset + segment.len());
        }
        offset += segment.len() + 1;
    }
    let _ = url;
    Some(UrlReference {
        repository: Some(NIXPKGS.to_string()),
        reference,
        rev,
    })
}

/// Channel tarballs (`https://channels.nixos.org/nixos-25.05/nixexprs.tar.xz`,
/// `https://nixos.org/channels/nixos-25.05/nixexprs.tar.xz`) are nixpkgs
/// branches; GitHub archives (`https://github.com/o/r/archive/v1.2.tar.gz`)
/// name a tag or branch.
fn tarball(url: &str, base: &str) -> Option<UrlReference> {
    let after_scheme = base.find("://")? + 3;
    let path_start = after_scheme + base[after_scheme..].find('/')?;
    let host = &base[after_scheme..path_start];
    let path = &base[path_start..];
    let channel_start = match host {
        "channels.nixos.org" => Some(path_start + 1),
        "nixos.org" | "releases.nixos.org" if path.starts_with("/channels/") => {
            Some(path_start + "/channels/".len())
        }
        _ => None,
    };
    if let Some(start) = channel_start {
        let end = base[start..]
            .find('/')
            .map_or(base.len(), |index| start + index);
        return Some(UrlReference {
            repository: Some(NIXPKGS.to_string()),
            reference: Some(start..end),
            rev: None,
        });
    }
    if host != "github.com" {
        return None;
    }
    let parts: Vec<&str> = path.trim_start_matches('/').splitn(4, '/').collect();
    let [owner, repo, "archive", file] = parts.as_slice() else {
        return None;
    };
    let extension = [".tar.gz", ".tar.xz", ".zip"]
        .into_iter()
        .find(|extension| file.ends_with(extension))?;
    let name_end = base.len() - extension.len();
    let name = &base[name_end - (file.len() - extension.len())..name_end];
    let _ = url;
    let repository = forge_repository("github", owner, repo, None);
    if is_commit(name) {
        return Some(UrlReference {
            repository,
            reference: None,
            rev: Some(name.to_string()),
        });
    }
    Some(UrlReference {
        repository,
        reference: Some(name_end - name.len()..name_end),
        rev: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(url: &str) -> (Option<String>, Option<String>, Option<String>) {
        let found = read_url(url).expect(url);
        (
            found.repository.clone(),
            found.name(url).map(str::to_string),
            found.rev,
        )
    }

    #[test]
    fn references_name_their_repository_and_ref() {
        let rev = "0123456789abcdef0123456789abcdef01234567";
        let gh = Some("https://github.com/o/r.git".to_string());
        assert_eq!(
            read("github:o/r/v1.2.0"),
            (gh.clone(), Some("v1.2.0".into()), None)
        );
        assert_eq!(
            read("github:o/r?ref=v1.2.0&dir=sub"),
            (gh.clone(), Some("v1.2.0".into()), None)
        );
        assert_eq!(
            read(&format!("github:o/r/{rev}")),
            (gh.clone(), None, Some(rev.into()))
        );
        assert_eq!(read("github:o/r"), (gh.clone(), None, None));
        assert_eq!(
            read("github:o/r/v1?host=ghe.example.com").0.as_deref(),
            Some("https://ghe.example.com/o/r.git")
        );
        assert_eq!(
            read("gitlab:group%2Fsub/r/v2?host=git.example.org"),
            (
                Some("https://git.example.org/group/sub/r.git".into()),
                Some("v2".into()),
                None
            )
        );
        assert_eq!(
            read("sourcehut:~user/r/v3").0.as_deref(),
            Some("https://git.sr.ht/~user/r")
        );
        assert_eq!(
            read("git+https://codeberg.org/o/r.git?ref=refs/tags/v1.0"),
            (
                Some("https://codeberg.org/o/r.git".into()),
                Some("v1.0".into()),
                None
            )
        );
        assert_eq!(
            read("git+file:///srv/r?ref=v1&rev=".to_string().as_str())
                .1
                .as_deref(),
            Some("v1")
        );
        let nixpkgs = Some(NIXPKGS.to_string());
        assert_eq!(
            read("nixpkgs/nixos-24.05"),
            (nixpkgs.clone(), Some("nixos-24.05".into()), None)
        );
        assert_eq!(
            read("https://channels.nixos.org/nixos-24.05/nixexprs.tar.xz"),
            (nixpkgs.clone(), Some("nixos-24.05".into()), None)
        );
        assert_eq!(
            read("https://nixos.org/channels/nixpkgs-24.05-darwin/nixexprs.tar.xz"),
            (nixpkgs, Some("nixpkgs-24.05-darwin".into()), None)
        );
        assert_eq!(
            read("https://github.com/o/r/archive/v1.2.tar.gz"),
            (gh, Some("v1.2".into()), None)
        );
        assert_eq!(read_url("path:./sub"), None);
        assert_eq!(read_url("./sub"), None);
        assert_eq!(read_url("https://example.org/x.tar.gz"), None);
    }
}
