//! `follow NAME CHILD[=TARGET]` and `follow --all TARGET`.

use flakeedit_syntax::{break_long_one_line_sets, string_literal, ChangeSet, SourceFile};
use rowan::ast::AstNode;

use super::reference::REFERENCE_FIELDS;
use super::{
    check_follows_target, child_path, follows_path, input, not_found, set_leaf, set_leaf_dropping,
};
use crate::error::{ErrorKind, FlakeError};
use crate::lock::Lock;
use crate::model::Flake;

/// `follow NAME CHILD[=TARGET]`: makes a nested input of `name` follow
/// `target` (by default the flake's input named like the child).
pub fn follow(
    file: &SourceFile,
    flake: &Flake,
    name: &str,
    child: &str,
    target: Option<&str>,
) -> Result<ChangeSet, FlakeError> {
    let input = input(flake, name)?;
    let child = child_path(child)?;
    let target = target
        .map(str::to_string)
        .unwrap_or_else(|| child.last().cloned().unwrap_or_default());
    if target == name {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            format!("input `{name}` cannot follow itself"),
        ));
    }
    check_follows_target(flake, None, &target)?;
    // `inputs.x.inputs.nixpkgs = { type = "github"; … };` (or `.url`)
    // overrides the nested input with a reference: a `follows` next to it
    // would leave that reference dead, so say where it is instead.
    let mut nested: Vec<String> = follows_path(&child);
    nested.pop();
    if let Some(leaf) = input.leaves.iter().find(|leaf| {
        leaf.path.len() == nested.len() + 1
            && leaf.path.starts_with(&nested)
            && (leaf.path[nested.len()] == "url"
                || REFERENCE_FIELDS.contains(&leaf.path[nested.len()].as_str()))
    }) {
        let child = child.join("/");
        return Err(FlakeError::new(
            ErrorKind::Conflict,
            format!("`{name}`'s input `{child}` is overridden with a flake reference here"),
        )
        .at(leaf.binding.syntax().text_range())
        .hint(format!(
            "remove the override of `{child}` first, then run `flakeedit follow {name} {child}`"
        )));
    }
    // Overrides of the followed input's own inputs
    // (`inputs.x.inputs.flake-parts.inputs.nixpkgs-lib.follows`) no longer
    // apply once it follows another input: Nix ignores them, so they go.
    let dead: Vec<_> = input
        .leaves
        .iter()
        .filter(|leaf| {
            leaf.path.len() > nested.len() + 1
                && leaf.path.starts_with(&nested)
                && leaf.path[nested.len()] == "inputs"
        })
        .collect();
    let mut changes = ChangeSet::new();
    set_leaf_dropping(
        file,
        input,
        &follows_path(&child),
        &string_literal(&target),
        &dead,
        &format!(
            "once `{name}/{}` follows `{target}`, Nix ignores overrides of its own inputs",
            child.join("/")
        ),
        &mut changes,
    )?;
    Ok(break_long_one_line_sets(file, changes))
}

/// `follow --all TARGET`: every nested input named `TARGET`, at any depth
/// of the lock (`home-manager/nix-darwin/nixpkgs`), that is locked apart
/// from ours follows ours. Needs `flake.lock`.
pub fn follow_all(
    file: &SourceFile,
    flake: &Flake,
    lock: Option<&Lock>,
    target: &str,
) -> Result<ChangeSet, FlakeError> {
    let lock = lock.ok_or_else(|| {
        FlakeError::new(
            ErrorKind::NotApplicable,
            format!("no flake.lock next to the file, so flakeedit cannot know which inputs have their own `{target}`"),
        )
        .hint(format!("run `nix flake lock` first, or use `flakeedit follow NAME {target}` per input"))
    })?;
    if flake.input(target).is_none() {
        return Err(not_found(flake, target).hint(format!(
            "`follow --all {target}` needs an input named `{target}` to follow"
        )));
    }
    let mut changes = ChangeSet::new();
    for input in flake.inputs.iter().filter(|input| input.name != target) {
        if input.flake() == Some(false) || input.follows().is_some() {
            continue;
        }
        if lock.node_of_input(&input.name).is_none() {
            changes.warn(
                flakeedit_syntax::WarningCode::Lock,
                format!(
                    "input `{}` is not in flake.lock; run `nix flake lock` and try again",
                    input.name
                ),
            );
            continue;
        }
        let overridden: Vec<Vec<String>> = input
            .nested_follows()
            .into_iter()
            .map(|follows| follows.path.names().to_vec())
            .collect();
        // The same walk as `check`'s `not-following`: at any depth.
        for nested in lock.own_nested_inputs(&input.name, &[(target, target)], &overridden) {
            set_leaf(
                file,
                input,
                &follows_path(&nested.path),
                &string_literal(target),
                &mut changes,
            )?;
        }
    }
    Ok(break_long_one_line_sets(file, changes))
}
