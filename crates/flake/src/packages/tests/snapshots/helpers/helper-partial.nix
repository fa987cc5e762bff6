{
  description = "forAllSystems applies a let-bound function of f and the system to genAttrs";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      argumentsFor = f: system:
        let
          arguments = {
            pkgs = nixpkgs.legacyPackages.${system};
            version = "0.4.0";
          };
        in
        f arguments;
      forAllSystems = f: nixpkgs.lib.genAttrs systems (argumentsFor f);
    in
    {
      packages = forAllSystems ({ pkgs, version, ... }: {
        default = pkgs.ocamlPackages.buildDunePackage {
          pname = "relay";
          inherit version;
          src = ./.;
        };
        extra = pkgs.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [
            self.packages.${pkgs.stdenv.hostPlatform.system}.default
          ];
        };
      });
      devShells = forAllSystems ({ pkgs, ... }: {
        default = pkgs.mkShell {
          packages = [
            pkgs.jq
          ];
        };
      });
    };
}
