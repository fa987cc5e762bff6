//! Operations on inputs: add and remove here; set-url, pin, unpin and
//! `flake = false` in [`reference`]; follows in [`follows`].

mod follows;
mod rec_inputs;
mod reference;
mod rename;

pub use follows::{follow, follow_all};
pub use reference::{pin, set_flake, set_url, unpin};
pub use rename::{rename_in_lock, rename_input};

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{
    add_formal, as_attr_set, break_long_one_line_sets, formal_names, insert_entry,
    is_plain_identifier, quote_attr_path, remove_entries, remove_formal, string_literal, ChangeSet,
    InsertPosition, SourceFile, SyntaxNode, TextEdit, TextRange,
};
use rowan::ast::AstNode;

use crate::error::{ErrorKind, FlakeError};
use crate::flakeref::{infer_name, normalize_url};
use crate::model::{input_usage, Flake, InputDecl, InputsStyle, LeafTarget, NestedPath, UseKind};

/// How remove-input's refusals name the way past them, in the library's
/// words (the operation's `force`); a front-end replaces it with its own
/// spelling (the CLI's `--force`).
pub const FORCE_REMOVAL: &str = "set `force`";

/// What `add-input` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddInput {
    /// The flake reference (`github:o/r`, or the `o/r` shorthand).
    pub url: String,
    /// The input's name; inferred from the url when `None`.
    pub name: Option<String>,
    /// Nested follows to declare: (child path `a` or `a/b`, target).
    pub follows: Vec<(String, String)>,
    /// Write `flake = false`.
    pub no_flake: bool,
}

impl AddInput {
    /// The name the input will get.
    pub fn resolved_name(&self) -> Result<String, FlakeError> {
        let name = match &self.name {
            Some(name) => name.clone(),
            None => infer_name(&self.url).ok_or_else(|| {
                FlakeError::new(
                    ErrorKind::InvalidArgument,
                    format!("cannot infer an input name from `{}`", self.url),
                )
                .hint("pass --name NAME")
            })?,
        };
        validate_name(&name)?;
        Ok(name)
    }
}

fn validate_name(name: &str) -> Result<(), FlakeError> {
    if name.is_empty() || name.contains(['\n', '\r', '/']) {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            format!("`{}` is not a valid input name", name.escape_debug()),
        )
        .hint("input names are non-empty and contain no `/` or line breaks"));
    }
    if name == "self" {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            "`self` is reserved and cannot be an input name",
        ));
    }
    Ok(())
}

pub(super) fn not_found(flake: &Flake, name: &str) -> FlakeError {
    let names: Vec<&str> = flake
        .inputs
        .iter()
        .map(|input| input.name.as_str())
        .collect();
    let hint = if names.is_empty() {
        "the flake declares no inputs".to_string()
    } else {
        format!("declared inputs: {}", names.join(", "))
    };
    FlakeError::new(ErrorKind::NotApplicable, format!("no input named `{name}`")).hint(hint)
}

pub(super) fn input<'a>(flake: &'a Flake, name: &str) -> Result<&'a InputDecl, FlakeError> {
    flake.input(name).ok_or_else(|| not_found(flake, name))
}

/// Splits `a/b` into `["a", "b"]`, refusing empty segments.
pub(super) fn child_path(child: &str) -> Result<Vec<String>, FlakeError> {
    let segments: Vec<String> = child.split('/').map(str::to_string).collect();
    if segments.iter().any(String::is_empty) {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            format!("`{child}` is not an input path (expected `name` or `name/name`)"),
        ));
    }
    Ok(segments)
}

/// The path below an input that declares `follows` for a nested input.
pub(super) fn follows_path(child: &[String]) -> Vec<String> {
    NestedPath::new(child.to_vec()).attrpath("follows")
}

