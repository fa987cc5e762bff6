//! `outdated` and `update`: what each input is on, what newer release
//! exists, and the rewrite of the reference.
//!
//! Everything here is pure: the front-end lists each repository's tags and
//! branches (once per repository) and hands the names to [`newest`]. The
//! rewrite ([`update_refs`]) changes only the branch, tag or channel name
//! inside the reference — the ref in the URL, `?ref=`, or the `ref`
//! attribute — so the rest of the reference (`dir=`, `host=`, quoting)
//! stays as written.
//!
//! An input whose line, or the line above it, carries the comment
//! `# flakeedit: pin` is never moved.

mod fetchers;
mod reference;
mod refetch;
mod version;

pub use fetchers::{source_targets, SourceMove, SourceTarget};
pub use reference::{forge_repository, read_url, UrlReference};
pub use refetch::{release_url, Refetch};
pub use version::{newest_channel, newest_tag, Channel, Version};

use flakeedit_syntax::{string_literal, ChangeSet, SourceFile, TextEdit, TextRange, TextSize};
use rowan::ast::AstNode;
use serde::Serialize;

use crate::error::{ErrorKind, FlakeError};
use crate::lock::Lock;
use crate::model::{Flake, InputDecl, InputLeaf};

/// What an input follows over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Tracks {
    /// A release tag (`v1.2.0`).
    Tag(String),
    /// A channel branch (`nixos-25.05`).
    Channel(String),
    /// A branch (`None`: the repository's default branch).
    Branch(Option<String>),
    /// A fixed commit.
    Commit(String),
    /// Another input (`follows`): nothing of its own to update.
    Follows(String),
    /// A reference flakeedit cannot list (a path, an unknown registry id).
    Unknown,
}

impl Tracks {
    /// What to call it in a message (`v1.2.0`, `nixos-25.05`, `the default branch`).
    pub fn describe(&self) -> String {
        match self {
            Tracks::Tag(name) | Tracks::Channel(name) | Tracks::Branch(Some(name)) => name.clone(),
            Tracks::Branch(None) => "the default branch".to_string(),
            Tracks::Commit(rev) => format!("commit {}", rev.get(..12).unwrap_or(rev)),
            Tracks::Follows(target) => format!("follows {target}"),
            Tracks::Unknown => "an unlisted source".to_string(),
        }
    }

    /// The release tag or channel it is on, if it is on one.
    pub fn release(&self) -> Option<&str> {
        match self {
            Tracks::Tag(name) | Tracks::Channel(name) => Some(name),
            _ => None,
        }
    }

    fn of(name: Option<&str>, rev: Option<&str>) -> Tracks {
        if let Some(rev) = rev.filter(|rev| !rev.is_empty()) {
            return Tracks::Commit(rev.to_string());
        }
        match name {
            None => Tracks::Branch(None),
            Some(name) if Channel::parse(name).is_some() => Tracks::Channel(name.to_string()),
            Some(name) if Version::parse(name).is_some() => Tracks::Tag(name.to_string()),
            Some(name) => Tracks::Branch(Some(name.to_string())),
        }
    }
}

/// One input, as `outdated` and `update` see it.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateTarget {
    /// The input's name.
    pub name: String,
    /// The git URL to list (`None` when there is none).
    pub repository: Option<String>,
    /// What it is on.
    pub tracks: Tracks,
    /// A `# flakeedit: pin` comment keeps it where it is.
    pub pinned: bool,
    /// Where the input is declared.
    #[serde(skip)]
    pub range: TextRange,
}

impl UpdateTarget {
    /// Whether `outdated`, `update` and the editor's "Check for updates"
    /// ask its repository: it is on a release tag or a channel, and no
    /// `# flakeedit: pin` comment holds it.
    pub fn is_listed(&self) -> bool {
        !self.pinned && self.tracks.release().is_some()
    }
}

/// Where an input's branch/tag name is written.
enum Written<'a> {
    /// Inside the `url` string, at this byte range of the string's value.
    Url(&'a InputLeaf, String, std::ops::Range<usize>),
    /// As the `ref` attribute.
    RefAttribute(&'a InputLeaf),
}

struct Read<'a> {
    repository: Option<String>,
    tracks: Tracks,
    written: Option<Written<'a>>,
}

