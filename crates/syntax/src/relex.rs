//! Editing a file by re-lexing only the token an edit lies in.
//!
//! A keystroke usually lands inside one identifier, number, comment, run
//! of whitespace or string. [`SourceFile::edited`] then re-lexes a few tokens around
//! it and, when they come out as the same tokens (the edited one with its
//! new text), replaces that one token in the tree: the cost is the depth of
//! the tree and the size of its widest node on the way, not the file. Any
//! other edit falls back to re-parsing the smallest delimited node around
//! it ([`crate::reparse`]) and then to a whole parse.
//!
//! Why the result equals a whole parse:
//!
//! - rnix's parser looks only at token kinds (never at their text), so the
//!   same sequence of kinds gives the same tree shape and the same errors
//!   (errors after the token move by the length change; an error spanning
//!   the token grows or shrinks with it).
//! - A string's content is re-lexed with its delimiters, alone: a string
//!   starts in code and, when the new text lexes as the same opening
//!   delimiter, one content token and the same closing delimiter, the
//!   lexer leaves it in the state it entered it, after the same bytes.
//!   The token before it looked only at the unchanged opening delimiter.
//! - Any other window re-lexed is the run of tokens around the edited one that is
//!   bounded by whitespace tokens (or the ends of the file). In code, no
//!   token's lexing looks past a whitespace character (path and URI
//!   detection scan path characters and then peek at two characters whose
//!   first is then whitespace, matching no rule), so the tokens before the
//!   window lex as before, and the window starts in code.
//! - The window holds no token that changes the lexer's context (string
//!   delimiters and contents, interpolations, paths, errors), so lexing it
//!   alone gives what lexing it in the file gives, and the lexer leaves it
//!   in the context it entered it: the whitespace after it and everything
//!   further lex as before. Braces only change the count of braces open
//!   inside an interpolation, and the window's braces are the old ones.
//!
//! `tests/relex.rs` compares random edits with a whole parse.

use rnix::{Root, SyntaxKind, SyntaxToken, TextRange, TextSize};
use rowan::ast::AstNode;
use rowan::{GreenToken, TokenAtOffset};

use crate::change::{ChangeSet, TextEdit};
use crate::source::{SourceFile, SyntaxError};

/// More tokens or bytes than this around an edit are left to a re-parse:
/// the window is normally a word or two.
const MAX_WINDOW_TOKENS: usize = 64;
const MAX_WINDOW_BYTES: usize = 4096;

/// Tokens an edit may change by re-lexing alone.
fn is_relexable(kind: SyntaxKind) -> bool {
    use SyntaxKind::*;
    matches!(
        kind,
        TOKEN_IDENT
            | TOKEN_WHITESPACE
            | TOKEN_COMMENT
            | TOKEN_INTEGER
            | TOKEN_FLOAT
            | TOKEN_URI
            | TOKEN_STRING_CONTENT
    )
}

/// Tokens whose lexing does not depend on the lexer's context (strings,
/// interpolations, paths). Braces only count nesting inside an
/// interpolation: the same braces at the same places count the same.
fn is_context_free(kind: SyntaxKind) -> bool {
    use SyntaxKind::*;
    !matches!(
        kind,
        TOKEN_STRING_START
            | TOKEN_STRING_CONTENT
            | TOKEN_STRING_END
            | TOKEN_INTERPOL_START
            | TOKEN_INTERPOL_END
            | TOKEN_PATH_ABS
            | TOKEN_PATH_HOME
            | TOKEN_PATH_REL
            | TOKEN_PATH_SEARCH
            | TOKEN_ERROR
    )
}

impl SourceFile {
    /// This file with `edit` applied, parsed as cheaply as is provably the
    /// same as parsing the new text whole: re-lexing the one token the edit
    /// lies in, else re-parsing the smallest delimited node around it, else
    /// the whole text. Ranges outside the text are clamped to it.
    pub fn edited(&self, edit: &TextEdit) -> SourceFile {
        let len = TextSize::of(self.text());
        let start = edit.range.start().min(len);
        let end = edit.range.end().clamp(start, len);
        let edit = TextEdit::replace(TextRange::new(start, end), edit.insert.clone());
        let mut changes = ChangeSet::new();
        let applied = changes
            .add(edit.clone())
            .ok()
            .and_then(|()| changes.apply_unchecked(self.text()).ok());
        let Some(new_text) = applied else {
            // A range splitting a character: give the text back unchanged
            // rather than panic; callers pass ranges from the text itself.
            return self.clone();
        };
        if let Some(relexed) = relex(self, &edit, &new_text) {
            return relexed;
        }
        match crate::reparse::reparse(self, std::slice::from_ref(&edit), new_text) {
            Ok(spliced) => spliced,
            Err(text) => SourceFile::parse(text),
        }
    }
}

/// The tokens of `file` that hold all of `range` and may be re-lexed: two
/// for an insertion between tokens (it may extend either).
fn tokens_holding(file: &SourceFile, range: TextRange) -> Vec<SyntaxToken> {
    let candidates = match file.syntax().token_at_offset(range.start()) {
        TokenAtOffset::None => return Vec::new(),
        TokenAtOffset::Single(token) => vec![token],
        TokenAtOffset::Between(left, right) => vec![left, right],
    };
    candidates
        .into_iter()
        .filter(|token| is_relexable(token.kind()) && token.text_range().contains_range(range))
        .collect()
}

