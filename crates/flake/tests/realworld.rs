//! Regressions found by running every operation over a corpus of real-world
//! flakes. Each fixture under `tests/fixtures/realworld/` is a minimal flake
//! written for the project that reproduces one finding; each test judges the
//! result with the real Nix parser and evaluator.

mod common;

use common::*;
use flakeedit_flake::Operation;
use flakeedit_oracle::Nix;
use serde_json::{json, Value};

fn without(inputs: &Value, name: &str) -> Value {
    let mut inputs = inputs.clone();
    inputs.as_object_mut().unwrap().remove(name);
    inputs
}

/// `set-url` on `{ type = "indirect"; id = …; }` and on
/// `{ type = "git"; url = …; ref = …; }`: the new url must replace the whole
/// old reference, not leave `id`, `type` or `ref` to reinterpret it.
#[test]
fn set_url_replaces_every_reference_attribute() {
    let nix = Nix::require();
    let before = fixture("realworld/typed-references.nix");
    let before_inputs = inputs_json(&nix, &before);
    for name in ["registry", "docs", "tools", "nixpkgs"] {
        let operation = Operation::SetUrl {
            name: name.into(),
            url: "github:example/replaced".into(),
        };
        let after = apply(&before, &operation, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let inputs = inputs_json(&nix, &after);
        let mut expected = before_inputs[name].clone();
        let object = expected.as_object_mut().unwrap();
        object.retain(|key, _| matches!(key.as_str(), "flake" | "inputs"));
        object.insert("url".into(), json!("github:example/replaced"));
        assert_eq!(inputs[name], expected, "{name}");
        assert_eq!(
            without(&inputs, name),
            without(&before_inputs, name),
            "{name}: another input changed"
        );
        // Twice is once.
        assert_eq!(apply(&after, &operation, None).unwrap(), after, "{name}");
    }
}
