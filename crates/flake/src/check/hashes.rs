//! Fetcher hashes: `fake-hash` (empty, `lib.fakeHash`, all-zero digests)
//! and `legacy-sha256` (`sha256 = "…"`, converted offline to SRI `hash`).

use super::DiagnosticCode;
use crate::hash::parse_hash;
use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{
    as_attr_set, attrpath_names, scope_at, static_string, string_literal, strip_parens, BinderKind,
    ChangeSet, SyntaxKind, SyntaxNode, TextEdit,
};
use rowan::ast::AstNode;

use super::{Context, Fix, Sink};
use crate::meaning::AllowedChange;

/// Fetchers whose argument set carries `hash`/`sha256`.
const FETCHERS: &[&str] = &[
    "fetchFromGitHub",
    "fetchFromGitLab",
    "fetchFromGitea",
    "fetchFromSourcehut",
    "fetchFromBitbucket",
    "fetchFromCodeberg",
    "fetchurl",
    "fetchzip",
    "fetchgit",
    "fetchpatch",
    "fetchCrate",
];

/// Nix's own fetchers, reachable without `builtins.`: they take `sha256`
/// (or nothing) and reject `hash` ("unsupported argument").
const GLOBAL_BUILTIN_FETCHERS: &[&str] =
    &["fetchTarball", "fetchGit", "fetchMercurial", "fetchTree"];

/// Names of nixpkgs' placeholder hashes (`lib.fakeHash` and friends).
const FAKE_NAMES: &[&str] = &["fakeHash", "fakeSha256", "fakeSha512", "fakeSha1"];

/// The name a function expression ends in: `fetchurl`,
/// `pkgs.fetchFromGitHub` → `fetchFromGitHub`.
fn function_name(expr: &ast::Expr) -> Option<String> {
    match strip_parens(expr.clone()) {
        ast::Expr::Ident(ident) => Some(ident.ident_token()?.text().to_string()),
        ast::Expr::Select(select) if select.default_expr().is_none() => {
            let attr = select.attrpath()?.attrs().last()?;
            flakeedit_syntax::attr_name(&attr)
        }
        _ => None,
    }
}

/// Whether the function of `apply` is a nixpkgs fetcher that takes `hash`
/// (as `pkgs.fetchurl`, `fetchFromGitHub`, `fetchzip`, `fetchgit` and
/// `fetchpatch` do). `builtins.fetchurl`, `builtins.fetchTarball` and
/// `builtins.fetchGit` take only `sha256`; a name bound in the file to
/// something flakeedit does not know may be either, so it counts as no.
pub(crate) fn accepts_hash(apply: &ast::Apply) -> bool {
    let Some(function) = apply.lambda().map(strip_parens) else {
        return false;
    };
    let Some(name) = function_name(&function) else {
        return false;
    };
    if !FETCHERS.contains(&name.as_str()) {
        return false;
    }
    match function {
        ast::Expr::Select(select) => !matches!(
            select.expr().map(strip_parens),
            Some(ast::Expr::Ident(base)) if base.syntax().text() == "builtins"
        ),
        ast::Expr::Ident(ident) => {
            if GLOBAL_BUILTIN_FETCHERS.contains(&name.as_str()) {
                return false;
            }
            let Some(root) = ident.syntax().ancestors().last() else {
                return false;
            };
            let scope = scope_at(&root, ident.syntax().text_range().start());
            match scope.names.get(&name) {
                // A formal (`{ fetchurl, … }:`, callPackage style), a
                // parameter, or a name from `with pkgs;`: nixpkgs' fetcher.
                None => true,
                Some(binder) => match binder.kind {
                    BinderKind::Formal | BinderKind::Parameter | BinderKind::PatternAlias => true,
                    BinderKind::Let | BinderKind::Inherit | BinderKind::RecAttribute => {
                        // `inherit (pkgs) fetchurl;` or `fetchurl = pkgs.fetchurl;`
                        // name nixpkgs' fetcher; anything from `builtins` or any
                        // other definition is not known to take `hash`.
                        let written = root.text().slice(binder.range).to_string();
                        !written.contains("builtins")
                            && (written.starts_with("inherit (")
                                || written.contains(&format!(".{name};")))
                    }
                },
            }
        }
        _ => false,
    }
}

/// Why a hash value is fake, if it is.
fn fake_reason(value: &ast::Expr) -> Option<String> {
    match strip_parens(value.clone()) {
        ast::Expr::Str(string) => {
            let text = static_string(&string)?;
            let trimmed = text.trim();
            if trimmed.is_empty() {
                return Some("the hash is empty".into());
            }
            let digest = trimmed
                .split_once('-')
                .map_or(trimmed, |(_, digest)| digest)
                .trim_end_matches('=');
            let all_zero_spelling = !digest.is_empty()
                && (digest.bytes().all(|b| b == b'A') || digest.bytes().all(|b| b == b'0'));
            let zero_digest =
                parse_hash(trimmed).is_ok_and(|h| h.as_bytes().iter().all(|b| *b == 0));
            (all_zero_spelling || zero_digest)
                .then(|| format!("`{trimmed}` is a placeholder (an all-zero digest)"))
        }
        expr @ (ast::Expr::Ident(_) | ast::Expr::Select(_)) => {
            let name = function_name(&expr)?;
            FAKE_NAMES
                .contains(&name.as_str())
                .then(|| format!("`{}` is a placeholder", expr.syntax().text()))
        }
        _ => None,
    }
}

