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
