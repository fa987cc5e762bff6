//! The attribute names an expression can evaluate to, read from the file:
//! a set literal's names, `mapAttrs f x` / `filterAttrs f x` /
//! `removeAttrs x […]` (at most the names of `x`), `genAttrs [ "a" ] f`,
//! `lib.optionalAttrs cond x`, `a // b`, `if … then a else b`, a `let`-bound
//! name and a `let`-bound function applied to all its arguments.
//!
//! The result is an upper bound: a name not in it is never defined by the
//! expression, so a new attribute of that name merged next to it can be
//! neither overridden nor overriding. An `import ./file args` has the names
//! of that file's body when the operation reads the flake's directory (see
//! [`crate::imports`]). Anything else (a fold, a name computed at
//! evaluation) has no known names.

use flakeedit_syntax::rnix::ast::{self, BinOpKind, HasEntry};
use flakeedit_syntax::{attr_name, static_string, strip_parens};
use rowan::ast::AstNode;

use super::helper::{definition, ident_text, Definition, MAX_DEPTH};

/// An upper bound of the names `expr` defines, when the file tells it.
pub(crate) fn known_names(expr: &ast::Expr) -> Option<Vec<String>> {
    names(expr, 0, Bound::Upper)
}

/// A lower bound of the names `expr` defines: names it defines whatever
/// its conditions (an `optionalAttrs`, one branch of an `if`, a
/// `filterAttrs` define none for sure). Empty when the file does not tell.
pub(crate) fn certain_names(expr: &ast::Expr) -> Vec<String> {
    names(expr, 0, Bound::Lower).unwrap_or_default()
}

/// Which bound of the defined names is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// Every name the expression may define.
    Upper,
    /// Only the names it always defines.
    Lower,
}

fn names(expr: &ast::Expr, depth: usize, bound: Bound) -> Option<Vec<String>> {
    if depth > MAX_DEPTH * 2 {
        return None;
    }
    match strip_parens(expr.clone()) {
        ast::Expr::AttrSet(set) => set_names(&set),
        ast::Expr::LetIn(let_in) => names(&let_in.body()?, depth + 1, bound),
        ast::Expr::BinOp(binop) if binop.operator() == Some(BinOpKind::Update) => {
            let lhs = names(&binop.lhs()?, depth + 1, bound);
            let rhs = names(&binop.rhs()?, depth + 1, bound);
            match bound {
                Bound::Upper => {
                    let mut all = lhs?;
                    all.extend(rhs?);
                    Some(all)
                }
                // What one side surely defines, the merge defines.
                Bound::Lower => Some(lhs.into_iter().chain(rhs).flatten().collect()),
            }
        }
        ast::Expr::IfElse(branch) => {
            let mut then = names(&branch.body()?, depth + 1, bound)?;
            let otherwise = names(&branch.else_body()?, depth + 1, bound)?;
            match bound {
                Bound::Upper => then.extend(otherwise),
                Bound::Lower => then.retain(|name| otherwise.contains(name)),
            }
            Some(then)
        }
        ast::Expr::Ident(ident) => match definition(ident.syntax(), &ident_text(&ident)?)? {
            Definition::Let(value) => names(&value, depth + 1, bound),
            _ => None,
        },
        ast::Expr::Apply(apply) => applied(&apply, depth, bound),
        _ => None,
    }
}

/// The names of a set literal; `None` when one is computed (`${x} = …`).
fn set_names(set: &ast::AttrSet) -> Option<Vec<String>> {
    let mut all = Vec::new();
    for binding in set.attrpath_values() {
        let first = binding.attrpath()?.attrs().next()?;
        all.push(attr_name(&first)?);
    }
    for inherit in set.inherits() {
        for attr in inherit.attrs() {
            all.push(attr_name(&attr)?);
        }
    }
    Some(all)
}

/// `f a b …` as `f` and `[a, b, …]`, through parentheses around inner calls.
fn spine(apply: &ast::Apply) -> Option<(ast::Expr, Vec<ast::Expr>)> {
    let mut arguments = vec![apply.argument()?];
    let mut head = apply.lambda()?;
    while let ast::Expr::Apply(inner) = strip_parens(head.clone()) {
        arguments.push(inner.argument()?);
        head = inner.lambda()?;
    }
    arguments.reverse();
    Some((head, arguments))
}

