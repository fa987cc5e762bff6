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
            name = "tool";
            tag = "2.1.0";
            contents = [ self.packages.${system}.tool ];
            config = {
              Cmd = [ "${self.packages.${system}.tool}/bin/tool" ];
            };
          };
        } // pkgs.lib.optionalAttrs pkgs.stdenv.isDarwin {
          mac = pkgs.hello;
        };
      });
}
