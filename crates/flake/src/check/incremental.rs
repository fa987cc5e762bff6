//! Checking the next version of a flake by re-checking only the input
//! binding an edit changed.
//!
//! On a flake with tens of thousands of inputs, reading the model and
//! checking it whole takes seconds, while a keystroke changes one binding
//! of the `inputs = { … };` block. [`check_incrementally`] keeps what the
//! check of one version found ([`CheckState`]: its diagnostics and, per
//! name, how many bindings declare it and how many `follows` name it) and,
//! for the next version, re-checks the one binding that differs:
//!
//! - The edit (the bytes between the versions' common prefix and suffix)
//!   lies inside one binding of the block, and the new tree is the old one
//!   with that binding replaced: every other node on the way to the root
//!   is the same (compared by identity, else by value). Neither the block
//!   nor the top-level set is `rec`, so no binding is in another's scope.
//! - What lies outside the binding can only change through the names it
//!   declares and follows. The names it declares are declared nowhere else
//!   (else another binding's input changes), a name it stops or starts
//!   declaring is followed nowhere else (else another input's
//!   `dangling-follows` changes), and no input declared elsewhere starts or
//!   stops being followed (its `unused-input` changes). A message that
//!   quotes a line of the outputs (`undecided-input-use`,
//!   `optional-input`) keeps its position: the edit adds no line before it
//!   and does not share its line.
//! - Then the new diagnostics are the old ones outside the binding, moved
//!   by the length change, plus the binding's own, found by the same code
//!   as a whole check (its inputs read into a partial model, the rest of
//!   the file's inputs known by name), plus the outputs' `registry-input`,
//!   `undeclared-input` and `optional-input` about the names whose
//!   declaration changed.
//!
//! An edit inside the body of the outputs function (the rest of the tree
//! the same) re-reads the body's uses of inputs and re-checks what they
//! decide: the uses of undeclared inputs, the body's hashes, and whether
//! each input the old or the new body names is used
//! ([`next_in_outputs`]).
//!
//! With a `flake.lock` (the same shared copy from one version to the
//! next), the lock checks of the edited binding's inputs are made too:
//! `stale-lock-entry` for the names whose declaration changed, and
//! `not-following` with the counts of all inputs, which the state keeps
//! ([`LockFacts`]); an edit that changes what those counts read, or the
//! declaration of an input nested inputs should follow (`nixpkgs`,
//! `systems`, …), checks the whole file.
//!
//! Anything else (another layout, an edit elsewhere, another lock) checks
//! the whole file. Diagnostics come without fixes: a caller that
//! offers fixes runs [`super::check`] when it needs them.
//! `tests/check_incremental.rs` compares random edits with whole checks.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{
    as_attr_set, find_path, is_trivia, root_attr_set, strip_parens, PathMatchKind, SourceFile,
    SyntaxKind, SyntaxNode, TextRange, TextSize,
};
use rowan::ast::AstNode;
use rowan::NodeOrToken;

use super::lockfile::{self, LockFacts};
use super::{
    check_reading, hashes, inputs, nixpkgs, sort, CheckOptions, Context, Diagnostic,
    DiagnosticCode, Read, Sink, Whole,
};
use crate::lock::Lock;
use crate::model::{analyze_uses_in, Flake, InputDecl, UndecidedUse, UseAnalysis};

/// How long a check's "now" is reused: the nixpkgs findings depend on the
/// date, so a state older than this is checked again whole.
const MAX_STATE_AGE_SECONDS: i64 = 3600;

/// What the check of one version of a flake knew, for checking the next
/// version incrementally.
pub struct CheckState {
    file: Rc<SourceFile>,
    /// The lock the version was checked with (the same shared copy, or
    /// none), and what the lock checks found about all inputs.
    lock: Option<Arc<Lock>>,
    lock_facts: Option<LockFacts>,
    options: CheckOptions,
    now: i64,
    diagnostics: Rc<Found>,
    /// Per input name, how many bindings of the `inputs` block declare it.
    declared: HashMap<String, u32>,
    /// Per name, how many `follows` (of any input, at any depth) start with it.
    followed: HashMap<String, u32>,
    /// The outputs' uses of inputs, as the whole check found them: the
    /// outputs are the same since, only moved by `uses_moved` bytes.
    uses: Rc<UseAnalysis>,
    uses_moved: i64,
}

