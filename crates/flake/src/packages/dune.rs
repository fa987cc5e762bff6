//! `add-dune-package`: a `buildDunePackage { pname; version; src; buildInputs; }`
//! package, the way the seed article writes it.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{
    insert_entry, string_literal, ChangeSet, InsertPosition, SourceFile, Warning, WarningCode,
};
use rowan::ast::AstNode;

use super::argument::{builder_call, has_item, list_value, missing_items};
use super::context::Context;
use super::convention::{entry_column, Convention};
use super::definition::{slot, Slot};
use super::expression::resolve_build_inputs;
use super::layout::{OutputPlace, Target};
use super::list::{append_to_list, call_with_set, string_at};
use super::{insert_output_entry, targets_after};
use crate::error::{ErrorKind, FlakeError};
use crate::lock::Lock;
use crate::model::Flake;

/// What `add-dune-package` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddDunePackage {
    /// The package's `pname`.
    pub pname: String,
    /// The attribute under `packages` (default: the pname, or `default`
    /// with [`AddDunePackage::default`]).
    pub attr: Option<String>,
    /// The version; when `None`, a `version` binding in scope is inherited,
    /// and with none in scope the version is `"dev"` (with a warning).
    pub version: Option<String>,
    /// The source path, relative to the flake (default `./.`).
    pub src: Option<String>,
    /// Build inputs: packages of this flake by attribute name, inputs'
    /// packages (`riot`, `riot#name`), or Nix expressions in scope.
    pub build_inputs: Vec<String>,
    /// Make it `packages.default`.
    pub default: bool,
    /// Plain layout only: the one system to add it to.
    pub system: Option<String>,
}

impl AddDunePackage {
    /// The attribute the package is written under.
    pub fn attribute(&self) -> Result<String, FlakeError> {
        match (&self.attr, self.default) {
            (Some(attr), true) if attr != "default" => Err(FlakeError::new(
                ErrorKind::InvalidArgument,
                format!("--default and --attr {attr} contradict each other"),
            )),
            (_, true) => Ok("default".to_string()),
            (Some(attr), false) => Ok(attr.clone()),
            (None, false) => Ok(self.pname.clone()),
        }
    }

    fn validate(&self) -> Result<String, FlakeError> {
        if self.pname.trim().is_empty() {
            return Err(FlakeError::new(
                ErrorKind::InvalidArgument,
                "the pname is empty",
            ));
        }
        let attr = self.attribute()?;
        if attr.is_empty() {
            return Err(FlakeError::new(
                ErrorKind::InvalidArgument,
                "the attribute name is empty",
            ));
        }
        Ok(attr)
    }
}

/// The `src` expression for a path given on the command line: a path
/// literal when the path can be written as one, else `./. + "/…"`.
pub(crate) fn source_expression(path: Option<&str>) -> Result<String, FlakeError> {
    let Some(path) = path else {
        return Ok("./.".to_string());
    };
    if path.contains('\0') {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            "the source path contains a NUL byte",
        ));
    }
    let safe = |rest: &str| {
        rest.split('/').all(|segment| {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'))
        })
    };
    let trimmed = path.trim_end_matches('/');
    if path.starts_with('/') {
        let rest = trimmed.trim_start_matches('/');
        return Ok(if rest.is_empty() {
            "/.".to_string()
        } else if safe(rest) {
            format!("/{rest}")
        } else {
            format!("(/. + {})", string_literal(&format!("/{rest}")))
        });
    }
    let relative = trimmed.strip_prefix("./").unwrap_or(trimmed);
    Ok(match relative {
        "" | "." => "./.".to_string(),
        ".." => "../.".to_string(),
        _ if safe(relative) && relative.starts_with("../") => relative.to_string(),
        _ if safe(relative) => format!("./{relative}"),
        _ => format!("(./. + {})", string_literal(&format!("/{relative}"))),
    })
}

