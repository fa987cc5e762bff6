//! Where the outputs function uses inputs: as formals' variables, through
//! the input set (`inputs.x`, `inputs'.x`, `self.inputs.x`, `inherit
//! (inputs) x`, `builtins.getAttr "x" inputs`), as bare names under `with
//! inputs;` — and where it cannot be decided (`inputs.${name}`, the whole
//! set passed on).
//!
//! The analysis follows Nix's scoping: a lambda argument or `let` binding
//! shadows a formal or the input set; a function's own argument named
//! `inputs` (a module's `{ inputs, ... }:`) is not this flake's set.

mod walk;

use flakeedit_syntax::TextRange;
use rowan::ast::AstNode;

use super::Flake;

/// How a use reaches its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UseKind {
    /// The outputs formal as a variable: `nixpkgs`.
    Variable,
    /// Selected from the input set: `inputs.nixpkgs`, `inputs'.nixpkgs`,
    /// `self.inputs.nixpkgs`, `inputs.${"nixpkgs"}`, `builtins.getAttr
    /// "nixpkgs" inputs`.
    Selected,
    /// `inherit (inputs) nixpkgs`.
    Inherited,
    /// A bare name under `with inputs;` that no lexical binding covers.
    With,
    /// The input set given to a library known to read this input:
    /// flake-parts' `mkFlake { inherit inputs; }` takes `perSystem`'s
    /// `pkgs` from `inputs.nixpkgs`.
    Library,
}

/// A place in the outputs function that uses an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputUse {
    /// The range of the use.
    pub range: TextRange,
    /// The text of the use (`riot`, `inputs.riot`).
    pub text: String,
    /// How it reaches the input.
    pub kind: UseKind,
}

/// An input name the outputs body takes from the input set, as
/// [`uses_through_input_set`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSetUse {
    /// The input's name (`riot` in `inputs.riot.packages`).
    pub name: String,
    /// Just the base and the name (`inputs.riot`), or the name in an
    /// `inherit (inputs) riot`: a precise range for diagnostics.
    pub name_range: TextRange,
    /// True for `inputs.riot or null`: a missing input is not an error.
    pub has_default: bool,
    /// An `inputs ? riot` (or `builtins.hasAttr "riot" inputs`) somewhere
    /// in the outputs: the author expects the input may be missing.
    pub guarded_by: Option<TextRange>,
}

/// Why a construct makes "is this input used?" undecidable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UndecidedWhy {
    /// `inputs.${name}`, `builtins.getAttr name inputs`: the name is
    /// computed, so it may be any input.
    ComputedName,
    /// The whole input set is passed on (`inherit inputs`, `f inputs`,
    /// `inputs // { … }`): whatever receives it may read any input.
    PassedOn,
    /// A bare `name` under `with inputs;` and an inner `with` of another
    /// set, which may have `name` too.
    WithShadowed {
        /// The name.
        name: String,
        /// The inner `with`'s set, as written.
        with: String,
    },
    /// `inputs.name` in a function whose own argument is named `inputs`,
    /// while this flake's input set is passed on: it may be ours.
    ForeignInputs {
        /// The name.
        name: String,
    },
}

/// A construct that may use inputs in a way flakeedit cannot follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndecidedUse {
    /// The construct's range.
    pub range: TextRange,
    /// The construct as written (first line, shortened).
    pub construct: String,
    /// Why it cannot be decided.
    pub why: UndecidedWhy,
}

impl UndecidedUse {
    /// The input this construct may use, or `None` when it may use any.
    pub fn input(&self) -> Option<&str> {
        match &self.why {
            UndecidedWhy::ComputedName | UndecidedWhy::PassedOn => None,
            UndecidedWhy::WithShadowed { name, .. } | UndecidedWhy::ForeignInputs { name } => {
                Some(name)
            }
        }
    }

