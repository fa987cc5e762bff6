//! `flakeedit init`: writes a new flake.nix from a template, never over an
//! existing file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flakeedit_flake::{init_flake, Template};

use crate::config::Output;
use crate::output::{self, InitRecord, PathField};

/// What `init` was asked for, and how to report.
pub struct InitRequest {
    pub template: Template,
    pub name: Option<String>,
    pub dir: Option<PathBuf>,
    /// `--dry-run` writes nothing and prints the flake (unless `json`);
    /// `--check` writes nothing and exits 1 when the file would be written;
    /// `--diff` prints a unified diff of what would be (or was) written.
    pub output: Output,
}

fn project_name(dir: &Path) -> String {
    let lexical = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    lexical
        .or_else(|| {
            std::fs::canonicalize(dir).ok().and_then(|path| {
                path.file_name()
                    .map(|name| name.to_string_lossy().into_owned())
            })
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "app".to_string())
}

/// Runs `init`. An existing flake.nix is never overwritten: when it is
/// byte for byte what the template gives, there is nothing to do (exit 0,
/// "unchanged", so running init twice is harmless); otherwise it is an
/// error (exit 1). A missing file is written (exit 0), printed with
/// `--dry-run` (exit 0), or reported as "would be written" with `--check`
/// (exit 1, like every command whose file would change).
pub fn run(request: InitRequest) -> ExitCode {
    let dir = request.dir.unwrap_or_else(|| PathBuf::from("."));
    let path = dir.join("flake.nix");
    let template = request.template;
    let Output {
        diff,
        dry_run,
        check,
        json,
        color,
    } = request.output;
    let name = request.name.unwrap_or_else(|| project_name(&dir));
    let text = init_flake(template, &name);
    let report = |outcome: &'static str, written: bool, error: Option<String>| {
        if json {
            println!(
                "{}",
                output::line(&InitRecord {
                    path: PathField::new(&path),
                    outcome,
                    written,
                    error: error.clone()
                })
            );
        } else if let Some(error) = &error {
            eprintln!("{}: error: {error}", path.display());
        }
    };
    if path.exists() {
        if std::fs::read(&path).is_ok_and(|existing| existing == text.as_bytes()) {
            if !json {
                eprintln!(
                    "{}: unchanged (already the {} template)",
                    path.display(),
                    template.name()
                );
            }
            report("unchanged", false, None);
            return ExitCode::SUCCESS;
        }
        report(
            "failed",
            false,
            Some(format!(
                "the file exists and is not the {} template; flakeedit init never overwrites \
                 (edit it with the add-* commands)",
                template.name()
            )),
        );
        return ExitCode::from(1);
    }
    if diff && !json {
        print!("{}", crate::report::unified_diff(&path, "", &text, color));
    }
    if check {
        if !json {
            eprintln!(
                "{}: would be written ({} template)",
                path.display(),
                template.name()
            );
        }
        report("changed", false, None);
        return ExitCode::from(1);
    }
    if dry_run {
        if !json && !diff {
            print!("{text}");
        }
        report("changed", false, None);
        return ExitCode::SUCCESS;
    }
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        // `create_new` refuses a file created since the check above.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        file.write_all(text.as_bytes())
    });
    match written {
        Ok(()) => {
            if !json {
                eprintln!("{}: written ({} template)", path.display(), template.name());
            }
            report("changed", true, None);
            ExitCode::SUCCESS
        }
        Err(error) => {
            report("failed", false, Some(format!("cannot write: {error}")));
            ExitCode::from(1)
        }
    }
}
