{
  description = "Only a NixOS module and a dev shell: no packages output yet";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      pkgs = nixpkgs.legacyPackages.x86_64-linux;
    in
    {
      nixosModules.default = { config, lib, ... }: {
        services.openssh.enable = lib.mkDefault true;
      };

      packages.x86_64-linux.randomconv = pkgs.ocamlPackages.buildDunePackage {
        pname = "randomconv";
        version = "0.2.0";
        src = pkgs.fetchFromGitHub {
          owner = "hannesm";
          repo = "randomconv";
          rev = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
          hash = "sha256-KIvx/UNtPTg0EqfwuJgzSCtr6RgKIXK6yv9QkUUHbJk=";
        };
      };

      devShells.x86_64-linux.default = pkgs.mkShell {
        packages = [ pkgs.nixpkgs-fmt ];
      };
    };
}
