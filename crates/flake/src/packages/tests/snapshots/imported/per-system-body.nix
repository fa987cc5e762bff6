{
  description = "A per-system body whose packages come from ./nix/packages.nix";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-utils.url = "github:numtide/flake-utils";
  outputs =
    { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (
      system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
      in
      {
        packages = import ./nix/packages.nix {
          inherit pkgs;
        } // {
          extra = pkgs.ocamlPackages.buildDunePackage {
            pname = "extra";
            version = "0.2.0";
            src = ./.;
          };
        };
      }
    );
}
