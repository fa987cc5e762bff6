//! Code actions on cursor-marker fixtures: `$0` marks the cursor; each test
//! shows the whole file after the action.

use expect_test::{expect, Expect};
use flakeedit_flake::Lock;
use flakeedit_syntax::{TextRange, TextSize};

use super::*;

/// Splits a fixture at its `$0` marker.
fn cursor(fixture: &str) -> (String, TextRange) {
    let offset = fixture.find("$0").expect("the fixture has a $0 marker");
    let text = fixture.replacen("$0", "", 1);
    (text, TextRange::empty(TextSize::from(offset as u32)))
}

fn actions(fixture: &str, lock: Option<&str>) -> (String, Option<Lock>, Vec<Action>) {
    let (text, range) = cursor(fixture);
    let lock = lock.map(|lock| Lock::parse(lock).expect("the lock fixture parses"));
    let file = SourceFile::parse(text.as_str());
    let found = diagnostics_of(&file, lock.as_ref());
    let actions = actions_at(&file, lock.as_ref(), range, &found, Some("nix_template"));
    (text, lock, actions)
}

/// The titles of the actions at the cursor.
fn check_titles(fixture: &str, lock: Option<&str>, expect: Expect) {
    let (_, _, actions) = actions(fixture, lock);
    let titles: Vec<String> = actions.iter().map(|action| action.title.clone()).collect();
    expect.assert_eq(&titles.join("\n"));
}

/// Applies the action whose title starts with `title` and shows the file.
fn check_action(fixture: &str, lock: Option<&str>, title: &str, expect: Expect) {
    let (text, lock, actions) = actions(fixture, lock);
    let action = actions
        .iter()
        .find(|action| action.title.starts_with(title))
        .unwrap_or_else(|| panic!("no action `{title}` in {actions:#?}"));
    let changes = match &action.effect {
        ActionEffect::Operation(request) => resolve(&text, lock.as_ref(), request).unwrap(),
        ActionEffect::Changes(changes) => changes.clone(),
        ActionEffect::Command { command } => panic!("`{title}` runs the command {command}"),
    };
    let after = changes.apply_unchecked(&text).unwrap();
    expect.assert_eq(&after);
    // The real parser judges it (`run` already re-parsed it with rnix).
    flakeedit_oracle::Nix::require().assert_parses(&after);
}

const RIOT: &str = r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    ri$0ot.url = "github:emilpriver/riot";
  };

  outputs = { self, nixpkgs, riot }: { };
}
"#;

const RIOT_LOCK: &str = r#"{
  "nodes": {
    "nixpkgs": { "locked": { "owner": "NixOS", "repo": "nixpkgs", "rev": "1111111111111111111111111111111111111111", "type": "github" } },
    "nixpkgs_2": { "locked": { "owner": "NixOS", "repo": "nixpkgs", "rev": "2222222222222222222222222222222222222222", "type": "github" } },
    "riot": { "inputs": { "nixpkgs": "nixpkgs_2" }, "locked": { "owner": "emilpriver", "repo": "riot", "rev": "3333333333333333333333333333333333333333", "type": "github" } },
    "root": { "inputs": { "nixpkgs": "nixpkgs", "riot": "riot" } }
  },
  "root": "root",
  "version": 7
}"#;

