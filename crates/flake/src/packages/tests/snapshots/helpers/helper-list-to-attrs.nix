{
  description = "eachSystem written with listToAttrs and map, passing { pkgs, system }";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      eachSystem = f: builtins.listToAttrs (map (system: {
        name = system;
        value = f {
          pkgs = nixpkgs.legacyPackages.${system};
          inherit system;
        };
      }) systems);
    in
    {
      packages = eachSystem ({ pkgs, system, ... }: {
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
      devShells = eachSystem ({ pkgs, system }: {
        default = pkgs.mkShell {
          packages = [
            pkgs.jq
          ];
        };
      });
    };
}
