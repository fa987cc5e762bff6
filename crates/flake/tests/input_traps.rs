//! Known traps of existing flake editors, one test each, plus the error
//! paths: every error leaves the text untouched and says where and why.

mod common;

use common::*;
use expect_test::expect;
use flakeedit_flake::{list_inputs, run, AddInput, ErrorKind, Flake, Lock, Operation};
use flakeedit_oracle::Nix;
use flakeedit_syntax::SourceFile;
use serde_json::json;

fn add(url: &str, name: Option<&str>, follows: &[(&str, &str)]) -> Operation {
    Operation::AddInput(AddInput {
        url: url.into(),
        name: name.map(str::to_string),
        follows: follows
            .iter()
            .map(|(c, t)| (c.to_string(), t.to_string()))
            .collect(),
        no_flake: false,
    })
}

#[test]
fn dotted_names_keep_their_tail() {
    let nix = Nix::require();
    let before = fixture("inputs/quoted-names.nix");
    let after = apply(
        &before,
        &add(
            "github:haskell/haskell-language-server/1.12.0.0",
            Some("hls-1.12"),
            &[],
        ),
        None,
    )
    .unwrap();
    let inputs = inputs_json(&nix, &after);
    assert_eq!(
        inputs["hls-1.12"]["url"],
        json!("github:haskell/haskell-language-server/1.12.0.0")
    );
    assert!(
        inputs.get("hls-1").is_none(),
        "the name lost its tail: {inputs}"
    );
    assert!(after.contains("\"hls-1.12\".url"), "{after}");
    // Removing one quoted name leaves its neighbours alone.
    let removed = apply(
        &before,
        &Operation::RemoveInput {
            name: "hls-1.10".into(),
            force: true,
        },
        None,
    )
    .unwrap();
    let inputs = inputs_json(&nix, &removed);
    assert!(inputs.get("hls-1.10").is_none());
    assert!(inputs.get("hls-1.11").is_some());
}

#[test]
fn dotted_top_level_and_input_less_flakes_get_the_outputs_formal() {
    let nix = Nix::require();
    for fixture_name in [
        "inputs/dotted-top-level.nix",
        "inputs/no-inputs.nix",
        "inputs/style-one-line.nix",
    ] {
        let after = apply(
            &fixture(fixture_name),
            &add("github:o/newthing", None, &[]),
            None,
        )
        .unwrap();
        assert_eq!(
            outputs_args(&nix, &after)["newthing"],
            json!(false),
            "{fixture_name}"
        );
        assert_eq!(
            inputs_json(&nix, &after)["newthing"]["url"],
            json!("github:o/newthing")
        );
    }
}

#[test]
fn follows_inside_a_nested_block_land_under_the_right_input() {
    let nix = Nix::require();
    let after = check_assist(
        Assist::Operation(Operation::Follow {
            name: "riot".into(),
            child: "nixpkgs".into(),
            target: None,
        }),
        r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs";
    riot = {
      url = "github:emilpriver/riot";
    };
    other.url = "github:o/other";
  };
  outputs = { self, ... }: { };
}
"#,
        expect![[r#"
            {
              inputs = {
                nixpkgs.url = "github:NixOS/nixpkgs";
                riot = {
                  url = "github:emilpriver/riot";
                  inputs.nixpkgs.follows = "nixpkgs";
                };
                other.url = "github:o/other";
              };
              outputs = { self, ... }: { };
            }
        "#]],
    );
    let inputs = inputs_json(&nix, &after);
    assert_eq!(
        inputs["riot"]["inputs"]["nixpkgs"]["follows"],
        json!("nixpkgs")
    );
    assert!(inputs["other"].get("inputs").is_none());
    assert!(inputs.get("inputs").is_none());
}

#[test]
fn a_trailing_comment_stays_on_its_input_line() {
    check_assist(
        Assist::Operation(add("github:o/extra", None, &[])),
        r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs"; # pinned by CI
  };
  outputs = { self, nixpkgs }: { };
}
"#,
        expect![[r#"
            {
              inputs = {
                nixpkgs.url = "github:NixOS/nixpkgs"; # pinned by CI
                extra.url = "github:o/extra";
              };
              outputs = { self, nixpkgs, extra }: { };
            }
        "#]],
    );
}

