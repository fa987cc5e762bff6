{
  description = "One system, named by a let binding, its package written dotted";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      system = "x86_64-linux";
      pkgs = nixpkgs.legacyPackages.${system};
    in
    {
      packages.${system} = {
        default = pkgs.ocamlPackages.buildDunePackage {
          pname = "solo";
          version = "2.0.0";
          src = ./.;
          postInstall = ''
            echo done
          '';
        };
        dockerImage = pkgs.dockerTools.buildLayeredImage {
          name = "solo";
          tag = "2.0.0";
          contents = [ self.packages.${system}.default ];
          config = {
            Cmd = [ "${self.packages.${system}.default}/bin/solo" ];
            ExposedPorts = { "8000/tcp" = { }; };
            Env = [ "GITHUB_SHA=123123" ];
          };
        };
      };
    };
}
