//! `add-source`: a library missing from nixpkgs, built from its GitHub
//! sources the way the seed article writes it —
//! `buildDunePackage { version; pname; src = pkgs.fetchFromGitHub { owner;
//! repo; rev; hash; }; }` — and added to the `buildInputs` of the package
//! that needs it.
//!
//! This is the pure half: [`AddSource`] carries a commit and a hash already
//! known. Resolving a branch or tag and prefetching the hash need the
//! network and happen before, in [`crate::sources::resolve_source`].

use crate::hash::Hash;
use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{is_trivia, quote_attr_name, string_literal, ChangeSet, SourceFile};
use rowan::ast::AstNode;

use super::argument::{builder_call, list_value};
use super::context::Context;
use super::convention::Convention;
use super::definition::{slot, Slot};
use super::dune::{append_build_inputs, attribute_column, builder_expression, package_snippet};
use super::expression::resolve_build_inputs;
use super::list::{binding_at, call_with_set, string_at};
use super::{insert_output_entry, targets_after};
use crate::error::{ErrorKind, FlakeError};
use crate::lock::Lock;
use crate::model::Flake;

/// The `hash` written into `fetchFromGitHub`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SourceHash {
    /// A real hash, written in SRI form (`sha256-…`).
    Known(Hash),
    /// nixpkgs' placeholder, `lib.fakeHash` (or `pkgs.lib.fakeHash` when
    /// `lib` is not in scope): the first build fails and prints the real one.
    #[default]
    Fake,
}

/// What `add-source` writes, once the revision is a commit and the hash is known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddSource {
    /// The GitHub owner (`hannesm`).
    pub owner: String,
    /// The repository (`randomconv`).
    pub repo: String,
    /// The full 40-digit commit hash written as `rev`.
    pub rev: String,
    /// The hash written as `hash`.
    pub hash: SourceHash,
    /// The package's attribute under `packages` and its `pname` (default:
    /// the repository name).
    pub name: Option<String>,
    /// The package's `version`.
    pub version: String,
    /// A GitHub Enterprise host, written as `githubBase` (`None` for github.com).
    pub github_host: Option<String>,
    /// The package whose `buildInputs` gets the new one (`Some("default")`
    /// usually); `None` adds it to no package.
    pub dep_of: Option<String>,
    /// Build inputs of the new package: packages of this flake by attribute
    /// name, inputs' packages (`riot`, `riot#name`), or expressions in scope.
    pub build_inputs: Vec<String>,
    /// Plain layout only: the one system to add it to.
    pub system: Option<String>,
}

impl AddSource {
    /// The attribute (and pname) of the new package.
    pub fn attribute(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.repo)
    }

    fn validate(&self) -> Result<(), FlakeError> {
        let invalid = |message: String| Err(FlakeError::new(ErrorKind::InvalidArgument, message));
        if self.owner.trim().is_empty() || self.repo.trim().is_empty() {
            return invalid("the owner and the repository must not be empty".into());
        }
        if self.rev.len() != 40 || !self.rev.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(FlakeError::new(
                ErrorKind::InvalidArgument,
                format!(
                    "`{}` is not a full commit hash; a branch or tag would move under the hash",
                    self.rev.escape_debug()
                ),
            )
            .hint("resolve it to a commit first (`flakeedit add-source` does)"));
        }
        if self.attribute().trim().is_empty() {
            return invalid("the package name is empty".into());
        }
        if self.version.trim().is_empty() {
            return invalid("the version is empty".into());
        }
        if self.dep_of.as_deref() == Some(self.attribute()) {
            return invalid(format!(
                "package `{}` cannot be a build input of itself",
                self.attribute()
            ));
        }
        Ok(())
    }
}