#[test]
fn crlf_files_keep_crlf_everywhere() {
    let before = fixture("inputs/style-crlf.nix");
    assert!(before.contains("\r\n"));
    for operation in [
        add("github:emilpriver/riot", None, &[("nixpkgs", "nixpkgs")]),
        Operation::Follow {
            name: "flake-utils".into(),
            child: "nixpkgs".into(),
            target: None,
        },
        Operation::SetFlake {
            name: "flake-utils".into(),
            value: Some(false),
        },
        Operation::RemoveInput {
            name: "flake-utils".into(),
            force: true,
        },
    ] {
        let after = apply(&before, &operation, None).unwrap();
        assert_ne!(after, before);
        assert!(
            !after.replace("\r\n", "").contains('\n'),
            "{operation:?} produced a bare LF:\n{after:?}"
        );
    }
}

#[test]
fn one_line_flakes_gain_no_stray_spaces() {
    let before = "{ inputs.a.url = \"github:o/a\"; outputs = { self, a }: { }; }\n";
    let after = check_assist(
        Assist::Operation(add("github:o/b", None, &[])),
        before,
        expect![[r#"
            { inputs.a.url = "github:o/a"; inputs.b.url = "github:o/b"; outputs = { self, a, b }: { }; }
        "#]],
    );
    let removed = apply(
        &after,
        &Operation::RemoveInput {
            name: "b".into(),
            force: false,
        },
        None,
    )
    .unwrap();
    assert_eq!(removed, before);
}

/// A one-line set that the edit would grow past 100 columns is written
/// one binding per line, in the file's indentation, instead.
#[test]
fn one_line_sets_growing_past_100_columns_are_broken_into_lines() {
    let nix = Nix::require();
    let before = fixture("inputs/style-one-line.nix");
    let operation = add("github:o/extra", None, &[("nixpkgs", "nixpkgs")]);
    let after = apply(&before, &operation, None).unwrap();
    assert_snapshot(
        "add-input/one-line-past-100-columns.txt",
        &before_after(
            "style-one-line.nix",
            &before,
            "add-input github:o/extra --follows nixpkgs",
            &after,
        ),
    );
    assert!(after.lines().all(|line| line.len() <= 100), "{after}");
    let inputs = inputs_json(&nix, &after);
    assert_eq!(
        inputs["extra"]["inputs"]["nixpkgs"]["follows"],
        json!("nixpkgs")
    );
    assert_eq!(
        inputs["nixpkgs"]["url"],
        json!("github:NixOS/nixpkgs/nixos-unstable")
    );
    assert_eq!(outputs_args(&nix, &after)["extra"], json!(false));
    let again = run(&operation, &after, None).unwrap();
    assert!(again.new_text.is_none());

    // A nested one-line set inside a multi-line file: only it is broken.
    let before = "{\n\tinputs = { nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\"; utils.url = \"github:numtide/flake-utils\"; };\n\toutputs = { self, ... }: { };\n}\n";
    let after = apply(before, &add("github:hannesm/randomconv", None, &[]), None).unwrap();
    assert_eq!(
        after,
        "{\n\tinputs = {\n\t\tnixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n\t\tutils.url = \"github:numtide/flake-utils\";\n\t\trandomconv.url = \"github:hannesm/randomconv\";\n\t};\n\toutputs = { self, ... }: { };\n}\n"
    );
    nix.assert_parses(&after);
}

#[test]
fn flake_false_is_reported_in_every_form() {
    let text = fixture("inputs/flake-false.nix");
    let file = SourceFile::parse(text.as_str());
    let flake = Flake::read(&file).unwrap();
    let listed: Vec<(String, bool)> = list_inputs(&file, &flake, None)
        .into_iter()
        .map(|input| (input.name, input.flake))
        .collect();
    // Cross-check with the evaluator rather than trusting one reading.
    let nix = Nix::require();
    let inputs = inputs_json(&nix, &text);
    for (name, is_flake) in &listed {
        let evaluated = inputs[name]
            .get("flake")
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        assert_eq!(*is_flake, evaluated, "{name}");
    }
    assert_eq!(listed.iter().filter(|(_, f)| !f).count(), 4, "{listed:?}");
}

#[test]
fn hostile_values_are_escaped() {
    let nix = Nix::require();
    // An outputs pattern with `...`, so any name is accepted.
    let before = fixture("inputs/follows-deep.nix");
    let url = "github:o/r?dir=a\"b${builtins.abort \"x\"}\\c\nd";
    let after = apply(&before, &add(url, Some("evil\"${x}"), &[]), None).unwrap();
    let inputs = inputs_json(&nix, &after);
    assert_eq!(inputs["evil\"${x}"]["url"], json!(url));
}

#[test]
fn follow_all_uses_the_lock() {
    let nix = Nix::require();
    let before = "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    riot.url = \"github:emilpriver/riot\";\n    crane = {\n      url = \"github:ipetkov/crane\";\n      inputs.nixpkgs.follows = \"nixpkgs\";\n    };\n    data = {\n      url = \"github:o/data\";\n      flake = false;\n    };\n  };\n  outputs = { self, ... }: { };\n}\n";
    let lock = Lock::parse(
        r#"{ "version": 7, "root": "root", "nodes": {
        "root": { "inputs": { "nixpkgs": "nixpkgs", "riot": "riot", "crane": "crane", "data": "data" } },
        "nixpkgs": { "locked": { "rev": "1111111111111111111111111111111111111111" } },
        "nixpkgs_2": { "locked": { "rev": "2222222222222222222222222222222222222222" } },
        "riot": { "inputs": { "nixpkgs": "nixpkgs_2" }, "locked": { "rev": "3333333333333333333333333333333333333333" } },
        "crane": { "inputs": { "nixpkgs": [ "nixpkgs" ] }, "locked": { "rev": "4444444444444444444444444444444444444444" } },
        "data": { "flake": false, "locked": { "rev": "5555555555555555555555555555555555555555" } } } }"#,
    )
    .unwrap();
    let operation = Operation::FollowAll {
        target: "nixpkgs".into(),
    };
    let after = apply(before, &operation, Some(&lock)).unwrap();
    assert_eq!(
        after,
        "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    riot.url = \"github:emilpriver/riot\";\n    riot.inputs.nixpkgs.follows = \"nixpkgs\";\n    crane = {\n      url = \"github:ipetkov/crane\";\n      inputs.nixpkgs.follows = \"nixpkgs\";\n    };\n    data = {\n      url = \"github:o/data\";\n      flake = false;\n    };\n  };\n  outputs = { self, ... }: { };\n}\n"
    );
    assert_eq!(
        inputs_json(&nix, &after)["riot"]["inputs"]["nixpkgs"]["follows"],
        json!("nixpkgs")
    );
    // Without a lock it says what it could not know.
    let error = run(&operation, before, None).unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotApplicable);
    assert!(error.message.contains("no flake.lock"), "{}", error.message);
    // Pin takes the locked rev.
    let pinned = apply(
        before,
        &Operation::Pin {
            name: "riot".into(),
            rev: None,
        },
        Some(&lock),
    )
    .unwrap();
    assert!(pinned.contains("github:emilpriver/riot/3333333333333333333333333333333333333333"));
}

