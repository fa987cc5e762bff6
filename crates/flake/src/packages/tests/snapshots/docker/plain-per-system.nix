{
  description = "Plain packages.<system>.<name> attributes, no helper";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }: {
    packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.ocamlPackages.buildDunePackage {
      pname = "plain";
      version = "1.0.0";
      src = ./.;
    };
    packages.x86_64-linux.hello = nixpkgs.legacyPackages.x86_64-linux.hello;
    packages.x86_64-linux.dockerImage = nixpkgs.legacyPackages.x86_64-linux.dockerTools.buildLayeredImage {
      name = "plain";
      tag = "1.0.0";
      contents = [ self.packages.x86_64-linux.default ];
      config = {
        Cmd = [ "${self.packages.x86_64-linux.default}/bin/plain" ];
        ExposedPorts = { "8000/tcp" = { }; };
        Env = [ "GITHUB_SHA=123123" ];
      };
    };
    packages.aarch64-darwin.default = nixpkgs.legacyPackages.aarch64-darwin.hello;

    devShells.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.mkShell {
      inputsFrom = [ self.packages.x86_64-linux.default ];
    };
  };
}
