//! Reading what inputs are on and rewriting their references: whole-file
//! before/after snapshots, judged by Nix's own parser and evaluator.

use expect_test::{expect, Expect};
use flakeedit_oracle::Nix;
use flakeedit_syntax::SourceFile;

use super::*;
use crate::{run, ErrorKind, Operation};

const FLAKE: &str = r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
    tool.url = "github:o/tool/v1.9.0?dir=nix"; # trailing comment stays
    lib = {
      type = "gitlab";
      owner = "group%2Fsub";
      repo = "lib";
      ref = "refs/tags/2.0";
    };
    # flakeedit: pin
    frozen.url = "git+https://codeberg.org/o/frozen.git?ref=v0.1.0";
    head.url = "github:o/head";
    exact.url = "github:o/exact/0123456789abcdef0123456789abcdef01234567";
    follower.follows = "nixpkgs";
    local.url = "path:./local";
  };
  outputs = { self, ... }: { };
}
"#;

fn targets(text: &str) -> Vec<(String, Option<String>, String, bool)> {
    let file = SourceFile::parse(text);
    let flake = Flake::read(&file).expect("a flake");
    update_targets(&file, &flake)
        .into_iter()
        .map(|t| (t.name, t.repository, format!("{:?}", t.tracks), t.pinned))
        .collect()
}

