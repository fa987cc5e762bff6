//! Command-line arguments as clap parses them (the low-level arguments).
//! `--help` is the manual. Nothing else in the CLI sees a clap type:
//! [`crate::config`] resolves these once into plain values.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::complete::{input_names, nested_input_names, CompletionShell};

const EXAMPLES: &str = "\
Examples:
  flakeedit add-input github:emilpriver/riot --follows nixpkgs --diff
  flakeedit list-inputs --json
  flakeedit remove-input riot
  flakeedit follow riot nixpkgs
  flakeedit follow --all nixpkgs -r ~/src --check
  flakeedit pin nixpkgs            # rev from flake.lock
  flakeedit set-url nixpkgs github:NixOS/nixpkgs/nixos-24.05
  flakeedit completions bash > /etc/bash_completion.d/flakeedit

Exit status: 0 success, 1 a file failed (or would change under --check), 2 usage error.";

/// Edit flake.nix files losslessly: every comment, blank line and indent is kept.
#[derive(Debug, Parser)]
#[command(name = "flakeedit", version, about, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct Global {
    /// The flake.nix to edit (repeatable). Default: ./flake.nix
    #[arg(short, long = "file", value_name = "PATH", global = true)]
    pub files: Vec<PathBuf>,
    /// Read paths from FILE (`-` for stdin), one per line
    #[arg(long, value_name = "FILE", global = true)]
    pub files_from: Option<PathBuf>,
    /// Paths in --files-from are separated by NUL bytes, not lines
    #[arg(short = '0', long = "null", global = true)]
    pub null: bool,
    /// Walk DIR for flake.nix files (honours .gitignore); repeatable
    #[arg(short, long = "recursive", value_name = "DIR", global = true)]
    pub recursive: Vec<PathBuf>,
    /// With -r: also walk hidden directories (`.direnv`, `.config`, …)
    #[arg(long, global = true)]
    pub hidden: bool,
    /// With -r: do not honour .gitignore, .ignore and git's exclude files
    #[arg(long, global = true)]
    pub no_ignore: bool,
    /// Print a unified diff of each change
    #[arg(long, global = true)]
    pub diff: bool,
    /// Compute and report changes without writing
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Write nothing; exit 1 when a file would change
    #[arg(long, global = true)]
    pub check: bool,
    /// Machine-readable JSON output (JSON Lines for several files)
    #[arg(long, global = true)]
    pub json: bool,
    /// Number of files processed in parallel (default: all cores)
    #[arg(short = 'j', long, value_name = "N", global = true)]
    pub jobs: Option<usize>,
    /// When to colour output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

