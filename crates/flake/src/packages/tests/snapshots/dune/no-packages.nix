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

      packages.x86_64-linux.extra = pkgs.ocamlPackages.buildDunePackage {
        pname = "extra";
        version = "0.2.0";
        src = ./.;
      };

      devShells.x86_64-linux.default = pkgs.mkShell {
        packages = [ pkgs.nixpkgs-fmt ];
      };
    };
}