/// The version of a new package when none is given and none is in scope:
/// a valid Nix version and Docker tag (add-docker-image takes its tag from
/// it) that no one reads as a release.
pub(crate) const DEFAULT_VERSION: &str = "dev";

/// `add-dune-package`: adds the package to every target, or completes the
/// build inputs of an existing dune package with the same pname.
///
/// `lock` is the `flake.lock` beside the file, if any: where the flake
/// declares no `nixpkgs`, it shows which input brings one to follow.
pub fn add_dune_package(
    file: &SourceFile,
    flake: &Flake,
    request: &AddDunePackage,
    lock: Option<&Lock>,
) -> Result<ChangeSet, FlakeError> {
    let attr = request.validate()?;
    let src = source_expression(request.src.as_deref())?;
    let mut context = Context::new(file, flake, lock, request.system.as_deref())?;
    let mut changes = ChangeSet::new();
    for target in context.layout.targets.clone() {
        let place = &target.packages;
        let inputs =
            resolve_build_inputs(&mut context, &target, place, &attr, &request.build_inputs)?;
        let what = format!("package `{attr}`");
        if let Slot::Taken(existing) = slot(place, &attr, &what, &mut changes.warnings)? {
            // A legacy `defaultPackage` that is not a dune package itself:
            // say that it is the legacy output a new `default` would shadow.
            if place.is_legacy(&existing) && builder_call(existing.value()).is_none() {
                if let Some(conflict) = &place.default_conflict {
                    return Err(conflict.clone());
                }
            }
            complete_existing(&context, &existing, request, &attr, &inputs, &mut changes)?;
            continue;
        }
        let scope = context.scope(place);
        let builder = builder_expression(&mut context, &target, place)?;
        let version = match &request.version {
            Some(version) => format!("version = {};", string_literal(version)),
            None if scope.contains("version") => "inherit version;".to_string(),
            None => {
                let warning = Warning::new(
                    WarningCode::Defaulted,
                    format!(
                        "no --version given and no `version` binding in scope: package `{attr}` \
                         gets `version = \"{DEFAULT_VERSION}\";`; pass --version 0.1.0 to choose one"
                    ),
                )
                .at(place.set.syntax().text_range());
                if !changes.warnings.contains(&warning) {
                    changes.warnings.push(warning);
                }
                format!("version = {};", string_literal(DEFAULT_VERSION))
            }
        };
        let snippet = package_snippet(
            &builder,
            &version,
            &request.pname,
            &inputs,
            &src,
            Convention::of(file.syntax()),
            attribute_column(file, place),
        );
        changes.add(insert_output_entry(
            &context, &target, place, &attr, &snippet,
        )?)?;
    }
    context.finish(&mut changes)?;
    if changes.is_empty() && changes.warnings.is_empty() {
        changes.warn(
            flakeedit_syntax::WarningCode::NothingToDo,
            format!("package `{attr}` already exists with these build inputs; nothing to do"),
        );
    }
    Ok(changes)
}

/// The `buildDunePackage` function as it can be written at `place`: the
/// name itself when in scope, else through `ocamlPackages` or `pkgs`.
pub(crate) fn builder_expression(
    context: &mut Context<'_>,
    target: &Target,
    place: &OutputPlace,
) -> Result<String, FlakeError> {
    let scope = context.scope(place);
    Ok(if scope.contains("buildDunePackage") {
        "buildDunePackage".to_string()
    } else if scope.contains("ocamlPackages") {
        "ocamlPackages.buildDunePackage".to_string()
    } else {
        format!(
            "{}.ocamlPackages.buildDunePackage",
            context.pkgs(target, place)?
        )
    })
}

