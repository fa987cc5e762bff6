{
  description = "a let-bound mkFlake of which only the checks are exported; packages come from forAllSystems";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-parts.url = "github:hercules-ci/flake-parts";

  outputs = inputs@{ self, nixpkgs, flake-parts }:
    let
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      forAllSystems = nixpkgs.lib.genAttrs systems;
      devFlake = flake-parts.lib.mkFlake { inherit inputs; } {
        inherit systems;
        perSystem = { pkgs, ... }: {
          checks.format = pkgs.hello;
        };
      };
    in
    {
      packages = forAllSystems (system: {
        default = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {
          pname = "relay";
          version = "0.4.0";
          src = ./.;
        };
        dockerImage = nixpkgs.legacyPackages.${system}.dockerTools.buildLayeredImage {
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

      checks = forAllSystems (system: devFlake.checks.${system});
    };
}
