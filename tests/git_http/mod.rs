//! A real git HTTP server on 127.0.0.1 for the tests: `git http-backend`
//! (git's own smart-HTTP CGI program) behind a minimal CGI server, serving
//! bare repositories the tests create. It records every request path so a
//! test can count queries per repository.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// Runs git with a fixed identity in `dir`; panics with git's message.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.email=t@example.org", "-c", "user.name=t"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .output()
        .expect("git is installed");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Creates a bare repository at `root/<path>` with one commit per tag,
/// `tags` in order, and `branches` pointing at the last commit. Each tag's
/// tree differs (`VERSION` holds the tag), and every tree has an
/// executable script and a file `.gitattributes` marks `export-ignore`,
/// so a hash tells which tag, and which way, a source was fetched.
pub fn repository(root: &Path, path: &str, tags: &[&str], branches: &[&str]) -> PathBuf {
    let work = tempfile::tempdir().unwrap();
    git(work.path(), &["init", "-q", "."]);
    std::fs::write(
        work.path().join(".gitattributes"),
        "notes.txt export-ignore\n",
    )
    .unwrap();
    std::fs::write(work.path().join("notes.txt"), "kept by git checkouts\n").unwrap();
    std::fs::write(work.path().join("run.sh"), "#!/bin/sh\n").unwrap();
    git(work.path(), &["add", "."]);
    git(work.path(), &["update-index", "--chmod=+x", "run.sh"]);
    git(work.path(), &["commit", "-q", "-m", "start"]);
    for tag in tags {
        std::fs::write(work.path().join("VERSION"), format!("{tag}\n")).unwrap();
        git(work.path(), &["add", "VERSION"]);
        git(work.path(), &["commit", "-q", "-m", tag]);
        git(work.path(), &["tag", "-a", "-m", tag, tag]);
    }
    for branch in branches {
        git(work.path(), &["branch", branch]);
    }
    let bare = root.join(path);
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    git(
        root,
        &[
            "clone",
            "-q",
            "--bare",
            work.path().to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    bare
}

/// A git smart-HTTP server serving the bare repositories under a root.
pub struct GitServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl GitServer {
    /// Serves `root` (`root/o/r.git` is `BASE/o/r.git`).
    pub fn start(root: &Path) -> GitServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let root = root.to_path_buf();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, log) = (root.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &root, &log));
            }
        });
        GitServer { base, requests }
    }

    /// The request paths (without query) seen so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// How many times git asked for `repository`'s references (`/o/r.git`).
    pub fn queries_of(&self, repository: &str) -> usize {
        self.requests()
            .iter()
            .filter(|path| *path == &format!("{repository}/info/refs"))
            .count()
    }
}

fn serve(stream: TcpStream, root: &Path, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("GET").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            headers.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |key: &str| {
        headers
            .iter()
            .find(|(known, _)| known == key)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let length: usize = header("content-length").parse().unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    log.lock().unwrap().push(path.to_string());
    if let Some(archive) = archive(root, path, query) {
        let mut stream = stream;
        let _ = match archive {
            Some(bytes) => write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            )
            .and_then(|()| stream.write_all(&bytes)),
            None => write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        };
        return;
    }
    let mut child = Command::new("git")
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("REQUEST_METHOD", &method)
        .env("CONTENT_TYPE", header("content-type"))
        .env("CONTENT_LENGTH", length.to_string())
        .env("GIT_PROTOCOL", header("git-protocol"))
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("git http-backend");
    child.stdin.take().unwrap().write_all(&body).unwrap();
    let output = child.wait_with_output().unwrap().stdout;
    let split = output
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map(|index| (index, 4))
        .or_else(|| output.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let (head, content) = match split {
        Some((index, gap)) => (&output[..index], &output[index + gap..]),
        None => (&output[..0], &output[..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut status = "200 OK".to_string();
    let mut response = String::new();
    for line in head.lines() {
        match line.split_once(':') {
            Some((key, value)) if key.eq_ignore_ascii_case("status") => {
                status = value.trim().to_string()
            }
            Some(_) => response.push_str(&format!("{line}\r\n")),
            None => {}
        }
    }
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{response}Content-Length: {}\r\nConnection: close\r\n\r\n",
        content.len()
    );
    let _ = stream.write_all(content);
}

/// Downloads a forge serves, made from `root/<project>.git`:
/// GitHub's archive `/<owner>/<repo>/archive/<rev>.tar.gz` and GitLab's
/// `/api/v4/projects/<group%2Frepo>/repository/archive.tar.gz?sha=<rev>`
/// (`git archive`, one top directory, as the forges' archives have), and a
/// release asset `/<owner>/<repo>/releases/download/<tag>/<file>` (a small
/// file naming the tag and file). `None` for other paths; `Some(None)`
/// when the repository or revision does not exist.
fn archive(root: &Path, path: &str, query: &str) -> Option<Option<Vec<u8>>> {
    let path = path.trim_start_matches('/');
    if let Some(rest) = path.strip_prefix("api/v4/projects/") {
        let project = rest
            .strip_suffix("/repository/archive.tar.gz")?
            .replace("%2F", "/");
        let rev = query.strip_prefix("sha=")?.replace("%2F", "/");
        let repo = project.rsplit('/').next()?.to_string();
        return Some(git_archive(root, &project, &repo, &rev));
    }
    let parts: Vec<&str> = path.splitn(4, '/').collect();
    if let [owner, repo, "releases", asset] = parts.as_slice() {
        let (tag, file) = asset.strip_prefix("download/")?.split_once('/')?;
        let exists = Command::new("git")
            .current_dir(root.join(owner).join(format!("{repo}.git")))
            .args([
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("refs/tags/{tag}"),
            ])
            .output()
            .is_ok_and(|output| output.status.success());
        return Some(exists.then(|| format!("{owner}/{repo} {tag} {file}\n").into_bytes()));
    }
    let [owner, repo, "archive", file] = parts.as_slice() else {
        return None;
    };
    let rev = file.strip_suffix(".tar.gz")?;
    Some(git_archive(root, &format!("{owner}/{repo}"), repo, rev))
}

fn git_archive(root: &Path, project: &str, repo: &str, rev: &str) -> Option<Vec<u8>> {
    let output = Command::new("git")
        .current_dir(root.join(format!("{project}.git")))
        .args([
            "archive",
            "--format=tar.gz",
            &format!("--prefix={repo}-{rev}/"),
            rev,
        ])
        .output()
        .ok()?;
    output.status.success().then_some(output.stdout)
}

/// A server that accepts connections and never answers.
pub fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    base
}
