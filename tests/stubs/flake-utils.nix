# A stub of the flake-utils input, with flake-utils' semantics for the
# functions flakes call: eachSystem, eachDefaultSystem, their *Map variants,
# defaultSystems, allSystems, system.<name>, mkApp, flattenTree.
{ lib }:
let
  systems = import ./systems.nix;

  # eachSystem [ "a" "b" ] (system: { packages.default = x; })
  #   == { packages.a.default = x; packages.b.default = x; }
  eachSystem = systemList: f:
    builtins.foldl'
      (outputs: system:
        let perSystem = f system; in
        outputs // builtins.mapAttrs
          (name: value: (outputs.${name} or { }) // { ${system} = value; })
          perSystem)
      { }
      systemList;
in
{
  outPath = "/nix/store/00000000000000000000000000000000-flake-utils-stub";
  _stubInput = "flake-utils";
  inputs = { };
  lib = {
    defaultSystems = systems;
    allSystems = systems;
    system = lib.genAttrs systems (system: system);
    inherit eachSystem;
    eachDefaultSystem = eachSystem systems;
    eachSystemMap = systemList: f: lib.genAttrs systemList f;
    eachDefaultSystemMap = f: lib.genAttrs systems f;
    mkApp = { drv, name ? drv.pname or drv.name, exePath ? "/bin/${name}" }: {
      type = "app";
      program = "${drv}${exePath}";
    };
    flattenTree = tree: tree;
  };
}
