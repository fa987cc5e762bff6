//! Attribute names and attribute-path lookup across every way of writing a path.

use rnix::ast::{self, HasEntry};
use rnix::SyntaxKind;

/// The static name of an attribute: `a`, `"a"`, `${"a"}`. `None` for names
/// computed at evaluation time (`${x}`, `"a${x}"`).
pub fn attr_name(attr: &ast::Attr) -> Option<String> {
    match attr {
        ast::Attr::Ident(ident) => ident.ident_token().map(|token| token.text().to_string()),
        ast::Attr::Str(string) => static_string(string),
        ast::Attr::Dynamic(dynamic) => match dynamic.expr()? {
            ast::Expr::Str(string) => static_string(&string),
            _ => None,
        },
    }
}

/// The value of a string literal without interpolation, unescaped.
pub fn static_string(string: &ast::Str) -> Option<String> {
    let mut value = String::new();
    for part in string.normalized_parts() {
        match part {
            ast::InterpolPart::Literal(text) => value.push_str(&text),
            ast::InterpolPart::Interpolation(_) => return None,
        }
    }
    Some(value)
}

/// The static names of an attribute path; `None` if any segment is dynamic.
pub fn attrpath_names(path: &ast::Attrpath) -> Option<Vec<String>> {
    path.attrs().map(|attr| attr_name(&attr)).collect()
}

/// Looks through parentheses: `(x)` is `x`.
pub fn strip_parens(mut expr: ast::Expr) -> ast::Expr {
    while let ast::Expr::Paren(paren) = &expr {
        match paren.expr() {
            Some(inner) => expr = inner,
            None => break,
        }
    }
    expr
}

/// The attribute set an expression is, looking through parentheses.
pub fn as_attr_set(expr: Option<ast::Expr>) -> Option<ast::AttrSet> {
    match strip_parens(expr?) {
        ast::Expr::AttrSet(set) => Some(set),
        _ => None,
    }
}

/// How one binding relates to a looked-up path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathMatchKind {
    /// The binding's value is the value at the path (`a.b.c = v;` for `a.b.c`).
    Exact,
    /// The binding defines something below the path (`a.b.c.d = v;` for
    /// `a.b.c`); `rest` are the segments below it.
    Deeper {
        /// The segments of the binding beyond the path.
        rest: Vec<String>,
    },
    /// The binding defines a prefix of the path with a value that is not an
    /// attribute set literal (`a = import ./a.nix;` for `a.b.c`), so the rest
    /// of the path cannot be followed in the source.
    Opaque {
        /// How many segments of the path the binding covers.
        covered: usize,
    },
}

/// One place where a path is (partially) defined.
#[derive(Debug, Clone)]
pub struct PathMatch {
    /// The binding.
    pub binding: ast::AttrpathValue,
    /// The attribute set the binding is an entry of.
    pub set: ast::AttrSet,
    /// How many segments of the path the enclosing sets already consumed
    /// before this binding's own attribute path starts.
    pub depth: usize,
    /// How the binding relates to the path.
    pub kind: PathMatchKind,
}

/// Finds every place in `set` where `path` is defined, fully or partially,
/// however it is written: `a.b.c = v;`, `a = { b.c = v; };`,
/// `a.b = { c = v; };`, in `rec` sets, with quoted or `${"…"}` segments.
/// Results are in source order. Bindings with dynamic names are skipped.
pub fn find_path(set: &ast::AttrSet, path: &[&str]) -> Vec<PathMatch> {
    let mut matches = Vec::new();
    collect(set, path, 0, &mut matches);
    matches
}

fn collect(set: &ast::AttrSet, path: &[&str], depth: usize, out: &mut Vec<PathMatch>) {
    let query = &path[depth..];
    if query.is_empty() {
        return;
    }
    for binding in set.attrpath_values() {
        let Some(names) = binding.attrpath().as_ref().and_then(attrpath_names) else {
            continue;
        };
        let common = names
            .iter()
            .zip(query)
            .take_while(|(name, wanted)| name.as_str() == **wanted)
            .count();
        if common == 0 {
            continue;
        }
        let record = |kind| PathMatch {
            binding: binding.clone(),
            set: set.clone(),
            depth,
            kind,
        };
        if common == names.len() && common == query.len() {
            out.push(record(PathMatchKind::Exact));
        } else if common == query.len() {
            out.push(record(PathMatchKind::Deeper {
                rest: names[common..].to_vec(),
            }));
        } else if common == names.len() {
            match as_attr_set(binding.value()) {
                Some(inner) => collect(&inner, path, depth + common, out),
                None => out.push(record(PathMatchKind::Opaque {
                    covered: depth + common,
                })),
            }
        }
    }
}

/// The top-level attribute set of a file (`{ ... }`, possibly in
/// parentheses), if the file is one.
pub fn root_attr_set(root: &ast::Root) -> Option<ast::AttrSet> {
    as_attr_set(root.expr())
}

/// True when the token is trivia (whitespace or a comment).
pub fn is_trivia(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::TOKEN_WHITESPACE | SyntaxKind::TOKEN_COMMENT
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceFile;
    use rowan::ast::AstNode;

    fn describe(text: &str, path: &[&str]) -> Vec<String> {
        let file = SourceFile::parse(text);
        let set = root_attr_set(file.root()).expect("a set");
        find_path(&set, path)
            .into_iter()
            .map(|found| {
                let kind = match found.kind {
                    PathMatchKind::Exact => "exact".to_string(),
                    PathMatchKind::Deeper { rest } => format!("deeper {}", rest.join(".")),
                    PathMatchKind::Opaque { covered } => format!("opaque {covered}"),
                };
                format!("{} @{} {kind}", found.binding.syntax(), found.depth)
            })
            .collect()
    }

    #[test]
    fn finds_a_path_however_it_is_written() {
        let text = r#"{
  a.b.c = 1;
  a = { b.c = 2; };
  a.b = { c = 3; };
  a = rec { b = { c = 4; }; };
  "a".${"b"}.c = 5;
  a.x = 6;
}"#;
        assert_eq!(
            describe(text, &["a", "b", "c"]),
            vec![
                "a.b.c = 1; @0 exact",
                "b.c = 2; @1 exact",
                "c = 3; @2 exact",
                "c = 4; @2 exact",
                "\"a\".${\"b\"}.c = 5; @0 exact",
            ]
        );
    }

    #[test]
    fn reports_partial_definitions() {
        let text = r#"{ inputs.nixpkgs.url = "u"; inputs.nixpkgs.flake = false; inputs = import ./i.nix; }"#;
        assert_eq!(
            describe(text, &["inputs", "nixpkgs"]),
            vec![
                "inputs.nixpkgs.url = \"u\"; @0 deeper url",
                "inputs.nixpkgs.flake = false; @0 deeper flake",
                "inputs = import ./i.nix; @0 opaque 1",
            ]
        );
    }

    #[test]
    fn quoted_names_keep_their_dots() {
        let text = r#"{ inputs."hls-1.10".url = "a"; inputs."hls-1.11" = { url = "b"; }; }"#;
        assert_eq!(
            describe(text, &["inputs", "hls-1.11", "url"]),
            vec!["url = \"b\"; @2 exact"]
        );
        assert_eq!(
            describe(text, &["inputs", "hls-1", "url"]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn dynamic_names_are_skipped() {
        let text = r#"{ ${x}.b = 1; "a${y}" = 2; a.b = 3; }"#;
        assert_eq!(describe(text, &["a", "b"]), vec!["a.b = 3; @0 exact"]);
    }
}