/// Colour choice; `auto` colours only a terminal and honours NO_COLOR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands. `defer`: a subcommand's arguments are built only when
/// it is parsed, shown (`help`) or completed, not on every run (building
/// all of them was most of a small command's start-up). A struct of
/// arguments (`Check(CheckArgs)`, or one flattened into it) must then have
/// no doc comment: built last, it would replace the variant's about text.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// List inputs with url, follows, flake = false and the locked rev
    ListInputs,
    /// Add an input; adds it to an outputs pattern without `...` too
    #[command(
        after_help = "Examples:\n  flakeedit add-input github:emilpriver/riot --follows nixpkgs\n  flakeedit add-input hercules-ci/flake-parts --follows nixpkgs-lib=nixpkgs\n  flakeedit add-input github:rustsec/advisory-db --no-flake"
    )]
    AddInput {
        /// Flake reference (`github:owner/repo`, or the `owner/repo` shorthand)
        url: String,
        /// Input name (default: inferred from the url, e.g. the repo name)
        #[arg(long)]
        name: Option<String>,
        /// Make the input's CHILD input follow TARGET (default: CHILD); repeatable
        #[arg(long, value_name = "CHILD[=TARGET]")]
        follows: Vec<String>,
        /// Write `flake = false` (a plain source, not a flake)
        #[arg(long)]
        no_flake: bool,
    },
    /// Remove an input, the follows pointing at it and its outputs argument
    RemoveInput {
        /// The input's name
        #[arg(add = input_names())]
        name: String,
        /// Remove it even though the outputs still use it
        #[arg(long)]
        force: bool,
    },
    /// Point an input at another flake reference
    SetUrl {
        /// The input's name
        #[arg(add = input_names())]
        name: String,
        /// The new reference
        url: String,
    },
    /// Pin an input to a commit (default: the rev locked in flake.lock)
    Pin {
        /// The input's name
        #[arg(add = input_names())]
        name: String,
        /// The full commit hash
        rev: Option<String>,
    },
    /// Remove an input's commit pin
    Unpin {
        /// The input's name
        #[arg(add = input_names())]
        name: String,
    },
    /// Rename an input everywhere: its declaration, the outputs argument,
    /// every use, the follows naming it and its entry in flake.lock (so
    /// nothing is fetched again)
    RenameInput {
        /// The input's name now
        #[arg(add = input_names())]
        old: String,
        /// Its new name
        new: String,
    },
    /// Toggle `flake = false` on an input
    ToggleFlake {
        /// The input's name
        #[arg(add = input_names())]
        name: String,
    },
    /// Add a dune package (`buildDunePackage`) to the flake's packages
    #[command(
        after_help = "Examples:\n  flakeedit add-dune-package nix_template --default --build-input riot\n  flakeedit add-dune-package random --version 0.0.1 --build-input randomconv\n  flakeedit add-dune-package cli --src ./bin --build-input ocamlPackages.cmdliner\n  flakeedit add-dune-package tool --version 1.0.0 --system x86_64-linux   # plain layouts\n\nA build input is a package of this flake (by attribute name), an input (`riot`, or\n`riot#pkg` for one of its packages), or a Nix expression in scope (`ocamlPackages.ounit2`).\nRunning it again adds missing build inputs to the same package, or does nothing."
    )]
    AddDunePackage {
        /// The package's pname
        pname: String,
        /// Attribute under `packages` (default: PNAME, or `default` with --default)
        #[arg(long, value_name = "NAME")]
        attr: Option<String>,
        /// The version (default: `inherit version;` from a `version` binding in scope, else "dev")
        #[arg(long = "version", value_name = "V")]
        package_version: Option<String>,
        /// Source path, relative to the flake (default: ./.)
        #[arg(long, value_name = "PATH")]
        src: Option<String>,
        /// A build input (package name, INPUT[#PACKAGE] or expression); repeatable
        #[arg(long = "build-input", value_name = "EXPR")]
        build_inputs: Vec<String>,
        /// Write it as `packages.default`
        #[arg(long)]
        default: bool,
        /// Plain `packages.<system>` layouts: only this system (default: every system present)
        #[arg(long, value_name = "SYSTEM")]
        system: Option<String>,
    },
    /// Add a layered docker image (`dockerTools.buildLayeredImage`) of a package
    #[command(
        after_help = "Examples:\n  flakeedit add-docker-image --port 8000/tcp\n  flakeedit add-docker-image --package server --name api --tag 1.2.3 --env GITHUB_SHA=123\n  flakeedit add-docker-image --cmd bin/main.exe --stream --attr image\n\nDefaults come from the package: the name from its `pname`, the tag from its literal `version`\n(following `inherit version;`), the command from `meta.mainProgram` or `pname`."
    )]
    AddDockerImage {
        /// The package in the image (default: `default`)
        #[arg(long, value_name = "NAME")]
        package: Option<String>,
        /// Attribute under `packages` (default: dockerImage)
        #[arg(long, value_name = "NAME")]
        attr: Option<String>,
        /// Image name (default: the package's pname)
        #[arg(long)]
        name: Option<String>,
        /// Image tag (default: the package's version, when written as a literal)
        #[arg(long)]
        tag: Option<String>,
        /// An exposed port, `8000` or `8000/tcp`; repeatable
        #[arg(long = "port", value_name = "PORT")]
        ports: Vec<String>,
        /// An environment variable, `KEY=VALUE`; repeatable
        #[arg(long = "env", value_name = "KEY=VALUE")]
        env: Vec<String>,
        /// The command: a path in the package (`bin/server`) or an absolute path
        #[arg(long, value_name = "PATH")]
        cmd: Option<String>,
        /// Use `streamLayeredImage` (a script that streams the image)
        #[arg(long)]
        stream: bool,
        /// Plain `packages.<system>` layouts: only this system
        #[arg(long, value_name = "SYSTEM")]
        system: Option<String>,
    },
    /// Add a `mkShell` dev shell, or packages to an existing one
    #[command(
        after_help = "Examples:\n  flakeedit add-dev-shell                      # inputsFrom = [ the default package ]\n  flakeedit add-dev-shell --package ocamlPackages.utop --package ocaml-lsp --inputs-from default\n\nA bare --package name that is neither a package of this flake nor an input is a\nnixpkgs attribute (`ocaml-lsp` becomes `pkgs.ocaml-lsp`)."
    )]
    AddDevShell {
        /// The shell's attribute under `devShells` (default: default)
        #[arg(long)]
        name: Option<String>,
        /// A package in the shell; repeatable
        #[arg(long = "package", value_name = "EXPR")]
        packages: Vec<String>,
        /// A package whose build inputs the shell gets; repeatable
        #[arg(long = "inputs-from", value_name = "PACKAGE")]
        inputs_from: Vec<String>,
        /// Plain `packages.<system>` layouts: only this system
        #[arg(long, value_name = "SYSTEM")]
        system: Option<String>,
    },
    /// Write a new flake.nix from a template (never overwrites)
    #[command(
        after_help = "An existing flake.nix is never overwritten: if it is exactly what the template\n\
                      gives, init does nothing and exits 0; otherwise it exits 1.\n\
                      --dry-run prints the flake and writes nothing (exit 0).\n\
                      --check writes nothing and exits 1 when flake.nix would be written, 0 when it\n\
                      is already the template's (so CI can assert a project was initialised as is).\n\
                      --diff shows the new file as a diff.\n\n\
                      Examples:\n  flakeedit init                       # ./flake.nix, OCaml template\n  flakeedit init --template rust my-project\n  flakeedit init --template minimal --dry-run\n  flakeedit init --template minimal --check   # exit 1: it would be written"
    )]
    Init {
        /// The template
        #[arg(long, value_enum, default_value_t = TemplateChoice::Ocaml)]
        template: TemplateChoice,
        /// Project name: description and pname (default: the directory's name)
        #[arg(long)]
        name: Option<String>,
        /// Directory to write flake.nix in (default: the current directory)
        dir: Option<PathBuf>,
    },
    /// Make an input's nested input follow one of ours
    #[command(
        after_help = "Examples:\n  flakeedit follow riot nixpkgs\n  flakeedit follow devenv cachix/nixpkgs=nixpkgs\n  flakeedit follow --all nixpkgs     # needs flake.lock"
    )]
    Follow {
        /// The input's name (omit with --all)
        #[arg(required_unless_present = "all", add = input_names())]
        name: Option<String>,
        /// The nested input (`nixpkgs`, or a path `a/b`), optionally `=TARGET`
        #[arg(
            value_name = "CHILD[=TARGET]",
            required_unless_present = "all",
            add = nested_input_names()
        )]
        child: Option<String>,
        /// Every nested input named TARGET, at any depth of flake.lock
        /// (`home-manager/nix-darwin/nixpkgs`), that is locked apart from ours follows ours
        #[arg(long, value_name = "TARGET", conflicts_with_all = ["name", "child"], add = input_names())]
        all: Option<String>,
    },
    /// Lint flakes and flake.lock: undeclared/unused inputs, duplicate nixpkgs, stale
    /// locks, old nixpkgs, fake hashes; `--fix` applies the safe fixes
    Check(CheckArgs),
    /// Add a library from GitHub sources (`buildDunePackage` + `fetchFromGitHub`),
    /// with its commit resolved and its hash prefetched
    AddSource(AddSourceArgs),
    /// Prefetch placeholder hashes (`lib.fakeHash`, empty) of fetchFromGitHub, fetchurl
    /// and fetchzip; convert legacy `sha256` to SRI `hash`
    FixHashes(FixHashesArgs),
    /// Show the newest release tag or channel of every input (one query per repository)
    Outdated(OutdatedArgs),
    /// Move inputs on a release tag or channel to the newest one (never down)
    Update(UpdateArgs),
    /// Run the language server on standard input and output (for editors)
    Lsp,
    /// Print the shell completion script: completes input names from the flake
    /// (bash, zsh, fish, elvish, nushell, powershell)
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: CompletionShell,
    },
}

