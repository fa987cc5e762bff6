//! Checks against `flake.lock`: `not-following`, `follows-nonexistent`,
//! `unlocked-input`, `stale-lock-entry`, `lock-out-of-date`.

use super::DiagnosticCode;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use flakeedit_syntax::{remove_entry, ChangeSet, TextRange};
use rowan::ast::AstNode;

use super::inputs::input_name_range;
use super::nixpkgs::date;
use super::{Context, Fix, Sink};
use crate::inputs::follow;
use crate::lock::{Lock, LockInputRef, LockNode, OwnNestedInput};
use crate::meaning::AllowedChange;
use crate::model::{InputDecl, InputsStyle};

/// Nested inputs that should follow one of ours: (their name, our input).
/// flake-parts' `nixpkgs-lib` is satisfied by a full nixpkgs.
const FOLLOW_CHILDREN: &[(&str, &str)] = &[
    ("nixpkgs", "nixpkgs"),
    ("nixpkgs-lib", "nixpkgs"),
    ("systems", "systems"),
    ("flake-utils", "flake-utils"),
    ("flake-parts", "flake-parts"),
];

fn split(path: &str) -> Vec<String> {
    path.split('/').map(str::to_string).collect()
}

/// What the lock checks of a whole flake found about all of its inputs,
/// which the messages of each input's `not-following` depend on: an
/// incremental check keeps it to tell whether they still hold.
#[derive(Debug, Clone)]
pub(crate) struct LockFacts {
    /// The nested inputs `not-following` names, as full paths
    /// (`["home-manager", "nixpkgs"]`).
    pub all: HashSet<Vec<String>>,
    /// How many distinct nixpkgs revisions the lock holds.
    pub before: usize,
    /// How many of them following all of `all` removes.
    pub removed_by_all: usize,
    /// How many of them following one path removes (by the lock alone).
    removals: Arc<Removals>,
}

impl LockFacts {
    /// The facts of `lock` for the nested inputs `all`; `known`, facts of
    /// the same lock, for what depends on the lock alone.
    pub fn of(lock: &Lock, all: HashSet<Vec<String>>, known: Option<&LockFacts>) -> LockFacts {
        let removals = match known {
            Some(known) => Arc::clone(&known.removals),
            None => Arc::new(Removals::of(lock)),
        };
        let before = removals.revisions;
        let removed_by_all = if all.is_empty() {
            0
        } else {
            before - nixpkgs_revisions(lock, &all).len().min(before)
        };
        LockFacts {
            all,
            before,
            removed_by_all,
            removals,
        }
    }

    /// True when every `not-following` message reads the same with these
    /// facts as with `other`.
    pub fn reads_as(&self, other: &LockFacts) -> bool {
        self.before == other.before
            && self.removed_by_all == other.removed_by_all
            && (self.all.len() > 1) == (other.all.len() > 1)
    }
}

/// The nested inputs of `inputs` that `not-following` names, as full
/// paths (the input's name first).
pub(crate) fn candidate_paths(context: &Context, inputs: &[InputDecl]) -> HashSet<Vec<String>> {
    candidates(context, inputs)
        .into_iter()
        .map(|(input, nested)| full_path(input, &nested))
        .collect()
}

fn full_path(input: &InputDecl, nested: &OwnNestedInput) -> Vec<String> {
    let mut path = vec![input.name.clone()];
    path.extend(nested.path.iter().cloned());
    path
}

/// The nested inputs of `inputs` that bring their own copy of one of ours
/// (shallow first, then in the order of FOLLOW_CHILDREN), with their input.
fn candidates<'a>(
    context: &Context,
    inputs: &'a [InputDecl],
) -> Vec<(&'a InputDecl, OwnNestedInput)> {
    let Some(lock) = context.lock else {
        return Vec::new();
    };
    let children: Vec<(&str, &str)> = FOLLOW_CHILDREN
        .iter()
        .filter(|(_, ours)| context.declares(ours))
        .copied()
        .collect();
    let mut candidates = Vec::new();
    for input in inputs {
        if input.follows().is_some() || input.flake() == Some(false) {
            continue;
        }
        if lock.node_of_input(&input.name).is_none() {
            continue;
        }
        let overridden: Vec<Vec<String>> = input
            .nested_follows()
            .iter()
            .map(|f| f.path.names().to_vec())
            .collect();
        let mut nested = lock.own_nested_inputs(&input.name, &children, &overridden);
        // Shallow first, then in the order of FOLLOW_CHILDREN (nixpkgs first).
        nested.sort_by_cached_key(|nested| {
            let last = nested.path.last().map(String::as_str);
            let rank = FOLLOW_CHILDREN
                .iter()
                .position(|(child, _)| Some(*child) == last);
            (nested.path.len(), rank, nested.path.clone())
        });
        candidates.extend(nested.into_iter().map(|nested| (input, nested)));
    }
    candidates
}