    /// Why `input` may be used here, for messages (no position).
    pub fn explain(&self, input: &str) -> String {
        match &self.why {
            UndecidedWhy::ComputedName => format!(
                "`{}` takes an input whose name is computed, so it may be `{input}`",
                self.construct
            ),
            UndecidedWhy::PassedOn => format!(
                "`{}` passes the whole input set on, so `{input}` may be read through it",
                self.construct
            ),
            UndecidedWhy::WithShadowed { name, with } => format!(
                "`{name}` under `with` takes `{name}` from the input set unless `{with}` has \
                 an attribute `{name}`"
            ),
            UndecidedWhy::ForeignInputs { .. } => format!(
                "`{}` reads the `inputs` argument of an inner function, and this flake's \
                 inputs are passed on, so it may be this flake's `{input}`",
                self.construct
            ),
        }
    }
}

/// Everything the outputs function does with inputs.
#[derive(Debug, Clone, Default)]
pub struct UseAnalysis {
    /// Uses by formal variable or `with`: (input, use).
    uses: Vec<(String, InputUse)>,
    /// Uses through this flake's input set.
    set_uses: Vec<(InputSetUse, InputUse)>,
    /// Constructs that may use inputs undecidably.
    undecided: Vec<UndecidedUse>,
    /// `inputs ? x` guards: (name, range).
    guards: Vec<(String, TextRange)>,
    /// `inputs.x` through an inner function's own `inputs` argument.
    foreign: Vec<(String, InputUse)>,
    /// The set goes to flake-parts' `mkFlake` with an inline module that
    /// imports nothing: modules' own `inputs` arguments are this flake's.
    mkflake_inline: bool,
    /// A function's own `inputs` argument passed on.
    foreign_escapes: Vec<UndecidedUse>,
}

impl UseAnalysis {
    /// The names whose [`UseAnalysis::uses_of`] is not empty, at once:
    /// asking per input is quadratic on flakes with many inputs.
    pub fn used_names(&self) -> std::collections::HashSet<&str> {
        self.uses
            .iter()
            .map(|(input, _)| input.as_str())
            .chain(self.set_uses.iter().map(|(used, _)| used.name.as_str()))
            .chain(
                self.foreign
                    .iter()
                    .filter(|_| self.mkflake_inline)
                    .map(|(input, _)| input.as_str()),
            )
            .collect()
    }

    /// Every certain use of input `name`, in source order.
    pub fn uses_of(&self, name: &str) -> Vec<InputUse> {
        let mut uses: Vec<InputUse> = self
            .uses
            .iter()
            .filter(|(input, _)| input == name)
            .map(|(_, found)| found.clone())
            .chain(
                self.set_uses
                    .iter()
                    .filter(|(used, _)| used.name == name)
                    .map(|(_, found)| found.clone()),
            )
            .chain(
                self.foreign
                    .iter()
                    .filter(|(input, _)| self.mkflake_inline && input == name)
                    .map(|(_, found)| found.clone()),
            )
            .collect();
        uses.sort_by_key(|found| (found.range.start(), found.range.end()));
        uses.dedup();
        uses
    }

    /// The constructs that may use input `name` in a way flakeedit cannot
    /// follow: those about `name` alone first, then in source order.
    pub fn undecided_for(&self, name: &str) -> Vec<UndecidedUse> {
        let mut found: Vec<UndecidedUse> = self
            .undecided
            .iter()
            .filter(|undecided| undecided.input().is_none_or(|input| input == name))
            .cloned()
            .collect();
        if self.set_escapes() {
            found.extend(self.foreign.iter().filter(|(input, _)| input == name).map(
                |(input, found)| UndecidedUse {
                    range: found.range,
                    construct: found.text.clone(),
                    why: UndecidedWhy::ForeignInputs {
                        name: input.clone(),
                    },
                },
            ));
        }
        if self.mkflake_inline {
            found.extend(self.foreign_escapes.iter().cloned());
        }
        // Constructs about this very input first: they say the most.
        found.sort_by_key(|undecided| {
            (
                undecided.input().is_none(),
                undecided.range.start(),
                undecided.range.end(),
            )
        });
        found
    }

