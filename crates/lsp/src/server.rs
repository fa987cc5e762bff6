//! The `LanguageServer` implementation and the service wrapper that applies
//! document changes in wire order. Its `commands` submodule runs
//! `workspace/executeCommand`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use flakeedit_flake::DiagnosticCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower::Service;
use tower_lsp_server::jsonrpc::{self, Request, Response};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, ExitedError, LanguageServer, LspService};

use crate::analysed::Published;
use crate::analysis::{self, ActionEffect, ActionKind, ActionRequest, Severity};
use crate::client::{workspace_edit, ClientFeatures};
use crate::documents::{
    ChangeOutcome, Document, Documents, MAX_ANALYZED_BYTES, MAX_DIAGNOSED_BYTES,
};
use crate::encoding::{LineMap, PositionEncoding};
use crate::features;
use crate::lockfile::{LockCache, LockState};

/// State shared by the ordered wrapper and the handlers. Every lock here is
/// a plain mutex held only for synchronous work, never across an `await`.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    documents: Mutex<Documents>,
    features: Mutex<ClientFeatures>,
    settings: Mutex<commands::Settings>,
    reading: Mutex<features::Settings>,
    locks: Mutex<LockCache>,
    /// What "Check for updates" found, per document.
    updates: Mutex<updates::Updates>,
    /// The last version whose diagnostics were published, per document;
    /// an async mutex because it is held across the publish.
    published: tokio::sync::Mutex<HashMap<Uri, i32>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere never leaves these structures half-updated (every
    // update is a single insert or assignment), so a poisoned lock is usable.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn features(&self) -> ClientFeatures {
        *lock(&self.features)
    }

    pub(crate) fn settings(&self) -> commands::Settings {
        lock(&self.settings).clone()
    }

    pub(crate) fn document(&self, uri: &Uri) -> Option<Document> {
        lock(&self.documents).get(uri).cloned()
    }

    pub(crate) fn lock_state(&self, uri: &Uri) -> LockState {
        match uri.to_file_path() {
            Some(path) => lock(&self.locks).lock_for(&path),
            None => LockState::Missing,
        }
    }

    /// Applies a document notification synchronously (called in wire order).
    fn apply_notification(&self, request: &Request) -> Option<ChangeOutcome> {
        let params = request.params()?.clone();
        let encoding = self.features().encoding;
        let mut documents = lock(&self.documents);
        match request.method() {
            "textDocument/didOpen" => Some(documents.open(serde_json::from_value(params).ok()?)),
            "textDocument/didChange" => {
                Some(documents.change(serde_json::from_value(params).ok()?, encoding))
            }
            "textDocument/didClose" => {
                documents.close(serde_json::from_value(params).ok()?);
                None
            }
            _ => None,
        }
    }
}

/// Wraps the LSP service so that document notifications are applied in
/// the order they arrived: the transport calls `call` once per message, in
/// order, while it runs the returned futures concurrently.
pub struct OrderedService {
    inner: LspService<Backend>,
    shared: Arc<Shared>,
}

impl OrderedService {
    /// A new server, and the socket the transport uses to reach the client.
    pub fn new() -> (OrderedService, tower_lsp_server::ClientSocket) {
        let shared = Arc::new(Shared::default());
        let for_backend = Arc::clone(&shared);
        let (inner, socket) = LspService::build(move |client| Backend {
            client,
            shared: for_backend,
        })
        .custom_method(crate::framing::PARSE_ERROR_METHOD, Backend::parse_error)
        .custom_method(
            crate::framing::INVALID_REQUEST_METHOD,
            Backend::invalid_request,
        )
        .finish();
        (OrderedService { inner, shared }, socket)
    }
}

impl Service<Request> for OrderedService {
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, ExitedError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ExitedError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match request.method() {
            "initialize" => {
                if let Some(params) = request
                    .params()
                    .and_then(|p| serde_json::from_value::<InitializeParams>(p.clone()).ok())
                {
                    *lock(&self.shared.features) = ClientFeatures::from_params(&params);
                    if let Some(options) = &params.initialization_options {
                        let mut reading = lock(&self.shared.reading);
                        *reading = reading.updated(options);
                    }
                    if let Some(options) = params
                        .initialization_options
                        .and_then(|options| serde_json::from_value(options).ok())
                    {
                        *lock(&self.shared.settings) = options;
                    }
                }
            }
            "textDocument/didOpen" | "textDocument/didChange" | "textDocument/didClose" => {
                if let Some(ChangeOutcome::Ignored(reason)) =
                    self.shared.apply_notification(&request)
                {
                    eprintln!("flakeedit lsp: {reason}");
                }
            }
            _ => {}
        }
        Box::pin(self.inner.call(request))
    }
}

