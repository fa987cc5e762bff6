//! The size limit: a file over 64 MiB is refused with a message before a
//! byte of it is read, by the editing commands and by `check`.

mod common;

use common::{flakeedit, stderr};

#[test]
fn a_file_over_the_size_limit_is_refused_with_a_message_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flake.nix");
    let file = std::fs::File::create(&path).unwrap();
    // Sparse: no disk space used, and nothing to read if the limit failed
    // to stop the read (it would then fail on the NUL bytes instead).
    file.set_len(64 * 1024 * 1024 + 1).unwrap();
    drop(file);
    for args in [
        &["list-inputs"][..],
        &["add-input", "github:example/tool"][..],
        &["check"][..],
    ] {
        let output = flakeedit(dir.path(), args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let message = stderr(&output);
        assert!(
            message.contains("flake.nix") && message.contains("larger than the 64 MiB"),
            "{args:?}: {message}"
        );
    }
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        64 * 1024 * 1024 + 1
    );
}

#[test]
fn a_file_at_the_size_limit_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flake.nix");
    // `{ }` padded with spaces to exactly 64 MiB.
    let mut text = String::from("{ }");
    text.push_str(&" ".repeat(64 * 1024 * 1024 - text.len()));
    std::fs::write(&path, &text).unwrap();
    let output = flakeedit(dir.path(), &["list-inputs"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
