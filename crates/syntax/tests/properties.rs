//! Property tests: random attribute sets, random lambda patterns and random
//! byte mutations of the fixture files, edited with the crate's operations.
//!
//! What must hold for every input: nothing panics; parsing round-trips
//! byte for byte; an edit of a valid file gives a valid file (for rnix and
//! for the real Nix parser); no byte outside the edit range changes; an
//! inserted binding is found by `find_path` afterwards and a removed one is
//! not.
//!
//! Case counts come from `PROPTEST_CASES` (64 by default). Every case is
//! also checked by the real Nix parser; for long runs, check one case in N
//! with `FLAKEEDIT_NIX_EVERY=N` (each check spawns `nix-instantiate`).
//! A long run:
//!
//! ```text
//! PROPTEST_CASES=100000 cargo test -p flakeedit-syntax --test properties --release
//! PROPTEST_CASES=20000 FLAKEEDIT_NIX_EVERY=20 cargo test -p flakeedit-syntax --test properties --release
//! ```

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use common::{
    assert_untouched, attr_sets, change_set, entries, has_bare_lf, has_blank_line_inside_braces,
    has_double_blank_line, nix,
};
use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{
    add_formal, attrpath_names, find_path, formal_names, insert_entry, quote_attr_name,
    remove_entry, remove_formal, root_attr_set, string_literal, ApplyError, ChangeSet,
    InsertPosition, PathMatchKind, SourceFile, SyntaxKind, SyntaxNode, TextEdit,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;
use rowan::ast::AstNode;

/// Cases per property: `PROPTEST_CASES`, or 64.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        // Failing cases are saved next to this file and replayed first.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/properties.proptest-regressions",
        ))),
        ..ProptestConfig::with_cases(cases)
    }
}

/// True when this case should also go through the real Nix parser: every
/// case by default, one in `FLAKEEDIT_NIX_EVERY` when that is set.
fn nix_sample(counter: &AtomicUsize) -> bool {
    static EVERY: OnceLock<usize> = OnceLock::new();
    let every = *EVERY.get_or_init(|| {
        std::env::var("FLAKEEDIT_NIX_EVERY")
            .ok()
            .and_then(|every| every.parse().ok())
            .filter(|every| *every > 0)
            .unwrap_or(1)
    });
    counter.fetch_add(1, Ordering::Relaxed) % every == 0
}

// ---------------------------------------------------------------------------
// Random attribute sets.

/// Formatting shared by a whole generated file.
#[derive(Debug, Clone, Copy)]
struct Style {
    unit: &'static str,
    eol: &'static str,
}

fn style() -> impl Strategy<Value = Style> {
    (
        prop_oneof![Just("\t"), Just("  "), Just("    ")],
        prop_oneof![Just("\n"), Just("\r\n")],
    )
        .prop_map(|(unit, eol)| Style { unit, eol })
}

#[derive(Debug, Clone)]
enum ValueModel {
    Int(u16),
    Str(String),
    List(Vec<u8>),
    Set(SetModel),
}

/// How the first segment of a binding's name is written.
#[derive(Debug, Clone, Copy)]
enum NameKind {
    Plain,
    Dashed,
    Quoted,
    Interpolated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CommentKind {
    Line,
    Block,
}

#[derive(Debug, Clone)]
struct EntryModel {
    name: NameKind,
    /// Extra dotted segments after the first (`n0.sub.leaf`).
    depth: u8,
    /// An `inherit (builtins) …;` instead of a binding.
    inherit: bool,
    value: ValueModel,
    comment_above: bool,
    trailing: Option<CommentKind>,
    blank_before: bool,
    /// On the same line as the previous entry (multi-line sets only).
    same_line: bool,
}

#[derive(Debug, Clone)]
struct SetModel {
    rec: bool,
    multiline: bool,
    /// Multi-line set whose first entry follows `{` on its line.
    open_inline: bool,
    /// Multi-line set whose `}` follows the last entry on its line.
    close_inline: bool,
    /// `{ }` rather than `{}` when empty and one-line.
    spaced_empty: bool,
    entries: Vec<EntryModel>,
}

fn name_kind() -> impl Strategy<Value = NameKind> {
    prop_oneof![
        4 => Just(NameKind::Plain),
        1 => Just(NameKind::Dashed),
        2 => Just(NameKind::Quoted),
        1 => Just(NameKind::Interpolated),
    ]
}

fn comment_kind() -> impl Strategy<Value = Option<CommentKind>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(CommentKind::Line)),
        1 => Just(Some(CommentKind::Block)),
    ]
}

