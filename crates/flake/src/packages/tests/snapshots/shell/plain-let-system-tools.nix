{
  description = "One system, named by a let binding";

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
        };
      };

      devShells.${system} = {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${system}.default ];
        };
        tools = pkgs.mkShell {
          packages = [ pkgs.jq ];
        };
      };
    };
}
