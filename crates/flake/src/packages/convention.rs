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
        Convention {
            version_first,
            dune_inputs: if propagated > plain {
                "propagatedBuildInputs"
            } else {
                "buildInputs"
            },
        }
    }
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
                dune_inputs: "buildInputs"
            }
        );
        let libraries = "{
          a = buildDunePackage { inherit version; pname = \"a\"; propagatedBuildInputs = [ ]; };
          b = ocamlPackages.buildDunePackage { version = \"1\"; pname = \"b\"; propagatedBuildInputs = [ ]; };
          c = buildDunePackage { version = \"1\"; pname = \"c\"; buildInputs = [ ]; };
        }";
        assert_eq!(
            of(libraries),
            Convention {
                version_first: true,
                dune_inputs: "propagatedBuildInputs"
            }
        );
        assert!(!of("{ a = mkDerivation { pname = \"a\"; version = \"1\"; }; }").version_first);
    }
}
