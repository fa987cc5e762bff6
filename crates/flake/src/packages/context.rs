//! What an inserted expression may refer to in each layout: `pkgs`, the
//! flake's own packages, its inputs' packages; and the formals that must be
//! added for those references to evaluate.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{
    add_formal, formal_names, is_plain_identifier, quote_attr_name, scope_at, static_string,
    strip_parens, Binder, BinderKind, ChangeSet, Scope, SourceFile, SyntaxNode, TextRange,
};
use rowan::ast::AstNode;

use super::layout::{Layout, LayoutKind, OutputPlace, SystemName, Target};
use crate::error::{ErrorKind, FlakeError};
use crate::lock::Lock;
use crate::model::Flake;

/// The layout of a file plus the formals the edit needs added.
pub(crate) struct Context<'a> {
    pub file: &'a SourceFile,
    pub flake: &'a Flake,
    pub layout: Layout,
    /// Formals to add: (pattern, name), without duplicates.
    formals: Vec<(ast::Pattern, String)>,
    /// Formals of a `perSystem` module the edit creates.
    module_formals: Vec<String>,
    /// The `flake.lock` beside the file, if any.
    lock: Option<&'a Lock>,
    /// The input whose `nixpkgs` a new `nixpkgs` input follows, when the
    /// edit declares one (see [`super::borrowed_nixpkgs`]).
    borrowed_nixpkgs: Option<super::borrowed_nixpkgs::Donor>,
}

