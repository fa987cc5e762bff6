//! `flakeedit`: the command-line front-end. It only wires arguments to the
//! library operations in `flakeedit-flake` and reports their outcomes.

mod bulk;
mod check;
mod cli;
mod driver;
mod files;
mod init;
mod report;
mod selection;
mod sources;
mod update;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use flakeedit_flake::{AddInput, Operation};

use cli::{split_follows, Cli, Command};
use driver::{Action, Settings};

/// Writes the completion script to stdout. clap_complete panics when its
/// writer fails, so the script is built in memory first; a closed pipe
/// (`flakeedit completions bash | head`) is then a normal end, not a crash.
fn print_completions(shell: clap_complete::Shell) -> ExitCode {
    use std::io::Write;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "flakeedit", &mut script);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&script).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: cannot write the completion script: {error}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let action = match cli.command {
        Command::Completions { shell } => {
            return print_completions(shell);
        }
        Command::Check(args) => return check::run(&cli.global, args),
        Command::AddSource(args) => match sources::add_source_action(args) {
            Ok(action) => action,
            Err(code) => return code,
        },
        Command::FixHashes(args) => match sources::fix_hashes_action(&cli.global, args) {
            Ok(action) => action,
            Err(code) => return code,
        },
        Command::Outdated(args) => return update::run_outdated(&cli.global, args),
        Command::Update(args) => match update::update_action(&cli.global, args) {
            Ok(action) => action,
            Err(code) => return code,
        },
        Command::Lsp => {
            return match flakeedit_lsp::run_stdio() {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: cannot start the language server: {error}");
                    ExitCode::FAILURE
                }
            };
        }
        Command::ListInputs => Action::ListInputs,
        Command::AddInput {
            url,
            name,
            follows,
            no_flake,
        } => Action::Edit(Operation::AddInput(AddInput {
            url,
            name,
            follows: follows
                .iter()
                .map(|spec| {
                    let (child, target) = split_follows(spec);
                    let target = target
                        .unwrap_or_else(|| child.rsplit('/').next().unwrap_or(&child).to_string());
                    (child, target)
                })
                .collect(),
            no_flake,
        })),
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
        Command::Init {
            template,
            name,
            dir,
        } => {
            return init::run(init::InitRequest {
                template,
                name,
                dir,
                dry_run: cli.global.dry_run,
                check: cli.global.check,
                diff: cli.global.diff,
                color: report::use_color(cli.global.color, report::stdout_is_terminal()),
                json: cli.global.json,
            });
        }
        Command::Follow { name, child, all } => match (all, name, child) {
            (Some(target), _, _) => Action::Edit(Operation::FollowAll { target }),
            (None, Some(name), Some(child)) => {
                let (child, target) = split_follows(&child);
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
    let global = &cli.global;
    let paths = match selection::select(global) {
        Ok(paths) => paths,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let bulk = selection::is_bulk(global, paths.len());
    let settings = Settings {
        diff: global.diff,
        dry_run: global.dry_run,
        check: global.check,
        json: global.json,
        color: report::use_color(global.color, report::stdout_is_terminal()),
        bulk,
    };
    let summary = match bulk::run(&paths, &action, &settings, global.jobs) {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    if bulk {
        if settings.json {
            println!("{}", summary.json());
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
