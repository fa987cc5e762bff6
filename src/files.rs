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
//! them up as input, and a run that writes a file removes the ones next to
//! it whose process is gone (on Linux, where that can be checked).

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};
use flakeedit_flake::{Lock, LockError};

/// The largest file flakeedit reads: 64 MiB, more than three times the
/// largest flake.nix anyone has a reason to write (generated ones with
/// tens of thousands of inputs are a few MB). Everything flakeedit does
/// is linear in the file, so a larger file would only take long and use a
/// lot of memory (the syntax tree is several times the text); it is
/// refused up front instead, before a byte is read.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Prefix and suffix of temporary files.
const TEMPORARY_PREFIX: &str = ".flakeedit-";
const TEMPORARY_SUFFIX: &str = ".tmp";

/// A file read for editing, with what is needed to write it back safely.
pub struct ReadFile {
    /// The path actually written: symlinks resolved.
    pub target: PathBuf,
    /// The bytes read.
    pub bytes: Vec<u8>,
    /// The open file, kept to re-read it before replacing it.
    handle: fs::File,
    /// Its metadata when it was read.
    metadata: fs::Metadata,
}

/// Reads a file, resolving symlinks so writes go to the target.
pub fn read(path: &Path) -> Result<ReadFile> {
    let link = fs::symlink_metadata(path).map_err(|error| anyhow!("cannot open: {error}"))?;
    // Only a symlink needs resolving (the rename must replace its target,
    // not the link); the directories on the way may be links, they lead to
    // the same directory either way.
    let (target, metadata) = if link.file_type().is_symlink() {
        let target = fs::canonicalize(path)
            .map_err(|error| anyhow!("cannot open: {}", describe_io(path, error)))?;
        let metadata = fs::metadata(&target).map_err(|error| anyhow!("cannot open: {error}"))?;
        (target, metadata)
    } else {
        (path.to_path_buf(), link)
    };
    // Checked before opening: opening a FIFO would block until a writer came.
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
    if metadata.len() > MAX_FILE_BYTES {
        bail!(
            "the file is {} MiB, larger than the {} MiB flakeedit reads; a flake.nix \
             that large is probably not one (check the path)",
            metadata.len().div_ceil(1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        );
    }
    let handle = fs::File::open(&target).map_err(|error| anyhow!("cannot read: {error}"))?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // `take`: the file may grow between the stat and the read.
    (&handle)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| anyhow!("cannot read: {error}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        bail!(
            "the file grew past the {} MiB flakeedit reads while it was being read",
            MAX_FILE_BYTES / (1024 * 1024)
        );
    }
    Ok(ReadFile {
        target,
        bytes,
        handle,
        metadata,
    })
}

fn describe_io(path: &Path, error: std::io::Error) -> String {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            "the path is a symlink whose target does not exist".to_string()
        }
        _ => error.to_string(),
    }
}

/// The `flake.lock` beside `target`: `Ok(None)` when there is none (or it
/// cannot be read), `Err` with its path when it is not a lock file.
pub fn lock_next_to(target: &Path) -> Result<Option<Lock>, (PathBuf, LockError)> {
    let path = target.with_file_name("flake.lock");
    match fs::read_to_string(&path) {
        Ok(text) => Lock::parse(&text).map(Some).map_err(|error| (path, error)),
        Err(_) => Ok(None),
    }
}

