{
  description = "Two package sets per system: the usual one and a debug one";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      eachSystem = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ];
      pkgsDebugFor = eachSystem (system: import nixpkgs {
        inherit system;
        overlays = [ (final: prev: { jq = prev.jq // { pname = "jq-debug"; }; }) ];
      });
      pkgsFor = eachSystem (system: import nixpkgs { inherit system; });
    in
    {
      packages = eachSystem (system: {
        default = pkgsFor.${system}.hello;
        debug = pkgsDebugFor.${system}.hello;
      });
      devShells = eachSystem (system: {
        default = pkgsFor.${system}.mkShell {
          packages = [ pkgsFor.${system}.git pkgsFor.${system}.jq ];
        };
      });
    };
}
