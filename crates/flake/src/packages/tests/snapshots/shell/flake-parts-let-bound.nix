{
  description = "a let-bound mkFlake of which only the checks are exported; packages come from forAllSystems";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";

  outputs = inputs@{ self, nixpkgs, flake-parts }:
    let
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      forAllSystems = nixpkgs.lib.genAttrs systems;
      devFlake = flake-parts.lib.mkFlake { inherit inputs; } {
        inherit systems;
        perSystem = { pkgs, ... }: {
          checks.format = pkgs.hello;
        };
      };
    in
    {
      packages = forAllSystems (system: {
        default = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {
          pname = "relay";
          version = "0.4.0";
          src = ./.;
        };
      });
      devShells = forAllSystems (system: {
        default = nixpkgs.legacyPackages.${system}.mkShell {
          packages = [
            nixpkgs.legacyPackages.${system}.jq
          ];
          inputsFrom = [
            self.packages.${system}.default
          ];
        };
      });

      checks = forAllSystems (system: devFlake.checks.${system});
    };
}
