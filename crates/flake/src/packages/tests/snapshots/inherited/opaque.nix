{
  description = "per-system packages whose names the file does not tell, inherited along with another output and used whole by the dev shell";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-utils.url = "github:numtide/flake-utils";

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachSystem [ "x86_64-linux" "aarch64-darwin" ] (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        names = [ "default" ];
        packages = builtins.listToAttrs (map (name: { inherit name; value = pkgs.hello; }) names);
        formatter = pkgs.hello;
      in
      {
        inherit formatter;
        packages = packages // {
          extra = pkgs.ocamlPackages.buildDunePackage {
            pname = "extra";
            version = "0.2.0";
            src = ./.;
          };
        };
        devShells.default = pkgs.mkShell { inputsFrom = builtins.attrValues packages; };
      });
}
