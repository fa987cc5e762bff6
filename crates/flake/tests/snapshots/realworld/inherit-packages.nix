{
  description = "An OCaml project whose per-system packages come from a let binding";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        packages = {
          default = pkgs.ocamlPackages.buildDunePackage {
            pname = "server";
            version = "1.0.0";
            src = ./.;
          };
        };
      in
      {
        packages = packages // {
          fe-demo = pkgs.ocamlPackages.buildDunePackage {
            pname = "fe-demo";
            version = "0.1.0";
            src = ./.;
          };
        };

        devShells.default = pkgs.mkShell {
          inputsFrom = pkgs.lib.attrValues packages;
        };
      });
}
