{
  description = "Per-system packages merged from a let-bound set and another file";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ];
      tools = pkgs: rec {
        server = pkgs.stdenv.mkDerivation {
          pname = "server";
          version = "0.3.0";
          src = ./.;
        };
        default = server;
      };
    in
    {
      packages = forAllSystems (system: tools nixpkgs.legacyPackages.${system} // {
        dockerImage = nixpkgs.legacyPackages.${system}.dockerTools.buildLayeredImage {
          name = nixpkgs.lib.getName self.packages.${system}.server;
          contents = [ self.packages.${system}.server ];
          config = {
            Cmd = [ "${nixpkgs.lib.getExe self.packages.${system}.server}" ];
          };
        };
      });
    };
}
