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
    packages.aarch64-darwin.default = nixpkgs.legacyPackages.aarch64-darwin.hello;

    devShells.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.mkShell {
      inputsFrom = [ self.packages.x86_64-linux.default ];
      packages = [ nixpkgs.legacyPackages.x86_64-linux.jq ];
    };
    devShells.aarch64-darwin.default = nixpkgs.legacyPackages.aarch64-darwin.mkShell {
      packages = [ nixpkgs.legacyPackages.aarch64-darwin.jq ];
      inputsFrom = [ self.packages.aarch64-darwin.default ];
    };
  };
}
