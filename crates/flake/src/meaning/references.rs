//! Variable references before and after an edit: each surviving reference
//! keeps its binding, new ones are bound where they were inserted, the free
//! variables of `outputs` stay the same, and hash-only edits stay inside
//! hash attributes.

use std::collections::{HashMap, HashSet};

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{
    attrpath_names, references, references_within, ChangeSet, Reference, Resolution, SyntaxKind,
    SyntaxNode, TextRange, TextSize, TooDeep,
};
use rowan::ast::AstNode;

use super::{drift, AllowedChange, Sides};
use crate::error::{ErrorKind, FlakeError};

/// Where the bytes of the old text went: one entry per edit, with the
/// total length change of every edit up to and including it.
struct Shift {
    edits: Vec<(TextRange, i64)>,
}

impl Shift {
    fn new(changes: &ChangeSet) -> Shift {
        let mut total = 0i64;
        let edits = changes
            .edits()
            .iter()
            .map(|edit| {
                total += edit.insert.len() as i64 - i64::from(u32::from(edit.range.len()));
                (edit.range, total)
            })
            .collect();
        Shift { edits }
    }

    /// The new offset of the old byte at `offset`; `None` when an edit
    /// replaced it. Insertions at `offset` go before it.
    fn map(&self, offset: TextSize) -> Option<TextSize> {
        // Edits are sorted and disjoint, so their ends are sorted too.
        let before = self
            .edits
            .partition_point(|(range, _)| range.end() <= offset);
        if let Some((range, _)) = self.edits.get(before) {
            if range.start() <= offset && !range.is_empty() {
                return None;
            }
        }
        let delta = before.checked_sub(1).map_or(0, |i| self.edits[i].1);
        let moved = i64::from(u32::from(offset)) + delta;
        u32::try_from(moved).ok().map(TextSize::from)
    }

    /// The new range of the old `range`, when no edit touched its inside.
    fn map_range(&self, range: TextRange) -> Option<TextRange> {
        let first = self
            .edits
            .partition_point(|(edit, _)| edit.end() <= range.start());
        let touched = self.edits[first..]
            .iter()
            .take_while(|(edit, _)| edit.start() < range.end())
            .any(|(edit, _)| !edit.is_empty() || edit.start() > range.start());
        if touched {
            return None;
        }
        let start = self.map(range.start())?;
        Some(TextRange::at(start, range.len()))
    }
}

fn too_deep(error: TooDeep) -> FlakeError {
    FlakeError::new(
        ErrorKind::Unsupported,
        format!("{error}, so flakeedit cannot verify the edit's meaning; nothing was written"),
    )
    .at(TextRange::empty(error.offset))
    .hint("simplify the nested expression, or make the edit by hand")
}

fn describe(resolution: Resolution, at: impl Fn(TextSize) -> String) -> String {
    match resolution {
        Resolution::Bound(binder) => format!("the binding at {}", at(binder)),
        Resolution::With(with) => format!("the `with` at {}", at(with)),
        Resolution::Global => "Nix's global scope".to_string(),
        Resolution::Free => "nothing (it is unbound)".to_string(),
    }
}

/// The parts of the two files whose references an edit can change, when
/// the edited file was re-parsed locally: each re-parsed node, before and
/// after. Outside them the tree is the original's (the same references, at
/// shifted offsets), and what binds a reference there cannot change: a
/// re-parsed set, list or parenthesis binds nothing outside itself (a
/// `rec` set's or a `let`'s scope is the node holding its bindings, and
/// the `rec`, `let` and `with` keywords lie outside the edited inside). The
/// exception is a lambda's pattern, whose formals bind in the lambda's
/// body: the whole lambda is compared then. `None` asks for whole files.
fn edited_regions(sides: &Sides<'_>) -> Option<(Vec<TextRange>, Vec<TextRange>)> {
    let reparsed = sides.after.reparsed()?;
    let mut before = Vec::with_capacity(reparsed.len());
    let mut after = Vec::with_capacity(reparsed.len());
    for region in reparsed {
        if region.kind == SyntaxKind::NODE_PATTERN {
            before.push(lambda_of_pattern(sides.before.syntax(), region.before)?);
            after.push(lambda_of_pattern(sides.after.syntax(), region.after)?);
        } else {
            before.push(region.before);
            after.push(region.after);
        }
    }
    // Every edit must lie in a compared region; anything else is judged
    // on the whole files.
    let covered = sides
        .changes
        .edits()
        .iter()
        .all(|edit| before.iter().any(|range| range.contains_range(edit.range)));
    covered.then_some((before, after))
}

