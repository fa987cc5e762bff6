//! The ordering guarantee of `OrderedService`.

use futures::StreamExt;
use serde_json::json;
use tower::ServiceExt;

use super::*;

fn notification(method: &'static str, params: Value) -> Request {
    Request::build(method).params(params).finish()
}

/// The transport calls the service once per message in wire order but
/// runs the handlers' futures concurrently; here they even run in
/// reverse order, and the document still ends as the changes say.
#[tokio::test]
async fn changes_apply_in_wire_order_whatever_order_the_handlers_run() {
    let (mut service, socket) = OrderedService::new();
    tokio::spawn(socket.for_each(|_| async {}));
    let initialize = Request::build("initialize")
        .id(1)
        .params(json!({ "capabilities": {} }))
        .finish();
    let response = service.ready().await.unwrap().call(initialize).await;
    assert!(response.unwrap().is_some_and(|r| r.is_ok()));
    service
        .ready()
        .await
        .unwrap()
        .call(notification("initialized", json!({})))
        .await
        .unwrap();
    let uri = "file:///ordering/flake.nix";
    let mut pending = vec![service.call(notification(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "nix", "version": 1, "text": "" } }),
    ))];
    let mut expected = String::new();
    for index in 0..300u32 {
        // Each change inserts at the end of the previous text, so any
        // reordering would scramble the digits. Versions may skip, as
        // Neovim's changedtick does.
        let digit = char::from(b'0' + (index % 10) as u8);
        let position = json!({ "line": 0, "character": expected.len() });
        expected.push(digit);
        pending.push(service.call(notification(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": 2 + index * 2 },
                "contentChanges": [{ "range": { "start": position, "end": position }, "text": digit.to_string() }],
            }),
        )));
    }
    // A stale change in the middle of the burst is ignored.
    pending.push(service.call(notification(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [{ "text": "stale" }] }),
    )));
    for handler in pending.into_iter().rev() {
        handler.await.unwrap();
    }
    let uri: Uri = uri.parse().unwrap();
    let document = service.shared.document(&uri).unwrap();
    assert_eq!(document.text, expected);
    assert_eq!(document.version, 2 + 299 * 2);
}

/// A document with more diagnostics than are published gets the first
/// ones, errors before warnings, and one that says how many there are;
/// the code-action listing still sees them all.
#[test]
fn published_diagnostics_are_capped_errors_first() {
    let mut text = String::from("{\n  inputs = {\n");
    let inputs = MAX_PUBLISHED_DIAGNOSTICS + 200;
    for index in 0..inputs {
        text.push_str(&format!("    dep{index}.url = \"github:o/dep{index}\";\n"));
    }
    // The undeclared uses are errors, after all the unused-input warnings.
    text.push_str("  };\n  outputs = { self, ... }@inputs: [ inputs.gone inputs.lost ];\n}\n");
    let document = Document::new(text.as_str(), 1);
    let encoding = PositionEncoding::Utf16;
    let (_, capped) = lsp_diagnostics(&document, &LockState::Missing, encoding, None, true);
    assert_eq!(capped.len(), MAX_PUBLISHED_DIAGNOSTICS + 1);
    let code = |d: &Diagnostic| match &d.code {
        Some(NumberOrString::String(code)) => code.clone(),
        _ => String::new(),
    };
    assert_eq!(code(&capped[0]), "too-many-diagnostics");
    let total = inputs + 2;
    assert!(
        capped[0]
            .message
            .contains(&format!("has {total} diagnostics")),
        "{}",
        capped[0].message
    );
    let errors: Vec<String> = capped
        .iter()
        .filter(|d| d.severity == Some(DiagnosticSeverity::ERROR))
        .map(code)
        .collect();
    assert_eq!(errors, ["undeclared-input", "undeclared-input"]);
    assert!(capped[1..]
        .iter()
        .all(|d| matches!(code(d).as_str(), "undeclared-input" | "unused-input")));
    let (found, all) = lsp_diagnostics(&document, &LockState::Missing, encoding, None, false);
    assert_eq!(all.len(), total);
    assert_eq!(found.len(), total);
}