pub(super) fn check_follows_target(
    flake: &Flake,
    extra: Option<&str>,
    target: &str,
) -> Result<(), FlakeError> {
    if target.is_empty() {
        return Ok(());
    }
    let first = target.split('/').next().unwrap_or(target);
    if flake.input(first).is_some() || extra == Some(first) || flake.is_registry_input(first) {
        return Ok(());
    }
    // Point at where the flake's inputs are declared (or the file's start).
    let range = match &flake.style {
        InputsStyle::Block(set) => set.syntax().text_range(),
        InputsStyle::Dotted(binding) => binding.syntax().text_range(),
        InputsStyle::None => flake.root.syntax().text_range(),
    };
    Err(FlakeError::new(
        ErrorKind::NotApplicable,
        format!("the follows target `{target}` is not an input of this flake"),
    )
    .at(TextRange::empty(range.start()))
    .hint(format!(
        "add `{first}` as an input first, or give another target with CHILD=TARGET"
    )))
}

pub(super) fn binding_snippet(path: &[String], value: &str) -> String {
    format!("{} = {value};", quote_attr_path(path))
}

/// Sets the value at `path` below an input: replaces an existing leaf, or
/// adds a binding where the input's declaration lives (inside its set, or
/// as a dotted sibling of its last binding).
pub(crate) fn set_leaf(
    file: &SourceFile,
    input: &InputDecl,
    path: &[String],
    value: &str,
    changes: &mut ChangeSet,
) -> Result<(), FlakeError> {
    set_leaf_avoiding(file, input, path, value, changes, &[])
}

/// [`set_leaf`] that also removes `dead`, overrides of `input` that Nix
/// ignores once the leaf is written, with a warning naming them and `why`.
pub(super) fn set_leaf_dropping(
    file: &SourceFile,
    input: &InputDecl,
    path: &[String],
    value: &str,
    dead: &[&crate::model::InputLeaf],
    why: &str,
    changes: &mut ChangeSet,
) -> Result<(), FlakeError> {
    let bindings: Vec<_> = dead.iter().map(|leaf| leaf.binding.clone()).collect();
    let removed = removal_roots(input, &bindings);
    set_leaf_avoiding(file, input, path, value, changes, &removed)?;
    if dead.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = dead
        .iter()
        .map(|leaf| format!("`{}`", leaf.binding.syntax().text()))
        .collect();
    changes.warn(
        flakeedit_syntax::WarningCode::Replaced,
        format!("removed {}: {why}", shown.join(", ")),
    );
    add_deletions(changes, flakeedit_syntax::remove_entries(file, &removed))
}

/// [`set_leaf`] that never writes next to one of `removed` (entries the
/// same change set deletes), so the insertion does not land in a deletion.
pub(super) fn set_leaf_avoiding(
    file: &SourceFile,
    input: &InputDecl,
    path: &[String],
    value: &str,
    changes: &mut ChangeSet,
    removed: &[SyntaxNode],
) -> Result<(), FlakeError> {
    let wanted: Vec<&str> = path.iter().map(String::as_str).collect();
    if let Some(leaf) = input.leaf(&wanted) {
        let Some(current) = leaf.binding.value() else {
            return Ok(());
        };
        if current.syntax().text() != value {
            changes.add(TextEdit::replace(current.syntax().text_range(), value))?;
        }
        return Ok(());
    }
    // A set for the whole input (`riot = { … };`) takes the new binding.
    if let Some(set) = input
        .bindings
        .iter()
        .filter(|binding| binding.below.is_empty())
        .find_map(|binding| as_attr_set(binding.node.value()))
    {
        let kept = set
            .syntax()
            .children()
            .filter(|entry| !removed.contains(entry))
            .last();
        let position = match kept {
            Some(entry) if !removed.is_empty() => InsertPosition::After(entry),
            _ => InsertPosition::Last,
        };
        let edit = insert_entry(file, set.syntax(), &binding_snippet(path, value), position)?;
        changes.add(edit)?;
        return Ok(());
    }
    // Dotted style: a sibling of the input's last binding, same prefix.
    let Some(last) = input
        .bindings
        .iter()
        .rev()
        .find(|binding| !removed.contains(binding.node.syntax()))
        .or(input.bindings.last())
    else {
        return Err(FlakeError::new(
            ErrorKind::Internal,
            "an input without bindings",
        ));
    };
    let Some(container) = last.node.syntax().parent() else {
        return Err(FlakeError::new(
            ErrorKind::Internal,
            "a binding outside a set",
        ));
    };
    // Spell the prefix exactly as the anchor does (`"ghc-wasm".url` stays quoted).
    let spelled: Vec<String> = last
        .node
        .attrpath()
        .map(|attrpath| {
            attrpath
                .attrs()
                .take(last.prefix.len())
                .map(|attr| attr.syntax().text().to_string())
                .collect()
        })
        .unwrap_or_default();
    let prefix = if spelled.len() == last.prefix.len() {
        spelled.join(".")
    } else {
        quote_attr_path(&last.prefix)
    };
    let snippet = format!("{prefix}.{} = {value};", quote_attr_path(path));
    let edit = insert_entry(
        file,
        &container,
        &snippet,
        InsertPosition::Beside(last.node.syntax().clone()),
    )?;
    changes.add(edit)?;
    Ok(())
}