/// The version of a release tag (`v0.2.0` and `0.2.0` give `0.2.0`), if the
/// tag looks like one: an optional `v`, then a digit, then only digits,
/// letters, `.`, `-` and `+`.
pub fn version_from_tag(tag: &str) -> Option<String> {
    let tag = tag.strip_prefix("refs/tags/").unwrap_or(tag);
    let version = tag
        .strip_prefix('v')
        .or_else(|| tag.strip_prefix('V'))
        .unwrap_or(tag);
    let mut chars = version.chars();
    let starts_with_digit = chars.next().is_some_and(|c| c.is_ascii_digit());
    (starts_with_digit && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')))
        .then(|| version.to_string())
}

/// The version of a source that is not a release: `0-unstable-<first 7
/// digits of the commit>`. nixpkgs writes `0-unstable-<date>`, but the
/// commit date is not known without cloning; the short commit is always
/// known, sorts after any `0` release and names exactly what was fetched.
pub fn unstable_version(commit: &str) -> String {
    let short: String = commit.chars().take(7).collect();
    format!("0-unstable-{short}")
}

/// The `src = fetchFromGitHub { … }` of a package's argument set, as
/// (owner, repo, rev) when they are literal strings.
fn github_source(set: &ast::AttrSet) -> Option<(String, String, String)> {
    let (function, src) = call_with_set(binding_at(set, &["src"])?.value())?;
    if function != "fetchFromGitHub" {
        return None;
    }
    Some((
        string_at(&src, &["owner"])?,
        string_at(&src, &["repo"])?,
        string_at(&src, &["rev"])?,
    ))
}

/// OCaml builders of nixpkgs' `ocamlPackages`.
const OCAML_BUILDERS: &[&str] = &[
    "buildDunePackage",
    "buildOasisPackage",
    "buildTopkgPackage",
    "buildOcaml",
];

/// Whether a package is built as OCaml: with an OCaml builder, or by a
/// generic builder (`stdenv.mkDerivation`) whose inputs bring OCaml or dune.
fn is_ocaml_package(function: &str, set: &ast::AttrSet) -> bool {
    if OCAML_BUILDERS.contains(&function) {
        return true;
    }
    ["buildInputs", "nativeBuildInputs", "propagatedBuildInputs"]
        .iter()
        .filter_map(|name| list_value(set, name))
        .flat_map(|list| list.items())
        .any(|item| {
            let text = compact(item.syntax());
            text.split(['.', ' '])
                .any(|name| name.starts_with("ocaml") || name.starts_with("dune"))
        })
}

/// The text of a node without whitespace and comments.
fn compact(node: &flakeedit_syntax::SyntaxNode) -> String {
    node.descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .filter(|token| !is_trivia(token.kind()))
        .map(|token| token.text().to_string())
        .collect()
}

/// `add-source`: the package in every target, and a reference to it in the
/// `buildInputs` of [`AddSource::dep_of`]. Running it again changes nothing.
///
/// `lock` is the `flake.lock` beside the file, if any: where the flake
/// declares no `nixpkgs`, it shows which input brings one to follow.
pub fn add_source(
    file: &SourceFile,
    flake: &Flake,
    request: &AddSource,
    lock: Option<&Lock>,
) -> Result<ChangeSet, FlakeError> {
    request.validate()?;
    let attr = request.attribute().to_string();
    let mut context = Context::new(file, flake, lock, request.system.as_deref())?;
    let mut changes = ChangeSet::new();
    let mut wrote_fake = false;
    for target in context.layout.targets.clone() {
        let place = &target.packages;
        let dependent = match &request.dep_of {
            None => None,
            Some(dep) => {
                let existing = place.entry(dep).ok_or_else(|| {
                    FlakeError::new(
                        ErrorKind::NotApplicable,
                        format!("no package `{dep}` to add `{attr}` to"),
                    )
                    .at(place.set.syntax().text_range())
                    .hint("name the package that needs it with --dep-of NAME, or pass --no-dep")
                })?;
                let (function, set) = builder_call(existing.value()).ok_or_else(|| {
                    FlakeError::new(
                        ErrorKind::Unsupported,
                        format!("package `{dep}` is not a call with an argument set (`f {{ … }}`), so it has no `buildInputs` to extend"),
                    )
                    .at(existing.syntax().text_range())
                    .hint("pass --dep-of another package, or --no-dep and add it where it is needed by hand")
                })?;
                if !is_ocaml_package(&function, &set) {
                    return Err(FlakeError::new(
                        ErrorKind::Conflict,
                        format!(
                            "package `{dep}` is built with `{function}`, not as an OCaml package: \
                             the OCaml library `{attr}` would do nothing in its build inputs"
                        ),
                    )
                    .at(existing.syntax().text_range())
                    .hint(format!(
                        "pass --dep-of NAME with the OCaml package that needs `{attr}`, or --no-dep to add only the library"
                    )));
                }
                Some((dep.clone(), existing, set))
            }
        };
        let inputs =
            resolve_build_inputs(&mut context, &target, place, &attr, &request.build_inputs)?;
        let what = format!("package `{attr}`");
        match slot(place, &attr, &what, &mut changes.warnings)? {
            Slot::Taken(existing) => {
                let source =
                    call_with_set(existing.value()).and_then(|(_, set)| github_source(&set));
                let wanted = (&request.owner, &request.repo, &request.rev);
                match source {
                    Some((owner, repo, rev)) if (&owner, &repo, &rev) == wanted => {}
                    Some((owner, repo, rev)) => {
                        return Err(FlakeError::new(
                            ErrorKind::Conflict,
                            format!("package `{attr}` already exists, fetching {owner}/{repo} at {rev}"),
                        )
                        .at(existing.syntax().text_range())
                        .hint("choose another name with --name NAME, or edit or remove the existing package"));
                    }
                    None => {
                        return Err(FlakeError::new(
                            ErrorKind::Conflict,
                            format!("package `{attr}` already exists and is not fetched with `fetchFromGitHub`"),
                        )
                        .at(existing.syntax().text_range())
                        .hint("choose another name with --name NAME"));
                    }
                }
            }
            Slot::Free => {
                let scope = context.scope(place);
                let builder = builder_expression(&mut context, &target, place)?;
                let fetcher = if scope.contains("fetchFromGitHub") {
                    "fetchFromGitHub".to_string()
                } else {
                    format!("{}.fetchFromGitHub", context.pkgs(&target, place)?)
                };
                let hash = match &request.hash {
                    SourceHash::Known(hash) => string_literal(&hash.to_sri()),
                    SourceHash::Fake => {
                        wrote_fake = true;
                        if scope.contains("lib") {
                            "lib.fakeHash".to_string()
                        } else {
                            format!("{}.lib.fakeHash", context.pkgs(&target, place)?)
                        }
                    }
                };
                let mut src = format!("{fetcher} {{\n");
                if let Some(host) = &request.github_host {
                    src.push_str(&format!("\t\tgithubBase = {};\n", string_literal(host)));
                }
                src.push_str(&format!(
                    "\t\towner = {};\n\t\trepo = {};\n\t\trev = {};\n\t\thash = {hash};\n\t}}",
                    string_literal(&request.owner),
                    string_literal(&request.repo),
                    string_literal(&request.rev),
                ));
                let version = format!("version = {};", string_literal(&request.version));
                let snippet = package_snippet(
                    &builder,
                    &version,
                    &attr,
                    &inputs,
                    &src,
                    Convention::of(file.syntax()),
                    attribute_column(file, place),
                );
                changes.add(insert_output_entry(
                    &context, &target, place, &attr, &snippet,
                )?)?;
            }
        }
        if let Some((dep, existing, set)) = dependent {
            let reference = context.self_package(&target, place, &attr)?;
            append_build_inputs(&context, &existing, &set, &dep, &[reference], &mut changes)?;
        }
    }
    context.finish(&mut changes)?;
    if changes.is_empty() {
        changes.warn(
            flakeedit_syntax::WarningCode::NothingToDo,
            format!(
                "package `{attr}` already fetches {}/{} at {}{}; nothing to do",
                request.owner,
                request.repo,
                request.rev,
                match &request.dep_of {
                    Some(dep) => format!(" and is a build input of `{dep}`"),
                    None => String::new(),
                }
            ),
        );
    } else if wrote_fake {
        changes.warn(
            flakeedit_syntax::WarningCode::Placeholder,
            "the hash is a placeholder (`lib.fakeHash`): the first build fails with a hash \
             mismatch; run `flakeedit fix-hashes` to prefetch the real one"
                .to_string(),
        );
    }
    Ok(changes)
}

/// The postcondition: in every target the package fetches the requested
/// commit, and the dependent package's `buildInputs` refers to it.
pub(crate) fn verify(request: &AddSource, after: &Flake) -> Result<(), String> {
    let attr = request.attribute();
    // `self'.packages.NAME`, `self.packages.${system}.NAME`, …
    let reference_end = format!(".{}", quote_attr_name(attr));
    for target in targets_after(after, request.system.as_deref())? {
        let binding = target
            .packages
            .entry(attr)
            .ok_or_else(|| format!("package `{attr}` is missing"))?;
        let (_, set) = call_with_set(binding.value())
            .ok_or_else(|| format!("package `{attr}` is not a call"))?;
        let wanted = (
            request.owner.clone(),
            request.repo.clone(),
            request.rev.clone(),
        );
        if github_source(&set) != Some(wanted) {
            return Err(format!(
                "package `{attr}` does not fetch {}/{} at {}",
                request.owner, request.repo, request.rev
            ));
        }
        if let Some(dep) = &request.dep_of {
            let binding = target
                .packages
                .entry(dep)
                .ok_or_else(|| format!("package `{dep}` disappeared"))?;
            let (_, set) = builder_call(binding.value())
                .ok_or_else(|| format!("package `{dep}` is no longer a call"))?;
            let found = ["buildInputs", "propagatedBuildInputs"]
                .iter()
                .filter_map(|name| list_value(&set, name))
                .flat_map(|list| list.items())
                .map(|item| compact(item.syntax()))
                .any(|item| item.contains(".packages.") && item.ends_with(&reference_end));
            if !found {
                return Err(format!("`{attr}` is not in the buildInputs of `{dep}`"));
            }
        }
    }
    Ok(())
}
