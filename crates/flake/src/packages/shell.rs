//! `add-dev-shell`: a `mkShell` dev shell like the seed's, or more packages
//! in an existing one.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{insert_entry, ChangeSet, InsertPosition, SourceFile};
use rowan::ast::AstNode;

use super::argument::{builder_call, has_item, list_value, missing_items};
use super::context::Context;
use super::convention::{entry_column, Convention};
use super::definition::{slot, Slot};
use super::dune::attribute_column;
use super::expression::{resolve_reference, Unknown};
use super::list::{append_to_list, binding_at};
use super::{insert_output_entry, targets_after};
use crate::error::{ErrorKind, FlakeError};
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
pub fn add_dev_shell(
    file: &SourceFile,
    flake: &Flake,
    request: &AddDevShell,
) -> Result<ChangeSet, FlakeError> {
    let attr = request.shell_attr();
    let mut context = Context::new(file, flake, request.system.as_deref())?;
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

/// Shell functions that take `packages` and `inputsFrom` like `mkShell`:
/// crane's `craneLib.devShell { … }` passes them on to `mkShell`.
fn is_shell_function(function: &str) -> bool {
    matches!(function, "mkShell" | "mkShellNoCC" | "devShell")
}

/// Adds what is missing to an existing `mkShell { … }` shell.
fn extend_existing(
    context: &Context<'_>,
    existing: &ast::AttrpathValue,
    attr: &str,
    packages: &[String],
    inputs_from: &[String],
    changes: &mut ChangeSet,
) -> Result<(), FlakeError> {
    let Some((function, set)) =
        builder_call(existing.value()).filter(|(function, _)| is_shell_function(function))
    else {
        return Err(FlakeError::new(
            ErrorKind::Conflict,
            format!("dev shell `{attr}` exists and is not a `mkShell {{ … }}` call"),
        )
        .at(existing.syntax().text_range())
        .hint("add the packages by hand, or choose another shell with --name"));
    };
    let _ = function;
    let mut added = false;
    for (name, items) in [("packages", packages), ("inputsFrom", inputs_from)] {
        if items.is_empty() {
            continue;
        }
        // mkShell puts `packages`, `buildInputs` and `nativeBuildInputs`
        // alike in the shell: a package in any of them is there already,
        // and a shell that lists its tools in `buildInputs` gets new ones
        // there. `packages = builtins.attrValues { … }` (the seed) is not a
        // list: then they go to `buildInputs` too.
        let (list, others): (Option<ast::List>, &[&str]) = if name == "packages" {
            let own = list_value(&set, name);
            let fallback = || {
                list_value(&set, "buildInputs").or_else(|| {
                    binding_at(&set, &[name])
                        .is_none()
                        .then(|| list_value(&set, "nativeBuildInputs"))
                        .flatten()
                })
            };
            (
                own.or_else(fallback),
                &["packages", "buildInputs", "nativeBuildInputs"],
            )
        } else {
            (list_value(&set, name), &[])
        };
        let root = context.file.syntax();
        let candidates: Vec<String> = items
            .iter()
            .filter(|item| {
                !others
                    .iter()
                    .filter_map(|other| list_value(&set, other))
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
        added = true;
        match list {
            Some(list) => {
                if let Some(edit) = append_to_list(context.file, &list, &missing) {
                    changes.add(edit)?;
                }
            }
            None if binding_at(&set, &[name]).is_none() => {
                changes.add(insert_entry(
                    context.file,
                    set.syntax(),
                    &Convention::of(root).list_binding(
                        name,
                        &missing,
                        entry_column(context.file.text(), &set, 0),
                    ),
                    InsertPosition::Last,
                )?)?;
            }
            None => {
                return Err(FlakeError::new(
                    ErrorKind::Unsupported,
                    format!("`{name}` of dev shell `{attr}` is not a list literal"),
                )
                .at(existing.syntax().text_range())
                .hint("add the packages by hand"))
            }
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

/// The postcondition: the shell exists in every target and is a `mkShell`
/// call with at least as many `inputsFrom` entries as asked.
pub(crate) fn verify(request: &AddDevShell, after: &Flake) -> Result<(), String> {
    let attr = request.shell_attr();
    for target in targets_after(after, request.system.as_deref())? {
        let binding = target
            .dev_shells
            .entry(attr)
            .ok_or_else(|| format!("dev shell `{attr}` is missing"))?;
        let (function, set) = builder_call(binding.value())
            .ok_or_else(|| format!("dev shell `{attr}` is not a call"))?;
        if !is_shell_function(&function) {
            return Err(format!("dev shell `{attr}` is not a mkShell"));
        }
        let count = list_value(&set, "inputsFrom").map_or(0, |list| list.items().count());
        if count < request.inputs_from.len().min(1) {
            return Err(format!("dev shell `{attr}` lacks inputsFrom"));
        }
    }
    Ok(())
}
