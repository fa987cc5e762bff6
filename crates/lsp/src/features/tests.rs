//! Cursor-marker tests of the reading features: `$0` marks the cursor.

use expect_test::{expect, Expect};
use flakeedit_flake::Lock;

use super::*;

/// 2024-11-30, so ages in snapshots do not move.
const NOW: i64 = 1_732_924_800;

pub(super) const FLAKE: &str = r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-parts = {
      url = "github:hercules-ci/flake-parts";
      inputs.nixpkgs-lib.follows = "nixpkgs";
    };
    home-manager.url = "gitlab:rycee/home-manager?host=gitlab.example.org";
    home-manager.inputs.nixpkgs.follows = "nixpkgs";
    src-only = { url = "git+https://codeberg.org/me/src"; flake = false; };
    local.url = "path:./sub";
  };

  outputs = inputs@{ self, nixpkgs, flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      perSystem = { pkgs, inputs', ... }: {
        packages.hm = inputs'.home-manager.packages.default;
        packages.src = pkgs.hello.overrideAttrs { src = self.inputs.src-only; };
      };
      flake.lib = nixpkgs.lib // { local = inputs.local; };
    };
}
"#;

pub(super) const LOCK: &str = r#"{
  "nodes": {
    "flake-parts": {
      "inputs": { "nixpkgs-lib": ["nixpkgs"] },
      "locked": { "lastModified": 1730504689, "narHash": "sha256-AAAA", "owner": "hercules-ci", "repo": "flake-parts", "rev": "506278e768c2a08bec68eb62932193e341f55c90", "type": "github" },
      "original": { "owner": "hercules-ci", "repo": "flake-parts", "type": "github" }
    },
    "home-manager": {
      "inputs": { "nixpkgs": ["nixpkgs"], "systems": "systems" },
      "locked": { "host": "gitlab.example.org", "lastModified": 1700000000, "narHash": "sha256-BBBB", "owner": "rycee", "repo": "home-manager", "rev": "0123456789abcdef0123456789abcdef01234567", "type": "gitlab" },
      "original": { "host": "gitlab.example.org", "owner": "rycee", "repo": "home-manager", "type": "gitlab" }
    },
    "local": {
      "locked": { "lastModified": 1732000000, "narHash": "sha256-CCCC", "path": "./sub", "type": "path" },
      "original": { "path": "./sub", "type": "path" }
    },
    "nixpkgs": {
      "locked": { "lastModified": 1732837521, "narHash": "sha256-DDDD", "owner": "NixOS", "repo": "nixpkgs", "rev": "970e93b9f82e2a0f3675757eb0bfc73297cc6370", "type": "github" },
      "original": { "owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github" }
    },
    "root": {
      "inputs": { "flake-parts": "flake-parts", "home-manager": "home-manager", "local": "local", "nixpkgs": "nixpkgs", "src-only": "src-only" }
    },
    "src-only": {
      "flake": false,
      "locked": { "lastModified": 1600000000, "narHash": "sha256-EEEE", "ref": "refs/heads/main", "rev": "fedcba9876543210fedcba9876543210fedcba98", "type": "git", "url": "https://codeberg.org/me/src" },
      "original": { "type": "git", "url": "https://codeberg.org/me/src" }
    },
    "systems": {
      "locked": { "lastModified": 1681028828, "narHash": "sha256-FFFF", "owner": "nix-systems", "repo": "default", "rev": "da67096a3b9bf56a91d16901293e51ba5b49a27e", "type": "github" },
      "original": { "owner": "nix-systems", "repo": "default", "type": "github" }
    }
  },
  "root": "root",
  "version": 7
}
"#;

/// `FLAKE` with the cursor put at the `nth` (from 0) occurrence of
/// `needle`, `shift` bytes into it.
pub(super) fn cursor(needle: &str, nth: usize, shift: usize) -> (Document, Position) {
    let offset = FLAKE
        .match_indices(needle)
        .nth(nth)
        .map(|(index, _)| index + shift)
        .expect("the needle is in the fixture");
    let map = LineMap::new(FLAKE, PositionEncoding::Utf16);
    let document = Document::new(FLAKE, 1);
    (document, map.position(FLAKE, offset))
}

