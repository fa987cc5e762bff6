//! The flake model: inputs and the outputs function, read from the syntax
//! tree in every shape real flakes use.

mod occurrences;
mod uses;

pub(crate) use occurrences::string_content;
pub use occurrences::{occurrence_at, occurrences, Occurrence, OccurrenceKind};

pub(crate) use uses::analyze_uses_in;
pub use uses::{
    analyze_uses, input_usage, inputs_escape, uses_of_input, uses_through_input_set, InputSetUse,
    InputUsage, InputUse, UndecidedUse, UndecidedWhy, UseAnalysis, UseKind,
};

use std::collections::{BTreeMap, HashMap};

use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{
    as_attr_set, attrpath_names, find_path, root_attr_set, static_string, strip_parens,
    PathMatchKind, SourceFile, SyntaxKind, TextRange,
};
use rowan::ast::AstNode;

use crate::error::{ErrorKind, FlakeError};

/// One assignment inside an input's declaration, flattened: `riot = { url
/// = "…"; }` and `inputs.riot.url = "…";` both give the leaf `url`.
#[derive(Debug, Clone)]
pub struct InputLeaf {
    /// The path below the input (`["url"]`, `["inputs", "nixpkgs", "follows"]`).
    pub path: Vec<String>,
    /// The binding whose value is this leaf's value: the syntax tree stays
    /// inside the crate; [`InputLeaf::range`] and friends give its ranges.
    pub(crate) binding: ast::AttrpathValue,
    /// How many segments of `path` are written outside `binding`'s own
    /// attribute path (in enclosing sets).
    pub outer: usize,
    /// The leaf's value.
    pub value: LeafValue,
}

/// The value of a leaf, as far as flakeedit understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafValue {
    /// A string without interpolation (or a bare URI literal).
    String(String),
    /// `true` or `false`.
    Bool(bool),
    /// Anything else (an expression flakeedit does not interpret).
    Other,
}

impl LeafValue {
    /// The string, if the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            LeafValue::String(value) => Some(value),
            _ => None,
        }
    }
}

/// A path of nested inputs below a declared input: `cachix/devenv` is the
/// input `devenv` of the input `cachix` of the declared one, written
/// `inputs.cachix.inputs.devenv` in Nix. Only input names are kept: the
/// `inputs` segments of the attribute path are syntax, read and written in
/// [`NestedPath::attrpath`] and [`InputLeaf::target`] alone, so an input
/// that is itself named `inputs` is never mistaken for one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct NestedPath(Vec<String>);

impl NestedPath {
    /// The path through these input names, outermost first.
    pub fn new(names: Vec<String>) -> NestedPath {
        NestedPath(names)
    }

    /// The input names, outermost first.
    pub fn names(&self) -> &[String] {
        &self.0
    }

    /// The attribute path, below the declared input, of `attribute` of this
    /// nested input: `["inputs", "a", "inputs", "b", "follows"]` for `a/b`
    /// and `follows`.
    pub fn attrpath(&self, attribute: &str) -> Vec<String> {
        let mut path = Vec::with_capacity(self.0.len() * 2 + 1);
        for name in &self.0 {
            path.push("inputs".to_string());
            path.push(name.clone());
        }
        path.push(attribute.to_string());
        path
    }
}

impl std::ops::Deref for NestedPath {
    type Target = [String];

    fn deref(&self) -> &[String] {
        &self.0
    }
}

impl PartialEq<Vec<String>> for NestedPath {
    fn eq(&self, other: &Vec<String>) -> bool {
        &self.0 == other
    }
}

/// The `a/b` spelling of follows targets and flake.lock.
impl std::fmt::Display for NestedPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

/// What a leaf of an input's declaration sets, read from its attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafTarget<'a> {
    /// An attribute of the declared input itself (`url`, `flake`,
    /// `follows`, `owner`, …).
    Own(&'a str),
    /// An attribute of a nested input (`inputs.a.inputs.b.follows`).
    Nested {
        /// The nested input.
        path: NestedPath,
        /// The attribute set on it (`follows`, `url`, …).
        attribute: &'a str,
    },
    /// A path that is neither (`inputs.a` set to a value that is not an
    /// attribute set, or a stray segment).
    Unknown,
}