/// `builder { pname; version; src; buildInputs; }` as a snippet indented
/// with tabs (re-indented on insertion), in nixpkgs' order unless the file
/// puts `version` first; the inputs go in the attribute the file's dune
/// packages use. `version` is a whole binding (`version = "1.0";` or
/// `inherit version;`); `src` an expression whose continuation lines are
/// already one tab deep; `column` is where the package's attributes will
/// start, for the width of a one-line list.
pub(crate) fn package_snippet(
    builder: &str,
    version: &str,
    pname: &str,
    inputs: &[String],
    src: &str,
    convention: Convention,
    column: usize,
) -> String {
    let pname = format!("pname = {};", string_literal(pname));
    let (first, second) = if convention.version_first {
        (version, pname.as_str())
    } else {
        (pname.as_str(), version)
    };
    let mut snippet = format!("{builder} {{\n\t{first}\n\t{second}\n\tsrc = {src};\n");
    if !inputs.is_empty() {
        let list = convention.list_binding(convention.dune_inputs, inputs, column);
        snippet.push_str(&format!("\t{}\n", super::nest(&list)));
    }
    snippet.push('}');
    snippet
}

/// An existing `attr`: the same dune package gets the missing build inputs;
/// anything else is a conflict.
fn complete_existing(
    context: &Context<'_>,
    existing: &ast::AttrpathValue,
    request: &AddDunePackage,
    attr: &str,
    inputs: &[String],
    changes: &mut ChangeSet,
) -> Result<(), FlakeError> {
    let conflict = |what: String| {
        FlakeError::new(
            ErrorKind::Conflict,
            format!("package `{attr}` already exists {what}"),
        )
        .at(existing.syntax().text_range())
        .hint("choose another attribute with --attr NAME, or remove the existing package first")
    };
    let Some((function, set)) = builder_call(existing.value()) else {
        return Err(conflict(
            "and is not a `buildDunePackage { … }` call".into(),
        ));
    };
    if function != "buildDunePackage" {
        return Err(conflict(format!("and is built with `{function}`")));
    }
    let pname = string_at(&set, &["pname"]);
    if pname.as_deref() != Some(request.pname.as_str()) {
        return Err(conflict(format!(
            "with pname {}",
            pname.map_or_else(|| "(not a literal)".to_string(), |p| format!("`{p}`"))
        )));
    }
    if let (Some(wanted), Some(version)) = (&request.version, string_at(&set, &["version"])) {
        if *wanted != version {
            return Err(conflict(format!("with version `{version}`")));
        }
    }
    if !append_build_inputs(context, existing, &set, attr, inputs, changes)? {
        changes.warn(
            flakeedit_syntax::WarningCode::NothingToDo,
            format!("package `{attr}` already exists with these build inputs; nothing to do"),
        );
    }
    Ok(())
}

/// The column where the attributes of a new entry of `place` will start.
pub(crate) fn attribute_column(file: &SourceFile, place: &OutputPlace) -> usize {
    entry_column(file.text(), &place.set, if place.exists { 1 } else { 2 })
}

/// The lists a package's dependencies are in.
const INPUT_LISTS: &[&str] = &["buildInputs", "propagatedBuildInputs"];