impl std::fmt::Debug for CheckState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckState")
            .field("len", &self.file.text().len())
            .field("diagnostics", &self.diagnostics.len())
            .finish()
    }
}

/// The diagnostics of one version of a file, sharing those that an
/// earlier version found too (moving tens of thousands of diagnostics by
/// copying them would cost more than the check).
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Each diagnostic with its range in this version.
    entries: Vec<(TextRange, Rc<Diagnostic>)>,
}

impl Found {
    fn new(diagnostics: Vec<Diagnostic>) -> Found {
        Found {
            entries: diagnostics
                .into_iter()
                .map(|d| (d.range, Rc::new(d)))
                .collect(),
        }
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Each diagnostic with its range in this version, in the order of
    /// [`super::check`]. (The diagnostic's own `range` is where it was
    /// found, in the version that found it.)
    pub fn iter(&self) -> impl Iterator<Item = (TextRange, &Diagnostic)> {
        self.entries.iter().map(|(range, d)| (*range, &**d))
    }

    /// The diagnostics, each with its range in this version.
    pub fn to_vec(&self) -> Vec<Diagnostic> {
        self.iter()
            .map(|(range, d)| Diagnostic { range, ..d.clone() })
            .collect()
    }
}

/// What [`check_incrementally`] found.
#[derive(Debug)]
pub struct Incremental {
    /// The diagnostics of the file, as [`super::check`] gives them but
    /// without fixes.
    pub diagnostics: Rc<Found>,
    /// What to pass when checking the file's next version; `None` when the
    /// next version can only be checked whole.
    pub state: Option<CheckState>,
    /// True when only the edited binding was checked.
    pub incremental: bool,
}

/// The diagnostics of `file`, without fixes, checking only what changed
/// since `previous` (the state the check of an earlier version of the
/// same document left) when that is provably the same as checking it
/// whole. A file with syntax errors gets its `syntax-error` diagnostics and
/// keeps `previous` for the next version.
pub fn check_incrementally(
    file: &Rc<SourceFile>,
    lock: Option<&Arc<Lock>>,
    options: &CheckOptions,
    previous: Option<CheckState>,
) -> Incremental {
    if !file.is_valid() {
        let (diagnostics, _, _) = check_reading(file, lock.map(|lock| &**lock), options, false);
        return Incremental {
            diagnostics: Rc::new(Found::new(diagnostics)),
            state: previous,
            incremental: false,
        };
    }
    if let Some(mut state) = previous.filter(|state| {
        state.options == *options
            && same_lock(state.lock.as_ref(), lock)
            && options.now() - state.now < MAX_STATE_AGE_SECONDS
    }) {
        if let Some(diagnostics) = next(&mut state, file) {
            return Incremental {
                diagnostics,
                state: Some(state),
                incremental: true,
            };
        }
    }
    let (diagnostics, read, now) = check_reading(file, lock.map(|lock| &**lock), options, false);
    let diagnostics = Rc::new(Found::new(diagnostics));
    let state = read.and_then(|read| {
        state_of(
            file,
            read,
            options,
            now,
            Rc::clone(&diagnostics),
            lock.cloned(),
        )
    });
    Incremental {
        diagnostics,
        state,
        incremental: false,
    }
}

/// The state after a whole check of `file`, when its inputs are all in
/// one `inputs = { … };` block (the layout [`next`] re-checks).
/// The same lock: none, or the same shared copy (a lock read again is
/// another one, though it may hold the same).
fn same_lock(a: Option<&Arc<Lock>>, b: Option<&Arc<Lock>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

fn state_of(
    file: &Rc<SourceFile>,
    read: Read,
    options: &CheckOptions,
    now: i64,
    diagnostics: Rc<Found>,
    lock: Option<Arc<Lock>>,
) -> Option<CheckState> {
    block_of(file)?;
    let flake = &read.flake;
    let mut declared = HashMap::new();
    let mut followed = HashMap::new();
    for input in &flake.inputs {
        if input
            .bindings
            .iter()
            .any(|binding| binding.prefix.len() != 1)
        {
            return None;
        }
        *declared.entry(input.name.clone()).or_insert(0) += input.bindings.len() as u32;
        for (target, count) in follows_counts(std::slice::from_ref(input)) {
            *followed.entry(target).or_insert(0) += count;
        }
    }
    Some(CheckState {
        file: Rc::clone(file),
        lock,
        lock_facts: read.lock_facts,
        options: options.clone(),
        now,
        diagnostics,
        declared,
        followed,
        uses: Rc::new(read.uses),
        uses_moved: 0,
    })
}

/// The `inputs = { … };` block holding all of `file`'s inputs: the only
/// top-level binding under `inputs`, an attribute set; neither it nor the
/// top-level set is `rec`.
pub(super) fn block_of(file: &SourceFile) -> Option<(ast::AttrSet, ast::AttrSet)> {
    let root = root_attr_set(file.root())?;
    if is_rec(&root) {
        return None;
    }
    let found = find_path(&root, &["inputs"]);
    let [only] = found.as_slice() else {
        return None;
    };
    if only.kind != PathMatchKind::Exact {
        return None;
    }
    let block = as_attr_set(only.binding.value())?;
    if is_rec(&block) {
        return None;
    }
    Some((root, block))
}

/// `rec { … }`: the keyword is the set's first token (`rec_token` would
/// look through all of a large set's children).
fn is_rec(set: &ast::AttrSet) -> bool {
    set.syntax()
        .children_with_tokens()
        .find(|element| !is_trivia(element.kind()))
        .is_some_and(|first| first.kind() == SyntaxKind::TOKEN_REC)
}

/// How many `follows` of `inputs` start with each name.
fn follows_counts(inputs: &[InputDecl]) -> HashMap<String, u32> {
    let mut counts = HashMap::new();
    for input in inputs {
        for target in inputs::follows_targets(input) {
            let first = target.split('/').next().unwrap_or(target);
            *counts.entry(first.to_string()).or_insert(0) += 1;
        }
    }
    counts
}

/// The length of the longest common prefix of `a` and `b`, compared a
/// block at a time (a 5 MB file is compared in well under a millisecond).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 4096;
    let limit = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= limit && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    while at < limit && a[at] == b[at] {
        at += 1;
    }
    at
}

/// The length of the longest common suffix of `a` and `b`, at most `limit`.
fn common_suffix(a: &[u8], b: &[u8], limit: usize) -> usize {
    const BLOCK: usize = 4096;
    let (la, lb) = (a.len(), b.len());
    let mut at = 0;
    while at + BLOCK <= limit && a[la - at - BLOCK..la - at] == b[lb - at - BLOCK..lb - at] {
        at += BLOCK;
    }
    while at < limit && a[la - at - 1] == b[lb - at - 1] {
        at += 1;
    }
    at
}

/// Two green children are the same subtree.
fn same_green(
    a: NodeOrToken<&rowan::GreenNodeData, &rowan::GreenTokenData>,
    b: NodeOrToken<&rowan::GreenNodeData, &rowan::GreenTokenData>,
) -> bool {
    match (a, b) {
        (NodeOrToken::Node(a), NodeOrToken::Node(b)) => std::ptr::eq(a, b) || a == b,
        (NodeOrToken::Token(a), NodeOrToken::Token(b)) => std::ptr::eq(a, b) || a == b,
        _ => false,
    }
}

/// True when the trees of `old` and `new` are the same but for these two
/// nodes: at the same place, with the same nodes around them up to the root.
fn same_outside(old: &SyntaxNode, new: &SyntaxNode) -> bool {
    let (mut old, mut new) = (old.clone(), new.clone());
    loop {
        if old.index() != new.index() {
            return false;
        }
        let (old_parent, new_parent) = match (old.parent(), new.parent()) {
            (None, None) => return true,
            (Some(old_parent), Some(new_parent)) => (old_parent, new_parent),
            _ => return false,
        };
        if old_parent.kind() != new_parent.kind() {
            return false;
        }
        let (old_green, new_green) = (old_parent.green(), new_parent.green());
        if old_green.children().len() != new_green.children().len() {
            return false;
        }
        let skip = old.index();
        let same = old_green
            .children()
            .zip(new_green.children())
            .enumerate()
            .all(|(index, (a, b))| index == skip || same_green(a, b));
        if !same {
            return false;
        }
        old = old_parent;
        new = new_parent;
    }
}

/// The children of the `inputs` block an edit replaced.
struct Run {
    /// The range of the old children, from the first one's start to the
    /// last one's end.
    old_range: TextRange,
    /// The bindings among the old children.
    old: Vec<SyntaxNode>,
    /// The bindings among the new children.
    new: Vec<SyntaxNode>,
}

/// The children of `old_block` that the bytes `[start, old_end)` touch
/// (at least the one `start` is in), and those of `new_block` in their
/// place; `None` unless every other child of the block is the same in
/// both, and the run lies between the braces.
fn changed_run(
    old_block: &ast::AttrSet,
    new_block: &ast::AttrSet,
    start: u32,
    old_end: u32,
) -> Option<Run> {
    let old_green = old_block.syntax().green();
    let new_green = new_block.syntax().green();
    let old_children: Vec<_> = old_green.children().collect();
    let new_children: Vec<_> = new_green.children().collect();
    let base = u32::from(old_block.syntax().text_range().start());
    // The children's offsets, up to the first one after the edit.
    let mut offset = base;
    let mut first = None;
    let mut after = None;
    for (index, child) in old_children.iter().enumerate() {
        let end = offset + u32::from(child.text_len());
        if first.is_none() && end > start {
            first = Some(index);
        }
        if first.is_some() && offset >= old_end && Some(index) != first {
            after = Some(index);
            break;
        }
        offset = end;
    }
    let (first, after) = (first?, after?);
    let kept_after = old_children.len() - after;
    let new_after = new_children.len().checked_sub(kept_after)?;
    // Not the braces, and the same children before and after the run.
    if first == 0 || new_after < first || kept_after < 1 {
        return None;
    }
    let same_before = old_children[..first]
        .iter()
        .zip(&new_children[..first])
        .all(|(a, b)| same_green(*a, *b));
    let same_after = old_children[after..]
        .iter()
        .zip(&new_children[new_after..])
        .all(|(a, b)| same_green(*a, *b));
    if !same_before || !same_after {
        return None;
    }
    let old_start = base
        + old_children[..first]
            .iter()
            .map(|child| u32::from(child.text_len()))
            .sum::<u32>();
    // The red nodes of a run's bindings, found by their ranges (walking
    // the block's children would make a node for each of them).
    type Child<'a> = NodeOrToken<&'a rowan::GreenNodeData, &'a rowan::GreenTokenData>;
    let bindings = |block: &ast::AttrSet, children: &[Child<'_>]| {
        let mut offset = old_start;
        let mut found = Vec::new();
        for child in children {
            let len = u32::from(child.text_len());
            if let NodeOrToken::Node(_) = child {
                let range = TextRange::at(offset.into(), len.into());
                let node = block.syntax().child_or_token_at_range(range)?.into_node()?;
                if node.text_range() != range {
                    return None;
                }
                found.push(node);
            }
            offset += len;
        }
        Some(found)
    };
    let old = bindings(old_block, &old_children[first..after])?;
    let new = bindings(new_block, &new_children[first..new_after])?;
    let old_len: u32 = old_children[first..after]
        .iter()
        .map(|child| u32::from(child.text_len()))
        .sum();
    Some(Run {
        old_range: TextRange::at(old_start.into(), old_len.into()),
        old,
        new,
    })
}

/// The inputs the bindings of a run declare, each by one binding; `None`
/// when a child is not a binding or a tree the model does not read
/// alone (a name declared twice in the run).
fn run_inputs(run: &[SyntaxNode]) -> Option<Vec<InputDecl>> {
    let mut inputs: Vec<InputDecl> = Vec::new();
    for node in run {
        let binding = ast::AttrpathValue::cast(node.clone())?;
        for input in Flake::block_binding_inputs(&binding) {
            if inputs.iter().any(|other| other.name == input.name) {
                return None;
            }
            inputs.push(input);
        }
    }
    Some(inputs)
}

/// `range` of the old text in the new one, where the bytes
/// `[edit_start, old_edit_end)` became `delta` bytes longer; `None` for a
/// range with an end inside the edit.
fn moved(range: TextRange, edit_start: u32, old_edit_end: u32, delta: i64) -> Option<TextRange> {
    let shift = |offset: TextSize| {
        let offset = u32::from(offset);
        if offset <= edit_start {
            Some(offset)
        } else if offset >= old_edit_end {
            u32::try_from(i64::from(offset) + delta).ok()
        } else {
            None
        }
    };
    Some(TextRange::new(
        shift(range.start())?.into(),
        shift(range.end())?.into(),
    ))
}

/// The diagnostics of `file` from `state`, the state of an earlier
/// version, by re-checking the one binding that changed; `None` when that
/// is not provably what a whole check finds. Updates `state` to `file`.
fn next(state: &mut CheckState, file: &Rc<SourceFile>) -> Option<Rc<Found>> {
    let (old_text, new_text) = (state.file.text().as_bytes(), file.text().as_bytes());
    if old_text == new_text {
        let same = Rc::clone(&state.diagnostics);
        state.file = Rc::clone(file);
        return Some(same);
    }
    let prefix = common_prefix(old_text, new_text);
    let suffix = common_suffix(
        old_text,
        new_text,
        old_text.len().min(new_text.len()) - prefix,
    );
    let old_end = u32::try_from(old_text.len() - suffix).ok()?;
    let new_end = u32::try_from(new_text.len() - suffix).ok()?;
    let start = u32::try_from(prefix).ok()?;
    let delta = i64::from(new_end) - i64::from(old_end);

    let (_, old_block) = block_of(&state.file)?;
    let (new_root, new_block) = block_of(file)?;
    let edit = Span {
        start,
        old_end,
        delta,
    };
    if !same_outside(old_block.syntax(), new_block.syntax()) {
        return next_in_outputs(state, file, edit, &new_root, &new_block);
    }
    let run = changed_run(&old_block, &new_block, start, old_end)?;
    let old_range = run.old_range;
    let old_inputs = run_inputs(&run.old)?;
    let new_inputs = run_inputs(&run.new)?;
    let old_names: HashSet<String> = old_inputs.iter().map(|i| i.name.clone()).collect();
    let new_names: HashSet<String> = new_inputs.iter().map(|i| i.name.clone()).collect();
    let old_follows = follows_counts(&old_inputs);
    let new_follows = follows_counts(&new_inputs);

    let declared_before = |name: &str| state.declared.get(name).copied().unwrap_or(0);
    let followed_before = |name: &str| state.followed.get(name).copied().unwrap_or(0);
    let count = |counts: &HashMap<String, u32>, name: &str| counts.get(name).copied().unwrap_or(0);
    // The binding's names are declared nowhere else.
    let declared_elsewhere =
        |name: &str| declared_before(name).saturating_sub(u32::from(old_names.contains(name)));
    if old_names
        .iter()
        .chain(&new_names)
        .any(|name| declared_elsewhere(name) > 0)
    {
        return None;
    }
    // A name whose declaration changes is followed nowhere else.
    let changed: HashSet<String> = old_names
        .symmetric_difference(&new_names)
        .cloned()
        .collect();
    if changed
        .iter()
        .any(|name| followed_before(name).saturating_sub(count(&old_follows, name)) > 0)
    {
        return None;
    }
    // No input declared elsewhere starts or stops being followed.
    let followed_after = |name: &str| {
        followed_before(name).saturating_sub(count(&old_follows, name)) + count(&new_follows, name)
    };
    let flips = old_follows.keys().chain(new_follows.keys()).any(|name| {
        (followed_before(name) > 0) != (followed_after(name) > 0) && declared_elsewhere(name) > 0
    });
    if flips {
        return None;
    }
    // Messages quoting a position in the outputs keep it.
    let quotes_position = |(range, d): (TextRange, &Diagnostic)| {
        matches!(
            d.code,
            DiagnosticCode::UndecidedInputUse | DiagnosticCode::OptionalInput
        ) && !old_range.contains_range(range)
    };
    let outputs_start = outputs_start(&state.file);
    let inserted = &new_text[prefix..new_end as usize];
    if state.diagnostics.iter().any(quotes_position)
        && !keeps_positions(&state.file, outputs_start, start, old_end, inserted)
    {
        return None;
    }
    // The outputs are the same, moved when they come after the edit.
    let outputs_moved = match outputs_start {
        Some(outputs) if outputs >= old_end => delta,
        _ => 0,
    };

    let declared = |name: &str| {
        new_names.contains(name) || (!old_names.contains(name) && declared_before(name) > 0)
    };
    let followed = |name: &str| followed_after(name) > 0;
    let partial = Flake::partial(new_root, new_inputs);
    let lock = state.lock.clone();
    let context = Context {
        file,
        flake: &partial,
        lock: lock.as_deref(),
        options: &state.options,
        now: state.now,
        whole: Some(Whole {
            declared: &declared,
            followed: &followed,
        }),
    };
    let mut sink = Sink::new(&state.options, false);
    let asked = |name: &str| changed.contains(name) || new_names.contains(name);
    let uses = state.uses.about(&asked, state.uses_moved + outputs_moved);
    inputs::check(&context, &mut sink, Some(&changed), &uses);
    for binding in &run.new {
        hashes::check(&context, &mut sink, binding);
    }
    nixpkgs::check(&context, &mut sink);
    // The lock checks of the binding's inputs, with the counts of all
    // inputs' `not-following`: when the binding changes which nested
    // inputs those name, the counts in every other message must read the
    // same, else the whole file is checked.
    let mut lock_facts = None;
    if let (Some(lock), Some(facts)) = (&lock, &state.lock_facts) {
        if changed
            .iter()
            .any(|name| lockfile::is_followed_by_children(name))
        {
            return None;
        }
        let old_paths = lockfile::candidate_paths(&context, &old_inputs);
        let new_paths = lockfile::candidate_paths(&context, &partial.inputs);
        if old_paths != new_paths {
            let mut all = facts.all.clone();
            all.retain(|path| !old_paths.contains(path));
            all.extend(new_paths);
            let next = LockFacts::of(lock, all, Some(facts));
            if !next.reads_as(facts) {
                return None;
            }
            lock_facts = Some(next);
        }
        lockfile::check(
            &context,
            &mut sink,
            Some(&changed),
            Some(lock_facts.as_ref().unwrap_or(facts)),
        );
    }
    let fresh = sink.diagnostics;

    let recomputed = |range: TextRange, d: &Diagnostic| {
        old_range.contains_range(range)
            || (matches!(
                d.code,
                DiagnosticCode::RegistryInput
                    | DiagnosticCode::UndeclaredInput
                    | DiagnosticCode::OptionalInput
                    | DiagnosticCode::StaleLockEntry
            ) && changed.contains(&d.subject))
    };
    let diagnostics = merge(&state.diagnostics, recomputed, edit, fresh)?;
    if lock_facts.is_some() {
        state.lock_facts = lock_facts;
    }

    for name in &old_names {
        if let Some(count) = state.declared.get_mut(name) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                state.declared.remove(name);
            }
        }
    }
    for name in new_names {
        *state.declared.entry(name).or_insert(0) += 1;
    }
    for (name, count) in old_follows {
        if let Some(total) = state.followed.get_mut(&name) {
            *total = total.saturating_sub(count);
            if *total == 0 {
                state.followed.remove(&name);
            }
        }
    }
    for (name, count) in new_follows {
        *state.followed.entry(name).or_insert(0) += count;
    }
    state.diagnostics = Rc::clone(&diagnostics);
    state.file = Rc::clone(file);
    state.uses_moved += outputs_moved;
    Some(diagnostics)
}

