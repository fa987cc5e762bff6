//! Outline snapshots of the layout fixtures (`tests/fixtures/layouts`,
//! each evaluated against the stubs by `scripts/check-fixtures.sh`).

use expect_test::{expect, Expect};

use crate::documents::Document;
use crate::encoding::PositionEncoding;
use crate::features::document_symbols;
use tower_lsp_server::ls_types::{DocumentSymbol, DocumentSymbolResponse, Range};

fn fixture(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|error| panic!("{}: {error}", full.display()))
}

fn contains(outer: &Range, inner: &Range) -> bool {
    let key = |p: &tower_lsp_server::ls_types::Position| (p.line, p.character);
    key(&outer.start) <= key(&inner.start) && key(&inner.end) <= key(&outer.end)
}

/// One line per symbol: indentation, name, kind, detail and the line
/// (1-based) of its selection; and checks that every selection lies in
/// its range and every child in its parent, as clients require.
fn show(symbols: &[DocumentSymbol], parent: Option<&Range>, depth: usize, out: &mut String) {
    for symbol in symbols {
        assert!(
            contains(&symbol.range, &symbol.selection_range),
            "{}: selection outside its range",
            symbol.name
        );
        if let Some(parent) = parent {
            assert!(
                contains(parent, &symbol.range),
                "{}: outside its parent",
                symbol.name
            );
        }
        let detail = symbol
            .detail
            .as_deref()
            .map(|detail| format!(" — {detail}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{}{} ({:?}){detail} @{}\n",
            "  ".repeat(depth),
            symbol.name,
            symbol.kind,
            symbol.selection_range.start.line + 1,
        ));
        show(
            symbol.children.as_deref().unwrap_or_default(),
            Some(&symbol.range),
            depth + 1,
            out,
        );
    }
}

fn check(path: &str, expected: Expect) {
    let document = Document::new(fixture(path), 1);
    let Some(DocumentSymbolResponse::Nested(outline)) =
        document_symbols(&document, PositionEncoding::Utf16)
    else {
        panic!("{path}: no outline");
    };
    let mut out = String::new();
    // Only the outputs: the inputs are the same in every fixture.
    show(&outline[outline.len() - 1..], None, 0, &mut out);
    expected.assert_eq(&out);
}

#[test]
fn flake_parts_per_system_and_module_config() {
    check(
        "layouts/flake-parts-module.nix",
        expect![[r#"
            outputs (Function) @9
              flake-parts.lib.mkFlake (Namespace) — flake-parts @10
                systems (Field) @11
                perSystem (Function) @12
                  options.greeting (Field) @13
                  config (Field) @16
                    packages.default (Field) @17
        "#]],
    );
}

#[test]
fn flake_parts_flake_attributes() {
    check(
        "layouts/flake-parts-no-let.nix",
        expect![[r#"
            outputs (Function) @10
              flake-parts.lib.mkFlake (Namespace) — flake-parts @11
                systems (Field) @12
                perSystem (Function) @13
                  packages.default (Field) @14
                  packages.docs (Field) @20
                  devShells.default (Field) @25
                flake (Field) @29
                  overlays.default (Function) @30
        "#]],
    );
}

#[test]
fn flake_utils_each_default_system() {
    check(
        "layouts/flake-utils-each-default-system.nix",
        expect![[r#"
            outputs (Function) @9
              flake-utils.lib.eachDefaultSystem (Namespace) — per system @10
                packages (Field) @16
                  default (Field) @17
                devShells.default (Field) @24
                formatter (Field) @28
        "#]],
    );
}

#[test]
fn flake_utils_merged_with_system_independent_outputs() {
    check(
        "layouts/outputs-merged.nix",
        expect![[r#"
        outputs (Function) @9
          overlays.default (Function) @11
          flake-utils.lib.eachDefaultSystem (Namespace) — per system @13
            packages.default (Field) @18
    "#]],
    );
}

#[test]
fn flake_utils_given_a_let_bound_function() {
    check(
        "layouts/flake-utils-named-function.nix",
        expect![[r#"
        outputs (Function) @9
          flake-utils.lib.eachDefaultSystem (Namespace) — per system @23
            packages.default (Field) @16
    "#]],
    );
}

#[test]
fn for_all_systems_outputs() {
    check(
        "layouts/for-all-systems.nix",
        expect![[r#"
        outputs (Function) @6
          packages (Field) @13
            default (Field) @18
          devShells (Field) @25
            default (Field) @26
          formatter (Field) @31
    "#]],
    );
}
