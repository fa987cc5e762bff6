//! Whether an output entry (a package, an image, a dev shell) is defined
//! already, in any of the ways Nix allows: `name = …;` nested or dotted,
//! attribute by attribute (`name.x = …;`), `inherit name;` or
//! `inherit (set) name;`, or in another operand of a `//` merge. Adding
//! it again would be a second definition: an evaluation error, or one
//! definition silently winning over the other.

use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{
    as_attr_set, attr_name, find_path, PathMatchKind, SyntaxNode, TextRange, Warning, WarningCode,
};
use rowan::ast::AstNode;

use super::layout::OutputPlace;
use crate::error::{ErrorKind, FlakeError};

/// How an entry is defined already.
#[derive(Debug, Clone)]
pub(super) enum Definition {
    /// `name = value;` in the place itself: the operation may compare it
    /// with what it would write, or complete it.
    Binding(ast::AttrpathValue),
    /// Any other form, which flakeedit cannot compare: refused.
    Other {
        /// Where it is.
        range: TextRange,
        /// How it is written, for the message.
        form: String,
    },
    /// Not known: an operand of `//` that is not a literal may define it.
    /// `overrides` tells whether that operand comes after (right of) the
    /// place, so it would win over a new entry.
    Maybe {
        /// The operand.
        range: TextRange,
        /// Its text, shortened for the message.
        text: String,
        /// True when the operand is right of the place.
        overrides: bool,
    },
}

/// The `inherit` in `set` that names `name`, if any.
fn inherit_of(set: &ast::AttrSet, name: &str) -> Option<ast::Inherit> {
    set.inherits().find(|inherit| {
        inherit
            .attrs()
            .any(|attr| attr_name(&attr).as_deref() == Some(name))
    })
}

/// How `name` is defined in `set` below `prefix`, if at all.
fn defined_in(set: &ast::AttrSet, prefix: &[String], name: &str) -> Option<Definition> {
    let mut path: Vec<&str> = prefix.iter().map(String::as_str).collect();
    path.push(name);
    let found = find_path(set, &path);
    if let Some(exact) = found
        .iter()
        .find(|found| found.kind == PathMatchKind::Exact)
    {
        return Some(Definition::Binding(exact.binding.clone()));
    }
    if let Some(deeper) = found
        .iter()
        .find(|found| matches!(found.kind, PathMatchKind::Deeper { .. }))
    {
        return Some(Definition::Other {
            range: deeper.binding.syntax().text_range(),
            form: format!("attribute by attribute (`{name}.… = …;`)"),
        });
    }
    // `inherit name;` in the set the entries are written in.
    let inner: Vec<ast::AttrSet> = if prefix.is_empty() {
        vec![set.clone()]
    } else {
        let prefix: Vec<&str> = prefix.iter().map(String::as_str).collect();
        find_path(set, &prefix)
            .into_iter()
            .filter(|found| found.kind == PathMatchKind::Exact)
            .filter_map(|found| as_attr_set(found.binding.value()))
            .collect()
    };
    inner.iter().find_map(|inner| {
        inherit_of(inner, name).map(|inherit| Definition::Other {
            range: inherit.syntax().text_range(),
            form: "by `inherit`".to_string(),
        })
    })
}

/// The operands of the `//` chain `node` is an operand of (through
/// parentheses), other than `node`, each with whether it is right of it.
fn merge_siblings(node: &SyntaxNode) -> Vec<(ast::Expr, bool)> {
    let mut operand = node.clone();
    while let Some(parent) = operand.parent() {
        if ast::Paren::can_cast(parent.kind()) {
            operand = parent;
        } else {
            break;
        }
    }
    let mut top = operand.clone();
    while let Some(parent) = top.parent() {
        match ast::BinOp::cast(parent.clone()) {
            Some(op) if op.operator() == Some(ast::BinOpKind::Update) => top = parent,
            _ => break,
        }
    }
    if top == operand {
        return Vec::new();
    }
    let mut leaves = Vec::new();
    fn flatten(expr: ast::Expr, out: &mut Vec<ast::Expr>) {
        match &expr {
            ast::Expr::BinOp(op) if op.operator() == Some(ast::BinOpKind::Update) => {
                if let (Some(lhs), Some(rhs)) = (op.lhs(), op.rhs()) {
                    flatten(lhs, out);
                    flatten(rhs, out);
                }
            }
            _ => out.push(expr),
        }
    }
    if let Some(expr) = ast::Expr::cast(top) {
        flatten(expr, &mut leaves);
    }
    let position = operand.text_range().start();
    leaves
        .into_iter()
        .filter(|leaf| leaf.syntax() != &operand)
        .map(|leaf| {
            let right = leaf.syntax().text_range().start() > position;
            (leaf, right)
        })
        .collect()
}

