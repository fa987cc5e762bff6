//! The resolved configuration (the high-level arguments): what clap parsed
//! in [`crate::cli`], turned once into plain values. Colour is decided
//! against the terminal and `NO_COLOR` here, the prefetcher and forge URL
//! become a [`Network`], `check`'s flags its [`CheckConfig`]. The modules
//! that do the work take these and never see a clap type, so no argument
//! is interpreted twice.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use flakeedit_flake::check::CheckOptions;
use flakeedit_flake::Severity;
use flakeedit_forge::{parse_redirect, ForgeConfig};
use flakeedit_prefetch::{Client, GitHub, Prefetcher};

use crate::cli::{self, ColorChoice};

/// Which files a run covers (see [`crate::selection`]).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Files named one by one (`check`'s positional paths first, then `--file`).
    pub files: Vec<PathBuf>,
    /// `--files-from`: a file listing paths, `-` for stdin.
    pub files_from: Option<PathBuf>,
    /// The list is NUL-separated (`-0`).
    pub null: bool,
    /// Directories walked for `flake.nix` (`-r`).
    pub recursive: Vec<PathBuf>,
    /// Walk hidden directories too.
    pub hidden: bool,
    /// Do not honour ignore files.
    pub no_ignore: bool,
}

/// How results are reported and whether files are written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Output {
    /// Print a unified diff of each change.
    pub diff: bool,
    /// Compute and report, write nothing.
    pub dry_run: bool,
    /// Write nothing; a change is a failure.
    pub check: bool,
    /// JSON output.
    pub json: bool,
    /// Colour stdout (already decided against the terminal and NO_COLOR).
    pub color: bool,
}

/// Everything every command shares.
#[derive(Debug, Clone)]
pub struct Config {
    /// The files to process.
    pub selection: Selection,
    /// Reporting and writing.
    pub output: Output,
    /// Worker threads: `-j N`, or `None` for every core.
    pub jobs: Option<usize>,
}

impl Config {
    /// Resolves the global arguments.
    pub fn new(global: &cli::Global) -> Config {
        Config {
            selection: Selection {
                files: global.files.clone(),
                files_from: global.files_from.clone(),
                null: global.null,
                recursive: global.recursive.clone(),
                hidden: global.hidden,
                no_ignore: global.no_ignore,
            },
            output: Output {
                diff: global.diff,
                dry_run: global.dry_run,
                check: global.check,
                json: global.json,
                color: use_color(global.color, std::io::stdout().is_terminal()),
            },
            jobs: global.jobs.filter(|jobs| *jobs > 0),
        }
    }
}

/// Whether to colour a stream: `auto` colours a terminal when NO_COLOR is
/// unset or empty.
pub fn use_color(choice: ColorChoice, stream_is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        }
    }
}

/// Where and how sources are downloaded.
#[derive(Debug, Clone)]
pub struct Network {
    /// The host redirects (`--forge-url`, and `--github-url` for github.com).
    pub forge: ForgeConfig,
    /// Which implementation hashes.
    pub prefetcher: Prefetcher,
}

impl Network {
    /// Resolves `--forge-url`, `--github-url` and `--prefetcher`; an invalid
    /// `--forge-url` is a usage error.
    pub fn new(args: &cli::NetworkArgs) -> Result<Network, String> {
        let mut forge = ForgeConfig::default();
        for spec in &args.forge_urls {
            let (host, base) = parse_redirect(spec).map_err(|e| format!("--forge-url: {e}"))?;
            forge.redirect(&host, &base);
        }
        // One mechanism: `--github-url URL` is `--forge-url github.com=URL`
        // (a plain directory stays accepted: git reads paths as repositories).
        if let Some(url) = &args.github_url {
            forge.redirect("github.com", url);
        }
        Ok(Network {
            forge,
            prefetcher: match args.prefetcher {
                cli::PrefetcherChoice::Auto => Prefetcher::Auto,
                cli::PrefetcherChoice::Nix => Prefetcher::Nix,
                cli::PrefetcherChoice::Native => Prefetcher::Native,
            },
        })
    }

    /// The GitHub base URL: github.com, or where a redirect sends it.
    pub fn github_url(&self) -> String {
        github_base(&self.forge)
    }

    /// The prefetch client these settings describe.
    pub fn client(&self) -> Client {
        Client::new()
            .with_github(GitHub::new(self.github_url()))
            .with_prefetcher(self.prefetcher)
    }
}

/// Where github.com's archives and repositories are fetched from under
/// `forge`'s redirects.
pub fn github_base(forge: &ForgeConfig) -> String {
    forge.effective_url(GitHub::DEFAULT_BASE_URL)
}

/// Where `outdated` and `update` ask repositories: `--forge-url`
/// redirections (an invalid one is a usage error), the timeout, and the
/// tokens of the environment.
pub fn forge(args: &cli::ForgeArgs) -> Result<ForgeConfig, String> {
    let mut config = ForgeConfig::default().with_tokens_from_environment();
    for spec in &args.forge_urls {
        let (host, base) = parse_redirect(spec).map_err(|e| format!("--forge-url: {e}"))?;
        config.redirect(&host, &base);
    }
    config.timeout = Duration::from_secs(args.timeout.max(1));
    Ok(config)
}

/// How `check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    /// Lines with the source and a caret.
    Text,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// What `check` does beyond the shared configuration.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// The library's options (codes selected, ages, branches).
    pub options: CheckOptions,
    /// Apply the safe fixes.
    pub fix: bool,
    /// The output format.
    pub format: CheckFormat,
    /// The least severity that fails the run; `None` never fails on one.
    pub fail_on: Option<Severity>,
}

impl CheckConfig {
    /// Resolves `check`'s arguments; its positional paths join the
    /// selection in front of `--file`, so they are de-duplicated with it.
    pub fn new(args: &cli::CheckArgs, config: &mut Config) -> CheckConfig {
        let mut options = CheckOptions {
            max_age_days: args.max_age,
            now: args.now,
            select: args.select.clone(),
            ignore: args.ignore.clone(),
            ..CheckOptions::default()
        };
        if !args.supported_branches.is_empty() {
            options.supported_branches = Some(args.supported_branches.clone());
        }
        let mut files = args.paths.clone();
        files.append(&mut config.selection.files);
        config.selection.files = files;
        let format = match args.format {
            Some(cli::Format::Text) => CheckFormat::Text,
            Some(cli::Format::Json) => CheckFormat::Json,
            Some(cli::Format::Sarif) => CheckFormat::Sarif,
            None if config.output.json => CheckFormat::Json,
            None => CheckFormat::Text,
        };
        // Colour is for text only.
        config.output.color &= format == CheckFormat::Text;
        CheckConfig {
            options,
            fix: args.fix,
            format,
            fail_on: match args.fail_on {
                cli::FailOn::Error => Some(Severity::Error),
                cli::FailOn::Warning => Some(Severity::Warning),
                cli::FailOn::Info => Some(Severity::Info),
                cli::FailOn::Never => None,
            },
        }
    }

    /// Whether a remaining diagnostic of `severity` fails the run.
    pub fn fails(&self, severity: Severity) -> bool {
        self.fail_on.is_some_and(|least| severity >= least)
    }

    /// Whether fixes are written (`--fix` without `--dry-run`/`--check`).
    pub fn writes(&self, output: &Output) -> bool {
        self.fix && !output.dry_run && !output.check
    }
}