/// The bytes `[start, old_end)` of the old version became `delta` bytes
/// longer.
#[derive(Clone, Copy)]
struct Span {
    start: u32,
    old_end: u32,
    delta: i64,
}

/// The old diagnostics but those `recomputed` says were checked again,
/// moved by the edit, merged with the `fresh` ones in the order of
/// [`sort`]; `None` when a kept one ends inside the edit.
fn merge(
    old: &Found,
    recomputed: impl Fn(TextRange, &Diagnostic) -> bool,
    edit: Span,
    mut fresh: Vec<Diagnostic>,
) -> Option<Rc<Found>> {
    sort(&mut fresh);
    // The order of `sort`, whose ties keep the order they were found in:
    // the only ties between a fresh and a kept diagnostic are
    // `stale-lock-entry`s (all on the `inputs` path), found by name.
    fn key((range, d): &(TextRange, Rc<Diagnostic>)) -> (TextSize, TextSize, &str, &str) {
        let name = match d.code {
            DiagnosticCode::StaleLockEntry => d.subject.as_str(),
            _ => "",
        };
        (range.start(), range.end(), d.code.as_str(), name)
    }
    let mut entries = Vec::with_capacity(old.len() + fresh.len());
    let mut fresh = fresh.into_iter().map(|d| (d.range, Rc::new(d))).peekable();
    for (range, d) in &old.entries {
        if recomputed(*range, d) {
            continue;
        }
        let kept = (
            moved(*range, edit.start, edit.old_end, edit.delta)?,
            Rc::clone(d),
        );
        while let Some(next) = fresh.next_if(|next| key(next) < key(&kept)) {
            entries.push(next);
        }
        entries.push(kept);
    }
    entries.extend(fresh);
    Some(Rc::new(Found { entries }))
}

