//! Fetched sources: `fetchFromGitHub`, `fetchFromGitLab` and `fetchgit`
//! calls whose `rev` or `tag` names a release, written literally
//! (`tag = "v1.2.0";`) or built from a `version` binding in scope
//! (`rev = "v${version}";` with `version` bound by a `rec` set or a `let`),
//! and `fetchurl`/`fetchzip` calls whose `url` is a forge's release URL
//! (`…/archive/v1.2.0.tar.gz`, `…/releases/download/v1.2.0/tool-1.2.0.tar.gz`,
//! `…/-/archive/v1.2.0/…`), literal or built from `version` the same way.
//!
//! Only a plain identifier `version` is followed, and only to a binding
//! that is certainly the one Nix reads (the nearest `rec` set or `let`
//! binding it); anything else (`finalAttrs.version`, a function argument)
//! is reported as not understood rather than guessed.

use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{
    attrpath_names, static_string, string_literal, strip_parens, ChangeSet, SourceFile, TextEdit,
    TextRange, TextSize,
};
use rowan::ast::AstNode;
use serde::Serialize;

use super::refetch::{release_url, Refetch, CHANGES_THE_OUTPUT};
use super::{forge_repository, pin_comment_near, Tracks};
use crate::error::{ErrorKind, FlakeError};
use crate::packages::list::{binding_at, call_with_set, string_at};

/// A fetcher call and what its revision is on.
#[derive(Debug, Clone, Serialize)]
pub struct SourceTarget {
    /// The enclosing package's `pname`, or the repository name.
    pub name: String,
    /// `fetchFromGitHub`, `fetchFromGitLab`, `fetchgit`, `fetchurl` or `fetchzip`.
    pub fetcher: String,
    /// The git URL to list.
    pub repository: Option<String>,
    /// How the new hash is computed; `None` when an argument changes what
    /// is fetched in a way flakeedit does not reproduce (the reason).
    #[serde(skip)]
    pub refetch: Result<Refetch, String>,
    /// What the revision is on.
    pub tracks: Tracks,
    /// A `# flakeedit: pin` comment keeps it where it is.
    pub pinned: bool,
    /// The call's argument set (its start identifies the call).
    #[serde(skip)]
    pub range: TextRange,
}

/// How the revision is written.
enum RevWritten {
    /// `rev`/`tag` is this literal.
    Literal(ast::AttrpathValue),
    /// `url` is this literal release URL.
    UrlLiteral(ast::AttrpathValue),
    /// `rev`/`tag` is `"<prefix>${version}<suffix>"`, `version` bound here.
    Version {
        binding: ast::AttrpathValue,
        prefix: String,
        suffix: String,
    },
}

struct Call {
    target: SourceTarget,
    written: Option<RevWritten>,
    hash: Option<ast::AttrpathValue>,
}

const FETCHERS: &[&str] = &[
    "fetchFromGitHub",
    "fetchFromGitLab",
    "fetchgit",
    "fetchurl",
    "fetchzip",
];

/// Every supported fetcher call of `file`, in source order.
pub fn source_targets(file: &SourceFile) -> Vec<SourceTarget> {
    calls(file).into_iter().map(|call| call.target).collect()
}

fn calls(file: &SourceFile) -> Vec<Call> {
    file.syntax()
        .descendants()
        .filter_map(ast::Apply::cast)
        .filter_map(|apply| {
            let (fetcher, set) = call_with_set(Some(ast::Expr::Apply(apply)))?;
            FETCHERS
                .contains(&fetcher.as_str())
                .then(|| read_call(file, fetcher, set))
        })
        .collect()
}

