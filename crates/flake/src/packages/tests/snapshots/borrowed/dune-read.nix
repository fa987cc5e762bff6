{
  description = "No nixpkgs input and no lock: the outputs read the builder's own";
  inputs.builder.url = "github:example/builder";
  inputs.flake-utils.url = "github:numtide/flake-utils";
  inputs.nixpkgs.follows = "builder/nixpkgs";
  outputs =
    {
      self,
      builder,
      flake-utils,
      nixpkgs,
    }:
    flake-utils.lib.eachDefaultSystem (system: {
      packages.default = builder.packages.${system}.default;
      packages.extra = nixpkgs.legacyPackages.${system}.ocamlPackages.buildDunePackage {
        pname = "extra";
        version = "0.2.0";
        src = ./.;
      };
      devShells.default =
        with builder.inputs.nixpkgs.legacyPackages.${system};
        mkShell { packages = [ hello ]; };
    });
}
