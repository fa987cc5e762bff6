# Evaluate a flake's outputs against the stubs, with no network and no store.
#
#   import ./tests/stubs/eval.nix { flake = ./path/to/flake.nix; }
#     == (import flake).outputs { self = ...; nixpkgs = <stub>; ... }
#
# Inputs passed to `outputs`, like Nix does: `self` plus every declared input.
# Names the outputs pattern asks for without declaring them (the seed article
# uses `flake-parts` this way) get a stub too, so such flakes still evaluate;
# a declared input missing from a pattern without `...` fails as in Nix.
#
#   nixpkgs, nixpkgs-*   -> the stub nixpkgs (./nixpkgs)
#   flake-parts          -> ./flake-parts.nix
#   flake-utils          -> ./flake-utils.nix
#   systems              -> a list of systems, as nix-systems/default
#   devshell             -> ./devshell.nix (numtide devshell's mkShell)
#   anything else        -> ./generic-input.nix (packages.<system>.default,
#                           and the stub nixpkgs as its `inputs.nixpkgs`)
#
# `inputs` overrides or adds stubs by name.
{ flake, inputs ? { } }:
let
  lib = import ./nixpkgs/lib.nix;
  systems = import ./systems.nix;

  flakeFile = import flake;
  flakeDirectory = toString (dirOf flake);

  nixpkgs = {
    # `import nixpkgs { inherit system; }` works too, but its paths print absolute.
    outPath = toString ./nixpkgs;
    _stubInput = "nixpkgs";
    inherit lib;
    legacyPackages = lib.genAttrs systems
      (system: import ./nixpkgs { inherit system; sourceRoot = flakeDirectory; });
    inputs = { };
  };

  knownStubs = {
    inherit nixpkgs;
    flake-parts = import ./flake-parts.nix { inherit lib; };
    flake-utils = import ./flake-utils.nix { inherit lib; };
    devshell = import ./devshell.nix { inherit lib; };
    devenv = import ./devenv.nix { inherit lib; };
    systems = { outPath = toString ./systems-input; _stubInput = "systems"; inputs = { }; };
  };

  isNixpkgsName = name: builtins.substring 0 8 name == "nixpkgs-";

  # Nix marks every input it passes as `_type = "flake"`; flake-parts' `inputs'`
  # refuses inputs without it.
  stubFor = name: { _type = "flake"; } // (
    inputs.${name} or knownStubs.${name} or (
      if isNixpkgsName name then nixpkgs
      else import ./generic-input.nix { inherit lib name nixpkgs; }));

  declared = flakeFile.inputs or { };
  requested = builtins.functionArgs flakeFile.outputs;
  names = builtins.filter (name: name != "self")
    (builtins.attrNames (declared // requested));

  inputStubs = lib.genAttrs names stubFor // { inherit self; };

  outputs = flakeFile.outputs inputStubs;

  # What Nix passes as `self`: the outputs plus the source tree's metadata.
  # `outPath` is the flake's directory as a string: nothing is copied.
  self = outputs // {
    _type = "flake";
    outPath = flakeDirectory;
    inputs = inputStubs;
    sourceInfo = { outPath = flakeDirectory; };
    lastModified = 0;
    lastModifiedDate = "19700101000000";
    dirtyRev = "0000000000000000000000000000000000000000-dirty";
    dirtyShortRev = "0000000-dirty";
  };
in
outputs
