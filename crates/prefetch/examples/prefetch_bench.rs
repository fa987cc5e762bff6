//! Times the native prefetcher against `nix-prefetch-url --unpack` on generated source
//! archives served from 127.0.0.1, and reports the native run's peak memory.
//!
//! ```text
//! cargo run --release -p flakeedit-prefetch --example prefetch_bench -- [SIZE_MB ...]
//! ```
//!
//! Each size (default 10 and 50 MB of unpacked source) gets one archive; each
//! prefetcher runs it three times and the median is shown. The native hasher runs in a
//! child process so its peak resident set (VmHWM) is its own. Nix's store path is
//! deleted after every run so each run does the full work.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{require_nix_prefetch_url, unique_token, Route, Server};
use flakeedit_prefetch::{Prefetcher, Timeouts};

const RUNS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--native-child") {
        native_child(args.get(1).map(String::as_str).unwrap_or_default());
        return;
    }
    let sizes: Vec<u64> = if args.is_empty() {
        vec![10, 50]
    } else {
        args.iter()
            .map(|arg| arg.parse().expect("sizes are whole megabytes"))
            .collect()
    };
    let nix = require_nix_prefetch_url();
    let server = Server::start();
    let work = tempfile::tempdir().expect("temporary directory");
    println!(
        "{:>8} {:>9} {:>7} {:>10} {:>10} {:>7} {:>14}",
        "unpacked", "archive", "files", "native s", "nix s", "ratio", "native peak"
    );
    for size in sizes {
        let archive = work.path().join(format!("source-{size}.tar.gz"));
        let files = generate_archive(&archive, size * 1_000_000);
        let archive_len = std::fs::metadata(&archive).expect("archive written").len();
        let mut native_times = Vec::new();
        let mut peak_kb = 0;
        let mut native_hash = String::new();
        for _ in 0..RUNS {
            let url = server.route(
                &format!("/{}/a/b/archive/x.tar.gz", unique_token()),
                Route::File(archive.clone()),
            );
            let started = Instant::now();
            let output = Command::new(std::env::current_exe().expect("own path"))
                .args(["--native-child", &url])
                .output()
                .expect("run native child");
            native_times.push(started.elapsed());
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            let mut lines = stdout.lines();
            native_hash = lines.next().unwrap_or_default().to_owned();
            peak_kb = peak_kb.max(
                lines
                    .next()
                    .and_then(|kb| kb.trim().parse().ok())
                    .unwrap_or(0u64),
            );
        }
        let mut nix_times = Vec::new();
        for _ in 0..RUNS {
            let url = server.route(
                &format!("/{}/a/b/archive/x.tar.gz", unique_token()),
                Route::File(archive.clone()),
            );
            let started = Instant::now();
            let output = Command::new(&nix)
                .args(["--unpack", "--type", "sha256", "--print-path", &url])
                .output()
                .expect("run nix-prefetch-url");
            nix_times.push(started.elapsed());
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            let mut lines = stdout.lines();
            let nix_hash = lines.next().unwrap_or_default();
            assert_eq!(
                nix_hash, native_hash,
                "native and Nix disagree on the {size} MB archive"
            );
            if let Some(store_path) = lines.next() {
                let _ = Command::new("nix-store")
                    .args(["--delete", store_path])
                    .output();
            }
        }
        let native = median(&mut native_times);
        let nix = median(&mut nix_times);
        println!(
            "{:>6}MB {:>7.1}MB {:>7} {:>10.3} {:>10.3} {:>7.2} {:>11} kB",
            size,
            archive_len as f64 / 1e6,
            files,
            native.as_secs_f64(),
            nix.as_secs_f64(),
            native.as_secs_f64() / nix.as_secs_f64(),
            peak_kb
        );
    }
    println!("ratio = native / nix (below 1: native is faster); hashes agreed on every run");
}

fn native_child(url: &str) {
    match Prefetcher::Native.hash_url(url, &Timeouts::default(), "") {
        Ok(prefetched) => {
            println!("{}", prefetched.hash.to_nix_base32());
            println!("{}", peak_rss_kb());
        }
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(1);
        }
    }
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Writes a source-like tarball of about `total` unpacked bytes without holding it in
/// memory: mostly small text files in nested directories, a few large ones, some
/// executables. Returns the number of files.
fn generate_archive(path: &Path, total: u64) -> usize {
    const WORDS: &[&str] = &[
        "fn",
        "let",
        "mut",
        "self",
        "return",
        "if",
        "else",
        "match",
        "struct",
        "impl",
        "pub",
        "use",
        "for",
        "in",
        "while",
        "loop",
        "break",
        "value",
        "index",
        "buffer",
        "error",
        "result",
        "config",
        "source",
        "hash",
        "{",
        "}",
        "(",
        ")",
        ";",
        "=",
        "->",
        "::",
        "0",
        "1",
        "42",
        "\"text\"",
        "// comment",
    ];
    let file = std::fs::File::create(path).expect("create archive");
    let encoder =
        flate2::write::GzEncoder::new(BufWriter::new(file), flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut written = 0u64;
    let mut files = 0usize;
    let mut contents = Vec::new();
    while written < total {
        let size = if next() % 10 == 0 {
            64 * 1024 + next() % (512 * 1024)
        } else {
            512 + next() % (16 * 1024)
        };
        let size = size.min(total - written).max(1);
        contents.clear();
        while (contents.len() as u64) < size {
            let word = WORDS[(next() % WORDS.len() as u64) as usize];
            contents.extend_from_slice(word.as_bytes());
            contents.push(if next() % 8 == 0 { b'\n' } else { b' ' });
        }
        contents.truncate(size as usize);
        let path = format!(
            "source-1.0/dir{}/sub{}/file{files}.rs",
            files % 37,
            files % 5
        );
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(if files % 13 == 0 { 0o755 } else { 0o644 });
        header.set_mtime(1_700_000_000);
        builder
            .append_data(&mut header, path, &contents[..])
            .expect("append file");
        written += size;
        files += 1;
    }
    let encoder = builder.into_inner().expect("finish tar");
    let mut writer = encoder.finish().expect("finish gzip");
    writer.flush().expect("flush archive");
    files
}
