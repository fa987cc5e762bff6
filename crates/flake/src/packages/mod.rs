//! Package operations: a `buildDunePackage` package, a docker image, a dev
//! shell, in every per-system layout; and new flakes from templates.
//!
//! Each operation finds the flake's layout ([`Layout::detect`]), the
//! `packages` or `devShells` set of every target (one per system in the
//! plain layout), and writes expressions that evaluate *there*: it looks at
//! the names in scope (`buildDunePackage`, `pkgs`, `version`, `self'`) and
//! adds formals (`self'`, `inputs'`, `pkgs`) to a pattern when a reference
//! needs them. Every user string is written through
//! [`flakeedit_syntax::string_literal`], every attribute name through
//! [`flakeedit_syntax::quote_attr_name`].

mod argument;
mod borrowed_nixpkgs;
mod context;
mod convention;
mod definition;
mod docker;
mod docker_reference;
mod dune;
mod expression;
mod layout;
pub(crate) mod list;
mod shell;
mod shell_call;
mod shell_override;
mod source;
mod template;

#[cfg(test)]
pub(crate) mod tests;

pub use docker::{add_docker_image, AddDockerImage};
pub use dune::{add_dune_package, AddDunePackage};
use layout::write_path;
pub use layout::{
    is_system, Layout, LayoutKind, OutputPlace, SystemName, Target, SUPPORTED_LAYOUTS,
};
pub use shell::{add_dev_shell, AddDevShell};
pub use source::{add_source, unstable_version, version_from_tag, AddSource, SourceHash};
pub use template::{init_flake, Template};

use flakeedit_syntax::{insert_entry, quote_attr_name, InsertPosition, TextEdit};
use rowan::ast::AstNode;

use crate::error::FlakeError;
use crate::model::Flake;
use context::Context;

/// Indents every line of a snippet after the first by one level.
fn nest(snippet: &str) -> String {
    snippet.replace('\n', "\n\t")
}

/// Inserts `attr = value;` into an output place (creating the output when
/// it does not exist yet).
fn insert_output_entry(
    context: &Context<'_>,
    target: &Target,
    place: &OutputPlace,
    attr: &str,
    value: &str,
) -> Result<TextEdit, FlakeError> {
    let _ = target;
    if let Some(unreadable) = &place.unreadable {
        return Err(unreadable.clone());
    }
    if let Some(conflict) = &place.entry_conflict {
        return Err(conflict.clone());
    }
    if attr == "default" {
        if let Some(conflict) = &place.default_conflict {
            return Err(conflict.clone());
        }
    }
    let file = context.file;
    let entry = format!("{} = {value};", quote_attr_name(attr));
    if let Some(merged) = &place.merged_into {
        return Ok(merge_after(file.text(), merged, &entry));
    }
    if let Some(rewrite) = &place.inherit_rewrite {
        return Ok(rewrite.replacement(file.text(), &entry));
    }
    if let Some(dotted) = &place.dotted_entry {
        return Ok(dotted.restructure(file.text(), &entry));
    }
    if place.exists {
        if place.prefix.is_empty() {
            // A one-line set (`packages = { inherit docs; };`) that would
            // grow too long is broken into lines.
            return Ok(list::add_last_entry(file, &place.set, &entry)?);
        }
        let mut path = place.prefix.clone();
        path.push(attr.to_string());
        let position = match place.last_dotted() {
            Some(last) => InsertPosition::After(last.syntax().clone()),
            None => InsertPosition::Last,
        };
        let snippet = format!("{} = {value};", write_path(&path));
        return Ok(insert_entry(file, place.set.syntax(), &snippet, position)?);
    }
    let snippet = if place.new_per_system {
        // `perSystem = { pkgs, ... }: { packages.NAME = …; };`
        let output = place.prefix.last().cloned().unwrap_or_default();
        let mut formals = context.new_module_formals();
        formals.push("...".to_string());
        format!(
            "perSystem = {{ {} }}: {{\n\t{}\n}};",
            formals.join(", "),
            nest(&format!(
                "{} = {value};",
                write_path(&[output, attr.to_string()])
            ))
        )
    } else {
        match (&place.generator, place.prefix.as_slice()) {
            (Some((generator, parameter)), [name]) => format!(
                "{} = {generator} ({parameter}: {{\n\t{}\n}});",
                quote_attr_name(name),
                nest(&entry)
            ),
            (None, [name]) if !writes_outputs_dotted(&place.set) => {
                format!("{} = {{\n\t{}\n}};", quote_attr_name(name), nest(&entry))
            }
            _ => {
                let mut path = place.prefix.clone();
                path.push(attr.to_string());
                format!("{} = {value};", write_path(&path))
            }
        }
    };
    let position = match (&place.after, &place.before) {
        (Some(node), _) => InsertPosition::After(node.clone()),
        (None, Some(node)) => InsertPosition::Before(node.clone()),
        (None, None) => InsertPosition::Last,
    };
    Ok(insert_entry(file, place.set.syntax(), &snippet, position)?)
}

