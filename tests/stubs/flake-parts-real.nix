# The real flake-parts library as an input, for tests whose meaning depends
# on flake-parts' module system (`perSystem` written as a module, `config`,
# `options`, `imports`, mkIf, priorities), which the stub in ./flake-parts.nix
# does not implement.
#
#   import ./eval.nix { flake = ./flake.nix; inputs.flake-parts = import ./flake-parts-real.nix; }
#
# It is the value flake-parts' own flake.nix exports (`lib.mkFlake`,
# `flakeModules`), built from the copies in ./vendor (see ./vendor/README.md),
# over the vendored nixpkgs `lib`. Per-system `pkgs` still comes from the stub
# nixpkgs input, as in a real flake.
let
  lib = import ./vendor/nixpkgs-lib/lib;
  source = ./vendor/flake-parts;

  builtinModules = lib.genAttrs [
    "apps"
    "checks"
    "debug"
    "devShells"
    "flake"
    "formatter"
    "legacyPackages"
    "moduleWithSystem"
    "nixosConfigurations"
    "nixosModules"
    "nixpkgs"
    "overlays"
    "packages"
    "perSystem"
    "transposition"
    "withSystem"
  ]
    (name: source + "/modules/${name}.nix");

  # Only the extras flakes commonly import are vendored.
  extraModules = lib.genAttrs [ "easyOverlay" "flakeModules" "modules" ]
    (name: source + "/extras/${name}.nix");
in
{
  _type = "flake";
  outPath = toString source;
  _stubInput = "flake-parts";
  inputs = { };
  lib = import (source + "/lib.nix") { inherit lib builtinModules extraModules; };
  flakeModules = builtinModules // extraModules;
}
