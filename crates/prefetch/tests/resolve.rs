//! Revision resolution against real git repositories made in the test, and the whole
//! path from a branch or tag name to a hash, served from 127.0.0.1.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{nix_hash_path, nix_prefetch_url, run, unique_token, Server};
use flakeedit_prefetch::{Client, Error, GitHub, Prefetcher, RevKind, Timeouts};

struct Fixture {
    _dir: tempfile::TempDir,
    work: PathBuf,
    /// Directory holding `owner/repo.git`, usable as a base URL.
    base: PathBuf,
}

fn git(dir: &Path, args: &[&str]) -> String {
    let git = which::which("git").unwrap_or_else(|_| panic!("git is not on PATH: install git"));
    run(Command::new(git)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .args(args))
    .trim()
    .to_owned()
}

/// A repository with two commits on `main`, a branch, an annotated and a lightweight
/// tag, and a name that is both a tag and a branch; published as a bare `owner/repo.git`.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    git(&work, &["init", "--quiet", "--initial-branch=main"]);
    std::fs::write(work.join("README"), "one\n").unwrap();
    std::fs::create_dir(work.join("bin")).unwrap();
    std::fs::write(work.join("bin/tool"), "#!/bin/sh\n").unwrap();
    git(&work, &["update-index", "--add", "--chmod=+x", "bin/tool"]);
    git(&work, &["add", "README"]);
    git(&work, &["commit", "--quiet", "-m", "one"]);
    git(&work, &["tag", "-a", "v1.0", "-m", "release 1.0"]);
    git(&work, &["tag", "light"]);
    git(&work, &["branch", "same"]);
    std::fs::write(work.join("README"), "two\n").unwrap();
    std::os::unix::fs::symlink("README", work.join("link")).unwrap();
    git(&work, &["add", "README", "link"]);
    git(&work, &["commit", "--quiet", "-m", "two"]);
    git(&work, &["branch", "feature/x"]);
    git(&work, &["tag", "same"]);
    let base = dir.path().join("base");
    std::fs::create_dir_all(base.join("owner")).unwrap();
    git(
        dir.path(),
        &["clone", "--quiet", "--bare", "work", "base/owner/repo.git"],
    );
    Fixture {
        _dir: dir,
        work,
        base,
    }
}

#[test]
fn names_resolve_like_git() {
    let fixture = fixture();
    let first = git(&fixture.work, &["rev-parse", "main~1"]);
    let second = git(&fixture.work, &["rev-parse", "main"]);
    let tag_object = git(&fixture.work, &["rev-parse", "v1.0"]);
    assert_ne!(tag_object, first, "v1.0 should be an annotated tag object");

    for base in [
        fixture.base.display().to_string(),
        format!("file://{}", fixture.base.display()),
    ] {
        let client = Client::new().with_github(GitHub::new(&base));
        let resolve = |rev: &str| {
            client
                .resolve_rev("owner", "repo", rev)
                .unwrap_or_else(|error| panic!("{rev}: {error}"))
        };

        let main = resolve("main");
        assert_eq!(
            (main.commit.as_str(), main.kind),
            (second.as_str(), RevKind::Branch)
        );
        assert_eq!(main.ref_name.as_deref(), Some("refs/heads/main"));
        assert_eq!(resolve("feature/x").kind, RevKind::Branch);

        let annotated = resolve("v1.0");
        assert_eq!(
            annotated.commit, first,
            "annotated tags resolve to the peeled commit"
        );
        assert!(annotated.is_tag());
        assert_eq!(annotated.ref_name.as_deref(), Some("refs/tags/v1.0"));
        assert_eq!(annotated.rev, "v1.0");

        let light = resolve("light");
        assert_eq!(
            (light.commit.as_str(), light.is_tag()),
            (first.as_str(), true)
        );

        let head = resolve("HEAD");
        assert_eq!(
            (head.commit.as_str(), head.kind),
            (second.as_str(), RevKind::Head)
        );

        // Both a tag and a branch: the tag wins, as in git; qualified names choose.
        let same = resolve("same");
        assert_eq!(
            (same.commit.as_str(), same.kind),
            (second.as_str(), RevKind::Tag)
        );
        let same_branch = resolve("refs/heads/same");
        assert_eq!(
            (same_branch.commit.as_str(), same_branch.kind),
            (first.as_str(), RevKind::Branch)
        );
        assert_eq!(resolve("heads/same").commit, first);

        let missing = client.resolve_rev("owner", "repo", "nope").unwrap_err();
        assert!(matches!(missing, Error::RefNotFound { .. }), "{missing:?}");
        assert!(
            missing
                .to_string()
                .contains("no branch or tag named \"nope\""),
            "{missing}"
        );
        let short = client
            .resolve_rev("owner", "repo", &second[..7])
            .unwrap_err();
        assert!(
            short.to_string().contains("abbreviated commit hash"),
            "{short}"
        );
    }
}

