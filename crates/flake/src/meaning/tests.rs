//! Deliberately meaning-changing edits that parse: each must be refused,
//! naming what drifted, while the same kind of edit done right passes.

use flakeedit_syntax::{ChangeSet, SourceFile, TextEdit, TextRange, TextSize};

use super::*;

const FLAKE: &str = r#"{
  description = "demo";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  inputs.riot.url = "github:riot-ml/riot";
  outputs = { self, nixpkgs, riot }:
    let
      pkgs = nixpkgs.legacyPackages.x86_64-linux;
    in
    {
      packages.x86_64-linux.default = pkgs.hello;
      devShells.x86_64-linux.default = with pkgs; mkShell {
        packages = [ ocaml riot.packages.x86_64-linux.default ];
      };
    };
}
"#;

/// Replaces the first `old` of `text` by `new`.
fn replace(text: &str, old: &str, new: &str) -> ChangeSet {
    let start = text
        .find(old)
        .unwrap_or_else(|| panic!("`{old}` in the text"));
    let range = TextRange::at(
        TextSize::from(start as u32),
        TextSize::from(old.len() as u32),
    );
    let mut changes = ChangeSet::new();
    changes
        .add(TextEdit::replace(range, new))
        .expect("one edit");
    changes
}

/// Inserts `new` before the first `anchor` of `text`.
fn insert_before(text: &str, anchor: &str, new: &str) -> ChangeSet {
    let start = text
        .find(anchor)
        .unwrap_or_else(|| panic!("`{anchor}` in the text"));
    let mut changes = ChangeSet::new();
    changes
        .add(TextEdit::insert(TextSize::from(start as u32), new))
        .expect("one edit");
    changes
}

fn verify(text: &str, changes: &ChangeSet, allowed: &AllowedChange) -> Result<String, FlakeError> {
    let file = SourceFile::parse(text);
    let flake = Flake::read(&file).expect("a flake");
    apply_verified(&file, &flake, changes, allowed).map(|edit| edit.file.text().to_string())
}

fn refused(text: &str, changes: &ChangeSet, allowed: &AllowedChange) -> String {
    let error = verify(text, changes, allowed).expect_err("a drift is refused");
    assert_eq!(error.kind, ErrorKind::Internal, "{}", error.message);
    assert!(
        error.message.contains("nothing was written"),
        "{}",
        error.message
    );
    error.message
}

#[test]
fn renaming_a_used_formal_is_refused() {
    let changes = replace(FLAKE, "riot }:", "riot2 }:");
    let message = refused(FLAKE, &changes, &AllowedChange::new_code());
    assert_eq!(
        message,
        "internal error: the edit would change the flake's meaning: it would add the \
         outputs argument `riot2`; nothing was written"
    );
    // Even where the arguments may change, the uses may not change binding.
    let arguments =
        AllowedChange::remove_input("riot", false).union(AllowedChange::add_formal("riot2"));
    let message = refused(FLAKE, &changes, &arguments);
    assert!(
        message.contains(
            "`riot` at 12:28 referred to the binding at 5:30 and would refer to the `with` at 11:40"
        ),
        "{message}"
    );
}

#[test]
fn a_reference_to_an_unbound_name_is_refused() {
    let changes = replace(
        FLAKE,
        "packages.x86_64-linux.default = pkgs.hello;",
        "packages.x86_64-linux.default = pkgs.hello;\n      packages.x86_64-linux.extra = pkgz.hello;",
    );
    let message = refused(FLAKE, &changes, &AllowedChange::new_code());
    assert!(
        message.contains(
            "insert a reference to `pkgz` at 11:37 (after the edit), a name nothing binds there"
        ),
        "{message}"
    );
}

#[test]
fn a_new_binding_that_captures_a_used_name_is_refused() {
    let changes = insert_before(
        FLAKE,
        "pkgs.hello;",
        "let pkgs = nixpkgs.legacyPackages.aarch64-linux; in ",
    );
    let message = refused(FLAKE, &changes, &AllowedChange::new_code());
    assert!(
        message.contains(
            "`pkgs` at 10:39 referred to the binding at 7:7 and would refer to the binding at 10:43"
        ),
        "{message}"
    );
}

#[test]
fn new_code_may_use_names_in_scope_where_it_lands() {
    let changes = replace(
        FLAKE,
        "packages.x86_64-linux.default = pkgs.hello;",
        "packages.x86_64-linux.default = pkgs.hello;\n      packages.x86_64-linux.app = self.packages.x86_64-linux.default;",
    );
    let after = verify(FLAKE, &changes, &AllowedChange::new_code()).expect("bound names");
    assert!(after.contains("app = self.packages"));
}

#[test]
fn a_name_under_with_is_new_code_never_an_input_edit() {
    let changes = insert_before(FLAKE, "riot.packages", "dune_3 ");
    verify(FLAKE, &changes, &AllowedChange::new_code()).expect("`with pkgs` may provide it");
    let message = refused(FLAKE, &changes, &AllowedChange::all_follows());
    assert!(message.contains("change the body of outputs"), "{message}");
}

