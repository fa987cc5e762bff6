# `import nixpkgs { system = ...; overlays = [ ... ]; }` for the stub nixpkgs.
# Overlays are applied as nixpkgs applies them: `final: prev: { ... }`, in order.
# `sourceRoot` is not a nixpkgs argument: eval.nix passes the flake's directory
# so that paths in derivation arguments print relative to it.
{ system ? localSystem.system or "x86_64-linux"
, localSystem ? { }
, overlays ? [ ]
, config ? { }
, sourceRoot ? null
, ...
}:
let
  lib = import ./lib.nix;
  base = final: import ./pkgs.nix { inherit system lib final sourceRoot; };
  extend = previous: overlay: final:
    let prev = previous final; in prev // overlay final prev;
  composed = builtins.foldl' extend base overlays;
  fix = f: let x = f x; in x;
in
fix composed
