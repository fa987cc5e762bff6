//! The meaning check every edit passes must not refuse legitimate edits:
//! every operation, on every fixture flake of the project, either succeeds
//! or refuses for a reason of its own, never with an internal error. And
//! `check --fix`, which goes through the same check, never fails either.

mod common;

use std::path::{Path, PathBuf};

use common::repo_tests;
use flakeedit_flake::check::fix_safe;
use flakeedit_flake::{
    run, AddDevShell, AddDockerImage, AddDunePackage, AddInput, AddSource, CheckOptions, ErrorKind,
    FixHashes, Flake, Lock, Operation, SourceHash,
};
use flakeedit_oracle::Nix;
use flakeedit_syntax::SourceFile;

/// Every `.nix` fixture that is a valid flake, with the `flake.lock` beside
/// it (or `<name>.lock`), sorted.
fn fixture_flakes() -> Vec<(PathBuf, String, Option<Lock>)> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "nix") {
                found.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&repo_tests().join("fixtures"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let file = SourceFile::parse(text.as_str());
            (file.is_valid() && Flake::read(&file).is_ok()).then_some(())?;
            let lock = [
                path.with_file_name("flake.lock"),
                path.with_extension("lock"),
            ]
            .iter()
            .find_map(|lock| std::fs::read_to_string(lock).ok())
            .and_then(|lock| Lock::parse(&lock).ok());
            Some((path, text, lock))
        })
        .collect()
}

const REV: &str = "0123456789abcdef0123456789abcdef01234567";

fn operations(flake: &Flake) -> Vec<Operation> {
    let has_nixpkgs = flake.input("nixpkgs").is_some();
    let mut operations = vec![
        Operation::AddInput(AddInput {
            url: "github:example/fe-new-input".into(),
            name: Some("fe-new-input".into()),
            follows: if has_nixpkgs {
                vec![("nixpkgs".into(), "nixpkgs".into())]
            } else {
                vec![]
            },
            no_flake: false,
        }),
        Operation::FollowAll {
            target: "nixpkgs".into(),
        },
        Operation::AddDunePackage(AddDunePackage {
            pname: "fe_pkg".into(),
            attr: None,
            version: Some("0.1.0".into()),
            src: None,
            build_inputs: vec![],
            default: false,
            system: None,
        }),
        Operation::AddDockerImage(AddDockerImage::default()),
        Operation::AddDevShell(AddDevShell::default()),
        Operation::AddSource(Box::new(AddSource {
            owner: "example".into(),
            repo: "fe-lib".into(),
            rev: REV.into(),
            hash: SourceHash::Fake,
            version: "0.1.0".into(),
            ..AddSource::default()
        })),
        Operation::FixHashes(FixHashes {
            hashes: vec![],
            convert_legacy: true,
        }),
    ];
    for input in &flake.inputs {
        let name = input.name.clone();
        operations.extend([
            Operation::RemoveInput {
                name: name.clone(),
                force: false,
            },
            Operation::RemoveInput {
                name: name.clone(),
                force: true,
            },
            Operation::SetUrl {
                name: name.clone(),
                url: "github:example/replaced".into(),
            },
            Operation::Pin {
                name: name.clone(),
                rev: Some(REV.into()),
            },
            Operation::Unpin { name: name.clone() },
            Operation::SetFlake {
                name: name.clone(),
                value: None,
            },
        ]);
        if has_nixpkgs && name != "nixpkgs" {
            operations.push(Operation::Follow {
                name,
                child: "nixpkgs".into(),
                target: None,
            });
        }
    }
    operations
}

