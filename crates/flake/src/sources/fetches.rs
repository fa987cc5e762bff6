//! `fix-hashes`, the pure half: which fetcher calls have a placeholder hash
//! and what they fetch ([`placeholder_hashes`]), and the edit that writes
//! prefetched hashes into them and converts legacy `sha256` attributes
//! ([`fix_hashes`]).
//!
//! Placeholders are found by `check`'s `fake-hash` lint and legacy
//! attributes converted by its `legacy-sha256` fix, so `check`, the
//! language server and `fix-hashes` agree on what is fake or legacy.

use crate::hash::Hash;
use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{
    attrpath_names, string_literal, strip_parens, ChangeSet, SourceFile, SyntaxKind, TextEdit,
    TextRange,
};
use rowan::ast::AstNode;

use crate::check::{check, CheckOptions};
use crate::error::{ErrorKind, FlakeError};
use crate::packages::list::{binding_at, call_with_set, string_at};

/// What a fetcher call downloads, in the terms its hash is computed on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FetchSource {
    /// `fetchFromGitHub`: the archive of `rev`, unpacked.
    GitHub {
        /// The owner.
        owner: String,
        /// The repository.
        repo: String,
        /// The revision as written (`tag = "v1"` becomes `refs/tags/v1`).
        rev: String,
        /// `githubBase`, when not github.com.
        host: Option<String>,
    },
    /// `fetchurl`: the file itself (a flat hash).
    File {
        /// The URL (the first of `urls`).
        url: String,
    },
    /// `fetchzip`: the archive, unpacked.
    Archive {
        /// The URL (the first of `urls`).
        url: String,
    },
}

impl std::fmt::Display for FetchSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchSource::GitHub {
                owner, repo, rev, ..
            } => write!(f, "{owner}/{repo} at {rev}"),
            FetchSource::File { url } | FetchSource::Archive { url } => f.write_str(url),
        }
    }
}

/// A fetcher call whose hash is a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchSite {
    /// The fetcher (`fetchFromGitHub`, `fetchurl`, …).
    pub fetcher: String,
    /// What it downloads, or why flakeedit cannot prefetch it.
    pub source: Result<FetchSource, String>,
    /// The placeholder value's bytes.
    pub range: TextRange,
    /// `check`'s subject (`fetchFromGitHub owner/repo.hash`), for messages.
    pub subject: String,
    /// Why the hash is a placeholder.
    pub reason: String,
}

/// A hash prefetched for a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchHash {
    /// The source.
    pub source: FetchSource,
    /// Its hash, as the fetcher checks it.
    pub hash: Hash,
}

/// What `fix-hashes` writes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FixHashes {
    /// Prefetched hashes; every placeholder of a fetch of one of these
    /// sources gets it.
    pub hashes: Vec<FetchHash>,
    /// Also rewrite legacy `sha256 = "<base32 or hex>"` as `hash = "sha256-…"`.
    pub convert_legacy: bool,
}

fn options(code: &str) -> CheckOptions {
    CheckOptions {
        select: vec![code.to_string()],
        // No lint that reads the clock is selected; fixed so nothing does.
        now: Some(0),
        ..CheckOptions::default()
    }
}

/// Every fetcher call of `file` whose hash is a placeholder (empty,
/// `lib.fakeHash`, all-`A` or all-zero), in source order.
pub fn placeholder_hashes(file: &SourceFile) -> Vec<FetchSite> {
    check(file, None, &options("fake-hash"))
        .into_iter()
        .filter_map(|diagnostic| {
            let (fetcher, set, _) = fetch_call_at(file, diagnostic.range)?;
            Some(FetchSite {
                source: fetch_source(&fetcher, &set),
                fetcher,
                range: diagnostic.range,
                subject: diagnostic.subject,
                reason: diagnostic.message,
            })
        })
        .collect()
}

