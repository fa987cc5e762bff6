//! Document links on input references, and inlay hints after them.
//!
//! Every reference form, a url string or an attribute set (`type =
//! "github"; owner = …;`), links to its web page ([`super::forge`]); an
//! indirect reference (`flake:nixpkgs`, `nixpkgs/nixos-unstable`) links
//! through the registry file when there is one (the user's
//! `nix/registry.json`, then the system's `/etc/nix/registry.json`).

use std::path::{Path, PathBuf};

use flakeedit_flake::{Flake, InputDecl, InputLeaf, Lock};
use flakeedit_syntax::TextRange;

use super::forge::{age, reference_link, short_rev};

/// A link: the range of the reference's text, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The reference's text (between the quotes).
    pub range: TextRange,
    /// The address.
    pub target: String,
}

/// The range of an input's url string content, and the url.
fn url_of(input: &InputDecl) -> Option<(TextRange, &str)> {
    let leaf = input.leaf(&["url"])?;
    let url = leaf.value.as_str()?;
    // A bare URI literal (`url = github:o/r;`) has no quotes.
    let range = leaf.string_range().or_else(|| leaf.value_range())?;
    Some((range, url))
}

/// The links of every input's url or attribute-set reference; `directory` is the flake's directory
/// (for `path:` references) and `registries` the registry files to read
/// for indirect references.
pub fn links(flake: &Flake, directory: Option<&Path>, registries: &[PathBuf]) -> Vec<Link> {
    let directory = directory.and_then(Path::to_str);
    let mut registry = None;
    let mut found = Vec::new();
    for input in &flake.inputs {
        let written;
        let (range, url) = match url_of(input) {
            Some(found) => found,
            None => match attribute_set_reference(input) {
                Some((range, reference)) => {
                    written = reference;
                    (range, written.as_str())
                }
                None => continue,
            },
        };
        let target = match reference_link(url, directory) {
            Some(target) => Some(target),
            None => indirect_id(url).and_then(|id| {
                let entries = registry.get_or_insert_with(|| read_registries(registries));
                entries
                    .iter()
                    .find(|(from, _)| from == id)
                    .and_then(|(_, to)| reference_link(to, directory))
            }),
        };
        if let Some(target) = target {
            found.push(Link { range, target });
        }
    }
    found
}

/// The registry id of an indirect reference (`flake:nixpkgs/branch`,
/// `nixpkgs`), if it is one.
fn indirect_id(reference: &str) -> Option<&str> {
    let rest = match reference.strip_prefix("flake:") {
        Some(rest) => rest,
        None if !reference.contains(':') => reference,
        None => return None,
    };
    let id = rest.split(['/', '?']).next()?;
    (!id.is_empty() && !id.starts_with('.')).then_some(id)
}

/// The registry files Nix reads, user first.
pub fn registry_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")));
    if let Some(config) = config {
        files.push(config.join("nix/registry.json"));
    }
    files.push(PathBuf::from("/etc/nix/registry.json"));
    files
}

/// (id, reference as a URL-like string) of every entry of the registries.
fn read_registries(files: &[PathBuf]) -> Vec<(String, String)> {
    let mut entries = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        for flake in value["flakes"].as_array().into_iter().flatten() {
            let (Some(id), Some(to)) = (flake["from"]["id"].as_str(), as_reference(&flake["to"]))
            else {
                continue;
            };
            entries.push((id.to_string(), to));
        }
    }
    entries
}

/// A registry entry's `to` attributes as a reference string.
fn as_reference(to: &serde_json::Value) -> Option<String> {
    reference_from(|name| to[name].as_str())
}

/// The reference string of attribute-set reference fields (`type`,
/// `owner`, `repo`, `ref`/`rev`, `host`, `url`, `path`, `id`), as Nix
/// reads them; `None` for a type without a web page.
fn reference_from<'a>(field: impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let kind = field("type")?;
    let mut reference = match kind {
        "github" | "gitlab" | "sourcehut" => {
            let mut reference = format!("{kind}:{}/{}", field("owner")?, field("repo")?);
            if let Some(revision) = field("rev").or_else(|| field("ref")) {
                reference.push('/');
                reference.push_str(revision);
            }
            reference
        }
        "git" => format!("git+{}", field("url")?),
        "tarball" | "file" => field("url")?.to_string(),
        "path" => format!("path:{}", field("path")?),
        "indirect" => format!("flake:{}", field("id")?),
        _ => return None,
    };
    if let Some(host) = field("host") {
        reference.push_str("?host=");
        reference.push_str(host);
    }
    Some(reference)
}

/// The field of an attribute-set reference its link sits on: the one a
/// reader takes for the name of what is referenced.
fn linked_field(kind: &str) -> Option<&'static str> {
    match kind {
        "github" | "gitlab" | "sourcehut" => Some("repo"),
        "git" | "tarball" | "file" => Some("url"),
        "path" => Some("path"),
        "indirect" => Some("id"),
        _ => None,
    }
}

/// An input written as an attribute-set reference (`type = "github";
/// owner = …; repo = …;`): the range of its linked field's text, and the
/// reference as a string.
fn attribute_set_reference(input: &InputDecl) -> Option<(TextRange, String)> {
    let fields = input.reference();
    let field = linked_field(fields.get("type")?)?;
    let range = input.leaf(&[field])?.string_range()?;
    let reference = reference_from(|name| fields.get(name).map(String::as_str))?;
    Some((range, reference))
}

/// An inlay hint: where (after the url) and what (`970e93b · 3 days ago`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The end of the url's value (after the closing quote).
    pub at: flakeedit_syntax::TextSize,
    /// The label.
    pub label: String,
}

/// Inlay hints after every locked input's url.
pub fn hints(flake: &Flake, lock: &Lock, now: i64) -> Vec<Hint> {
    let mut found = Vec::new();
    for input in &flake.inputs {
        let Some(value) = input.leaf(&["url"]).and_then(InputLeaf::value_range) else {
            continue;
        };
        let Some((_, node)) = lock.node_of_input(&input.name) else {
            continue;
        };
        let mut parts = Vec::new();
        if let Some(rev) = node.rev.as_deref() {
            parts.push(short_rev(rev));
        }
        if let Some(modified) = node.last_modified {
            parts.push(age(modified, now));
        }
        if parts.is_empty() {
            continue;
        }
        found.push(Hint {
            at: value.end(),
            label: parts.join(" · "),
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indirect_ids_and_registry_entries() {
        assert_eq!(indirect_id("flake:nixpkgs/nixos-unstable"), Some("nixpkgs"));
        assert_eq!(indirect_id("nixpkgs"), Some("nixpkgs"));
        assert_eq!(indirect_id("github:o/r"), None);
        assert_eq!(indirect_id("./local"), None);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("registry.json");
        std::fs::write(
            &file,
            r#"{"version":2,"flakes":[
              {"from":{"type":"indirect","id":"mine"},"to":{"type":"gitlab","owner":"me","repo":"mine","host":"gitlab.example.org"}},
              {"from":{"type":"indirect","id":"bad"},"to":{"type":"mercurial"}}]}"#,
        )
        .unwrap();
        let entries = read_registries(&[dir.path().join("missing.json"), file]);
        assert_eq!(
            entries,
            [(
                "mine".to_string(),
                "gitlab:me/mine?host=gitlab.example.org".to_string()
            )]
        );
    }
}
