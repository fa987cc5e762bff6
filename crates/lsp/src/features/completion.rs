//! Completion where a flake names inputs: `follows = "…"` targets (our
//! inputs and `input/nested` paths from the lock), nested input names at
//! `inputs.x.inputs.<here>`, outputs arguments from the declared inputs, and
//! the attributes of an input (`url`, `flake`, `follows`, `inputs`, …).
//!
//! The user is typing, so the file often does not parse: the context is
//! read from the text before the cursor and the tree around it, and the
//! model is read leniently.

use flakeedit_flake::{Flake, Lock, LockInputRef};
use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{attrpath_names, SourceFile, SyntaxKind, SyntaxNode, TextRange, TextSize};
use rowan::ast::AstNode;

/// What a completion item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateKind {
    /// One of our inputs.
    Input,
    /// A nested input (`a/b`, or `b` below `a`), from the lock.
    NestedInput,
    /// An attribute of an input declaration.
    Attribute,
}

/// One completion: what to insert over `replace`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The text.
    pub label: String,
    /// What it is, with a word of detail.
    pub kind: CandidateKind,
    /// A short description.
    pub detail: String,
    /// The range the text replaces (the partial word before the cursor).
    pub replace: TextRange,
}

/// Attributes an input declaration may set, with what they mean.
const INPUT_ATTRIBUTES: &[(&str, &str)] = &[
    ("url", "the flake reference"),
    ("flake", "false: a plain source, not a flake"),
    ("follows", "use another input instead"),
    ("inputs", "override this input's own inputs"),
    (
        "type",
        "reference type (github, gitlab, git, path, tarball, …)",
    ),
    ("owner", "forge owner"),
    ("repo", "forge repository"),
    ("ref", "branch or tag"),
    ("rev", "commit"),
    ("dir", "subdirectory holding flake.nix"),
    ("host", "forge host"),
    ("path", "local path"),
    ("narHash", "expected NAR hash"),
    ("submodules", "fetch git submodules"),
];

/// The completions at `offset` of `text` (parsed as `file`, whose lenient
/// model is `flake`).
pub fn complete(
    text: &str,
    file: &SourceFile,
    flake: &Flake,
    lock: Option<&Lock>,
    offset: usize,
) -> Vec<Candidate> {
    let root = file.root().syntax();
    let Some(before) = text.get(..offset) else {
        return Vec::new();
    };
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let line = &before[line_start..];
    if let Some(partial) = follows_partial(line) {
        let replace = range(offset - partial.len(), offset);
        return follows_targets(flake, lock, replace);
    }
    let chain_start = line
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '-' | '.' | '"'))
        .last()
        .map_or(offset, |(index, _)| line_start + index);
    let chain = &text[chain_start..offset];
    let mut segments: Vec<String> = chain
        .split('.')
        .map(|s| s.trim_matches('"').to_string())
        .collect();
    segments.pop();
    let replace = range(
        offset - chain.rsplit('.').next().unwrap_or_default().len(),
        offset,
    );
    if let Some(names) = outputs_pattern_at(flake, offset) {
        return flake
            .inputs
            .iter()
            .map(|input| input.name.as_str())
            .chain(std::iter::once("self"))
            .filter(|name| !names.iter().any(|formal| formal == name))
            .map(|name| Candidate {
                label: name.to_string(),
                kind: CandidateKind::Input,
                detail: "input".into(),
                replace,
            })
            .collect();
    }
    let mut path = enclosing_path(flake, root, chain_start);
    path.extend(segments);
    match path.as_slice() {
        [inputs, _] if inputs == "inputs" => attributes(replace),
        [inputs, input, nested] if inputs == "inputs" && nested == "inputs" => {
            nested_inputs(lock, input, replace)
        }
        [inputs, _, nested, _] if inputs == "inputs" && nested == "inputs" => attributes(replace)
            .into_iter()
            .filter(|c| matches!(c.label.as_str(), "follows" | "inputs"))
            .collect(),
        _ => Vec::new(),
    }
}

fn range(start: usize, end: usize) -> TextRange {
    let size = |offset: usize| TextSize::from(u32::try_from(offset).unwrap_or(u32::MAX));
    TextRange::new(size(start), size(end.max(start)))
}

