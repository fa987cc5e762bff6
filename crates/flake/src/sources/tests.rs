//! `add-source` and `fix-hashes` as pure operations: whole-file snapshots,
//! idempotence, and what the edited flake evaluates to with the stub
//! nixpkgs (whose `fetchFromGitHub` returns its arguments). The network
//! half is tested end to end in the CLI tests (`tests/cli_add_source.rs`).

use crate::hash::parse_hash;
use expect_test::expect_file;
use flakeedit_oracle::Nix;
use flakeedit_syntax::SourceFile;
use serde_json::{json, Value};

use super::{placeholder_hashes, FetchHash, FetchSource, FixHashes, SourceSpec};
use crate::packages::tests::support::{apply, apply_twice, assert_evaluates, eval, fixture};
use crate::{AddSource, ErrorKind, Operation, SourceHash};

const RANDOMCONV_REV: &str = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
const RANDOMCONV_HASH: &str = "sha256-KIvx/UNtPTg0EqfwuJgzSCtr6RgKIXK6yv9QkUUHbJk=";
const RANDOM_REV: &str = "abb07c253dbc208219ac1983b34c78dab5fe93fd";
const RANDOM_HASH: &str = "sha256-dcJDuWE3qLEanu+TBBSeJPxxQvAN9eq88R5W3XMEGiA=";
const FAKE_HASH: &str = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

fn known(sri: &str) -> SourceHash {
    SourceHash::Known(parse_hash(sri).expect("a valid hash"))
}

fn randomconv(hash: SourceHash, dep_of: Option<&str>) -> AddSource {
    AddSource {
        owner: "hannesm".into(),
        repo: "randomconv".into(),
        rev: RANDOMCONV_REV.into(),
        hash,
        version: "0.2.0".into(),
        dep_of: dep_of.map(String::from),
        ..Default::default()
    }
}

fn add(request: AddSource) -> Operation {
    Operation::AddSource(Box::new(request))
}

fn pnames(nix: &Nix, text: &str, list: &str) -> Value {
    eval(
        nix,
        text,
        &format!("builtins.sort builtins.lessThan (map (p: p.pname or p.name) ({list}))"),
    )
}

/// The article's step 08 from its step 07: `randomconv`, then `random`
/// (which needs randomconv and two mirage libraries) as a build input of
/// the default package. The sources evaluate exactly like the article's.
#[test]
fn sources_seed_step_08() {
    let nix = Nix::require();
    let step07 = fixture("seed/07-docker-image.nix");
    let with_randomconv = apply_twice(&step07, &add(randomconv(known(RANDOMCONV_HASH), None)));
    let step08 = apply_twice(
        &with_randomconv,
        &add(AddSource {
            owner: "leostera".into(),
            repo: "random".into(),
            rev: RANDOM_REV.into(),
            hash: known(RANDOM_HASH),
            version: "0.0.1".into(),
            dep_of: Some("default".into()),
            build_inputs: vec![
                "ocamlPackages.mirage-crypto-rng".into(),
                "ocamlPackages.mirage-crypto".into(),
                "randomconv".into(),
            ],
            ..Default::default()
        }),
    );
    expect_file!["snapshots/seed-08.nix"].assert_eq(&step08);
    nix.assert_parses(&step08);
    assert_evaluates(&nix, &step08);

    let article08 = fixture("seed/08-random-sources.nix");
    for package in ["randomconv", "random"] {
        let source = format!("inspect.showShallow outputs.packages.x86_64-linux.{package}.src");
        assert_eq!(
            eval(&nix, &step08, &source),
            eval(&nix, &article08, &source),
            "{package}"
        );
        let version = format!("outputs.packages.x86_64-linux.{package}.version");
        assert_eq!(
            eval(&nix, &step08, &version),
            eval(&nix, &article08, &version)
        );
    }
    for list in [
        "outputs.packages.x86_64-linux.default.buildInputs",
        "outputs.packages.x86_64-linux.random.buildInputs",
    ] {
        assert_eq!(
            pnames(&nix, &step08, list),
            pnames(&nix, &article08, list),
            "{list}"
        );
    }
}

