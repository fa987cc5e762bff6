{
  description = "flakeedit: lossless, style-preserving edits of flake.nix files";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  };

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = nixpkgs.lib.genAttrs systems;
      pkgsFor = system: nixpkgs.legacyPackages.${system};
    in
    {
      packages = forAllSystems (system:
        let
          pkgs = pkgsFor system;
          default = pkgs.rustPlatform.buildRustPackage {
            pname = "flakeedit";
            version = "0.1.0";
            # In a git checkout a flake's source is the tracked files only,
            # so ./target never reaches the store.
            src = ./.;
            cargoLock.lockFile = ./Cargo.lock;
            # The test suite drives nix-instantiate and Neovim, which the build
            # sandbox does not have; scripts/test.sh runs it instead.
            doCheck = false;
            meta.mainProgram = "flakeedit";
          };
        in
        {
          inherit default;
          dockerImage = pkgs.dockerTools.buildLayeredImage {
            name = "flakeedit";
            tag = "latest";
            contents = [ default ];
            config = {
              Cmd = [ "${default}/bin/flakeedit" ];
              WorkingDir = "/work";
            };
          };
        });

      devShells = forAllSystems (system:
        let
          pkgs = pkgsFor system;
        in
        {
          default = pkgs.mkShell {
            inputsFrom = [ self.packages.${system}.default ];
            packages = [
              pkgs.cargo
              pkgs.rustc
              pkgs.clippy
              pkgs.rustfmt
              pkgs.nix
              pkgs.neovim
              pkgs.nodejs
              # tests/completion.rs drives real shells.
              pkgs.zsh
              pkgs.fish
            ];
          };
        });

      checks = forAllSystems (system: {
        build = self.packages.${system}.default;
      });

      formatter = forAllSystems (system: (pkgsFor system).nixpkgs-fmt);
    };
}
