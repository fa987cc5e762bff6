{
  description = "One system, named by a let binding, its package written dotted";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      system = "x86_64-linux";
      pkgs = nixpkgs.legacyPackages.${system};
    in
    {
      packages.${system} = {
        default = pkgs.ocamlPackages.buildDunePackage {
          pname = "solo";
          version = "2.0.0";
          src = ./.;
          postInstall = ''
            echo done
          '';
        };
        extra = pkgs.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [
            self.packages.${system}.default
          ];
        };
      };
    };
}
