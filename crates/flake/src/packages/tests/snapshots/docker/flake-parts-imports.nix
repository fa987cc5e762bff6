{
  description = "flake-parts whose perSystem also comes from an imported module";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-parts.url = "github:hercules-ci/flake-parts";
    devshell.url = "github:numtide/devshell";
  };

  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      imports = [ inputs.devshell.flakeModule ];
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      perSystem = { pkgs, self', ... }: {
        packages.default = pkgs.stdenv.mkDerivation {
          pname = "greeter";
          version = "1.1.0";
          src = ./.;
        };
        packages.dockerImage = pkgs.dockerTools.buildLayeredImage {
          name = "greeter";
          tag = "1.1.0";
          contents = [ self'.packages.default ];
          config = {
            Cmd = [ "${self'.packages.default}/bin/greeter" ];
            ExposedPorts = { "8000/tcp" = { }; };
            Env = [ "GITHUB_SHA=123123" ];
          };
        };
      };
    };
}
