# A stub of the flake-parts input: `lib.mkFlake { inherit inputs; } module`.
#
# It does what a flake-parts flake with only the core options does:
#   - `module` may be an attribute set or a function of { inputs, self, lib, config, withSystem, ... };
#   - `perSystem` is called for every system in `systems` with
#     { pkgs, system, self', inputs', config, lib, final, ... } (only the arguments
#     it asks for when it has no ellipsis, like the module system);
#   - its results are transposed: perSystem's `packages.default` on x86_64-linux
#     becomes `packages.x86_64-linux.default` in the flake outputs;
#   - `flake = { ... }` is merged into the outputs as they are.
# `self'` and `config` are views of the result itself (a fixpoint), so a dev shell
# can take `self'.packages.default` as in real flake-parts. `imports` is ignored.
# A perSystem module written with `options`/`config` contributes its `config`,
# as the module system reads such a module (the options themselves are ignored).
{ lib }:
let
  perSystemOutputs = [ "apps" "checks" "devShells" "formatter" "legacyPackages" "packages" ];

  # What `self'`/`inputs'` show: every per-system output narrowed to `system`.
  perSystemView = flake: system:
    builtins.mapAttrs (_: value: value.${system} or { })
      (builtins.intersectAttrs (lib.genAttrs perSystemOutputs (_: null)) flake)
    // builtins.removeAttrs flake perSystemOutputs;

  callWithRequested = f: args:
    let requested = builtins.functionArgs f; in
    if requested == { } then f args else f (builtins.intersectAttrs requested args);

  mkFlake = { inputs, specialArgs ? { }, ... }: module:
    let
      flakeLib = inputs.nixpkgs.lib or lib;
      self = inputs.self or result;

      moduleArgs = specialArgs // {
        inherit inputs self;
        lib = flakeLib;
        config = result // { inherit systems; };
        withSystem = system: f: f (perSystemArgs system // { config = perSystemResults.${system}; });
        flake-parts-lib = { };
      };
      evaluated = if builtins.isFunction module then callWithRequested module moduleArgs else module;

      systems = evaluated.systems or (throw "flake-parts stub: mkFlake needs `systems`");
      perSystem = evaluated.perSystem or (_: { });

      perSystemArgs = system: {
        inherit system;
        lib = flakeLib;
        pkgs = inputs.nixpkgs.legacyPackages.${system}
          or (throw "flake-parts stub: perSystem asked for `pkgs` but there is no `nixpkgs` input");
        final = perSystemArgs system // { };
        self' = perSystemView result system;
        inputs' = builtins.mapAttrs (_: input: perSystemView input system) inputs;
        config = perSystemResults.${system};
      };

      moduleConfig = module:
        if module ? config || module ? options then module.config or { } else module;

      perSystemResults = lib.genAttrs systems
        (system: moduleConfig (callWithRequested perSystem (perSystemArgs system)));

      outputNames = builtins.attrNames (builtins.foldl'
        (names: system: names // perSystemResults.${system})
        { }
        systems);

      transposed = lib.genAttrs outputNames (output:
        builtins.listToAttrs (builtins.concatMap
          (system:
            if perSystemResults.${system} ? ${output}
            then [{ name = system; value = perSystemResults.${system}.${output}; }]
            else [ ])
          systems));

      result = lib.recursiveUpdate transposed (evaluated.flake or { });
    in
    result;
in
{
  outPath = "/nix/store/00000000000000000000000000000000-flake-parts-stub";
  _stubInput = "flake-parts";
  lib = { inherit mkFlake; };
  flakeModules = { };
  inputs = { };
}
