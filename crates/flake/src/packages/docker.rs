//! `add-docker-image`: a `dockerTools.buildLayeredImage` (or
//! `streamLayeredImage`) image of one of the flake's packages.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{scope_at, string_literal, ChangeSet, SourceFile};
use rowan::ast::AstNode;

use super::argument::builder_call;
use super::context::{binder_string, binding_value, Context};
use super::definition::{slot, Slot};
use super::docker_reference::{check_image_name, check_tag, derived_image_name, derived_tag};
use super::dune::attribute_column;
use super::expression::selectable;
use super::layout::OutputPlace;
use super::list::{call_with_set, inherits, normalized, normalized_text, string_at};
use super::{insert_output_entry, targets_after};
use crate::error::{ErrorKind, FlakeError};
use crate::lock::Lock;
use crate::model::Flake;

/// What `add-docker-image` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddDockerImage {
    /// The package put in the image (default `default`).
    pub package: Option<String>,
    /// The attribute under `packages` (default `dockerImage`).
    pub attr: Option<String>,
    /// The image name (default: the package's `pname`, made valid for
    /// Docker when it is not).
    pub name: Option<String>,
    /// The image tag (default: the package's literal `version`, made valid
    /// for Docker when it is not; none, so the Nix hash, for a computed one).
    pub tag: Option<String>,
    /// Exposed ports: `8000`, `8000/tcp`, `53/udp`.
    pub ports: Vec<String>,
    /// Environment variables, `KEY=VALUE`.
    pub env: Vec<String>,
    /// The command: a path inside the package (`bin/server`), or an
    /// absolute path in the image. Default: `bin/` plus the package's
    /// `meta.mainProgram` or `pname`.
    pub cmd: Option<String>,
    /// Use `streamLayeredImage` instead of `buildLayeredImage`.
    pub stream: bool,
    /// Plain layout only: the one system to add it to.
    pub system: Option<String>,
}

impl AddDockerImage {
    /// The package the image contains.
    pub fn package_attr(&self) -> &str {
        self.package.as_deref().unwrap_or("default")
    }

    /// The attribute the image is written under.
    pub fn image_attr(&self) -> &str {
        self.attr.as_deref().unwrap_or("dockerImage")
    }
}

/// `8000` → `8000/tcp`; refuses anything that is not a port.
fn normalize_port(port: &str) -> Result<String, FlakeError> {
    let (number, protocol) = port.split_once('/').unwrap_or((port, "tcp"));
    let valid_number = number.parse::<u16>().is_ok_and(|n| n > 0);
    if !valid_number || !matches!(protocol, "tcp" | "udp" | "sctp") {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            format!("`{}` is not a port", port.escape_debug()),
        )
        .hint("write a port as 8000, 8000/tcp or 53/udp"));
    }
    Ok(format!("{number}/{protocol}"))
}

/// `name = { a b };` (or `[ … ]`) two tabs deep in the image snippet, on one
/// line when it fits in 100 columns from `column`, else one item per line.
fn one_line_or_lines(
    name: &str,
    open: &str,
    close: &str,
    items: &[String],
    column: usize,
) -> String {
    let one_line = format!("{name} = {open} {} {close};", items.join(" "));
    if column + one_line.chars().count() <= 100 {
        return format!("\t\t{one_line}\n");
    }
    let mut lines = format!("\t\t{name} = {open}\n");
    for item in items {
        lines.push_str(&format!("\t\t\t{item}\n"));
    }
    lines.push_str(&format!("\t\t{close};\n"));
    lines
}

/// The inside of a string literal (without its quotes), for interpolating
/// next to other text.
fn string_inside(value: &str) -> String {
    let literal = string_literal(value);
    literal[1..literal.len() - 1].to_string()
}

/// What the package tells about itself: pname, version (following
/// `inherit version;` to its binding), `meta.mainProgram` as literals, and
/// whether it has a `pname` or `version` at all (`inherit (meta) pname;`,
/// `version = v;`).
#[derive(Default)]
struct PackageFacts {
    pname: Option<String>,
    version: Option<String>,
    main_program: Option<String>,
    has_pname: bool,
    has_version: bool,
    /// Whether the package is a builder call in this file (not `inherit
    /// (pkgs) name;`, `pkgs.hello` or a merged set).
    read: bool,
}

/// Whether an argument set defines `name`, in any form.
fn defines(set: &ast::AttrSet, name: &str) -> bool {
    use flakeedit_syntax::rnix::ast::HasEntry;
    super::list::binding_at(set, &[name]).is_some()
        || set.inherits().any(|inherit| {
            inherit
                .attrs()
                .any(|attr| flakeedit_syntax::attr_name(&attr).as_deref() == Some(name))
        })
}