fn read_call(file: &SourceFile, fetcher: String, set: ast::AttrSet) -> Call {
    let owner = string_at(&set, &["owner"]).unwrap_or_default();
    let repo = string_at(&set, &["repo"]).unwrap_or_default();
    let unreadable = |what: &str| Err(format!("the {fetcher} call has no literal {what}"));
    let (repository, refetch, (tracks, written)) = match fetcher.as_str() {
        "fetchFromGitHub" => {
            let host = string_at(&set, &["githubBase"]);
            let repository = forge_repository("github", &owner, &repo, host.as_deref());
            let refetch = if owner.is_empty() || repo.is_empty() {
                unreadable("owner and repo")
            } else {
                Ok(Refetch::GitHub {
                    owner: owner.clone(),
                    repo: repo.clone(),
                })
            };
            (repository, refetch, read_rev(&set))
        }
        "fetchFromGitLab" => {
            let domain = string_at(&set, &["domain"]);
            let owner = match string_at(&set, &["group"]) {
                Some(group) => format!("{group}/{owner}"),
                None => owner.clone(),
            };
            let repository = forge_repository("gitlab", &owner, &repo, domain.as_deref());
            let refetch = if owner.is_empty() || repo.is_empty() {
                unreadable("owner and repo")
            } else {
                Ok(Refetch::GitLab {
                    domain: domain.unwrap_or_else(|| "gitlab.com".to_string()),
                    project: format!("{owner}/{repo}"),
                })
            };
            (repository, refetch, read_rev(&set))
        }
        "fetchgit" => {
            let url = string_at(&set, &["url"]);
            let refetch = match &url {
                Some(url) => Ok(Refetch::Git { url: url.clone() }),
                None => unreadable("url"),
            };
            (url, refetch, read_rev(&set))
        }
        _ => match read_release_url(&set) {
            Some((url, tag, written)) => {
                let (repository, range) = tag;
                let name = url.get(range.clone()).unwrap_or_default().to_string();
                let tracks = match Tracks::of(Some(&name), None) {
                    tracks @ Tracks::Tag(_) => tracks,
                    _ => Tracks::Unknown,
                };
                let refetch = Ok(Refetch::Url {
                    url,
                    tag: range,
                    unpack: fetcher == "fetchzip",
                });
                (Some(repository), refetch, (tracks, Some(written)))
            }
            None => (None, unreadable("release URL"), (Tracks::Unknown, None)),
        },
    };
    let refetch = match CHANGES_THE_OUTPUT
        .iter()
        .find(|key| binding_at(&set, &[key]).is_some())
    {
        Some(key) => Err(format!(
            "its `{key}` changes what is fetched, so the new hash is not computed here"
        )),
        None => refetch,
    };
    let name = enclosing_pname(&set)
        .or_else(|| (!repo.is_empty()).then(|| repo.clone()))
        .or_else(|| bound_name(&set))
        .or_else(|| {
            let repository = repository.as_deref()?;
            let last = repository.trim_end_matches('/').rsplit('/').next()?;
            Some(last.strip_suffix(".git").unwrap_or(last).to_string())
        })
        .unwrap_or_else(|| fetcher.clone());
    let range = set.syntax().text_range();
    let apply_start = set
        .syntax()
        .parent()
        .map_or(range.start(), |parent| parent.text_range().start());
    let mut pinned = pin_comment_near(file, apply_start);
    if let Some(RevWritten::Literal(binding))
    | Some(RevWritten::UrlLiteral(binding))
    | Some(RevWritten::Version { binding, .. }) = &written
    {
        pinned |= pin_comment_near(file, binding.syntax().text_range().start());
    }
    if let Some(binding) = binding_at(&set, &["rev"]).or_else(|| binding_at(&set, &["tag"])) {
        pinned |= pin_comment_near(file, binding.syntax().text_range().start());
    }
    Call {
        target: SourceTarget {
            name,
            fetcher,
            repository,
            refetch,
            tracks,
            pinned,
            range,
        },
        written,
        hash: binding_at(&set, &["hash"]).or_else(|| binding_at(&set, &["sha256"])),
    }
}

