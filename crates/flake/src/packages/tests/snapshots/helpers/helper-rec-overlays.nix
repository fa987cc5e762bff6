{
  description = "eachSystem passes a rec set whose package set has overlays; another flake's legacyPackages is not nixpkgs";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.tools.url = "github:example/tools";

  outputs = { self, nixpkgs, tools }:
    let
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      eachSystem = f: nixpkgs.lib.genAttrs systems (system:
        let
          pkgs = nixpkgs.legacyPackages.${system}.appendOverlays [
            (final: prev: { relay-dep = prev.hello; })
          ];
        in
        f rec {
          toolPkgs = tools.legacyPackages.${system};
          inherit system;
          pkgs' = pkgs;
          buildDune = pkgs'.ocamlPackages.buildDunePackage;
        });
    in
    {
      packages = eachSystem ({ buildDune, toolPkgs, system, pkgs', ... }: {
        default = buildDune {
          pname = "relay";
          version = "0.4.0";
          src = ./.;
          buildInputs = [ toolPkgs.default ];
        };
        extra = pkgs'.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [ self.packages.${system}.default ];
        };
      });
      devShells = eachSystem ({ pkgs', system, ... }: {
        default = pkgs'.mkShell {
          packages = [ pkgs'.jq ];
        };
      });
    };
}
