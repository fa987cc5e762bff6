//! Latency of the language server on a ~1,500-line flake: code-action
//! listing at a cursor, a change followed by its diagnostics, hover on an
//! input's use and completion of a follows target; then a one-character
//! change and its diagnostics on a 5 MB flake (about 85,000 inputs, each
//! unused): opening it, a change in an input's name (re-checked alone,
//! 85,000 diagnostics moved, 1,000 published) and a change in the outputs
//! (the body's uses read again, the inputs it names re-checked); then the
//! same with a `flake.lock` beside it that locks every input.
//! In-process, through the same service the stdio server runs.
//!
//!     cargo run --release -p flakeedit-lsp --example latency [ITERATIONS]

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{json, Value};
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;

use flakeedit_lsp::OrderedService;

/// A flake with `inputs` inputs and `packages` dune packages under flake-parts.
fn big_flake(inputs: usize, packages: usize) -> String {
    let mut text = String::from("{\n  description = \"A large flake\";\n\n  inputs = {\n");
    text.push_str("    nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n");
    text.push_str("    flake-parts.url = \"github:hercules-ci/flake-parts\";\n");
    for index in 0..inputs {
        text.push_str(&format!(
            "    # Input number {index}.\n    dep{index} = {{\n      url = \"github:example/dep{index}\";\n      inputs.nixpkgs.follows = \"nixpkgs\";\n    }};\n"
        ));
    }
    text.push_str("  };\n\n  outputs = inputs@{ flake-parts, ... }:\n    flake-parts.lib.mkFlake { inherit inputs; } {\n");
    text.push_str("      systems = [ \"x86_64-linux\" \"aarch64-linux\" ];\n");
    text.push_str("      perSystem = { config, self', inputs', pkgs, system, ... }:\n        let\n          inherit (pkgs.ocamlPackages) buildDunePackage;\n          version = \"0.0.1\";\n        in\n        {\n          packages = {\n");
    for index in 0..packages {
        text.push_str(&format!(
            "            pkg{index} = buildDunePackage {{\n              inherit version;\n              pname = \"pkg{index}\";\n              buildInputs = [ inputs'.dep{index}.packages.default ];\n              src = ./pkg{index};\n            }};\n"
        ));
    }
    text.push_str("          };\n        };\n    };\n}\n");
    text
}

