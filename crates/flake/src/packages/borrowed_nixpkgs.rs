//! A flake that declares no `nixpkgs` but has an input that brings one
//! (opam-nix examples: `inputs.opam-nix.url = …;` only). Its own templates
//! write `nixpkgs.follows = "opam-nix/nixpkgs";` and take `nixpkgs` as an
//! outputs argument; the package operations do the same when `flake.lock`
//! shows which input that is. Without a lock, the file itself may show it:
//! an input whose `nixpkgs` the outputs read (`opam-nix.inputs.nixpkgs`)
//! has one, or evaluation would fail already. Without either, or with
//! several candidates, they refuse and name the way out.

use flakeedit_syntax::rnix::ast;
use flakeedit_syntax::{attr_name, strip_parens};
use flakeedit_syntax::{scope_at, BinderKind};
use rowan::ast::AstNode;

use crate::error::{ErrorKind, FlakeError};
use crate::lock::{Lock, LockInputRef};
use crate::model::Flake;

/// Where the flake shows which inputs bring a `nixpkgs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// `flake.lock`'s nodes.
    Lock,
    /// The outputs read `X.inputs.nixpkgs` of a declared input `X`.
    File,
}

/// The declared inputs whose `nixpkgs` the outputs function reads
/// (`opam-nix.inputs.nixpkgs`, `inputs.opam-nix.inputs.nixpkgs`), in the
/// order the file declares them. Only names bound by the outputs function
/// count: an inner function's `opam-nix` is something else.
pub(crate) fn read_donors(flake: &Flake) -> Vec<String> {
    let Some(outputs) = flake.outputs.as_ref() else {
        return Vec::new();
    };
    let (Some(lambda), Some(parameter)) = (
        outputs.lambda.as_ref(),
        outputs.lambda.as_ref().and_then(|l| l.param()),
    ) else {
        return Vec::new();
    };
    let Some(body) = lambda.body() else {
        return Vec::new();
    };
    let parameter_range = parameter.syntax().text_range();
    let alias = outputs.inputs_alias();
    let root = body
        .syntax()
        .ancestors()
        .last()
        .unwrap_or_else(|| body.syntax().clone());
    let mut found: Vec<String> = Vec::new();
    for select in body.syntax().descendants().filter_map(ast::Select::cast) {
        let Some(ast::Expr::Ident(base)) = select.expr().map(strip_parens) else {
            continue;
        };
        let Some(base_name) = base.ident_token().map(|token| token.text().to_string()) else {
            continue;
        };
        // The static start of the path: `legacyPackages.${system}` may follow.
        let Some(path) = select.attrpath() else {
            continue;
        };
        let path: Vec<String> = path
            .attrs()
            .map_while(|attr| attr_name(&attr))
            .take(3)
            .collect();
        let input = match path.as_slice() {
            [inputs, nixpkgs, ..] if inputs == "inputs" && nixpkgs == "nixpkgs" => {
                base_name.clone()
            }
            [name, inputs, nixpkgs, ..]
                if inputs == "inputs"
                    && nixpkgs == "nixpkgs"
                    && alias.as_deref() == Some(base_name.as_str()) =>
            {
                name.clone()
            }
            _ => continue,
        };
        if flake.input(&input).is_none() || found.contains(&input) {
            continue;
        }
        let scope = scope_at(&root, base.syntax().text_range().start());
        let bound_by_outputs = scope.names.get(&base_name).is_some_and(|binder| {
            matches!(
                binder.kind,
                BinderKind::Formal | BinderKind::PatternAlias | BinderKind::Parameter
            ) && parameter_range.contains_range(binder.range)
        });
        if bound_by_outputs {
            found.push(input);
        }
    }
    flake
        .inputs
        .iter()
        .filter(|input| found.contains(&input.name))
        .map(|input| input.name.clone())
        .collect()
}

/// The input a flake without `nixpkgs` follows for one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Donor {
    /// The input's name.
    pub name: String,
    evidence: Evidence,
}

impl Donor {
    /// What shows the input brings a `nixpkgs`, for the warning.
    pub fn shown_by(&self) -> String {
        match self.evidence {
            Evidence::Lock => format!("flake.lock shows `{}` brings one", self.name),
            Evidence::File => format!("the outputs read `{}.inputs.nixpkgs`", self.name),
        }
    }
}

/// The declared inputs whose locked node has a `nixpkgs` input, in the
/// order the file declares them.
pub(crate) fn donors(flake: &Flake, lock: &Lock) -> Vec<String> {
    flake
        .inputs
        .iter()
        .filter(|input| {
            lock.node_of_input(&input.name).is_some_and(|(_, node)| {
                node.inputs
                    .get("nixpkgs")
                    .is_some_and(|reference| !matches!(reference, LockInputRef::Follows(path) if path.is_empty()))
            })
        })
        .map(|input| input.name.clone())
        .collect()
}

/// The one input to follow for `nixpkgs`, and what shows it brings one:
/// `Ok(None)` when nothing shows one (the caller refuses with its own
/// hint), an error naming the candidates when there are several. A lock
/// is read first; without one, the file's own reads of `X.inputs.nixpkgs`.
pub(crate) fn donor(flake: &Flake, lock: Option<&Lock>) -> Result<Option<Donor>, FlakeError> {
    let (mut found, evidence) = match lock {
        Some(lock) => (donors(flake, lock), Evidence::Lock),
        None => (read_donors(flake), Evidence::File),
    };
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop().map(|name| Donor { name, evidence })),
        _ => Err(FlakeError::new(
            ErrorKind::Unsupported,
            format!(
                "the flake has no `nixpkgs` input, and {} ({})",
                match evidence {
                    Evidence::Lock => "flake.lock shows several inputs that bring one",
                    Evidence::File => "the outputs read the `nixpkgs` of several inputs",
                },
                found
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .hint(format!(
            "declare the one to use (`inputs.nixpkgs.follows = \"{}/nixpkgs\";`) and add `nixpkgs` to the outputs arguments, then run this again",
            found[0]
        ))),
    }
}

/// The postcondition of a package operation about `nixpkgs`: when the
/// edit declared it, it is exactly `follows = "X/nixpkgs"` for the input
/// `flake.lock` names.
pub(crate) fn verify(before: &Flake, after: &Flake, lock: Option<&Lock>) -> Result<(), String> {
    if before.input("nixpkgs").is_some() {
        return Ok(());
    }
    let Some(input) = after.input("nixpkgs") else {
        return Ok(());
    };
    let expected = donor(before, lock).ok().flatten().ok_or(
        "`nixpkgs` was declared although neither flake.lock nor the file shows an input to follow",
    )?;
    let target = format!("{}/nixpkgs", expected.name);
    if input.follows() != Some(target.as_str()) || input.url().is_some() {
        return Err(format!(
            "the new `nixpkgs` input does not just follow `{target}`"
        ));
    }
    Ok(())
}
