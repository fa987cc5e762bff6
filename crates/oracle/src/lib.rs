//! Test support: the real Nix parser and evaluator as the oracle for edits.
//!
//! Every test that judges an edit goes through [`Nix`]. It never skips: when
//! `nix-instantiate` is not on `PATH`, [`Nix::require`] panics with a message
//! that says how to install it (Debian: `apt-get install nix-bin`), so a CI run
//! without Nix fails instead of passing vacuously.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A handle on the `nix-instantiate` binary.
#[derive(Debug, Clone)]
pub struct Nix {
    binary: PathBuf,
}

impl Nix {
    /// Finds `nix-instantiate` on `PATH` or panics with installation advice.
    pub fn require() -> Nix {
        match which::which("nix-instantiate") {
            Ok(binary) => Nix { binary },
            Err(_) => panic!(
                "nix-instantiate is required by this test but is not on PATH{}.\n\
                 Install it (Debian/Ubuntu: `apt-get install nix-bin`) or run \
                 `./scripts/test.sh`, which installs it.",
                if std::env::var_os("CI").is_some() {
                    " (CI is set)"
                } else {
                    ""
                }
            ),
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        // Evaluation must not touch the network or a daemon.
        command
            .env("NIX_REMOTE", "")
            .arg("--option")
            .arg("substituters")
            .arg("");
        command
    }

    /// Parses `text` with the real Nix parser. `Ok` holds Nix's normalised
    /// print of the expression, `Err` its error message.
    pub fn parse(&self, text: &str) -> Result<String, String> {
        let dir = tempfile::tempdir().map_err(|error| error.to_string())?;
        let path = dir.path().join("flake.nix");
        std::fs::write(&path, text).map_err(|error| error.to_string())?;
        self.parse_file(&path)
    }

    /// Parses the file at `path` with the real Nix parser.
    pub fn parse_file(&self, path: &Path) -> Result<String, String> {
        let output = self
            .command()
            .arg("--parse")
            .arg(path)
            .output()
            .map_err(|error| format!("cannot run nix-instantiate: {error}"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    /// Panics unless `text` parses with the real Nix parser.
    pub fn assert_parses(&self, text: &str) {
        if let Err(error) = self.parse(text) {
            panic!("the real Nix parser rejects this text:\n{error}\n--- text ---\n{text}");
        }
    }

    /// Evaluates `expression` strictly in `dir` and returns its JSON value.
    pub fn eval_json(&self, dir: &Path, expression: &str) -> Result<serde_json::Value, String> {
        let output = self
            .command()
            .current_dir(dir)
            .args(["--eval", "--strict", "--json", "--expr"])
            .arg(expression)
            .output()
            .map_err(|error| format!("cannot run nix-instantiate: {error}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        serde_json::from_slice(&output.stdout)
            .map_err(|error| format!("nix-instantiate printed invalid JSON: {error}"))
    }

    /// Writes `flake_text` as `flake.nix` in a fresh directory and evaluates
    /// `expression` there (it can refer to `./flake.nix`). Panics with the
    /// Nix error and the text when evaluation fails.
    pub fn eval_flake(&self, flake_text: &str, expression: &str) -> serde_json::Value {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::write(dir.path().join("flake.nix"), flake_text).expect("write flake.nix");
        match self.eval_json(dir.path(), expression) {
            Ok(value) => value,
            Err(error) => panic!(
                "nix-instantiate failed to evaluate {expression}:\n{error}\n--- flake.nix ---\n{flake_text}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oracle_accepts_valid_and_rejects_invalid_nix() {
        let nix = Nix::require();
        assert!(nix.parse("{ a = 1; }").is_ok());
        let error = nix.parse("{ a = ; }").unwrap_err();
        assert!(error.contains("syntax error"), "{error}");
    }

    #[test]
    fn the_oracle_evaluates_flake_attributes() {
        let nix = Nix::require();
        let value = nix.eval_flake(
            "{ inputs.a.url = \"github:o/r\"; outputs = { self, a }: { }; }",
            "builtins.functionArgs (import ./flake.nix).outputs",
        );
        assert_eq!(value, serde_json::json!({ "a": false, "self": false }));
    }
}