/// Writes `new_text` over the file atomically (see the module docs).
/// Refuses when the file changed on disk since it was read.
pub fn write_atomically(file: &ReadFile, new_text: &str) -> Result<()> {
    if new_text.as_bytes() == file.bytes {
        // Never rewrite a file whose bytes would not change.
        return Ok(());
    }
    let directory = directory_of(&file.target);
    // Fresh metadata: the permissions may have changed since the read.
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
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!("{TEMPORARY_PREFIX}{}-", process_id()))
        .suffix(TEMPORARY_SUFFIX)
        .tempfile_in(directory)
        .map_err(|error| anyhow!("cannot create a temporary file next to it: {error}"))?;
    keep_owner(temporary.as_file(), &metadata)?;
    temporary
        .write_all(new_text.as_bytes())
        .map_err(|error| anyhow!("cannot write the temporary file: {error}"))?;
    fs::set_permissions(temporary.path(), metadata.permissions())
        .map_err(|error| anyhow!("cannot copy the file's permissions: {error}"))?;
    temporary
        .as_file()
        .sync_all()
        .map_err(|error| anyhow!("cannot write the temporary file: {error}"))?;
    // Last check before replacing: has someone else written the file, in
    // place or by replacing it?
    if !same_file(&file.metadata, &metadata) || !unchanged_since_read(file)? {
        bail!("the file changed on disk while flakeedit was editing it; nothing was written, run again");
    }
    temporary
        .persist(&file.target)
        .map_err(|error| anyhow!("cannot replace the file: {}", error.error))?;
    // A killed run leaves its temporary file next to a file it had not yet
    // replaced, which this run has now written: tidy up here.
    remove_stale_temporaries(directory);
    Ok(())
}

/// The directory a file lives in (`.` for a bare file name).
pub fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Whether the file still holds the bytes read, re-read through the
/// handle opened then (no new open, no new path lookup).
fn unchanged_since_read(file: &ReadFile) -> Result<bool> {
    let mut current = Vec::with_capacity(file.bytes.len() + 1);
    let mut handle = &file.handle;
    std::io::Seek::rewind(&mut handle).map_err(|error| anyhow!("cannot re-read: {error}"))?;
    handle
        .take(file.bytes.len() as u64 + 1)
        .read_to_end(&mut current)
        .map_err(|error| anyhow!("cannot re-read: {error}"))?;
    Ok(current == file.bytes)
}

#[cfg(unix)]
fn same_file(before: &fs::Metadata, now: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    before.dev() == now.dev() && before.ino() == now.ino()
}

#[cfg(not(unix))]
fn same_file(_before: &fs::Metadata, _now: &fs::Metadata) -> bool {
    true
}

/// The running process's id, looked up once.
fn process_id() -> u32 {
    static ID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *ID.get_or_init(std::process::id)
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

/// Checks that the user may write the file and gives the temporary file the
/// original's owner and group.
///
/// The rename only needs a writable directory, so the file's own
/// permissions are checked here, as an in-place editor would meet them: the
/// owner needs the owner write bit. Someone else's file can only be written
/// by root, since only root may hand the new file back to its owner; a user
/// editing a group-writable file of another is refused rather than silently
/// taking the file over. The temporary file, just created, tells who the
/// user is.
#[cfg(unix)]
fn keep_owner(temporary: &fs::File, original: &fs::Metadata) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let created = temporary
        .metadata()
        .map_err(|error| anyhow!("cannot stat the temporary file: {error}"))?;
    let root = created.uid() == 0;
    if !root && created.uid() == original.uid() && original.permissions().mode() & 0o200 == 0 {
        bail!(
            "the file is not writable by its owner; make it writable (chmod u+w) or leave it out"
        );
    }
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
fn remove_stale_temporaries(directory: &Path) {
    let Ok(entries) = fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if let Some(pid) = temporary_owner(name) {
            if pid != process_id() && !process_exists(pid) {
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

        // Replaced by a rename (another editor saving), even with the same bytes.
        let file = read(&path).unwrap();
        fs::write(directory.path().join("saved"), "{ y = 2; }\n").unwrap();
        fs::rename(directory.path().join("saved"), &path).unwrap();
        let error = write_atomically(&file, "{ x = 1; }\n").unwrap_err();
        assert!(error.to_string().contains("changed on disk"), "{error}");

        fs::hard_link(&path, directory.path().join("other.nix")).unwrap();
        let file = read(&path).unwrap();
        let error = write_atomically(&file, "{ x = 1; }\n").unwrap_err();
        assert!(error.to_string().contains("2 hard links"), "{error}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "{ y = 2; }\n");
    }

    #[test]
    fn removes_only_temporaries_of_dead_processes() {
        let directory = tempfile::tempdir().unwrap();
        let own = format!(".flakeedit-{}-abc.tmp", process_id());
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
