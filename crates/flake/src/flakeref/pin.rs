//! Pinning flake references to a commit, per the flake reference grammar:
//!
//! - `github:`/`gitlab:`/`sourcehut:` take the commit as the third path
//!   segment (`github:o/r/<rev>`) or as `?rev=`; a branch or tag cannot be
//!   written next to a commit (Nix rejects "both a commit hash and a
//!   branch/tag name"), so pinning drops it;
//! - indirect references take it as their last segment
//!   (`nixpkgs/<rev>`, `flake:nixpkgs/nixos-24.05/<rev>`);
//! - `git+…` and `hg+…` take `?rev=` and keep their `ref`;
//! - a GitHub archive URL (`https://github.com/o/r/archive/main.tar.gz`)
//!   names the commit in its file name;
//! - any other tarball or file URL has no revision: a `?rev=` would be sent
//!   to the server and pin nothing, and a `path:` names local files. Those
//!   are refused with the reason.

/// A reference pinned to a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    /// The pinned reference.
    pub url: String,
    /// The branch or tag the reference named and that the pin replaced
    /// (a forge reference cannot hold both), so `unpin` cannot restore it.
    pub dropped_ref: Option<String>,
}

/// Why a reference cannot be pinned (or unpinned) by rewriting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPinnable {
    /// What is wrong, naming the reference.
    pub reason: String,
    /// What the user can do instead.
    pub hint: String,
}

pub(super) fn is_commit(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A reference split by the part of the grammar that decides how it pins.
enum Reference<'a> {
    /// `github:o/r[/ref-or-rev][?query]` and the other forges.
    Forge {
        scheme: &'a str,
        owner: &'a str,
        repo: &'a str,
        reference: Option<&'a str>,
        query: &'a str,
    },
    /// `[flake:]id[/ref][/rev][?query]`.
    Indirect {
        prefix: &'a str,
        id: &'a str,
        segments: Vec<&'a str>,
        query: &'a str,
    },
    /// `git+https://…?ref=…&rev=…`, `hg+…`: the commit is a query parameter.
    QueryRev,
    /// `[tarball+]https://github.com/o/r/archive/<name>.tar.gz`.
    GitHubArchive {
        head: &'a str,
        name: &'a str,
        tail: &'a str,
    },
    /// Any other `http(s):`, `tarball+…`, `file+…` or `file:` URL.
    Tarball { url: &'a str },
    /// `path:…`, `./x`, `/abs`.
    Path,
    /// A scheme flakeedit does not know.
    Unknown,
}

fn split_query(url: &str) -> (&str, &str) {
    match url.find(['?', '#']) {
        Some(index) => url.split_at(index),
        None => (url, ""),
    }
}

fn is_flake_id(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

const ARCHIVE_EXTENSIONS: &[&str] = &[".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".zip"];

fn github_archive(url: &str) -> Option<Reference<'_>> {
    let (base, _) = split_query(url);
    let without_scheme = base
        .strip_prefix("tarball+")
        .unwrap_or(base)
        .strip_prefix("https://github.com/")?;
    let parts: Vec<&str> = without_scheme.splitn(4, '/').collect();
    let [_, _, "archive", file] = parts.as_slice() else {
        return None;
    };
    let extension = ARCHIVE_EXTENSIONS
        .iter()
        .find(|extension| file.ends_with(*extension))?;
    let name = &file[..file.len() - extension.len()];
    if name.is_empty() {
        return None;
    }
    // Offsets within `url`: the name sits right before the extension.
    let name_end = base.len() - extension.len();
    let name_start = name_end - name.len();
    Some(Reference::GitHubArchive {
        head: &url[..name_start],
        name,
        tail: &url[name_end..],
    })
}

fn classify(url: &str) -> Reference<'_> {
    let (base, query) = split_query(url);
    let scheme_end = base.find(':').filter(|index| {
        // `nixpkgs/nixos-24.05` has no scheme even if a later segment had a colon.
        !base[..*index].contains('/')
    });
    let Some(scheme_end) = scheme_end else {
        if base.starts_with(['.', '/']) {
            return Reference::Path;
        }
        return indirect("", base, query);
    };
    let scheme = &base[..scheme_end];
    let rest = &base[scheme_end + 1..];
    match scheme {
        "github" | "gitlab" | "sourcehut" => {
            let mut parts = rest.splitn(3, '/');
            let owner = parts.next().unwrap_or("");
            let repo = parts.next().unwrap_or("");
            let reference = parts.next().filter(|r| !r.is_empty());
            Reference::Forge {
                scheme,
                owner,
                repo,
                reference,
                query,
            }
        }
        "flake" => indirect("flake:", rest, query),
        "path" => Reference::Path,
        "git" => Reference::QueryRev,
        _ if scheme.starts_with("git+") || scheme.starts_with("hg+") => Reference::QueryRev,
        "http" | "https" | "file" => github_archive(url).unwrap_or(Reference::Tarball { url }),
        _ if scheme.starts_with("tarball+") || scheme.starts_with("file+") => {
            github_archive(url).unwrap_or(Reference::Tarball { url })
        }
        _ => Reference::Unknown,
    }
}

fn indirect<'a>(prefix: &'a str, path: &'a str, query: &'a str) -> Reference<'a> {
    let mut segments = path.split('/');
    let id = segments.next().unwrap_or("");
    if !is_flake_id(id) {
        return Reference::Unknown;
    }
    Reference::Indirect {
        prefix,
        id,
        segments: segments.collect(),
        query,
    }
}

