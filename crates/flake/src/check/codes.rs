//! The diagnostic codes of [`super::check`] (and the two the language
//! server reports itself), with their severity and documentation, in one
//! table: the enum, [`CODES`], `--list-codes`, SARIF rules and the table in
//! `docs/check.md` (tested against it) all come from here.

use super::Severity;

/// A diagnostic code and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The code.
    pub code: DiagnosticCode,
    /// The severity its diagnostics have.
    pub severity: Severity,
    /// One line on what triggers it.
    pub summary: &'static str,
    /// Whether `fix` is offered, and whether it is safe.
    pub fix: FixKind,
    /// True when the check needs `flake.lock`.
    pub needs_lock: bool,
}

/// Which kind of fix a code's diagnostics carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FixKind {
    /// No fix.
    None,
    /// A fix a person should review (offered by the language server).
    Unsafe,
    /// A safe fix for some diagnostics of the code (applied by `--fix`).
    SafeSometimes,
    /// A safe fix for every diagnostic of the code.
    Safe,
}

impl FixKind {
    /// How `check --list-codes` and the documentation name it.
    pub fn describe(self) -> &'static str {
        match self {
            FixKind::None => "no fix",
            FixKind::Unsafe => "fix to review",
            FixKind::SafeSometimes => "safe fix (some cases)",
            FixKind::Safe => "safe fix",
        }
    }
}

macro_rules! diagnostic_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $severity:ident, $fix:ident, $needs_lock:literal, $summary:literal; )*) => {
        /// What a [`super::Diagnostic`] is about: a stable kebab-case code
        /// (`undeclared-input`), like clippy's lint names.
        ///
        /// Codes never change once released; new ones may be added, so the
        /// enum is `#[non_exhaustive]`. [`DiagnosticCode::as_str`] and
        /// [`std::str::FromStr`] convert to and from the kebab-case name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum DiagnosticCode {
            $( $(#[$doc])* $variant, )*
        }

        /// Every diagnostic code, in documentation order.
        pub const CODES: &[CodeInfo] = &[
            $( CodeInfo {
                code: DiagnosticCode::$variant,
                severity: Severity::$severity,
                summary: $summary,
                fix: FixKind::$fix,
                needs_lock: $needs_lock,
            }, )*
        ];

        impl DiagnosticCode {
            /// The kebab-case name (`fake-hash`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( DiagnosticCode::$variant => $code, )*
                }
            }
        }
    };
}

