//! What an inserted expression may refer to in each layout: `pkgs`, the
//! flake's own packages, its inputs' packages; and the formals that must be
//! added for those references to evaluate.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{
    add_formal, formal_names, is_plain_identifier, quote_attr_name, scope_at, static_string,
    strip_parens, BinderKind, ChangeSet, Scope, SourceFile, SyntaxNode, TextRange,
};
use rowan::ast::AstNode;

use super::layout::{Layout, LayoutKind, OutputPlace, SystemName, Target};
use crate::error::{ErrorKind, FlakeError};
use crate::model::Flake;

/// The layout of a file plus the formals the edit needs added.
pub(crate) struct Context<'a> {
    pub file: &'a SourceFile,
    pub flake: &'a Flake,
    pub layout: Layout,
    /// Formals to add: (pattern, name), without duplicates.
    formals: Vec<(ast::Pattern, String)>,
}

impl<'a> Context<'a> {
    /// Detects the layout; `system` restricts (or, in the plain layout,
    /// creates) the target of one system.
    pub fn new(
        file: &'a SourceFile,
        flake: &'a Flake,
        system: Option<&str>,
    ) -> Result<Context<'a>, FlakeError> {
        let mut layout = Layout::detect(flake)?;
        if let Some(system) = system {
            if layout.kind != LayoutKind::Plain {
                return Err(FlakeError::new(
                    ErrorKind::InvalidArgument,
                    "--system only applies to flakes written with plain `packages.<system>.<name>` attributes",
                )
                .hint("this flake builds every system from one definition; drop --system"));
            }
            let outputs = layout.plain_outputs_set().ok_or_else(|| {
                FlakeError::new(ErrorKind::Internal, "the plain layout lost its outputs set")
            })?;
            layout.targets = vec![Layout::plain_target(&outputs, system)?];
        }
        Ok(Context {
            file,
            flake,
            layout,
            formals: Vec::new(),
        })
    }

    fn root(&self) -> SyntaxNode {
        self.file.syntax().clone()
    }

    /// The scope inside an output place.
    pub fn scope(&self, place: &OutputPlace) -> Scope {
        scope_at(&self.root(), place.inside())
    }

    fn want_formal(&mut self, pattern: &ast::Pattern, name: &str) {
        let known = formal_names(pattern).iter().any(|formal| formal == name)
            || self
                .formals
                .iter()
                .any(|(p, n)| p.syntax() == pattern.syntax() && n == name);
        if !known {
            self.formals.push((pattern.clone(), name.to_string()));
        }
    }

    /// Adds the formals collected so far to `changes`.
    pub fn finish(self, changes: &mut ChangeSet) -> Result<(), FlakeError> {
        for (pattern, name) in &self.formals {
            if let Some(edit) = add_formal(self.file, pattern, name) {
                changes.add(edit)?;
            }
        }
        Ok(())
    }

    /// A name from the outputs function's argument: the formal itself, the
    /// alias's attribute, or a new formal when the pattern allows it.
    fn outputs_argument(&mut self, scope: &Scope, name: &str) -> Result<String, FlakeError> {
        if is_plain_identifier(name)
            && scope
                .names
                .get(name)
                .is_some_and(|b| matches!(b.kind, BinderKind::Formal))
        {
            return Ok(name.to_string());
        }
        let outputs = self.flake.outputs.as_ref();
        if let Some(alias) = outputs.and_then(|o| o.inputs_alias()) {
            if scope.contains(&alias) {
                return Ok(format!("{alias}.{}", quote_attr_name(name)));
            }
        }
        if let Some(pattern) = outputs.and_then(|o| o.pattern()) {
            if is_plain_identifier(name) && pattern.ellipsis_token().is_some() {
                self.want_formal(&pattern, name);
                return Ok(name.to_string());
            }
        }
        Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!("`{name}` is not reachable from the outputs function here"),
        )
        .at(outputs
            .map(|o| o.binding.syntax().text_range())
            .unwrap_or_default())
        .hint(format!(
            "add `{name}` to the outputs arguments (`{{ self, {name}, ... }}:`)"
        )))
    }

    /// A flake-parts module argument (`pkgs`, `self'`, `inputs'`), added to
    /// the `perSystem` pattern when missing.
    fn module_argument(&mut self, target: &Target, name: &str) -> Result<String, FlakeError> {
        let scope = self.scope(&target.packages);
        if scope.contains(name) {
            return Ok(name.to_string());
        }
        let pattern = target.module_pattern.clone().ok_or_else(|| {
            FlakeError::new(
                ErrorKind::Unsupported,
                format!("`perSystem` does not take `{name}`, and its argument is not a pattern"),
            )
            .hint(format!(
                "write `perSystem = {{ {name}, ... }}: …` so flakeedit can refer to it"
            ))
        })?;
        self.want_formal(&pattern, name);
        Ok(name.to_string())
    }

    /// The nixpkgs package set for a target: `pkgs` when a per-system
    /// `pkgs` is in scope, else `nixpkgs.legacyPackages.<system>`.
    pub fn pkgs(&mut self, target: &Target, place: &OutputPlace) -> Result<String, FlakeError> {
        if self.layout.kind == LayoutKind::FlakeParts {
            return self.module_argument(target, "pkgs");
        }
        let scope = self.scope(place);
        if let Some(binder) = scope.names.get("pkgs") {
            let usable = match &target.system {
                SystemName::Literal(system) => binding_value(&self.root(), binder.range)
                    .is_some_and(|value| {
                        let text = value.syntax().text().to_string();
                        let text: String = text.split_whitespace().collect();
                        text.ends_with(&format!("legacyPackages.{system}"))
                            || text.ends_with(&format!("legacyPackages.\"{system}\""))
                    }),
                _ => true,
            };
            if usable {
                return Ok("pkgs".to_string());
            }
        }
        if let Some(alias) =
            super::expression::package_set_alias(&self.root(), &scope, &target.system)
        {
            return Ok(alias);
        }
        let nixpkgs = self.outputs_argument(&scope, "nixpkgs")?;
        let system = target.system.selector().unwrap_or_default();
        Ok(format!("{nixpkgs}.legacyPackages.{system}"))
    }

    /// A reference to this flake's package `attr` that works at `place`.
    pub fn self_package(
        &mut self,
        target: &Target,
        place: &OutputPlace,
        attr: &str,
    ) -> Result<String, FlakeError> {
        let attr = quote_attr_name(attr);
        if self.layout.kind == LayoutKind::FlakeParts {
            let this = self.module_argument(target, "self'")?;
            return Ok(format!("{this}.packages.{attr}"));
        }
        let scope = self.scope(place);
        let this = self.outputs_argument(&scope, "self")?;
        let system = target.system.selector().unwrap_or_default();
        Ok(format!("{this}.packages.{system}.{attr}"))
    }

    /// A reference to package `package` of input `input` that works at `place`.
    pub fn input_package(
        &mut self,
        target: &Target,
        place: &OutputPlace,
        input: &str,
        package: &str,
    ) -> Result<String, FlakeError> {
        let package = quote_attr_name(package);
        if self.layout.kind == LayoutKind::FlakeParts {
            let inputs = self.module_argument(target, "inputs'")?;
            return Ok(format!(
                "{inputs}.{}.packages.{package}",
                quote_attr_name(input)
            ));
        }
        let scope = self.scope(place);
        let base = self.outputs_argument(&scope, input)?;
        let system = target.system.selector().unwrap_or_default();
        Ok(format!("{base}.packages.{system}.{package}"))
    }
}

/// The value of the `let` binding (or inherited attribute) a binder range
/// points at.
pub(crate) fn binding_value(root: &SyntaxNode, range: TextRange) -> Option<ast::Expr> {
    let node = match root.covering_element(range) {
        rowan::NodeOrToken::Node(node) => node,
        rowan::NodeOrToken::Token(token) => token.parent()?,
    };
    let binding = node.ancestors().find_map(ast::AttrpathValue::cast)?;
    binding.value().map(strip_parens)
}

/// A static string value of a binder (`version = "1.0";`), if it is one.
pub(crate) fn binder_string(root: &SyntaxNode, range: TextRange) -> Option<String> {
    match binding_value(root, range)? {
        ast::Expr::Str(string) => static_string(&string),
        _ => None,
    }
}
