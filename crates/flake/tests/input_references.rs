//! pin, unpin, set-url and toggle-flake against every kind of flake
//! reference (`tests/fixtures/inputs/references`), judged by what
//! `(import ./flake.nix).inputs` evaluates to, and remove-input's comments
//! and blank lines, shown as whole-file snapshots.

mod common;

use common::*;
use flakeedit_flake::{run, ErrorKind, FlakeError, Operation};
use flakeedit_oracle::Nix;
use serde_json::{json, Value};

const REV: &str = "0123456789abcdef0123456789abcdef01234567";

fn pin(name: &str) -> Operation {
    Operation::Pin {
        name: name.into(),
        rev: Some(REV.into()),
    }
}

fn unpin(name: &str) -> Operation {
    Operation::Unpin { name: name.into() }
}

/// The `line:col` an error points at, for messages users read.
fn place(text: &str, error: &FlakeError) -> String {
    let range = error.range.expect("the error names a place");
    let offset = usize::from(range.start());
    let line = text[..offset].matches('\n').count() + 1;
    let col = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{line}:{col}")
}

/// Each pinnable reference gets the form its scheme reads as pinned, and
/// unpin gives back the exact reference where it still says what it
/// tracked; the evaluated inputs show nothing else moved.
#[test]
fn pin_writes_what_each_scheme_reads_as_pinned() {
    let nix = Nix::require();
    let before = fixture("inputs/references/pins.nix");
    let original = inputs_json(&nix, &before);
    let cases: [(&str, Value); 9] = [
        ("registry", json!({ "url": format!("nixpkgs/{REV}") })),
        (
            "registry-prefixed",
            json!({ "url": format!("flake:nixpkgs/{REV}") }),
        ),
        (
            "registry-branch",
            json!({ "url": format!("nixpkgs/nixos-24.05/{REV}") }),
        ),
        (
            "stable",
            json!({ "url": format!("github:NixOS/nixpkgs/{REV}") }),
        ),
        (
            "riot",
            json!({ "url": format!("github:emilpriver/riot/{REV}") }),
        ),
        (
            "already",
            json!({ "url": format!("github:emilpriver/riot?rev={REV}") }),
        ),
        (
            "docs",
            json!({ "url": format!("git+https://git.example.org/team/docs.git?ref=main&rev={REV}") }),
        ),
        (
            "archive",
            json!({ "url": format!("https://github.com/hannesm/randomconv/archive/{REV}.tar.gz") }),
        ),
        (
            "forge",
            json!({ "type": "github", "owner": "hannesm", "repo": "randomconv", "rev": REV }),
        ),
    ];
    let mut all_pinned = before.clone();
    for (name, expected) in &cases {
        let pinned = apply(&before, &pin(name), None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let inputs = inputs_json(&nix, &pinned);
        assert_eq!(&inputs[name], expected, "{name}");
        for (other, value) in original.as_object().unwrap() {
            if other != name {
                assert_eq!(&inputs[other], value, "pin {name} changed {other}");
            }
        }
        // Pinning again to the same commit changes nothing.
        let again = run(&pin(name), &pinned, None).unwrap();
        assert!(again.new_text.is_none(), "{name}: pin is not idempotent");
        all_pinned = apply(&all_pinned, &pin(name), None).unwrap();
    }
    // git keeps its branch next to the commit: both are valid there.
    let mirror = apply(&before, &pin("mirror"), None).unwrap();
    assert_eq!(
        inputs_json(&nix, &mirror)["mirror"],
        json!({ "type": "git", "url": "https://git.example.org/team/mirror.git", "ref": "main", "rev": REV })
    );
    all_pinned = apply(&all_pinned, &pin("mirror"), None).unwrap();
    nix.assert_parses(&all_pinned);
    assert_snapshot(
        "pin/references.txt",
        &before_after(
            "references/pins.nix",
            &before,
            "pin NAME 0123456789abcdef0123456789abcdef01234567 (each pinnable input)",
            &all_pinned,
        ),
    );

    // unpin is the inverse where the reference kept what it tracked.
    for name in [
        "registry",
        "registry-prefixed",
        "registry-branch",
        "riot",
        "docs",
        "mirror",
    ] {
        let pinned = apply(&before, &pin(name), None).unwrap();
        let unpinned = apply(&pinned, &unpin(name), None).unwrap();
        assert_eq!(unpinned, before, "{name}: unpin does not undo pin");
    }
    // A forge reference cannot hold a branch next to a commit: pin says
    // that the branch goes, and unpin tracks the default branch.
    let result = run(&pin("stable"), &before, None).unwrap();
    assert!(
        result
            .changes
            .warnings
            .iter()
            .any(|w| w.message.contains("nixos-24.05")),
        "{:?}",
        result.changes.warnings
    );
    let unpinned = apply(&result.new_text.unwrap(), &unpin("stable"), None).unwrap();
    assert_eq!(
        inputs_json(&nix, &unpinned)["stable"],
        json!({ "url": "github:NixOS/nixpkgs" })
    );
    // The archive of a commit does not say which branch it came from.
    let archived = apply(&before, &pin("archive"), None).unwrap();
    let error = run(&unpin("archive"), &archived, None).unwrap_err();
    assert!(error.message.contains("archive of a commit"), "{error:?}");
    assert_eq!(place(&archived, &error), "12:19");
}

/// A tarball, a channel and a path have no revision: a `?rev=` would be
/// sent to the server (or ignored), so pin refuses, names the url's place
/// and says what to do instead, leaving the file as it is.
#[test]
fn pin_refuses_references_without_a_revision() {
    let before = fixture("inputs/references/pins.nix");
    for (name, why, place_at, hint) in [
        (
            "channel",
            "tarball URL",
            "13:19",
            "github:NixOS/nixpkgs/REV",
        ),
        ("tools", "path reference", "14:17", "git+file:"),
    ] {
        let error = run(&pin(name), &before, None).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Unsupported, "{name}");
        assert!(error.message.contains(why), "{name}: {}", error.message);
        assert_eq!(place(&before, &error), place_at, "{name}");
        assert!(
            error.hint.as_deref().unwrap_or("").contains(hint),
            "{name}: {:?}",
            error.hint
        );
    }
    let error = run(&pin("snapshot"), &before, None).unwrap_err();
    assert!(
        error.message.contains("type = \"tarball\""),
        "{}",
        error.message
    );
}

