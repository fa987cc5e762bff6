//! Every diagnostic of `flakeedit check` on the fixtures of
//! `tests/fixtures/check`: range (as `line:col-line:col` and the text it
//! covers), severity, code, message and fix, as one snapshot per fixture.

mod check_common;

use check_common::*;
use expect_test::expect;

#[test]
fn undeclared() {
    expect![[r#"
        12:22-12:33 warning[registry-input] `flake-parts`: outputs takes `flake-parts`, but it is not a declared input: Nix then fetches `flake:flake-parts` through the flake registry, so what it gets depends on each machine's registry
            fix (safe): add input `flake-parts` (github:hercules-ci/flake-parts)
        12:35-12:47 warning[registry-input] `mystery-tool`: outputs takes `mystery-tool`, but it is not a declared input: Nix then fetches `flake:mystery-tool` through the flake registry, so what it gets depends on each machine's registry; declare it with `flakeedit add-input URL --name mystery-tool`, or remove the argument
    "#]].assert_eq(&render_fixture("undeclared"));
}

/// `inherit (inputs) flake-utils`, `inputs.flake-utils.lib`,
/// `inputs.mystery-tool`: the ranges cover the base and the name only;
/// `inputs.optional.… or …` and `inputs.self` are fine.
#[test]
fn undeclared_uses() {
    expect![[r#"
        11:24-11:35 error[undeclared-input] `flake-utils`: outputs uses `inherit (inputs) flake-utils`, but `flake-utils` is not a declared input: evaluation fails with "attribute 'flake-utils' missing"
            fix (safe): add input `flake-utils` (github:numtide/flake-utils)
        13:32-13:50 error[undeclared-input] `inputs.flake-utils`: outputs uses `inputs.flake-utils`, but `flake-utils` is not a declared input: evaluation fails with "attribute 'flake-utils' missing"
            fix (safe): add input `flake-utils` (github:numtide/flake-utils)
        15:23-15:42 error[undeclared-input] `inputs.mystery-tool`: outputs uses `inputs.mystery-tool`, but `mystery-tool` is not a declared input: evaluation fails with "attribute 'mystery-tool' missing"; declare it with `flakeedit add-input URL --name mystery-tool`, or stop using it
        17:24-17:39 info[optional-input] `inputs.optional`: outputs uses `inputs.optional` with an `or` default, and `optional` is not a declared input, so that part is skipped; declare `optional` to use it
    "#]].assert_eq(&render_fixture("undeclared-uses"));
}

/// flake-parts' `inputs'.x` in `perSystem`, next to a declared one.
#[test]
fn undeclared_per_system_input() {
    let text = "{\n  inputs.flake-parts.url = \"github:hercules-ci/flake-parts\";\n  inputs.riot.url = \"github:emilpriver/riot\";\n  outputs = inputs@{ flake-parts, ... }:\n    flake-parts.lib.mkFlake { inherit inputs; } {\n      perSystem = { inputs', ... }: {\n        packages.default = inputs'.riot.packages.default;\n        packages.tool = inputs'.tool.packages.default;\n      };\n    };\n}\n";
    expect![[r#"
        8:25-8:37 error[undeclared-input] `inputs'.tool`: outputs uses `inputs'.tool`, but `tool` is not a declared input: evaluation fails with "attribute 'tool' missing"; declare it with `flakeedit add-input URL --name tool`, or stop using it
    "#]].assert_eq(&render(text, &diagnostics(text, None)));
}

#[test]
fn missing_formal() {
    expect![[r#"
        3:3-3:25 error[missing-formal] `inputs.flake-utils.url`: input `flake-utils` is not an argument of outputs, whose pattern has no `...`: evaluation fails with "called with unexpected argument 'flake-utils'"
            fix (safe): add `flake-utils` to the outputs arguments
        4:3-4:24 error[missing-formal] `inputs."hls-1.10".url`: input `hls-1.10` is not an argument of outputs, whose pattern has no `...`: evaluation fails with "called with unexpected argument '"hls-1.10"'"
    "#]].assert_eq(&render_fixture("missing-formal"));
}

#[test]
fn duplicate_nixpkgs() {
    expect![[r#"
        7:5-7:16 warning[not-following] `flake-utils`: input `flake-utils` brings its own `systems` (locked at da67096, 2023-04-09) instead of following `systems`
            fix (safe): make `flake-utils/systems` follow `systems`
        10:5-10:13 warning[not-following] `riot.url`: input `riot` brings its own `nixpkgs` (locked at 64cfed0, 2024-02-24) instead of following `nixpkgs`; flake.lock holds 3 distinct nixpkgs revisions, following ours here removes 1 (all such fixes: 2)
            fix (safe): make `riot/nixpkgs` follow `nixpkgs`
        10:5-10:13 warning[not-following] `riot.url`: input `riot` brings its own `flake-utils` (locked at b1d9ab7, 2024-03-11) instead of following `flake-utils`
            fix (safe): make `riot/flake-utils` follow `flake-utils`
        11:5-11:14 warning[not-following] `crane.url`: input `crane` brings its own `nixpkgs` (locked at 3d71a1a, 2024-01-19) instead of following `nixpkgs`; flake.lock holds 3 distinct nixpkgs revisions, following ours here removes 1 (all such fixes: 2)
            fix (safe): make `crane/nixpkgs` follow `nixpkgs`
    "#]].assert_eq(&render_fixture("duplicate-nixpkgs"));
}

/// `home-manager → nix-darwin → nixpkgs` and `crane → rust-overlay →
/// nixpkgs`: found at depth 2, with the path; nix-darwin's and
/// rust-overlay's nixpkgs are one revision, so fixing either alone removes
/// none, and `home-manager/nixpkgs` already follows ours.
#[test]
fn transitive_nixpkgs() {
    expect![[r#"
        6:5-6:17 warning[not-following] `home-manager`: input `home-manager` brings its own `nixpkgs` at `home-manager/nix-darwin/nixpkgs` (locked at 64cfed0, 2024-02-24) instead of following `nixpkgs`; flake.lock holds 3 distinct nixpkgs revisions, following ours here removes 0 (all such fixes: 2)
            fix (safe): make `home-manager/nix-darwin/nixpkgs` follow `nixpkgs`
        10:5-10:14 warning[not-following] `crane.url`: input `crane` brings its own `nixpkgs` (locked at 3d71a1a, 2024-01-19) instead of following `nixpkgs`; flake.lock holds 3 distinct nixpkgs revisions, following ours here removes 1 (all such fixes: 2)
            fix (safe): make `crane/nixpkgs` follow `nixpkgs`
        10:5-10:14 warning[not-following] `crane.url`: input `crane` brings its own `nixpkgs` at `crane/rust-overlay/nixpkgs` (locked at 64cfed0, 2024-02-24) instead of following `nixpkgs`; flake.lock holds 3 distinct nixpkgs revisions, following ours here removes 0 (all such fixes: 2)
            fix (safe): make `crane/rust-overlay/nixpkgs` follow `nixpkgs`
    "#]].assert_eq(&render_fixture("transitive-nixpkgs"));
}

#[test]
fn stale_follows() {
    expect![[r#"
        4:3-4:9 warning[stale-lock-entry] `inputs`: flake.lock still locks input `home-manager`, which flake.nix no longer declares: run `nix flake lock`
        6:5-6:9 warning[lock-out-of-date] `riot`: flake.nix makes `riot/nixpkgs` follow `nixpkgs`, but flake.lock locks it separately (node `nixpkgs_2`): run `nix flake lock`
        6:5-6:9 warning[lock-out-of-date] `riot`: flake.lock says `riot/flake-utils` follows `flake-utils`, which it does not lock: run `nix flake lock`
        9:7-9:38 warning[follows-nonexistent] `inputs.zig.follows = "nixpkgs";`: `riot/zig` follows `nixpkgs`, but `riot` has no input `zig` in flake.lock; Nix ignores this override
            fix (unsafe): remove the follows of `riot/zig`
        12:36-12:52 error[dangling-follows] `"nixpkgs-stable"`: `crane/nixpkgs` follows `nixpkgs-stable`, but this flake declares no input `nixpkgs-stable`
        13:5-13:20 warning[unlocked-input] `treefmt-nix.url`: input `treefmt-nix` is not in flake.lock: run `nix flake lock`
        13:5-13:20 warning[unused-input] `treefmt-nix.url`: input `treefmt-nix` is declared but never used by outputs
            fix (unsafe): remove input `treefmt-nix`
    "#]].assert_eq(&render_fixture("stale-follows"));
}

#[test]
fn old_branch() {
    expect![[r#"
        5:19-5:53 warning[outdated-nixpkgs] `"github:nixos/nixpkgs/nixos-23.05"`: the locked nixpkgs of input `nixpkgs` is 564 days old (last modified 2023-11-14), more than 30 days: run `nix flake update nixpkgs`
        5:19-5:53 warning[unsupported-branch] `"github:nixos/nixpkgs/nixos-23.05"`: input `nixpkgs` tracks nixpkgs branch `nixos-23.05`, which is not supported (supported: nixos-unstable, nixos-unstable-small, nixpkgs-unstable, nixos-24.11, nixos-24.11-small, nixpkgs-24.11-darwin, nixos-25.05, nixos-25.05-small, nixpkgs-25.05-darwin); move to a supported branch
        6:24-6:63 warning[nixpkgs-owner] `"github:someone/nixpkgs/nixos-unstable"`: input `nixpkgs-fork` takes nixpkgs from `someone/nixpkgs`, not `NixOS/nixpkgs`: a fork gets security fixes late or never
        12:13-12:28 warning[outdated-nixpkgs] `"release-22.05"`: the locked nixpkgs of input `nixpkgs-attrs` is 1553 days old (last modified 2021-03-01), more than 30 days: run `nix flake update nixpkgs-attrs`
        12:13-12:28 warning[unsupported-branch] `"release-22.05"`: input `nixpkgs-attrs` tracks nixpkgs branch `release-22.05`, which is not supported (supported: nixos-unstable, nixos-unstable-small, nixpkgs-unstable, nixos-24.11, nixos-24.11-small, nixpkgs-24.11-darwin, nixos-25.05, nixos-25.05-small, nixpkgs-25.05-darwin); move to a supported branch
    "#]].assert_eq(&render_fixture("old-branch"));
}

#[test]
fn fake_hashes() {
    expect![[r#"
        11:88-11:90 error[fake-hash] `""`: the hash is empty: building fetchFromGitHub o/empty fails with a hash mismatch; put the real hash here (`flakeedit fix-hashes` prefetches it)
        16:18-16:30 error[fake-hash] `lib.fakeHash`: `lib.fakeHash` is a placeholder: building fetchFromGitHub o/fake fails with a hash mismatch; put the real hash here (`flakeedit fix-hashes` prefetches it)
        20:20-20:39 error[fake-hash] `pkgs.lib.fakeSha256`: `pkgs.lib.fakeSha256` is a placeholder: building fetchzip https://example.org/fake.tar.gz fails with a hash mismatch; put the real hash here (`flakeedit fix-hashes` prefetches it)
        24:18-24:71 error[fake-hash] `"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="`: `sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=` is a placeholder (an all-zero digest): building fetchurl https://example.org/zeros.txt fails with a hash mismatch; put the real hash here (`flakeedit fix-hashes` prefetches it)
        28:20-28:74 error[fake-hash] `"0000000000000000000000000000000000000000000000000000"`: `0000000000000000000000000000000000000000000000000000` is a placeholder (an all-zero digest): building fetchurl https://example.org/zeros-base32.txt fails with a hash mismatch; put the real hash here (`flakeedit fix-hashes` prefetches it)
    "#]].assert_eq(&render_fixture("fake-hashes"));
}

#[test]
fn legacy_sha256() {
    expect![[r#"
        15:11-15:75 warning[legacy-sha256] `sha256 = "1mqnvpwxbx8nw40vrf979y1lzdv3lccn3pip6az7kllmwm2rjy5f";…`: fetchFromGitHub hannesm/randomconv uses the legacy `sha256` attribute; write `hash = "sha256-rniZReWV0nm+MjfeYRmjY7dPg08nubwB4Rb11fndFtc="` instead
            fix (safe): convert `sha256` to an SRI `hash`
        18:75-18:151 warning[legacy-sha256] `sha256 = "71c43e594a0d21a6e27188480ff5e08340a8b42b0fb8c1ce2855a172eca10314";…`: fetchzip https://example.org/t.tar.gz uses the legacy `sha256` attribute; write `hash = "sha256-ccQ+WUoNIabicYhID/Xgg0CotCsPuMHOKFWhcuyhAxQ="` instead
            fix (safe): convert `sha256` to an SRI `hash`
        22:11-22:74 warning[legacy-sha256] `sha256 = "sha256-zzw0kceAQSniZGWsSaYVdfZB1Ig8R7AGZdA+a/8EzaA=";…`: fetchurl https://example.org/zarith.tar.gz uses the legacy `sha256` attribute; write `hash = "sha256-zzw0kceAQSniZGWsSaYVdfZB1Ig8R7AGZdA+a/8EzaA="` instead
            fix (safe): convert `sha256` to an SRI `hash`
        28:11-28:75 warning[legacy-sha256] `sha256 = "186d0kznngnhcl3b0irwi3a43xkm2nk4kb35cki2jhc0qy8k8g6g";…`: fetchurl https://example.org/both.tar.gz uses the legacy `sha256` attribute; write `hash = "sha256-zzw0kceAQSniZGWsSaYVdfZB1Ig8R7AGZdA+a/8EzaA="` instead; the set also has `hash`, so remove this `sha256`
    "#]].assert_eq(&render_fixture("legacy-sha256"));
}

/// `with inputs;`, `self.inputs.riot`, `inputs.${"crane"}` and
/// `builtins.getAttr "tool" inputs` are uses: nothing is unused.
#[test]
fn with_inputs() {
    expect![[r#""#]].assert_eq(&render_fixture("with-inputs"));
}

/// `inputs.${name}` and a bare `crane` under `with inputs; with pkgs;`:
/// whether `riot` and `crane` are used cannot be told, so no warning.
#[test]
fn dynamic_use() {
    expect![[r#"
        6:5-6:13 info[undecided-input-use] `riot.url`: cannot tell whether input `riot` is used: `inputs.${name}` takes an input whose name is computed, so it may be `riot` (line 13, column 25)
        7:5-7:14 info[undecided-input-use] `crane.url`: cannot tell whether input `crane` is used: `crane` under `with` takes `crane` from the input set unless `nixpkgs.legacyPackages.${system}` has an attribute `crane` (line 20, column 17)
    "#]].assert_eq(&render_fixture("dynamic-use"));
}

/// An inner function's own `inputs` and a `let inputs` are not this
/// flake's: no `undeclared-input`.
#[test]
fn shadowed_inputs() {
    expect![[r#""#]].assert_eq(&render_fixture("shadowed-inputs"));
}

/// `inputs ? extra` and `builtins.hasAttr "other" inputs` guard the uses:
/// infos that do not claim evaluation fails.
#[test]
fn guarded_inputs() {
    expect![[r#"
        9:44-9:56 info[optional-input] `inputs.extra`: outputs uses `inputs.extra` only where `inputs ? extra` (line 9) says it is there, and `extra` is not a declared input, so that part is skipped; declare `extra` to use it
        11:17-11:29 info[optional-input] `inputs.other`: outputs uses `inputs.other` only where `builtins.hasAttr "other" inputs` (line 10) says it is there, and `other` is not a declared input, so that part is skipped; declare `other` to use it
    "#]].assert_eq(&render_fixture("guarded-inputs"));
}

/// `nixpkgs` is only an outputs argument, which Nix adds as an input: a
/// valid `follows` target.
#[test]
fn registry_follows() {
    expect![[r#"
        9:21-9:28 warning[registry-input] `nixpkgs`: outputs takes `nixpkgs`, but it is not a declared input: Nix then fetches `flake:nixpkgs` through the flake registry, so what it gets depends on each machine's registry
            fix (safe): add input `nixpkgs` (github:NixOS/nixpkgs/nixos-unstable)
    "#]].assert_eq(&render_fixture("registry-follows"));
}

/// flake-compat and another `flake = false` input unused by outputs: infos.
#[test]
fn non_flake_inputs() {
    expect![[r#"
        6:5-6:17 info[unused-non-flake-input] `flake-compat`: input `flake-compat` is not used by outputs: flake-compat is usually read by default.nix/shell.nix through flake.lock, so keep it while they use it
        10:5-10:15 info[unused-non-flake-input] `docs-theme`: non-flake input `docs-theme` is not used by outputs; other files (default.nix, shell.nix) may read it through flake.lock, so remove it only if none does
            fix (unsafe): remove input `docs-theme`
    "#]].assert_eq(&render_fixture("non-flake-inputs"));
}
