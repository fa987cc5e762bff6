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
    packages.x86_64-linux.extra = nixpkgs.legacyPackages.x86_64-linux.ocamlPackages.buildDunePackage {
      pname = "extra";
      version = "0.2.0";
      src = ./.;
      buildInputs = [ self.packages.x86_64-linux.default ];
    };
    packages.aarch64-darwin.default = nixpkgs.legacyPackages.aarch64-darwin.hello;
    packages.aarch64-darwin.extra = nixpkgs.legacyPackages.aarch64-darwin.ocamlPackages.buildDunePackage {
      pname = "extra";
      version = "0.2.0";
      src = ./.;
      buildInputs = [ self.packages.aarch64-darwin.default ];
    };

    devShells.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.mkShell {
      inputsFrom = [ self.packages.x86_64-linux.default ];
    };
  };
}