const COMPLETIONS_HELP: &str = "\
Examples:
  flakeedit completions bash > ~/.local/share/bash-completion/completions/flakeedit
  echo 'source <(flakeedit completions zsh)' >> ~/.zshrc
  flakeedit completions fish > ~/.config/fish/completions/flakeedit.fish
  flakeedit completions nushell | save -f ~/.config/nushell/flakeedit.nu
    (then `source ~/.config/nushell/flakeedit.nu` in config.nu)

The script calls `flakeedit` (found on PATH) at each TAB, so `flakeedit pin <TAB>`
offers the inputs of ./flake.nix, or of the --file given on the command line.
`FLAKEEDIT_COMPLETE=bash flakeedit` prints the same script.";

/// The templates of `init`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateChoice {
    /// An OCaml/dune project (buildDunePackage, dev shell)
    Ocaml,
    /// A Rust project (buildRustPackage, dev shell)
    Rust,
    /// Empty packages and devShells
    Minimal,
}

const CHECK_EXAMPLES: &str = "\
Examples:
  flakeedit check                          # ./flake.nix and ./flake.lock
  flakeedit check -r ~/src --fail-on warning
  flakeedit check --fix                    # apply the safe fixes, report the rest
  flakeedit check --select not-following,unused-input --format json
  flakeedit check --format sarif > flakeedit.sarif