fn read_input(input: &InputDecl) -> Read<'_> {
    if let Some(target) = input.follows() {
        return Read {
            repository: None,
            tracks: Tracks::Follows(target.to_string()),
            written: None,
        };
    }
    let unknown = Read {
        repository: None,
        tracks: Tracks::Unknown,
        written: None,
    };
    if let Some(kind) = input.string(&["type"]) {
        let ref_leaf = input
            .leaf(&["ref"])
            .filter(|leaf| leaf.value.as_str().is_some());
        let name = input.string(&["ref"]);
        let rev = input.string(&["rev"]);
        let repository = match kind {
            "github" | "gitlab" | "sourcehut" => forge_repository(
                kind,
                input.string(&["owner"]).unwrap_or(""),
                input.string(&["repo"]).unwrap_or(""),
                input.string(&["host"]),
            ),
            "git" => input
                .url()
                .map(|url| url.strip_prefix("git+").unwrap_or(url).to_string()),
            _ => return unknown,
        };
        let name = name.map(|name| {
            name.strip_prefix("refs/tags/")
                .or_else(|| name.strip_prefix("refs/heads/"))
                .unwrap_or(name)
        });
        return Read {
            repository,
            tracks: Tracks::of(name, rev),
            written: ref_leaf.map(Written::RefAttribute),
        };
    }
    let (Some(url), Some(leaf)) = (input.url(), input.leaf(&["url"])) else {
        return unknown;
    };
    let Some(found) = read_url(url) else {
        return unknown;
    };
    let name = found.name(url);
    Read {
        tracks: Tracks::of(name, found.rev.as_deref()),
        repository: found.repository.clone(),
        written: found
            .reference
            .map(|range| Written::Url(leaf, url.to_string(), range)),
    }
}

/// True when `# flakeedit: pin` is on the line of `offset`, or is the
/// whole line above it (a trailing comment of the line above belongs to
/// that line's binding, not to this one).
fn pin_comment_near(file: &SourceFile, offset: TextSize) -> bool {
    let text = file.text();
    let lines = file.lines();
    let line_text = |line: usize| -> &str {
        let Some(start) = lines.line_start(line) else {
            return "";
        };
        let end = lines.line_start(line + 1).unwrap_or(text.len());
        text.get(start..end).unwrap_or("")
    };
    let is_pin = |comment: &str| comment.trim_start().starts_with("flakeedit: pin");
    let line = lines.line_of(usize::from(offset));
    if line_text(line).split('#').skip(1).any(is_pin) {
        return true;
    }
    line > 0
        && line_text(line - 1)
            .trim_start()
            .strip_prefix('#')
            .is_some_and(is_pin)
}

fn pinned_by_comment(file: &SourceFile, input: &InputDecl) -> bool {
    let bindings = input
        .bindings
        .iter()
        .map(|binding| binding.node.syntax().text_range());
    let leaves = ["url", "ref"]
        .iter()
        .filter_map(|key| input.leaf(&[key]))
        .map(|leaf| leaf.binding.syntax().text_range());
    bindings
        .chain(leaves)
        .any(|range| pin_comment_near(file, range.start()) || pin_comment_near(file, range.end()))
}

/// Every declared input with what it is on.
pub fn update_targets(file: &SourceFile, flake: &Flake) -> Vec<UpdateTarget> {
    flake
        .inputs
        .iter()
        .map(|input| {
            let read = read_input(input);
            UpdateTarget {
                name: input.name.clone(),
                repository: read.repository,
                tracks: read.tracks,
                pinned: pinned_by_comment(file, input),
                range: input.range(),
            }
        })
        .collect()
}

/// The newest release above what `tracks` is on, from the repository's
/// `tags` and branch names (`heads`): a newer tag with the same prefix for
/// a tag, a newer channel of the same kind for a channel. `None` when it is
/// the newest, or follows a branch or commit (those move with `nix flake
/// update`, not by rewriting the reference).
pub fn newest<'a>(
    tracks: &Tracks,
    tags: impl IntoIterator<Item = &'a str>,
    heads: impl IntoIterator<Item = &'a str>,
    pre: bool,
) -> Option<String> {
    match tracks {
        Tracks::Tag(current) => newest_tag(current, tags, pre),
        Tracks::Channel(current) => newest_channel(current, heads),
        _ => None,
    }
}

/// One reference to move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefMove {
    /// The input.
    pub name: String,
    /// The tag, channel or branch it should name.
    pub to: String,
}

/// `update`: the references to move, chosen by the front-end with [`newest`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateRefs {
    /// The moves, one per input.
    pub moves: Vec<RefMove>,
    /// The fetched sources to move, each with its prefetched hash.
    pub sources: Vec<SourceMove>,
    /// Sources with a newer release that are not moved, and why: each
    /// becomes a warning.
    pub skipped: Vec<String>,
}

