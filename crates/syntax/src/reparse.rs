//! Re-parsing only the part of a file an edit touched.
//!
//! Parsing the whole file again after an edit is most of an edit's cost on
//! a large flake, while the edit itself usually lands inside one attribute
//! set (an input added to `inputs`, a formal added to the outputs
//! pattern). [`reparse`] re-parses the smallest delimited node around each
//! group of edits — an attribute set, list, parenthesised expression or
//! lambda pattern — and splices the new subtree into the old tree. When it
//! cannot prove the result equals a full parse it returns `None`, and the
//! caller parses the whole file.
//!
//! Why a splice equals a full parse, under the conditions checked here:
//!
//! - The file parsed without error, every edit lies strictly between the
//!   node's opening and closing delimiter, and the node's new text parses
//!   on its own, without error (reported, or an error token or node in
//!   the tree: rnix lets an error token stand for a list's `]` or a
//!   parenthesis's `)` silently), as a node of the same kind covering all
//!   of it whose delimiters are tokens at the offsets the old ones had. So
//!   the opening prefix (`{`, `rec {`, `args@{`) and the closing delimiter
//!   are the old bytes and tokens.
//! - The lexer enters the node in code (never inside a string: the node is
//!   an expression or a pattern) and the new text is balanced (it parsed
//!   alone without error), so every brace it opens it closes: the tokens
//!   inside are those of the stand-alone parse, and the lexer leaves the
//!   node in the state it entered it. A token before the node only looks
//!   ahead through path characters and then two characters, which stop at
//!   the opening delimiter, so it is lexed as before.
//! - The parser decides between an attribute set and a lambda pattern from
//!   the two tokens after `{`; they are inside the node when it has at
//!   least three tokens, which is required (an empty `{ }` followed by `:`
//!   is a pattern). Every other decision about the node is made inside it,
//!   and what follows sees the same kind of node as before.
//! - rnix stops at a nesting depth of 512; a node whose depth in the file
//!   plus the depth of its new subtree could come near it is not spliced.
//!
//! `tests/reparse.rs` checks random edits of real-shaped flakes against a
//! full parse, including edits that open or close strings and comments.

use rnix::{Root, SyntaxKind, SyntaxNode, TextRange, TextSize};
use rowan::ast::AstNode;
use rowan::{GreenNodeData, NodeOrToken};

use crate::change::TextEdit;
use crate::source::SourceFile;

/// A node [`crate::ChangeSet::apply`] re-parsed alone: its range in the file the edits were
/// applied to, and in the edited file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reparsed {
    /// The node's kind (the same before and after).
    pub kind: SyntaxKind,
    /// Its range before the edit.
    pub before: TextRange,
    /// Its range after the edit.
    pub after: TextRange,
}

/// Nodes deeper than this (in the file plus in the new subtree) are left to
/// a full parse: rnix's own limit is 512 nested expressions.
const MAX_DEPTH: usize = 256;

/// The node kinds that can be re-parsed alone: they start and end with a
/// delimiter.
fn is_delimited(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::NODE_ATTR_SET
            | SyntaxKind::NODE_LIST
            | SyntaxKind::NODE_PAREN
            | SyntaxKind::NODE_PATTERN
    )
}

/// The range strictly inside the node's delimiters: from the end of its
/// opening `{`, `[` or `(` to the start of its closing one.
fn inner_range(node: &SyntaxNode) -> Option<TextRange> {
    let (open, close) = match node.kind() {
        SyntaxKind::NODE_LIST => (SyntaxKind::TOKEN_L_BRACK, SyntaxKind::TOKEN_R_BRACK),
        SyntaxKind::NODE_PAREN => (SyntaxKind::TOKEN_L_PAREN, SyntaxKind::TOKEN_R_PAREN),
        _ => (SyntaxKind::TOKEN_L_BRACE, SyntaxKind::TOKEN_R_BRACE),
    };
    let open = node
        .children_with_tokens()
        .filter_map(NodeOrToken::into_token)
        .find(|token| token.kind() == open)?;
    // The last closing token, looked for from the end: a set of tens of
    // thousands of entries is not walked once per edit inside it.
    let close = std::iter::successors(node.last_child_or_token(), |element| {
        element.prev_sibling_or_token()
    })
    .filter_map(NodeOrToken::into_token)
    .find(|token| token.kind() == close)?;
    (open.text_range().end() <= close.text_range().start())
        .then(|| TextRange::new(open.text_range().end(), close.text_range().start()))
}

