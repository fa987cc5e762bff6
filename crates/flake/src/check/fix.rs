//! `check --fix`: applies every safe fix, then verifies the result the way
//! every edit is verified ([`apply_verified`]), plus that each fixed
//! diagnostic is gone.

use flakeedit_syntax::{ChangeSet, SourceFile};

use super::{check, CheckOptions, Diagnostic};
use crate::error::{ErrorKind, FlakeError};
use crate::lock::Lock;
use crate::meaning::{apply_verified, AllowedChange};
use crate::model::Flake;

/// What [`fix_safe`] did.
#[derive(Debug, Clone)]
pub struct FixOutcome {
    /// The fixed text, when anything changed.
    pub new_text: Option<String>,
    /// The diagnostics that were fixed, in the order they were found.
    pub fixed: Vec<Diagnostic>,
    /// The diagnostics of the final text (of the original one when nothing
    /// changed), positions in that text.
    pub remaining: Vec<Diagnostic>,
}

/// Fixes that touch the same bytes go in later rounds; a fix can also
/// reveal another (rarely). Bounded so a bug cannot loop.
const MAX_ROUNDS: usize = 4;

/// Applies every safe fix of [`check`]'s diagnostics to `text`: all fixes
/// of a round in one [`ChangeSet`], which must apply cleanly, pass
/// [`apply_verified`] with what the round's fixes may change (parses, no
/// new duplicate, no other change of meaning), and make every fixed
/// diagnostic disappear when the result is checked again. A file with
/// syntax errors, or that is not a flake flakeedit can read, is never
/// changed.
///
/// Errors are internal (a fix that does not do what it says); then no text
/// is returned at all.
pub fn fix_safe(
    text: &str,
    lock: Option<&Lock>,
    options: &CheckOptions,
) -> Result<FixOutcome, FlakeError> {
    let mut current = SourceFile::parse(text);
    let mut diagnostics = check(&current, lock, options);
    let mut fixed: Vec<Diagnostic> = Vec::new();
    if !current.is_valid() {
        return Ok(FixOutcome {
            new_text: None,
            fixed,
            remaining: diagnostics,
        });
    }
    let Ok(mut flake) = Flake::read(&current) else {
        return Ok(FixOutcome {
            new_text: None,
            fixed,
            remaining: diagnostics,
        });
    };
    for _ in 0..MAX_ROUNDS {
        let mut changes = ChangeSet::new();
        let mut allowed = AllowedChange::nothing();
        let mut round: Vec<Diagnostic> = Vec::new();
        for diagnostic in &diagnostics {
            let Some(fix) = diagnostic.fix.as_ref().filter(|fix| fix.safe) else {
                continue;
            };
            // Several uses of one undeclared input carry the same fix:
            // applied once, it fixes them all.
            if round
                .iter()
                .any(|done| done.fix.as_ref().map(|f| &f.changes) == Some(&fix.changes))
            {
                round.push(diagnostic.clone());
                continue;
            }
            // Try the fix on a copy: one that overlaps an earlier fix of
            // this round waits for the next round, on the re-read text.
            let mut attempt = changes.clone();
            if attempt.extend(fix.changes.clone()).is_ok() {
                changes = attempt;
                allowed = allowed.union(fix.allowed.clone());
                round.push(diagnostic.clone());
            }
        }
        if round.is_empty() {
            break;
        }
        let verified = apply_verified(&current, &flake, &changes, &allowed)?;
        let next = verified.file;
        let rechecked = check(&next, lock, options);
        for done in &round {
            if let Some(still) = rechecked
                .iter()
                .find(|d| d.code == done.code && d.subject == done.subject)
            {
                return Err(FlakeError::new(
                    ErrorKind::Internal,
                    format!(
                        "internal error: the fix \"{}\" did not remove `{}` ({}); nothing was written",
                        done.fix.as_ref().map_or("", |fix| fix.title.as_str()),
                        still.code,
                        still.message
                    ),
                )
                .at(done.range)
                .hint("this is a bug in flakeedit; please report it with the file"));
            }
        }
        fixed.extend(round);
        current = next;
        flake = verified.flake;
        diagnostics = rechecked;
    }
    let new_text = (current.text() != text).then(|| current.text().to_string());
    Ok(FixOutcome {
        new_text,
        fixed,
        remaining: diagnostics,
    })
}
