//! One minimal fixture per diagnostic code: each triggers its code (and the
//! snapshot shows the whole rendering, so a changed range or message shows
//! up), every code of [`CODES`] has one, and `docs/check.md`'s table lists
//! exactly the codes of [`DiagnosticCode`], in order, with their severity.

mod check_common;

use check_common::{diagnostics, render};
use expect_test::{expect, Expect};
use flakeedit_flake::check::{DiagnosticCode, CODES};
use flakeedit_flake::Lock;

const NIXPKGS_LOCK: &str = r#"
    "nixpkgs": {
      "locked": { "lastModified": 1748736000, "narHash": "sha256-rQaCkEddnhYxk18vtQbtswTMH1L+ylKCNLS3VeAQiaE=", "owner": "NixOS", "repo": "nixpkgs", "rev": "a5266e6f41d4efc97d50a017aea2b98945425f9e", "type": "github" },
      "original": { "owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github" }
    }"#;

/// A `flake.lock` with `nixpkgs` (locked on 2025-06-01, the tests' "now"),
/// the given extra nodes and the given root inputs.
fn lock(root_inputs: &str, nodes: &str) -> String {
    format!(
        r#"{{ "nodes": {{ {NIXPKGS_LOCK}, {nodes} "root": {{ "inputs": {{ {root_inputs} }} }} }}, "root": "root", "version": 7 }}"#
    )
}

/// A locked GitHub node `o/<name>` whose own inputs are `inputs`.
fn node(name: &str, inputs: &str) -> String {
    format!(
        r#""{name}": {{ "inputs": {{ {inputs} }}, "locked": {{ "lastModified": 1748736000, "narHash": "sha256-rQaCkEddnhYxk18vtQbtswTMH1L+ylKCNLS3VeAQiaE=", "owner": "o", "repo": "{name}", "rev": "a5266e6f41d4efc97d50a017aea2b98945425f9e", "type": "github" }}, "original": {{ "owner": "o", "repo": "{name}", "type": "github" }} }},"#
    )
}

/// Checks `flake` (with `lock`), asserts `code` is among the diagnostics,
/// and compares the rendering of those of `code` with `expect`.
fn check_code(code: DiagnosticCode, flake: &str, lock: Option<&str>, expect: Expect) {
    let lock = lock.map(|text| Lock::parse(text).expect("the test's lock parses"));
    let all = diagnostics(flake, lock.as_ref());
    let of_code: Vec<_> = all.iter().filter(|d| d.code == code).cloned().collect();
    assert!(
        !of_code.is_empty(),
        "{code} not reported; got:\n{}",
        render(flake, &all)
    );
    assert!(of_code.iter().all(|d| d.severity == code.severity()));
    expect.assert_eq(&render(flake, &of_code));
}

const PLAIN_INPUTS: &str = r#"inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";"#;

