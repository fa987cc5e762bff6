//! `outdated` and `update` end to end, offline but real: repositories the
//! tests create with git, reached as `git+file://` URLs and through a git
//! smart-HTTP server on 127.0.0.1 that `--forge-url` redirects github.com
//! to. Nix's parser judges every edited file.

mod common;
mod git_http;

use std::time::Instant;

use common::*;
use flakeedit_oracle::Nix;
use git_http::{repository, silent_server, GitServer};

/// Repositories on the test "forge": a tool with release tags and
/// pre-releases, nixpkgs with channel branches.
fn forge() -> (tempfile::TempDir, GitServer) {
    let root = tempfile::tempdir().unwrap();
    repository(
        root.path(),
        "o/tool.git",
        &["v1.0.0", "v1.9.0", "v1.10.0", "v1.11.0-rc.1", "cli-v9.0.0"],
        &[],
    );
    repository(
        root.path(),
        "NixOS/nixpkgs.git",
        &[],
        &[
            "nixos-24.05",
            "nixos-24.11",
            "nixos-24.11-small",
            "nixpkgs-24.11-darwin",
            "nixos-unstable",
        ],
    );
    let server = GitServer::start(root.path());
    (root, server)
}

const FLAKE: &str = r#"{
  description = "update fixture";
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
    tool.url = "github:o/tool/v1.9.0?dir=nix";
    darwin.url = "github:NixOS/nixpkgs/nixpkgs-24.05-darwin";
    unstable.url = "github:NixOS/nixpkgs/nixos-unstable";
    kept.url = "github:o/tool/v1.0.0"; # flakeedit: pin
    latest = {
      type = "github";
      owner = "o";
      repo = "tool";
      ref = "v1.10.0";
    };
    tool.inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, ... }: { };
}
"#;

fn redirect(server: &GitServer) -> String {
    format!("--forge-url=github.com={}", server.base)
}

