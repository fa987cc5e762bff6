//! What an existing dev shell is built with, read from its expression:
//! which builder, which argument set holds its packages, and what stands
//! between the shell's binding and that set.
//!
//! Only builders whose meaning of `packages` is known are read:
//!
//! - nixpkgs' `mkShell` and `mkShellNoCC`, also as
//!   `mkShell.override { … } { … }`, and crane's `craneLib.devShell`, which
//!   passes its arguments on to `mkShell`. `packages`, `buildInputs` and
//!   `nativeBuildInputs` all put a package in the shell; `inputsFrom` takes
//!   the build inputs of packages.
//! - numtide devshell's `mkShell` (`pkgs.devshell.mkShell`,
//!   `devshell.legacyPackages.${system}.mkShell`, or a `mkShell` bound from
//!   one): its argument is a module whose `packages` option (a list; the
//!   module system concatenates its definitions) is the shell's packages
//!   and `packagesFrom` its `inputsFrom`; `buildInputs` is not an option.
//!
//! The call may be written under `with …;` and `let … in`, and its argument
//! may be `base // { … }`: then only the right-hand set is visible, so a
//! binding it lacks may still come from `base`. `{ … } // extra` is read
//! when the file shows that `extra` defines no package list.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{attr_name, scope_at, strip_parens, SyntaxNode};
use rowan::ast::AstNode;

/// The kind of builder that makes a dev shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Builder {
    /// nixpkgs' `mkShell` (and what passes its arguments on to it).
    Nixpkgs,
    /// numtide devshell's `mkShell`, a module.
    Devshell,
}

/// A dev shell's builder call, as read from its expression.
#[derive(Debug, Clone)]
pub(super) struct ShellCall {
    /// The builder.
    pub builder: Builder,
    /// The argument set written in the file.
    pub set: ast::AttrSet,
    /// The set is the right side of `base // { … }`: a binding it does not
    /// have may be in `base`, so none may be added.
    pub merged: bool,
}

/// Nixpkgs' shell functions, and crane's `devShell`, which calls `mkShell`.
const NIXPKGS_SHELLS: &[&str] = &["mkShell", "mkShellNoCC", "devShell"];

/// Reads the builder call of a dev shell's value, when it is one whose
/// meaning flakeedit knows.
pub(super) fn shell_call(root: &SyntaxNode, expr: Option<ast::Expr>) -> Option<ShellCall> {
    let mut expr = strip_parens(expr?);
    loop {
        expr = match expr {
            ast::Expr::With(with) => strip_parens(with.body()?),
            ast::Expr::LetIn(let_in) => strip_parens(let_in.body()?),
            _ => break,
        };
    }
    let ast::Expr::Apply(apply) = expr else {
        return None;
    };
    let (set, merged) = argument_set(apply.argument()?)?;
    let builder = match strip_parens(apply.lambda()?) {
        // `mkShell.override { stdenv = …; } { … }`
        ast::Expr::Apply(inner) => {
            let names = function_names(root, &strip_parens(inner.lambda()?))?;
            match names.as_slice() {
                [.., shell, last] if last == "override" && is_nixpkgs_shell(shell) => {
                    Builder::Nixpkgs
                }
                _ => return None,
            }
        }
        function => {
            let names = function_names(root, &function)?;
            let last = names.last()?;
            // Another flake's library (`devenv.lib.mkShell { modules = …; }`)
            // takes other arguments than nixpkgs' function of that name.
            if names.iter().any(|name| name == "lib" || name == "devenv") {
                return None;
            }
            if names.iter().any(|name| name == "devshell") && last == "mkShell" {
                Builder::Devshell
            } else if NIXPKGS_SHELLS.contains(&last.as_str()) {
                Builder::Nixpkgs
            } else {
                return None;
            }
        }
    };
    Some(ShellCall {
        builder,
        set,
        merged,
    })
}

fn is_nixpkgs_shell(name: &str) -> bool {
    matches!(name, "mkShell" | "mkShellNoCC")
}

/// The attributes through which a nixpkgs shell gets its packages.
const SHELL_LISTS: &[&str] = &[
    "packages",
    "buildInputs",
    "nativeBuildInputs",
    "inputsFrom",
    "packagesFrom",
];

/// `{ … }` or `base // { … }` (the set that wins is the right one), or
/// `{ … } // extra` where the file shows every name `extra` may define and
/// none of them is a list of packages (so what is added on the left is
/// not replaced).
fn argument_set(expr: ast::Expr) -> Option<(ast::AttrSet, bool)> {
    match strip_parens(expr) {
        ast::Expr::AttrSet(set) => Some((set, false)),
        ast::Expr::BinOp(binop)
            if binop.operator() == Some(ast::BinOpKind::Update)
                && binop
                    .lhs()
                    .is_some_and(|lhs| matches!(strip_parens(lhs), ast::Expr::AttrSet(_)))
                && binop.rhs().is_some_and(|rhs| {
                    !matches!(strip_parens(rhs.clone()), ast::Expr::AttrSet(_))
                        && super::layout::known_names(&rhs).is_some_and(|names| {
                            names
                                .iter()
                                .all(|name| !SHELL_LISTS.contains(&name.as_str()))
                        })
                }) =>
        {
            match strip_parens(binop.lhs()?) {
                ast::Expr::AttrSet(set) => Some((set, false)),
                _ => None,
            }
        }
        ast::Expr::BinOp(binop)
            if binop.operator() == Some(ast::BinOpKind::Update)
                && binop
                    .rhs()
                    .is_some_and(|rhs| matches!(strip_parens(rhs), ast::Expr::AttrSet(_))) =>
        {
            match strip_parens(binop.rhs()?) {
                ast::Expr::AttrSet(set) => Some((set, true)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The names a function expression is made of: `pkgs.devshell.mkShell` →
/// `pkgs`, `devshell`, `mkShell` (a dynamic `${system}` counts as an empty
/// name). A bare name bound from numtide devshell in the file
/// (`inherit (pkgs.devshell) mkShell;`) reads as `devshell`, `mkShell`.
fn function_names(root: &SyntaxNode, function: &ast::Expr) -> Option<Vec<String>> {
    match function {
        ast::Expr::Ident(ident) => {
            let name = ident.ident_token()?.text().to_string();
            let scope = scope_at(root, ident.syntax().text_range().start());
            let from_devshell = scope.names.get(&name).is_some_and(|binder| {
                let bound = match root.covering_element(binder.range) {
                    rowan::NodeOrToken::Node(node) => node.text().to_string(),
                    rowan::NodeOrToken::Token(token) => token.text().to_string(),
                };
                bound.contains("devshell")
            });
            Some(if from_devshell {
                vec!["devshell".to_string(), name]
            } else {
                vec![name]
            })
        }
        ast::Expr::Select(select) => {
            if select.default_expr().is_some() {
                return None;
            }
            let mut names = match strip_parens(select.expr()?) {
                ast::Expr::Ident(ident) => vec![ident.ident_token()?.text().to_string()],
                ast::Expr::Select(inner) => function_names(root, &ast::Expr::Select(inner))?,
                _ => vec![String::new()],
            };
            names.extend(
                select
                    .attrpath()?
                    .attrs()
                    .map(|attr| attr_name(&attr).unwrap_or_default()),
            );
            Some(names)
        }
        _ => None,
    }
}