fn entry_model(value: BoxedStrategy<ValueModel>) -> impl Strategy<Value = EntryModel> {
    (
        name_kind(),
        0u8..3,
        prop::bool::weighted(0.1),
        value,
        prop::bool::weighted(0.2),
        comment_kind(),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.15),
    )
        .prop_map(
            |(name, depth, inherit, value, comment_above, trailing, blank_before, same_line)| {
                EntryModel {
                    name,
                    depth,
                    inherit,
                    value,
                    comment_above,
                    trailing,
                    blank_before,
                    same_line,
                }
            },
        )
}

fn set_model(value: BoxedStrategy<ValueModel>) -> impl Strategy<Value = SetModel> {
    (
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.7),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
        any::<bool>(),
        prop::collection::vec(entry_model(value), 0..6),
    )
        .prop_map(
            |(rec, multiline, open_inline, close_inline, spaced_empty, entries)| SetModel {
                rec,
                multiline,
                open_inline,
                close_inline,
                spaced_empty,
                entries,
            },
        )
}

fn value_model() -> BoxedStrategy<ValueModel> {
    let leaf = prop_oneof![
        any::<u16>().prop_map(ValueModel::Int),
        "[a-z é$\"\\\\{}';#]{0,8}".prop_map(ValueModel::Str),
        prop::collection::vec(0u8..10, 0..3).prop_map(ValueModel::List),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        set_model(inner.boxed()).prop_map(ValueModel::Set)
    })
    .boxed()
}

/// A whole file: an optional header comment, the root set, an optional
/// final line break.
#[derive(Debug, Clone)]
struct FileModel {
    style: Style,
    header: bool,
    root: SetModel,
    final_newline: bool,
}

fn file_model() -> impl Strategy<Value = FileModel> {
    (
        style(),
        any::<bool>(),
        set_model(value_model()),
        any::<bool>(),
    )
        .prop_map(|(style, header, root, final_newline)| FileModel {
            style,
            header,
            root,
            final_newline,
        })
}

const BUILTINS: &[&str] = &["map", "filter", "head", "length", "toString", "tail"];

/// The first segment of entry `index`'s name, unique within its set.
fn entry_name(kind: NameKind, index: usize) -> String {
    match kind {
        NameKind::Plain => format!("n{index}"),
        NameKind::Dashed => format!("n-{index}"),
        NameKind::Quoted => string_literal(&format!("q {index}.x")),
        NameKind::Interpolated => format!("${{\"i{index}\"}}"),
    }
}

impl FileModel {
    fn render(&self) -> String {
        let mut out = String::new();
        if self.header {
            out.push_str("# a generated file");
            out.push_str(self.style.eol);
        }
        render_set(&self.root, 0, false, self.style, &mut out);
        if self.final_newline {
            out.push_str(self.style.eol);
        }
        out
    }
}

fn render_value(value: &ValueModel, level: usize, one_line: bool, style: Style, out: &mut String) {
    match value {
        ValueModel::Int(number) => out.push_str(&number.to_string()),
        ValueModel::Str(text) => out.push_str(&string_literal(text)),
        ValueModel::List(items) => {
            out.push('[');
            for item in items {
                out.push(' ');
                out.push_str(&item.to_string());
            }
            out.push_str(" ]");
        }
        ValueModel::Set(set) => render_set(set, level, one_line, style, out),
    }
}

/// Renders an entry (without its trailing comment).
fn render_entry(
    entry: &EntryModel,
    index: usize,
    level: usize,
    one_line: bool,
    style: Style,
    out: &mut String,
) {
    if entry.inherit && index < BUILTINS.len() {
        out.push_str("inherit (builtins) ");
        out.push_str(BUILTINS[index]);
        out.push(';');
        return;
    }
    out.push_str(&entry_name(entry.name, index));
    for segment in 0..entry.depth {
        out.push_str(&format!(".s{segment}"));
    }
    out.push_str(" = ");
    render_value(&entry.value, level, one_line, style, out);
    out.push(';');
}

