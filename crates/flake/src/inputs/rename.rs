//! `rename-input OLD NEW`: the declaration, the outputs argument, every use
//! in the outputs body, `inputs ? old` tests and the `follows` strings that
//! name the input, from the occurrence index ([`crate::occurrences`]); and
//! the same rename in `flake.lock` ([`rename_in_lock`]), so nothing is
//! fetched again.
//!
//! Refused when a use cannot be renamed soundly: a dynamic use (a computed
//! name, the input set passed on), a bare name under `with inputs;` (another
//! `with` may provide the new name), `inherit (inputs) old` (the name is
//! also the attribute it binds), flake-parts reading `inputs.nixpkgs` by
//! name, or a new name the outputs body already refers to.

use flakeedit_syntax::{is_plain_identifier, ChangeSet, SourceFile, TextEdit};
use rowan::ast::AstNode;

use crate::error::{ErrorKind, FlakeError};
use crate::model::{analyze_uses, occurrences, Flake, OccurrenceKind, UseKind};

/// The change set renaming input `old` to `new` in `file`.
pub fn rename_input(
    file: &SourceFile,
    flake: &Flake,
    old: &str,
    new: &str,
) -> Result<ChangeSet, FlakeError> {
    let input = flake.input(old).ok_or_else(|| {
        FlakeError::new(ErrorKind::NotApplicable, format!("no input named `{old}`"))
            .hint("`flakeedit list-inputs` shows the declared inputs")
    })?;
    if old == new {
        return Ok(ChangeSet::new());
    }
    if !is_plain_identifier(new) || new == "self" || new.contains('/') {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            format!("`{new}` cannot name an input: it must be a Nix identifier other than `self`"),
        )
        .hint("use letters, digits, `_`, `-` and `'`, starting with a letter or `_`"));
    }
    if let Some(existing) = flake.input(new) {
        return Err(FlakeError::new(
            ErrorKind::Conflict,
            format!("an input named `{new}` is already declared"),
        )
        .at(existing.range())
        .hint("choose another name, or remove that input first"));
    }
    if flake.is_registry_input(new) {
        return Err(FlakeError::new(
            ErrorKind::Conflict,
            format!("`{new}` is already an outputs argument (an input from the registry)"),
        )
        .hint("choose another name"));
    }
    if input.url().is_none() && input.follows().is_none() && input.reference().is_empty() {
        return Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!(
                "input `{old}` has no url, so Nix fetches it as `flake:{old}` from the registry; \
                 under another name it would fetch something else"
            ),
        )
        .at(input.range())
        .hint(format!(
            "write `url = \"flake:{old}\";` (or its real url) first"
        )));
    }
    let analysis = analyze_uses(flake);
    if let Some(undecided) = analysis.undecided_for(old).first() {
        return Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!(
                "cannot rename `{old}`: {}, and that use would not be renamed",
                undecided.explain(old)
            ),
        )
        .at(undecided.range)
        .hint(format!(
            "write the use as `inputs.{old}` so it can be renamed"
        )));
    }
    for found in analysis.uses_of(old) {
        let why = match found.kind {
            UseKind::Library => format!("{}, by that name", found.text),
            UseKind::With => format!(
                "`{old}` here comes from `with`, and under another name another `with` or binding \
                 may provide it"
            ),
            _ => continue,
        };
        return Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!("cannot rename `{old}`: {why}"),
        )
        .at(found.range)
        .hint(format!(
            "write the use as `inputs.{old}` so it can be renamed"
        )));
    }
    refuse_capture(flake, old, new)?;
    let mut changes = ChangeSet::new();
    for occurrence in occurrences(flake) {
        if occurrence.name != old {
            continue;
        }
        match occurrence.kind {
            OccurrenceKind::Use(UseKind::Inherited) | OccurrenceKind::InheritedVariable => {
                return Err(FlakeError::new(
                    ErrorKind::Unsupported,
                    format!(
                        "cannot rename `{old}`: `inherit` here also binds the attribute `{old}`, \
                         which a rename would change"
                    ),
                )
                .at(occurrence.range)
                .hint(format!(
                    "write `{old} = inputs.{old};` instead of inheriting it"
                )));
            }
            OccurrenceKind::Use(UseKind::Library | UseKind::With) => continue,
            _ => {}
        }
        let written = file.slice(occurrence.range);
        let replacement = if written.starts_with("${") {
            format!("${{\"{new}\"}}")
        } else if written.starts_with('"')
            && !matches!(occurrence.kind, OccurrenceKind::FollowsTarget { .. })
        {
            format!("\"{new}\"")
        } else {
            new.to_string()
        };
        changes.add(TextEdit::replace(occurrence.range, replacement))?;
    }
    Ok(changes)
}

