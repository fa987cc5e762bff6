{
  description = "forAllSystems where no package set is bound around the packages";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-linux" ];
    in
    {
      packages = forAllSystems (system: {
        default = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {
          pname = "app";
          version = "0.1.0";
          src = ./.;
        };
        extra = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [
            (nixpkgs.legacyPackages.${system}.python3.withPackages (ps: [ ps.numpy ]))
            nixpkgs.legacyPackages.${system}.hello
            self.packages.${system}.default
          ];
        };
      });
    };
}