/// `home-manager → nix-darwin → nixpkgs`: `follow --all` walks the lock
/// like `check` does, so a nixpkgs two levels down follows ours too, while
/// `home-manager/nixpkgs` (already following) and `other/nix-darwin`
/// (overridden as a whole in flake.nix) are left alone.
#[test]
fn follow_all_reaches_nested_inputs() {
    let nix = Nix::require();
    let before = "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    home-manager = {\n      url = \"github:nix-community/home-manager\";\n      inputs.nixpkgs.follows = \"nixpkgs\";\n    };\n    other.url = \"github:o/other\";\n    other.inputs.nix-darwin.follows = \"\";\n  };\n  outputs = { self, ... }: { };\n}\n";
    let lock = Lock::parse(
        r#"{ "version": 7, "root": "root", "nodes": {
        "root": { "inputs": { "nixpkgs": "nixpkgs", "home-manager": "home-manager", "other": "other" } },
        "nixpkgs": { "locked": { "rev": "1111111111111111111111111111111111111111" } },
        "home-manager": { "inputs": { "nixpkgs": [ "nixpkgs" ], "nix-darwin": "nix-darwin" } },
        "nix-darwin": { "inputs": { "nixpkgs": "nixpkgs_2" } },
        "nixpkgs_2": { "locked": { "rev": "2222222222222222222222222222222222222222" } },
        "other": { "inputs": { "nix-darwin": "nix-darwin_2" } },
        "nix-darwin_2": { "inputs": { "nixpkgs": "nixpkgs_3" } },
        "nixpkgs_3": { "locked": { "rev": "3333333333333333333333333333333333333333" } } } }"#,
    )
    .unwrap();
    let operation = Operation::FollowAll {
        target: "nixpkgs".into(),
    };
    let after = apply(before, &operation, Some(&lock)).unwrap();
    assert_eq!(
        after,
        "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    home-manager = {\n      url = \"github:nix-community/home-manager\";\n      inputs.nixpkgs.follows = \"nixpkgs\";\n      inputs.nix-darwin.inputs.nixpkgs.follows = \"nixpkgs\";\n    };\n    other.url = \"github:o/other\";\n    other.inputs.nix-darwin.follows = \"\";\n  };\n  outputs = { self, ... }: { };\n}\n"
    );
    assert_eq!(
        inputs_json(&nix, &after)["home-manager"]["inputs"]["nix-darwin"],
        json!({ "inputs": { "nixpkgs": { "follows": "nixpkgs" } } })
    );
    // Twice changes nothing.
    assert_eq!(apply(&after, &operation, Some(&lock)).unwrap(), after);
}