/// The nodes that remove `bindings` of `input`: a set left empty by the
/// removal goes with them (`inputs = { nixpkgs.follows = "nixpkgs"; };`
/// as a whole), up to (not including) the input's own bindings.
pub(super) fn removal_roots(input: &InputDecl, bindings: &[ast::AttrpathValue]) -> Vec<SyntaxNode> {
    let own: Vec<&SyntaxNode> = input
        .bindings
        .iter()
        .map(|binding| binding.node.syntax())
        .collect();
    let mut nodes: Vec<SyntaxNode> = bindings
        .iter()
        .map(|binding| binding.syntax().clone())
        .collect();
    loop {
        let mut grew = false;
        let snapshot = nodes.clone();
        for node in &snapshot {
            let Some(set) = node.parent().and_then(ast::AttrSet::cast) else {
                continue;
            };
            let Some(owner) = set.syntax().parent() else {
                continue;
            };
            if owner.kind() != flakeedit_syntax::SyntaxKind::NODE_ATTRPATH_VALUE
                || own.contains(&&owner)
                || nodes.contains(&owner)
            {
                continue;
            }
            let all_removed = set
                .syntax()
                .children()
                .all(|entry| snapshot.contains(&entry));
            if all_removed {
                nodes.retain(|other| other.parent().as_ref() != Some(set.syntax()));
                nodes.push(owner);
                grew = true;
            }
        }
        if !grew {
            return nodes;
        }
    }
}

/// Deletions that may touch or overlap (adjacent bindings) merged into
/// one edit each.
pub(crate) fn add_deletions(
    changes: &mut ChangeSet,
    mut ranges: Vec<TextRange>,
) -> Result<(), FlakeError> {
    ranges.sort_by_key(|range| (range.start(), range.end()));
    let mut merged: Vec<TextRange> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start() <= last.end() => *last = last.cover(range),
            _ => merged.push(range),
        }
    }
    for range in merged {
        changes.add(TextEdit::delete(range))?;
    }
    Ok(())
}

