//! `add-dev-shell`: a `mkShell` dev shell like the seed's, or more packages
//! in an existing one.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{scope_at, ChangeSet, SourceFile, TextEdit, TextSize};
use rowan::ast::AstNode;

use super::argument::{has_item, list_value, missing_items};
use super::context::Context;
use super::convention::{entry_column, Convention};
use super::definition::{slot, Slot};
use super::dune::attribute_column;
use super::expression::{free_variables, resolve_reference, Unknown};
use super::layout::OutputPlace;
use super::list::{add_last_entry, append_to_list, binding_at};
use super::shell_call::{shell_call, Builder};
use super::shell_override::{extend_override, shell_override, wrap_in_override};
use super::{insert_output_entry, targets_after};
use crate::error::{ErrorKind, FlakeError};
use crate::lock::Lock;
use crate::model::Flake;

/// What `add-dev-shell` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddDevShell {
    /// The shell's attribute under `devShells` (default `default`).
    pub name: Option<String>,
    /// Packages in the shell: this flake's packages by name, inputs'
    /// packages (`riot`, `riot#pkg`), nixpkgs attributes by bare name
    /// (`ocaml-lsp` → `pkgs.ocaml-lsp`), or Nix expressions in scope.
    pub packages: Vec<String>,
    /// Packages whose build inputs the shell gets (`inputsFrom`); by
    /// default the flake's `default` package when it has one.
    pub inputs_from: Vec<String>,
    /// Plain layout only: the one system to add it to.
    pub system: Option<String>,
}

impl AddDevShell {
    /// The shell's attribute.
    pub fn shell_attr(&self) -> &str {
        self.name.as_deref().unwrap_or("default")
    }
}

/// `add-dev-shell`.
///
/// `lock` is the `flake.lock` beside the file, if any: where the flake
/// declares no `nixpkgs`, it shows which input brings one to follow.
pub fn add_dev_shell(
    file: &SourceFile,
    flake: &Flake,
    request: &AddDevShell,
    lock: Option<&Lock>,
) -> Result<ChangeSet, FlakeError> {
    let attr = request.shell_attr();
    let mut context = Context::new(file, flake, lock, request.system.as_deref())?;
    let mut changes = ChangeSet::new();
    for target in context.layout.targets.clone() {
        let place = &target.dev_shells;
        let mut packages = Vec::new();
        for spec in &request.packages {
            let reference =
                resolve_reference(&mut context, &target, place, spec, Unknown::Nixpkgs)?;
            if !packages.contains(&reference) {
                packages.push(reference);
            }
        }
        let mut sources = request.inputs_from.clone();
        if sources.is_empty() && request.packages.is_empty() {
            if target.packages.entry("default").is_none() {
                return Err(FlakeError::new(
                    ErrorKind::InvalidArgument,
                    "nothing to put in the dev shell: the flake has no `default` package",
                )
                .hint("pass --package EXPR or --inputs-from PACKAGE"));
            }
            sources.push("default".to_string());
        }
        let mut inputs_from = Vec::new();
        for spec in &sources {
            let reference = resolve_reference(&mut context, &target, place, spec, Unknown::Error)?;
            if !inputs_from.contains(&reference) {
                inputs_from.push(reference);
            }
        }
        let what = format!("dev shell `{attr}`");
        if let Slot::Taken(existing) = slot(place, attr, &what, &mut changes.warnings)? {
            extend_existing(
                &context,
                place,
                &existing,
                attr,
                &packages,
                &inputs_from,
                &mut changes,
            )?;
            continue;
        }
        let scope = context.scope(place);
        let make_shell = if scope.contains("mkShell") {
            "mkShell".to_string()
        } else {
            format!("{}.mkShell", context.pkgs(&target, place)?)
        };
        let convention = Convention::of(file.syntax());
        let column = attribute_column(file, place);
        let mut snippet = format!("{make_shell} {{\n");
        for (name, items) in [("packages", &packages), ("inputsFrom", &inputs_from)] {
            if !items.is_empty() {
                let list = convention.list_binding(name, items, column);
                snippet.push_str(&format!("\t{}\n", super::nest(&list)));
            }
        }
        snippet.push('}');
        changes.add(insert_output_entry(
            &context, &target, place, attr, &snippet,
        )?)?;
    }
    context.finish(&mut changes)?;
    if changes.is_empty() && changes.warnings.is_empty() {
        changes.warn(
            flakeedit_syntax::WarningCode::NothingToDo,
            format!("dev shell `{attr}` already has these packages; nothing to do"),
        );
    }
    Ok(changes)
}

