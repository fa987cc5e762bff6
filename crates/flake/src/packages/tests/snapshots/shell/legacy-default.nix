{
  description = "Legacy defaultPackage and devShell, from flake-utils";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
      in
      {
        defaultPackage = pkgs.ocamlPackages.buildDunePackage {
          pname = "vintage";
          version = "0.9.0";
          src = ./.;
        };
        devShell = pkgs.mkShell {
          inputsFrom = [ self.defaultPackage.${system} ];
          packages = [ pkgs.jq ];
        };
      });
}