/// True when `name` is one of ours that nested inputs should follow: its
/// declaration changes which nested inputs every input's `not-following`
/// names.
pub(crate) fn is_followed_by_children(name: &str) -> bool {
    FOLLOW_CHILDREN.iter().any(|(_, ours)| *ours == name)
}

/// Checks `context.flake`'s inputs against the lock. `stale-lock-entry`
/// is reported for the names in `only`, when given (an incremental check
/// asks for the names whose declaration changed), else for every locked
/// name. `facts`, when given, are those of the whole flake (an
/// incremental check's `context.flake` holds one binding's inputs);
/// without, they are computed from `context.flake` and returned.
pub(crate) fn check(
    context: &Context,
    sink: &mut Sink,
    only: Option<&HashSet<String>>,
    facts: Option<&LockFacts>,
) -> Option<LockFacts> {
    let lock = context.lock?;
    let root = lock.root_node()?;
    let flake = context.flake;
    for input in &flake.inputs {
        if !root.inputs.contains_key(&input.name) {
            sink.report(
                DiagnosticCode::UnlockedInput,
                input_name_range(input),
                &input.name,
                format!(
                    "input `{}` is not in flake.lock: run `nix flake lock`",
                    input.name
                ),
                None,
            );
        }
    }
    let mut stale = |locked: &String| {
        if !context.declares(locked) {
            sink.report(
                DiagnosticCode::StaleLockEntry,
                inputs_range(context),
                locked,
                format!(
                    "flake.lock still locks input `{locked}`, which flake.nix no longer declares: \
                     run `nix flake lock`"
                ),
                None,
            );
        }
    };
    match only {
        None => root.inputs.keys().for_each(&mut stale),
        // In the lock's order, without going through all its names.
        Some(only) => only
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|name| root.inputs.contains_key(*name))
            .for_each(&mut stale),
    }

    for input in &flake.inputs {
        if input.follows().is_some() || input.flake() == Some(false) {
            continue;
        }
        let Some((_, node)) = lock.node_of_input(&input.name) else {
            continue;
        };
        for follows in &input.nested_follows() {
            check_declared_follows(context, sink, input, &follows.path, &follows.target);
        }
        for (child, reference) in &node.inputs {
            if let LockInputRef::Follows(path) = reference {
                if !path.is_empty() && lock.resolve(path).is_none() {
                    sink.report(
                        DiagnosticCode::LockOutOfDate,
                        input_name_range(input),
                        format!("{}/{child}", input.name),
                        format!(
                            "flake.lock says `{}/{child}` follows `{}`, which it does not lock: \
                             run `nix flake lock`",
                            input.name,
                            path.join("/")
                        ),
                        None,
                    );
                }
            }
        }
    }
    let candidates = candidates(context, &flake.inputs);
    let computed;
    let facts = match facts {
        Some(facts) => facts,
        None => {
            let all = candidates
                .iter()
                .map(|(input, nested)| full_path(input, nested))
                .collect();
            computed = LockFacts::of(lock, all, None);
            &computed
        }
    };
    if sink.wants(DiagnosticCode::NotFollowing) {
        not_following(context, sink, lock, &candidates, facts);
    }
    Some(facts.clone())
}