/// Adds what is missing to an existing shell whose builder flakeedit knows
/// (see [`shell_call`]).
fn extend_existing(
    context: &Context<'_>,
    place: &OutputPlace,
    existing: &ast::AttrpathValue,
    attr: &str,
    packages: &[String],
    inputs_from: &[String],
    changes: &mut ChangeSet,
) -> Result<(), FlakeError> {
    let root = context.file.syntax();
    if let Some(shell) = shell_override(root, existing.value()) {
        let added = extend_override(context, place, &shell, attr, packages, inputs_from, changes)?;
        if !added {
            changes.warn(
                flakeedit_syntax::WarningCode::NothingToDo,
                format!("dev shell `{attr}` already has these packages; nothing to do"),
            );
        }
        return Ok(());
    }
    let call = shell_call(root, existing.value());
    if call.is_none()
        && wrap_in_override(
            context,
            place,
            existing,
            attr,
            packages,
            inputs_from,
            changes,
        )?
    {
        return Ok(());
    }
    let Some(call) = call else {
        let value = existing
            .value()
            .map(|value| summary(value.syntax()))
            .unwrap_or_default();
        return Err(FlakeError::new(
            ErrorKind::Conflict,
            format!(
                "dev shell `{attr}` exists and is `{value}`, not a call of a shell builder \
                 flakeedit knows"
            ),
        )
        .at(existing.syntax().text_range())
        .hint(
            "flakeedit extends `mkShell { … }`, `mkShellNoCC`, `mkShell.override { … } { … }`, \
             crane's `devShell`, numtide devshell's `mkShell` and `shell.overrideAttrs (old: { … })` \
             of one of them; add the packages by hand, or choose another shell with --name",
        ));
    };
    let set = &call.set;
    let mut added = false;
    for (name, items) in [("packages", packages), ("inputsFrom", inputs_from)] {
        // numtide devshell's `packagesFrom` is its `inputsFrom`.
        let name = match (name, call.builder) {
            ("inputsFrom", Builder::Devshell) => "packagesFrom",
            _ => name,
        };
        if items.is_empty() {
            continue;
        }
        // mkShell puts `packages`, `buildInputs` and `nativeBuildInputs`
        // alike in the shell: a package in any of them is there already,
        // and a shell that lists its tools in `buildInputs` gets new ones
        // there. `packages = builtins.attrValues { … }` (the seed) is not a
        // list: then they go to `buildInputs` too. numtide devshell only
        // has `packages`.
        let others: &[&str] = match (name, call.builder) {
            ("packages", Builder::Nixpkgs) => &["packages", "buildInputs", "nativeBuildInputs"],
            _ => &[name],
        };
        let list = match (name, call.builder) {
            ("packages", Builder::Nixpkgs) => list_value(set, name).or_else(|| {
                list_value(set, "buildInputs").or_else(|| {
                    binding_at(set, &[name])
                        .is_none()
                        .then(|| list_value(set, "nativeBuildInputs"))
                        .flatten()
                })
            }),
            _ => list_value(set, name),
        };
        let candidates: Vec<String> = items
            .iter()
            .filter(|item| {
                !others
                    .iter()
                    .filter_map(|other| list_value(set, other))
                    .any(|other| has_item(root, &other, item))
            })
            .cloned()
            .collect();
        let missing: Vec<String> = match &list {
            Some(list) => missing_items(root, list, &candidates),
            None => candidates,
        };
        if missing.is_empty() {
            continue;
        }
        let at = list
            .as_ref()
            .map_or(set.syntax().text_range().start(), |list| {
                list.syntax().text_range().start()
            });
        check_same_meaning(context, place, at, &missing, attr)?;
        added = true;
        match (list, binding_at(set, &[name])) {
            (Some(list), _) => {
                if let Some(edit) = append_to_list(context.file, &list, &missing) {
                    changes.add(edit)?;
                }
            }
            (None, None) if call.merged => {
                return Err(FlakeError::new(
                    ErrorKind::Unsupported,
                    format!(
                        "dev shell `{attr}` has no `{name}` in the set after `//`; the set before it may have one, \
                         which a new `{name}` would replace"
                    ),
                )
                .at(set.syntax().text_range())
                .hint("add the packages by hand"));
            }
            (None, None) if reads_name(set, name) => {
                return Err(FlakeError::new(
                    ErrorKind::Unsupported,
                    format!(
                        "dev shell `{attr}` is a `rec {{ … }}` set that reads `{name}` from outside; \
                         a new `{name}` attribute would change what it reads"
                    ),
                )
                .at(set.syntax().text_range())
                .hint("add the packages by hand"));
            }
            (None, None) => {
                let entry = Convention::of(root).list_binding(
                    name,
                    &missing,
                    entry_column(context.file.text(), set, 0),
                );
                changes.add(add_last_entry(context.file, set, &entry)?)?;
            }
            (None, Some(binding)) => changes.add(append_to_expression(&binding, &missing)?)?,
        }
    }
    if !added {
        changes.warn(
            flakeedit_syntax::WarningCode::NothingToDo,
            format!("dev shell `{attr}` already has these packages; nothing to do"),
        );
    }
    Ok(())
}