/// The value of query parameter `key` in `query` (`?a=1&rev=x` or empty).
fn query_param<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .strip_prefix('?')?
        .split('&')
        .find_map(|param| param.strip_prefix(key)?.strip_prefix('='))
}

/// `query` with `key` set to `value` in place (appended when absent), or
/// removed with `None`.
fn set_query_param(query: &str, key: &str, value: Option<&str>) -> String {
    let (fragment_start, fragment) = match query.find('#') {
        Some(index) => (index, &query[index..]),
        None => (query.len(), ""),
    };
    let params = query[..fragment_start].strip_prefix('?').unwrap_or("");
    let mut found = false;
    let mut written: Vec<String> = Vec::new();
    for param in params.split('&').filter(|param| !param.is_empty()) {
        if param.split('=').next() == Some(key) {
            if let (Some(value), false) = (value, found) {
                written.push(format!("{key}={value}"));
            }
            found = true;
        } else {
            written.push(param.to_string());
        }
    }
    if let (Some(value), false) = (value, found) {
        written.push(format!("{key}={value}"));
    }
    if written.is_empty() {
        fragment.to_string()
    } else {
        format!("?{}{fragment}", written.join("&"))
    }
}

fn tarball_refusal(url: &str) -> NotPinnable {
    let hint = if url.contains("channels.nixos.org") || url.contains("nixos.org/channels") {
        "a channel's commit is in its `git-revision` file: \
         `flakeedit set-url NAME github:NixOS/nixpkgs/REV` pins nixpkgs to it"
            .to_string()
    } else {
        "point the input at a reference that names a commit (`flakeedit set-url NAME \
         github:OWNER/REPO/REV`), or keep flake.lock, which records the tarball's narHash"
            .to_string()
    };
    NotPinnable {
        reason: format!(
            "`{url}` is a tarball URL: it names no commit, and a `rev` would only be sent to \
             the server, so Nix would not read it as pinned"
        ),
        hint,
    }
}

fn path_refusal(url: &str) -> NotPinnable {
    NotPinnable {
        reason: format!("`{url}` is a path reference: local files have no revision to pin"),
        hint: "flake.lock records the files' narHash; to pin a repository, use a `git+file:` \
               reference with `flakeedit set-url`"
            .to_string(),
    }
}

