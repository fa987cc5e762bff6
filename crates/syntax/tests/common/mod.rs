//! Helpers shared by the integration tests of `flakeedit-syntax`.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::sync::OnceLock;

use flakeedit_oracle::Nix;
use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{
    as_attr_set, find_path, root_attr_set, ChangeSet, SourceFile, SyntaxKind, SyntaxNode, TextEdit,
};
use rowan::ast::AstNode;

/// The real Nix parser and evaluator, looked up once per test binary.
pub fn nix() -> &'static Nix {
    static NIX: OnceLock<Nix> = OnceLock::new();
    NIX.get_or_init(Nix::require)
}

/// The root attribute set of a file, which every test text has.
pub fn root_set(file: &SourceFile) -> ast::AttrSet {
    root_attr_set(file.root()).expect("the file is an attribute set")
}

/// The attribute set at `path` (the root set for an empty path).
pub fn set_at(file: &SourceFile, path: &[&str]) -> SyntaxNode {
    let root = root_set(file);
    if path.is_empty() {
        return root.syntax().clone();
    }
    let found = find_path(&root, path);
    let binding = &found
        .first()
        .unwrap_or_else(|| panic!("{path:?} is defined"))
        .binding;
    as_attr_set(binding.value())
        .unwrap_or_else(|| panic!("{path:?} is an attribute set"))
        .syntax()
        .clone()
}

/// The binding (entry node) that defines `path` exactly.
pub fn binding_at(file: &SourceFile, path: &[&str]) -> SyntaxNode {
    let root = root_set(file);
    find_path(&root, path)
        .into_iter()
        .find(|found| found.kind == flakeedit_syntax::PathMatchKind::Exact)
        .unwrap_or_else(|| panic!("{path:?} is bound"))
        .binding
        .syntax()
        .clone()
}

/// The entries (bindings and `inherit`s) of a set node.
pub fn entries(set: &SyntaxNode) -> Vec<SyntaxNode> {
    ast::AttrSet::cast(set.clone())
        .map(|set| set.entries().map(|entry| entry.syntax().clone()).collect())
        .unwrap_or_default()
}

/// The first lambda pattern of a file.
pub fn first_pattern(file: &SourceFile) -> ast::Pattern {
    file.syntax()
        .descendants()
        .find_map(ast::Pattern::cast)
        .expect("the file has a lambda pattern")
}

/// Every attribute set node of a file.
pub fn attr_sets(file: &SourceFile) -> Vec<SyntaxNode> {
    file.syntax()
        .descendants()
        .filter(|node| node.kind() == SyntaxKind::NODE_ATTR_SET)
        .collect()
}

/// A change set of the given edits (which must not overlap).
pub fn change_set(edits: impl IntoIterator<Item = TextEdit>) -> ChangeSet {
    let mut changes = ChangeSet::new();
    for edit in edits {
        changes.add(edit).expect("edits do not overlap");
    }
    changes
}

/// Applies the edits to the file, requires the result to parse with rnix
/// and with the real Nix parser, and checks that no byte outside the edits
/// changed. Returns the new text.
pub fn apply(file: &SourceFile, edits: impl IntoIterator<Item = TextEdit>) -> String {
    let changes = change_set(edits);
    let changed = changes
        .apply(file)
        .unwrap_or_else(|error| panic!("{error}\n--- before ---\n{}", file.text()));
    assert!(changed.is_valid(), "{:?}", changed.errors());
    assert_untouched(file.text(), &changes, changed.text());
    nix().assert_parses(changed.text());
    changed.text().to_string()
}

/// Asserts that `after` is `before` with only the edit ranges replaced:
/// every byte before, between and after the edits is copied verbatim.
pub fn assert_untouched(before: &str, changes: &ChangeSet, after: &str) {
    let mut cursor = 0usize;
    let mut shift: isize = 0;
    for edit in changes.edits() {
        let start = usize::from(edit.range.start());
        let end = usize::from(edit.range.end());
        let kept = &before[cursor..start];
        let at = (cursor as isize + shift) as usize;
        assert_eq!(
            after.get(at..at + kept.len()),
            Some(kept),
            "bytes {cursor}..{start} changed\n--- before ---\n{before}\n--- after ---\n{after}"
        );
        assert_eq!(
            after
                .get(start.wrapping_add_signed(shift)..)
                .map(|rest| rest.starts_with(&edit.insert)),
            Some(true),
            "the edit's text is not where it belongs"
        );
        shift += edit.insert.len() as isize - (end - start) as isize;
        cursor = end;
    }
    let kept = &before[cursor..];
    assert_eq!(
        after.get((cursor as isize + shift) as usize..),
        Some(kept),
        "bytes after {cursor} changed\n--- before ---\n{before}\n--- after ---\n{after}"
    );
}

/// True when a text has a line break that is not part of `\r\n`.
pub fn has_bare_lf(text: &str) -> bool {
    text.replace("\r\n", "").contains('\n')
}

/// The lines of a text, trimmed, without the empty piece after a final newline.
fn trimmed_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.split('\n').map(str::trim).collect();
    if text.ends_with('\n') {
        lines.pop();
    }
    lines
}

/// True when two blank lines follow each other somewhere in the text.
pub fn has_double_blank_line(text: &str) -> bool {
    trimmed_lines(text)
        .windows(2)
        .any(|pair| pair[0].is_empty() && pair[1].is_empty())
}

/// True when a blank line follows a line ending with `{` or precedes a line
/// starting with `}`.
pub fn has_blank_line_inside_braces(text: &str) -> bool {
    trimmed_lines(text).windows(2).any(|pair| {
        (pair[0].ends_with('{') && pair[1].is_empty())
            || (pair[0].is_empty() && pair[1].starts_with('}'))
    })
}

/// Every `.nix` file under the repository's `tests/fixtures`, sorted.
pub fn fixture_texts() -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs =
        vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures directory") {
            let path = entry.expect("fixture entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "nix") {
                found.push(std::fs::read_to_string(&path).expect("fixture text"));
            }
        }
    }
    found.sort();
    assert!(found.len() > 40, "fixtures missing: {}", found.len());
    found
}

/// An edit at a character boundary of `text`: up to `delete` bytes
/// replaced by `insert`.
pub fn edit_at(text: &str, at: proptest::sample::Index, delete: usize, insert: String) -> TextEdit {
    let boundaries: Vec<usize> = (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .collect();
    let start = boundaries[at.index(boundaries.len())];
    let mut end = (start + delete).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    TextEdit::replace(
        rowan::TextRange::new(
            rowan::TextSize::from(start as u32),
            rowan::TextSize::from(end as u32),
        ),
        insert,
    )
}
