//! Output places: the attribute set a per-system output's entries are
//! written in, found through dotted paths, nested sets and `${system}`
//! segments bound to a literal system.

use flakeedit_syntax::rnix::ast::{self, HasEntry};
use flakeedit_syntax::{as_attr_set, attr_name, SyntaxNode, TextRange};
use rowan::ast::AstNode;

use super::SystemName;
use crate::error::{ErrorKind, FlakeError};

/// A per-system output set (`packages` or `devShells`) of one target: an
/// attribute set, possibly written below a prefix (`packages.default = …;`
/// is the set `packages` written as dotted bindings of its parent).
#[derive(Debug, Clone)]
pub struct OutputPlace {
    /// The attribute set the output's entries are (or will be) written in.
    pub(crate) set: ast::AttrSet,
    /// The attribute path from `set` to the output (`[]` when `set` is
    /// the output itself, `["packages"]` for dotted entries). A segment
    /// written `${name}` is that dynamic attribute, verbatim.
    pub prefix: Vec<String>,
    /// Whether the output exists already.
    pub exists: bool,
    /// For a new output in the `genAttrs` layout: the function to apply
    /// (`forAllSystems`) and the parameter of the new per-system function
    /// (`system`, `pkgs`, `{ pkgs, ... }`), so the new binding is
    /// `devShells = forAllSystems (system: { … });`.
    pub generator: Option<(String, String)>,
    /// For a new flake-parts `perSystem`: the module set it is added to.
    pub new_per_system: bool,
    /// Where a new output is inserted: before this binding, or last.
    pub(crate) before: Option<SyntaxNode>,
    /// Where a new output is inserted when set: after this binding (the
    /// same output of another system, in the plain layout).
    pub(crate) after: Option<SyntaxNode>,
    /// How code written here names its system.
    pub system: SystemName,
    /// The per-system package set the enclosing per-system function
    /// receives (`pkgs` in `forAllSystems (pkgs: …)`), when it gets one.
    pub package_set: Option<String>,
    /// Formals the per-system function's pattern lacks and needs for
    /// [`OutputPlace::system`] (`{ pkgs, ... }` given `system` too).
    pub(crate) system_formals: Vec<(ast::Pattern, String)>,
    /// The same for [`OutputPlace::package_set`].
    pub(crate) package_set_formals: Vec<(ast::Pattern, String)>,
    /// Names bound around the place that are not in the file yet (the
    /// parameter of a per-system function written with a new output).
    pub bound: Vec<String>,
    /// A legacy output that is this output's `default` entry to Nix
    /// (`defaultPackage`, `devShell`): `nix build`/`nix develop` prefer a
    /// new `default` to it, so it stands for `default`.
    pub(crate) legacy_default: Option<ast::AttrpathValue>,
    /// Why a new `default` entry may not be written here: it may exist
    /// already (an imported module), or it would replace a legacy output.
    pub default_conflict: Option<FlakeError>,
    /// Why no new entry may be written here at all.
    pub entry_conflict: Option<FlakeError>,
    /// The output is one dotted binding below a dynamic system
    /// (`packages.${system}.default = X;`): a new entry restructures it.
    pub(crate) dotted_entry: Option<super::dotted::DottedEntry>,
    /// The per-system function returns this expression, not a set
    /// literal, and the names it can define are known (see
    /// [`super::known_names`]): a new entry is written in a set merged
    /// after it (`X // { name = …; }`). `set` is then the set the output
    /// is bound in, for messages only.
    pub(crate) merged_into: Option<ast::Expr>,
    /// Why nothing may be written or extended here: the output exists in
    /// a form flakeedit cannot read (`devShells = lib.mapAttrs (…) pkgsFor;`).
    /// Kept on the place, not raised by the layout, so the other output of
    /// the same flake can still be edited.
    pub unreadable: Option<FlakeError>,
    /// The output is `inherit NAME;` of a binding that is also used
    /// whole: a new entry rewrites the inherit to
    /// `NAME = NAME // { entry };`, which leaves the binding and its other
    /// uses as they were.
    pub(crate) inherit_rewrite: Option<InheritRewrite>,
    /// Systems whose whole set is replaced after the per-system function
    /// (`forAllSystems (…) // { x86_64-darwin = { … }; }`): a new entry
    /// does not reach them, and a warning names them.
    pub(crate) replaced_systems: Vec<String>,
}

