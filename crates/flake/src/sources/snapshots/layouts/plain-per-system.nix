{
  description = "Plain packages.<system>.<name> attributes, no helper";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }: {
    packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.ocamlPackages.buildDunePackage {
      pname = "plain";
      version = "1.0.0";
      src = ./.;
      buildInputs = [ self.packages.x86_64-linux.randomconv ];
    };
    packages.x86_64-linux.hello = nixpkgs.legacyPackages.x86_64-linux.hello;
    packages.x86_64-linux.randomconv = nixpkgs.legacyPackages.x86_64-linux.ocamlPackages.buildDunePackage {
      pname = "randomconv";
      version = "0.2.0";
      src = nixpkgs.legacyPackages.x86_64-linux.fetchFromGitHub {
        owner = "hannesm";
        repo = "randomconv";
        rev = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
        hash = nixpkgs.legacyPackages.x86_64-linux.lib.fakeHash;
      };
    };
    packages.aarch64-darwin.default = nixpkgs.legacyPackages.aarch64-darwin.hello;

    devShells.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.mkShell {
      inputsFrom = [ self.packages.x86_64-linux.default ];
    };
  };
}
