{
  description = "Per-system packages imported from ./pkgs";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-darwin"
      ];
      forAllSystems = nixpkgs.lib.genAttrs systems;
    in
    {
      # Custom packages live in ./pkgs
      packages = forAllSystems (system: import ./pkgs nixpkgs.legacyPackages.${system} // {
        extra = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
        };
      });
    };
}
