//! Which files a run covers: `--file`, `--files-from`, `-r DIR`.
//!
//! The order is the order given: every `--file` first, then the entries of
//! `--files-from`, then each `-r` directory's `flake.nix` files sorted by
//! path. A file named twice is processed once (at its first place), also
//! when reached through different paths or a symlink.
//!
//! Walking follows ripgrep and fd: `.gitignore`, `.ignore`, `.git/info/exclude`
//! and the global git excludes are honoured, hidden directories (`.git`,
//! `.direnv`, …) are skipped and symlinks are not followed. Unlike ripgrep a
//! `.gitignore` counts outside a git repository too, since bulk runs often
//! cover exported or vendored trees. `--hidden` and `--no-ignore` lift the two
//! filters.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::config::Selection;

/// The file name a walk looks for.
const FLAKE_FILE: &str = "flake.nix";

/// The files to process, in the order given, without duplicates.
///
/// Only paths are kept here (a few bytes each); file contents are read one
/// file at a time by the driver, so memory does not grow with the run.
///
/// Called once per run: `--files-from -` consumes stdin.
pub fn select(selection: &Selection) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = selection.files.clone();
    if let Some(list) = &selection.files_from {
        let text = read_list(list)?;
        paths.extend(parse_list(&text, selection.null));
    }
    for directory in &selection.recursive {
        paths.extend(walk(directory, selection.hidden, selection.no_ignore)?);
    }
    if paths.is_empty() && selection.files_from.is_none() && selection.recursive.is_empty() {
        paths.push(PathBuf::from(FLAKE_FILE));
    }
    // The same file reached twice (`a/flake.nix` and `./a/flake.nix`, or a
    // symlink and its target) would be edited twice, racing with itself.
    // One path has no twin: no `stat`, and no hash set (whose random keys
    // cost a `getrandom` call).
    if paths.len() > 1 {
        let mut seen = HashSet::new();
        paths.retain(|path| seen.insert(identity(path)));
    }
    Ok(paths)
}

/// What makes two paths the same file: device and inode (one `stat`), or
/// the path itself when it cannot be read (the run reports why).
#[derive(PartialEq, Eq, Hash)]
enum FileIdentity {
    Inode(u64, u64),
    Path(PathBuf),
}

#[cfg(unix)]
fn identity(path: &Path) -> FileIdentity {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(path) {
        Ok(metadata) => FileIdentity::Inode(metadata.dev(), metadata.ino()),
        Err(_) => FileIdentity::Path(path.to_path_buf()),
    }
}

#[cfg(not(unix))]
fn identity(path: &Path) -> FileIdentity {
    FileIdentity::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Whether the run covers several files (bulk mode), which changes how
/// outcomes are reported: a summary, one line per failure.
pub fn is_bulk(selection: &Selection, selected: usize) -> bool {
    selected > 1 || selection.files_from.is_some() || !selection.recursive.is_empty()
}

fn read_list(list: &Path) -> Result<Vec<u8>> {
    let mut text = Vec::new();
    if list.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut text)
            .context("cannot read the file list from stdin")?;
    } else {
        text = std::fs::read(list)
            .with_context(|| format!("cannot read the file list {}", list.display()))?;
    }
    Ok(text)
}

/// Splits a file list: lines (a trailing `\r` dropped), or NUL-separated
/// entries with `-0`, taken verbatim. Empty entries are skipped.
fn parse_list(text: &[u8], null: bool) -> Vec<PathBuf> {
    let separator = if null { b'\0' } else { b'\n' };
    text.split(|byte| *byte == separator)
        .map(|entry| {
            if null {
                entry
            } else {
                entry.strip_suffix(b"\r").unwrap_or(entry)
            }
        })
        .filter(|entry| !entry.is_empty())
        .map(path_from_bytes)
        .collect()
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    // Paths are bytes on Unix: keep non-UTF-8 names intact.
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// The `flake.nix` files under `directory`, sorted by path.
fn walk(directory: &Path, hidden: bool, no_ignore: bool) -> Result<Vec<PathBuf>> {
    if !directory.is_dir() {
        bail!("{} is not a directory", directory.display());
    }
    let walker = ignore::WalkBuilder::new(directory)
        .hidden(!hidden)
        .ignore(!no_ignore)
        .git_ignore(!no_ignore)
        .git_global(!no_ignore)
        .git_exclude(!no_ignore)
        .parents(!no_ignore)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    let mut found = Vec::new();
    for entry in walker {
        let entry = entry.with_context(|| format!("cannot walk {}", directory.display()))?;
        let is_file = entry
            .file_type()
            .is_some_and(|kind| kind.is_file() || kind.is_symlink());
        if is_file && entry.file_name() == FLAKE_FILE {
            found.push(entry.into_path());
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_lines_or_nul() {
        assert_eq!(
            parse_list(b"a/flake.nix\r\n\nb c/flake.nix\n", false),
            [PathBuf::from("a/flake.nix"), PathBuf::from("b c/flake.nix")]
        );
        assert_eq!(
            parse_list(b"a\nb/flake.nix\0c/flake.nix\0", true),
            [
                PathBuf::from("a\nb/flake.nix"),
                PathBuf::from("c/flake.nix")
            ]
        );
    }

    #[test]
    fn a_file_named_twice_is_selected_once() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join(FLAKE_FILE);
        std::fs::write(&file, "{ }").unwrap();
        let missing = root.path().join("missing.nix");
        let selection = |files: Vec<PathBuf>| Selection {
            files,
            ..Selection::default()
        };
        let twice = selection(vec![
            file.clone(),
            root.path().join(".").join(FLAKE_FILE),
            missing.clone(),
        ]);
        assert_eq!(select(&twice).unwrap(), [file.clone(), missing.clone()]);
        // One path is kept as given, whether or not it exists.
        assert_eq!(
            select(&selection(vec![missing.clone()])).unwrap(),
            [missing]
        );
        assert_eq!(
            select(&Selection::default()).unwrap(),
            [PathBuf::from(FLAKE_FILE)]
        );
    }

    #[test]
    fn walks_honour_gitignore_and_skip_hidden_directories() {
        let root = tempfile::tempdir().unwrap();
        for directory in ["b", "a/nested", "ignored", ".hidden", "a/ignored-too"] {
            std::fs::create_dir_all(root.path().join(directory)).unwrap();
            std::fs::write(root.path().join(directory).join(FLAKE_FILE), "{ }").unwrap();
        }
        std::fs::write(root.path().join("not-a-flake.nix"), "{ }").unwrap();
        std::fs::write(root.path().join(".gitignore"), "/ignored\n").unwrap();
        std::fs::write(root.path().join("a/.gitignore"), "ignored-too/\n").unwrap();
        let relative = |paths: Vec<PathBuf>| -> Vec<String> {
            paths
                .iter()
                .map(|path| {
                    let path = path.strip_prefix(root.path()).unwrap();
                    path.to_string_lossy().into_owned()
                })
                .collect()
        };
        assert_eq!(
            relative(walk(root.path(), false, false).unwrap()),
            ["a/nested/flake.nix", "b/flake.nix"]
        );
        assert_eq!(
            relative(walk(root.path(), true, true).unwrap()),
            [
                ".hidden/flake.nix",
                "a/ignored-too/flake.nix",
                "a/nested/flake.nix",
                "b/flake.nix",
                "ignored/flake.nix"
            ]
        );
    }
}