fn read_rev(set: &ast::AttrSet) -> (Tracks, Option<RevWritten>) {
    let (key, binding) = match (binding_at(set, &["tag"]), binding_at(set, &["rev"])) {
        (Some(binding), _) => ("tag", binding),
        (None, Some(binding)) => ("rev", binding),
        (None, None) => return (Tracks::Branch(None), None),
    };
    let Some(value) = binding.value().map(strip_parens) else {
        return (Tracks::Unknown, None);
    };
    let (text, written) = match value {
        ast::Expr::Str(string) => match static_string(&string) {
            Some(text) => (text, RevWritten::Literal(binding.clone())),
            None => match interpolated_version(&string) {
                Some((prefix, suffix)) => match version_binding(set) {
                    Some((version, version_binding)) => (
                        format!("{prefix}{version}{suffix}"),
                        RevWritten::Version {
                            binding: version_binding,
                            prefix,
                            suffix,
                        },
                    ),
                    None => return (Tracks::Unknown, None),
                },
                None => return (Tracks::Unknown, None),
            },
        },
        ast::Expr::Ident(ident) if ident.syntax().text() == "version" => {
            match version_binding(set) {
                Some((version, version_binding)) => (
                    version,
                    RevWritten::Version {
                        binding: version_binding,
                        prefix: String::new(),
                        suffix: String::new(),
                    },
                ),
                None => return (Tracks::Unknown, None),
            }
        }
        _ => return (Tracks::Unknown, None),
    };
    let text = text
        .strip_prefix("refs/tags/")
        .map(str::to_string)
        .unwrap_or(text);
    // A commit hash that starts with digits (`03c8e3f…`) would otherwise
    // read as a version.
    if key == "rev" && super::reference::is_commit(&text) {
        return (Tracks::Commit(text), Some(written));
    }
    let tracks = match Tracks::of(Some(&text), None) {
        Tracks::Branch(Some(name)) if key == "tag" => Tracks::Tag(name),
        other => other,
    };
    (tracks, Some(written))
}

/// A `fetchurl`/`fetchzip` `url` that is a release URL: the URL (with
/// `version` expanded), the repository and tag range, and how it is written.
#[allow(clippy::type_complexity)]
fn read_release_url(
    set: &ast::AttrSet,
) -> Option<(String, (String, std::ops::Range<usize>), RevWritten)> {
    let binding = binding_at(set, &["url"])?;
    let ast::Expr::Str(string) = strip_parens(binding.value()?) else {
        return None;
    };
    if let Some(url) = static_string(&string) {
        let tag = release_url(&url)?;
        return Some((url, tag, RevWritten::UrlLiteral(binding)));
    }
    let (version, version_binding) = version_binding(set)?;
    let mut url = String::new();
    for part in string.normalized_parts() {
        match part {
            ast::InterpolPart::Literal(text) => url.push_str(&text),
            ast::InterpolPart::Interpolation(interpolation) => {
                match strip_parens(interpolation.expr()?) {
                    ast::Expr::Ident(ident) if ident.syntax().text() == "version" => {
                        url.push_str(&version)
                    }
                    _ => return None,
                }
            }
        }
    }
    let tag = release_url(&url)?;
    // The tag must carry the version once, so that a new tag gives the new version.
    let tag_text = url.get(tag.1.clone())?;
    let at = tag_text.find(version.as_str())?;
    let written = RevWritten::Version {
        binding: version_binding,
        prefix: tag_text[..at].to_string(),
        suffix: tag_text[at + version.len()..].to_string(),
    };
    Some((url, tag, written))
}

/// `"v${version}"` → (`v`, ``): exactly one interpolation, of `version`.
fn interpolated_version(string: &ast::Str) -> Option<(String, String)> {
    let mut prefix = String::new();
    let mut suffix = String::new();
    let mut seen = false;
    for part in string.normalized_parts() {
        match part {
            ast::InterpolPart::Literal(text) => {
                if seen {
                    suffix.push_str(&text);
                } else {
                    prefix.push_str(&text);
                }
            }
            ast::InterpolPart::Interpolation(interpolation) => {
                let ast::Expr::Ident(ident) = strip_parens(interpolation.expr()?) else {
                    return None;
                };
                if seen || ident.syntax().text() != "version" {
                    return None;
                }
                seen = true;
            }
        }
    }
    seen.then_some((prefix, suffix))
}

