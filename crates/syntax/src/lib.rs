//! Lossless Nix syntax access and text-edit change sets for flakeedit.
//!
//! `flakeedit-syntax` reads Nix files with [`rnix`] (a lossless concrete
//! syntax tree on `rowan`) and never rewrites a tree: every modification is a
//! [`ChangeSet`] of byte-range replacements, applied to the original text and
//! then re-parsed and checked ([`ChangeSet::apply`]). This is the model of
//! rust-analyzer's assists, and it maps one to one onto LSP text edits.
//!
//! ```
//! use flakeedit_syntax::{insert_entry, ChangeSet, InsertPosition, SourceFile, SyntaxKind};
//!
//! let file = SourceFile::parse("{\n  a = 1; # one\n  b = 2;\n}\n");
//! let set = (file.syntax().descendants())
//!     .find(|node| node.kind() == SyntaxKind::NODE_ATTR_SET)
//!     .expect("an attribute set");
//! let mut changes = ChangeSet::new();
//! changes.add(insert_entry(&file, &set, "c = 3;", InsertPosition::Last)?)?;
//! let changed = changes.apply(&file)?; // re-parsed: the result is valid Nix
//! assert_eq!(changed.text(), "{\n  a = 1; # one\n  b = 2;\n  c = 3;\n}\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Preservation contract
//!
//! What flakeedit promises about the bytes of a file. Each clause has a test
//! named after it in `tests/contract.rs`.
//!
//! 1. **Round trip.** Parsing then printing a file gives back its bytes
//!    exactly, for every file: with comments, CRLF line endings, tabs,
//!    non-ASCII text, no trailing newline, and with syntax errors.
//! 2. **Untouched outside edits.** Applying a change set changes only the
//!    bytes inside its edit ranges; everything before, between and after
//!    them is copied verbatim.
//! 3. **No broken files.** A change set applied to a file that parses yields
//!    a file that parses, or an error and no text ([`ApplyError::BrokeSyntax`]).
//! 4. **Line endings.** New text uses the file's line ending (the majority of
//!    its line breaks: LF or CRLF); a CRLF file never gains a bare LF.
//! 5. **Indentation.** A new binding is indented like the entries of the set
//!    it joins; nested lines add that set's indent unit (a tab, 2 or 4
//!    spaces). A set without entries takes the file's indent unit.
//! 6. **One-line sets stay one line.** A binding added to a set written on
//!    one line is written on that line, separated by single spaces. An empty
//!    `{ }` becomes multi-line only when the new binding is. Except: a
//!    change set passed through [`break_long_one_line_sets`] writes a
//!    one-line set that would grow past [`MAX_LINE_WIDTH`] columns one
//!    binding per line, in the file's indentation and line ending.
//! 7. **Comments stay attached.** A binding inserted after another goes
//!    after that binding's same-line `# comment`; one inserted before a
//!    binding goes above the comment lines directly over it. Removing a
//!    binding ([`remove_entry`]) removes its same-line trailing comment,
//!    never a comment above. Removing bindings as a whole declaration
//!    ([`remove_entries`]) also removes the comment lines directly above
//!    each (no blank line between), which describe only it.
//! 8. **Blank-line groups.** When a set has three or more entries and every
//!    two of them are separated by a blank line, a new entry is too (two
//!    entries apart, often `inputs` and `outputs`, are not yet a pattern). A
//!    binding inserted before an entry that a blank line sets apart keeps it
//!    apart; one inserted beside a related binding ([`InsertPosition::Beside`])
//!    never gets a blank line. Removing a binding never leaves two blank lines
//!    together, nor a blank line just inside a brace, where there was none.
//! 9. **Escaping.** Every string written from a value is a Nix string
//!    literal with `\`, `"`, `${`, newlines, carriage returns and tabs
//!    escaped; attribute names that are not plain identifiers are quoted
//!    (`"hls-1.10"`). No value can end a string or start an interpolation.
//! 10. **Formals keep their layout.** Adding or removing a lambda formal
//!     keeps the pattern one-line or one-per-line, with leading or trailing
//!     commas as it had; new formals go before `...`.
//!
//! What is *not* preserved: nothing else. flakeedit does not reformat,
//! re-order or normalise anything it does not insert or remove.
//!
//! # Limitations
//!
//! - This crate knows Nix syntax, not meaning: whether an edit keeps what a
//!   flake means is checked by `flakeedit-flake` (its `run`), not here.
//! - Trees are read-only (rowan 0.17 has no mutable API); every change is
//!   text, so callers compute all edits of one change set against the same
//!   original text and must keep them from overlapping.
//! - A file with syntax errors can be printed back byte for byte, but edits
//!   on it are not checked for new errors (there is no valid "before").

#![warn(missing_docs)]

mod attrpath;
mod change;
mod duplicates;
mod edit;
mod escape;
mod free;
mod pattern;
mod relex;
mod reparse;
mod scope;
mod source;
pub mod style;

pub use attrpath::{
    as_attr_set, attr_name, attrpath_names, find_path, is_trivia, root_attr_set, static_string,
    strip_parens, PathMatch, PathMatchKind,
};
pub use change::{ApplyError, ChangeSet, OverlapError, TextEdit, Warning, WarningCode};
pub use duplicates::{adds_duplicates, duplicate_attributes};
pub use edit::{
    break_long_one_line_sets, insert_entry, remove_entries, remove_entry, replace_value,
    InsertPosition, MalformedError, MAX_LINE_WIDTH,
};
pub use escape::{
    attr_name as quote_attr_name, attr_path as quote_attr_path, is_plain_identifier, string_literal,
};
pub use free::{
    free_variables, is_global, references, references_within, FreeVariables, Reference, Resolution,
    TooDeep,
};
pub use pattern::{add_formal, formal_name, formal_names, pattern_alias, remove_formal};
pub use reparse::Reparsed;
pub use scope::{scope_at, Binder, BinderKind, Scope};
pub use source::{LineCol, LineIndex, SourceFile, SyntaxError};

pub use rnix;
pub use rnix::{SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize};