#[test]
fn errors_name_the_place_and_leave_the_text_alone() {
    let before = fixture("inputs/block.nix");
    // Same name, another url.
    let error = run(
        &add("github:other/nixpkgs", Some("nixpkgs"), &[]),
        &before,
        None,
    )
    .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert!(error.hint.as_deref().unwrap_or("").contains("set-url"));
    assert!(error.range.is_some());
    // Unknown input.
    let error = run(
        &Operation::RemoveInput {
            name: "nope".into(),
            force: false,
        },
        &before,
        None,
    )
    .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotApplicable);
    assert!(error.hint.as_deref().unwrap_or("").contains("nixpkgs"));
    // Still used by outputs.
    let error = run(
        &Operation::RemoveInput {
            name: "flake-utils".into(),
            force: false,
        },
        &before,
        None,
    )
    .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert!(!error.related.is_empty(), "uses are listed");
    // A follows target that does not exist.
    let error = run(
        &add("github:o/x", None, &[("nixpkgs", "nixpkgz")]),
        &before,
        None,
    )
    .unwrap_err();
    assert!(error.message.contains("nixpkgz"));
    // Syntax errors.
    for (name, broken) in fixtures_in("broken") {
        let error = run(&add("github:o/x", None, &[]), &broken, None).unwrap_err();
        assert!(
            matches!(error.kind, ErrorKind::Syntax | ErrorKind::Unsupported),
            "{name}: {error:?}"
        );
    }
    // A name that cannot be a formal of an ellipsis-less pattern.
    let error = run(&add("github:o/x", Some("x.y"), &[]), &before, None).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Unsupported);
    // `inputs` that is not a literal.
    let error = run(
        &add("github:o/x", None, &[]),
        "{ inputs = import ./inputs.nix; outputs = _: { }; }",
        None,
    )
    .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Unsupported);
}

#[test]
fn removing_an_input_another_input_follows_is_refused() {
    // `nixpkgs` has no source but `opam-nix`'s: removing `opam-nix` would
    // remove `nixpkgs` too, a second change nobody asked for.
    let nix = Nix::require();
    let text = "{\n  inputs.opam-nix.url = \"github:tweag/opam-nix\";\n  inputs.nixpkgs.follows = \"opam-nix/nixpkgs\";\n  outputs = { self, opam-nix, nixpkgs }: { };\n}\n";
    let inputs = inputs_json(&nix, text);
    assert_eq!(inputs["nixpkgs"]["follows"], json!("opam-nix/nixpkgs"));
    for force in [false, true] {
        let operation = Operation::RemoveInput {
            name: "opam-nix".into(),
            force,
        };
        let error = run(&operation, text, None).expect_err("refused");
        assert_eq!(error.kind, ErrorKind::Conflict, "{}", error.message);
        assert!(
            error
                .message
                .contains("`nixpkgs` follows `opam-nix/nixpkgs`"),
            "{}",
            error.message
        );
        let range = error.range.expect("points at the follows");
        assert!(text[usize::from(range.start())..].starts_with("inputs.nixpkgs.follows"));
    }
}

