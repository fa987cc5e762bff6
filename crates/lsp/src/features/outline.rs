//! The outline (`textDocument/documentSymbol`): the inputs, and the
//! attributes the outputs function returns, whatever layout writes them.
//!
//! Outputs are rarely an attribute set literal: flake-parts returns
//! `mkFlake { … } { perSystem = …; flake = …; }` and flake-utils
//! `eachDefaultSystem (system: { … })`, often merged with `//`. The walk
//! looks through `let … in`, parentheses, `//` and functions (a module
//! `{ … }: { … }`, `perSystem = { pkgs, … }: { … }`,
//! `forAllSystems (system: { … })`) to the attribute sets that hold the
//! outputs. A per-system helper called at the top (`eachDefaultSystem`,
//! `mkFlake`) becomes a symbol of its own, so the outline says which
//! outputs are per system. It reads syntax only: nothing is evaluated.

use flakeedit_flake::{Flake, InputBinding, Occurrence, OccurrenceKind};
use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{attr_name, attrpath_names, strip_parens, SourceFile, TextRange};
use rowan::ast::AstNode;
use rowan::NodeOrToken;
use tower_lsp_server::ls_types::*;

/// How many attribute levels below `outputs` the outline shows
/// (`perSystem` › `packages` › `default`).
const MAX_DEPTH: usize = 3;

/// How many wrappers (`let`, parentheses, `//`, calls, functions) the walk
/// looks through for one value: a real flake needs a handful, and a
/// pathological file must not recurse without end.
const MAX_WRAPPERS: usize = 16;

fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    (range, selection): (Range, Range),
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    #[allow(deprecated)]
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children,
    }
}

/// The outermost expression of `file` whose range is `range`.
fn expression_at(file: &SourceFile, range: TextRange) -> Option<ast::Expr> {
    let mut node = match file.root().syntax().covering_element(range) {
        NodeOrToken::Node(node) => node,
        NodeOrToken::Token(token) => token.parent()?,
    };
    while let Some(parent) = node.parent().filter(|parent| parent.text_range() == range) {
        node = parent;
    }
    ast::Expr::cast(node)
}

/// The outline: `inputs` with each input (its url or follows as detail),
/// and `outputs` with what its body returns. `found` are the flake's
/// occurrences (`flakeedit_flake::occurrences`).
pub fn symbols(
    file: &SourceFile,
    flake: &Flake,
    found: &[Occurrence],
    range_of: impl Fn(TextRange) -> Range,
) -> Vec<DocumentSymbol> {
    let mut outline = Vec::new();
    let mut all_inputs: Option<TextRange> = None;
    let mut inputs = Vec::new();
    for input in &flake.inputs {
        let Some(range) = input
            .bindings
            .iter()
            .map(InputBinding::range)
            .reduce(|a, b| a.cover(b))
        else {
            continue;
        };
        all_inputs = Some(all_inputs.map_or(range, |all| all.cover(range)));
        let selection = found
            .iter()
            .find(|o| o.name == input.name && o.kind == OccurrenceKind::Declaration)
            .map_or(range, |o| o.range);
        let detail = input
            .url()
            .map(str::to_string)
            .or_else(|| input.follows().map(|target| format!("follows {target}")));
        inputs.push(symbol(
            input.name.clone(),
            detail,
            SymbolKind::MODULE,
            (range_of(range), range_of(selection)),
            None,
        ));
    }
    if let Some(range) = all_inputs {
        outline.push(symbol(
            "inputs".into(),
            None,
            SymbolKind::NAMESPACE,
            (range_of(range), range_of(range)),
            Some(inputs),
        ));
    }
    if let Some(outputs) = &flake.outputs {
        let range = outputs.range();
        let selection = outputs.name_range();
        let walk = Walk {
            range_of: &range_of,
        };
        let children = outputs
            .body_range()
            .and_then(|body| expression_at(file, body))
            .map(|body| walk.returned(body, 0, true))
            .unwrap_or_default();
        outline.push(symbol(
            "outputs".into(),
            None,
            SymbolKind::FUNCTION,
            (range_of(range), range_of(selection)),
            Some(children),
        ));
    }
    outline
}

struct Walk<'a, F: Fn(TextRange) -> Range> {
    range_of: &'a F,
}