    /// Every use through this flake's input set, with guards filled in.
    pub fn set_uses(&self) -> Vec<(InputSetUse, InputUse)> {
        self.set_uses
            .iter()
            .map(|(used, found)| {
                let mut used = used.clone();
                used.guarded_by = self
                    .guards
                    .iter()
                    .find(|(name, _)| *name == used.name)
                    .map(|(_, range)| *range);
                (used, found.clone())
            })
            .collect()
    }

    /// Every certain use of every input, as (input, use), in no
    /// particular order: one pass for front-ends that index all inputs.
    pub fn all_uses(&self) -> Vec<(String, InputUse)> {
        let mut found: Vec<(String, InputUse)> = self.uses.clone();
        found.extend(
            self.set_uses
                .iter()
                .map(|(used, found)| (used.name.clone(), found.clone())),
        );
        if self.mkflake_inline {
            found.extend(self.foreign.iter().cloned());
        }
        found
    }

    /// The set uses of every input with the precise range of `base.name`.
    pub fn set_use_names(&self) -> Vec<(String, TextRange)> {
        self.set_uses
            .iter()
            .map(|(used, _)| (used.name.clone(), used.name_range))
            .collect()
    }

    /// Every `inputs ? name` or `builtins.hasAttr "name" inputs` test, as
    /// (name, range of the test).
    pub fn guards(&self) -> &[(String, TextRange)] {
        &self.guards
    }

    /// True when the whole input set is passed on somewhere.
    pub fn set_escapes(&self) -> bool {
        self.undecided
            .iter()
            .any(|undecided| undecided.why == UndecidedWhy::PassedOn)
    }
}

impl UseAnalysis {
    /// Every name this analysis says something about in particular: the
    /// names of uses, guards, inner functions' `inputs.x` and undecidable
    /// constructs about one input. What it says about any other input is
    /// [`UseAnalysis::about_unnamed`].
    pub(crate) fn named(&self) -> std::collections::HashSet<&str> {
        self.uses
            .iter()
            .map(|(name, _)| name.as_str())
            .chain(self.set_uses.iter().map(|(used, _)| used.name.as_str()))
            .chain(self.guards.iter().map(|(name, _)| name.as_str()))
            .chain(self.foreign.iter().map(|(name, _)| name.as_str()))
            .chain(self.undecided.iter().filter_map(UndecidedUse::input))
            .collect()
    }

    /// [`UseAnalysis::undecided_for`] an input that [`UseAnalysis::named`]
    /// does not name (no input is named with a NUL byte, which Nix
    /// strings cannot hold).
    pub(crate) fn about_unnamed(&self) -> Vec<UndecidedUse> {
        self.undecided_for("\0")
    }
}

impl UseAnalysis {
    /// The part of this analysis that says anything about the inputs
    /// `names` accepts (what an incremental check re-checks), with every
    /// range moved by `delta` bytes: the uses, guards and `inputs.x` of
    /// inner functions of those names, and every undecidable construct
    /// about them or about any input.
    pub(crate) fn about(&self, names: &dyn Fn(&str) -> bool, delta: i64) -> UseAnalysis {
        let moved = |range: TextRange| {
            let shift = |offset: flakeedit_syntax::TextSize| {
                u32::try_from(i64::from(u32::from(offset)) + delta)
                    .unwrap_or_default()
                    .into()
            };
            TextRange::new(shift(range.start()), shift(range.end()))
        };
        let found = |found: &InputUse| InputUse {
            range: moved(found.range),
            ..found.clone()
        };
        let undecided = |undecided: &UndecidedUse| UndecidedUse {
            range: moved(undecided.range),
            ..undecided.clone()
        };
        UseAnalysis {
            uses: self
                .uses
                .iter()
                .filter(|(name, _)| names(name))
                .map(|(name, use_)| (name.clone(), found(use_)))
                .collect(),
            set_uses: self
                .set_uses
                .iter()
                .filter(|(used, _)| names(&used.name))
                .map(|(used, use_)| {
                    (
                        InputSetUse {
                            name_range: moved(used.name_range),
                            guarded_by: used.guarded_by.map(moved),
                            ..used.clone()
                        },
                        found(use_),
                    )
                })
                .collect(),
            undecided: self
                .undecided
                .iter()
                .filter(|u| u.input().is_none_or(names))
                .map(undecided)
                .collect(),
            guards: self
                .guards
                .iter()
                .filter(|(name, _)| names(name))
                .map(|(name, range)| (name.clone(), moved(*range)))
                .collect(),
            foreign: self
                .foreign
                .iter()
                .filter(|(name, _)| names(name))
                .map(|(name, use_)| (name.clone(), found(use_)))
                .collect(),
            mkflake_inline: self.mkflake_inline,
            foreign_escapes: self.foreign_escapes.iter().map(undecided).collect(),
        }
    }
}