fn package_facts(file: &SourceFile, value: Option<ast::Expr>) -> PackageFacts {
    let Some((_, set)) = builder_call(value) else {
        return PackageFacts::default();
    };
    let inherited = |name: &str| {
        let inherit = inherits(&set, name)?;
        let scope = scope_at(file.syntax(), inherit.syntax().text_range().start());
        let binder = scope.names.get(name)?;
        binder_string(file.syntax(), binder.range)
    };
    let pname = string_at(&set, &["pname"]).or_else(|| inherited("pname"));
    let has_pname = defines(&set, "pname");
    PackageFacts {
        // `mkDerivation { name = "x"; }` without a pname: its name is the pname.
        pname: pname.or_else(|| (!has_pname).then(|| string_at(&set, &["name"])).flatten()),
        version: string_at(&set, &["version"]).or_else(|| inherited("version")),
        main_program: string_at(&set, &["meta", "mainProgram"]),
        has_pname,
        has_version: defines(&set, "version"),
        read: true,
    }
}

/// The expression defining package `name` at `place`, when the file has
/// one to read its facts from: `name = …;`, or the `let` binding an
/// `inherit name;` takes. `Ok(None)` when the package surely exists but is
/// defined elsewhere (`inherit (pkgs) name;`, a merged set); an error when
/// it does not exist or may not exist on every system.
fn package_value(
    file: &SourceFile,
    place: &OutputPlace,
    name: &str,
) -> Result<Option<ast::Expr>, FlakeError> {
    if let Some(binding) = place.entry(name) {
        return Ok(binding.value());
    }
    if place.certain_names().iter().any(|known| known == name) {
        let inherit = place.exists.then(|| inherits(&place.set, name)).flatten();
        let value = inherit
            .filter(|inherit| inherit.from().is_none())
            .and_then(|inherit| {
                let scope = scope_at(file.syntax(), inherit.syntax().text_range().start());
                binding_value(file.syntax(), scope.names.get(name)?.range)
            });
        return Ok(value);
    }
    let certain = place.certain_names();
    let choose = if certain.is_empty() {
        "pass the name of a package the flake defines with --package".to_string()
    } else {
        format!(
            "packages it defines: {}; choose one with --package",
            certain.join(", ")
        )
    };
    if place.names().iter().any(|known| known == name) {
        return Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!(
                "package `{name}` is defined under a condition (`optionalAttrs`, `if`, \
                 `filterAttrs` or `removeAttrs`), so it may not exist on every system the image \
                 would be built for"
            ),
        )
        .at(place.set.syntax().text_range())
        .hint(choose));
    }
    if let Some(part) = place.unknown_parts().first() {
        return Err(FlakeError::new(
            ErrorKind::NotApplicable,
            format!(
                "no package named `{name}` is written in this file; it may be defined by `{}`, \
                 which flakeedit cannot read",
                super::shell::summary(part.syntax())
            ),
        )
        .at(part.syntax().text_range())
        .hint(choose));
    }
    Err(FlakeError::new(
        ErrorKind::NotApplicable,
        format!("no package named `{name}` in this flake"),
    )
    .at(place.set.syntax().text_range())
    .hint(if certain.is_empty() {
        "the flake has no packages; add one first (flakeedit add-dune-package)".to_string()
    } else {
        choose
    }))
}

