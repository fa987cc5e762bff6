{
  description = "a per-system set merged with optionalAttrs over a let … in { … }";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ];
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
      } // (nixpkgs.lib.optionalAttrs (system == "x86_64-linux") (let
        pkgs = nixpkgs.legacyPackages.${system};
      in {
        static = pkgs.hello;
        inherit (pkgs) cmake;
      })));
      devShells = forAllSystems (system: {
        default = nixpkgs.legacyPackages.${system}.mkShell {
          packages = [
            nixpkgs.legacyPackages.${system}.jq
          ];
        };
      });
    };
}