/// The body of the outputs function of the top-level set `root`, when
/// `outputs` is bound once, to a function.
fn outputs_body(root: &ast::AttrSet) -> Option<ast::Expr> {
    let found = find_path(root, &["outputs"]);
    let [only] = found.as_slice() else {
        return None;
    };
    if only.kind != PathMatchKind::Exact {
        return None;
    }
    match strip_parens(only.binding.value()?) {
        ast::Expr::Lambda(lambda) => lambda.body(),
        _ => None,
    }
}

/// The smallest node of the old `within` around the edit whose
/// counterpart in the new one (the node at the same place, the edit's
/// length longer) has the same tree around it: the edit changed these two
/// nodes and nothing else. `None` when only `within` itself is.
fn changed_nodes(
    old_within: &SyntaxNode,
    new_within: &SyntaxNode,
    edit: Span,
) -> Option<(SyntaxNode, SyntaxNode)> {
    let covering = |within: &SyntaxNode, range: TextRange| {
        if !within.text_range().contains_range(range) {
            return None;
        }
        match within.covering_element(range) {
            NodeOrToken::Node(node) => Some(node),
            NodeOrToken::Token(token) => token.parent(),
        }
    };
    let edited = TextRange::new(edit.start.into(), edit.old_end.into());
    let mut old = covering(old_within, edited)?;
    loop {
        if old == *old_within {
            return None;
        }
        let range = old.text_range();
        let end = u32::try_from(i64::from(u32::from(range.end())) + edit.delta).ok()?;
        let expected = TextRange::new(range.start(), end.into());
        let mut candidate = covering(new_within, expected);
        while let Some(new) = candidate {
            if new.text_range() != expected {
                break;
            }
            if new.kind() == old.kind() && same_outside(&old, &new) {
                return Some((old, new));
            }
            candidate = new.parent();
        }
        old = old.parent()?;
    }
}

