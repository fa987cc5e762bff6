//! End-to-end tests of `add-source` and `fix-hashes`: a real HTTP server on
//! 127.0.0.1 serves `git archive` tarballs at GitHub's archive paths and the
//! repository itself over git's dumb HTTP protocol, so `--github-url` points
//! one base at both, as GitHub does. Written hashes are compared with
//! `nix-prefetch-url` on the same URLs; on every error the file must be
//! byte-for-byte untouched and the exit status 1.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread;

use common::*;
use flakeedit_oracle::Nix;

type Routes = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// Answers registered paths with 200 and their bytes, anything else with 404.
struct Server {
    base: String,
    routes: Routes,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let routes: Routes = Arc::default();
        let shared = Arc::clone(&routes);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let routes = Arc::clone(&shared);
                thread::spawn(move || serve(stream, &routes));
            }
        });
        Server {
            base: format!("http://127.0.0.1:{port}"),
            routes,
        }
    }

    fn add(&self, path: &str, body: Vec<u8>) -> String {
        self.routes.lock().unwrap().insert(path.to_string(), body);
        format!("{}{path}", self.base)
    }
}

fn serve(stream: TcpStream, routes: &Mutex<HashMap<String, Vec<u8>>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let body = routes.lock().unwrap().get(path).cloned();
    let mut stream = stream;
    let _ = match body {
        Some(body) => stream
            .write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            )
            .and_then(|()| stream.write_all(&body)),
        None => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nNot Found",
        ),
    };
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .args(args)
        .output()
        .expect("git is installed");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// A repository `owner/randomlib` with a release tag `v0.2.0` and a newer
/// commit on `main`, published on `server` (dumb HTTP) with the archives of
/// both commits.
struct Forge {
    _dir: tempfile::TempDir,
    server: Server,
    tagged: String,
    head: String,
}

fn forge() -> Forge {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(work.join("src")).unwrap();
    git(&work, &["init", "--quiet", "--initial-branch=main"]);
    std::fs::write(work.join("dune-project"), "(lang dune 3.0)\n").unwrap();
    std::fs::write(work.join("src/randomlib.ml"), "let x = 4\n").unwrap();
    std::fs::write(work.join("configure"), "#!/bin/sh\n").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["update-index", "--chmod=+x", "configure"]);
    git(&work, &["commit", "--quiet", "-m", "first"]);
    git(&work, &["tag", "-a", "v0.2.0", "-m", "release"]);
    std::fs::write(work.join("src/randomlib.ml"), "let x = 5\n").unwrap();
    git(&work, &["commit", "--quiet", "-am", "second"]);
    let tagged = git(&work, &["rev-parse", "v0.2.0^{commit}"]);
    let head = git(&work, &["rev-parse", "main"]);

    let server = Server::start();
    let bare = dir.path().join("bare.git");
    git(
        dir.path(),
        &["clone", "--quiet", "--bare", "work", "bare.git"],
    );
    git(&bare, &["update-server-info"]);
    let refs = std::fs::read(bare.join("info/refs")).unwrap();
    server.add("/owner/randomlib.git/info/refs", refs.clone());
    server.add(
        "/owner/randomlib.git/info/refs?service=git-upload-pack",
        refs,
    );
    server.add(
        "/owner/randomlib.git/HEAD",
        std::fs::read(bare.join("HEAD")).unwrap(),
    );
    for commit in [&tagged, &head] {
        let out = dir.path().join(format!("{commit}.tar.gz"));
        git(
            &work,
            &[
                "archive",
                "--format=tar.gz",
                &format!("--prefix=randomlib-{commit}/"),
                "-o",
                out.to_str().unwrap(),
                commit,
            ],
        );
        server.add(
            &format!("/owner/randomlib/archive/{commit}.tar.gz"),
            std::fs::read(&out).unwrap(),
        );
    }
    Forge {
        _dir: dir,
        server,
        tagged,
        head,
    }
}

