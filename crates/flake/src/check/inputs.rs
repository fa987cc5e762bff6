//! Inputs against the outputs function: `registry-input` (undeclared
//! formals), `undeclared-input` (`inputs.x` uses), `missing-formal`,
//! `unused-input`, `dangling-follows`.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{add_formal, formal_name, is_plain_identifier, ChangeSet, TextRange};
use rowan::ast::AstNode;

use super::{Context, Fix, Sink};
use crate::inputs::{add_input, remove_input, AddInput};
use crate::meaning::AllowedChange;
use crate::model::{inputs_escape, uses_of_input, uses_through_input_set, InputDecl};

/// An input's name, its canonical url, and (child, our input) follows.
type WellKnown = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Inputs flakeedit knows the canonical source of, with the nested inputs
/// that should follow ours when we declare them: (name, url, follows as
/// (child, our input)).
const WELL_KNOWN: &[WellKnown] = &[
    (
        "flake-parts",
        "github:hercules-ci/flake-parts",
        &[("nixpkgs-lib", "nixpkgs")],
    ),
    (
        "flake-utils",
        "github:numtide/flake-utils",
        &[("systems", "systems")],
    ),
    ("nixpkgs", "github:NixOS/nixpkgs/nixos-unstable", &[]),
    ("systems", "github:nix-systems/default", &[]),
];

/// The range naming an input: the attribute path of its first binding
/// (`riot`, `inputs.riot.url`), one line and precise.
pub(crate) fn input_name_range(input: &InputDecl) -> TextRange {
    input
        .bindings
        .first()
        .and_then(|binding| binding.node.attrpath())
        .map(|path| path.syntax().text_range())
        .unwrap_or_else(|| input.range())
}

pub(crate) fn check(context: &Context, sink: &mut Sink) {
    let flake = context.flake;
    let Some(outputs) = &flake.outputs else {
        return;
    };
    let pattern = outputs.pattern();

    if let Some(pattern) = &pattern {
        for entry in pattern.pat_entries() {
            undeclared_formal(context, sink, &entry);
        }
    }
    undeclared_uses(context, sink);
    if let Some(pattern) = &pattern {
        if outputs.is_closed_pattern() {
            let formals = flakeedit_syntax::formal_names(pattern);
            for input in &flake.inputs {
                if formals.contains(&input.name) {
                    continue;
                }
                missing_formal(context, sink, pattern, input);
            }
        }
    }

    if sink.wants("unused-input") && outputs.lambda.is_some() && !inputs_escape(flake) {
        let formals = pattern
            .as_ref()
            .map(flakeedit_syntax::formal_names)
            .unwrap_or_default();
        for input in &flake.inputs {
            // Not a formal of a closed pattern: `missing-formal` says so.
            if outputs.is_closed_pattern() && !formals.contains(&input.name) {
                continue;
            }
            let followed = flake.inputs.iter().any(|other| {
                follows_targets(other)
                    .any(|target| target.split('/').next() == Some(input.name.as_str()))
            });
            if input.name == "self" || followed || !uses_of_input(flake, &input.name).is_empty() {
                continue;
            }
            let fix = remove_input(context.file, flake, &input.name, false)
                .ok()
                .map(|changes| Fix {
                    title: format!("remove input `{}`", input.name),
                    changes,
                    safe: false,
                    allowed: AllowedChange::remove_input(&input.name, false),
                });
            sink.report(
                "unused-input",
                input_name_range(input),
                &input.name,
                format!(
                    "input `{}` is declared but never used by outputs",
                    input.name
                ),
                fix,
            );
        }
    }

    for input in &flake.inputs {
        for leaf in &input.leaves {
            if leaf.path.last().map(String::as_str) != Some("follows") {
                continue;
            }
            let Some(target) = leaf.value.as_str() else {
                continue;
            };
            let first = target.split('/').next().unwrap_or(target);
            if target.is_empty() || flake.input(first).is_some() {
                continue;
            }
            let range = leaf
                .binding
                .value()
                .map(|value| value.syntax().text_range())
                .unwrap_or_else(|| leaf.binding.syntax().text_range());
            let mut path = vec![input.name.clone()];
            path.extend(
                leaf.path[..leaf.path.len() - 1]
                    .iter()
                    .filter(|segment| *segment != "inputs")
                    .cloned(),
            );
            sink.report(
                "dangling-follows",
                range,
                path.join("/"),
                format!(
                    "`{}` follows `{target}`, but this flake declares no input `{first}`",
                    path.join("/")
                ),
                None,
            );
        }
    }
}