/// True when `node` is a call of a fetcher this check looks into.
pub(crate) fn is_fetcher_call(node: &SyntaxNode) -> bool {
    ast::Apply::cast(node.clone())
        .and_then(|apply| apply.lambda())
        .as_ref()
        .and_then(function_name)
        .is_some_and(|name| FETCHERS.contains(&name.as_str()))
}

/// True when `text` may name a fetcher or bind a name to one: every name
/// this check knows (and `scope_at` looks up) has `fetch` in it.
pub(crate) fn may_name_a_fetcher(text: &str) -> bool {
    text.contains("fetch")
}

/// Checks the fetcher calls in `within` (the whole file, or the binding an
/// incremental check re-checks).
pub(crate) fn check(_context: &Context, sink: &mut Sink, within: &SyntaxNode) {
    if !sink.wants(DiagnosticCode::FakeHash) && !sink.wants(DiagnosticCode::LegacySha256) {
        return;
    }
    for node in within.descendants() {
        if node.kind() != SyntaxKind::NODE_APPLY {
            continue;
        }
        let Some(apply) = ast::Apply::cast(node) else {
            continue;
        };
        let Some(fetcher) = apply.lambda().as_ref().and_then(function_name) else {
            continue;
        };
        if !FETCHERS.contains(&fetcher.as_str()) {
            continue;
        }
        let Some(set) = as_attr_set(apply.argument()) else {
            continue;
        };
        check_fetcher_set(sink, &fetcher, &set, accepts_hash(&apply));
    }
}

fn check_fetcher_set(sink: &mut Sink, fetcher: &str, set: &ast::AttrSet, takes_hash: bool) {
    let bindings: Vec<(String, ast::AttrpathValue)> = set
        .attrpath_values()
        .filter_map(|binding| {
            let names = attrpath_names(&binding.attrpath()?)?;
            match names.as_slice() {
                [name] => Some((name.clone(), binding)),
                _ => None,
            }
        })
        .collect();
    let has_hash = bindings.iter().any(|(name, _)| name == "hash");
    let what = describe_fetch(&bindings, fetcher);
    for (name, binding) in &bindings {
        if !matches!(name.as_str(), "hash" | "sha256" | "sha512" | "outputHash") {
            continue;
        }
        let Some(value) = binding.value() else {
            continue;
        };
        let subject = format!("{what}.{name}");
        if let Some(reason) = fake_reason(&value) {
            sink.report(
                DiagnosticCode::FakeHash,
                value.syntax().text_range(),
                subject,
                format!(
                    "{reason}: building {what} fails with a hash mismatch; \
                     put the real hash here (`flakeedit fix-hashes` prefetches it)"
                ),
                None,
            );
            continue;
        }
        // `builtins.fetchurl` and friends reject `hash`: their `sha256` is
        // the only spelling, not a legacy one.
        if name != "sha256" || !takes_hash {
            continue;
        }
        let ast::Expr::Str(string) = strip_parens(value.clone()) else {
            continue;
        };
        let Some(text) = static_string(&string) else {
            continue;
        };
        let Ok(hash) = parse_hash(&text) else {
            continue;
        };
        let sri = hash.to_sri();
        let fix = (!has_hash).then(|| legacy_fix(binding, &sri)).flatten();
        let also = if has_hash {
            "; the set also has `hash`, so remove this `sha256`"
        } else {
            ""
        };
        sink.report(
            DiagnosticCode::LegacySha256,
            binding.syntax().text_range(),
            subject,
            format!(
                "{what} uses the legacy `sha256` attribute; write `hash = \"{sri}\"` instead{also}"
            ),
            fix,
        );
    }
}

/// `sha256 = "<any spelling>";` → `hash = "sha256-…";`: the same digest,
/// so the fetched source and the derivation's output are unchanged.
fn legacy_fix(binding: &ast::AttrpathValue, sri: &str) -> Option<Fix> {
    let path = binding.attrpath()?;
    let value = binding.value()?;
    let mut changes = ChangeSet::new();
    changes
        .add(TextEdit::replace(path.syntax().text_range(), "hash"))
        .ok()?;
    changes
        .add(TextEdit::replace(
            value.syntax().text_range(),
            string_literal(sri),
        ))
        .ok()?;
    Some(Fix {
        title: "convert `sha256` to an SRI `hash`".into(),
        changes,
        safe: true,
        allowed: AllowedChange::hashes(),
    })
}

/// `fetchFromGitHub hannesm/randomconv` or `fetchurl https://…`, for messages.
fn describe_fetch(bindings: &[(String, ast::AttrpathValue)], fetcher: &str) -> String {
    let string = |wanted: &str| {
        bindings
            .iter()
            .find(|(name, _)| name == wanted)
            .and_then(|(_, binding)| match binding.value().map(strip_parens) {
                Some(ast::Expr::Str(string)) => static_string(&string),
                _ => None,
            })
    };
    match (string("owner"), string("repo"), string("url")) {
        (Some(owner), Some(repo), _) => format!("{fetcher} {owner}/{repo}"),
        (_, _, Some(url)) => format!("{fetcher} {url}"),
        _ => fetcher.to_string(),
    }
}