/// A flake of about `bytes` bytes of one-line inputs.
fn huge_flake(bytes: usize) -> String {
    let mut text = String::from("{\n  inputs = {\n");
    let mut index = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "    dep{index}.url = \"github:example/dep{index}\";\n"
        ));
        index += 1;
    }
    text.push_str("  };\n  outputs = inputs: { };\n}\n");
    text
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<40} n={:<5} p50={:>8.3} ms  p99={:>8.3} ms  max={:>8.3} ms",
        samples.len(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

async fn call(service: &mut OrderedService, request: Request) -> Option<Value> {
    let response = service.ready().await.ok()?.call(request).await.ok()??;
    let (_, result) = response.into_parts();
    result.ok()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(500);
    let text = big_flake(156, 115);
    println!(
        "flake: {} lines, {} bytes; {iterations} iterations",
        text.lines().count(),
        text.len()
    );
    let (mut service, socket) = OrderedService::new();
    tokio::spawn(socket.for_each(|_| async {}));
    let capabilities = json!({ "textDocument": { "codeAction": {
        "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix", "refactor"] } },
        "resolveSupport": { "properties": ["edit"] } } } });
    call(
        &mut service,
        Request::build("initialize")
            .id(1)
            .params(json!({ "capabilities": capabilities }))
            .finish(),
    )
    .await;
    call(
        &mut service,
        Request::build("initialized").params(json!({})).finish(),
    )
    .await;
    let uri = "file:///bench/project/flake.nix";
    call(
        &mut service,
        Request::build("textDocument/didOpen")
            .params(json!({ "textDocument": { "uri": uri, "languageId": "nix", "version": 1, "text": text } }))
            .finish(),
    )
    .await;
    let input_line = text
        .lines()
        .position(|l| l.contains("dep75 = {"))
        .unwrap_or(0);
    let package_line = text
        .lines()
        .position(|l| l.contains("pname = \"pkg50\""))
        .unwrap_or(0);

    let use_line = text
        .lines()
        .position(|l| l.contains("inputs'.dep50.packages"))
        .unwrap_or(0);
    let use_character = text
        .lines()
        .nth(use_line)
        .and_then(|l| l.find("dep50"))
        .unwrap_or(0);
    let follows_line = input_line + 2;
    let follows_character = text
        .lines()
        .nth(follows_line)
        .and_then(|l| l.find("\"nixpkgs\""))
        .map_or(0, |index| index + 1);
    let mut hovering = Vec::new();
    let mut completing = Vec::new();
    let mut listing = Vec::new();
    let mut package_listing = Vec::new();
    let mut resolving = Vec::new();
    let mut changing = Vec::new();
    for iteration in 0..iterations {
        let id = 10 + iteration as i64 * 4;
        // A change (a comment edit) and its diagnostics pass.
        let position = json!({ "line": 1, "character": 18 });
        let started = Instant::now();
        call(
            &mut service,
            Request::build("textDocument/didChange")
                .params(json!({
                    "textDocument": { "uri": uri, "version": 2 + iteration },
                    "contentChanges": [{ "range": { "start": position, "end": position }, "text": if iteration % 2 == 0 { "x" } else { "" } }],
                }))
                .finish(),
        )
        .await;
        changing.push(started.elapsed());

        for (line, samples) in [
            (input_line, &mut listing),
            (package_line, &mut package_listing),
        ] {
            let cursor = json!({ "line": line, "character": 6 });
            let started = Instant::now();
            let actions = call(
                &mut service,
                Request::build("textDocument/codeAction")
                    .id(id)
                    .params(json!({
                        "textDocument": { "uri": uri },
                        "range": { "start": cursor, "end": cursor },
                        "context": { "diagnostics": [] },
                    }))
                    .finish(),
            )
            .await;
            samples.push(started.elapsed());
            if line == input_line {
                let Some(action) = actions.as_ref().and_then(|a| a.get(0)).cloned() else {
                    eprintln!("no code action at line {line}");
                    return;
                };
                let started = Instant::now();
                call(
                    &mut service,
                    Request::build("codeAction/resolve")
                        .id(id + 3)
                        .params(action)
                        .finish(),
                )
                .await;
                resolving.push(started.elapsed());
            }
        }
    }
    for iteration in 0..iterations {
        let id = 100_000 + iteration as i64 * 2;
        let started = Instant::now();
        let hover = call(
            &mut service,
            Request::build("textDocument/hover")
                .id(id)
                .params(json!({ "textDocument": { "uri": uri },
                    "position": { "line": use_line, "character": use_character + 1 } }))
                .finish(),
        )
        .await;
        hovering.push(started.elapsed());
        if hover.as_ref().is_none_or(Value::is_null) {
            eprintln!("no hover at line {use_line}");
            return;
        }
        let started = Instant::now();
        let completion = call(
            &mut service,
            Request::build("textDocument/completion")
                .id(id + 1)
                .params(json!({ "textDocument": { "uri": uri },
                    "position": { "line": follows_line, "character": follows_character } }))
                .finish(),
        )
        .await;
        completing.push(started.elapsed());
        if completion
            .as_ref()
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
        {
            eprintln!("no completion at line {follows_line}");
            return;
        }
    }
    report("didChange + diagnostics (check)", changing);
    report("hover (on inputs'.dep50)", hovering);
    report("completion (follows target)", completing);
    report("codeAction listing (on an input)", listing);
    report("codeAction listing (on a package)", package_listing);
    report("codeAction/resolve (verified edit)", resolving);
    let huge = huge_flake(5_000_000);
    huge_latency(
        &mut service,
        "file:///bench/huge/flake.nix",
        &huge,
        iterations,
        "5 MB flake",
    )
    .await;
    // The same flake with a flake.lock beside it that locks every input.
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("flake.lock"), huge_lock(&huge)).expect("the lock is written");
    let path = dir.path().join("flake.nix");
    std::fs::write(&path, &huge).expect("the flake is written");
    let uri = format!("file://{}", path.display());
    huge_latency(&mut service, &uri, &huge, iterations, "5 MB flake + lock").await;
}

