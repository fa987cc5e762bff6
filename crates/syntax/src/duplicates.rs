//! Attributes defined twice in one attribute set or `let`, as Nix's parser
//! sees them: rnix accepts `{ inherit a; a = 1; }`, Nix rejects it
//! ("attribute 'a' already defined"). Nix merges two attribute-set literals
//! for the same name (`a = { b = 1; }; a.c = 2;`), so those are fine.
//! Only static names are compared; `${…}` names are skipped.

use std::collections::{HashMap, HashSet};

use rnix::ast::{self, HasEntry};
use rowan::ast::AstNode;
use rowan::NodeOrToken;

use crate::attrpath::{as_attr_set, attr_name};
use crate::reparse::{find_node, Reparsed};
use crate::{SourceFile, SyntaxKind, SyntaxNode, TextRange};

/// One attribute of the merged view of a set: a leaf (a value that is not
/// an attribute-set literal, or an `inherit`), or a set of attributes.
enum Slot {
    Leaf,
    Set(HashMap<String, Slot>),
}

/// Every binding (or inherited name) that defines an attribute a previous
/// binding of the same set or `let` already defined, in source order.
pub fn duplicate_attributes(root: &SyntaxNode) -> Vec<TextRange> {
    let mut found = Vec::new();
    let mut merged = MergedSets::default();
    for node in root.descendants() {
        if !merged.walked_by_parent(&node) {
            scope_duplicates(&node, &mut found);
        }
    }
    found.sort_by_key(|range| range.start());
    found.dedup();
    found
}

/// The duplicates one set or `let` defines, seen with the set literals its
/// bindings merge (pushed to `found`); nothing for another node.
fn scope_duplicates(node: &SyntaxNode, found: &mut Vec<TextRange>) {
    let entries: Box<dyn Iterator<Item = ast::Entry>> =
        if let Some(set) = ast::AttrSet::cast(node.clone()) {
            Box::new(set.entries())
        } else if let Some(let_in) = ast::LetIn::cast(node.clone()) {
            Box::new(let_in.entries())
        } else {
            return;
        };
    let mut slots = HashMap::new();
    add_entries(entries, &mut slots, found);
}

/// The set literals whose walk the enclosing scope's walk already does:
/// each is bound to one static name that no earlier entry of that scope
/// defines, so the scope's walk merges its entries into an empty slot,
/// exactly as its own walk would (the entries of `inputs = { … }` are then
/// read once, not twice). The enclosing scope is walked whenever such a set
/// would be: it is the whole file's, or an ancestor of the re-parsed node,
/// or inside it. Each scope's entries are read once, whatever the number
/// of sets it binds.
#[derive(Default)]
struct MergedSets {
    scopes: HashMap<SyntaxNode, HashSet<SyntaxNode>>,
}

impl MergedSets {
    fn walked_by_parent(&mut self, node: &SyntaxNode) -> bool {
        if node.kind() != SyntaxKind::NODE_ATTR_SET {
            return false;
        }
        let Some(binding) = node
            .ancestors()
            .skip(1)
            .find(|ancestor| ancestor.kind() != SyntaxKind::NODE_PAREN)
            .and_then(ast::AttrpathValue::cast)
        else {
            return false;
        };
        if as_attr_set(binding.value())
            .map(|set| set.syntax().clone())
            .as_ref()
            != Some(node)
        {
            return false;
        }
        let Some(scope) = binding.syntax().parent() else {
            return false;
        };
        self.scopes
            .entry(scope.clone())
            .or_insert_with(|| first_bindings(&scope))
            .contains(binding.syntax())
    }
}

/// The bindings of `scope` with a one-name path that no earlier entry of
/// `scope` defines.
fn first_bindings(scope: &SyntaxNode) -> HashSet<SyntaxNode> {
    let entries: Box<dyn Iterator<Item = ast::Entry>> =
        if let Some(set) = ast::AttrSet::cast(scope.clone()) {
            Box::new(set.entries())
        } else if let Some(let_in) = ast::LetIn::cast(scope.clone()) {
            Box::new(let_in.entries())
        } else {
            return HashSet::new();
        };
    let mut seen: HashSet<String> = HashSet::new();
    let mut first = HashSet::new();
    for entry in entries {
        match entry {
            ast::Entry::Inherit(inherit) => {
                seen.extend(inherit.attrs().filter_map(|attr| attr_name(&attr)));
            }
            ast::Entry::AttrpathValue(binding) => {
                let Some(mut attrs) = binding.attrpath().map(|path| path.attrs()) else {
                    continue;
                };
                let Some(name) = attrs.next().and_then(|attr| attr_name(&attr)) else {
                    continue;
                };
                let single = attrs.next().is_none();
                if seen.insert(name) && single {
                    first.insert(binding.syntax().clone());
                }
            }
        }
    }
    first
}

