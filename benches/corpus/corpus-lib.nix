# nixpkgs' `lib` for judging real-world flakes: the real one (given as a
# path), with the few functions that insist on `type = "derivation"` made to
# accept the stub derivations (which deliberately have none: nothing is built).
libPath:
let
  real = import libPath;
  isDerivation = value: builtins.isAttrs value && (value.type or null == "derivation" || value ? _stub);
  getExe' = package: binary: "${package}/bin/${binary}";
  getExe = package:
    getExe' package (package.meta.mainProgram or package.pname or (builtins.parseDrvName package.name).name);
in
real // {
  inherit isDerivation getExe getExe';
  attrsets = real.attrsets // { inherit isDerivation; };
  meta = real.meta // { inherit getExe getExe'; };
}