/// How `name` is defined in an output place already, if it is.
pub(super) fn existing_definition(place: &OutputPlace, name: &str) -> Option<Definition> {
    // `inherit packages;`, to become `packages = packages // { … };`.
    if let Some(rewrite) = &place.inherit_rewrite {
        let range = rewrite.inherit.syntax().text_range();
        let inherited = flakeedit_syntax::attr_name(&rewrite.attr).unwrap_or_default();
        return match rewrite.known_names() {
            Some(names) if !names.iter().any(|n| n == name) => None,
            Some(_) => Some(Definition::Other {
                range,
                form: format!("in the `{inherited}` inherited here"),
            }),
            None => Some(Definition::Maybe {
                range,
                text: inherited,
                overrides: false,
            }),
        };
    }
    // `X // { … }` written by this edit: `X`'s names are known.
    if let Some(merged) = &place.merged_into {
        let names = super::layout::known_names(merged)?;
        if !names.iter().any(|n| n == name) {
            return None;
        }
        let head = merged.syntax().text().to_string();
        let head = head.split_whitespace().next().unwrap_or_default();
        return Some(Definition::Other {
            range: merged.syntax().text_range(),
            form: format!("by `{head} …`, which the per-system function returns"),
        });
    }
    // The place's own lookup also reads `packages.${system}` paths and the
    // legacy `defaultPackage`/`devShell` that stands for `default`.
    if let Some(binding) = place.entry(name) {
        return Some(Definition::Binding(binding));
    }
    if let Some(definition) = defined_in(&place.set, &place.prefix, name) {
        return Some(definition);
    }
    // `{ … } // { … }`: the place's set is one operand of a merge.
    for (sibling, right) in merge_siblings(place.set.syntax()) {
        let stripped = flakeedit_syntax::strip_parens(sibling.clone());
        match &stripped {
            ast::Expr::AttrSet(set) => {
                if let Some(definition) = defined_in(set, &place.prefix, name) {
                    let range = match &definition {
                        Definition::Binding(binding) => binding.syntax().text_range(),
                        Definition::Other { range, .. } | Definition::Maybe { range, .. } => *range,
                    };
                    return Some(Definition::Other {
                        range,
                        form: "in the other operand of `//`".to_string(),
                    });
                }
            }
            // `lib.optionalAttrs cond { … }` defines what its set does, or nothing.
            _ if super::layout::conditional_set(&stripped).is_some() => {
                let set = super::layout::conditional_set(&stripped)?;
                if let Some(first) = place.prefix.first() {
                    if let Some(range) = super::layout::defines(&set, first) {
                        return Some(Definition::Other {
                            range,
                            form: "in a set merged with `//` under `optionalAttrs`".to_string(),
                        });
                    }
                }
                if let Some(definition) = defined_in(&set, &place.prefix, name) {
                    let range = match &definition {
                        Definition::Binding(binding) => binding.syntax().text_range(),
                        Definition::Other { range, .. } | Definition::Maybe { range, .. } => *range,
                    };
                    return Some(Definition::Other {
                        range,
                        form: "in a set merged with `//` under `optionalAttrs`".to_string(),
                    });
                }
            }
            // `lib.genAttrs [ "a" "b" ] f`, `mapAttrs f { … }`: names the
            // file tells (an upper bound).
            _ if super::layout::known_names(&stripped).is_some() => {
                let names = super::layout::known_names(&stripped)?;
                // Below a prefix, a merged `packages` replaces the whole set.
                let defined = place.prefix.first().map_or(name, String::as_str);
                if names.iter().any(|n| n == defined) {
                    let head = stripped.syntax().text().to_string();
                    let head = head.split_whitespace().next().unwrap_or_default();
                    return Some(Definition::Other {
                        range: sibling.syntax().text_range(),
                        form: format!("by `{head} …` in a set merged with `//`"),
                    });
                }
            }
            _ => {
                let text: String = sibling.syntax().text().to_string();
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let text = if text.chars().count() > 40 {
                    format!("{}…", text.chars().take(40).collect::<String>())
                } else {
                    text
                };
                return Some(Definition::Maybe {
                    range: sibling.syntax().text_range(),
                    text,
                    overrides: right,
                });
            }
        }
    }
    None
}

