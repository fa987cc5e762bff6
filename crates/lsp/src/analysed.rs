//! A document's parse, flake model, input occurrences and diagnostics,
//! computed once per version of its text and shared by every request
//! about that version.
//!
//! Without it each hover, completion or code-action listing re-parsed the
//! whole file and re-read the model: ~10–17 ms on a 1,500-line flake, when
//! a hover should answer well under 5 ms. The parse tree and the model hold
//! `rowan` nodes, which cannot cross threads, so the cache is per thread;
//! the stdio server runs every handler on one thread, so it hits there.
//!
//! Invalidation: an entry is found only for a document whose version *and*
//! text equal the entry's, so a `didChange` (a new version) or a re-opened
//! document with other text never sees a stale tree. Diagnostics are kept
//! per `flake.lock` state (the same parsed lock, by identity), so a lock
//! re-read after it changed on disk recomputes them. `didClose` empties the
//! cache ([`forget_all`]); at most [`CAPACITY`] entries are kept.
//!
//! A version made by ranged changes (`Document::changed`) is parsed from
//! the cached previous version with `SourceFile::edited`, which re-lexes
//! the token a keystroke lands in (or re-parses the node around it) and
//! keeps the rest of the tree; the result is used only when its text is the
//! document's, so an entry of another document at that version is never
//! edited into this one. The model is read from the new tree when a
//! feature first asks for it.
//!
//! The diagnostics a document above [`INCREMENTAL_ABOVE`] bytes publishes
//! come from `check_incrementally`: the previous version's check state is
//! handed to the next version, which re-checks only the bindings of the
//! `inputs` block an edit replaced, or what an edit of the outputs
//! function's body decides, when that provably finds what a whole check
//! finds. Those diagnostics have no fixes; a code-action listing
//! (only for documents up to `MAX_ANALYZED_BYTES`) checks the version whole
//! for them. Smaller documents are checked whole once per version, fixes
//! included, and every request shares that.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use flakeedit_flake::{
    check_incrementally, occurrences, CheckOptions, CheckState, Flake, Lock, Occurrence,
};
use flakeedit_syntax::SourceFile;

use crate::analysis;
use crate::documents::{Document, MAX_DIAGNOSED_BYTES};

/// How many documents' analyses a thread keeps: a few open flakes; each
/// entry holds a tree, so the bound also bounds memory.
pub const CAPACITY: usize = 4;

/// Documents larger than this publish diagnostics checked incrementally
/// (see the module docs); smaller ones are checked whole, fixes and all,
/// which costs a few milliseconds and serves the code actions too.
pub const INCREMENTAL_ABOVE: usize = 256 * 1024;

/// Diagnostics, and the lock they were computed with.
type DiagnosticsWith = (Option<Arc<Lock>>, Rc<Vec<analysis::Diagnostic>>);

/// Diagnostics checked incrementally, and the lock they were computed with.
type FoundWith = (Option<Arc<Lock>>, Rc<flakeedit_flake::Found>);

/// The diagnostics a version publishes.
#[derive(Clone)]
pub enum Published {
    /// Checked whole, fixes included.
    Checked(Rc<Vec<analysis::Diagnostic>>),
    /// Checked incrementally, without fixes (the library's, as they are:
    /// converting tens of thousands of them twice would be most of the cost).
    Unfixed(Rc<flakeedit_flake::Found>),
}

impl Published {
    /// Calls `each` with every diagnostic's range, severity, code and message.
    pub fn each(
        &self,
        mut each: impl FnMut(
            flakeedit_syntax::TextRange,
            analysis::Severity,
            flakeedit_flake::DiagnosticCode,
            &str,
        ),
    ) {
        match self {
            Published::Checked(found) => {
                for d in found.iter() {
                    each(d.range, d.severity, d.code, &d.message);
                }
            }
            Published::Unfixed(found) => {
                for (range, d) in found.iter() {
                    each(
                        range,
                        analysis::Severity::of(d.severity),
                        d.code,
                        &d.message,
                    );
                }
            }
        }
    }
}

/// What is known about one version of a document.
pub struct Analysed {
    version: i32,
    file: Rc<SourceFile>,
    /// The model, read leniently (syntax errors allowed) on first use;
    /// `None` when the file is not a flake.
    flake: OnceCell<Option<Flake>>,
    occurrences: OnceCell<Vec<Occurrence>>,
    diagnostics: RefCell<Option<DiagnosticsWith>>,
    /// The published diagnostics of a large document, without fixes.
    published: RefCell<Option<FoundWith>>,
    /// The check state of a large document: received from the previous
    /// version, then replaced by this version's once checked, and taken
    /// by the next version.
    state: RefCell<Option<CheckState>>,
}