/// `f a b …`: the library functions above, or a `let`-bound function
/// given all its parameters.
fn applied(apply: &ast::Apply, depth: usize, bound: Bound) -> Option<Vec<String>> {
    let (head, arguments) = spine(apply)?;
    if let Some(function) = library_function(&head) {
        return match (function.as_str(), arguments.as_slice(), bound) {
            ("mapAttrs", [_, set], _) => names(set, depth + 1, bound),
            ("filterAttrs" | "optionalAttrs", [_, set], Bound::Upper) => {
                names(set, depth + 1, bound)
            }
            ("removeAttrs", [set, _], Bound::Upper) => names(set, depth + 1, bound),
            ("removeAttrs", [set, removed], Bound::Lower) => {
                let removed = string_list(removed)?;
                let mut kept = names(set, depth + 1, bound)?;
                kept.retain(|name| !removed.contains(name));
                Some(kept)
            }
            ("genAttrs", [list, _], _) => string_list(list),
            _ => None,
        };
    }
    let ast::Expr::Ident(ident) = strip_parens(head) else {
        return None;
    };
    if ident_text(&ident).as_deref() == Some("import")
        && matches!(definition(ident.syntax(), "import")?, Definition::Unbound)
    {
        // `import ./pkgs args`: the names of the file's body, read from the
        // file beside the flake when the operation can (see `imports`).
        let (path, arguments) = arguments.split_first()?;
        let ast::Expr::PathRel(path) = strip_parens(path.clone()) else {
            return None;
        };
        return crate::imports::with_body(
            &path.syntax().text().to_string(),
            arguments.len(),
            |body| names(body, depth + 1, bound),
        );
    }
    let Definition::Let(mut function) = definition(ident.syntax(), &ident_text(&ident)?)? else {
        return None;
    };
    // A parameter the body's names depend on is not bound where the body
    // is read, so such a body has no known names.
    for _ in &arguments {
        let ast::Expr::Lambda(lambda) = strip_parens(function) else {
            return None;
        };
        function = lambda.body()?;
    }
    if matches!(strip_parens(function.clone()), ast::Expr::Lambda(_)) {
        return None;
    }
    names(&function, depth + 1, bound)
}

/// `builtins.NAME`, `lib.NAME`, `nixpkgs.lib.NAME` or the unshadowed
/// builtin `__NAME`: the library function `NAME`.
fn library_function(expr: &ast::Expr) -> Option<String> {
    match strip_parens(expr.clone()) {
        ast::Expr::Select(select) => {
            if select.default_expr().is_some() {
                return None;
            }
            let ast::Expr::Ident(base) = strip_parens(select.expr()?) else {
                return None;
            };
            let mut path = vec![ident_text(&base)?];
            for attr in select.attrpath()?.attrs() {
                path.push(attr_name(&attr)?);
            }
            match path.as_slice() {
                [base, name] if base == "builtins" || base == "lib" => Some(name.clone()),
                [_, .., lib, name] if lib == "lib" => Some(name.clone()),
                _ => None,
            }
        }
        ast::Expr::Ident(ident) => {
            let name = ident_text(&ident)?;
            let builtin = name.strip_prefix("__")?.to_string();
            matches!(definition(ident.syntax(), &name)?, Definition::Unbound).then_some(builtin)
        }
        _ => None,
    }
}

/// A list literal of string literals.
fn string_list(expr: &ast::Expr) -> Option<Vec<String>> {
    let ast::Expr::List(list) = strip_parens(expr.clone()) else {
        return None;
    };
    list.items()
        .map(|item| match strip_parens(item) {
            ast::Expr::Str(string) => static_string(&string),
            _ => None,
        })
        .collect()
}

/// The file an expression's value comes from: the path of the first
/// `import PATH …` it is built from, through `let`-bound names, selections,
/// functions' bodies and the arguments of calls (`removeAttrs (import ./.
/// { … }).packages [ … ]`, `concatMapAttrs f (import ./pkgs pkgs)`).
pub(crate) fn imported_file(expr: &ast::Expr) -> Option<String> {
    imported(expr, 0)
}

