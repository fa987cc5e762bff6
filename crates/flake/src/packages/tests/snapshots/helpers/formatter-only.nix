{
  description = "no packages or dev shells yet; the formatter is made per system by forAllSystems";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ];
    in
    {
      overlays.default = final: prev: { };

      packages = forAllSystems (system: {
        extra = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
        };
      });

      devShells = forAllSystems (system: {
        default = nixpkgs.legacyPackages.${system}.mkShell {
          packages = [
            nixpkgs.legacyPackages.${system}.jq
          ];
        };
      });

      formatter = forAllSystems (system: nixpkgs.legacyPackages.${system}.hello);
    };
}
