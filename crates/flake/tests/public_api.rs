//! The public API speaks in the crate's own types: no public item, field,
//! variant, method signature or re-export names an rnix or rowan type, so
//! a program using the library does not depend on the parser's tree, and
//! the parser can change under it. The tree stays reachable inside the
//! crate (`pub(crate)`); outside, ranges are `TextRange`s and names are
//! strings.
//!
//! The check reads the crate's source with `syn`: starting from `lib.rs`,
//! an item is public when it is `pub` and every module above it is `pub`,
//! or when its name is re-exported by a `pub use` (by name, which can only
//! count too many items as public, never too few). Test modules
//! (`#[cfg(test)]`) are not part of the API.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Names that are the syntax tree's own, wherever they are imported from
/// (`flakeedit_syntax` re-exports some of them).
const TREE_NAMES: &[&str] = &[
    "rnix",
    "rowan",
    "ast",
    "SyntaxNode",
    "SyntaxToken",
    "SyntaxElement",
    "SyntaxKind",
    "SyntaxNodePtr",
    "NixLanguage",
    "AstNode",
    "AstToken",
];

struct Module {
    file: PathBuf,
    items: Vec<syn::Item>,
    /// Every module from the crate root down to this one is `pub`.
    public: bool,
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

/// Reads the module in `file` and, recursively, its `mod x;` children.
fn read_modules(file: &Path, dir: &Path, public: bool, modules: &mut Vec<Module>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    collect(file, dir, parsed.items, public, modules);
}

fn collect(
    file: &Path,
    dir: &Path,
    items: Vec<syn::Item>,
    public: bool,
    modules: &mut Vec<Module>,
) {
    let mut kept = Vec::new();
    for item in items {
        match item {
            syn::Item::Mod(module) if is_test_only(&module.attrs) => {}
            syn::Item::Mod(module) => {
                let name = module.ident.to_string();
                let child_public = public && is_pub(&module.vis);
                match module.content {
                    Some((_, inline)) => {
                        collect(file, &dir.join(&name), inline, child_public, modules)
                    }
                    None => {
                        let flat = dir.join(format!("{name}.rs"));
                        let (child, child_dir) = if flat.exists() {
                            (flat, dir.join(&name))
                        } else {
                            (dir.join(&name).join("mod.rs"), dir.join(&name))
                        };
                        read_modules(&child, &child_dir, child_public, modules);
                    }
                }
            }
            other => kept.push(other),
        }
    }
    modules.push(Module {
        file: file.to_path_buf(),
        items: kept,
        public,
    });
}

/// The names a `use` tree brings in, with the path that leads to each.
fn use_leaves(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            use_leaves(&path.tree, prefix, out);
            prefix.pop();
        }
        // `use a::ast::{self}` brings in `ast`.
        syn::UseTree::Name(name) if name.ident == "self" => {
            if let Some((last, path)) = prefix.split_last() {
                out.push((path.to_vec(), last.clone()));
            }
        }
        syn::UseTree::Name(name) => out.push((prefix.clone(), name.ident.to_string())),
        syn::UseTree::Rename(rename) => {
            let mut path = prefix.clone();
            path.push(rename.ident.to_string());
            out.push((path, rename.rename.to_string()));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), "*".to_string())),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                use_leaves(tree, prefix, out);
            }
        }
    }
}

/// Every identifier of every path in a piece of syntax.
#[derive(Default)]
struct PathNames(BTreeSet<String>);

impl<'ast> Visit<'ast> for PathNames {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        for segment in &path.segments {
            self.0.insert(segment.ident.to_string());
        }
        syn::visit::visit_path(self, path);
    }
}

fn names_in(visit: impl FnOnce(&mut PathNames)) -> BTreeSet<String> {
    let mut names = PathNames::default();
    visit(&mut names);
    names.0
}

