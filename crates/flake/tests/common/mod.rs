//! Shared helpers for the flake crate's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use flakeedit_flake::{run, FlakeError, Lock, Operation};
use flakeedit_oracle::Nix;

/// The repository's `tests/` directory.
pub fn repo_tests() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests")
}

/// Reads `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> String {
    let path = repo_tests().join("fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.nix` file of a fixture directory, sorted.
pub fn fixtures_in(directory: &str) -> Vec<(String, String)> {
    let dir = repo_tests().join("fixtures").join(directory);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".nix"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = fixture(&format!("{directory}/{name}"));
            (name, text)
        })
        .collect()
}

/// Runs an operation; `Ok` holds the new text (the old one if unchanged).
pub fn apply(text: &str, operation: &Operation, lock: Option<&Lock>) -> Result<String, FlakeError> {
    let result = run(operation, text, lock)?;
    Ok(result.new_text.unwrap_or_else(|| text.to_string()))
}

/// What a test asks for in [`check_assist`].
pub enum Assist {
    /// An operation, as the CLI or a code action runs it; it names what it
    /// acts on, so the text has no cursor.
    Operation(Operation),
    /// The fix of the diagnostic under the `$0` cursor, as `check --fix`
    /// and the server's quick fix apply it (through `apply_verified`).
    Fix,
}

/// The cursor marker of [`check_assist`] fixtures.
pub const CURSOR: &str = "$0";

/// rust-analyzer's `check_assist(before$0, after)` for flake edits: does
/// `assist` on `before` and compares the whole new text with `after`
/// (`UPDATE_EXPECT=1` rewrites it). The edit must change the file, the real
/// Nix parser must accept the result, and doing it again must change
/// nothing (an operation) or find nothing left to fix (a fix). Returns the
/// new text, for the test's own checks of its meaning.
pub fn check_assist(assist: Assist, before: &str, after: expect_test::Expect) -> String {
    let cursor = before.find(CURSOR);
    let text = before.replacen(CURSOR, "", 1);
    assert!(
        !text.contains(CURSOR),
        "more than one {CURSOR} cursor in the fixture"
    );
    let new_text = match assist {
        Assist::Operation(operation) => {
            assert!(
                cursor.is_none(),
                "an operation names what it acts on: the fixture has no {CURSOR} cursor"
            );
            edit_once(&operation, &text)
        }
        Assist::Fix => {
            let offset = cursor.unwrap_or_else(|| panic!("a fix needs a {CURSOR} cursor"));
            fix_once(&text, offset)
        }
    };
    after.assert_eq(&new_text);
    if let Err(error) = Nix::require().parse(&new_text) {
        panic!("nix-instantiate --parse rejects the result: {error}");
    }
    new_text
}

/// Runs `operation`, which must change `text`, and checks that a second
/// run changes nothing.
fn edit_once(operation: &Operation, text: &str) -> String {
    let result = run(operation, text, None)
        .unwrap_or_else(|error| panic!("refused: {}", render_error(text, &error)));
    let new_text = result.new_text.expect("the edit changed nothing");
    // Twice is once: the second run changes nothing, or (a removal) finds
    // nothing left to do and says so.
    match run(operation, &new_text, None) {
        Ok(again) => assert_eq!(again.new_text, None, "the edit is not idempotent"),
        Err(error) => assert_eq!(
            error.kind,
            flakeedit_flake::ErrorKind::NotApplicable,
            "the second run: {}",
            render_error(&new_text, &error)
        ),
    }
    new_text
}

/// Applies the fix of the one diagnostic with a fix whose range holds
/// `offset`, and checks that the diagnostic is gone afterwards.
fn fix_once(text: &str, offset: usize) -> String {
    use flakeedit_flake::{apply_verified, check, CheckOptions, Flake};
    use flakeedit_syntax::{SourceFile, TextSize};

    let file = SourceFile::parse(text);
    let flake = Flake::read(&file)
        .unwrap_or_else(|error| panic!("not a flake: {}", render_error(text, &error)));
    let at = TextSize::from(u32::try_from(offset).expect("a small fixture"));
    let diagnostics = check(&file, None, &CheckOptions::default());
    let under_cursor: Vec<_> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.fix.is_some() && diagnostic.range.contains_inclusive(at))
        .collect();
    let [diagnostic] = under_cursor.as_slice() else {
        panic!(
            "not one fixable diagnostic at the cursor: {:#?}",
            diagnostics
                .iter()
                .map(|d| (d.code, d.range, d.fix.is_some()))
                .collect::<Vec<_>>()
        );
    };
    let fix = diagnostic.fix.as_ref().expect("filtered on having a fix");
    let edited = apply_verified(&file, &flake, &fix.changes, &fix.allowed)
        .unwrap_or_else(|error| panic!("the fix is refused: {}", render_error(text, &error)));
    let new_text = edited.file.text().to_string();
    assert_ne!(new_text, text, "the fix changed nothing");
    let left: Vec<_> = check(&edited.file, None, &CheckOptions::default())
        .into_iter()
        .filter(|d| d.code == diagnostic.code && d.subject == diagnostic.subject)
        .map(|d| d.message)
        .collect();
    assert!(left.is_empty(), "the fix left its diagnostic: {left:?}");
    new_text
}