/// The language server.
#[derive(Debug)]
pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
}

/// The server-side command that adds an input (arguments: one object,
/// `{ uri, answer }` with the raw answer, or `{ uri, url, name, follows, noFlake }`).
pub const ADD_INPUT_COMMAND: &str = "flakeedit.server.addInput";

/// The server-side command that adds a source from GitHub (arguments: one
/// object, `{ uri, spec, name, version, depOf, noDep }`); it resolves and
/// prefetches, with progress.
pub const ADD_SOURCE_COMMAND: &str = "flakeedit.server.addSource";

/// What a code action's `data` carries to `codeAction/resolve`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ResolveData {
    uri: Uri,
    #[serde(flatten)]
    request: ActionRequest,
}

/// "The request failed" (LSP's `RequestFailed`), with a message for people.
pub(crate) fn request_failed(message: impl Into<String>) -> jsonrpc::Error {
    jsonrpc::Error {
        code: jsonrpc::ErrorCode::ServerError(-32803),
        message: message.into().into(),
        data: None,
    }
}

/// Runs synchronous analysis, turning a panic (a bug) into `None` so one
/// bad file never takes the server down.
pub(crate) fn shielded<T>(work: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok()
}

/// [`shielded`], with the files beside the document on disk readable as
/// the CLI reads them: the names an imported `./pkgs` defines, and the
/// `.nix` files that may read an input through flake.lock (see
/// `flakeedit_flake::imports`). A document with no file path reads none.
fn shielded_beside<T>(uri: &Uri, work: impl FnOnce() -> T) -> Option<T> {
    match uri.to_file_path() {
        Some(path) => shielded(|| flakeedit_flake::imports::beside(&path, work)),
        None => shielded(work),
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// At most this many of a document's diagnostics are published: a file with
/// tens of thousands (a generated flake, every input unused) would
/// otherwise send megabytes to the editor after every keystroke, more than
/// anyone reads; one `too-many-diagnostics` says how many there are.
pub const MAX_PUBLISHED_DIAGNOSTICS: usize = 1000;

/// Which diagnostics are published first: errors, then warnings, then the rest.
fn rank(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Information => 2,
        Severity::Hint => 3,
    }
}

/// The diagnostics of a document, converted to LSP; `analysed` are the
/// library's diagnostics when the caller already computed them. With
/// `capped`, at most [`MAX_PUBLISHED_DIAGNOSTICS`] of them (errors first,
/// each severity in file order) and a `too-many-diagnostics`; without,
/// the LSP list ends with one diagnostic for each of the library's, in
/// their order (code actions match them by position).
pub(crate) fn lsp_diagnostics(
    document: &Document,
    lock_state: &LockState,
    encoding: PositionEncoding,
    analysed: Option<Published>,
    capped: bool,
) -> (Rc<Vec<analysis::Diagnostic>>, Vec<Diagnostic>) {
    let text = &document.text;
    let mut lsp = Vec::new();
    if let LockState::Invalid(message) = lock_state {
        lsp.push(Diagnostic {
            range: Range::default(),
            severity: Some(severity(Severity::of(
                DiagnosticCode::UnreadableLock.severity(),
            ))),
            code: Some(NumberOrString::String(
                DiagnosticCode::UnreadableLock.as_str().into(),
            )),
            source: Some("flakeedit".into()),
            message: format!("flake.lock is ignored: {message}"),
            ..Diagnostic::default()
        });
    }
    if text.len() > MAX_DIAGNOSED_BYTES {
        lsp.push(Diagnostic {
            range: Range::default(),
            severity: Some(severity(Severity::of(DiagnosticCode::TooLarge.severity()))),
            code: Some(NumberOrString::String(
                DiagnosticCode::TooLarge.as_str().into(),
            )),
            source: Some("flakeedit".into()),
            message: format!(
                "this file is larger than {MAX_DIAGNOSED_BYTES} bytes; flakeedit does not analyse it"
            ),
            ..Diagnostic::default()
        });
        return (Rc::default(), lsp);
    }
    let published = match analysed {
        Some(found) => found,
        None => Published::Checked(Rc::new(
            shielded(|| analysis::diagnostics(text, lock_state.lock())).unwrap_or_default(),
        )),
    };
    // After the size check: a line table of a file too large to analyse
    // would be most of the cost of refusing it.
    let map = LineMap::new(text, encoding);
    // How many of each severity are published.
    let mut counts = [0usize; 4];
    published.each(|_, found_severity, _, _| counts[rank(found_severity)] += 1);
    let total: usize = counts.iter().sum();
    let mut allowed = counts;
    if capped && total > MAX_PUBLISHED_DIAGNOSTICS {
        let mut budget = MAX_PUBLISHED_DIAGNOSTICS;
        for allowed in &mut allowed {
            *allowed = (*allowed).min(budget);
            budget -= *allowed;
        }
        lsp.push(Diagnostic {
            range: Range::default(),
            severity: Some(severity(Severity::of(
                DiagnosticCode::TooManyDiagnostics.severity(),
            ))),
            code: Some(NumberOrString::String(
                DiagnosticCode::TooManyDiagnostics.as_str().into(),
            )),
            source: Some("flakeedit".into()),
            message: format!(
                "this file has {total} diagnostics; the first {MAX_PUBLISHED_DIAGNOSTICS} are \
                 shown, errors first (`flakeedit check` lists them all)"
            ),
            ..Diagnostic::default()
        });
    }
    published.each(|range, found_severity, code, message| {
        let allowed = &mut allowed[rank(found_severity)];
        if *allowed == 0 {
            return;
        }
        *allowed -= 1;
        lsp.push(Diagnostic {
            range: map.range(text, range),
            severity: Some(severity(found_severity)),
            code: Some(NumberOrString::String(code.as_str().into())),
            source: Some("flakeedit".into()),
            message: message.to_string(),
            ..Diagnostic::default()
        })
    });
    let found = match published {
        Published::Checked(found) => found,
        Published::Unfixed(_) => Rc::default(),
    };
    (found, lsp)
}

impl Backend {
    /// The open document at `uri`, when it is a `flake.nix`.
    fn flake_document(&self, uri: &Uri) -> Option<Document> {
        if !features::is_flake_uri(uri) {
            return None;
        }
        self.shared.document(uri)
    }

    /// Runs a reading feature on the open `flake.nix` at `uri`, given its
    /// `flake.lock` and the negotiated encoding, behind the panic shield;
    /// `None` for any other file.
    fn read<T>(
        &self,
        uri: &Uri,
        feature: impl FnOnce(&Document, Option<&flakeedit_flake::Lock>, PositionEncoding) -> Option<T>,
    ) -> Option<T> {
        let document = self.flake_document(uri)?;
        let lock_state = self.shared.lock_state(uri);
        let encoding = self.shared.features().encoding;
        shielded(|| feature(&document, lock_state.lock(), encoding)).flatten()
    }

    /// The answer to a message that was not JSON (see [`crate::framing`]).
    async fn parse_error(&self) -> jsonrpc::Result<Value> {
        Err(jsonrpc::Error::parse_error())
    }

    /// The answer to JSON that was not a JSON-RPC message.
    async fn invalid_request(&self) -> jsonrpc::Result<Value> {
        Err(jsonrpc::Error::invalid_request())
    }

    /// Publishes the diagnostics of the current version of `uri`, unless a
    /// newer version was published (or is current) in the meantime.
    async fn publish(&self, uri: Uri) {
        let Some(document) = self.flake_document(&uri) else {
            return;
        };
        let lock_state = self.shared.lock_state(&uri);
        let found = shielded(|| {
            crate::analysed::analysed(&document)
                .map(|analysed| analysed.published(lock_state.shared()))
        })
        .flatten();
        let encoding = self.shared.features().encoding;
        let (_, mut diagnostics) = lsp_diagnostics(&document, &lock_state, encoding, found, true);
        let available = lock(&self.shared.updates).get(&uri);
        diagnostics.extend(
            shielded(|| updates::diagnostics(&document, &available, encoding)).unwrap_or_default(),
        );
        let mut published = self.shared.published.lock().await;
        let current = self.shared.document(&uri).map(|d| d.version);
        let newer_published = published.get(&uri).is_some_and(|v| *v >= document.version);
        if current != Some(document.version) || newer_published {
            return;
        }
        self.client
            .publish_diagnostics(uri.clone(), diagnostics, Some(document.version))
            .await;
        published.insert(uri, document.version);
    }

    fn code_actions(&self, params: CodeActionParams) -> Option<CodeActionResponse> {
        let uri = params.text_document.uri;
        let document = self.flake_document(&uri)?;
        let features = self.shared.features();
        let lock_state = self.shared.lock_state(&uri);
        let text = &document.text;
        if text.len() > MAX_ANALYZED_BYTES {
            return Some(Vec::new());
        }
        let map = LineMap::new(text, features.encoding);
        let range = map.text_range(text, params.range);
        let project = uri.to_file_path().and_then(|path| {
            let directory = path.parent()?.file_name()?;
            Some(directory.to_string_lossy().into_owned())
        });
        // The parse, model and diagnostics of this version, as the
        // diagnostics pass left them.
        let (found, actions) = shielded_beside(&uri, || {
            let analysed = crate::analysed::analysed(&document)?;
            let found = analysed.diagnostics(lock_state.shared());
            let listing = analysis::Listing {
                project: project.as_deref(),
                resolves: features.resolve_edit,
            };
            let actions = analysis::actions_with_model(
                analysed.file(),
                analysed.flake(false),
                lock_state.lock(),
                range,
                &found,
                listing,
            );
            Some((found, actions))
        })
        .flatten()?;
        let (found, lsp) = lsp_diagnostics(
            &document,
            &lock_state,
            features.encoding,
            Some(Published::Checked(found)),
            false,
        );
        let offset = lsp.len() - found.len();
        let only = params.context.only.unwrap_or_default();
        let mut response = Vec::new();
        for action in actions {
            let kind = match action.kind {
                ActionKind::QuickFix => CodeActionKind::QUICKFIX,
                ActionKind::Rewrite => CodeActionKind::REFACTOR_REWRITE,
                ActionKind::Refactor => CodeActionKind::REFACTOR,
            };
            if !only.is_empty() && !only.iter().any(|o| kind.as_str().starts_with(o.as_str())) {
                continue;
            }
            let mut code_action = CodeAction {
                title: action.title,
                kind: Some(kind),
                is_preferred: action.preferred.then_some(true),
                diagnostics: action
                    .fixes
                    .and_then(|index| lsp.get(index + offset).cloned())
                    .map(|d| vec![d]),
                ..CodeAction::default()
            };
            match action.effect {
                ActionEffect::Changes(changes) => {
                    code_action.edit = Some(workspace_edit(&uri, &document, &changes, features));
                }
                ActionEffect::Operation(request) => {
                    if matches!(request, ActionRequest::PrefetchHash { .. })
                        && !features.resolve_edit
                    {
                        // Listing must not download; without resolve the
                        // client runs `flakeedit fix-hashes` instead.
                        continue;
                    }
                    if features.resolve_edit {
                        code_action.data = serde_json::to_value(ResolveData {
                            uri: uri.clone(),
                            request,
                        })
                        .ok();
                    } else {
                        let lock = lock_state.lock();
                        match shielded_beside(&uri, || analysis::resolve(text, lock, &request)) {
                            Some(Ok(changes)) if !changes.is_empty() => {
                                code_action.edit =
                                    Some(workspace_edit(&uri, &document, &changes, features));
                            }
                            _ => continue,
                        }
                    }
                }
                ActionEffect::Command { command } => {
                    let runs = match command.as_str() {
                        analysis::ADD_INPUT_CLIENT_COMMAND => features.add_input_prompt,
                        analysis::ADD_SOURCE_CLIENT_COMMAND => features.add_source_prompt,
                        _ => false,
                    };
                    if !runs {
                        continue;
                    }
                    code_action.command = Some(Command {
                        title: code_action.title.clone(),
                        command,
                        arguments: Some(vec![Value::String(uri.as_str().to_string())]),
                    });
                }
            }
            response.push(CodeActionOrCommand::CodeAction(code_action));
        }
        if only.is_empty()
            || only
                .iter()
                .any(|o| CodeActionKind::QUICKFIX.as_str().starts_with(o.as_str()))
        {
            let available = lock(&self.shared.updates).get(&uri);
            let updates = shielded(|| {
                updates::actions(&uri, &document, &lock_state, &available, range, features)
            })
            .unwrap_or_default();
            response.extend(updates.into_iter().map(CodeActionOrCommand::CodeAction));
        }
        Some(response)
    }

    /// Resolves "Prefetch the hash": downloads on a blocking thread, then
    /// writes the hash with the library's `fix-hashes` operation.
    async fn resolve_prefetch(
        &self,
        mut action: CodeAction,
        uri: Uri,
        subject: String,
    ) -> jsonrpc::Result<CodeAction> {
        let document = self
            .shared
            .document(&uri)
            .ok_or_else(|| request_failed(format!("{} is not open", uri.as_str())))?;
        let sites =
            shielded(|| analysis::placeholder_sites(&document.text, &subject)).unwrap_or_default();
        if sites.is_empty() {
            return Err(request_failed(format!(
                "no placeholder hash for {subject} any more; ask for the code actions again"
            )));
        }
        let client = self.shared.settings().client().map_err(request_failed)?;
        let hashes = tokio::task::spawn_blocking(move || {
            flakeedit_flake::sources::prefetch_sites(&client, &sites)
        })
        .await
        .map_err(|_| request_failed("internal error while prefetching"))?
        .map_err(|error| request_failed(error.to_string()))?;
        // The document may have changed during the download: edit the
        // current text, whose version the edit carries.
        let document = self
            .shared
            .document(&uri)
            .ok_or_else(|| request_failed(format!("{} is not open", uri.as_str())))?;
        let lock_state = self.shared.lock_state(&uri);
        let operation = flakeedit_flake::Operation::FixHashes(flakeedit_flake::FixHashes {
            hashes,
            convert_legacy: false,
        });
        let changes = shielded_beside(&uri, || {
            analysis::run_operation(&document.text, lock_state.lock(), &operation)
        })
        .ok_or_else(|| request_failed("internal error while computing the edit"))?
        .map_err(|error| request_failed(error.to_string()))?;
        action.edit = Some(workspace_edit(
            &uri,
            &document,
            &changes,
            self.shared.features(),
        ));
        Ok(action)
    }

    fn resolve_action(&self, mut action: CodeAction) -> jsonrpc::Result<CodeAction> {
        let Some(data) = action
            .data
            .clone()
            .and_then(|data| serde_json::from_value::<ResolveData>(data).ok())
        else {
            return Ok(action);
        };
        let document = self
            .shared
            .document(&data.uri)
            .ok_or_else(|| request_failed(format!("{} is not open", data.uri.as_str())))?;
        let lock_state = self.shared.lock_state(&data.uri);
        let features = self.shared.features();
        let changes = shielded_beside(&data.uri, || {
            analysis::resolve(&document.text, lock_state.lock(), &data.request)
        })
        .ok_or_else(|| request_failed("internal error while computing the edit"))?
        .map_err(|error| request_failed(error.to_string()))?;
        action.edit = Some(workspace_edit(&data.uri, &document, &changes, features));
        Ok(action)
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, _: InitializeParams) -> jsonrpc::Result<InitializeResult> {
        let features = self.shared.features();
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(features.encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::REFACTOR,
                            CodeActionKind::REFACTOR_REWRITE,
                        ]),
                        resolve_provider: Some(true),
                        ..CodeActionOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".into(), "\"".into(), "/".into()]),
                    ..CompletionOptions::default()
                }),
                definition_provider: Some(OneOf::Left(true)),
                document_link_provider: Some(DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                inlay_hint_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })),
                document_symbol_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: commands::server_commands(),
                    ..ExecuteCommandOptions::default()
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "flakeedit".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if !self.shared.features().watch_files {
            return;
        }
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/flake.lock".into()),
                kind: None,
            }],
        };
        let registration = Registration {
            id: "flakeedit-flake-lock".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(error) = self.client.register_capability(vec![registration]).await {
            eprintln!("flakeedit lsp: could not watch flake.lock files: {error}");
        }
    }

    async fn hover(&self, params: HoverParams) -> jsonrpc::Result<Option<Hover>> {
        let position = params.text_document_position_params;
        Ok(
            self.read(&position.text_document.uri, |document, lock, encoding| {
                features::hover(document, lock, encoding, position.position, features::now())
            }),
        )
    }

    async fn completion(
        &self,
        params: CompletionParams,
    ) -> jsonrpc::Result<Option<CompletionResponse>> {
        let position = params.text_document_position;
        Ok(
            self.read(&position.text_document.uri, |document, lock, encoding| {
                features::completion(document, lock, encoding, position.position)
            }),
        )
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let mut reading = lock(&self.shared.reading);
        *reading = reading.updated(&params.settings);
    }

    async fn document_link(
        &self,
        params: DocumentLinkParams,
    ) -> jsonrpc::Result<Option<Vec<DocumentLink>>> {
        let uri = params.text_document.uri;
        Ok(self.read(&uri, |document, _, encoding| {
            features::document_links(&uri, document, encoding)
        }))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> jsonrpc::Result<Option<Vec<InlayHint>>> {
        let enabled = lock(&self.shared.reading).inlay_hints;
        Ok(
            self.read(&params.text_document.uri, |document, lock, encoding| {
                if !enabled {
                    return Some(Vec::new());
                }
                features::inlay_hints(document, lock, encoding, params.range, features::now())
            }),
        )
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> jsonrpc::Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        let uri = position.text_document.uri;
        Ok(self.read(&uri, |document, lock, encoding| {
            features::definition(&uri, document, lock, encoding, position.position)
        }))
    }

    async fn references(&self, params: ReferenceParams) -> jsonrpc::Result<Option<Vec<Location>>> {
        let position = params.text_document_position;
        let uri = position.text_document.uri;
        let declarations = params.context.include_declaration;
        Ok(self.read(&uri, |document, _, encoding| {
            features::references(&uri, document, encoding, position.position, declarations)
        }))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> jsonrpc::Result<Option<PrepareRenameResponse>> {
        Ok(
            self.read(&params.text_document.uri, |document, _, encoding| {
                features::prepare_rename(document, encoding, params.position)
            }),
        )
    }

    async fn rename(&self, params: RenameParams) -> jsonrpc::Result<Option<WorkspaceEdit>> {
        let position = params.text_document_position;
        let uri = position.text_document.uri;
        let Some(document) = self.flake_document(&uri) else {
            return Ok(None);
        };
        let lock_state = self.shared.lock_state(&uri);
        let features = self.shared.features();
        let result = shielded(|| {
            features::rename(
                &uri,
                &document,
                lock_state.lock(),
                features,
                position.position,
                &params.new_name,
            )
        })
        .ok_or_else(|| request_failed("internal error while renaming"))?;
        result.map_err(|error| {
            let at = error
                .range
                .map(|range| {
                    let lines = flakeedit_syntax::LineIndex::new(&document.text);
                    format!("{}: ", lines.line_col(&document.text, range.start()))
                })
                .unwrap_or_default();
            let hint = error
                .hint
                .map(|hint| format!(" ({hint})"))
                .unwrap_or_default();
            request_failed(format!("{at}{}{hint}", error.message))
        })
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> jsonrpc::Result<Option<DocumentSymbolResponse>> {
        Ok(
            self.read(&params.text_document.uri, |document, _, encoding| {
                features::document_symbols(document, encoding)
            }),
        )
    }

    async fn shutdown(&self) -> jsonrpc::Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        // The text was stored in wire order by `OrderedService`.
        self.publish(params.text_document.uri).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.publish(params.text_document.uri).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        crate::analysed::forget_all();
        self.shared.published.lock().await.remove(&uri);
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        lock(&self.shared.locks).clear();
        let uris = lock(&self.shared.documents).uris();
        for uri in uris {
            // Same version, new lock: allow republishing it.
            self.shared.published.lock().await.remove(&uri);
            self.publish(uri).await;
        }
    }

    async fn code_action(
        &self,
        params: CodeActionParams,
    ) -> jsonrpc::Result<Option<CodeActionResponse>> {
        Ok(self.code_actions(params))
    }

    async fn code_action_resolve(&self, action: CodeAction) -> jsonrpc::Result<CodeAction> {
        let prefetch = action
            .data
            .clone()
            .and_then(|data| serde_json::from_value::<ResolveData>(data).ok())
            .and_then(|data| match data.request {
                ActionRequest::PrefetchHash { subject } => Some((data.uri, subject)),
                _ => None,
            });
        match prefetch {
            Some((uri, subject)) => self.resolve_prefetch(action, uri, subject).await,
            None => self.resolve_action(action),
        }
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> jsonrpc::Result<Option<LSPAny>> {
        if params.command == updates::CHECK_UPDATES_COMMAND {
            return self.check_for_updates(params).await;
        }
        commands::execute(&self.client, &self.shared, params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> jsonrpc::Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let Some(document) = self.flake_document(&uri) else {
            return Ok(None);
        };
        let encoding = self.shared.features().encoding;
        Ok(shielded(|| updates::lenses(&uri, &document, encoding)))
    }
}

mod commands;
mod updates;

#[cfg(test)]
mod tests;