/// The public items of the crate rooted at `src/lib.rs` that name a tree
/// type, as `file: item: names`.
fn tree_types_in_public_api(src: &Path) -> Vec<String> {
    let mut modules = Vec::new();
    read_modules(&src.join("lib.rs"), src, true, &mut modules);

    // Names re-exported anywhere; a re-export of the tree itself is a finding.
    let mut reexported = BTreeSet::new();
    let mut findings = Vec::new();
    for module in &modules {
        for item in &module.items {
            let syn::Item::Use(item_use) = item else {
                continue;
            };
            let mut leaves = Vec::new();
            use_leaves(&item_use.tree, &mut Vec::new(), &mut leaves);
            for (path, name) in leaves {
                if !is_pub(&item_use.vis) {
                    continue;
                }
                if path
                    .iter()
                    .chain([&name])
                    .any(|s| TREE_NAMES.contains(&s.as_str()))
                {
                    findings.push(format!(
                        "{}: pub use {}::{name}",
                        relative(src, &module.file),
                        path.join("::")
                    ));
                }
                reexported.insert(name);
            }
        }
    }

    let item_name = |item: &syn::Item| -> Option<(String, bool)> {
        let (ident, vis) = match item {
            syn::Item::Fn(f) => (&f.sig.ident, &f.vis),
            syn::Item::Struct(s) => (&s.ident, &s.vis),
            syn::Item::Enum(e) => (&e.ident, &e.vis),
            syn::Item::Type(t) => (&t.ident, &t.vis),
            syn::Item::Const(c) => (&c.ident, &c.vis),
            syn::Item::Static(s) => (&s.ident, &s.vis),
            syn::Item::Trait(t) => (&t.ident, &t.vis),
            _ => return None,
        };
        Some((ident.to_string(), is_pub(vis)))
    };
    let is_public = |module: &Module, name: &str, public_vis: bool| {
        public_vis && (module.public || reexported.contains(name))
    };
    // Public type names, for their impl blocks.
    let mut public_types = BTreeSet::new();
    for module in &modules {
        for item in &module.items {
            if let Some((name, vis)) = item_name(item) {
                if is_public(module, &name, vis) {
                    public_types.insert(name);
                }
            }
        }
    }

    for module in &modules {
        // Names this file imports from the tree (`use …::ast::{AttrSet}`).
        let mut tree_names: BTreeSet<String> =
            TREE_NAMES.iter().map(|name| name.to_string()).collect();
        for item in &module.items {
            if let syn::Item::Use(item_use) = item {
                let mut leaves = Vec::new();
                use_leaves(&item_use.tree, &mut Vec::new(), &mut leaves);
                for (path, name) in leaves {
                    if path.iter().any(|s| TREE_NAMES.contains(&s.as_str())) {
                        tree_names.insert(name);
                    }
                }
            }
        }
        let mut report = |what: String, names: BTreeSet<String>| {
            let found: Vec<_> = names.intersection(&tree_names).cloned().collect();
            if !found.is_empty() {
                findings.push(format!(
                    "{}: {what}: {}",
                    relative(src, &module.file),
                    found.join(", ")
                ));
            }
        };
        for item in &module.items {
            if let Some((name, vis)) = item_name(item) {
                if !is_public(module, &name, vis) {
                    continue;
                }
            }
            match item {
                syn::Item::Fn(f) => report(
                    format!("fn {}", f.sig.ident),
                    names_in(|v| v.visit_signature(&f.sig)),
                ),
                syn::Item::Struct(s) => {
                    for (index, field) in s.fields.iter().enumerate() {
                        if is_pub(&field.vis) {
                            let field_name = field
                                .ident
                                .as_ref()
                                .map_or(index.to_string(), ToString::to_string);
                            report(
                                format!("field {}.{field_name}", s.ident),
                                names_in(|v| v.visit_type(&field.ty)),
                            );
                        }
                    }
                    report(
                        format!("struct {} generics", s.ident),
                        names_in(|v| v.visit_generics(&s.generics)),
                    );
                }
                syn::Item::Enum(e) => {
                    for variant in &e.variants {
                        report(
                            format!("variant {}::{}", e.ident, variant.ident),
                            names_in(|v| v.visit_fields(&variant.fields)),
                        );
                    }
                }
                syn::Item::Type(t) => report(
                    format!("type {}", t.ident),
                    names_in(|v| v.visit_type(&t.ty)),
                ),
                syn::Item::Const(c) => report(
                    format!("const {}", c.ident),
                    names_in(|v| v.visit_type(&c.ty)),
                ),
                syn::Item::Static(s) => report(
                    format!("static {}", s.ident),
                    names_in(|v| v.visit_type(&s.ty)),
                ),
                syn::Item::Trait(t) => report(
                    format!("trait {}", t.ident),
                    names_in(|v| v.visit_item_trait(t)),
                ),
                syn::Item::Impl(item_impl) if !is_test_only(&item_impl.attrs) => {
                    let self_names = names_in(|v| v.visit_type(&item_impl.self_ty));
                    if !self_names.iter().any(|name| public_types.contains(name)) {
                        continue;
                    }
                    if let Some((_, trait_path, _)) = &item_impl.trait_ {
                        // A trait impl is public with the type, whatever it says.
                        let mut names = names_in(|v| {
                            v.visit_path(trait_path);
                            v.visit_generics(&item_impl.generics);
                        });
                        for impl_item in &item_impl.items {
                            match impl_item {
                                syn::ImplItem::Fn(method) => {
                                    names.extend(names_in(|v| v.visit_signature(&method.sig)))
                                }
                                syn::ImplItem::Type(ty) => {
                                    names.extend(names_in(|v| v.visit_type(&ty.ty)))
                                }
                                _ => {}
                            }
                        }
                        report(format!("impl {} for …", quote_path(trait_path)), names);
                        continue;
                    }
                    for impl_item in &item_impl.items {
                        if let syn::ImplItem::Fn(method) = impl_item {
                            if is_pub(&method.vis) {
                                report(
                                    format!("method {}", method.sig.ident),
                                    names_in(|v| v.visit_signature(&method.sig)),
                                );
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    findings
}

fn relative(src: &Path, file: &Path) -> String {
    file.strip_prefix(src).unwrap_or(file).display().to_string()
}

fn quote_path(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

#[test]
fn no_public_item_of_the_flake_library_names_a_syntax_tree_type() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let findings = tree_types_in_public_api(&src);
    assert!(
        findings.is_empty(),
        "public items that expose rnix/rowan types (make them pub(crate) and give \
         an accessor that returns a TextRange, a name or a small enum):\n{}",
        findings.join("\n")
    );
}

/// The check itself finds what it looks for: a public field, a method, a
/// re-export and a type imported by name are each reported, and their
/// `pub(crate)` or test-only counterparts are not.
#[test]
fn the_check_reports_each_way_a_tree_type_can_leak() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let src = dir.path();
    std::fs::write(
        src.join("lib.rs"),
        "mod model;\npub mod open;\npub use model::{Leaf, Hidden};\npub use flakeedit_syntax::rnix;\n",
    )
    .expect("write lib.rs");
    std::fs::write(
        src.join("model.rs"),
        "use flakeedit_syntax::rnix::ast::{self, AttrSet};\n\
         pub struct Leaf { pub set: AttrSet, pub(crate) fine: ast::Expr, pub name: String }\n\
         impl Leaf { pub fn node(&self) -> Option<ast::Expr> { None } \
                     pub(crate) fn inner(&self) -> ast::Expr { todo!() } }\n\
         pub struct Hidden;\n\
         impl From<ast::Lambda> for Hidden { fn from(_: ast::Lambda) -> Hidden { Hidden } }\n\
         pub struct Unexported { pub node: ast::Expr }\n\
         #[cfg(test)] mod tests { pub fn helper(_: rowan::TextRange) {} }\n",
    )
    .expect("write model.rs");
    std::fs::write(
        src.join("open.rs"),
        "pub fn root(file: &flakeedit_syntax::SyntaxNode) -> usize { 0 }\n\
         pub fn range() -> flakeedit_syntax::TextRange { todo!() }\n",
    )
    .expect("write open.rs");
    let mut findings = tree_types_in_public_api(src);
    findings.sort();
    assert_eq!(
        findings,
        [
            "lib.rs: pub use flakeedit_syntax::rnix",
            "model.rs: field Leaf.set: AttrSet",
            "model.rs: impl From for …: ast",
            "model.rs: method node: ast",
            "open.rs: fn root: SyntaxNode",
        ]
    );
}

/// The other library crates hold no tree either; `flakeedit-syntax` is
/// left out, its job is the tree.
#[test]
fn no_public_item_of_the_other_library_crates_names_a_syntax_tree_type() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for name in ["lsp", "prefetch", "forge", "hash", "oracle"] {
        let src = crates.join(name).join("src");
        assert!(src.join("lib.rs").exists(), "{}: no lib.rs", src.display());
        let findings = tree_types_in_public_api(&src);
        assert!(
            findings.is_empty(),
            "crates/{name}: public items that expose rnix/rowan types:\n{}",
            findings.join("\n")
        );
    }
}
