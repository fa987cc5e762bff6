{
  description = "a per-system function returning what a let-bound function of the package set returns, whose names are known";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ];
      makePackages = pkgs: {
        default = pkgs.hello;
        lint = pkgs.jq;
      };
    in
    {
      packages = forAllSystems (system: makePackages nixpkgs.legacyPackages.${system} // {
        extra = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [
            self.packages.${system}.default
          ];
        };
      });
      devShells = forAllSystems (system: {
        default = nixpkgs.legacyPackages.${system}.mkShell {
          packages = [
            nixpkgs.legacyPackages.${system}.jq
          ];
        };
      });
      overlays.default = final: prev: makePackages final;
    };
}