/// `inherit packages;` in a per-system set (not `rec`), rewritten to
/// `packages = packages // { … };` by a new entry.
#[derive(Debug, Clone)]
pub(crate) struct InheritRewrite {
    /// The `inherit` that names the output (maybe among other names).
    pub inherit: ast::Inherit,
    /// The output's attribute in it.
    pub attr: ast::Attr,
    /// The value the name is bound to by `let`, when it is: the names it
    /// defines may be known (see [`super::known_names`]).
    pub value: Option<ast::Expr>,
}

impl InheritRewrite {
    /// An upper bound of the names the inherited value defines, when the
    /// file tells them.
    pub(crate) fn known_names(&self) -> Option<Vec<String>> {
        super::known_names(self.value.as_ref()?)
    }

    /// The text replacing the `inherit`: the other names still inherited,
    /// then `NAME = NAME // { entry };` (`entry` indented one level).
    pub(crate) fn replacement(&self, text: &str, entry: &str) -> flakeedit_syntax::TextEdit {
        use flakeedit_syntax::style::{file_indent_unit, line_indent, reindent, LineEnding};
        let range = self.inherit.syntax().text_range();
        let name = attr_name(&self.attr).unwrap_or_default();
        let outer = line_indent(text, usize::from(range.start())).to_string();
        let unit = file_indent_unit(text);
        let inner = format!("{outer}{unit}");
        let ending = LineEnding::detect(text);
        let eol = ending.as_str();
        let body = reindent(entry, &inner, &unit, ending);
        let quoted = flakeedit_syntax::quote_attr_name(&name);
        let binding = format!("{quoted} = {name} // {{{eol}{inner}{body}{eol}{outer}}};");
        if self.inherit.attrs().count() == 1 {
            return flakeedit_syntax::TextEdit::replace(range, binding);
        }
        // `inherit a packages b;` keeps `inherit a b;`: the attribute goes
        // with the whitespace before it.
        let start = usize::from(range.start());
        let attr = self.attr.syntax().text_range();
        let (attr_start, attr_end) = (
            usize::from(attr.start()) - start,
            usize::from(attr.end()) - start,
        );
        let own = &text[start..usize::from(range.end())];
        let cut = own[..attr_start]
            .trim_end_matches([' ', '\t', '\n', '\r'])
            .len();
        let kept = format!("{}{}", &own[..cut], &own[attr_end..]);
        flakeedit_syntax::TextEdit::replace(range, format!("{kept}{eol}{outer}{binding}"))
    }
}

impl OutputPlace {
    /// A place in `set` below `prefix`, not existing yet, in a layout that
    /// names its system `system`.
    pub(crate) fn new(set: &ast::AttrSet, prefix: Vec<String>, system: SystemName) -> Self {
        OutputPlace {
            set: set.clone(),
            prefix,
            exists: false,
            generator: None,
            new_per_system: false,
            before: None,
            after: None,
            system,
            package_set: None,
            system_formals: Vec::new(),
            package_set_formals: Vec::new(),
            bound: Vec::new(),
            legacy_default: None,
            default_conflict: None,
            entry_conflict: None,
            dotted_entry: None,
            merged_into: None,
            unreadable: None,
            inherit_rewrite: None,
            replaced_systems: Vec::new(),
        }
    }

    /// The range of the binding whose value is the entry `name` of the
    /// output (for `default`, the legacy output standing for it), when
    /// there is one.
    pub fn entry_range(&self, name: &str) -> Option<TextRange> {
        Some(self.entry(name)?.syntax().text_range())
    }

    /// The bindings whose value is the entry `name` of the output; for
    /// `default`, the legacy output standing for it when there is one.
    pub(crate) fn entry(&self, name: &str) -> Option<ast::AttrpathValue> {
        let found = if self.exists {
            let mut path: Vec<&str> = self.prefix.iter().map(String::as_str).collect();
            path.push(name);
            find(&self.set, &path)
                .into_iter()
                .find(|found| found.kind == Match::Exact)
                .map(|found| found.binding)
        } else {
            None
        };
        found.or_else(|| {
            (name == "default")
                .then(|| self.legacy_default.clone())
                .flatten()
        })
    }

