{
  description = "Packages written both dotted and as a set, which Nix merges";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
      in
      {
        packages.default = pkgs.hello;
        packages = {
          inherit (pkgs) jq;
        };
        packages.dockerImage = pkgs.dockerTools.buildLayeredImage {
          name = pkgs.lib.getName self.packages.${system}.jq;
          contents = [ self.packages.${system}.jq ];
          config = {
            Cmd = [ "${pkgs.lib.getExe self.packages.${system}.jq}" ];
          };
        };
      });
}
