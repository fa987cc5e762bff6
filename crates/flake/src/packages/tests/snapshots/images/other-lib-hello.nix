{
  description = "A `lib` in scope that is not nixpkgs' lib";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        lib = { greeting = "hello"; };
      in
      {
        packages = {
          inherit (pkgs) hello;
          dockerImage = pkgs.dockerTools.buildLayeredImage {
            name = pkgs.lib.getName self.packages.${system}.hello;
            contents = [ self.packages.${system}.hello ];
            config = {
              Cmd = [ "${pkgs.lib.getExe self.packages.${system}.hello}" ];
            };
          };
        };
      });
}
