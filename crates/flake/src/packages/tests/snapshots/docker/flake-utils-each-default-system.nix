{
  description = "flake-utils eachDefaultSystem with a let block";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        ocamlPackages = pkgs.ocamlPackages;
      in
      {
        packages = {
          default = ocamlPackages.buildDunePackage {
            pname = "weather";
            version = "0.4.0";
            src = ./.;
            buildInputs = [ ocamlPackages.mirage-crypto ];
          };
          dockerImage = pkgs.dockerTools.buildLayeredImage {
            name = "weather";
            tag = "0.4.0";
            contents = [ self.packages.${system}.default ];
            config = {
              Cmd = [ "${self.packages.${system}.default}/bin/weather" ];
              ExposedPorts = { "8000/tcp" = { }; };
              Env = [ "GITHUB_SHA=123123" ];
            };
          };
        };
        devShells.default = pkgs.mkShell {
          inputsFrom = [ self.packages.${system}.default ];
          packages = [ ocamlPackages.utop ];
        };
        formatter = pkgs.nixpkgs-fmt;
      });
}
