//! What the server knows about a document, computed synchronously from its
//! text and lock: diagnostics, and the code actions at a cursor.
//!
//! Nothing here re-implements an operation: every edit is the change set of
//! a `flakeedit_flake` operation, listed with [`Operation::changes`] (cheap:
//! no re-parse) and resolved with [`flakeedit_flake::run`], which applies,
//! re-parses and checks the operation's postcondition before the server
//! hands the edit to the editor.

use flakeedit_flake::sources::{placeholder_hashes, FetchSite};
use flakeedit_flake::{
    AddDevShell, AddDockerImage, AddDunePackage, AllowedChange, CheckOptions, DiagnosticCode,
    ErrorKind, Flake, FlakeError, InputDecl, Layout, Lock, Operation,
};
use flakeedit_syntax::{ChangeSet, SourceFile, TextRange, TextSize};
use serde::{Deserialize, Serialize};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The flake does not evaluate.
    Error,
    /// Likely a mistake.
    Warning,
    /// Worth knowing.
    Information,
    /// A suggestion.
    Hint,
}

impl Severity {
    /// The LSP severity of a library severity.
    pub fn of(severity: flakeedit_flake::Severity) -> Severity {
        match severity {
            flakeedit_flake::Severity::Error => Severity::Error,
            flakeedit_flake::Severity::Warning => Severity::Warning,
            flakeedit_flake::Severity::Info => Severity::Information,
        }
    }
}

/// A diagnostic with a byte range.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Where.
    pub range: TextRange,
    /// How serious.
    pub severity: Severity,
    /// The stable code (`syntax-error`, …).
    pub code: DiagnosticCode,
    /// What is wrong.
    pub message: String,
    /// What it is about (`riot`, `fetchFromGitHub owner/repo.hash`);
    /// stable across edits elsewhere in the file.
    pub subject: String,
    /// The fix, when there is a safe one.
    pub fix: Option<Fix>,
}

/// A quick fix: a title and the change set.
#[derive(Debug, Clone)]
pub struct Fix {
    /// What the fix does, for the action menu.
    pub title: String,
    /// The edits, against the text the diagnostic was computed from.
    pub changes: ChangeSet,
    /// What the fix may change in the flake's meaning; the fix is offered
    /// only when [`flakeedit_flake::apply_verified`] accepts it.
    pub allowed: AllowedChange,
}

/// The diagnostics of a flake's text: those of [`flakeedit_flake::check()`],
/// the one implementation `flakeedit check` uses too.
pub fn diagnostics(text: &str, lock: Option<&Lock>) -> Vec<Diagnostic> {
    diagnostics_of(&SourceFile::parse(text), lock)
}

/// [`diagnostics`] of a parsed file.
pub fn diagnostics_of(file: &SourceFile, lock: Option<&Lock>) -> Vec<Diagnostic> {
    flakeedit_flake::check(file, lock, &CheckOptions::default())
        .into_iter()
        .map(|diagnostic| Diagnostic {
            range: diagnostic.range,
            severity: Severity::of(diagnostic.severity),
            code: diagnostic.code,
            message: diagnostic.message,
            subject: diagnostic.subject,
            fix: diagnostic.fix.map(|fix| Fix {
                title: fix.title,
                changes: fix.changes,
                allowed: fix.allowed,
            }),
        })
        .collect()
}