fn imported(expr: &ast::Expr, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH * 2 {
        return None;
    }
    match strip_parens(expr.clone()) {
        ast::Expr::Apply(apply) => {
            let (head, arguments) = spine(&apply)?;
            if let ast::Expr::Ident(ident) = strip_parens(head.clone()) {
                let name = ident_text(&ident)?;
                if name == "import"
                    && matches!(definition(ident.syntax(), &name)?, Definition::Unbound)
                {
                    return match strip_parens(arguments.first()?.clone()) {
                        ast::Expr::PathRel(path) => Some(path.syntax().text().to_string()),
                        ast::Expr::PathAbs(path) => Some(path.syntax().text().to_string()),
                        _ => None,
                    };
                }
            }
            std::iter::once(head)
                .chain(arguments)
                .find_map(|part| imported(&part, depth + 1))
        }
        ast::Expr::Ident(ident) => match definition(ident.syntax(), &ident_text(&ident)?)? {
            Definition::Let(value) => imported(&value, depth + 1),
            _ => None,
        },
        ast::Expr::Select(select) => imported(&select.expr()?, depth + 1),
        ast::Expr::Lambda(lambda) => imported(&lambda.body()?, depth + 1),
        ast::Expr::LetIn(let_in) => imported(&let_in.body()?, depth + 1),
        ast::Expr::BinOp(binop) => {
            imported(&binop.lhs()?, depth + 1).or_else(|| imported(&binop.rhs()?, depth + 1))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flakeedit_syntax::SourceFile;

    /// The known names of the body of the first `let … in` of `text`.
    fn of(text: &str) -> Option<Vec<String>> {
        let file = SourceFile::parse(text);
        let let_in = file
            .syntax()
            .descendants()
            .find_map(ast::LetIn::cast)
            .expect("a let");
        known_names(&let_in.body().expect("a body"))
    }

    #[test]
    fn names_defined_whatever_the_conditions() {
        let cases: &[(&str, &[&str])] = &[
            (
                "let in { a = 1; inherit (p) b; } // lib.optionalAttrs c { d = 1; }",
                &["a", "b"],
            ),
            ("let in f x // { a = 1; }", &["a"]),
            ("let in if c then { a = 1; b = 1; } else { b = 2; }", &["b"]),
            (
                "let in builtins.removeAttrs { a = 1; b = 2; } [ \"a\" ]",
                &["b"],
            ),
            ("let in builtins.removeAttrs { a = 1; } names", &[]),
            ("let in lib.filterAttrs (n: v: true) { a = 1; }", &[]),
            (
                "let s = rec { a = 1; }; in builtins.mapAttrs (n: v: v) s",
                &["a"],
            ),
        ];
        for (text, expected) in cases {
            let file = SourceFile::parse(*text);
            let let_in = file
                .syntax()
                .descendants()
                .find_map(ast::LetIn::cast)
                .expect("a let");
            let found = certain_names(&let_in.body().expect("a body"));
            assert_eq!(found, expected.to_vec(), "{text}");
        }
    }

    #[test]
    fn files_packages_come_from() {
        let cases: &[(&str, Option<&str>)] = &[
            ("let in import ./pkgs pkgs", Some("./pkgs")),
            (
                "let in builtins.removeAttrs (import ./. { }).packages [ \"x\" ]",
                Some("./."),
            ),
            (
                "let l = g (s: let p = 1; in import ./nix/a.nix { }); in l.${s}.packages",
                Some("./nix/a.nix"),
            ),
            (
                "let in concatMapAttrs (k: v: { }) (import ./default.nix { })",
                Some("./default.nix"),
            ),
            ("let import = f: f; in import ./pkgs pkgs", None),
            ("let in make-set pkgs", None),
        ];
        for (text, expected) in cases {
            let file = SourceFile::parse(*text);
            let let_in = file
                .syntax()
                .descendants()
                .find_map(ast::LetIn::cast)
                .expect("a let");
            let found = imported_file(&let_in.body().expect("a body"));
            assert_eq!(found.as_deref(), *expected, "{text}");
        }
    }

    #[test]
    fn names_read_from_the_file() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            (
                "let in { a = 1; b.c = 2; inherit x; inherit (y) z; }",
                Some(&["a", "b", "x", "z"]),
            ),
            (
                "let s = { a = 1; }; in builtins.mapAttrs (n: v: v) s",
                Some(&["a"]),
            ),
            (
                "let s = rec { a = 1; }; in lib.filterAttrs (n: v: true) s",
                Some(&["a"]),
            ),
            (
                "let in nixpkgs.lib.optionalAttrs c { a = 1; } // { b = 2; }",
                Some(&["a", "b"]),
            ),
            (
                "let in builtins.removeAttrs { a = 1; b = 2; } [ \"a\" ]",
                Some(&["a", "b"]),
            ),
            (
                "let in lib.genAttrs [ \"a\" \"b\" ] (n: n)",
                Some(&["a", "b"]),
            ),
            (
                "let in if c then { a = 1; } else { b = 1; }",
                Some(&["a", "b"]),
            ),
            ("let f = pkgs: { a = pkgs.x; }; in f p", Some(&["a"])),
            ("let f = x: y: { a = x; }; in (f 1) 2", Some(&["a"])),
            ("let in __mapAttrs (n: v: v) { a = 1; }", Some(&["a"])),
            // Names that depend on an argument or a file are not known.
            ("let f = pkgs: pkgs; in f p", None),
            ("let f = x: y: { a = x; }; in f 1", None),
            ("let in { ${n} = 1; }", None),
            ("let in import ./pkgs { }", None),
            ("let in mapAttrs (n: v: v) { a = 1; }", None),
            ("let in builtins.foldl' (a: b: a) { } [ ]", None),
            (
                "let __mapAttrs = f: s: { b = 1; }; in __mapAttrs (n: v: v) { a = 1; }",
                Some(&["b"]),
            ),
            ("let in lib.genAttrs systems (n: n)", None),
        ];
        for (text, expected) in cases {
            let expected = expected.map(|names| names.iter().map(|n| n.to_string()).collect());
            assert_eq!(of(text), expected, "{text}");
        }
    }
}
