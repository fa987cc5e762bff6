//! Edits of where an input comes from: `set-url`, `pin`, `unpin`, and
//! `flake = false`.

use flakeedit_syntax::{remove_entry, string_literal, ChangeSet, SourceFile, TextEdit, TextRange};
use rowan::ast::AstNode;

use super::{add_deletions, binding_snippet, input, set_leaf, set_leaf_dropping};
use crate::error::{ErrorKind, FlakeError};
use crate::flakeref::{normalize_url, pin_url, unpin_url, NotPinnable};
use crate::lock::Lock;
use crate::model::{Flake, InputDecl, LeafTarget};

/// The attributes of a flake reference written as an attribute set (besides
/// `url`): all of them describe the old source, so none survives `set-url`.
pub(super) const REFERENCE_FIELDS: &[&str] = &[
    "type",
    "id",
    "owner",
    "repo",
    "ref",
    "rev",
    "dir",
    "host",
    "path",
    "narHash",
    "submodules",
    "shallow",
    "lfs",
    "allRefs",
    "lastModified",
    "revCount",
];

/// `set-url`: points an input at another reference. An input written as an
/// attribute set (`type`, `owner`, `repo`, …) becomes a `url` input.
pub fn set_url(
    file: &SourceFile,
    flake: &Flake,
    name: &str,
    url: &str,
) -> Result<ChangeSet, FlakeError> {
    let input = input(flake, name)?;
    refuse_if_follows(input, "a url")?;
    let url = normalize_url(url);
    let literal = string_literal(&url);
    let mut changes = ChangeSet::new();
    let reference_leaves: Vec<_> = input
        .leaves
        .iter()
        .filter(|leaf| leaf.path.len() == 1 && REFERENCE_FIELDS.contains(&leaf.path[0].as_str()))
        .collect();
    if let Some(comment) = input
        .leaf(&["url"])
        .filter(|leaf| leaf.value.as_str() != Some(url.as_str()))
        .and_then(|leaf| trailing_comment(leaf.binding.syntax()))
    {
        changes.warn_at(
            flakeedit_syntax::WarningCode::Undecided,
            comment.text_range(),
            format!(
                "the comment after `{name}`'s url (`{}`) may describe the old one; check it",
                comment.text().trim()
            ),
        );
    }
    if input.leaf(&["url"]).is_some() || reference_leaves.is_empty() {
        set_leaf(file, input, &["url".to_string()], &literal, &mut changes)?;
        // `{ type = "git"; url = …; ref = …; }`: the old `type`, `ref`, …
        // would reinterpret the new url; the url alone says everything.
        let rest: Vec<TextRange> = reference_leaves
            .iter()
            .map(|leaf| remove_entry(file, leaf.binding.syntax()).range)
            .collect();
        add_deletions(&mut changes, rest)?;
    } else {
        // Replace the first reference field by `url = …;`, drop the others.
        let first = reference_leaves[0];
        let Some(path) = first.binding.attrpath() else {
            return Err(FlakeError::new(
                ErrorKind::Internal,
                "a binding without a path",
            ));
        };
        let mut written: Vec<String> = flakeedit_syntax::attrpath_names(&path).unwrap_or_default();
        written.pop();
        written.push("url".to_string());
        changes.add(TextEdit::replace(
            first.binding.syntax().text_range(),
            binding_snippet(&written, &literal),
        ))?;
        let rest: Vec<TextRange> = reference_leaves[1..]
            .iter()
            .map(|leaf| remove_entry(file, leaf.binding.syntax()).range)
            .collect();
        add_deletions(&mut changes, rest)?;
    }
    Ok(changes)
}

/// The comment on the same line after `binding` (`url = "…"; # unstable`).
fn trailing_comment(
    binding: &flakeedit_syntax::SyntaxNode,
) -> Option<flakeedit_syntax::rnix::SyntaxToken> {
    let mut element = binding.next_sibling_or_token();
    while let Some(current) = element {
        let token = current.into_token()?;
        match token.kind() {
            flakeedit_syntax::rnix::SyntaxKind::TOKEN_COMMENT => return Some(token),
            flakeedit_syntax::rnix::SyntaxKind::TOKEN_WHITESPACE
                if !token.text().contains('\n') =>
            {
                element = token.next_sibling_or_token();
            }
            _ => return None,
        }
    }
    None
}

