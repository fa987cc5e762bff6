# A lenient stub nixpkgs for judging real-world flakes.
#
# Real flakes use thousands of nixpkgs attributes the test stubs do not have.
# The harness learns the missing ones from evaluation errors and lists them in
# `extras` (attribute paths such as [ "python3Packages" "requests" ]); each
# becomes a stub package that can also be called (`pkgs.writers.writeBash "x"
# "..."`) and overridden, so the flake evaluates as far as its own code goes.
# Everything else is the project's stub nixpkgs (tests/stubs/nixpkgs).
#
#   import ./lenient-nixpkgs.nix { stubs; lib; extras; } { system; overlays; ... }
{ stubs, lib, extras }:
args@{ system ? args.localSystem.system or "x86_64-linux", overlays ? [ ], ... }:
let
  stubDerivation = import (stubs + "/derivation.nix") { inherit system; };

  leaf = name: arguments: stubDerivation name arguments // {
    __functor = _: argument:
      leaf name (if builtins.isAttrs argument then argument else { _argument = argument; });
    override = _: leaf name arguments;
    overrideAttrs = _: leaf name arguments;
    overrideScope = _: leaf name arguments;
  };

  insert = set: path:
    if path == [ ] then set
    else
      let
        head = builtins.head path;
        existing = set.${head} or (leaf head { });
      in
      set // { ${head} = insert existing (builtins.tail path); };

  lenient = final: prev: builtins.foldl' insert prev extras // { inherit lib; };
in
import (stubs + "/nixpkgs") (builtins.removeAttrs args [ "localSystem" ] // {
  inherit system;
  overlays = [ lenient ] ++ overlays;
})
