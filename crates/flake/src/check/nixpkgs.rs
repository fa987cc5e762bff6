//! nixpkgs hygiene, like DeterminateSystems' flake-checker:
//! `unsupported-branch`, `nixpkgs-owner` and (with `flake.lock`)
//! `outdated-nixpkgs`.

use super::DiagnosticCode;
use flakeedit_syntax::TextRange;
use rowan::ast::AstNode;

use super::inputs::input_name_range;
use super::{Context, Sink};
use crate::model::InputDecl;

/// Where a nixpkgs input comes from, as far as the file or lock says.
#[derive(Debug, Default)]
struct Origin {
    owner: Option<String>,
    repo: Option<String>,
    branch: Option<String>,
    /// The url's value, or the `owner` value of an attribute-set reference.
    owner_range: Option<TextRange>,
    /// The url's value, or the `ref` value of an attribute-set reference.
    branch_range: Option<TextRange>,
}

/// Reads `github:owner/repo[/ref]`, `https://github.com/owner/repo/archive/…`
/// and attribute-set references from flake.nix.
fn origin_in_file(input: &InputDecl) -> Origin {
    let value_range = |path: &[&str]| {
        input
            .leaf(path)
            .and_then(|leaf| leaf.binding.value())
            .map(|value| value.syntax().text_range())
    };
    if let Some(url) = input.url() {
        let url = crate::flakeref::normalize_url(url);
        let without_query = url.split(['?', '#']).next().unwrap_or("");
        let query_ref = url
            .split_once('?')
            .and_then(|(_, query)| query.split('&').find_map(|pair| pair.strip_prefix("ref=")))
            .map(str::to_string);
        let (owner, repo, branch) = if let Some(rest) = without_query
            .strip_prefix("github:")
            .or_else(|| without_query.strip_prefix("gitlab:"))
        {
            let mut parts = rest.split('/');
            (
                parts.next().map(str::to_string),
                parts.next().map(str::to_string),
                parts.next().map(str::to_string).or(query_ref),
            )
        } else if let Some(rest) = without_query
            .strip_prefix("https://github.com/")
            .or_else(|| without_query.strip_prefix("git+https://github.com/"))
        {
            let mut parts = rest.split('/');
            let owner = parts.next().map(str::to_string);
            let repo = parts.next().map(|r| r.trim_end_matches(".git").to_string());
            // `…/archive/<branch>.tar.gz` names a branch (or a rev).
            let branch = match (parts.next(), parts.next()) {
                (Some("archive"), Some(file)) => Some(file.trim_end_matches(".tar.gz").to_string()),
                _ => query_ref,
            };
            (owner, repo, branch)
        } else {
            (None, None, None)
        };
        return Origin {
            owner,
            repo,
            branch,
            owner_range: value_range(&["url"]),
            branch_range: value_range(&["url"]),
        };
    }
    let reference = input.reference();
    Origin {
        owner: reference.get("owner").cloned(),
        repo: reference.get("repo").cloned(),
        branch: reference.get("ref").cloned(),
        owner_range: value_range(&["owner"]),
        branch_range: value_range(&["ref"]),
    }
}