#[test]
fn syntax_error() {
    check_code(
        DiagnosticCode::SyntaxError,
        "{ outputs = { self }: { ; }\n",
        None,
        expect![[r#"
            1:25-1:28 error[syntax-error] `; }`: syntax error: unexpected `;`, expected one of an identifier, token or, token cur pos
            2:1-2:1 error[syntax-error] ``: syntax error: unexpected end of file, expected one of an identifier, token or, token cur pos
            2:1-2:1 error[syntax-error] ``: syntax error: unexpected end of file, expected `=`
            2:1-2:1 error[syntax-error] ``: syntax error: unexpected end of file
            2:1-2:1 error[syntax-error] ``: syntax error: unexpected end of file, expected `;`
            2:1-2:1 error[syntax-error] ``: syntax error: unexpected end of file
            2:1-2:1 error[syntax-error] ``: syntax error: unexpected end of file, expected `;`
            2:1-2:1 error[syntax-error] ``: syntax error: unexpected end of file
        "#]],
    );
}

#[test]
fn not_a_flake() {
    check_code(
        DiagnosticCode::NotAFlake,
        "[ 1 2 ]\n",
        None,
        expect![[r#"
        1:1-1:1 error[not-a-flake] ``: the file is not an attribute set, so it is not a flake
    "#]],
    );
}

#[test]
fn registry_input() {
    check_code(
        DiagnosticCode::RegistryInput,
        "{\n  outputs = { self, flake-utils }: { };\n}\n",
        None,
        expect![[r#"
            2:21-2:32 warning[registry-input] `flake-utils`: outputs takes `flake-utils`, but it is not a declared input: Nix then fetches `flake:flake-utils` through the flake registry, so what it gets depends on each machine's registry
                fix (safe): add input `flake-utils` (github:numtide/flake-utils)
        "#]],
    );
}

#[test]
fn undeclared_input() {
    check_code(
        DiagnosticCode::UndeclaredInput,
        "{\n  outputs = { self, ... }@inputs: { lib = inputs.helper.lib; };\n}\n",
        None,
        expect![[r#"
            2:43-2:56 error[undeclared-input] `inputs.helper`: outputs uses `inputs.helper`, but `helper` is not a declared input: evaluation fails with "attribute 'helper' missing"; declare it with `flakeedit add-input URL --name helper`, or stop using it
        "#]],
    );
}

#[test]
fn optional_input() {
    check_code(
        DiagnosticCode::OptionalInput,
        "{\n  outputs = { self, ... }@inputs: { lib = inputs.helper.lib or { }; };\n}\n",
        None,
        expect![[r#"
            2:43-2:56 info[optional-input] `inputs.helper`: outputs uses `inputs.helper` with an `or` default, and `helper` is not a declared input, so that part is skipped; declare `helper` to use it
        "#]],
    );
}

#[test]
fn missing_formal() {
    check_code(
        DiagnosticCode::MissingFormal,
        &format!("{{\n  {PLAIN_INPUTS}\n  inputs.extra.url = \"github:o/extra\";\n  outputs = {{ self, nixpkgs }}: {{ }};\n}}\n"),
        None,
        expect![[r#"
            3:3-3:19 error[missing-formal] `inputs.extra.url`: input `extra` is not an argument of outputs, whose pattern has no `...`: evaluation fails with "called with unexpected argument 'extra'"
                fix (safe): add `extra` to the outputs arguments
        "#]],
    );
}

#[test]
fn unused_input() {
    check_code(
        DiagnosticCode::UnusedInput,
        &format!("{{\n  {PLAIN_INPUTS}\n  outputs = {{ self, ... }}: {{ }};\n}}\n"),
        None,
        expect![[r#"
            2:3-2:21 warning[unused-input] `inputs.nixpkgs.url`: input `nixpkgs` is declared but never used by outputs
                fix (unsafe): remove input `nixpkgs`
        "#]],
    );
}

#[test]
fn unused_non_flake_input() {
    check_code(
        DiagnosticCode::UnusedNonFlakeInput,
        "{\n  inputs.src = { url = \"github:o/src\"; flake = false; };\n  outputs = { self, ... }: { };\n}\n",
        None,
        expect![[r#"
            2:3-2:13 info[unused-non-flake-input] `inputs.src`: non-flake input `src` is not used by outputs; other files (default.nix, shell.nix) may read it through flake.lock, so remove it only if none does
                fix (unsafe): remove input `src`
        "#]],
    );
}

#[test]
fn undecided_input_use() {
    check_code(
        DiagnosticCode::UndecidedInputUse,
        &format!("{{\n  {PLAIN_INPUTS}\n  outputs = {{ self, ... }}@inputs: {{ all = builtins.attrNames inputs; }};\n}}\n"),
        None,
        expect![[r#"
            2:3-2:21 info[undecided-input-use] `inputs.nixpkgs.url`: cannot tell whether input `nixpkgs` is used: `builtins.attrNames inputs` passes the whole input set on, so `nixpkgs` may be read through it (line 3, column 43)
        "#]],
    );
}

#[test]
fn dangling_follows() {
    check_code(
        DiagnosticCode::DanglingFollows,
        "{\n  inputs.a.url = \"github:o/a\";\n  inputs.a.inputs.nixpkgs.follows = \"nixpkgs\";\n  outputs = { self, a }: { x = a; };\n}\n",
        None,
        expect![[r#"
            3:37-3:46 error[dangling-follows] `"nixpkgs"`: `a/nixpkgs` follows `nixpkgs`, but this flake declares no input `nixpkgs`
        "#]],
    );
}

const FETCH: &str = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  outputs = { self, nixpkgs }:\n    let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {\n      packages.x86_64-linux.default = pkgs.fetchurl { url = \"https://example.org/a.txt\"; HASH };\n    };\n}\n";

#[test]
fn fake_hash() {
    check_code(
        DiagnosticCode::FakeHash,
        &FETCH.replace("HASH", "hash = pkgs.lib.fakeHash;"),
        None,
        expect![[r#"
            5:97-5:114 error[fake-hash] `pkgs.lib.fakeHash`: `pkgs.lib.fakeHash` is a placeholder: building fetchurl https://example.org/a.txt fails with a hash mismatch; put the real hash here (`flakeedit fix-hashes` prefetches it)
        "#]],
    );
}

#[test]
fn legacy_sha256() {
    check_code(
        DiagnosticCode::LegacySha256,
        &FETCH.replace(
            "HASH",
            "sha256 = \"0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73\";",
        ),
        None,
        expect![[r#"
            5:90-5:154 warning[legacy-sha256] `sha256 = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";…`: fetchurl https://example.org/a.txt uses the legacy `sha256` attribute; write `hash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="` instead
                fix (safe): convert `sha256` to an SRI `hash`
        "#]],
    );
}

#[test]
fn unsupported_branch() {
    check_code(
        DiagnosticCode::UnsupportedBranch,
        "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-20.09\";\n  outputs = { self, nixpkgs }: { x = nixpkgs; };\n}\n",
        None,
        expect![[r#"
            2:24-2:58 warning[unsupported-branch] `"github:NixOS/nixpkgs/nixos-20.09"`: input `nixpkgs` tracks nixpkgs branch `nixos-20.09`, which is not supported (supported: nixos-unstable, nixos-unstable-small, nixpkgs-unstable, nixos-24.11, nixos-24.11-small, nixpkgs-24.11-darwin, nixos-25.05, nixos-25.05-small, nixpkgs-25.05-darwin); move to a supported branch
        "#]],
    );
}

#[test]
fn nixpkgs_owner() {
    check_code(
        DiagnosticCode::NixpkgsOwner,
        "{\n  inputs.nixpkgs.url = \"github:someone/nixpkgs/nixos-unstable\";\n  outputs = { self, nixpkgs }: { x = nixpkgs; };\n}\n",
        None,
        expect![[r#"
            2:24-2:63 warning[nixpkgs-owner] `"github:someone/nixpkgs/nixos-unstable"`: input `nixpkgs` takes nixpkgs from `someone/nixpkgs`, not `NixOS/nixpkgs`: a fork gets security fixes late or never
        "#]],
    );
}

/// `a` is declared and used; the lock decides the lock codes.
fn flake_with_a(extra: &str) -> String {
    format!("{{\n  {PLAIN_INPUTS}\n  inputs.a.url = \"github:o/a\";\n{extra}  outputs = {{ self, nixpkgs, a }}: {{ x = [ nixpkgs a ]; }};\n}}\n")
}

#[test]
fn not_following() {
    let lock = lock(
        r#""nixpkgs": "nixpkgs", "a": "a""#,
        &format!(
            "{}{}",
            node("a", r#""nixpkgs": "nixpkgs_2""#),
            NIXPKGS_LOCK.replace("\"nixpkgs\":", "\"nixpkgs_2\":") + ","
        ),
    );
    check_code(
        DiagnosticCode::NotFollowing,
        &flake_with_a(""),
        Some(&lock),
        expect![[r#"
            3:3-3:15 warning[not-following] `inputs.a.url`: input `a` brings its own `nixpkgs` (locked at a5266e6, 2025-06-01) instead of following `nixpkgs`; flake.lock holds 1 distinct nixpkgs revision, following ours here removes 0
                fix (safe): make `a/nixpkgs` follow `nixpkgs`
        "#]],
    );
}

#[test]
fn follows_nonexistent() {
    let lock = lock(r#""nixpkgs": "nixpkgs", "a": "a""#, &node("a", ""));
    check_code(
        DiagnosticCode::FollowsNonexistent,
        &flake_with_a("  inputs.a.inputs.zig.follows = \"nixpkgs\";\n"),
        Some(&lock),
        expect![[r#"
            4:3-4:43 warning[follows-nonexistent] `inputs.a.inputs.zig.follows = "nixpkgs";`: `a/zig` follows `nixpkgs`, but `a` has no input `zig` in flake.lock; Nix ignores this override
                fix (unsafe): remove the follows of `a/zig`
        "#]],
    );
}

#[test]
fn unlocked_input() {
    let lock = lock(r#""nixpkgs": "nixpkgs""#, "");
    check_code(
        DiagnosticCode::UnlockedInput,
        &flake_with_a(""),
        Some(&lock),
        expect![[r#"
            3:3-3:15 warning[unlocked-input] `inputs.a.url`: input `a` is not in flake.lock: run `nix flake lock`
        "#]],
    );
}

#[test]
fn stale_lock_entry() {
    let lock = lock(
        r#""nixpkgs": "nixpkgs", "a": "a", "gone": "gone""#,
        &format!("{}{}", node("a", ""), node("gone", "")),
    );
    check_code(
        DiagnosticCode::StaleLockEntry,
        &flake_with_a(""),
        Some(&lock),
        expect![[r#"
            3:3-3:15 warning[stale-lock-entry] `inputs.a.url`: flake.lock still locks input `gone`, which flake.nix no longer declares: run `nix flake lock`
        "#]],
    );
}

#[test]
fn lock_out_of_date() {
    let lock = lock(
        r#""nixpkgs": "nixpkgs", "a": "a""#,
        &format!(
            "{}{}",
            node("a", r#""nixpkgs": "nixpkgs_2""#),
            NIXPKGS_LOCK.replace("\"nixpkgs\":", "\"nixpkgs_2\":") + ","
        ),
    );
    check_code(
        DiagnosticCode::LockOutOfDate,
        &flake_with_a("  inputs.a.inputs.nixpkgs.follows = \"nixpkgs\";\n"),
        Some(&lock),
        expect![[r#"
            3:3-3:15 warning[lock-out-of-date] `inputs.a.url`: flake.nix makes `a/nixpkgs` follow `nixpkgs`, but flake.lock locks it separately (node `nixpkgs_2`): run `nix flake lock`
        "#]],
    );
}

#[test]
fn outdated_nixpkgs() {
    let lock = lock(r#""nixpkgs": "nixpkgs", "a": "a""#, &node("a", ""))
        .replace("\"lastModified\": 1748736000, \"narHash\": \"sha256-rQaCkEddnhYxk18vtQbtswTMH1L+ylKCNLS3VeAQiaE=\", \"owner\": \"NixOS\"", "\"lastModified\": 1700000000, \"narHash\": \"sha256-rQaCkEddnhYxk18vtQbtswTMH1L+ylKCNLS3VeAQiaE=\", \"owner\": \"NixOS\"");
    check_code(
        DiagnosticCode::OutdatedNixpkgs,
        &flake_with_a(""),
        Some(&lock),
        expect![[r#"
            2:24-2:61 warning[outdated-nixpkgs] `"github:NixOS/nixpkgs/nixos-unstable"`: the locked nixpkgs of input `nixpkgs` is 564 days old (last modified 2023-11-14), more than 30 days: run `nix flake update nixpkgs`
        "#]],
    );
}

/// The codes tested above, one test each; the language server's own codes
/// are tested with the server (`crates/lsp`).
const TESTED: &[DiagnosticCode] = &[
    DiagnosticCode::SyntaxError,
    DiagnosticCode::NotAFlake,
    DiagnosticCode::RegistryInput,
    DiagnosticCode::UndeclaredInput,
    DiagnosticCode::OptionalInput,
    DiagnosticCode::MissingFormal,
    DiagnosticCode::UnusedInput,
    DiagnosticCode::UnusedNonFlakeInput,
    DiagnosticCode::UndecidedInputUse,
    DiagnosticCode::DanglingFollows,
    DiagnosticCode::FakeHash,
    DiagnosticCode::LegacySha256,
    DiagnosticCode::UnsupportedBranch,
    DiagnosticCode::NixpkgsOwner,
    DiagnosticCode::NotFollowing,
    DiagnosticCode::FollowsNonexistent,
    DiagnosticCode::UnlockedInput,
    DiagnosticCode::StaleLockEntry,
    DiagnosticCode::LockOutOfDate,
    DiagnosticCode::OutdatedNixpkgs,
];

#[test]
fn every_check_code_has_a_test() {
    let untested: Vec<_> = CODES
        .iter()
        .map(|info| info.code)
        .filter(|code| !code.is_server_only() && !TESTED.contains(code))
        .collect();
    assert!(untested.is_empty(), "no fixture for {untested:?}");
}

#[test]
fn docs_check_md_lists_every_code_with_its_severity() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/check.md");
    let docs = std::fs::read_to_string(path).expect("docs/check.md");
    let documented: Vec<(String, String)> = docs
        .lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix("| `")?.split(" | ");
            let code = cells.next()?.strip_suffix('`')?.to_string();
            let severity = cells.next()?.to_string();
            Some((code, severity))
        })
        .collect();
    let expected: Vec<(String, String)> = CODES
        .iter()
        .map(|info| (info.code.to_string(), info.severity.to_string()))
        .collect();
    assert_eq!(documented, expected, "docs/check.md's table of codes");
}
