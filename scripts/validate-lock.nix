# Structural checks of a flake.lock (version 7), used by check-fixtures.sh:
#   nix-instantiate --eval --strict --json scripts/validate-lock.nix --arg lock ./path/flake.lock
# Evaluates to the list of problems found; [] means the lock is well formed.
{ lock }:
let
  data = builtins.fromJSON (builtins.readFile lock);
  nodes = data.nodes or { };
  nodeNames = builtins.attrNames nodes;

  problemsOf = name: node:
    let
      locked = node.locked or { };
      inputTargets = builtins.attrValues (node.inputs or { });
      # a string names a node; a list is a follows path from the root
      badTargets = builtins.filter
        (target: builtins.isString target && !(nodes ? ${target}))
        inputTargets;
    in
    (if name != data.root && !(node ? locked) then [ "${name}: no `locked`" ] else [ ])
    ++ (if locked ? rev && builtins.match "[0-9a-f]{40}" locked.rev == null
        then [ "${name}: rev is not 40 hex digits" ] else [ ])
    ++ (if locked ? narHash && builtins.match "sha256-[A-Za-z0-9+/]{43}=" locked.narHash == null
        then [ "${name}: narHash is not sha256-<44 base64 chars>" ] else [ ])
    ++ (if name != data.root && !(builtins.isInt (locked.lastModified or null))
        then [ "${name}: lastModified is not an integer" ] else [ ])
    ++ map (target: "${name}: input points at missing node ${target}") badTargets;
in
(if data.version or null != 7 then [ "version is not 7" ] else [ ])
++ (if !(nodes ? ${data.root or "root"}) then [ "the root node is missing" ] else [ ])
++ builtins.concatMap (name: problemsOf name nodes.${name}) nodeNames
