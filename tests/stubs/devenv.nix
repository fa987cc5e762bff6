# The `devenv` input (cachix/devenv): `lib.mkShell { inputs, pkgs, modules }`,
# whose argument is not nixpkgs' mkShell's: any other attribute (a
# `packages` list) fails evaluation as devenv's function does. The shell's
# packages come from its modules, as attribute sets here.
{ lib }:
import ./generic-input.nix { inherit lib; name = "devenv"; } // {
  lib.mkShell = { inputs, pkgs, modules }:
    import ./derivation.nix { system = pkgs.system or "x86_64-linux"; } "devenv-shell" {
      packages = builtins.concatMap (module: module.packages or [ ]) (builtins.filter builtins.isAttrs modules);
    };
}
