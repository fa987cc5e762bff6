//! End-to-end tests of the package commands of the `flakeedit` binary:
//! `add-dune-package`, `add-docker-image`, `add-dev-shell`, `init`.

mod common;

use std::process::Output;

use common::*;
use flakeedit_oracle::Nix;

#[test]
fn packages_commands_build_the_seed_flake() {
    let nix = Nix::require();
    let (dir, path) = project(&fixture("seed/02-riot-input.nix"));
    let steps: [&[&str]; 3] = [
        &[
            "add-dune-package",
            "nix_template",
            "--default",
            "--build-input",
            "riot",
        ],
        &[
            "add-dev-shell",
            "--package",
            "pkgs.ocamlPackages.utop",
            "--inputs-from",
            "default",
        ],
        &[
            "add-docker-image",
            "--name",
            "nix-template",
            "--port",
            "8000/tcp",
            "--env",
            "GITHUB_SHA=123123",
        ],
    ];
    for args in steps {
        let output = flakeedit(dir.path(), args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        // Second run: nothing changes, exit 0, and --check agrees.
        let before = std::fs::read_to_string(&path).unwrap();
        let again = flakeedit(dir.path(), args);
        assert!(again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to do"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
        let mut check = args.to_vec();
        check.push("--check");
        assert!(flakeedit(dir.path(), &check).status.success());
    }
    let text = std::fs::read_to_string(&path).unwrap();
    nix.assert_parses(&text);
    assert!(
        text.contains("Cmd = [ \"${self'.packages.default}/bin/nix_template\" ];"),
        "{text}"
    );
}

#[test]
fn packages_errors_leave_the_file_untouched() {
    let original = fixture("layouts/flake-parts-let.nix");
    let (dir, path) = project(&original);
    for args in [
        &["add-docker-image", "--package", "server"][..],
        &["add-dune-package", "other", "--default"][..],
        &["add-dune-package", "x", "--build-input", "nope"][..],
    ] {
        let output = flakeedit(dir.path(), args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("flake.nix:") && stderr.contains("hint:"),
            "{stderr}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    }
    let (dir, path) = project("{ outputs = { self }: import ./outputs.nix; }\n");
    let output = flakeedit(dir.path(), &["add-dev-shell", "--package", "jq"]);
    assert_eq!(output.status.code(), Some(1));
    // The refusal names the file the outputs come from, where to edit.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("flake.nix:1:23") && stderr.contains("`./outputs.nix`"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{ outputs = { self }: import ./outputs.nix; }\n"
    );
}

#[test]
fn packages_diff_and_json_show_the_change_without_writing() {
    let original = fixture("layouts/flake-utils-each-default-system.nix");
    let (dir, path) = project(&original);
    let output = flakeedit(
        dir.path(),
        &["add-docker-image", "--port", "8000", "--diff", "--dry-run"],
    );
    assert!(output.status.success());
    let diff = String::from_utf8_lossy(&output.stdout);
    assert!(
        diff.contains("+          dockerImage = pkgs.dockerTools.buildLayeredImage {"),
        "{diff}"
    );
    let output = flakeedit(
        dir.path(),
        &["add-dev-shell", "--package", "jq", "--json", "--check"],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "--check: the file would change"
    );
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(record["outcome"], "changed");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
}

#[test]
fn packages_init_writes_a_flake_and_never_overwrites() {
    let nix = Nix::require();
    let dir = tempfile::tempdir().unwrap();
    let output = flakeedit(dir.path(), &["init", "--template", "rust", "demo"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = dir.path().join("demo/flake.nix");
    let text = std::fs::read_to_string(&path).unwrap();
    nix.assert_parses(&text);
    assert!(
        text.contains("flake-parts = {") && text.contains("pname = \"demo\";"),
        "{text}"
    );
    std::fs::write(&path, "# mine\n").unwrap();
    let output = flakeedit(dir.path(), &["init", "demo"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("never overwrites"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
}

/// `init --check` is a question, "is flake.nix already this template?":
/// exit 1 and nothing written while it would be written, 0 once it is
/// byte for byte the template's; an edited file is never overwritten.
#[test]
fn packages_init_check_and_dry_run_write_nothing() {
    let nix = Nix::require();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo/flake.nix");
    let stderr = |output: &Output| String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = |output: &Output| String::from_utf8_lossy(&output.stdout).into_owned();
    let init = ["init", "--template", "minimal", "demo"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        init.iter().copied().chain(extra.iter().copied()).collect()
    };

    let check = flakeedit(dir.path(), &with(&["--check"]));
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("would be written"),
        "{}",
        stderr(&check)
    );
    assert!(!path.exists());
    let json_check = flakeedit(dir.path(), &with(&["--check", "--json"]));
    assert_eq!(json_check.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(stdout(&json_check).trim()).unwrap();
    assert_eq!(report["outcome"], "changed");
    assert_eq!(report["written"], false);
    let diff = flakeedit(dir.path(), &with(&["--check", "--diff"]));
    assert_eq!(diff.status.code(), Some(1));
    assert!(
        stdout(&diff).contains("+++ b/demo/flake.nix"),
        "{}",
        stdout(&diff)
    );
    assert!(!path.exists());

    let dry_run = flakeedit(dir.path(), &with(&["--dry-run"]));
    assert_eq!(dry_run.status.code(), Some(0), "{}", stderr(&dry_run));
    let printed = stdout(&dry_run);
    nix.assert_parses(&printed);
    assert!(!path.exists());

    let written = flakeedit(dir.path(), &init);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), printed);
    // Now it is the template's: nothing to do, for init and for --check.
    for extra in [&[][..], &["--check"]] {
        let again = flakeedit(dir.path(), &with(extra));
        assert_eq!(
            again.status.code(),
            Some(0),
            "{extra:?}: {}",
            stderr(&again)
        );
        assert!(stderr(&again).contains("unchanged"), "{}", stderr(&again));
    }
    // An edited flake differs: --check fails and nothing is overwritten.
    std::fs::write(&path, format!("{printed}# mine\n")).unwrap();
    let edited = flakeedit(dir.path(), &with(&["--check"]));
    assert_eq!(edited.status.code(), Some(1));
    assert!(
        stderr(&edited).contains("never overwrites"),
        "{}",
        stderr(&edited)
    );
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .ends_with("# mine\n"));

    let help = flakeedit(dir.path(), &["init", "--help"]);
    assert!(
        stdout(&help).contains("--check writes nothing"),
        "{}",
        stdout(&help)
    );
}

/// A value given on the command line is one Nix expression written as one
/// list element, with `pkgs` meaning the package set where it lands; what
/// is not one expression, or names Docker refuses, are refused with what
/// to do, and nothing is written.
#[test]
fn packages_values_are_expressions_and_docker_references_are_checked() {
    let nix = Nix::require();
    let original = fixture("values/pkgs-unbound.nix");
    let (dir, path) = project(&original);
    for (args, says) in [
        (
            &[
                "add-dune-package",
                "x",
                "--version",
                "1",
                "--build-input",
                "pkgs.hello;",
            ][..],
            "is not a Nix expression",
        ),
        (
            &[
                "add-dune-package",
                "x",
                "--version",
                "1",
                "--build-input",
                "nope.hello",
            ][..],
            "`nope`",
        ),
        (
            &["add-docker-image", "--name", "My Image"][..],
            "is not a valid Docker image name",
        ),
        (
            &["add-docker-image", "--tag", "1.0+dev"][..],
            "is not a valid Docker tag",
        ),
    ] {
        let output = flakeedit(dir.path(), args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = stderr(&output);
        assert!(
            stderr.contains(says) && stderr.contains("hint:"),
            "{args:?}: {stderr}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    }
    let output = flakeedit(
        dir.path(),
        &[
            "add-dune-package",
            "extra",
            "--version",
            "0.1.0",
            "--build-input",
            "pkgs.python3.withPackages (ps: [ ps.numpy ])",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(
            "            (nixpkgs.legacyPackages.${system}.python3.withPackages (ps: [ ps.numpy ]))\n"
        ),
        "{text}"
    );
    nix.assert_parses(&text);
}

/// add-source never makes an OCaml library a build input of a Go package.
#[test]
fn packages_add_source_refuses_a_go_default_package() {
    let original = fixture("values/go-default.nix");
    let (dir, path) = project(&original);
    let output = flakeedit(
        dir.path(),
        &[
            "add-source",
            "hannesm/randomconv@b2ce656d09738d676351f5a1c18aff0ff37a7dcc",
            "--no-prefetch",
            "--version",
            "0.2.0",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let stderr = stderr(&output);
    assert!(
        stderr.contains("built with `buildGoModule`") && stderr.contains("--dep-of"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
}

/// A flake without a `nixpkgs` input: the CLI reads the flake.lock beside
/// it to find the input whose nixpkgs to follow, and refuses without one.
#[test]
fn packages_commands_follow_the_nixpkgs_the_lock_shows() {
    let nix = Nix::require();
    let (dir, path) = project(&fixture("layouts/borrowed-nixpkgs/flake.nix"));
    let args = ["add-dune-package", "extra", "--version", "0.2.0"];
    let refused = flakeedit(dir.path(), &args);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("`inputs.nixpkgs.follows = \"INPUT/nixpkgs\";`"),
        "{}",
        stderr(&refused)
    );
    std::fs::write(
        dir.path().join("flake.lock"),
        fixture("layouts/borrowed-nixpkgs/flake.lock"),
    )
    .unwrap();
    let output = flakeedit(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("declared `nixpkgs.follows = \"builder/nixpkgs\"`"),
        "{}",
        stderr(&output)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("  inputs.nixpkgs.follows = \"builder/nixpkgs\";\n"));
    assert!(text.contains(
        "packages.extra = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {"
    ));
    nix.assert_parses(&text);
}

#[test]
fn packages_commands_read_the_names_an_imported_file_defines() {
    let nix = Nix::require();
    let (dir, path) = project(&fixture("layouts/imported-packages/flake.nix"));
    // Without ./pkgs beside the flake, the import's names are unknown.
    let args = ["add-dune-package", "extra", "--version", "0.2.0"];
    let refused = flakeedit(dir.path(), &args);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("whose attributes come from `./pkgs`, another file"),
        "{}",
        stderr(&refused)
    );
    std::fs::create_dir(dir.path().join("pkgs")).unwrap();
    std::fs::write(
        dir.path().join("pkgs/default.nix"),
        fixture("layouts/imported-packages/pkgs/default.nix"),
    )
    .unwrap();
    // A name ./pkgs defines is never defined a second time.
    let before = std::fs::read_to_string(&path).unwrap();
    let conflict = flakeedit(dir.path(), &["add-dune-package", "tool"]);
    assert_eq!(conflict.status.code(), Some(1), "{}", stderr(&conflict));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);

    let output = flakeedit(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("packages = forAllSystems (system: import ./pkgs nixpkgs.legacyPackages.${system} // {\n        extra = "),
        "{text}"
    );
    nix.assert_parses(&text);
    // The imported file is read, never written.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pkgs/default.nix")).unwrap(),
        fixture("layouts/imported-packages/pkgs/default.nix")
    );
}