    /// The names of the output's entries, in source order (`default` for
    /// a legacy `defaultPackage`/`devShell`): every name it may define.
    pub fn names(&self) -> Vec<String> {
        self.names_with(|expr| super::known_names(expr).unwrap_or_default())
    }

    /// The names the output defines whatever the conditions of what is
    /// merged into it (see [`super::certain_names`]).
    pub(crate) fn certain_names(&self) -> Vec<String> {
        self.names_with(super::certain_names)
    }

    /// The expressions merged into the output whose names the file does
    /// not tell (`import ./pkgs { } // { … }`): any name may come from them.
    pub(crate) fn unknown_parts(&self) -> Vec<ast::Expr> {
        let mut parts: Vec<ast::Expr> = self.merged_into.iter().cloned().collect();
        if let Some(rewrite) = &self.inherit_rewrite {
            parts.extend(rewrite.value.iter().cloned());
        }
        if self.exists && self.prefix.is_empty() {
            parts.extend(merged_with(self.set.syntax()));
        }
        parts.retain(|part| super::known_names(part).is_none());
        parts
    }

    fn names_with(&self, merged_names: impl Fn(&ast::Expr) -> Vec<String>) -> Vec<String> {
        if let Some(rewrite) = &self.inherit_rewrite {
            return rewrite.value.as_ref().map(merged_names).unwrap_or_default();
        }
        let mut names: Vec<String> = Vec::new();
        let mut push = |name: String| {
            if !names.contains(&name) {
                names.push(name);
            }
        };
        if self.exists && self.prefix.is_empty() {
            for name in entry_names(&self.set) {
                push(name);
            }
        } else if self.exists {
            let path: Vec<&str> = self.prefix.iter().map(String::as_str).collect();
            for found in find(&self.set, &path) {
                match found.kind {
                    Match::Deeper(rest) => {
                        if let Some(first) = rest.into_iter().next() {
                            push(first);
                        }
                    }
                    Match::Exact => {
                        if let Some(inner) = as_attr_set(found.binding.value()) {
                            for name in entry_names(&inner) {
                                push(name);
                            }
                        }
                    }
                    Match::Opaque => {}
                }
            }
        }
        if let Some(merged) = &self.merged_into {
            for name in merged_names(merged) {
                push(name);
            }
        }
        // `X // { … }`: the names `X` defines, when the file tells them.
        if self.exists && self.prefix.is_empty() {
            for sibling in merged_with(self.set.syntax()) {
                for name in merged_names(&sibling) {
                    push(name);
                }
            }
        }
        if self.legacy_default.is_some() {
            push("default".to_string());
        }
        names
    }

    /// The last binding defining an entry of a dotted output, after which
    /// new dotted entries go.
    pub(crate) fn last_dotted(&self) -> Option<ast::AttrpathValue> {
        if !self.exists || self.prefix.is_empty() {
            return None;
        }
        let path: Vec<&str> = self.prefix.iter().map(String::as_str).collect();
        find(&self.set, &path)
            .into_iter()
            .filter(|found| found.depth == 0)
            .map(|found| found.binding)
            .last()
    }

    /// An offset inside the place, for scope lookups.
    pub fn inside(&self) -> flakeedit_syntax::TextSize {
        if let Some(merged) = &self.merged_into {
            return merged.syntax().text_range().start();
        }
        self.set.syntax().text_range().start() + flakeedit_syntax::TextSize::from(1)
    }

    /// Whether `binding` is the legacy entry standing for `default`.
    pub(crate) fn is_legacy(&self, binding: &ast::AttrpathValue) -> bool {
        self.legacy_default
            .as_ref()
            .is_some_and(|legacy| legacy.syntax() == binding.syntax())
    }
}

/// The names `set` binds, in source order: the first segment of each
/// binding, then the inherited names (`inherit x;`, `inherit (pkgs) y;`
/// are entries as much as `z = …;`).
fn entry_names(set: &ast::AttrSet) -> Vec<String> {
    let bound = set
        .attrpath_values()
        .filter_map(|binding| first_segment(&binding));
    let inherited = set.inherits().flat_map(|inherit| {
        inherit
            .attrs()
            .filter_map(|attr| attr_name(&attr))
            .collect::<Vec<_>>()
    });
    bound.chain(inherited).collect()
}

