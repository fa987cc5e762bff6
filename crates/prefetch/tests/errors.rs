//! Failures give typed errors with useful messages, never panics.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{unique_token, Route, Server, Tarball};
use flakeedit_prefetch::{hash_tarball, Client, Error, GitHub, Prefetcher, Timeouts};
use proptest::prelude::*;

fn native_client(server: &Server) -> Client {
    Client::new()
        .with_github(GitHub::new(format!("{}/{}", server.base(), unique_token())))
        .with_prefetcher(Prefetcher::Native)
}

fn quick_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_millis(300),
        command: Some(Duration::from_secs(60)),
    }
}

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

#[test]
fn missing_archive_is_a_404_that_names_the_repository() {
    let server = Server::start();
    for prefetcher in [Prefetcher::Native, Prefetcher::Nix] {
        let error = native_client(&server)
            .with_prefetcher(prefetcher)
            .prefetch_github_commit("someone", "no-such-repo", COMMIT)
            .unwrap_err();
        assert!(
            matches!(error, Error::NotFound { .. }),
            "{prefetcher:?}: {error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("404"), "{message}");
        assert!(
            message.contains("\"someone\"") && message.contains("\"no-such-repo\""),
            "{message}"
        );
        assert!(message.contains(COMMIT), "{message}");
    }
}

#[test]
fn connection_refused_says_so() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::new()
        .with_github(GitHub::new(format!("http://127.0.0.1:{port}")))
        .with_prefetcher(Prefetcher::Native);
    let error = client.prefetch_github_commit("o", "r", COMMIT).unwrap_err();
    assert!(matches!(error, Error::Connect { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("could not connect") && message.contains("refused"),
        "{message}"
    );
}

#[test]
fn silent_server_times_out() {
    let server = Server::start();
    let url = server.route(&format!("/{}/silent.tar.gz", unique_token()), Route::Silent);
    let started = Instant::now();
    let error = Prefetcher::Native
        .hash_url(&url, &quick_timeouts(), "")
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            error,
            Error::Timeout {
                phase: "waiting for the response",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("0.3 s"), "{error}");
}

#[test]
fn stalled_body_times_out() {
    let server = Server::start();
    let tarball = Tarball::new()
        .file("t/a", 0o644, &vec![7u8; 200_000])
        .finish();
    let url = server.route(
        &format!("/{}/stall.tar.gz", unique_token()),
        Route::StallMidBody(Arc::new(tarball)),
    );
    let started = Instant::now();
    let error = Prefetcher::Native
        .hash_url(&url, &quick_timeouts(), "")
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            error,
            Error::Timeout {
                phase: "receiving the archive",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn garbage_bodies_are_not_gzip() {
    let server = Server::start();
    let token = unique_token();
    let html = server.body(
        &format!("/{token}/html"),
        b"<!DOCTYPE html><html>login</html>".to_vec(),
    );
    let error = Prefetcher::Native
        .hash_url(&html, &Timeouts::default(), "")
        .unwrap_err();
    assert!(matches!(error, Error::NotGzip { .. }), "{error:?}");
    assert!(error.to_string().contains("HTML"), "{error}");

    let noise = server.body(&format!("/{token}/noise"), vec![0x42; 1000]);
    let error = Prefetcher::Native
        .hash_url(&noise, &Timeouts::default(), "")
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("is not a gzip-compressed tarball"),
        "{error}"
    );

    let empty = server.body(&format!("/{token}/empty"), Vec::new());
    let error = Prefetcher::Native
        .hash_url(&empty, &Timeouts::default(), "")
        .unwrap_err();
    assert!(error.to_string().contains("empty"), "{error}");
}

#[test]
fn gzip_that_is_not_a_tarball_is_a_bad_archive() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"just some text, not a tar header at all")
        .unwrap();
    let error = hash_tarball(&gz.finish().unwrap()[..], "text.gz").unwrap_err();
    assert!(matches!(error, Error::BadArchive { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("text.gz is not a valid source tarball"),
        "{error}"
    );
}

#[test]
fn truncated_download_is_a_bad_archive() {
    let tarball = Tarball::new()
        .file("t/a", 0o644, &common_random(300_000))
        .finish();
    let cut = &tarball[..tarball.len() / 2];
    let error = hash_tarball(cut, "cut.tar.gz").unwrap_err();
    assert!(matches!(error, Error::BadArchive { .. }), "{error:?}");
}

#[test]
fn server_errors_carry_the_status() {
    let server = Server::start();
    let url = server.route(
        &format!("/{}/broken.tar.gz", unique_token()),
        Route::Status(503),
    );
    let error = Prefetcher::Native
        .hash_url(&url, &Timeouts::default(), "")
        .unwrap_err();
    assert!(
        matches!(error, Error::HttpStatus { status: 503, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().ends_with("answered HTTP 503 Oops"),
        "{error}"
    );
}

#[test]
fn auto_falls_back_to_native_when_nix_itself_fails() {
    // nix-prefetch-url fails on a body that is not an archive; the native attempt then
    // gives the clearer diagnosis.
    let server = Server::start();
    let url = server.body(
        &format!("/{}/page.tar.gz", unique_token()),
        b"<html></html>".to_vec(),
    );
    let error = Prefetcher::Auto
        .hash_url(&url, &Timeouts::default(), "")
        .unwrap_err();
    assert!(matches!(error, Error::NotGzip { .. }), "{error:?}");
}

#[test]
fn nix_failures_carry_its_stderr() {
    let server = Server::start();
    let url = server.body(
        &format!("/{}/garbage.tar.gz", unique_token()),
        vec![0x42; 100],
    );
    let error = Prefetcher::Nix
        .hash_url(&url, &Timeouts::default(), "")
        .unwrap_err();
    let Error::NixFailed { stderr, .. } = &error else {
        panic!("expected NixFailed, got {error:?}")
    };
    assert!(stderr.contains("error"), "{stderr}");
    assert!(error.to_string().contains(&url), "{error}");
}

#[test]
fn paths_escaping_the_root_are_refused() {
    let cases: [(&str, Vec<u8>); 4] = [
        (
            "dotdot",
            Tarball::new()
                .raw(b"top/../../etc/x", tar::EntryType::Regular, b"", b"x")
                .finish(),
        ),
        (
            "absolute",
            Tarball::new()
                .raw(b"/etc/x", tar::EntryType::Regular, b"", b"x")
                .finish(),
        ),
        (
            "through-symlink",
            Tarball::new()
                .symlink("top/l", "/etc")
                .raw(b"top/l/x", tar::EntryType::Regular, b"", b"x")
                .finish(),
        ),
        (
            "hardlink-outside",
            Tarball::new()
                .file("top/a", 0o644, b"a")
                .raw(b"top/h", tar::EntryType::Link, b"../etc/passwd", b"")
                .finish(),
        ),
    ];
    for (name, tarball) in cases {
        let error = hash_tarball(&tarball[..], name).unwrap_err();
        assert!(
            matches!(error, Error::UnsafePath { .. }),
            "{name}: {error:?}"
        );
        assert!(
            error.to_string().contains("outside the source tree"),
            "{error}"
        );
    }
}

#[test]
fn bad_names_fail_before_any_request() {
    let client = Client::new().with_prefetcher(Prefetcher::Native);
    assert!(matches!(
        client.prefetch_github_commit("o", "../r", COMMIT),
        Err(Error::BadName { .. })
    ));
    assert!(matches!(
        client.prefetch_github_commit("o", "r", "--upload-pack=x"),
        Err(Error::BadRev { .. })
    ));
    assert!(matches!(
        client.resolve_rev("o", "r", "a b"),
        Err(Error::BadRev { .. })
    ));
    let error = Prefetcher::Native
        .hash_url("not a url", &Timeouts::default(), "")
        .unwrap_err();
    assert!(matches!(error, Error::InvalidUrl { .. }), "{error:?}");
}

fn common_random(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let _ = hash_tarball(&bytes[..], "arbitrary");
    }

    #[test]
    fn corrupted_tarballs_never_panic(position in 0usize..4000, value in any::<u8>(), cut in 0usize..4000) {
        let mut tarball = Tarball::new()
            .dir("t")
            .file("t/a", 0o755, b"hello")
            .symlink("t/l", "a")
            .hardlink("t/h", "t/a")
            .finish();
        // Corrupt the decompressed stream too: re-gzip a damaged tar.
        let mut plain = Vec::new();
        std::io::copy(&mut flate2::read::GzDecoder::new(&tarball[..]), &mut plain).unwrap();
        let index = position % plain.len();
        plain[index] = value;
        plain.truncate(cut.max(1).min(plain.len()));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&plain).unwrap();
        let _ = hash_tarball(&gz.finish().unwrap()[..], "damaged tar");
        let index = position % tarball.len();
        tarball[index] = value;
        let _ = hash_tarball(&tarball[..], "damaged gzip");
    }
}
