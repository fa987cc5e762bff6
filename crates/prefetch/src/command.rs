//! Running `git` and `nix-prefetch-url` with a time limit.

use std::io::{self, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What a finished command left behind.
pub(crate) struct Finished {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
}

/// How a command run ended.
pub(crate) enum Outcome {
    Finished(Finished),
    TimedOut,
}

/// Runs `command` with no standard input, capturing its output, and kills it if it is
/// still running after `timeout`.
pub(crate) fn run(mut command: Command, timeout: Option<Duration>) -> io::Result<Outcome> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Drain both pipes on threads so a chatty child cannot block on a full pipe.
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if timeout.is_some_and(|limit| started.elapsed() >= limit) {
            // The child may exit between the check and the kill; either way it is gone.
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    let stdout = stdout.map(join).unwrap_or_default();
    let stderr = stderr.map(join).unwrap_or_default();
    Ok(match status {
        Some(status) => Outcome::Finished(Finished {
            status,
            stdout,
            stderr,
        }),
        None => Outcome::TimedOut,
    })
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        // A read error just truncates the captured output, which only feeds messages.
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

fn join(handle: thread::JoinHandle<Vec<u8>>) -> Vec<u8> {
    handle.join().unwrap_or_default()
}

/// Standard error as text for a message, trimmed and shortened to its last lines.
pub(crate) fn stderr_text(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.trim().lines().collect();
    let start = lines.len().saturating_sub(20);
    let text = lines[start..].join("\n");
    if text.is_empty() {
        "(no output on standard error)".into()
    } else {
        text
    }
}
