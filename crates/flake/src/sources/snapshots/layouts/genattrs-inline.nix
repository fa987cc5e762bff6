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
        randomconv = pkgs.ocamlPackages.buildDunePackage {
          pname = "randomconv";
          version = "0.2.0";
          src = pkgs.fetchFromGitHub {
            owner = "hannesm";
            repo = "randomconv";
            rev = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
            hash = "sha256-KIvx/UNtPTg0EqfwuJgzSCtr6RgKIXK6yv9QkUUHbJk=";
          };
        };
      });
  };
}
