{
  description = "Packages whose pname and version are not literals";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        meta = builtins.fromJSON ''{ "pname": "probe", "version": "1.4.0" }'';
      in
      {
        packages = {
          default = pkgs.stdenv.mkDerivation {
            inherit (meta) pname version;
            src = ./.;
          };
          Upper = pkgs.stdenv.mkDerivation {
            pname = "Upper";
            version = "0.0.1+dev";
            src = ./.;
          };
          dockerImage = pkgs.dockerTools.buildLayeredImage {
            name = self.packages.${system}.default.pname;
            contents = [ self.packages.${system}.default ];
            config = {
              Cmd = [ "${pkgs.lib.getExe self.packages.${system}.default}" ];
            };
          };
        };
      });
}
