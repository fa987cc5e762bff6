//! The scope-aware walk behind [`super::analyze_uses`]: it follows Nix's
//! binding rules (lexical names always win over `with`; an inner `with`
//! wins over an outer one) to tell which names in the outputs body reach
//! this flake's inputs.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{attr_name, static_string, strip_parens, SyntaxKind, SyntaxNode, TextRange};
use rowan::ast::AstNode;

use super::{InputSetUse, InputUse, UndecidedUse, UndecidedWhy, UseAnalysis, UseKind};

mod bindings;

/// What a name bound in the outputs function stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Meaning {
    /// This flake's input set (the outputs pattern's `@` name or parameter,
    /// a `let` alias of it, flake-parts' `inputs'`).
    InputSet,
    /// An input set that is some function's argument named `inputs`: a
    /// flake-parts module, a partition or a NixOS module. It is often this
    /// flake's set passed on, but nothing here says so.
    ForeignInputs,
    /// An outputs formal: the input of that name.
    Formal(String),
    /// A `self` that is not the outputs formal (a module argument): its
    /// `inputs` is a foreign input set.
    ForeignSelf,
    /// Anything else; shadows outer meanings.
    Other,
}

/// The namespace of an enclosing `with`.
#[derive(Debug, Clone)]
enum WithNamespace {
    /// `with inputs;` (or `with self.inputs;`).
    Inputs,
    /// Any other set, which may hold any name; as written.
    Other(String),
}

/// Which input set an expression denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetRef {
    Ours,
    Foreign,
}

/// Names the builtins scope binds: lexical, so never taken from a `with`.
const GLOBALS: &[&str] = &[
    "abort",
    "baseNameOf",
    "builtins",
    "derivation",
    "dirOf",
    "false",
    "fetchGit",
    "fetchTarball",
    "fetchTree",
    "fetchurl",
    "fromTOML",
    "import",
    "isNull",
    "map",
    "null",
    "placeholder",
    "removeAttrs",
    "scopedImport",
    "throw",
    "toString",
    "true",
];

pub(super) struct Walker<'a> {
    text: &'a str,
    names: Vec<(String, Meaning)>,
    withs: Vec<WithNamespace>,
    pub(super) analysis: UseAnalysis,
    /// What lets the walk pass over subtrees that cannot reach an input;
    /// `None` walks everything.
    skip: Option<Skip>,
    /// Bodies of at least this many bytes are looked through for names
    /// first ([`SKIP_ABOVE`]).
    skip_above: usize,
}

/// A subtree can reach an input only through an identifier with a
/// meaning other than [`Meaning::Other`] (a formal, the input set, an
/// alias of it, a function's own `inputs` or `self`), or through any free
/// name under `with inputs;`. The names with a meaning when the body's
/// walk starts (and the names that take one inside: `inputs`, `inputs'`,
/// `self`) are looked for in the text once; a subtree in which none of
/// them is written, walked outside any `with inputs;` and while every name
/// with a meaning is one of them, adds nothing and is passed over. On a
/// large body (packages by the thousand) this spares walking most of it.
struct Skip {
    /// The names looked for.
    known: std::collections::HashSet<String>,
    /// Where one of them starts in the text (anywhere: inside a longer
    /// identifier or a string too), sorted.
    starts: Vec<u32>,
    /// How many names in scope have a meaning and are not `known`.
    unknown: usize,
    /// How many enclosing `with`s are of the input set.
    inputs_withs: usize,
}

/// Names that take a meaning in the body whatever the scope around.
const MEANINGFUL: &[&str] = &["inputs", "inputs'", "self"];

/// Bodies smaller than this are walked whole: looking for names first
/// would cost more than it spares.
const SKIP_ABOVE: usize = 64 * 1024;