fn relex(file: &SourceFile, edit: &TextEdit, new_text: &str) -> Option<SourceFile> {
    tokens_holding(file, edit.range)
        .into_iter()
        .find_map(|token| relex_token(file, token, edit, new_text))
}

/// The tokens to re-lex for an edit of `token`: a string's content is
/// re-lexed with the whole string (its delimiters and nothing else: a
/// string with interpolations is left to a re-parse); any other token with
/// its neighbours up to whitespace.
fn window_of(token: &SyntaxToken) -> Option<Vec<SyntaxToken>> {
    if token.kind() == SyntaxKind::TOKEN_STRING_CONTENT {
        let string = token.parent()?;
        let tokens: Vec<SyntaxToken> = string
            .children_with_tokens()
            .map(|element| element.into_token())
            .collect::<Option<_>>()?;
        let kinds: Vec<SyntaxKind> = tokens.iter().map(SyntaxToken::kind).collect();
        use SyntaxKind::*;
        return (string.kind() == SyntaxKind::NODE_STRING
            && kinds == [TOKEN_STRING_START, TOKEN_STRING_CONTENT, TOKEN_STRING_END])
        .then_some(tokens);
    }
    let mut window = vec![token.clone()];
    // A whitespace token is never next to another, so from an edited
    // whitespace token this takes the runs on both sides of it.
    let mut first = token.clone();
    while let Some(previous) = first.prev_token() {
        if previous.kind() == SyntaxKind::TOKEN_WHITESPACE {
            break;
        }
        window.insert(0, previous.clone());
        first = previous;
        if window.len() > MAX_WINDOW_TOKENS {
            return None;
        }
    }
    let mut last = token.clone();
    while let Some(next) = last.next_token() {
        if next.kind() == SyntaxKind::TOKEN_WHITESPACE {
            break;
        }
        window.push(next.clone());
        last = next;
        if window.len() > MAX_WINDOW_TOKENS {
            return None;
        }
    }
    window
        .iter()
        .all(|token| is_context_free(token.kind()))
        .then_some(window)
}

fn relex_token(
    file: &SourceFile,
    token: SyntaxToken,
    edit: &TextEdit,
    new_text: &str,
) -> Option<SourceFile> {
    let window = window_of(&token)?;
    let index = window.iter().position(|other| *other == token)?;
    let (first, last) = (window.first()?, window.last()?);
    let old_range = TextRange::new(first.text_range().start(), last.text_range().end());
    if usize::from(old_range.len()) > MAX_WINDOW_BYTES {
        return None;
    }
    let delta = i64::from(u32::from(TextSize::of(edit.insert.as_str())))
        - i64::from(u32::from(edit.range.len()));
    let new_end = u32::try_from(i64::from(u32::from(old_range.end())) + delta).ok()?;
    let new_range = TextRange::new(old_range.start(), new_end.into());
    let window_text = new_text.get(std::ops::Range::<usize>::from(new_range))?;
    // The edited token's new text.
    let token_range = token.text_range();
    let token_end = u32::try_from(i64::from(u32::from(token_range.end())) + delta).ok()?;
    let token_text = new_text.get(usize::from(token_range.start())..token_end as usize)?;
    // Lex the window alone: the same tokens, the edited one with its new
    // text, or nothing is re-used.
    let mut lexed = rnix::tokenize(window_text);
    for (position, old) in window.iter().enumerate() {
        let (kind, text) = lexed.next()?;
        let expected = if position == index {
            token_text
        } else {
            old.text()
        };
        if kind != old.kind() || text != expected {
            return None;
        }
    }
    if lexed.next().is_some() {
        return None;
    }
    let green = GreenToken::new(rowan::SyntaxKind(token.kind() as u16), token_text);
    let root = Root::cast(rnix::SyntaxNode::new_root(token.replace_with(green)))?;
    let errors = shifted_errors(file.errors(), token_range, delta)?;
    Some(SourceFile::relexed(new_text.to_string(), root, errors))
}

/// The errors of the file before the edit, moved to where the same tokens
/// are after it: an error after the token moves by `delta`, one that spans
/// the token grows by it.
fn shifted_errors(
    errors: &[SyntaxError],
    token: TextRange,
    delta: i64,
) -> Option<Vec<SyntaxError>> {
    let shift = |offset: TextSize| -> Option<TextSize> {
        u32::try_from(i64::from(u32::from(offset)) + delta)
            .ok()
            .map(TextSize::from)
    };
    errors
        .iter()
        .map(|error| {
            let range = error.range;
            let moved = if range.end() <= token.start() && !range.is_empty()
                || range.end() < token.start()
            {
                range
            } else if range.start() >= token.end() {
                TextRange::new(shift(range.start())?, shift(range.end())?)
            } else if range.start() <= token.start() && range.end() >= token.end() {
                TextRange::new(range.start(), shift(range.end())?)
            } else {
                return None;
            };
            Some(SyntaxError {
                range: moved,
                message: error.message.clone(),
            })
        })
        .collect()
}
