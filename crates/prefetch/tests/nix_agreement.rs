//! The native hasher against Nix itself: `nix-prefetch-url --unpack` on the same archives
//! served from 127.0.0.1, `nix-hash` on directories, and Nix's hash conversions.
//!
//! These tests fail (they do not skip) when Nix is missing: install `nix-bin`.

mod common;

use std::os::unix::fs::{symlink, PermissionsExt};
use std::process::Command;

use common::{
    nix_hash_path, nix_prefetch_url, require_nix_prefetch_url, run, unique_token, Server, Tarball,
};
use flakeedit_prefetch::{nar_hash_path, parse_hash, Hash, Method, Prefetcher, Timeouts};

/// Serves `tarball` at a fresh URL and checks that the native hash, our Nix wrapper and
/// a direct `nix-prefetch-url --unpack` all agree.
fn assert_agrees_with_nix(server: &Server, name: &str, tarball: Vec<u8>) -> Hash {
    let url = server.body(&format!("/{}/{name}.tar.gz", unique_token()), tarball);
    let timeouts = Timeouts::default();
    let native = Prefetcher::Native
        .hash_url(&url, &timeouts, "")
        .unwrap_or_else(|error| panic!("{name}: native prefetch failed: {error}"));
    assert_eq!(native.method, Method::Native);
    let expected = nix_prefetch_url(&url)
        .unwrap_or_else(|stderr| panic!("{name}: nix-prefetch-url failed: {stderr}"));
    assert_eq!(
        native.hash.to_nix_base32(),
        expected,
        "{name}: native hash differs from nix-prefetch-url"
    );
    let via_nix = Prefetcher::Nix.hash_url(&url, &timeouts, "").unwrap();
    assert_eq!(via_nix.method, Method::Nix);
    assert_eq!(
        via_nix.hash, native.hash,
        "{name}: Prefetcher::Nix disagrees"
    );
    native.hash
}

fn assert_both_refuse(server: &Server, name: &str, tarball: Vec<u8>) {
    let url = server.body(&format!("/{}/{name}.tar.gz", unique_token()), tarball);
    let native = Prefetcher::Native.hash_url(&url, &Timeouts::default(), "");
    assert!(
        native.is_err(),
        "{name}: native accepted what Nix refuses: {native:?}"
    );
    assert!(
        nix_prefetch_url(&url).is_err(),
        "{name}: nix-prefetch-url accepted it"
    );
}

fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[test]
fn typical_source_tree() {
    let server = Server::start();
    let long_name = format!("top/{}/file-with-a-long-path.txt", "deep/".repeat(25));
    let tarball = Tarball::new()
        .pax_global_header("52c8dba6a1cb0e2cbc63d8ba3aea0b5c1e6fe8f0")
        .dir("top")
        .file("top/README.md", 0o644, b"# hello\n")
        .file("top/configure", 0o755, b"#!/bin/sh\necho hi\n")
        .dir("top/src")
        .file("top/src/main.rs", 0o644, b"fn main() {}\n")
        .file("top/src/lib.rs", 0o664, &pseudo_random(100_000, 7))
        .dir("top/empty")
        .dir("top/nested/a/b/c")
        .file("top/nested/a/b/c/d.txt", 0o600, b"d")
        .symlink("top/link-to-readme", "README.md")
        .symlink("top/dangling", "../nowhere/at/all")
        .symlink("top/absolute", "/etc/hostname")
        .file("top/ünïcödé-名前.txt", 0o644, "héllo wörld\n".as_bytes())
        .dir("top/répertoire")
        .file("top/répertoire/日本語", 0o755, b"x")
        .file(&long_name, 0o644, b"long")
        .finish();
    assert_agrees_with_nix(&server, "typical", tarball);
}

#[test]
fn redirects_are_followed_like_github_to_codeload() {
    let server = Server::start();
    let token = unique_token();
    let tarball = Tarball::new().dir("r").file("r/a", 0o644, b"a").finish();
    let target = server.body(&format!("/{token}/codeload/r.tar.gz"), tarball);
    let url = server.route(
        &format!("/{token}/archive/r.tar.gz"),
        common::Route::Redirect(target),
    );
    let native = Prefetcher::Native
        .hash_url(&url, &Timeouts::default(), "")
        .unwrap();
    assert_eq!(native.hash.to_nix_base32(), nix_prefetch_url(&url).unwrap());
}

#[test]
fn nar_order_differs_from_archive_order() {
    // git archive sorts a directory `foo` as `foo/`, after `foo.c`; NAR sorts by name.
    let server = Server::start();
    let tarball = Tarball::new()
        .dir("r")
        .file("r/foo-bar", 0o644, b"1")
        .file("r/foo.c", 0o644, b"2")
        .dir("r/foo")
        .file("r/foo/x", 0o644, b"3")
        .file("r/Foo", 0o644, b"4")
        .file("r/_", 0o644, b"5")
        .file("r/foo0", 0o644, b"6")
        .finish();
    assert_agrees_with_nix(&server, "order", tarball);
}

