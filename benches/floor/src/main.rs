//! `bulk-floor`: the least work any bulk editor must do per file, to measure
//! `flakeedit` against. For every path it reads the file, parses it once with
//! rnix, and writes the same bytes back the way flakeedit writes: a
//! temporary file in the same directory, flushed to disk, the original's
//! permissions, then a rename. Files run on a pool of `-j N` threads.
//!
//! Usage: `bulk-floor [-j N] FILE-LIST` (one path per line), or
//! `bulk-floor --one FILE`: that file alone on the main thread, the
//! per-call floor of a durable single-file edit.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;

fn rewrite(path: &Path) -> std::io::Result<usize> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let root = rnix::Root::parse(&text);
    // Keep the parse from being optimised away.
    std::hint::black_box(root.errors().len());
    let directory = path.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(path)?.permissions();
    let mut temporary = tempfile::Builder::new()
        .prefix(".floor-")
        .suffix(".tmp")
        .tempfile_in(directory)?;
    temporary.write_all(&bytes)?;
    std::fs::set_permissions(temporary.path(), permissions)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(bytes.len())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut list = None;
    while let Some(arg) = args.next() {
        if arg == "--one" {
            let Some(path) = args.next() else {
                eprintln!("usage: bulk-floor --one FILE");
                return ExitCode::from(2);
            };
            return match rewrite(Path::new(&path)) {
                Ok(_) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("{path}: {error}");
                    ExitCode::from(1)
                }
            };
        }
        if arg == "-j" {
            jobs = args.next().and_then(|n| n.parse().ok()).unwrap_or(jobs);
        } else {
            list = Some(PathBuf::from(arg));
        }
    }
    let Some(list) = list else {
        eprintln!("usage: bulk-floor [-j N] FILE-LIST");
        return ExitCode::from(2);
    };
    let paths: Vec<PathBuf> = match std::fs::read_to_string(&list) {
        Ok(text) => text
            .lines()
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect(),
        Err(error) => {
            eprintln!("cannot read {}: {error}", list.display());
            return ExitCode::from(2);
        }
    };
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool,
        Err(error) => {
            eprintln!("cannot start threads: {error}");
            return ExitCode::from(2);
        }
    };
    let failures: usize = pool.install(|| {
        paths
            .par_iter()
            .map(|path| match rewrite(path) {
                Ok(_) => 0,
                Err(error) => {
                    eprintln!("{}: {error}", path.display());
                    1
                }
            })
            .sum()
    });
    eprintln!("{} files, {failures} failed", paths.len());
    if failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
