//! Binding constructs of the walk: `let`, `rec` and plain sets, and
//! `inherit`, which bind names, alias the input set or pass it on.

use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{attr_name, SyntaxKind};
use rowan::ast::AstNode;

use super::{Meaning, SetRef, Walker};
use crate::model::uses::{InputSetUse, InputUse, UndecidedUse, UndecidedWhy, UseKind};

impl Walker<'_> {
    /// The entries of a `let`, a `rec` set (both `recursive`: the names
    /// they bind are visible in their values) or a plain set. Pushes the
    /// names a recursive container binds; the caller pops them.
    pub(super) fn entries(&mut self, container: &impl HasEntry, recursive: bool) {
        let is_let = container.syntax().kind() != SyntaxKind::NODE_ATTR_SET;
        let depth = self.names.len();
        if recursive {
            // First every name, so values see each other (and shadow outer names).
            for entry in container.entries() {
                match entry {
                    ast::Entry::AttrpathValue(binding) => {
                        if let Some(name) = binding
                            .attrpath()
                            .and_then(|path| path.attrs().next())
                            .and_then(|attr| attr_name(&attr))
                        {
                            self.bind(name, Meaning::Other);
                        }
                    }
                    ast::Entry::Inherit(inherit) => {
                        let from = inherit.from().and_then(|from| from.expr());
                        for attr in inherit.attrs() {
                            let Some(name) = attr_name(&attr) else {
                                continue;
                            };
                            // `inherit x;` copies the outer `x`; `inherit (inputs) self;`
                            // binds our `self`.
                            let meaning = match &from {
                                None => self.lookup(&name).cloned().unwrap_or(Meaning::Other),
                                Some(from) => match (self.set_of(from), name.as_str()) {
                                    (Some(SetRef::Ours), "self") => Meaning::Formal(name.clone()),
                                    (Some(SetRef::Foreign), "self") => Meaning::ForeignSelf,
                                    _ => Meaning::Other,
                                },
                            };
                            self.bind(name, meaning);
                        }
                    }
                }
            }
            // Then aliases of an input set (`let i = inputs;`), twice so an
            // alias of an alias is found whatever the order.
            for _ in 0..2 {
                for entry in container.entries() {
                    let ast::Entry::AttrpathValue(binding) = entry else {
                        continue;
                    };
                    let Some(name) = single_name(&binding) else {
                        continue;
                    };
                    let meaning = match binding.value().and_then(|value| self.set_of(&value)) {
                        Some(SetRef::Ours) => Meaning::InputSet,
                        Some(SetRef::Foreign) => Meaning::ForeignInputs,
                        None => continue,
                    };
                    if let Some(index) = self.names[depth..]
                        .iter()
                        .rposition(|(bound, _)| *bound == name)
                    {
                        self.rebind_at(depth + index, meaning);
                    }
                }
            }
        }
        for entry in container.entries() {
            match entry {
                ast::Entry::AttrpathValue(binding) => {
                    if let Some(path) = binding.attrpath() {
                        self.attrpath(path.syntax());
                    }
                    let Some(value) = binding.value() else {
                        continue;
                    };
                    let alias = is_let && single_name(&binding).is_some();
                    if alias {
                        self.consumed(&value);
                    } else {
                        self.expr(value.syntax());
                    }
                }
                ast::Entry::Inherit(inherit) => self.inherit(&inherit, is_let, depth),
            }
        }
    }

    fn inherit(&mut self, inherit: &ast::Inherit, is_let: bool, depth: usize) {
        match inherit.from().and_then(|from| from.expr()) {
            Some(from) => {
                let set = self.consumed(&from);
                if set != Some(SetRef::Ours) {
                    if set == Some(SetRef::Foreign) {
                        for attr in inherit.attrs() {
                            if let Some(name) = attr_name(&attr) {
                                let range = attr.syntax().text_range();
                                self.analysis.foreign.push((
                                    name.clone(),
                                    InputUse {
                                        range,
                                        text: format!("inherit ({}) {name}", from.syntax().text()),
                                        kind: UseKind::Inherited,
                                    },
                                ));
                            }
                        }
                    }
                    return;
                }
                for attr in inherit.attrs() {
                    let range = attr.syntax().text_range();
                    match attr_name(&attr) {
                        Some(name) => self.analysis.set_uses.push((
                            InputSetUse {
                                name: name.clone(),
                                name_range: range,
                                has_default: false,
                                guarded_by: None,
                            },
                            InputUse {
                                range,
                                text: format!("inherit ({}) {name}", from.syntax().text()),
                                kind: UseKind::Inherited,
                            },
                        )),
                        None => self.analysis.undecided.push(UndecidedUse {
                            range,
                            construct: self.slice(inherit.syntax().text_range()),
                            why: UndecidedWhy::ComputedName,
                        }),
                    }
                }
            }
            None => {
                // `inherit x;` reads `x` from the scope around the
                // container: hide what a `let` or `rec` set just bound.
                let hidden = self.hide(depth);
                for attr in inherit.attrs() {
                    let Some(name) = attr_name(&attr) else {
                        continue;
                    };
                    let range = attr.syntax().text_range();
                    match self.lookup(&name).cloned() {
                        Some(Meaning::Formal(input)) => self.analysis.uses.push((
                            input.clone(),
                            InputUse {
                                range,
                                text: input,
                                kind: UseKind::Variable,
                            },
                        )),
                        // In a `let`, `inherit inputs;` is only an alias.
                        Some(Meaning::InputSet) if !is_let => self.passed_on(inherit.syntax()),
                        Some(Meaning::ForeignInputs) if !is_let => {
                            self.foreign_passed_on(inherit.syntax())
                        }
                        Some(_) => {}
                        None => self.free_name(name, range),
                    }
                }
                self.rebind(hidden);
            }
        }
    }
}

/// The name of `x = …;` when the path is that one name.
fn single_name(binding: &ast::AttrpathValue) -> Option<String> {
    let mut attrs = binding.attrpath()?.attrs();
    let first = attrs.next()?;
    attrs.next().is_none().then(|| attr_name(&first)).flatten()
}