fn is_commit(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(crate) fn check(context: &Context, sink: &mut Sink) {
    for input in &context.flake.inputs {
        if input.follows().is_some() {
            continue;
        }
        let mut origin = origin_in_file(input);
        let locked = context
            .lock
            .and_then(|lock| lock.node_of_input(&input.name))
            .map(|(_, node)| node);
        // The lock knows what an indirect `nixpkgs` reference resolved to.
        if let Some(node) = locked {
            if origin.repo.is_none() {
                origin.owner = node.locked.get("owner").cloned();
                origin.repo = node.locked.get("repo").cloned();
            }
            if origin.branch.is_none() {
                origin.branch = node.original.get("ref").cloned();
            }
        }
        if !origin
            .repo
            .as_deref()
            .is_some_and(|repo| repo.eq_ignore_ascii_case("nixpkgs"))
        {
            continue;
        }
        let name_range = input_name_range(input);
        let name = &input.name;
        if let Some(owner) = &origin.owner {
            if !owner.eq_ignore_ascii_case("NixOS") {
                sink.report(
                    DiagnosticCode::NixpkgsOwner,
                    origin.owner_range.unwrap_or(name_range),
                    name,
                    format!(
                        "input `{name}` takes nixpkgs from `{owner}/nixpkgs`, not `NixOS/nixpkgs`: \
                         a fork gets security fixes late or never"
                    ),
                    None,
                );
            }
        }
        if let Some(branch) = &origin.branch {
            let supported = context
                .options
                .supported_branches
                .clone()
                .unwrap_or_else(|| supported_branches_at(context.now));
            if !is_commit(branch) && !supported.iter().any(|b| b == branch) {
                sink.report(
                    DiagnosticCode::UnsupportedBranch,
                    origin.branch_range.unwrap_or(name_range),
                    name,
                    format!(
                        "input `{name}` tracks nixpkgs branch `{branch}`, which is not supported \
                         (supported: {}); move to a supported branch",
                        supported.join(", ")
                    ),
                    None,
                );
            }
        }
        if let Some(modified) = locked.and_then(|node| node.last_modified) {
            let age_days = context.now.saturating_sub(modified).max(0) / 86_400;
            if age_days as u64 > context.options.max_age_days {
                sink.report(
                    DiagnosticCode::OutdatedNixpkgs,
                    origin.branch_range.unwrap_or(name_range),
                    name,
                    format!(
                        "the locked nixpkgs of input `{name}` is {age_days} days old (last modified {}), \
                         more than {} days: run `nix flake update {name}`",
                        date(modified),
                        context.options.max_age_days
                    ),
                    None,
                );
            }
        }
    }
}

/// The nixpkgs branches supported at `now` (seconds since the Unix epoch),
/// from the release calendar rather than a list that goes stale: the
/// unstable branches, and each stable release `YY.05` (May) and `YY.11`
/// (November) from the start of its release month until the end of the
/// month after the next release's (the previous stable overlaps the new
/// one by about a month: 25.05 until the end of December 2025). Each
/// release has `nixos-YY.MM`, `nixos-YY.MM-small` and `nixpkgs-YY.MM-darwin`.
pub fn supported_branches_at(now: i64) -> Vec<String> {
    let (year, month, _) = civil(now);
    let today = year * 12 + (month - 1);
    let mut branches: Vec<String> = ["nixos-unstable", "nixos-unstable-small", "nixpkgs-unstable"]
        .iter()
        .map(|branch| branch.to_string())
        .collect();
    for release_year in year - 1..=year {
        for release_month in [5, 11] {
            let start = release_year * 12 + (release_month - 1);
            // The next release is six months later; support ends when the
            // month after that one ends.
            let end = start + 6 + 2;
            if start <= today && today < end {
                let version = format!("{:02}.{release_month:02}", release_year.rem_euclid(100));
                branches.push(format!("nixos-{version}"));
                branches.push(format!("nixos-{version}-small"));
                branches.push(format!("nixpkgs-{version}-darwin"));
            }
        }
    }
    branches
}

/// `(year, month, day)` (UTC) of a Unix timestamp (Howard Hinnant's
/// civil_from_days).
fn civil(seconds: i64) -> (i64, i64, i64) {
    let days = seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD` (UTC) of a Unix timestamp.
pub(crate) fn date(seconds: i64) -> String {
    let (year, month, day) = civil(seconds);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::{date, supported_branches_at};

    /// Seconds at 00:00 UTC of a calendar day.
    fn day(year: i64, month: i64, day: i64) -> i64 {
        // Days from civil (Howard Hinnant), the inverse of `civil`.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        (era * 146_097 + doe - 719_468) * 86_400
    }

    fn stables(now: i64) -> Vec<String> {
        supported_branches_at(now)
            .into_iter()
            .filter(|branch| branch.starts_with("nixos-") && !branch.ends_with("-small"))
            .filter(|branch| branch != "nixos-unstable")
            .collect()
    }

    fn unsupported(now: i64, overridden: Option<Vec<String>>) -> Vec<String> {
        let text = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-26.05\";\n  outputs = { self, nixpkgs }: { };\n}\n";
        let options = crate::CheckOptions {
            select: vec!["unsupported-branch".into()],
            now: Some(now),
            supported_branches: overridden,
            ..crate::CheckOptions::default()
        };
        crate::check(&flakeedit_syntax::SourceFile::parse(text), None, &options)
            .into_iter()
            .map(|diagnostic| diagnostic.message)
            .collect()
    }

    /// The lint reads the injected date; `--supported-branches` still wins.
    #[test]
    fn unsupported_branch_uses_the_date_of_the_check() {
        assert_eq!(unsupported(day(2026, 11, 30), None), Vec::<String>::new());
        let late = unsupported(day(2027, 1, 1), None);
        assert!(
            late.len() == 1 && late[0].contains("nixos-26.05") && late[0].contains("nixos-26.11"),
            "{late:?}"
        );
        assert_eq!(
            unsupported(day(2027, 1, 1), Some(vec!["nixos-26.05".into()])),
            Vec::<String>::new()
        );
        assert_eq!(
            unsupported(day(2026, 11, 30), Some(vec!["nixos-unstable".into()])).len(),
            1
        );
    }

    #[test]
    fn supported_branches_follow_the_release_calendar() {
        let cases = [
            // 24.11 is out; 24.05 overlaps until the end of December.
            ((2024, 12, 15), vec!["nixos-24.05", "nixos-24.11"]),
            ((2025, 1, 1), vec!["nixos-24.11"]),
            ((2025, 4, 30), vec!["nixos-24.11"]),
            // 25.05's month: both; 24.11 until the end of June.
            ((2025, 5, 1), vec!["nixos-24.11", "nixos-25.05"]),
            ((2025, 6, 30), vec!["nixos-24.11", "nixos-25.05"]),
            ((2025, 7, 1), vec!["nixos-25.05"]),
            ((2025, 11, 20), vec!["nixos-25.05", "nixos-25.11"]),
            ((2026, 1, 1), vec!["nixos-25.11"]),
            ((2026, 11, 30), vec!["nixos-26.05", "nixos-26.11"]),
            ((2099, 12, 31), vec!["nixos-99.05", "nixos-99.11"]),
        ];
        for ((y, m, d), expected) in cases {
            assert_eq!(stables(day(y, m, d)), expected, "{y}-{m}-{d}");
        }
        let all = supported_branches_at(day(2025, 7, 1));
        for branch in [
            "nixos-unstable",
            "nixos-unstable-small",
            "nixpkgs-unstable",
            "nixos-25.05-small",
            "nixpkgs-25.05-darwin",
        ] {
            assert!(all.iter().any(|b| b == branch), "{branch}: {all:?}");
        }
        assert_eq!(date(day(2025, 7, 1)), "2025-07-01");
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_614_556_800), "2021-03-01");
        assert_eq!(date(1_709_164_800), "2024-02-29");
        assert_eq!(date(-86_400), "1969-12-31");
    }
}
