//! The edit library does no I/O and has no network dependency: its normal
//! dependency tree must hold no HTTP, TLS or process-running crate and not
//! the prefetcher. (Front-ends hand the network in through
//! `sources::SourceResolver`.)

use std::process::Command;

/// Crates whose presence means the library can reach the network (or run the
/// tools that do).
const FORBIDDEN: &[&str] = &[
    "flakeedit-prefetch",
    "ureq",
    "reqwest",
    "hyper",
    "curl",
    "rustls",
    "native-tls",
    "openssl",
    "ring",
    "webpki",
    "webpki-roots",
    "tokio",
    "which",
];

#[test]
fn edit_library_has_no_network_dependency() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["-p", "flakeedit-flake", "--manifest-path", manifest])
        .output()
        .expect("cargo tree runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let crates: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    // The tree really is the library's: it lists its own pure dependencies.
    for expected in [
        "flakeedit-flake",
        "flakeedit-syntax",
        "flakeedit-hash",
        "rnix",
    ] {
        assert!(
            crates.contains(&expected),
            "{expected} missing from:\n{stdout}"
        );
    }
    let found: Vec<&&str> = FORBIDDEN
        .iter()
        .filter(|name| crates.contains(name))
        .collect();
    assert!(
        found.is_empty(),
        "flakeedit-flake depends on {found:?}; the edit library must stay free of network code:\n{stdout}"
    );
}
