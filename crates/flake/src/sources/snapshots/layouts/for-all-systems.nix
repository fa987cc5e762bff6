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
            buildInputs = [ self.packages.${system}.randomconv ];
          };
          randomconv = pkgs.ocamlPackages.buildDunePackage {
            pname = "randomconv";
            version = "0.2.0";
            src = pkgs.fetchFromGitHub {
              owner = "hannesm";
              repo = "randomconv";
              rev = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
              hash = "sha256-KIvx/UNtPTg0EqfwuJgzSCtr6RgKIXK6yv9QkUUHbJk=";
            };
          };
        });

      devShells = forAllSystems (system: {
        default = (pkgsFor system).mkShell {
          inputsFrom = [ self.packages.${system}.default ];
        };
      });

      formatter = forAllSystems (system: (pkgsFor system).nixpkgs-fmt);
    };
}
