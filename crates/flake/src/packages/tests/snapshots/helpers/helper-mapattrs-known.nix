{
  description = "a per-system set merged with mapAttrs over a let-bound set, whose names are known";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ];
      tools = { lint = "hello"; format = "jq"; };
    in
    {
      packages = forAllSystems (system: {
        default = nixpkgs.legacyPackages.${system}.hello;
        extra = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [
            self.packages.${system}.default
          ];
        };
      } // builtins.mapAttrs (_: name: nixpkgs.legacyPackages.${system}.${name}) tools);
      devShells = forAllSystems (system: {
        default = nixpkgs.legacyPackages.${system}.mkShell {
          packages = [
            nixpkgs.legacyPackages.${system}.jq
          ];
        };
      });
    };
}
