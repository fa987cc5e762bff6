//! The resolving steps with a fake [`SourceResolver`] that answers from a
//! table: what `resolve_source` and `prefetch_sites` make of the answers,
//! without a network. The real prefetcher is tested against a local HTTP
//! server in `flakeedit-prefetch` and end to end in the CLI tests.

use std::cell::RefCell;

use expect_test::expect;
use flakeedit_syntax::SourceFile;

use super::{
    placeholder_hashes, prefetch_sites, resolve_source, HashChoice, Prefetched, ResolvedRev,
    RevKind, SourceRequest, SourceResolver, SourceSpec,
};
use crate::hash::{parse_hash, Hash};
use crate::SourceHash;

const COMMIT: &str = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
const HASH: &str = "sha256-KIvx/UNtPTg0EqfwuJgzSCtr6RgKIXK6yv9QkUUHbJk=";

#[derive(Debug, thiserror::Error)]
#[error("fake: {0}")]
struct FakeError(String);

/// Resolves every revision to [`COMMIT`] (as a tag when it starts with `v`)
/// and hashes everything to [`HASH`], recording each call.
struct FakeResolver {
    base_url: &'static str,
    calls: RefCell<Vec<String>>,
    fail_prefetch: bool,
}

impl FakeResolver {
    fn new(base_url: &'static str) -> Self {
        FakeResolver {
            base_url,
            calls: RefCell::new(Vec::new()),
            fail_prefetch: false,
        }
    }

    fn prefetched(&self, call: String, url: String) -> Result<Prefetched, FakeError> {
        self.calls.borrow_mut().push(call);
        if self.fail_prefetch {
            return Err(FakeError(format!("cannot download {url}")));
        }
        Ok(Prefetched {
            url,
            hash: hash(),
            method: "fake".into(),
        })
    }
}

fn hash() -> Hash {
    parse_hash(HASH).expect("a valid hash")
}

impl SourceResolver for FakeResolver {
    type Error = FakeError;

    fn github_base_url(&self) -> &str {
        self.base_url
    }

    fn resolve_rev(&self, owner: &str, repo: &str, rev: &str) -> Result<ResolvedRev, FakeError> {
        self.calls
            .borrow_mut()
            .push(format!("resolve {owner}/{repo}@{rev}"));
        Ok(ResolvedRev {
            rev: rev.to_string(),
            commit: COMMIT.to_string(),
            kind: if rev.starts_with('v') {
                RevKind::Tag
            } else {
                RevKind::Branch
            },
        })
    }

    fn prefetch_github(
        &self,
        host: Option<&str>,
        owner: &str,
        repo: &str,
        commit: &str,
    ) -> Result<Prefetched, FakeError> {
        let base = host.map_or(self.base_url.to_string(), |host| format!("https://{host}"));
        self.prefetched(
            format!("github {host:?} {owner}/{repo}@{commit}"),
            format!("{base}/{owner}/{repo}/archive/{commit}.tar.gz"),
        )
    }

    fn prefetch_file(&self, url: &str) -> Result<Prefetched, FakeError> {
        self.prefetched(format!("file {url}"), url.to_string())
    }

    fn prefetch_archive(&self, url: &str) -> Result<Prefetched, FakeError> {
        self.prefetched(format!("archive {url}"), url.to_string())
    }
}

fn request(spec: &str, hash: HashChoice) -> SourceRequest {
    SourceRequest {
        spec: SourceSpec::parse(spec).expect("a valid spec"),
        name: None,
        version: None,
        hash,
        dep_of: Some("default".into()),
        build_inputs: Vec::new(),
        system: None,
    }
}

