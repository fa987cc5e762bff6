{
  description = "flake-parts whose only perSystem is an inline module in imports";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-parts.url = "github:hercules-ci/flake-parts";
  };

  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      imports = [
        {
          perSystem = { pkgs, ... }: {
            packages.greeter = pkgs.hello;
          };
        }
      ];
      perSystem = { pkgs, ... }: {
        packages.fe-pkg = pkgs.ocamlPackages.buildDunePackage {
          pname = "fe-pkg";
          version = "0.1.0";
          src = ./.;
        };
      };
    };
}