#[test]
fn contents_at_padding_boundaries() {
    let server = Server::start();
    let mut tarball = Tarball::new().dir("p");
    for (index, len) in [
        0, 1, 7, 8, 9, 15, 16, 17, 511, 512, 513, 4096, 65_537, 262_145,
    ]
    .into_iter()
    .enumerate()
    {
        tarball = tarball.file(
            &format!("p/f{len}"),
            0o644,
            &pseudo_random(len, index as u64 + 1),
        );
    }
    assert_agrees_with_nix(&server, "padding", tarball.finish());
}

#[test]
fn top_level_shapes() {
    let server = Server::start();
    // Two top-level entries: nothing is stripped.
    let two = Tarball::new()
        .file("a", 0o644, b"a")
        .dir("b")
        .file("b/c", 0o644, b"c")
        .finish();
    // A lone file or symlink becomes the root itself.
    let lone_file = Tarball::new().file("only", 0o755, b"hello\n").finish();
    let lone_symlink = Tarball::new().symlink("only", "target").finish();
    // `./`-prefixed members, as `tar -C dir .` writes them.
    let dotted = Tarball::new()
        .raw(b"./", tar::EntryType::Directory, b"", b"")
        .raw(b"./top/", tar::EntryType::Directory, b"", b"")
        .raw(b"./top/a", tar::EntryType::Regular, b"", b"a")
        .finish();
    let empty = Tarball::new().finish();
    let implicit_parents = Tarball::new()
        .file("x/y/z", 0o644, b"z")
        .file("x/w", 0o644, b"w")
        .finish();
    let hashes = [
        assert_agrees_with_nix(&server, "two", two),
        assert_agrees_with_nix(&server, "lone-file", lone_file),
        assert_agrees_with_nix(&server, "lone-symlink", lone_symlink),
        assert_agrees_with_nix(&server, "dotted", dotted),
        assert_agrees_with_nix(&server, "empty", empty),
        assert_agrees_with_nix(&server, "implicit", implicit_parents),
    ];
    let mut distinct = hashes.to_vec();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), hashes.len());
}

#[test]
fn executable_means_owner_execute_bit() {
    let server = Server::start();
    let tarball = Tarball::new()
        .dir("m")
        .file("m/a645", 0o645, b"a")
        .file("m/b654", 0o654, b"b")
        .file("m/c744", 0o744, b"c")
        .file("m/d100", 0o100, b"d")
        .file("m/e000", 0o000, b"e")
        .file("m/f4755", 0o4755, b"f")
        .finish();
    assert_agrees_with_nix(&server, "modes", tarball);
}

#[test]
fn hard_links_are_copies() {
    let server = Server::start();
    let tarball = Tarball::new()
        .dir("h")
        .file("h/tool", 0o755, b"#!/bin/sh\n")
        .hardlink("h/alias", "h/tool")
        .symlink("h/s", "tool")
        .hardlink("h/s2", "h/s")
        .file("h/old", 0o644, b"old")
        .hardlink("h/keeps-old", "h/old")
        .file("h/old", 0o644, b"new!")
        .finish();
    assert_agrees_with_nix(&server, "hardlinks", tarball);
}

#[test]
fn later_members_replace_earlier_ones() {
    let server = Server::start();
    let tarball = Tarball::new()
        .dir("d")
        .file("d/dup", 0o644, b"first")
        .file("d/dup", 0o755, b"second")
        .file("d/becomes-dir", 0o644, b"file")
        .dir("d/becomes-dir")
        .file("d/becomes-dir/inner", 0o644, b"inner")
        .dir("d/empty-becomes-link")
        .symlink("d/empty-becomes-link", "x")
        .symlink("d/link-becomes-dir", "y")
        .dir("d/link-becomes-dir")
        .dir("d/merged")
        .file("d/merged/a", 0o644, b"a")
        .dir("d/merged")
        .finish();
    assert_agrees_with_nix(&server, "replace", tarball);
}