/// Where a new entry `name` of an output place stands.
pub(super) enum Slot {
    /// `name = …;` exists: compare or complete it.
    Taken(ast::AttrpathValue),
    /// Nothing defines it (as far as can be known): write it.
    Free,
}

/// Looks `name` up in `place` before writing it: an existing binding is
/// returned to compare with, any other existing definition is refused, and
/// a `//` operand that may define it is refused when it would win, or
/// noted in `warnings`. `what` names the entry for messages
/// ("package `x`").
pub(super) fn slot(
    place: &OutputPlace,
    name: &str,
    what: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Slot, FlakeError> {
    if let Some(unreadable) = &place.unreadable {
        return Err(unreadable.clone());
    }
    let found = existing_definition(place, name);
    if !matches!(found, Some(Definition::Binding(_))) && !place.replaced_systems.is_empty() {
        let systems = place
            .replaced_systems
            .iter()
            .map(|system| format!("`{system}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let warning = Warning::new(
            WarningCode::Skipped,
            format!(
                "{what} is not added for {systems}: a set merged after the per-system function with `//` replaces that system's whole set; add it there by hand if it should be built there too"
            ),
        );
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }
    match found {
        None => Ok(Slot::Free),
        Some(Definition::Binding(binding)) => Ok(Slot::Taken(binding)),
        Some(Definition::Other { range, form }) => Err(second_definition(what, range, &form)),
        Some(Definition::Maybe {
            range,
            text,
            overrides,
        }) => {
            let warning = Warning::new(
                WarningCode::MaybeOverridden,
                unknown_merge(what, range, &text, overrides)?,
            )
            .at(range);
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
            Ok(Slot::Free)
        }
    }
}

/// The refusal for a definition flakeedit cannot compare or complete.
pub(super) fn second_definition(what: &str, range: TextRange, form: &str) -> FlakeError {
    FlakeError::new(
        ErrorKind::Conflict,
        format!("{what} is defined already, {form}; a second definition would clash with it"),
    )
    .at(range)
    .hint("edit the existing definition by hand, or choose another name")
}

/// What to do about a `//` operand that may define the entry: refuse when
/// it would win over the new entry; otherwise the new entry is written, and
/// the returned warning says it may replace one from the operand.
pub(super) fn unknown_merge(
    what: &str,
    range: TextRange,
    text: &str,
    overrides: bool,
) -> Result<String, FlakeError> {
    if overrides {
        return Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!(
                "{what} would be written left of `// {text}`, which may define it too and would then win"
            ),
        )
        .at(range)
        .hint("add it by hand where it belongs"));
    }
    Ok(format!(
        "{what} is merged after `{text} //`; if that defines it too, the new one replaces it"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flakeedit_syntax::SourceFile;

    /// The place is the first attribute set literal of `text`, entries
    /// written directly in it.
    fn lookup(text: &str, name: &str) -> Option<(String, String)> {
        let file = SourceFile::parse(text);
        let set = file
            .syntax()
            .descendants()
            .find_map(ast::AttrSet::cast)
            .expect("a set");
        let mut place = OutputPlace::new(
            &set,
            Vec::new(),
            crate::packages::layout::SystemName::Implicit,
        );
        place.exists = true;
        existing_definition(&place, name).map(|definition| match definition {
            Definition::Binding(binding) => ("binding".into(), binding.syntax().text().to_string()),
            Definition::Other { range, form } => (form, text[range].to_string()),
            Definition::Maybe {
                range, overrides, ..
            } => (
                format!("maybe, overrides: {overrides}"),
                text[range].to_string(),
            ),
        })
    }

    #[test]
    fn definitions_in_every_form_are_found() {
        let found = |text: &str| lookup(text, "image");
        assert_eq!(found("{ a = 1; }"), None);
        assert_eq!(
            found("{ image = 1; }"),
            Some(("binding".into(), "image = 1;".into()))
        );
        assert_eq!(
            found("{ image.name = \"x\"; }").map(|(form, _)| form),
            Some("attribute by attribute (`image.… = …;`)".into())
        );
        assert_eq!(
            found("{ inherit (x) image; }"),
            Some(("by `inherit`".into(), "inherit (x) image;".into()))
        );
        assert_eq!(
            found("({ a = 1; }) // { image = 2; }"),
            Some(("in the other operand of `//`".into(), "image = 2;".into()))
        );
        assert_eq!(
            found("{ a = 1; } // other // { b = 2; }"),
            Some(("maybe, overrides: true".into(), "other".into()))
        );
        assert_eq!(
            lookup("base // { a = 1; }", "image"),
            Some(("maybe, overrides: false".into(), "base".into()))
        );
    }
}
