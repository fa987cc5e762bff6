{
  description = "forEachSystem passes { pkgs, system }; each output takes what it needs";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f {
        pkgs = import nixpkgs { inherit system; };
        inherit system;
      });
    in
    {
      packages = forEachSystem ({ pkgs, ... }: {
        default = pkgs.ocamlPackages.buildDunePackage {
          pname = "relay";
          version = "0.4.0";
          src = ./.;
        };
      });
      devShells = forEachSystem ({ pkgs, system }: {
        default = pkgs.mkShell {
          packages = [
            pkgs.jq
          ];
          inputsFrom = [
            self.packages.${system}.default
          ];
        };
      });

      checks = forEachSystem ({ system, ... }: {
        default = self.packages.${system}.default;
      });
    };
}
