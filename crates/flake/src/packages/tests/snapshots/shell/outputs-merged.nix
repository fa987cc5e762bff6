{
  description = "System-independent outputs merged with flake-utils' with //";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    {
      overlays.default = final: prev: { };
    }
    // flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
      in
      {
        packages.default = pkgs.hello;
        devShells.default = pkgs.mkShell {
          packages = [
            pkgs.jq
          ];
          inputsFrom = [
            self.packages.${system}.default
          ];
        };
      });
}