#[test]
fn no_operation_on_any_fixture_is_refused_by_the_meaning_check() {
    let mut changed = 0;
    let mut failures = Vec::new();
    let flakes = fixture_flakes();
    assert!(flakes.len() > 40, "only {} fixture flakes", flakes.len());
    for (path, text, lock) in &flakes {
        let flake = Flake::read(&SourceFile::parse(text.as_str())).expect("filtered");
        for operation in operations(&flake) {
            match run(&operation, text, lock.as_ref()) {
                Ok(result) => changed += usize::from(result.changed()),
                // Other internal errors (an operation's own bug) are not
                // this check's doing; its refusals all say "meaning".
                Err(error)
                    if error.kind == ErrorKind::Internal
                        && error.message.contains("the flake's meaning") =>
                {
                    let fixtures = repo_tests().join("fixtures");
                    let name = path.strip_prefix(&fixtures).unwrap_or(path);
                    failures.push(format!(
                        "{}: {operation:?}: {}",
                        name.display(),
                        error.message
                    ))
                }
                Err(_) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The run exercised the check: most operations edit most fixtures.
    assert!(changed > 300, "only {changed} edits");
}

/// In `inputs = rec { nixpkgs-docs.url = nixpkgs.url; }`, removing
/// `nixpkgs` would leave a file Nix rejects ("undefined variable
/// 'nixpkgs'"), which parses for rnix. remove-input refuses it itself, even
/// with `--force`, pointing at the read, before any edit is computed.
#[test]
fn removing_an_input_another_input_refers_to_is_refused() {
    let nix = Nix::require();
    let text = common::fixture("inputs/rec-inputs.nix");
    // The removal by hand is one Nix rejects.
    let by_hand = text.replace(
        "    nixpkgs.url = \"github:NixOS/nixpkgs/nixos-24.05\";\n",
        "",
    );
    assert_ne!(by_hand, text);
    let rejected = nix.parse(&by_hand).expect_err("Nix rejects it");
    assert!(
        rejected.contains("undefined variable 'nixpkgs'"),
        "{rejected}"
    );
    let file = SourceFile::parse(text.as_str());
    let flake = Flake::read(&file).expect("a flake");
    for force in [false, true] {
        let operation = Operation::RemoveInput {
            name: "nixpkgs".into(),
            force,
        };
        let error = operation
            .changes(&file, &flake, None)
            .expect_err("remove-input refuses");
        assert_eq!(error.kind, ErrorKind::Conflict, "{}", error.message);
        assert!(
            error.message.contains("read by name in the `rec` set"),
            "{}",
            error.message
        );
        let range = error.range.expect("points at the read");
        assert!(text[usize::from(range.start())..].starts_with("nixpkgs.url;"));
        let error = run(&operation, &text, None).expect_err("refused");
        assert_eq!(error.kind, ErrorKind::Conflict, "{}", error.message);
    }
}

/// A finding of the check, judged by Nix: `pkgs-for-docs.follows =
/// "nixpkgs"` declares `pkgs-for-docs` as nixpkgs; removing `nixpkgs`
/// drops that declaration too, while outputs still takes `pkgs-for-docs`
/// (which Nix would then look up in the registry). Refused.
#[test]
fn removing_an_input_that_another_input_follows_is_refused() {
    // `pkgs-for-docs.follows = "nixpkgs"` is that input's whole source:
    // removing `nixpkgs` would drop `pkgs-for-docs` too, while outputs still
    // takes it. remove-input refuses this itself, before any edit, so the
    // meaning check never sees it; the refusal names the follows.
    let nix = Nix::require();
    let text = common::fixture("inputs/references/follows-only.nix");
    let inputs = common::inputs_json(&nix, &text);
    assert_eq!(inputs["pkgs-for-docs"]["follows"], "nixpkgs", "{inputs}");
    let arguments = common::outputs_args(&nix, &text);
    assert!(arguments.get("pkgs-for-docs").is_some(), "{arguments}");
    for force in [false, true] {
        let operation = Operation::RemoveInput {
            name: "nixpkgs".into(),
            force,
        };
        let error = run(&operation, &text, None).expect_err("refused");
        assert_eq!(error.kind, ErrorKind::Conflict, "{}", error.message);
        assert!(
            error
                .message
                .contains("removing `nixpkgs` would leave `pkgs-for-docs` without a source"),
            "{}",
            error.message
        );
    }
}

#[test]
fn check_fix_on_any_fixture_is_never_refused_by_the_meaning_check() {
    let mut fixed = 0;
    for (path, text, lock) in fixture_flakes() {
        let options = CheckOptions {
            now: Some(1_750_000_000),
            ..CheckOptions::default()
        };
        match fix_safe(&text, lock.as_ref(), &options) {
            Ok(outcome) => fixed += outcome.fixed.len(),
            Err(error) => panic!("{}: {}", path.display(), error.message),
        }
    }
    assert!(fixed > 5, "only {fixed} fixes");
}

fn add_input(name: &str) -> Operation {
    Operation::AddInput(AddInput {
        url: format!("github:example/{name}"),
        name: Some(name.into()),
        follows: vec![],
        no_flake: false,
    })
}

/// Adding the input `hello` to a pattern without `...` makes `hello` a
/// lexical name, and a lexical name wins over `with pkgs;`: Nix shows the
/// list would hold the input instead of `pkgs.hello`. Refused.
#[test]
fn a_new_input_that_would_capture_a_with_name_is_refused() {
    let nix = Nix::require();
    let text = common::fixture("meaning/with-name-becomes-input.nix");
    let file = SourceFile::parse(text.as_str());
    let flake = Flake::read(&file).expect("a flake");
    let operation = add_input("hello");
    let unverified = operation
        .changes(&file, &flake, None)
        .and_then(|changes| Ok(changes.apply_unchecked(&text)?))
        .expect("add-input computes an edit");
    let call = |arguments: &str| {
        format!(
            "((import ./flake.nix).outputs {{ self = null; nixpkgs = null; {arguments} }}).names"
        )
    };
    let before = nix.eval_flake(&text, &call(""));
    assert_eq!(before, serde_json::json!(["hello from pkgs"]));
    let after = nix.eval_flake(&unverified, &call("hello = \"the input\";"));
    assert_eq!(after, serde_json::json!(["the input"]));
    let error = run(&operation, &text, None).expect_err("refused");
    assert!(
        error.message.contains(
            "`hello` at 11:28 referred to the `with` at 11:15 and would refer to the binding at 8:30"
        ),
        "{}",
        error.message
    );
}

/// The `missing-formal` fix binds a use that was unbound: that is what it
/// is for, so the check lets the fix through (and Nix then evaluates it).
#[test]
fn a_new_argument_may_bind_an_unbound_use() {
    let nix = Nix::require();
    // Inline: Nix rejects a file with an unbound name even when parsing,
    // so this cannot live among the fixtures that must parse.
    let text = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-24.05\";\n  \
                inputs.riot.url = \"github:riot-ml/riot\";\n  outputs = { self, nixpkgs }: {\n    \
                names = [ riot ];\n  };\n}\n";
    let options = CheckOptions {
        select: vec!["missing-formal".into()],
        ..CheckOptions::default()
    };
    let outcome = fix_safe(text, None, &options).expect("fixed");
    let after = outcome.new_text.expect("a fix");
    assert!(after.contains("{ self, nixpkgs, riot }:"), "{after}");
    let names = nix.eval_flake(
        &after,
        "((import ./flake.nix).outputs { self = null; nixpkgs = null; riot = \"riot\"; }).names",
    );
    assert_eq!(names, serde_json::json!(["riot"]));
}
