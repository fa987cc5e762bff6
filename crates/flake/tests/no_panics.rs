//! No panic is reachable from a file's content: every operation, the
//! checks and the listing run on randomly mutated fixtures (with and
//! without a lock). An operation may refuse; when it succeeds, its result
//! parses. Run long with `PROPTEST_CASES=20000 cargo test --release -p
//! flakeedit-flake --test no_panics`.

mod common;

use common::*;
use flakeedit_flake::{
    check, list_inputs, run, AddDevShell, AddDockerImage, AddDunePackage, AddInput, CheckOptions,
    Flake, Lock, Operation,
};
use flakeedit_syntax::SourceFile;
use proptest::prelude::*;

fn corpus() -> Vec<String> {
    ["inputs", "layouts", "seed", "broken"]
        .iter()
        .flat_map(|directory| fixtures_in(directory))
        .map(|(_, text)| text)
        .collect()
}

fn lock() -> Lock {
    Lock::parse(&fixture("locks/duplicate-nixpkgs.lock")).expect("a valid lock fixture")
}

fn operations() -> Vec<Operation> {
    let name = |n: &str| n.to_string();
    vec![
        Operation::AddInput(AddInput {
            url: "github:emilpriver/riot".into(),
            name: None,
            follows: vec![(name("nixpkgs"), name("nixpkgs"))],
            no_flake: false,
        }),
        Operation::RemoveInput {
            name: name("nixpkgs"),
            force: true,
        },
        Operation::RemoveInput {
            name: name("riot"),
            force: false,
        },
        Operation::SetUrl {
            name: name("nixpkgs"),
            url: name("github:NixOS/nixpkgs/nixos-24.11"),
        },
        Operation::Pin {
            name: name("nixpkgs"),
            rev: None,
        },
        Operation::Unpin {
            name: name("nixpkgs"),
        },
        Operation::SetFlake {
            name: name("flake-utils"),
            value: None,
        },
        Operation::Follow {
            name: name("riot"),
            child: name("nixpkgs"),
            target: None,
        },
        Operation::FollowAll {
            target: name("nixpkgs"),
        },
        Operation::AddDunePackage(AddDunePackage {
            pname: name("random"),
            version: Some(name("0.0.1")),
            ..Default::default()
        }),
        Operation::AddDockerImage(AddDockerImage {
            ports: vec![name("8000/tcp")],
            ..Default::default()
        }),
        Operation::AddDevShell(AddDevShell::default()),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    Replace { at: usize, len: usize, text: String },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let text = proptest::collection::vec(
        prop_oneof![
            Just('{'),
            Just('}'),
            Just(';'),
            Just('"'),
            Just('$'),
            Just('='),
            Just('.'),
            Just(':'),
            Just('@'),
            Just(','),
            Just('\n'),
            Just('\r'),
            Just(' '),
            Just('#'),
            Just('['),
            Just(']'),
            Just('('),
            Just(')'),
            Just('\\'),
            Just('\''),
            proptest::char::range('a', 'z'),
        ],
        0..6,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>());
    prop_oneof![
        (any::<usize>(), 1usize..8).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), text.clone()).prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<usize>(), 1usize..8, text).prop_map(|(at, len, text)| Mutation::Replace {
            at,
            len,
            text
        }),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut bytes: Vec<char> = text.chars().collect();
    for mutation in mutations {
        let len = bytes.len().max(1);
        match mutation {
            Mutation::Delete { at, len: n } => {
                let start = at % len;
                let end = (start + n).min(bytes.len());
                if start < end {
                    bytes.drain(start..end);
                }
            }
            Mutation::Insert { at, text } => {
                let at = at % (bytes.len() + 1);
                for (offset, c) in text.chars().enumerate() {
                    bytes.insert(at + offset, c);
                }
            }
            Mutation::Replace { at, len: n, text } => {
                let start = at % len;
                let end = (start + n).min(bytes.len());
                if start < end {
                    bytes.splice(start..end, text.chars());
                }
            }
        }
    }
    bytes.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn operations_checks_and_listing_never_panic(
        index in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 0..4),
        with_lock in any::<bool>(),
    ) {
        let corpus = corpus();
        let text = mutate(&corpus[index % corpus.len()], &mutations);
        let lock = lock();
        let lock = with_lock.then_some(&lock);
        let file = SourceFile::parse(text.as_str());
        let _ = check(&file, lock, &CheckOptions::default());
        if let Ok(flake) = Flake::read(&file) {
            let _ = list_inputs(&file, &flake, lock);
        }
        for operation in operations() {
            // Refusals are fine here (the text is mutated at random). An
            // accepted edit's reported change set must be exactly what turned
            // the text into the new one: front-ends (LSP text edits, diffs)
            // use the change set, the CLI writes the text. (`run` itself
            // guarantees the result parses, so that is not re-checked here.)
            if let Ok(result) = run(&operation, &text, lock) {
                if let Some(new_text) = &result.new_text {
                    prop_assert!(!result.changes.is_empty(), "{operation:?}: text changed without edits");
                    let applied = result.changes.apply_unchecked(&text);
                    prop_assert_eq!(
                        applied.as_deref().ok(),
                        Some(new_text.as_str()),
                        "{:?}: the change set does not give the new text", operation
                    );
                }
            }
        }
    }
}