/// The package in every layout, in the default package's build inputs
/// where there is one it can extend.
#[test]
fn sources_add_source_in_every_layout() {
    let nix = Nix::require();
    let cases = [
        ("flake-parts-let", Some("default"), None, true),
        // A Rust and a C default package: an OCaml library is no build
        // input of theirs (refused below), so it is added on its own.
        ("flake-parts-no-let", None, None, false),
        (
            "flake-utils-each-default-system",
            Some("default"),
            None,
            true,
        ),
        ("flake-utils-each-system", None, None, false),
        ("for-all-systems", Some("default"), None, true),
        // `default = pkgs.hello;` has no argument set to extend.
        ("genattrs-inline", None, None, true),
        (
            "plain-per-system",
            Some("default"),
            Some("x86_64-linux"),
            false,
        ),
        ("no-packages", None, None, true),
    ];
    for (layout, builder) in [
        ("flake-parts-no-let", "buildRustPackage"),
        ("flake-utils-each-system", "mkDerivation"),
    ] {
        let before = fixture(&format!("layouts/{layout}.nix"));
        let error = match apply(&before, &add(randomconv(SourceHash::Fake, Some("default")))) {
            Ok((after, _)) => panic!("{layout}: an OCaml library went into `default`:\n{after}"),
            Err(error) => error,
        };
        assert_eq!(error.kind, ErrorKind::Conflict, "{layout}");
        assert!(
            error.message.contains(&format!("built with `{builder}`")),
            "{layout}: {}",
            error.message
        );
    }
    for (layout, dep_of, system, real_hash) in cases {
        let before = fixture(&format!("layouts/{layout}.nix"));
        let hash = if real_hash {
            known(RANDOMCONV_HASH)
        } else {
            SourceHash::Fake
        };
        let operation = add(AddSource {
            system: system.map(String::from),
            ..randomconv(hash, dep_of)
        });
        let after = apply_twice(&before, &operation);
        expect_file![format!("snapshots/layouts/{layout}.nix")].assert_eq(&after);
        nix.assert_parses(&after);
        assert_evaluates(&nix, &after);
        let packages = "outputs.packages.x86_64-linux";
        let source = eval(
            &nix,
            &after,
            "{ inherit (outputs.packages.x86_64-linux.randomconv.src) owner repo rev hash; }",
        );
        assert_eq!(
            source,
            json!({
                "owner": "hannesm",
                "repo": "randomconv",
                "rev": RANDOMCONV_REV,
                "hash": if real_hash { RANDOMCONV_HASH } else { FAKE_HASH },
            }),
            "{layout}"
        );
        if dep_of.is_some() {
            let inputs = pnames(&nix, &after, &format!("{packages}.default.buildInputs"));
            assert!(
                inputs
                    .as_array()
                    .is_some_and(|names| names.contains(&json!("randomconv"))),
                "{layout}: {inputs}"
            );
        }
    }
}

#[test]
fn sources_placeholder_warns_and_errors_leave_nothing() {
    let before = fixture("layouts/flake-parts-let.nix");
    let (_, warnings) =
        apply(&before, &add(randomconv(SourceHash::Fake, Some("default")))).unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("lib.fakeHash") && w.contains("fix-hashes")),
        "{warnings:?}"
    );

    let failures = [
        (
            AddSource {
                rev: "main".into(),
                ..randomconv(SourceHash::Fake, None)
            },
            ErrorKind::InvalidArgument,
            "not a full commit hash",
        ),
        (
            randomconv(SourceHash::Fake, Some("nope")),
            ErrorKind::NotApplicable,
            "no package `nope`",
        ),
        (
            AddSource {
                name: Some("default".into()),
                ..randomconv(SourceHash::Fake, None)
            },
            ErrorKind::Conflict,
            "not fetched with `fetchFromGitHub`",
        ),
        (
            AddSource {
                build_inputs: vec!["undefinedThing.foo".into()],
                ..randomconv(SourceHash::Fake, None)
            },
            ErrorKind::NotApplicable,
            "not in scope",
        ),
    ];
    for (request, kind, message) in failures {
        let error = apply(&before, &add(request.clone())).unwrap_err();
        assert_eq!(error.kind, kind, "{request:?}: {error:?}");
        assert!(error.message.contains(message), "{error:?}");
    }

    let once = apply_twice(&before, &add(randomconv(known(RANDOMCONV_HASH), None)));
    let moved = AddSource {
        rev: RANDOM_REV.into(),
        ..randomconv(known(RANDOMCONV_HASH), None)
    };
    let error = apply(&once, &add(moved)).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert!(error.message.contains(RANDOMCONV_REV), "{error:?}");
}