impl<'a> Context<'a> {
    /// Detects the layout; `system` restricts (or, in the plain layout,
    /// creates) the target of one system.
    pub fn new(
        file: &'a SourceFile,
        flake: &'a Flake,
        lock: Option<&'a Lock>,
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
            module_formals: Vec::new(),
            lock,
            borrowed_nixpkgs: None,
        })
    }

    fn root(&self) -> SyntaxNode {
        self.file.syntax().clone()
    }

    /// The scope inside an output place, with the names a per-system
    /// function written along with a new output binds.
    pub fn scope(&self, place: &OutputPlace) -> Scope {
        let mut scope = scope_at(&self.root(), place.inside());
        for name in &place.bound {
            scope.names.insert(
                name.clone(),
                Binder {
                    kind: BinderKind::Parameter,
                    range: place.set.syntax().text_range(),
                },
            );
        }
        scope
    }

    /// The formals a `perSystem` module created by this edit takes, in
    /// the order flake-parts documents them.
    pub fn new_module_formals(&self) -> Vec<String> {
        ["config", "self'", "inputs'", "pkgs", "system"]
            .iter()
            .filter(|name| self.module_formals.iter().any(|f| f == *name))
            .map(|name| name.to_string())
            .collect()
    }

    /// The selector of `place`'s system (`${system}`, `x86_64-linux`),
    /// adding the formals it needs; an error where no expression names it.
    pub fn system_selector(&mut self, place: &OutputPlace) -> Result<String, FlakeError> {
        if let SystemName::Unknown(why) = &place.system {
            return Err(FlakeError::new(
                ErrorKind::Unsupported,
                format!("{why}, so flakeedit cannot refer to this flake's or an input's packages there"),
            )
            .at(place.set.syntax().text_range())
            .hint("have the helper pass the system too (`f { inherit pkgs system; }`), or add the reference by hand"));
        }
        for (pattern, name) in place.system_formals.clone() {
            self.want_formal(&pattern, &name);
        }
        Ok(place.system.selector().unwrap_or_default())
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

    /// Adds the formals collected so far to `changes`, and the `nixpkgs`
    /// input the new code borrows, if any.
    pub fn finish(self, changes: &mut ChangeSet) -> Result<(), FlakeError> {
        for (pattern, name) in &self.formals {
            if let Some(edit) = add_formal(self.file, pattern, name) {
                changes.add(edit)?;
            }
        }
        if let Some(donor) = &self.borrowed_nixpkgs {
            let target = format!("{}/nixpkgs", donor.name);
            changes.extend(crate::inputs::declare_follows_input(
                self.file, self.flake, "nixpkgs", &target,
            )?)?;
            changes.warn(
                flakeedit_syntax::WarningCode::Lock,
                format!(
                    "the flake had no `nixpkgs` input: declared `nixpkgs.follows = \"{target}\"` ({}) and added `nixpkgs` to the outputs arguments; `nix flake lock` records it",
                    donor.shown_by()
                ),
            );
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
        if name == "nixpkgs" && self.flake.input(name).is_none() {
            if let Some(donor) = super::borrowed_nixpkgs::donor(self.flake, self.lock)? {
                if let Some(pattern) = outputs.and_then(|o| o.pattern()) {
                    self.borrowed_nixpkgs = Some(donor);
                    self.want_formal(&pattern, name);
                    return Ok(name.to_string());
                }
                if let Some(alias) = outputs.and_then(|o| o.inputs_alias()) {
                    if scope.contains(&alias) {
                        self.borrowed_nixpkgs = Some(donor);
                        return Ok(format!("{alias}.{name}"));
                    }
                }
            }
        }
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
        // An input the flake does not declare would be fetched from the
        // registry if only the argument were added: say to declare it too.
        let hint = if self.flake.input(name).is_some() {
            format!("add `{name}` to the outputs arguments (`{{ self, {name}, ... }}:`)")
        } else {
            let how = if name == "nixpkgs" {
                "`inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";`, or `inputs.nixpkgs.follows = \"INPUT/nixpkgs\";` to use the nixpkgs another input brings, which flakeedit writes itself when a flake.lock beside the file, or the outputs reading `INPUT.inputs.nixpkgs`, show one such input".to_string()
            } else {
                format!("`inputs.{name}.url = \"…\";`")
            };
            format!(
                "the flake has no `{name}` input: declare it ({how}) and add `{name}` to the outputs arguments, then run this again"
            )
        };
        Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!("`{name}` is not reachable from the outputs function here"),
        )
        .at(outputs
            .map(|o| o.binding.syntax().text_range())
            .unwrap_or_default())
        .hint(hint))
    }

    /// A flake-parts module argument (`pkgs`, `self'`, `inputs'`), added to
    /// the `perSystem` pattern when missing.
    fn module_argument(&mut self, target: &Target, name: &str) -> Result<String, FlakeError> {
        let scope = self.scope(&target.packages);
        if scope.contains(name) {
            return Ok(name.to_string());
        }
        if target.packages.new_per_system {
            if !self.module_formals.iter().any(|f| f == name) {
                self.module_formals.push(name.to_string());
            }
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
        if let Some(package_set) = &place.package_set {
            for (pattern, name) in place.package_set_formals.clone() {
                self.want_formal(&pattern, &name);
            }
            return Ok(package_set.clone());
        }
        let scope = self.scope(place);
        if let Some(binder) = scope.names.get("pkgs") {
            let usable = match &place.system {
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
            super::expression::package_set_alias(&self.root(), &scope, &place.system)
        {
            // `pkgsFor system` is selected from (`.mkShell`): parenthesised.
            if alias.contains(' ') {
                return Ok(format!("({alias})"));
            }
            return Ok(alias);
        }
        let system = self.system_selector(place)?;
        let nixpkgs = self.outputs_argument(&scope, "nixpkgs")?;
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
        let system = self.system_selector(place)?;
        let this = self.outputs_argument(&scope, "self")?;
        // Only the legacy `defaultPackage` stands for `default`.
        let legacy = attr == "default" && {
            let packages = &target.packages;
            packages
                .entry("default")
                .is_some_and(|entry| packages.is_legacy(&entry))
        };
        if legacy {
            return Ok(format!("{this}.defaultPackage.{system}"));
        }
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
        let system = self.system_selector(place)?;
        let base = self.outputs_argument(&scope, input)?;
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
