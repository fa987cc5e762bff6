# `import nixpkgs { system = ...; overlays = [ ... ]; }` for the stub nixpkgs.
# Overlays are applied as nixpkgs applies them: `final: prev: { ... }`, in order.
{ system ? localSystem.system or "x86_64-linux"
, localSystem ? { }
, overlays ? [ ]
, config ? { }
, ...
}:
let
  lib = import ./lib.nix;
  base = final: import ./pkgs.nix { inherit system lib final; };
  extend = previous: overlay: final:
    let prev = previous final; in prev // overlay final prev;
  composed = builtins.foldl' extend base overlays;
  fix = f: let x = f x; in x;
in
fix composed