/// The fetcher call whose argument set binds the value at `range`: its
/// name, its argument set and the binding.
fn fetch_call_at(
    file: &SourceFile,
    range: TextRange,
) -> Option<(String, ast::AttrSet, ast::AttrpathValue)> {
    let node = match file.syntax().covering_element(range) {
        rowan::NodeOrToken::Node(node) => node,
        rowan::NodeOrToken::Token(token) => token.parent()?,
    };
    let binding = node.ancestors().find_map(ast::AttrpathValue::cast)?;
    let set = ast::AttrSet::cast(binding.syntax().parent()?)?;
    let apply = set
        .syntax()
        .ancestors()
        .skip(1)
        .find(|node| node.kind() != SyntaxKind::NODE_PAREN)
        .and_then(ast::Apply::cast)?;
    let (fetcher, called) = call_with_set(Some(ast::Expr::Apply(apply)))?;
    (called.syntax() == set.syntax()).then_some((fetcher, set, binding))
}

/// Whether the fetcher call whose argument set binds the value at `range`
/// takes `hash` (nixpkgs' fetchers do, `builtins.fetchurl` does not).
fn call_takes_hash(file: &SourceFile, range: TextRange) -> bool {
    let node = match file.syntax().covering_element(range) {
        rowan::NodeOrToken::Node(node) => Some(node),
        rowan::NodeOrToken::Token(token) => token.parent(),
    };
    node.and_then(|node| {
        node.ancestors()
            .find(|ancestor| ancestor.kind() == SyntaxKind::NODE_APPLY)
            .and_then(ast::Apply::cast)
    })
    .is_some_and(|apply| crate::check::accepts_hash(&apply))
}

/// Attributes that make a fetch's hash differ from a plain download's.
fn blocking_attribute(set: &ast::AttrSet, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|name| {
            binding_at(set, &[name]).is_some_and(|binding| {
                // `fetchSubmodules = false;` and the like change nothing.
                !matches!(
                    binding.value().map(strip_parens),
                    Some(ast::Expr::Ident(ident)) if ident.syntax().text() == "false"
                )
            })
        })
        .map(|name| name.to_string())
}

fn first_url(set: &ast::AttrSet) -> Option<String> {
    if let Some(url) = string_at(set, &["url"]) {
        return Some(url);
    }
    let ast::Expr::List(list) = strip_parens(binding_at(set, &["urls"])?.value()?) else {
        return None;
    };
    match list.items().next().map(strip_parens)? {
        ast::Expr::Str(string) => flakeedit_syntax::static_string(&string),
        _ => None,
    }
}

fn fetch_source(fetcher: &str, set: &ast::AttrSet) -> Result<FetchSource, String> {
    let literal = |name: &str| {
        string_at(set, &[name]).ok_or_else(|| {
            format!(
                "its `{name}` is not a literal string, so flakeedit cannot tell what it fetches"
            )
        })
    };
    let blocked = |names: &[&str]| {
        match blocking_attribute(set, names) {
        Some(name) => Err(format!(
            "`{name}` changes what {fetcher} hashes; prefetch it with Nix (build once and copy the hash from the mismatch error)"
        )),
        None => Ok(()),
    }
    };
    match fetcher {
        "fetchFromGitHub" => {
            blocked(&[
                "fetchSubmodules",
                "leaveDotGit",
                "deepClone",
                "forceFetchGit",
                "sparseCheckout",
                "fetchLFS",
                "postFetch",
                "rootDir",
            ])?;
            let rev = match (string_at(set, &["rev"]), string_at(set, &["tag"])) {
                (Some(rev), _) => rev,
                (None, Some(tag)) => format!("refs/tags/{tag}"),
                (None, None) => literal("rev")?,
            };
            Ok(FetchSource::GitHub {
                owner: literal("owner")?,
                repo: literal("repo")?,
                rev,
                host: string_at(set, &["githubBase"]).filter(|host| host != "github.com"),
            })
        }
        "fetchurl" => {
            blocked(&[
                "postFetch",
                "downloadToTemp",
                "recursiveHash",
                "executable",
            ])?;
            first_url(set)
                .map(|url| FetchSource::File { url })
                .ok_or_else(|| "its `url` is not a literal string".to_string())
        }
        "fetchzip" => {
            blocked(&["postFetch", "extraPostFetch", "stripRoot", "extension"])?;
            first_url(set)
                .map(|url| FetchSource::Archive { url })
                .ok_or_else(|| "its `url` is not a literal string".to_string())
        }
        _ => Err(format!(
            "flakeedit prefetches fetchFromGitHub, fetchurl and fetchzip only; build once and copy the hash {fetcher} reports"
        )),
    }
}

