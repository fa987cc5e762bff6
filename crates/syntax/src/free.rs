//! Variable references and what binds them: the lexical analysis an edit's
//! meaning check compares before and after.
//!
//! One walk of the tree resolves every variable reference the way Nix does:
//! lambda parameters, pattern formals (their defaults see every formal and
//! the `@` name), `let` bindings and `rec` attributes (including `inherit`,
//! whose plain names are looked up *outside* the `let` or `rec`, while an
//! `inherit (e)` source is evaluated inside), and the built-in global scope.
//! A name that no lexical scope binds but that lies under a `with` is only
//! *maybe* bound, by that `with` at run time: it is reported as such
//! ([`Resolution::With`]), never as bound nor silently as free.

use std::collections::HashMap;

use rnix::ast::{self, HasEntry};
use rnix::{SyntaxKind, SyntaxNode, TextRange, TextSize};
use rowan::ast::AstNode;

use crate::attrpath::attr_name;

/// What a variable reference refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// A lexical binding: the offset of the binding's name (a formal, a
    /// lambda parameter, a `let` or `rec` attribute, an `inherit`ed name).
    Bound(TextSize),
    /// No lexical binding; the innermost enclosing `with` (the offset of its
    /// keyword) may provide it at run time.
    With(TextSize),
    /// A name of Nix's global scope (`builtins`, `true`, `import`, `__…`).
    Global,
    /// Bound nowhere: evaluating it fails.
    Free,
}

/// One variable reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The name.
    pub name: String,
    /// The identifier's range.
    pub range: TextRange,
    /// What binds it.
    pub resolution: Resolution,
}

/// The expression nests deeper than the analysis follows (a guard against
/// stack exhaustion on generated or hostile files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the expression at byte {} nests too deeply to analyse", u32::from(*offset))]
pub struct TooDeep {
    /// Where the nesting limit was reached.
    pub offset: TextSize,
}

/// Deeper than any real flake; shallow enough for a 2 MiB thread stack.
const MAX_DEPTH: usize = 600;

/// The names of Nix's base environment that are not spelled `__name`.
const GLOBALS: &[&str] = &[
    "abort",
    "baseNameOf",
    "break",
    "builtins",
    "derivation",
    "derivationStrict",
    "dirOf",
    "false",
    "fetchGit",
    "fetchMercurial",
    "fetchTarball",
    "fetchTree",
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

/// True for a name of Nix's global scope.
pub fn is_global(name: &str) -> bool {
    name.starts_with("__") || GLOBALS.contains(&name)
}

/// Every variable reference under `node`, in source order, each with what
/// binds it. Names bound outside `node` count as free (or `with`-bound when
/// a `with` inside `node` encloses them): pass the root to analyse a file.
pub fn references(node: &SyntaxNode) -> Result<Vec<Reference>, TooDeep> {
    let mut walker = Walker::default();
    walker.expr(node, 0)?;
    Ok(walker.found)
}

/// The variable references of the file `root` that lie inside one of
/// `ranges`, each resolved in its whole lexical context (the scopes around
/// the ranges are read, their other contents are not walked): what
/// [`references`] of the root finds in those ranges, at a cost that grows
/// with the ranges and the width of the scopes around them rather than with
/// the file. An edit's meaning check compares the edited regions this way.
pub fn references_within(
    root: &SyntaxNode,
    ranges: &[TextRange],
) -> Result<Vec<Reference>, TooDeep> {
    let mut walker = Walker {
        within: Some(ranges.to_vec()),
        ..Walker::default()
    };
    walker.expr(root, 0)?;
    Ok(walker.found)
}

/// The free variables of the expression `node`: references that nothing
/// inside `node` binds, split into those no `with` inside `node` encloses
/// (`free`) and those one may provide (`maybe_with`). In source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FreeVariables {
    /// Unbound references (global names excluded).
    pub free: Vec<Reference>,
    /// References only a `with` may bind.
    pub maybe_with: Vec<Reference>,
}

/// The [`FreeVariables`] of the expression `node`.
pub fn free_variables(node: &SyntaxNode) -> Result<FreeVariables, TooDeep> {
    let mut result = FreeVariables::default();
    for reference in references(node)? {
        match reference.resolution {
            Resolution::Free => result.free.push(reference),
            Resolution::With(_) => result.maybe_with.push(reference),
            Resolution::Bound(_) | Resolution::Global => {}
        }
    }
    Ok(result)
}

#[derive(Default)]
struct Walker {
    /// Every name in scope, innermost binding last.
    scope: HashMap<String, Vec<TextSize>>,
    /// The `with` keywords enclosing the current node, innermost last.
    withs: Vec<TextSize>,
    found: Vec<Reference>,
    /// When set, only references inside these ranges are wanted, and nodes
    /// outside them are not walked (their scopes are still read).
    within: Option<Vec<TextRange>>,
}

/// A name a scope binds, with the offset that identifies the binding.
type Binding = (String, TextSize);

