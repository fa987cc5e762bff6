{
  description = "genAttrs packages next to dev shells written another way";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-linux" ];
      pkgsFor = forAllSystems (system: nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (system: {
        default = pkgsFor.${system}.hello;
        fe-demo = pkgsFor.${system}.ocamlPackages.buildDunePackage {
          pname = "fe-demo";
          version = "0.1.0";
          src = ./.;
        };
      });

      devShells = nixpkgs.lib.mapAttrs (system: pkgs: {
        default = pkgs.mkShell { packages = [ pkgs.hello ]; };
      }) pkgsFor;
    };
}