/// Whether a `rec` set reads the variable `name` (which a new attribute of
/// that name would then capture).
fn reads_name(set: &ast::AttrSet, name: &str) -> bool {
    set.rec_token().is_some()
        && set.syntax().descendants().any(|node| {
            node.kind() == flakeedit_syntax::SyntaxKind::NODE_IDENT
                && node.text() == name
                && node.parent().is_none_or(|parent| {
                    parent.kind() != flakeedit_syntax::SyntaxKind::NODE_ATTRPATH
                })
        })
}

/// `name = X;` where X is a list expression but not a literal
/// (`lib.optionals …`, a variable, `builtins.attrValues { … }`): the new
/// elements follow it, `X ++ [ … ]`. X is parenthesised unless it is sure
/// to stay one operand of `++` (a name, a selection, a call, a list, or
/// itself a `++`), so that `if c then a else b` keeps both branches.
pub(super) fn append_to_expression(
    binding: &ast::AttrpathValue,
    items: &[String],
) -> Result<TextEdit, FlakeError> {
    let value = binding.value().ok_or_else(|| {
        FlakeError::new(ErrorKind::Unsupported, "a binding without a value")
            .at(binding.syntax().text_range())
    })?;
    let operand = match &value {
        ast::Expr::Ident(_)
        | ast::Expr::Select(_)
        | ast::Expr::Apply(_)
        | ast::Expr::List(_)
        | ast::Expr::Paren(_) => true,
        ast::Expr::BinOp(binop) => binop.operator() == Some(ast::BinOpKind::Concat),
        _ => false,
    };
    let range = value.syntax().text_range();
    let list = format!("[ {} ]", items.join(" "));
    Ok(if operand {
        TextEdit::insert(range.end(), format!(" ++ {list}"))
    } else {
        TextEdit::replace(range, format!("({}) ++ {list}", value.syntax().text()))
    })
}

/// New elements are resolved where the output place is; written deeper
/// (inside a `let`, a function), each of their names must still mean the
/// same binding there.
pub(super) fn check_same_meaning(
    context: &Context<'_>,
    place: &OutputPlace,
    at: TextSize,
    items: &[String],
    attr: &str,
) -> Result<(), FlakeError> {
    let root = context.file.syntax();
    let outer = context.scope(place);
    let inner = scope_at(root, at);
    for item in items {
        let parsed = SourceFile::parse(item);
        for (name, _) in free_variables(parsed.syntax()) {
            let there = inner.names.get(&name);
            if there.is_some() && there != outer.names.get(&name) {
                let binder = there.map(|binder| binder.range).unwrap_or_default();
                return Err(FlakeError::new(
                    ErrorKind::Unsupported,
                    format!(
                        "`{name}` means another binding inside dev shell `{attr}` than where \
                         flakeedit resolved `{item}`"
                    ),
                )
                .at(binder)
                .hint("add the package by hand, written with the names in scope there"));
            }
        }
    }
    Ok(())
}

/// The first line of a node's text, shortened, for messages.
pub(super) fn summary(node: &flakeedit_syntax::SyntaxNode) -> String {
    let text = node.text().to_string();
    let line = text.lines().next().unwrap_or_default().trim();
    let short: String = line.chars().take(60).collect();
    if short.len() < text.trim().len() {
        format!("{short} …")
    } else {
        short
    }
}

/// The postcondition: the shell exists in every target and is a `mkShell`
/// call with at least as many `inputsFrom` entries as asked, or an
/// override of one.
pub(crate) fn verify(request: &AddDevShell, after: &Flake) -> Result<(), String> {
    let attr = request.shell_attr();
    for target in targets_after(after, request.system.as_deref())? {
        let binding = target
            .dev_shells
            .entry(attr)
            .ok_or_else(|| format!("dev shell `{attr}` is missing"))?;
        let root = binding
            .syntax()
            .ancestors()
            .last()
            .ok_or("the dev shell has no root")?;
        if shell_override(&root, binding.value()).is_some() {
            // Only packages are ever added to an override (see
            // `extend_override`).
            continue;
        }
        let call = shell_call(&root, binding.value())
            .ok_or_else(|| format!("dev shell `{attr}` is not a known shell builder call"))?;
        let from = match call.builder {
            Builder::Nixpkgs => "inputsFrom",
            Builder::Devshell => "packagesFrom",
        };
        let count = list_value(&call.set, from).map_or(0, |list| list.items().count());
        if count < request.inputs_from.len().min(1) {
            return Err(format!("dev shell `{attr}` lacks inputsFrom"));
        }
    }
    Ok(())
}
