//! Change sets: the only way flakeedit modifies text.

use rnix::{TextRange, TextSize};

use crate::source::SourceFile;

/// One replacement of a byte range by new text. An empty range inserts,
/// empty text deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    /// The byte range replaced, in the original text.
    pub range: TextRange,
    /// The text put in its place.
    pub insert: String,
}

impl TextEdit {
    /// Inserts `text` at `offset`.
    pub fn insert(offset: TextSize, text: impl Into<String>) -> TextEdit {
        TextEdit {
            range: TextRange::empty(offset),
            insert: text.into(),
        }
    }

    /// Replaces `range` by `text`.
    pub fn replace(range: TextRange, text: impl Into<String>) -> TextEdit {
        TextEdit {
            range,
            insert: text.into(),
        }
    }

    /// Deletes `range`.
    pub fn delete(range: TextRange) -> TextEdit {
        TextEdit {
            range,
            insert: String::new(),
        }
    }
}

/// Two edits of one change set touch the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("internal error: overlapping edits at {first:?} and {second:?}")]
pub struct OverlapError {
    /// The range of the edit already in the set.
    pub first: TextRange,
    /// The range of the edit that was refused.
    pub second: TextRange,
}

/// Why a change set could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// An edit lies outside the text or splits a character.
    #[error("internal error: edit {range:?} does not fit a text of {len} bytes")]
    OutOfBounds {
        /// The offending range.
        range: TextRange,
        /// Length of the text.
        len: usize,
    },
    /// The text parsed before the change and no longer does.
    #[error("internal error: the edit would break the file's syntax ({message} at byte {offset}); nothing was written")]
    BrokeSyntax {
        /// The first new syntax error.
        message: String,
        /// Its byte offset in the changed text.
        offset: u32,
    },
}

/// What a [`Warning`] is about: a stable identity, so front-ends never
/// match on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningCode {
    /// The file already says what was asked; nothing changed.
    NothingToDo,
    /// A removed input is still used (the removal was forced); the range is
    /// the use.
    StillUsed,
    /// Whether a construct reads a removed input cannot be decided; the
    /// range is the construct.
    Undecided,
    /// Something was removed or replaced as a consequence of the edit (a
    /// branch next to a new pin, the nested inputs of a non-flake input).
    Replaced,
    /// `flake.lock` must be updated, or lacks what the edit needed.
    Lock,
    /// A placeholder hash was written or left in place.
    Placeholder,
    /// A reference moved to another release.
    Moved,
    /// Something the command would have changed was left as it is, and why.
    Skipped,
    /// A new output is merged with an operand that may define it too.
    MaybeOverridden,
    /// A value the user did not give was chosen in a way they may not want.
    Defaulted,
}

impl WarningCode {
    /// The code's stable kebab-case name (`nothing-to-do`).
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::NothingToDo => "nothing-to-do",
            WarningCode::StillUsed => "still-used",
            WarningCode::Undecided => "undecided",
            WarningCode::Replaced => "replaced",
            WarningCode::Lock => "lock",
            WarningCode::Placeholder => "placeholder",
            WarningCode::Moved => "moved",
            WarningCode::Skipped => "skipped",
            WarningCode::MaybeOverridden => "maybe-overridden",
            WarningCode::Defaulted => "defaulted",
        }
    }
}

impl std::fmt::Display for WarningCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something the user should know about a change (not an error). The
/// message does not spell the position: front-ends render `range` in their
/// own terms (`path:line:col`, an LSP range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What it is about.
    pub code: WarningCode,
    /// What happened and what to do, without the position.
    pub message: String,
    /// The bytes it is about, in the text before the change, when there is
    /// one place.
    pub range: Option<TextRange>,
}

impl Warning {
    /// A warning about no place in particular.
    pub fn new(code: WarningCode, message: impl Into<String>) -> Warning {
        Warning {
            code,
            message: message.into(),
            range: None,
        }
    }

    /// The same warning about `range`.
    pub fn at(mut self, range: TextRange) -> Warning {
        self.range = Some(range);
        self
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A set of non-overlapping text edits plus warnings for the user.
///
/// Edits are kept sorted by position. Several insertions at the same offset
/// are applied in the order they were added. A change set maps one to one
/// onto LSP `TextEdit`s (after converting byte offsets to the client's
/// position encoding).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    edits: Vec<TextEdit>,
    /// Things the user should know about the change (not errors).
    pub warnings: Vec<Warning>,
    /// Inputs whose `flake.lock` entry no longer matches the file after
    /// this change: `nix flake lock --update-input NAME` for each.
    pub relock: Vec<String>,
}

impl ChangeSet {
    /// An empty change set.
    pub fn new() -> ChangeSet {
        ChangeSet::default()
    }

    /// Adds a warning about no place in particular.
    pub fn warn(&mut self, code: WarningCode, message: impl Into<String>) {
        self.warnings.push(Warning::new(code, message));
    }

    /// Adds a warning about `range` (in the text before the change).
    pub fn warn_at(&mut self, code: WarningCode, range: TextRange, message: impl Into<String>) {
        self.warnings.push(Warning::new(code, message).at(range));
    }

    /// True when the set has no edit (warnings do not count).
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// The edits, sorted by position.
    pub fn edits(&self) -> &[TextEdit] {
        &self.edits
    }