/// The static `version` binding the identifier `version` at `set` reads:
/// the nearest `rec` set or `let` that binds it. A lambda binding
/// `version` on the way shadows it, so the search stops there.
fn version_binding(set: &ast::AttrSet) -> Option<(String, ast::AttrpathValue)> {
    for node in set.syntax().ancestors().skip(1) {
        if let Some(lambda) = ast::Lambda::cast(node.clone()) {
            let binds = match lambda.param() {
                Some(ast::Param::IdentParam(param)) => {
                    param.syntax().text().to_string().trim() == "version"
                }
                Some(ast::Param::Pattern(pattern)) => {
                    flakeedit_syntax::formal_names(&pattern)
                        .iter()
                        .any(|name| name == "version")
                        || pattern
                            .pat_bind()
                            .and_then(|bind| bind.ident())
                            .is_some_and(|ident| ident.syntax().text() == "version")
                }
                None => false,
            };
            if binds {
                return None;
            }
        }
        let entries: Option<Vec<ast::Entry>> = if let Some(outer) = ast::AttrSet::cast(node.clone())
        {
            outer.rec_token().map(|_| outer.entries().collect())
        } else {
            ast::LetIn::cast(node.clone()).map(|let_in| let_in.entries().collect())
        };
        let Some(entries) = entries else {
            continue;
        };
        for entry in entries {
            match entry {
                ast::Entry::AttrpathValue(binding) => {
                    let names = binding.attrpath().as_ref().and_then(attrpath_names);
                    if names.as_deref() == Some(&["version".to_string()][..]) {
                        let value = match binding.value().map(strip_parens) {
                            Some(ast::Expr::Str(string)) => static_string(&string),
                            _ => None,
                        };
                        return value.map(|value| (value, binding));
                    }
                }
                ast::Entry::Inherit(inherit) => {
                    if inherit.attrs().any(|attr| {
                        flakeedit_syntax::attr_name(&attr).as_deref() == Some("version")
                    }) {
                        return None;
                    }
                }
            }
        }
    }
    None
}

/// The attribute the call is the value of (`zipped = pkgs.fetchzip { … };`),
/// unless it is only a package's `src`.
fn bound_name(set: &ast::AttrSet) -> Option<String> {
    let binding = set
        .syntax()
        .ancestors()
        .skip(1)
        .take_while(|node| ast::AttrSet::cast(node.clone()).is_none())
        .find_map(ast::AttrpathValue::cast)?;
    let names = attrpath_names(&binding.attrpath()?)?;
    let last = names.last()?;
    (last != "src").then(|| last.clone())
}

/// The `pname` of the set the fetcher call sits in (`src = fetch… { };`).
fn enclosing_pname(set: &ast::AttrSet) -> Option<String> {
    set.syntax()
        .ancestors()
        .skip(1)
        .filter_map(ast::AttrSet::cast)
        .find_map(|outer| string_at(&outer, &["pname"]))
}

/// One fetched source to move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMove {
    /// The start of the call's argument set ([`SourceTarget::range`]).
    pub at: TextSize,
    /// The tag to fetch.
    pub to: String,
    /// The SRI hash of the new source, prefetched by the front-end.
    pub hash: String,
    /// For `fetchurl`/`fetchzip`: the URL that was prefetched, which the
    /// call must fetch after the edit.
    pub url: Option<String>,
}