/// `nix-prefetch-url [--unpack] URL` as SRI, the oracle for written hashes.
fn nix_prefetch(url: &str, unpack: bool) -> String {
    let mut command = Command::new("nix-prefetch-url");
    if unpack {
        command.arg("--unpack");
    }
    let output = command
        .args(["--type", "sha256", url])
        .output()
        .expect("nix-prefetch-url is installed (nix-bin)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let base32 = String::from_utf8(output.stdout).unwrap();
    // nix-hash of Nix 2.8 has no --to-sri: go through hex.
    let output = Command::new("nix-hash")
        .args(["--type", "sha256", "--to-base16", base32.trim()])
        .output()
        .unwrap();
    let hex = String::from_utf8(output.stdout).unwrap();
    let bytes: Vec<u8> = (0..hex.trim().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex.trim()[i..i + 2], 16).unwrap())
        .collect();
    format!("sha256-{}", base64(&bytes))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn eval(nix: &Nix, text: &str, expression: &str) -> serde_json::Value {
    let stubs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stubs");
    let stubs = serde_json::to_string(stubs.to_str().unwrap()).unwrap();
    nix.eval_flake(
        text,
        &format!(
            "let outputs = import ({stubs} + \"/eval.nix\") {{ flake = ./flake.nix; }}; in {expression}"
        ),
    )
}

#[test]
fn add_source_resolves_prefetches_and_edits_the_seed_flake() {
    let nix = Nix::require();
    let forge = forge();
    let base = forge.server.base.clone();
    let (dir, path) = project(&fixture("seed/07-docker-image.nix"));
    let tagged_url = format!("{base}/owner/randomlib/archive/{}.tar.gz", forge.tagged);
    let head_url = format!("{base}/owner/randomlib/archive/{}.tar.gz", forge.head);
    let tagged_hash = nix_prefetch(&tagged_url, true);
    let head_hash = nix_prefetch(&head_url, true);

    for prefetcher in ["native", "nix"] {
        let (dir, path) = project(&fixture("seed/07-docker-image.nix"));
        let output = flakeedit(
            dir.path(),
            &[
                "add-source",
                "owner/randomlib@v0.2.0",
                "--github-url",
                &base,
                "--prefetcher",
                prefetcher,
            ],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("resolved tag v0.2.0 to {}", forge.tagged)),
            "{}",
            stderr(&output)
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(&format!("hash = \"{tagged_hash}\";")),
            "{text}"
        );
    }

    // A tag gives the version; the default package gets it as a build input.
    let output = flakeedit(
        dir.path(),
        &[
            "add-source",
            "owner/randomlib@v0.2.0",
            "--github-url",
            &base,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    // A branch: resolved to its commit, an unstable version, no dependent.
    let output = flakeedit(
        dir.path(),
        &[
            "add-source",
            "github:owner/randomlib@main",
            "--name",
            "randomlib-next",
            "--no-dep",
            "--build-input",
            "ocamlPackages.mirage-crypto",
            "--github-url",
            &base,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let notes = stderr(&output);
    assert!(
        notes.contains(&format!("resolved branch main to {}", forge.head)),
        "{notes}"
    );
    let short = &forge.head[..7];
    assert!(notes.contains(&format!("0-unstable-{short}")), "{notes}");

    let text = std::fs::read_to_string(&path).unwrap();
    let source = |package: &str| {
        eval(
            &nix,
            &text,
            &format!(
                "let p = outputs.packages.x86_64-linux.{package}; in {{ inherit (p) pname version; inherit (p.src) owner repo rev hash; }}"
            ),
        )
    };
    assert_eq!(
        source("randomlib"),
        serde_json::json!({
            "pname": "randomlib", "version": "0.2.0",
            "owner": "owner", "repo": "randomlib", "rev": forge.tagged, "hash": tagged_hash,
        })
    );
    assert_eq!(
        source("\"randomlib-next\""),
        serde_json::json!({
            "pname": "randomlib-next", "version": format!("0-unstable-{short}"),
            "owner": "owner", "repo": "randomlib", "rev": forge.head, "hash": head_hash,
        })
    );
    let inputs = eval(
        &nix,
        &text,
        "map (p: p.pname or p.name) outputs.packages.x86_64-linux.default.buildInputs",
    );
    assert!(
        inputs
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("randomlib")),
        "{inputs}"
    );
    // Running it again changes nothing.
    let before = std::fs::read(&path).unwrap();
    let output = flakeedit(
        dir.path(),
        &[
            "add-source",
            "owner/randomlib@v0.2.0",
            "--github-url",
            &base,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("nothing to do"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn forge_url_for_github_com_is_what_github_url_means() {
    let forge = forge();
    let base = forge.server.base.clone();
    let redirect = format!("github.com={base}");
    let mut written = Vec::new();
    for network in [
        vec!["--github-url", base.as_str()],
        vec!["--forge-url", redirect.as_str()],
        // Another host's redirect does not change where github.com goes.
        vec![
            "--forge-url",
            "gitlab.com=http://127.0.0.1:9",
            "--forge-url",
            redirect.as_str(),
        ],
    ] {
        let (dir, path) = project(&fixture("seed/07-docker-image.nix"));
        let mut args = vec![
            "add-source",
            "owner/randomlib@v0.2.0",
            "--prefetcher",
            "native",
        ];
        args.extend(network.iter().copied());
        let output = flakeedit(dir.path(), &args);
        assert!(output.status.success(), "{network:?}: {}", stderr(&output));
        written.push(std::fs::read_to_string(&path).unwrap());
    }
    assert!(
        written[0].contains("fetchFromGitHub") && written[0].contains("hash = \"sha256-"),
        "{}",
        written[0]
    );
    assert_eq!(written[0], written[1]);
    assert_eq!(written[0], written[2]);

    let (dir, path) = project(&fixture("seed/07-docker-image.nix"));
    let before = std::fs::read(&path).unwrap();
    let output = flakeedit(
        dir.path(),
        &[
            "add-source",
            "owner/randomlib@v0.2.0",
            "--forge-url",
            "github.com",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--forge-url"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// Runs a failing `add-source` and checks: exit 1, file untouched, message.
fn assert_fails(args: &[&str], wanted: &[&str]) {
    let original = fixture("seed/07-docker-image.nix");
    let (dir, path) = project(&original);
    let output = flakeedit(dir.path(), args);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{args:?}: {message}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        original.as_bytes(),
        "{args:?} touched the file"
    );
    assert!(message.contains("nothing was written"), "{message}");
    for wanted in wanted {
        assert!(
            message.contains(wanted),
            "{args:?}: {wanted:?} in {message}"
        );
    }
}

#[test]
fn add_source_errors_write_nothing_and_say_what_to_do() {
    let forge = forge();
    let base = forge.server.base.clone();
    let missing = "0123456789abcdef0123456789abcdef01234567";
    for prefetcher in ["native", "nix", "auto"] {
        assert_fails(
            &[
                "add-source",
                &format!("owner/randomlib@{missing}"),
                "--github-url",
                &base,
                "--prefetcher",
                prefetcher,
            ],
            &["404", "check the owner, repository and revision"],
        );
    }
    assert_fails(
        &[
            "add-source",
            "owner/randomlib@no-such-branch",
            "--github-url",
            &base,
        ],
        &["no branch or tag named", "full 40-digit commit hash"],
    );
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    assert_fails(
        &[
            "add-source",
            &format!("owner/randomlib@{missing}"),
            "--github-url",
            &format!("http://127.0.0.1:{closed}"),
            "--prefetcher",
            "native",
        ],
        &["could not connect", "check the network connection"],
    );
    let html = "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0";
    forge.server.add(
        &format!("/owner/randomlib/archive/{html}.tar.gz"),
        b"<html>rate limited</html>".to_vec(),
    );
    for prefetcher in ["native", "auto"] {
        assert_fails(
            &[
                "add-source",
                &format!("owner/randomlib@{html}"),
                "--github-url",
                &base,
                "--prefetcher",
                prefetcher,
            ],
            &["not a gzip-compressed tarball", ".tar.gz"],
        );
    }
}

#[test]
fn no_prefetch_writes_the_placeholder_and_fix_hashes_fills_it_in() {
    let nix = Nix::require();
    let forge = forge();
    let base = forge.server.base.clone();
    let (dir, path) = project(&fixture("seed/07-docker-image.nix"));
    let output = flakeedit(
        dir.path(),
        &[
            "add-source",
            &format!("owner/randomlib@{}", forge.head),
            "--version",
            "0.3.0",
            "--no-prefetch",
            "--github-url",
            "http://127.0.0.1:9",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("warning:") && stderr(&output).contains("placeholder"),
        "{}",
        stderr(&output)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("hash = pkgs.lib.fakeHash;"), "{text}");

    // A fetchurl with a placeholder too: its hash is flat, not unpacked.
    let file_url = forge
        .server
        .add("/dist/notes.txt", b"release notes\n".to_vec());
    let text = text.replace(
        "          formatter = pkgs.nixpkgs-fmt;",
        &format!(
            "          packages.notes = pkgs.fetchurl {{\n            url = \"{file_url}\";\n            hash = \"\";\n          }};\n          formatter = pkgs.nixpkgs-fmt;"
        ),
    );
    std::fs::write(&path, &text).unwrap();

    let output = flakeedit(dir.path(), &["fix-hashes", "--github-url", &base]);
    assert!(output.status.success(), "{}", stderr(&output));
    let fixed = std::fs::read_to_string(&path).unwrap();
    let archive = format!("{base}/owner/randomlib/archive/{}.tar.gz", forge.head);
    let hashes = eval(
        &nix,
        &fixed,
        "let p = outputs.packages.x86_64-linux; in [ p.randomlib.src.hash p.notes.hash ]",
    );
    assert_eq!(
        hashes,
        serde_json::json!([nix_prefetch(&archive, true), nix_prefetch(&file_url, false)])
    );

    // A placeholder whose download fails: exit 1, nothing written.
    let broken = fixed.replace(
        "hash = \"sha256-",
        "hash = lib.fakeHash; oldHash = \"sha256-",
    );
    std::fs::write(&path, &broken).unwrap();
    let output = flakeedit(
        dir.path(),
        &["fix-hashes", "--github-url", &format!("{base}/elsewhere")],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("nothing was written"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn fix_hashes_convert_only_rewrites_legacy_sha256_offline() {
    let original = fixture("sources/fetchers.nix");
    let (dir, path) = project(&original);
    let output = flakeedit(
        dir.path(),
        &[
            "fix-hashes",
            "--convert-only",
            "--github-url",
            "http://127.0.0.1:9",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&path).unwrap();
    // base32 and hex, converted to the same digests in SRI form.
    assert!(text.contains("hash = \"sha256-dcJDuWE3qLEanu+TBBSeJPxxQvAN9eq88R5W3XMEGiA=\";"));
    assert!(text.contains("hash = \"sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\";"));
    assert!(!text.contains("sha256 = \"080s0"));
    assert!(!text.contains("sha256 = \"e3b0c4"));
    // Placeholders are left for a run with the network.
    assert!(text.contains("hash = lib.fakeHash;"));
    assert_eq!(
        text.lines().count(),
        original.lines().count(),
        "only the two bindings change"
    );
}

/// `--files-from -` is read once: the list on stdin names the file that is
/// prefetched and then edited (it used to be read a second time, found
/// empty, and the run downloaded every hash, edited nothing and exited 0).
#[test]
fn fix_hashes_reads_files_from_stdin_once() {
    let nix = Nix::require();
    let server = Server::start();
    let file_url = server.add("/dist/notes.txt", b"release notes\n".to_vec());
    let text = format!(
        "{{\n  outputs = {{ self, nixpkgs }}:\n    let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {{\n      packages.x86_64-linux.notes = pkgs.fetchurl {{\n        url = \"{file_url}\";\n        hash = \"\";\n      }};\n    }};\n}}\n"
    );
    let (dir, path) = project(&text);
    let mut child = Command::new(env!("CARGO_BIN_EXE_flakeedit"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args([
            "fix-hashes",
            "--files-from",
            "-",
            "--github-url",
            &server.base,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"flake.nix\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("1 files: 1 changed"),
        "{}",
        stderr(&output)
    );
    let fixed = std::fs::read_to_string(&path).unwrap();
    let hash = eval(&nix, &fixed, "outputs.packages.x86_64-linux.notes.hash");
    assert_eq!(hash, serde_json::json!(nix_prefetch(&file_url, false)));
}