fn is_commit(rev: &str) -> bool {
    rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `pin`: pins an input to a commit (`rev`), by default the one in `flake.lock`.
pub fn pin(
    file: &SourceFile,
    flake: &Flake,
    lock: Option<&Lock>,
    name: &str,
    rev: Option<&str>,
) -> Result<ChangeSet, FlakeError> {
    let input = input(flake, name)?;
    refuse_if_follows(input, "a pin")?;
    let rev = match rev {
        Some(rev) => rev.to_string(),
        None => {
            let lock = lock.ok_or_else(|| {
                FlakeError::new(
                    ErrorKind::NotApplicable,
                    format!(
                        "no REV given and no flake.lock to take `{name}`'s locked revision from"
                    ),
                )
                .hint("pass the commit: `flakeedit pin NAME REV`, or run `nix flake lock` first")
            })?;
            lock.node_of_input(name)
                .and_then(|(_, node)| node.rev.clone())
                .ok_or_else(|| {
                    FlakeError::new(
                        ErrorKind::NotApplicable,
                        format!("flake.lock has no locked revision for `{name}`"),
                    )
                    .hint("run `nix flake lock` to update the lock, or pass REV")
                })?
        }
    };
    if !is_commit(&rev) {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            format!("`{rev}` is not a full commit hash (40 hexadecimal digits)"),
        ));
    }
    let mut changes = ChangeSet::new();
    match reference_form(input) {
        Form::Url(url) => {
            let pinned = pin_url(url, &rev).map_err(|refusal| refused(input, "pin", refusal))?;
            if pinned.url == url {
                changes.warn(
                    flakeedit_syntax::WarningCode::NothingToDo,
                    format!("input `{name}` is already pinned at `{rev}`; nothing to do"),
                );
                return Ok(changes);
            }
            if let Some(dropped) = &pinned.dropped_ref {
                changes.warn(flakeedit_syntax::WarningCode::Replaced, format!(
                    "`{name}` tracked `{dropped}`; a {} reference cannot name a branch or tag next to a commit, so `unpin` will track the default branch",
                    url.split(':').next().unwrap_or("forge")
                ));
            }
            set_leaf(
                file,
                input,
                &["url".to_string()],
                &string_literal(&pinned.url),
                &mut changes,
            )?;
        }
        Form::Attributes(kind) => {
            if !matches!(
                kind.as_str(),
                "github" | "gitlab" | "sourcehut" | "git" | "hg" | "indirect"
            ) {
                return Err(FlakeError::new(
                    ErrorKind::Unsupported,
                    if kind.is_empty() {
                        format!("input `{name}` is an attribute-set reference without `type`, so flakeedit cannot tell how it names a commit")
                    } else {
                        format!("input `{name}` is a `type = \"{kind}\"` reference, which has no revision to pin")
                    },
                )
                .at(input.range())
                .hint("only github, gitlab, sourcehut, git, hg and indirect references pin to a commit; flake.lock records the rest by narHash"));
            }
            // Forges reject a branch or tag next to a commit; git, hg and
            // indirect references take both.
            let forge = matches!(kind.as_str(), "github" | "gitlab" | "sourcehut");
            let branch = input.leaf(&["ref"]).filter(|_| forge);
            if branch.is_some() {
                changes.warn(flakeedit_syntax::WarningCode::Replaced, format!(
                    "replaced `{name}`'s `ref`: a {kind} reference cannot name a branch or tag next to a commit"
                ));
            }
            match (branch, input.leaf(&["rev"])) {
                // `ref = "main";` becomes `rev = "…";` where it stood.
                (Some(branch), None) => {
                    let mut written: Vec<String> = branch
                        .binding
                        .attrpath()
                        .as_ref()
                        .and_then(flakeedit_syntax::attrpath_names)
                        .unwrap_or_default();
                    written.pop();
                    written.push("rev".to_string());
                    changes.add(TextEdit::replace(
                        branch.binding.syntax().text_range(),
                        binding_snippet(&written, &string_literal(&rev)),
                    ))?;
                }
                (branch, _) => {
                    set_leaf(
                        file,
                        input,
                        &["rev".to_string()],
                        &string_literal(&rev),
                        &mut changes,
                    )?;
                    if let Some(branch) = branch {
                        add_deletions(
                            &mut changes,
                            vec![remove_entry(file, branch.binding.syntax()).range],
                        )?;
                    }
                }
            }
        }
        Form::Nothing => {
            return Err(FlakeError::new(
                ErrorKind::Unsupported,
                format!("input `{name}` has no url or reference to pin"),
            )
            .at(input.range()))
        }
    }
    Ok(changes)
}

/// How an input names its source. With a `type`, Nix reads the attributes
/// (a `url` among them is only the git/tarball location); without, the
/// `url` string is the whole reference.
enum Form<'a> {
    Url(&'a str),
    Attributes(String),
    Nothing,
}

fn reference_form(input: &InputDecl) -> Form<'_> {
    if let Some(kind) = input.string(&["type"]) {
        return Form::Attributes(kind.to_string());
    }
    match input.url() {
        Some(url) => Form::Url(url),
        None if !input.reference().is_empty() => Form::Attributes(String::new()),
        None => Form::Nothing,
    }
}

fn refused(input: &InputDecl, verb: &str, refusal: NotPinnable) -> FlakeError {
    let range = input
        .leaf(&["url"])
        .and_then(|leaf| leaf.binding.value())
        .map_or_else(|| input.range(), |value| value.syntax().text_range());
    FlakeError::new(
        ErrorKind::Unsupported,
        format!("cannot {verb} input `{}`: {}", input.name, refusal.reason),
    )
    .at(range)
    .hint(refusal.hint)
}