impl InputLeaf {
    /// The range of the binding whose value is this leaf's value.
    pub fn range(&self) -> TextRange {
        self.binding.syntax().text_range()
    }

    /// The range of the leaf's value expression.
    pub fn value_range(&self) -> Option<TextRange> {
        Some(self.binding.value()?.syntax().text_range())
    }

    /// The range between the quotes when the value is a plain `"…"` string.
    pub fn string_range(&self) -> Option<TextRange> {
        string_content(self.binding.value())
    }

    /// What this leaf sets.
    pub fn target(&self) -> LeafTarget<'_> {
        let Some((attribute, mut rest)) = self.path.split_last() else {
            return LeafTarget::Unknown;
        };
        if rest.is_empty() {
            return LeafTarget::Own(attribute);
        }
        let mut names = Vec::new();
        while let [keyword, name, tail @ ..] = rest {
            if keyword != "inputs" {
                return LeafTarget::Unknown;
            }
            names.push(name.clone());
            rest = tail;
        }
        if !rest.is_empty() {
            return LeafTarget::Unknown;
        }
        LeafTarget::Nested {
            path: NestedPath(names),
            attribute,
        }
    }

    /// Whether this leaf is a `follows`, of the input itself or of a nested one.
    pub fn is_follows(&self) -> bool {
        match self.target() {
            LeafTarget::Own(attribute) | LeafTarget::Nested { attribute, .. } => {
                attribute == "follows"
            }
            LeafTarget::Unknown => false,
        }
    }

    /// The nested input whose `follows` this leaf is, if it is one.
    pub fn nested_follows(&self) -> Option<NestedPath> {
        match self.target() {
            LeafTarget::Nested {
                path,
                attribute: "follows",
            } => Some(path),
            _ => None,
        }
    }
}

/// A `follows` below an input: `inputs.<path>.follows = "<target>"`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NestedFollows {
    /// The nested input, e.g. `nixpkgs` or `cachix/devenv` (in JSON, the
    /// list of names).
    pub path: NestedPath,
    /// The follows target as written (`"nixpkgs"`, `"a/b"`, or `""`).
    pub target: String,
}

/// One outermost binding of an input's declaration.
#[derive(Debug, Clone)]
pub struct InputBinding {
    /// The binding ([`InputBinding::range`] outside the crate).
    pub(crate) node: ast::AttrpathValue,
    /// The segments of its attribute path after the input's name
    /// (`["url"]` for `inputs.riot.url = …;`, `[]` for `riot = { … };`).
    pub below: Vec<String>,
    /// The segments before and including the input's name
    /// (`["inputs", "riot"]` or `["riot"]`).
    pub prefix: Vec<String>,
}

impl InputBinding {
    /// The range of the whole binding.
    pub fn range(&self) -> TextRange {
        self.node.syntax().text_range()
    }
}

/// A declared input, gathered from every binding that defines it.
#[derive(Debug, Clone)]
pub struct InputDecl {
    /// The input's name (unquoted).
    pub name: String,
    /// The outermost bindings that declare it (`riot = {…};`,
    /// `inputs.riot.url = …;`), in source order. Removing them removes the input.
    pub bindings: Vec<InputBinding>,
    /// Every leaf assignment, in source order.
    pub leaves: Vec<InputLeaf>,
}

impl InputDecl {
    /// The leaf at `path`, if assigned.
    pub fn leaf(&self, path: &[&str]) -> Option<&InputLeaf> {
        self.leaves.iter().find(|leaf| {
            leaf.path
                .iter()
                .map(String::as_str)
                .eq(path.iter().copied())
        })
    }

    /// The string value at `path`.
    pub fn string(&self, path: &[&str]) -> Option<&str> {
        self.leaf(path).and_then(|leaf| leaf.value.as_str())
    }

    /// The `url`, if the input has one.
    pub fn url(&self) -> Option<&str> {
        self.string(&["url"])
    }