fn is_scope(node: &SyntaxNode) -> bool {
    matches!(
        node.kind(),
        SyntaxKind::NODE_ATTR_SET | SyntaxKind::NODE_LET_IN
    )
}

/// True when `after` defines more attributes twice than `before` (Nix
/// rejects a file with any). When `after` was made from `before` by
/// re-parsing some nodes only ([`SourceFile::reparsed`]), only the sets
/// those nodes hold or lie in are walked, with the same answer as walking
/// both files whole.
pub fn adds_duplicates(before: &SourceFile, after: &SourceFile) -> bool {
    // The edited file is counted first: it almost never has a duplicate,
    // and then it cannot have more than the original, whose count is not
    // needed.
    let local = after.reparsed().and_then(|reparsed| {
        let after_count = touched_duplicates(after, reparsed, |r| r.after)?;
        if after_count == 0 {
            return Some(false);
        }
        let before_count = touched_duplicates(before, reparsed, |r| r.before)?;
        Some(after_count > before_count)
    });
    local.unwrap_or_else(|| {
        let after_count = duplicate_attributes(after.syntax()).len();
        after_count > 0 && after_count > duplicate_attributes(before.syntax()).len()
    })
}

/// The duplicates of `file` that the re-parsed nodes can change: those
/// found by a set inside such a node or around it, less those a set
/// elsewhere also finds (a duplicate is counted once however many sets see
/// it, and the sets elsewhere are the same in both files).
fn touched_duplicates(
    file: &SourceFile,
    reparsed: &[Reparsed],
    range_of: impl Fn(&Reparsed) -> TextRange,
) -> Option<usize> {
    let root = file.syntax();
    let mut touched: HashSet<SyntaxNode> = HashSet::new();
    let mut merged = MergedSets::default();
    let mut found = Vec::new();
    let mut inside = Vec::new();
    for node in reparsed {
        let range = range_of(node);
        inside.push(range);
        let node = find_node(root, node.kind, range)?;
        for scope in node.descendants().chain(node.ancestors().skip(1)) {
            if is_scope(&scope) && touched.insert(scope.clone()) && !merged.walked_by_parent(&scope)
            {
                scope_duplicates(&scope, &mut found);
            }
        }
    }
    found.sort_by_key(|range| range.start());
    found.dedup();
    let mut elsewhere: HashMap<SyntaxNode, Vec<TextRange>> = HashMap::new();
    let count = found
        .iter()
        .filter(|range| {
            if inside.iter().any(|node| node.contains_range(**range)) {
                return true;
            }
            let start = match root.covering_element(**range) {
                NodeOrToken::Node(node) => Some(node),
                NodeOrToken::Token(token) => token.parent(),
            };
            let seen_elsewhere = start
                .into_iter()
                .flat_map(|node| node.ancestors())
                .any(|scope| {
                    if !is_scope(&scope) || touched.contains(&scope) {
                        return false;
                    }
                    elsewhere
                        .entry(scope.clone())
                        .or_insert_with(|| {
                            let mut own = Vec::new();
                            scope_duplicates(&scope, &mut own);
                            own
                        })
                        .contains(range)
                });
            !seen_elsewhere
        })
        .count();
    Some(count)
}

fn add_entries(
    entries: impl Iterator<Item = ast::Entry>,
    slots: &mut HashMap<String, Slot>,
    found: &mut Vec<TextRange>,
) {
    for entry in entries {
        match entry {
            ast::Entry::Inherit(inherit) => {
                for attr in inherit.attrs() {
                    if let Some(name) = attr_name(&attr) {
                        if slots.insert(name, Slot::Leaf).is_some() {
                            found.push(attr.syntax().text_range());
                        }
                    }
                }
            }
            ast::Entry::AttrpathValue(binding) => {
                let Some(path) = binding.attrpath() else {
                    continue;
                };
                let names: Option<Vec<String>> = path.attrs().map(|a| attr_name(&a)).collect();
                let Some(names) = names else {
                    continue;
                };
                if !add_path(&names, &binding, slots, found) {
                    found.push(binding.syntax().text_range());
                }
            }
        }
    }
}

