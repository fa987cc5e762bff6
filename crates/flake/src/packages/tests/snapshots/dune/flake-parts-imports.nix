{
  description = "flake-parts whose perSystem also comes from an imported module";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-parts.url = "github:hercules-ci/flake-parts";
    devshell.url = "github:numtide/devshell";
  };

  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      imports = [ inputs.devshell.flakeModule ];
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      perSystem = { pkgs, self', ... }: {
        packages.default = pkgs.stdenv.mkDerivation {
          pname = "greeter";
          version = "1.1.0";
          src = ./.;
        };
        packages.extra = pkgs.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [
            self'.packages.default
          ];
        };
      };
    };
}