impl<'a> Walker<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Walker {
            text,
            names: Vec::new(),
            withs: Vec::new(),
            analysis: UseAnalysis::default(),
            skip: None,
            skip_above: SKIP_ABOVE,
        }
    }

    /// A walker that passes over subtrees in bodies of at least `bytes`
    /// bytes (`usize::MAX`: never), for tests that compare both walks.
    #[cfg(test)]
    pub(super) fn skipping_above(mut self, bytes: usize) -> Self {
        self.skip_above = bytes;
        self
    }

    /// Whether `name` bound to `meaning` makes subtrees unskippable.
    fn unknown(&self, name: &str, meaning: &Meaning) -> bool {
        *meaning != Meaning::Other
            && self
                .skip
                .as_ref()
                .is_some_and(|skip| !skip.known.contains(name))
    }

    fn bind(&mut self, name: String, meaning: Meaning) {
        if self.unknown(&name, &meaning) {
            if let Some(skip) = &mut self.skip {
                skip.unknown += 1;
            }
        }
        self.names.push((name, meaning));
    }

    /// Drops the names bound since the scope was `depth` deep.
    fn unbind(&mut self, depth: usize) {
        let depth = depth.min(self.names.len());
        self.forget(depth);
        self.names.truncate(depth);
    }

    /// Takes out the names bound since the scope was `depth` deep, for
    /// [`Walker::rebind`].
    fn hide(&mut self, depth: usize) -> Vec<(String, Meaning)> {
        let depth = depth.min(self.names.len());
        self.forget(depth);
        self.names.drain(depth..).collect()
    }

    /// Takes the names above `depth` out of [`Skip::unknown`]: the stack
    /// is only walked when there is a count to keep.
    fn forget(&mut self, depth: usize) {
        if self.skip.is_none() {
            return;
        }
        let unknown = self.names[depth..]
            .iter()
            .filter(|(name, meaning)| self.unknown(name, meaning))
            .count();
        if let Some(skip) = &mut self.skip {
            skip.unknown -= unknown.min(skip.unknown);
        }
    }

    /// Binds again names [`Walker::hide`] took out.
    fn rebind(&mut self, names: Vec<(String, Meaning)>) {
        for (name, meaning) in names {
            self.bind(name, meaning);
        }
    }

    /// Gives the name bound at `index` another meaning.
    fn rebind_at(&mut self, index: usize, meaning: Meaning) {
        let Some((name, old)) = self.names.get(index).cloned() else {
            return;
        };
        let (was, is) = (self.unknown(&name, &old), self.unknown(&name, &meaning));
        if let Some(skip) = &mut self.skip {
            skip.unknown = skip.unknown + usize::from(is) - usize::from(was).min(skip.unknown);
        }
        self.names[index].1 = meaning;
    }

    /// Looks for the names with a meaning in `range` of the text, so that
    /// subtrees without them can be passed over.
    fn look_for_names(&mut self, range: TextRange) {
        let Some(body) = self
            .text
            .get(usize::from(range.start())..usize::from(range.end()))
        else {
            return;
        };
        if body.len() < self.skip_above {
            return;
        }
        let known: std::collections::HashSet<String> = self
            .names
            .iter()
            .filter(|(_, meaning)| *meaning != Meaning::Other)
            .map(|(name, _)| name.clone())
            .chain(MEANINGFUL.iter().map(|name| name.to_string()))
            .collect();
        let Ok(searcher) = aho_corasick::AhoCorasick::new(&known) else {
            return;
        };
        let base = u32::from(range.start());
        let mut starts: Vec<u32> = searcher
            .find_overlapping_iter(body)
            .filter_map(|found| u32::try_from(found.start()).ok())
            .map(|start| base + start)
            .collect();
        starts.sort_unstable();
        starts.dedup();
        self.skip = Some(Skip {
            known,
            starts,
            unknown: 0,
            inputs_withs: 0,
        });
    }

    /// True when walking `node` cannot find anything (see [`Skip`]).
    fn passes_over(&self, node: &SyntaxNode) -> bool {
        let Some(skip) = &self.skip else {
            return false;
        };
        if skip.unknown > 0 || skip.inputs_withs > 0 {
            return false;
        }
        let range = node.text_range();
        let (start, end) = (u32::from(range.start()), u32::from(range.end()));
        let first = skip.starts.partition_point(|&at| at < start);
        skip.starts.get(first).is_none_or(|&at| at >= end)
    }

    /// Walks the outputs function: its parameter binds our input set and
    /// the formals; then the defaults and the body.
    pub(super) fn outputs(&mut self, lambda: &ast::Lambda) {
        match lambda.param() {
            Some(ast::Param::IdentParam(param)) => {
                if let Some(name) = ident_param_name(&param) {
                    self.names.push((name, Meaning::InputSet));
                }
            }
            Some(ast::Param::Pattern(pattern)) => {
                for entry in pattern.pat_entries() {
                    if let Some(name) = flakeedit_syntax::formal_name(&entry) {
                        self.names.push((name.clone(), Meaning::Formal(name)));
                    }
                }
                if let Some(alias) = flakeedit_syntax::pattern_alias(&pattern) {
                    self.names.push((alias, Meaning::InputSet));
                }
                for entry in pattern.pat_entries() {
                    if let Some(default) = entry.default() {
                        self.expr(default.syntax());
                    }
                }
            }
            None => {}
        }
        if let Some(body) = lambda.body() {
            self.look_for_names(body.syntax().text_range());
            self.expr(body.syntax());
        }
    }

    fn lookup(&self, name: &str) -> Option<&Meaning> {
        self.names
            .iter()
            .rev()
            .find(|(bound, _)| bound == name)
            .map(|(_, meaning)| meaning)
    }

    fn slice(&self, range: TextRange) -> String {
        self.text
            .get(usize::from(range.start())..usize::from(range.end()))
            .unwrap_or_default()
            .to_string()
    }

    /// A short, one-line rendering of a construct for messages.
    fn construct(&self, node: &SyntaxNode) -> String {
        let text = self.slice(node.text_range());
        let first = text.lines().next().unwrap_or_default().trim_end();
        if first.chars().count() > 60 {
            let short: String = first.chars().take(57).collect();
            format!("{short}…")
        } else if first.len() < text.trim_end().len() {
            format!("{first} …")
        } else {
            first.to_string()
        }
    }

    /// Which input set `expr` is, looking through parentheses: a name
    /// bound to one, or `self.inputs`.
    fn set_of(&self, expr: &ast::Expr) -> Option<SetRef> {
        match strip_parens(expr.clone()) {
            ast::Expr::Ident(ident) => match self.lookup(&ident_text(&ident)?)? {
                Meaning::InputSet => Some(SetRef::Ours),
                Meaning::ForeignInputs => Some(SetRef::Foreign),
                _ => None,
            },
            ast::Expr::Select(select) if select.or_token().is_none() => {
                let base = match strip_parens(select.expr()?) {
                    ast::Expr::Ident(ident) => self.lookup(&ident_text(&ident)?)?.clone(),
                    _ => return None,
                };
                let attrs: Vec<Option<String>> = select
                    .attrpath()?
                    .attrs()
                    .map(|attr| attr_name(&attr))
                    .collect();
                let mut state = base;
                for name in attrs {
                    let name = name?;
                    state = match (&state, name.as_str()) {
                        (Meaning::Formal(formal), "inputs") if formal == "self" => {
                            Meaning::InputSet
                        }
                        (Meaning::ForeignSelf, "inputs") => Meaning::ForeignInputs,
                        (Meaning::InputSet, "self") => Meaning::Formal("self".into()),
                        (Meaning::ForeignInputs, "self") => Meaning::ForeignSelf,
                        _ => return None,
                    };
                }
                match state {
                    Meaning::InputSet => Some(SetRef::Ours),
                    Meaning::ForeignInputs => Some(SetRef::Foreign),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Walks an expression whose value, if it is an input set, is only
    /// read by name (`with`, `inherit (…)`, `?`, a `let` alias): such a
    /// set does not escape.
    fn consumed(&mut self, expr: &ast::Expr) -> Option<SetRef> {
        let set = self.set_of(expr);
        if set.is_none() {
            self.expr(expr.syntax());
        }
        set
    }

    fn expr(&mut self, node: &SyntaxNode) {
        if self.passes_over(node) {
            return;
        }
        match node.kind() {
            SyntaxKind::NODE_IDENT => self.ident(node),
            SyntaxKind::NODE_SELECT => {
                if let Some(select) = ast::Select::cast(node.clone()) {
                    self.select(&select);
                }
            }
            SyntaxKind::NODE_LAMBDA => {
                if let Some(lambda) = ast::Lambda::cast(node.clone()) {
                    self.lambda(&lambda);
                }
            }
            SyntaxKind::NODE_LET_IN => {
                if let Some(let_in) = ast::LetIn::cast(node.clone()) {
                    let depth = self.names.len();
                    self.entries(&let_in, true);
                    if let Some(body) = let_in.body() {
                        self.expr(body.syntax());
                    }
                    self.unbind(depth);
                }
            }
            SyntaxKind::NODE_ATTR_SET => {
                if let Some(set) = ast::AttrSet::cast(node.clone()) {
                    let depth = self.names.len();
                    self.entries(&set, set.rec_token().is_some());
                    self.unbind(depth);
                }
            }
            SyntaxKind::NODE_LEGACY_LET => {
                if let Some(set) = ast::LegacyLet::cast(node.clone()) {
                    let depth = self.names.len();
                    self.entries(&set, true);
                    self.unbind(depth);
                }
            }
            SyntaxKind::NODE_WITH => {
                if let Some(with) = ast::With::cast(node.clone()) {
                    self.with(&with);
                }
            }
            SyntaxKind::NODE_HAS_ATTR => {
                if let Some(has) = ast::HasAttr::cast(node.clone()) {
                    self.has_attr(&has);
                }
            }
            SyntaxKind::NODE_APPLY => {
                if let Some(apply) = ast::Apply::cast(node.clone()) {
                    self.apply(&apply);
                }
            }
            SyntaxKind::NODE_ATTRPATH => self.attrpath(node),
            _ => {
                for child in node.children() {
                    self.expr(&child);
                }
            }
        }
    }

    /// The dynamic parts of an attribute path (`${…}`, `"${…}"`); plain
    /// names are not references.
    fn attrpath(&mut self, node: &SyntaxNode) {
        for child in node.children() {
            if child.kind() != SyntaxKind::NODE_IDENT {
                self.expr(&child);
            }
        }
    }

    fn ident(&mut self, node: &SyntaxNode) {
        let Some(ident) = ast::Ident::cast(node.clone()) else {
            return;
        };
        let Some(name) = ident_text(&ident) else {
            return;
        };
        let range = node.text_range();
        match self.lookup(&name).cloned() {
            Some(Meaning::Formal(input)) => self.analysis.uses.push((
                input.clone(),
                InputUse {
                    range,
                    text: input,
                    kind: UseKind::Variable,
                },
            )),
            Some(Meaning::InputSet) => self.escape(node),
            Some(Meaning::ForeignInputs) => {
                let context = enclosing(node);
                self.foreign_passed_on(&context);
            }
            Some(_) => {}
            None => self.free_name(name, range),
        }
    }

    /// A function's own `inputs` argument passed on (`callPackage ./x.nix
    /// { inherit inputs; }`): when that argument is this flake's set (an
    /// inline `mkFlake` module), any input may be read through it.
    pub(super) fn foreign_passed_on(&mut self, context: &SyntaxNode) {
        self.analysis.foreign_escapes.push(UndecidedUse {
            range: context.text_range(),
            construct: self.construct(context),
            why: UndecidedWhy::PassedOn,
        });
    }

    /// The whole input set used as a value: passed to a function, merged
    /// with `//`, put in a set (`inherit inputs`). Any input may be read
    /// through it.
    fn escape(&mut self, ident: &SyntaxNode) {
        let context = enclosing(ident);
        self.passed_on(&context);
    }

    /// Records the input set passed on at `context`. Given to flake-parts'
    /// `mkFlake { inherit inputs; }`, it is certainly read for `nixpkgs`
    /// (`perSystem`'s `pkgs`); any other input stays undecided.
    pub(super) fn passed_on(&mut self, context: &SyntaxNode) {
        let mkflake = mkflake_module(context);
        // An inline module that imports nothing: every reader of the set is
        // in this file (`inputs'`, modules' `inputs` arguments), so the set
        // passing on decides nothing by itself.
        if mkflake.as_ref().is_some_and(is_self_contained) {
            self.analysis.mkflake_inline = true;
        } else {
            self.analysis.undecided.push(UndecidedUse {
                range: context.text_range(),
                construct: self.construct(context),
                why: UndecidedWhy::PassedOn,
            });
        }
        if mkflake.is_some() {
            self.analysis.uses.push((
                "nixpkgs".to_string(),
                InputUse {
                    range: context.text_range(),
                    text: format!(
                        "{} (flake-parts' mkFlake reads `inputs.nixpkgs` for `pkgs`)",
                        self.construct(context)
                    ),
                    kind: UseKind::Library,
                },
            ));
        }
    }

    /// A name no lexical binding covers: it comes from the innermost
    /// `with` that has it.
    fn free_name(&mut self, name: String, range: TextRange) {
        if GLOBALS.contains(&name.as_str()) {
            return;
        }
        let mut shadowing: Option<String> = None;
        for namespace in self.withs.iter().rev() {
            match namespace {
                WithNamespace::Other(text) => {
                    if shadowing.is_none() {
                        shadowing = Some(text.clone());
                    }
                }
                WithNamespace::Inputs => {
                    match shadowing {
                        None => self.analysis.uses.push((
                            name.clone(),
                            InputUse {
                                range,
                                text: name,
                                kind: UseKind::With,
                            },
                        )),
                        Some(with) => self.analysis.undecided.push(UndecidedUse {
                            range,
                            construct: name.clone(),
                            why: UndecidedWhy::WithShadowed { name, with },
                        }),
                    }
                    return;
                }
            }
        }
    }

    fn select(&mut self, select: &ast::Select) {
        let Some(base) = select.expr() else {
            return;
        };
        let attrs: Vec<ast::Attr> = select
            .attrpath()
            .map(|path| path.attrs().collect())
            .unwrap_or_default();
        let start = select.syntax().text_range().start();
        let has_default = select.or_token().is_some();
        let mut state = match strip_parens(base.clone()) {
            ast::Expr::Ident(ident) => {
                let meaning = ident_text(&ident).and_then(|name| self.lookup(&name).cloned());
                match meaning {
                    Some(Meaning::InputSet | Meaning::ForeignInputs | Meaning::ForeignSelf) => {}
                    _ => self.expr(base.syntax()),
                }
                meaning.unwrap_or(Meaning::Other)
            }
            _ => {
                self.expr(base.syntax());
                Meaning::Other
            }
        };
        for attr in &attrs {
            let name = attr_name(attr);
            let attr_end = attr.syntax().text_range().end();
            state = match (&state, name) {
                (Meaning::InputSet, Some(name)) => {
                    let name_range = TextRange::new(start, attr_end);
                    let text = self.slice(name_range);
                    self.analysis.set_uses.push((
                        InputSetUse {
                            name: name.clone(),
                            name_range,
                            has_default,
                            guarded_by: None,
                        },
                        InputUse {
                            range: select.syntax().text_range(),
                            text,
                            kind: UseKind::Selected,
                        },
                    ));
                    Meaning::Formal(name)
                }
                (Meaning::InputSet, None) => {
                    let range = TextRange::new(start, attr_end);
                    self.analysis.undecided.push(UndecidedUse {
                        range,
                        construct: self.slice(range),
                        why: UndecidedWhy::ComputedName,
                    });
                    Meaning::Other
                }
                (Meaning::ForeignInputs, Some(name)) => {
                    let range = TextRange::new(start, attr_end);
                    self.analysis.foreign.push((
                        name.clone(),
                        InputUse {
                            range,
                            text: self.slice(range),
                            kind: UseKind::Selected,
                        },
                    ));
                    if name == "self" {
                        Meaning::ForeignSelf
                    } else {
                        Meaning::Other
                    }
                }
                (Meaning::Formal(formal), Some(name)) if formal == "self" && name == "inputs" => {
                    Meaning::InputSet
                }
                (Meaning::ForeignSelf, Some(name)) if name == "inputs" => Meaning::ForeignInputs,
                _ => Meaning::Other,
            };
            if let ast::Attr::Dynamic(dynamic) = attr {
                if let Some(expr) = dynamic.expr() {
                    self.expr(expr.syntax());
                }
            } else if let ast::Attr::Str(string) = attr {
                self.expr(string.syntax());
            }
        }
        // `self.inputs` as a whole value: the set escapes.
        if state == Meaning::InputSet && !attrs.is_empty() {
            self.escape(select.syntax());
        }
        if let Some(default) = select.default_expr() {
            self.expr(default.syntax());
        }
    }

    fn lambda(&mut self, lambda: &ast::Lambda) {
        let depth = self.names.len();
        match lambda.param() {
            Some(ast::Param::IdentParam(param)) => {
                if let Some(name) = ident_param_name(&param) {
                    let meaning = inner_binding(&name);
                    self.bind(name, meaning);
                }
            }
            Some(ast::Param::Pattern(pattern)) => {
                for entry in pattern.pat_entries() {
                    if let Some(name) = flakeedit_syntax::formal_name(&entry) {
                        let meaning = inner_binding(&name);
                        self.bind(name, meaning);
                    }
                }
                if let Some(alias) = flakeedit_syntax::pattern_alias(&pattern) {
                    let meaning = inner_binding(&alias);
                    self.bind(alias, meaning);
                }
                for entry in pattern.pat_entries() {
                    if let Some(default) = entry.default() {
                        self.expr(default.syntax());
                    }
                }
            }
            None => {}
        }
        if let Some(body) = lambda.body() {
            self.expr(body.syntax());
        }
        self.unbind(depth);
    }

    fn with(&mut self, with: &ast::With) {
        let namespace = match with.namespace() {
            Some(namespace) => match self.consumed(&namespace) {
                Some(SetRef::Ours) => WithNamespace::Inputs,
                _ => WithNamespace::Other(self.construct(namespace.syntax())),
            },
            None => return,
        };
        let inputs = matches!(namespace, WithNamespace::Inputs);
        let counted = |walker: &mut Self, by: isize| {
            if let (true, Some(skip)) = (inputs, &mut walker.skip) {
                skip.inputs_withs = skip.inputs_withs.saturating_add_signed(by);
            }
        };
        counted(self, 1);
        self.withs.push(namespace);
        if let Some(body) = with.body() {
            self.expr(body.syntax());
        }
        self.withs.pop();
        counted(self, -1);
    }

    fn has_attr(&mut self, has: &ast::HasAttr) {
        if let Some(expr) = has.expr() {
            if self.consumed(&expr) == Some(SetRef::Ours) {
                if let Some(name) = has
                    .attrpath()
                    .and_then(|path| path.attrs().next())
                    .and_then(|attr| attr_name(&attr))
                {
                    self.analysis.guards.push((name, has.syntax().text_range()));
                }
            }
        }
        if let Some(path) = has.attrpath() {
            self.attrpath(path.syntax());
        }
    }

    /// `builtins.getAttr NAME inputs` and `builtins.hasAttr NAME inputs`.
    fn apply(&mut self, apply: &ast::Apply) {
        let known = (|| {
            let set_arg = apply.argument()?;
            let ast::Expr::Apply(inner) = strip_parens(apply.lambda()?) else {
                return None;
            };
            let function = builtin_name(&strip_parens(inner.lambda()?))?;
            if function != "getAttr" && function != "hasAttr" {
                return None;
            }
            if self.lookup("builtins").is_some() {
                return None;
            }
            let name_arg = inner.argument()?;
            (self.set_of(&set_arg) == Some(SetRef::Ours)).then_some((function, name_arg))
        })();
        let Some((function, name_arg)) = known else {
            for child in apply.syntax().children() {
                self.expr(&child);
            }
            return;
        };
        let name = match strip_parens(name_arg.clone()) {
            ast::Expr::Str(string) => static_string(&string),
            _ => None,
        };
        let range = apply.syntax().text_range();
        match (function.as_str(), name) {
            ("getAttr", Some(name)) => self.analysis.set_uses.push((
                InputSetUse {
                    name,
                    name_range: range,
                    has_default: false,
                    guarded_by: None,
                },
                InputUse {
                    range,
                    text: self.slice(range),
                    kind: UseKind::Selected,
                },
            )),
            ("getAttr", None) => self.analysis.undecided.push(UndecidedUse {
                range,
                construct: self.construct(apply.syntax()),
                why: UndecidedWhy::ComputedName,
            }),
            (_, Some(name)) => self.analysis.guards.push((name, range)),
            (_, None) => {}
        }
        self.expr(name_arg.syntax());
    }
}

/// What an inner function's argument named `name` stands for.
fn inner_binding(name: &str) -> Meaning {
    match name {
        // flake-parts' per-system view of the flake's own inputs.
        "inputs'" => Meaning::InputSet,
        "inputs" => Meaning::ForeignInputs,
        "self" => Meaning::ForeignSelf,
        _ => Meaning::Other,
    }
}

fn ident_text(ident: &ast::Ident) -> Option<String> {
    Some(ident.ident_token()?.text().to_string())
}

fn ident_param_name(param: &ast::IdentParam) -> Option<String> {
    param.ident().as_ref().and_then(ident_text)
}

/// The construct around a name, looking through parentheses.
fn enclosing(node: &SyntaxNode) -> SyntaxNode {
    node.ancestors()
        .skip(1)
        .find(|ancestor| ancestor.kind() != SyntaxKind::NODE_PAREN)
        .unwrap_or_else(|| node.clone())
}

/// When `context` (an `inherit inputs;` or `inputs = …;`) is in the first
/// argument of a `mkFlake` call (`flake-parts.lib.mkFlake { … } module`):
/// the module argument, or the call itself when it has none yet.
fn mkflake_module(context: &SyntaxNode) -> Option<SyntaxNode> {
    let set = context
        .parent()
        .filter(|p| p.kind() == SyntaxKind::NODE_ATTR_SET)?;
    let apply = set.parent().and_then(ast::Apply::cast)?;
    if apply.argument()?.syntax() != &set {
        return None;
    }
    let is_mkflake = match strip_parens(apply.lambda()?) {
        ast::Expr::Ident(ident) => ident_text(&ident).as_deref() == Some("mkFlake"),
        ast::Expr::Select(select) => {
            select
                .attrpath()
                .and_then(|path| path.attrs().last())
                .and_then(|attr| attr_name(&attr))
                .as_deref()
                == Some("mkFlake")
        }
        _ => false,
    };
    if !is_mkflake {
        return None;
    }
    let outer = apply
        .syntax()
        .parent()
        .and_then(ast::Apply::cast)
        .filter(|outer| outer.lambda().is_some_and(|f| f.syntax() == apply.syntax()));
    Some(match outer.and_then(|outer| outer.argument()) {
        Some(module) => strip_parens(module).syntax().clone(),
        None => apply.syntax().clone(),
    })
}

/// True for an inline module (a set or a function) with no `imports` and
/// no `import`: nothing outside this file receives the inputs, except
/// through a module's `inputs` argument passed on, which is tracked.
fn is_self_contained(module: &SyntaxNode) -> bool {
    let inline = matches!(
        module.kind(),
        SyntaxKind::NODE_ATTR_SET | SyntaxKind::NODE_LAMBDA
    );
    inline
        && !module.descendants().any(|node| match node.kind() {
            SyntaxKind::NODE_IDENT => node.text() == "import",
            SyntaxKind::NODE_ATTRPATH_VALUE => ast::AttrpathValue::cast(node)
                .and_then(|binding| binding.attrpath()?.attrs().next())
                .and_then(|attr| attr_name(&attr))
                .is_some_and(|name| name == "imports"),
            _ => false,
        })
}

/// `builtins.NAME` → `NAME`.
fn builtin_name(expr: &ast::Expr) -> Option<String> {
    let ast::Expr::Select(select) = expr else {
        return None;
    };
    if select.or_token().is_some() {
        return None;
    }
    let ast::Expr::Ident(base) = select.expr()? else {
        return None;
    };
    if ident_text(&base)? != "builtins" {
        return None;
    }
    let mut attrs = select.attrpath()?.attrs();
    let name = attr_name(&attrs.next()?)?;
    attrs.next().is_none().then_some(name)
}
