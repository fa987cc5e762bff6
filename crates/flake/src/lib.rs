//! The flake model and every flakeedit edit operation.
//!
//! Give [`run`] the text of a `flake.nix` and an [`Operation`]; it returns
//! the new text, or an error that names the construct it could not handle
//! and leaves the text alone:
//!
//! ```
//! use flakeedit_flake::{run, AddInput, Operation};
//!
//! let text = r#"{
//!   inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
//!   outputs = { self, nixpkgs }: { };
//! }
//! "#;
//! let operation = Operation::AddInput(AddInput {
//!     url: "github:hercules-ci/flake-parts".into(),
//!     follows: vec![("nixpkgs-lib".into(), "nixpkgs".into())],
//!     ..AddInput::default()
//! });
//! let result = run(&operation, text, None)?;
//! let new_text = result.new_text.expect("the input was added");
//! assert_eq!(new_text, r#"{
//!   inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
//!   inputs.flake-parts.url = "github:hercules-ci/flake-parts";
//!   inputs.flake-parts.inputs.nixpkgs-lib.follows = "nixpkgs";
//!   outputs = { self, nixpkgs, flake-parts }: { };
//! }
//! "#);
//! print!("{new_text}");
//! # Ok::<(), flakeedit_flake::FlakeError>(())
//! ```
//!
//! # How an edit is made
//!
//! [`Flake::read`] understands inputs in every shape real flakes use and
//! the outputs function's argument; [`Lock`] reads `flake.lock`. Each
//! operation produces a [`ChangeSet`] (byte-range replacements, see
//! `flakeedit-syntax`); [`run`] applies it, re-parses the result, checks
//! that nothing else changed meaning ([`apply_verified`]) and the
//! operation's own postcondition, so a front-end (the CLI, the bulk driver,
//! the language server) never writes a file that does not mean what was
//! asked. [`check()`] lints a flake; its [`Diagnostic`]s carry a
//! [`DiagnosticCode`], a range and perhaps a fix.
//!
//! The library does no I/O: it reads no file and opens no connection.
//! `add-source` and `fix-hashes` need hashes from the network; the caller
//! passes a [`sources::SourceResolver`] to [`sources::resolve_source`] or
//! [`sources::prefetch_sites`] (the `flakeedit-prefetch` crate implements
//! it), then runs the pure operation the resolver's answers produce.
//!
//! # Limitations
//!
//! - Only what is written literally is understood: `inputs` must be an
//!   attribute set in the file (not imported or computed), and an outputs
//!   body that passes the whole input set on, or reads `inputs.${name}`, is
//!   reported as undecided rather than guessed at.
//! - Operations that cannot decide the meaning of an edit refuse it
//!   ([`FlakeError`] with [`ErrorKind::Conflict`] or
//!   [`ErrorKind::Unsupported`]) instead of writing something that may be
//!   wrong; a `with` scope is never relied on to resolve a name.
//! - Package operations know the layouts flake-parts (`perSystem`),
//!   flake-utils (`eachDefaultSystem` and friends), `forAllSystems` /
//!   `genAttrs` helpers and plain `packages.<system>`; other layouts are
//!   refused.
//! - `flake.lock` is read, never written: run `nix flake lock` after
//!   changing inputs.
//! - Evaluation is not performed: the meaning check is syntactic (bindings,
//!   free variables, declared inputs), with `nix-instantiate` as the judge
//!   in the tests only.

#![warn(missing_docs)]

pub mod check;
mod error;
mod flakeref;
pub mod imports;
mod inputs;
mod list;
mod lock;
mod meaning;
mod model;
pub mod packages;
pub mod requests;
pub mod sources;
pub mod update;

/// sha256 hashes and their spellings (SRI, nix-base32, hex), as written in
/// `fetchFromGitHub`/`fetchurl` calls.
pub use flakeedit_hash as hash;