/// The range of the lambda whose pattern spans `pattern`.
fn lambda_of_pattern(root: &SyntaxNode, pattern: TextRange) -> Option<TextRange> {
    let node = match root.covering_element(pattern) {
        rowan::NodeOrToken::Node(node) => node,
        rowan::NodeOrToken::Token(token) => token.parent()?,
    };
    let pattern = node
        .ancestors()
        .find(|node| node.kind() == SyntaxKind::NODE_PATTERN && node.text_range() == pattern)?;
    let lambda = pattern.parent()?;
    (lambda.kind() == SyntaxKind::NODE_LAMBDA).then(|| lambda.text_range())
}

/// Compares every variable reference of the two files (of the edited
/// regions only, when [`edited_regions`] can name them).
pub(super) fn compare(sides: &Sides<'_>, allowed: &AllowedChange) -> Result<(), FlakeError> {
    let (before, after) = match edited_regions(sides) {
        Some((before, after)) => (
            references_within(sides.before.syntax(), &before).map_err(too_deep)?,
            references_within(sides.after.syntax(), &after).map_err(too_deep)?,
        ),
        None => (
            references(sides.before.syntax()).map_err(too_deep)?,
            references(sides.after.syntax()).map_err(too_deep)?,
        ),
    };
    let shift = Shift::new(sides.changes);
    let outputs_range = sides
        .before_flake
        .outputs
        .as_ref()
        .map(|outputs| outputs.binding.syntax().text_range());
    let mut unmatched: HashMap<TextSize, &Reference> = after
        .iter()
        .map(|reference| (reference.range.start(), reference))
        .collect();
    // (name, binding in the new text) of references the edit removed;
    // `None` when their binding was rewritten too.
    let mut removed: Vec<(&Reference, Option<Resolution>)> = Vec::new();
    for old in &before {
        let expected = match old.resolution {
            Resolution::Bound(binder) => shift.map(binder).map(Resolution::Bound),
            Resolution::With(with) => shift.map(with).map(Resolution::With),
            other => Some(other),
        };
        let Some(range) = shift.map_range(old.range) else {
            // `true`, `null`, `builtins`: constants, judged with what
            // holds them (an input's `flake = false`, a rewritten call).
            if old.resolution != Resolution::Global {
                removed.push((old, expected));
            }
            continue;
        };
        let Some(new) = unmatched
            .remove(&range.start())
            .filter(|new| new.name == old.name)
        else {
            return Err(drift(
                format!(
                    "`{}` at {} is no longer a variable reference",
                    old.name,
                    sides.before_at(old.range.start())
                ),
                Some(old.range),
            ));
        };
        let same = match expected {
            Some(expected) => expected == new.resolution,
            // Its binding (or `with`) was rewritten: it must still be
            // bound the same way, by a binding of the same name.
            None => match old.resolution {
                Resolution::With(_) => matches!(new.resolution, Resolution::With(_)),
                _ => matches!(new.resolution, Resolution::Bound(_)),
            },
        };
        // remove-input --force may leave the outputs' uses of the input
        // unbound, nothing else (not a `rec` inputs set's reference).
        let released = allowed.unbound.contains(&old.name)
            && matches!(new.resolution, Resolution::Free | Resolution::With(_))
            && outputs_range.is_some_and(|range| range.contains_range(old.range));
        // A new outputs argument binds what was unbound (an undeclared
        // input's uses); what a `with` provided must stay with it, or
        // `with pkgs; [ hello ]` would silently become the input `hello`.
        let now_bound = allowed.formals_added.contains(&old.name)
            && old.resolution == Resolution::Free
            && matches!(new.resolution, Resolution::Bound(_));
        if !same && !released && !now_bound {
            return Err(drift(
                format!(
                    "`{}` at {} referred to {} and would refer to {}",
                    old.name,
                    sides.before_at(old.range.start()),
                    describe(old.resolution, |at| sides.before_at(at)),
                    describe(new.resolution, |at| sides.after_at(at)),
                ),
                Some(old.range),
            ));
        }
    }
    let mut added: Vec<&Reference> = unmatched
        .into_values()
        .filter(|new| new.resolution != Resolution::Global)
        .collect();
    added.sort_by_key(|reference| reference.range.start());
    for new in &added {
        let bound_here = match new.resolution {
            Resolution::Bound(_) | Resolution::Global => true,
            Resolution::With(_) => allowed.new_code,
            Resolution::Free => false,
        };
        if !allowed.new_code || !bound_here {
            let what = if !allowed.new_code {
                "but this edit adds no code"
            } else {
                "a name nothing binds there"
            };
            return Err(drift(
                format!(
                    "it would insert a reference to `{}` at {} (after the edit), {what}",
                    new.name,
                    sides.after_at(new.range.start())
                ),
                None,
            ));
        }
    }
    removed_references_reappear(sides, allowed, &removed, &added)?;
    free_variables_of_outputs(sides, allowed, &before, &after)?;
    if allowed.hashes && !allowed.new_code {
        hash_edits_stay_in_hashes(sides)?;
    }
    Ok(())
}

