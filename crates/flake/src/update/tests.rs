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
        });
        let error = run(&operation, FLAKE, None).expect_err(name);
        assert_eq!(error.kind, kind, "{name}: {}", error.message);
    }
    let injection = Operation::Update(UpdateRefs {
        moves: vec![RefMove {
            name: "tool".into(),
            to: "v2\"; x = 1; \"".into(),
        }],
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