fn unknown_refusal(url: &str) -> NotPinnable {
    NotPinnable {
        reason: format!("flakeedit does not know how `{url}` names a commit"),
        hint: "write the pinned reference yourself with `flakeedit set-url NAME URL`".to_string(),
    }
}

/// Pins a reference to commit `rev` (40 hexadecimal digits) in the form the
/// reference's scheme reads, or says why it cannot be pinned.
pub fn pin_url(url: &str, rev: &str) -> Result<Pinned, NotPinnable> {
    match classify(url) {
        Reference::Forge {
            scheme,
            owner,
            repo,
            reference,
            query,
        } => {
            let query_ref = query_param(query, "ref");
            let path_ref = reference.filter(|r| !is_commit(r));
            let dropped_ref = path_ref.or(query_ref).map(str::to_string);
            let without_ref = set_query_param(query, "ref", None);
            // Keep the pin where the reference already wrote one.
            let url = if query_param(query, "rev").is_some() {
                let query = set_query_param(&without_ref, "rev", Some(rev));
                format!("{scheme}:{owner}/{repo}{query}")
            } else {
                format!("{scheme}:{owner}/{repo}/{rev}{without_ref}")
            };
            Ok(Pinned { url, dropped_ref })
        }
        Reference::Indirect {
            prefix,
            id,
            mut segments,
            query,
        } => {
            if query_param(query, "rev").is_some() {
                let query = set_query_param(query, "rev", Some(rev));
                let path = std::iter::once(id).chain(segments).collect::<Vec<_>>();
                return Ok(Pinned {
                    url: format!("{prefix}{}{query}", path.join("/")),
                    dropped_ref: None,
                });
            }
            if segments.last().is_some_and(|last| is_commit(last)) {
                segments.pop();
            }
            if segments.len() > 1 || segments.iter().any(|s| s.is_empty()) {
                return Err(unknown_refusal(url));
            }
            let path = std::iter::once(id)
                .chain(segments)
                .chain(std::iter::once(rev))
                .collect::<Vec<_>>();
            Ok(Pinned {
                url: format!("{prefix}{}{query}", path.join("/")),
                dropped_ref: None,
            })
        }
        Reference::QueryRev => {
            let (base, query) = split_query(url);
            Ok(Pinned {
                url: format!("{base}{}", set_query_param(query, "rev", Some(rev))),
                dropped_ref: None,
            })
        }
        Reference::GitHubArchive { head, name, tail } => Ok(Pinned {
            url: format!("{head}{rev}{tail}"),
            dropped_ref: (!is_commit(name)).then(|| name.to_string()),
        }),
        Reference::Tarball { url } => Err(tarball_refusal(url)),
        Reference::Path => Err(path_refusal(url)),
        Reference::Unknown => Err(unknown_refusal(url)),
    }
}

