//! The declared parts of a flake before and after an edit: its inputs
//! (names, references, `flake`, follows), each input's uses, the outputs
//! arguments, the outputs body and every other top-level attribute.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{attrpath_names, formal_names, SourceFile};
use rowan::ast::AstNode;

use super::{drift, AllowedChange, Sides};
use crate::error::FlakeError;
use crate::model::{analyze_uses, Flake, InputDecl, InputUse};

/// Compares what the two files declare.
pub(super) fn compare(sides: &Sides<'_>, allowed: &AllowedChange) -> Result<(), FlakeError> {
    inputs(sides, allowed)?;
    formals(sides, allowed)?;
    input_uses(sides, allowed)?;
    outputs_body(sides, allowed)?;
    other_top_level(sides)
}

/// What an input declares, as far as meaning goes.
#[derive(Debug, PartialEq, Eq)]
struct Facts {
    reference: (Option<String>, BTreeMap<String, String>),
    flake: Option<bool>,
    follows: Option<String>,
    nested: BTreeSet<(Vec<String>, String)>,
}

fn facts(input: &InputDecl) -> Facts {
    Facts {
        reference: (input.url().map(str::to_string), input.reference()),
        flake: input.flake(),
        follows: input.follows().map(str::to_string),
        nested: input
            .nested_follows()
            .into_iter()
            .map(|follows| (follows.path.names().to_vec(), follows.target))
            .collect(),
    }
}

fn declared(flake: &Flake) -> BTreeMap<&str, Facts> {
    flake
        .inputs
        .iter()
        .map(|input| (input.name.as_str(), facts(input)))
        .collect()
}

fn inputs(sides: &Sides<'_>, allowed: &AllowedChange) -> Result<(), FlakeError> {
    let before = declared(sides.before_flake);
    let after = declared(sides.after_flake);
    let at = |name: &str| sides.before_flake.input(name).map(|input| input.range());
    for name in after.keys() {
        if !before.contains_key(name) && !allowed.inputs_added.contains(*name) {
            return Err(drift(format!("it would declare the input `{name}`"), None));
        }
    }
    for (name, old) in &before {
        let Some(new) = after.get(name) else {
            if allowed.inputs_removed.contains(*name) {
                continue;
            }
            return Err(drift(
                format!("it would remove the input `{name}`"),
                at(name),
            ));
        };
        if old.reference != new.reference && !allowed.references_of.contains(*name) {
            return Err(drift(
                format!("it would change where the input `{name}` comes from"),
                at(name),
            ));
        }
        if old.flake != new.flake && !allowed.flake_of.contains(*name) {
            return Err(drift(
                format!("it would change `flake` of the input `{name}`"),
                at(name),
            ));
        }
        if old.follows != new.follows && !allowed.follows_of.contains(*name) {
            return Err(drift(
                format!("it would change what the input `{name}` follows"),
                at(name),
            ));
        }
        if old.nested != new.nested
            && !allowed.follows_of_all
            && !allowed.follows_of.contains(*name)
        {
            // Removing an input drops the follows that point at it.
            let dropped_only = new.nested.is_subset(&old.nested)
                && old.nested.difference(&new.nested).all(|(_, target)| {
                    let first = target.split('/').next().unwrap_or_default();
                    allowed.inputs_removed.contains(first)
                });
            if !dropped_only {
                return Err(drift(
                    format!("it would change the follows of the input `{name}`"),
                    at(name),
                ));
            }
        }
    }
    Ok(())
}

fn formal_set(flake: &Flake) -> (BTreeSet<String>, Option<String>, bool) {
    let Some(outputs) = &flake.outputs else {
        return (BTreeSet::new(), None, false);
    };
    match outputs.pattern() {
        Some(pattern) => (
            formal_names(&pattern).into_iter().collect(),
            outputs.inputs_alias(),
            pattern.ellipsis_token().is_some(),
        ),
        None => (BTreeSet::new(), outputs.inputs_alias(), true),
    }
}

