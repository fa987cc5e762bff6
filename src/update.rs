//! `outdated` and `update`: every selected file is read first, the tags and
//! branches of each distinct repository are listed once (in parallel, with
//! a bound), then each file is reported on (`outdated`) or edited through
//! the driver like any operation (`update`). A repository that cannot be
//! listed fails the files that need it: nothing is written to them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use flakeedit_flake::update::{
    newest, source_targets, update_targets, Refetch, SourceMove, SourceTarget, Tracks, UpdateTarget,
};
use flakeedit_flake::{ErrorKind, Flake, FlakeError, Operation, RefMove, UpdateRefs};
use flakeedit_forge::{list_all, ForgeConfig, ForgeError, Refs};
use flakeedit_prefetch::{to_sri, Client, GitHub};
use flakeedit_syntax::SourceFile;

use crate::config::Config;
use crate::driver::Action;
use crate::output::{self, OutdatedInput, OutdatedRecord, OutdatedSource, PathField};
use crate::{files, report, selection};

/// What `outdated` and `update` were asked.
pub struct Query {
    /// Only these inputs (default: all).
    pub names: Vec<String>,
    /// `update --to REF`: move the named inputs to this tag or channel.
    pub to: Option<String>,
    /// Count pre-releases as newer releases.
    pub pre: bool,
}

fn selected(target: &UpdateTarget, names: &[String]) -> bool {
    names.is_empty() || names.iter().any(|name| name == &target.name)
}

/// Reads every file's targets and lists each distinct repository once.
fn query(
    paths: &[PathBuf],
    names: &[String],
    config: &ForgeConfig,
) -> BTreeMap<String, Result<Refs, ForgeError>> {
    let mut repositories = Vec::new();
    for path in paths {
        let Ok(file) = files::read(path) else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&file.bytes) else {
            continue;
        };
        let source = SourceFile::parse(text);
        let Ok(flake) = Flake::read(&source) else {
            continue;
        };
        let sources = source_targets(&source)
            .into_iter()
            .map(|source| as_target(&source));
        for target in update_targets(&source, &flake).into_iter().chain(sources) {
            if selected(&target, names) && target.is_listed() {
                repositories.extend(target.repository);
            }
        }
    }
    list_all(config, repositories)
}

/// A fetched source seen as a target, for the choices inputs share.
fn as_target(source: &SourceTarget) -> UpdateTarget {
    UpdateTarget {
        name: source.name.clone(),
        repository: source.repository.clone(),
        tracks: source.tracks.clone(),
        pinned: source.pinned,
        range: source.range,
    }
}

/// What is newer for one target, from its repository's refs.
enum Finding {
    Newer(String),
    Newest,
    /// What the input names is not in the repository (a deleted tag, a
    /// mirror that lacks it): newer releases are still offered.
    Missing,
    Failed(String),
    NotAsked,
}

fn find(
    target: &UpdateTarget,
    refs: &BTreeMap<String, Result<Refs, ForgeError>>,
    pre: bool,
) -> Finding {
    if !target.is_listed() {
        return Finding::NotAsked;
    }
    let Some(repository) = &target.repository else {
        return Finding::NotAsked;
    };
    match refs.get(repository) {
        Some(Ok(refs)) => {
            let tags = refs.tags.iter().map(|(name, _)| name.as_str());
            let heads = refs.heads.iter().map(|(name, _)| name.as_str());
            let current = target.tracks.release().unwrap_or_default();
            match newest(&target.tracks, tags, heads, pre) {
                Some(newer) => Finding::Newer(newer),
                None if refs.commit_of(current).is_none() => Finding::Missing,
                None => Finding::Newest,
            }
        }
        Some(Err(error)) => Finding::Failed(error.to_string()),
        None => Finding::Failed(format!("{repository} was not listed")),
    }
}

/// A usage error: the message, exit status 2.
pub fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn age(seconds: i64) -> String {
    let days = seconds / 86_400;
    match days {
        0 => "today".to_string(),
        1 => "1 day ago".to_string(),
        days => format!("{days} days ago"),
    }
}