#[test]
fn rewritten_code_must_keep_its_references() {
    let list = "[ ocaml riot.packages.x86_64-linux.default ]";
    let grown = replace(
        FLAKE,
        list,
        "[ ocaml riot.packages.x86_64-linux.default dune_3 ]",
    );
    verify(FLAKE, &grown, &AllowedChange::new_code()).expect("the old elements are kept");
    let dropped = replace(FLAKE, list, "[ ocaml dune_3 ]");
    let message = refused(FLAKE, &dropped, &AllowedChange::new_code());
    assert!(
        message.contains("remove a use of the input `riot` (`riot` at 12:28)"),
        "{message}"
    );
}

const FETCH: &str = r#"{
  outputs = { self, nixpkgs }: {
    packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.fetchFromGitHub {
      owner = "o";
      repo = "r";
      rev = "v1";
      sha256 = nixpkgs.lib.fakeSha256;
    };
  };
}
"#;

#[test]
fn a_hash_fix_touches_hashes_only() {
    let converted = replace(
        FETCH,
        "sha256 = nixpkgs.lib.fakeSha256;",
        "hash = \"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\";",
    );
    verify(FETCH, &converted, &AllowedChange::hashes()).expect("a hash binding");
    let rev = replace(FETCH, "rev = \"v1\";", "rev = \"v2\";");
    let message = refused(FETCH, &rev, &AllowedChange::hashes());
    assert!(
        message.contains(
            "a hash fix would change `rev = \"v1\";` at 6:7, which is not a fetcher hash"
        ),
        "{message}"
    );
}

#[test]
fn input_edits_change_only_the_input_they_name() {
    let url = replace(FLAKE, "nixos-24.05", "nixos-24.11");
    verify(FLAKE, &url, &AllowedChange::reference("nixpkgs")).expect("nixpkgs' url");
    let message = refused(FLAKE, &url, &AllowedChange::reference("riot"));
    assert!(
        message.contains("change where the input `nixpkgs` comes from"),
        "{message}"
    );
    let message = refused(FLAKE, &url, &AllowedChange::follows("nixpkgs"));
    assert!(message.contains("`nixpkgs`"), "{message}");
    let body = replace(FLAKE, "pkgs.hello", "pkgs.hello.out");
    let message = refused(FLAKE, &body, &AllowedChange::reference("nixpkgs"));
    assert!(message.contains("change the body of outputs"), "{message}");
    let description = replace(FLAKE, "\"demo\"", "\"other\"");
    let message = refused(FLAKE, &description, &AllowedChange::new_code());
    assert!(
        message.contains("change the top-level attribute `description = \"demo\";`"),
        "{message}"
    );
}

#[test]
fn removing_a_used_input_leaves_uses_unbound_only_when_forced() {
    let mut changes = replace(FLAKE, "  inputs.riot.url = \"github:riot-ml/riot\";\n", "");
    changes
        .extend(replace(FLAKE, ", riot }", " }"))
        .expect("disjoint edits");
    let message = refused(FLAKE, &changes, &AllowedChange::remove_input("riot", false));
    assert!(
        message.contains("`riot` at 12:28 referred to the binding"),
        "{message}"
    );
    let after = verify(FLAKE, &changes, &AllowedChange::remove_input("riot", true))
        .expect("--force allows it");
    assert!(!after.contains("inputs.riot"));
    // Removing another input than the one asked for is refused.
    let message = refused(
        FLAKE,
        &changes,
        &AllowedChange::remove_input("nixpkgs", true),
    );
    assert!(message.contains("`riot`"), "{message}");
}

#[test]
fn a_new_free_variable_of_outputs_is_refused() {
    // Dropping the argument `nixpkgs` (allowed alone) leaves its use unbound.
    let changes = replace(FLAKE, "{ self, nixpkgs, riot }:", "{ self, riot }:");
    let message = refused(
        FLAKE,
        &changes,
        &AllowedChange::remove_input("nixpkgs", false),
    );
    assert!(
        message.contains(
            "`nixpkgs` at 7:14 referred to the binding at 5:21 and would refer to nothing"
        ),
        "{message}"
    );
}

#[test]
fn unions_allow_what_each_part_allows() {
    let mut changes = replace(FLAKE, "nixos-24.05", "nixos-24.11");
    changes
        .extend(replace(FLAKE, "riot-ml/riot", "riot-ml/riot/v2"))
        .expect("disjoint edits");
    refused(FLAKE, &changes, &AllowedChange::reference("nixpkgs"));
    let both = AllowedChange::reference("nixpkgs").union(AllowedChange::reference("riot"));
    verify(FLAKE, &changes, &both).expect("both references may change");
}

#[test]
fn a_new_formal_that_captures_a_with_name_is_refused_in_a_local_reparse() {
    // `ocaml` comes from `with pkgs`; an outputs argument of that name,
    // added inside the pattern (which is re-parsed alone), would capture it.
    let changes = insert_before(FLAKE, " }:", ", ocaml");
    let file = SourceFile::parse(FLAKE);
    let after = changes.apply(&file).expect("the edit parses");
    assert!(
        after.reparsed().is_some_and(|regions| regions.len() == 1
            && regions[0].kind == flakeedit_syntax::SyntaxKind::NODE_PATTERN),
        "the pattern is re-parsed alone"
    );
    let message = refused(FLAKE, &changes, &AllowedChange::add_formal("ocaml"));
    assert!(
        message.contains(
            "`ocaml` at 12:22 referred to the `with` at 11:40 and would refer to the binding at 5:36"
        ),
        "{message}"
    );
}
