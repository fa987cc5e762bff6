//! The hash `fetchgit` checks: the NAR hash of the tree at a revision,
//! without `.git`.
//!
//! The revision is fetched (shallow when the server allows it) into a
//! temporary bare repository and exported with `git archive`, whose tar is
//! hashed like any unpacked archive. Two things would make that export
//! differ from fetchgit's checkout, and both are handled: `export-ignore`
//! and `export-subst` attributes (switched off through the repository's
//! `info/attributes`, which takes precedence over the tree's
//! `.gitattributes`), and submodules (fetchgit includes them by default;
//! a revision with `.gitmodules` is refused rather than hashed wrongly).

use std::path::Path;
use std::process::Command;

use flakeedit_hash::Hash;

use crate::command::{self, Outcome};
use crate::{native, Error, Timeouts};

/// The NAR hash of `repository`'s tree at `rev` (a tag or branch name, or
/// a full commit hash), as `fetchgit { url; rev; }` checks it.
pub fn hash_git(repository: &str, rev: &str, timeouts: &Timeouts) -> Result<Hash, Error> {
    if rev.is_empty() || rev.starts_with('-') || rev.contains("..") {
        return Err(Error::BadRev {
            rev: rev.to_owned(),
            reason: "a revision is a tag, branch or commit name",
        });
    }
    let git = which::which("git").map_err(|_| Error::GitNotFound)?;
    let scratch =
        tempfile::tempdir().map_err(|error| Error::io("create a temporary directory", error))?;
    let dir = scratch.path();
    let run = |args: &[&str], what: &str| -> Result<Vec<u8>, Error> {
        let mut invocation = Command::new(&git);
        invocation
            .env("GIT_TERMINAL_PROMPT", "0")
            .arg("--git-dir")
            .arg(dir)
            .args(args);
        match command::run(invocation, timeouts.command) {
            Ok(Outcome::Finished(finished)) if finished.status.success() => Ok(finished.stdout),
            Ok(Outcome::Finished(finished)) => Err(Error::GitFetchFailed {
                repository: repository.to_owned(),
                rev: rev.to_owned(),
                stderr: command::stderr_text(&finished.stderr),
            }),
            Ok(Outcome::TimedOut) => Err(Error::CommandTimeout {
                command: format!("git {what} {repository}"),
                after: timeouts.command.unwrap_or_default(),
            }),
            Err(error) => Err(Error::io(format!("run git {what}"), error)),
        }
    };
    run(&["init", "--bare", "--quiet"], "init")?;
    // A shallow fetch needs the smart protocol; a dumb server gets a full one.
    if run(
        &["fetch", "--quiet", "--depth=1", "--", repository, rev],
        "fetch",
    )
    .is_err()
    {
        run(&["fetch", "--quiet", "--", repository, rev], "fetch")?;
    }
    if run(&["cat-file", "-e", "FETCH_HEAD:.gitmodules"], "cat-file").is_ok() {
        return Err(Error::Submodules {
            repository: repository.to_owned(),
            rev: rev.to_owned(),
        });
    }
    write_info_attributes(dir)?;
    let archive = run(
        &[
            "archive",
            "--format=tar.gz",
            "--prefix=source/",
            "FETCH_HEAD",
        ],
        "archive",
    )?;
    native::hash_tarball(archive.as_slice(), &format!("{repository} at {rev}"))
}

fn write_info_attributes(dir: &Path) -> Result<(), Error> {
    let info = dir.join("info");
    std::fs::create_dir_all(&info)
        .and_then(|()| std::fs::write(info.join("attributes"), "* -export-ignore -export-subst\n"))
        .map_err(|error| Error::io("write info/attributes", error))
}
