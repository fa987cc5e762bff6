{
  description = "numtide devshell's mkShell as a one-line module set, in a file of multi-line lists";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    devshell.url = "github:numtide/devshell";
  };

  outputs =
    {
      self,
      nixpkgs,
      devshell,
    }:
    {
      devShells = nixpkgs.lib.genAttrs [
        "x86_64-linux"
        "aarch64-darwin"
      ] (system: {
        default =
          let
            pkgs = import nixpkgs {
              inherit system;
              overlays = [
                devshell.overlays.default
              ];
            };
          in
          pkgs.devshell.mkShell {
            imports = [ (pkgs.devshell.importTOML ./devshell.toml) ];
            packages = [
              nixpkgs.legacyPackages.${system}.jq
            ];
          };
      });
    };
}
