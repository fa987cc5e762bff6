{
  description = "flake-parts, perSystem written as a module with options and config";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-parts.url = "github:hercules-ci/flake-parts";
  };

  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      perSystem = { config, lib, pkgs, self', ... }: {
        options.greeting = lib.mkOption {
          default = "hello";
        };
        config = {
          packages.default = pkgs.stdenv.mkDerivation {
            pname = "greeter";
            version = "1.1.0";
            src = ./.;
          };
          devShells.default = pkgs.mkShell {
            packages = [
              pkgs.jq
            ];
            inputsFrom = [
              self'.packages.default
            ];
          };
        };
      };
    };
}
