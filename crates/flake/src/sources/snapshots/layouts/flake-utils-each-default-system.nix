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
            buildInputs = [ ocamlPackages.mirage-crypto self.packages.${system}.randomconv ];
          };
          randomconv = ocamlPackages.buildDunePackage {
            pname = "randomconv";
            version = "0.2.0";
            src = pkgs.fetchFromGitHub {
              owner = "hannesm";
              repo = "randomconv";
              rev = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
              hash = "sha256-KIvx/UNtPTg0EqfwuJgzSCtr6RgKIXK6yv9QkUUHbJk=";
            };
          };
        };
        devShells.default = pkgs.mkShell {
          inputsFrom = [ self.packages.${system}.default ];
          packages = [ ocamlPackages.utop ];
        };
        formatter = pkgs.nixpkgs-fmt;
      });
}