Codes, severities and fixes: docs/check.md.
Exit status: 0 nothing at or above --fail-on remains, 1 something does (or a file
could not be read or written), 2 usage error. Diagnostics fixed by --fix do not count,
so `check --fix --fail-on never` suits formatters (treefmt).";

// Arguments of `check` (no doc comment: see [`Command`]).
#[derive(Debug, Args)]
#[command(after_help = CHECK_EXAMPLES)]
pub struct CheckArgs {
    /// Files to check, in addition to --file, --files-from and -r (pre-commit and
    /// treefmt pass them this way)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Apply every safe fix (written atomically; files with syntax errors are never edited)
    #[arg(long)]
    pub fix: bool,
    /// Only report these codes (comma-separated, repeatable)
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub select: Vec<String>,
    /// Never report these codes (comma-separated, repeatable)
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub ignore: Vec<String>,
    /// Output format (default: text, or json with --json)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Exit 1 when a diagnostic of at least this severity remains
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// nixpkgs branches that are supported (comma-separated; replaces the default list)
    #[arg(long, value_delimiter = ',', value_name = "BRANCH")]
    pub supported_branches: Vec<String>,
    /// Maximum age in days of the locked nixpkgs before `outdated-nixpkgs`
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub max_age: u64,
    /// Pretend the current time is this Unix timestamp (reproducible ages)
    #[arg(long, value_name = "SECONDS")]
    pub now: Option<i64>,
    /// Print every code with its severity and fix, then exit
    #[arg(long)]
    pub list_codes: bool,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: severity[code]: message`, the line and a caret
    Text,
    /// One JSON document (see docs/check.md)
    Json,
    /// SARIF 2.1.0, for code-scanning UIs
    Sarif,
}

/// The least severity that makes `check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Errors only
    Error,
    /// Warnings and errors
    Warning,
    /// Anything, infos included
    Info,
    /// Never (only unreadable or unwritable files fail)
    Never,
}

const ADD_SOURCE_EXAMPLES: &str = "\
Examples:
  flakeedit add-source hannesm/randomconv@v0.2.0 --no-dep
  flakeedit add-source leostera/random@main --version 0.0.1 \\
      --build-input ocamlPackages.mirage-crypto-rng --build-input randomconv
  flakeedit add-source owner/lib@<commit> --hash sha256-… --dep-of server
  flakeedit add-source owner/lib@v1.2.0 --no-prefetch      # writes lib.fakeHash

Writes `NAME = buildDunePackage { version; pname; src = pkgs.fetchFromGitHub { owner;
repo; rev; hash; }; };` and adds the package to the build inputs of --dep-of (default:
the `default` package). A branch or tag is resolved to its commit with `git ls-remote`
first. The version comes from a release tag (`v0.2.0` gives 0.2.0); otherwise it is
`0-unstable-<first 7 digits of the commit>`: pass --version to choose another.
The hash is computed by nix-prefetch-url when Nix is installed, natively otherwise.

Exit status: 0 success, 1 the source could not be resolved or prefetched (nothing is
written) or the edit failed, 2 usage error.";

