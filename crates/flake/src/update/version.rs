//! Ordering of release tags and channel branches.
//!
//! A release tag is a prefix without digits (`v`, `release-`, or none), a
//! numeric core (`1.10.0`) and an optional pre-release part (`-rc.1`,
//! `beta2`); `+build` metadata is ignored. Tags compare by their core
//! numerically (`v1.10.0` > `v1.9.0`, `1.2` = `1.2.0`), a release above its
//! pre-releases. Only tags with the same prefix are compared, so a
//! monorepo's `cli-v2.0` never replaces `lib-v1.0`.
//!
//! A channel branch is `<kind>-YY.MM<suffix>`: `nixos-25.05`,
//! `nixos-25.05-small`, `nixpkgs-25.05-darwin`, `release-25.05`,
//! `nix-darwin-25.05`. Channels move only to a newer channel of the same
//! kind and suffix; `nixos-unstable` has no version, so a stable channel is
//! never moved to it.

use std::cmp::Ordering;

/// A parsed release tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The text before the numbers (`v`, `release-`, or empty).
    pub prefix: String,
    /// The numeric components.
    pub numbers: Vec<u64>,
    /// The pre-release part (`rc.1`), empty for a release.
    pub pre: String,
}

impl Version {
    /// Parses a tag, or `None` when it is not a release tag.
    pub fn parse(tag: &str) -> Option<Version> {
        let start = tag.find(|c: char| c.is_ascii_digit())?;
        let prefix = &tag[..start];
        // `v1`, `release-1.2`, `foo-v1.2`; not `abc123` (a word with digits).
        if !(prefix.is_empty() || prefix.ends_with(['v', 'V', '-', '_', '/', '.'])) {
            return None;
        }
        let rest = &tag[start..];
        let rest = rest.split('+').next().unwrap_or(rest);
        let core_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let core = rest[..core_end].trim_end_matches('.');
        let numbers: Option<Vec<u64>> = core.split('.').map(|part| part.parse().ok()).collect();
        let numbers = numbers?;
        if numbers.is_empty() {
            return None;
        }
        let pre = rest[core_end..].trim_start_matches(['-', '.']).to_string();
        Some(Version {
            prefix: prefix.to_string(),
            numbers,
            pre,
        })
    }

    /// True for a pre-release (`1.0.0-rc.1`).
    pub fn is_pre(&self) -> bool {
        !self.pre.is_empty()
    }