/// nixpkgs' `lib` at `place`: the name `lib` when it surely is that (a
/// flake-parts module argument, `lib = nixpkgs.lib;`, `inherit (pkgs)
/// lib;`), else the package set's `lib`. A `lib` bound to something else
/// (`lib = opam-nix;`) is not it.
fn nixpkgs_lib(
    context: &mut Context<'_>,
    target: &super::layout::Target,
    place: &OutputPlace,
) -> Result<String, FlakeError> {
    let scope = context.scope(place);
    let root = context.file.syntax().clone();
    let is_nixpkgs_lib = scope
        .names
        .get("lib")
        .is_some_and(|binder| match binder.kind {
            flakeedit_syntax::BinderKind::Formal => {
                context.layout.kind == super::layout::LayoutKind::FlakeParts
            }
            flakeedit_syntax::BinderKind::Inherit => {
                let node = match root.covering_element(binder.range) {
                    rowan::NodeOrToken::Node(node) => node,
                    rowan::NodeOrToken::Token(token) => {
                        token.parent().unwrap_or_else(|| root.clone())
                    }
                };
                node.ancestors()
                    .find_map(ast::Inherit::cast)
                    .and_then(|inherit| inherit.from())
                    .and_then(|from| from.expr())
                    .is_some_and(|from| names_package_set(&from.syntax().text().to_string()))
            }
            flakeedit_syntax::BinderKind::Let | flakeedit_syntax::BinderKind::RecAttribute => {
                binding_value(&root, binder.range).is_some_and(|value| {
                    let text: String = value
                        .syntax()
                        .text()
                        .to_string()
                        .split_whitespace()
                        .collect();
                    text.strip_suffix(".lib").is_some_and(names_package_set)
                })
            }
            _ => false,
        });
    if is_nixpkgs_lib {
        return Ok("lib".to_string());
    }
    let pkgs = context.pkgs(target, place)?;
    // `nixpkgs.legacyPackages.${system}.lib` is the flake's own
    // `nixpkgs.lib`, which needs no system and keeps the lines short.
    // Only for NixOS's nixpkgs, whose flake has `lib`: an input named
    // `nixpkgs` may be another flake (an overlay) that lacks it.
    let is_nixos_nixpkgs = context
        .flake
        .input("nixpkgs")
        .and_then(|input| input.url())
        .is_some_and(|url| {
            let url = url.to_ascii_lowercase();
            url.contains("nixos/nixpkgs") || url == "nixpkgs" || url.starts_with("flake:nixpkgs")
        });
    if let Some((flake, _)) = pkgs.split_once(".legacyPackages.") {
        if is_nixos_nixpkgs && matches!(flake, "nixpkgs" | "inputs.nixpkgs") {
            return Ok(format!("{flake}.lib"));
        }
    }
    Ok(format!("{}.lib", selectable(&pkgs)))
}

/// Whether an expression's text names nixpkgs or a package set of it
/// (`nixpkgs`, `inputs.nixpkgs`, `pkgs`, `nixpkgs.legacyPackages.${system}`).
fn names_package_set(text: &str) -> bool {
    let last = text
        .rsplit('.')
        .find(|segment| !segment.starts_with("${") && !segment.starts_with('"'))
        .unwrap_or(text);
    text.contains("nixpkgs")
        || text.contains("legacyPackages")
        || matches!(last, "pkgs" | "final" | "prev")
}

/// Adds a defaulted-value warning once (every target reads the same
/// package).
fn warn_once(changes: &mut ChangeSet, message: String) {
    if !changes
        .warnings
        .iter()
        .any(|warning| warning.message == message)
    {
        changes.warn(flakeedit_syntax::WarningCode::Defaulted, message);
    }
}

