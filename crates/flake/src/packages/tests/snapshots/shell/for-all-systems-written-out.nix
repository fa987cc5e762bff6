{
  description = "forAllSystems written out as f: genAttrs systems f; a let-bound dev shell function";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      forAllSystems = f: nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ] f;
      devShell = system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        {
          default = pkgs.mkShell {
            packages = [ pkgs.dune_3 pkgs.jq ];
            inputsFrom = [ self.packages.${system}.default ];
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
      });

      devShells = forAllSystems devShell;
    };
}
