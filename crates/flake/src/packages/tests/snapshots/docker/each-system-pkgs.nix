{
  description = "eachSystem over nixpkgs.legacyPackages: the lambda gets a package set";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    systems.url = "github:nix-systems/default";
  };

  outputs = { self, nixpkgs, systems }:
    let
      eachSystem = f: nixpkgs.lib.genAttrs (import systems) (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = eachSystem (pkgs: {
        default = pkgs.hello;
        dockerImage = pkgs.dockerTools.buildLayeredImage {
          name = pkgs.lib.getName self.packages.${pkgs.stdenv.hostPlatform.system}.default;
          contents = [ self.packages.${pkgs.stdenv.hostPlatform.system}.default ];
          config = {
            Cmd = [ "${pkgs.lib.getExe self.packages.${pkgs.stdenv.hostPlatform.system}.default}" ];
            ExposedPorts = { "8000/tcp" = { }; };
            Env = [ "GITHUB_SHA=123123" ];
          };
        };
      });

      devShells = eachSystem (p: {
        default = p.mkShell { packages = [ p.jq ]; };
      });
    };
}
