//! Reading and writing flake files safely.
//!
//! A write never leaves a truncated or half-written file, even when the
//! process is killed: the new text goes to a temporary file in the same
//! directory (`.flakeedit-<pid>-<random>.tmp`), is flushed to disk, gets the
//! original's permissions and owner, and then replaces the file with one
//! `rename`. Before replacing, the file is read again: when its bytes changed
//! since flakeedit read them, nothing is written.
//!
//! Refused, with a message that says what to do:
//! - read-only files (no write bit at all, checked on the permission bits so
//!   that it holds for root too) and files the user cannot open for writing;
//! - files in a directory without write bits;
//! - files with several hard links: a rename would detach this path from the
//!   others, and writing in place would give up atomicity;
//! - anything that is not a regular file (a FIFO, a device, a directory).
//!
//! A temporary file survives only when the process dies between creating
//! and renaming it. Such leftovers never match `flake.nix`, so no run picks
//! them up as input, and a writing run removes the ones in the directories
//! it visits whose process is gone (on Linux, where that can be checked).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};

/// Prefix and suffix of temporary files.
const TEMPORARY_PREFIX: &str = ".flakeedit-";
const TEMPORARY_SUFFIX: &str = ".tmp";

/// A file read for editing, with what is needed to write it back safely.
pub struct ReadFile {
    /// The path actually written: symlinks resolved.
    pub target: PathBuf,
    /// The bytes read.
    pub bytes: Vec<u8>,
}

/// Reads a file, resolving symlinks so writes go to the target.
pub fn read(path: &Path) -> Result<ReadFile> {
    let target = fs::canonicalize(path)
        .map_err(|error| anyhow!("cannot open: {}", describe_io(path, error)))?;
    // Checked before opening: opening a FIFO would block until a writer came.
    let metadata = fs::metadata(&target).map_err(|error| anyhow!("cannot open: {error}"))?;
    if !metadata.is_file() {
        bail!(
            "cannot read: not a regular file ({})",
            if metadata.is_dir() {
                "a directory"
            } else {
                "a FIFO, socket or device"
            }
        );
    }
    let bytes = fs::read(&target).map_err(|error| anyhow!("cannot read: {error}"))?;
    Ok(ReadFile { target, bytes })
}

fn describe_io(path: &Path, error: std::io::Error) -> String {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            "the path is a symlink whose target does not exist".to_string()
        }
        _ => error.to_string(),
    }
}

/// Writes `new_text` over the file atomically (see the module docs).
/// Refuses when the file changed on disk since it was read.
pub fn write_atomically(file: &ReadFile, new_text: &str) -> Result<()> {
    if new_text.as_bytes() == file.bytes {
        // Never rewrite a file whose bytes would not change.
        return Ok(());
    }
    let directory = file
        .target
        .parent()
        .ok_or_else(|| anyhow!("the file has no parent directory"))?;
    let metadata = fs::metadata(&file.target).map_err(|error| anyhow!("cannot stat: {error}"))?;
    if metadata.permissions().readonly() {
        bail!("the file is read-only; make it writable (chmod u+w) or leave it out");
    }
    check_links(&metadata)?;
    let directory_metadata =
        fs::metadata(directory).map_err(|error| anyhow!("cannot stat its directory: {error}"))?;
    if directory_metadata.permissions().readonly() {
        bail!(
            "its directory {} is read-only; make it writable (chmod u+w) or leave the file out",
            directory.display()
        );
    }
    // The rename only needs a writable directory; make sure the user may
    // write the file itself too, as an in-place editor would need.
    fs::OpenOptions::new()
        .write(true)
        .open(&file.target)
        .map_err(|error| anyhow!("cannot write: {error}"))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!("{TEMPORARY_PREFIX}{}-", std::process::id()))
        .suffix(TEMPORARY_SUFFIX)
        .tempfile_in(directory)
        .map_err(|error| anyhow!("cannot create a temporary file next to it: {error}"))?;
    temporary
        .write_all(new_text.as_bytes())
        .map_err(|error| anyhow!("cannot write the temporary file: {error}"))?;
    fs::set_permissions(temporary.path(), metadata.permissions())
        .map_err(|error| anyhow!("cannot copy the file's permissions: {error}"))?;
    keep_owner(temporary.as_file(), &metadata)?;
    temporary
        .as_file()
        .sync_all()
        .map_err(|error| anyhow!("cannot write the temporary file: {error}"))?;
    // Last check before replacing: has someone else written the file?
    let current = fs::read(&file.target).map_err(|error| anyhow!("cannot re-read: {error}"))?;
    if current != file.bytes {
        bail!("the file changed on disk while flakeedit was editing it; nothing was written, run again");
    }
    temporary
        .persist(&file.target)
        .map_err(|error| anyhow!("cannot replace the file: {}", error.error))?;
    Ok(())
}

