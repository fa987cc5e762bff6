//! Test fixtures: a real HTTP server on 127.0.0.1 and tarball builders.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flate2::write::GzEncoder;
use flate2::Compression;

/// What the server answers on one path.
#[derive(Clone)]
pub enum Route {
    /// 200 with these bytes.
    Body(Arc<Vec<u8>>),
    /// 200 with the contents of a file, streamed.
    File(PathBuf),
    /// Accept, read the request, and never answer (closes after a while).
    Silent,
    /// Send headers and half the body, then stall.
    StallMidBody(Arc<Vec<u8>>),
    /// 302 to another URL.
    Redirect(String),
    /// An empty answer with this status code.
    Status(u16),
}

/// An HTTP/1.1 server on 127.0.0.1 serving fixed routes; 404 for anything else.
pub struct Server {
    pub port: u16,
    routes: Arc<Mutex<HashMap<String, Route>>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let routes: Arc<Mutex<HashMap<String, Route>>> = Arc::default();
        let shared = Arc::clone(&routes);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let routes = Arc::clone(&shared);
                thread::spawn(move || serve(stream, &routes));
            }
        });
        Server { port, routes }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Registers `route` at `path` and returns its full URL.
    pub fn route(&self, path: &str, route: Route) -> String {
        self.routes.lock().unwrap().insert(path.to_owned(), route);
        format!("{}{path}", self.base())
    }

    pub fn body(&self, path: &str, body: Vec<u8>) -> String {
        self.route(path, Route::Body(Arc::new(body)))
    }
}

fn serve(stream: TcpStream, routes: &Mutex<HashMap<String, Route>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(clone) => clone,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let route = routes.lock().unwrap().get(&path).cloned();
    let mut stream = stream;
    let head = |status: &str, len: u64| {
        format!("HTTP/1.1 {status}\r\nContent-Type: application/x-gzip\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
    };
    let _ = match route {
        None => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nNot Found",
        ),
        Some(Route::Body(body)) => stream
            .write_all(head("200 OK", body.len() as u64).as_bytes())
            .and_then(|()| stream.write_all(&body)),
        Some(Route::File(path)) => {
            let mut file = std::fs::File::open(&path).unwrap();
            let len = file.metadata().unwrap().len();
            stream
                .write_all(head("200 OK", len).as_bytes())
                .and_then(|()| std::io::copy(&mut file, &mut stream).map(drop))
        }
        Some(Route::Redirect(location)) => stream.write_all(
            format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        ),
        Some(Route::Status(code)) => stream.write_all(
            format!("HTTP/1.1 {code} Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes(),
        ),
        Some(Route::Silent) => {
            thread::sleep(Duration::from_secs(20));
            Ok(())
        }
        Some(Route::StallMidBody(body)) => {
            let half = body.len() / 2;
            let _ = stream
                .write_all(head("200 OK", body.len() as u64).as_bytes())
                .and_then(|()| stream.write_all(&body[..half]))
                .and_then(|()| stream.flush());
            thread::sleep(Duration::from_secs(20));
            Ok(())
        }
    };
    let _ = stream.flush();
}

/// A path segment unique to this call, so Nix never answers from a cache.
pub fn unique_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "t{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Builds a gzip-compressed tarball member by member.
pub struct Tarball {
    builder: tar::Builder<GzEncoder<Vec<u8>>>,
}

impl Default for Tarball {
    fn default() -> Self {
        Tarball::new()
    }
}

impl Tarball {
    pub fn new() -> Tarball {
        let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        builder.mode(tar::HeaderMode::Deterministic);
        Tarball { builder }
    }

    fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_mode(mode);
        header.set_size(size);
        header.set_mtime(1_700_000_000);
        header
    }

    pub fn file(mut self, path: &str, mode: u32, contents: &[u8]) -> Self {
        let mut header = Self::header(tar::EntryType::Regular, mode, contents.len() as u64);
        self.builder
            .append_data(&mut header, path, contents)
            .unwrap();
        self
    }

    pub fn dir(mut self, path: &str) -> Self {
        let mut header = Self::header(tar::EntryType::Directory, 0o755, 0);
        self.builder
            .append_data(&mut header, path, std::io::empty())
            .unwrap();
        self
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        let mut header = Self::header(tar::EntryType::Symlink, 0o777, 0);
        self.builder.append_link(&mut header, path, target).unwrap();
        self
    }

    pub fn hardlink(mut self, path: &str, target: &str) -> Self {
        let mut header = Self::header(tar::EntryType::Link, 0o644, 0);
        self.builder.append_link(&mut header, path, target).unwrap();
        self
    }

    /// A member whose name is written verbatim, bypassing the tar crate's checks.
    pub fn raw(mut self, name: &[u8], kind: tar::EntryType, link: &[u8], contents: &[u8]) -> Self {
        let mut header = Self::header(kind, 0o644, contents.len() as u64);
        let gnu = header.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name);
        gnu.linkname[..link.len()].copy_from_slice(link);
        header.set_cksum();
        self.builder.append(&header, contents).unwrap();
        self
    }

    /// A pax global header, as `git archive` writes first (GitHub archives have one).
    pub fn pax_global_header(mut self, comment: &str) -> Self {
        let body = format!("comment={comment}\n");
        let mut len = body.len() + 2;
        while len != len.to_string().len() + 1 + body.len() {
            len += 1;
        }
        let record = format!("{len} {body}");
        let mut header = tar::Header::new_ustar();
        header.set_path("pax_global_header").unwrap();
        header.set_entry_type(tar::EntryType::XGlobalHeader);
        header.set_size(record.len() as u64);
        header.set_mode(0o666);
        header.set_cksum();
        self.builder.append(&header, record.as_bytes()).unwrap();
        self
    }

    pub fn finish(self) -> Vec<u8> {
        self.builder.into_inner().unwrap().finish().unwrap()
    }
}

/// `nix-prefetch-url` on PATH; tests that compare against Nix must fail without it.
pub fn require_nix_prefetch_url() -> PathBuf {
    which::which("nix-prefetch-url").unwrap_or_else(|_| {
        panic!("nix-prefetch-url is not on PATH: install nix-bin (Debian) or Nix to run this test")
    })
}

/// Runs `nix-prefetch-url --unpack --type sha256 URL` and returns its nix-base32 output.
pub fn nix_prefetch_url(url: &str) -> Result<String, String> {
    let output = Command::new(require_nix_prefetch_url())
        .args(["--unpack", "--type", "sha256", url])
        .output()
        .unwrap();
    if output.status.success() {
        Ok(String::from_utf8(output.stdout).unwrap().trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// `nix-hash --type sha256 --base32 PATH`: the NAR hash of a path on disk.
pub fn nix_hash_path(path: &Path) -> String {
    let nix_hash = which::which("nix-hash")
        .unwrap_or_else(|_| panic!("nix-hash is not on PATH: install nix-bin"));
    let output = Command::new(nix_hash)
        .args(["--type", "sha256", "--base32"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// Runs a command, panicking with its output if it fails.
pub fn run(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Reads a whole file into memory (test helper for small files).
pub fn read(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}
