//! A flake whose only per-system outputs are others than packages and dev
//! shells (`formatter = forAllSystems (system: …);`, `checks = eachSystem
//! (…)`): a new `packages` or `devShells` output is written with the same
//! helper, as the flake's author would, instead of being refused.

use flakeedit_syntax::rnix::ast;
use rowan::ast::AstNode;

use super::helper::{arguments, fresh_arguments, per_system_call, Arguments, Received};
use super::merge::{operands, shadowed_after};
use super::place::{find, inherited_here, new_output_after, new_output_anchor};
use super::{Layout, LayoutKind, OutputPlace, Target, PER_SYSTEM_OUTPUTS};
use crate::error::FlakeError;

/// A `genAttrs`-style helper call of another per-system output: the
/// helper as written, what it passes, and how its function names it.
struct Borrowed {
    helper: String,
    received: Received,
    arguments: Arguments,
}

/// The helper of the first per-system output other than `packages` and
/// `devShells` written `name = helper (x: …)` (or `… // helper (x: …)`)
/// with a helper whose argument is known; helpers flakeedit cannot read
/// are passed over, not guessed.
fn borrowed(outputs: &ast::AttrSet) -> Option<Borrowed> {
    for output in PER_SYSTEM_OUTPUTS {
        if matches!(
            *output,
            "packages" | "devShells" | "defaultPackage" | "devShell"
        ) {
            continue;
        }
        for found in find(outputs, &[output]) {
            let Some(value) = found.binding.value() else {
                continue;
            };
            for part in operands(&value).iter().rev() {
                let ast::Expr::Apply(apply) = part else {
                    continue;
                };
                let Ok(Some(call)) = per_system_call(apply) else {
                    continue;
                };
                if call.transposes {
                    continue;
                }
                let Ok(arguments) = arguments(&call.function, &call.received) else {
                    continue;
                };
                let helper = apply
                    .lambda()
                    .map(|f| f.syntax().text().to_string())
                    .unwrap_or_default();
                return Some(Borrowed {
                    helper,
                    received: call.received,
                    arguments,
                });
            }
        }
    }
    None
}

/// The layout of a flake with neither `packages` nor `devShells` (nor
/// their legacy forms) whose other per-system outputs use a helper
/// flakeedit reads; `Ok(None)` otherwise. `after` are the operands merged
/// after `outputs`.
pub(super) fn layout(
    outputs: &ast::AttrSet,
    after: &[ast::Expr],
) -> Result<Option<Layout>, FlakeError> {
    let present = ["packages", "devShells", "defaultPackage", "devShell"]
        .iter()
        .any(|name| !find(outputs, &[name]).is_empty());
    if present {
        return Ok(None);
    }
    let Some(borrowed) = borrowed(outputs) else {
        return Ok(None);
    };
    let fresh = fresh_arguments(&borrowed.received, &borrowed.arguments);
    let place = |name: &str| -> Result<OutputPlace, FlakeError> {
        inherited_here(outputs, name)?;
        shadowed_after(after, name)?;
        let mut place = OutputPlace::new(outputs, vec![name.to_string()], fresh.system.clone());
        place.generator = Some((borrowed.helper.clone(), fresh.parameter.clone()));
        place.package_set = fresh.package_set.clone();
        place.bound = fresh.bound.clone();
        place.before = new_output_anchor(outputs, name);
        place.after = new_output_after(outputs, name);
        Ok(place)
    };
    let packages = place("packages")?;
    let dev_shells = place("devShells")?;
    Ok(Some(Layout {
        kind: LayoutKind::GenAttrs,
        targets: vec![Target {
            system: packages.system.clone(),
            packages,
            dev_shells,
            module_pattern: None,
        }],
    }))
}