/// Analyses the outputs function's uses of inputs.
pub fn analyze_uses(flake: &Flake) -> UseAnalysis {
    let Some(lambda) = flake.outputs.as_ref().and_then(|o| o.lambda.as_ref()) else {
        return UseAnalysis::default();
    };
    // The tree's root starts at offset 0, so ranges slice its text.
    let root = flake.root.syntax().ancestors().last();
    let text = root.map(|root| root.text().to_string()).unwrap_or_default();
    let mut walker = walk::Walker::new(&text);
    walker.outputs(lambda);
    walker.analysis
}

/// [`analyze_uses`] given the text of the file `flake` was read from,
/// which it would otherwise rebuild from the tree: the check of a large
/// flake must not copy the whole file to look at its outputs.
pub(crate) fn analyze_uses_in(flake: &Flake, text: &str) -> UseAnalysis {
    let Some(lambda) = flake.outputs.as_ref().and_then(|o| o.lambda.as_ref()) else {
        return UseAnalysis::default();
    };
    let mut walker = walk::Walker::new(text);
    walker.outputs(lambda);
    walker.analysis
}

/// Where the outputs function certainly uses input `name`: as a formal's
/// variable, through the input set (`inputs.name`, `inputs'.name`,
/// `self.inputs.name`, `inherit (inputs) name`, `inputs.${"name"}`,
/// `builtins.getAttr "name" inputs`) or as a bare name under `with
/// inputs;`. Shadowed names are not uses. Constructs that may use it
/// undecidably are in [`input_usage`].
pub fn uses_of_input(flake: &Flake, name: &str) -> Vec<InputUse> {
    analyze_uses(flake).uses_of(name)
}

/// How the outputs function uses one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputUsage {
    /// Certain uses, as [`uses_of_input`] gives them.
    pub uses: Vec<InputUse>,
    /// Constructs that may use it in a way flakeedit cannot follow.
    pub undecided: Vec<UndecidedUse>,
}

/// The certain and undecidable uses of input `name`.
pub fn input_usage(flake: &Flake, name: &str) -> InputUsage {
    let analysis = analyze_uses(flake);
    InputUsage {
        uses: analysis.uses_of(name),
        undecided: analysis.undecided_for(name),
    }
}

/// Every input the outputs body takes from this flake's input set:
/// `alias.name`, flake-parts' `inputs'.name`, `self.inputs.name`,
/// `inherit (alias) name`, `builtins.getAttr "name" alias`, where `alias`
/// is the outputs pattern's `@` name or parameter (or a `let` alias of
/// it). Each comes with its [`InputUse`] (the whole selection, for
/// messages). An inner function's own `inputs` argument is not ours.
pub fn uses_through_input_set(flake: &Flake) -> Vec<(InputSetUse, InputUse)> {
    analyze_uses(flake).set_uses()
}

/// True when the outputs function passes the whole input set on (`inherit
/// inputs`, `mkFlake { inherit inputs; }`, `f inputs`, `inputs // …`), so
/// any input may be used indirectly.
pub fn inputs_escape(flake: &Flake) -> bool {
    analyze_uses(flake).set_escapes()
}

#[cfg(test)]
mod tests;
