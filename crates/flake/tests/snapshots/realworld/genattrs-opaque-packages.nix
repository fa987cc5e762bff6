{
  description = "genAttrs dev shells next to packages written another way";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-linux" ];
      pkgsFor = forAllSystems (system: nixpkgs.legacyPackages.${system});
    in
    {
      devShells = forAllSystems (s: {
        default = pkgsFor.${s}.mkShell { packages = [ pkgsFor.${s}.hello ]; };
        tools = pkgsFor.${s}.mkShell {
          packages = [ pkgsFor.${s}.jq ];
        };
      });

      packages = nixpkgs.lib.mapAttrs (system: pkgs: {
        default = pkgs.hello;
      }) pkgsFor;
    };
}
