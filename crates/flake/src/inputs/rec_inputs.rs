//! Input declarations in a `rec` set (`inputs = rec { … };`) can read
//! each other by name (`other.url = nixpkgs.url;`). Removing one of them
//! leaves that name unbound, and Nix then rejects the whole file, so
//! remove-input refuses, even with `--force`, and points at the read.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{scope_at, BinderKind};
use rowan::ast::AstNode;

use crate::error::{ErrorKind, FlakeError};
use crate::model::{Flake, InputDecl};

/// Refuses removing `name` when a `rec` set holding its declaration
/// refers to it by name.
pub(super) fn refuse_when_read(
    flake: &Flake,
    input: &InputDecl,
    name: &str,
) -> Result<(), FlakeError> {
    let declared = input.range();
    let Some(root) = flake.root.syntax().ancestors().last() else {
        return Ok(());
    };
    let rec_sets = flake
        .root
        .syntax()
        .descendants()
        .filter_map(ast::AttrSet::cast)
        .filter(|set| set.rec_token().is_some())
        .filter(|set| set.syntax().text_range().contains_range(declared));
    for set in rec_sets {
        let set_range = set.syntax().text_range();
        for ident in set.syntax().descendants().filter_map(ast::Ident::cast) {
            let Some(token) = ident.ident_token() else {
                continue;
            };
            // A name in an attribute path or an `inherit` list is not a read
            // of the binding (`inherit x;` in a `rec` set reads the scope
            // around it).
            let is_name = ident.syntax().parent().is_some_and(|parent| {
                ast::Attrpath::can_cast(parent.kind()) || ast::Inherit::can_cast(parent.kind())
            });
            if token.text() != name || is_name {
                continue;
            }
            let scope = scope_at(&root, token.text_range().start());
            let reads_declaration = scope.names.get(name).is_some_and(|binder| {
                binder.kind == BinderKind::RecAttribute && set_range.contains_range(binder.range)
            });
            if reads_declaration {
                return Err(FlakeError::new(
                    ErrorKind::Conflict,
                    format!(
                        "`{name}` is read by name in the `rec` set of input declarations; removing input `{name}` would leave it undefined"
                    ),
                )
                .at(token.text_range())
                .hint(format!(
                    "write that value without `{name}` (or drop `rec`), then remove the input"
                )));
            }
        }
    }
    Ok(())
}
