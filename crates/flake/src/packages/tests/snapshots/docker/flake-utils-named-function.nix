{
  description = "flake-utils given a let-bound function named perSystem";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    let
      perSystem = system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        {
          packages.default = pkgs.ocamlPackages.buildDunePackage {
            pname = "named";
            version = "0.3.0";
            src = ./.;
          };
          packages.dockerImage = pkgs.dockerTools.buildLayeredImage {
            name = "named";
            tag = "0.3.0";
            contents = [ self.packages.${system}.default ];
            config = {
              Cmd = [ "${self.packages.${system}.default}/bin/named" ];
              ExposedPorts = { "8000/tcp" = { }; };
              Env = [ "GITHUB_SHA=123123" ];
            };
          };
        };
    in
    flake-utils.lib.eachDefaultSystem perSystem;
}