/// An edit the server can compute and verify on request: the payload of a
/// code action's `data`, resolved in `codeAction/resolve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum ActionRequest {
    /// The input's nested `nixpkgs` follows ours.
    FollowNixpkgs {
        /// The input.
        input: String,
    },
    /// Remove the input (and its follows references and outputs argument).
    RemoveInput {
        /// The input.
        input: String,
    },
    /// Toggle `flake = false`.
    ToggleFlake {
        /// The input.
        input: String,
    },
    /// Pin the input to the revision in `flake.lock`.
    PinToLocked {
        /// The input.
        input: String,
    },
    /// A `dockerTools.buildLayeredImage` of a package.
    AddDockerImage {
        /// The package in the image.
        package: String,
        /// The image's attribute (`dockerImage` when `None`).
        attr: Option<String>,
    },
    /// A `buildDunePackage` package.
    AddDunePackage {
        /// Its pname.
        pname: String,
        /// Write it as `packages.default`.
        default: bool,
    },
    /// A `mkShell` dev shell with the default package's build inputs.
    AddDevShell,
    /// Prefetch the source of a fetcher call whose hash is a placeholder
    /// and write the hash (network: only in `codeAction/resolve`).
    PrefetchHash {
        /// The `fake-hash` diagnostic's subject.
        subject: String,
    },
}

impl ActionRequest {
    /// The library operation this request runs; `None` for a request that
    /// needs the network first ([`ActionRequest::PrefetchHash`]).
    pub fn operation(&self) -> Option<Operation> {
        Some(match self {
            ActionRequest::FollowNixpkgs { input } => Operation::Follow {
                name: input.clone(),
                child: "nixpkgs".to_string(),
                target: None,
            },
            ActionRequest::RemoveInput { input } => Operation::RemoveInput {
                name: input.clone(),
                force: false,
            },
            ActionRequest::ToggleFlake { input } => Operation::SetFlake {
                name: input.clone(),
                value: None,
            },
            ActionRequest::PinToLocked { input } => Operation::Pin {
                name: input.clone(),
                rev: None,
            },
            ActionRequest::AddDockerImage { package, attr } => {
                Operation::AddDockerImage(AddDockerImage {
                    package: Some(package.clone()),
                    attr: attr.clone(),
                    ..AddDockerImage::default()
                })
            }
            ActionRequest::AddDunePackage { pname, default } => {
                Operation::AddDunePackage(AddDunePackage {
                    pname: pname.clone(),
                    default: *default,
                    ..AddDunePackage::default()
                })
            }
            ActionRequest::AddDevShell => Operation::AddDevShell(AddDevShell::default()),
            ActionRequest::PrefetchHash { .. } => return None,
        })
    }
}

/// The kind of a code action, as LSP names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// `quickfix`: fixes a diagnostic.
    QuickFix,
    /// `refactor.rewrite`: changes what is under the cursor.
    Rewrite,
    /// `refactor`: adds something new (prompting commands).
    Refactor,
}

/// What choosing an action does.
#[derive(Debug, Clone)]
pub enum ActionEffect {
    /// A library operation, verified when resolved.
    Operation(ActionRequest),
    /// A ready change set (a diagnostic's fix, already computed by the library).
    Changes(ChangeSet),
    /// A client-side command that prompts and then calls the server.
    Command {
        /// The client command's name.
        command: String,
    },
}

/// A code action offered at a cursor.
#[derive(Debug, Clone)]
pub struct Action {
    /// The menu title.
    pub title: String,
    /// Its kind.
    pub kind: ActionKind,
    /// What it does.
    pub effect: ActionEffect,
    /// The editor may apply it without asking (e.g. the one fix of a diagnostic).
    pub preferred: bool,
    /// Index into the diagnostics it fixes, when it is a quick fix.
    pub fixes: Option<usize>,
}

/// The client command that prompts for a flake reference and adds it.
pub const ADD_INPUT_CLIENT_COMMAND: &str = "flakeedit.addInput";
/// The client command that prompts for `owner/repo@rev` and adds a source.
pub const ADD_SOURCE_CLIENT_COMMAND: &str = "flakeedit.addSource";

/// The code actions for the byte range `range` of `file`, given its
/// [`diagnostics_of`]. Fast: computes change sets without re-parsing.
pub fn actions_at(
    file: &SourceFile,
    lock: Option<&Lock>,
    range: TextRange,
    diagnostics: &[Diagnostic],
    project: Option<&str>,
) -> Vec<Action> {
    let flake = Flake::read(file).ok();
    let listing = Listing {
        project,
        resolves: false,
    };
    actions_with_model(file, flake.as_ref(), lock, range, diagnostics, listing)
}

