//! The run loop: files processed in parallel, reported in input order.
//! Edit commands and `check` share it ([`run_ordered`]).
//!
//! Workers of a rayon pool each process one file completely
//! ([`driver::process`]) and send its report back with the file's index.
//! The calling thread holds a reorder buffer and emits reports strictly in
//! input order, so diffs and JSON lines never interleave. At most `window`
//! files are in flight or waiting in the buffer, which bounds memory by the
//! window (a few files per thread), not by the number of files.

use std::collections::BTreeMap;
use std::io::{BufWriter, IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::driver::{self, Action, FileReport, Settings, Summary};
use crate::output::{ErrorRecord, FileDetail, FileRecord, Outcome, PathField};

/// Files in flight or buffered per worker thread. A little slack keeps
/// every thread busy while one slow file holds the head of the queue.
const WINDOW_PER_THREAD: usize = 8;

/// Processes `paths` with `jobs` threads (`-j N`, or every core) and emits
/// every report in order: the edit commands' runner.
pub fn run(
    paths: &[PathBuf],
    action: &Action,
    settings: &Settings,
    jobs: Option<usize>,
) -> Result<Summary> {
    let stdout = std::io::stdout();
    // Block-buffer stdout unless someone is watching it: reports of many
    // files in large blocks; one file's report, which is written whole, in
    // a buffer small enough that freeing it does not make the allocator
    // consolidate its free lists (a buffer of 64 KiB did, at every call).
    let capacity = if paths.len() > 1 { 64 * 1024 } else { 8 * 1024 };
    let mut out: Box<dyn Write> = if stdout.is_terminal() {
        Box::new(stdout.lock())
    } else {
        Box::new(BufWriter::with_capacity(capacity, stdout.lock()))
    };
    let mut summary = Summary::default();
    run_ordered(
        paths,
        jobs,
        settings.bulk,
        |path| process_guarded(path, action, settings),
        |report| {
            summary.add(report.outcome);
            driver::emit(&report, settings, &mut *out);
        },
    )?;
    let _ = out.flush();
    Ok(summary)
}

/// Runs `work` on every path with `jobs` threads and hands each result to
/// `emit` strictly in input order: the one runner of the edit commands and
/// `check`. One file, or `-j 1`, runs on this thread: no pool is built and
/// the core count is not even asked for. With `progress`, a bar is drawn on
/// stderr when it is a terminal. `work` must not panic (wrap it in
/// [`catch_unwind`]): a panicking job would never report.
pub fn run_ordered<T: Send>(
    paths: &[PathBuf],
    jobs: Option<usize>,
    progress: bool,
    work: impl Fn(&Path) -> T + Sync,
    mut emit: impl FnMut(T),
) -> Result<()> {
    let bar = progress.then(|| progress_bar(paths.len())).flatten();
    let mut emit = |result: T| match &bar {
        Some(bar) => {
            bar.suspend(|| emit(result));
            bar.inc(1);
        }
        None => emit(result),
    };
    let jobs = if paths.len() <= 1 {
        1
    } else {
        self::jobs(jobs)
    };
    if jobs <= 1 {
        for path in paths {
            emit(work(path));
        }
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .thread_name(|index| format!("flakeedit-worker-{index}"))
            .build()
            .context("cannot start the worker threads")?;
        let window = jobs * WINDOW_PER_THREAD;
        let (sender, receiver) = mpsc::channel::<(usize, T)>();
        let work = &work;
        // The loop runs on this thread; only the spawned jobs use the pool.
        pool.in_place_scope(|scope| {
            let mut buffered: BTreeMap<usize, T> = BTreeMap::new();
            let mut submitted = 0;
            let mut emitted = 0;
            while emitted < paths.len() {
                while submitted < paths.len() && submitted < emitted + window {
                    let sender = sender.clone();
                    let index = submitted;
                    let path = &paths[index];
                    scope.spawn(move |_| {
                        let _ = sender.send((index, work(path)));
                    });
                    submitted += 1;
                }
                // Every spawned job sends exactly once, so this cannot wait
                // for a report that never comes.
                let Ok((index, result)) = receiver.recv() else {
                    break;
                };
                buffered.insert(index, result);
                while let Some(result) = buffered.remove(&emitted) {
                    emit(result);
                    emitted += 1;
                }
            }
        });
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(())
}

/// Processes one file; a panic becomes a failed report rather than the end
/// of the run.
fn process_guarded(path: &Path, action: &Action, settings: &Settings) -> FileReport {
    catch_unwind(AssertUnwindSafe(|| driver::process(path, action, settings))).unwrap_or_else(
        |_| {
            let message = "internal error: flakeedit crashed on this file; nothing was written";
            FileReport {
                path: path.to_path_buf(),
                outcome: Outcome::Failed,
                stdout: String::new(),
                stderr: format!("{}: error: {message}\n", path.display()),
                json: settings.json.then(|| FileRecord {
                    path: PathField::new(path),
                    outcome: Outcome::Failed,
                    detail: FileDetail::Error {
                        error: ErrorRecord::internal(message),
                    },
                }),
            }
        },
    )
}

/// A progress bar on stderr when stderr is a terminal.
fn progress_bar(total: usize) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} files, eta {eta}") {
        bar.set_style(style);
    }
    Some(bar)
}

/// The number of worker threads: `-j N`, or every core.
fn jobs(requested: Option<usize>) -> usize {
    requested
        .filter(|jobs| *jobs > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
