{
  description = "per-system packages bound by let and inherited into the returned set, used elsewhere only by name";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-utils.url = "github:numtide/flake-utils";

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachSystem [ "x86_64-linux" "aarch64-darwin" ] (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        packages = rec {
          default = pkgs.hello;
          tool = default;
        };
        inherit (packages) tool;
      in
      {
        packages = packages // {
          extra = pkgs.ocamlPackages.buildDunePackage {
            pname = "extra";
            version = "0.2.0";
            src = ./.;
            buildInputs = [
              self.packages.${system}.default
            ];
          };
        };
        apps.default = { type = "app"; program = "${tool}/bin/hello"; };
        devShells.default = pkgs.mkShell { inputsFrom = builtins.attrValues packages; };
      });
}
