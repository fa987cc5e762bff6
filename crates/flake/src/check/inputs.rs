//! Inputs against the outputs function: `registry-input` (undeclared
//! formals), `undeclared-input` and `optional-input` (`inputs.x` uses),
//! `missing-formal`, `unused-input`, `unused-non-flake-input`,
//! `undecided-input-use`, `dangling-follows`.

use super::DiagnosticCode;
use std::collections::HashSet;

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{add_formal, formal_name, is_plain_identifier, ChangeSet, TextRange};
use rowan::ast::AstNode;

use super::{Context, Fix, Sink};
use crate::inputs::{add_input, remove_unused_input, AddInput};
use crate::meaning::AllowedChange;
use crate::model::{InputDecl, UseAnalysis};

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

/// Checks the inputs of `context.flake` against its outputs. The findings
/// about names the outputs take that are not declared (`registry-input`,
/// `undeclared-input`, `optional-input`) are only made for the names in
/// `only`, when given: an incremental check asks for the names whose
/// declaration changed. `analysis` is the outputs' [`UseAnalysis`] (for a
/// partial model, at least its part about the model's inputs and `only`).
pub(crate) fn check(
    context: &Context,
    sink: &mut Sink,
    only: Option<&HashSet<String>>,
    analysis: &UseAnalysis,
) {
    let flake = context.flake;
    let Some(outputs) = &flake.outputs else {
        return;
    };
    let pattern = outputs.pattern();
    let asked = |name: &str| only.is_none_or(|only| only.contains(name));

    if let Some(pattern) = &pattern {
        for entry in pattern.pat_entries() {
            if formal_name(&entry).is_some_and(|name| asked(&name)) {
                undeclared_formal(context, sink, &entry);
            }
        }
    }
    undeclared_uses(context, sink, analysis, &asked);
    if let Some(pattern) = &pattern {
        if outputs.is_closed_pattern() {
            let formals: HashSet<String> = flakeedit_syntax::formal_names(pattern)
                .into_iter()
                .collect();
            for input in &flake.inputs {
                if formals.contains(&input.name) {
                    continue;
                }
                missing_formal(context, sink, pattern, input);
            }
        }
    }
    if outputs.lambda.is_some() {
        unused_inputs(context, sink, analysis);
    }

    for input in &flake.inputs {
        for leaf in &input.leaves {
            if !leaf.is_follows() {
                continue;
            }
            let Some(target) = leaf.value.as_str() else {
                continue;
            };
            let first = target.split('/').next().unwrap_or(target);
            if target.is_empty() || context.declares(first) || context.is_registry_input(first) {
                continue;
            }
            let range = leaf
                .binding
                .value()
                .map(|value| value.syntax().text_range())
                .unwrap_or_else(|| leaf.binding.syntax().text_range());
            let mut path = vec![input.name.clone()];
            path.extend(
                leaf.nested_follows()
                    .unwrap_or_default()
                    .names()
                    .iter()
                    .cloned(),
            );
            sink.report(
                DiagnosticCode::DanglingFollows,
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
        .filter(|leaf| leaf.is_follows())
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
    if name == "self" || entry.default().is_some() || context.declares(&name) {
        return;
    }
    // Computed even without fixes: the message says whether there is one.
    let fix = well_known_fix(context, &name);
    let hint = undeclared_hint(&fix, &name, "remove the argument");
    // Nix resolves such an argument as `flake:<name>` through the registry,
    // so the flake evaluates (official templates rely on it): a warning.
    sink.report(
        DiagnosticCode::RegistryInput,
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
/// body where `foo` is not declared (nor an outputs formal, which Nix adds
/// as an input). Behind `inputs ? foo` or with `or …` the author expects
/// it may be missing: `optional-input`, an info.
pub(crate) fn undeclared_uses(
    context: &Context,
    sink: &mut Sink,
    analysis: &UseAnalysis,
    asked: &dyn Fn(&str) -> bool,
) {
    if !sink.wants(DiagnosticCode::UndeclaredInput) && !sink.wants(DiagnosticCode::OptionalInput) {
        return;
    }
    for (used, found) in analysis.set_uses() {
        let name = &used.name;
        if !asked(name)
            || name == "self"
            || context.declares(name)
            || context.is_registry_input(name)
        {
            continue;
        }
        if used.has_default || used.guarded_by.is_some() {
            let why = match used.guarded_by {
                Some(guard) => format!(
                    "only where `{}` (line {}) says it is there",
                    context
                        .file
                        .text()
                        .get(usize::from(guard.start())..usize::from(guard.end()))
                        .map_or_else(|| format!("inputs ? {name}"), one_line),
                    context
                        .file
                        .lines()
                        .line_col(context.file.text(), guard.start())
                        .line
                ),
                None => "with an `or` default".to_string(),
            };
            sink.report(
                DiagnosticCode::OptionalInput,
                used.name_range,
                name,
                format!(
                    "outputs uses `{}` {why}, and `{name}` is not a declared input, so that \
                     part is skipped; declare `{name}` to use it",
                    found.text
                ),
                None,
            );
            continue;
        }
        let fix = well_known_fix(context, name);
        let hint = undeclared_hint(&fix, name, "stop using it");
        sink.report(
            DiagnosticCode::UndeclaredInput,
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

/// The first line of a construct, for messages.
fn one_line(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default().trim_end();
    if first.len() < text.trim_end().len() {
        format!("{first} …")
    } else {
        first.to_string()
    }
}

/// True for inputs that files other than `flake.nix` typically read through
/// `flake.lock` (flake-compat's `default.nix`/`shell.nix`).
pub(crate) fn is_flake_compat(input: &InputDecl) -> bool {
    input.name.contains("flake-compat")
        || input.url().is_some_and(|url| url.contains("flake-compat"))
        || input
            .reference()
            .get("repo")
            .is_some_and(|repo| repo == "flake-compat")
}

/// Declared inputs the outputs never use: `unused-input` (a warning with a
/// remove fix) when that is certain; `undecided-input-use` (an info) when a
/// construct may use it in a way that cannot be followed;
/// `unused-non-flake-input` (an info) for `flake = false` inputs and
/// flake-compat, which other files read through `flake.lock`.
pub(crate) fn unused_inputs(context: &Context, sink: &mut Sink, analysis: &UseAnalysis) {
    if ![
        DiagnosticCode::UnusedInput,
        DiagnosticCode::UndecidedInputUse,
        DiagnosticCode::UnusedNonFlakeInput,
    ]
    .iter()
    .any(|&code| sink.wants(code))
    {
        return;
    }
    let flake = context.flake;
    let Some(outputs) = &flake.outputs else {
        return;
    };
    let formals: HashSet<String> = outputs
        .pattern()
        .as_ref()
        .map(flakeedit_syntax::formal_names)
        .unwrap_or_default()
        .into_iter()
        .collect();
    // Sets built once: asking per input is quadratic on large flakes.
    let used = analysis.used_names();
    let followed: HashSet<&str> = flake
        .inputs
        .iter()
        .flat_map(follows_targets)
        .map(|target| target.split('/').next().unwrap_or(target))
        .collect();
    let fixes = sink.wants_fixes();
    let followed = |name: &str| match &context.whole {
        Some(whole) => (whole.followed)(name),
        None => followed.contains(name),
    };
    for input in &flake.inputs {
        // Not a formal of a closed pattern: `missing-formal` says so.
        if outputs.is_closed_pattern() && !formals.contains(&input.name) {
            continue;
        }
        let name = input.name.as_str();
        if name == "self" || followed(name) || used.contains(name) {
            continue;
        }
        let range = input_name_range(input);
        if let Some(undecided) = analysis.undecided_for(name).first() {
            let position = context
                .file
                .lines()
                .line_col(context.file.text(), undecided.range.start());
            sink.report(
                DiagnosticCode::UndecidedInputUse,
                range,
                name,
                format!(
                    "cannot tell whether input `{name}` is used: {} (line {}, column {})",
                    undecided.explain(name),
                    position.line,
                    position.col
                ),
                None,
            );
            continue;
        }
        // Unused, undecided nowhere, followed by no input: what
        // `remove_input` would check (walking the outputs again) is settled.
        let remove = || {
            if !fixes {
                return None;
            }
            remove_unused_input(context.file, flake, input)
                .ok()
                .map(|changes| Fix {
                    title: format!("remove input `{name}`"),
                    changes,
                    safe: false,
                    allowed: AllowedChange::remove_input(name, false),
                })
        };
        if is_flake_compat(input) {
            sink.report(
                DiagnosticCode::UnusedNonFlakeInput,
                range,
                name,
                format!(
                    "input `{name}` is not used by outputs: flake-compat is usually read by \
                     default.nix/shell.nix through flake.lock, so keep it while they use it"
                ),
                None,
            );
        } else if input.flake() == Some(false) {
            sink.report(
                DiagnosticCode::UnusedNonFlakeInput,
                range,
                name,
                format!(
                    "non-flake input `{name}` is not used by outputs; other files (default.nix, \
                     shell.nix) may read it through flake.lock, so remove it only if none does"
                ),
                remove(),
            );
        } else {
            sink.report(
                DiagnosticCode::UnusedInput,
                range,
                name,
                format!("input `{name}` is declared but never used by outputs"),
                remove(),
            );
        }
    }
}

fn missing_formal(context: &Context, sink: &mut Sink, pattern: &ast::Pattern, input: &InputDecl) {
    let name = &input.name;
    let fix = (sink.wants_fixes() && is_plain_identifier(name))
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
        DiagnosticCode::MissingFormal,
        input_name_range(input),
        name,
        format!(
            "input `{name}` is not an argument of outputs, whose pattern has no `...`: \
             evaluation fails with \"called with unexpected argument '{}'\"",
            // As Nix prints it: quoted when it is not an identifier.
            flakeedit_syntax::quote_attr_name(name)
        ),
        fix,
    );
}