/// `X` becomes `X // { entry }`, the set broken into lines indented
/// from the line `X` starts on.
fn merge_after(text: &str, merged: &flakeedit_syntax::rnix::ast::Expr, entry: &str) -> TextEdit {
    use flakeedit_syntax::style::{file_indent_unit, line_indent, reindent, LineEnding};
    let range = merged.syntax().text_range();
    let outer = line_indent(text, usize::from(range.start())).to_string();
    let unit = file_indent_unit(text);
    let inner = format!("{outer}{unit}");
    let ending = LineEnding::detect(text);
    let body = reindent(entry, &inner, &unit, ending);
    let eol = ending.as_str();
    TextEdit::insert(
        range.end(),
        format!(" // {{{eol}{inner}{body}{eol}{outer}}}"),
    )
}

/// Whether a set writes its per-system outputs dotted
/// (`packages.default = …;`) rather than as nested sets: a new output then
/// is dotted too.
fn writes_outputs_dotted(set: &flakeedit_syntax::rnix::ast::AttrSet) -> bool {
    use flakeedit_syntax::rnix::ast::HasEntry;
    let (mut dotted, mut nested) = (0, 0);
    for binding in set.attrpath_values() {
        let Some(names) = binding
            .attrpath()
            .as_ref()
            .and_then(flakeedit_syntax::attrpath_names)
        else {
            continue;
        };
        let output = names.first().is_some_and(|first| {
            matches!(first.as_str(), "packages" | "devShells" | "checks" | "apps")
        });
        if output && names.len() > 1 {
            dotted += 1;
        } else if output {
            nested += 1;
        }
    }
    dotted > 0 && nested == 0
}

/// The targets an operation applies to, for postconditions.
fn targets_after(after: &Flake, system: Option<&str>) -> Result<Vec<Target>, String> {
    let layout = Layout::detect(after).map_err(|error| error.message)?;
    match system {
        Some(system) => {
            let outputs = layout
                .plain_outputs_set()
                .ok_or("the plain layout disappeared")?;
            Ok(vec![
                Layout::plain_target(&outputs, system).map_err(|error| error.message)?
            ])
        }
        None => Ok(layout.targets),
    }
}

/// The postcondition of every package operation about a `nixpkgs` input
/// it declared (see [`borrowed_nixpkgs`]).
pub(crate) fn verify_borrowed_nixpkgs(
    before: &Flake,
    after: &Flake,
    lock: Option<&crate::lock::Lock>,
) -> Result<(), String> {
    borrowed_nixpkgs::verify(before, after, lock)
}

/// The postcondition of [`add_dune_package`] on the edited flake.
pub(crate) fn verify_dune_package(request: &AddDunePackage, after: &Flake) -> Result<(), String> {
    dune::verify(request, after)
}

/// The postcondition of [`add_docker_image`] on the edited flake.
pub(crate) fn verify_docker_image(request: &AddDockerImage, after: &Flake) -> Result<(), String> {
    docker::verify(request, after)
}

/// The postcondition of [`add_source`] on the edited flake.
pub(crate) fn verify_source(request: &AddSource, after: &Flake) -> Result<(), String> {
    source::verify(request, after)
}

/// The postcondition of [`add_dev_shell`] on the edited flake.
pub(crate) fn verify_dev_shell(request: &AddDevShell, after: &Flake) -> Result<(), String> {
    shell::verify(request, after)
}