impl Analysed {
    fn new(version: i32, file: SourceFile, state: Option<CheckState>) -> Analysed {
        Analysed {
            version,
            file: Rc::new(file),
            flake: OnceCell::new(),
            occurrences: OnceCell::new(),
            diagnostics: RefCell::new(None),
            published: RefCell::new(None),
            state: RefCell::new(state),
        }
    }

    fn model(&self) -> Option<&Flake> {
        self.flake
            .get_or_init(|| Flake::read_lenient(&self.file).ok())
            .as_ref()
    }

    /// The parsed file.
    pub fn file(&self) -> &SourceFile {
        &self.file
    }

    /// The flake model; when `lenient` is false, only for a file without
    /// syntax errors (what `Flake::read` accepts).
    pub fn flake(&self, lenient: bool) -> Option<&Flake> {
        if !lenient && !self.file.errors().is_empty() {
            return None;
        }
        self.model()
    }

    /// Every occurrence of every input (declarations, uses, follows targets).
    pub fn occurrences(&self) -> &[Occurrence] {
        self.occurrences
            .get_or_init(|| self.model().map_or_else(Vec::new, occurrences))
    }

    /// The diagnostics to publish for this version with `lock`: those of
    /// [`Analysed::diagnostics`] for a document up to [`INCREMENTAL_ABOVE`]
    /// bytes; above, the incremental check's, without fixes.
    pub fn published(&self, lock: Option<&Arc<Lock>>) -> Published {
        if self.file.text().len() <= INCREMENTAL_ABOVE {
            return Published::Checked(self.diagnostics(lock));
        }
        let mut cached = self.published.borrow_mut();
        if let Some((with, found)) = cached.as_ref() {
            if same_lock(with.as_ref(), lock) {
                return Published::Unfixed(Rc::clone(found));
            }
        }
        let previous = self.state.borrow_mut().take();
        let checked = check_incrementally(&self.file, lock, &CheckOptions::default(), previous);
        *self.state.borrow_mut() = checked.state;
        *cached = Some((lock.cloned(), Rc::clone(&checked.diagnostics)));
        Published::Unfixed(checked.diagnostics)
    }

    /// The diagnostics of this version with `lock` (the lock cache's shared
    /// copy: a lock re-read from disk is a different one).
    pub fn diagnostics(&self, lock: Option<&Arc<Lock>>) -> Rc<Vec<analysis::Diagnostic>> {
        let mut cached = self.diagnostics.borrow_mut();
        if let Some((with, found)) = cached.as_ref() {
            if same_lock(with.as_ref(), lock) {
                return Rc::clone(found);
            }
        }
        let found = Rc::new(analysis::diagnostics_of(
            &self.file,
            lock.map(|lock| &**lock),
        ));
        *cached = Some((lock.cloned(), Rc::clone(&found)));
        found
    }
}