const FIX_HASHES_EXAMPLES: &str = "\
Examples:
  flakeedit fix-hashes                 # prefetch placeholders, convert legacy sha256
  flakeedit fix-hashes --convert-only  # offline: legacy sha256 only
  flakeedit fix-hashes -r ~/src --dry-run --diff

Placeholders are empty hashes, `lib.fakeHash`/`lib.fakeSha256` and all-`A` or all-zero
digests in fetchFromGitHub (the archive, unpacked), fetchurl (the file, flat) and
fetchzip (the archive, unpacked) calls. Legacy `sha256 = \"<base32 or hex>\"` becomes
`hash = \"sha256-…\"` with the same digest, without any download.

Exit status: 0 success, 1 a download failed (nothing is written) or an edit failed,
2 usage error.";

/// Which implementation computes hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrefetcherChoice {
    /// nix-prefetch-url when installed, the native hasher otherwise
    Auto,
    /// Always nix-prefetch-url
    Nix,
    /// Always the built-in downloader and NAR hasher
    Native,
}

// Where and how to download (no doc comment: see [`Command`]).
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// Send requests for HOST to BASE instead (GitHub Enterprise, a mirror):
    /// `github.com=https://ghe.example.com`; repeatable, as for `outdated`
    #[arg(long = "forge-url", value_name = "HOST=BASE")]
    pub forge_urls: Vec<String>,
    /// The same as `--forge-url github.com=URL` (applied after the --forge-url options)
    #[arg(long, value_name = "URL")]
    pub github_url: Option<String>,
    /// Which implementation computes hashes
    #[arg(long, value_enum, default_value_t = PrefetcherChoice::Auto)]
    pub prefetcher: PrefetcherChoice,
}

// Arguments of `add-source` (no doc comment: see [`Command`]).
#[derive(Debug, Args)]
#[command(after_help = ADD_SOURCE_EXAMPLES)]
pub struct AddSourceArgs {
    /// The GitHub repository and revision: OWNER/REPO@REV (a branch, tag or commit)
    #[arg(value_name = "OWNER/REPO@REV")]
    pub spec: String,
    /// The package's attribute and pname (default: the repository name)
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// The version (default: from a vX.Y.Z tag, else `0-unstable-<short commit>`)
    #[arg(long = "version", value_name = "V")]
    pub package_version: Option<String>,
    /// Use this hash instead of prefetching (SRI, nix-base32 or hex)
    #[arg(long, value_name = "SRI", conflicts_with = "no_prefetch")]
    pub hash: Option<String>,
    /// Do not download: write `lib.fakeHash` (fill it in later with fix-hashes)
    #[arg(long)]
    pub no_prefetch: bool,
    /// The package whose buildInputs gets the new one (default: default)
    #[arg(long, value_name = "PKG", conflicts_with = "no_dep")]
    pub dep_of: Option<String>,
    /// Add the package to no other package's buildInputs
    #[arg(long)]
    pub no_dep: bool,
    /// A build input of the new package (package name, INPUT[#PACKAGE] or expression); repeatable
    #[arg(long = "build-input", value_name = "EXPR")]
    pub build_inputs: Vec<String>,
    /// Plain `packages.<system>` layouts: only this system
    #[arg(long, value_name = "SYSTEM")]
    pub system: Option<String>,
    #[command(flatten)]
    pub network: NetworkArgs,
}

// Arguments of `fix-hashes` (no doc comment: see [`Command`]).
#[derive(Debug, Args)]
#[command(after_help = FIX_HASHES_EXAMPLES)]
pub struct FixHashesArgs {
    /// Only rewrite legacy `sha256` attributes as SRI `hash` (offline)
    #[arg(long)]
    pub convert_only: bool,
    #[command(flatten)]
    pub network: NetworkArgs,
}

const OUTDATED_EXAMPLES: &str = "\
Examples:
  flakeedit outdated
  flakeedit outdated nixpkgs home-manager --json
  flakeedit outdated -r ~/src --pre
  flakeedit outdated --forge-url github.com=https://ghe.example.com

Lists, for every input, what it is on (a release tag, a channel such as nixos-25.05, a
branch or a commit) and the newest release of the same kind: a newer tag with the same
prefix (pre-releases only with --pre), a newer channel of the same kind (never from a
stable channel to unstable). For inputs on a branch, the age of the commit flake.lock
locks. Each repository is asked once, with `git ls-remote`, whatever its forge.
An input whose line (or the line above) carries `# flakeedit: pin` is shown as pinned.

