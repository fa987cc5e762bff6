{
  description = "Dev shells made by other builders than a plain mkShell call";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    devshell.url = "github:numtide/devshell";
  };

  outputs = { self, nixpkgs, devshell }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ];
    in
    {
      packages = forAllSystems (system: {
        default = nixpkgs.legacyPackages.${system}.hello;
      });

      devShells = forAllSystems (system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        {
          default = pkgs.mkShell.override { inherit (pkgs) stdenv; } {
            packages = [ pkgs.git pkgs.jq ];
          };

          lean = pkgs.mkShellNoCC {
            buildInputs = [ pkgs.git pkgs.jq ];
          };

          modules =
            let
              pkgs' = import nixpkgs {
                inherit system;
                overlays = [ devshell.overlays.default ];
              };
            in
            pkgs'.devshell.mkShell {
              imports = [ (pkgs'.devshell.importTOML ./devshell.toml) ];
              packages = [ pkgs.jq ];
            };

          commands = devshell.legacyPackages.${system}.mkShell {
            packages = [ pkgs.git pkgs.jq ];
            packagesFrom = [ self.packages.${system}.default ];
          };

          recursive = pkgs.mkShell rec {
            name = "recursive";
            shellHook = "echo ${name}";
            packages = [ pkgs.jq ];
          };
        });
    };
}