#[test]
fn every_input_says_what_it_is_on_and_where_it_lives() {
    let found = targets(FLAKE);
    let expected = expect![[r#"
        [
            (
                "nixpkgs",
                Some(
                    "https://github.com/NixOS/nixpkgs.git",
                ),
                "Channel(\"nixos-24.05\")",
                false,
            ),
            (
                "tool",
                Some(
                    "https://github.com/o/tool.git",
                ),
                "Tag(\"v1.9.0\")",
                false,
            ),
            (
                "lib",
                Some(
                    "https://gitlab.com/group/sub/lib.git",
                ),
                "Tag(\"2.0\")",
                false,
            ),
            (
                "frozen",
                Some(
                    "https://codeberg.org/o/frozen.git",
                ),
                "Tag(\"v0.1.0\")",
                true,
            ),
            (
                "head",
                Some(
                    "https://github.com/o/head.git",
                ),
                "Branch(None)",
                false,
            ),
            (
                "exact",
                Some(
                    "https://github.com/o/exact.git",
                ),
                "Commit(\"0123456789abcdef0123456789abcdef01234567\")",
                false,
            ),
            (
                "follower",
                None,
                "Follows(\"nixpkgs\")",
                false,
            ),
            (
                "local",
                None,
                "Unknown",
                false,
            ),
        ]
    "#]];
    expected.assert_debug_eq(&found);
}

fn update(text: &str, moves: &[(&str, &str)], expected: Expect) -> String {
    let operation = Operation::Update(UpdateRefs {
        moves: moves
            .iter()
            .map(|(name, to)| RefMove {
                name: name.to_string(),
                to: to.to_string(),
            })
            .collect(),
        ..UpdateRefs::default()
    });
    let result = run(&operation, text, None).expect("the update applies");
    let new_text = result.new_text.expect("a change");
    expected.assert_eq(&new_text);
    Nix::require().assert_parses(&new_text);
    new_text
}

#[test]
fn only_the_name_inside_each_reference_moves() {
    let after = update(
        FLAKE,
        &[
            ("nixpkgs", "nixos-24.11"),
            ("tool", "v1.10.0"),
            ("lib", "2.1"),
        ],
        expect![[r#"
            {
              inputs = {
                nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
                tool.url = "github:o/tool/v1.10.0?dir=nix"; # trailing comment stays
                lib = {
                  type = "gitlab";
                  owner = "group%2Fsub";
                  repo = "lib";
                  ref = "refs/tags/2.1";
                };
                # flakeedit: pin
                frozen.url = "git+https://codeberg.org/o/frozen.git?ref=v0.1.0";
                head.url = "github:o/head";
                exact.url = "github:o/exact/0123456789abcdef0123456789abcdef01234567";
                follower.follows = "nixpkgs";
                local.url = "path:./local";
              };
              outputs = { self, ... }: { };
            }
        "#]],
    );
    let nix = Nix::require();
    let inputs = nix.eval_flake(&after, "(import ./flake.nix).inputs");
    assert_eq!(inputs["tool"]["url"], "github:o/tool/v1.10.0?dir=nix");
    assert_eq!(inputs["lib"]["ref"], "refs/tags/2.1");
    assert_eq!(inputs["nixpkgs"]["url"], "github:NixOS/nixpkgs/nixos-24.11");
}

#[test]
fn query_refs_and_channel_tarballs_move_in_place() {
    let text = r#"{
  inputs.a.url = "git+file:///srv/a?ref=refs/tags/v1.0.0&dir=sub";
  inputs.b.url = "https://channels.nixos.org/nixos-24.05/nixexprs.tar.xz";
  inputs.c.url = "nixpkgs/nixpkgs-24.05-darwin";
  outputs = _: { };
}
"#;
    update(
        text,
        &[
            ("a", "v1.2.0"),
            ("b", "nixos-25.05"),
            ("c", "nixpkgs-25.05-darwin"),
        ],
        expect![[r#"
            {
              inputs.a.url = "git+file:///srv/a?ref=refs/tags/v1.2.0&dir=sub";
              inputs.b.url = "https://channels.nixos.org/nixos-25.05/nixexprs.tar.xz";
              inputs.c.url = "nixpkgs/nixpkgs-25.05-darwin";
              outputs = _: { };
            }
        "#]],
    );
}

#[test]
fn follows_and_commits_are_refused_with_what_to_do() {
    for (name, kind) in [
        ("follower", ErrorKind::Conflict),
        ("exact", ErrorKind::Unsupported),
        ("head", ErrorKind::Unsupported),
        ("missing", ErrorKind::NotApplicable),
    ] {
        let operation = Operation::Update(UpdateRefs {
            moves: vec![RefMove {
                name: name.into(),
                to: "v2".into(),
            }],
            ..UpdateRefs::default()
        });
        let error = run(&operation, FLAKE, None).expect_err(name);
        assert_eq!(error.kind, kind, "{name}: {}", error.message);
    }
    let injection = Operation::Update(UpdateRefs {
        moves: vec![RefMove {
            name: "tool".into(),
            to: "v2\"; x = 1; \"".into(),
        }],
        ..UpdateRefs::default()
    });
    assert_eq!(
        run(&injection, FLAKE, None).expect_err("refused").kind,
        ErrorKind::InvalidArgument
    );
}

#[test]
fn the_pin_comment_counts_on_the_line_or_the_line_above_only() {
    let text = r#"{
  inputs = {
    a.url = "github:o/a/v1"; # flakeedit: pin
    # flakeedit: pin
    b = {
      url = "github:o/b/v1";
    };
    c = {
      # flakeedit: pin
      url = "github:o/c/v1";
    };
    # flakeedit: pin (a comment two lines up does not count)

    d.url = "github:o/d/v1";
  };
  outputs = _: { };
}
"#;
    let pinned: Vec<(String, bool)> = targets(text)
        .into_iter()
        .map(|(name, _, _, pinned)| (name, pinned))
        .collect();
    assert_eq!(
        pinned,
        vec![
            ("a".into(), true),
            ("b".into(), true),
            ("c".into(), true),
            ("d".into(), false)
        ]
    );
}

#[test]
fn newest_picks_tags_for_tags_and_channels_for_channels() {
    let tags = ["v1.9.0", "v1.10.0", "v1.11.0-rc.1"];
    let heads = ["main", "nixos-24.11", "nixos-unstable"];
    let tag = Tracks::Tag("v1.9.0".into());
    assert_eq!(newest(&tag, tags, heads, false).as_deref(), Some("v1.10.0"));
    let channel = Tracks::Channel("nixos-24.05".into());
    assert_eq!(
        newest(&channel, tags, heads, false).as_deref(),
        Some("nixos-24.11")
    );
    assert_eq!(
        newest(&Tracks::Branch(Some("main".into())), tags, heads, true),
        None
    );
}

const SOURCES: &str = r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { self, nixpkgs }:
    let
      pkgs = nixpkgs.legacyPackages.x86_64-linux;
      version = "0.2.0";
    in {
      packages.x86_64-linux = {
        randomconv = pkgs.ocamlPackages.buildDunePackage rec {
          pname = "randomconv";
          version = "0.2.0";
          src = pkgs.fetchFromGitHub {
            owner = "hannesm";
            repo = "randomconv";
            rev = "v${version}";
            hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
          };
        };
        literal = pkgs.stdenv.mkDerivation {
          pname = "literal";
          inherit version;
          src = pkgs.fetchFromGitHub {
            owner = "o";
            repo = "literal";
            tag = "1.9"; # flakeedit: pin
            hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
          };
        };
        lab = pkgs.fetchFromGitLab {
          domain = "gitlab.example.org";
          owner = "group%2Fsub";
          repo = "lab";
          rev = "refs/tags/v3.0";
          hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        };
        shadowed = pkgs.callPackage ({ version, fetchFromGitHub }: fetchFromGitHub {
          owner = "o";
          repo = "shadowed";
          rev = "v${version}";
          hash = "";
        }) { version = "1.0"; };
      };
    };
}
"#;

#[test]
fn fetched_sources_say_what_their_revision_is_on() {
    let file = SourceFile::parse(SOURCES);
    let found: Vec<String> = source_targets(&file)
        .into_iter()
        .map(|t| {
            format!(
                "{} {} {:?} {:?} pinned={}",
                t.name,
                t.fetcher,
                t.repository.unwrap_or_default(),
                t.tracks,
                t.pinned
            )
        })
        .collect();
    expect![[r#"
        [
            "randomconv fetchFromGitHub \"https://github.com/hannesm/randomconv.git\" Tag(\"v0.2.0\") pinned=false",
            "literal fetchFromGitHub \"https://github.com/o/literal.git\" Tag(\"1.9\") pinned=true",
            "lab fetchFromGitLab \"https://gitlab.example.org/group/sub/lab.git\" Tag(\"v3.0\") pinned=false",
            "shadowed fetchFromGitHub \"https://github.com/o/shadowed.git\" Unknown pinned=false",
        ]
    "#]]
    .assert_debug_eq(&found);
}

#[test]
fn a_source_moves_its_version_binding_and_hash() {
    let file = SourceFile::parse(SOURCES);
    let targets = source_targets(&file);
    let new_hash = "sha256-KIvx/UNtPTg0EqfwuJgzSCtr6RgKIXK6yv9QkUUHbJk=";
    let operation = Operation::Update(UpdateRefs {
        sources: vec![
            SourceMove {
                at: targets[0].range.start(),
                to: "v0.3.0".into(),
                hash: new_hash.into(),
                url: None,
            },
            SourceMove {
                at: targets[2].range.start(),
                to: "v3.1".into(),
                hash: new_hash.into(),
                url: None,
            },
        ],
        ..UpdateRefs::default()
    });
    let result = run(&operation, SOURCES, None).expect("the update applies");
    let after = result.new_text.expect("a change");
    let expected = SOURCES
        .replacen("version = \"0.2.0\";\n          src", "version = \"0.3.0\";\n          src", 1)
        .replacen(
            "rev = \"v${version}\";\n            hash = \"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"",
            &format!("rev = \"v${{version}}\";\n            hash = \"{new_hash}\""),
            1,
        )
        .replace("rev = \"refs/tags/v3.0\";\n          hash = \"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"", &format!("rev = \"refs/tags/v3.1\";\n          hash = \"{new_hash}\""));
    assert_eq!(after, expected);
    // The let-bound `version` of the outputs is another binding: untouched.
    assert!(after.contains("      version = \"0.2.0\";\n    in"));
    Nix::require().assert_parses(&after);

    // A version that does not fit `v${version}` is refused, nothing written.
    let misfit = Operation::Update(UpdateRefs {
        sources: vec![SourceMove {
            at: targets[0].range.start(),
            to: "release-0.3.0".into(),
            hash: new_hash.into(),
            url: None,
        }],
        ..UpdateRefs::default()
    });
    assert_eq!(
        run(&misfit, SOURCES, None).expect_err("refused").kind,
        ErrorKind::Conflict
    );
}

#[test]
fn release_urls_name_their_repository_and_tag() {
    let cases = [
        "https://github.com/o/tool/archive/v1.2.0.tar.gz",
        "https://github.com/o/tool/archive/refs/tags/v1.2.0.zip",
        "https://github.com/o/tool/releases/download/v1.2.0/tool-1.2.0-linux.tar.gz",
        "https://gitlab.com/group/sub/tool/-/archive/v1.2.0/tool-v1.2.0.tar.gz",
        "https://codeberg.org/o/tool/archive/1.2.0.tar.gz",
        "https://example.org/downloads/tool-1.2.0.tar.gz",
        "https://github.com/o/tool/releases/download/v1.2.0",
    ];
    let found: Vec<String> = cases
        .iter()
        .map(|url| match release_url(url) {
            Some((repository, tag)) => format!("{repository} {}", &url[tag]),
            None => "-".to_string(),
        })
        .collect();
    expect![[r#"
        [
            "https://github.com/o/tool.git v1.2.0",
            "https://github.com/o/tool.git v1.2.0",
            "https://github.com/o/tool.git v1.2.0",
            "https://gitlab.com/group/sub/tool.git v1.2.0",
            "https://codeberg.org/o/tool.git 1.2.0",
            "-",
            "-",
        ]
    "#]]
    .assert_debug_eq(&found);
}

const DOWNLOADS: &str = r#"{
  outputs = { self, nixpkgs }:
    let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
      packages.x86_64-linux = rec {
        version = "1.2.0";
        binary = pkgs.fetchurl {
          url = "https://github.com/o/tool/releases/download/v${version}/tool-${version}-linux.tar.gz";
          hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        };
        archive = pkgs.fetchzip {
          url = "https://gitlab.com/group/tool/-/archive/v1.2.0/tool-v1.2.0.tar.gz";
          hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        };
        rooted = pkgs.fetchzip {
          url = "https://github.com/o/tool/archive/v1.2.0.tar.gz";
          stripRoot = false;
          hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        };
        elsewhere = pkgs.fetchurl {
          url = "https://example.org/tool-1.2.0.tar.gz";
          hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        };
      };
    };
}
"#;

#[test]
fn release_downloads_move_their_url_or_version() {
    let file = SourceFile::parse(DOWNLOADS);
    let targets = source_targets(&file);
    let found: Vec<String> = targets
        .iter()
        .map(|t| {
            format!(
                "{} {:?} {:?} {:?}",
                t.fetcher,
                t.repository.as_deref().unwrap_or("-"),
                t.tracks,
                t.refetch.as_ref().map(|refetch| refetch.url_for("v1.3.0"))
            )
        })
        .collect();
    expect![[r#"
        [
            "fetchurl \"https://github.com/o/tool.git\" Tag(\"v1.2.0\") Ok(Some(\"https://github.com/o/tool/releases/download/v1.3.0/tool-1.3.0-linux.tar.gz\"))",
            "fetchzip \"https://gitlab.com/group/tool.git\" Tag(\"v1.2.0\") Ok(Some(\"https://gitlab.com/group/tool/-/archive/v1.3.0/tool-v1.3.0.tar.gz\"))",
            "fetchzip \"https://github.com/o/tool.git\" Tag(\"v1.2.0\") Err(\"its `stripRoot` changes what is fetched, so the new hash is not computed here\")",
            "fetchurl \"-\" Unknown Err(\"the fetchurl call has no literal release URL\")",
        ]
    "#]]
    .assert_debug_eq(&found);
    let new_hash = "sha256-KIvx/UNtPTg0EqfwuJgzSCtr6RgKIXK6yv9QkUUHbJk=";
    let moves = [0, 1].map(|index| SourceMove {
        at: targets[index].range.start(),
        to: "v1.3.0".into(),
        hash: new_hash.into(),
        url: targets[index]
            .refetch
            .as_ref()
            .ok()
            .and_then(|refetch| refetch.url_for("v1.3.0")),
    });
    let operation = Operation::Update(UpdateRefs {
        sources: moves.to_vec(),
        ..UpdateRefs::default()
    });
    let after = run(&operation, DOWNLOADS, None)
        .expect("the update applies")
        .new_text
        .expect("a change");
    let expected = DOWNLOADS
        .replacen("version = \"1.2.0\"", "version = \"1.3.0\"", 1)
        .replacen(
            "archive/v1.2.0/tool-v1.2.0.tar.gz",
            "archive/v1.3.0/tool-v1.3.0.tar.gz",
            1,
        )
        .replacen(
            "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            new_hash,
            2,
        );
    assert_eq!(after, expected);
    Nix::require().assert_parses(&after);
}

#[test]
fn a_commit_that_starts_with_digits_is_a_commit_not_a_version() {
    let text = r#"{
  outputs = { self, nixpkgs }: {
    merlin = nixpkgs.legacyPackages.x86_64-linux.fetchFromGitHub {
      owner = "o";
      repo = "merlin";
      rev = "03c8e3f0cef88ead9f217c35af89523eeaf095d3";
      hash = "";
    };
  };
}
"#;
    let tracks: Vec<Tracks> = source_targets(&SourceFile::parse(text))
        .into_iter()
        .map(|target| target.tracks)
        .collect();
    assert_eq!(
        tracks,
        [Tracks::Commit(
            "03c8e3f0cef88ead9f217c35af89523eeaf095d3".to_string()
        )]
    );
}
