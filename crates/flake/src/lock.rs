//! `flake.lock` (version 7): which node each input locks to, and what the
//! locked nodes bring with them.

use std::collections::BTreeMap;

use serde_json::Value;

/// A reference from a lock node to one of its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockInputRef {
    /// Locked to the node with this name.
    Node(String),
    /// Follows a path of input names from the root (`["nixpkgs"]`); empty
    /// for `follows = ""`.
    Follows(Vec<String>),
}

/// One node of the lock graph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockNode {
    /// The node's inputs.
    pub inputs: BTreeMap<String, LockInputRef>,
    /// `locked.rev`, if any.
    pub rev: Option<String>,
    /// `locked.lastModified` (seconds since the epoch), if any.
    pub last_modified: Option<i64>,
    /// `locked.narHash`, if any.
    pub nar_hash: Option<String>,
    /// `locked.type`, `locked.owner`, `locked.repo` and other string fields.
    pub locked: BTreeMap<String, String>,
    /// `original.*` string fields (e.g. `ref` = the branch asked for).
    pub original: BTreeMap<String, String>,
    /// `flake = false` in the lock.
    pub flake: bool,
}

/// A parsed `flake.lock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    /// Nodes by name.
    pub nodes: BTreeMap<String, LockNode>,
    /// The root node's name.
    pub root: String,
    /// The lock format version.
    pub version: i64,
}

/// Why a lock file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// Not JSON.
    #[error("flake.lock is not valid JSON: {0}")]
    Json(String),
    /// JSON, but not a lock file flakeedit understands.
    #[error("flake.lock is not a version 5–7 lock file: {0}")]
    Format(String),
}