/// Adds `names = value` below `slots`; false when it collides (collisions
/// inside a merged set literal are pushed to `found` themselves).
fn add_path(
    names: &[String],
    binding: &ast::AttrpathValue,
    slots: &mut HashMap<String, Slot>,
    found: &mut Vec<TextRange>,
) -> bool {
    let Some((first, rest)) = names.split_first() else {
        return true;
    };
    if rest.is_empty() {
        match as_attr_set(binding.value()) {
            // A set literal merges with an earlier set (of any form).
            Some(set) => {
                let slot = slots
                    .entry(first.clone())
                    .or_insert_with(|| Slot::Set(HashMap::new()));
                let Slot::Set(inner) = slot else {
                    return false;
                };
                add_entries(set.entries(), inner, found);
                true
            }
            _ => slots.insert(first.clone(), Slot::Leaf).is_none(),
        }
    } else {
        let slot = slots
            .entry(first.clone())
            .or_insert_with(|| Slot::Set(HashMap::new()));
        match slot {
            Slot::Set(inner) => add_path(rest, binding, inner, found),
            Slot::Leaf => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceFile;

    fn duplicates(text: &str) -> Vec<String> {
        let file = SourceFile::parse(text);
        duplicate_attributes(file.syntax())
            .into_iter()
            .map(|range| file.slice(range).to_string())
            .collect()
    }

    /// Each of these is rejected by `nix-instantiate --parse`.
    #[test]
    fn finds_what_nix_rejects() {
        assert_eq!(duplicates("{ inherit a; a = 1; }"), ["a = 1;"]);
        assert_eq!(duplicates("{ a = 1; a = 2; }"), ["a = 2;"]);
        assert_eq!(duplicates("{ a.b = 1; a.b = 2; }"), ["a.b = 2;"]);
        assert_eq!(duplicates("{ a = x; a.b = 2; }"), ["a.b = 2;"]);
        assert_eq!(
            duplicates("{ a = { b = 1; }; a = { b = 2; }; }"),
            ["b = 2;"]
        );
        assert_eq!(duplicates("let x = 1; inherit (y) x; in x"), ["x"]);
        assert_eq!(duplicates("{ p = { inherit q; q = 1; }; }"), ["q = 1;"]);
        assert_eq!(duplicates("{ ${\"x\"} = 1; x = 2; }"), ["x = 2;"]);
    }

    /// A set merged into its enclosing scope's walk is not walked alone:
    /// the answer is the one walking every set alone gives.
    #[test]
    fn skipping_merged_sets_finds_the_same_duplicates() {
        let every_scope = |text: &str| {
            let file = SourceFile::parse(text);
            let mut found = Vec::new();
            for node in file.syntax().descendants() {
                scope_duplicates(&node, &mut found);
            }
            found.sort_by_key(|range| range.start());
            found.dedup();
            found
        };
        let texts = [
            "{ a = { x = 1; x = 2; }; }",
            "{ a = ({ x = 1; x = 2; }); }",
            "{ inherit a; a = { x = 1; x = 2; }; }",
            "{ a = 1; a = { x = 1; x = 2; }; }",
            "{ a.b = 1; a = { b = { y = 1; y = 2; }; }; }",
            "{ a = { b = 1; }; a = { b = 2; c = { d = 1; d = 2; }; }; }",
            "{ ${x} = 1; a = { x = 1; x = 2; }; }",
            "{ \"a\" = 1; a = { x = 1; }; }",
            "{ a.b = { x = 1; x = 2; }; }",
            "{ a = rec { x = 1; x = 2; }; a.c = 2; }",
            "let a = { x = 1; x = 2; }; a = 3; in a",
            "{ inputs = { n.url = \"u\"; d = { url = \"v\"; url = \"w\"; }; }; inputs.n.flake = false; }",
            "{ inputs.n.url = \"u\"; inputs = { n = { url = \"v\"; }; }; }",
            "{ a = { b = { c = { d = 1; d = 2; }; }; }; }",
            "{ a = [ { x = 1; x = 2; } ]; }",
        ];
        for text in texts {
            let file = SourceFile::parse(text);
            assert_eq!(
                duplicate_attributes(file.syntax()),
                every_scope(text),
                "{text}"
            );
        }
        // The merged walk is what finds these: none is lost by the skip.
        assert_eq!(duplicates("{ a = { x = 1; x = 2; }; }"), ["x = 2;"]);
        assert_eq!(
            duplicates("{ inputs.n.url = \"u\"; inputs = { n = { url = \"v\"; }; }; }"),
            ["url = \"v\";"]
        );
    }

    /// Each of these is accepted by `nix-instantiate --parse` (Nix 2.8).
    #[test]
    fn accepts_what_nix_merges() {
        assert!(duplicates("{ a = { b = 1; }; a.c = 2; }").is_empty());
        assert!(duplicates("{ a.b = 1; a = { c = 2; }; }").is_empty());
        assert!(duplicates("{ a.b.c = 1; a.b.d = 2; }").is_empty());
        assert!(duplicates("{ ${x} = 1; ${x} = 2; }").is_empty());
        assert!(duplicates("{ a = 1; b = { a = 2; }; }").is_empty());
        assert!(duplicates("{ a = { b = 1; }; a = { c = 2; }; }").is_empty());
        assert!(duplicates("{ a = rec { b = 1; }; a.c = 2; }").is_empty());
    }
}
