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
      packages = eachSystem (pkgs: { default = pkgs.hello; });

      devShells = eachSystem (p: {
        default = p.mkShell {
          packages = [ p.jq ];
          inputsFrom = [ self.packages.${p.stdenv.hostPlatform.system}.default ];
        };
      });
    };
}