/// `outdated`: one line per input (or a JSON object per file).
pub fn run_outdated(
    paths: &[PathBuf],
    config: &Config,
    forge: &ForgeConfig,
    args: &Query,
) -> ExitCode {
    let bulk = selection::is_bulk(&config.selection, paths.len());
    let refs = query(paths, &args.names, forge);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    let mut failed = false;
    let mut stdout = std::io::stdout().lock();
    for path in paths {
        let report = outdated_file(path, args, &refs, now);
        failed |= report.failed;
        if config.output.json {
            let _ = writeln!(stdout, "{}", output::line(&report.json));
        } else {
            if bulk && !report.lines.is_empty() {
                let _ = writeln!(stdout, "{}", path.display());
            }
            for line in &report.lines {
                let _ = writeln!(stdout, "{}{line}", if bulk { "  " } else { "" });
            }
            for error in &report.errors {
                eprint!("{error}");
            }
        }
    }
    let _ = stdout.flush();
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

struct OutdatedReport {
    lines: Vec<String>,
    errors: Vec<String>,
    json: OutdatedRecord,
    failed: bool,
}

fn outdated_file(
    path: &Path,
    args: &Query,
    refs: &BTreeMap<String, Result<Refs, ForgeError>>,
    now: i64,
) -> OutdatedReport {
    let failure = |message: String| OutdatedReport {
        lines: Vec::new(),
        json: OutdatedRecord::Failed {
            path: PathField::new(path),
            error: message.clone(),
        },
        errors: vec![format!("{}: error: {message}\n", path.display())],
        failed: true,
    };
    let file = match files::read(path) {
        Ok(file) => file,
        Err(error) => return failure(format!("{error:#}")),
    };
    let Ok(text) = std::str::from_utf8(&file.bytes) else {
        return failure("the file is not UTF-8 text; save it as UTF-8".into());
    };
    let source = SourceFile::parse(text);
    let flake = match Flake::read(&source) {
        Ok(flake) => flake,
        Err(error) => {
            let mut report = failure(error.message.clone());
            report.errors = vec![report::render_error(path, text, &error)];
            return report;
        }
    };
    let lock = files::lock_next_to(&file.target).ok().flatten();
    let targets: Vec<UpdateTarget> = update_targets(&source, &flake)
        .into_iter()
        .filter(|target| selected(target, &args.names))
        .collect();
    let mut rows: Vec<[String; 3]> = Vec::new();
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for target in &targets {
        let finding = find(target, refs, args.pre);
        let locked = lock
            .as_ref()
            .and_then(|lock| lock.node_of_input(&target.name))
            .map(|(_, node)| node);
        let locked_age = locked
            .and_then(|node| node.last_modified)
            .map(|modified| (now - modified).max(0));
        let (status, latest, note) = match (&finding, &target.tracks) {
            (_, Tracks::Follows(_)) => ("follows", None, "nothing to update".to_string()),
            _ if target.pinned => ("pinned", None, "pinned (# flakeedit: pin)".to_string()),
            (Finding::Newer(newer), _) => ("outdated", Some(newer.clone()), format!("-> {newer}")),
            (Finding::Newest, _) => ("up-to-date", None, "newest".to_string()),
            (Finding::Missing, _) => (
                "missing",
                None,
                "not in the repository (no newer release either)".to_string(),
            ),
            (Finding::Failed(error), _) => {
                errors.push(format!(
                    "{}: error: input `{}`: {error}\n",
                    path.display(),
                    target.name
                ));
                ("failed", None, "could not be listed".to_string())
            }
            (Finding::NotAsked, Tracks::Branch(_)) => (
                "branch",
                None,
                match locked_age {
                    Some(seconds) => format!("branch; locked commit from {}", age(seconds)),
                    None => "branch; not locked".to_string(),
                },
            ),
            (Finding::NotAsked, Tracks::Commit(_)) => ("commit", None, "fixed commit".into()),
            (Finding::NotAsked, _) => ("unknown", None, "no repository to ask".into()),
        };
        rows.push([target.name.clone(), target.tracks.describe(), note]);
        records.push(OutdatedInput {
            name: target.name.clone(),
            tracks: target.tracks.clone(),
            repository: target.repository.clone(),
            status,
            latest,
            locked_rev: locked.and_then(|node| node.rev.clone()),
            locked_age_seconds: locked_age,
        });
    }
    let mut source_records = Vec::new();
    for source in source_targets(&source) {
        let target = as_target(&source);
        if !selected(&target, &args.names) {
            continue;
        }
        let (status, latest, note) = match find(&target, refs, args.pre) {
            _ if target.pinned => ("pinned", None, "pinned (# flakeedit: pin)".to_string()),
            Finding::Newer(newer) => ("outdated", Some(newer.clone()), format!("-> {newer}")),
            Finding::Newest => ("up-to-date", None, "newest".to_string()),
            Finding::Missing => (
                "missing",
                None,
                "not in the repository (no newer release either)".to_string(),
            ),
            Finding::Failed(error) => {
                errors.push(format!(
                    "{}: error: source `{}`: {error}\n",
                    path.display(),
                    target.name
                ));
                ("failed", None, "could not be listed".to_string())
            }
            Finding::NotAsked => ("not-a-release", None, "not on a release tag".to_string()),
        };
        rows.push([
            format!("{} ({})", source.name, source.fetcher),
            target.tracks.describe(),
            note,
        ]);
        source_records.push(OutdatedSource {
            name: source.name.clone(),
            fetcher: source.fetcher.clone(),
            tracks: source.tracks.clone(),
            repository: source.repository.clone(),
            status,
            latest,
        });
    }
    let widths = [0, 1].map(|column| rows.iter().map(|row| row[column].len()).max().unwrap_or(0));
    let lines = rows
        .iter()
        .map(|[name, on, note]| {
            format!(
                "{name:<w0$}  {on:<w1$}  {note}",
                w0 = widths[0],
                w1 = widths[1]
            )
        })
        .collect();
    let failed = !errors.is_empty();
    OutdatedReport {
        lines,
        json: OutdatedRecord::File {
            path: PathField::new(path),
            inputs: records,
            sources: source_records,
            errors: errors.clone(),
        },
        errors,
        failed,
    }
}

/// `update`: the planned action; the driver then edits every file.
///
/// `paths` are the run's selected files, the same the driver then edits.
pub fn update_action(paths: &[PathBuf], forge: &ForgeConfig, args: Query) -> Action {
    let refs = Arc::new(query(paths, &args.names, forge));
    // Archives for the new hashes come from where github.com's queries go.
    let github_base = crate::config::github_base(forge);
    let client = Client::new().with_github(GitHub::new(github_base));
    let Query { names, to, pre } = args;
    let forge = forge.clone();
    Action::Planned(Box::new(move |_path, text| {
        plan(text, &names, to.as_deref(), pre, &refs, &client, &forge)
    }))
}

/// The tag or channel `target` moves to, if any.
fn choose(
    target: &UpdateTarget,
    to: Option<&str>,
    refs: &BTreeMap<String, Result<Refs, ForgeError>>,
    pre: bool,
    what: &str,
) -> Result<Option<String>, FlakeError> {
    if target.pinned {
        return Ok(None);
    }
    match to {
        Some(to) => explicit_target(target, to, refs).map(Some),
        None => match find(target, refs, pre) {
            Finding::Newer(newer) => Ok(Some(newer)),
            Finding::Failed(error) => Err(FlakeError::new(
                ErrorKind::Remote,
                format!("{what} `{}`: {error}", target.name),
            )
            .at(target.range)
            .hint("nothing was written; fix the repository or leave it out (name the others)")),
            Finding::Newest | Finding::Missing | Finding::NotAsked => Ok(None),
        },
    }
}

/// The moves of one file: inputs, then fetched sources with their new
/// hashes (prefetched here; a failure writes nothing).
fn plan(
    text: &str,
    names: &[String],
    to: Option<&str>,
    pre: bool,
    refs: &BTreeMap<String, Result<Refs, ForgeError>>,
    client: &Client,
    forge: &ForgeConfig,
) -> Result<Operation, FlakeError> {
    let source = SourceFile::parse(text);
    let flake = Flake::read(&source)?;
    let targets: Vec<UpdateTarget> = update_targets(&source, &flake)
        .into_iter()
        .filter(|target| selected(target, names))
        .collect();
    let sources: Vec<SourceTarget> = source_targets(&source)
        .into_iter()
        .filter(|source| selected(&as_target(source), names))
        .collect();
    if let Some(missing) = names.iter().find(|name| {
        !targets.iter().any(|target| &&target.name == name)
            && !sources.iter().any(|source| &&source.name == name)
    }) {
        return Err(FlakeError::new(
            ErrorKind::NotApplicable,
            format!("no input or fetched source named `{missing}`"),
        )
        .hint("`flakeedit outdated` lists the inputs and sources"));
    }
    let mut request = UpdateRefs::default();
    for target in &targets {
        if let Some(to) = choose(target, to, refs, pre, "input")? {
            request.moves.push(RefMove {
                name: target.name.clone(),
                to,
            });
        }
    }
    for source in &sources {
        let target = as_target(source);
        let Some(to) = choose(&target, to, refs, pre, "source")? else {
            continue;
        };
        let refetch = match &source.refetch {
            Ok(refetch) => refetch,
            Err(reason) => {
                request.skipped.push(format!(
                    "`{}` ({}) has {to}, but {reason}: update it by hand",
                    source.name, source.fetcher
                ));
                continue;
            }
        };
        let url = refetch.url_for(&to).map(|url| forge.effective_url(&url));
        let prefetched = match refetch {
            Refetch::GitHub { owner, repo } => client.prefetch_github_commit(owner, repo, &to),
            Refetch::Git { url } => client.prefetch_git(&forge.effective_url(url), &to),
            Refetch::Url { unpack: false, .. } => {
                client.prefetch_file_url(url.as_deref().unwrap_or_default())
            }
            Refetch::GitLab { .. } | Refetch::Url { .. } => {
                client.prefetch_url(url.as_deref().unwrap_or_default())
            }
            // A kind of source the library reads but this front-end
            // cannot fetch yet: said, never guessed.
            other => {
                request.skipped.push(format!(
                    "`{}` ({}) has {to}, but flakeedit cannot fetch {other:?} yet: update it by hand",
                    source.name, source.fetcher
                ));
                continue;
            }
        }
        .map_err(|error| {
            FlakeError::new(
                ErrorKind::Remote,
                format!(
                    "cannot prefetch `{}` ({}) at {to}: {error}",
                    source.name, source.fetcher
                ),
            )
            .at(source.range)
            .hint("nothing was written; check the network (or --forge-url) and try again")
        })?;
        request.sources.push(SourceMove {
            at: source.range.start(),
            to: to.clone(),
            hash: to_sri(&prefetched.hash),
            // The URL the file will say (before redirection), for
            // fetchurl/fetchzip, whose URL is what moves.
            url: match refetch {
                Refetch::Url { .. } => refetch.url_for(&to),
                _ => None,
            },
        });
    }
    Ok(Operation::Update(request))
}

/// `--to REF`: must exist in the repository, and must not be older than
/// what the input is on.
fn explicit_target(
    target: &UpdateTarget,
    to: &str,
    refs: &BTreeMap<String, Result<Refs, ForgeError>>,
) -> Result<String, FlakeError> {
    let Some(repository) = &target.repository else {
        return Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!(
                "input `{}` has no repository flakeedit can list",
                target.name
            ),
        )
        .at(target.range)
        .hint("use `flakeedit set-url NAME URL`"));
    };
    let listed = match refs.get(repository) {
        Some(Ok(refs)) => refs,
        Some(Err(error)) => {
            return Err(FlakeError::new(ErrorKind::Remote, error.to_string()).at(target.range))
        }
        // Not a tag or channel: `update_refs` explains why it cannot move.
        None => return Ok(to.to_string()),
    };
    if listed.commit_of(to).is_none() {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            format!("{repository} has no tag or branch `{to}`"),
        )
        .at(target.range)
        .hint("`flakeedit outdated NAME` shows the newest; check the spelling"));
    }
    // Not comparable (`--to main` for a tag) counts as not newer.
    let older = match &target.tracks {
        Tracks::Tag(current) | Tracks::Channel(current) => {
            current != to && newest(&target.tracks, [to], [to], true).is_none()
        }
        _ => false,
    };
    if older {
        return Err(FlakeError::new(
            ErrorKind::Conflict,
            format!(
                "`{to}` is not newer than {}: update never downgrades",
                target.tracks.describe()
            ),
        )
        .at(target.range)
        .hint("to go back on purpose, write the reference with `flakeedit set-url NAME URL`"));
    }
    Ok(to.to_string())
}
