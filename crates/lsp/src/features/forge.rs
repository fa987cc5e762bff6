//! Web addresses for flake references and locked commits, and dates for
//! `lastModified`: all computed from text, offline.

use std::collections::BTreeMap;

use flakeedit_flake::LockNode;

/// The web page a flake reference points to, when it has one: the
/// repository for forge and git references, the archive for tarballs, a
/// `file://` address for `path:` and `git+file:` (resolved against
/// `directory`, the flake's directory).
pub fn reference_link(reference: &str, directory: Option<&str>) -> Option<String> {
    let (base, query) = match reference.split_once('?') {
        Some((base, query)) => (base, query),
        None => (reference, ""),
    };
    let params = parse_query(query);
    if let Some(rest) = base.strip_prefix("github:") {
        let host = params.get("host").map_or("github.com", String::as_str);
        return forge_repo(host, rest, "/tree/");
    }
    if let Some(rest) = base.strip_prefix("gitlab:") {
        let host = params.get("host").map_or("gitlab.com", String::as_str);
        return forge_repo(host, rest, "/-/tree/");
    }
    if let Some(rest) = base.strip_prefix("sourcehut:") {
        let host = params.get("host").map_or("git.sr.ht", String::as_str);
        return forge_repo(host, rest, "/tree/");
    }
    for prefix in ["git+https://", "git+http://", "hg+https://"] {
        if let Some(rest) = base.strip_prefix(prefix) {
            let scheme = if prefix.contains("https") {
                "https"
            } else {
                "http"
            };
            return Some(format!("{scheme}://{}", rest.trim_end_matches('/')));
        }
    }
    for prefix in ["tarball+", "file+"] {
        if let Some(rest) = reference.strip_prefix(prefix) {
            if rest.starts_with("https://") || rest.starts_with("http://") {
                return Some(rest.to_string());
            }
        }
    }
    if base.starts_with("https://") || base.starts_with("http://") {
        return Some(reference.to_string());
    }
    for prefix in ["path:", "git+file://", "git+file:"] {
        if let Some(rest) = base.strip_prefix(prefix) {
            return file_link(rest, directory);
        }
    }
    None
}

fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

/// `owner/repo[/ref]` on `host`; the ref, if any, after `tree`.
fn forge_repo(host: &str, path: &str, tree: &str) -> Option<String> {
    let mut segments = path.splitn(3, '/');
    let owner = segments.next().filter(|s| !s.is_empty())?;
    let repo = segments.next().filter(|s| !s.is_empty())?;
    let owner = owner.replace("%2F", "/").replace("%2f", "/");
    let mut link = format!("https://{host}/{owner}/{repo}");
    if let Some(reference) = segments.next().filter(|s| !s.is_empty()) {
        link.push_str(tree);
        link.push_str(reference);
    }
    Some(link)
}

fn file_link(path: &str, directory: Option<&str>) -> Option<String> {
    let path = path.strip_prefix("//").unwrap_or(path);
    if path.starts_with('/') {
        return Some(format!("file://{path}"));
    }
    let directory = directory?;
    let relative = path.strip_prefix("./").unwrap_or(path);
    let joined = if relative.is_empty() || relative == "." {
        directory.to_string()
    } else {
        format!("{}/{relative}", directory.trim_end_matches('/'))
    };
    Some(format!("file://{joined}"))
}

/// The first seven characters of a commit.
pub fn short_rev(rev: &str) -> String {
    rev.chars().take(7).collect()
}

