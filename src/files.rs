//! Reading and writing flake files safely.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};

/// A file read for editing, with what is needed to write it back safely.
pub struct ReadFile {
    /// The path actually written: symlinks resolved.
    pub target: PathBuf,
    /// The bytes read.
    pub bytes: Vec<u8>,
}

/// Reads a file, resolving symlinks so writes go to the target.
pub fn read(path: &Path) -> Result<ReadFile> {
    let target =
        fs::canonicalize(path).with_context(|| format!("cannot open: {}", describe_io(path)))?;
    let bytes = fs::read(&target).map_err(|error| anyhow!("cannot read: {error}"))?;
    Ok(ReadFile { target, bytes })
}

fn describe_io(path: &Path) -> String {
    match fs::symlink_metadata(path) {
        Ok(_) => "the path exists but cannot be resolved (a broken symlink?)".to_string(),
        Err(error) => error.to_string(),
    }
}

/// Writes `new_text` over the file atomically: a temporary file in the same
/// directory, the original's permissions, then a rename. Refuses when the
/// file changed on disk since it was read.
pub fn write_atomically(file: &ReadFile, new_text: &str) -> Result<()> {
    let directory = file
        .target
        .parent()
        .ok_or_else(|| anyhow!("the file has no parent directory"))?;
    let metadata = fs::metadata(&file.target).map_err(|error| anyhow!("cannot stat: {error}"))?;
    if metadata.permissions().readonly() {
        return Err(anyhow!(
            "the file is read-only; make it writable (chmod u+w) or leave it out"
        ));
    }
    let mut temporary = tempfile::Builder::new()
        .prefix(".flakeedit-")
        .suffix(".tmp")
        .tempfile_in(directory)
        .map_err(|error| anyhow!("cannot create a temporary file next to it: {error}"))?;
    temporary
        .write_all(new_text.as_bytes())
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(|error| anyhow!("cannot write the temporary file: {error}"))?;
    fs::set_permissions(temporary.path(), metadata.permissions())
        .map_err(|error| anyhow!("cannot copy the file's permissions: {error}"))?;
    // Last check before replacing: has someone else written the file?
    let current = fs::read(&file.target).map_err(|error| anyhow!("cannot re-read: {error}"))?;
    if current != file.bytes {
        return Err(anyhow!(
            "the file changed on disk while flakeedit was editing it; nothing was written, run again"
        ));
    }
    temporary
        .persist(&file.target)
        .map_err(|error| anyhow!("cannot replace the file: {}", error.error))?;
    Ok(())
}