    /// Orders two versions (their prefixes are not compared).
    pub fn compare(&self, other: &Version) -> Ordering {
        let length = self.numbers.len().max(other.numbers.len());
        for index in 0..length {
            let left = self.numbers.get(index).copied().unwrap_or(0);
            let right = other.numbers.get(index).copied().unwrap_or(0);
            match left.cmp(&right) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        match (self.is_pre(), other.is_pre()) {
            (false, false) => Ordering::Equal,
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (true, true) => compare_pre(&self.pre, &other.pre),
        }
    }
}

/// Pre-release parts by their dot/dash-separated fields, numbers numerically.
fn compare_pre(left: &str, right: &str) -> Ordering {
    let fields = |text: &str| -> Vec<String> {
        let mut fields = Vec::new();
        let mut current = String::new();
        for c in text.chars() {
            let boundary = matches!(c, '.' | '-' | '_')
                || current
                    .chars()
                    .last()
                    .is_some_and(|last| last.is_ascii_digit() != c.is_ascii_digit());
            if boundary && !current.is_empty() {
                fields.push(std::mem::take(&mut current));
            }
            if !matches!(c, '.' | '-' | '_') {
                current.push(c);
            }
        }
        if !current.is_empty() {
            fields.push(current);
        }
        fields
    };
    let (left, right) = (fields(left), fields(right));
    for (a, b) in left.iter().zip(right.iter()) {
        let order = match (a.parse::<u64>(), b.parse::<u64>()) {
            (Ok(a), Ok(b)) => a.cmp(&b),
            _ => a.cmp(b),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    left.len().cmp(&right.len())
}

/// A parsed channel branch name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// `nixos`, `nixpkgs`, `release`, `nix-darwin`.
    pub kind: String,
    /// Year and month (`(25, 5)`).
    pub release: (u32, u32),
    /// What follows the release (`-small`, `-darwin`, or empty).
    pub suffix: String,
}

const CHANNEL_KINDS: &[&str] = &["nixos", "nixpkgs", "release", "nix-darwin"];

impl Channel {
    /// Parses `nixos-25.05`, `nixpkgs-25.05-darwin`, `release-25.05`,
    /// `nix-darwin-25.05`; `None` for anything else (`nixos-unstable` too).
    pub fn parse(name: &str) -> Option<Channel> {
        CHANNEL_KINDS.iter().find_map(|kind| {
            let rest = name.strip_prefix(kind)?.strip_prefix('-')?;
            let year = rest.get(..2)?;
            let month = rest.get(3..5)?;
            if rest.as_bytes().get(2) != Some(&b'.')
                || !year.bytes().all(|b| b.is_ascii_digit())
                || !month.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let suffix = &rest[5..];
            if !(suffix.is_empty() || suffix.starts_with('-')) {
                return None;
            }
            Some(Channel {
                kind: kind.to_string(),
                release: (year.parse().ok()?, month.parse().ok()?),
                suffix: suffix.to_string(),
            })
        })
    }

    /// True when `other` is the same kind of channel (kind and suffix).
    pub fn same_kind(&self, other: &Channel) -> bool {
        self.kind == other.kind && self.suffix == other.suffix
    }
}

/// The newest tag of `tags` above `current` with the same prefix, or
/// `None` when `current` is the newest. Pre-releases count only with `pre`.
pub fn newest_tag<'a>(
    current: &str,
    tags: impl IntoIterator<Item = &'a str>,
    pre: bool,
) -> Option<String> {
    let now = Version::parse(current)?;
    let mut best: Option<(Version, &str)> = None;
    for tag in tags {
        let Some(version) = Version::parse(tag) else {
            continue;
        };
        if version.prefix != now.prefix || (version.is_pre() && !pre) {
            continue;
        }
        if version.compare(&now) != Ordering::Greater {
            continue;
        }
        let better = match &best {
            None => true,
            // Equal versions (`v1.2` and `v1.2.0`): keep the first seen.
            Some((known, _)) => version.compare(known) == Ordering::Greater,
        };
        if better {
            best = Some((version, tag));
        }
    }
    best.map(|(_, tag)| tag.to_string())
}

/// The newest channel branch of `branches` of the same kind as `current`
/// and newer, or `None`.
pub fn newest_channel<'a>(
    current: &str,
    branches: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let now = Channel::parse(current)?;
    branches
        .into_iter()
        .filter_map(|name| Some((Channel::parse(name)?, name)))
        .filter(|(channel, _)| channel.same_kind(&now) && channel.release > now.release)
        .max_by_key(|(channel, _)| channel.release)
        .map(|(_, name)| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_numerically_and_releases_above_pre_releases() {
        let order = [
            "v1.2.0-alpha",
            "v1.2.0-alpha.2",
            "v1.2.0-alpha.10",
            "v1.2.0-beta",
            "v1.2.0-rc.1",
            "v1.2.0",
            "v1.9.0",
            "v1.10.0",
            "v2",
        ];
        for pair in order.windows(2) {
            let (a, b) = (
                Version::parse(pair[0]).unwrap(),
                Version::parse(pair[1]).unwrap(),
            );
            assert_eq!(a.compare(&b), Ordering::Less, "{} < {}", pair[0], pair[1]);
        }
        let plain = Version::parse("1.2").unwrap();
        assert_eq!(
            plain.compare(&Version::parse("1.2.0").unwrap()),
            Ordering::Equal
        );
        assert!(Version::parse("main").is_none());
        assert!(Version::parse("abc123").is_none());
        assert_eq!(Version::parse("1.0.0+build.5").unwrap().pre, "");
    }

    #[test]
    fn the_newest_tag_keeps_the_prefix_and_skips_pre_releases_unless_asked() {
        let tags = [
            "v1.9.0",
            "v1.10.0",
            "v1.11.0-rc.1",
            "1.20.0",
            "cli-v3.0.0",
            "nightly",
        ];
        assert_eq!(
            newest_tag("v1.9.0", tags, false).as_deref(),
            Some("v1.10.0")
        );
        assert_eq!(
            newest_tag("v1.9.0", tags, true).as_deref(),
            Some("v1.11.0-rc.1")
        );
        assert_eq!(newest_tag("v1.10.0", tags, false), None);
        assert_eq!(
            newest_tag("cli-v2.0.0", tags, false).as_deref(),
            Some("cli-v3.0.0")
        );
        // Never down: the current tag is newer than every tag listed.
        assert_eq!(newest_tag("v2.0.0", tags, true), None);
        assert_eq!(newest_tag("main", tags, true), None);
    }

    #[test]
    fn channels_move_within_their_kind_and_never_to_unstable() {
        let branches = [
            "nixos-24.05",
            "nixos-24.11",
            "nixos-24.11-small",
            "nixos-25.05-small",
            "nixpkgs-24.11-darwin",
            "nixos-unstable",
            "release-24.11",
            "master",
        ];
        assert_eq!(
            newest_channel("nixos-24.05", branches).as_deref(),
            Some("nixos-24.11")
        );
        assert_eq!(
            newest_channel("nixos-24.05-small", branches).as_deref(),
            Some("nixos-25.05-small")
        );
        assert_eq!(
            newest_channel("nixpkgs-24.05-darwin", branches).as_deref(),
            Some("nixpkgs-24.11-darwin")
        );
        assert_eq!(
            newest_channel("release-23.11", branches).as_deref(),
            Some("release-24.11")
        );
        assert_eq!(newest_channel("nixos-24.11", branches), None);
        assert_eq!(newest_channel("nixos-unstable", branches), None);
        let darwin = Channel::parse("nix-darwin-25.05").unwrap();
        assert_eq!(
            (darwin.kind.as_str(), darwin.release),
            ("nix-darwin", (25, 5))
        );
    }
}
