# `import inputs.systems` for the nix-systems/default input: a list of systems.
import ../systems.nix