pub use check::{
    check, check_incrementally, fix_safe, CheckOptions, CheckState, Diagnostic, DiagnosticCode,
    Fix, Found, Incremental, Severity,
};
pub use error::{ErrorKind, FlakeError};
pub use flakeref::{
    infer_name, normalize_url, pin_url, pinned_rev, unpin_url, NotPinnable, Pinned,
};
pub use inputs::{
    add_input, follow, follow_all, pin, remove_input, rename_in_lock, rename_input, set_flake,
    set_url, unpin, AddInput, FORCE_REMOVAL,
};
pub use list::{list_inputs, InputSummary, LockedSummary};
pub use lock::{Lock, LockError, LockInputRef, LockNode, OwnNestedInput};
pub use meaning::{apply_verified, AllowedChange, VerifiedEdit};
pub use model::{
    analyze_uses, input_usage, inputs_escape, occurrence_at, occurrences, uses_of_input,
    uses_through_input_set, Flake, Formal, InputBinding, InputDecl, InputLeaf, InputSetUse,
    InputUsage, InputUse, LeafTarget, LeafValue, NestedFollows, NestedPath, Occurrence,
    OccurrenceKind, Outputs, UndecidedUse, UndecidedWhy, UseAnalysis, UseKind,
};
pub use packages::{
    add_dev_shell, add_docker_image, add_dune_package, add_source, init_flake, AddDevShell,
    AddDockerImage, AddDunePackage, AddSource, Layout, LayoutKind, SourceHash, Template,
};
pub use sources::{fix_hashes, FixHashes};
pub use update::{RefMove, UpdateRefs};

use flakeedit_syntax::{ChangeSet, SourceFile};

/// An edit the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// `add-input`.
    AddInput(AddInput),
    /// `remove-input NAME [--force]`.
    RemoveInput {
        /// The input.
        name: String,
        /// Remove even when outputs still use it.
        force: bool,
    },
    /// `set-url NAME URL`.
    SetUrl {
        /// The input.
        name: String,
        /// The new reference.
        url: String,
    },
    /// `pin NAME [REV]`.
    Pin {
        /// The input.
        name: String,
        /// The commit; from `flake.lock` when `None`.
        rev: Option<String>,
    },
    /// `unpin NAME`.
    Unpin {
        /// The input.
        name: String,
    },
    /// `toggle-flake NAME` (value `None`) or `set-flake NAME true|false`.
    SetFlake {
        /// The input.
        name: String,
        /// The wanted `flake` value, or toggle.
        value: Option<bool>,
    },
    /// `follow NAME CHILD[=TARGET]`.
    Follow {
        /// The input.
        name: String,
        /// Its nested input, `a` or `a/b`.
        child: String,
        /// What it follows; the child's own name when `None`.
        target: Option<String>,
    },
    /// `follow --all TARGET`.
    FollowAll {
        /// The input everything should follow (usually `nixpkgs`).
        target: String,
    },
    /// `rename-input OLD NEW`.
    RenameInput {
        /// The input's name now.
        old: String,
        /// Its new name.
        new: String,
    },
    /// `add-dune-package PNAME …`.
    AddDunePackage(AddDunePackage),
    /// `add-docker-image …`.
    AddDockerImage(AddDockerImage),
    /// `add-dev-shell …`.
    AddDevShell(AddDevShell),
    /// `add-source OWNER/REPO@REV …`, once resolved by
    /// [`sources::resolve_source`] (boxed: it is the largest request).
    AddSource(Box<AddSource>),
    /// `fix-hashes`, with the hashes [`sources::prefetch_sites`] computed.
    FixHashes(FixHashes),
    /// `update`: move inputs' tags or channels, chosen by the front-end
    /// from the repositories' references ([`update::newest`]).
    Update(UpdateRefs),
}

/// The follows of an add-input that completes an input already declared
/// and locked, split into those to write and those of a nested input its
/// lock node does not have: Nix would ignore such an override (`check`
/// reports it as `follows-nonexistent`), so writing it changes nothing but
/// the file. `None` when the input is new or not locked: all are written.
fn locked_follows(
    flake: &Flake,
    lock: Option<&Lock>,
    request: &AddInput,
) -> Option<(AddInput, Vec<(String, String)>)> {
    let name = request.resolved_name().ok()?;
    let lock = lock.filter(|lock| {
        flake.input(&name).is_some() && lock.resolve(std::slice::from_ref(&name)).is_some()
    })?;
    let (kept, missing) = request.follows.iter().cloned().partition(|(child, _)| {
        let mut path = vec![name.clone()];
        path.extend(child.split('/').map(str::to_string));
        lock.resolve(&path).is_some()
    });
    Some((
        AddInput {
            follows: kept,
            ..request.clone()
        },
        missing,
    ))
}