/// Every `follows` target written below an input, at any depth.
pub(crate) fn follows_targets(input: &InputDecl) -> impl Iterator<Item = &str> {
    input
        .leaves
        .iter()
        .filter(|leaf| leaf.path.last().map(String::as_str) == Some("follows"))
        .filter_map(|leaf| leaf.value.as_str())
}

/// The fix of an undeclared input flakeedit knows the source of: declare
/// it, with its nested inputs following ours where we have them.
fn well_known_fix(context: &Context, name: &str) -> Option<Fix> {
    let (_, url, follows) = WELL_KNOWN.iter().find(|(known, _, _)| *known == name)?;
    let request = AddInput {
        url: url.to_string(),
        name: Some(name.to_string()),
        follows: follows
            .iter()
            .filter(|(_, ours)| context.flake.input(ours).is_some())
            .map(|(child, ours)| (child.to_string(), ours.to_string()))
            .collect(),
        no_flake: false,
    };
    let changes = add_input(context.file, context.flake, &request).ok()?;
    Some(Fix {
        title: format!("add input `{name}` ({url})"),
        changes,
        safe: true,
        allowed: AllowedChange::add_input(name),
    })
}

fn undeclared_hint(fix: &Option<Fix>, name: &str, or: &str) -> String {
    if fix.is_some() {
        String::new()
    } else {
        format!("; declare it with `flakeedit add-input URL --name {name}`, or {or}")
    }
}

fn undeclared_formal(context: &Context, sink: &mut Sink, entry: &ast::PatEntry) {
    let Some(name) = formal_name(entry) else {
        return;
    };
    // `self` is always passed; a formal with a default need not be.
    if name == "self" || entry.default().is_some() || context.flake.input(&name).is_some() {
        return;
    }
    let fix = well_known_fix(context, &name);
    let hint = undeclared_hint(&fix, &name, "remove the argument");
    // Nix resolves such an argument as `flake:<name>` through the registry,
    // so the flake evaluates (official templates rely on it): a warning.
    sink.report(
        "registry-input",
        entry.syntax().text_range(),
        &name,
        format!(
            "outputs takes `{name}`, but it is not a declared input: Nix then fetches \
             `flake:{name}` through the flake registry, so what it gets depends on each \
             machine's registry{hint}"
        ),
        fix,
    );
}

/// `inputs.foo`, `inputs'.foo` and `inherit (inputs) foo` in the outputs
/// body where `foo` is not declared. `inputs.foo or …` is fine.
fn undeclared_uses(context: &Context, sink: &mut Sink) {
    if !sink.wants("undeclared-input") {
        return;
    }
    for (used, found) in uses_through_input_set(context.flake) {
        let name = &used.name;
        if name == "self" || used.has_default || context.flake.input(name).is_some() {
            continue;
        }
        let fix = well_known_fix(context, name);
        let hint = undeclared_hint(&fix, name, "stop using it");
        sink.report(
            "undeclared-input",
            used.name_range,
            name,
            format!(
                "outputs uses `{}`, but `{name}` is not a declared input: evaluation fails with \
                 \"attribute '{name}' missing\"{hint}",
                found.text
            ),
            fix,
        );
    }
}

fn missing_formal(context: &Context, sink: &mut Sink, pattern: &ast::Pattern, input: &InputDecl) {
    let name = &input.name;
    let fix = is_plain_identifier(name)
        .then(|| add_formal(context.file, pattern, name))
        .flatten()
        .and_then(|edit| {
            let mut changes = ChangeSet::new();
            changes.add(edit).ok()?;
            Some(Fix {
                title: format!("add `{name}` to the outputs arguments"),
                changes,
                safe: true,
                allowed: AllowedChange::add_formal(name),
            })
        });
    sink.report(
        "missing-formal",
        input_name_range(input),
        name,
        format!(
            "input `{name}` is not an argument of outputs, whose pattern has no `...`: \
             evaluation fails with \"called with unexpected argument '{name}'\""
        ),
        fix,
    );
}