/// `not-following` for each of `candidates`, its counts from `facts`.
fn not_following(
    context: &Context,
    sink: &mut Sink,
    lock: &Lock,
    candidates: &[(&InputDecl, OwnNestedInput)],
    facts: &LockFacts,
) {
    let flake = context.flake;
    let (before, removed_by_all, all) = (facts.before, facts.removed_by_all, &facts.all);
    for (input, nested) in candidates {
        let name = &input.name;
        let subject = full_path(input, nested).join("/");
        let Some((child, between)) = nested.path.split_last() else {
            continue;
        };
        let ours = &nested.ours;
        let one = full_path(input, nested);
        let locked_at = lock
            .nodes
            .get(&nested.node)
            .map(describe_lock)
            .unwrap_or_default();
        let counts = if is_nixpkgs_child(child) {
            let removed = facts.removals.removed_by(&one);
            format!(
                "; flake.lock holds {before} distinct nixpkgs revision{}, following ours here removes {removed}{}",
                if before == 1 { "" } else { "s" },
                if all.len() > 1 {
                    format!(" (all such fixes: {removed_by_all})")
                } else {
                    String::new()
                }
            )
        } else {
            String::new()
        };
        // Deeper than one level, the message names the whole path.
        let through = if between.is_empty() {
            String::new()
        } else {
            format!(" at `{subject}`")
        };
        let fix = sink
            .wants_fixes()
            .then(|| {
                follow(
                    context.file,
                    flake,
                    name,
                    &nested.path.join("/"),
                    Some(ours),
                )
                .ok()
            })
            .flatten()
            .map(|changes| Fix {
                title: format!("make `{subject}` follow `{ours}`"),
                changes,
                safe: true,
                allowed: AllowedChange::follows(name),
            });
        sink.report(
            DiagnosticCode::NotFollowing,
            input_name_range(input),
            &subject,
            format!(
                "input `{name}` brings its own `{child}`{through}{locked_at} instead of following `{ours}`{counts}"
            ),
            fix,
        );
    }
}

fn is_nixpkgs_child(child: &str) -> bool {
    child == "nixpkgs" || child == "nixpkgs-lib"
}

/// ` (locked at 64cfed0, 2024-02-24)`, or empty.
fn describe_lock(node: &LockNode) -> String {
    match (commit_of(node), node.last_modified) {
        (Some(rev), Some(time)) => format!(" (locked at {}, {})", short(rev), date(time)),
        (Some(rev), None) => format!(" (locked at {})", short(rev)),
        (None, Some(time)) => format!(" (locked {})", date(time)),
        (None, None) => String::new(),
    }
}

/// The commit a node is locked to: `rev`, or the commit in a tarball url
/// (`…/archive/<rev>.tar.gz`), so both spellings of one commit count once.
fn commit_of(node: &LockNode) -> Option<&str> {
    node.rev.as_deref().or_else(|| {
        node.locked
            .get("url")
            .and_then(|url| url.split(['/', '.', '?', '=']).find(|part| is_commit(part)))
    })
}

fn short(rev: &str) -> &str {
    rev.get(..7).unwrap_or(rev)
}

