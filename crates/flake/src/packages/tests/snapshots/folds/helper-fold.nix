{
  description = "a per-system helper written as a fold over its systems that transposes like flake-utils, merged after other outputs";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      eachSystem =
        systems: f:
        let
          op =
            attrs: system:
            let
              ret = f system;
              op =
                attrs: key:
                attrs
                // {
                  ${key} = (attrs.${key} or { }) // {
                    ${system} = ret.${key};
                  };
                };
            in
            builtins.foldl' op attrs (builtins.attrNames ret);
        in
        builtins.foldl' op { } systems;
      eachDefaultSystem = eachSystem [ "x86_64-linux" "aarch64-darwin" ];
    in
    {
      overlays.default = _final: _prev: { };
    }
    // eachDefaultSystem (
      system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
      in
      {
        packages.default = pkgs.hello;
        packages.extra = pkgs.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [
            self.packages.${system}.default
          ];
        };
        devShells.default = pkgs.mkShell {
          packages = [
            pkgs.jq
          ];
        };
      }
    );
}
