{
  description = "flake-utils eachDefaultSystem with a let block";

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
          default = ocamlPackages.buildDunePackage {
            pname = "weather";
            version = "0.4.0";
            src = ./.;
            buildInputs = [ ocamlPackages.mirage-crypto ];
          };
          extra = ocamlPackages.buildDunePackage {
            pname = "extra";
            version = "0.2.0";
            src = ./.;
            buildInputs = [ self.packages.${system}.default ];
          };
        };
        devShells.default = pkgs.mkShell {
          inputsFrom = [ self.packages.${system}.default ];
          packages = [ ocamlPackages.utop ];
        };
        formatter = pkgs.nixpkgs-fmt;
      });
}