/// Adds the `inputs` that are in none of the dependency lists of a
/// package's argument `set` to its `buildInputs` (or its
/// `propagatedBuildInputs` when that is the one it has); a new list is
/// named as the file's dune packages name it and goes after the other
/// inputs, `src`, or `pname`/`version`. False when every one was there.
pub(crate) fn append_build_inputs(
    context: &Context<'_>,
    existing: &ast::AttrpathValue,
    set: &ast::AttrSet,
    attr: &str,
    inputs: &[String],
    changes: &mut ChangeSet,
) -> Result<bool, FlakeError> {
    let root = context.file.syntax();
    let candidates: Vec<String> = inputs
        .iter()
        .filter(|input| {
            !INPUT_LISTS
                .iter()
                .filter_map(|name| list_value(set, name))
                .any(|list| has_item(root, &list, input))
        })
        .cloned()
        .collect();
    let target = INPUT_LISTS
        .iter()
        .find(|name| super::list::binding_at(set, &[name]).is_some())
        .copied();
    let list = target.and_then(|name| list_value(set, name));
    let missing: Vec<String> = match &list {
        Some(list) => missing_items(root, list, &candidates),
        None => candidates,
    };
    if missing.is_empty() {
        return Ok(false);
    }
    match (list, target) {
        (Some(list), _) => {
            if let Some(edit) = append_to_list(context.file, &list, &missing) {
                changes.add(edit)?;
            }
        }
        (None, None) => {
            let is_dune = builder_call(existing.value())
                .is_some_and(|(function, _)| function == "buildDunePackage");
            let name = if is_dune {
                Convention::of(root).dune_inputs
            } else {
                "buildInputs"
            };
            let column = entry_column(context.file.text(), set, 0);
            let snippet = Convention::of(root).list_binding(name, &missing, column);
            changes.add(insert_entry(
                context.file,
                set.syntax(),
                &snippet,
                inputs_position(set),
            )?)?;
        }
        (None, Some(name)) => {
            return Err(FlakeError::new(
                ErrorKind::Unsupported,
                format!("the `{name}` of `{attr}` is not a list literal"),
            )
            .at(existing.syntax().text_range())
            .hint("add the build input by hand"))
        }
    }
    Ok(true)
}

/// Where a new list of inputs goes in a package's argument set: after its
/// other `…Inputs` lists, else after `src`, else after `pname`/`version`.
fn inputs_position(set: &ast::AttrSet) -> InsertPosition {
    use flakeedit_syntax::rnix::ast::HasEntry;
    let first_name = |entry: &ast::Entry| match entry {
        ast::Entry::AttrpathValue(binding) => binding
            .attrpath()
            .and_then(|path| path.attrs().next())
            .and_then(|attr| flakeedit_syntax::attr_name(&attr))
            .into_iter()
            .collect::<Vec<_>>(),
        ast::Entry::Inherit(inherit) => inherit
            .attrs()
            .filter_map(|attr| flakeedit_syntax::attr_name(&attr))
            .collect(),
    };
    let entries: Vec<ast::Entry> = set.entries().collect();
    let last_where = |wanted: &dyn Fn(&str) -> bool| {
        entries
            .iter()
            .filter(|entry| first_name(entry).iter().any(|name| wanted(name)))
            .last()
            .map(|entry| entry.syntax().clone())
    };
    last_where(&|name| name.ends_with("Inputs"))
        .or_else(|| last_where(&|name| name == "src"))
        .or_else(|| last_where(&|name| matches!(name, "pname" | "version")))
        .map_or(InsertPosition::Last, InsertPosition::After)
}

/// The postcondition: the package is a `buildDunePackage` call with the
/// pname, in every target, with at least as many build inputs as asked.
pub(crate) fn verify(request: &AddDunePackage, after: &Flake) -> Result<(), String> {
    let attr = request.attribute().map_err(|error| error.message)?;
    for target in targets_after(after, request.system.as_deref())? {
        let binding = target
            .packages
            .entry(&attr)
            .ok_or_else(|| format!("package `{attr}` is missing"))?;
        let (function, set) = call_with_set(binding.value())
            .ok_or_else(|| format!("package `{attr}` is not a call"))?;
        if function != "buildDunePackage" {
            return Err(format!("package `{attr}` is not a buildDunePackage"));
        }
        if string_at(&set, &["pname"]).as_deref() != Some(request.pname.as_str()) {
            return Err(format!("package `{attr}` has another pname"));
        }
        let mut wanted = request.build_inputs.clone();
        wanted.dedup();
        if !wanted.is_empty() {
            let count: usize = INPUT_LISTS
                .iter()
                .filter_map(|name| list_value(&set, name))
                .map(|list| list.items().count())
                .sum();
            if count < wanted.len() {
                return Err(format!("package `{attr}` lacks build inputs"));
            }
        }
    }
    Ok(())
}