#[test]
fn an_input_another_follows_into_stays_a_flake() {
    // `nixpkgs` follows opam-nix's own: as a plain source, `opam-nix` would
    // have no inputs and locking would fail ("follows a non-existent input").
    let before = r#"{
  inputs = {
    opam-nix.url = "github:tweag/opam-nix";
    nixpkgs.follows = "opam-nix/nixpkgs";
  };
  outputs = { self, opam-nix, nixpkgs }: { };
}
"#;
    let toggle = Operation::SetFlake {
        name: "opam-nix".into(),
        value: None,
    };
    let error = run(&toggle, before, None).expect_err("refused");
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert_eq!(
        error.message,
        "`nixpkgs.follows = \"opam-nix/nixpkgs\";` follows `opam-nix/nixpkgs`: with `flake = false`, `opam-nix` has no inputs, so that follows would point at nothing and locking would fail"
    );
    assert_eq!(
        error.hint.as_deref(),
        Some("give `nixpkgs` a source of its own (set-url) first, then make `opam-nix` a plain source")
    );
    // A follows of the input itself (`x.follows = "opam-nix"`) still has a source.
    let whole = before.replace("\"opam-nix/nixpkgs\"", "\"opam-nix\"");
    let after = run(&toggle, &whole, None)
        .expect("toggled")
        .new_text
        .expect("changed");
    Nix::require().assert_parses(&after);
}

#[test]
fn flake_compat_is_not_removed_when_the_files_beside_cannot_be_seen() {
    let before = r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-compat = {
    url = "github:edolstra/flake-compat";
    flake = false;
  };
  outputs = { self, nixpkgs, ... }: { };
}
"#;
    let remove = |force| Operation::RemoveInput {
        name: "flake-compat".into(),
        force,
    };
    let error = run(&remove(false), before, None).expect_err("refused");
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert_eq!(
        error.message,
        "input `flake-compat` is not used by outputs, but `flake-compat` is flake-compat, which default.nix and shell.nix usually read through flake.lock, and flakeedit cannot see those files here"
    );
    let forced = run(&remove(true), before, None).expect("forced");
    let after = forced.new_text.expect("changed");
    assert!(!after.contains("flake-compat"), "{after}");
    Nix::require().assert_parses(&after);
}

#[test]
fn pinning_an_input_at_its_own_commit_says_so() {
    let rev = "5cca3a8d2bd5b3b8d4e2c1c1c1c1c1c1c1c1c1c1";
    let before = format!(
        "{{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs?rev={rev}\";\n  outputs = {{ self, nixpkgs }}: {{ }};\n}}\n"
    );
    let pin = Operation::Pin {
        name: "nixpkgs".into(),
        rev: Some(rev.into()),
    };
    let result = run(&pin, &before, None).expect("nothing to do is not an error");
    assert!(result.new_text.is_none());
    let warnings: Vec<&str> = result
        .changes
        .warnings
        .iter()
        .map(|warning| warning.message.as_str())
        .collect();
    assert_eq!(
        warnings,
        [format!("input `nixpkgs` is already pinned at `{rev}`; nothing to do").as_str()]
    );
}