/// The smallest delimited node of `root` whose inside holds `range`.
fn enclosing(root: &SyntaxNode, range: TextRange) -> Option<SyntaxNode> {
    let start = match root.covering_element(range) {
        NodeOrToken::Node(node) => node,
        NodeOrToken::Token(token) => token.parent()?,
    };
    start.ancestors().find(|node| {
        is_delimited(node.kind())
            && inner_range(node).is_some_and(|inner| inner.contains_range(range))
    })
}

/// One node to re-parse and the edits inside it.
struct Region<'e> {
    node: SyntaxNode,
    edits: Vec<&'e TextEdit>,
}

/// Groups the edits (sorted, not overlapping) by the node each lies in; an
/// edit in a node inside another group's node joins that group.
fn regions<'e>(root: &SyntaxNode, edits: &'e [TextEdit]) -> Option<Vec<Region<'e>>> {
    let mut regions: Vec<Region<'e>> = Vec::new();
    for edit in edits {
        let node = enclosing(root, edit.range)?;
        let range = node.text_range();
        // Edits are sorted, so a node containing earlier groups absorbs the
        // last ones; a node inside the last group's node joins it.
        let mut group = Region {
            node,
            edits: vec![edit],
        };
        while let Some(last) = regions.last() {
            let last_range = last.node.text_range();
            if last_range.contains_range(range) {
                group.node = last.node.clone();
            } else if !range.contains_range(last_range) {
                break;
            }
            let mut last = regions.pop()?;
            last.edits.append(&mut group.edits);
            group.edits = last.edits;
        }
        regions.push(group);
    }
    Some(regions)
}

/// The text of `node` with `edits` (all inside it) applied.
fn edited_text(node: &SyntaxNode, file: &str, edits: &[&TextEdit]) -> Option<String> {
    let range = node.text_range();
    let mut text = String::new();
    let mut cursor = usize::from(range.start());
    for edit in edits {
        let start = usize::from(edit.range.start());
        text.push_str(file.get(cursor..start)?);
        text.push_str(&edit.insert);
        cursor = usize::from(edit.range.end());
    }
    text.push_str(file.get(cursor..usize::from(range.end()))?);
    Some(text)
}

/// Parses `text` alone as a node of `kind`; `None` unless it parses without
/// error into exactly one such node covering all of it.
fn parse_alone(kind: SyntaxKind, text: &str) -> Option<SyntaxNode> {
    // A pattern only parses as the head of a lambda.
    let source = if kind == SyntaxKind::NODE_PATTERN {
        format!("{text} : null")
    } else {
        text.to_string()
    };
    let parse = Root::parse(&source);
    if !parse.errors().is_empty() {
        return None;
    }
    let mut node = parse.tree().expr()?.syntax().clone();
    if kind == SyntaxKind::NODE_PATTERN {
        node = node.first_child()?;
    }
    let whole = TextRange::up_to(TextSize::of(text));
    (node.kind() == kind && node.text_range() == whole).then_some(node)
}

/// True when `new` (parsed alone) opens and closes with real delimiter
/// tokens at the offsets `old` had them. rnix reports no error when a list
/// or parenthesis is closed by an error token (an unterminated comment or
/// string that ran to the end of the text): without this check, and the
/// one for error tokens and nodes ([`green_shape`]), such a region would
/// look well formed.
fn same_delimiters(old: &SyntaxNode, new: &SyntaxNode) -> bool {
    let (Some(old_inner), Some(new_inner)) = (inner_range(old), inner_range(new)) else {
        return false;
    };
    let from_start =
        |node: &SyntaxNode, inner: TextRange| inner.start() - node.text_range().start();
    let to_end = |node: &SyntaxNode, inner: TextRange| node.text_range().end() - inner.end();
    from_start(old, old_inner) == from_start(new, new_inner)
        && to_end(old, old_inner) == to_end(new, new_inner)
}

