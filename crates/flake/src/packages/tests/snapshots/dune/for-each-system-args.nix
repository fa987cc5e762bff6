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
      packages = forEachSystem ({ pkgs, system, ... }: {
        default = pkgs.ocamlPackages.buildDunePackage {
          pname = "relay";
          version = "0.4.0";
          src = ./.;
        };
        extra = pkgs.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [
            self.packages.${system}.default
          ];
        };
      });

      checks = forEachSystem ({ system, ... }: {
        default = self.packages.${system}.default;
      });
    };
}