pub(super) fn update_sources(
    file: &SourceFile,
    moves: &[SourceMove],
    changes: &mut ChangeSet,
) -> Result<(), FlakeError> {
    if moves.is_empty() {
        return Ok(());
    }
    let calls = calls(file);
    for SourceMove { at, to, hash, .. } in moves {
        let call = calls
            .iter()
            .find(|call| call.target.range.start() == *at)
            .ok_or_else(|| {
                FlakeError::new(ErrorKind::NotApplicable, "no fetcher call at this place")
            })?;
        let name = &call.target.name;
        if !hash.starts_with("sha256-") || hash.contains(['"', '\\', '$']) {
            return Err(FlakeError::new(
                ErrorKind::InvalidArgument,
                format!("`{hash}` is not an SRI sha256 hash"),
            ));
        }
        if to.is_empty() || to.contains(['"', '\\', '$']) {
            return Err(FlakeError::new(
                ErrorKind::InvalidArgument,
                format!("`{to}` is not a tag name"),
            ));
        }
        let Some(hash_binding) = &call.hash else {
            return Err(FlakeError::new(
                ErrorKind::Unsupported,
                format!(
                    "the {} call of `{name}` has no `hash` to update",
                    call.target.fetcher
                ),
            )
            .at(call.target.range));
        };
        let current = call.target.tracks.describe();
        match &call.written {
            Some(RevWritten::Literal(binding)) => {
                let old = binding
                    .value()
                    .and_then(|value| match strip_parens(value) {
                        ast::Expr::Str(string) => static_string(&string),
                        _ => None,
                    })
                    .unwrap_or_default();
                let prefix = if old.starts_with("refs/tags/") {
                    "refs/tags/"
                } else {
                    ""
                };
                replace_value(binding, &string_literal(&format!("{prefix}{to}")), changes)?;
            }
            Some(RevWritten::UrlLiteral(binding)) => {
                let url = call
                    .target
                    .refetch
                    .as_ref()
                    .ok()
                    .and_then(|refetch| refetch.url_for(to))
                    .ok_or_else(|| {
                        FlakeError::new(ErrorKind::Internal, "a release URL without its tag")
                    })?;
                replace_value(binding, &string_literal(&url), changes)?;
            }
            Some(RevWritten::Version {
                binding,
                prefix,
                suffix,
            }) => {
                let version = to
                    .strip_prefix(prefix.as_str())
                    .and_then(|rest| rest.strip_suffix(suffix.as_str()))
                    .filter(|version| !version.is_empty())
                    .ok_or_else(|| {
                        FlakeError::new(
                            ErrorKind::Conflict,
                            format!(
                                "`{to}` is not `{prefix}<version>{suffix}`, the form the {} call of `{name}` builds from `version`",
                                call.target.fetcher
                            ),
                        )
                        .at(binding.syntax().text_range())
                    })?;
                replace_value(binding, &string_literal(version), changes)?;
            }
            None => {
                return Err(FlakeError::new(
                    ErrorKind::Unsupported,
                    format!("the revision of `{name}` is not a literal or built from `version`"),
                )
                .at(call.target.range))
            }
        }
        replace_value(hash_binding, &string_literal(hash), changes)?;
        changes.warn(
            flakeedit_syntax::WarningCode::Moved,
            format!(
                "`{name}` ({}) moved from {current} to {to}, with its new hash",
                call.target.fetcher
            ),
        );
    }
    Ok(())
}

fn replace_value(
    binding: &ast::AttrpathValue,
    literal: &str,
    changes: &mut ChangeSet,
) -> Result<(), FlakeError> {
    let value = binding
        .value()
        .ok_or_else(|| FlakeError::new(ErrorKind::Internal, "a binding without a value"))?;
    changes.add(TextEdit::replace(
        value.syntax().text_range(),
        literal.to_string(),
    ))?;
    Ok(())
}

/// The postcondition: every moved call now fetches its tag.
pub(super) fn verify_sources(moves: &[SourceMove], after: &SourceFile) -> Result<(), String> {
    let targets = source_targets(after);
    for SourceMove { to, url, .. } in moves {
        let found = targets.iter().any(|target| match &target.tracks {
            Tracks::Tag(name) | Tracks::Branch(Some(name)) => name == to,
            _ => false,
        });
        if !found {
            return Err(format!("no fetcher fetches `{to}` after the edit"));
        }
        if let Some(url) = url {
            let fetched = targets.iter().any(
                |target| matches!(&target.refetch, Ok(Refetch::Url { url: now, .. }) if now == url),
            );
            if !fetched {
                return Err(format!("no fetcher downloads {url} after the edit"));
            }
        }
    }
    Ok(())
}