fn check_hover(needle: &str, nth: usize, lock: Option<&Lock>, expected: Expect) {
    let (document, position) = cursor(needle, nth, 1);
    let shown = match hover(&document, lock, PositionEncoding::Utf16, position, NOW) {
        Some(Hover {
            contents: HoverContents::Markup(markup),
            range: Some(range),
        }) => format!(
            "{}:{}-{}:{}\n{}",
            range.start.line,
            range.start.character,
            range.end.line,
            range.end.character,
            markup.value
        ),
        other => format!("{other:?}"),
    };
    expected.assert_eq(&shown);
}

fn lock() -> Lock {
    Lock::parse(LOCK).expect("the fixture lock parses")
}

#[test]
fn hover_on_a_declaration_shows_the_locked_commit_and_nested_inputs() {
    check_hover(
        "home-manager",
        0,
        Some(&lock()),
        expect![[r#"
            7:4-7:16
            **input `home-manager`** — `gitlab:rycee/home-manager?host=gitlab.example.org`

            Locked at [`0123456`](https://gitlab.example.org/rycee/home-manager/-/commit/0123456789abcdef0123456789abcdef01234567), 2023-11-14 (12 months ago).

            Its inputs:
            - `nixpkgs`: follows `nixpkgs` (ours)
            - `systems`: its own at `da67096`
        "#]],
    );
}

#[test]
fn hover_on_every_kind_of_use() {
    let lock = lock();
    // The outputs argument.
    check_hover(
        "nixpkgs,",
        0,
        Some(&lock),
        expect![[r#"
            13:27-13:34
            **input `nixpkgs`** — `github:NixOS/nixpkgs/nixos-unstable`

            Locked at [`970e93b`](https://github.com/NixOS/nixpkgs/commit/970e93b9f82e2a0f3675757eb0bfc73297cc6370), 2024-11-28 (yesterday).

            Branch or tag asked for: `nixos-unstable`.
        "#]],
    );
    // `inputs'.x` in flake-parts' perSystem.
    check_hover(
        "home-manager.packages",
        0,
        Some(&lock),
        expect![[r#"
            16:30-16:42
            **input `home-manager`** — `gitlab:rycee/home-manager?host=gitlab.example.org`

            Locked at [`0123456`](https://gitlab.example.org/rycee/home-manager/-/commit/0123456789abcdef0123456789abcdef01234567), 2023-11-14 (12 months ago).

            Its inputs:
            - `nixpkgs`: follows `nixpkgs` (ours)
            - `systems`: its own at `da67096`
        "#]],
    );
    // `self.inputs.x`, a git input on a forge.
    check_hover(
        "src-only;",
        0,
        Some(&lock),
        expect![[r#"
            17:68-17:76
            **input `src-only`** — `git+https://codeberg.org/me/src` (not a flake)

            Locked at [`fedcba9`](https://codeberg.org/me/src/commit/fedcba9876543210fedcba9876543210fedcba98), 2020-09-13 (4 years ago).
        "#]],
    );
    // `inputs.x`, a path input (no commit).
    check_hover(
        "local;",
        0,
        Some(&lock),
        expect![[r#"
            19:50-19:55
            **input `local`** — `path:./sub`

            Locked (node `local`), 2024-11-19 (10 days ago).
        "#]],
    );
    // A follows target.
    check_hover(
        "nixpkgs\";",
        0,
        Some(&lock),
        expect![[r#"
            5:36-5:43
            *follows target*

            **input `nixpkgs`** — `github:NixOS/nixpkgs/nixos-unstable`

            Locked at [`970e93b`](https://github.com/NixOS/nixpkgs/commit/970e93b9f82e2a0f3675757eb0bfc73297cc6370), 2024-11-28 (yesterday).

            Branch or tag asked for: `nixos-unstable`.
        "#]],
    );
}

#[test]
fn hover_without_a_lock_or_away_from_inputs() {
    check_hover(
        "flake-parts.lib",
        0,
        None,
        expect![[r#"
            14:4-14:15
            **input `flake-parts`** — `github:hercules-ci/flake-parts`

            No readable `flake.lock`: not locked yet.
        "#]],
    );
    check_hover("perSystem", 0, Some(&lock()), expect!["None"]);
}

#[test]
fn only_files_named_flake_nix_are_flakes() {
    let flake: Uri = "file:///src/flake.nix".parse().unwrap();
    let other: Uri = "file:///src/default.nix".parse().unwrap();
    let tricky: Uri = "file:///src/not-flake.nix".parse().unwrap();
    assert!(is_flake_uri(&flake));
    assert!(!is_flake_uri(&other));
    assert!(!is_flake_uri(&tricky));
}

fn show_range(range: &Range) -> String {
    format!(
        "{}:{}-{}:{}",
        range.start.line, range.start.character, range.end.line, range.end.character
    )
}

#[test]
fn definition_and_references_of_an_input() {
    let uri: Uri = "file:///nowhere/flake.nix".parse().unwrap();
    let (document, position) = cursor("home-manager.packages", 0, 1);
    let definition = definition(&uri, &document, None, PositionEncoding::Utf16, position);
    let Some(GotoDefinitionResponse::Scalar(location)) = definition else {
        panic!("no definition: {definition:?}");
    };
    assert_eq!(show_range(&location.range), "7:4-7:16");
    let shown: Vec<String> = references(&uri, &document, PositionEncoding::Utf16, position, true)
        .unwrap_or_default()
        .iter()
        .map(|location| show_range(&location.range))
        .collect();
    expect![[r#"7:4-7:16 8:4-8:16 16:30-16:42"#]].assert_eq(&shown.join(" "));
    let (document, position) = cursor("nixpkgs", 0, 0);
    let shown: Vec<String> = references(&uri, &document, PositionEncoding::Utf16, position, false)
        .unwrap_or_default()
        .iter()
        .map(|location| show_range(&location.range))
        .collect();
    expect!["5:36-5:43 8:43-8:50 13:27-13:34 19:18-19:25"].assert_eq(&shown.join(" "));
}

#[test]
fn rename_edits_every_occurrence_through_the_operation() {
    let uri: Uri = "file:///nowhere/flake.nix".parse().unwrap();
    let (document, position) = cursor("src-only;", 0, 2);
    let prepared = prepare_rename(&document, PositionEncoding::Utf16, position);
    assert!(
        matches!(&prepared, Some(PrepareRenameResponse::RangeWithPlaceholder { placeholder, .. }) if placeholder == "src-only"),
        "{prepared:?}"
    );
    let features = crate::client::ClientFeatures::default();
    let edit = rename(&uri, &document, None, features, position, "sources")
        .expect("renamed")
        .expect("an edit");
    let edits = edit.changes.expect("plain changes").remove(&uri).unwrap();
    let mut text = document.text.clone();
    let map = LineMap::new(&text, PositionEncoding::Utf16);
    let mut ranges: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                map.offset(&text, e.range.start),
                map.offset(&text, e.range.end),
                e.new_text.clone(),
            )
        })
        .collect();
    ranges.sort();
    for (start, end, insert) in ranges.into_iter().rev() {
        text.replace_range(start..end, &insert);
    }
    assert_eq!(text, FLAKE.replace("src-only", "sources"));
    // Refusals come back as errors naming the place.
    let error = rename(&uri, &document, None, features, position, "nixpkgs").unwrap_err();
    assert_eq!(
        error.message,
        "an input named `nixpkgs` is already declared"
    );
}

#[test]
fn the_outline_lists_inputs_and_outputs() {
    let (document, _) = cursor("inputs", 0, 0);
    let Some(DocumentSymbolResponse::Nested(outline)) =
        document_symbols(&document, PositionEncoding::Utf16)
    else {
        panic!("no outline");
    };
    let mut shown = Vec::new();
    for symbol in &outline {
        shown.push(symbol.name.clone());
        for child in symbol.children.iter().flatten() {
            shown.push(format!(
                "  {} {}",
                child.name,
                child.detail.clone().unwrap_or_default()
            ));
        }
    }
    expect![[r#"
        inputs
          nixpkgs github:NixOS/nixpkgs/nixos-unstable
          flake-parts github:hercules-ci/flake-parts
          home-manager gitlab:rycee/home-manager?host=gitlab.example.org
          src-only git+https://codeberg.org/me/src
          local path:./sub
        outputs
          flake-parts.lib.mkFlake flake-parts"#]]
    .assert_eq(&shown.join("\n"));
}

#[test]
fn lock_nodes_are_found_in_the_lock_text() {
    let offset = navigation::lock_node_offset(LOCK, "nixpkgs").expect("found");
    assert!(LOCK[offset..].starts_with("\"nixpkgs\": {\n      \"locked\""));
    // A key of the same name deeper down is not a node.
    assert!(navigation::lock_node_offset(LOCK, "nixpkgs-lib").is_none());
    assert!(navigation::lock_node_offset("{\"nodes\": [", "x").is_none());
    assert!(navigation::lock_node_offset("\"", "x").is_none());
}

/// The labels offered at `$0` in `text` (with the fixture lock).
fn completions(text: &str) -> String {
    let offset = text.find("$0").expect("a cursor");
    let text = text.replace("$0", "");
    let map = LineMap::new(&text, PositionEncoding::Utf16);
    let document = Document::new(text.clone(), 1);
    let position = map.position(&text, offset);
    let Some(CompletionResponse::Array(items)) =
        completion(&document, Some(&lock()), PositionEncoding::Utf16, position)
    else {
        return "no model".into();
    };
    items
        .iter()
        .map(|item| item.label.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn completion_of_follows_targets_nested_inputs_arguments_and_attributes() {
    let follows = FLAKE.replacen("follows = \"nixpkgs\"", "follows = \"ho$0", 1);
    let nested = FLAKE.replacen(
        "    home-manager.inputs.nixpkgs",
        "    home-manager.inputs.$0\n    home-manager.inputs.nixpkgs",
        1,
    );
    let nested_top = FLAKE.replacen(
        "  outputs =",
        "  inputs.home-manager.inputs.sy$0\n  outputs =",
        1,
    );
    let attribute = FLAKE.replacen("flake = false;", "flake = false; $0", 1);
    let argument = FLAKE.replacen("flake-parts, ...", "flake-parts, $0 ...", 1);
    let nothing = FLAKE.replacen("perSystem", "perSystem.$0", 1);
    let shown = [follows, nested, nested_top, attribute, argument, nothing]
        .iter()
        .map(|text| completions(text))
        .collect::<Vec<_>>();
    expect![[r#"
        [
            "nixpkgs flake-parts home-manager local src-only home-manager/systems",
            "nixpkgs systems",
            "nixpkgs systems",
            "url flake follows inputs type owner repo ref rev dir host path narHash submodules",
            "home-manager src-only local",
            "",
        ]
    "#]]
    .assert_debug_eq(&shown);
}

#[test]
fn links_and_inlay_hints_on_every_url() {
    let uri: Uri = "file:///project/flake.nix".parse().unwrap();
    let (document, _) = cursor("inputs", 0, 0);
    let links = document_links(&uri, &document, PositionEncoding::Utf16).unwrap_or_default();
    let shown: Vec<String> = links
        .iter()
        .map(|link| {
            format!(
                "{} {}",
                show_range(&link.range),
                link.target.as_ref().map(|t| t.as_str()).unwrap_or_default()
            )
        })
        .collect();
    expect![[r#"
        2:19-2:54 https://github.com/NixOS/nixpkgs/tree/nixos-unstable
        4:13-4:43 https://github.com/hercules-ci/flake-parts
        7:24-7:73 https://gitlab.example.org/rycee/home-manager
        9:24-9:55 https://codeberg.org/me/src
        10:17-10:27 file:///project/sub"#]]
    .assert_eq(&shown.join("\n"));
    let everything = Range {
        start: Position::new(0, 0),
        end: Position::new(999, 0),
    };
    let hints = inlay_hints(
        &document,
        Some(&lock()),
        PositionEncoding::Utf16,
        everything,
        NOW,
    )
    .unwrap_or_default();
    let shown: Vec<String> = hints
        .iter()
        .map(|hint| match &hint.label {
            InlayHintLabel::String(label) => {
                format!("{}:{} {label}", hint.position.line, hint.position.character)
            }
            other => format!("{other:?}"),
        })
        .collect();
    expect![[r#"
        2:55 970e93b · yesterday
        4:44 506278e · 4 weeks ago
        7:74 0123456 · 12 months ago
        9:56 fedcba9 · 4 years ago
        10:28 10 days ago"#]]
    .assert_eq(&shown.join("\n"));
    // Only the hints inside the asked range.
    let first_line = Range {
        start: Position::new(2, 0),
        end: Position::new(3, 0),
    };
    let hints = inlay_hints(
        &document,
        Some(&lock()),
        PositionEncoding::Utf16,
        first_line,
        NOW,
    )
    .unwrap_or_default();
    assert_eq!(hints.len(), 1);
    assert!(inlay_hints(&document, None, PositionEncoding::Utf16, everything, NOW).is_none());
}

#[test]
fn settings_turn_inlay_hints_off() {
    let settings = Settings::default();
    assert!(settings.inlay_hints);
    let off = settings.updated(&serde_json::json!({ "inlayHints": false }));
    assert!(!off.inlay_hints);
    let on = off.updated(&serde_json::json!({ "flakeedit": { "inlayHints": true } }));
    assert!(on.inlay_hints);
    assert_eq!(on.updated(&serde_json::json!({ "inlayHints": "no" })), on);
}

/// The links of a fixture under `tests/fixtures`, as `text → target`,
/// with a registry that maps `nixpkgs`.
fn links_of_fixture(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(path);
    let text = std::fs::read_to_string(&full).expect("the fixture");
    let file = flakeedit_syntax::SourceFile::parse(text.as_str());
    let flake = flakeedit_flake::Flake::read(&file).expect("a flake");
    let registry = tempfile::tempdir().expect("a directory");
    let registry_file = registry.path().join("registry.json");
    std::fs::write(
        &registry_file,
        r#"{"version":2,"flakes":[{"from":{"type":"indirect","id":"nixpkgs"},
            "to":{"type":"github","owner":"NixOS","repo":"nixpkgs","ref":"nixos-unstable"}}]}"#,
    )
    .expect("written");
    links::links(
        &flake,
        Some(std::path::Path::new("/project")),
        &[registry_file],
    )
    .iter()
    .map(|link| format!("{} → {}", &text[link.range], link.target))
    .collect::<Vec<_>>()
    .join("\n")
}

#[test]
fn links_on_attribute_set_references() {
    expect![[r#"
        nixpkgs → https://github.com/NixOS/nixpkgs/tree/nixos-24.05
        home-manager → https://github.com/nix-community/home-manager/tree/4f1a1f2e0c7c1c1c3a4e9a3c8f0b6d2e5a7c9b1d
        monorepo → https://gitlab.com/example-org/monorepo/-/tree/main
        /srv/flakes/local-tools → file:///srv/flakes/local-tools
        https://git.example.org/team/docs.git → https://git.example.org/team/docs.git"#]]
    .assert_eq(&links_of_fixture("inputs/attrset-reference.nix"));
    expect![[r#"
        dotfiles → https://gitlab.example.org/someone/dotfiles
        scripts → https://git.sr.ht/~someone/scripts/tree/main
        https://git.example.org/team/docs.git → https://git.example.org/team/docs.git
        https://example.org/releases/archive-1.0.tar.gz → https://example.org/releases/archive-1.0.tar.gz
        https://example.org/keys.txt → https://example.org/keys.txt
        ./tools → file:///project/tools
        nixpkgs → https://github.com/NixOS/nixpkgs/tree/nixos-unstable"#]]
    .assert_eq(&links_of_fixture("inputs/attrset-reference-forges.nix"));
}
