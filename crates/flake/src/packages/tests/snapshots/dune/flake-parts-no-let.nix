{
  description = "flake-parts, perSystem returning a set directly";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-parts.url = "github:hercules-ci/flake-parts";
    flake-parts.inputs.nixpkgs-lib.follows = "nixpkgs";
  };

  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      perSystem = { pkgs, self', inputs', ... }: {
        packages.default = pkgs.rustPlatform.buildRustPackage {
          pname = "ledger-sync";
          version = "0.3.1";
          src = ./.;
          cargoLock.lockFile = ./Cargo.lock;
        };
        packages.docs = pkgs.stdenv.mkDerivation {
          name = "ledger-sync-docs";
          src = ./docs;
          installPhase = "cp -r . $out";
        };
        packages.extra = pkgs.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [ self'.packages.default ];
        };
        devShells.default = pkgs.mkShell {
          inputsFrom = [ self'.packages.default ];
        };
      };
      flake = {
        overlays.default = final: prev: { };
      };
    };
}
