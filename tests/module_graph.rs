//! The modules of the CLI (`src/`) and of the language server
//! (`crates/lsp/src/`) form no cycle: each `crate::module` reference is an
//! edge from the top-level module of the file it is written in, and the
//! graph must have a topological order. A cycle is printed with the files
//! that make each of its edges. `cargo test --test module_graph -- --nocapture`
//! prints every edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level module -> (module it uses -> files that use it).
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

/// The top-level module a file belongs to (`check/render.rs` is `check`);
/// `None` for the crate root.
fn top_module(root: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(root).expect("under the root");
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "main" | "lib")).then(|| name.to_string())
}

/// The module names a text refers to with `crate::name` or
/// `crate::{name, other::x}`, comments removed.
fn referenced_modules(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let identifier = |text: &str| -> String {
        text.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut modules = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let preceded = code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if preceded {
            continue; // `flakeedit_crate::` and the like
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut segment_start = true;
            for (index, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => segment_start = true,
                    c if segment_start && !c.is_whitespace() => {
                        segment_start = false;
                        let name = identifier(&group[index..]);
                        if !name.is_empty() && name != "self" {
                            modules.insert(name);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = identifier(rest);
            if !name.is_empty() {
                modules.insert(name);
            }
        }
    }
    modules
}

fn graph(root: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut graph = Graph::new();
    for file in &files {
        let Some(from) = top_module(root, file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).expect("a source file");
        let shown = file.strip_prefix(root).expect("under the root");
        let edges = graph.entry(from.clone()).or_default();
        for to in referenced_modules(&text) {
            // Only modules of this crate (not `crate::SomeType` re-exports).
            let is_module = root.join(format!("{to}.rs")).exists() || root.join(&to).is_dir();
            if to != from && is_module {
                edges
                    .entry(to)
                    .or_default()
                    .insert(shown.display().to_string());
            }
        }
    }
    graph
}

/// A cycle of the graph, as the list of its modules, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|seen| seen == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(BTreeMap::keys) {
            if let Some(cycle) = visit(next, graph, done, path) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

fn assert_acyclic(root: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    let graph = graph(&root);
    for (from, edges) in &graph {
        for (to, files) in edges {
            println!(
                "{from} -> {to}  ({})",
                files.iter().cloned().collect::<Vec<_>>().join(", ")
            );
        }
    }
    if let Some(cycle) = find_cycle(&graph) {
        let edges: Vec<String> = cycle
            .windows(2)
            .map(|pair| {
                let files = &graph[&pair[0]][&pair[1]];
                format!("{} -> {} (in {files:?})", pair[0], pair[1])
            })
            .collect();
        panic!(
            "{}: the modules form a cycle {}:\n  {}",
            root.display(),
            cycle.join(" -> "),
            edges.join("\n  ")
        );
    }
}

#[test]
fn the_cli_modules_form_no_cycle() {
    assert_acyclic("src");
}

#[test]
fn the_server_modules_form_no_cycle() {
    assert_acyclic("crates/lsp/src");
}

#[test]
fn the_checker_finds_references_and_cycles() {
    assert_eq!(
        referenced_modules(
            "use crate::{files, report::{self, x}, self};\n// crate::ignored\nlet a = crate::driver::run(); my_crate::no;"
        ),
        ["driver", "files", "report"]
            .into_iter()
            .map(String::from)
            .collect()
    );
    let mut graph = Graph::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")] {
        graph
            .entry(from.to_string())
            .or_default()
            .entry(to.to_string())
            .or_default();
    }
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    graph.remove("c");
    assert_eq!(find_cycle(&graph), None);
}