#[test]
fn refusals_match_nix() {
    let server = Server::start();
    let cases = [
        (
            "dotdot",
            Tarball::new()
                .raw(b"top/../x", tar::EntryType::Regular, b"", b"x")
                .finish(),
        ),
        (
            "through-symlink",
            Tarball::new()
                .symlink("top/l", "/tmp")
                .raw(b"top/l/escaped", tar::EntryType::Regular, b"", b"x")
                .finish(),
        ),
        (
            "replace-nonempty-dir",
            Tarball::new()
                .file("top/a/b", 0o644, b"b")
                .raw(b"top/a", tar::EntryType::Regular, b"", b"f")
                .finish(),
        ),
        (
            "parent-is-file",
            Tarball::new()
                .file("top/a", 0o644, b"f")
                .raw(b"top/a/b", tar::EntryType::Regular, b"", b"b")
                .finish(),
        ),
        (
            "missing-link-target",
            Tarball::new().hardlink("top/h", "top/nope").finish(),
        ),
        (
            "fifo",
            Tarball::new()
                .raw(b"top/f", tar::EntryType::Fifo, b"", b"")
                .finish(),
        ),
        ("not-tar", {
            use std::io::Write;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&[b'x'; 2000]).unwrap();
            gz.finish().unwrap()
        }),
    ];
    for (name, tarball) in cases {
        assert_both_refuse(&server, name, tarball);
    }
}

#[test]
fn gnu_tar_archive_matches_nix_hash_of_the_directory() {
    require_nix_prefetch_url();
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("project-1.0");
    std::fs::create_dir_all(tree.join("src/empty")).unwrap();
    std::fs::create_dir_all(tree.join("bin")).unwrap();
    std::fs::write(tree.join("src/main.c"), "int main(void) { return 0; }\n").unwrap();
    std::fs::write(tree.join("bin/run"), "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(tree.join("bin/run"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(tree.join("ñandú ☃.txt"), "snow\n").unwrap();
    symlink("src/main.c", tree.join("main-link")).unwrap();
    symlink("../../outside", tree.join("src/up")).unwrap();

    let expected = nix_hash_path(&tree);
    assert_eq!(
        nar_hash_path(&tree).unwrap().to_nix_base32(),
        expected,
        "nar_hash_path vs nix-hash"
    );

    let archive = work.path().join("project.tar.gz");
    run(Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(work.path())
        .arg("project-1.0"));
    let server = Server::start();
    let hash = assert_agrees_with_nix(&server, "gnu-tar", common::read(&archive));
    assert_eq!(
        hash.to_nix_base32(),
        expected,
        "unpacked archive vs nix-hash of the directory"
    );

    // The same archive read from a local file through `file://` works in Nix too.
    let file_url = format!("file://{}", archive.display());
    assert_eq!(nix_prefetch_url(&file_url).unwrap(), expected);
    let from_file =
        flakeedit_prefetch::hash_tarball(std::fs::File::open(&archive).unwrap(), "project.tar.gz")
            .unwrap();
    assert_eq!(from_file.to_nix_base32(), expected);
}

#[test]
fn nar_hash_of_single_files_and_symlinks_matches_nix_hash() {
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("plain");
    std::fs::write(&file, pseudo_random(10_001, 3)).unwrap();
    let executable = work.path().join("exe");
    std::fs::write(&executable, b"#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&executable, std::fs::Permissions::from_mode(0o700)).unwrap();
    let link = work.path().join("link");
    symlink("plain", &link).unwrap();
    for path in [&file, &executable, &link] {
        assert_eq!(
            nar_hash_path(path).unwrap().to_nix_base32(),
            nix_hash_path(path),
            "{}",
            path.display()
        );
    }
}

#[test]
fn hash_spellings_match_nix_hash_conversions() {
    let nix_hash = which::which("nix-hash")
        .unwrap_or_else(|_| panic!("nix-hash is not on PATH: install nix-bin"));
    for seed in 1..=8u64 {
        let bytes: [u8; 32] = pseudo_random(32, seed).try_into().unwrap();
        let hash = Hash::from_bytes(bytes);
        let to_base32 =
            run(Command::new(&nix_hash).args(["--type", "sha256", "--to-base32", &hash.to_hex()]));
        assert_eq!(hash.to_nix_base32(), to_base32.trim());
        let to_base16 = run(Command::new(&nix_hash).args([
            "--type",
            "sha256",
            "--to-base16",
            &hash.to_nix_base32(),
        ]));
        assert_eq!(hash.to_hex(), to_base16.trim());
        assert_eq!(parse_hash(to_base32.trim()).unwrap(), hash);
    }
    // `nix hash to-sri` is the SRI oracle (the `nix` command comes with
    // nix-instantiate: Debian's nix-bin).
    let nix = which::which("nix")
        .expect("the `nix` command is the SRI oracle; install Nix (Debian: nix-bin)");
    let hash = Hash::from_bytes(pseudo_random(32, 99).try_into().unwrap());
    let sri = run(Command::new(nix).args([
        "--extra-experimental-features",
        "nix-command",
        "hash",
        "to-sri",
        "--type",
        "sha256",
        &hash.to_nix_base32(),
    ]));
    assert_eq!(hash.to_sri(), sri.trim());
}