/// The rewrite of every move's reference, with one warning per input.
/// The moved inputs `lock` locks are named in [`ChangeSet::relock`] and
/// in one closing warning with the command that refreshes them (an input
/// the lock does not have yet is locked by Nix's next evaluation anyway).
pub fn update_refs(
    file: &SourceFile,
    flake: &Flake,
    lock: Option<&Lock>,
    request: &UpdateRefs,
) -> Result<ChangeSet, FlakeError> {
    let mut changes = ChangeSet::new();
    for RefMove { name, to } in &request.moves {
        let input = flake.input(name).ok_or_else(|| {
            FlakeError::new(ErrorKind::NotApplicable, format!("no input named `{name}`"))
        })?;
        if to.is_empty() || to.contains(['?', '#', '&', '"', '\\', '$']) || to.contains("..") {
            return Err(FlakeError::new(
                ErrorKind::InvalidArgument,
                format!("`{to}` is not a branch or tag name"),
            ));
        }
        let read = read_input(input);
        let current = match &read.tracks {
            Tracks::Tag(name) | Tracks::Channel(name) | Tracks::Branch(Some(name)) => name.clone(),
            Tracks::Follows(target) => {
                return Err(FlakeError::new(
                    ErrorKind::Conflict,
                    format!("input `{name}` follows `{target}`: it has no reference of its own"),
                )
                .at(input.range())
                .hint(format!("update `{target}` instead")))
            }
            other => {
                return Err(FlakeError::new(
                    ErrorKind::Unsupported,
                    format!(
                        "input `{name}` is on {}, not on a tag or branch written in the file",
                        other.describe()
                    ),
                )
                .at(input.range())
                .hint(format!(
                    "name the tag in the reference first: `flakeedit set-url {name} URL`"
                )))
            }
        };
        if &current == to {
            continue;
        }
        match read.written {
            Some(Written::Url(leaf, url, range)) => {
                let new_url = format!("{}{to}{}", &url[..range.start], &url[range.end..]);
                replace_value(leaf, &string_literal(&new_url), &mut changes)?;
            }
            Some(Written::RefAttribute(leaf)) => {
                let old = leaf.value.as_str().unwrap_or("");
                let prefix = ["refs/tags/", "refs/heads/"]
                    .into_iter()
                    .find(|prefix| old.starts_with(prefix))
                    .unwrap_or("");
                replace_value(
                    leaf,
                    &string_literal(&format!("{prefix}{to}")),
                    &mut changes,
                )?;
            }
            None => {
                return Err(FlakeError::new(
                    ErrorKind::Internal,
                    format!("the reference of `{name}` has no written name"),
                ))
            }
        }
        changes.warn(
            flakeedit_syntax::WarningCode::Moved,
            format!("`{name}` moved from {current} to {to}"),
        );
        if lock.is_some_and(|lock| lock.node_of_input(name).is_some()) {
            changes.relock.push(name.clone());
        }
    }
    if !changes.relock.is_empty() {
        let flags: Vec<String> = changes
            .relock
            .iter()
            .map(|name| format!("--update-input {name}"))
            .collect();
        let message = format!(
            "flake.lock still locks the old reference of {}: run `nix flake lock {}` \
             (Nix 2.19 and later: `nix flake update {}`)",
            changes.relock.join(", "),
            flags.join(" "),
            changes.relock.join(" ")
        );
        changes.warn(flakeedit_syntax::WarningCode::Lock, message);
    }
    fetchers::update_sources(file, &request.sources, &mut changes)?;
    for skipped in &request.skipped {
        changes.warn(flakeedit_syntax::WarningCode::Skipped, skipped.clone());
    }
    Ok(changes)
}

fn replace_value(
    leaf: &InputLeaf,
    literal: &str,
    changes: &mut ChangeSet,
) -> Result<(), FlakeError> {
    let value = leaf.binding.value().ok_or_else(|| {
        FlakeError::new(ErrorKind::Internal, "a reference binding without a value")
    })?;
    changes
        .add(TextEdit::replace(
            value.syntax().text_range(),
            literal.to_string(),
        ))
        .map_err(|error| FlakeError::new(ErrorKind::Internal, error.to_string()))
}

/// The postcondition of [`update_refs`] for fetched sources, on the
/// edited file: each moved call now fetches its tag.
pub fn verify_update_sources(request: &UpdateRefs, after: &SourceFile) -> Result<(), String> {
    fetchers::verify_sources(&request.sources, after)
}

/// The postcondition of [`update_refs`]: each input now names its target.
pub fn verify_update(request: &UpdateRefs, after: &Flake) -> Result<(), String> {
    for RefMove { name, to } in &request.moves {
        let input = after
            .input(name)
            .ok_or_else(|| format!("input `{name}` disappeared"))?;
        let read = read_input(input);
        let named = match &read.tracks {
            Tracks::Tag(name) | Tracks::Channel(name) | Tracks::Branch(Some(name)) => name,
            _ => return Err(format!("`{name}` no longer names a tag or branch")),
        };
        if named != to {
            return Err(format!("`{name}` names `{named}`, not `{to}`"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
