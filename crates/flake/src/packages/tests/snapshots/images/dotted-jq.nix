{
  description = "One system's packages, written dotted below a let-bound system";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      system = "x86_64-linux";
      pkgs = nixpkgs.legacyPackages.${system};
    in
    {
      packages.${system} = {
        inherit (pkgs) hello jq;
        dockerImage = pkgs.dockerTools.buildLayeredImage {
          name = pkgs.lib.getName self.packages.${system}.jq;
          contents = [ self.packages.${system}.jq ];
          config = {
            Cmd = [ "${pkgs.lib.getExe self.packages.${system}.jq}" ];
          };
        };
      };
    };
}
