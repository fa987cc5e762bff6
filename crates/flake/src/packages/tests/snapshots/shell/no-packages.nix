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

      devShells.x86_64-linux.default = pkgs.mkShell {
        packages = [ pkgs.nixpkgs-fmt pkgs.jq ];
      };
    };
}