    /// The attribute-set reference fields (`type`, `owner`, `repo`, `ref`,
    /// `rev`, `dir`, `host`, `path`, …) when the input is written that way.
    pub fn reference(&self) -> BTreeMap<String, String> {
        self.leaves
            .iter()
            .filter(|leaf| leaf.path.len() == 1)
            .filter(|leaf| !matches!(leaf.path[0].as_str(), "url" | "flake" | "follows"))
            .filter_map(|leaf| Some((leaf.path[0].clone(), leaf.value.as_str()?.to_string())))
            .collect()
    }

    /// `flake = false` (or `true`) as written; `None` when not written.
    pub fn flake(&self) -> Option<bool> {
        match self.leaf(&["flake"]).map(|leaf| &leaf.value) {
            Some(LeafValue::Bool(value)) => Some(*value),
            _ => None,
        }
    }

    /// The input's own `follows` (`inputs.x.follows = "y";`).
    pub fn follows(&self) -> Option<&str> {
        self.string(&["follows"])
    }

    /// Every nested `follows`, at any depth.
    pub fn nested_follows(&self) -> Vec<NestedFollows> {
        self.leaves
            .iter()
            .filter_map(|leaf| {
                let target = leaf.value.as_str()?;
                Some(NestedFollows {
                    path: leaf.nested_follows()?,
                    target: target.to_string(),
                })
            })
            .collect()
    }

    /// The range of the first binding, for messages.
    pub fn range(&self) -> TextRange {
        self.bindings
            .first()
            .map(InputBinding::range)
            .unwrap_or_default()
    }
}

/// How the file's inputs are written, which decides where new ones go.
#[derive(Debug, Clone)]
pub(crate) enum InputsStyle {
    /// `inputs = { … };` — new inputs go into this set.
    Block(ast::AttrSet),
    /// `inputs.x.url = …;` at the top level — new inputs go after the last
    /// of these bindings.
    Dotted(ast::AttrpathValue),
    /// No inputs at all.
    None,
}

/// The outputs function's argument.
#[derive(Debug, Clone)]
pub(crate) enum OutputsParam {
    /// `{ self, nixpkgs }:` or with `...` and/or `@name`.
    Pattern(ast::Pattern),
    /// `inputs:` — every input is reachable through this name.
    Ident(String),
}

/// The `outputs` binding.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// The binding `outputs = …;`.
    pub(crate) binding: ast::AttrpathValue,
    /// The lambda, when the value is one.
    pub(crate) lambda: Option<ast::Lambda>,
}

/// A formal of the outputs function's pattern (`nixpkgs` in `{ self,
/// nixpkgs }:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formal {
    /// The name.
    pub name: String,
    /// The range of the entry (with its default, if any).
    pub range: TextRange,
}

impl Outputs {
    /// The range of the whole `outputs = …;` binding.
    pub fn range(&self) -> TextRange {
        self.binding.syntax().text_range()
    }

    /// The range of the attribute path (`outputs`).
    pub fn name_range(&self) -> TextRange {
        self.binding
            .attrpath()
            .map_or(self.range(), |path| path.syntax().text_range())
    }

    /// The range of the function's body, when the value is a function.
    pub fn body_range(&self) -> Option<TextRange> {
        Some(self.lambda.as_ref()?.body()?.syntax().text_range())
    }

    /// The range of the pattern (`{ self, nixpkgs }`, without an `@`
    /// name), when the parameter is one.
    pub fn pattern_range(&self) -> Option<TextRange> {
        Some(self.pattern()?.syntax().text_range())
    }

    /// The pattern's formals, in source order; empty when the parameter
    /// is a plain name.
    pub fn formals(&self) -> Vec<Formal> {
        let Some(pattern) = self.pattern() else {
            return Vec::new();
        };
        pattern
            .pat_entries()
            .filter_map(|entry| {
                Some(Formal {
                    name: flakeedit_syntax::formal_name(&entry)?,
                    range: entry.syntax().text_range(),
                })
            })
            .collect()
    }

    /// The lambda's parameter.
    pub(crate) fn param(&self) -> Option<OutputsParam> {
        match self.lambda.as_ref()?.param()? {
            ast::Param::Pattern(pattern) => Some(OutputsParam::Pattern(pattern)),
            ast::Param::IdentParam(param) => Some(OutputsParam::Ident(
                param.ident()?.ident_token()?.text().to_string(),
            )),
        }
    }