/// Renders a set whose `{` is on a line indented `level` units.
fn render_set(set: &SetModel, level: usize, force_one_line: bool, style: Style, out: &mut String) {
    if set.rec {
        out.push_str("rec ");
    }
    let multiline = set.multiline && !force_one_line;
    if !multiline {
        out.push('{');
        if set.entries.is_empty() && !set.spaced_empty {
            out.push('}');
            return;
        }
        for (index, entry) in set.entries.iter().enumerate() {
            out.push(' ');
            render_entry(entry, index, level, true, style, out);
            if entry.trailing.is_some() {
                out.push_str(" /* t */");
            }
        }
        out.push_str(" }");
        return;
    }
    let indent = style.unit.repeat(level);
    let inner = style.unit.repeat(level + 1);
    out.push('{');
    let count = set.entries.len();
    for (index, entry) in set.entries.iter().enumerate() {
        let inline = if index == 0 {
            set.open_inline
        } else {
            entry.same_line
        };
        if inline {
            out.push(' ');
        } else {
            out.push_str(style.eol);
            if entry.blank_before && index > 0 {
                out.push_str(style.eol);
            }
            if entry.comment_above {
                out.push_str(&inner);
                out.push_str("# about the next entry");
                out.push_str(style.eol);
            }
            out.push_str(&inner);
        }
        render_entry(entry, index, level + 1, false, style, out);
        // A line comment would swallow whatever follows on its line.
        let next_inline = match set.entries.get(index + 1) {
            Some(next) => next.same_line,
            None => set.close_inline,
        };
        match entry.trailing {
            Some(CommentKind::Line) if !next_inline => out.push_str(" # trailing"),
            Some(_) => out.push_str(" /* trailing */"),
            None => {}
        }
    }
    if set.close_inline && count > 0 {
        out.push_str(" }");
    } else {
        out.push_str(style.eol);
        out.push_str(&indent);
        out.push('}');
    }
}

/// A value of an inserted binding, written as the crate's callers write
/// snippets: `\n` line breaks and one `\t` per nesting level.
#[derive(Debug, Clone)]
enum SnippetValue {
    Int(u16),
    Str(String),
    Set(Vec<SnippetValue>),
}

fn snippet_value() -> impl Strategy<Value = SnippetValue> {
    let leaf = prop_oneof![
        any::<u16>().prop_map(SnippetValue::Int),
        "[a-z é$\"\\\\{}';#\n\r\t]{0,8}".prop_map(SnippetValue::Str),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(SnippetValue::Set)
    })
}

fn render_snippet_value(value: &SnippetValue, depth: usize, out: &mut String) {
    match value {
        SnippetValue::Int(number) => out.push_str(&number.to_string()),
        SnippetValue::Str(text) => out.push_str(&string_literal(text)),
        SnippetValue::Set(items) if items.is_empty() => out.push_str("{ }"),
        SnippetValue::Set(items) => {
            out.push('{');
            for (index, item) in items.iter().enumerate() {
                out.push('\n');
                out.push_str(&"\t".repeat(depth + 1));
                out.push_str(&format!("v{index} = "));
                render_snippet_value(item, depth + 1, out);
                out.push(';');
            }
            out.push('\n');
            out.push_str(&"\t".repeat(depth));
            out.push('}');
        }
    }
}

/// The name of an inserted binding: segments, possibly needing quotes.
fn inserted_name() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        Just(vec!["fresh".to_string()]),
        Just(vec!["fresh-1.0".to_string()]),
        Just(vec!["fresh".to_string(), "inner".to_string()]),
        Just(vec!["in".to_string(), "a b".to_string()]),
        "[a-z\"$ {}.]{1,6}".prop_map(|name| vec![format!("new {name}")]),
    ]
}

/// Where to insert, by index into the target set's entries.
#[derive(Debug, Clone)]
enum PositionChoice {
    First,
    Last,
    After(Index),
    Before(Index),
}

fn position_choice() -> impl Strategy<Value = PositionChoice> {
    prop_oneof![
        Just(PositionChoice::First),
        Just(PositionChoice::Last),
        any::<Index>().prop_map(PositionChoice::After),
        any::<Index>().prop_map(PositionChoice::Before),
    ]
}

fn resolve(position: &PositionChoice, entries: &[SyntaxNode]) -> InsertPosition {
    if entries.is_empty() {
        return InsertPosition::Last;
    }
    match position {
        PositionChoice::First => InsertPosition::First,
        PositionChoice::Last => InsertPosition::Last,
        PositionChoice::After(index) => InsertPosition::After(index.get(entries).clone()),
        PositionChoice::Before(index) => InsertPosition::Before(index.get(entries).clone()),
    }
}

