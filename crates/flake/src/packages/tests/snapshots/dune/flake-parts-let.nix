{
  description = "flake-parts with a let ... in inside perSystem";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-parts.url = "github:hercules-ci/flake-parts";
  };

  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-linux" "aarch64-darwin" "x86_64-darwin" ];
      perSystem = { config, self', inputs', pkgs, system, ... }:
        let
          inherit (pkgs) ocamlPackages mkShell;
          inherit (ocamlPackages) buildDunePackage;
          version = "1.2.0";
        in
        {
          packages = {
            default = buildDunePackage {
              inherit version;
              pname = "tally";
              src = ./.;
              buildInputs = [ ocamlPackages.ounit2 ];
            };
            extra = buildDunePackage {
              version = "0.2.0";
              pname = "extra";
              src = ./.;
              buildInputs = [ self'.packages.default ];
            };
          };
          devShells = {
            default = mkShell {
              inputsFrom = [ self'.packages.default ];
              buildInputs = [ ocamlPackages.ocaml-lsp ];
            };
          };
          formatter = pkgs.nixpkgs-fmt;
        };
    };
}
