{
  description = "No nixpkgs input: the builder input brings its own";
  inputs = {
    builder.url = "github:example/builder";
    flake-utils.url = "github:numtide/flake-utils";
    nixpkgs.follows = "builder/nixpkgs";
  };
  outputs =
    {
      self,
      builder,
      flake-utils,
      nixpkgs,
    }:
    flake-utils.lib.eachDefaultSystem (system: {
      packages.default = builder.packages.${system}.default;
      devShells.default = nixpkgs.legacyPackages.${system}.mkShell {
        packages = [
          nixpkgs.legacyPackages.${system}.hello
        ];
      };
    });
}
