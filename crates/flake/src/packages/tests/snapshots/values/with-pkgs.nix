{
  description = "Dev shells written under `with pkgs;`";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        # A local name that `with pkgs;` cannot reach past.
        curl = pkgs.hello;
      in
      {
        packages.default = pkgs.hello;

        devShells.default = with pkgs; mkShell {
          packages = [ git jq pkgs.curl nodejs ];
          inputsFrom = [ self.packages.${system}.default ];
        };

        devShells.tools = pkgs.mkShell {
          buildInputs = with pkgs; [ nix cmake ];
        };
      });
}
