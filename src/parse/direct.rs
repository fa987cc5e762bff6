//! The common command lines read without clap.
//!
//! Building even a one-subcommand clap tree and running its parser is
//! most of what a small command costs over the process's own start-up
//! (clap's code and data are touched for the first time). The input
//! commands are named most often, by people and by scripts, and their
//! lines are simple: the shared options, the subcommand, its positional
//! words and a few options of its own. [`parse`] reads exactly such lines
//! and gives up (`None`, and clap parses the line) on anything else: an
//! unknown word, `--`, `--opt=value` or `-fVALUE`, a value that is empty,
//! not UTF-8 or starts with `-` (except `-` alone, as clap allows), a
//! repeated single option, a repeatable one given both before and after
//! the subcommand (clap keeps only the later ones), a missing or extra
//! positional word. What it
//! accepts, clap parses the same way (a test compares the two on every
//! combination of a vocabulary of words); help, the version, errors and
//! completion all come from clap.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::cli::{Cli, ColorChoice, Command, Global};

/// The parse of `args` (the program name first), or `None` when the line
/// is not one this reader knows to parse exactly as clap does.
pub fn parse(args: &[OsString]) -> Option<Cli> {
    let mut words = Vec::with_capacity(args.len());
    for arg in args.iter().skip(1) {
        words.push(arg.to_str()?);
    }
    let mut global = Globals::default();
    let mut rest = words.iter().copied();
    let name = loop {
        let word = rest.next()?;
        if !global.take(word, &mut rest)? {
            break word;
        }
    };
    let mut sub = Sub::new(name)?;
    global.after_subcommand = true;
    while let Some(word) = rest.next() {
        if !global.take(word, &mut rest)? && !sub.take(word, &mut rest)? {
            return None;
        }
    }
    Some(Cli {
        global: global.finish(),
        command: sub.finish()?,
    })
}

/// A value of an option, as clap would take it: present, not empty, and
/// not something clap would read as an option.
fn value<'a>(rest: &mut impl Iterator<Item = &'a str>) -> Option<&'a str> {
    rest.next().filter(|word| is_value(word))
}

fn is_value(word: &str) -> bool {
    !word.is_empty() && (word == "-" || !word.starts_with('-'))
}

/// Sets a single-use option; `None` (give up) when it was already set,
/// which clap refuses.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(value);
            Some(())
        }
    }
}

fn flag(slot: &mut bool) -> Option<()> {
    if *slot {
        return None;
    }
    *slot = true;
    Some(())
}

/// The shared options read so far.
#[derive(Default)]
struct Globals {
    files: Vec<PathBuf>,
    files_from: Option<PathBuf>,
    null: bool,
    recursive: Vec<PathBuf>,
    hidden: bool,
    no_ignore: bool,
    diff: bool,
    dry_run: bool,
    check: bool,
    json: bool,
    jobs: Option<usize>,
    color: Option<ColorChoice>,
    /// Words are now after the subcommand's name.
    after_subcommand: bool,
    /// Where `--file` and `--recursive` were given: before and after the
    /// subcommand's name.
    files_at: [bool; 2],
    recursive_at: [bool; 2],
}

impl Globals {
    /// Takes `word` (and its value from `rest`) when it is a shared
    /// option: `Some(true)` taken, `Some(false)` not a shared option,
    /// `None` give up.
    fn take<'a>(&mut self, word: &str, rest: &mut impl Iterator<Item = &'a str>) -> Option<bool> {
        match word {
            "-f" | "--file" => {
                self.repeatable_at(|globals| &mut globals.files_at)?;
                self.files.push(value(rest)?.into())
            }
            "--files-from" => once(&mut self.files_from, value(rest)?.into())?,
            "-0" | "--null" => flag(&mut self.null)?,
            "-r" | "--recursive" => {
                self.repeatable_at(|globals| &mut globals.recursive_at)?;
                self.recursive.push(value(rest)?.into())
            }
            "--hidden" => flag(&mut self.hidden)?,
            "--no-ignore" => flag(&mut self.no_ignore)?,
            "--diff" => flag(&mut self.diff)?,
            "--dry-run" => flag(&mut self.dry_run)?,
            "--check" => flag(&mut self.check)?,
            "--json" => flag(&mut self.json)?,
            "-j" | "--jobs" => {
                let text = value(rest)?;
                // usize's own parser, on plain digits only (it also takes a
                // leading `+`, which is left to clap).
                if !text.bytes().all(|byte| byte.is_ascii_digit()) {
                    return None;
                }
                once(&mut self.jobs, text.parse().ok()?)?
            }
            "--color" => {
                let choice = match value(rest)? {
                    "auto" => ColorChoice::Auto,
                    "always" => ColorChoice::Always,
                    "never" => ColorChoice::Never,
                    _ => return None,
                };
                once(&mut self.color, choice)?
            }
            _ => return Some(false),
        }
        Some(true)
    }

    /// Notes where a repeatable option is given. Given both before and
    /// after the subcommand's name, clap keeps only the values after it:
    /// such a line is left to clap.
    fn repeatable_at(&mut self, at: impl Fn(&mut Globals) -> &mut [bool; 2]) -> Option<()> {
        let level = usize::from(self.after_subcommand);
        let places = at(self);
        places[level] = true;
        (!(places[0] && places[1])).then_some(())
    }

    fn finish(self) -> Global {
        Global {
            files: self.files,
            files_from: self.files_from,
            null: self.null,
            recursive: self.recursive,
            hidden: self.hidden,
            no_ignore: self.no_ignore,
            diff: self.diff,
            dry_run: self.dry_run,
            check: self.check,
            json: self.json,
            jobs: self.jobs,
            color: self.color.unwrap_or(ColorChoice::Auto),
        }
    }
}