    /// The pattern, when the parameter is one.
    pub(crate) fn pattern(&self) -> Option<ast::Pattern> {
        match self.param()? {
            OutputsParam::Pattern(pattern) => Some(pattern),
            OutputsParam::Ident(_) => None,
        }
    }

    /// The name through which the whole input set is reachable: the `@`
    /// name of a pattern or a plain parameter.
    pub fn inputs_alias(&self) -> Option<String> {
        match self.param()? {
            OutputsParam::Pattern(pattern) => flakeedit_syntax::pattern_alias(&pattern),
            OutputsParam::Ident(name) => Some(name),
        }
    }

    /// True when the pattern lists its formals without `...`, so every
    /// input must be a formal or evaluation fails.
    pub fn is_closed_pattern(&self) -> bool {
        self.pattern()
            .is_some_and(|pattern| pattern.ellipsis_token().is_none())
    }
}

/// A parsed flake: the root set, its inputs and its outputs.
#[derive(Debug, Clone)]
pub struct Flake {
    /// The top-level attribute set ([`Flake::root_range`] outside the crate).
    pub(crate) root: ast::AttrSet,
    /// Declared inputs, in order of first appearance.
    pub inputs: Vec<InputDecl>,
    /// How inputs are written.
    pub(crate) style: InputsStyle,
    /// The outputs binding, if any.
    pub outputs: Option<Outputs>,
    /// Position in `inputs` by name: lookups stay constant-time on flakes
    /// with tens of thousands of inputs, where a scan per lookup is quadratic.
    by_name: HashMap<String, usize>,
}

impl Flake {
    /// Reads the flake model of a file.
    pub fn read(file: &SourceFile) -> Result<Flake, FlakeError> {
        if let Some(error) = file.errors().first() {
            return Err(FlakeError::new(
                ErrorKind::Syntax,
                format!("syntax error: {}", error.message),
            )
            .at(error.range)
            .hint("fix the syntax error first; flakeedit edits only files that parse"));
        }
        Flake::read_lenient(file)
    }

    /// Reads the model of a file that may have syntax errors, as far as its
    /// tree goes: for reading only (completion while the user types),
    /// never as the base of an edit.
    pub fn read_lenient(file: &SourceFile) -> Result<Flake, FlakeError> {
        let root = root_attr_set(file.root()).ok_or_else(|| {
            FlakeError::new(
                ErrorKind::Unsupported,
                "the file is not an attribute set, so it is not a flake",
            )
            .at(TextRange::empty(0.into()))
            .hint("a flake.nix is `{ inputs = …; outputs = …; }`")
        })?;
        let mut inputs = InputTable::default();
        let mut block = None;
        let mut last_dotted = None;
        for found in find_path(&root, &["inputs"]) {
            match found.kind {
                PathMatchKind::Exact => {
                    let Some(set) = as_attr_set(found.binding.value()) else {
                        let range = found.binding.syntax().text_range();
                        return Err(FlakeError::new(
                            ErrorKind::Unsupported,
                            "`inputs` is not an attribute set literal, so flakeedit cannot read or edit it",
                        )
                        .at(range)
                        .hint("Nix requires flake inputs to be written literally; write `inputs = { … };`"));
                    };
                    for binding in set.attrpath_values() {
                        read_block_binding(&mut inputs, &binding);
                    }
                    block.get_or_insert(set);
                }
                PathMatchKind::Deeper { rest } => {
                    add_binding(
                        &mut inputs,
                        &rest,
                        &found.binding,
                        vec!["inputs".to_string()],
                    );
                    if found.depth == 0 {
                        last_dotted = Some(found.binding.clone());
                    }
                }
                PathMatchKind::Opaque { .. } => {
                    return Err(FlakeError::new(
                        ErrorKind::Unsupported,
                        "`inputs` is not written as literal attribute sets, so flakeedit cannot edit it",
                    )
                    .at(found.binding.syntax().text_range()));
                }
            }
        }
        let style = match (block, last_dotted) {
            (Some(set), _) => InputsStyle::Block(set),
            (None, Some(binding)) => InputsStyle::Dotted(binding),
            (None, None) => InputsStyle::None,
        };
        let outputs = read_outputs(&root);
        Ok(Flake {
            root,
            inputs: inputs.inputs,
            style,
            outputs,
            by_name: inputs.by_name,
        })
    }

