# Evaluates a real-world flake's per-system outputs against the project's
# stubs (tests/stubs), for the harness's before/after comparison.
#
#   nix-instantiate --eval --strict --json evaluate.nix \
#     --arg stubs ./tests/stubs --arg flake ./flake.nix \
#     --argstr nixpkgsDir DIR --arg lib LIBDIR --argstr mode names|values ...
#
# Inputs: every `nixpkgs`/`nixpkgs-*` input is the lenient nixpkgs in
# `nixpkgsDir` (a directory whose default.nix is ./lenient-nixpkgs.nix with
# the learned extras), `flake-parts` is the real flake-parts library
# (tests/stubs/flake-parts-real.nix), the rest are the stubs of eval.nix.
#
# mode = "names": { outputs; system; attrs } — the top-level output names,
#   the system judged (x86_64-linux when the flake has it), and the paths of
#   every per-system attribute of that system (`[ "packages" system "x" ]`).
# mode = "values": { "<path>" = inspect.showShallow value; } for `attrs`.
# mode = "both": the names, plus `values` for `attrs` (one process per edit).
{ stubs
, flake
, nixpkgsDir
, lib
, mode ? "names"
, attrs ? [ ]
, only ? null
, realFlakeParts ? true
}:
let
  realLib = import ./corpus-lib.nix lib;
  inspect = import (stubs + "/inspect.nix");
  stubSystems = import (stubs + "/systems.nix");

  flakeFile = import flake;
  declared = flakeFile.inputs or { };
  requested = if builtins.isFunction flakeFile.outputs then builtins.functionArgs flakeFile.outputs else { };
  inputNames = builtins.attrNames (declared // requested);

  nixpkgs = {
    _type = "flake";
    _stubInput = "nixpkgs";
    outPath = nixpkgsDir;
    lib = realLib;
    inputs = { };
    legacyPackages = realLib.genAttrs (realLib.unique (stubSystems ++ realLib.systems.flakeExposed or [ ]))
      (system: import nixpkgsDir { inherit system; });
  };
  isNixpkgs = name: name == "nixpkgs" || builtins.substring 0 8 name == "nixpkgs-";

  # Any other input (crane, fenix, naersk, rust-overlay, ...) is the generic
  # stub whose `lib`, `mkLib pkgs`, `packages.<system>` and
  # `legacyPackages.<system>` also hold the lenient package set, so learned
  # names serve `craneLib.buildDepsOnly` as they serve `pkgs.hello`.
  known = [ "flake-parts" "flake-utils" "systems" "self" ];
  lenientInput = name:
    let
      generic = import (stubs + "/generic-input.nix") { lib = realLib; inherit name nixpkgs; };
      pkgsFor = system: import nixpkgsDir { inherit system; };
      perSystem = realLib.genAttrs stubSystems
        (system: pkgsFor system // { inherit (generic.packages.${system}) default; });
    in
    generic // {
      _type = "flake";
      lib = pkgsFor "x86_64-linux" // realLib.genAttrs stubSystems pkgsFor;
      mkLib = pkgs: pkgsFor (pkgs.system or "x86_64-linux");
      packages = perSystem;
      legacyPackages = perSystem;
    };

  overrides = realLib.genAttrs (builtins.filter isNixpkgs inputNames) (_: nixpkgs)
    // realLib.genAttrs
      (builtins.filter (name: !(isNixpkgs name) && !(builtins.elem name known)) inputNames)
      lenientInput
    // (if realFlakeParts then { flake-parts = import (stubs + "/flake-parts-real.nix"); } else { });

  outputs = import (stubs + "/eval.nix") { inherit flake; inputs = overrides; };

  # Per-system outputs whose value is a set of attributes per system, and
  # those whose value per system is one derivation.
  setOutputs = [ "packages" "devShells" "apps" "checks" ];
  singleOutputs = [ "formatter" "defaultPackage" "devShell" "defaultApp" ];
  considered = builtins.filter (name: (only == null || name == only) && outputs ? ${name})
    (setOutputs ++ singleOutputs);

  systemsPresent = realLib.unique (builtins.concatMap
    (name: if builtins.isAttrs outputs.${name} then builtins.attrNames outputs.${name} else [ ])
    considered);
  preferred = builtins.filter (system: builtins.elem system systemsPresent) stubSystems;
  system =
    if preferred != [ ] then builtins.head preferred
    else if systemsPresent != [ ] then builtins.head systemsPresent
    else null;

  pathsOf = name:
    let perSystem = outputs.${name}; in
    if system == null || !(builtins.isAttrs perSystem) || !(perSystem ? ${system}) then [ ]
    else if builtins.elem name singleOutputs then [ [ name system ] ]
    else if builtins.isAttrs perSystem.${system}
    then map (attr: [ name system attr ]) (builtins.attrNames perSystem.${system})
    else [ ];

  valueAt = path: builtins.foldl' (value: attr: value.${attr}) outputs path;

  names = {
    outputs = builtins.attrNames outputs;
    inherit system;
    attrs = builtins.concatMap pathsOf considered;
  };
  values = builtins.listToAttrs (map
    (path: { name = builtins.concatStringsSep "." path; value = inspect.showShallow (valueAt path); })
    attrs);
in
if mode == "names" then names
else if mode == "values" then values
else names // { inherit values; }
