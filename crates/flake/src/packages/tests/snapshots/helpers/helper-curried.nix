{
  description = "forSystems takes the systems first; a set merged under optionalAttrs after the packages";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forSystems = systems: f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      forAllPkgs = forSystems [ "x86_64-linux" "aarch64-darwin" ];
    in
    {
      packages = forAllPkgs (pkgs: {
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
            self.packages.${pkgs.stdenv.hostPlatform.system}.default
          ];
        };
      } // nixpkgs.lib.optionalAttrs pkgs.stdenv.isLinux {
        static = pkgs.hello;
      });
      devShells = forAllPkgs (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.jq
          ];
        };
      });
    };
}