    /// The range of the top-level attribute set.
    pub fn root_range(&self) -> TextRange {
        self.root.syntax().text_range()
    }

    /// The input named `name`.
    pub fn input(&self, name: &str) -> Option<&InputDecl> {
        let index = *self.by_name.get(name)?;
        match self.inputs.get(index) {
            Some(input) if input.name == name => Some(input),
            // `inputs` is public: if a caller reordered it, the index is
            // stale and a scan is the truth.
            _ => self.inputs.iter().find(|input| input.name == name),
        }
    }

    /// True when `name` is an outputs formal (other than `self`) that is
    /// not a declared input: Nix adds it as an input itself, fetched as
    /// `flake:<name>` through the registry, so it is in the input set and
    /// a valid `follows` target.
    pub fn is_registry_input(&self, name: &str) -> bool {
        name != "self"
            && self.input(name).is_none()
            && self
                .outputs
                .as_ref()
                .and_then(Outputs::pattern)
                .is_some_and(|pattern| {
                    flakeedit_syntax::formal_names(&pattern)
                        .iter()
                        .any(|formal| formal == name)
                })
    }
}

/// The `outputs` binding of the top-level set `root`.
fn read_outputs(root: &ast::AttrSet) -> Option<Outputs> {
    find_path(root, &["outputs"])
        .into_iter()
        .find(|found| found.kind == PathMatchKind::Exact)
        .map(|found| Outputs {
            lambda: found
                .binding
                .value()
                .map(strip_parens)
                .and_then(|expr| match expr {
                    ast::Expr::Lambda(lambda) => Some(lambda),
                    _ => None,
                }),
            binding: found.binding,
        })
}

/// Reads one binding written directly in the `inputs = { … };` block.
fn read_block_binding(table: &mut InputTable, binding: &ast::AttrpathValue) {
    let Some(names) = binding.attrpath().as_ref().and_then(attrpath_names) else {
        return;
    };
    add_binding(table, &names, binding, Vec::new());
}

impl Flake {
    /// The inputs one binding of the `inputs = { … };` block declares,
    /// read as [`Flake::read`] reads them (in practice one input, or none
    /// for a binding whose name is not static).
    pub(crate) fn block_binding_inputs(binding: &ast::AttrpathValue) -> Vec<InputDecl> {
        let mut table = InputTable::default();
        read_block_binding(&mut table, binding);
        table.inputs
    }

    /// The inputs named in `names` that the `inputs = { … };` block
    /// `block` declares, read as [`Flake::read`] reads them, in the
    /// block's order. Bindings are picked by their first name in the green
    /// tree, so a block of tens of thousands of bindings is looked through
    /// without making a node for each.
    pub(crate) fn block_inputs_named(
        block: &ast::AttrSet,
        names: &std::collections::HashSet<&str>,
    ) -> Vec<InputDecl> {
        use flakeedit_syntax::rnix::NixLanguage;
        use rowan::{Language, NodeOrToken};
        let kind = |raw| NixLanguage::kind_from_raw(raw);
        // False only when the binding's first name is an identifier that
        // is not asked for (a string or `${…}` name is read and filtered).
        let may_declare = |binding: &rowan::GreenNodeData| {
            let Some(NodeOrToken::Node(path)) = binding.children().next() else {
                return true;
            };
            if kind(path.kind()) != SyntaxKind::NODE_ATTRPATH {
                return true;
            }
            let Some(NodeOrToken::Node(first)) = path.children().next() else {
                return true;
            };
            if kind(first.kind()) != SyntaxKind::NODE_IDENT {
                return true;
            }
            match first.children().next() {
                Some(NodeOrToken::Token(ident)) => names.contains(ident.text()),
                _ => true,
            }
        };
        let mut table = InputTable::default();
        let mut offset = u32::from(block.syntax().text_range().start());
        for child in block.syntax().green().children() {
            let len = u32::from(child.text_len());
            if let NodeOrToken::Node(node) = child {
                if kind(node.kind()) == SyntaxKind::NODE_ATTRPATH_VALUE && may_declare(node) {
                    let range = TextRange::at(offset.into(), len.into());
                    let binding = block
                        .syntax()
                        .child_or_token_at_range(range)
                        .and_then(|element| element.into_node())
                        .filter(|node| node.text_range() == range)
                        .and_then(ast::AttrpathValue::cast);
                    if let Some(binding) = binding {
                        read_block_binding(&mut table, &binding);
                    }
                }
            }
            offset += len;
        }
        table
            .inputs
            .into_iter()
            .filter(|input| names.contains(input.name.as_str()))
            .collect()
    }

