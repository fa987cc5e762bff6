{
  description = "forAllSystems built on nixpkgs.lib.genAttrs";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      supportedSystems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = nixpkgs.lib.genAttrs supportedSystems;
      pkgsFor = system: nixpkgs.legacyPackages.${system};
    in
    {
      packages = forAllSystems (system:
        let
          pkgs = pkgsFor system;
        in
        {
          default = pkgs.ocamlPackages.buildDunePackage {
            pname = "ticker";
            version = "0.1.0";
            src = ./.;
          };
        });

      devShells = forAllSystems (system: {
        default = (pkgsFor system).mkShell {
          inputsFrom = [ self.packages.${system}.default ];
          packages = [ (pkgsFor system).jq ];
        };
      });

      formatter = forAllSystems (system: (pkgsFor system).nixpkgs-fmt);
    };
}