#[test]
fn following_a_nested_input_drops_the_overrides_of_its_own_inputs() {
    let nix = Nix::require();
    let before = r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-parts.url = "github:hercules-ci/flake-parts";
    riot = {
      url = "github:riot-ml/riot";
      inputs.flake-parts.inputs.nixpkgs-lib.follows = "nixpkgs";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };
  outputs = { self, ... }: { };
}
"#;
    let follow = Operation::Follow {
        name: "riot".into(),
        child: "flake-parts".into(),
        target: None,
    };
    let result = run(&follow, before, None).expect("followed");
    let after = result.new_text.expect("changed");
    expect![[r#"
        {
          inputs = {
            nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
            flake-parts.url = "github:hercules-ci/flake-parts";
            riot = {
              url = "github:riot-ml/riot";
              inputs.nixpkgs.follows = "nixpkgs";
              inputs.flake-parts.follows = "flake-parts";
            };
          };
          outputs = { self, ... }: { };
        }
    "#]]
    .assert_eq(&after);
    let warnings: Vec<&str> = result
        .changes
        .warnings
        .iter()
        .map(|warning| warning.message.as_str())
        .collect();
    assert_eq!(
        warnings,
        ["removed `inputs.flake-parts.inputs.nixpkgs-lib.follows = \"nixpkgs\";`: once `riot/flake-parts` follows `flake-parts`, Nix ignores overrides of its own inputs"]
    );
    let inputs = inputs_json(&nix, &after);
    assert_eq!(
        inputs["riot"]["inputs"],
        json!({ "flake-parts": { "follows": "flake-parts" }, "nixpkgs": { "follows": "nixpkgs" } })
    );
}

#[test]
fn a_comment_after_a_changed_url_is_pointed_out() {
    let before = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\"; # unstable Nixpkgs\n  outputs = { self, nixpkgs }: { };\n}\n";
    let set_url = |url: &str| Operation::SetUrl {
        name: "nixpkgs".into(),
        url: url.into(),
    };
    let result = run(&set_url("github:NixOS/nixpkgs/nixos-24.05"), before, None).expect("set");
    assert_eq!(
        result.new_text.as_deref(),
        Some("{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-24.05\"; # unstable Nixpkgs\n  outputs = { self, nixpkgs }: { };\n}\n")
    );
    let warnings: Vec<&str> = result
        .changes
        .warnings
        .iter()
        .map(|warning| warning.message.as_str())
        .collect();
    assert_eq!(
        warnings,
        ["the comment after `nixpkgs`'s url (`# unstable Nixpkgs`) may describe the old one; check it"]
    );
    // The same url: nothing to point out.
    let same = run(
        &set_url("github:NixOS/nixpkgs/nixos-unstable"),
        before,
        None,
    )
    .expect("same");
    assert!(same.new_text.is_none());
    assert!(same
        .changes
        .warnings
        .iter()
        .all(|w| !w.message.contains("comment")));
}

/// Completing an input that is already declared and locked: a follows of
/// a nested input its lock node does not have is left out with a warning
/// (Nix would ignore it, and `check` would report `follows-nonexistent`),
/// the others are written. Without a lock nothing tells, so all are.
#[test]
fn add_input_leaves_out_follows_of_nested_inputs_the_lock_does_not_have() {
    let nix = Nix::require();
    let before = "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    systems.url = \"github:nix-systems/default\";\n    utils.url = \"github:numtide/flake-utils\";\n  };\n  outputs = { self, ... }: { };\n}\n";
    let lock = Lock::parse(
        r#"{ "version": 7, "root": "root", "nodes": {
        "root": { "inputs": { "nixpkgs": "nixpkgs", "systems": "systems", "utils": "utils" } },
        "nixpkgs": { "locked": { "rev": "1111111111111111111111111111111111111111" } },
        "systems": { "locked": { "rev": "2222222222222222222222222222222222222222" } },
        "systems_2": { "locked": { "rev": "3333333333333333333333333333333333333333" } },
        "utils": { "inputs": { "systems": "systems_2" }, "locked": { "rev": "4444444444444444444444444444444444444444" } } } }"#,
    )
    .unwrap();
    let operation = add(
        "github:numtide/flake-utils",
        Some("utils"),
        &[("nixpkgs", "nixpkgs"), ("systems", "systems")],
    );
    let result = run(&operation, before, Some(&lock)).unwrap();
    let warnings: Vec<String> = result
        .changes
        .warnings
        .iter()
        .map(|warning| warning.message.clone())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|message| message.contains("`utils` has no input `nixpkgs` in flake.lock")),
        "{warnings:?}"
    );
    let after = result.new_text.expect("the systems follows is written");
    assert_eq!(
        after,
        "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n    systems.url = \"github:nix-systems/default\";\n    utils.url = \"github:numtide/flake-utils\";\n    utils.inputs.systems.follows = \"systems\";\n  };\n  outputs = { self, ... }: { };\n}\n"
    );
    let inputs = inputs_json(&nix, &after);
    assert_eq!(
        inputs["utils"]["inputs"]["systems"]["follows"],
        json!("systems")
    );
    assert_eq!(inputs["utils"]["inputs"].get("nixpkgs"), None);
    // Without the lock, both are written.
    let unlocked = apply(before, &operation, None).unwrap();
    assert!(
        unlocked.contains("utils.inputs.nixpkgs.follows = \"nixpkgs\";"),
        "{unlocked}"
    );
    assert!(
        unlocked.contains("utils.inputs.systems.follows = \"systems\";"),
        "{unlocked}"
    );
}