#[test]
fn outdated_names_the_newest_release_of_each_input() {
    let (_root, server) = forge();
    let (dir, _) = project(FLAKE);
    let output = flakeedit(dir.path(), &["outdated", &redirect(&server)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "\
nixpkgs   nixos-24.05           -> nixos-24.11
tool      v1.9.0                -> v1.10.0
darwin    nixpkgs-24.05-darwin  -> nixpkgs-24.11-darwin
unstable  nixos-unstable        branch; not locked
kept      v1.0.0                pinned (# flakeedit: pin)
latest    v1.10.0               newest
"
    );
    // Four inputs on two repositories: one query each.
    assert_eq!(
        server.queries_of("/o/tool.git"),
        1,
        "{:?}",
        server.requests()
    );
    assert_eq!(server.queries_of("/NixOS/nixpkgs.git"), 1);

    let pre = flakeedit(
        dir.path(),
        &["outdated", "tool", "--pre", "--json", &redirect(&server)],
    );
    let json: serde_json::Value = serde_json::from_str(stdout(&pre).trim()).unwrap();
    assert_eq!(json["inputs"][0]["name"], "tool");
    assert_eq!(json["inputs"][0]["latest"], "v1.11.0-rc.1");
    assert_eq!(json["inputs"][0]["status"], "outdated");
}

#[test]
fn update_moves_tags_and_channels_and_nothing_else() {
    let (_root, server) = forge();
    let (dir, path) = project(FLAKE);
    let output = flakeedit(dir.path(), &["update", &redirect(&server)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        FLAKE
            .replace("nixos-24.05", "nixos-24.11")
            .replace("tool/v1.9.0", "tool/v1.10.0")
            .replace("nixpkgs-24.05-darwin", "nixpkgs-24.11-darwin")
    );
    Nix::require().assert_parses(&after);
    let messages = stderr(&output);
    assert!(
        messages.contains("`tool` moved from v1.9.0 to v1.10.0"),
        "{messages}"
    );
    // Without flake.lock nothing is stale: Nix locks on the next evaluation.
    assert!(!messages.contains("flake.lock"), "{messages}");
    // Idempotent: the second run finds nothing newer.
    let again = flakeedit(dir.path(), &["update", "--check", &redirect(&server)]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
}

/// A lock of `FLAKE` made before `darwin` was added: it locks `nixpkgs`
/// (followed by `tool`'s nixpkgs), `tool`, `unstable`, `kept` and `latest`.
const LOCK: &str = r#"{
  "nodes": {
    "nixpkgs": {
      "locked": { "lastModified": 1700000000, "narHash": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "owner": "NixOS", "repo": "nixpkgs", "rev": "1111111111111111111111111111111111111111", "type": "github" },
      "original": { "owner": "NixOS", "ref": "nixos-24.05", "repo": "nixpkgs", "type": "github" }
    },
    "tool": {
      "inputs": { "nixpkgs": ["nixpkgs"] },
      "locked": { "dir": "nix", "lastModified": 1700000000, "narHash": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "owner": "o", "repo": "tool", "rev": "2222222222222222222222222222222222222222", "type": "github" },
      "original": { "dir": "nix", "owner": "o", "ref": "v1.9.0", "repo": "tool", "type": "github" }
    },
    "unstable": {
      "locked": { "lastModified": 1700000000, "narHash": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "owner": "NixOS", "repo": "nixpkgs", "rev": "3333333333333333333333333333333333333333", "type": "github" },
      "original": { "owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github" }
    },
    "kept": {
      "locked": { "lastModified": 1700000000, "narHash": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "owner": "o", "repo": "tool", "rev": "4444444444444444444444444444444444444444", "type": "github" },
      "original": { "owner": "o", "ref": "v1.0.0", "repo": "tool", "type": "github" }
    },
    "latest": {
      "locked": { "lastModified": 1700000000, "narHash": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "owner": "o", "repo": "tool", "rev": "5555555555555555555555555555555555555555", "type": "github" },
      "original": { "owner": "o", "ref": "v1.10.0", "repo": "tool", "type": "github" }
    },
    "root": {
      "inputs": { "kept": "kept", "latest": "latest", "nixpkgs": "nixpkgs", "tool": "tool", "unstable": "unstable" }
    }
  },
  "root": "root",
  "version": 7
}
"#;

#[test]
fn update_names_exactly_the_locked_inputs_that_need_relocking() {
    let (_root, server) = forge();
    let (dir, path) = project(FLAKE);
    let lock = dir.path().join("flake.lock");
    std::fs::write(&lock, LOCK).unwrap();
    let dry = flakeedit(
        dir.path(),
        &["--json", "--dry-run", "update", &redirect(&server)],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    let record: serde_json::Value = serde_json::from_str(stdout(&dry).trim()).unwrap();
    // darwin moved too, but the lock has no entry for it yet.
    assert_eq!(record["relock"], serde_json::json!(["nixpkgs", "tool"]));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FLAKE);

    let output = flakeedit(dir.path(), &["update", &redirect(&server)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "flake.nix: warning: flake.lock still locks the old reference of nixpkgs, tool: \
             run `nix flake lock --update-input nixpkgs --update-input tool` \
             (Nix 2.19 and later: `nix flake update nixpkgs tool`)\n"
        ),
        "{}",
        stderr(&output)
    );
    // flake.lock itself is left to Nix.
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), LOCK);
}

#[test]
fn check_exits_1_and_writes_nothing_and_pre_releases_need_pre() {
    let (_root, server) = forge();
    let (dir, path) = project(FLAKE);
    let check = flakeedit(
        dir.path(),
        &["update", "tool", "--check", &redirect(&server)],
    );
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FLAKE);

    let output = flakeedit(
        dir.path(),
        &["update", "tool", "--pre", "--diff", &redirect(&server)],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, FLAKE.replace("tool/v1.9.0", "tool/v1.11.0-rc.1"));
    assert!(stdout(&output).contains("+    tool.url = \"github:o/tool/v1.11.0-rc.1?dir=nix\";"));
    Nix::require().assert_parses(&after);
}

#[test]
fn update_never_downgrades_and_to_must_exist() {
    let (_root, server) = forge();
    let (dir, path) = project(FLAKE);
    let down = flakeedit(
        dir.path(),
        &["update", "tool", "--to", "v1.0.0", &redirect(&server)],
    );
    assert_eq!(down.status.code(), Some(1));
    assert!(
        stderr(&down).contains("update never downgrades"),
        "{}",
        stderr(&down)
    );
    let missing = flakeedit(
        dir.path(),
        &["update", "tool", "--to", "v7.0.0", &redirect(&server)],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("has no tag or branch `v7.0.0`"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FLAKE);

    let to = flakeedit(
        dir.path(),
        &[
            "update",
            "latest",
            "--to",
            "v1.11.0-rc.1",
            &redirect(&server),
        ],
    );
    assert!(to.status.success(), "{}", stderr(&to));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        FLAKE.replace("ref = \"v1.10.0\"", "ref = \"v1.11.0-rc.1\"")
    );
    let inputs = Nix::require().eval_flake(&after, "(import ./flake.nix).inputs.latest.ref");
    assert_eq!(inputs, "v1.11.0-rc.1");
}