/// `add-input`: declares a new input (or completes an identical one).
pub fn add_input(
    file: &SourceFile,
    flake: &Flake,
    request: &AddInput,
) -> Result<ChangeSet, FlakeError> {
    let name = request.resolved_name()?;
    let url = normalize_url(&request.url);
    let mut follows = Vec::new();
    for (child, target) in &request.follows {
        check_follows_target(flake, Some(&name), target)?;
        follows.push((child_path(child)?, target.clone()));
    }
    let mut changes = ChangeSet::new();

    if let Some(existing) = flake.input(&name) {
        let existing_url = existing.url().map(normalize_url);
        if existing_url.as_deref() != Some(url.as_str()) {
            let shown = existing.url().map_or_else(
                || "a reference written as an attribute set".to_string(),
                |u| format!("url `{u}`"),
            );
            return Err(FlakeError::new(
                ErrorKind::Conflict,
                format!("input `{name}` already exists with {shown}"),
            )
            .at(existing.range())
            .hint(format!(
                "use `flakeedit set-url {name} {url}` to change it, or --name to add it under another name"
            )));
        }
        for (child, target) in &follows {
            set_leaf(
                file,
                existing,
                &follows_path(child),
                &string_literal(target),
                &mut changes,
            )?;
        }
        if request.no_flake && existing.flake() != Some(false) {
            set_leaf(
                file,
                existing,
                &["flake".to_string()],
                "false",
                &mut changes,
            )?;
        }
        if changes.is_empty() {
            changes.warn(
                flakeedit_syntax::WarningCode::NothingToDo,
                format!("input `{name}` already exists with this url; nothing to do"),
            );
        }
        add_outputs_formal(file, flake, &name, &mut changes)?;
        return Ok(break_long_one_line_sets(file, changes));
    }

    // The new input's own attributes, below its name.
    let mut attributes: Vec<(Vec<String>, String)> =
        vec![(vec!["url".into()], string_literal(&url))];
    if request.no_flake {
        attributes.push((vec!["flake".into()], "false".into()));
    }
    for (child, target) in &follows {
        attributes.push((follows_path(child), string_literal(target)));
    }
    changes.add(declaration(file, flake, &name, &attributes)?)?;
    add_outputs_formal(file, flake, &name, &mut changes)?;
    Ok(break_long_one_line_sets(file, changes))
}

/// Declares input `name` as `nixpkgs.follows = "X/nixpkgs";` (what opam-nix
/// and similar templates write to reuse the nixpkgs another input brings),
/// in the file's inputs style. The outputs argument is the caller's.
pub(crate) fn declare_follows_input(
    file: &SourceFile,
    flake: &Flake,
    name: &str,
    target: &str,
) -> Result<ChangeSet, FlakeError> {
    let attributes = vec![(vec!["follows".to_string()], string_literal(target))];
    let mut changes = ChangeSet::new();
    changes.add(declaration(file, flake, name, &attributes)?)?;
    Ok(break_long_one_line_sets(file, changes))
}