/// An input with its own `follows` is that other input: Nix ignores its
/// `url`, reference and `flake` while the `follows` is there, so writing
/// them would change nothing (and mislead the reader).
fn refuse_if_follows(input: &InputDecl, what: &str) -> Result<(), FlakeError> {
    let Some(leaf) = input.leaf(&["follows"]) else {
        return Ok(());
    };
    let target = leaf.value.as_str().unwrap_or("another input");
    let name = &input.name;
    Err(FlakeError::new(
        ErrorKind::Conflict,
        format!(
            "input `{name}` follows `{target}`, so Nix would ignore {what} written for it"
        ),
    )
    .at(leaf.binding.syntax().text_range())
    .hint(format!(
        "edit `{target}` instead, or delete this `follows` first to give `{name}` a source of its own"
    )))
}

/// `unpin`: removes a commit pin (a branch or tag in the url is kept).
pub fn unpin(file: &SourceFile, flake: &Flake, name: &str) -> Result<ChangeSet, FlakeError> {
    let input = input(flake, name)?;
    refuse_if_follows(input, "a pin")?;
    let mut changes = ChangeSet::new();
    match reference_form(input) {
        Form::Url(url) => {
            let unpinned = unpin_url(url).map_err(|refusal| refused(input, "unpin", refusal))?;
            if let Some(unpinned) = unpinned {
                set_leaf(
                    file,
                    input,
                    &["url".to_string()],
                    &string_literal(&unpinned),
                    &mut changes,
                )?;
            }
        }
        Form::Attributes(_) | Form::Nothing => {
            if let Some(rev) = input.leaf(&["rev"]) {
                add_deletions(
                    &mut changes,
                    vec![remove_entry(file, rev.binding.syntax()).range],
                )?;
            }
        }
    }
    if changes.is_empty() {
        changes.warn(
            flakeedit_syntax::WarningCode::NothingToDo,
            format!("input `{name}` is not pinned; nothing to do"),
        );
    }
    Ok(changes)
}

/// Refuses making `name` a plain source while a `follows` of the flake
/// points into it (`nixpkgs.follows = "opam-nix/nixpkgs";`): a `flake =
/// false` input has no inputs, so locking would fail.
fn refuse_when_followed_into(flake: &Flake, name: &str) -> Result<(), FlakeError> {
    let prefix = format!("{name}/");
    for other in &flake.inputs {
        for leaf in other.leaves.iter().filter(|leaf| leaf.is_follows()) {
            let Some(target) = leaf
                .value
                .as_str()
                .filter(|target| target.starts_with(&prefix))
            else {
                continue;
            };
            return Err(FlakeError::new(
                ErrorKind::Conflict,
                format!(
                    "`{}` follows `{target}`: with `flake = false`, `{name}` has no inputs, so that follows would point at nothing and locking would fail",
                    leaf.binding.syntax().text()
                ),
            )
            .at(leaf.binding.syntax().text_range())
            .hint(format!(
                "give `{}` a source of its own (set-url) first, then make `{name}` a plain source",
                other.name
            )));
        }
    }
    Ok(())
}

/// `set-flake`/`toggle-flake`: writes or removes `flake = false`. With
/// `value == None` the current setting is toggled.
pub fn set_flake(
    file: &SourceFile,
    flake: &Flake,
    name: &str,
    value: Option<bool>,
) -> Result<ChangeSet, FlakeError> {
    let input = input(flake, name)?;
    refuse_if_follows(input, "`flake = …`")?;
    let is_flake = input.flake() != Some(false);
    let want_flake = value.unwrap_or(!is_flake);
    let mut changes = ChangeSet::new();
    if want_flake == is_flake {
        return Ok(changes);
    }
    if want_flake {
        if input.leaves.len() == 1 {
            // `inputs.src.flake = false;` alone: without it the input would
            // not be declared at all, so it becomes `flake = true`.
            set_leaf(file, input, &["flake".to_string()], "true", &mut changes)?;
        } else if let Some(leaf) = input.leaf(&["flake"]) {
            add_deletions(
                &mut changes,
                vec![remove_entry(file, leaf.binding.syntax()).range],
            )?;
        }
    } else {
        refuse_when_followed_into(flake, name)?;
        // A plain source has no inputs: Nix ignores (and warns about)
        // overrides of its nested inputs, so they go.
        let nested: Vec<_> = input
            .leaves
            .iter()
            .filter(|leaf| matches!(leaf.target(), LeafTarget::Nested { .. }))
            .collect();
        set_leaf_dropping(
            file,
            input,
            &["flake".to_string()],
            "false",
            &nested,
            "a `flake = false` input has no inputs of its own, so Nix ignores them",
            &mut changes,
        )?;
    }
    Ok(flakeedit_syntax::break_long_one_line_sets(file, changes))
}