/// At least three tokens that are not trivia: the two tokens after an
/// opening `{` that decide set or pattern are then inside the node.
fn has_three_tokens(node: &SyntaxNode) -> bool {
    node.descendants_with_tokens()
        .filter_map(NodeOrToken::into_token)
        .filter(|token| !token.kind().is_trivia())
        .nth(2)
        .is_some()
}

/// What the checks of a new subtree need from it: whether it holds an
/// error token or node, and its depth in nodes (itself counts 1).
struct Shape {
    has_error: bool,
    depth: usize,
}

/// Walks the green tree, not the red one: a red walk allocates a node for
/// every element, and on a small file that cost more than parsing it.
fn green_shape(root: &GreenNodeData) -> Shape {
    let is_error = |kind: rowan::SyntaxKind| {
        [SyntaxKind::TOKEN_ERROR, SyntaxKind::NODE_ERROR]
            .iter()
            .any(|error| kind == rowan::SyntaxKind(*error as u16))
    };
    let mut shape = Shape {
        has_error: is_error(root.kind()),
        depth: 1,
    };
    let mut stack = vec![(root.children(), 1usize)];
    while let Some((children, depth)) = stack.last_mut() {
        let depth = *depth;
        match children.next() {
            Some(NodeOrToken::Node(node)) => {
                shape.has_error |= is_error(node.kind());
                shape.depth = shape.depth.max(depth + 1);
                stack.push((node.children(), depth + 1));
            }
            Some(NodeOrToken::Token(token)) => shape.has_error |= is_error(token.kind()),
            None => {
                stack.pop();
            }
        }
    }
    shape
}

/// `file` with `edits` applied, by re-parsing only the nodes around them;
/// `text` is the edited text. When that cannot be proved equal to parsing
/// `text` whole, `text` is given back to be parsed whole.
pub(crate) fn reparse(
    file: &SourceFile,
    edits: &[TextEdit],
    text: String,
) -> Result<SourceFile, String> {
    match splice(file, edits) {
        Some((root, reparsed)) => Ok(SourceFile::spliced(text, root, reparsed)),
        None => Err(text),
    }
}

fn splice(file: &SourceFile, edits: &[TextEdit]) -> Option<(Root, Vec<Reparsed>)> {
    if !file.is_valid() || edits.is_empty() {
        return None;
    }
    let regions = regions(file.syntax(), edits)?;
    // Parsed first, spliced last to first so the ranges of earlier regions
    // still hold in the tree being built.
    let mut parsed = Vec::with_capacity(regions.len());
    let mut shift: i64 = 0;
    for region in &regions {
        let kind = region.node.kind();
        let text = edited_text(&region.node, file.text(), &region.edits)?;
        let new = parse_alone(kind, &text)?;
        let shape = green_shape(new.green());
        if shape.has_error || !same_delimiters(&region.node, &new) {
            return None;
        }
        let depth = region.node.ancestors().count() + shape.depth;
        if depth > MAX_DEPTH || (kind == SyntaxKind::NODE_ATTR_SET && !has_three_tokens(&new)) {
            return None;
        }
        let before = region.node.text_range();
        let start = u32::try_from(i64::from(u32::from(before.start())) + shift).ok()?;
        let after = TextRange::at(start.into(), TextSize::of(text.as_str()));
        shift += i64::from(u32::from(after.len())) - i64::from(u32::from(before.len()));
        parsed.push((
            new,
            Reparsed {
                kind,
                before,
                after,
            },
        ));
    }
    let mut root = file.syntax().clone();
    for (new, reparsed) in parsed.iter().rev() {
        let old = find_node(&root, reparsed.kind, reparsed.before)?;
        root = SyntaxNode::new_root(old.replace_with(new.green().to_owned()));
    }
    let root = Root::cast(root)?;
    Some((
        root,
        parsed.into_iter().map(|(_, reparsed)| reparsed).collect(),
    ))
}

/// The node of `kind` covering exactly `range`.
pub(crate) fn find_node(
    root: &SyntaxNode,
    kind: SyntaxKind,
    range: TextRange,
) -> Option<SyntaxNode> {
    let start = match root.covering_element(range) {
        NodeOrToken::Node(node) => node,
        NodeOrToken::Token(token) => token.parent()?,
    };
    start
        .ancestors()
        .take_while(|node| node.text_range() == range || range.contains_range(node.text_range()))
        .find(|node| node.kind() == kind && node.text_range() == range)
}