impl Walker {
    fn push(&mut self, bindings: &[Binding]) {
        for (name, at) in bindings {
            self.scope.entry(name.clone()).or_default().push(*at);
        }
    }

    fn pop(&mut self, bindings: &[Binding]) {
        for (name, _) in bindings {
            if let Some(stack) = self.scope.get_mut(name) {
                stack.pop();
            }
        }
    }

    fn resolve(&self, name: &str) -> Resolution {
        if let Some(at) = self.scope.get(name).and_then(|stack| stack.last()) {
            return Resolution::Bound(*at);
        }
        // Nix's base environment is static: a `with` never shadows it.
        if is_global(name) {
            return Resolution::Global;
        }
        match self.withs.last() {
            Some(with) => Resolution::With(*with),
            None => Resolution::Free,
        }
    }

    /// False for a node no wanted range overlaps: nothing under it is
    /// reported, and the scopes it opens bind nothing inside the ranges.
    fn wanted(&self, node: TextRange) -> bool {
        self.within.as_ref().is_none_or(|ranges| {
            ranges
                .iter()
                .any(|range| node.start() < range.end() && range.start() < node.end())
        })
    }

    fn reference(&mut self, name: String, range: TextRange) {
        if let Some(ranges) = &self.within {
            if !ranges.iter().any(|wanted| wanted.contains_range(range)) {
                return;
            }
        }
        let resolution = self.resolve(&name);
        self.found.push(Reference {
            name,
            range,
            resolution,
        });
    }

    fn expr(&mut self, node: &SyntaxNode, depth: usize) -> Result<(), TooDeep> {
        if depth > MAX_DEPTH {
            return Err(TooDeep {
                offset: node.text_range().start(),
            });
        }
        let depth = depth + 1;
        if !self.wanted(node.text_range()) {
            return Ok(());
        }
        match node.kind() {
            SyntaxKind::NODE_IDENT => {
                self.reference(node.text().to_string(), node.text_range());
                Ok(())
            }
            SyntaxKind::NODE_ATTRPATH => self.attrpath(node, depth),
            SyntaxKind::NODE_LAMBDA => match ast::Lambda::cast(node.clone()) {
                Some(lambda) => self.lambda(&lambda, depth),
                None => Ok(()),
            },
            SyntaxKind::NODE_LET_IN => match ast::LetIn::cast(node.clone()) {
                Some(let_in) => {
                    let bindings = self.recursive_entries(&let_in, depth)?;
                    if let Some(body) = let_in.body() {
                        self.expr(body.syntax(), depth)?;
                    }
                    self.pop(&bindings);
                    Ok(())
                }
                None => Ok(()),
            },
            SyntaxKind::NODE_LEGACY_LET => match ast::LegacyLet::cast(node.clone()) {
                Some(legacy) => {
                    let bindings = self.recursive_entries(&legacy, depth)?;
                    self.pop(&bindings);
                    Ok(())
                }
                None => Ok(()),
            },
            SyntaxKind::NODE_ATTR_SET => match ast::AttrSet::cast(node.clone()) {
                Some(set) if set.rec_token().is_some() => {
                    let bindings = self.recursive_entries(&set, depth)?;
                    self.pop(&bindings);
                    Ok(())
                }
                Some(set) => self.plain_entries(&set, depth),
                None => Ok(()),
            },
            SyntaxKind::NODE_WITH => match ast::With::cast(node.clone()) {
                Some(with) => {
                    if let Some(namespace) = with.namespace() {
                        self.expr(namespace.syntax(), depth)?;
                    }
                    let keyword = with
                        .with_token()
                        .map_or(node.text_range().start(), |token| {
                            token.text_range().start()
                        });
                    self.withs.push(keyword);
                    let result = match with.body() {
                        Some(body) => self.expr(body.syntax(), depth),
                        None => Ok(()),
                    };
                    self.withs.pop();
                    result
                }
                None => Ok(()),
            },
            _ => {
                for child in node.children() {
                    self.expr(&child, depth)?;
                }
                Ok(())
            }
        }
    }

    /// An attribute path names attributes, except inside `${…}` and
    /// interpolated strings, which are expressions.
    fn attrpath(&mut self, node: &SyntaxNode, depth: usize) -> Result<(), TooDeep> {
        for child in node.children() {
            if child.kind() != SyntaxKind::NODE_IDENT {
                self.expr(&child, depth)?;
            }
        }
        Ok(())
    }

    fn lambda(&mut self, lambda: &ast::Lambda, depth: usize) -> Result<(), TooDeep> {
        let mut bindings: Vec<Binding> = Vec::new();
        let mut defaults = Vec::new();
        match lambda.param() {
            Some(ast::Param::IdentParam(param)) => {
                if let Some(ident) = param.ident() {
                    bindings.push(ident_binding(&ident));
                }
            }
            Some(ast::Param::Pattern(pattern)) => {
                for entry in pattern.pat_entries() {
                    if let Some(ident) = entry.ident() {
                        bindings.push(ident_binding(&ident));
                    }
                    if let Some(default) = entry.default() {
                        defaults.push(default);
                    }
                }
                if let Some(ident) = pattern.pat_bind().and_then(|bind| bind.ident()) {
                    bindings.push(ident_binding(&ident));
                }
            }
            None => {}
        }
        self.push(&bindings);
        // Defaults are evaluated in the function's own scope: they see
        // every formal and the `@` name.
        for default in defaults {
            self.expr(default.syntax(), depth)?;
        }
        if let Some(body) = lambda.body() {
            self.expr(body.syntax(), depth)?;
        }
        self.pop(&bindings);
        Ok(())
    }

