{
  description = "Dev shells whose packages are list expressions, not literals";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ];
    in
    {
      devShells = forAllSystems (system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
          inherit (pkgs) lib;
          tools = [ pkgs.git ];
          common = { packages = [ pkgs.nix ]; };
        in
        {
          default = pkgs.mkShell {
            packages = lib.optionals pkgs.stdenv.isLinux [ pkgs.git ] ++ [ pkgs.jq ];
          };

          named = pkgs.mkShell { packages = tools ++ [ pkgs.jq ]; };

          branches = pkgs.mkShell {
            packages = (if pkgs.stdenv.isDarwin then [ pkgs.git ] else tools) ++ [ pkgs.jq ];
          };

          merged = pkgs.mkShell (common // { packages = [ pkgs.git pkgs.jq ]; });
        });
    };
}