diagnostic_codes! {
    /// The file does not parse.
    SyntaxError = "syntax-error", Error, None, false, "the file does not parse";
    /// The file is not an attribute set, or `inputs` is not written literally.
    NotAFlake = "not-a-flake", Error, None, false, "the file is not an attribute set, or `inputs` is not written literally";
    /// An outputs argument is not a declared input, so Nix takes it from the flake registry.
    RegistryInput = "registry-input", Warning, SafeSometimes, false, "an outputs argument is not a declared input, so Nix takes it from the flake registry";
    /// The outputs body uses `inputs.x` for an input that is not declared.
    UndeclaredInput = "undeclared-input", Error, SafeSometimes, false, "the outputs body uses `inputs.x` for an input that is not declared";
    /// The outputs body uses an undeclared input only behind `inputs ? x` or with `or`, so that part is skipped.
    OptionalInput = "optional-input", Info, None, false, "the outputs body uses an undeclared input only behind `inputs ? x` or with `or`, so that part is skipped";
    /// A declared input is missing from an outputs pattern without `...`.
    MissingFormal = "missing-formal", Error, Safe, false, "a declared input is missing from an outputs pattern without `...`";
    /// A declared input is never used by outputs.
    UnusedInput = "unused-input", Warning, Unsafe, false, "a declared input is never used by outputs";
    /// A `flake = false` input (flake-compat, …) is not used by outputs; other files may read it through flake.lock.
    UnusedNonFlakeInput = "unused-non-flake-input", Info, Unsafe, false, "a `flake = false` input (flake-compat, …) is not used by outputs; other files may read it through flake.lock";
    /// Whether outputs use an input cannot be told (a computed name, the input set passed on, a bare name under `with`).
    UndecidedInputUse = "undecided-input-use", Info, None, false, "whether outputs use an input cannot be told (a computed name, the input set passed on, a bare name under `with`)";
    /// A `follows` points at an input this flake does not declare.
    DanglingFollows = "dangling-follows", Error, None, false, "a `follows` points at an input this flake does not declare";
    /// A fetcher hash is empty or fake (`lib.fakeHash`, `sha256-AAAA…`).
    FakeHash = "fake-hash", Error, None, false, "a fetcher hash is empty or fake (`lib.fakeHash`, `sha256-AAAA…`)";
    /// A fetcher uses `sha256 = \"…\"` instead of an SRI `hash`.
    LegacySha256 = "legacy-sha256", Warning, Safe, false, "a fetcher uses `sha256 = \"…\"` instead of an SRI `hash`";
    /// Nixpkgs tracks a branch outside the supported list.
    UnsupportedBranch = "unsupported-branch", Warning, None, false, "nixpkgs tracks a branch outside the supported list";
    /// Nixpkgs does not come from NixOS/nixpkgs.
    NixpkgsOwner = "nixpkgs-owner", Warning, None, false, "nixpkgs does not come from NixOS/nixpkgs";
    /// An input brings its own nixpkgs (systems, flake-utils, flake-parts) instead of following ours.
    NotFollowing = "not-following", Warning, Safe, true, "an input brings its own nixpkgs (systems, flake-utils, flake-parts) instead of following ours";
    /// A `follows` overrides an input the dependency does not have.
    FollowsNonexistent = "follows-nonexistent", Warning, Unsafe, true, "a `follows` overrides an input the dependency does not have";
    /// A declared input is missing from flake.lock.
    UnlockedInput = "unlocked-input", Warning, None, true, "a declared input is missing from flake.lock";
    /// Flake.lock locks an input that is no longer declared.
    StaleLockEntry = "stale-lock-entry", Warning, None, true, "flake.lock locks an input that is no longer declared";
    /// Flake.lock disagrees with the follows in flake.nix.
    LockOutOfDate = "lock-out-of-date", Warning, None, true, "flake.lock disagrees with the follows in flake.nix";
    /// The locked nixpkgs revision is older than the allowed age.
    OutdatedNixpkgs = "outdated-nixpkgs", Warning, None, true, "the locked nixpkgs revision is older than the allowed age";
    /// Language server only: `flake.lock` next to the file cannot be read or parsed, so the lock checks are skipped.
    UnreadableLock = "unreadable-lock", Warning, None, false, "flake.lock cannot be read, so the checks that need it are skipped (language server)";
    /// Language server only: the file is too large to analyse as you type.
    TooLarge = "too-large", Info, None, false, "the file is too large to analyse as you type (language server)";
    /// Language server only: the file has more diagnostics than are published.
    TooManyDiagnostics = "too-many-diagnostics", Info, None, false, "the file has more diagnostics than the language server publishes (language server)";
}

impl DiagnosticCode {
    /// The code's severity, documentation and fix kind.
    pub fn info(self) -> &'static CodeInfo {
        // CODES lists the variants in declaration order (a test checks it).
        &CODES[self as usize]
    }

    /// The severity every diagnostic of this code has.
    pub fn severity(self) -> Severity {
        self.info().severity
    }

    /// One line on what triggers it.
    pub fn summary(self) -> &'static str {
        self.info().summary
    }

    /// True for the codes only the language server reports
    /// ([`DiagnosticCode::UnreadableLock`], [`DiagnosticCode::TooLarge`],
    /// [`DiagnosticCode::TooManyDiagnostics`]); [`super::check`] never
    /// returns them.
    pub fn is_server_only(self) -> bool {
        matches!(
            self,
            DiagnosticCode::UnreadableLock
                | DiagnosticCode::TooLarge
                | DiagnosticCode::TooManyDiagnostics
        )
    }
}

impl std::fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for DiagnosticCode {
    /// As its kebab-case name, the way the JSON and SARIF outputs show it.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A name that is not a diagnostic code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a diagnostic code")]
pub struct UnknownCode(pub String);

impl std::str::FromStr for DiagnosticCode {
    type Err = UnknownCode;

    fn from_str(name: &str) -> Result<Self, UnknownCode> {
        CODES
            .iter()
            .map(|info| info.code)
            .find(|code| code.as_str() == name)
            .ok_or_else(|| UnknownCode(name.to_string()))
    }
}

/// The information on the code named `code`, if it is one.
pub fn code_info(code: &str) -> Option<&'static CodeInfo> {
    code.parse::<DiagnosticCode>()
        .ok()
        .map(DiagnosticCode::info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_table_follows_the_enum_and_names_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for (index, info) in CODES.iter().enumerate() {
            assert_eq!(info.code as usize, index, "{} is out of order", info.code);
            assert_eq!(info.code.as_str().parse(), Ok(info.code));
            assert!(
                seen.insert(info.code.as_str()),
                "duplicate code {}",
                info.code
            );
            assert!(
                info.code
                    .as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                info.code
            );
        }
        assert_eq!(
            "nope".parse::<DiagnosticCode>(),
            Err(UnknownCode("nope".into()))
        );
    }
}
