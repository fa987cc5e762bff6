//! Flat hashes (`fetchurl`): the sha256 of the file as downloaded, not unpacked,
//! compared with `nix-prefetch-url` without `--unpack` on the same served file.

mod common;

use std::process::Command;

use common::{require_nix_prefetch_url, unique_token, Server, Tarball};
use flakeedit_prefetch::{hash_flat, parse_hash, Client, Error, Method, Prefetcher};

/// `nix-prefetch-url --type sha256 URL`, flat.
fn nix_prefetch_url_flat(url: &str) -> String {
    let output = Command::new(require_nix_prefetch_url())
        .args(["--type", "sha256", url])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
fn flat_hash_matches_nix_prefetch_url_without_unpack() {
    let server = Server::start();
    let tarball = Tarball::new()
        .dir("pkg-1.0/")
        .file("pkg-1.0/README", 0o644, b"hello\n")
        .finish();
    let plain: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    for (name, body) in [
        ("pkg-1.0.tar.gz", tarball),
        ("data.bin", plain),
        ("empty.txt", Vec::new()),
    ] {
        let url = server.body(&format!("/{}/{name}", unique_token()), body.clone());
        let expected = parse_hash(&nix_prefetch_url_flat(&url)).unwrap();
        assert_eq!(hash_flat(&body[..], name).unwrap(), expected, "{name}");
        for prefetcher in [Prefetcher::Native, Prefetcher::Nix] {
            let client = Client::new().with_prefetcher(prefetcher);
            let fresh = server.body(&format!("/{}/{name}", unique_token()), body.clone());
            let prefetched = client.prefetch_file_url(&fresh).unwrap();
            assert_eq!(prefetched.hash, expected, "{name} {prefetcher:?}");
            let method = match prefetcher {
                Prefetcher::Nix => Method::Nix,
                _ => Method::Native,
            };
            assert_eq!(prefetched.method, method);
        }
    }
}

#[test]
fn flat_hash_of_a_tarball_differs_from_its_unpacked_hash() {
    let server = Server::start();
    let body = Tarball::new()
        .dir("src/")
        .file("src/main.ml", 0o644, b"let () = ()\n")
        .finish();
    let client = Client::new().with_prefetcher(Prefetcher::Native);
    let flat = client
        .prefetch_file_url(&server.body(&format!("/{}/a.tar.gz", unique_token()), body.clone()))
        .unwrap();
    let unpacked = client
        .prefetch_url(&server.body(&format!("/{}/a.tar.gz", unique_token()), body))
        .unwrap();
    assert_ne!(flat.hash, unpacked.hash);
}

#[test]
fn flat_hash_of_a_missing_file_is_a_404() {
    let server = Server::start();
    for prefetcher in [Prefetcher::Native, Prefetcher::Nix] {
        let url = format!("{}/{}/missing.txt", server.base(), unique_token());
        let error = Client::new()
            .with_prefetcher(prefetcher)
            .prefetch_file_url(&url)
            .unwrap_err();
        assert!(
            matches!(error, Error::NotFound { .. }),
            "{prefetcher:?}: {error:?}"
        );
        assert!(error.to_string().contains("check the URL"), "{error}");
    }
}