/// The edit declaring a new input `name` with `attributes` (paths below
/// the input's name, and values), in the file's inputs style.
fn declaration(
    file: &SourceFile,
    flake: &Flake,
    name: &str,
    attributes: &[(Vec<String>, String)],
) -> Result<TextEdit, FlakeError> {
    let name = name.to_string();
    let first_path = attributes
        .first()
        .map(|(path, _)| path.clone())
        .unwrap_or_default();
    // `randomconv.url = …;` and `randomconv.inputs.nixpkgs.follows = …;`,
    // one line each, below `prefix`.
    let dotted_lines = |prefix: &[String]| -> String {
        attributes
            .iter()
            .map(|(path, value)| {
                let mut full = prefix.to_vec();
                full.extend(path.iter().cloned());
                binding_snippet(&full, value)
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let as_set = |indent: &str| -> String {
        let mut text = format!("{} = {{\n", quote_attr_path(&[name.as_str()]));
        for (path, value) in attributes {
            text.push_str(&format!("{indent}\t{}\n", binding_snippet(path, value)));
        }
        text.push_str(&format!("{indent}}};"));
        text
    };
    let edit = match &flake.style {
        InputsStyle::Block(set) => {
            let snippet = if attributes.len() == 1 {
                binding_snippet(
                    &[std::slice::from_ref(&name), first_path.as_slice()].concat(),
                    &attributes[0].1,
                )
            } else if writes_nested_sets(flake, false) {
                as_set("")
            } else {
                dotted_lines(std::slice::from_ref(&name))
            };
            insert_entry(file, set.syntax(), &snippet, InsertPosition::Last)?
        }
        InputsStyle::Dotted(last) => {
            let snippet = if attributes.len() > 1 && writes_nested_sets(flake, true) {
                format!("inputs.{}", as_set(""))
            } else {
                dotted_lines(&["inputs".to_string(), name.clone()])
            };
            insert_entry(
                file,
                flake.root.syntax(),
                &snippet,
                InsertPosition::After(last.syntax().clone()),
            )?
        }
        InputsStyle::None => {
            let inner = if attributes.len() == 1 {
                format!(
                    "\t{}",
                    binding_snippet(
                        &[std::slice::from_ref(&name), first_path.as_slice()].concat(),
                        &attributes[0].1
                    )
                )
            } else {
                format!("\t{}", as_set("\t"))
            };
            let snippet = format!("inputs = {{\n{inner}\n}};");
            let position = match &flake.outputs {
                Some(outputs) => InsertPosition::Before(outputs.binding.syntax().clone()),
                None => InsertPosition::Last,
            };
            if flake.root.syntax().children().next().is_none() {
                // `{ }`: insert_entry handles empty sets itself.
                insert_entry(file, flake.root.syntax(), &snippet, InsertPosition::Last)?
            } else {
                insert_entry(file, flake.root.syntax(), &snippet, position)?
            }
        }
    };
    Ok(edit)
}

/// Whether the file writes an input with several attributes as one set
/// (`riot = { url = …; inputs.nixpkgs.follows = …; };`) rather than as
/// dotted lines (`riot.url = …;` `riot.inputs.nixpkgs.follows = …;`), by
/// what its own inputs do. With no such input to copy: nested in an
/// `inputs` block, dotted at the top level (`inputs.x.url = …;`), which is
/// how those files are usually written.
fn writes_nested_sets(flake: &Flake, dotted_top_level: bool) -> bool {
    let mut nested = 0usize;
    let mut dotted = 0usize;
    for input in &flake.inputs {
        if input
            .bindings
            .iter()
            .any(|binding| binding.below.is_empty() && as_attr_set(binding.node.value()).is_some())
        {
            nested += 1;
        } else if input.bindings.len() > 1 {
            dotted += 1;
        }
    }
    match nested.cmp(&dotted) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => !dotted_top_level,
    }
}

/// Adds `name` to an outputs pattern without `...` (where every input must
/// be a formal or Nix fails with "called with unexpected argument").
fn add_outputs_formal(
    file: &SourceFile,
    flake: &Flake,
    name: &str,
    changes: &mut ChangeSet,
) -> Result<(), FlakeError> {
    let Some(outputs) = &flake.outputs else {
        return Ok(());
    };
    if !outputs.is_closed_pattern() {
        return Ok(());
    }
    let Some(pattern) = outputs.pattern() else {
        return Ok(());
    };
    if formal_names(&pattern).iter().any(|formal| formal == name) {
        return Ok(());
    }
    if !is_plain_identifier(name) {
        return Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!(
                "`{name}` is not a Nix identifier, so it cannot be added to the outputs arguments"
            ),
        )
        .at(pattern.syntax().text_range())
        .hint("add `...` to the outputs arguments, or choose another name with --name"));
    }
    if let Some(edit) = add_formal(file, &pattern, name) {
        changes.add(edit)?;
    }
    Ok(())
}

/// What [`remove_input`] does for an input that the outputs never use,
/// that no other input follows and whose input set does not escape: the
/// caller has established all three (`check` does, for every input at
/// once), so none is checked again here.
pub(crate) fn remove_unused_input(
    file: &SourceFile,
    flake: &Flake,
    input: &InputDecl,
) -> Result<ChangeSet, FlakeError> {
    let mut changes = ChangeSet::new();
    add_deletions(&mut changes, remove_entries(file, &own_bindings(input)))?;
    remove_from_pattern(&mut changes, file, flake, &input.name)?;
    Ok(changes)
}