/// `fix-hashes`: writes each prefetched hash over its placeholders
/// (renaming `sha256 = lib.fakeSha256;` to `hash`), and converts legacy
/// `sha256` attributes when asked. Placeholders left alone are warnings.
pub fn fix_hashes(file: &SourceFile, request: &FixHashes) -> Result<ChangeSet, FlakeError> {
    if !file.is_valid() {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            "the file has syntax errors; fix them before fixing hashes",
        ));
    }
    let mut changes = ChangeSet::new();
    let mut fixed = 0;
    for site in placeholder_hashes(file) {
        let found = site.source.as_ref().ok().and_then(|source| {
            request
                .hashes
                .iter()
                .find(|hash| &hash.source == source)
                .map(|hash| hash.hash)
        });
        let Some(hash) = found else {
            let why = match &site.source {
                Err(why) => why.clone(),
                Ok(_) => "it was not prefetched".to_string(),
            };
            changes.warn_at(
                flakeedit_syntax::WarningCode::Placeholder,
                site.range,
                format!("{}: placeholder left as is: {why}", site.subject),
            );
            continue;
        };
        let Some((_, set, binding)) = fetch_call_at(file, site.range) else {
            continue;
        };
        let name = binding
            .attrpath()
            .as_ref()
            .and_then(attrpath_names)
            .unwrap_or_default()
            .join(".");
        changes.add(TextEdit::replace(
            site.range,
            string_literal(&hash.to_sri()),
        ))?;
        // `builtins.fetchurl { sha256 = …; }` rejects `hash`: keep the name.
        if name != "hash" && call_takes_hash(file, site.range) {
            let has_hash = set.attrpath_values().any(|other| {
                other.attrpath().as_ref().and_then(attrpath_names) == Some(vec!["hash".into()])
            });
            if let (false, Some(path)) = (has_hash, binding.attrpath()) {
                changes.add(TextEdit::replace(path.syntax().text_range(), "hash"))?;
            }
        }
        fixed += 1;
    }
    if request.convert_legacy {
        for diagnostic in check(file, None, &options("legacy-sha256")) {
            match diagnostic.fix.filter(|fix| fix.safe) {
                Some(fix) => changes.extend(fix.changes)?,
                None => changes.warn_at(
                    flakeedit_syntax::WarningCode::Placeholder,
                    diagnostic.range,
                    format!("{}: {}", diagnostic.subject, diagnostic.message),
                ),
            }
        }
    }
    if changes.is_empty() && fixed == 0 && changes.warnings.is_empty() {
        changes.warn(
            flakeedit_syntax::WarningCode::NothingToDo,
            if request.convert_legacy {
                "no placeholder hashes and no legacy `sha256` attributes; nothing to do".to_string()
            } else {
                "no placeholder hashes; nothing to do".to_string()
            },
        );
    }
    Ok(changes)
}

/// The postcondition of [`fix_hashes`]: no placeholder of a prefetched
/// source is left, nor (when converting) a convertible `sha256`.
pub(crate) fn verify(request: &FixHashes, after: &SourceFile) -> Result<(), String> {
    for site in placeholder_hashes(after) {
        if let Ok(source) = &site.source {
            if request.hashes.iter().any(|hash| &hash.source == source) {
                return Err(format!("{} still has a placeholder hash", site.subject));
            }
        }
    }
    if request.convert_legacy {
        if let Some(left) = check(after, None, &options("legacy-sha256"))
            .into_iter()
            .find(|diagnostic| diagnostic.fix.as_ref().is_some_and(|fix| fix.safe))
        {
            return Err(format!("{} still uses `sha256`", left.subject));
        }
    }
    Ok(())
}
