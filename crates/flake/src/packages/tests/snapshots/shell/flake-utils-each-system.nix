{
  description = "flake-utils eachSystem over an explicit system list";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachSystem [ "x86_64-linux" "aarch64-linux" ] (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
      in
      {
        packages.default = pkgs.stdenv.mkDerivation {
          pname = "probe";
          version = "2.0.0";
          src = ./.;
          nativeBuildInputs = [ pkgs.pkg-config ];
        };
        packages.image = pkgs.dockerTools.streamLayeredImage {
          name = "probe";
          tag = "latest";
          contents = [ self.packages.${system}.default ];
        };
        devShells.default = pkgs.mkShell {
          packages = [ pkgs.jq ];
          inputsFrom = [ self.packages.${system}.default ];
        };
      });
}
