{
  description = "System-independent outputs merged with flake-utils' with //";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    {
      overlays.default = final: prev: { };
    }
    // flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
      in
      {
        packages.default = pkgs.hello;
        packages.dockerImage = pkgs.dockerTools.buildLayeredImage {
          name = pkgs.lib.getName self.packages.${system}.default;
          contents = [ self.packages.${system}.default ];
          config = {
            Cmd = [ "${pkgs.lib.getExe self.packages.${system}.default}" ];
            ExposedPorts = { "8000/tcp" = { }; };
            Env = [ "GITHUB_SHA=123123" ];
          };
        };
      });
}
