//! Flake reference strings: shorthand, name inference, pinning.

/// Expands the `owner/repo` shorthand to `github:owner/repo`; other
/// references are returned as they are. `nixpkgs/BRANCH` stays: it is the
/// indirect reference Nix resolves through the registry (its most common
/// use, `nixpkgs/nixos-24.05`), not a GitHub user named `nixpkgs`.
pub fn normalize_url(url: &str) -> String {
    let looks_like_shorthand = !url.contains(':')
        && !url.starts_with("nixpkgs/")
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

mod pin;

pub use pin::{pin_url, pinned_rev, unpin_url, NotPinnable, Pinned};

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
    fn shorthand_expands_but_indirect_nixpkgs_stays() {
        assert_eq!(normalize_url("emilpriver/riot"), "github:emilpriver/riot");
        assert_eq!(normalize_url("nixpkgs/nixos-24.05"), "nixpkgs/nixos-24.05");
        assert_eq!(normalize_url("nixpkgs"), "nixpkgs");
        assert_eq!(normalize_url("github:o/r"), "github:o/r");
        assert_eq!(normalize_url("./tools"), "./tools");
    }
}