fn strings(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|object| {
            object
                .iter()
                .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

impl Lock {
    /// Parses the text of a `flake.lock`.
    pub fn parse(text: &str) -> Result<Lock, LockError> {
        let value: Value =
            serde_json::from_str(text).map_err(|error| LockError::Json(error.to_string()))?;
        let version = value
            .get("version")
            .and_then(Value::as_i64)
            .ok_or_else(|| LockError::Format("missing `version`".into()))?;
        if !(5..=7).contains(&version) {
            return Err(LockError::Format(format!("version {version}")));
        }
        let root = value
            .get("root")
            .and_then(Value::as_str)
            .unwrap_or("root")
            .to_string();
        let mut nodes = BTreeMap::new();
        let object = value
            .get("nodes")
            .and_then(Value::as_object)
            .ok_or_else(|| LockError::Format("missing `nodes`".into()))?;
        for (name, node) in object {
            let mut inputs = BTreeMap::new();
            if let Some(map) = node.get("inputs").and_then(Value::as_object) {
                for (input, reference) in map {
                    let reference = match reference {
                        Value::String(node) => LockInputRef::Node(node.clone()),
                        Value::Array(path) => LockInputRef::Follows(
                            path.iter()
                                .filter_map(|segment| segment.as_str().map(str::to_string))
                                .collect(),
                        ),
                        _ => continue,
                    };
                    inputs.insert(input.clone(), reference);
                }
            }
            let locked = node.get("locked");
            nodes.insert(
                name.clone(),
                LockNode {
                    inputs,
                    rev: locked
                        .and_then(|l| l.get("rev"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    last_modified: locked
                        .and_then(|l| l.get("lastModified"))
                        .and_then(Value::as_i64),
                    nar_hash: locked
                        .and_then(|l| l.get("narHash"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    locked: strings(locked),
                    original: strings(node.get("original")),
                    flake: node.get("flake").and_then(Value::as_bool).unwrap_or(true),
                },
            );
        }
        if !nodes.contains_key(&root) {
            return Err(LockError::Format(format!("no root node `{root}`")));
        }
        Ok(Lock {
            nodes,
            root,
            version,
        })
    }

    /// The root node.
    pub fn root_node(&self) -> Option<&LockNode> {
        self.nodes.get(&self.root)
    }

    /// Resolves a path of input names from the root (`["riot", "nixpkgs"]`)
    /// to a node name, following `follows` references. `None` when the
    /// path does not exist, is empty-follows, or loops.
    pub fn resolve(&self, path: &[String]) -> Option<String> {
        self.resolve_from(&self.root, path, 0)
    }

    fn resolve_from(&self, start: &str, path: &[String], depth: usize) -> Option<String> {
        if depth > 32 {
            return None;
        }
        let mut current = start.to_string();
        for segment in path {
            match self.nodes.get(&current)?.inputs.get(segment)? {
                LockInputRef::Node(node) => current = node.clone(),
                LockInputRef::Follows(target) => {
                    if target.is_empty() {
                        return None;
                    }
                    current = self.resolve_from(&self.root, target, depth + 1)?;
                }
            }
        }
        Some(current)
    }

    /// The node a root input is locked to.
    pub fn node_of_input(&self, name: &str) -> Option<(&str, &LockNode)> {
        let node = self.resolve(&[name.to_string()])?;
        self.nodes
            .get_key_value(&node)
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Walks the lock graph below the node at root path `from` (`[]` for
    /// the root itself) depth-first, in input-name order, calling
    /// `visit(path, reference)` for every input edge; `path` is the edge's
    /// full path from the root (`["home-manager", "nix-darwin"]`).
    ///
    /// The walk enters the node of a [`LockInputRef::Node`] edge only when
    /// `visit` returns true, and never goes through a follows edge (its
    /// target is visited at its own path). Locks are trees in practice, but
    /// a hand-edited one may loop or share nodes: a node already on the
    /// current path is not entered again, and depth and size are bounded.
    pub fn walk(&self, from: &[String], mut visit: impl FnMut(&[String], &LockInputRef) -> bool) {
        let Some(start) = self.resolve(from) else {
            return;
        };
        let mut walk = Walk {
            lock: self,
            path: from.to_vec(),
            on_path: vec![start.clone()],
            budget: MAX_WALK_EDGES,
        };
        walk.node(&start, &mut visit);
    }

    /// The nested inputs of root input `input`, at any depth, that are
    /// named like the first of a pair in `children` (nested name, our
    /// input) and locked to another node than our input is (as their own
    /// node, or by a follows that resolves elsewhere) — what
    /// `inputs.<input>.inputs.<path>.follows = "<ours>"` would replace.
    ///
    /// `overridden` lists paths below `input` that flake.nix already makes
    /// follow something: neither they nor anything below them is reported.
    /// Nothing below a reported input is searched either: following ours
    /// replaces all of it. Pairs whose `ours` is not a root input are
    /// ignored.
    pub fn own_nested_inputs(
        &self,
        input: &str,
        children: &[(&str, &str)],
        overridden: &[Vec<String>],
    ) -> Vec<OwnNestedInput> {
        let ours_nodes: Vec<(&str, &str, String)> = children
            .iter()
            .filter_map(|(child, ours)| Some((*child, *ours, self.resolve(&[ours.to_string()])?)))
            .collect();
        let mut found = Vec::new();
        self.walk(&[input.to_string()], |path, reference| {
            let below = &path[1..];
            if overridden.iter().any(|done| below.starts_with(done)) {
                return false;
            }
            let name = below.last().map(String::as_str).unwrap_or_default();
            if let Some((_, ours, ours_node)) =
                ours_nodes.iter().find(|(child, _, _)| *child == name)
            {
                let node = match reference {
                    LockInputRef::Node(node) => Some(node.clone()),
                    // `agenix/darwin/nixpkgs` follows `agenix/nixpkgs`: the
                    // walk reaches that one itself, and fixing it fixes this.
                    LockInputRef::Follows(target)
                        if target.first().map(String::as_str) == Some(input) =>
                    {
                        None
                    }
                    LockInputRef::Follows(target) => self.resolve(target),
                };
                if let Some(node) = node.filter(|node| node != ours_node) {
                    found.push(OwnNestedInput {
                        path: below.to_vec(),
                        node,
                        ours: ours.to_string(),
                    });
                }
                return false;
            }
            true
        });
        found
    }

    /// Does root input `input` have a nested input `child` that is its own
    /// node rather than a follows? (e.g. it brings its own `nixpkgs`.)
    pub fn brings_own(&self, input: &str, child: &str) -> Option<String> {
        let (_, node) = self.node_of_input(input)?;
        match node.inputs.get(child)? {
            LockInputRef::Node(own) => Some(own.clone()),
            LockInputRef::Follows(_) => None,
        }
    }
}

/// A nested input locked apart from the root flake's input of the same
/// role (see [`Lock::own_nested_inputs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnNestedInput {
    /// The path of input names below the root input (`["nix-darwin",
    /// "nixpkgs"]` for `home-manager/nix-darwin/nixpkgs`).
    pub path: Vec<String>,
    /// The lock node it is locked to now.
    pub node: String,
    /// The root flake's input it could follow (`nixpkgs`).
    pub ours: String,
}

/// How deep [`Lock::walk`] goes, and how many edges it visits at most.
const MAX_WALK_DEPTH: usize = 32;
const MAX_WALK_EDGES: usize = 100_000;

/// The state of one [`Lock::walk`].
struct Walk<'a> {
    lock: &'a Lock,
    path: Vec<String>,
    on_path: Vec<String>,
    budget: usize,
}

impl Walk<'_> {
    fn node(&mut self, name: &str, visit: &mut impl FnMut(&[String], &LockInputRef) -> bool) {
        let lock = self.lock;
        let Some(node) = lock.nodes.get(name) else {
            return;
        };
        for (child, reference) in &node.inputs {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            self.path.push(child.clone());
            let enter = visit(&self.path, reference);
            if let (true, LockInputRef::Node(next)) = (enter, reference) {
                if self.on_path.len() < MAX_WALK_DEPTH && !self.on_path.contains(next) {
                    self.on_path.push(next.clone());
                    self.node(next, visit);
                    self.on_path.pop();
                }
            }
            self.path.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{
  "nodes": {
    "nixpkgs": { "locked": { "lastModified": 1700000000, "narHash": "sha256-x", "owner": "NixOS", "repo": "nixpkgs", "rev": "aaaa", "type": "github" }, "original": { "owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github" } },
    "nixpkgs_2": { "locked": { "rev": "bbbb", "type": "github" } },
    "riot": { "inputs": { "nixpkgs": "nixpkgs_2" }, "locked": { "rev": "cccc" } },
    "crane": { "inputs": { "nixpkgs": [ "nixpkgs" ] }, "locked": { "rev": "dddd" } },
    "root": { "inputs": { "nixpkgs": "nixpkgs", "riot": "riot", "crane": "crane" } }
  },
  "root": "root",
  "version": 7
}"#;

    #[test]
    fn reads_nodes_and_resolves_follows() {
        let lock = Lock::parse(LOCK).unwrap();
        assert_eq!(
            lock.node_of_input("riot").unwrap().1.rev.as_deref(),
            Some("cccc")
        );
        assert_eq!(
            lock.brings_own("riot", "nixpkgs").as_deref(),
            Some("nixpkgs_2")
        );
        assert_eq!(lock.brings_own("crane", "nixpkgs"), None);
        assert_eq!(
            lock.resolve(&["crane".into(), "nixpkgs".into()]).as_deref(),
            Some("nixpkgs")
        );
        let nixpkgs = lock.node_of_input("nixpkgs").unwrap().1;
        assert_eq!(
            nixpkgs.original.get("ref").map(String::as_str),
            Some("nixos-unstable")
        );
        assert_eq!(nixpkgs.last_modified, Some(1_700_000_000));
    }

    /// `a → b → nixpkgs` at depth 2; `b` also loops back to `a`.
    const DEEP: &str = r#"{ "version": 7, "root": "root", "nodes": {
        "root": { "inputs": { "nixpkgs": "nixpkgs", "a": "a" } },
        "nixpkgs": { "locked": { "rev": "1" } },
        "a": { "inputs": { "b": "b", "nixpkgs": [ "nixpkgs" ] } },
        "b": { "inputs": { "nixpkgs": "nixpkgs_2", "a": "a", "self": "b" } },
        "nixpkgs_2": { "locked": { "rev": "2" } } } }"#;

    #[test]
    fn nested_inputs_are_found_at_any_depth_and_loops_end() {
        let lock = Lock::parse(DEEP).unwrap();
        let found = lock.own_nested_inputs("a", &[("nixpkgs", "nixpkgs")], &[]);
        assert_eq!(
            found,
            [OwnNestedInput {
                path: vec!["b".into(), "nixpkgs".into()],
                node: "nixpkgs_2".into(),
                ours: "nixpkgs".into(),
            }]
        );
        // A follows declared for `a/b` (or below) hides everything under it.
        let overridden = [vec!["b".to_string()]];
        assert_eq!(
            lock.own_nested_inputs("a", &[("nixpkgs", "nixpkgs")], &overridden),
            []
        );
        // Our input not in the lock: nothing to follow.
        assert_eq!(lock.own_nested_inputs("a", &[("nixpkgs", "nope")], &[]), []);
        // The walk sees each edge of the loop once per path and stops.
        let mut paths = Vec::new();
        lock.walk(&[], |path, _| {
            paths.push(path.join("/"));
            true
        });
        assert_eq!(
            paths,
            [
                "a",
                "a/b",
                "a/b/a",
                "a/b/nixpkgs",
                "a/b/self",
                "a/nixpkgs",
                "nixpkgs"
            ]
        );
    }

    #[test]
    fn bad_locks_are_errors() {
        assert!(matches!(Lock::parse("{"), Err(LockError::Json(_))));
        assert!(matches!(
            Lock::parse("{\"version\": 3}"),
            Err(LockError::Format(_))
        ));
        assert!(matches!(
            Lock::parse("{\"version\": 7, \"nodes\": {}, \"root\": \"root\"}"),
            Err(LockError::Format(_))
        ));
    }
}