/// A `flake.lock` for [`huge_flake`]'s text: every input locked.
fn huge_lock(text: &str) -> String {
    let names: Vec<&str> = text
        .lines()
        .filter_map(|line| line.trim_start().strip_suffix("\";"))
        .filter_map(|line| line.split_once(".url = \"").map(|(name, _)| name))
        .collect();
    let mut lock = String::from("{\n  \"nodes\": {\n");
    for name in &names {
        lock.push_str(&format!(
            "    \"{name}\": {{ \"locked\": {{ \"type\": \"github\", \"owner\": \"example\", \"repo\": \"{name}\", \"rev\": \"0123456789abcdef0123456789abcdef01234567\" }}, \"original\": {{ \"type\": \"github\", \"owner\": \"example\", \"repo\": \"{name}\" }} }},\n"
        ));
    }
    let inputs: Vec<String> = names
        .iter()
        .map(|name| format!("\"{name}\": \"{name}\""))
        .collect();
    lock.push_str(&format!(
        "    \"root\": {{ \"inputs\": {{ {} }} }}\n  }},\n  \"root\": \"root\",\n  \"version\": 7\n}}\n",
        inputs.join(", ")
    ));
    lock
}

/// Opening [`huge_flake`]'s text at `uri`, then one-character changes in
/// an input's name and in the outputs, each followed by its diagnostics.
async fn huge_latency(
    service: &mut OrderedService,
    uri: &str,
    huge: &str,
    iterations: usize,
    name: &str,
) {
    let huge_uri = uri;
    let opening = Instant::now();
    call(
        service,
        Request::build("textDocument/didOpen")
            .params(json!({ "textDocument": { "uri": huge_uri, "languageId": "nix", "version": 1, "text": huge } }))
            .finish(),
    )
    .await;
    let opened = opening.elapsed();
    let mut huge_changing = Vec::new();
    for iteration in 0..iterations.min(100) {
        // Insert an `x` into the first input's name, then delete it.
        let start = json!({ "line": 2, "character": 8 });
        let (end, inserted) = if iteration % 2 == 0 {
            (json!({ "line": 2, "character": 8 }), "x")
        } else {
            (json!({ "line": 2, "character": 9 }), "")
        };
        let started = Instant::now();
        call(
            service,
            Request::build("textDocument/didChange")
                .params(json!({
                    "textDocument": { "uri": huge_uri, "version": 2 + iteration },
                    "contentChanges": [{ "range": { "start": start, "end": end }, "text": inserted }],
                }))
                .finish(),
        )
        .await;
        huge_changing.push(started.elapsed());
    }
    // A change in the outputs (a space typed in `{ }`): the body re-read.
    let outputs_line = huge.lines().count() - 2;
    let mut huge_outputs = Vec::new();
    for iteration in 0..iterations.min(20) {
        let start = json!({ "line": outputs_line, "character": 22 });
        let (end, inserted) = if iteration % 2 == 0 {
            (json!({ "line": outputs_line, "character": 22 }), " ")
        } else {
            (json!({ "line": outputs_line, "character": 23 }), "")
        };
        let started = Instant::now();
        call(
            service,
            Request::build("textDocument/didChange")
                .params(json!({
                    "textDocument": { "uri": huge_uri, "version": 1000 + iteration },
                    "contentChanges": [{ "range": { "start": start, "end": end }, "text": inserted }],
                }))
                .finish(),
        )
        .await;
        huge_outputs.push(started.elapsed());
    }
    println!(
        "{:<40} {:>8.3} ms (parse and whole check)",
        format!("{name}: didOpen + diagnostics"),
        opened.as_secs_f64() * 1e3
    );
    report(
        &format!("{name} ({} bytes): didChange + diagnostics", huge.len()),
        huge_changing,
    );
    report(&format!("{name}: change in the outputs"), huge_outputs);
}