/// The old and new nodes whose fetcher calls a hash check must look at
/// again after `edit`: the nodes it changed, or the outermost fetcher call
/// around them; `None` (the whole body) when the changed text may name or
/// bind a fetcher, which changes how calls elsewhere are read.
fn hashed_region(
    old_body: &SyntaxNode,
    new_body: &SyntaxNode,
    edit: Span,
) -> Option<(SyntaxNode, SyntaxNode)> {
    let (old, new) = changed_nodes(old_body, new_body, edit)?;
    if hashes::may_name_a_fetcher(&old.text().to_string())
        || hashes::may_name_a_fetcher(&new.text().to_string())
    {
        return None;
    }
    // The same place in both trees: the k-th ancestors correspond.
    let outermost = new
        .ancestors()
        .take_while(|node| node != new_body)
        .enumerate()
        .filter(|(_, node)| hashes::is_fetcher_call(node))
        .last();
    match outermost {
        Some((depth, call)) => Some((old.ancestors().nth(depth)?, call)),
        None => Some((old, new)),
    }
}

/// The diagnostics of `file` from `state` when the edit lies in the body
/// of the outputs function: the tree is the old one but for that body, so
/// the inputs, the outputs' pattern and the lock are what they were. What
/// the body decides is checked again: the uses of undeclared inputs, the
/// hashes in it, and whether each input the old or the new body names
/// (uses, tests, undecidable constructs about it) is used. Every other
/// input was used by neither body and is still not; it is told the same
/// unless the undecidable construct about any input it is told of moved
/// or changed, which checks the whole file.
fn next_in_outputs(
    state: &mut CheckState,
    file: &Rc<SourceFile>,
    edit: Span,
    new_root: &ast::AttrSet,
    new_block: &ast::AttrSet,
) -> Option<Rc<Found>> {
    let old_root = root_attr_set(state.file.root())?;
    let old_body = outputs_body(&old_root)?;
    let new_body = outputs_body(new_root)?;
    if !same_outside(old_body.syntax(), new_body.syntax()) {
        return None;
    }
    let outputs_only = Flake::partial(new_root.clone(), Vec::new());
    let uses = analyze_uses_in(&outputs_only, file.text());

    // What an input neither body names is told, unchanged.
    let shift = |offset: TextSize| {
        u32::try_from(i64::from(u32::from(offset)) + state.uses_moved)
            .ok()
            .map(TextSize::from)
    };
    let told = |file: &SourceFile, undecided: &UndecidedUse, at: TextSize| {
        (
            undecided.construct.clone(),
            undecided.why.clone(),
            file.lines().line_col(file.text(), at),
        )
    };
    let old_told = match state.uses.about_unnamed().first() {
        Some(undecided) => Some(told(
            &state.file,
            undecided,
            shift(undecided.range.start())?,
        )),
        None => None,
    };
    let new_told = uses
        .about_unnamed()
        .first()
        .map(|undecided| told(file, undecided, undecided.range.start()));
    if old_told != new_told {
        return None;
    }

    let named: HashSet<String> = state
        .uses
        .named()
        .into_iter()
        .chain(uses.named())
        .filter(|name| state.declared.contains_key(*name))
        .map(str::to_string)
        .collect();
    let inputs = if named.is_empty() {
        Vec::new()
    } else {
        Flake::block_inputs_named(new_block, &named.iter().map(String::as_str).collect())
    };
    let partial = Flake::partial(new_root.clone(), inputs);
    let declared = |name: &str| state.declared.contains_key(name);
    let followed = |name: &str| state.followed.contains_key(name);
    let context = Context {
        file,
        flake: &partial,
        lock: state.lock.as_deref(),
        options: &state.options,
        now: state.now,
        whole: Some(Whole {
            declared: &declared,
            followed: &followed,
        }),
    };
    let mut sink = Sink::new(&state.options, false);
    inputs::undeclared_uses(&context, &mut sink, &uses, &|_| true);
    inputs::unused_inputs(&context, &mut sink, &uses);
    // The hashes of the fetcher calls in the nodes the edit changed (the
    // whole body when those may name or bind a fetcher).
    let (old_hashed, new_hashed) = hashed_region(old_body.syntax(), new_body.syntax(), edit)
        .unwrap_or_else(|| (old_body.syntax().clone(), new_body.syntax().clone()));
    hashes::check(&context, &mut sink, &new_hashed);
    let old_hashed = old_hashed.text_range();

    let recomputed = |range: TextRange, d: &Diagnostic| match d.code {
        DiagnosticCode::UndeclaredInput | DiagnosticCode::OptionalInput => true,
        DiagnosticCode::FakeHash | DiagnosticCode::LegacySha256 => old_hashed.contains_range(range),
        DiagnosticCode::UnusedInput
        | DiagnosticCode::UndecidedInputUse
        | DiagnosticCode::UnusedNonFlakeInput => named.contains(&d.subject),
        _ => false,
    };
    let diagnostics = merge(&state.diagnostics, recomputed, edit, sink.diagnostics)?;
    state.diagnostics = Rc::clone(&diagnostics);
    state.file = Rc::clone(file);
    state.uses = Rc::new(uses);
    state.uses_moved = 0;
    Some(diagnostics)
}