/// Code an edit rewrites must keep its references: each removed reference
/// comes back, with the same binding, in the new text. Hash edits may drop
/// the `lib.fakeHash` they replace (the hash check confines them).
fn removed_references_reappear(
    sides: &Sides<'_>,
    allowed: &AllowedChange,
    removed: &[(&Reference, Option<Resolution>)],
    added: &[&Reference],
) -> Result<(), FlakeError> {
    if removed.is_empty() || (allowed.hashes && !allowed.new_code) {
        return Ok(());
    }
    // A reference inside the declaration of an input the edit may change
    // (`nixpkgs-docs.url = nixpkgs.url;` in `inputs = rec { … }`) goes
    // with that declaration; the declared-inputs check judges the result.
    let editable: Vec<TextRange> = sides
        .before_flake
        .inputs
        .iter()
        .filter(|input| allowed.may_edit_input(&input.name))
        .flat_map(|input| &input.bindings)
        .map(|binding| binding.node.syntax().text_range())
        .collect();
    let mut available: HashMap<(&str, Resolution), usize> = HashMap::new();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for new in added {
        *available.entry((&new.name, new.resolution)).or_default() += 1;
        *by_name.entry(&new.name).or_default() += 1;
    }
    for (old, expected) in removed {
        if editable.iter().any(|range| range.contains_range(old.range)) {
            continue;
        }
        // A renamed input's variable comes back under its new name (the
        // rename's own postcondition checks each use).
        let name = match &allowed.renamed {
            Some((from, to)) if *from == old.name => to.as_str(),
            _ => old.name.as_str(),
        };
        let found = match expected {
            Some(expected) if name == old.name => available
                .get_mut(&(name, *expected))
                .filter(|count| **count > 0),
            _ => by_name.get_mut(name).filter(|count| **count > 0),
        };
        match found {
            Some(count) if allowed.new_code => *count -= 1,
            _ => {
                return Err(drift(
                    format!(
                        "it would remove the reference to `{}` at {}",
                        old.name,
                        sides.before_at(old.range.start())
                    ),
                    Some(old.range),
                ))
            }
        }
    }
    Ok(())
}