/// Removes a commit pin, the inverse of [`pin_url`] where the reference
/// still says what it tracked (`github:o/r/<rev>` → `github:o/r`,
/// `nixpkgs/nixos-24.05/<rev>` → `nixpkgs/nixos-24.05`, `?rev=` dropped).
/// `Ok(None)` when the reference is not pinned; an error for a GitHub
/// archive of a commit, whose branch is not written anywhere.
pub fn unpin_url(url: &str) -> Result<Option<String>, NotPinnable> {
    match classify(url) {
        Reference::Forge {
            scheme,
            owner,
            repo,
            reference,
            query,
        } => {
            let path_rev = reference.filter(|r| is_commit(r));
            if path_rev.is_none() && query_param(query, "rev").is_none() {
                return Ok(None);
            }
            let reference = reference
                .filter(|r| !is_commit(r))
                .map(|r| format!("/{r}"))
                .unwrap_or_default();
            let query = set_query_param(query, "rev", None);
            Ok(Some(format!("{scheme}:{owner}/{repo}{reference}{query}")))
        }
        Reference::Indirect {
            prefix,
            id,
            mut segments,
            query,
        } => {
            let in_path = segments.last().is_some_and(|last| is_commit(last));
            if !in_path && query_param(query, "rev").is_none() {
                return Ok(None);
            }
            if in_path {
                segments.pop();
            }
            let query = set_query_param(query, "rev", None);
            let path = std::iter::once(id).chain(segments).collect::<Vec<_>>();
            Ok(Some(format!("{prefix}{}{query}", path.join("/"))))
        }
        Reference::QueryRev => {
            let (base, query) = split_query(url);
            if query_param(query, "rev").is_none() {
                return Ok(None);
            }
            Ok(Some(format!(
                "{base}{}",
                set_query_param(query, "rev", None)
            )))
        }
        Reference::GitHubArchive { name, .. } if is_commit(name) => Err(NotPinnable {
            reason: format!(
                "`{url}` is the archive of a commit; the branch it tracked before is not \
                 written anywhere"
            ),
            hint: "point it at a branch archive (or `github:OWNER/REPO`) with `flakeedit set-url`"
                .to_string(),
        }),
        _ => Ok(None),
    }
}

