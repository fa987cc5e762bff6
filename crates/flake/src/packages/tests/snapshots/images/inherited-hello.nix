{
  description = "Packages defined by `inherit`, and one only on Darwin";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        tool = pkgs.stdenv.mkDerivation {
          pname = "tool";
          version = "2.1.0";
          src = ./.;
        };
      in
      {
        packages = {
          inherit tool;
          inherit (pkgs) hello;
          dockerImage = pkgs.dockerTools.buildLayeredImage {
            name = pkgs.lib.getName self.packages.${system}.hello;
            contents = [ self.packages.${system}.hello ];
            config = {
              Cmd = [ "${pkgs.lib.getExe self.packages.${system}.hello}" ];
            };
          };
        } // pkgs.lib.optionalAttrs pkgs.stdenv.isDarwin {
          mac = pkgs.hello;
        };
      });
}
