# The stub for an input the other stubs do not know (riot, crane, ...): a
# flake whose every system has one package, `packages.<system>.default`, named
# after the input. `flake = false` inputs get the same value; its `outPath`
# is what `"${input}/file"` needs. Given `nixpkgs`, the input brings it as its
# own `inputs.nixpkgs`, as most flakes do (`opam-nix.inputs.nixpkgs`).
{ lib, name, nixpkgs ? null }:
let
  systems = import ./systems.nix;
  perSystem = system: { default = import ./derivation.nix { inherit system; } "input" { pname = name; }; };
in
{
  outPath = "/nix/store/${builtins.substring 0 32 (builtins.hashString "sha256" name)}-source";
  _stubInput = name;
  inputs = lib.optionalAttrs (nixpkgs != null) { inherit nixpkgs; };
  packages = lib.genAttrs systems perSystem;
  legacyPackages = lib.genAttrs systems perSystem;
  overlays.default = final: prev: { };
  nixosModules.default = { };
  # A flake-parts module that defines nothing (devshell, devenv, … export one).
  flakeModule = { };
  flakeModules.default = { };
  lib = { };
  # crane-style libraries: `crane.mkLib pkgs` gives builders.
  mkLib = pkgs:
    let
      stub = import ./derivation.nix { system = pkgs.system or "x86_64-linux"; };
    in
    {
      buildPackage = args: stub "buildPackage" args;
      devShell = args: stub "devShell" args;
    };
}