fn formals(sides: &Sides<'_>, allowed: &AllowedChange) -> Result<(), FlakeError> {
    let (before, before_alias, before_open) = formal_set(sides.before_flake);
    let (after, after_alias, after_open) = formal_set(sides.after_flake);
    if before_alias != after_alias || before_open != after_open {
        return Err(drift(
            "it would change the outputs function's `@` name or `...`".to_string(),
            None,
        ));
    }
    if let Some(name) = after
        .difference(&before)
        .find(|name| !allowed.formals_added.contains(*name))
    {
        return Err(drift(
            format!("it would add the outputs argument `{name}`"),
            None,
        ));
    }
    if let Some(name) = before
        .difference(&after)
        .find(|name| !allowed.formals_removed.contains(*name))
    {
        return Err(drift(
            format!("it would remove the outputs argument `{name}`"),
            None,
        ));
    }
    Ok(())
}

/// Each input's uses, as the use analysis finds them, counted by their
/// text: none may disappear unless the input is removed, and only new code
/// or a newly declared input may add some.
fn input_uses(sides: &Sides<'_>, allowed: &AllowedChange) -> Result<(), FlakeError> {
    // Uses are found in outputs alone: the same text has the same uses.
    // This spares input edits (most of a bulk run) one walk per input.
    // Slices of the file text: building the text from the tree would cost
    // a walk of every token of outputs on both sides.
    let outputs_text = |file: &'_ SourceFile, flake: &Flake| {
        flake.outputs.as_ref().map(|outputs| {
            file.slice(outputs.binding.syntax().text_range())
                .to_string()
        })
    };
    if outputs_text(sides.before, sides.before_flake)
        == outputs_text(sides.after, sides.after_flake)
    {
        return Ok(());
    }
    let names: BTreeSet<&str> = sides
        .before_flake
        .inputs
        .iter()
        .chain(&sides.after_flake.inputs)
        .map(|input| input.name.as_str())
        .collect();
    // One analysis per side: asking `uses_of_input` per input walks the
    // outputs once per input, quadratic on flakes with many inputs.
    let before_uses = uses_by_input(sides.before_flake);
    let after_uses = uses_by_input(sides.after_flake);
    for name in names {
        let count = |uses: &HashMap<String, Vec<InputUse>>| {
            let mut counts: HashMap<String, usize> = HashMap::new();
            for found in uses.get(name).into_iter().flatten() {
                *counts.entry(found.text.clone()).or_default() += 1;
            }
            counts
        };
        let before = count(&before_uses);
        let after = count(&after_uses);
        let added = allowed.new_code
            || allowed.inputs_added.contains(name)
            || allowed.formals_added.contains(name);
        for (text, old) in &before {
            let new = after.get(text).copied().unwrap_or(0);
            if new < *old && !allowed.inputs_removed.contains(name) {
                let range = before_uses
                    .get(name)
                    .into_iter()
                    .flatten()
                    .find(|found| &found.text == text)
                    .map(|found| found.range);
                return Err(drift(
                    format!(
                        "it would remove a use of the input `{name}` (`{text}`{})",
                        range
                            .map(|range| format!(" at {}", sides.before_at(range.start())))
                            .unwrap_or_default()
                    ),
                    range,
                ));
            }
        }
        for (text, new) in &after {
            if *new > before.get(text).copied().unwrap_or(0) && !added {
                return Err(drift(
                    format!("it would add a use of the input `{name}` (`{text}`)"),
                    None,
                ));
            }
        }
    }
    Ok(())
}

/// Every input's certain uses, as [`crate::model::uses_of_input`] gives them for one
/// input (in source order, without duplicates), from one analysis.
fn uses_by_input(flake: &Flake) -> HashMap<String, Vec<InputUse>> {
    let mut uses: HashMap<String, Vec<InputUse>> = HashMap::new();
    for (name, found) in analyze_uses(flake).all_uses() {
        uses.entry(name).or_default().push(found);
    }
    for found in uses.values_mut() {
        found.sort_by_key(|found| (found.range.start(), found.range.end()));
        found.dedup();
    }
    uses
}