/// The partial target when the line before the cursor ends inside
/// `follows = "…`.
fn follows_partial(line: &str) -> Option<&str> {
    let quote = line.rfind('"')?;
    let before = line[..quote].trim_end().strip_suffix('=')?.trim_end();
    if !before.ends_with("follows") {
        return None;
    }
    let partial = &line[quote + 1..];
    (!partial.contains('"')).then_some(partial)
}

fn follows_targets(flake: &Flake, lock: Option<&Lock>, replace: TextRange) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = flake
        .inputs
        .iter()
        .map(|input| Candidate {
            label: input.name.clone(),
            kind: CandidateKind::Input,
            detail: input.url().unwrap_or("input").to_string(),
            replace,
        })
        .collect();
    let Some(lock) = lock else {
        return found;
    };
    let Some(root) = lock.root_node() else {
        return found;
    };
    // While a string is open the rest of the file may not parse: the
    // lock knows the inputs declared after the cursor.
    for name in root.inputs.keys() {
        if !found.iter().any(|candidate| candidate.label == *name) {
            found.push(Candidate {
                label: name.clone(),
                kind: CandidateKind::Input,
                detail: "input".into(),
                replace,
            });
        }
    }
    for name in root.inputs.keys() {
        let Some((_, node)) = lock.node_of_input(name) else {
            continue;
        };
        for (nested, reference) in &node.inputs {
            // Following what already follows is following its target.
            if let LockInputRef::Node(_) = reference {
                found.push(Candidate {
                    label: format!("{name}/{nested}"),
                    kind: CandidateKind::NestedInput,
                    detail: format!("`{nested}` of `{name}`"),
                    replace,
                });
            }
        }
    }
    found
}

fn nested_inputs(lock: Option<&Lock>, input: &str, replace: TextRange) -> Vec<Candidate> {
    let Some((_, node)) = lock.and_then(|lock| lock.node_of_input(input)) else {
        return Vec::new();
    };
    node.inputs
        .iter()
        .map(|(name, reference)| Candidate {
            label: name.clone(),
            kind: CandidateKind::NestedInput,
            detail: match reference {
                LockInputRef::Node(_) => format!("input of `{input}`"),
                LockInputRef::Follows(path) => {
                    format!("input of `{input}`, follows `{}`", path.join("/"))
                }
            },
            replace,
        })
        .collect()
}

fn attributes(replace: TextRange) -> Vec<Candidate> {
    INPUT_ATTRIBUTES
        .iter()
        .map(|(name, detail)| Candidate {
            label: (*name).to_string(),
            kind: CandidateKind::Attribute,
            detail: (*detail).to_string(),
            replace,
        })
        .collect()
}

/// The formals already written when `offset` is inside the outputs
/// function's pattern.
fn outputs_pattern_at(flake: &Flake, offset: usize) -> Option<Vec<String>> {
    let outputs = flake.outputs.as_ref()?;
    let range = outputs.pattern_range()?;
    let offset = TextSize::from(u32::try_from(offset).ok()?);
    if !(range.start() < offset && offset < range.end()) {
        return None;
    }
    Some(
        outputs
            .formals()
            .into_iter()
            .map(|formal| formal.name)
            .collect(),
    )
}

/// The attribute path of the sets enclosing `offset`, from the file's root
/// set (`["inputs", "x"]` inside `inputs = { x = { | }; }`); empty outside it.
fn enclosing_path(flake: &Flake, root: &SyntaxNode, offset: usize) -> Vec<String> {
    let Ok(offset) = u32::try_from(offset) else {
        return Vec::new();
    };
    let offset = TextSize::from(offset);
    let Some(token) = root.token_at_offset(offset).right_biased() else {
        return Vec::new();
    };
    let mut path = Vec::new();
    let root_set = flake.root_range();
    for node in token.parent_ancestors() {
        if node.kind() == SyntaxKind::NODE_ATTR_SET && node.text_range() == root_set {
            return path;
        }
        let Some(set) = ast::AttrSet::cast(node.clone()) else {
            continue;
        };
        let range = set.syntax().text_range();
        if !(range.start() < offset && offset <= range.end()) {
            continue;
        }
        let Some(binding) = node.parent().and_then(ast::AttrpathValue::cast) else {
            return Vec::new();
        };
        let Some(names) = binding.attrpath().as_ref().and_then(attrpath_names) else {
            return Vec::new();
        };
        path.splice(0..0, names);
    }
    Vec::new()
}