/// Refuses when the outputs function already refers to `new` (a global
/// such as `map`, or a name bound nowhere): a formal `new` would capture it.
fn refuse_capture(flake: &Flake, old: &str, new: &str) -> Result<(), FlakeError> {
    let Some(lambda) = flake.outputs.as_ref().and_then(|o| o.lambda.as_ref()) else {
        return Ok(());
    };
    let Ok(references) = flakeedit_syntax::references(lambda.syntax()) else {
        return Err(FlakeError::new(
            ErrorKind::Unsupported,
            "the outputs function is nested too deeply to check the new name",
        ));
    };
    // A use of `old` under a `let new` or an inner function's `new` would
    // be captured.
    let root = lambda.syntax().ancestors().last();
    for occurrence in occurrences(flake) {
        let (Some(root), true) = (
            root.as_ref(),
            occurrence.name == old && occurrence.kind == OccurrenceKind::Use(UseKind::Variable),
        ) else {
            continue;
        };
        if let Some(binder) = flakeedit_syntax::scope_at(root, occurrence.range.start())
            .names
            .get(new)
        {
            return Err(FlakeError::new(
                ErrorKind::Conflict,
                format!("`{new}` is already bound where `{old}` is used; the renamed use would refer to that binding"),
            )
            .at(binder.range)
            .hint("choose another name"));
        }
    }
    if let Some(found) = references.iter().find(|r| r.name == new) {
        return Err(FlakeError::new(
            ErrorKind::Conflict,
            format!("the outputs function already refers to `{new}`; an input of that name would change what it means"),
        )
        .at(found.range)
        .hint("choose another name"));
    }
    Ok(())
}

/// The text of `flake.lock` after renaming root input `old` to `new`: the
/// root's entry, every `follows` path that starts at it, and the node keys
/// as Nix names them (depth-first in input-name order, `name_2` for a
/// name taken), written as Nix writes the file. The locked sources are
/// untouched, so nothing is fetched again. `None` when the root has no
/// input `old` (the lock does not mention it).
pub fn rename_in_lock(text: &str, old: &str, new: &str) -> Result<Option<String>, FlakeError> {
    use serde_json::{Map, Value};
    let invalid = |why: &str| {
        FlakeError::new(ErrorKind::Unsupported, format!("flake.lock: {why}"))
            .hint("run `nix flake lock` to rewrite it, then rename again")
    };
    let value: Value =
        serde_json::from_str(text).map_err(|error| invalid(&format!("not valid JSON: {error}")))?;
    let nodes = value
        .get("nodes")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("no `nodes`"))?;
    let root_key = value.get("root").and_then(Value::as_str).unwrap_or("root");
    let root_inputs = nodes
        .get(root_key)
        .and_then(|root| root.get("inputs"))
        .and_then(Value::as_object);
    if !root_inputs.is_some_and(|inputs| inputs.contains_key(old)) {
        return Ok(None);
    }
    if root_inputs.is_some_and(|inputs| inputs.contains_key(new)) {
        return Err(invalid(&format!("the root already has an input `{new}`")));
    }
    let mut writer = Rekey {
        nodes,
        old,
        new,
        keys: std::collections::HashSet::new(),
        assigned: std::collections::HashMap::new(),
        out: Map::new(),
        depth: 0,
    };
    let root = writer.dump("root", root_key, true)?;
    let mut top = Map::new();
    top.insert("nodes".into(), Value::Object(sorted(writer.out)));
    top.insert("root".into(), Value::String(root));
    for (key, value) in value.as_object().into_iter().flatten() {
        if key != "nodes" && key != "root" {
            top.insert(key.clone(), value.clone());
        }
    }
    let mut written = serde_json::to_string_pretty(&sorted_value(Value::Object(top)))
        .map_err(|error| invalid(&error.to_string()))?;
    written.push('\n');
    Ok(Some(written))
}

