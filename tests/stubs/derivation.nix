# `import ./derivation.nix { inherit system; } kind args`: what every stub
# builder returns.
#
# A stub derivation is `args` plus three markers:
#   _stub   = the builder that made it ("buildDunePackage", "mkShell", ...)
#   name    = args.name, or "<pname>-<version>", or the builder's name
#   outPath = a fake store path, so "${drv}/bin/x" interpolates as in nixpkgs
#
# It deliberately has no `type = "derivation"`: nothing is ever built.
# Because it has `outPath`, `--json` prints a stub derivation as that path
# (exactly as it prints a real derivation); `(import ./inspect.nix).show drv`
# prints its arguments instead.
#
# Path values in the arguments (`src = ./.;`, `cargoLock.lockFile = ./Cargo.lock;`)
# are turned into strings, so printing them never copies a directory into the
# Nix store. Under `sourceRoot` (the flake's directory, when eval.nix knows it)
# they are written relative to it, as in the flake: "./.", "./Cargo.lock", so
# test output does not depend on a temporary directory's name.
{ system, sourceRoot ? null }:
let
  pathString = path:
    let
      absolute = toString path;
      prefix = "${sourceRoot}/";
      prefixLength = builtins.stringLength prefix;
    in
    if sourceRoot == null then absolute
    else if absolute == sourceRoot then "./."
    else if builtins.substring 0 prefixLength absolute == prefix
    then "./" + builtins.substring prefixLength (-1) absolute
    else absolute;

  withoutPaths = value:
    let type = builtins.typeOf value; in
    if type == "path" then pathString value
    else if type == "list" then map withoutPaths value
    else if type == "set" && !(value ? outPath) && !(value ? _stub)
    then builtins.mapAttrs (_: withoutPaths) value
    else value;

  nameOf = kind: args:
    if args ? name then args.name
    else if args ? pname then args.pname + (if args ? version then "-${args.version}" else "")
    else kind;
in
kind: args:
let
  name = nameOf kind args;
  hashPart = builtins.substring 0 32 (builtins.hashString "sha256" "${kind}\n${name}\n${system}");
in
builtins.mapAttrs (_: withoutPaths) args // {
  _stub = kind;
  inherit name system;
  outPath = "/nix/store/${hashPart}-${name}";
}