/// The names `outputs` takes from outside (unbound, or only possibly from
/// a `with`) must not grow; remove-input --force may leave its name unbound.
fn free_variables_of_outputs(
    sides: &Sides<'_>,
    allowed: &AllowedChange,
    before: &[Reference],
    after: &[Reference],
) -> Result<(), FlakeError> {
    let outputs_range = |flake: &crate::Flake| {
        flake
            .outputs
            .as_ref()
            .map(|outputs| outputs.binding.syntax().text_range())
    };
    let free = |references: &[Reference], range: Option<TextRange>, with: bool| {
        references
            .iter()
            .filter(|reference| range.is_some_and(|range| range.contains_range(reference.range)))
            .filter(move |reference| match reference.resolution {
                Resolution::Free => !with,
                Resolution::With(_) => with,
                _ => false,
            })
            .map(|reference| reference.name.clone())
            .collect::<HashSet<String>>()
    };
    let before_range = outputs_range(sides.before_flake);
    let after_range = outputs_range(sides.after_flake);
    let was_free = free(before, before_range, false);
    let was_maybe = free(before, before_range, true);
    for reference in after {
        if !after_range.is_some_and(|range| range.contains_range(reference.range)) {
            continue;
        }
        let new = match reference.resolution {
            Resolution::Free => !was_free.contains(&reference.name),
            Resolution::With(_) => !allowed.new_code && !was_maybe.contains(&reference.name),
            _ => false,
        };
        if new && !allowed.unbound.contains(&reference.name) {
            return Err(drift(
                format!(
                    "`{}` at {} (after the edit) would become a free variable of outputs",
                    reference.name,
                    sides.after_at(reference.range.start())
                ),
                None,
            ));
        }
    }
    Ok(())
}

/// A hash attribute's name: `hash`, `sha256`, `outputHash`, `vendorHash`,
/// `cargoSha256`, …
fn is_hash_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["hash", "sha256", "sha512", "sha1", "md5"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

fn is_hash_binding(binding: &ast::AttrpathValue) -> bool {
    binding
        .attrpath()
        .as_ref()
        .and_then(attrpath_names)
        .and_then(|names| names.last().cloned())
        .is_some_and(|name| is_hash_name(&name))
}

/// True when `range` of the tree `root` lies inside a hash attribute's
/// binding, or covers whole hash bindings and the space between them.
fn within_hash_bindings(root: &SyntaxNode, range: TextRange) -> bool {
    if !root.text_range().contains_range(range) {
        return false;
    }
    let node = match root.covering_element(range) {
        flakeedit_syntax::rnix::NodeOrToken::Node(node) => node,
        flakeedit_syntax::rnix::NodeOrToken::Token(token) => match token.parent() {
            Some(parent) => parent,
            None => return false,
        },
    };
    if node
        .ancestors()
        .filter_map(ast::AttrpathValue::cast)
        .any(|binding| is_hash_binding(&binding))
    {
        return true;
    }
    let mut touched = node
        .children()
        .filter(|child| {
            let inner = child.text_range();
            inner.start() < range.end() && range.start() < inner.end()
        })
        .peekable();
    touched.peek().is_some()
        && touched.all(|child| ast::AttrpathValue::cast(child).is_some_and(|b| is_hash_binding(&b)))
}

/// `fix-hashes` changes hash values only: each edit lies inside hash
/// bindings, before and after.
fn hash_edits_stay_in_hashes(sides: &Sides<'_>) -> Result<(), FlakeError> {
    let Some(before_outputs) = sides
        .before_flake
        .outputs
        .as_ref()
        .map(|outputs| outputs.binding.syntax().text_range())
    else {
        return Ok(());
    };
    // Where each edit starts in the new text: after every earlier edit.
    let mut delta = 0i64;
    for edit in sides.changes.edits() {
        let new_start = i64::from(u32::from(edit.range.start())) + delta;
        delta += edit.insert.len() as i64 - i64::from(u32::from(edit.range.len()));
        // Edits of the inputs are judged by the declared-inputs check.
        if !before_outputs.contains_range(edit.range) {
            continue;
        }
        let new_range = u32::try_from(new_start)
            .ok()
            .zip(u32::try_from(edit.insert.len()).ok())
            .map(|(start, len)| TextRange::at(start.into(), len.into()));
        let inside = new_range.is_some_and(|new_range| {
            within_hash_bindings(sides.before.syntax(), edit.range)
                && within_hash_bindings(sides.after.syntax(), new_range)
        });
        if !inside {
            return Err(drift(
                format!(
                    "a hash fix would change {} at {}, which is not a fetcher hash",
                    describe_text(sides.before.slice(edit.range)),
                    sides.before_at(edit.range.start())
                ),
                Some(edit.range),
            ));
        }
    }
    Ok(())
}

fn describe_text(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        "the text".to_string()
    } else {
        format!("`{}`", line.chars().take(40).collect::<String>())
    }
}
