//! Go to definition, find references and rename, over the
//! occurrence index of `flakeedit_flake` (the one `rename-input` uses).

use flakeedit_flake::{occurrence_at, Flake, Lock, Occurrence, OccurrenceKind, Operation};
use flakeedit_syntax::{TextRange, TextSize};

/// Where what is named at an offset is defined.
pub enum Definition {
    /// A range in the flake: the input's declaration.
    InFlake(TextRange),
    /// The key of the input's node in `flake.lock` (from a declaration).
    LockNode(String),
}

/// The definition of the input named at `offset`: from a use, an outputs
/// argument or a follows target, its declaration; from its declaration,
/// its node in `flake.lock`. `found` are the flake's occurrences
/// (`flakeedit_flake::occurrences`).
pub fn definition(
    found: &[Occurrence],
    lock: Option<&Lock>,
    offset: TextSize,
) -> Option<Definition> {
    let here = occurrence_at(found, offset)?;
    if here.kind == OccurrenceKind::Declaration {
        let (key, _) = lock?.node_of_input(&here.name)?;
        return Some(Definition::LockNode(key.to_string()));
    }
    found
        .iter()
        .find(|occurrence| {
            occurrence.name == here.name && occurrence.kind == OccurrenceKind::Declaration
        })
        .map(|declaration| Definition::InFlake(declaration.range))
}

/// Every place naming the input named at `offset`; its declarations only
/// when `declarations` is set.
pub fn references(found: &[Occurrence], offset: TextSize, declarations: bool) -> Vec<TextRange> {
    let Some(here) = occurrence_at(found, offset) else {
        return Vec::new();
    };
    found
        .iter()
        .filter(|occurrence| occurrence.name == here.name)
        .filter(|occurrence| declarations || occurrence.kind != OccurrenceKind::Declaration)
        .map(|occurrence| occurrence.range)
        .collect()
}

/// The input a rename at `offset` renames, and the range of its name there.
pub fn rename_target(
    flake: &Flake,
    found: &[Occurrence],
    offset: TextSize,
) -> Option<(String, TextRange)> {
    let here = occurrence_at(found, offset)?;
    flake.input(&here.name)?;
    Some((here.name.clone(), here.range))
}

/// The `rename-input` operation a rename to `new_name` at `offset` runs.
pub fn rename_operation(
    flake: &Flake,
    found: &[Occurrence],
    offset: TextSize,
    new_name: &str,
) -> Option<Operation> {
    let (old, _) = rename_target(flake, found, offset)?;
    Some(Operation::RenameInput {
        old,
        new: new_name.to_string(),
    })
}

/// The byte offset of node `key` in `flake.lock`'s text: the key string
/// directly inside `"nodes"`, found by scanning the JSON (strings and
/// depth), whatever the layout.
pub fn lock_node_offset(lock_text: &str, key: &str) -> Option<usize> {
    let quoted = serde_json::to_string(key).ok()?;
    let bytes = lock_text.as_bytes();
    let mut depth = 0usize;
    let mut nodes_depth = None;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'"' => {
                let start = index;
                index += 1;
                while index < bytes.len() && bytes[index] != b'"' {
                    index += if bytes[index] == b'\\' { 2 } else { 1 };
                }
                let end = (index + 1).min(bytes.len());
                let string = lock_text.get(start..end)?;
                let is_key = lock_text
                    .get(end..)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'));
                if is_key && nodes_depth == Some(depth) && string == quoted {
                    return Some(start);
                }
                if is_key && depth == 1 && string == "\"nodes\"" {
                    nodes_depth = Some(2);
                }
            }
            b'{' => depth += 1,
            b'}' => {
                if nodes_depth == Some(depth) {
                    nodes_depth = None;
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        index += 1;
    }
    None
}