/// What the code-action listing knows about its client and project.
#[derive(Debug, Clone, Copy, Default)]
pub struct Listing<'a> {
    /// The project's directory name (the default dune package's name).
    pub project: Option<&'a str>,
    /// The client resolves actions (`codeAction/resolve`): the costly
    /// package actions are then offered after a cheap check that the
    /// package or image is not there yet, and their edit is computed and
    /// verified when chosen; otherwise their change set is computed while
    /// listing, so that an action that would change nothing or be refused
    /// is not offered.
    pub resolves: bool,
}

/// True for the requests whose change set costs milliseconds on a large
/// flake (they read the per-system layout, scopes and builders), and that a
/// cheap check can vet ([`vetted`]).
fn is_costly(request: &ActionRequest) -> bool {
    matches!(
        request,
        ActionRequest::AddDunePackage { .. } | ActionRequest::AddDockerImage { .. }
    )
}

/// The cheap check of a costly request: the attribute it would write is
/// not among the packages yet (an existing one is the library's no-op or
/// completion, which the menu does not offer as an addition).
fn vetted(request: &ActionRequest, packages: &[String]) -> bool {
    let attr = match request {
        ActionRequest::AddDunePackage { pname, default } => {
            if *default {
                "default"
            } else {
                pname.as_str()
            }
        }
        ActionRequest::AddDockerImage { attr, .. } => attr.as_deref().unwrap_or("dockerImage"),
        _ => return false,
    };
    !packages.iter().any(|name| name == attr)
}

/// [`actions_at`] with the file's model already read (`Flake::read`:
/// `None` when the file has syntax errors or is not a flake).
pub fn actions_with_model(
    file: &SourceFile,
    flake: Option<&Flake>,
    lock: Option<&Lock>,
    range: TextRange,
    diagnostics: &[Diagnostic],
    listing: Listing<'_>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let text = file.text();
    for (index, diagnostic) in diagnostics.iter().enumerate() {
        let Some(fix) = &diagnostic.fix else {
            continue;
        };
        // The fix is offered only if it passes the check every edit
        // passes: it parses and changes no meaning it does not announce.
        let verified = || {
            flake.as_ref().is_some_and(|flake| {
                flakeedit_flake::apply_verified(file, flake, &fix.changes, &fix.allowed).is_ok()
            })
        };
        if touches(diagnostic.range, range) && verified() {
            actions.push(Action {
                title: capitalized(&fix.title),
                kind: ActionKind::QuickFix,
                effect: ActionEffect::Changes(fix.changes.clone()),
                preferred: true,
                fixes: Some(index),
            });
        }
    }
    let placeholders: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.code == DiagnosticCode::FakeHash && touches(d.range, range))
        .collect();
    if !placeholders.is_empty() {
        let sites = placeholder_hashes(file);
        for diagnostic in placeholders {
            let site = sites.iter().find(|site| site.subject == diagnostic.subject);
            if let Some(Ok(source)) = site.map(|site| &site.source) {
                actions.push(Action {
                    title: format!("Prefetch the hash of {source}"),
                    kind: ActionKind::QuickFix,
                    effect: ActionEffect::Operation(ActionRequest::PrefetchHash {
                        subject: diagnostic.subject.clone(),
                    }),
                    preferred: true,
                    fixes: diagnostics.iter().position(|d| std::ptr::eq(d, diagnostic)),
                });
            }
        }
    }
    let Some(flake) = flake else {
        return actions;
    };
    let mut candidates = Vec::new();
    if let Some(input) = input_at(flake, range) {
        candidates.extend(input_actions(flake, lock, input));
    }
    let (package_candidates, packages) = package_actions(flake, range, listing.project);
    candidates.extend(package_candidates);
    {
        for (title, request) in candidates {
            if listing.resolves && is_costly(&request) {
                if vetted(&request, &packages) {
                    actions.push(Action {
                        title,
                        kind: ActionKind::Rewrite,
                        effect: ActionEffect::Operation(request),
                        preferred: false,
                        fixes: None,
                    });
                }
                continue;
            }
            let Some(operation) = request.operation() else {
                continue;
            };
            let Ok(changes) = operation.changes(file, flake, lock) else {
                continue;
            };
            let changes_text = changes
                .apply_unchecked(text)
                .is_ok_and(|changed| changed != text);
            // A quick fix above that does the same (e.g. check's
            // `not-following` fix) already offers this edit.
            let duplicate = actions.iter().any(|action| match &action.effect {
                ActionEffect::Changes(fix) => fix.edits() == changes.edits(),
                _ => false,
            });
            if changes_text && !duplicate {
                actions.push(Action {
                    title,
                    kind: ActionKind::Rewrite,
                    effect: ActionEffect::Operation(request),
                    preferred: false,
                    fixes: None,
                });
            }
        }
    }
    for (title, command) in [
        ("Add input…", ADD_INPUT_CLIENT_COMMAND),
        ("Add source from GitHub…", ADD_SOURCE_CLIENT_COMMAND),
    ] {
        actions.push(Action {
            title: title.to_string(),
            kind: ActionKind::Refactor,
            effect: ActionEffect::Command {
                command: command.to_string(),
            },
            preferred: false,
            fixes: None,
        });
    }
    actions
}

