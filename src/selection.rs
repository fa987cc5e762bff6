//! Which files a run covers: --file, --files-from, -r DIR.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::cli::Global;

/// The files to process, in the order given, without duplicates.
pub fn select(global: &Global) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = global.files.clone();
    if let Some(list) = &global.files_from {
        let mut text = Vec::new();
        if list.as_os_str() == "-" {
            std::io::stdin()
                .read_to_end(&mut text)
                .context("cannot read the file list from stdin")?;
        } else {
            text = std::fs::read(list)
                .with_context(|| format!("cannot read the file list {}", list.display()))?;
        }
        let separator = if global.null { b'\0' } else { b'\n' };
        for entry in text.split(|byte| *byte == separator) {
            let entry = String::from_utf8_lossy(entry);
            let entry = if global.null {
                entry.as_ref()
            } else {
                entry.trim_end_matches('\r')
            };
            if !entry.is_empty() {
                paths.push(PathBuf::from(entry));
            }
        }
    }
    for directory in &global.recursive {
        if !directory.is_dir() {
            anyhow::bail!("{} is not a directory", directory.display());
        }
        let mut found = Vec::new();
        walk(directory, &mut found)?;
        found.sort();
        paths.extend(found);
    }
    if paths.is_empty() && global.files_from.is_none() && global.recursive.is_empty() {
        paths.push(PathBuf::from("flake.nix"));
    }
    let mut seen = std::collections::HashSet::new();
    paths.retain(|path| seen.insert(path.clone()));
    Ok(paths)
}

fn walk(directory: &std::path::Path, found: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(directory)
        .with_context(|| format!("cannot list {}", directory.display()))?
    {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if entry.file_name() != ".git" {
                walk(&path, found)?;
            }
        } else if entry.file_name() == "flake.nix" {
            found.push(path);
        }
    }
    Ok(())
}
