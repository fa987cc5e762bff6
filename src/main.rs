//! `flakeedit`: the command-line front-end. It only wires arguments to the
//! library operations in `flakeedit-flake` and reports their outcomes.

mod bulk;
mod check;
mod cli;
mod complete;
mod config;
mod driver;
mod files;
mod init;
mod output;
mod parse;
mod pow;
mod report;
mod selection;
mod sources;
mod update;

use std::process::ExitCode;

use clap::CommandFactory;
use flakeedit_flake::requests::{self, SourceAnswers};
use flakeedit_flake::sources::{HashChoice, SourceRequest};
use flakeedit_flake::{FlakeError, Operation, Template};
use flakeedit_prefetch::parse_hash;

use cli::{Cli, Command};
use config::{CheckConfig, Config, Network};
use driver::{Action, Settings};

/// A usage error: the message (and hint), exit status 2.
fn usage(error: &FlakeError) -> ExitCode {
    eprintln!("error: {}", error.message);
    if let Some(hint) = &error.hint {
        eprintln!("  hint: {hint}");
    }
    ExitCode::from(2)
}

/// `add-source`'s request from its arguments.
fn add_source_request(args: cli::AddSourceArgs) -> Result<SourceRequest, ExitCode> {
    let hash = match (&args.hash, args.no_prefetch) {
        (Some(text), _) => HashChoice::Given(parse_hash(text).map_err(|error| {
            eprintln!("error: --hash: {error}");
            ExitCode::from(2)
        })?),
        (None, true) => HashChoice::Placeholder,
        (None, false) => HashChoice::Prefetch,
    };
    requests::source_request(SourceAnswers {
        spec: args.spec,
        name: args.name,
        version: args.package_version,
        hash,
        dep_of: args.dep_of,
        no_dep: args.no_dep,
        build_inputs: args.build_inputs,
        system: args.system,
    })
    .map_err(|error| usage(&error))
}

/// The files of this run. Resolved once: `--files-from -` reads stdin.
fn selected(config: &Config) -> Result<Vec<std::path::PathBuf>, ExitCode> {
    selection::select(&config.selection).map_err(|error| {
        eprintln!("error: {error:#}");
        ExitCode::from(2)
    })
}

/// The `--version` line, as clap prints it (a unit test holds them equal).
const VERSION_LINE: &str = concat!("flakeedit ", env!("CARGO_PKG_VERSION"), "\n");

/// True when the whole command line is `--version` (or `-V`): answered
/// before clap builds its command tree (every subcommand and argument),
/// which would be most of the cost of printing one line.
fn version_only(mut args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    matches!(
        (args.next(), args.next()),
        (Some(arg), None) if arg == "--version" || arg == "-V"
    )
}