/// The subcommands read here.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    ListInputs,
    AddInput,
    RemoveInput,
    SetUrl,
    Pin,
    Unpin,
    RenameInput,
    ToggleFlake,
}

/// A subcommand and what was read of its own arguments.
struct Sub<'a> {
    kind: Kind,
    positional: Vec<&'a str>,
    name: Option<&'a str>,
    follows: Vec<String>,
    no_flake: bool,
    force: bool,
}

impl<'a> Sub<'a> {
    fn new(name: &str) -> Option<Sub<'a>> {
        let kind = match name {
            "list-inputs" => Kind::ListInputs,
            "add-input" => Kind::AddInput,
            "remove-input" => Kind::RemoveInput,
            "set-url" => Kind::SetUrl,
            "pin" => Kind::Pin,
            "unpin" => Kind::Unpin,
            "rename-input" => Kind::RenameInput,
            "toggle-flake" => Kind::ToggleFlake,
            _ => return None,
        };
        Some(Sub {
            kind,
            positional: Vec::new(),
            name: None,
            follows: Vec::new(),
            no_flake: false,
            force: false,
        })
    }

    /// The most positional words the subcommand takes.
    fn max_positional(&self) -> usize {
        match self.kind {
            Kind::ListInputs => 0,
            Kind::AddInput | Kind::RemoveInput | Kind::Unpin | Kind::ToggleFlake => 1,
            Kind::SetUrl | Kind::Pin | Kind::RenameInput => 2,
        }
    }

    /// Like [`Globals::take`], for the subcommand's own words.
    fn take(&mut self, word: &'a str, rest: &mut impl Iterator<Item = &'a str>) -> Option<bool> {
        match (self.kind, word) {
            (Kind::AddInput, "--name") => once(&mut self.name, value(rest)?)?,
            (Kind::AddInput, "--follows") => self.follows.push(value(rest)?.to_string()),
            (Kind::AddInput, "--no-flake") => flag(&mut self.no_flake)?,
            (Kind::RemoveInput, "--force") => flag(&mut self.force)?,
            _ if is_value(word) && word != "-" => {
                if self.positional.len() == self.max_positional() {
                    return None;
                }
                self.positional.push(word);
            }
            _ => return Some(false),
        }
        Some(true)
    }

    fn finish(self) -> Option<Command> {
        let owned = |index: usize| self.positional.get(index).map(|word| word.to_string());
        // Every positional word is required but `pin`'s REV.
        let required = match self.kind {
            Kind::Pin => 1,
            _ => self.max_positional(),
        };
        if self.positional.len() < required {
            return None;
        }
        Some(match self.kind {
            Kind::ListInputs => Command::ListInputs,
            Kind::AddInput => Command::AddInput {
                url: owned(0)?,
                name: self.name.map(str::to_string),
                follows: self.follows,
                no_flake: self.no_flake,
            },
            Kind::RemoveInput => Command::RemoveInput {
                name: owned(0)?,
                force: self.force,
            },
            Kind::SetUrl => Command::SetUrl {
                name: owned(0)?,
                url: owned(1)?,
            },
            Kind::Pin => Command::Pin {
                name: owned(0)?,
                rev: owned(1),
            },
            Kind::Unpin => Command::Unpin { name: owned(0)? },
            Kind::RenameInput => Command::RenameInput {
                old: owned(0)?,
                new: owned(1)?,
            },
            Kind::ToggleFlake => Command::ToggleFlake { name: owned(0)? },
        })
    }
}
