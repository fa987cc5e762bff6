# Helpers that turn evaluated outputs into JSON a test can compare.
#
# `nix-instantiate --eval --strict --json` cannot print functions (overlays,
# `lib`, NixOS modules) and prints a stub derivation as its fake `outPath`.
# These helpers make any value printable:
#
#   show value          every stub derivation as its arguments plus `_stub`
#                       (recursively), inputs and `self` as their outPath,
#                       functions as "<function>", paths as strings
#   showShallow value   like show, but a stub derivation inside another one is
#                       printed as its `name` ("nix_template-0.0.1+dev")
#   packageNames r      { <system> = [ package names ]; } from r.packages
#   devShellNames r     the same for r.devShells
#   outputNames r       the top-level output names of r
let
  # `expand` prints a stub derivation; `show` and `showShallow` differ only there.
  showWith = expand: value:
    let type = builtins.typeOf value; in
    if type == "lambda" then "<function>"
    else if type == "path" then toString value
    else if type == "list" then map (showWith expand) value
    else if type == "set" then
      if value ? _stub then expand value
      else if value ? outPath then toString value.outPath
      else builtins.mapAttrs (_: showWith expand) value
    else value;

  arguments = expand: derivation:
    builtins.mapAttrs (_: showWith expand) (builtins.removeAttrs derivation [ "outPath" "overrideAttrs" ]);

  show = showWith (arguments (derivation: show derivation));

  showShallow = showWith (arguments (derivation: derivation.name));

  namesPerSystem = output: outputs:
    builtins.mapAttrs (_: builtins.attrNames) (outputs.${output} or { });
in
{
  inherit show showShallow;
  packageNames = namesPerSystem "packages";
  devShellNames = namesPerSystem "devShells";
  outputNames = outputs: builtins.attrNames outputs;
}