#[test]
fn sources_source_specs() {
    let spec = SourceSpec::parse("github:hannesm/randomconv.git@v0.2.0").unwrap();
    assert_eq!(
        (spec.owner.as_str(), spec.repo.as_str(), spec.rev.as_str()),
        ("hannesm", "randomconv", "v0.2.0")
    );
    for bad in [
        "hannesm/randomconv",
        "randomconv@v1",
        "/r@v",
        "o/r@",
        "o/r/x@v",
    ] {
        assert!(SourceSpec::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        crate::packages::version_from_tag("v0.2.0").as_deref(),
        Some("0.2.0")
    );
    assert_eq!(
        crate::packages::version_from_tag("1.2.3-rc1").as_deref(),
        Some("1.2.3-rc1")
    );
    assert_eq!(crate::packages::version_from_tag("main"), None);
    assert_eq!(crate::packages::version_from_tag("v"), None);
    assert_eq!(
        crate::packages::unstable_version(RANDOM_REV),
        "0-unstable-abb07c2"
    );
}

#[test]
fn sources_fix_hashes_writes_prefetched_hashes_and_converts_legacy_ones() {
    let nix = Nix::require();
    let before = fixture("sources/fetchers.nix");
    let sites = placeholder_hashes(&SourceFile::parse(before.as_str()));
    let described: Vec<String> = sites
        .iter()
        .map(|site| match &site.source {
            Ok(source) => format!("{} {source}", site.fetcher),
            Err(why) => format!("{} cannot: {why}", site.fetcher),
        })
        .collect();
    expect_test::expect![[r#"
        [
            "fetchFromGitHub hannesm/randomconv at b2ce656d09738d676351f5a1c18aff0ff37a7dcc",
            "fetchurl https://example.org/dist/tool-1.0.tar.gz",
            "fetchzip https://example.org/dist/data-2.zip",
            "fetchFromGitHub cannot: `fetchSubmodules` changes what fetchFromGitHub hashes; prefetch it with Nix (build once and copy the hash from the mismatch error)",
        ]
    "#]]
    .assert_debug_eq(&described);

    let hashes = vec![
        FetchHash {
            source: FetchSource::GitHub {
                owner: "hannesm".into(),
                repo: "randomconv".into(),
                rev: RANDOMCONV_REV.into(),
                host: None,
            },
            hash: parse_hash(RANDOMCONV_HASH).unwrap(),
        },
        FetchHash {
            source: FetchSource::File {
                url: "https://example.org/dist/tool-1.0.tar.gz".into(),
            },
            hash: parse_hash("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").unwrap(),
        },
        FetchHash {
            source: FetchSource::Archive {
                url: "https://example.org/dist/data-2.zip".into(),
            },
            hash: parse_hash(RANDOM_HASH).unwrap(),
        },
    ];
    let operation = Operation::FixHashes(FixHashes {
        hashes: hashes.clone(),
        convert_legacy: true,
    });
    let (after, warnings) = apply(&before, &operation).unwrap();
    expect_file!["snapshots/fix-hashes.nix"].assert_eq(&after);
    assert!(
        warnings.len() == 1 && warnings[0].contains("with-submodules"),
        "{warnings:?}"
    );
    let (again, _) = apply(&after, &operation).unwrap();
    assert_eq!(again, after, "a second run changes nothing");
    nix.assert_parses(&after);
    assert_evaluates(&nix, &after);
    let written = eval(
        &nix,
        &after,
        "builtins.mapAttrs (_: p: p.hash or null) outputs.packages.x86_64-linux",
    );
    assert_eq!(
        written,
        json!({
            "randomconv": RANDOMCONV_HASH,
            "tarball": "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            "zipped": RANDOM_HASH,
            "legacyBase32": RANDOM_HASH,
            "legacyHex": "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            "submodules": FAKE_HASH,
        })
    );

    // Only converting: the placeholders stay, the legacy attributes change.
    let (converted, _) = apply(
        &before,
        &Operation::FixHashes(FixHashes {
            hashes: Vec::new(),
            convert_legacy: true,
        }),
    )
    .unwrap();
    expect_file!["snapshots/convert-only.nix"].assert_eq(&converted);
}

/// Evaluates `outputs` of `text` with the stub nixpkgs and the real
/// builtins, next to a `data.txt` that the builtin fetches download.
fn eval_with_data(nix: &Nix, text: &str, expression: &str) -> Result<Value, String> {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("flake.nix"), text).expect("write flake.nix");
    std::fs::write(dir.path().join("data.txt"), "flakeedit\n").expect("write data.txt");
    let stubs = crate::packages::tests::support::tests_dir().join("stubs");
    let stubs = serde_json::to_string(&stubs.display().to_string()).unwrap_or_default();
    nix.eval_json(
        dir.path(),
        &format!(
            "let outputs = import ({stubs} + \"/eval.nix\") {{ flake = ./flake.nix; }}; in {expression}"
        ),
    )
}

/// `sha256` becomes `hash` only where the fetcher takes `hash`:
/// `builtins.fetchurl` (also under a let-bound name) rejects it
/// ("unsupported argument 'hash'"), so neither `check` nor `fix-hashes`
/// touches it, and the result still fetches with the real builtins.
#[test]
fn sources_builtin_fetchers_keep_sha256() {
    let nix = Nix::require();
    let before = fixture("sources/builtin-fetchers.nix");
    let legacy: Vec<String> = crate::check(
        &SourceFile::parse(before.as_str()),
        None,
        &crate::CheckOptions {
            select: vec!["legacy-sha256".into()],
            now: Some(0),
            ..crate::CheckOptions::default()
        },
    )
    .into_iter()
    .map(|diagnostic| diagnostic.subject)
    .collect();
    assert_eq!(
        legacy,
        vec!["fetchurl https://example.org/dist/notes.txt.sha256".to_string()]
    );
    let operation = Operation::FixHashes(FixHashes {
        hashes: Vec::new(),
        convert_legacy: true,
    });
    let after = apply_twice(&before, &operation);
    expect_file!["snapshots/builtin-fetchers.txt"].assert_eq(&format!(
        "=== before: sources/builtin-fetchers.nix\n{before}\n=== after: flakeedit fix-hashes --convert-only\n{after}"
    ));
    nix.assert_parses(&after);
    let fetched = eval_with_data(
        &nix,
        &after,
        "builtins.attrNames outputs.fetched ++ [ outputs.packages.x86_64-linux.notes.hash ]",
    )
    .unwrap_or_else(|error| panic!("the fixed flake does not evaluate:\n{error}"));
    assert_eq!(
        fetched,
        json!([
            "aliased",
            "builtin",
            parse_hash("0ldzm9a0y4xwfa9lyr3y12shrn1vdqjq54qfpvzllxwyqdm19r4p")
                .unwrap()
                .to_sri()
        ])
    );
    // `check --fix` applies only safe fixes: the builtins stay as they are.
    let fixed = crate::fix_safe(&before, None, &crate::CheckOptions::default()).unwrap();
    let fixed = fixed.new_text.unwrap_or_else(|| before.clone());
    assert_eq!(fixed, after);
}

/// A placeholder in a builtin fetcher gets the prefetched digest under its
/// own name, `sha256`, never `hash`.
#[test]
fn sources_builtin_placeholder_is_filled_under_sha256() {
    let before = "{\n  outputs = { self }: {\n    notes = builtins.fetchurl {\n      url = \"https://example.org/notes.txt\";\n      sha256 = \"\";\n    };\n  };\n}\n";
    let sha = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let operation = Operation::FixHashes(FixHashes {
        hashes: vec![FetchHash {
            source: FetchSource::File {
                url: "https://example.org/notes.txt".into(),
            },
            hash: parse_hash(sha).unwrap(),
        }],
        convert_legacy: true,
    });
    let (after, _) = apply(before, &operation).unwrap();
    assert_eq!(
        after,
        before.replace("sha256 = \"\"", &format!("sha256 = \"{sha}\""))
    );
}
