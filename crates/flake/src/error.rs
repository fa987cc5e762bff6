//! Errors of flake operations: what went wrong, where, and what to do.

use flakeedit_syntax::{ApplyError, MalformedError, OverlapError, TextRange};

/// The broad class of an error, which decides a bulk run's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file has syntax errors.
    Syntax,
    /// The operation does not apply to this file (e.g. no such input); in
    /// a bulk run this is "not applicable", not a failure.
    NotApplicable,
    /// The file is valid Nix but written in a way flakeedit cannot edit
    /// safely (e.g. `inputs = import ./inputs.nix;`).
    Unsupported,
    /// The request conflicts with the file (e.g. the input exists with
    /// another url).
    Conflict,
    /// The user's arguments are invalid (e.g. an empty input name).
    InvalidArgument,
    /// A bug in flakeedit: an edit broke the file or its postcondition.
    Internal,
    /// A remote repository the edit depends on could not be asked (the
    /// network, a repository that is gone); nothing was written.
    Remote,
}

/// An error of a flake operation, with the range it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FlakeError {
    /// Its class.
    pub kind: ErrorKind,
    /// What went wrong.
    pub message: String,
    /// Where in the file, when it is about a place.
    pub range: Option<TextRange>,
    /// What the user can do about it.
    pub hint: Option<String>,
    /// Further places involved (e.g. every use of an input), with a label.
    pub related: Vec<(TextRange, String)>,
}

impl FlakeError {
    /// A new error without range or hint.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> FlakeError {
        FlakeError {
            kind,
            message: message.into(),
            range: None,
            hint: None,
            related: Vec::new(),
        }
    }

    /// Sets the range the error is about.
    pub fn at(mut self, range: TextRange) -> FlakeError {
        self.range = Some(range);
        self
    }

    /// Sets the hint.
    pub fn hint(mut self, hint: impl Into<String>) -> FlakeError {
        self.hint = Some(hint.into());
        self
    }
}

impl From<OverlapError> for FlakeError {
    fn from(error: OverlapError) -> FlakeError {
        FlakeError::new(ErrorKind::Internal, error.to_string())
            .hint("this is a bug in flakeedit; please report it with the file")
    }
}

impl From<ApplyError> for FlakeError {
    fn from(error: ApplyError) -> FlakeError {
        FlakeError::new(ErrorKind::Internal, error.to_string())
            .hint("this is a bug in flakeedit; please report it with the file")
    }
}

impl From<MalformedError> for FlakeError {
    fn from(error: MalformedError) -> FlakeError {
        FlakeError::new(
            ErrorKind::Syntax,
            format!("cannot edit here: {}", error.what),
        )
        .at(TextRange::empty(error.offset.into()))
        .hint("fix the syntax error first")
    }
}
