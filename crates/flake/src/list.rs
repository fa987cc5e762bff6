//! `list-inputs`: a summary of every input, for people and for `--json`.

use std::collections::BTreeMap;

use flakeedit_syntax::SourceFile;

use crate::lock::Lock;
use crate::model::{Flake, NestedFollows};

/// What `flake.lock` says about an input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LockedSummary {
    /// The lock node's name.
    pub node: String,
    /// The locked commit, if any.
    pub rev: Option<String>,
    /// `lastModified`, seconds since the epoch.
    #[serde(rename = "lastModified")]
    pub last_modified: Option<i64>,
}

/// One input as listed by `list-inputs` (and its `--json` schema).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputSummary {
    /// The input's name.
    pub name: String,
    /// Its `url`, if written.
    pub url: Option<String>,
    /// Attribute-set reference fields (`type`, `owner`, `repo`, …).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub reference: BTreeMap<String, String>,
    /// False when `flake = false`.
    pub flake: bool,
    /// The input's own `follows`, if it is one.
    pub follows: Option<String>,
    /// Nested follows at any depth.
    pub nested_follows: Vec<NestedFollows>,
    /// The locked node, when a lock is given and has the input.
    pub locked: Option<LockedSummary>,
    /// 1-based line of the first declaration.
    pub line: u32,
    /// 1-based column of the first declaration.
    pub column: u32,
}

/// Summarises every input of a flake.
pub fn list_inputs(file: &SourceFile, flake: &Flake, lock: Option<&Lock>) -> Vec<InputSummary> {
    flake
        .inputs
        .iter()
        .map(|input| {
            let position = file.lines().line_col(file.text(), input.range().start());
            InputSummary {
                name: input.name.clone(),
                url: input.url().map(str::to_string),
                reference: input.reference(),
                flake: input.flake() != Some(false),
                follows: input.follows().map(str::to_string),
                nested_follows: input.nested_follows(),
                locked: lock.and_then(|lock| {
                    let (node, locked) = lock.node_of_input(&input.name)?;
                    Some(LockedSummary {
                        node: node.to_string(),
                        rev: locked.rev.clone(),
                        last_modified: locked.last_modified,
                    })
                }),
                line: position.line,
                column: position.col,
            }
        })
        .collect()
}
