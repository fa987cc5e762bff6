//! Command-line arguments (clap). `--help` is the manual.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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

#[derive(Debug, Subcommand)]
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
        name: String,
        /// Remove it even though the outputs still use it
        #[arg(long)]
        force: bool,
    },
    /// Point an input at another flake reference
    SetUrl {
        /// The input's name
        name: String,
        /// The new reference
        url: String,
    },
    /// Pin an input to a commit (default: the rev locked in flake.lock)
    Pin {
        /// The input's name
        name: String,
        /// The full commit hash
        rev: Option<String>,
    },
    /// Remove an input's commit pin
    Unpin {
        /// The input's name
        name: String,
    },
    /// Rename an input everywhere: its declaration, the outputs argument,
    /// every use, the follows naming it and its entry in flake.lock (so
    /// nothing is fetched again)
    RenameInput {
        /// The input's name now
        old: String,
        /// Its new name
        new: String,
    },
    /// Toggle `flake = false` on an input
    ToggleFlake {
        /// The input's name
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
        /// The version (default: `inherit version;` from a `version` binding in scope)
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
        after_help = "Examples:\n  flakeedit add-docker-image --port 8000/tcp\n  flakeedit add-docker-image --package server --name api --tag 1.2.3 --env GITHUB_SHA=123\n  flakeedit add-docker-image --cmd bin/main.exe --stream --attr image\n\nDefaults come from the package: the name from its `pname`, the tag from its `version`\n(following `inherit version;`), the command from `meta.mainProgram` or `pname`."
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
        /// Image tag (default: the package's version)
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
        #[arg(required_unless_present = "all")]
        name: Option<String>,
        /// The nested input (`nixpkgs`, or a path `a/b`), optionally `=TARGET`
        #[arg(value_name = "CHILD[=TARGET]", required_unless_present = "all")]
        child: Option<String>,
        /// Every nested input named TARGET, at any depth of flake.lock
        /// (`home-manager/nix-darwin/nixpkgs`), that is locked apart from ours follows ours
        #[arg(long, value_name = "TARGET", conflicts_with_all = ["name", "child"])]
        all: Option<String>,
    },
    /// Lint flakes and flake.lock: undeclared/unused inputs, duplicate nixpkgs, stale
    /// locks, old nixpkgs, fake hashes; `--fix` applies the safe fixes
    Check(crate::check::CheckArgs),
    /// Add a library from GitHub sources (`buildDunePackage` + `fetchFromGitHub`),
    /// with its commit resolved and its hash prefetched
    AddSource(crate::sources::AddSourceArgs),
    /// Prefetch placeholder hashes (`lib.fakeHash`, empty) of fetchFromGitHub, fetchurl
    /// and fetchzip; convert legacy `sha256` to SRI `hash`
    FixHashes(crate::sources::FixHashesArgs),
    /// Show the newest release tag or channel of every input (one query per repository)
    Outdated(crate::update::OutdatedArgs),
    /// Move inputs on a release tag or channel to the newest one (never down)
    Update(crate::update::UpdateArgs),
    /// Run the language server on standard input and output (for editors)
    Lsp,
    /// Print a shell completion script
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

/// Splits `CHILD=TARGET` (TARGET defaults to CHILD's last segment).
pub fn split_follows(spec: &str) -> (String, Option<String>) {
    match spec.split_once('=') {
        Some((child, target)) => (child.to_string(), Some(target.to_string())),
        None => (spec.to_string(), None),
    }
}

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
