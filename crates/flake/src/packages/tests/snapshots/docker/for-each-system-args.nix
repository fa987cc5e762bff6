{
  description = "forEachSystem passes { pkgs, system }; each output takes what it needs";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f {
        pkgs = import nixpkgs { inherit system; };
        inherit system;
      });
    in
    {
      packages = forEachSystem ({ pkgs, system, ... }: {
        default = pkgs.ocamlPackages.buildDunePackage {
          pname = "relay";
          version = "0.4.0";
          src = ./.;
        };
        dockerImage = pkgs.dockerTools.buildLayeredImage {
          name = "relay";
          tag = "0.4.0";
          contents = [ self.packages.${system}.default ];
          config = {
            Cmd = [ "${self.packages.${system}.default}/bin/relay" ];
            ExposedPorts = { "8000/tcp" = { }; };
            Env = [ "GITHUB_SHA=123123" ];
          };
        };
      });

      checks = forEachSystem ({ system, ... }: {
        default = self.packages.${system}.default;
      });
    };
}