/// `pkgs-for-docs.follows = "nixpkgs"` is nixpkgs: a url, a pin or
/// `flake = false` written for it would be ignored by Nix, so each edit
/// refuses, pointing at the follows and naming its target.
#[test]
fn follows_only_inputs_refuse_what_nix_would_ignore() {
    let before = fixture("inputs/references/follows-only.nix");
    let operations = [
        Operation::SetUrl {
            name: "pkgs-for-docs".into(),
            url: "github:NixOS/nixpkgs/nixos-unstable".into(),
        },
        Operation::SetFlake {
            name: "pkgs-for-docs".into(),
            value: None,
        },
        pin("pkgs-for-docs"),
        unpin("pkgs-for-docs"),
    ];
    for operation in operations {
        let error = run(&operation, &before, None).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Conflict, "{operation:?}");
        assert!(
            error.message.contains("follows `nixpkgs`"),
            "{operation:?}: {}",
            error.message
        );
        assert_eq!(place(&before, &error), "6:5", "{operation:?}");
    }
}

/// remove-input takes the comment lines directly above each removed
/// binding and its trailing comment, and leaves no double blank line and
/// no blank line after `{`; a comment set apart by a blank line stays.
#[test]
fn remove_input_takes_its_comments_and_leaves_no_blank_scar() {
    let nix = Nix::require();
    let before = fixture("inputs/references/remove-comments.nix");
    let mut steps = String::new();
    let mut text = before.clone();
    for name in ["riot", "docs", "treefmt", "nixpkgs"] {
        let after = apply(
            &text,
            &Operation::RemoveInput {
                name: name.into(),
                force: false,
            },
            None,
        )
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        nix.assert_parses(&after);
        assert!(
            inputs_json(&nix, &after).get(name).is_none(),
            "{name} still declared"
        );
        assert!(
            !after.contains("\n\n\n"),
            "{name}: two blank lines\n{after}"
        );
        assert!(
            !after.contains("{\n\n"),
            "{name}: blank after brace\n{after}"
        );
        assert!(
            !after.contains("\n\n  };"),
            "{name}: blank before brace\n{after}"
        );
        steps.push_str(&before_after(
            "references/remove-comments.nix",
            &text,
            &format!("remove-input {name}"),
            &after,
        ));
        text = after;
    }
    assert!(!text.contains("Scheduler") && !text.contains("upstream main"));
    assert!(text.contains("Kept: a note"), "{text}");
    assert_snapshot("remove-input/comments-and-blank-lines.txt", &steps);
}

/// `nixpkgs/nixos-24.05` is the indirect reference Nix reads it as, not the
/// `owner/repo` shorthand of a GitHub user named `nixpkgs`.
#[test]
fn set_url_keeps_an_indirect_nixpkgs_reference() {
    let nix = Nix::require();
    let before = fixture("inputs/references/follows-only.nix");
    let after = apply(
        &before,
        &Operation::SetUrl {
            name: "nixpkgs".into(),
            url: "nixpkgs/nixos-24.05".into(),
        },
        None,
    )
    .unwrap();
    assert_eq!(
        inputs_json(&nix, &after)["nixpkgs"],
        json!({ "url": "nixpkgs/nixos-24.05" })
    );
}
