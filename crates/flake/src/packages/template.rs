//! `init`: new flakes in the seed article's flake-parts shape, with
//! `flake-parts` declared as an input (the article forgets it).

use flakeedit_syntax::string_literal;

/// The templates `init` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Template {
    /// An OCaml/dune project, like the seed: `buildDunePackage`, a dev shell.
    #[default]
    Ocaml,
    /// A Rust project: `rustPlatform.buildRustPackage`, a dev shell.
    Rust,
    /// Only the skeleton: empty `packages` and `devShells`.
    Minimal,
}

impl Template {
    /// Every template, for help texts.
    pub const ALL: [Template; 3] = [Template::Ocaml, Template::Rust, Template::Minimal];

    /// The template's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Template::Ocaml => "ocaml",
            Template::Rust => "rust",
            Template::Minimal => "minimal",
        }
    }
}

const HEAD: &str = r#"{
  description = @DESCRIPTION@;

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-parts = {
      url = "github:hercules-ci/flake-parts";
      inputs.nixpkgs-lib.follows = "nixpkgs";
    };
  };

  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-linux" "aarch64-darwin" "x86_64-darwin" ];
      perSystem = { config, self', inputs', pkgs, system, ... }:
"#;

const TAIL: &str = r#"          formatter = pkgs.nixpkgs-fmt;
        };
    };
}
"#;

const OCAML: &str = r#"        let
          inherit (pkgs) ocamlPackages mkShell;
          inherit (ocamlPackages) buildDunePackage;
          version = "0.0.1";
        in
        {
          devShells = {
            default = mkShell {
              inputsFrom = [
                self'.packages.default
              ];
              packages = [
                ocamlPackages.ocaml-lsp
                ocamlPackages.ocamlformat
                ocamlPackages.utop
              ];
            };
          };
          packages = {
            default = buildDunePackage {
              inherit version;
              pname = @PNAME@;
              src = ./.;
            };
          };
"#;

const RUST: &str = r#"        let
          version = "0.1.0";
        in
        {
          devShells = {
            default = pkgs.mkShell {
              inputsFrom = [
                self'.packages.default
              ];
              packages = [
                pkgs.rust-analyzer
                pkgs.clippy
                pkgs.rustfmt
              ];
            };
          };
          packages = {
            default = pkgs.rustPlatform.buildRustPackage {
              inherit version;
              pname = @PNAME@;
              src = ./.;
              cargoLock.lockFile = ./Cargo.lock;
            };
          };
"#;

const MINIMAL: &str = r#"        {
          devShells = { };
          packages = { };
"#;

/// The text of a new `flake.nix` from `template`. `name` becomes the
/// description and the default package's `pname` (escaped).
pub fn init_flake(template: Template, name: &str) -> String {
    let body = match template {
        Template::Ocaml => OCAML,
        Template::Rust => RUST,
        Template::Minimal => MINIMAL,
    };
    let description = match template {
        Template::Ocaml => format!("{name}: an OCaml project"),
        Template::Rust => format!("{name}: a Rust project"),
        Template::Minimal => name.to_string(),
    };
    let pname = if name.trim().is_empty() { "app" } else { name };
    // Each part has one placeholder, replaced on its own, so a name cannot
    // smuggle in the other placeholder.
    let head = HEAD.replace("@DESCRIPTION@", &string_literal(&description));
    let body = body.replace("@PNAME@", &string_literal(pname));
    format!("{head}{body}{TAIL}")
}
