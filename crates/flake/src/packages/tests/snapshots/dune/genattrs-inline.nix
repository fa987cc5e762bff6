{
  description = "nixpkgs.lib.genAttrs written inline, import nixpkgs per system";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }: {
    packages = nixpkgs.lib.genAttrs [ "x86_64-linux" "aarch64-darwin" ] (system:
      let
        pkgs = import nixpkgs { inherit system; };
      in
      {
        default = pkgs.hello;
        greeter = pkgs.writeShellScriptBin "greeter" "echo hi";
        extra = pkgs.ocamlPackages.buildDunePackage {
          pname = "extra";
          version = "0.2.0";
          src = ./.;
          buildInputs = [ self.packages.${system}.default ];
        };
      });
  };
}
