{
  description = "flake-utils given a let-bound function named perSystem";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    let
      perSystem = system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        {
          packages.default = pkgs.ocamlPackages.buildDunePackage {
            pname = "named";
            version = "0.3.0";
            src = ./.;
          };
          devShells.default = pkgs.mkShell {
            packages = [
              pkgs.jq
            ];
            inputsFrom = [
              self.packages.${system}.default
            ];
          };
        };
    in
    flake-utils.lib.eachDefaultSystem perSystem;
}