fn own_bindings(input: &InputDecl) -> Vec<SyntaxNode> {
    input
        .bindings
        .iter()
        .map(|binding| binding.node.syntax().clone())
        .collect()
}

fn remove_from_pattern(
    changes: &mut ChangeSet,
    file: &SourceFile,
    flake: &Flake,
    name: &str,
) -> Result<(), FlakeError> {
    if let Some(pattern) = flake.outputs.as_ref().and_then(|outputs| outputs.pattern()) {
        if let Some(edit) = remove_formal(file, &pattern, name) {
            changes.add(edit)?;
        }
    }
    Ok(())
}

/// `remove-input`: removes the declaration in every form, the follows that
/// point at it and its outputs formal. Refuses while the outputs body uses
/// the input, unless `force`.
/// An input whose whole source is `follows = "NAME…"` would lose its
/// source with NAME: Nix then drops it (or fetches it from the registry),
/// which is a second change nobody asked for. Refuse, pointing at it.
fn refuse_when_followed(flake: &Flake, name: &str) -> Result<(), FlakeError> {
    for other in flake.inputs.iter().filter(|other| other.name != name) {
        for leaf in &other.leaves {
            let is_own_follows = leaf.target() == LeafTarget::Own("follows");
            let Some(target) = leaf.value.as_str().filter(|_| is_own_follows) else {
                continue;
            };
            if target == name || target.starts_with(&format!("{name}/")) {
                return Err(FlakeError::new(
                    ErrorKind::Conflict,
                    format!(
                        "input `{}` follows `{target}`: removing `{name}` would leave `{}` without a source",
                        other.name, other.name
                    ),
                )
                .at(leaf.binding.syntax().text_range())
                .hint(format!(
                    "replace that `follows` with a url of `{}`'s own, then remove `{name}`",
                    other.name
                )));
            }
        }
    }
    Ok(())
}

/// Files beside `flake.nix` may read an input through `flake.lock`
/// (flake-compat's `default.nix`: `lock.nodes.flake-compat.locked`);
/// removing it would break them after the next lock. Refused when a
/// sibling `.nix` file names the input, or, when the directory cannot be
/// read (text alone), for a flake-compat input; `force` makes it a warning.
fn read_beside(
    input: &InputDecl,
    name: &str,
    force: bool,
    changes: &mut ChangeSet,
) -> Result<(), FlakeError> {
    let reason = match crate::imports::siblings_mentioning(name) {
        Some(files) if !files.is_empty() => format!(
            "{} beside flake.nix name{} `{name}`, which such files read through flake.lock",
            files.iter().map(|file| format!("`{file}`")).collect::<Vec<_>>().join(", "),
            if files.len() == 1 { "s" } else { "" }
        ),
        None if crate::check::is_flake_compat(input) => format!(
            "`{name}` is flake-compat, which default.nix and shell.nix usually read through flake.lock, and flakeedit cannot see those files here"
        ),
        _ => return Ok(()),
    };
    if force {
        changes.warn_at(
            flakeedit_syntax::WarningCode::Undecided,
            input.range(),
            format!("{reason}; check that they still work after `nix flake lock`"),
        );
        return Ok(());
    }
    Err(FlakeError::new(
        ErrorKind::Conflict,
        format!("input `{name}` is not used by outputs, but {reason}"),
    )
    .at(input.range())
    .hint(format!(
        "check that those files no longer read `{name}`, then {FORCE_REMOVAL} to remove it"
    )))
}