#[test]
fn pinned_and_follows_only_inputs_are_left_alone() {
    let (_root, server) = forge();
    let text = r#"{
  inputs = {
    # flakeedit: pin
    tool.url = "github:o/tool/v1.0.0";
    other.follows = "tool";
  };
  outputs = _: { };
}
"#;
    let (dir, path) = project(text);
    let output = flakeedit(dir.path(), &["update", "--check", &redirect(&server)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    let listed = flakeedit(dir.path(), &["outdated", &redirect(&server)]);
    assert_eq!(
        stdout(&listed),
        "tool   v1.0.0        pinned (# flakeedit: pin)\nother  follows tool  nothing to update\n"
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

/// GitHub's names are case-insensitive: two spellings of nixpkgs are one
/// repository, asked once (with the first spelling in sorted order).
#[test]
fn two_spellings_of_a_github_repository_share_one_query() {
    let (_root, server) = forge();
    let text = r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
    stable.url = "github:nixos/nixpkgs/nixos-24.05";
  };
  outputs = _: { };
}
"#;
    let (dir, _path) = project(text);
    let listed = flakeedit(dir.path(), &["outdated", &redirect(&server)]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(
        stdout(&listed),
        "nixpkgs  nixos-24.05  -> nixos-24.11\nstable   nixos-24.05  -> nixos-24.11\n"
    );
    assert_eq!(server.queries_of("/NixOS/nixpkgs.git"), 1);
    assert_eq!(server.queries_of("/nixos/nixpkgs.git"), 0);
}

#[test]
fn git_file_repositories_and_bulk_share_one_query() {
    let root = tempfile::tempdir().unwrap();
    let bare = repository(
        root.path(),
        "lib.git",
        &["1.2", "1.10"],
        &["release-24.05", "release-24.11"],
    );
    let url = format!("git+file://{}", bare.display());
    let tree = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        let dir = tree.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("flake.nix"),
            format!(
                "{{\n  inputs.lib.url = \"{url}?ref=refs/tags/1.2&dir=nix\";\n  inputs.hm.url = \"{url}?ref=release-24.05\";\n  outputs = _: {{ }};\n}}\n"
            ),
        )
        .unwrap();
    }
    let output = flakeedit(tree.path(), &["update", "-r", ".", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    for name in ["a", "b"] {
        let after = std::fs::read_to_string(tree.path().join(name).join("flake.nix")).unwrap();
        assert!(after.contains("?ref=refs/tags/1.10&dir=nix\""), "{after}");
        assert!(after.contains("?ref=release-24.11\""), "{after}");
        Nix::require().assert_parses(&after);
    }
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.last().unwrap()["summary"]["changed"], 2);
}

#[test]
fn a_repository_that_is_gone_fails_naming_it_and_writes_nothing() {
    let (_root, server) = forge();
    let text = "{\n  inputs.tool.url = \"github:o/tool/v1.9.0\";\n  inputs.gone.url = \"github:o/gone/v1.0\";\n  outputs = _: { };\n}\n";
    let (dir, path) = project(text);
    let output = flakeedit(dir.path(), &["update", &redirect(&server)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("https://github.com/o/gone.git was not found"),
        "{message}"
    );
    assert!(message.contains("nothing was written"), "{message}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    let listed = flakeedit(dir.path(), &["outdated", &redirect(&server)]);
    assert_eq!(listed.status.code(), Some(1));
    assert!(
        stdout(&listed).contains("tool  v1.9.0  -> v1.10.0"),
        "{}",
        stdout(&listed)
    );
}

#[test]
fn a_forge_that_never_answers_times_out() {
    let base = silent_server();
    let text = "{\n  inputs.tool.url = \"github:o/tool/v1.9.0\";\n  outputs = _: { };\n}\n";
    let (dir, path) = project(text);
    let started = Instant::now();
    let output = flakeedit(
        dir.path(),
        &[
            "update",
            "--timeout",
            "1",
            &format!("--forge-url=github.com={base}"),
        ],
    );
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("https://github.com/o/tool.git did not answer within 1 s"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_tag_the_repository_lacks_is_reported_not_called_newest() {
    let (_root, server) = forge();
    let text = "{\n  inputs.tool.url = \"github:o/tool/v1.10.1\";\n  outputs = _: { };\n}\n";
    let (dir, path) = project(text);
    let listed = flakeedit(dir.path(), &["outdated", &redirect(&server)]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(
        stdout(&listed),
        "tool  v1.10.1  not in the repository (no newer release either)\n"
    );
    let update = flakeedit(dir.path(), &["update", &redirect(&server)]);
    assert!(update.status.success(), "{}", stderr(&update));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

const PACKAGE: &str = r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs }:
    let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
      packages.x86_64-linux.default = pkgs.ocamlPackages.buildDunePackage rec {
        pname = "tool";
        version = "1.9.0";
        src = pkgs.fetchFromGitHub {
          owner = "o";
          repo = "tool";
          rev = "v${version}";
          hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        };
      };
    };
}
"#;

#[test]
fn a_fetched_source_moves_its_version_and_gets_the_new_archive_hash() {
    let (_root, server) = forge();
    let (dir, path) = project(PACKAGE);
    let listed = flakeedit(dir.path(), &["outdated", &redirect(&server)]);
    assert_eq!(
        stdout(&listed),
        "nixpkgs                 nixos-24.11  newest\ntool (fetchFromGitHub)  v1.9.0       -> v1.10.0\n"
    );
    let output = flakeedit(dir.path(), &["update", "tool", &redirect(&server)]);
    assert!(output.status.success(), "{}", stderr(&output));
    // The hash the built-in NAR hasher computes for the same archive; the
    // command used nix-prefetch-url (installed with Nix), so both agree.
    let expected = flakeedit_prefetch::Client::new()
        .with_github(flakeedit_prefetch::GitHub::new(server.base.clone()))
        .with_prefetcher(flakeedit_prefetch::Prefetcher::Native)
        .prefetch_github_commit("o", "tool", "v1.10.0")
        .expect("the archive is served")
        .hash
        .to_sri();
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        PACKAGE
            .replace("version = \"1.9.0\"", "version = \"1.10.0\"")
            .replace(
                "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                &expected
            )
    );
    Nix::require().assert_parses(&after);
}

#[test]
fn a_file_that_does_not_parse_is_reported_at_its_line_and_column() {
    let (dir, _) = project("{ inputs.x.url = \"github:o/r/v1.0\"; outputs = _: {\n");
    let output = flakeedit(dir.path(), &["outdated"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("flake.nix:2:1: error: "),
        "{}",
        stderr(&output)
    );
}

/// One package per fetcher, each a release behind, on hosts the test
/// redirects to its server: fetchFromGitLab in a subgroup on its own
/// domain, fetchgit, fetchurl of a release asset whose URL is built from
/// `version` (twice), fetchzip of a literal archive URL, and one fetchzip
/// whose `stripRoot` flakeedit does not reproduce.
const FETCHERS: &str = r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs }:
    let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
      packages.x86_64-linux = {
        lab = pkgs.fetchFromGitLab {
          domain = "lab.example.org";
          owner = "group/sub";
          repo = "tool";
          tag = "v1.9.0";
          hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        };
        plain = pkgs.fetchgit {
          url = "https://git.example.org/o/tool.git";
          rev = "refs/tags/v1.9.0";
          hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        };
        asset = pkgs.stdenv.mkDerivation rec {
          pname = "asset";
          version = "1.9.0";
          src = pkgs.fetchurl {
            url = "https://github.com/o/tool/releases/download/v${version}/tool-${version}.bin";
            hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
          };
        };
        zipped = pkgs.fetchzip {
          url = "https://github.com/o/tool/archive/v1.9.0.tar.gz";
          hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        };
        rooted = pkgs.fetchzip {
          url = "https://github.com/o/tool/archive/v1.9.0.tar.gz";
          stripRoot = false;
          hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        };
      };
    };
}
"#;

/// The SRI hash `nix-prefetch-url` computes (`unpack`: of the unpacked archive).
fn nix_prefetch(url: &str, unpack: bool) -> String {
    let mut command = std::process::Command::new("nix-prefetch-url");
    if unpack {
        command.arg("--unpack");
    }
    let output = command
        .args(["--type", "sha256", url])
        .output()
        .expect("nix-prefetch-url is installed (nix-bin)");
    assert!(output.status.success(), "{}", stderr(&output));
    nix_hash_sri(&["--type", "sha256", "--to-base16", stdout(&output).trim()])
}

/// `nix-hash ARGS` (printing hex) as an SRI hash.
fn nix_hash_sri(args: &[&str]) -> String {
    let output = std::process::Command::new("nix-hash")
        .args(args)
        .output()
        .expect("nix-hash is installed (nix-bin)");
    assert!(output.status.success(), "{}", stderr(&output));
    let hex = stdout(&output);
    let bytes: Vec<u8> = (0..hex.trim().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex.trim()[i..i + 2], 16).unwrap())
        .collect();
    flakeedit_prefetch::Hash::from_bytes(bytes.try_into().unwrap()).to_sri()
}