/// The same lock state: none, or the same shared copy.
fn same_lock(a: Option<&Arc<Lock>>, b: Option<&Arc<Lock>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

thread_local! {
    static CACHE: RefCell<Vec<Rc<Analysed>>> = const { RefCell::new(Vec::new()) };
}

/// The analysis of `document`, from the cache when this version of its
/// text was analysed before; `None` for a document too large to analyse.
pub fn analysed(document: &Document) -> Option<Rc<Analysed>> {
    if document.text.len() > MAX_DIAGNOSED_BYTES {
        return None;
    }
    let found = CACHE.with_borrow_mut(|cache| {
        let index = cache.iter().position(|entry| {
            entry.version == document.version && entry.file.text() == document.text
        })?;
        // Most recently used last.
        let entry = cache.remove(index);
        cache.push(Rc::clone(&entry));
        Some(entry)
    });
    if let Some(entry) = found {
        return Some(entry);
    }
    // Parsing happens outside the borrow: a panic in it (caught by the
    // server's shield) must not leave the cache borrowed.
    let earlier = document.changed.as_ref().map_or_else(Vec::new, |changed| {
        CACHE.with_borrow(|cache| {
            cache
                .iter()
                .filter(|entry| entry.version == changed.from)
                .cloned()
                .collect()
        })
    });
    let (file, state) = earlier
        .iter()
        .find_map(|entry| {
            let file = edited(entry, document)?;
            // The previous version's check state goes to this version.
            Some((file, entry.state.borrow_mut().take()))
        })
        .unwrap_or_else(|| (SourceFile::parse(document.text.as_str()), None));
    let entry = Rc::new(Analysed::new(document.version, file, state));
    CACHE.with_borrow_mut(|cache| {
        if cache.len() >= CAPACITY {
            cache.remove(0);
        }
        cache.push(Rc::clone(&entry));
    });
    Some(entry)
}

/// `document` parsed from `earlier` (its previous version) by re-parsing
/// only what the edits touched; `None` when `earlier` was not the text the
/// edits apply to (another document at that version).
fn edited(earlier: &Analysed, document: &Document) -> Option<SourceFile> {
    let changed = document.changed.as_ref()?;
    let mut file: Option<SourceFile> = None;
    for edit in &changed.edits {
        let next = file.as_ref().unwrap_or(&earlier.file).edited(edit);
        file = Some(next);
    }
    file.filter(|file| file.text() == document.text)
}

/// Empties this thread's cache (a document was closed).
pub fn forget_all() {
    CACHE.with_borrow_mut(Vec::clear);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(version: i32, text: &str) -> Document {
        Document::new(text, version)
    }

    const FLAKE: &str = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  outputs = { self, nixpkgs }: { };\n}\n";

    #[test]
    fn one_version_is_parsed_once_and_a_new_text_is_parsed_again() {
        forget_all();
        let first = analysed(&document(1, FLAKE)).expect("small");
        let again = analysed(&document(1, FLAKE)).expect("small");
        assert!(Rc::ptr_eq(&first, &again));
        // A new version, or the same version with another text (a document
        // closed and opened again), is a new analysis.
        let changed = FLAKE.replace("nixpkgs\";", "nixpkgs/nixos-unstable\";");
        let newer = analysed(&document(2, &changed)).expect("small");
        assert!(!Rc::ptr_eq(&first, &newer));
        assert_eq!(newer.file().text(), changed);
        let reopened = analysed(&document(1, &changed)).expect("small");
        assert!(!Rc::ptr_eq(&first, &reopened));
        assert_eq!(reopened.file().text(), changed);
        forget_all();
        let after_close = analysed(&document(1, FLAKE)).expect("small");
        assert!(!Rc::ptr_eq(&first, &after_close));
    }

    #[test]
    fn the_cache_is_bounded() {
        forget_all();
        let first = analysed(&document(1, FLAKE)).expect("small");
        for version in 2..=CAPACITY as i32 + 1 {
            analysed(&document(version, FLAKE));
        }
        CACHE.with_borrow(|cache| assert_eq!(cache.len(), CAPACITY));
        let again = analysed(&document(1, FLAKE)).expect("small");
        assert!(!Rc::ptr_eq(&first, &again), "the oldest entry was dropped");
    }

    #[test]
    fn diagnostics_follow_the_lock() {
        forget_all();
        let entry = analysed(&document(1, FLAKE)).expect("small");
        let without = entry.diagnostics(None);
        assert!(Rc::ptr_eq(&without, &entry.diagnostics(None)));
        let lock = Arc::new(
            Lock::parse(r#"{"nodes":{"root":{"inputs":{}}},"root":"root","version":7}"#)
                .expect("a lock"),
        );
        let with = entry.diagnostics(Some(&lock));
        assert!(!Rc::ptr_eq(&without, &with));
        assert!(Rc::ptr_eq(&with, &entry.diagnostics(Some(&lock))));
        // The same content re-read from disk is another lock: recomputed.
        let reread = Arc::new((*lock).clone());
        assert!(!Rc::ptr_eq(&with, &entry.diagnostics(Some(&reread))));
        // Without the lock, `nixpkgs` is not locked; with an empty lock it
        // is missing from it: the two lists differ.
        let codes = |found: &[analysis::Diagnostic]| {
            found.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()
        };
        assert_ne!(codes(&without), codes(&with));
    }

    #[test]
    fn strict_models_need_a_file_without_syntax_errors() {
        forget_all();
        let broken = FLAKE.replace("{ };", "{ ;");
        let entry = analysed(&document(1, &broken)).expect("small");
        assert!(entry.flake(true).is_some());
        assert!(entry.flake(false).is_none());
        assert!(!entry.occurrences().is_empty());
    }

    /// `document` at `version` made from `from` by one edit, as
    /// `Documents::change` records it.
    fn changed(from: &Document, version: i32, range: (usize, usize), insert: &str) -> Document {
        let mut text = from.text.clone();
        text.replace_range(range.0..range.1, insert);
        let edit = flakeedit_syntax::TextEdit::replace(
            flakeedit_syntax::TextRange::new((range.0 as u32).into(), (range.1 as u32).into()),
            insert,
        );
        Document {
            text,
            version,
            changed: Some(crate::documents::Changed {
                from: from.version,
                edits: vec![edit],
            }),
        }
    }

    #[test]
    fn a_change_is_parsed_from_the_previous_version_as_a_whole_parse_would() {
        forget_all();
        let first = document(1, FLAKE);
        let before = analysed(&first).expect("small");
        let at = FLAKE.find("nixpkgs.url").expect("input");
        // Typing in a name re-lexes one token: the outputs binding is the
        // previous version's node, not a new parse's.
        let typed = changed(&first, 2, (at, at), "x");
        let after = analysed(&typed).expect("small");
        let outputs = |entry: &Analysed| {
            let root = entry.file().syntax().clone();
            let binding = root
                .descendants()
                .filter(|node| node.kind() == flakeedit_syntax::SyntaxKind::NODE_ATTRPATH_VALUE)
                .last()
                .expect("the outputs binding");
            binding.green().to_owned()
        };
        assert!(std::ptr::eq::<rowan::GreenNodeData>(
            &*outputs(&before),
            &*outputs(&after)
        ));
        let whole = SourceFile::parse(typed.text.as_str());
        assert_eq!(after.file().syntax().green(), whole.syntax().green());
        assert_eq!(
            after.flake(false).expect("a flake").inputs[0].name,
            "xnixpkgs"
        );
        // An edit that breaks the syntax is parsed whole, errors and all.
        let broken = changed(&typed, 3, (at, at), "\"");
        let entry = analysed(&broken).expect("small");
        let whole = SourceFile::parse(broken.text.as_str());
        assert_eq!(entry.file().syntax().green(), whole.syntax().green());
        assert_eq!(entry.file().errors(), whole.errors());
    }

    #[test]
    fn edits_recorded_against_another_text_are_not_applied_to_it() {
        forget_all();
        let other = document(1, "{ }\n");
        analysed(&other).expect("small");
        // Version 1 in the cache is another document's: the edits do not
        // give this text, so it is parsed whole.
        let mine = changed(&document(1, FLAKE), 2, (0, 0), " ");
        let entry = analysed(&mine).expect("small");
        assert_eq!(entry.file().text(), mine.text);
        assert_eq!(
            entry.file().syntax().green(),
            SourceFile::parse(mine.text.as_str()).syntax().green()
        );
    }

    /// A flake of more than [`INCREMENTAL_ABOVE`] bytes: one-line inputs,
    /// a few of them used.
    fn large_flake() -> String {
        let mut text = String::from("{\n  inputs = {\n");
        let mut index = 0;
        while text.len() <= INCREMENTAL_ABOVE {
            text.push_str(&format!(
                "    dep{index}.url = \"github:example/dep{index}\";\n"
            ));
            index += 1;
        }
        text.push_str(
            "  };\n  outputs = { self, ... }@inputs: { a = inputs.dep1; b = inputs.gone; };\n}\n",
        );
        text
    }

    /// The library's diagnostics of `text`, checked whole, without fixes.
    fn whole(text: &str) -> Vec<(TextRange, String, String)> {
        analysis::diagnostics(text, None)
            .into_iter()
            .map(|d| (d.range, d.code.as_str().to_string(), d.message))
            .collect()
    }

    fn published(entry: &Analysed) -> Vec<(TextRange, String, String)> {
        let mut found = Vec::new();
        entry.published(None).each(|range, _, code, message| {
            found.push((range, code.as_str().to_string(), message.to_string()));
        });
        found
    }

    use flakeedit_syntax::TextRange;

    #[test]
    fn a_large_document_passes_its_check_state_to_the_next_version() {
        forget_all();
        let text = large_flake();
        let first = document(1, &text);
        let entry = analysed(&first).expect("under the limit");
        assert_eq!(published(&entry), whole(&text));
        assert!(
            entry.state.borrow().is_some(),
            "the whole check left a state"
        );
        // Rename `dep1` (used) to `dep1x`, then break the syntax, then
        // declare `gone`: each version's published diagnostics are those
        // of a whole check, and the state is handed on, also across the
        // version with a syntax error.
        let at = text.find("dep1.url").expect("dep1") + 4;
        let renamed = changed(&first, 2, (at, at), "x");
        let second = analysed(&renamed).expect("under the limit");
        assert!(entry.state.borrow().is_none(), "taken by the next version");
        assert_eq!(published(&second), whole(&renamed.text));
        let broken = changed(&renamed, 3, (at, at), "\"");
        let third = analysed(&broken).expect("under the limit");
        assert_eq!(published(&third), whole(&broken.text));
        assert!(third.state.borrow().is_some(), "kept across a syntax error");
        let fixed = changed(&broken, 4, (at, at + 1), "");
        let fourth = analysed(&fixed).expect("under the limit");
        assert_eq!(published(&fourth), whole(&fixed.text));
        let dep2 = fixed.text.find("dep2.url").expect("dep2");
        let declared = changed(&fixed, 5, (dep2, dep2 + 4), "gone");
        let fifth = analysed(&declared).expect("under the limit");
        assert_eq!(published(&fifth), whole(&declared.text));
        assert!(fifth.state.borrow().is_some());
    }
}