/// `add-docker-image`: adds the image next to the package in every target.
///
/// `lock` is the `flake.lock` beside the file, if any: where the flake
/// declares no `nixpkgs`, it shows which input brings one to follow.
pub fn add_docker_image(
    file: &SourceFile,
    flake: &Flake,
    request: &AddDockerImage,
    lock: Option<&Lock>,
) -> Result<ChangeSet, FlakeError> {
    let package = request.package_attr();
    let attr = request.image_attr();
    if attr == package {
        return Err(FlakeError::new(
            ErrorKind::InvalidArgument,
            format!("the image cannot replace its own package `{package}`"),
        )
        .hint("choose another attribute with --attr"));
    }
    let ports = request
        .ports
        .iter()
        .map(|port| normalize_port(port))
        .collect::<Result<Vec<_>, _>>()?;
    for variable in &request.env {
        if variable
            .split_once('=')
            .is_none_or(|(key, _)| key.is_empty())
        {
            return Err(FlakeError::new(
                ErrorKind::InvalidArgument,
                format!("`{}` is not KEY=VALUE", variable.escape_debug()),
            ));
        }
    }
    let mut context = Context::new(file, flake, lock, request.system.as_deref())?;
    let mut changes = ChangeSet::new();
    for target in context.layout.targets.clone() {
        let place = &target.packages;
        if let Some(unreadable) = &place.unreadable {
            return Err(unreadable.clone());
        }
        let facts = package_facts(file, package_value(file, place, package)?);
        let reference = context.self_package(&target, place, package)?;
        // The name and tag as Nix expressions: literals when known (and
        // then valid for Docker), else read from the package when it says.
        let name = match (&request.name, &facts.pname) {
            (Some(name), _) => {
                check_image_name(name, "--name")?;
                string_literal(name)
            }
            (None, Some(pname)) => {
                let (valid, warning) =
                    derived_image_name(pname, &format!("the pname of package `{package}`"))?;
                if let Some(warning) = warning {
                    warn_once(&mut changes, warning);
                }
                string_literal(&valid)
            }
            (None, None) if facts.has_pname => format!("{reference}.pname"),
            (None, None) => {
                let lib = nixpkgs_lib(&mut context, &target, place)?;
                format!("{lib}.getName {reference}")
            }
        };
        let tag = match (&request.tag, &facts.version) {
            (Some(tag), _) => {
                check_tag(tag, "--tag")?;
                Some(string_literal(tag))
            }
            (None, Some(version)) => {
                let (valid, warning) =
                    derived_tag(version, &format!("the version of package `{package}`"))?;
                if let Some(warning) = warning {
                    warn_once(&mut changes, warning);
                }
                Some(string_literal(&valid))
            }
            // A version computed at evaluation may not be a valid tag
            // (`1.0+git`), and checking it would take an expression no
            // person writes: the image keeps its Nix hash as tag.
            (None, None) => None,
        };
        if tag.is_none() {
            let why = if facts.has_version {
                format!("package `{package}` has a version that is not written as a literal, so flakeedit cannot check it is a valid Docker tag")
            } else if facts.read {
                format!("package `{package}` has no version")
            } else {
                format!("flakeedit cannot read the version of package `{package}` from this file")
            };
            warn_once(
                &mut changes,
                format!("{why}; the image is tagged with its Nix hash (pass --tag to choose one)"),
            );
        }
        let command = match &request.cmd {
            Some(command) if command.starts_with('/') => string_literal(command),
            Some(command) => format!(
                "\"${{{reference}}}/{}\"",
                string_inside(command.trim_start_matches("./"))
            ),
            None => match facts.main_program.clone().or(facts.pname.clone()) {
                Some(program) => format!("\"${{{reference}}}/bin/{}\"", string_inside(&program)),
                None => {
                    let lib = nixpkgs_lib(&mut context, &target, place)?;
                    format!("\"${{{lib}.getExe {reference}}}\"")
                }
            },
        };
        // `config`'s attributes are two levels inside the image's.
        let column = attribute_column(file, place) + 2 * file.indent_unit().len();
        let pkgs = context.pkgs(&target, place)?;
        let builder = if request.stream {
            "streamLayeredImage"
        } else {
            "buildLayeredImage"
        };
        let mut snippet = format!("{pkgs}.dockerTools.{builder} {{\n\tname = {name};\n");
        if let Some(tag) = &tag {
            snippet.push_str(&format!("\ttag = {tag};\n"));
        }
        snippet.push_str(&format!(
            "\tcontents = [ {reference} ];\n\tconfig = {{\n\t\tCmd = [ {command} ];\n"
        ));
        if !ports.is_empty() {
            let exposed: Vec<String> = ports
                .iter()
                .map(|port| format!("{} = {{ }};", string_literal(port)))
                .collect();
            snippet.push_str(&one_line_or_lines(
                "ExposedPorts",
                "{",
                "}",
                &exposed,
                column,
            ));
        }
        if !request.env.is_empty() {
            let variables: Vec<String> = request.env.iter().map(|v| string_literal(v)).collect();
            snippet.push_str(&one_line_or_lines("Env", "[", "]", &variables, column));
        }
        snippet.push_str("\t};\n}");
        let what = format!("`{attr}`");
        if let Slot::Taken(existing) = slot(place, attr, &what, &mut changes.warnings)? {
            let same = existing
                .value()
                .is_some_and(|value| normalized(value.syntax()) == normalized_text(&snippet));
            if same {
                changes.warn(
                    flakeedit_syntax::WarningCode::NothingToDo,
                    format!("`{attr}` already is this image; nothing to do"),
                );
                continue;
            }
            return Err(FlakeError::new(
                ErrorKind::Conflict,
                format!("`{attr}` already exists with different content"),
            )
            .at(existing.syntax().text_range())
            .hint("choose another attribute with --attr NAME, or remove the existing one first"));
        }
        changes.add(insert_output_entry(
            &context, &target, place, attr, &snippet,
        )?)?;
    }
    context.finish(&mut changes)?;
    Ok(changes)
}

/// The postcondition: the image exists in every target and is a
/// `dockerTools` layered image.
pub(crate) fn verify(request: &AddDockerImage, after: &Flake) -> Result<(), String> {
    let attr = request.image_attr();
    for target in targets_after(after, request.system.as_deref())? {
        let binding = target
            .packages
            .entry(attr)
            .ok_or_else(|| format!("`{attr}` is missing"))?;
        let (function, set) =
            call_with_set(binding.value()).ok_or_else(|| format!("`{attr}` is not a call"))?;
        if !matches!(
            function.as_str(),
            "buildLayeredImage" | "streamLayeredImage"
        ) {
            return Err(format!("`{attr}` is not a layered image"));
        }
        if super::list::list_at(&set, &["contents"]).is_none_or(|list| list.items().count() == 0) {
            return Err(format!("`{attr}` has no contents"));
        }
    }
    Ok(())
}