/// [`add_input`] with the follows [`locked_follows`] keeps, and a warning
/// for each it leaves out.
fn add_input_with_lock(
    file: &SourceFile,
    flake: &Flake,
    lock: Option<&Lock>,
    request: &AddInput,
) -> Result<ChangeSet, FlakeError> {
    let Some((kept, missing)) = locked_follows(flake, lock, request) else {
        return add_input(file, flake, request);
    };
    let mut changes = add_input(file, flake, &kept)?;
    let name = request.resolved_name()?;
    for (child, target) in missing {
        changes.warn(
            flakeedit_syntax::WarningCode::Lock,
            format!(
                "`{name}` has no input `{child}` in flake.lock, so `{name}/{child}` does not \
                 follow `{target}`: Nix would ignore that override"
            ),
        );
    }
    Ok(changes)
}

impl Operation {
    /// The change set of this operation on `file`.
    pub fn changes(
        &self,
        file: &SourceFile,
        flake: &Flake,
        lock: Option<&Lock>,
    ) -> Result<ChangeSet, FlakeError> {
        match self {
            Operation::AddInput(request) => add_input_with_lock(file, flake, lock, request),
            Operation::RemoveInput { name, force } => remove_input(file, flake, name, *force),
            Operation::SetUrl { name, url } => set_url(file, flake, name, url),
            Operation::Pin { name, rev } => pin(file, flake, lock, name, rev.as_deref()),
            Operation::Unpin { name } => unpin(file, flake, name),
            Operation::SetFlake { name, value } => set_flake(file, flake, name, *value),
            Operation::Follow {
                name,
                child,
                target,
            } => follow(file, flake, name, child, target.as_deref()),
            Operation::FollowAll { target } => follow_all(file, flake, lock, target),
            Operation::RenameInput { old, new } => rename_input(file, flake, old, new),
            Operation::AddDunePackage(request) => add_dune_package(file, flake, request, lock),
            Operation::AddDockerImage(request) => add_docker_image(file, flake, request, lock),
            Operation::AddDevShell(request) => add_dev_shell(file, flake, request, lock),
            Operation::AddSource(request) => add_source(file, flake, request, lock),
            Operation::FixHashes(request) => fix_hashes(file, request),
            Operation::Update(request) => update::update_refs(file, flake, lock, request),
        }
    }

    /// Checks that `after` (the re-read flake) shows what was asked.
    fn verify(&self, before: &Flake, after: &Flake) -> Result<(), String> {
        match self {
            Operation::AddInput(request) => {
                let name = request.resolved_name().map_err(|e| e.message)?;
                let input = after.input(&name).ok_or("the new input is not declared")?;
                let url = normalize_url(&request.url);
                if input.url().map(normalize_url).as_deref() != Some(url.as_str()) {
                    return Err(format!("the new input's url is not `{url}`"));
                }
                for (child, target) in &request.follows {
                    let path: Vec<String> = child.split('/').map(str::to_string).collect();
                    let found = input
                        .nested_follows()
                        .into_iter()
                        .any(|f| f.path == path && &f.target == target);
                    if !found {
                        return Err(format!("`{child}` does not follow `{target}`"));
                    }
                }
                if request.no_flake && input.flake() != Some(false) {
                    return Err("`flake = false` is missing".into());
                }
                check_formals(after, &[&name], &[])
            }
            Operation::RemoveInput { name, .. } => {
                if after.input(name).is_some() {
                    return Err(format!("input `{name}` is still declared"));
                }
                for input in &after.inputs {
                    for follows in input.nested_follows() {
                        if follows.target == *name
                            || follows.target.starts_with(&format!("{name}/"))
                        {
                            return Err(format!("`{}` still follows `{name}`", input.name));
                        }
                    }
                }
                if uses_of_input(after, name)
                    .iter()
                    .any(|found| &found.text == name)
                {
                    return Ok(());
                }
                check_formals(after, &[], &[name])
            }
            Operation::SetUrl { name, url } => {
                let input = after.input(name).ok_or("the input disappeared")?;
                (input.url() == Some(normalize_url(url).as_str()))
                    .then_some(())
                    .ok_or_else(|| format!("the url of `{name}` is not `{url}`"))
            }
            Operation::Pin { name, .. }
            | Operation::Unpin { name }
            | Operation::SetFlake { name, .. } => after
                .input(name)
                .map(|_| ())
                .ok_or_else(|| format!("input `{name}` disappeared")),
            Operation::Follow {
                name,
                child,
                target,
            } => {
                let input = after.input(name).ok_or("the input disappeared")?;
                let path: Vec<String> = child.split('/').map(str::to_string).collect();
                let target = target
                    .clone()
                    .unwrap_or_else(|| path.last().cloned().unwrap_or_default());
                input
                    .nested_follows()
                    .into_iter()
                    .any(|f| f.path == path && f.target == target)
                    .then_some(())
                    .ok_or_else(|| format!("`{name}/{child}` does not follow `{target}`"))
            }
            Operation::RenameInput { old, new } => verify_rename(before, after, old, new),
            Operation::FollowAll { .. } => (after.inputs.len() == before.inputs.len())
                .then_some(())
                .ok_or_else(|| "the set of inputs changed".to_string()),
            Operation::AddDunePackage(request) => packages::verify_dune_package(request, after),
            Operation::AddDockerImage(request) => packages::verify_docker_image(request, after),
            Operation::AddDevShell(request) => packages::verify_dev_shell(request, after),
            Operation::AddSource(request) => packages::verify_source(request, after),
            // Checked on the edited text in `run`: placeholders are not in the model.
            Operation::FixHashes(_) => Ok(()),
            Operation::Update(request) => update::verify_update(request, after),
        }
    }
}

