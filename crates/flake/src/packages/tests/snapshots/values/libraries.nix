{
  description = "Dune libraries written version first, with propagatedBuildInputs";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        ocamlPackages = pkgs.ocamlPackages;
      in
      {
        packages = {
          core = ocamlPackages.buildDunePackage {
            version = "0.3.0";
            pname = "core";
            src = ./core;
            propagatedBuildInputs = [ ocamlPackages.lwt ];
          };
          default = ocamlPackages.buildDunePackage {
            version = "0.3.0";
            pname = "app";
            src = ./.;
            propagatedBuildInputs = [
              self.packages.${system}.core
              ocamlPackages.yojson
              self.packages.${system}.randomconv
            ];
          };
          extra = ocamlPackages.buildDunePackage {
            version = "0.3.0";
            pname = "extra";
            src = ./.;
            propagatedBuildInputs = [ self.packages.${system}.core ];
          };
          randomconv = ocamlPackages.buildDunePackage {
            version = "0.2.0";
            pname = "randomconv";
            src = pkgs.fetchFromGitHub {
              owner = "hannesm";
              repo = "randomconv";
              rev = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
              hash = pkgs.lib.fakeHash;
            };
          };
        };
      });
}
