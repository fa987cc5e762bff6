# The project's own flake.nix evaluated against the stubs. Prints its package,
# dev shell and check names per system, and the docker image's command:
#
#   nix-instantiate --eval --strict --json tests/stubs/project-flake.nix
let
  inspect = import ./inspect.nix;
  outputs = import ./eval.nix { flake = ../../flake.nix; };
  x86_64-linux = outputs.packages.x86_64-linux;
in
{
  packages = inspect.packageNames outputs;
  devShells = inspect.devShellNames outputs;
  checks = builtins.mapAttrs (_: builtins.attrNames) outputs.checks;
  pname = x86_64-linux.default.pname;
  dockerCmd = x86_64-linux.dockerImage.config.Cmd;
  formatter = outputs.formatter.x86_64-linux.name;
  devShellPackages = map (package: package.name) outputs.devShells.x86_64-linux.default.packages;
}