/// The commit a reference is pinned to, if any.
pub fn pinned_rev(url: &str) -> Option<String> {
    match classify(url) {
        Reference::Forge {
            reference, query, ..
        } => reference
            .filter(|r| is_commit(r))
            .or_else(|| query_param(query, "rev"))
            .map(str::to_string),
        Reference::Indirect {
            segments, query, ..
        } => segments
            .last()
            .filter(|last| is_commit(last))
            .copied()
            .or_else(|| query_param(query, "rev"))
            .map(str::to_string),
        Reference::QueryRev => query_param(split_query(url).1, "rev").map(str::to_string),
        Reference::GitHubArchive { name, .. } => is_commit(name).then(|| name.to_string()),
        Reference::Tarball { .. } | Reference::Path | Reference::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REV: &str = "0123456789abcdef0123456789abcdef01234567";
    const OLD: &str = "fedcba9876543210fedcba9876543210fedcba98";

    fn pinned(url: &str) -> String {
        pin_url(url, REV)
            .unwrap_or_else(|e| panic!("{url}: {}", e.reason))
            .url
    }

    #[test]
    fn every_pinnable_scheme_gets_its_own_form_and_unpins_back() {
        let cases = [
            ("github:o/r", format!("github:o/r/{REV}")),
            ("github:o/r?dir=sub", format!("github:o/r/{REV}?dir=sub")),
            ("gitlab:o/r", format!("gitlab:o/r/{REV}")),
            ("sourcehut:~o/r", format!("sourcehut:~o/r/{REV}")),
            ("nixpkgs", format!("nixpkgs/{REV}")),
            ("flake:nixpkgs", format!("flake:nixpkgs/{REV}")),
            ("nixpkgs/nixos-24.05", format!("nixpkgs/nixos-24.05/{REV}")),
            (
                "git+https://h/o/r.git?ref=main",
                format!("git+https://h/o/r.git?ref=main&rev={REV}"),
            ),
            (
                "git+ssh://git@h/o/r",
                format!("git+ssh://git@h/o/r?rev={REV}"),
            ),
            ("hg+https://h/r", format!("hg+https://h/r?rev={REV}")),
        ];
        for (url, expected) in cases {
            let result = pin_url(url, REV).unwrap_or_else(|e| panic!("{url}: {}", e.reason));
            assert_eq!(result.url, expected, "{url}");
            assert_eq!(result.dropped_ref, None, "{url}");
            assert_eq!(pinned_rev(&result.url).as_deref(), Some(REV), "{url}");
            assert_eq!(unpin_url(&result.url), Ok(Some(url.to_string())), "{url}");
            assert_eq!(pinned_rev(url), None, "{url}");
            assert_eq!(unpin_url(url), Ok(None), "{url}");
        }
    }

    #[test]
    fn a_forge_branch_gives_way_to_the_commit_and_is_reported() {
        let result = pin_url("github:NixOS/nixpkgs/nixos-24.05", REV).unwrap();
        assert_eq!(result.url, format!("github:NixOS/nixpkgs/{REV}"));
        assert_eq!(result.dropped_ref.as_deref(), Some("nixos-24.05"));
        let result = pin_url("github:o/r?ref=main&dir=x", REV).unwrap();
        assert_eq!(result.url, format!("github:o/r/{REV}?dir=x"));
        assert_eq!(result.dropped_ref.as_deref(), Some("main"));
    }

    #[test]
    fn an_existing_pin_is_replaced_where_it_is_written() {
        assert_eq!(
            pinned(&format!("github:o/r/{OLD}")),
            format!("github:o/r/{REV}")
        );
        assert_eq!(
            pinned(&format!("github:o/r?rev={OLD}&dir=x")),
            format!("github:o/r?rev={REV}&dir=x")
        );
        // Nix rejects a branch next to a commit; the pin repairs it.
        assert_eq!(
            pinned(&format!("github:o/r/main?rev={OLD}")),
            format!("github:o/r?rev={REV}")
        );
        assert_eq!(
            pinned(&format!("git+https://h/r?rev={OLD}&ref=x")),
            format!("git+https://h/r?rev={REV}&ref=x")
        );
        assert_eq!(
            pinned(&format!("flake:nixpkgs/nixos-24.05/{OLD}")),
            format!("flake:nixpkgs/nixos-24.05/{REV}")
        );
        assert_eq!(
            pinned(&format!("nixpkgs?rev={OLD}")),
            format!("nixpkgs?rev={REV}")
        );
    }

    #[test]
    fn github_archives_name_the_commit_in_the_file_name() {
        let result = pin_url("https://github.com/o/r/archive/main.tar.gz", REV).unwrap();
        assert_eq!(
            result.url,
            format!("https://github.com/o/r/archive/{REV}.tar.gz")
        );
        assert_eq!(result.dropped_ref.as_deref(), Some("main"));
        assert_eq!(pinned_rev(&result.url).as_deref(), Some(REV));
        let unpinned = unpin_url(&result.url).unwrap_err();
        assert!(
            unpinned.reason.contains("archive of a commit"),
            "{unpinned:?}"
        );
        assert_eq!(
            pinned("tarball+https://github.com/o/r/archive/refs/heads/dev.zip"),
            format!("tarball+https://github.com/o/r/archive/{REV}.zip")
        );
    }

    #[test]
    fn references_without_a_revision_are_refused_with_the_reason() {
        for url in [
            "https://channels.nixos.org/nixos-24.05/nixexprs.tar.xz",
            "https://example.org/src.tar.gz",
            "tarball+https://example.org/x",
            "file+https://example.org/x.nix",
        ] {
            let refusal = pin_url(url, REV).unwrap_err();
            assert!(refusal.reason.contains("tarball URL"), "{url}: {refusal:?}");
            assert_eq!(pinned_rev(url), None, "{url}");
        }
        let channel = pin_url(
            "https://channels.nixos.org/nixos-24.05/nixexprs.tar.xz",
            REV,
        )
        .unwrap_err();
        assert!(
            channel.hint.contains("github:NixOS/nixpkgs/REV"),
            "{channel:?}"
        );
        for url in ["path:./tools", "./tools", "/srv/flake"] {
            let refusal = pin_url(url, REV).unwrap_err();
            assert!(
                refusal.reason.contains("path reference"),
                "{url}: {refusal:?}"
            );
        }
        assert!(pin_url("svn://h/r", REV).is_err());
        assert!(pin_url("nixpkgs/a/b/c", REV).is_err());
    }
}
