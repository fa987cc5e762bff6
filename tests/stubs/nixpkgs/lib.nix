# A stub of `nixpkgs.lib`: only the functions flakes commonly call at the top
# level, with nixpkgs' semantics. Missing something? Add it here with the real
# behaviour, never a placeholder that silently returns the wrong value.
let
  systems = import ../systems.nix;

  lib = {
    inherit (builtins)
      attrNames attrValues concatLists concatStringsSep elem filter foldl'
      hasAttr head isAttrs isFunction isList isString length listToAttrs
      mapAttrs removeAttrs tail toString;

    genAttrs = names: f: builtins.listToAttrs (map (name: { inherit name; value = f name; }) names);
    nameValuePair = name: value: { inherit name value; };
    optional = condition: element: if condition then [ element ] else [ ];
    optionals = condition: list: if condition then list else [ ];
    optionalAttrs = condition: attrs: if condition then attrs else { };
    optionalString = condition: string: if condition then string else "";
    recursiveUpdate = left: right:
      left // builtins.mapAttrs
        (name: value:
          if builtins.isAttrs value && builtins.isAttrs (left.${name} or null)
          then lib.recursiveUpdate left.${name} value
          else value)
        right;
    concatMapStrings = f: list: builtins.concatStringsSep "" (map f list);
    makeBinPath = packages: builtins.concatStringsSep ":" (map (package: "${package}/bin") packages);
    getExe = package: "${package}/bin/${package.meta.mainProgram or package.pname or package.name}";
    getName = x: if builtins.isString x then (builtins.parseDrvName x).name else x.pname or (builtins.parseDrvName x.name).name;
    id = x: x;
    const = x: _: x;
    flip = f: a: b: f b a;

    # Source filters keep the path as a string so nothing is copied to the store.
    cleanSource = src: toString src;
    cleanSourceWith = { src, ... }: toString src;
    sourceByRegex = src: _regexes: toString src;

    # nixpkgs' own placeholders for hashes that are not known yet.
    fakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    fakeSha256 = "0000000000000000000000000000000000000000000000000000";
    fakeSha512 = "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";

    systems = {
      flakeExposed = systems;
    };
    platforms = {
      all = systems;
      linux = [ "x86_64-linux" "aarch64-linux" ];
      darwin = [ "x86_64-darwin" "aarch64-darwin" ];
      unix = systems;
    };
    licenses = {
      mit = { spdxId = "MIT"; };
      asl20 = { spdxId = "Apache-2.0"; };
      isc = { spdxId = "ISC"; };
      bsd3 = { spdxId = "BSD-3-Clause"; };
      gpl3Only = { spdxId = "GPL-3.0-only"; };
    };
    maintainers = { };

    # The module-system helpers NixOS modules reach for; values only, no merging.
    mkDefault = value: value;
    mkForce = value: value;
    mkIf = condition: value: if condition then value else { };
    mkOption = attrs: attrs;
    mkEnableOption = description: { inherit description; default = false; };
  };
in
lib
