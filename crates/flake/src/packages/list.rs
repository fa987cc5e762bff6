//! Small syntax helpers of the package operations: token-level comparison,
//! appending to list literals, reading a derivation call's arguments.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::style::{file_indent_unit, line_indent, starts_line, LineEnding};
use flakeedit_syntax::{
    find_path, is_trivia, static_string, strip_parens, PathMatchKind, SourceFile, SyntaxKind,
    SyntaxNode, TextEdit, TextRange, TextSize,
};
use rowan::ast::AstNode;

/// The non-trivia tokens of a node joined by single spaces: two texts that
/// differ only in whitespace and comments compare equal.
pub(crate) fn normalized(node: &SyntaxNode) -> String {
    node.descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .filter(|token| !is_trivia(token.kind()))
        .map(|token| token.text().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`normalized`] for a snippet of text.
pub(crate) fn normalized_text(text: &str) -> String {
    normalized(SourceFile::parse(text).syntax())
}

/// The width past which a one-line list is broken into lines.
const MAX_WIDTH: usize = 100;

/// Appends `items` (Nix expressions) to a list literal, in its style: one
/// item per line in a multi-line list, separated by spaces in a one-line
/// one (broken into lines when it would grow past 100 columns).
pub(crate) fn append_to_list(
    file: &SourceFile,
    list: &ast::List,
    items: &[String],
) -> Option<TextEdit> {
    if items.is_empty() {
        return None;
    }
    let text = file.text();
    let bracket = |kind| {
        list.syntax()
            .children_with_tokens()
            .filter_map(|element| element.into_token())
            .find(|token| token.kind() == kind)
    };
    let open = bracket(SyntaxKind::TOKEN_L_BRACK)?;
    let close = bracket(SyntaxKind::TOKEN_R_BRACK)?;
    let open_end = usize::from(open.text_range().end());
    let close_start = usize::from(close.text_range().start());
    let inside = text.get(open_end..close_start)?;
    let last = list.items().last();
    let eol = LineEnding::detect(text).as_str();
    if inside.contains('\n') {
        // Comments after the last item stay before the new ones: a
        // trailing `# why` belongs to its item, and a placeholder line
        // (`# You can add packages here`) is followed by what it invites.
        let after_last = last.as_ref().map_or(open.text_range().end(), |item| {
            item.syntax().text_range().end()
        });
        let last_comment = list
            .syntax()
            .children_with_tokens()
            .filter_map(|element| element.into_token())
            .filter(|token| {
                token.kind() == SyntaxKind::TOKEN_COMMENT
                    && token.text_range().start() >= after_last
            })
            .last();
        let own_line_comment = last_comment
            .as_ref()
            .filter(|comment| starts_line(text, usize::from(comment.text_range().start())));
        let indent = match (&last, own_line_comment) {
            (_, Some(comment)) => {
                line_indent(text, usize::from(comment.text_range().start())).to_string()
            }
            (Some(item), None)
                if starts_line(text, usize::from(item.syntax().text_range().start())) =>
            {
                line_indent(text, usize::from(item.syntax().text_range().start())).to_string()
            }
            _ => format!(
                "{}{}",
                line_indent(text, usize::from(open.text_range().start())),
                file_indent_unit(text)
            ),
        };
        let lines: String = items
            .iter()
            .map(|item| format!("{eol}{indent}{item}"))
            .collect();
        let anchor = last_comment.map_or(after_last, |comment| comment.text_range().end());
        return Some(TextEdit::insert(anchor, lines));
    }
    let joined = items.join(" ");
    // A one-line list that would grow past the width a person keeps to is
    // broken into one element per line, as a person would (only when it
    // holds no comments, whose place a rewrite could not keep).
    let line_end = flakeedit_syntax::style::line_end(text, close_start);
    let line_start = flakeedit_syntax::style::line_start(text, open_end);
    let width = text[line_start..line_end].chars().count() + joined.chars().count() + 1;
    let has_comment = list
        .syntax()
        .descendants_with_tokens()
        .any(|element| element.kind() == SyntaxKind::TOKEN_COMMENT);
    if width > MAX_WIDTH && !has_comment {
        let indent = line_indent(text, usize::from(open.text_range().start()));
        let unit = file_indent_unit(text);
        let mut lines: String = list
            .items()
            .map(|item| format!("{eol}{indent}{unit}{}", item.syntax().text()))
            .collect();
        for item in items {
            lines.push_str(&format!("{eol}{indent}{unit}{item}"));
        }
        lines.push_str(&format!("{eol}{indent}"));
        return Some(TextEdit::replace(
            TextRange::new(
                TextSize::from(open_end as u32),
                TextSize::from(close_start as u32),
            ),
            lines,
        ));
    }
    Some(match last {
        Some(item) => TextEdit::insert(item.syntax().text_range().end(), format!(" {joined}")),
        None => TextEdit::replace(
            TextRange::new(
                TextSize::from(open_end as u32),
                TextSize::from(close_start as u32),
            ),
            format!(" {joined} "),
        ),
    })
}

/// The argument set of a call like `buildDunePackage { … }` and the name
/// of the function (its last attribute: `buildDunePackage`, `mkShell`).
pub(crate) fn call_with_set(expr: Option<ast::Expr>) -> Option<(String, ast::AttrSet)> {
    let ast::Expr::Apply(apply) = strip_parens(expr?) else {
        return None;
    };
    let function = match strip_parens(apply.lambda()?) {
        ast::Expr::Ident(ident) => ident.ident_token()?.text().to_string(),
        ast::Expr::Select(select) => select
            .attrpath()?
            .attrs()
            .last()
            .and_then(|attr| flakeedit_syntax::attr_name(&attr))?,
        _ => return None,
    };
    let ast::Expr::AttrSet(set) = strip_parens(apply.argument()?) else {
        return None;
    };
    Some((function, set))
}

/// The binding of `path` in a set, when written exactly there.
pub(crate) fn binding_at(set: &ast::AttrSet, path: &[&str]) -> Option<ast::AttrpathValue> {
    find_path(set, path)
        .into_iter()
        .find(|found| found.kind == PathMatchKind::Exact)
        .map(|found| found.binding)
}

/// The static string at `path` in a set.
pub(crate) fn string_at(set: &ast::AttrSet, path: &[&str]) -> Option<String> {
    match binding_at(set, path)?.value().map(strip_parens)? {
        ast::Expr::Str(string) => static_string(&string),
        _ => None,
    }
}

/// The list literal at `path` in a set.
pub(crate) fn list_at(set: &ast::AttrSet, path: &[&str]) -> Option<ast::List> {
    match binding_at(set, path)?.value().map(strip_parens)? {
        ast::Expr::List(list) => Some(list),
        _ => None,
    }
}

/// True when the set has `inherit name;` (without a source).
pub(crate) fn inherits(set: &ast::AttrSet, name: &str) -> Option<ast::Inherit> {
    use flakeedit_syntax::rnix::ast::HasEntry;
    set.inherits().find(|inherit| {
        inherit.from().is_none()
            && inherit
                .attrs()
                .any(|attr| flakeedit_syntax::attr_name(&attr).as_deref() == Some(name))
    })
}

/// `entry` added as the last entry of `set`, the set broken into lines
/// when a one-line set would grow too long ([`break_one_line_set`]).
pub(crate) fn add_last_entry(
    file: &SourceFile,
    set: &ast::AttrSet,
    entry: &str,
) -> Result<TextEdit, flakeedit_syntax::MalformedError> {
    match break_one_line_set(file, set, entry) {
        Some(edit) => Ok(edit),
        None => flakeedit_syntax::insert_entry(
            file,
            set.syntax(),
            entry,
            flakeedit_syntax::InsertPosition::Last,
        ),
    }
}

/// `entry` added to a one-line set that would grow past 100 columns: the
/// set rewritten with one entry per line, as a person would (only when it
/// holds no comments, whose place a rewrite could not keep). `None` when
/// the set spans lines or the line stays short.
pub(crate) fn break_one_line_set(
    file: &SourceFile,
    set: &ast::AttrSet,
    entry: &str,
) -> Option<TextEdit> {
    use flakeedit_syntax::rnix::ast::HasEntry;
    let text = file.text();
    let range = set.syntax().text_range();
    let (start, end) = (usize::from(range.start()), usize::from(range.end()));
    if text.get(start..end)?.contains('\n')
        || set
            .syntax()
            .descendants_with_tokens()
            .any(|element| element.kind() == SyntaxKind::TOKEN_COMMENT)
    {
        return None;
    }
    let line = &text[flakeedit_syntax::style::line_start(text, start)
        ..flakeedit_syntax::style::line_end(text, end)];
    if line.chars().count() + entry.chars().count() < MAX_WIDTH {
        return None;
    }
    let open = set
        .syntax()
        .children_with_tokens()
        .filter_map(|element| element.into_token())
        .find(|token| token.kind() == SyntaxKind::TOKEN_L_BRACE)?;
    let close = set
        .syntax()
        .children_with_tokens()
        .filter_map(|element| element.into_token())
        .find(|token| token.kind() == SyntaxKind::TOKEN_R_BRACE)?;
    let indent = line_indent(text, start);
    let unit = file_indent_unit(text);
    let eol = LineEnding::detect(text).as_str();
    let mut lines: String = set
        .entries()
        .map(|existing| format!("{eol}{indent}{unit}{}", existing.syntax().text()))
        .collect();
    // The entry's own continuation lines are indented with tabs, one per
    // level below the entry (as `insert_entry` takes them).
    let entry: String = entry
        .split('\n')
        .enumerate()
        .map(|(index, line)| {
            let body = line.trim_start_matches('\t');
            let levels = line.len() - body.len();
            if index == 0 {
                body.to_string()
            } else {
                format!("{eol}{indent}{unit}{}{body}", unit.repeat(levels))
            }
        })
        .collect();
    lines.push_str(&format!("{eol}{indent}{unit}{entry}{eol}{indent}"));
    Some(TextEdit::replace(
        TextRange::new(open.text_range().end(), close.text_range().start()),
        lines,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` with `items` appended to its first list.
    fn appended(text: &str, items: &[&str]) -> String {
        let file = SourceFile::parse(text);
        let list = file
            .syntax()
            .descendants()
            .find_map(ast::List::cast)
            .expect("a list");
        let items: Vec<String> = items.iter().map(|item| item.to_string()).collect();
        let edit = append_to_list(&file, &list, &items).expect("an edit");
        let mut out = text.to_string();
        out.replace_range(
            usize::from(edit.range.start())..usize::from(edit.range.end()),
            &edit.insert,
        );
        out
    }

    #[test]
    fn new_items_go_after_the_comments_that_end_a_list() {
        let cases: &[(&str, &str)] = &[
            // A placeholder inviting additions: the new item follows it.
            (
                "{\n  a = [\n    x\n    # You can add packages here\n  ];\n}\n",
                "{\n  a = [\n    x\n    # You can add packages here\n    pkgs.jq\n  ];\n}\n",
            ),
            (
                "{\n  a = devPackages ++ [\n    # You can add packages here\n  ];\n}\n",
                "{\n  a = devPackages ++ [\n    # You can add packages here\n    pkgs.jq\n  ];\n}\n",
            ),
            // A trailing comment stays with its item.
            (
                "{\n  a = [\n    x # pinned for now\n  ];\n}\n",
                "{\n  a = [\n    x # pinned for now\n    pkgs.jq\n  ];\n}\n",
            ),
            // Comments between items do not move anything.
            (
                "{\n  a = [\n    # first\n    x\n  ];\n}\n",
                "{\n  a = [\n    # first\n    x\n    pkgs.jq\n  ];\n}\n",
            ),
        ];
        for (before, after) in cases {
            assert_eq!(&appended(before, &["pkgs.jq"]), after, "{before}");
        }
    }
}