/// Only package operations and hash fixes may edit the outputs body;
/// everything else leaves it byte for byte.
fn outputs_body(sides: &Sides<'_>, allowed: &AllowedChange) -> Result<(), FlakeError> {
    if allowed.new_code || allowed.hashes {
        return Ok(());
    }
    if allowed.string_values {
        return only_string_values(sides);
    }
    let body = |file: &'_ SourceFile, flake: &Flake| {
        flake.outputs.as_ref().map(|outputs| {
            let range = match &outputs.lambda {
                Some(lambda) => lambda.body().map(|body| body.syntax().text_range()),
                None => outputs
                    .binding
                    .value()
                    .map(|value| value.syntax().text_range()),
            };
            range
                .map(|range| file.slice(range).to_string())
                .unwrap_or_default()
        })
    };
    if body(sides.before, sides.before_flake) != body(sides.after, sides.after_flake) {
        let range = sides
            .before_flake
            .outputs
            .as_ref()
            .map(|outputs| outputs.binding.syntax().text_range());
        return Err(drift(
            "it would change the body of outputs, which this edit must not touch".to_string(),
            range,
        ));
    }
    Ok(())
}

/// Every edit inside `outputs` replaces exactly one string literal by a
/// plain string literal (no interpolation): values change, code does not.
fn only_string_values(sides: &Sides<'_>) -> Result<(), FlakeError> {
    let Some(outputs) = sides
        .before_flake
        .outputs
        .as_ref()
        .map(|outputs| outputs.binding.syntax().text_range())
    else {
        return Ok(());
    };
    for edit in sides.changes.edits() {
        if !outputs.contains_range(edit.range) {
            continue;
        }
        let replaced_string = match sides.before.syntax().covering_element(edit.range) {
            rowan::NodeOrToken::Node(node) => {
                node.kind() == flakeedit_syntax::SyntaxKind::NODE_STRING
                    && node.text_range() == edit.range
            }
            rowan::NodeOrToken::Token(_) => false,
        };
        let inserted = flakeedit_syntax::SourceFile::parse(edit.insert.as_str());
        let plain_string = inserted.is_valid()
            && matches!(
                inserted.root().expr(),
                Some(ast::Expr::Str(string)) if flakeedit_syntax::static_string(&string).is_some()
            );
        if !replaced_string || !plain_string {
            return Err(drift(
                format!(
                    "an update would change `{}` in outputs, which is not a string value",
                    sides.before.slice(edit.range)
                ),
                Some(edit.range),
            ));
        }
    }
    Ok(())
}

/// Top-level attributes other than `inputs` and `outputs` (`description`,
/// `nixConfig`, …) never change.
fn other_top_level(sides: &Sides<'_>) -> Result<(), FlakeError> {
    let entries = |file: &'_ SourceFile, flake: &Flake| {
        let mut found: Vec<String> = flake
            .root
            .entries()
            .filter(|entry| match entry {
                ast::Entry::AttrpathValue(binding) => {
                    let first = binding
                        .attrpath()
                        .as_ref()
                        .and_then(attrpath_names)
                        .and_then(|names| names.into_iter().next());
                    !matches!(first.as_deref(), Some("inputs" | "outputs"))
                }
                ast::Entry::Inherit(_) => true,
            })
            .map(|entry| file.slice(entry.syntax().text_range()).to_string())
            .collect();
        found.sort();
        found
    };
    let before = entries(sides.before, sides.before_flake);
    let after = entries(sides.after, sides.after_flake);
    if before != after {
        let changed = before
            .iter()
            .find(|entry| !after.contains(entry))
            .or_else(|| after.iter().find(|entry| !before.contains(entry)))
            .map(|entry| entry.lines().next().unwrap_or_default().to_string())
            .unwrap_or_default();
        return Err(drift(
            format!("it would change the top-level attribute `{changed}`"),
            None,
        ));
    }
    Ok(())
}