/// The other operands of the `//` chain `node` is an operand of.
fn merged_with(node: &SyntaxNode) -> Vec<ast::Expr> {
    let mut top = node.clone();
    while let Some(parent) = top.parent() {
        let update = ast::BinOp::cast(parent.clone())
            .is_some_and(|op| op.operator() == Some(ast::BinOpKind::Update));
        if update || ast::Paren::can_cast(parent.kind()) {
            top = parent;
        } else {
            break;
        }
    }
    if &top == node {
        return Vec::new();
    }
    ast::Expr::cast(top)
        .map(|top| super::merge::operands(&top))
        .unwrap_or_default()
        .into_iter()
        .filter(|operand| operand.syntax() != node)
        .collect()
}

/// How one binding relates to a looked-up path (see
/// [`flakeedit_syntax::find_path`], which this follows, plus `${name}`
/// segments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Match {
    Exact,
    Deeper(Vec<String>),
    Opaque,
}

/// One binding on a looked-up path.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub binding: ast::AttrpathValue,
    pub depth: usize,
    pub kind: Match,
}

/// The segments of an attribute path: static names, and `${name}` for a
/// dynamic attribute that is one variable; `None` for any other dynamic
/// attribute.
pub(crate) fn segments(path: &ast::Attrpath) -> Option<Vec<String>> {
    path.attrs()
        .map(|attr| match &attr {
            ast::Attr::Dynamic(dynamic) => match dynamic.expr()? {
                ast::Expr::Ident(ident) => Some(format!("${{{}}}", ident.ident_token()?.text())),
                _ => attr_name(&attr),
            },
            _ => attr_name(&attr),
        })
        .collect()
}

/// The first segment of a binding's attribute path.
pub(crate) fn first_segment(binding: &ast::AttrpathValue) -> Option<String> {
    segments(&binding.attrpath()?)?.into_iter().next()
}

/// Every binding of `set` on `path`, looking into nested set literals.
pub(crate) fn find(set: &ast::AttrSet, path: &[&str]) -> Vec<Found> {
    let mut found = Vec::new();
    collect(set, path, 0, &mut found);
    found
}

fn collect(set: &ast::AttrSet, path: &[&str], depth: usize, out: &mut Vec<Found>) {
    let query = &path[depth..];
    if query.is_empty() {
        return;
    }
    for binding in set.attrpath_values() {
        let Some(names) = binding.attrpath().as_ref().and_then(segments) else {
            continue;
        };
        let common = names
            .iter()
            .zip(query)
            .take_while(|(name, wanted)| name.as_str() == **wanted)
            .count();
        if common == 0 {
            continue;
        }
        let record = |kind| Found {
            binding: binding.clone(),
            depth,
            kind,
        };
        if common == names.len() && common == query.len() {
            out.push(record(Match::Exact));
        } else if common == query.len() {
            out.push(record(Match::Deeper(names[common..].to_vec())));
        } else if common == names.len() {
            match as_attr_set(binding.value()) {
                Some(inner) => collect(&inner, path, depth + common, out),
                None => out.push(record(Match::Opaque)),
            }
        }
    }
}