fn check_formals(after: &Flake, present: &[&str], absent: &[&str]) -> Result<(), String> {
    let Some(pattern) = after.outputs.as_ref().and_then(Outputs::pattern) else {
        return Ok(());
    };
    let names = flakeedit_syntax::formal_names(&pattern);
    if pattern.ellipsis_token().is_none() {
        for name in present {
            if !names.iter().any(|n| n == name) {
                return Err(format!("`{name}` is missing from the outputs arguments"));
            }
        }
    }
    for name in absent {
        if names.iter().any(|n| n == name) {
            return Err(format!("`{name}` is still an outputs argument"));
        }
    }
    Ok(())
}

/// `rename-input`'s postcondition: `new` is declared as `old` was, nothing
/// is left under the old name, every input's follows name `new` where they
/// named `old`, and the outputs use `new` exactly where they used `old`
/// (as many uses, of the same kinds: a captured use would not count).
fn verify_rename(before: &Flake, after: &Flake, old: &str, new: &str) -> Result<(), String> {
    if after.input(old).is_some() {
        return Err(format!("input `{old}` is still declared"));
    }
    let (Some(was), Some(now)) = (before.input(old), after.input(new)) else {
        return Err(format!("input `{new}` is not declared"));
    };
    let values = |input: &InputDecl| -> Vec<(Vec<String>, LeafValue)> {
        input
            .leaves
            .iter()
            .map(|leaf| (leaf.path.clone(), leaf.value.clone()))
            .collect()
    };
    if values(was) != values(now) {
        return Err(format!("`{new}` is not declared as `{old}` was"));
    }
    let renamed = |target: &str| -> String {
        match target.split_once('/') {
            Some((first, rest)) if first == old => format!("{new}/{rest}"),
            _ if target == old => new.to_string(),
            _ => target.to_string(),
        }
    };
    for input in &before.inputs {
        let name = if input.name == old {
            new
        } else {
            input.name.as_str()
        };
        let Some(other) = after.input(name) else {
            return Err(format!("input `{name}` disappeared"));
        };
        let expected: Vec<(Vec<String>, String)> = input
            .nested_follows()
            .into_iter()
            .map(|f| (f.path.names().to_vec(), renamed(&f.target)))
            .chain(input.follows().map(|t| (Vec::new(), renamed(t))))
            .collect();
        let found: Vec<(Vec<String>, String)> = other
            .nested_follows()
            .into_iter()
            .map(|f| (f.path.names().to_vec(), f.target))
            .chain(other.follows().map(|t| (Vec::new(), t.to_string())))
            .collect();
        if expected != found {
            return Err(format!("the follows of `{name}` are not the renamed ones"));
        }
    }
    let kinds = |flake: &Flake, name: &str| -> Vec<UseKind> {
        analyze_uses(flake)
            .uses_of(name)
            .iter()
            .map(|u| u.kind)
            .collect()
    };
    if !kinds(after, old).is_empty() {
        return Err(format!("the outputs still use `{old}`"));
    }
    if kinds(before, old) != kinds(after, new) {
        return Err(format!(
            "the outputs do not use `{new}` where they used `{old}`"
        ));
    }
    let formals = |flake: &Flake| {
        flake
            .outputs
            .as_ref()
            .and_then(Outputs::pattern)
            .map(|pattern| flakeedit_syntax::formal_names(&pattern))
            .unwrap_or_default()
    };
    let expected: Vec<String> = formals(before)
        .into_iter()
        .map(|formal| {
            if formal == old {
                new.to_string()
            } else {
                formal
            }
        })
        .collect();
    if formals(after) != expected {
        return Err("the outputs arguments are not the renamed ones".into());
    }
    Ok(())
}

