//! The file's own habits in package definitions, so new packages read like
//! their neighbours: whether `version` comes before `pname`, and whether
//! its dune packages list dependencies in `propagatedBuildInputs` (as
//! nixpkgs' OCaml libraries do) or `buildInputs`.

use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{attr_name, SyntaxNode};
use rowan::ast::AstNode;

use super::argument::builder_call;

/// How the file writes packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Convention {
    /// `version` before `pname` (the file does it; the default is `pname`
    /// first, as nixpkgs writes it).
    pub version_first: bool,
    /// The attribute dune packages list their dependencies in.
    pub dune_inputs: &'static str,
    /// Package lists (`buildInputs`, `packages`, `inputsFrom`…) are mostly
    /// written on one line (`[ a b ]`).
    pub one_line_lists: bool,
}

/// The width a one-line list must fit in, indentation included.
const MAX_WIDTH: usize = 100;

/// Attributes whose values are lists of packages.
fn is_package_list(name: &str) -> bool {
    name.ends_with("Inputs") || matches!(name, "packages" | "inputsFrom" | "contents")
}

/// The position of the entry defining `name` directly in `set` (binding or
/// `inherit`), if any.
fn entry_position(set: &ast::AttrSet, name: &str) -> Option<usize> {
    set.entries().position(|entry| match entry {
        ast::Entry::AttrpathValue(binding) => binding
            .attrpath()
            .and_then(|path| path.attrs().next())
            .and_then(|attr| attr_name(&attr))
            .is_some_and(|first| first == name),
        ast::Entry::Inherit(inherit) => inherit
            .attrs()
            .any(|attr| attr_name(&attr).as_deref() == Some(name)),
    })
}

impl Convention {
    /// Reads the convention off every package-like set of the file.
    pub fn of(root: &SyntaxNode) -> Convention {
        let sets: Vec<ast::AttrSet> = root.descendants().filter_map(ast::AttrSet::cast).collect();
        let version_first = sets
            .iter()
            .find_map(|set| {
                let pname = entry_position(set, "pname")?;
                let version = entry_position(set, "version")?;
                Some(version < pname)
            })
            .unwrap_or(false);
        let (mut propagated, mut plain) = (0, 0);
        for apply in root.descendants().filter_map(ast::Apply::cast) {
            let Some((function, set)) = builder_call(Some(ast::Expr::Apply(apply))) else {
                continue;
            };
            if function != "buildDunePackage" {
                continue;
            }
            if entry_position(&set, "propagatedBuildInputs").is_some() {
                propagated += 1;
            }
            if entry_position(&set, "buildInputs").is_some() {
                plain += 1;
            }
        }
        let (mut one_line, mut multi_line) = (0, 0);
        for binding in root.descendants().filter_map(ast::AttrpathValue::cast) {
            let named = binding
                .attrpath()
                .and_then(|path| path.attrs().last())
                .and_then(|attr| attr_name(&attr))
                .is_some_and(|name| is_package_list(&name));
            let list = binding
                .value()
                .and_then(|value| value.syntax().descendants().find_map(ast::List::cast));
            if let (true, Some(list)) = (named, list) {
                if list.items().next().is_none() {
                    continue;
                }
                if list.syntax().text().contains_char('\n') {
                    multi_line += 1;
                } else {
                    one_line += 1;
                }
            }
        }
        Convention {
            version_first,
            one_line_lists: one_line > multi_line,
            dune_inputs: if propagated > plain {
                "propagatedBuildInputs"
            } else {
                "buildInputs"
            },
        }
    }
}

impl Convention {
    /// `name = [ … ];` as the file writes such lists: on one line when its
    /// lists are and the line fits in 100 columns from `indent`, else one
    /// element per line, tab-indented (re-indented on insertion).
    pub fn list_binding(&self, name: &str, items: &[String], indent: usize) -> String {
        let one_line = format!("{name} = [ {} ];", items.join(" "));
        let multi_line = items.iter().any(|item| item.contains('\n'));
        if self.one_line_lists && !multi_line && indent + one_line.chars().count() <= MAX_WIDTH {
            return one_line;
        }
        let mut snippet = format!("{name} = [\n");
        for item in items {
            snippet.push_str(&format!("\t{item}\n"));
        }
        snippet.push_str("];");
        snippet
    }
}

/// The column where entries of `set` start (the indentation of its first
/// entry, or one unit more than the set's line), plus `levels` units.
pub(super) fn entry_column(text: &str, set: &ast::AttrSet, levels: usize) -> usize {
    use flakeedit_syntax::style::{file_indent_unit, line_indent, starts_line};
    let unit = file_indent_unit(text).chars().count().max(1);
    let base = match set.entries().next() {
        Some(entry) if starts_line(text, usize::from(entry.syntax().text_range().start())) => {
            line_indent(text, usize::from(entry.syntax().text_range().start()))
                .chars()
                .count()
        }
        _ => {
            line_indent(text, usize::from(set.syntax().text_range().start()))
                .chars()
                .count()
                + unit
        }
    };
    base + levels * unit
}

#[cfg(test)]
mod tests {
    use super::*;
    use flakeedit_syntax::SourceFile;

    fn of(text: &str) -> Convention {
        Convention::of(SourceFile::parse(text).syntax())
    }

    #[test]
    fn conventions_are_read_from_the_file() {
        assert_eq!(
            of("{ }"),
            Convention {
                version_first: false,
                dune_inputs: "buildInputs",
                one_line_lists: false,
            }
        );
        let libraries = "{
          a = buildDunePackage { inherit version; pname = \"a\"; propagatedBuildInputs = [ x ]; };
          b = ocamlPackages.buildDunePackage { version = \"1\"; pname = \"b\"; propagatedBuildInputs = [ x ]; };
          c = buildDunePackage { version = \"1\"; pname = \"c\"; buildInputs = [ ]; };
        }";
        assert_eq!(
            of(libraries),
            Convention {
                version_first: true,
                dune_inputs: "propagatedBuildInputs",
                one_line_lists: true,
            }
        );
        assert!(!of("{ a = mkDerivation { pname = \"a\"; version = \"1\"; }; }").version_first);
    }
}