#[test]
fn actions_on_an_input_without_lock() {
    check_titles(
        RIOT,
        None,
        expect![[r#"
            Remove input `riot`
            Make `riot` follow our `nixpkgs`
            Set `flake = false` on `riot` (a plain source)
            Add input…
            Add source from GitHub…"#]],
    );
}

#[test]
fn the_lock_adds_pinning() {
    check_titles(
        RIOT,
        Some(RIOT_LOCK),
        expect![[r#"
            Make `riot/nixpkgs` follow `nixpkgs`
            Remove input `riot`
            Set `flake = false` on `riot` (a plain source)
            Pin `riot` to the locked revision 3333333
            Add input…
            Add source from GitHub…"#]],
    );
}

#[test]
fn follow_nixpkgs_with_the_lock_is_the_quick_fix_of_not_following() {
    check_action(
        RIOT,
        Some(RIOT_LOCK),
        "Make `riot/nixpkgs` follow",
        expect![[r#"
            {
              inputs = {
                nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
                riot.url = "github:emilpriver/riot";
                riot.inputs.nixpkgs.follows = "nixpkgs";
              };

              outputs = { self, nixpkgs, riot }: { };
            }
        "#]],
    );
}

#[test]
fn follow_nixpkgs() {
    check_action(
        RIOT,
        None,
        "Make `riot` follow",
        expect![[r#"
            {
              inputs = {
                nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
                riot.url = "github:emilpriver/riot";
                riot.inputs.nixpkgs.follows = "nixpkgs";
              };

              outputs = { self, nixpkgs, riot }: { };
            }
        "#]],
    );
}

#[test]
fn follow_nixpkgs_is_not_offered_when_it_already_follows() {
    check_titles(
        r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    riot = {
      url = "github:emilpriver/riot";
      inputs.nixpkgs.follows = "nix$0pkgs";
    };
  };
  outputs = inputs@{ self, ... }: { };
}
"#,
        None,
        expect![[r#"
            Remove input `riot`
            Set `flake = false` on `riot` (a plain source)
            Add input…
            Add source from GitHub…"#]],
    );
}

#[test]
fn follow_nixpkgs_is_not_offered_when_the_locked_input_has_no_nixpkgs() {
    let lock = RIOT_LOCK.replace(r#""inputs": { "nixpkgs": "nixpkgs_2" }, "#, "");
    check_titles(
        RIOT,
        Some(&lock),
        expect![[r#"
            Remove input `riot`
            Set `flake = false` on `riot` (a plain source)
            Pin `riot` to the locked revision 3333333
            Add input…
            Add source from GitHub…"#]],
    );
}

#[test]
fn remove_input_from_the_outputs_argument() {
    check_action(
        r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    riot.url = "github:emilpriver/riot";
  };

  outputs = { self, nixpkgs, ri$0ot }: { };
}
"#,
        None,
        "Remove input",
        expect![[r#"
            {
              inputs = {
                nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
              };

              outputs = { self, nixpkgs }: { };
            }
        "#]],
    );
}

#[test]
fn remove_is_not_offered_when_the_outputs_use_the_input() {
    check_titles(
        r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.riot.url = "github:emilpriver/r$0iot";
  outputs = { self, nixpkgs, riot }: { packages = riot.packages; };
}
"#,
        None,
        expect![[r#"
            Make `riot` follow our `nixpkgs`
            Set `flake = false` on `riot` (a plain source)
            Add input…
            Add source from GitHub…"#]],
    );
}

#[test]
fn toggle_flake_false_on_and_off() {
    check_action(
        RIOT,
        None,
        "Set `flake = false`",
        expect![[r#"
            {
              inputs = {
                nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
                riot.url = "github:emilpriver/riot";
                riot.flake = false;
              };

              outputs = { self, nixpkgs, riot }: { };
            }
        "#]],
    );
    check_action(
        r#"{
  inputs = {
    advisory-db = {
      url = "github:rustsec/advisory-db";
      flake =$0 false;
    };
  };
  outputs = { self, advisory-db }: { };
}
"#,
        None,
        "Remove `flake = false`",
        expect![[r#"
            {
              inputs = {
                advisory-db = {
                  url = "github:rustsec/advisory-db";
                };
              };
              outputs = { self, advisory-db }: { };
            }
        "#]],
    );
}

#[test]
fn pin_to_the_locked_revision() {
    check_action(
        RIOT,
        Some(RIOT_LOCK),
        "Pin `riot`",
        expect![[r#"
            {
              inputs = {
                nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
                riot.url = "github:emilpriver/riot/3333333333333333333333333333333333333333";
              };

              outputs = { self, nixpkgs, riot }: { };
            }
        "#]],
    );
}

#[test]
fn outside_any_input_only_the_prompts_are_offered() {
    check_titles(
        r#"{
  description = "x$0";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs }: { };
}
"#,
        None,
        expect![[r#"
            Add input…
            Add source from GitHub…"#]],
    );
}

#[test]
fn a_file_with_syntax_errors_gets_diagnostics_and_no_edits() {
    let (text, range) = cursor("{\n  inputs.nixpkgs.url = $0;\n}\n");
    let found = diagnostics(&text, None);
    let shown: Vec<String> = found
        .iter()
        .map(|d| format!("{:?} {} {:?}", d.range, d.code, d.message))
        .collect();
    expect![[r#"
        25..26 syntax-error "syntax error: unexpected `;`, expected one of `(`, token rec, `{`, `[`, token string start, an identifier"
        27..28 syntax-error "syntax error: unexpected `}`, expected `;`"
        29..29 syntax-error "syntax error: unexpected end of file, expected `;`"
        29..29 syntax-error "syntax error: unexpected end of file""#]].assert_eq(&shown.join("\n"));
    let file = SourceFile::parse(text.as_str());
    assert!(actions_at(&file, None, range, &found, None).is_empty());
}

const SEED: &str = r#"{
  description = "Nix and Ocaml template";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  };

  outputs = inputs@{ flake-$0parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      perSystem = { pkgs, ... }: {
        formatter = pkgs.nixpkgs-fmt;
      };
    };
}
"#;

#[test]
fn the_seed_flake_gets_the_check_diagnostics() {
    let (text, _) = cursor(SEED);
    let shown: Vec<String> = diagnostics(&text, None)
        .iter()
        .map(|d| {
            let fix = d.fix.as_ref().map(|fix| fix.title.as_str());
            format!(
                "{:?} {:?} {} {:?} fix: {fix:?}",
                d.range, d.severity, d.code, d.message
            )
        })
        .collect();
    expect![[r#"142..153 Warning registry-input "outputs takes `flake-parts`, but it is not a declared input: Nix then fetches `flake:flake-parts` through the flake registry, so what it gets depends on each machine's registry" fix: Some("add input `flake-parts` (github:hercules-ci/flake-parts)")"#]].assert_eq(&shown.join("\n"));
}

#[test]
fn quick_fix_declares_the_undeclared_input() {
    check_titles(
        SEED,
        None,
        expect![[r#"
            Add input `flake-parts` (github:hercules-ci/flake-parts)
            Add a buildDunePackage `nix_template` as the default package
            Add input…
            Add source from GitHub…"#]],
    );
    check_action(
        SEED,
        None,
        "Add input `flake-parts`",
        expect![[r#"
        {
          description = "Nix and Ocaml template";

          inputs = {
            nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
            flake-parts = {
              url = "github:hercules-ci/flake-parts";
              inputs.nixpkgs-lib.follows = "nixpkgs";
            };
          };

          outputs = inputs@{ flake-parts, ... }:
            flake-parts.lib.mkFlake { inherit inputs; } {
              systems = [ "x86_64-linux" ];
              perSystem = { pkgs, ... }: {
                formatter = pkgs.nixpkgs-fmt;
              };
            };
        }
    "#]],
    );
}

/// The seed's flake after the riot input: packages come next.
const SEED_RIOT: &str = r#"{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-parts.url = "github:hercules-ci/flake-parts";
  };

  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      perSystem = { config, self', inputs', pkgs, system, ... }:
        let
          version = "0.0.1";
        in
        {
          devShells = {};
          packages = {$0};
        };
    };
}
"#;

#[test]
fn package_actions_in_outputs() {
    check_titles(
        SEED_RIOT,
        None,
        expect![[r#"
            Add a buildDunePackage `nix_template` as the default package
            Add input…
            Add source from GitHub…"#]],
    );
}

#[test]
fn add_a_build_dune_package_named_after_the_directory() {
    check_action(
        SEED_RIOT,
        None,
        "Add a buildDunePackage",
        expect![[r#"
            {
              inputs = {
                nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
                flake-parts.url = "github:hercules-ci/flake-parts";
              };

              outputs = inputs@{ flake-parts, ... }:
                flake-parts.lib.mkFlake { inherit inputs; } {
                  systems = [ "x86_64-linux" ];
                  perSystem = { config, self', inputs', pkgs, system, ... }:
                    let
                      version = "0.0.1";
                    in
                    {
                      devShells = {};
                      packages = {
                        default = pkgs.ocamlPackages.buildDunePackage {
                          pname = "nix_template";
                          inherit version;
                          src = ./.;
                        };
                      };
                    };
                };
            }
        "#]],
    );
}

const WITH_PACKAGE: &str = r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";

  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      perSystem = { pkgs, ... }:
        let
          inherit (pkgs.ocamlPackages) buildDunePackage;
        in
        {
          packages = {
            default = buildDunePackage {
              pname = "ser$0ver";
              version = "1.0.0";
              src = ./.;
            };
          };
        };
    };
}
"#;

#[test]
fn add_a_docker_image_of_the_package_under_the_cursor() {
    check_action(
        WITH_PACKAGE,
        None,
        "Add a docker image",
        expect![[r#"
        {
          inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
          inputs.flake-parts.url = "github:hercules-ci/flake-parts";

          outputs = inputs@{ flake-parts, ... }:
            flake-parts.lib.mkFlake { inherit inputs; } {
              systems = [ "x86_64-linux" ];
              perSystem = { pkgs, self', ... }:
                let
                  inherit (pkgs.ocamlPackages) buildDunePackage;
                in
                {
                  packages = {
                    default = buildDunePackage {
                      pname = "server";
                      version = "1.0.0";
                      src = ./.;
                    };
                    dockerImage = pkgs.dockerTools.buildLayeredImage {
                      name = "server";
                      tag = "1.0.0";
                      contents = [ self'.packages.default ];
                      config = {
                        Cmd = [ "${self'.packages.default}/bin/server" ];
                      };
                    };
                  };
                };
            };
        }
    "#]],
    );
}

#[test]
fn add_a_dev_shell() {
    check_action(
        WITH_PACKAGE,
        None,
        "Add a dev shell",
        expect![[r#"
            {
              inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
              inputs.flake-parts.url = "github:hercules-ci/flake-parts";

              outputs = inputs@{ flake-parts, ... }:
                flake-parts.lib.mkFlake { inherit inputs; } {
                  systems = [ "x86_64-linux" ];
                  perSystem = { pkgs, self', ... }:
                    let
                      inherit (pkgs.ocamlPackages) buildDunePackage;
                    in
                    {
                      packages = {
                        default = buildDunePackage {
                          pname = "server";
                          version = "1.0.0";
                          src = ./.;
                        };
                      };
                      devShells = {
                        default = pkgs.mkShell {
                          inputsFrom = [
                            self'.packages.default
                          ];
                        };
                      };
                    };
                };
            }
        "#]],
    );
}

#[test]
fn a_placeholder_hash_offers_a_prefetch_resolved_later() {
    check_titles(
        r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs }: {
    packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.fetchFromGitHub {
      owner = "owner";
      repo = "lib";
      rev = "0123456789abcdef0123456789abcdef01234567";
      hash = "$0";
    };
  };
}
"#,
        None,
        expect![[r#"
            Prefetch the hash of owner/lib at 0123456789abcdef0123456789abcdef01234567
            Add a docker image `dockerImage` of package `default`
            Add a buildDunePackage `nix_template` as package `nix_template`
            Add a dev shell with the default package's build inputs
            Add input…
            Add source from GitHub…"#]],
    );
}

/// A quick fix is offered only when it passes the check every edit passes:
/// one that would change more than it says (here: capture `pkgs` with a
/// new `let`) is dropped from the menu; the same fix allowed to change
/// nothing but a formal is dropped too, and an honest one is offered.
#[test]
fn a_quick_fix_that_changes_meaning_is_not_offered() {
    let text = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  outputs = { self, nixpkgs }: let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {\n    packages.x86_64-linux.default = pkgs.hello;\n  };\n}\n";
    let file = SourceFile::parse(text);
    let at = |needle: &str| TextSize::from(text.find(needle).expect("in the text") as u32);
    let fix = |insert: &str, offset: TextSize, allowed: AllowedChange| {
        let mut changes = ChangeSet::new();
        changes
            .add(flakeedit_syntax::TextEdit::insert(offset, insert))
            .expect("one edit");
        Diagnostic {
            range: TextRange::empty(at("pkgs.hello")),
            severity: Severity::Warning,
            code: flakeedit_flake::DiagnosticCode::UnusedInput,
            message: "test".into(),
            subject: "test".into(),
            fix: Some(Fix {
                title: "test fix".into(),
                changes,
                allowed,
            }),
        }
    };
    let capture = fix(
        "let pkgs = { hello = 1; }; in ",
        at("pkgs.hello"),
        AllowedChange::new_code(),
    );
    let unannounced = fix(", systems", at(" }:"), AllowedChange::nothing());
    let honest = fix(", systems", at(" }:"), AllowedChange::add_formal("systems"));
    let range = TextRange::empty(at("pkgs.hello"));
    let offered = |diagnostic: Diagnostic| {
        actions_at(&file, None, range, &[diagnostic], None)
            .iter()
            .any(|action| action.title == "Test fix")
    };
    assert!(!offered(capture));
    assert!(!offered(unannounced));
    assert!(offered(honest));
}

/// "Pin to the locked revision" is offered exactly where `pin` accepts the
/// input: not on tarball, `path:` or following inputs.
#[test]
fn pin_is_offered_only_where_the_operation_accepts_it() {
    let flake = r#"{
  inputs = {
    forge.url = "github:o/forge";
    tarball.url = "https://example.com/archive.tar.gz";
    local.url = "path:./sub";
    git.url = "git+https://example.com/git?ref=main";
    registry.url = "nixpkgs";
    attrs = { type = "github"; owner = "o"; repo = "attrs"; };
    follower.follows = "forge";
    tarball2.url = "tarball+https://example.com/k";
  };
  outputs = { self, ... }: { };
}
"#;
    let names = [
        "forge", "tarball", "local", "git", "registry", "attrs", "follower", "tarball2",
    ];
    let mut nodes = serde_json::json!({ "root": { "inputs": {} } });
    for name in names {
        nodes["root"]["inputs"][name] = if name == "follower" {
            serde_json::json!(["forge"])
        } else {
            serde_json::json!(name)
        };
        nodes[name] = serde_json::json!({ "locked": { "type": "github", "owner": "o", "repo": name,
            "rev": "0123456789abcdef0123456789abcdef01234567", "lastModified": 1, "narHash": "sha256-x" } });
    }
    let lock = serde_json::json!({ "nodes": nodes, "root": "root", "version": 7 }).to_string();
    let mut offered = Vec::new();
    for name in names {
        let at = flake.find(&format!("    {name}")).unwrap() + 5;
        let fixture = format!("{}$0{}", &flake[..at], &flake[at..]);
        let (text, parsed, found) = actions(&fixture, Some(&lock));
        let pins = found.iter().any(|action| action.title.starts_with("Pin "));
        let accepted = flakeedit_flake::run(
            &Operation::Pin {
                name: name.into(),
                rev: None,
            },
            &text,
            parsed.as_ref(),
        )
        .is_ok_and(|result| result.changed());
        assert_eq!(
            pins, accepted,
            "{name}: offered {pins}, pin accepts {accepted}"
        );
        if pins {
            offered.push(name);
        }
    }
    assert_eq!(offered, ["forge", "git", "registry", "attrs"]);
}

/// The titles listed at the cursor of `fixture`, for a client that
/// resolves actions or one that does not.
fn titles_when(fixture: &str, resolves: bool) -> Vec<String> {
    let (text, range) = cursor(fixture);
    let file = SourceFile::parse(text.as_str());
    let flake = Flake::read(&file).ok();
    let found = diagnostics_of(&file, None);
    let listing = Listing {
        project: Some("nix_template"),
        resolves,
    };
    actions_with_model(&file, flake.as_ref(), None, range, &found, listing)
        .into_iter()
        .map(|action| action.title)
        .collect()
}

/// For a client that resolves, the package actions are listed after a
/// cheap check instead of computing their edits; the menu is the same as
/// the one vetted by computing them, and the resolved edit is verified.
#[test]
fn package_actions_listed_for_resolving_clients_are_the_vetted_ones() {
    const PACKAGED: &str = r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs }: let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
    packages.x86_64-linux = {
      default = pkgs.ocamlPackages.buildDunePackage { pname = "a"; version = "1"; src = ./.; };
      nix_template = pkgs.hello;
      image = pkgs.dockerTools.buildLayeredImage { name = "a"; contents = [ self.packages.x86_64-linux.default ]; };
      dockerImage = pkgs.hello;
      b$0 = pkgs.hello;
    };
  };
}
"#;
    for fixture in [SEED_RIOT, PACKAGED] {
        let computed = titles_when(fixture, false);
        assert_eq!(titles_when(fixture, true), computed, "{fixture}");
    }
    // `nix_template` and `dockerImage` exist: neither is offered again,
    // while `b`'s image is.
    let listed = titles_when(PACKAGED, true);
    assert!(listed
        .iter()
        .any(|t| t == "Add a docker image `b-image` of package `b`"));
    assert!(!listed.iter().any(|t| t.contains("buildDunePackage")));
    let (text, _) = cursor(PACKAGED);
    let request = ActionRequest::AddDockerImage {
        package: "b".into(),
        attr: Some("b-image".into()),
    };
    let changes = resolve(&text, None, &request).expect("a verified edit");
    let after = changes.apply_unchecked(&text).expect("applies");
    assert!(
        after.contains("b-image = pkgs.dockerTools.buildLayeredImage"),
        "{after}"
    );
    flakeedit_oracle::Nix::require().assert_parses(&after);
}
