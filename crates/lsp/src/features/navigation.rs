//! Go to definition, find references, rename and the outline, over the
//! occurrence index of `flakeedit_flake` (the one `rename-input` uses).

use flakeedit_flake::{occurrence_at, Flake, Lock, Occurrence, OccurrenceKind, Operation};
use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{attrpath_names, strip_parens, TextRange, TextSize};
use rowan::ast::AstNode;
use tower_lsp_server::ls_types::*;

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

fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    (range, selection): (Range, Range),
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    #[allow(deprecated)]
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children,
    }
}

/// The outline: `inputs` with each input (its url or follows as detail),
/// and `outputs` with the attributes its body returns.
pub fn symbols(
    flake: &Flake,
    found: &[Occurrence],
    range_of: impl Fn(TextRange) -> Range,
) -> Vec<DocumentSymbol> {
    let mut outline = Vec::new();
    let mut all_inputs: Option<TextRange> = None;
    let mut inputs = Vec::new();
    for input in &flake.inputs {
        let Some(range) = input
            .bindings
            .iter()
            .map(|binding| binding.node.syntax().text_range())
            .reduce(|a, b| a.cover(b))
        else {
            continue;
        };
        all_inputs = Some(all_inputs.map_or(range, |all| all.cover(range)));
        let selection = found
            .iter()
            .find(|o| o.name == input.name && o.kind == OccurrenceKind::Declaration)
            .map_or(range, |o| o.range);
        let detail = input
            .url()
            .map(str::to_string)
            .or_else(|| input.follows().map(|target| format!("follows {target}")));
        inputs.push(symbol(
            input.name.clone(),
            detail,
            SymbolKind::MODULE,
            (range_of(range), range_of(selection)),
            None,
        ));
    }
    if let Some(range) = all_inputs {
        outline.push(symbol(
            "inputs".into(),
            None,
            SymbolKind::NAMESPACE,
            (range_of(range), range_of(range)),
            Some(inputs),
        ));
    }
    if let Some(outputs) = &flake.outputs {
        let range = outputs.binding.syntax().text_range();
        let selection = outputs
            .binding
            .attrpath()
            .map_or(range, |path| path.syntax().text_range());
        let mut children = Vec::new();
        let body = outputs.lambda.as_ref().and_then(|lambda| lambda.body());
        if let Some(set) = body.and_then(returned_set) {
            for binding in set.attrpath_values() {
                let Some(path) = binding.attrpath() else {
                    continue;
                };
                let name = attrpath_names(&path)
                    .map_or_else(|| path.syntax().text().to_string(), |names| names.join("."));
                children.push(symbol(
                    name,
                    None,
                    SymbolKind::FIELD,
                    (
                        range_of(binding.syntax().text_range()),
                        range_of(path.syntax().text_range()),
                    ),
                    None,
                ));
            }
        }
        outline.push(symbol(
            "outputs".into(),
            None,
            SymbolKind::FUNCTION,
            (range_of(range), range_of(selection)),
            Some(children),
        ));
    }
    outline
}

/// The attribute set an expression evaluates to, through `let … in` and
/// parentheses.
fn returned_set(expr: ast::Expr) -> Option<ast::AttrSet> {
    let mut expr = strip_parens(expr);
    for _ in 0..16 {
        match expr {
            ast::Expr::AttrSet(set) => return Some(set),
            ast::Expr::LetIn(let_in) => expr = strip_parens(let_in.body()?),
            _ => return None,
        }
    }
    None
}