/// Re-keys the lock graph the way Nix's `LockFile::toJSON` does.
struct Rekey<'a> {
    nodes: &'a serde_json::Map<String, serde_json::Value>,
    old: &'a str,
    new: &'a str,
    keys: std::collections::HashSet<String>,
    assigned: std::collections::HashMap<String, String>,
    out: serde_json::Map<String, serde_json::Value>,
    depth: usize,
}

impl Rekey<'_> {
    /// Writes node `original` under a key derived from `wanted`; `is_root`
    /// renames its input `old`.
    fn dump(&mut self, wanted: &str, original: &str, is_root: bool) -> Result<String, FlakeError> {
        use serde_json::Value;
        if let Some(key) = self.assigned.get(original) {
            return Ok(key.clone());
        }
        if self.depth > 64 {
            return Err(FlakeError::new(
                ErrorKind::Unsupported,
                "flake.lock nests deeper than 64 inputs",
            ));
        }
        let mut key = wanted.to_string();
        if self.keys.contains(&key) {
            let mut n = 2;
            while self.keys.contains(&format!("{wanted}_{n}")) {
                n += 1;
            }
            key = format!("{wanted}_{n}");
        }
        self.keys.insert(key.clone());
        self.assigned.insert(original.to_string(), key.clone());
        let node = self.nodes.get(original).cloned().ok_or_else(|| {
            FlakeError::new(
                ErrorKind::Unsupported,
                format!("flake.lock: an input refers to the missing node `{original}`"),
            )
            .hint("run `nix flake lock` to rewrite it, then rename again")
        })?;
        let mut node = match node {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        if let Some(Value::Object(inputs)) = node.remove("inputs") {
            let mut renamed: Vec<(String, Value)> = inputs
                .into_iter()
                .map(|(name, reference)| {
                    let name = if is_root && name == self.old {
                        self.new.to_string()
                    } else {
                        name
                    };
                    (name, self.rename_follows(reference))
                })
                .collect();
            renamed.sort_by(|a, b| a.0.cmp(&b.0));
            let mut written = serde_json::Map::new();
            for (name, reference) in renamed {
                let reference = match reference {
                    Value::String(child) => {
                        self.depth += 1;
                        let key = self.dump(&name, &child, false)?;
                        self.depth -= 1;
                        Value::String(key)
                    }
                    other => other,
                };
                written.insert(name, reference);
            }
            node.insert("inputs".into(), Value::Object(written));
        }
        self.out.insert(key.clone(), Value::Object(node));
        Ok(key)
    }

    /// A follows path from the root whose first step is `old` now starts at `new`.
    fn rename_follows(&self, reference: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match reference {
            Value::Array(mut path) => {
                if path.first().and_then(Value::as_str) == Some(self.old) {
                    path[0] = Value::String(self.new.to_string());
                }
                Value::Array(path)
            }
            other => other,
        }
    }
}

fn sorted(
    map: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut entries: Vec<_> = map.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
        .into_iter()
        .map(|(k, v)| (k, sorted_value(v)))
        .collect()
}

/// Object keys in byte order at every depth, as Nix's JSON writer orders them.
fn sorted_value(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(sorted(map)),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted_value).collect())
        }
        other => other,
    }
}
