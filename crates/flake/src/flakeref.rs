//! Flake reference strings: shorthand, name inference, pinning.

/// Expands the `owner/repo` shorthand to `github:owner/repo`; other
/// references are returned as they are.
pub fn normalize_url(url: &str) -> String {
    let looks_like_shorthand = !url.contains(':')
        && !url.starts_with('.')
        && !url.starts_with('/')
        && url.split('/').count() == 2
        && url.split('/').all(|part| !part.is_empty());
    if looks_like_shorthand {
        format!("github:{url}")
    } else {
        url.to_string()
    }
}

/// Infers an input name from a reference: `github:o/repo` → `repo`,
/// `git+https://host/o/repo.git?ref=x` → `repo`, `path:./tools` → `tools`,
/// `nixpkgs` (indirect) → `nixpkgs`. `None` when nothing sensible remains.
pub fn infer_name(url: &str) -> Option<String> {
    let url = normalize_url(url);
    let without_query = url.split(['?', '#']).next().unwrap_or("");
    let (scheme, rest) = match without_query.split_once(':') {
        Some((scheme, rest)) => (scheme, rest),
        None => ("flake", without_query),
    };
    let rest = rest.trim_start_matches('/');
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let name = match scheme {
        "github" | "gitlab" | "sourcehut" => segments.get(1).copied(),
        "flake" => segments.first().copied(),
        _ => {
            // git+https://host/owner/repo(.git), https://host/o/r/archive/x.tar.gz,
            // path:./x, tarball URLs.
            let archive = segments
                .iter()
                .position(|s| *s == "archive" || *s == "tarball");
            match archive {
                Some(index) if index > 0 => segments.get(index - 1).copied(),
                _ => segments.last().copied(),
            }
        }
    }?;
    let name = name
        .trim_end_matches(".git")
        .trim_end_matches(".tar.gz")
        .trim_end_matches(".tar.xz")
        .trim_end_matches(".zip")
        .trim_start_matches('~');
    (!name.is_empty() && name != "." && name != "..").then(|| name.to_string())
}

fn is_commit(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A `github:`/`gitlab:`/`sourcehut:` reference split into parts.
struct ForgeRef<'a> {
    scheme: &'a str,
    owner: &'a str,
    repo: &'a str,
    reference: Option<&'a str>,
    query: Option<&'a str>,
}

fn parse_forge(url: &str) -> Option<ForgeRef<'_>> {
    let (scheme, rest) = url.split_once(':')?;
    if !matches!(scheme, "github" | "gitlab" | "sourcehut") {
        return None;
    }
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let mut parts = path.splitn(3, '/');
    let owner = parts.next()?;
    let repo = parts.next()?;
    let reference = parts.next().filter(|r| !r.is_empty());
    Some(ForgeRef {
        scheme,
        owner,
        repo,
        reference,
        query,
    })
}

fn with_query_param(url: &str, key: &str, value: Option<&str>) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, query),
        None => (url, ""),
    };
    let mut params: Vec<String> = query
        .split('&')
        .filter(|param| !param.is_empty())
        .filter(|param| param.split('=').next() != Some(key))
        .map(str::to_string)
        .collect();
    if let Some(value) = value {
        params.push(format!("{key}={value}"));
    }
    if params.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", params.join("&"))
    }
}

/// The forge reference's query (`?dir=x`) without any `rev=` parameter.
fn query_without_rev(forge: &ForgeRef<'_>) -> String {
    forge
        .query
        .map(|query| with_query_param(&format!("x?{query}"), "rev", None))
        .map(|query| query.trim_start_matches('x').to_string())
        .unwrap_or_default()
}

/// Pins a reference to commit `rev`: `github:o/r[/ref]` → `github:o/r/<rev>`;
/// other schemes get `?rev=<rev>` (replacing any rev already there).
pub fn pin_url(url: &str, rev: &str) -> String {
    if let Some(forge) = parse_forge(url) {
        let query = query_without_rev(&forge);
        return format!(
            "{}:{}/{}/{rev}{query}",
            forge.scheme, forge.owner, forge.repo
        );
    }
    with_query_param(url, "rev", Some(rev))
}

/// Removes a commit pin: `github:o/r/<rev>` → `github:o/r`, `?rev=` dropped.
/// A branch or tag in the reference is kept.
pub fn unpin_url(url: &str) -> String {
    if let Some(forge) = parse_forge(url) {
        let query = query_without_rev(&forge);
        let reference = forge
            .reference
            .filter(|reference| !is_commit(reference))
            .map(|reference| format!("/{reference}"))
            .unwrap_or_default();
        return format!(
            "{}:{}/{}{reference}{query}",
            forge.scheme, forge.owner, forge.repo
        );
    }
    with_query_param(url, "rev", None)
}

/// The commit a reference is pinned to, if any.
pub fn pinned_rev(url: &str) -> Option<String> {
    if let Some(forge) = parse_forge(url) {
        if let Some(reference) = forge.reference.filter(|r| is_commit(r)) {
            return Some(reference.to_string());
        }
    }
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .find_map(|param| param.strip_prefix("rev="))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_inferred() {
        let cases = [
            ("github:emilpriver/riot", "riot"),
            ("emilpriver/riot", "riot"),
            ("github:NixOS/nixpkgs/nixos-unstable", "nixpkgs"),
            ("gitlab:o/repo?dir=sub", "repo"),
            ("git+https://git.example.org/team/docs.git?ref=main", "docs"),
            ("https://github.com/o/tool/archive/main.tar.gz", "tool"),
            ("path:./tools", "tools"),
            ("nixpkgs", "nixpkgs"),
            (
                "github:haskell/haskell-language-server/1.10",
                "haskell-language-server",
            ),
        ];
        for (url, name) in cases {
            assert_eq!(infer_name(url).as_deref(), Some(name), "{url}");
        }
        assert_eq!(infer_name("path:."), None);
    }

    #[test]
    fn pin_and_unpin() {
        let rev = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(pin_url("github:o/r", rev), format!("github:o/r/{rev}"));
        assert_eq!(pin_url("github:o/r/main", rev), format!("github:o/r/{rev}"));
        assert_eq!(
            pin_url("github:o/r?dir=sub", rev),
            format!("github:o/r/{rev}?dir=sub")
        );
        assert_eq!(
            pin_url("git+https://h/o/r.git?ref=main", rev),
            format!("git+https://h/o/r.git?ref=main&rev={rev}")
        );
        assert_eq!(unpin_url(&format!("github:o/r/{rev}")), "github:o/r");
        assert_eq!(unpin_url("github:o/r/main"), "github:o/r/main");
        assert_eq!(
            unpin_url(&format!("git+https://h/o/r.git?ref=main&rev={rev}")),
            "git+https://h/o/r.git?ref=main"
        );
        assert_eq!(
            pinned_rev(&format!("github:o/r/{rev}")).as_deref(),
            Some(rev)
        );
        assert_eq!(pinned_rev("github:o/r/main"), None);
    }
}
