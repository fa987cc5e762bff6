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
          dockerImage = pkgs.dockerTools.buildLayeredImage {
            name = "ticker";
            tag = "0.1.0";
            contents = [ self.packages.${system}.default ];
            config = {
              Cmd = [ "${self.packages.${system}.default}/bin/ticker" ];
              ExposedPorts = { "8000/tcp" = { }; };
              Env = [ "GITHUB_SHA=123123" ];
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