    /// A model of part of a flake: its top-level set `root`, the outputs
    /// found there, and only the given `inputs` (the incremental check
    /// looks at the inputs of one edited binding).
    pub(crate) fn partial(root: ast::AttrSet, inputs: Vec<InputDecl>) -> Flake {
        let by_name = inputs
            .iter()
            .enumerate()
            .map(|(index, input)| (input.name.clone(), index))
            .collect();
        let outputs = read_outputs(&root);
        Flake {
            root,
            inputs,
            style: InputsStyle::None,
            outputs,
            by_name,
        }
    }
}

/// Inputs in order of first appearance, with their positions by name.
#[derive(Default)]
struct InputTable {
    inputs: Vec<InputDecl>,
    by_name: HashMap<String, usize>,
}

/// Adds a binding found at `names` below `inputs` (names[0] is the input).
fn add_binding(
    table: &mut InputTable,
    names: &[String],
    binding: &ast::AttrpathValue,
    mut prefix: Vec<String>,
) {
    let Some((name, below)) = names.split_first() else {
        return;
    };
    let inputs = &mut table.inputs;
    let index = *table.by_name.entry(name.clone()).or_insert_with(|| {
        inputs.push(InputDecl {
            name: name.clone(),
            bindings: Vec::new(),
            leaves: Vec::new(),
        });
        inputs.len() - 1
    });
    let input = &mut inputs[index];
    prefix.push(name.clone());
    input.bindings.push(InputBinding {
        node: binding.clone(),
        below: below.to_vec(),
        prefix,
    });
    flatten(&mut input.leaves, below.to_vec(), binding, 0);
}

/// Records the leaves of `binding`, whose value sits at `path` below the
/// input (`outer` of those segments are written in enclosing sets).
fn flatten(
    leaves: &mut Vec<InputLeaf>,
    path: Vec<String>,
    binding: &ast::AttrpathValue,
    outer: usize,
) {
    if let Some(set) = as_attr_set(binding.value()) {
        for inner in set.attrpath_values() {
            let Some(names) = inner.attrpath().as_ref().and_then(attrpath_names) else {
                continue;
            };
            let mut inner_path = path.clone();
            inner_path.extend(names);
            flatten(leaves, inner_path, &inner, path.len());
        }
        return;
    }
    leaves.push(InputLeaf {
        path,
        binding: binding.clone(),
        outer,
        value: leaf_value(binding.value()),
    });
}

fn leaf_value(expr: Option<ast::Expr>) -> LeafValue {
    match expr.map(strip_parens) {
        Some(ast::Expr::Str(string)) => {
            static_string(&string).map_or(LeafValue::Other, LeafValue::String)
        }
        Some(ast::Expr::Literal(literal)) => {
            let token = literal.syntax().first_token();
            match token {
                Some(token) if token.kind() == SyntaxKind::TOKEN_URI => {
                    LeafValue::String(token.text().to_string())
                }
                _ => LeafValue::Other,
            }
        }
        Some(ast::Expr::Ident(ident)) => match ident.ident_token().as_ref().map(|t| t.text()) {
            Some("true") => LeafValue::Bool(true),
            Some("false") => LeafValue::Bool(false),
            _ => LeafValue::Other,
        },
        _ => LeafValue::Other,
    }
}
