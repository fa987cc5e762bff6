# The `devshell` input (numtide devshell): `legacyPackages.<system>.mkShell`
# and the overlay's `pkgs.devshell.mkShell`. Its argument is a module; the
# stub shell keeps `packages` and `packagesFrom`, with those of the modules it
# imports as attribute sets (the module system concatenates list options),
# and fails on an option devshell does not have (`buildInputs`,
# `inputsFrom`), as the module system does. `importTOML` reads no file.
{ lib }:
let
  systems = import ./systems.nix;
  options = [ "name" "packages" "packagesFrom" "commands" "env" "imports" "devshell" "motd" "bash" "services" "git" "language" "serviceGroups" ];
  modules = module: [ module ] ++ builtins.concatMap modules (builtins.filter builtins.isAttrs (module.imports or [ ]));
  collect = name: module: builtins.concatMap (m: m.${name} or [ ]) (modules module);
  mkShell = system: module:
    let
      unknown = builtins.filter (option: !builtins.elem option options)
        (builtins.concatMap builtins.attrNames (modules module));
    in
    if unknown != [ ] then throw "The option `${builtins.head unknown}' does not exist."
    else import ./derivation.nix { inherit system; } "devshell" {
      name = module.name or "devshell";
      packages = collect "packages" module;
      packagesFrom = collect "packagesFrom" module;
    };
  devshellFor = system: {
    mkShell = mkShell system;
    importTOML = _: { };
    fromTOML = _: mkShell system { };
  };
in
import ./generic-input.nix { inherit lib; name = "devshell"; } // {
  legacyPackages = lib.genAttrs systems devshellFor;
  overlays.default = final: prev: { devshell = devshellFor final.system; };
}