    /// A `let`, `rec { }` or legacy `let { }`: every binding is in scope in
    /// every value, except that a plain `inherit x;` takes `x` from outside.
    /// Returns the bindings pushed, for the caller to pop after the body.
    fn recursive_entries(
        &mut self,
        container: &impl HasEntry,
        depth: usize,
    ) -> Result<Vec<Binding>, TooDeep> {
        let mut bindings: Vec<Binding> = Vec::new();
        for entry in container.entries() {
            match entry {
                ast::Entry::AttrpathValue(binding) => {
                    let first = binding.attrpath().and_then(|path| path.attrs().next());
                    if let Some((name, at)) = first.as_ref().and_then(static_attr) {
                        if !bindings.iter().any(|(bound, _)| *bound == name) {
                            bindings.push((name, at));
                        }
                    }
                }
                ast::Entry::Inherit(inherit) => {
                    for attr in inherit.attrs() {
                        if let Some((name, at)) = static_attr(&attr) {
                            if !bindings.iter().any(|(bound, _)| *bound == name) {
                                bindings.push((name, at));
                            }
                        }
                    }
                }
            }
        }
        // Plain inherits resolve before the new names are in scope.
        for entry in container.entries() {
            if let ast::Entry::Inherit(inherit) = entry {
                if inherit.from().is_none() {
                    self.inherited_names(&inherit, depth)?;
                }
            }
        }
        self.push(&bindings);
        for entry in container.entries() {
            match entry {
                ast::Entry::AttrpathValue(binding) => self.binding(&binding, depth)?,
                ast::Entry::Inherit(inherit) => {
                    if let Some(from) = inherit.from().and_then(|from| from.expr()) {
                        self.expr(from.syntax(), depth)?;
                    }
                    self.dynamic_inherited_names(&inherit, depth)?;
                }
            }
        }
        Ok(bindings)
    }

    /// A plain attribute set: nothing it defines is in scope inside it.
    fn plain_entries(&mut self, set: &ast::AttrSet, depth: usize) -> Result<(), TooDeep> {
        for entry in set.entries() {
            match entry {
                ast::Entry::AttrpathValue(binding) => self.binding(&binding, depth)?,
                ast::Entry::Inherit(inherit) => match inherit.from().and_then(|from| from.expr()) {
                    Some(from) => {
                        self.expr(from.syntax(), depth)?;
                        self.dynamic_inherited_names(&inherit, depth)?;
                    }
                    None => self.inherited_names(&inherit, depth)?,
                },
            }
        }
        Ok(())
    }

    fn binding(&mut self, binding: &ast::AttrpathValue, depth: usize) -> Result<(), TooDeep> {
        if let Some(path) = binding.attrpath() {
            self.attrpath(path.syntax(), depth)?;
        }
        if let Some(value) = binding.value() {
            self.expr(value.syntax(), depth)?;
        }
        Ok(())
    }

    /// `inherit x;` reads the variable `x`.
    fn inherited_names(&mut self, inherit: &ast::Inherit, depth: usize) -> Result<(), TooDeep> {
        for attr in inherit.attrs() {
            match &attr {
                ast::Attr::Ident(ident) => self.reference(
                    ident.syntax().text().to_string(),
                    ident.syntax().text_range(),
                ),
                _ => match static_attr(&attr) {
                    Some((name, _)) => self.reference(name, attr.syntax().text_range()),
                    None => self.expr(attr.syntax(), depth)?,
                },
            }
        }
        Ok(())
    }

    /// `inherit (e) x;` reads an attribute of `e`, not a variable; only an
    /// interpolation in a quoted name is an expression.
    fn dynamic_inherited_names(
        &mut self,
        inherit: &ast::Inherit,
        depth: usize,
    ) -> Result<(), TooDeep> {
        for attr in inherit.attrs() {
            if !matches!(attr, ast::Attr::Ident(_)) && static_attr(&attr).is_none() {
                self.expr(attr.syntax(), depth)?;
            }
        }
        Ok(())
    }
}

fn ident_binding(ident: &ast::Ident) -> Binding {
    (
        ident.syntax().text().to_string(),
        ident.syntax().text_range().start(),
    )
}

/// The name of an attribute written statically (`x`, `"x"`), with its
/// offset; `None` for `${…}` and interpolated strings.
fn static_attr(attr: &ast::Attr) -> Option<Binding> {
    let name = attr_name(attr)?;
    Some((name, attr.syntax().text_range().start()))
}

#[cfg(test)]
mod tests;