#[cfg(unix)]
fn check_links(metadata: &fs::Metadata) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    if metadata.nlink() > 1 {
        bail!(
            "the file has {} hard links; replacing it would detach this path from the others, \
             so nothing was written (give it its own copy with `cp --remove-destination`, or edit it by hand)",
            metadata.nlink()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_links(_metadata: &fs::Metadata) -> Result<()> {
    Ok(())
}

/// Gives the temporary file the original's owner and group when they differ
/// from the running user's (root editing a user's file); refuses when that
/// is not allowed rather than silently changing who owns the file.
#[cfg(unix)]
fn keep_owner(temporary: &fs::File, original: &fs::Metadata) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let created = temporary
        .metadata()
        .map_err(|error| anyhow!("cannot stat the temporary file: {error}"))?;
    if created.uid() == original.uid() && created.gid() == original.gid() {
        return Ok(());
    }
    std::os::unix::fs::fchown(temporary, Some(original.uid()), Some(original.gid())).map_err(
        |error| anyhow!("cannot keep the file's owner and group ({error}); nothing was written"),
    )
}

#[cfg(not(unix))]
fn keep_owner(_temporary: &fs::File, _original: &fs::Metadata) -> Result<()> {
    Ok(())
}

/// Removes temporary files that a killed flakeedit left in `directory`.
/// Only files named by a process that no longer exists are removed, so a
/// run going on at the same time keeps its own. Errors are ignored: this is
/// tidying, not part of the edit.
pub fn remove_stale_temporaries(directory: &Path) {
    let Ok(entries) = fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if let Some(pid) = temporary_owner(name) {
            if pid != std::process::id() && !process_exists(pid) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// The process id in a temporary file's name, when it is one of ours.
fn temporary_owner(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(TEMPORARY_PREFIX)?
        .strip_suffix(TEMPORARY_SUFFIX)?;
    let (pid, _random) = rest.split_once('-')?;
    pid.parse().ok()
}

#[cfg(target_os = "linux")]
fn process_exists(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_exists(_pid: u32) -> bool {
    // Cannot tell cheaply: keep the file (runs ignore it anyway).
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_carry_the_process_id() {
        assert_eq!(temporary_owner(".flakeedit-4242-aB3xYz.tmp"), Some(4242));
        assert_eq!(temporary_owner(".flakeedit-aB3xYz.tmp"), None);
        assert_eq!(temporary_owner("flake.nix"), None);
    }

    #[test]
    fn writes_replace_the_file_and_keep_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("flake.nix");
        fs::write(&path, "{ }\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let file = read(&path).unwrap();
        write_atomically(&file, "{ x = 1; }\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "{ x = 1; }\n");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let names: Vec<_> = fs::read_dir(directory.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["flake.nix"]);
    }

    #[test]
    fn refuses_files_changed_since_they_were_read_and_hard_links() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("flake.nix");
        fs::write(&path, "{ }\n").unwrap();
        let file = read(&path).unwrap();
        fs::write(&path, "{ y = 2; }\n").unwrap();
        let error = write_atomically(&file, "{ x = 1; }\n").unwrap_err();
        assert!(error.to_string().contains("changed on disk"), "{error}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "{ y = 2; }\n");

        fs::hard_link(&path, directory.path().join("other.nix")).unwrap();
        let file = read(&path).unwrap();
        let error = write_atomically(&file, "{ x = 1; }\n").unwrap_err();
        assert!(error.to_string().contains("2 hard links"), "{error}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "{ y = 2; }\n");
    }

    #[test]
    fn removes_only_temporaries_of_dead_processes() {
        let directory = tempfile::tempdir().unwrap();
        let own = format!(".flakeedit-{}-abc.tmp", std::process::id());
        // Process ids are below 2^22 on Linux: this one cannot exist.
        let dead = ".flakeedit-4999999-abc.tmp";
        for name in [own.as_str(), dead, "flake.nix", ".flakeedit-notes.tmp"] {
            fs::write(directory.path().join(name), "").unwrap();
        }
        remove_stale_temporaries(directory.path());
        let mut names: Vec<String> = fs::read_dir(directory.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut expected = vec![
            own,
            ".flakeedit-notes.tmp".to_string(),
            "flake.nix".to_string(),
        ];
        if !cfg!(target_os = "linux") {
            expected.push(dead.to_string());
        }
        expected.sort();
        assert_eq!(names, expected);
    }
}