#[test]
fn commit_hashes_are_used_as_given_without_git() {
    // The repository does not exist; a full hash must not need it.
    let client = Client::new().with_github(GitHub::new("/nonexistent/base"));
    let rev = "0123456789ABCDEF0123456789abcdef01234567";
    let resolved = client.resolve_rev("owner", "repo", rev).unwrap();
    assert_eq!(resolved.commit, rev.to_ascii_lowercase());
    assert_eq!(resolved.kind, RevKind::Commit);
    assert!(!resolved.is_tag());
    assert_eq!(resolved.ref_name, None);
}

#[test]
fn missing_repository_reports_git_stderr() {
    let fixture = fixture();
    let client = Client::new().with_github(GitHub::new(fixture.base.display().to_string()));
    let error = client.resolve_rev("owner", "absent", "main").unwrap_err();
    let Error::GitFailed { stderr, .. } = &error else {
        panic!("expected GitFailed, got {error:?}")
    };
    assert!(
        stderr.contains("does not appear to be a git repository"),
        "{stderr}"
    );
    assert!(error.to_string().contains("absent.git"), "{error}");
}

/// Publishes the bare repository over git's "dumb" HTTP protocol and `git archive`
/// tarballs at GitHub's archive paths, so one base URL serves both, as GitHub does.
#[test]
fn branch_and_tag_to_hash_end_to_end() {
    let fixture = fixture();
    let server = Server::start();
    let prefix = format!("/{}", unique_token());
    let bare = fixture.base.join("owner/repo.git");
    git(&bare, &["update-server-info"]);
    let info_refs = std::fs::read(bare.join("info/refs")).unwrap();
    server.body(
        &format!("{prefix}/owner/repo.git/info/refs?service=git-upload-pack"),
        info_refs.clone(),
    );
    server.body(&format!("{prefix}/owner/repo.git/info/refs"), info_refs);
    server.body(
        &format!("{prefix}/owner/repo.git/HEAD"),
        std::fs::read(bare.join("HEAD")).unwrap(),
    );

    let mut expected = Vec::new();
    for commit in [
        git(&fixture.work, &["rev-parse", "main"]),
        git(&fixture.work, &["rev-parse", "v1.0^{commit}"]),
    ] {
        let archive = git(
            &fixture.work,
            &[
                "archive",
                "--format=tar.gz",
                &format!("--prefix=repo-{commit}/"),
                "-o",
                "../out.tar.gz",
                &commit,
            ],
        );
        assert!(archive.is_empty());
        let tarball = std::fs::read(fixture.work.join("../out.tar.gz")).unwrap();
        let url = server.body(
            &format!("{prefix}/owner/repo/archive/{commit}.tar.gz"),
            tarball,
        );
        // The oracle: Nix's own answer, and the NAR hash of the tree git exports.
        let from_nix = nix_prefetch_url(&url).unwrap();
        let export = fixture.work.join(format!("../export-{commit}"));
        std::fs::create_dir(&export).unwrap();
        run(Command::new("sh")
            .current_dir(&fixture.work)
            .arg("-c")
            .arg(format!(
                "git archive {commit} | tar -x -C {}",
                export.display()
            )));
        assert_eq!(nix_hash_path(&export), from_nix);
        expected.push((commit, from_nix));
    }

    for prefetcher in [Prefetcher::Native, Prefetcher::Nix, Prefetcher::Auto] {
        let client = Client::new()
            .with_github(GitHub::new(format!("{}{prefix}", server.base())))
            .with_prefetcher(prefetcher)
            .with_timeouts(Timeouts::default());
        for (rev, (commit, hash)) in [("main", &expected[0]), ("v1.0", &expected[1])] {
            let source = client
                .prefetch_github("owner", "repo", rev)
                .unwrap_or_else(|error| panic!("{rev}: {error}"));
            assert_eq!(&source.rev.commit, commit);
            assert_eq!(source.rev.is_tag(), rev == "v1.0");
            assert_eq!(
                &source.prefetched.hash.to_nix_base32(),
                hash,
                "{prefetcher:?} {rev}"
            );
            assert!(source
                .prefetched
                .url
                .ends_with(&format!("/owner/repo/archive/{commit}.tar.gz")));
            assert!(source.prefetched.hash.to_sri().starts_with("sha256-"));
        }
    }
}