/// The static attribute path from the root set to `set`, when it has one
/// (sets reached only through bindings and parentheses).
fn path_to(set: &SyntaxNode) -> Option<Vec<String>> {
    let mut path = Vec::new();
    let mut node = set.clone();
    loop {
        let parent = node.parent()?;
        match parent.kind() {
            SyntaxKind::NODE_ROOT => return Some(path),
            SyntaxKind::NODE_PAREN => node = parent,
            SyntaxKind::NODE_ATTRPATH_VALUE => {
                let binding = ast::AttrpathValue::cast(parent.clone())?;
                // Only the value side leads down a path.
                if binding.value()?.syntax() != &node {
                    return None;
                }
                let mut names = attrpath_names(&binding.attrpath()?)?;
                names.append(&mut path);
                path = names;
                node = parent.parent()?;
                if node.kind() != SyntaxKind::NODE_ATTR_SET {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// Applies one edit to a valid file and checks everything an edit must
/// keep. Returns the new file.
fn apply_checked(file: &SourceFile, edit: TextEdit, with_nix: bool) -> SourceFile {
    let changes = change_set([edit]);
    let changed = match changes.apply(file) {
        Ok(changed) => changed,
        Err(error) => panic!(
            "{error}\n--- before ---\n{}\n--- edits ---\n{:?}\n--- after ---\n{}",
            file.text(),
            changes.edits(),
            changes.apply_unchecked(file.text()).unwrap_or_default()
        ),
    };
    assert!(changed.is_valid());
    assert_eq!(changed.syntax().to_string(), changed.text());
    assert_untouched(file.text(), &changes, changed.text());
    // Line endings: a file with one kind of line break keeps it.
    let before = file.text();
    if before.contains("\r\n") && !has_bare_lf(before) {
        assert!(
            !has_bare_lf(changed.text()),
            "bare LF in {:?}",
            changed.text()
        );
    }
    if !before.contains('\r') {
        assert!(!changed.text().contains('\r'), "CR in {:?}", changed.text());
    }
    if with_nix {
        nix().assert_parses(changed.text());
    }
    changed
}

fn exact_or_deeper(file: &SourceFile, path: &[String]) -> usize {
    let root = root_attr_set(file.root()).expect("the file is a set");
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    find_path(&root, &path)
        .into_iter()
        .filter(|found| !matches!(found.kind, PathMatchKind::Opaque { .. }))
        .count()
}

static INSERT_CASES: AtomicUsize = AtomicUsize::new(0);
static REMOVE_CASES: AtomicUsize = AtomicUsize::new(0);
static FORMAL_CASES: AtomicUsize = AtomicUsize::new(0);
static MUTATION_CASES: AtomicUsize = AtomicUsize::new(0);

proptest! {
    #![proptest_config(config())]

    #[test]
    fn insertions_keep_files_valid_and_are_found(
        model in file_model(),
        target in any::<Index>(),
        position in position_choice(),
        name in inserted_name(),
        value in snippet_value(),
    ) {
        let text = model.render();
        let file = SourceFile::parse(text.clone());
        prop_assert!(file.is_valid(), "generated an invalid file: {:?}\n{}", file.errors(), text);
        prop_assert_eq!(file.syntax().to_string(), text.clone());
        let sets = attr_sets(&file);
        let set = target.get(&sets);
        let set_entries = entries(set);
        let position = resolve(&position, &set_entries);
        let mut snippet = quote_attr_path_of(&name);
        snippet.push_str(" = ");
        render_snippet_value(&value, 0, &mut snippet);
        snippet.push(';');
        let edit = match insert_entry(&file, set, &snippet, position) {
            Ok(edit) => edit,
            Err(error) => {
                // Only allowed when the set has no entry to anchor to.
                prop_assert!(set_entries.is_empty(), "{error}");
                return Ok(());
            }
        };
        let changed = apply_checked(&file, edit, nix_sample(&INSERT_CASES));
        if let Some(mut path) = path_to(set) {
            path.extend(name.iter().cloned());
            prop_assert!(
                exact_or_deeper(&changed, &path) >= 1,
                "{:?} not found after inserting\n{}",
                path,
                changed.text()
            );
        }
    }

    #[test]
    fn removals_keep_files_valid_and_leave_no_scar(
        model in file_model(),
        target in any::<Index>(),
        entry in any::<Index>(),
    ) {
        let text = model.render();
        let file = SourceFile::parse(text.clone());
        prop_assert!(file.is_valid(), "generated an invalid file: {:?}\n{}", file.errors(), text);
        let sets: Vec<SyntaxNode> = attr_sets(&file)
            .into_iter()
            .filter(|set| !entries(set).is_empty())
            .collect();
        if sets.is_empty() {
            return Ok(());
        }
        let set = target.get(&sets);
        let set_entries = entries(set);
        let removed = entry.get(&set_entries);
        let edit = remove_entry(&file, removed);
        let changed = apply_checked(&file, edit, nix_sample(&REMOVE_CASES));
        if !has_double_blank_line(&text) {
            prop_assert!(!has_double_blank_line(changed.text()), "{:?}", changed.text());
        }
        if !has_blank_line_inside_braces(&text) {
            prop_assert!(!has_blank_line_inside_braces(changed.text()), "{:?}", changed.text());
        }
        let names = ast::AttrpathValue::cast(removed.clone())
            .and_then(|binding| binding.attrpath())
            .and_then(|path| attrpath_names(&path));
        if let (Some(mut path), Some(names)) = (path_to(set), names) {
            path.extend(names);
            prop_assert_eq!(
                exact_or_deeper(&changed, &path),
                0,
                "{:?} still found after removing it\n{}",
                path,
                changed.text()
            );
        }
    }

    #[test]
    fn formal_edits_keep_patterns_valid(
        pattern in pattern_model(),
        add in any::<bool>(),
        name in prop::sample::select(FORMAL_POOL),
    ) {
        let text = pattern.render();
        let file = SourceFile::parse(text.clone());
        prop_assert!(file.is_valid(), "generated an invalid pattern: {:?}\n{}", file.errors(), text);
        let lambda_pattern = file
            .syntax()
            .descendants()
            .find_map(ast::Pattern::cast)
            .expect("a pattern");
        let had = formal_names(&lambda_pattern).iter().any(|formal| formal == name);
        let edit = if add {
            add_formal(&file, &lambda_pattern, name)
        } else {
            remove_formal(&file, &lambda_pattern, name)
        };
        let Some(edit) = edit else {
            // Adding an existing formal or removing a missing one does nothing.
            prop_assert_eq!(had, add);
            return Ok(());
        };
        prop_assert_eq!(had, !add);
        let changed = apply_checked(&file, edit, nix_sample(&FORMAL_CASES));
        let new_pattern = changed
            .syntax()
            .descendants()
            .find_map(ast::Pattern::cast)
            .expect("still a pattern");
        let names = formal_names(&new_pattern);
        prop_assert_eq!(names.iter().any(|formal| formal == name), add, "{:?}", changed.text());
        // The pattern keeps its layout.
        let multiline = |pattern: &ast::Pattern| pattern.syntax().to_string().contains('\n');
        if !multiline(&lambda_pattern) {
            prop_assert!(!multiline(&new_pattern), "{:?}", changed.text());
        }
        if add && pattern.layout != Layout::OneLine && !pattern.formals.is_empty() {
            prop_assert!(multiline(&new_pattern), "{:?}", changed.text());
        }
    }

    #[test]
    fn mutated_fixtures_never_panic(
        fixture in any::<Index>(),
        mutation in mutation(),
        choice in any::<Index>(),
    ) {
        let (name, original) = fixture.get(fixtures());
        let text = mutation.apply(original);
        let file = SourceFile::parse(text.clone());
        prop_assert_eq!(file.syntax().to_string(), text.clone(), "{} mutated", name);
        let results = every_operation(&file);
        if file.is_valid() {
            let mut applied = Vec::new();
            for (what, result) in results {
                match result {
                    Ok(changed) => {
                        prop_assert!(changed.is_valid(), "{} broke {}", what, name);
                        applied.push(changed);
                    }
                    Err(error) => {
                        prop_assert!(false, "{} on a valid mutation of {}: {}\n{}", what, name, error, text);
                    }
                }
            }
            // The real parser judges one edit per case (when it accepts the
            // mutated input: rnix and Nix may disagree on random bytes, for
            // instance on undefined variables).
            if !applied.is_empty() && nix_sample(&MUTATION_CASES) && nix().parse(&text).is_ok() {
                // Removing a formal or a `let` binding can leave a name
                // unbound, which `nix-instantiate --parse` reports too; that
                // is a matter of scope, not syntax.
                let changed = choice.get(&applied);
                if let Err(error) = nix().parse(changed.text()) {
                    prop_assert!(
                        error.contains("undefined variable"),
                        "Nix rejects an edit of a mutation of {}:\n{}\n{}",
                        name,
                        error,
                        changed.text()
                    );
                }
            }
        }
    }
}

/// Writes an attribute path from its segments, quoting as needed.
fn quote_attr_path_of(segments: &[String]) -> String {
    segments
        .iter()
        .map(|segment| quote_attr_name(segment))
        .collect::<Vec<_>>()
        .join(".")
}

// ---------------------------------------------------------------------------
// Random lambda patterns.

const FORMAL_POOL: &[&str] = &["self", "nixpkgs", "flake-utils", "riot", "a'", "_x"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    OneLine,
    /// One per line, commas at line ends; `final_comma` after the last
    /// formal too.
    Trailing {
        final_comma: bool,
    },
    /// One per line, commas starting lines.
    Leading,
}

#[derive(Debug, Clone)]
struct PatternModel {
    style: Style,
    formals: Vec<(&'static str, bool)>,
    ellipsis: bool,
    /// 0: none, 1: `inputs@{ … }`, 2: `{ … }@inputs`.
    alias: u8,
    layout: Layout,
    spaced_empty: bool,
}

fn pattern_model() -> impl Strategy<Value = PatternModel> {
    (
        style(),
        prop::sample::subsequence(FORMAL_POOL, 0..=FORMAL_POOL.len())
            .prop_flat_map(|names| {
                let count = names.len();
                (
                    Just(names),
                    prop::collection::vec(prop::bool::weighted(0.2), count),
                )
            })
            .prop_map(|(names, defaults)| names.into_iter().zip(defaults).collect::<Vec<_>>()),
        any::<bool>(),
        0u8..3,
        prop_oneof![
            Just(Layout::OneLine),
            any::<bool>().prop_map(|final_comma| Layout::Trailing { final_comma }),
            Just(Layout::Leading),
        ],
        any::<bool>(),
    )
        .prop_map(
            |(style, formals, ellipsis, alias, layout, spaced_empty)| PatternModel {
                style,
                formals,
                ellipsis,
                alias,
                layout,
                spaced_empty,
            },
        )
}

impl PatternModel {
    fn elements(&self) -> Vec<String> {
        let mut elements: Vec<String> = self
            .formals
            .iter()
            .map(|(name, default)| {
                if *default {
                    format!("{name} ? null")
                } else {
                    name.to_string()
                }
            })
            .collect();
        if self.ellipsis {
            elements.push("...".to_string());
        }
        elements
    }

    /// The pattern as the `outputs` of a flake-like set.
    fn render(&self) -> String {
        let Style { unit, eol } = self.style;
        let elements = self.elements();
        let mut pattern = String::new();
        if self.alias == 1 {
            pattern.push_str("inputs@");
        }
        if elements.is_empty() {
            pattern.push_str(if self.spaced_empty { "{ }" } else { "{}" });
        } else {
            match self.layout {
                Layout::OneLine => {
                    pattern.push_str("{ ");
                    pattern.push_str(&elements.join(", "));
                    pattern.push_str(" }");
                }
                Layout::Trailing { final_comma } => {
                    pattern.push('{');
                    let count = elements.len();
                    for (index, element) in elements.iter().enumerate() {
                        pattern.push_str(eol);
                        pattern.push_str(&unit.repeat(2));
                        pattern.push_str(element);
                        let last = index + 1 == count;
                        if !last || (final_comma && element != "...") {
                            pattern.push(',');
                        }
                    }
                    pattern.push_str(eol);
                    pattern.push_str(unit);
                    pattern.push('}');
                }
                Layout::Leading => {
                    pattern.push_str("{ ");
                    for (index, element) in elements.iter().enumerate() {
                        if index > 0 {
                            pattern.push_str(eol);
                            pattern.push_str(unit);
                            pattern.push_str(", ");
                        }
                        pattern.push_str(element);
                    }
                    pattern.push_str(eol);
                    pattern.push_str(unit);
                    pattern.push('}');
                }
            }
        }
        if self.alias == 2 {
            pattern.push_str("@inputs");
        }
        format!("{{{eol}{unit}outputs = {pattern}: {{ }};{eol}}}{eol}")
    }
}

// ---------------------------------------------------------------------------
// Random mutations of the fixture files.

/// Every `.nix` fixture, by path relative to the fixtures directory.
fn fixtures() -> &'static [(String, String)] {
    static FIXTURES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let mut found = Vec::new();
        let mut pending = vec![root.clone()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixtures directory") {
                let path = entry.expect("directory entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|extension| extension == "nix") {
                    let text = std::fs::read_to_string(&path).expect("UTF-8 fixture");
                    let name = path
                        .strip_prefix(&root)
                        .unwrap_or(&path)
                        .display()
                        .to_string();
                    found.push((name, text));
                }
            }
        }
        found.sort();
        assert!(found.len() > 40, "fixtures missing: {}", found.len());
        found
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: Index, len: usize },
    Insert { at: Index, text: String },
    Replace { at: Index, len: usize, text: String },
}

fn mutation_text() -> impl Strategy<Value = String> {
    "[a-z0-9 {};\"$\\\\\r\n=.#/*'(),:@?<>\\[\\]-]{1,8}"
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1usize..12).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<Index>(), mutation_text()).prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<Index>(), 1usize..6, mutation_text())
            .prop_map(|(at, len, text)| Mutation::Replace { at, len, text }),
    ]
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl Mutation {
    fn apply(&self, text: &str) -> String {
        let position = |at: &Index| floor_boundary(text, at.index(text.len() + 1));
        let (start, len, insert) = match self {
            Mutation::Delete { at, len } => (position(at), *len, ""),
            Mutation::Insert { at, text } => (position(at), 0, text.as_str()),
            Mutation::Replace { at, len, text } => (position(at), *len, text.as_str()),
        };
        let end = floor_boundary(text, start + len);
        format!("{}{}{}", &text[..start], insert, &text[end..])
    }
}

