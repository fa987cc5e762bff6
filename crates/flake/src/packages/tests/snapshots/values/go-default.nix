{
  description = "A Go program as the default package, and an OCaml tool beside it";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ];
    in
    {
      packages = forAllSystems (system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        {
          default = pkgs.buildGoModule {
            pname = "server";
            version = "1.0.0";
            src = ./.;
            vendorHash = null;
          };
          tool = pkgs.stdenv.mkDerivation {
            pname = "tool";
            version = "0.1.0";
            src = ./tool;
            nativeBuildInputs = with pkgs.ocamlPackages; [ ocaml dune_3 findlib ];
            buildInputs = [ self.packages.${system}.randomconv ];
          };
          randomconv = pkgs.ocamlPackages.buildDunePackage {
            pname = "randomconv";
            version = "0.2.0";
            src = pkgs.fetchFromGitHub {
              owner = "hannesm";
              repo = "randomconv";
              rev = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
              hash = pkgs.lib.fakeHash;
            };
          };
        });
    };
}