/// The refusal counterpart of [`check_assist`]: `operation` on `before` is
/// refused, and `expected` is the error as a user reads it
/// (`line:col: kind: message`, then the hint and related places).
pub fn check_refused(operation: &Operation, before: &str, expected: expect_test::Expect) {
    match run(operation, before, None) {
        Ok(result) => panic!("not refused; the new text is:\n{:?}", result.new_text),
        Err(error) => expected.assert_eq(&render_error(before, &error)),
    }
}

/// A refusal as text: its position (`line:col`, 1-based), kind, message,
/// hint and related places.
pub fn render_error(text: &str, error: &FlakeError) -> String {
    let file = flakeedit_syntax::SourceFile::parse(text);
    let at = |range: flakeedit_syntax::TextRange| file.lines().line_col(text, range.start());
    let mut out = match error.range {
        Some(range) => format!("{}: {:?}: {}\n", at(range), error.kind, error.message),
        None => format!("{:?}: {}\n", error.kind, error.message),
    };
    if let Some(hint) = &error.hint {
        out.push_str(&format!("  hint: {hint}\n"));
    }
    for (range, label) in &error.related {
        out.push_str(&format!("  {}: {label}\n", at(*range)));
    }
    out
}

/// The stubs directory as a Nix string literal.
pub fn stubs() -> String {
    let dir = repo_tests().join("stubs");
    let dir = dir.canonicalize().expect("tests/stubs exists");
    serde_json::to_string(dir.to_str().expect("UTF-8 path")).expect("string")
}

/// `(import ./flake.nix).inputs` as JSON.
pub fn inputs_json(nix: &Nix, text: &str) -> serde_json::Value {
    nix.eval_flake(text, "(import ./flake.nix).inputs or {}")
}

/// `builtins.functionArgs (import ./flake.nix).outputs` as JSON.
pub fn outputs_args(nix: &Nix, text: &str) -> serde_json::Value {
    nix.eval_flake(text, "builtins.functionArgs (import ./flake.nix).outputs")
}

/// Calls `outputs` with stub inputs the way Nix does (every declared input)
/// and returns the names of the outputs: fails when the pattern rejects an
/// input ("called with unexpected argument") or lacks one.
pub fn output_names(nix: &Nix, text: &str) -> serde_json::Value {
    nix.eval_flake(
        text,
        &format!(
            "builtins.attrNames (import ({stubs} + \"/eval.nix\") {{ flake = ./flake.nix; }})",
            stubs = stubs()
        ),
    )
}

/// Compares `actual` with the snapshot file `tests/snapshots/<name>`
/// through expect-test's `expect_file!` (`UPDATE_EXPECT=1` rewrites it).
///
/// expect-test reads a snapshot with its CRLF turned into LF, and these
/// snapshots must show that a CRLF file stays CRLF byte for byte; so the
/// stored bytes are compared first, a difference in line endings alone
/// fails here, and expect-test shows (or rewrites) any other difference.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::fs::read(&path).is_ok_and(|stored| stored == actual.as_bytes()) {
        return;
    }
    let snapshot = expect_test::expect_file![&path];
    let updating = std::env::var_os("UPDATE_EXPECT").is_some();
    if !updating && path.exists() && snapshot.data() == actual.replace("\r\n", "\n") {
        panic!(
            "snapshot {}: the text is the same but its line endings differ \
             (UPDATE_EXPECT=1 to accept)",
            path.display()
        );
    }
    snapshot.assert_eq(actual);
    if updating {
        // expect-test skips the write when only line endings differ.
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// The whole before and after text of an edit, for a snapshot.
pub fn before_after(fixture: &str, before: &str, command: &str, after: &str) -> String {
    format!("=== before: {fixture}\n{before}\n=== after: flakeedit {command}\n{after}\n")
}
