//! Dev shells written `base.overrideAttrs (old: { … })`, where `base` is a
//! nixpkgs shell call flakeedit reads (see [`super::shell_call`]), inline or
//! bound by a `let` or a `rec` set.
//!
//! nixpkgs' `mkShell` is a `stdenv.mkDerivation` that puts its `packages`
//! in `nativeBuildInputs`, so an override's `nativeBuildInputs` is the
//! shell's packages: a new package appended there is in the shell, and
//! nothing else changes, not even another shell made from the same `base`.
//! `inputsFrom` is read by `mkShell` before any override, so it cannot be
//! extended this way. A shell written as another expression that is surely
//! such a shell (`mkDevShell pkgs.haskellPackages` with a `let`-bound
//! `mkDevShell = hpkgs: mkShell { … };`) is wrapped in such an override.
//! Any other function given to `overrideAttrs`, or a `base` flakeedit
//! cannot tell is such a shell (`callPackage ./shell.nix`, a package), is
//! refused.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::style::{file_indent_unit, line_indent, reindent, LineEnding};
use flakeedit_syntax::{
    attr_name, scope_at, strip_parens, BinderKind, ChangeSet, SyntaxNode, TextEdit,
};
use rowan::ast::AstNode;

use super::argument::{has_item, list_value, missing_items};
use super::context::{binding_value, Context};
use super::layout::OutputPlace;
use super::list::{add_last_entry, append_to_list, binding_at};
use super::shell_call::{shell_call, Builder, ShellCall};
use crate::error::{ErrorKind, FlakeError};

/// A dev shell `base.overrideAttrs (old: { … })` over a nixpkgs shell.
pub(super) struct ShellOverride {
    /// The set the override function returns.
    set: ast::AttrSet,
    /// The override function's parameter (`old`).
    old: String,
    /// The shell call `base` is.
    base: ShellCall,
}

/// Reads `base.overrideAttrs (old: { … })` when `base` is a nixpkgs shell.
pub(super) fn shell_override(root: &SyntaxNode, expr: Option<ast::Expr>) -> Option<ShellOverride> {
    let ast::Expr::Apply(apply) = strip_parens(expr?) else {
        return None;
    };
    let ast::Expr::Select(select) = strip_parens(apply.lambda()?) else {
        return None;
    };
    if select.default_expr().is_some() {
        return None;
    }
    let path: Vec<String> = select
        .attrpath()?
        .attrs()
        .map(|attr| attr_name(&attr))
        .collect::<Option<_>>()?;
    if path != ["overrideAttrs"] {
        return None;
    }
    let ast::Expr::Lambda(function) = strip_parens(apply.argument()?) else {
        return None;
    };
    let ast::Param::IdentParam(param) = function.param()? else {
        return None;
    };
    let old = param.ident()?.syntax().text().to_string();
    let ast::Expr::AttrSet(set) = strip_parens(function.body()?) else {
        return None;
    };
    let base = nixpkgs_shell(root, select.expr()?, 0)?;
    Some(ShellOverride { set, old, base })
}

/// The nixpkgs shell call `expr` evaluates to, when the file shows it: the
/// call itself, a name a `let` or `rec` set binds to one, a `let`-bound
/// function given all its parameters whose body is one
/// (`mkDevShell pkgs.haskellPackages`), or an `overrideAttrs` of one.
fn nixpkgs_shell(root: &SyntaxNode, expr: ast::Expr, depth: usize) -> Option<ShellCall> {
    if depth > 8 {
        return None;
    }
    let expr = strip_parens(expr);
    if let Some(call) = shell_call(root, Some(expr.clone())) {
        return (call.builder == Builder::Nixpkgs).then_some(call);
    }
    if let Some(shell) = shell_override(root, Some(expr.clone())) {
        return Some(shell.base);
    }
    let mut arguments = 0;
    let mut head = expr;
    while let ast::Expr::Apply(apply) = head {
        arguments += 1;
        head = strip_parens(apply.lambda()?);
    }
    let ast::Expr::Ident(ident) = head else {
        return None;
    };
    let name = ident.ident_token()?.text().to_string();
    let scope = scope_at(root, ident.syntax().text_range().start());
    let binder = scope.names.get(&name)?;
    if !matches!(binder.kind, BinderKind::Let | BinderKind::RecAttribute) {
        return None;
    }
    let mut value = binding_value(root, binder.range)?;
    // Every parameter must be given (and be a plain one), so that the
    // body is the value.
    for _ in 0..arguments {
        let ast::Expr::Lambda(lambda) = strip_parens(value) else {
            return None;
        };
        if !matches!(lambda.param()?, ast::Param::IdentParam(_)) {
            return None;
        }
        value = lambda.body()?;
    }
    nixpkgs_shell(root, value, depth + 1)
}

