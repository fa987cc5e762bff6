//! The meaning check every edit passes before anything is written.
//!
//! Parsing proves an edit is syntax; it does not prove the flake still
//! means what it meant. [`apply_verified`] applies a change set and compares
//! the file before and after, each walked once:
//!
//! - every variable reference that survives the edit still refers to the
//!   same binding (a new `let` cannot capture a name used elsewhere, a
//!   renamed formal cannot orphan its uses), every new reference is bound
//!   where it was inserted, and no reference disappears unless the edit may
//!   rewrite code;
//! - the free variables of `outputs` (unbound names, and names only a
//!   `with` may provide) stay the same;
//! - every declared input's uses, the declared inputs themselves (names,
//!   references, `flake`, follows), the outputs arguments and every other
//!   top-level attribute change only where the [`AllowedChange`] says.
//!
//! A difference is an internal error naming what drifted and where; no text
//! is returned. Operations ([`crate::run`]), `check --fix` and the language
//! server's quick fixes all go through here.

mod declared;
mod references;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use flakeedit_syntax::{ChangeSet, SourceFile, TextRange, TextSize};

use crate::error::{ErrorKind, FlakeError};
use crate::model::Flake;
use crate::Operation;

/// What an edit may change in a flake's meaning. The default allows
/// nothing; the constructors each allow one kind of change, and
/// [`AllowedChange::union`] combines them (for several fixes applied
/// together).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedChange {
    inputs_added: BTreeSet<String>,
    inputs_removed: BTreeSet<String>,
    references_of: BTreeSet<String>,
    flake_of: BTreeSet<String>,
    follows_of: BTreeSet<String>,
    follows_of_all: bool,
    formals_added: BTreeSet<String>,
    formals_removed: BTreeSet<String>,
    unbound: BTreeSet<String>,
    new_code: bool,
    hashes: bool,
    string_values: bool,
    renamed: Option<(String, String)>,
}

fn one(name: &str) -> BTreeSet<String> {
    BTreeSet::from([name.to_string()])
}

impl AllowedChange {
    /// Nothing may change meaning (a pure re-layout).
    pub fn nothing() -> AllowedChange {
        AllowedChange::default()
    }

    /// `add-input`: a new input `name` (with its own follows) and, in a
    /// pattern without `...`, the outputs argument `name`.
    pub fn add_input(name: &str) -> AllowedChange {
        AllowedChange {
            inputs_added: one(name),
            follows_of: one(name),
            formals_added: one(name),
            ..AllowedChange::default()
        }
    }

    /// An outputs argument `name` for an input that is already declared.
    pub fn add_formal(name: &str) -> AllowedChange {
        AllowedChange {
            formals_added: one(name),
            ..AllowedChange::default()
        }
    }

    /// `remove-input`: the input `name`, the follows that point at it and
    /// its outputs argument; with `force`, its remaining uses may become
    /// unbound.
    pub fn remove_input(name: &str, force: bool) -> AllowedChange {
        AllowedChange {
            inputs_removed: one(name),
            formals_removed: one(name),
            unbound: if force { one(name) } else { BTreeSet::new() },
            ..AllowedChange::default()
        }
    }

    /// `set-url`, `pin`, `unpin`: where input `name` comes from.
    pub fn reference(name: &str) -> AllowedChange {
        AllowedChange {
            references_of: one(name),
            ..AllowedChange::default()
        }
    }

    /// `toggle-flake`: the `flake` flag of input `name`, and the nested
    /// follows Nix ignores once it is not a flake.
    pub fn flake_flag(name: &str) -> AllowedChange {
        AllowedChange {
            flake_of: one(name),
            follows_of: one(name),
            ..AllowedChange::default()
        }
    }

    /// `follow`: the nested follows of input `name`.
    pub fn follows(name: &str) -> AllowedChange {
        AllowedChange {
            follows_of: one(name),
            ..AllowedChange::default()
        }
    }

    /// `follow --all`: the nested follows of every input.
    pub fn all_follows() -> AllowedChange {
        AllowedChange {
            follows_of_all: true,
            ..AllowedChange::default()
        }
    }

    /// `fix-hashes` and the `sha256` conversion: the values (and the
    /// `sha256` → `hash` name) of fetcher hash attributes, nothing else.
    pub fn hashes() -> AllowedChange {
        AllowedChange {
            hashes: true,
            ..AllowedChange::default()
        }
    }

    /// `update` of fetched sources: in `outputs`, string literals (a
    /// `rev`, `tag`, `version` or hash) replaced by other plain string
    /// literals, and nothing else.
    pub fn string_values() -> AllowedChange {
        AllowedChange {
            string_values: true,
            ..AllowedChange::default()
        }
    }

    /// The package operations: new code in `outputs` whose references are
    /// bound where it is inserted (lexically, or by an enclosing `with` such
    /// as `with pkgs; [ … ]`), and the `self` argument it may need. Code it
    /// rewrites must keep every reference it had.
    pub fn new_code() -> AllowedChange {
        AllowedChange {
            new_code: true,
            formals_added: one("self"),
            ..AllowedChange::default()
        }
    }

    /// `rename-input`: input `old` becomes `new` (its declaration, its
    /// outputs argument, the follows naming it, and its uses, which
    /// `rename-input`'s own postcondition checks one by one).
    pub fn rename_input(old: &str, new: &str) -> AllowedChange {
        AllowedChange {
            inputs_added: one(new),
            inputs_removed: one(old),
            follows_of_all: true,
            formals_added: one(new),
            formals_removed: one(old),
            new_code: true,
            renamed: Some((old.to_string(), new.to_string())),
            ..AllowedChange::default()
        }
    }

