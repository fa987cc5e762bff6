use expect_test::{expect, Expect};

use super::*;
use crate::SourceFile;

/// Every reference of `text` as `name@offset -> what binds it`, where a
/// binding is shown as the offset of its name and the 8 bytes from there.
fn show(text: &str) -> String {
    let file = SourceFile::parse(text);
    assert!(file.is_valid(), "{:?}", file.errors());
    let found = references(file.syntax()).expect("shallow");
    found
        .iter()
        .map(|reference| {
            let at = usize::from(reference.range.start());
            let what = match reference.resolution {
                Resolution::Bound(binder) => {
                    let binder = usize::from(binder);
                    let end = (binder + 8).min(text.len());
                    format!("bound@{binder} `{}`", &text[binder..end])
                }
                Resolution::With(with) => format!("with@{}", usize::from(with)),
                Resolution::Global => "global".to_string(),
                Resolution::Free => "FREE".to_string(),
            };
            format!("{}@{at} -> {what}", reference.name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn check(text: &str, expected: Expect) {
    expected.assert_eq(&show(text));
}

#[test]
fn lambda_parameters_and_formals() {
    check(
        "x: { a, b ? a, ... }@args: x + a + b + args.c + y",
        expect![[r#"
            a@12 -> bound@5 `a, b ? a`
            x@27 -> bound@0 `x: { a, `
            a@31 -> bound@5 `a, b ? a`
            b@35 -> bound@8 `b ? a, .`
            args@39 -> bound@21 `args: x `
            y@48 -> FREE"#]],
    );
}

#[test]
fn a_default_sees_the_at_name_and_later_formals() {
    check(
        "inputs@{ a ? inputs.b, b }: a",
        expect![[r#"
            inputs@13 -> bound@0 `inputs@{`
            a@28 -> bound@9 `a ? inpu`"#]],
    );
}

#[test]
fn let_bindings_are_recursive_and_shadow() {
    check(
        "x: let x = 1; y = x + z; z = 2; in let x = y; in x",
        expect![[r#"
            x@18 -> bound@7 `x = 1; y`
            z@22 -> bound@25 `z = 2; i`
            y@43 -> bound@14 `y = x + `
            x@49 -> bound@39 `x = y; i`"#]],
    );
}

#[test]
fn plain_inherit_reads_the_outer_scope_and_binds_inside() {
    check(
        "pkgs: let inherit pkgs; lib = pkgs.lib; in lib",
        expect![[r#"
            pkgs@18 -> bound@0 `pkgs: le`
            pkgs@30 -> bound@18 `pkgs; li`
            lib@43 -> bound@24 `lib = pk`"#]],
    );
}

#[test]
fn inherit_from_reads_its_source_inside_a_let_and_names_are_attributes() {
    check(
        "let inherit (pkgs) mkShell ocaml; pkgs = {}; in mkShell",
        expect![[r#"
            pkgs@13 -> bound@34 `pkgs = {`
            mkShell@48 -> bound@19 `mkShell `"#]],
    );
}

#[test]
fn rec_sets_bind_their_attributes_and_plain_sets_do_not() {
    check(
        "rec { a = 1; b.c = a + d; } // { a = 1; b = a; }",
        expect![[r#"
            a@19 -> bound@6 `a = 1; b`
            d@23 -> FREE
            a@44 -> FREE"#]],
    );
}

#[test]
fn inherit_in_a_rec_set_reads_outside_it() {
    check(
        "a: rec { inherit a; b = a; }",
        expect![[r#"
            a@17 -> bound@0 `a: rec {`
            a@24 -> bound@17 `a; b = a`"#]],
    );
}

#[test]
fn with_makes_unbound_names_maybe_bound_but_never_shadows() {
    check(
        "pkgs: with pkgs; [ hello pkgs (with lib; [ foo ]) toString ]",
        expect![[r#"
            pkgs@11 -> bound@0 `pkgs: wi`
            hello@19 -> with@6
            pkgs@25 -> bound@0 `pkgs: wi`
            lib@36 -> with@6
            foo@43 -> with@31
            toString@50 -> global"#]],
    );
}

#[test]
fn string_interpolation_and_dynamic_attributes_are_expressions() {
    check(
        r#"system: { "${system}-x" = "v${version}"; ${name} = self.packages.${system}.${"a${b}"}; }"#,
        expect![[r#"
            system@13 -> bound@0 `system: `
            version@30 -> FREE
            name@43 -> FREE
            self@51 -> FREE
            system@67 -> bound@0 `system: `
            b@81 -> FREE"#]],
    );
}

#[test]
fn select_and_has_attr_paths_are_not_references() {
    check(
        "x: (x.a.b or c) && x ? d",
        expect![[r#"
            x@4 -> bound@0 `x: (x.a.`
            c@13 -> FREE
            x@19 -> bound@0 `x: (x.a.`"#]],
    );
}

#[test]
fn names_do_not_leak_out_of_their_scope() {
    check(
        "[ (x: x) x (let y = 1; in y) y ({ z }: z) z ]",
        expect![[r#"
            x@6 -> bound@3 `x: x) x `
            x@9 -> FREE
            y@26 -> bound@16 `y = 1; i`
            y@29 -> FREE
            z@39 -> bound@34 `z }: z) `
            z@42 -> FREE"#]],
    );
}

#[test]
fn legacy_let_is_a_recursive_set() {
    check(
        "let { a = 1; body = a; }",
        expect![[r#"
            a@20 -> bound@6 `a = 1; b`"#]],
    );
}

#[test]
fn free_variables_separate_maybe_with_names() {
    let file =
        SourceFile::parse("{ outputs = { self }: with self; { x = y; z = self; w = q.r; }; }");
    let found = free_variables(file.syntax()).expect("shallow");
    let names = |list: &[Reference]| list.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&found.free), Vec::<String>::new());
    assert_eq!(names(&found.maybe_with), vec!["y", "q"]);
    let file = SourceFile::parse("{ outputs = { self }: { x = nixpkgs; }; }");
    let found = free_variables(file.syntax()).expect("shallow");
    assert_eq!(names(&found.free), vec!["nixpkgs"]);
    assert!(found.maybe_with.is_empty());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let depth = MAX_DEPTH + 10;
    let text = format!("{}x{}", "[".repeat(depth), "]".repeat(depth));
    let file = SourceFile::parse(text);
    assert!(references(file.syntax()).is_err());
}

/// A file with every kind of scope: lambdas with patterns and defaults,
/// `let`, `rec` with plain and dynamic inherits, `with`, legacy `let`.
const SCOPES: &str = r#"{
  inputs = rec { a.url = "github:o/a"; b.url = a.url; };
  outputs = inputs@{ self, nixpkgs, c ? self, ... }:
    let
      pkgs = nixpkgs.legacyPackages.x86_64-linux;
      inherit (pkgs) lib;
      f = x: { y ? x }: [ x y (lib.id x) ];
    in
    rec {
      packages.default = with pkgs; mkShell { buildInputs = [ hello (f 1 { }) ]; };
      inherit pkgs;
      other = packages.default // { name = "${lib.version}"; };
      legacy = let { body = z; z = [ c inputs ]; };
    };
}
"#;

#[test]
fn references_within_ranges_are_those_of_the_whole_walk() {
    let file = SourceFile::parse(SCOPES);
    assert!(file.is_valid(), "{:?}", file.errors());
    let whole = references(file.syntax()).expect("shallow");
    let delimited: Vec<TextRange> = file
        .syntax()
        .descendants()
        .filter(|node| {
            matches!(
                node.kind(),
                SyntaxKind::NODE_ATTR_SET
                    | SyntaxKind::NODE_LIST
                    | SyntaxKind::NODE_PAREN
                    | SyntaxKind::NODE_PATTERN
                    | SyntaxKind::NODE_LAMBDA
            )
        })
        .map(|node| node.text_range())
        .collect();
    assert!(delimited.len() > 10, "{}", delimited.len());
    let inside = |ranges: &[TextRange]| -> Vec<Reference> {
        whole
            .iter()
            .filter(|reference| {
                ranges
                    .iter()
                    .any(|range| range.contains_range(reference.range))
            })
            .cloned()
            .collect()
    };
    for (index, range) in delimited.iter().enumerate() {
        let one = [*range];
        assert_eq!(
            references_within(file.syntax(), &one).expect("shallow"),
            inside(&one),
            "{}",
            &SCOPES[*range]
        );
        // Two disjoint ranges at once.
        if let Some(other) = delimited[index + 1..]
            .iter()
            .find(|other| other.start() >= range.end())
        {
            let two = [*range, *other];
            assert_eq!(
                references_within(file.syntax(), &two).expect("shallow"),
                inside(&two)
            );
        }
    }
    // The ranges bring references with them; an empty list brings none.
    assert!(!inside(&delimited).is_empty());
    assert!(references_within(file.syntax(), &[])
        .expect("shallow")
        .is_empty());
}
