{
  description = "forAllSystems passes each system's package set, not the system";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: {
        default = pkgs.ocamlPackages.buildDunePackage {
          pname = "relay";
          version = "0.4.0";
          src = ./.;
        };
        dockerImage = pkgs.dockerTools.buildLayeredImage {
          name = "relay";
          tag = "0.4.0";
          contents = [ self.packages.${pkgs.stdenv.hostPlatform.system}.default ];
          config = {
            Cmd = [ "${self.packages.${pkgs.stdenv.hostPlatform.system}.default}/bin/relay" ];
            ExposedPorts = { "8000/tcp" = { }; };
            Env = [ "GITHUB_SHA=123123" ];
          };
        };
      });

      formatter = forAllSystems (pkgs: pkgs.nixpkgs-fmt);
    };
}