/// The commit's page on its forge, for nodes locked to a known forge.
pub fn commit_link(node: &LockNode) -> Option<String> {
    let rev = node.rev.as_deref()?;
    let field = |name: &str| node.locked.get(name).map(String::as_str);
    match field("type")? {
        "github" => Some(format!(
            "https://{}/{}/{}/commit/{rev}",
            field("host").unwrap_or("github.com"),
            field("owner")?,
            field("repo")?
        )),
        "gitlab" => Some(format!(
            "https://{}/{}/{}/-/commit/{rev}",
            field("host").unwrap_or("gitlab.com"),
            field("owner")?.replace("%2F", "/"),
            field("repo")?
        )),
        "sourcehut" => Some(format!(
            "https://{}/{}/{}/commit/{rev}",
            field("host").unwrap_or("git.sr.ht"),
            field("owner")?,
            field("repo")?
        )),
        "git" => {
            let url = field("url")?;
            let web = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))?;
            let web = web.split('?').next().unwrap_or(web);
            let web = web.trim_end_matches('/').trim_end_matches(".git");
            let host = web.split('/').next().unwrap_or_default();
            let commit = if host.starts_with("gitlab.") {
                "/-/commit/"
            } else {
                "/commit/"
            };
            Some(format!("https://{web}{commit}{rev}"))
        }
        _ => None,
    }
}

/// A `YYYY-MM-DD` date (UTC) for seconds since the epoch.
pub fn date(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let day_of_year = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// How long ago `then` was at `now` (seconds since the epoch), in words.
pub fn age(then: i64, now: i64) -> String {
    let seconds = now.saturating_sub(then);
    if seconds < 0 {
        return "in the future".into();
    }
    let days = seconds / 86_400;
    let (count, unit) = if days >= 730 {
        (days / 365, "years")
    } else if days >= 60 {
        (days / 30, "months")
    } else if days >= 14 {
        (days / 7, "weeks")
    } else if days >= 2 {
        (days, "days")
    } else if days == 1 {
        return "yesterday".into();
    } else {
        return "today".into();
    };
    format!("{count} {unit} ago")
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn links_for_every_reference_form() {
        let references = [
            "github:NixOS/nixpkgs/nixos-unstable",
            "github:owner/repo?host=git.example.com",
            "gitlab:group%2Fsub/project?host=gitlab.gnome.org",
            "gitlab:owner/repo/v1.0",
            "sourcehut:~user/repo",
            "git+https://codeberg.org/user/repo?ref=main",
            "https://example.com/archive/main.tar.gz",
            "tarball+https://example.com/archive",
            "path:./sub",
            "path:/srv/flake",
            "git+file:///srv/repo",
            "nixpkgs",
            "github:",
        ];
        let shown: Vec<String> = references
            .iter()
            .map(|r| format!("{r} -> {:?}", reference_link(r, Some("/project"))))
            .collect();
        expect![[r#"
            github:NixOS/nixpkgs/nixos-unstable -> Some("https://github.com/NixOS/nixpkgs/tree/nixos-unstable")
            github:owner/repo?host=git.example.com -> Some("https://git.example.com/owner/repo")
            gitlab:group%2Fsub/project?host=gitlab.gnome.org -> Some("https://gitlab.gnome.org/group/sub/project")
            gitlab:owner/repo/v1.0 -> Some("https://gitlab.com/owner/repo/-/tree/v1.0")
            sourcehut:~user/repo -> Some("https://git.sr.ht/~user/repo")
            git+https://codeberg.org/user/repo?ref=main -> Some("https://codeberg.org/user/repo")
            https://example.com/archive/main.tar.gz -> Some("https://example.com/archive/main.tar.gz")
            tarball+https://example.com/archive -> Some("https://example.com/archive")
            path:./sub -> Some("file:///project/sub")
            path:/srv/flake -> Some("file:///srv/flake")
            git+file:///srv/repo -> Some("file:///srv/repo")
            nixpkgs -> None
            github: -> None"#]]
        .assert_eq(&shown.join("\n"));
    }

    #[test]
    fn dates_and_ages() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(date(951_782_400), "2000-02-29");
        let day = 86_400;
        assert_eq!(age(0, 100), "today");
        assert_eq!(age(0, day), "yesterday");
        assert_eq!(age(0, 5 * day), "5 days ago");
        assert_eq!(age(0, 21 * day), "3 weeks ago");
        assert_eq!(age(0, 95 * day), "3 months ago");
        assert_eq!(age(0, 800 * day), "2 years ago");
        assert_eq!(age(100, 0), "in the future");
    }
}
