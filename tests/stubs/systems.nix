# The systems the stubs know, in the order `nixpkgs.lib.systems.flakeExposed`
# and `flake-utils.lib.defaultSystems` would list the common ones.
[ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ]
