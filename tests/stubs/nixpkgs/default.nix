# `import nixpkgs { system = ...; overlays = [ ... ]; }` for the stub nixpkgs.
# Overlays are applied as nixpkgs applies them: `final: prev: { ... }`, in order.
# `appendOverlays` and `extend` give the same system's set with more overlays, as in nixpkgs.
# `sourceRoot` is not a nixpkgs argument: eval.nix passes the flake's directory
# so that paths in derivation arguments print relative to it.
{ system ? localSystem.system or "x86_64-linux"
, localSystem ? { }
, overlays ? [ ]
, config ? { }
, sourceRoot ? null
, ...
}@arguments:
let
  lib = import ./lib.nix;
  base = final: import ./pkgs.nix { inherit system lib final sourceRoot; };
  extend = previous: overlay: final:
    let prev = previous final; in prev // overlay final prev;
  composed = builtins.foldl' extend base overlays;
  fix = f: let x = f x; in x;
  more = extra: import ./default.nix (arguments // { overlays = overlays ++ extra; });
in
fix composed // {
  appendOverlays = more;
  extend = overlay: more [ overlay ];
}
