//! `add-docker-image` on packages not written `name = …;` in the output:
//! `inherit`ed, merged in from a `let`-bound set or function, below a
//! dotted `packages.${system}`; and the refusals when a package may not
//! exist. Each edited file is a snapshot and is evaluated with the stubs.

use expect_test::{expect_file, ExpectFile};
use flakeedit_oracle::Nix;
use serde_json::json;

use super::support::{apply, apply_twice, assert_evaluates, eval, fixture};
use crate::{run, AddDockerImage, ErrorKind, Operation};

fn image_of(package: &str) -> Operation {
    Operation::AddDockerImage(AddDockerImage {
        package: Some(package.into()),
        ..Default::default()
    })
}

/// Adds an image of `package` to a values fixture; checks the snapshot and
/// that the image holds exactly that package and runs its program.
fn check_image(nix: &Nix, name: &str, package: &str, snapshot: ExpectFile) -> serde_json::Value {
    let before = fixture(&format!("values/{name}.nix"));
    let after = apply_twice(&before, &image_of(package));
    snapshot.assert_eq(&after);
    nix.assert_parses(&after);
    assert_evaluates(nix, &after);
    eval(
        nix,
        &after,
        &format!(
            "let
               ps = outputs.packages.x86_64-linux;
               i = ps.dockerImage;
               p = ps.{package};
             in {{
               inherit (i) _stub imageName imageTag;
               contents = map (p: p.outPath) i.contents == [ p.outPath ];
               cmd = builtins.replaceStrings [ p.outPath ] [ \"<package>\" ] (builtins.head i.config.Cmd);
             }}"
        ),
    )
}

#[test]
fn images_of_inherited_packages() {
    let nix = Nix::require();
    // `inherit tool;` takes the `let` binding: its pname and version are
    // the image's name and tag.
    assert_eq!(
        check_image(
            &nix,
            "docker-inherited",
            "tool",
            expect_file!["snapshots/images/inherited-tool.nix"],
        ),
        json!({
            "_stub": "buildLayeredImage",
            "imageName": "tool",
            "imageTag": "2.1.0",
            "contents": true,
            "cmd": "<package>/bin/tool",
        })
    );
    // `inherit (pkgs) hello;` tells nothing about the package: the name
    // and the program are read from it, the tag is the Nix hash.
    let (_, warnings) = apply(&fixture("values/docker-inherited.nix"), &image_of("hello"))
        .unwrap_or_else(|error| panic!("{error:?}"));
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("cannot read the version of package `hello`")),
        "{warnings:?}"
    );
    let hello = check_image(
        &nix,
        "docker-inherited",
        "hello",
        expect_file!["snapshots/images/inherited-hello.nix"],
    );
    assert_eq!(hello["imageName"], json!("hello"));
    // The stubs tag an image given no tag `latest`, as a stand-in for its hash.
    assert_eq!(hello["imageTag"], json!("latest"));
    assert_eq!(hello["contents"], json!(true));
    assert_eq!(hello["cmd"], json!("<package>/bin/hello"));
}

#[test]
fn images_read_the_package_with_nixpkgs_lib_not_another_lib() {
    let nix = Nix::require();
    // `lib = { … };` is the file's own: `getName`/`getExe` come from
    // `pkgs.lib`.
    let image = check_image(
        &nix,
        "docker-other-lib",
        "hello",
        expect_file!["snapshots/images/other-lib-hello.nix"],
    );
    assert_eq!(image["imageName"], json!("hello"));
    assert_eq!(image["cmd"], json!("<package>/bin/hello"));
}

#[test]
fn images_of_packages_merged_from_a_let_bound_function_or_dotted() {
    let nix = Nix::require();
    let server = check_image(
        &nix,
        "docker-merged",
        "server",
        expect_file!["snapshots/images/merged-server.nix"],
    );
    assert_eq!(server["imageName"], json!("server"));
    assert_eq!(server["contents"], json!(true));
    assert_eq!(server["cmd"], json!("<package>/bin/server"));
    let jq = check_image(
        &nix,
        "docker-dotted",
        "jq",
        expect_file!["snapshots/images/dotted-jq.nix"],
    );
    assert_eq!(jq["imageName"], json!("jq"));
    assert_eq!(jq["contents"], json!(true));
    // `packages.default = …;` and `packages = { … };` are one output.
    for (package, name) in [("default", "hello"), ("jq", "jq")] {
        let image = check_image(
            &nix,
            "docker-dotted-and-set",
            package,
            expect_file![format!("snapshots/images/dotted-and-set-{package}.nix")],
        );
        assert_eq!(image["contents"], json!(true), "{package}");
        assert_eq!(image["imageName"], json!(name), "{package}");
    }
}

#[test]
fn images_of_packages_that_may_not_exist_are_refused_saying_why() {
    // Only on Darwin: an image of it would not evaluate elsewhere.
    let text = fixture("values/docker-inherited.nix");
    let error = match run(&image_of("mac"), &text, None) {
        Ok(result) => panic!("accepted: {:?}", result.new_text),
        Err(error) => error,
    };
    assert_eq!(error.kind, ErrorKind::Unsupported);
    assert!(
        error.message.contains("under a condition"),
        "{}",
        error.message
    );
    assert!(
        error
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("tool, hello")),
        "{:?}",
        error.hint
    );

    // A name another file may define is not called missing.
    let text = fixture("values/docker-inherited.nix").replace(
        "packages = {",
        "packages = import ./packages.nix { inherit pkgs; } // {",
    );
    let error = match run(&image_of("server"), &text, None) {
        Ok(result) => panic!("accepted: {:?}", result.new_text),
        Err(error) => error,
    };
    assert_eq!(error.kind, ErrorKind::NotApplicable, "{}", error.message);
    assert!(
        error
            .message
            .contains("may be defined by `import ./packages.nix { inherit pkgs; }`"),
        "{}",
        error.message
    );
    let range = error.range.expect("a range");
    assert_eq!(
        &text[usize::from(range.start())..usize::from(range.end())],
        "import ./packages.nix { inherit pkgs; }"
    );

    // A name that is nowhere: the hint lists the packages there are.
    let error = match run(
        &image_of("nope"),
        &fixture("values/docker-merged.nix"),
        None,
    ) {
        Ok(result) => panic!("accepted: {:?}", result.new_text),
        Err(error) => error,
    };
    assert_eq!(error.message, "no package named `nope` in this flake");
    assert!(
        error
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("server, default")),
        "{:?}",
        error.hint
    );
}

#[test]
fn an_image_of_the_default_package_uses_a_generated_legacy_default_package() {
    let nix = Nix::require();
    let before = fixture("values/docker-legacy-default.nix");
    let after = apply_twice(
        &before,
        &Operation::AddDockerImage(AddDockerImage::default()),
    );
    expect_file!["snapshots/images/legacy-default.nix"].assert_eq(&after);
    nix.assert_parses(&after);
    assert_evaluates(&nix, &after);
    assert_eq!(
        eval(
            &nix,
            &after,
            "let
               i = outputs.packages.x86_64-linux.dockerImage;
               p = outputs.defaultPackage.x86_64-linux;
             in {
               inherit (i) _stub imageName;
               contents = map (p: p.outPath) i.contents == [ p.outPath ];
             }"
        ),
        json!({ "_stub": "buildLayeredImage", "imageName": "hello", "contents": true })
    );
}
