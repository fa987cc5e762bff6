//! Hover on an input: what it is, what it is locked to and what it brings.

use flakeedit_flake::{Flake, InputDecl, Lock, LockInputRef};
use flakeedit_syntax::{TextRange, TextSize};

use super::forge::{age, commit_link, date, short_rev};
use flakeedit_flake::{occurrence_at, Occurrence, OccurrenceKind};

/// The Markdown hover for the input named at `offset`, and the range of
/// the name; `found` are the flake's occurrences
/// (`flakeedit_flake::occurrences`) and `now` is seconds since the epoch
/// (for the commit's age).
pub fn hover(
    flake: &Flake,
    found: &[Occurrence],
    lock: Option<&Lock>,
    offset: TextSize,
    now: i64,
) -> Option<(TextRange, String)> {
    let occurrence = occurrence_at(found, offset)?;
    let input = flake.input(&occurrence.name)?;
    let mut text = describe(input, lock, now);
    if let OccurrenceKind::FollowsTarget { .. } = occurrence.kind {
        text.insert_str(0, "*follows target*\n\n");
    }
    Some((occurrence.range, text))
}

/// The Markdown description of `input`.
pub fn describe(input: &InputDecl, lock: Option<&Lock>, now: i64) -> String {
    let mut text = format!("**input `{}`**", input.name);
    if let Some(url) = input.url() {
        text.push_str(&format!(" — `{url}`"));
    } else {
        let reference = input.reference();
        if !reference.is_empty() {
            let fields: Vec<String> = reference
                .iter()
                .map(|(key, value)| format!("{key} = \"{value}\""))
                .collect();
            text.push_str(&format!(" — `{{ {} }}`", fields.join("; ")));
        }
    }
    if input.flake() == Some(false) {
        text.push_str(" (not a flake)");
    }
    text.push_str("\n\n");
    if let Some(target) = input.follows() {
        let shown = if target.is_empty() {
            "nothing (`follows = \"\"`)".to_string()
        } else {
            format!("`{target}`")
        };
        text.push_str(&format!("Follows {shown}.\n\n"));
    }
    let Some(lock) = lock else {
        text.push_str("No readable `flake.lock`: not locked yet.\n");
        return text;
    };
    let Some(root) = lock.root_node() else {
        return text;
    };
    match root.inputs.get(&input.name) {
        None => {
            text.push_str("Not in `flake.lock`: run `nix flake lock`.\n");
            return text;
        }
        Some(LockInputRef::Follows(path)) if input.follows().is_none() => {
            text.push_str(&format!("Locked as following `{}`.\n\n", path.join("/")));
        }
        Some(_) => {}
    }
    let Some((key, node)) = lock.node_of_input(&input.name) else {
        return text;
    };
    match node.rev.as_deref() {
        Some(rev) => {
            let short = short_rev(rev);
            match commit_link(node) {
                Some(link) => text.push_str(&format!("Locked at [`{short}`]({link})")),
                None => text.push_str(&format!("Locked at `{short}`")),
            }
        }
        None => text.push_str(&format!("Locked (node `{key}`)")),
    }
    if let Some(modified) = node.last_modified {
        text.push_str(&format!(", {} ({})", date(modified), age(modified, now)));
    }
    text.push_str(".\n");
    if let Some(reference) = node.original.get("ref") {
        text.push_str(&format!("\nBranch or tag asked for: `{reference}`.\n"));
    }
    if !node.inputs.is_empty() {
        text.push_str("\nIts inputs:\n");
        for (name, reference) in &node.inputs {
            let line = match reference {
                LockInputRef::Follows(path) if path.is_empty() => {
                    "follows nothing (`follows = \"\"`)".to_string()
                }
                LockInputRef::Follows(path) => {
                    let ours = path.len() == 1 && root.inputs.contains_key(&path[0]);
                    format!(
                        "follows `{}`{}",
                        path.join("/"),
                        if ours { " (ours)" } else { "" }
                    )
                }
                LockInputRef::Node(child) => {
                    let rev = lock
                        .nodes
                        .get(child)
                        .and_then(|node| node.rev.as_deref())
                        .map(|rev| format!(" at `{}`", short_rev(rev)))
                        .unwrap_or_default();
                    format!("its own{rev}")
                }
            };
            text.push_str(&format!("- `{name}`: {line}\n"));
        }
    }
    text
}