    /// Everything `self` or `other` allows.
    pub fn union(mut self, other: AllowedChange) -> AllowedChange {
        self.inputs_added.extend(other.inputs_added);
        self.inputs_removed.extend(other.inputs_removed);
        self.references_of.extend(other.references_of);
        self.flake_of.extend(other.flake_of);
        self.follows_of.extend(other.follows_of);
        self.follows_of_all |= other.follows_of_all;
        self.formals_added.extend(other.formals_added);
        self.formals_removed.extend(other.formals_removed);
        self.unbound.extend(other.unbound);
        self.new_code |= other.new_code;
        self.hashes |= other.hashes;
        self.string_values |= other.string_values;
        self.renamed = self.renamed.or(other.renamed);
        self
    }

    /// True when the declaration of input `name` may change.
    fn may_edit_input(&self, name: &str) -> bool {
        self.follows_of_all
            || [
                &self.inputs_removed,
                &self.references_of,
                &self.flake_of,
                &self.follows_of,
            ]
            .iter()
            .any(|names| names.contains(name))
    }

    /// What `operation` may change.
    pub fn of(operation: &Operation) -> AllowedChange {
        match operation {
            Operation::AddInput(request) => match request.resolved_name() {
                Ok(name) => AllowedChange::add_input(&name),
                Err(_) => AllowedChange::nothing(),
            },
            Operation::RemoveInput { name, force } => AllowedChange::remove_input(name, *force),
            Operation::SetUrl { name, .. }
            | Operation::Pin { name, .. }
            | Operation::Unpin { name } => AllowedChange::reference(name),
            Operation::SetFlake { name, .. } => AllowedChange::flake_flag(name),
            Operation::Follow { name, .. } => AllowedChange::follows(name),
            Operation::FollowAll { .. } => AllowedChange::all_follows(),
            Operation::AddDunePackage(_)
            | Operation::AddDockerImage(_)
            | Operation::AddDevShell(_)
            | Operation::AddSource(_) => AllowedChange::new_code(),
            Operation::FixHashes(_) => AllowedChange::hashes(),
            Operation::RenameInput { old, new } => AllowedChange::rename_input(old, new),
            Operation::Update(request) => request
                .moves
                .iter()
                .map(|change| AllowedChange::reference(&change.name))
                .fold(
                    if request.sources.is_empty() {
                        AllowedChange::nothing()
                    } else {
                        AllowedChange::string_values()
                    },
                    AllowedChange::union,
                ),
        }
    }
}

/// A file after a verified edit.
#[derive(Debug, Clone)]
pub struct VerifiedEdit {
    /// The edited file.
    pub file: SourceFile,
    /// Its flake model.
    pub flake: Flake,
}

/// Applies `changes` to `before` (whose model is `flake`), re-parses, and
/// refuses the result unless it parses, defines no attribute twice that
/// was not defined twice before, and differs in meaning only as `allowed`
/// says. Every edit path (operations, `check --fix`, quick fixes) calls it.
pub fn apply_verified(
    before: &SourceFile,
    flake: &Flake,
    changes: &ChangeSet,
    allowed: &AllowedChange,
) -> Result<VerifiedEdit, FlakeError> {
    let after = changes.apply(before)?;
    no_new_duplicates(before, &after)?;
    let after_flake = Flake::read(&after).map_err(|error| {
        FlakeError::new(
            ErrorKind::Internal,
            format!(
                "internal error: the edited file cannot be read back: {}; nothing was written",
                error.message
            ),
        )
        .hint(BUG)
    })?;
    if before.is_valid() {
        let sides = Sides {
            before,
            before_flake: flake,
            after: &after,
            after_flake: &after_flake,
            changes,
        };
        declared::compare(&sides, allowed)?;
        references::compare(&sides, allowed)?;
    }
    Ok(VerifiedEdit {
        file: after,
        flake: after_flake,
    })
}

/// The two files an edit relates, and the edit.
pub(crate) struct Sides<'a> {
    pub before: &'a SourceFile,
    pub before_flake: &'a Flake,
    pub after: &'a SourceFile,
    pub after_flake: &'a Flake,
    pub changes: &'a ChangeSet,
}

impl Sides<'_> {
    /// `line:col` of `offset` in the file before the edit.
    pub fn before_at(&self, offset: TextSize) -> String {
        self.before
            .lines()
            .line_col(self.before.text(), offset)
            .to_string()
    }

    /// `line:col` of `offset` in the file after the edit.
    pub fn after_at(&self, offset: TextSize) -> String {
        self.after
            .lines()
            .line_col(self.after.text(), offset)
            .to_string()
    }
}

const BUG: &str = "this is a bug in flakeedit; please report it with the file";

/// The error of an edit whose meaning drifted; `range` is in the file
/// before the edit.
pub(crate) fn drift(message: String, range: Option<TextRange>) -> FlakeError {
    let error = FlakeError::new(
        ErrorKind::Internal,
        format!("internal error: the edit would change the flake's meaning: {message}; nothing was written"),
    )
    .hint(BUG);
    match range {
        Some(range) => error.at(range),
        None => error,
    }
}

/// rnix accepts an attribute defined twice; Nix rejects the whole file
/// ("attribute 'x' already defined"). An edit must not add such a duplicate.
/// After a local re-parse only the sets around the edit are walked.
pub(crate) fn no_new_duplicates(before: &SourceFile, after: &SourceFile) -> Result<(), FlakeError> {
    if flakeedit_syntax::adds_duplicates(before, after) {
        return Err(FlakeError::new(
            ErrorKind::Internal,
            "internal error: the edit would define an attribute a second time, which Nix \
             rejects; nothing was written",
        )
        .hint(BUG));
    }
    Ok(())
}