/// Runs every operation the crate offers on every place of a file that
/// takes it, applying each alone. Malformed places give errors, never
/// panics.
fn every_operation(file: &SourceFile) -> Vec<(String, Result<SourceFile, ApplyError>)> {
    let mut results = Vec::new();
    let mut run = |what: String, edit: TextEdit| {
        let changes = change_set([edit]);
        if let Ok(text) = changes.apply_unchecked(file.text()) {
            assert_untouched(file.text(), &changes, &text);
        }
        results.push((what, changes.apply(file)));
    };
    let snippet = "fresh = {\n\turl = \"x\";\n\tinputs.y.follows = \"z\";\n};";
    let containers = file.syntax().descendants().filter(|node| {
        matches!(
            node.kind(),
            SyntaxKind::NODE_ATTR_SET | SyntaxKind::NODE_LET_IN
        )
    });
    for container in containers {
        let offset = usize::from(container.text_range().start());
        for (label, position) in [
            ("first", InsertPosition::First),
            ("last", InsertPosition::Last),
        ] {
            if let Ok(edit) = insert_entry(file, &container, snippet, position) {
                run(format!("insert {label} at {offset}"), edit);
            }
        }
        for entry in container.children().filter(|child| {
            matches!(
                child.kind(),
                SyntaxKind::NODE_ATTRPATH_VALUE | SyntaxKind::NODE_INHERIT
            )
        }) {
            let at = usize::from(entry.text_range().start());
            for position in [
                InsertPosition::After(entry.clone()),
                InsertPosition::Before(entry.clone()),
            ] {
                if let Ok(edit) = insert_entry(file, &container, "one = 1;", position) {
                    run(format!("insert next to {at}"), edit);
                }
            }
            run(format!("remove {at}"), remove_entry(file, &entry));
        }
    }
    for pattern in file.syntax().descendants().filter_map(ast::Pattern::cast) {
        let offset = usize::from(pattern.syntax().text_range().start());
        if let Some(edit) = add_formal(file, &pattern, "fresh") {
            run(format!("add formal at {offset}"), edit);
        }
        for name in formal_names(&pattern) {
            if let Some(edit) = remove_formal(file, &pattern, &name) {
                run(format!("remove formal {name} at {offset}"), edit);
            }
        }
    }
    results
}

/// A change set that is empty is a no-op on any file.
#[test]
fn empty_change_sets_change_nothing() {
    for (_, text) in fixtures() {
        let file = SourceFile::parse(text.as_str());
        let changed = ChangeSet::new().apply(&file).expect("no edit, no error");
        assert_eq!(changed.text(), text);
    }
}
