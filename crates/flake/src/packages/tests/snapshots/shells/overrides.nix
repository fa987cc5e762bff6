{
  description = "Dev shells made by overriding another shell, and one parenthesised";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = nixpkgs.lib.genAttrs [ "x86_64-linux" ];
    in
    {
      devShells = forAllSystems (system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
          base = pkgs.mkShell { packages = [ pkgs.git ]; };
          env = { RUST_BACKTRACE = "1"; };
          mkDevShell = name: with pkgs; mkShell {
            inherit name;
            buildInputs = [ nix ];
          };
        in
        rec {
          minimal = pkgs.mkShell { packages = [ pkgs.nix ]; };
          default = minimal.overrideAttrs (old: {
            nativeBuildInputs = old.nativeBuildInputs ++ [ pkgs.cmake pkgs.jq ];
          });
          plain = base.overrideAttrs (old: {
            name = "plain";
            nativeBuildInputs = (old.nativeBuildInputs or [ ]) ++ [ pkgs.jq ];
          });
          helper = (mkDevShell "helper").overrideAttrs (old: {
            nativeBuildInputs = (old.nativeBuildInputs or [ ]) ++ [ pkgs.jq ];
          });
          other = mkDevShell "other";
          alias = minimal.overrideAttrs (old: {
            nativeBuildInputs = (old.nativeBuildInputs or [ ]) ++ [ pkgs.jq ];
          });
          merged = pkgs.mkShell (
            {
              packages = [ pkgs.nix pkgs.jq ];
            } // env
          );
        });
    };
}