/// `default = mkDevShell pkgs.haskellPackages;`, or any other expression
/// [`nixpkgs_shell`] reads that is not a call extended in place: the shell
/// becomes `(EXPR).overrideAttrs (old: { nativeBuildInputs = …; })`, so the
/// function or binding it comes from, which other shells may use, is
/// unchanged. `Ok(false)` when the value is no such expression.
pub(super) fn wrap_in_override(
    context: &Context<'_>,
    place: &OutputPlace,
    existing: &ast::AttrpathValue,
    attr: &str,
    packages: &[String],
    inputs_from: &[String],
    changes: &mut ChangeSet,
) -> Result<bool, FlakeError> {
    let root = context.file.syntax();
    let Some(value) = existing.value() else {
        return Ok(false);
    };
    let Some(base) = nixpkgs_shell(root, value.clone(), 0) else {
        return Ok(false);
    };
    if !inputs_from.is_empty() {
        return Err(inputs_from_refused(attr, value.syntax().text_range()));
    }
    let missing: Vec<String> = packages
        .iter()
        .filter(|item| {
            !["packages", "buildInputs", "nativeBuildInputs"]
                .iter()
                .filter_map(|name| list_value(&base.set, name))
                .any(|list| has_item(root, &list, item))
        })
        .cloned()
        .collect();
    if missing.is_empty() {
        changes.warn(
            flakeedit_syntax::WarningCode::NothingToDo,
            format!("dev shell `{attr}` already has these packages; nothing to do"),
        );
        return Ok(true);
    }
    let at = value.syntax().text_range().start();
    super::shell::check_same_meaning(context, place, at, &missing, attr)?;
    // The override's argument is named `old`: a package reading a
    // variable of that name would read it instead.
    let reads_old = missing.iter().any(|item| {
        item.split(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '\'')))
            .any(|word| word == "old")
    });
    if reads_old {
        return Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!(
                "a package given for dev shell `{attr}` reads `old`, the name of the argument of \
                 the override flakeedit would write"
            ),
        )
        .at(value.syntax().text_range())
        .hint("add the packages by hand"));
    }
    let text = value.syntax().text().to_string();
    let operand = match &value {
        ast::Expr::Ident(_) | ast::Expr::Select(_) | ast::Expr::Paren(_) => text,
        _ => format!("({text})"),
    };
    let snippet = format!(
        "{operand}.overrideAttrs (old: {{\n\tnativeBuildInputs = (old.nativeBuildInputs or [ ]) ++ [ {} ];\n}})",
        missing.join(" ")
    );
    let file_text = context.file.text();
    let start = usize::from(existing.syntax().text_range().start());
    let written = reindent(
        &snippet,
        line_indent(file_text, start),
        &file_indent_unit(file_text),
        LineEnding::detect(file_text),
    );
    changes.add(TextEdit::replace(value.syntax().text_range(), written))?;
    Ok(true)
}

fn inputs_from_refused(attr: &str, range: flakeedit_syntax::TextRange) -> FlakeError {
    FlakeError::new(
        ErrorKind::Unsupported,
        format!(
            "dev shell `{attr}` is an `overrideAttrs` of a `mkShell`, which reads `inputsFrom` \
             before the override; a new `inputsFrom` entry there would not be used"
        ),
    )
    .at(range)
    .hint("pass the packages themselves with --package, or add them to the base shell by hand")
}

/// Adds `packages` to the override's `nativeBuildInputs`.
pub(super) fn extend_override(
    context: &Context<'_>,
    place: &OutputPlace,
    shell: &ShellOverride,
    attr: &str,
    packages: &[String],
    inputs_from: &[String],
    changes: &mut ChangeSet,
) -> Result<bool, FlakeError> {
    let root = context.file.syntax();
    if !inputs_from.is_empty() {
        return Err(inputs_from_refused(attr, shell.set.syntax().text_range()));
    }
    let set = &shell.set;
    let list = list_value(set, "nativeBuildInputs");
    let in_shell = |item: &String| {
        let base_lists = ["packages", "buildInputs", "nativeBuildInputs"]
            .iter()
            .filter_map(|name| list_value(&shell.base.set, name));
        list.iter()
            .cloned()
            .chain(base_lists)
            .any(|other| has_item(root, &other, item))
    };
    let candidates: Vec<String> = packages
        .iter()
        .filter(|item| !in_shell(item))
        .cloned()
        .collect();
    let missing = match &list {
        Some(list) => missing_items(root, list, &candidates),
        None => candidates,
    };
    if missing.is_empty() {
        return Ok(false);
    }
    let at = list
        .as_ref()
        .map_or(set.syntax().text_range().start(), |list| {
            list.syntax().text_range().start()
        });
    super::shell::check_same_meaning(context, place, at, &missing, attr)?;
    match (list, binding_at(set, &["nativeBuildInputs"])) {
        (Some(list), _) => {
            if let Some(edit) = append_to_list(context.file, &list, &missing) {
                changes.add(edit)?;
            }
        }
        (None, Some(binding)) => {
            changes.add(super::shell::append_to_expression(&binding, &missing)?)?
        }
        (None, None) => {
            // The new binding reads `old`: a `rec` set could rebind it.
            if set.rec_token().is_some() {
                return Err(FlakeError::new(
                    ErrorKind::Unsupported,
                    format!(
                        "dev shell `{attr}` overrides with a `rec {{ … }}` set; a new \
                         `nativeBuildInputs` there could read its attributes instead of `{}`",
                        shell.old
                    ),
                )
                .at(set.syntax().text_range())
                .hint("add the packages by hand"));
            }
            let entry = format!(
                "nativeBuildInputs = ({}.nativeBuildInputs or [ ]) ++ [ {} ];",
                shell.old,
                missing.join(" ")
            );
            changes.add(add_last_entry(context.file, set, &entry)?)?;
        }
    }
    Ok(true)
}