/// Where the `outputs` binding of `file` starts.
fn outputs_start(file: &SourceFile) -> Option<u32> {
    let root = root_attr_set(file.root())?;
    let found = find_path(&root, &["outputs"])
        .into_iter()
        .find(|found| found.kind == PathMatchKind::Exact)?;
    Some(found.binding.syntax().text_range().start().into())
}

/// True when replacing the bytes `[start, end)` of `old` by `inserted`
/// leaves the line and column of every position of the outputs (starting
/// at `outputs`) as they were: the outputs come before the edit, or no line
/// is added or removed and a line break separates the edit from them.
fn keeps_positions(
    old: &SourceFile,
    outputs: Option<u32>,
    start: u32,
    end: u32,
    inserted: &[u8],
) -> bool {
    let Some(outputs) = outputs else {
        return true;
    };
    if outputs < start {
        return true;
    }
    let bytes = old.text().as_bytes();
    let (start, end, outputs) = (start as usize, end as usize, outputs as usize);
    let breaks = |text: &[u8]| text.iter().filter(|&&b| b == b'\n').count();
    bytes
        .get(start..end)
        .is_some_and(|old| breaks(old) == breaks(inserted))
        && bytes
            .get(end..outputs)
            .is_some_and(|between| between.contains(&b'\n'))
}