fn is_commit(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A declared `inputs.<name>.inputs.<path>.follows = "<target>"` against
/// the lock: the nested input must exist, and the lock must agree.
fn check_declared_follows(
    context: &Context,
    sink: &mut Sink,
    input: &InputDecl,
    path: &[String],
    target: &str,
) {
    let Some(lock) = context.lock else {
        return;
    };
    let mut full = vec![input.name.clone()];
    full.extend(path.iter().cloned());
    let subject = full.join("/");
    // Every segment but the last must lead to a node that has the next one.
    let mut current = match lock.resolve(&full[..1]) {
        Some(node) => node,
        None => return,
    };
    for (depth, segment) in path.iter().enumerate() {
        let Some(node) = lock.nodes.get(&current) else {
            return;
        };
        if !node.inputs.contains_key(segment) {
            let owner = full[..=depth].join("/");
            let leaf = input.leaves.iter().find(|leaf| {
                leaf.nested_follows()
                    .is_some_and(|nested| nested.iter().eq(path.iter()))
            });
            let range = leaf
                .map(|leaf| leaf.binding.syntax().text_range())
                .unwrap_or_else(|| input_name_range(input));
            let fix = leaf.map(|leaf| {
                let mut changes = ChangeSet::new();
                let _ = changes.add(remove_entry(context.file, leaf.binding.syntax()));
                Fix {
                    title: format!("remove the follows of `{subject}`"),
                    changes,
                    safe: false,
                    allowed: AllowedChange::follows(&input.name),
                }
            });
            sink.report(
                DiagnosticCode::FollowsNonexistent,
                range,
                &subject,
                format!(
                    "`{subject}` follows `{target}`, but `{owner}` has no input `{segment}` in flake.lock; \
                     Nix ignores this override"
                ),
                fix,
            );
            return;
        }
        match lock.resolve(&full[..depth + 2]) {
            Some(next) => current = next,
            None => return,
        }
    }
    if target.is_empty() {
        return;
    }
    let (Some(have), Some(want)) = (lock.resolve(&full), lock.resolve(&split(target))) else {
        return;
    };
    if have != want {
        sink.report(
            DiagnosticCode::LockOutOfDate,
            input_name_range(input),
            &subject,
            format!(
                "flake.nix makes `{subject}` follow `{target}`, but flake.lock locks it separately \
                 (node `{have}`): run `nix flake lock`"
            ),
            None,
        );
    }
}

/// The range for diagnostics about the inputs as a whole: the `inputs`
/// attribute path, else the start of the file.
fn inputs_range(context: &Context) -> TextRange {
    // A partial model (an incremental check) knows not how inputs are
    // written; the file has them in one block.
    if context.whole.is_some() {
        if let Some((_, block)) = super::incremental::block_of(context.file) {
            return block
                .syntax()
                .parent()
                .and_then(flakeedit_syntax::rnix::ast::AttrpathValue::cast)
                .and_then(|binding| binding.attrpath())
                .map(|path| path.syntax().text_range())
                .unwrap_or_else(|| block.syntax().text_range());
        }
    }
    match &context.flake.style {
        InputsStyle::Block(set) => set
            .syntax()
            .parent()
            .and_then(flakeedit_syntax::rnix::ast::AttrpathValue::cast)
            .and_then(|binding| binding.attrpath())
            .map(|path| path.syntax().text_range())
            .unwrap_or_else(|| set.syntax().text_range()),
        InputsStyle::Dotted(binding) => binding
            .attrpath()
            .map(|path| path.syntax().text_range())
            .unwrap_or_else(|| binding.syntax().text_range()),
        InputsStyle::None => TextRange::empty(0.into()),
    }
}

/// Is this node a nixpkgs checkout (github/gitlab `…/nixpkgs`, or a
/// tarball of one)?
fn is_nixpkgs(node: &LockNode) -> bool {
    node.locked
        .get("repo")
        .is_some_and(|repo| repo.eq_ignore_ascii_case("nixpkgs"))
        || node
            .locked
            .get("url")
            .is_some_and(|url| url.contains("/nixpkgs/") || url.contains("/nixpkgs?"))
}

/// What following one nested input removes from the nixpkgs revisions a
/// lock holds, for every nested input at once: a revision goes when every
/// path reaching it passes through the input's path, that is when that
/// path begins the longest prefix common to all of them. One walk, where
/// walking once per nested input would make the check quadratic on locks
/// with many inputs.
#[derive(Debug, Default)]
struct Removals {
    /// How many distinct revisions the walk reaches.
    revisions: usize,
    /// Per path, how many revisions only paths through it reach.
    by_path: HashMap<Vec<String>, usize>,
}

impl Removals {
    fn of(lock: &Lock) -> Removals {
        let mut common: HashMap<String, Vec<String>> = HashMap::new();
        lock.walk(&[], |path, reference| {
            let LockInputRef::Node(name) = reference else {
                return false;
            };
            if let Some(node) = lock.nodes.get(name).filter(|node| is_nixpkgs(node)) {
                let id = revision_id(name, node);
                match common.get_mut(&id) {
                    Some(prefix) => {
                        let same = prefix.iter().zip(path).take_while(|(a, b)| a == b).count();
                        prefix.truncate(same);
                    }
                    None => {
                        common.insert(id, path.to_vec());
                    }
                }
            }
            true
        });
        let mut by_path: HashMap<Vec<String>, usize> = HashMap::new();
        for prefix in common.values() {
            for len in 1..=prefix.len() {
                *by_path.entry(prefix[..len].to_vec()).or_insert(0) += 1;
            }
        }
        Removals {
            revisions: common.len(),
            by_path,
        }
    }

    /// How many revisions following the nested input at `path` removes.
    fn removed_by(&self, path: &[String]) -> usize {
        self.by_path.get(path).copied().unwrap_or(0)
    }
}

/// What tells two nixpkgs checkouts apart: the commit, else the narHash,
/// else the node's name.
fn revision_id(name: &str, node: &LockNode) -> String {
    commit_of(node)
        .map(str::to_string)
        .or_else(|| node.nar_hash.clone())
        .unwrap_or_else(|| name.to_string())
}

/// The distinct nixpkgs revisions reachable from the root, pretending the
/// input paths in `skip` (`["home-manager", "nix-darwin", "nixpkgs"]`)
/// follow ours (so they and everything below them are gone).
fn nixpkgs_revisions(lock: &Lock, skip: &HashSet<Vec<String>>) -> BTreeSet<String> {
    let mut revisions = BTreeSet::new();
    lock.walk(&[], |path, reference| {
        let LockInputRef::Node(name) = reference else {
            return false;
        };
        if skip.contains(path) {
            return false;
        }
        if let Some(node) = lock.nodes.get(name).filter(|node| is_nixpkgs(node)) {
            revisions.insert(revision_id(name, node));
        }
        true
    });
    revisions
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What following `path` removes, by walking the lock without it: how
    /// the counts were computed before one walk gave them all.
    fn removed_by_walking(lock: &Lock, path: &[String]) -> usize {
        let before = nixpkgs_revisions(lock, &HashSet::new()).len();
        before - nixpkgs_revisions(lock, &HashSet::from([path.to_vec()])).len()
    }

    /// The counts of one walk are those of a walk per path, for every path
    /// of every lock in the tests' fixtures.
    #[test]
    fn one_walk_counts_what_a_walk_per_path_counts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut pending = vec![root.join("tests"), root.join("crates")];
        let mut paths = 0;
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    if !path.ends_with("target") && !path.ends_with("node_modules") {
                        pending.push(path);
                    }
                    continue;
                }
                if path.extension().is_none_or(|ext| ext != "lock") {
                    continue;
                }
                let Ok(lock) = std::fs::read_to_string(&path).map(|text| Lock::parse(&text)) else {
                    continue;
                };
                let Ok(lock) = lock else {
                    continue;
                };
                let removals = Removals::of(&lock);
                assert_eq!(
                    removals.revisions,
                    nixpkgs_revisions(&lock, &HashSet::new()).len(),
                    "{}",
                    path.display()
                );
                let mut visited = Vec::new();
                lock.walk(&[], |path, _| {
                    visited.push(path.to_vec());
                    true
                });
                for walked in visited {
                    assert_eq!(
                        removals.removed_by(&walked),
                        removed_by_walking(&lock, &walked),
                        "{} at {walked:?}",
                        path.display()
                    );
                    paths += 1;
                }
            }
        }
        assert!(paths > 50, "only {paths} lock paths compared");
    }

    /// A node two inputs share, a revision reached at two depths, and one
    /// reached through two nodes: only what every path passes through
    /// removes it.
    #[test]
    fn a_shared_revision_goes_only_with_every_path_to_it() {
        let nixpkgs = |rev: &str| {
            format!(
                r#"{{ "locked": {{ "owner": "NixOS", "repo": "nixpkgs", "rev": "{}" }} }}"#,
                rev.repeat(40)
            )
        };
        let text = format!(
            r#"{{ "version": 7, "root": "root", "nodes": {{
              "root": {{ "inputs": {{ "nixpkgs": "nixpkgs", "a": "a", "b": "b", "c": "c" }} }},
              "nixpkgs": {n1}, "nixpkgs_2": {n2}, "nixpkgs_3": {n3}, "nixpkgs_4": {n3b},
              "a": {{ "inputs": {{ "nixpkgs": "nixpkgs_2" }}, "locked": {{ "rev": "{ra}" }} }},
              "b": {{ "inputs": {{ "nixpkgs": "nixpkgs_2", "d": "d" }}, "locked": {{ "rev": "{rb}" }} }},
              "c": {{ "inputs": {{ "d": "d", "nixpkgs": "nixpkgs_4" }}, "locked": {{ "rev": "{rc}" }} }},
              "d": {{ "inputs": {{ "nixpkgs": "nixpkgs_3" }}, "locked": {{ "rev": "{rd}" }} }} }} }}"#,
            n1 = nixpkgs("1"),
            n2 = nixpkgs("2"),
            n3 = nixpkgs("3"),
            n3b = nixpkgs("3"),
            ra = "a".repeat(40),
            rb = "b".repeat(40),
            rc = "c".repeat(40),
            rd = "d".repeat(40),
        );
        let lock = Lock::parse(&text).expect("the lock parses");
        let removals = Removals::of(&lock);
        assert_eq!(removals.revisions, 3);
        let path = |names: &[&str]| {
            names
                .iter()
                .map(|name| name.to_string())
                .collect::<Vec<_>>()
        };
        for walked in [
            path(&["a"]),
            path(&["a", "nixpkgs"]),
            path(&["b"]),
            path(&["b", "d"]),
            path(&["c"]),
            path(&["c", "d"]),
            path(&["c", "nixpkgs"]),
            path(&["nixpkgs"]),
        ] {
            assert_eq!(
                removals.removed_by(&walked),
                removed_by_walking(&lock, &walked),
                "{walked:?}"
            );
        }
        // nixpkgs_2 is reached through `a` and `b`, revision 3 through
        // `b/d`, `c/d` and `c/nixpkgs`: no single input removes either.
        assert_eq!(removals.removed_by(&path(&["a"])), 0);
        assert_eq!(removals.removed_by(&path(&["c"])), 0);
        assert_eq!(removals.removed_by(&path(&["nixpkgs"])), 1);
    }
}