Exit status: 0 success, 1 a repository could not be listed, 2 usage error.";

const UPDATE_EXAMPLES: &str = "\
Examples:
  flakeedit update --diff
  flakeedit update nixpkgs                 # nixos-24.11 -> nixos-25.05
  flakeedit update tool --to v2.0.0
  flakeedit update --check -r .            # CI: exit 1 when something is outdated

Moves each input on a release tag or channel to the newest one (see `outdated`),
rewriting only the name in the reference: the ref in the URL, `?ref=`, or the `ref`
attribute. It never downgrades, and leaves inputs marked `# flakeedit: pin` alone.
flake.lock is not touched: for the moved inputs it locks, a closing warning gives the
`nix flake lock --update-input NAME…` command to run (and --json lists them as `relock`).

Exit status: 0 success, 1 a repository could not be listed or a file failed (or, with
--check, would change), 2 usage error.";

// Where repositories are asked (no doc comment: see [`Command`]).
#[derive(Debug, Args)]
pub struct ForgeArgs {
    /// Send queries for HOST to BASE instead (GitHub Enterprise, self-hosted GitLab or
    /// Gitea, a mirror): `github.com=https://ghe.example.com`; repeatable
    #[arg(long = "forge-url", value_name = "HOST=BASE")]
    pub forge_urls: Vec<String>,
    /// Seconds one repository may take to answer
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
}

// `outdated [NAME…]` (no doc comment: see [`Command`]).
#[derive(Debug, Args)]
#[command(after_help = OUTDATED_EXAMPLES)]
pub struct OutdatedArgs {
    /// Only these inputs (default: all)
    #[arg(add = input_names())]
    pub names: Vec<String>,
    /// Count pre-releases (`v2.0.0-rc.1`) as newer releases
    #[arg(long)]
    pub pre: bool,
    #[command(flatten)]
    pub forge: ForgeArgs,
}

// `update [NAME…] [--to REF]` (no doc comment: see [`Command`]).
#[derive(Debug, Args)]
#[command(after_help = UPDATE_EXAMPLES)]
pub struct UpdateArgs {
    /// Only these inputs (default: all)
    #[arg(add = input_names())]
    pub names: Vec<String>,
    /// Move the named inputs to this tag or channel instead of the newest
    #[arg(long, value_name = "REF", requires = "names")]
    pub to: Option<String>,
    /// Count pre-releases (`v2.0.0-rc.1`) as newer releases
    #[arg(long)]
    pub pre: bool,
    #[command(flatten)]
    pub forge: ForgeArgs,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Every subcommand keeps the about text of its variant once its
    /// deferred arguments are built: what `flakeedit --help` lists is what
    /// `flakeedit SUBCOMMAND --help` shows.
    #[test]
    fn building_a_deferred_subcommand_keeps_its_about_text() {
        let listed = Cli::command();
        let mut built = Cli::command();
        built.build();
        let mut compared = 0;
        for subcommand in listed.get_subcommands() {
            let name = subcommand.get_name();
            let after = built
                .find_subcommand(name)
                .unwrap_or_else(|| panic!("{name} is missing after the build"));
            assert_eq!(
                subcommand.get_about().map(ToString::to_string),
                after.get_about().map(ToString::to_string),
                "about of {name}"
            );
            assert_eq!(
                subcommand.get_long_about().map(ToString::to_string),
                after.get_long_about().map(ToString::to_string),
                "long about of {name}"
            );
            compared += 1;
        }
        assert!(compared >= 20, "only {compared} subcommands");
    }

    /// The subcommands' own arguments exist only after the build: the
    /// deferral is in effect (a parse builds the invoked one alone).
    #[test]
    fn subcommand_arguments_are_built_on_demand() {
        let listed = Cli::command();
        let check = listed.find_subcommand("check").expect("check");
        assert!(check.get_arguments().all(|arg| arg.get_id() != "fix"));
        let mut built = Cli::command();
        built.build();
        let check = built.find_subcommand("check").expect("check");
        assert!(check.get_arguments().any(|arg| arg.get_id() == "fix"));
    }
}
