//! The run loop: files processed in parallel, reported in input order.
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

use crate::driver::{self, Action, FileReport, Outcome, Settings, Summary};

/// Files in flight or buffered per worker thread. A little slack keeps
/// every thread busy while one slow file holds the head of the queue.
const WINDOW_PER_THREAD: usize = 8;

/// Processes `paths` with `jobs` threads (`-j N`, or every core) and emits
/// every report in order. One file, or `-j 1`, runs on this thread: no pool
/// is built and the core count is not even asked for.
pub fn run(
    paths: &[PathBuf],
    action: &Action,
    settings: &Settings,
    jobs: Option<usize>,
) -> Result<Summary> {
    let progress = progress_bar(paths.len(), settings);
    let stdout = std::io::stdout();
    // Block-buffer stdout unless someone is watching it.
    let mut out: Box<dyn Write> = if stdout.is_terminal() {
        Box::new(stdout.lock())
    } else {
        Box::new(BufWriter::with_capacity(64 * 1024, stdout.lock()))
    };
    let mut summary = Summary::default();
    let mut emit = |report: FileReport| {
        summary.add(report.outcome);
        match &progress {
            Some(bar) => {
                bar.suspend(|| driver::emit(&report, settings, &mut *out));
                bar.inc(1);
            }
            None => driver::emit(&report, settings, &mut *out),
        }
    };
    let jobs = if paths.len() <= 1 {
        1
    } else {
        self::jobs(jobs)
    };
    if jobs <= 1 {
        for path in paths {
            emit(process_guarded(path, action, settings));
        }
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .thread_name(|index| format!("flakeedit-worker-{index}"))
            .build()
            .context("cannot start the worker threads")?;
        let window = jobs * WINDOW_PER_THREAD;
        let (sender, receiver) = mpsc::channel::<(usize, FileReport)>();
        // The loop runs on this thread; only the spawned jobs use the pool.
        pool.in_place_scope(|scope| {
            let mut buffered: BTreeMap<usize, FileReport> = BTreeMap::new();
            let mut submitted = 0;
            let mut emitted = 0;
            while emitted < paths.len() {
                while submitted < paths.len() && submitted < emitted + window {
                    let sender = sender.clone();
                    let index = submitted;
                    let path = &paths[index];
                    scope.spawn(move |_| {
                        let _ = sender.send((index, process_guarded(path, action, settings)));
                    });
                    submitted += 1;
                }
                // Every spawned job sends exactly once (panics included), so
                // this cannot wait for a report that never comes.
                let Ok((index, report)) = receiver.recv() else {
                    break;
                };
                buffered.insert(index, report);
                while let Some(report) = buffered.remove(&emitted) {
                    emit(report);
                    emitted += 1;
                }
            }
        });
    }
    let _ = out.flush();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    Ok(summary)
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
                json: serde_json::json!({
                    "path": path.display().to_string(),
                    "outcome": Outcome::Failed,
                    "error": { "kind": "internal", "message": message },
                }),
            }
        },
    )
}

/// A progress bar on stderr for bulk runs when stderr is a terminal.
fn progress_bar(total: usize, settings: &Settings) -> Option<ProgressBar> {
    if !settings.bulk || !std::io::stderr().is_terminal() {
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