#[test]
fn sources_resolve_tag_takes_version_and_prefetches_the_commit() {
    let resolver = FakeResolver::new("https://github.com");
    let resolved = resolve_source(
        &resolver,
        &request("hannesm/randomconv@v0.2.0", HashChoice::Prefetch),
    )
    .expect("the fake resolves");
    assert_eq!(resolved.operation.rev, COMMIT);
    assert_eq!(resolved.operation.version, "0.2.0");
    assert_eq!(resolved.operation.hash, SourceHash::Known(hash()));
    assert_eq!(resolved.operation.github_host, None);
    assert_eq!(resolved.method.as_deref(), Some("fake"));
    expect![[r#"
        resolve hannesm/randomconv@v0.2.0
        github None hannesm/randomconv@b2ce656d09738d676351f5a1c18aff0ff37a7dcc"#]]
    .assert_eq(&resolver.calls.borrow().join("\n"));
    expect![[r#"
        resolved tag v0.2.0 to b2ce656d09738d676351f5a1c18aff0ff37a7dcc
        prefetched https://github.com/hannesm/randomconv/archive/b2ce656d09738d676351f5a1c18aff0ff37a7dcc.tar.gz (fake): sha256-KIvx/UNtPTg0EqfwuJgzSCtr6RgKIXK6yv9QkUUHbJk="#]]
    .assert_eq(&resolved.notes.join("\n"));
}

#[test]
fn sources_resolve_branch_with_placeholder_does_not_prefetch() {
    let resolver = FakeResolver::new("https://git.example.org/");
    let resolved = resolve_source(&resolver, &request("o/lib@main", HashChoice::Placeholder))
        .expect("the fake resolves");
    assert_eq!(resolved.operation.hash, SourceHash::Fake);
    assert_eq!(resolved.operation.version, "0-unstable-b2ce656");
    assert_eq!(resolved.method, None);
    // A non-default https forge is written as `githubBase`.
    assert_eq!(
        resolved.operation.github_host.as_deref(),
        Some("git.example.org/")
    );
    assert_eq!(*resolver.calls.borrow(), ["resolve o/lib@main"]);
}

#[test]
fn sources_resolve_plain_http_forge_is_not_written() {
    let resolver = FakeResolver::new("http://127.0.0.1:8080");
    let resolved = resolve_source(&resolver, &request("o/lib@v1.0", HashChoice::Placeholder))
        .expect("the fake resolves");
    assert_eq!(resolved.operation.github_host, None);
    assert!(
        resolved
            .notes
            .iter()
            .any(|note| note.starts_with("http://127.0.0.1:8080 is not an https GitHub base")),
        "{:?}",
        resolved.notes
    );
}

const SITES: &str = r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs }:
    let
      pkgs = nixpkgs.legacyPackages.x86_64-linux;
      lib = pkgs.lib;
    in {
      packages.x86_64-linux = {
        a = pkgs.fetchFromGitHub { owner = "o"; repo = "a"; rev = "r1"; hash = lib.fakeHash; };
        b = pkgs.fetchFromGitHub { owner = "o"; repo = "a"; rev = "r1"; hash = ""; };
        c = pkgs.fetchFromGitHub { githubBase = "git.example.org"; owner = "o"; repo = "c"; rev = "r2"; hash = ""; };
        d = pkgs.fetchurl { url = "https://example.org/d.txt"; hash = ""; };
        e = pkgs.fetchzip { url = "https://example.org/e.zip"; hash = ""; };
      };
    };
}
"#;

#[test]
fn sources_prefetch_sites_asks_each_distinct_source_once() {
    let sites = placeholder_hashes(&SourceFile::parse(SITES.to_string()));
    let resolver = FakeResolver::new("https://github.com");
    let hashes = prefetch_sites(&resolver, &sites).expect("the fake prefetches");
    assert_eq!(hashes.len(), 4);
    assert!(hashes.iter().all(|fetched| fetched.hash == hash()));
    expect![[r#"
        github None o/a@r1
        github Some("git.example.org") o/c@r2
        file https://example.org/d.txt
        archive https://example.org/e.zip"#]]
    .assert_eq(&resolver.calls.borrow().join("\n"));
}

#[test]
fn sources_prefetch_sites_stops_at_the_first_failure() {
    let sites = placeholder_hashes(&SourceFile::parse(SITES.to_string()));
    let mut resolver = FakeResolver::new("https://github.com");
    resolver.fail_prefetch = true;
    let error = prefetch_sites(&resolver, &sites).expect_err("the fake fails");
    assert_eq!(resolver.calls.borrow().len(), 1);
    expect![
        "fetchFromGitHub o/a.hash: fake: cannot download https://github.com/o/a/archive/r1.tar.gz"
    ]
    .assert_eq(&error.to_string());
}
