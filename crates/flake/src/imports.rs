//! The files a flake's outputs `import` (`packages = forAllSystems (pkgs:
//! import ./pkgs { inherit pkgs; });`), read only to learn the attribute
//! names they define: a new package is then merged after the import
//! (`import ./pkgs { … } // { name = …; }`) when the file shows it does not
//! define that name already. flakeedit still edits one file; it never
//! writes these.
//!
//! Names are read deep inside layout detection, which runs before the edit
//! and again to verify it, on syntax nodes that do not know their file. The
//! directory is therefore set for the duration of one operation with
//! [`beside`], on the calling thread, rather than threaded through every
//! function that reads names. Without it (text with no file, as in most
//! library calls), an import has no known names and the edit is refused as
//! before.
//!
//! Only files inside the flake's directory are read, up to
//! [`MAX_IMPORTED_BYTES`], and only one level deep: an `import` inside an
//! imported file has no known names.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::SourceFile;

/// Imported files larger than this are not read.
pub const MAX_IMPORTED_BYTES: u64 = 1 << 20;

struct Directory {
    root: PathBuf,
    parsed: RefCell<HashMap<PathBuf, Option<SourceFile>>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Directory>>> = const { RefCell::new(None) };
    static READING: RefCell<bool> = const { RefCell::new(false) };
}

/// Runs `f` with the imports of the flake at `flake_file` readable: a
/// relative `import ./x` in the outputs is read from the file's directory.
pub fn beside<T>(flake_file: &Path, f: impl FnOnce() -> T) -> T {
    let root = flake_file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let root = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };
    let directory = Rc::new(Directory {
        root,
        parsed: RefCell::new(HashMap::new()),
    });
    let _restore = Restore(CURRENT.with(|current| current.replace(Some(directory))));
    f()
}

/// Puts back the directory that was current, even when the operation
/// unwinds (the language server catches panics and goes on).
struct Restore(Option<Rc<Directory>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT.with(|current| *current.borrow_mut() = previous);
    }
}

/// Clears the "reading an imported file" mark, even on unwinding.
struct Reading(bool);

impl Drop for Reading {
    fn drop(&mut self) {
        let previous = self.0;
        READING.with(|reading| *reading.borrow_mut() = previous);
    }
}

/// The path below the flake's directory that `relative` (`./pkgs`,
/// `./nix/packages.nix`) names; `None` when it leaves the directory.
fn below(relative: &str) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for component in Path::new(relative).components() {
        match component {
            Component::CurDir => {}
            Component::Normal(part) => path.push(part),
            Component::ParentDir => {
                if !path.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(path)
}

fn read(root: &Path, relative: &Path) -> Option<SourceFile> {
    let mut path = root.join(relative);
    if path.is_dir() {
        path.push("default.nix");
    }
    let metadata = std::fs::metadata(&path).ok()?;
    if !metadata.is_file() || metadata.len() > MAX_IMPORTED_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let file = SourceFile::parse(text);
    file.is_valid().then_some(file)
}

/// The expression of the file `relative` (as written after `import`)
/// names, parsed, when it can be read; never from inside another imported
/// file.
fn expression(relative: &str) -> Option<ast::Expr> {
    if READING.with(|reading| *reading.borrow()) {
        return None;
    }
    let directory = CURRENT.with(|current| current.borrow().clone())?;
    let relative = below(relative)?;
    let mut parsed = directory.parsed.borrow_mut();
    let file = parsed
        .entry(relative.clone())
        .or_insert_with(|| read(&directory.root, &relative));
    file.as_ref()?.root().expr()
}

/// The `.nix` files beside the flake (not `flake.nix`) that read
/// `flake.lock` and mention `name` as a word
/// (`lock.nodes.flake-compat.locked`, `nodes."flake-compat"`):
/// flake-compat's `default.nix` and `shell.nix` read an input through
/// `flake.lock` this way. `None` when the operation has no directory.
pub(crate) fn siblings_mentioning(name: &str) -> Option<Vec<String>> {
    let directory = CURRENT.with(|current| current.borrow().clone())?;
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(&directory.root) else {
        return Some(found);
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .collect();
    paths.sort();
    for path in paths {
        let Some(file_name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        if !file_name.ends_with(".nix") || file_name == "flake.nix" {
            continue;
        }
        let small = std::fs::metadata(&path)
            .is_ok_and(|metadata| metadata.is_file() && metadata.len() <= MAX_IMPORTED_BYTES);
        let Some(text) = small.then(|| std::fs::read_to_string(&path).ok()).flatten() else {
            continue;
        };
        // Only a file that reads the lock reads inputs through it
        // (`import <nixpkgs>` names NIX_PATH's nixpkgs, not the input).
        if text.contains("flake.lock") && mentions(&text, name) {
            found.push(file_name.to_string());
        }
    }
    Some(found)
}

/// Whether `text` holds `name` not as part of a longer identifier.
fn mentions(text: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '\'');
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// Reads `f` of the expression the file `relative` holds, applied to
/// `arguments` arguments: the body after that many function parameters.
/// `None` when the file cannot be read, takes fewer parameters, or is
/// still a function after them.
pub(crate) fn with_body<T>(
    relative: &str,
    arguments: usize,
    f: impl FnOnce(&ast::Expr) -> Option<T>,
) -> Option<T> {
    let mut body = expression(relative)?;
    for _ in 0..arguments {
        let ast::Expr::Lambda(lambda) = flakeedit_syntax::strip_parens(body) else {
            return None;
        };
        body = lambda.body()?;
    }
    if matches!(
        flakeedit_syntax::strip_parens(body.clone()),
        ast::Expr::Lambda(_)
    ) {
        return None;
    }
    let _reading = Reading(READING.with(|reading| reading.replace(true)));
    f(&body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_set_for_one_operation_only() {
        let current = || CURRENT.with(|current| current.borrow().as_ref().map(|d| d.root.clone()));
        assert_eq!(current(), None);
        beside(Path::new("some/dir/flake.nix"), || {
            assert_eq!(current(), Some(PathBuf::from("some/dir")));
            beside(Path::new("flake.nix"), || {
                assert_eq!(current(), Some(PathBuf::from(".")))
            });
            assert_eq!(current(), Some(PathBuf::from("some/dir")));
        });
        assert_eq!(current(), None);
        // An operation that panics does not leave its directory behind.
        let unwound = std::panic::catch_unwind(|| {
            beside(Path::new("other/flake.nix"), || {
                panic!("an operation failed")
            })
        });
        assert!(unwound.is_err());
        assert_eq!(current(), None);
    }

    #[test]
    fn mentions_are_whole_words() {
        assert!(mentions(
            "lock.nodes.flake-compat.locked.rev",
            "flake-compat"
        ));
        assert!(mentions("nodes.\"flake-compat\"", "flake-compat"));
        assert!(!mentions("lock.nodes.flake-compat2.locked", "flake-compat"));
        assert!(!mentions("my-flake-compat", "flake-compat"));
        assert!(mentions("${flakeCompat}", "flakeCompat"));
    }

    #[test]
    fn only_paths_inside_the_directory_are_read() {
        assert_eq!(below("./pkgs"), Some(PathBuf::from("pkgs")));
        assert_eq!(
            below("./nix/../pkgs/a.nix"),
            Some(PathBuf::from("pkgs/a.nix"))
        );
        assert_eq!(below("./."), Some(PathBuf::new()));
        assert_eq!(below("../other"), None);
        assert_eq!(below("./a/../../b"), None);
        assert_eq!(below("/etc/passwd"), None);
    }
}
