//! Names in scope at an offset: what an inserted expression can refer to.

use std::collections::BTreeMap;

use rnix::ast::{self, HasEntry};
use rnix::{SyntaxNode, TextRange, TextSize};
use rowan::ast::AstNode;

use crate::attrpath::{attr_name, attrpath_names};

/// What introduced a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinderKind {
    /// `let name = …; in`
    Let,
    /// `inherit name;` or `inherit (x) name;` in a `let` or `rec` set.
    Inherit,
    /// A formal of a pattern: `{ name, ... }:`.
    Formal,
    /// The `@` name of a pattern: `name@{ ... }:`.
    PatternAlias,
    /// A plain lambda parameter: `name: …`.
    Parameter,
    /// An attribute of a `rec { … }` set.
    RecAttribute,
}

/// A name visible at an offset and where it was bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binder {
    /// How it was bound.
    pub kind: BinderKind,
    /// The range of the binding construct (the entry, formal or parameter).
    pub range: TextRange,
}

/// The lexical scope at an offset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Every statically known name, innermost binding first.
    pub names: BTreeMap<String, Binder>,
    /// True when a `with` encloses the offset: any other name might be in
    /// scope too, dynamically. flakeedit never relies on such names.
    pub has_with: bool,
}

impl Scope {
    /// True when `name` is statically in scope.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains_key(name)
    }
}

fn contains(node: &SyntaxNode, offset: TextSize) -> bool {
    let range = node.text_range();
    range.start() <= offset && offset <= range.end()
}

/// The names in scope at `offset` in the tree rooted at `root`: let
/// bindings, lambda formals and parameters, `@` names, `inherit`s and the
/// attributes of enclosing `rec` sets. Inner bindings shadow outer ones.
pub fn scope_at(root: &SyntaxNode, offset: TextSize) -> Scope {
    let mut scope = Scope::default();
    let element = root.covering_element(TextRange::empty(offset.min(root.text_range().end())));
    let start = match element {
        rnix::NodeOrToken::Node(node) => Some(node),
        rnix::NodeOrToken::Token(token) => token.parent(),
    };
    let mut add = |name: String, kind: BinderKind, range: TextRange| {
        scope.names.entry(name).or_insert(Binder { kind, range });
    };
    let mut has_with = false;
    for node in start.into_iter().flat_map(|node| node.ancestors()) {
        if let Some(let_in) = ast::LetIn::cast(node.clone()) {
            bindings_of(&let_in, BinderKind::Let, &mut add);
        } else if let Some(set) = ast::AttrSet::cast(node.clone()) {
            if set.rec_token().is_some() {
                bindings_of(&set, BinderKind::RecAttribute, &mut add);
            }
        } else if let Some(lambda) = ast::Lambda::cast(node.clone()) {
            // Only the body and the defaults see the parameters.
            let in_param = lambda
                .param()
                .is_some_and(|param| contains(param.syntax(), offset))
                && !lambda
                    .body()
                    .is_some_and(|body| contains(body.syntax(), offset));
            match lambda.param() {
                Some(ast::Param::IdentParam(param)) if !in_param => {
                    if let Some(name) = param.ident().and_then(|i| i.ident_token()) {
                        add(
                            name.text().to_string(),
                            BinderKind::Parameter,
                            param.syntax().text_range(),
                        );
                    }
                }
                Some(ast::Param::Pattern(pattern)) => {
                    for entry in pattern.pat_entries() {
                        if let Some(name) = entry.ident().and_then(|i| i.ident_token()) {
                            add(
                                name.text().to_string(),
                                BinderKind::Formal,
                                entry.syntax().text_range(),
                            );
                        }
                    }
                    if let Some(bind) = pattern.pat_bind() {
                        if let Some(name) = bind.ident().and_then(|i| i.ident_token()) {
                            add(
                                name.text().to_string(),
                                BinderKind::PatternAlias,
                                bind.syntax().text_range(),
                            );
                        }
                    }
                }
                _ => {}
            }
        } else if let Some(with) = ast::With::cast(node.clone()) {
            if with
                .body()
                .is_some_and(|body| contains(body.syntax(), offset))
            {
                has_with = true;
            }
        }
    }
    scope.has_with = has_with;
    scope
}

fn bindings_of(
    container: &impl HasEntry,
    kind: BinderKind,
    add: &mut impl FnMut(String, BinderKind, TextRange),
) {
    for entry in container.entries() {
        match entry {
            ast::Entry::AttrpathValue(binding) => {
                if let Some(first) = binding
                    .attrpath()
                    .as_ref()
                    .and_then(attrpath_names)
                    .and_then(|names| names.into_iter().next())
                {
                    add(first, kind, binding.syntax().text_range());
                }
            }
            ast::Entry::Inherit(inherit) => {
                for attr in inherit.attrs() {
                    if let Some(name) = attr_name(&attr) {
                        add(name, BinderKind::Inherit, inherit.syntax().text_range());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceFile;

    fn names_at_marker(text: &str) -> (Vec<(String, BinderKind)>, bool) {
        let offset = text.find("$0").expect("a $0 marker");
        let clean = text.replacen("$0", "", 1);
        let file = SourceFile::parse(clean);
        let scope = scope_at(file.syntax(), TextSize::from(offset as u32));
        let names = scope
            .names
            .into_iter()
            .map(|(name, binder)| (name, binder.kind))
            .collect();
        (names, scope.has_with)
    }

    #[test]
    fn seed_per_system_scope() {
        let text = r#"{
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      perSystem = { self', pkgs, ... }:
        let
          inherit (pkgs) ocamlPackages mkShell;
          version = "0.0.1";
        in
        { packages = { default = $0null; }; };
    };
}"#;
        let (names, has_with) = names_at_marker(text);
        use BinderKind::*;
        assert_eq!(
            names,
            vec![
                ("flake-parts".to_string(), Formal),
                ("inputs".to_string(), PatternAlias),
                ("mkShell".to_string(), Inherit),
                ("ocamlPackages".to_string(), Inherit),
                ("pkgs".to_string(), Formal),
                ("self'".to_string(), Formal),
                ("version".to_string(), Let),
            ]
        );
        assert!(!has_with);
    }

    #[test]
    fn with_is_reported_and_rec_sets_count() {
        let (names, has_with) = names_at_marker("system: with pkgs; rec { a = 1; b = $0a; }");
        assert_eq!(
            names,
            vec![
                ("a".to_string(), BinderKind::RecAttribute),
                ("b".to_string(), BinderKind::RecAttribute),
                ("system".to_string(), BinderKind::Parameter),
            ]
        );
        assert!(has_with);
    }

    #[test]
    fn names_do_not_leak_out_of_their_scope() {
        let (names, _) = names_at_marker("{ a = let x = 1; in x; b = $0null; }");
        assert!(names.is_empty(), "{names:?}");
    }
}
