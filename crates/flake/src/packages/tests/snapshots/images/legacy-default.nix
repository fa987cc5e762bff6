{
  description = "A generated packages output and a legacy defaultPackage naming one of them";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs =
    { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-linux" ];
    in
    {
      packages = forAllSystems (system: {
        server = nixpkgs.legacyPackages.${system}.hello;
        dockerImage = nixpkgs.legacyPackages.${system}.dockerTools.buildLayeredImage {
          name = nixpkgs.lib.getName self.defaultPackage.${system};
          contents = [ self.defaultPackage.${system} ];
          config = {
            Cmd = [ "${nixpkgs.lib.getExe self.defaultPackage.${system}}" ];
          };
        };
      });

      # What `nix build` builds.
      defaultPackage = forAllSystems (system: self.packages.${system}.server);
    };
}
