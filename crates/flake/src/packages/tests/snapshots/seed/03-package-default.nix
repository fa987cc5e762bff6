{
  description = "Nix and Ocaml template";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    riot = {
      url = "github:emilpriver/riot";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-linux" "aarch64-darwin" "x86_64-darwin" ];
      perSystem = { config, self', inputs', pkgs, system, ... }:
        let
          version = "0.0.1";
        in
        {
          devShells = {};
          packages = {
            default = pkgs.ocamlPackages.buildDunePackage {
              pname = "nix_template";
              inherit version;
              src = ./.;
              buildInputs = [
                inputs'.riot.packages.default
              ];
            };
          };
          formatter = pkgs.nixpkgs-fmt;
        };
    };
}
