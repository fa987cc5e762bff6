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

  # A package set learned under another name (`ocaml-ng.ocamlPackages_5_5`)
  # is the stubs' OCaml set, so that new code building a dune package with
  # it evaluates as it would with nixpkgs; any other name is a leaf.
  learned = prev: head:
    if builtins.substring 0 13 head == "ocamlPackages" && prev ? ocamlPackages then
      let scope = prev.ocamlPackages // { overrideScope = _: scope; override = _: scope; }; in scope
    else leaf head { };

  insert = prev: set: path:
    if path == [ ] then set
    else
      let
        head = builtins.head path;
        existing = set.${head} or (learned prev head);
      in
      set // { ${head} = insert prev existing (builtins.tail path); };

  lenient = final: prev: builtins.foldl' (insert prev) prev extras // { inherit lib; };
in
import (stubs + "/nixpkgs") (builtins.removeAttrs args [ "localSystem" ] // {
  inherit system;
  overlays = [ lenient ] ++ overlays;
})
