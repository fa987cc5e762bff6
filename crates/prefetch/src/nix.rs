//! Asking Nix itself: `nix-prefetch-url --unpack`.

use std::path::PathBuf;
use std::process::Command;

use crate::command::{self, Outcome};
use crate::{base32, Error, Hash, Timeouts};

/// The `nix-prefetch-url` on `PATH`, if Nix is installed.
pub fn find_nix_prefetch_url() -> Option<PathBuf> {
    which::which("nix-prefetch-url").ok()
}

/// Runs `nix-prefetch-url --unpack --type sha256 URL` (or, with `unpack` false,
/// `nix-prefetch-url --type sha256 URL`: the flat hash of the file, as `fetchurl`
/// checks it) and parses the hash it prints.
///
/// An unpacked download is named `source`, as `fetchFromGitHub` and `fetchzip` name
/// it, so the store path it leaves behind is the one a later build would look for; a
/// flat one keeps Nix's default name, the URL's last segment, as `fetchurl` does.
/// `not_found_hint` explains a 404 (see [`Error::NotFound`]).
pub(crate) fn prefetch(
    url: &str,
    unpack: bool,
    timeouts: &Timeouts,
    not_found_hint: &str,
) -> Result<Hash, Error> {
    let program = find_nix_prefetch_url().ok_or(Error::NixNotFound)?;
    let mut invocation = Command::new(program);
    if unpack {
        invocation.args(["--unpack", "--type", "sha256", "--name", "source", url]);
    } else {
        invocation.args(["--type", "sha256", url]);
    }
    let finished = match command::run(invocation, timeouts.command) {
        Ok(Outcome::Finished(finished)) => finished,
        Ok(Outcome::TimedOut) => {
            return Err(Error::CommandTimeout {
                command: format!(
                    "nix-prefetch-url {}{url}",
                    if unpack { "--unpack " } else { "" }
                ),
                after: timeouts.command.unwrap_or_default(),
            })
        }
        Err(error) => return Err(Error::io("run nix-prefetch-url", error)),
    };
    let stderr = command::stderr_text(&finished.stderr);
    if !finished.status.success() {
        if stderr.contains("HTTP error 404") {
            return Err(Error::NotFound {
                url: url.to_owned(),
                hint: not_found_hint.to_owned(),
            });
        }
        return Err(Error::NixFailed {
            url: url.to_owned(),
            status: finished.status.to_string(),
            stderr,
        });
    }
    let stdout = String::from_utf8_lossy(&finished.stdout);
    let printed = stdout
        .lines()
        .map(str::trim)
        .rfind(|line| !line.is_empty())
        .unwrap_or("");
    base32::decode(printed)
        .ok()
        .and_then(|bytes| <[u8; Hash::LEN]>::try_from(bytes).ok())
        .map(Hash::from_bytes)
        .ok_or_else(|| Error::NixFailed {
            url: url.to_owned(),
            status: format!("printed {printed:?} instead of a nix-base32 sha256 hash"),
            stderr,
        })
}
