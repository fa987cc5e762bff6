{
  description = "per-system outputs written as X // { … } and let … in { … }, with dev shells generated for listed names after";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-utils.url = "github:numtide/flake-utils";

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        tools = { lint = pkgs.hello; };
      in
      {
        packages = tools // {
          default = pkgs.ocamlPackages.buildDunePackage {
            pname = "relay";
            version = "0.4.0";
            src = ./.;
          };
          extra = pkgs.ocamlPackages.buildDunePackage {
            pname = "extra";
            version = "0.2.0";
            src = ./.;
            buildInputs = [
              self.packages.${system}.default
            ];
          };
        };

        devShells =
          let
            common = [ pkgs.jq ];
          in
          {
            default = pkgs.mkShell { packages = common; };
            tools = pkgs.mkShell {
              packages = [
                pkgs.jq
              ];
            };
          }
          // nixpkgs.lib.genAttrs [ "ci" ] (name: pkgs.mkShell { inherit name; });
      });
}