/// `add input …` → `Add input …`, like the other titles of the menu.
fn capitalized(title: &str) -> String {
    let mut chars = title.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn touches(a: TextRange, b: TextRange) -> bool {
    a.start() <= b.end() && b.start() <= a.end()
}

/// The actions that may apply to `input`, before checking that they change
/// anything.
fn input_actions(
    flake: &Flake,
    lock: Option<&Lock>,
    input: &InputDecl,
) -> Vec<(String, ActionRequest)> {
    let name = &input.name;
    let mut found = Vec::new();
    let is_flake = input.flake() != Some(false);
    // Following makes sense for a flake input that has a nixpkgs of its own;
    // without a lock entry, assume it might.
    let locked = lock.and_then(|lock| lock.node_of_input(name));
    let has_nixpkgs = locked.is_none_or(|(_, node)| node.inputs.contains_key("nixpkgs"));
    if name != "nixpkgs" && is_flake && has_nixpkgs && flake.input("nixpkgs").is_some() {
        found.push((
            format!("Make `{name}` follow our `nixpkgs`"),
            ActionRequest::FollowNixpkgs {
                input: name.clone(),
            },
        ));
    }
    found.push((
        format!("Remove input `{name}`"),
        ActionRequest::RemoveInput {
            input: name.clone(),
        },
    ));
    let toggle = if is_flake {
        format!("Set `flake = false` on `{name}` (a plain source)")
    } else {
        format!("Remove `flake = false` from `{name}`")
    };
    found.push((
        toggle,
        ActionRequest::ToggleFlake {
            input: name.clone(),
        },
    ));
    if let Some(rev) = locked.and_then(|(_, node)| node.rev.as_deref()) {
        let short: String = rev.chars().take(7).collect();
        found.push((
            format!("Pin `{name}` to the locked revision {short}"),
            ActionRequest::PinToLocked {
                input: name.clone(),
            },
        ));
    }
    found
}

/// Package actions: a docker image of the package under the cursor; a
/// `buildDunePackage` and a dev shell anywhere in `outputs`. Also gives the
/// names of the packages.
fn package_actions(
    flake: &Flake,
    range: TextRange,
    project: Option<&str>,
) -> (Vec<(String, ActionRequest)>, Vec<String>) {
    let mut found = Vec::new();
    let in_outputs = flake
        .outputs
        .as_ref()
        .is_some_and(|outputs| outputs.range().contains_range(range));
    if !in_outputs {
        return (found, Vec::new());
    }
    let Ok(layout) = Layout::detect(flake) else {
        return (found, Vec::new());
    };
    let names: Vec<String> = layout
        .targets
        .iter()
        .flat_map(|target| target.packages.names())
        .collect();
    let under_cursor = layout.targets.iter().find_map(|target| {
        target.packages.names().into_iter().find(|name| {
            target
                .packages
                .entry_range(name)
                .is_some_and(|entry| entry.contains_range(range))
        })
    });
    if let Some(package) = under_cursor.filter(|name| !name.to_lowercase().contains("image")) {
        let attr = (names.iter().any(|n| n == "dockerImage") || package != "default")
            .then(|| format!("{package}-image"))
            .filter(|_| package != "default");
        let shown = attr.clone().unwrap_or_else(|| "dockerImage".to_string());
        found.push((
            format!("Add a docker image `{shown}` of package `{package}`"),
            ActionRequest::AddDockerImage { package, attr },
        ));
    }
    let pname = dune_name(project.unwrap_or("app"));
    let default = !names.iter().any(|name| name == "default");
    let place = if default {
        "the default package".to_string()
    } else {
        format!("package `{pname}`")
    };
    found.push((
        format!("Add a buildDunePackage `{pname}` as {place}"),
        ActionRequest::AddDunePackage { pname, default },
    ));
    found.push((
        "Add a dev shell with the default package's build inputs".to_string(),
        ActionRequest::AddDevShell,
    ));
    (found, names)
}

/// A dune package name from a directory name: lowercase letters, digits
/// and `_`.
fn dune_name(directory: &str) -> String {
    let name: String = directory
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    match name.chars().next() {
        Some(first) if first.is_ascii_lowercase() => name,
        _ => format!("app_{name}"),
    }
}

/// The input whose declaration, or outputs argument, contains `range`.
fn input_at(flake: &Flake, range: TextRange) -> Option<&InputDecl> {
    let declared = flake.inputs.iter().find(|input| {
        input.bindings.iter().any(|binding| {
            let node = binding.range();
            node.contains_range(range) || (range.is_empty() && node.end() == range.start())
        })
    });
    if declared.is_some() {
        return declared;
    }
    let formal = flake
        .outputs
        .as_ref()?
        .formals()
        .into_iter()
        .find(|formal| formal.range.contains_range(range) || formal.range.end() == range.start())?;
    flake.input(&formal.name)
}

/// Computes and verifies the edit of `request` on `text` with
/// [`flakeedit_flake::run`]. An empty change set means nothing to do.
pub fn resolve(
    text: &str,
    lock: Option<&Lock>,
    request: &ActionRequest,
) -> Result<ChangeSet, FlakeError> {
    let operation = request.operation().ok_or_else(|| {
        FlakeError::new(
            ErrorKind::Unsupported,
            "this action needs the network; the server resolves it separately",
        )
    })?;
    let result = flakeedit_flake::run(&operation, text, lock)?;
    Ok(result.changes)
}

/// The placeholder-hash fetch sites of `text` with `subject` (what a
/// [`ActionRequest::PrefetchHash`] prefetches).
pub fn placeholder_sites(text: &str, subject: &str) -> Vec<FetchSite> {
    placeholder_hashes(&SourceFile::parse(text))
        .into_iter()
        .filter(|site| site.subject == subject)
        .collect()
}

/// Runs `operation` (from a command) on `text`, verified like [`resolve`].
pub fn run_operation(
    text: &str,
    lock: Option<&Lock>,
    operation: &Operation,
) -> Result<ChangeSet, FlakeError> {
    if text.len() > crate::documents::MAX_ANALYZED_BYTES {
        return Err(FlakeError::new(
            ErrorKind::Unsupported,
            "the document is too large for flakeedit to edit",
        ));
    }
    let result = flakeedit_flake::run(operation, text, lock)?;
    Ok(result.changes)
}

/// The offset just after `text`'s last byte, as a range (for diagnostics
/// about the whole file).
pub fn start_of_file() -> TextRange {
    TextRange::empty(TextSize::from(0))
}

#[cfg(test)]
mod tests;