/// `remove-input NAME`: removes the declaration, the follows of other
/// inputs that point at it and its outputs argument. Refused when the
/// outputs still use it (unless `force`, which leaves warnings), when
/// whether they do cannot be told, or when another input follows it.
pub fn remove_input(
    file: &SourceFile,
    flake: &Flake,
    name: &str,
    force: bool,
) -> Result<ChangeSet, FlakeError> {
    let input = input(flake, name)?;
    let usage = input_usage(flake, name);
    let uses = usage.uses;
    let mut changes = ChangeSet::new();
    if !uses.is_empty() {
        if !force {
            let mut error = FlakeError::new(
                ErrorKind::Conflict,
                format!(
                    "input `{name}` is still used by outputs ({} place{})",
                    uses.len(),
                    if uses.len() == 1 { "" } else { "s" }
                ),
            )
            .at(input.range())
            .hint(format!(
                "remove those uses first, or {FORCE_REMOVAL} to remove the input anyway"
            ));
            error.related = uses
                .iter()
                .map(|u| (u.range, format!("used here as `{}`", u.text)))
                .collect();
            return Err(error);
        }
        for found in &uses {
            changes.warn_at(
                flakeedit_syntax::WarningCode::StillUsed,
                found.range,
                format!(
                    "the outputs still use `{}` here; evaluation will fail until that use is removed",
                    found.text
                ),
            );
        }
    }
    // Whether a computed name, a `with`, or the whole input set passed on
    // reads this input cannot be decided here: refuse, naming the place.
    if let Some(first) = usage.undecided.first() {
        let position = file.lines().line_col(file.text(), first.range.start());
        if !force {
            let mut error = FlakeError::new(
                ErrorKind::Conflict,
                format!(
                    "cannot tell whether input `{name}` is still used: {} (line {}, column {})",
                    first.explain(name),
                    position.line,
                    position.col
                ),
            )
            .at(first.range)
            .hint(format!(
                "check that nothing there reads `{name}`, then {FORCE_REMOVAL} to remove it"
            ));
            error.related = usage
                .undecided
                .iter()
                .skip(1)
                .map(|undecided| (undecided.range, undecided.explain(name)))
                .collect();
            return Err(error);
        }
        for undecided in &usage.undecided {
            changes.warn_at(
                flakeedit_syntax::WarningCode::Undecided,
                undecided.range,
                format!(
                    "{}; check that the flake still evaluates",
                    undecided.explain(name)
                ),
            );
        }
    }
    refuse_when_followed(flake, name)?;
    rec_inputs::refuse_when_read(flake, input, name)?;
    read_beside(input, name, force, &mut changes)?;
    let mut removed = own_bindings(input);
    for other in flake.inputs.iter().filter(|other| other.name != name) {
        let mut follows_here = Vec::new();
        for leaf in &other.leaves {
            let points_here = leaf.is_follows()
                && leaf.value.as_str().is_some_and(|target| {
                    target == name || target.starts_with(&format!("{name}/"))
                });
            if points_here {
                follows_here.push(leaf.binding.clone());
            }
        }
        removed.extend(removal_roots(other, &follows_here));
    }
    let deletions = remove_entries(file, &removed);
    add_deletions(&mut changes, deletions)?;
    // A formal the body still refers to stays: without it Nix rejects the
    // whole file ("undefined variable"); with it, only evaluation fails.
    let used_as_variable = uses.iter().any(|found| found.kind == UseKind::Variable);
    if used_as_variable {
        if let Some(pattern) = flake.outputs.as_ref().and_then(|outputs| outputs.pattern()) {
            let message =
                format!("kept `{name}` in the outputs arguments because the outputs still use it");
            let formal = pattern
                .pat_entries()
                .find(|entry| flakeedit_syntax::formal_name(entry).as_deref() == Some(name));
            match formal {
                Some(entry) => changes.warn_at(
                    flakeedit_syntax::WarningCode::StillUsed,
                    entry.syntax().text_range(),
                    message,
                ),
                None => changes.warn(flakeedit_syntax::WarningCode::StillUsed, message),
            }
        }
    } else {
        remove_from_pattern(&mut changes, file, flake, name)?;
    }
    Ok(changes)
}