/// Writes an attribute path: `${name}` segments verbatim, others quoted
/// as needed.
pub(crate) fn write_path(path: &[String]) -> String {
    path.iter()
        .map(|segment| {
            if segment.starts_with("${") && segment.ends_with('}') {
                segment.clone()
            } else {
                flakeedit_syntax::quote_attr_name(segment)
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `inherit packages;` or `inherit (x) packages;` in `set`: the output
/// exists, defined elsewhere; a new `packages = { … };` would be a duplicate
/// attribute.
pub(crate) fn inherited_here(set: &ast::AttrSet, name: &str) -> Result<(), FlakeError> {
    for inherit in set.inherits() {
        if inherit
            .attrs()
            .any(|attr| attr_name(&attr).as_deref() == Some(name))
        {
            return Err(FlakeError::new(
                ErrorKind::Unsupported,
                format!("`{name}` is inherited here, not written as an attribute set"),
            )
            .at(inherit.syntax().text_range())
            .hint(format!(
                "write `{name} = {{ … }};` (or add to the set it comes from by hand)"
            )));
        }
    }
    Ok(())
}

/// `inherit packages;` in `set`, with `packages = { … };` bound by `let`:
/// that set, when a new entry there changes nothing but the output. Its
/// other uses must select names it defines (`packages.merlin`,
/// `inherit (packages) merlin;`); any other use (`attrValues packages`, a
/// second `inherit packages;`) would see the new entry too, and is refused
/// naming it. `Ok(None)` when `name` is not inherited that way.
fn inherited_let_set(set: &ast::AttrSet, name: &str) -> Result<Option<ast::AttrSet>, FlakeError> {
    use flakeedit_syntax::{scope_at, BinderKind};
    let Some(attr) = set
        .inherits()
        .filter(|inherit| inherit.from().is_none())
        .flat_map(|inherit| inherit.attrs())
        .find(|attr| attr_name(attr).as_deref() == Some(name))
    else {
        return Ok(None);
    };
    let Some(root) = set.syntax().ancestors().last() else {
        return Ok(None);
    };
    let resolve = |node: &SyntaxNode| {
        scope_at(&root, node.text_range().start())
            .names
            .get(name)
            .map(|binder| (binder.kind, binder.range))
    };
    let Some((BinderKind::Let, binder)) = resolve(attr.syntax()) else {
        return Ok(None);
    };
    let Some(ast::Expr::AttrSet(literal)) =
        crate::packages::context::binding_value(&root, binder).map(flakeedit_syntax::strip_parens)
    else {
        return Ok(None);
    };
    let other_use = |node: &SyntaxNode| {
        FlakeError::new(
            ErrorKind::Unsupported,
            format!(
                "`{name}` is inherited from a `let` binding that `{}` uses too; a new entry there would change it as well",
                super::construct(node)
            ),
        )
        .at(node.text_range())
        .hint(format!("write `{name} = {{ … }};` in the returned set, or add the package by hand"))
    };
    let selects_defined = |selected: &Option<String>| {
        selected
            .as_ref()
            .is_some_and(|selected| defines(&literal, selected).is_some())
    };
    for node in root.descendants() {
        if let Some(inherit) = ast::Inherit::cast(node.clone()) {
            let plain = inherit.from().is_none()
                && inherit
                    .attrs()
                    .any(|other| attr_name(&other).as_deref() == Some(name));
            let same = inherit.attrs().any(|other| other.syntax() == attr.syntax());
            if plain && !same && resolve(inherit.syntax()).map(|(_, r)| r) == Some(binder) {
                return Err(other_use(inherit.syntax()));
            }
            continue;
        }
        let Some(ident) = ast::Ident::cast(node.clone()) else {
            continue;
        };
        // An attribute name (`packages = …;`, `x.packages`, `inherit packages;`)
        // is no use of the binding.
        let is_attr = ident.syntax().parent().is_some_and(|parent| {
            ast::Attrpath::can_cast(parent.kind()) || ast::Inherit::can_cast(parent.kind())
        });
        let is_name = !is_attr
            && ident
                .ident_token()
                .is_some_and(|token| token.text() == name);
        if !is_name || resolve(ident.syntax()).map(|(_, r)| r) != Some(binder) {
            continue;
        }
        let parent = ident.syntax().parent();
        let selected = parent.as_ref().and_then(|parent| {
            if let Some(select) = ast::Select::cast(parent.clone()) {
                let first = select.attrpath()?.attrs().next()?;
                return Some(vec![attr_name(&first)]);
            }
            let inherit =
                ast::Inherit::cast(ast::InheritFrom::cast(parent.clone())?.syntax().parent()?)?;
            Some(inherit.attrs().map(|a| attr_name(&a)).collect())
        });
        match selected {
            Some(names) if names.iter().all(selects_defined) => {}
            _ => {
                let shown = parent
                    .filter(|p| ast::Apply::can_cast(p.kind()) || ast::Select::can_cast(p.kind()))
                    .unwrap_or_else(|| ident.syntax().clone());
                return Err(other_use(&shown));
            }
        }
    }
    Ok(Some(literal))
}

/// `inherit NAME;` (not `inherit (x) NAME;`) in a set that is not `rec`
/// (where `NAME = NAME // …` would refer to itself), when nothing else in
/// the set defines `NAME`.
fn plain_inherit(set: &ast::AttrSet, name: &str) -> Option<InheritRewrite> {
    use flakeedit_syntax::{scope_at, BinderKind};
    if set.rec_token().is_some() || !find(set, &[name]).is_empty() {
        return None;
    }
    let mut found = set
        .inherits()
        .filter(|inherit| inherit.from().is_none())
        .flat_map(|inherit| {
            inherit
                .attrs()
                .filter(|attr| attr_name(attr).as_deref() == Some(name))
                .map(move |attr| (inherit.clone(), attr))
        });
    let (inherit, attr) = found.next()?;
    if found.next().is_some() {
        return None;
    }
    let root = set.syntax().ancestors().last()?;
    let value = scope_at(&root, attr.syntax().text_range().start())
        .names
        .get(name)
        .filter(|binder| matches!(binder.kind, BinderKind::Let))
        .and_then(|binder| crate::packages::context::binding_value(&root, binder.range));
    Some(InheritRewrite {
        inherit,
        attr,
        value,
    })
}

/// Whether `set` defines `name` (by a binding or an inherit).
pub(crate) fn defines(set: &ast::AttrSet, name: &str) -> Option<TextRange> {
    if let Some(found) = find(set, &[name]).into_iter().next() {
        return Some(found.binding.syntax().text_range());
    }
    set.inherits()
        .find(|inherit| {
            inherit
                .attrs()
                .any(|attr| attr_name(&attr).as_deref() == Some(name))
        })
        .map(|inherit| inherit.syntax().text_range())
}

/// Finds the output place `name` below `base` in a per-system body set.
pub(crate) fn place_in(
    body: &ast::AttrSet,
    base: &[String],
    name: &str,
    system: SystemName,
) -> Result<OutputPlace, FlakeError> {
    if base.is_empty() {
        let rewrite = plain_inherit(body, name);
        match (inherited_let_set(body, name), rewrite) {
            (Ok(Some(set)), _) => {
                let mut place = OutputPlace::new(&set, Vec::new(), system);
                place.exists = true;
                return Ok(place);
            }
            // Used whole elsewhere, or not a set literal: the inherit is
            // rewritten instead, so the binding stays as it is.
            (Ok(None) | Err(_), Some(rewrite)) => {
                let mut place = OutputPlace::new(body, Vec::new(), system);
                place.inherit_rewrite = Some(rewrite);
                return Ok(place);
            }
            (Err(error), None) => return Err(error),
            (Ok(None), None) => {}
        }
        inherited_here(body, name)?;
    }
    let mut prefix = base.to_vec();
    prefix.push(name.to_string());
    let mut place = OutputPlace::new(body, prefix.clone(), system);
    let path: Vec<&str> = prefix.iter().map(String::as_str).collect();
    let found_all = find(body, &path);
    // `packages.default = …;` next to `packages = { … };`: Nix merges both,
    // so the output stays read (and written) through its path.
    let dotted_too = found_all
        .iter()
        .any(|found| matches!(found.kind, Match::Deeper(_)));
    for found in found_all {
        match found.kind {
            Match::Exact if dotted_too && as_attr_set(found.binding.value()).is_some() => {
                place.exists = true
            }
            Match::Exact => match as_attr_set(found.binding.value()).map(Some).map_or_else(
                || entries_set(found.binding.value(), name, &place.system),
                Ok,
            )? {
                Some(set) => {
                    place.set = set;
                    place.prefix.clear();
                    place.exists = true;
                    return Ok(place);
                }
                None => {
                    let value = found.binding.value();
                    // `packages = import ./pkgs { … };` whose names the
                    // file tells: a new entry is merged after it.
                    if let Some(value) = value.as_ref().filter(|value| {
                        super::mergeable(value) && super::known_names(value).is_some()
                    }) {
                        place.merged_into = Some(value.clone());
                        return Ok(place);
                    }
                    if let Some(file) = value.as_ref().and_then(super::names::imported_file) {
                        return Err(FlakeError::new(
                            ErrorKind::Unsupported,
                            format!(
                                "`{name}` is `{}`, whose attributes come from `{file}`, another file; flakeedit edits one file at a time",
                                super::construct(found.binding.value().as_ref().map_or(found.binding.syntax(), |v| v.syntax()))
                            ),
                        )
                        .at(found.binding.syntax().text_range())
                        .hint(format!("add the package to `{file}` by hand")));
                    }
                    return Err(FlakeError::new(
                        ErrorKind::Unsupported,
                        format!("`{name}` is not written as an attribute set here"),
                    )
                    .at(found.binding.syntax().text_range())
                    .hint(format!(
                        "write `{name} = {{ … }};` to let flakeedit add to it"
                    )));
                }
            },
            Match::Deeper(_) => place.exists = true,
            Match::Opaque => {
                return Err(FlakeError::new(
                    ErrorKind::Unsupported,
                    format!(
                        "`{}` is not written as an attribute set here",
                        write_path(&base[..(found.depth + 1).min(base.len())])
                    ),
                )
                .at(found.binding.syntax().text_range())
                .hint(format!(
                    "add `{name}` by hand, or write it as an attribute set literal"
                )))
            }
        }
    }
    if !place.exists && base.is_empty() {
        place.before = new_output_anchor(body, name);
        place.after = new_output_after(body, name);
    }
    Ok(place)
}

/// The set literal a new entry of an output written `X // { … }` or
/// `let … in { … }` goes in: the rightmost literal of the `//` chain, when
/// nothing after it may define names not written in the file, and no
/// `let` on the way rebinds `self` or the system's name (the new entry
/// refers to them). `Ok(None)` when the value has no such literal.
fn entries_set(
    value: Option<ast::Expr>,
    output: &str,
    system: &SystemName,
) -> Result<Option<ast::AttrSet>, FlakeError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let parts = super::merge::operands(&value);
    let Some((set, after)) = super::merge::chosen_operand(&parts, "") else {
        return Ok(None);
    };
    super::merge::entries_shadowed(&after, output)?;
    let system_root = match system {
        SystemName::Variable(name) | SystemName::Expression(name) => {
            name.split('.').next().map(str::to_string)
        }
        _ => None,
    };
    for node in set.syntax().ancestors() {
        if &node == value.syntax() && !ast::LetIn::can_cast(node.kind()) {
            break;
        }
        let Some(let_in) = ast::LetIn::cast(node.clone()) else {
            continue;
        };
        let mut bound: Vec<(String, TextRange)> = Vec::new();
        for binding in let_in.attrpath_values() {
            if let Some(first) = binding.attrpath().and_then(|p| p.attrs().next()) {
                bound.push((
                    attr_name(&first).unwrap_or_default(),
                    binding.syntax().text_range(),
                ));
            }
        }
        for inherit in let_in.inherits() {
            for attr in inherit.attrs() {
                bound.push((
                    attr_name(&attr).unwrap_or_default(),
                    inherit.syntax().text_range(),
                ));
            }
        }
        let rebound = bound.into_iter().find(|(name, _)| {
            name == "self" || Some(name) == system_root.as_ref() || name.is_empty()
        });
        if let Some((name, range)) = rebound {
            return Err(FlakeError::new(
                ErrorKind::Unsupported,
                format!(
                    "the `let` around this output binds `{name}`, which a new entry would refer to"
                ),
            )
            .at(range)
            .hint("add the entry by hand, or rename the `let` binding"));
        }
        if &node == value.syntax() {
            break;
        }
    }
    Ok(Some(set))
}

/// Where a new `devShells` output goes first of all: right after the last
/// binding of the existing `packages` (`packages = { … };` or the last of
/// `packages.default = …; packages.image = …;`), so what the flake builds
/// stays first and its group is not split. `None` for `packages` itself,
/// or when there are no packages.
pub(crate) fn new_output_after(set: &ast::AttrSet, name: &str) -> Option<SyntaxNode> {
    if name != "devShells" {
        return None;
    }
    set.attrpath_values()
        .filter(|binding| first_segment(binding).is_some_and(|first| first == "packages"))
        .last()
        .map(|binding| binding.syntax().clone())
}

/// Where a new `packages` (or `devShells`, when [`new_output_after`] finds
/// no packages) output goes: before the first other per-system output
/// that sorts after it in the usual order (`packages`, `devShells`,
/// `checks`, `apps`, `formatter`…).
pub(crate) fn new_output_anchor(set: &ast::AttrSet, name: &str) -> Option<SyntaxNode> {
    let after: &[&str] = if name == "packages" {
        &["checks", "apps", "formatter", "legacyPackages", "devShells"]
    } else {
        &["packages", "checks", "apps", "formatter", "legacyPackages"]
    };
    set.attrpath_values()
        .find(|binding| first_segment(binding).is_some_and(|first| after.contains(&first.as_str())))
        .map(|binding| binding.syntax().clone())
}
