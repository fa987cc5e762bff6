//! A flake that declares no `nixpkgs` but has an input that brings one
//! (opam-nix examples: `inputs.opam-nix.url = …;` only). Its own templates
//! write `nixpkgs.follows = "opam-nix/nixpkgs";` and take `nixpkgs` as an
//! outputs argument; the package operations do the same when `flake.lock`
//! shows which input that is. Without a lock, or with several candidates,
//! they refuse and name the way out.

use crate::error::{ErrorKind, FlakeError};
use crate::lock::{Lock, LockInputRef};
use crate::model::Flake;

/// The declared inputs whose locked node has a `nixpkgs` input, in the
/// order the file declares them.
pub(crate) fn donors(flake: &Flake, lock: &Lock) -> Vec<String> {
    flake
        .inputs
        .iter()
        .filter(|input| {
            lock.node_of_input(&input.name).is_some_and(|(_, node)| {
                node.inputs
                    .get("nixpkgs")
                    .is_some_and(|reference| !matches!(reference, LockInputRef::Follows(path) if path.is_empty()))
            })
        })
        .map(|input| input.name.clone())
        .collect()
}

/// The one input to follow for `nixpkgs`: `Ok(None)` when there is no lock
/// or no candidate (the caller refuses with its own hint), an error naming
/// the candidates when there are several.
pub(crate) fn donor(flake: &Flake, lock: Option<&Lock>) -> Result<Option<String>, FlakeError> {
    let Some(lock) = lock else {
        return Ok(None);
    };
    let mut found = donors(flake, lock);
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!(
                "the flake has no `nixpkgs` input, and flake.lock shows several inputs that bring one ({})",
                found
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .hint(format!(
            "declare the one to use (`inputs.nixpkgs.follows = \"{}/nixpkgs\";`) and add `nixpkgs` to the outputs arguments, then run this again",
            found[0]
        ))),
    }
}

/// The postcondition of a package operation about `nixpkgs`: when the
/// edit declared it, it is exactly `follows = "X/nixpkgs"` for the input
/// `flake.lock` names.
pub(crate) fn verify(before: &Flake, after: &Flake, lock: Option<&Lock>) -> Result<(), String> {
    if before.input("nixpkgs").is_some() {
        return Ok(());
    }
    let Some(input) = after.input("nixpkgs") else {
        return Ok(());
    };
    let expected = donor(before, lock)
        .ok()
        .flatten()
        .ok_or("`nixpkgs` was declared although flake.lock names no input to follow")?;
    let target = format!("{expected}/nixpkgs");
    if input.follows() != Some(target.as_str()) || input.url().is_some() {
        return Err(format!(
            "the new `nixpkgs` input does not just follow `{target}`"
        ));
    }
    Ok(())
}