fn main() -> ExitCode {
    if version_only(std::env::args_os().skip(1)) {
        use std::io::Write;
        // A closed stdout is no error for a version query.
        let _ = std::io::stdout().write_all(VERSION_LINE.as_bytes());
        return ExitCode::SUCCESS;
    }
    complete::complete_if_asked(Cli::command);
    let cli = parse::parse();
    let mut config = Config::new(&cli.global);
    // Commands that do not run the edit driver over the selected files.
    match &cli.command {
        Command::Completions { shell } => return complete::print_script(*shell),
        Command::Lsp => {
            return match flakeedit_lsp::run_stdio() {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: cannot start the language server: {error}");
                    ExitCode::FAILURE
                }
            };
        }
        Command::Init {
            template,
            name,
            dir,
        } => {
            return init::run(init::InitRequest {
                template: match template {
                    cli::TemplateChoice::Ocaml => Template::Ocaml,
                    cli::TemplateChoice::Rust => Template::Rust,
                    cli::TemplateChoice::Minimal => Template::Minimal,
                },
                name: name.clone(),
                dir: dir.clone(),
                output: config.output,
            });
        }
        Command::Check(args) if args.list_codes => return check::list_codes(),
        Command::Check(args) => {
            let check_config = CheckConfig::new(args, &mut config);
            return match selected(&config) {
                Ok(paths) => check::run(&paths, &config, &check_config),
                Err(code) => code,
            };
        }
        _ => {}
    }
    let paths = match selected(&config) {
        Ok(paths) => paths,
        Err(code) => return code,
    };
    let action = match cli.command {
        // Handled above, before the selection.
        Command::Completions { .. } | Command::Lsp | Command::Init { .. } | Command::Check(_) => {
            return ExitCode::SUCCESS;
        }
        Command::AddSource(args) => {
            let network = match Network::new(&args.network) {
                Ok(network) => network,
                Err(message) => return update::usage_error(&message),
            };
            let request = match add_source_request(args) {
                Ok(request) => request,
                Err(code) => return code,
            };
            match sources::add_source_action(request, &network) {
                Ok(action) => action,
                Err(code) => return code,
            }
        }
        Command::FixHashes(args) => {
            let network = match Network::new(&args.network) {
                Ok(network) => network,
                Err(message) => return update::usage_error(&message),
            };
            match sources::fix_hashes_action(&paths, args.convert_only, &network) {
                Ok(action) => action,
                Err(code) => return code,
            }
        }
        Command::Outdated(args) => {
            let forge = match config::forge(&args.forge) {
                Ok(forge) => forge,
                Err(message) => return update::usage_error(&message),
            };
            let query = update::Query {
                names: args.names,
                to: None,
                pre: args.pre,
            };
            return update::run_outdated(&paths, &config, &forge, &query);
        }
        Command::Update(args) => {
            let forge = match config::forge(&args.forge) {
                Ok(forge) => forge,
                Err(message) => return update::usage_error(&message),
            };
            let query = update::Query {
                names: args.names,
                to: args.to,
                pre: args.pre,
            };
            update::update_action(&paths, &forge, query)
        }
        Command::ListInputs => Action::ListInputs,
        Command::AddInput {
            url,
            name,
            follows,
            no_flake,
        } => match requests::add_input(&url, name.as_deref(), &follows, no_flake) {
            Ok(request) => Action::Edit(Operation::AddInput(request)),
            Err(error) => return usage(&error),
        },
        Command::RemoveInput { name, force } => {
            Action::Edit(Operation::RemoveInput { name, force })
        }
        Command::SetUrl { name, url } => Action::Edit(Operation::SetUrl { name, url }),
        Command::Pin { name, rev } => Action::Edit(Operation::Pin { name, rev }),
        Command::Unpin { name } => Action::Edit(Operation::Unpin { name }),
        Command::RenameInput { old, new } => Action::Edit(Operation::RenameInput { old, new }),
        Command::ToggleFlake { name } => Action::Edit(Operation::SetFlake { name, value: None }),
        Command::AddDunePackage {
            pname,
            attr,
            package_version,
            src,
            build_inputs,
            default,
            system,
        } => Action::Edit(Operation::AddDunePackage(flakeedit_flake::AddDunePackage {
            pname,
            attr,
            version: package_version,
            src,
            build_inputs,
            default,
            system,
        })),
        Command::AddDockerImage {
            package,
            attr,
            name,
            tag,
            ports,
            env,
            cmd,
            stream,
            system,
        } => Action::Edit(Operation::AddDockerImage(flakeedit_flake::AddDockerImage {
            package,
            attr,
            name,
            tag,
            ports,
            env,
            cmd,
            stream,
            system,
        })),
        Command::AddDevShell {
            name,
            packages,
            inputs_from,
            system,
        } => Action::Edit(Operation::AddDevShell(flakeedit_flake::AddDevShell {
            name,
            packages,
            inputs_from,
            system,
        })),
        Command::Follow { name, child, all } => match (all, name, child) {
            (Some(target), _, _) => Action::Edit(Operation::FollowAll { target }),
            (None, Some(name), Some(child)) => {
                let (child, target) = requests::split_follows(&child);
                Action::Edit(Operation::Follow {
                    name,
                    child,
                    target,
                })
            }
            _ => {
                eprintln!("error: `follow` needs NAME CHILD[=TARGET], or --all TARGET");
                return ExitCode::from(2);
            }
        },
    };
    let output = config.output;
    let settings = Settings {
        diff: output.diff,
        dry_run: output.dry_run,
        check: output.check,
        json: output.json,
        color: output.color,
        bulk: selection::is_bulk(&config.selection, paths.len()),
    };
    let bulk = settings.bulk;
    let summary = match bulk::run(&paths, &action, &settings, config.jobs) {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    if bulk {
        if settings.json {
            output::print(&summary.json());
        } else {
            eprintln!("{}", summary.line(settings.check));
        }
    }
    // A single file that the operation does not apply to is a failure for
    // the user who named it; in bulk it is only counted.
    let single_not_applicable = !bulk && summary.not_applicable > 0;
    let would_change = settings.check && summary.changed > 0;
    if summary.failed > 0 || single_not_applicable || would_change {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_version_line_is_clap_s() {
        assert_eq!(VERSION_LINE, Cli::command().render_version());
    }

    #[test]
    fn only_a_lone_version_flag_takes_the_fast_path() {
        let args = |list: &[&str]| {
            list.iter()
                .map(std::ffi::OsString::from)
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert!(version_only(args(&["--version"])));
        assert!(version_only(args(&["-V"])));
        assert!(!version_only(args(&[])));
        assert!(!version_only(args(&["--version", "list-inputs"])));
        assert!(!version_only(args(&["add-dune-package", "--version"])));
        assert!(!version_only(args(&["--versio"])));
    }
}