/// The result of running an operation on a text.
#[derive(Debug, Clone)]
pub struct EditResult {
    /// The edits made (empty when nothing changed).
    pub changes: ChangeSet,
    /// The new text, when it differs from the old one.
    pub new_text: Option<String>,
}

impl EditResult {
    /// True when the operation changed the text.
    pub fn changed(&self) -> bool {
        self.new_text.is_some()
    }
}

/// Runs `operation` on `text`: computes the change set, applies it with
/// [`apply_verified`] (re-parsed, and compared with the original for any
/// change of meaning the operation did not ask for), and checks the
/// operation's postcondition. Nothing is returned as new text unless all
/// of that succeeded.
pub fn run(
    operation: &Operation,
    text: &str,
    lock: Option<&Lock>,
) -> Result<EditResult, FlakeError> {
    let file = SourceFile::parse(text);
    let flake = Flake::read(&file)?;
    let changes = operation.changes(&file, &flake, lock)?;
    if changes.is_empty() {
        return Ok(EditResult {
            changes,
            new_text: None,
        });
    }
    let mut allowed = AllowedChange::of(operation);
    let package_operation = matches!(
        operation,
        Operation::AddDunePackage(_)
            | Operation::AddDockerImage(_)
            | Operation::AddDevShell(_)
            | Operation::AddSource(_)
    );
    if package_operation && flake.input("nixpkgs").is_none() {
        // A package operation may declare `nixpkgs` as following the one
        // input flake.lock (or, without a lock, the file's own reads of
        // `X.inputs.nixpkgs`) shows bringing it; its postcondition checks that.
        allowed = allowed.union(AllowedChange::add_input("nixpkgs"));
    }
    let verified = apply_verified(&file, &flake, &changes, &allowed)?;
    let (changed, after) = (verified.file, verified.flake);
    let verified = match operation {
        _ if package_operation => packages::verify_borrowed_nixpkgs(&flake, &after, lock)
            .and_then(|()| operation.verify(&flake, &after)),
        Operation::FixHashes(request) => sources::verify_fix_hashes(request, &changed),
        Operation::Update(request) => operation
            .verify(&flake, &after)
            .and_then(|()| update::verify_update_sources(request, &changed)),
        // What was written: the follows the lock showed nothing to
        // override for were left out.
        Operation::AddInput(request) => match locked_follows(&flake, lock, request) {
            Some((kept, _)) => Operation::AddInput(kept).verify(&flake, &after),
            None => operation.verify(&flake, &after),
        },
        _ => operation.verify(&flake, &after),
    };
    verified.map_err(|message| {
        FlakeError::new(
            ErrorKind::Internal,
            format!("internal error: {message}; nothing was written"),
        )
        .hint("this is a bug in flakeedit; please report it with the file")
    })?;
    let new_text = (changed.text() != text).then(|| changed.text().to_string());
    Ok(EditResult { changes, new_text })
}

#[cfg(test)]
mod duplicate_guard_tests {
    use super::*;

    #[test]
    fn an_edit_that_adds_a_duplicate_attribute_is_refused() {
        let before = SourceFile::parse("{ outputs = _: { inherit packages; }; }");
        let after = SourceFile::parse("{ outputs = _: { inherit packages; packages = { }; }; }");
        let error = meaning::no_new_duplicates(&before, &after).expect_err("a duplicate");
        assert_eq!(error.kind, ErrorKind::Internal);
        // A duplicate the file already had is not the edit's doing.
        assert!(meaning::no_new_duplicates(&after, &after).is_ok());
        assert!(meaning::no_new_duplicates(&before, &before).is_ok());
    }
}