    /// Adds an edit, refusing one that overlaps an edit already present.
    /// Insertions at the very start or end of a replaced range are allowed.
    pub fn add(&mut self, edit: TextEdit) -> Result<(), OverlapError> {
        // Position after every edit that starts before it (or at the same
        // point and is an insertion), so same-offset inserts keep their order.
        let index = self.edits.partition_point(|existing| {
            existing.range.start() < edit.range.start()
                || (existing.range.start() == edit.range.start() && existing.range.is_empty())
        });
        if let Some(previous) = index.checked_sub(1).map(|i| &self.edits[i]) {
            if previous.range.end() > edit.range.start() {
                return Err(OverlapError {
                    first: previous.range,
                    second: edit.range,
                });
            }
        }
        if let Some(next) = self.edits.get(index) {
            let touches = edit.range.end() > next.range.start()
                || (!edit.range.is_empty()
                    && !next.range.is_empty()
                    && edit.range.start() == next.range.start());
            if touches {
                return Err(OverlapError {
                    first: next.range,
                    second: edit.range,
                });
            }
        }
        self.edits.insert(index, edit);
        Ok(())
    }

    /// Adds every edit and warning of `other`.
    pub fn extend(&mut self, other: ChangeSet) -> Result<(), OverlapError> {
        for edit in other.edits {
            self.add(edit)?;
        }
        self.warnings.extend(other.warnings);
        Ok(())
    }

    /// Applies the edits to `text` without checking the result's syntax.
    pub fn apply_unchecked(&self, text: &str) -> Result<String, ApplyError> {
        let mut output = String::with_capacity(
            text.len() + self.edits.iter().map(|e| e.insert.len()).sum::<usize>(),
        );
        let mut cursor = 0usize;
        for edit in &self.edits {
            let start = usize::from(edit.range.start());
            let end = usize::from(edit.range.end());
            if end > text.len()
                || start < cursor
                || !text.is_char_boundary(start)
                || !text.is_char_boundary(end)
            {
                return Err(ApplyError::OutOfBounds {
                    range: edit.range,
                    len: text.len(),
                });
            }
            output.push_str(&text[cursor..start]);
            output.push_str(&edit.insert);
            cursor = end;
        }
        output.push_str(&text[cursor..]);
        Ok(output)
    }

    /// Applies the edits to `file`, re-parses the result and refuses it when
    /// a file that parsed no longer does. Returns the new file.
    ///
    /// Only the nodes around the edits are re-parsed when that provably
    /// gives the tree a whole parse would (see [`SourceFile::reparsed`]);
    /// otherwise the whole text is.
    pub fn apply(&self, file: &SourceFile) -> Result<SourceFile, ApplyError> {
        let text = self.apply_unchecked(file.text())?;
        let changed = match crate::reparse::reparse(file, &self.edits, text) {
            Ok(spliced) => return Ok(spliced),
            Err(text) => SourceFile::parse(text),
        };
        if file.is_valid() {
            if let Some(error) = changed.errors().first() {
                return Err(ApplyError::BrokeSyntax {
                    message: error.message.clone(),
                    offset: error.range.start().into(),
                });
            }
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(start: u32, end: u32) -> TextRange {
        TextRange::new(start.into(), end.into())
    }

    #[test]
    fn edits_are_sorted_and_applied_together() {
        let mut changes = ChangeSet::new();
        changes.add(TextEdit::replace(range(6, 7), "2")).unwrap();
        changes.add(TextEdit::insert(2.into(), "b = 1; ")).unwrap();
        let text = "{ a = 1; }";
        assert_eq!(changes.apply_unchecked(text).unwrap(), "{ b = 1; a = 2; }");
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let mut changes = ChangeSet::new();
        changes.add(TextEdit::replace(range(2, 6), "x")).unwrap();
        assert!(changes.add(TextEdit::replace(range(5, 8), "y")).is_err());
        assert!(changes.add(TextEdit::replace(range(0, 3), "y")).is_err());
        assert!(changes.add(TextEdit::insert(4.into(), "y")).is_err());
        assert!(changes.add(TextEdit::replace(range(2, 3), "y")).is_err());
        // Touching at the boundaries is fine.
        changes.add(TextEdit::insert(2.into(), "<")).unwrap();
        changes.add(TextEdit::insert(6.into(), ">")).unwrap();
        assert_eq!(changes.apply_unchecked("0123456789").unwrap(), "01<x>6789");
    }

    #[test]
    fn same_offset_insertions_keep_their_order() {
        let mut changes = ChangeSet::new();
        changes.add(TextEdit::insert(1.into(), "a")).unwrap();
        changes.add(TextEdit::insert(1.into(), "b")).unwrap();
        assert_eq!(changes.apply_unchecked("xy").unwrap(), "xaby");
    }

    #[test]
    fn out_of_bounds_edits_fail_instead_of_panicking() {
        let mut changes = ChangeSet::new();
        changes.add(TextEdit::insert(50.into(), "a")).unwrap();
        assert!(changes.apply_unchecked("short").is_err());
        let mut changes = ChangeSet::new();
        changes.add(TextEdit::insert(1.into(), "a")).unwrap();
        assert!(changes.apply_unchecked("é").is_err());
    }

    #[test]
    fn apply_refuses_to_break_a_valid_file() {
        let file = SourceFile::parse("{ a = 1; }");
        let mut changes = ChangeSet::new();
        changes.add(TextEdit::delete(range(7, 8))).unwrap();
        let error = changes.apply(&file).unwrap_err();
        assert!(matches!(error, ApplyError::BrokeSyntax { .. }), "{error}");
        // A file that was already broken may stay broken.
        let broken = SourceFile::parse("{ a = ; }");
        let mut changes = ChangeSet::new();
        changes.add(TextEdit::insert(0.into(), "# note\n")).unwrap();
        assert_eq!(changes.apply(&broken).unwrap().text(), "# note\n{ a = ; }");
    }
}
