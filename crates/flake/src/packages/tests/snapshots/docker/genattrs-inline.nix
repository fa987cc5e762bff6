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
        dockerImage = pkgs.dockerTools.buildLayeredImage {
          name = pkgs.lib.getName self.packages.${system}.default;
          contents = [ self.packages.${system}.default ];
          config = {
            Cmd = [ "${pkgs.lib.getExe self.packages.${system}.default}" ];
            ExposedPorts = { "8000/tcp" = { }; };
            Env = [ "GITHUB_SHA=123123" ];
          };
        };
      });
  };
}
