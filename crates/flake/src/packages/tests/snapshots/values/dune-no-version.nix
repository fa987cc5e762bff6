{
  description = "nixpkgs.lib.genAttrs written inline, import nixpkgs per system";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }: {
    packages = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ] (system:
      let
        pkgs = import nixpkgs { inherit system; };
      in
      {
        default = pkgs.hello;
        greeter = pkgs.writeShellScriptBin "greeter" "echo hi";
        server = pkgs.ocamlPackages.buildDunePackage {
          pname = "server";
          version = "dev";
          src = ./.;
        };
        dockerImage = pkgs.dockerTools.buildLayeredImage {
          name = "server";
          tag = "dev";
          contents = [ self.packages.${system}.server ];
          config = {
            Cmd = [ "${self.packages.${system}.server}/bin/server" ];
          };
        };
      });
  };
}