impl<F: Fn(TextRange) -> Range> Walk<'_, F> {
    fn ranges(&self, range: TextRange, selection: TextRange) -> (Range, Range) {
        ((self.range_of)(range), (self.range_of)(selection))
    }

    /// The symbols of the attributes `expr` evaluates to, `depth` levels
    /// below `outputs`; `top` when `expr` is the outputs body itself,
    /// where per-system helpers get a symbol of their own.
    fn returned(&self, expr: ast::Expr, depth: usize, top: bool) -> Vec<DocumentSymbol> {
        let mut expr = expr;
        for _ in 0..MAX_WRAPPERS {
            match strip_parens(expr) {
                ast::Expr::AttrSet(set) => return self.attributes(&set, depth),
                ast::Expr::LetIn(let_in) => match let_in.body() {
                    Some(body) => expr = body,
                    None => return Vec::new(),
                },
                ast::Expr::Lambda(lambda) => match lambda.body() {
                    Some(body) => expr = body,
                    None => return Vec::new(),
                },
                ast::Expr::BinOp(binop) if binop.operator() == Some(ast::BinOpKind::Update) => {
                    let mut symbols = Vec::new();
                    for side in [binop.lhs(), binop.rhs()].into_iter().flatten() {
                        symbols.extend(self.returned(side, depth, top));
                    }
                    return symbols;
                }
                ast::Expr::Apply(apply) => {
                    // The last argument is what a helper maps over the
                    // systems (`system: { … }`) or the module (`mkFlake`).
                    // At the top, a helper may be given a `let`-bound
                    // function; its symbol then covers that binding too.
                    let Some(argument) =
                        apply
                            .argument()
                            .map(|argument| if top { let_bound(argument) } else { argument })
                    else {
                        return Vec::new();
                    };
                    if !matches!(
                        strip_parens(argument.clone()),
                        ast::Expr::Lambda(_) | ast::Expr::AttrSet(_)
                    ) {
                        return Vec::new();
                    }
                    if !top {
                        if !matches!(strip_parens(argument.clone()), ast::Expr::Lambda(_)) {
                            // `mkShell { … }`, `buildDunePackage { … }`: a
                            // derivation's arguments are not outputs.
                            return Vec::new();
                        }
                        expr = argument;
                        continue;
                    }
                    return vec![self.helper(&apply, argument, depth)];
                }
                _ => return Vec::new(),
            }
        }
        Vec::new()
    }

    /// A symbol for a call at the top of the outputs (`eachDefaultSystem
    /// (system: …)`, `flake-parts.lib.mkFlake { … } { … }`), holding what
    /// its last argument returns.
    fn helper(&self, apply: &ast::Apply, argument: ast::Expr, depth: usize) -> DocumentSymbol {
        let mut head = apply.lambda();
        while let Some(ast::Expr::Apply(inner)) = head.clone().map(strip_parens) {
            head = inner.lambda();
        }
        let head_range = head.as_ref().map_or(apply.syntax().text_range(), |head| {
            head.syntax().text_range()
        });
        let name = head
            .as_ref()
            .map(|head| head.syntax().text().to_string())
            .filter(|name| name.len() <= 60 && !name.contains('\n'))
            .unwrap_or_else(|| "(call)".into());
        let last = name.rsplit('.').next().unwrap_or_default();
        let detail = if last.starts_with("each") || last.contains("ForAll") {
            Some("per system".to_string())
        } else if last == "mkFlake" {
            Some("flake-parts".to_string())
        } else {
            None
        };
        let range = apply
            .syntax()
            .text_range()
            .cover(argument.syntax().text_range());
        let children = self.returned(argument, depth, false);
        symbol(
            name,
            detail,
            SymbolKind::NAMESPACE,
            self.ranges(range, head_range),
            Some(children),
        )
    }

    fn attributes(&self, set: &ast::AttrSet, depth: usize) -> Vec<DocumentSymbol> {
        let mut symbols = Vec::new();
        for binding in set.attrpath_values() {
            let Some(path) = binding.attrpath() else {
                continue;
            };
            let name = attrpath_names(&path).map_or_else(
                || {
                    path.attrs()
                        .map(|attr| {
                            attr_name(&attr).unwrap_or_else(|| attr.syntax().text().to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(".")
                },
                |names| names.join("."),
            );
            let value = binding.value();
            let is_function = matches!(value.clone().map(strip_parens), Some(ast::Expr::Lambda(_)));
            let children = match value {
                Some(value) if depth + 1 < MAX_DEPTH => self.returned(value, depth + 1, false),
                _ => Vec::new(),
            };
            symbols.push(symbol(
                name,
                None,
                if is_function {
                    SymbolKind::FUNCTION
                } else {
                    SymbolKind::FIELD
                },
                self.ranges(binding.syntax().text_range(), path.syntax().text_range()),
                (!children.is_empty()).then_some(children),
            ));
        }
        symbols
    }
}

/// The value of `expr` when it names a `let` binding around it
/// (`eachDefaultSystem perSystem` with `perSystem = system: { … };`).
fn let_bound(expr: ast::Expr) -> ast::Expr {
    let ast::Expr::Ident(ident) = strip_parens(expr.clone()) else {
        return expr;
    };
    let Some(name) = ident.ident_token().map(|token| token.text().to_string()) else {
        return expr;
    };
    for let_in in ident.syntax().ancestors().filter_map(ast::LetIn::cast) {
        for binding in let_in.attrpath_values() {
            let names = binding.attrpath().and_then(|path| attrpath_names(&path));
            if names.is_some_and(|names| names.len() == 1 && names[0] == name) {
                return binding.value().unwrap_or(expr);
            }
        }
    }
    expr
}

#[cfg(test)]
mod tests;