/// What fetchgit checks, computed the way it does: a checkout of the tag,
/// `.git` removed, hashed by `nix-hash`.
fn checkout_hash(repository: &std::path::Path, tag: &str) -> String {
    let work = tempfile::tempdir().unwrap();
    let checkout = work.path().join("source");
    git_http::git(
        work.path(),
        &[
            "clone",
            "-q",
            "--branch",
            tag,
            repository.to_str().unwrap(),
            checkout.to_str().unwrap(),
        ],
    );
    std::fs::remove_dir_all(checkout.join(".git")).unwrap();
    nix_hash_sri(&["--type", "sha256", checkout.to_str().unwrap()])
}

#[test]
fn every_fetcher_moves_to_the_new_release_with_the_hash_nix_computes() {
    let nix = Nix::require();
    let (root, server) = forge();
    repository(
        root.path(),
        "group/sub/tool.git",
        &["v1.9.0", "v1.10.0"],
        &[],
    );
    let (dir, path) = project(FETCHERS);
    let redirects: Vec<String> = ["github.com", "lab.example.org", "git.example.org"]
        .iter()
        .map(|host| format!("--forge-url={host}={}", server.base))
        .collect();
    let mut args = vec!["outdated"];
    args.extend(redirects.iter().map(String::as_str));
    let listed = flakeedit(dir.path(), &args);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(
        stdout(&listed),
        "\
nixpkgs                 nixos-24.11  newest
tool (fetchFromGitLab)  v1.9.0       -> v1.10.0
plain (fetchgit)        v1.9.0       -> v1.10.0
asset (fetchurl)        v1.9.0       -> v1.10.0
zipped (fetchzip)       v1.9.0       -> v1.10.0
rooted (fetchzip)       v1.9.0       -> v1.10.0
"
    );

    args[0] = "update";
    let output = flakeedit(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "`rooted` (fetchzip) has v1.10.0, but its `stripRoot` changes what is fetched"
        ),
        "{}",
        stderr(&output)
    );
    let after = std::fs::read_to_string(&path).unwrap();
    nix.assert_parses(&after);
    let stubs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stubs");
    let stubs = serde_json::to_string(stubs.to_str().unwrap()).unwrap();
    let fetched = nix.eval_flake(
        &after,
        &format!(
            "let p = (import ({stubs} + \"/eval.nix\") {{ flake = ./flake.nix; }}).packages.x86_64-linux; in {{
               lab = [ p.lab.tag p.lab.hash ];
               plain = [ p.plain.rev p.plain.hash ];
               asset = [ p.asset.version p.asset.src.url p.asset.src.hash ];
               zipped = [ p.zipped.url p.zipped.hash ];
               rooted = [ p.rooted.url p.rooted.hash ];
             }}"
        ),
    );
    let base = &server.base;
    let asset_url = "https://github.com/o/tool/releases/download/v1.10.0/tool-1.10.0.bin";
    let placeholder = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    assert_eq!(
        fetched,
        serde_json::json!({
            "lab": ["v1.10.0", nix_prefetch(&format!(
                "{base}/api/v4/projects/group%2Fsub%2Ftool/repository/archive.tar.gz?sha=v1.10.0"
            ), true)],
            "plain": ["refs/tags/v1.10.0", checkout_hash(&root.path().join("o/tool.git"), "v1.10.0")],
            "asset": ["1.10.0", asset_url, nix_prefetch(
                &asset_url.replace("https://github.com", base), false
            )],
            "zipped": [
                "https://github.com/o/tool/archive/v1.10.0.tar.gz",
                nix_prefetch(&format!("{base}/o/tool/archive/v1.10.0.tar.gz"), true)
            ],
            "rooted": ["https://github.com/o/tool/archive/v1.9.0.tar.gz", placeholder],
        })
    );
    // The export-ignore'd file is part of fetchgit's checkout: the hashes differ.
    assert_ne!(fetched["plain"][1], fetched["lab"][1]);
}
