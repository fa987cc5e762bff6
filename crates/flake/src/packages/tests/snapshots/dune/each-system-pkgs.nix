{
  description = "eachSystem over nixpkgs.legacyPackages: the lambda gets a package set";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    systems.url = "github:nix-systems/default";
  };

  outputs = { self, nixpkgs, systems }:
    let
      eachSystem = f: nixpkgs.lib.genAttrs (import systems) (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = eachSystem (pkgs: {
        default = pkgs.hello;
        extra = pkgs.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [ self.packages.${pkgs.stdenv.hostPlatform.system}.default ];
        };
      });

      devShells = eachSystem (p: {
        default = p.mkShell { packages = [ p.jq ]; };
      });
    };
}
