# The package set of the stub nixpkgs for one system. `final` is the set after
# overlays (see ./default.nix), so `callPackage` sees overlaid packages.
{ system, lib, final, sourceRoot ? null }:
let
  stubDerivation = import ../derivation.nix { inherit system sourceRoot; };
  package = pname: stubDerivation "package" { inherit pname; };
  packages = names: lib.genAttrs names package;

  # The platform predicates real flakes test (`stdenv.hostPlatform.isx86_64`,
  # `stdenv.isDarwin`, ...), read from the system string as nixpkgs does.
  systemParts = builtins.match "([^-]+)-(.*)" system;
  cpu = if systemParts == null then system else builtins.head systemParts;
  kernel = if systemParts == null then "" else builtins.elemAt systemParts 1;
  platformFlags = rec {
    isLinux = kernel == "linux";
    isDarwin = kernel == "darwin";
    isWindows = kernel == "windows" || kernel == "w64-mingw32" || kernel == "cygwin";
    isFreeBSD = kernel == "freebsd";
    isUnix = isLinux || isDarwin || isFreeBSD;
    isx86_64 = cpu == "x86_64";
    isi686 = cpu == "i686";
    isx86_32 = isi686;
    isx86 = isx86_64 || isi686;
    isAarch64 = cpu == "aarch64";
    isAarch32 = lib.elem cpu [ "armv5tel" "armv6l" "armv7l" "armv7a" ];
    isAarch = isAarch64 || isAarch32;
    isRiscV64 = cpu == "riscv64";
    isRiscV32 = cpu == "riscv32";
    isRiscV = isRiscV64 || isRiscV32;
    isPower64 = lib.elem cpu [ "powerpc64" "powerpc64le" ];
    isMips = lib.elem cpu [ "mips" "mipsel" "mips64" "mips64el" ];
    isWasm = lib.elem cpu [ "wasm32" "wasm64" ];
    is64bit = lib.elem cpu [ "x86_64" "aarch64" "riscv64" "powerpc64" "powerpc64le" "mips64" "mips64el" "wasm64" ];
    is32bit = !is64bit;
    isStatic = false;
    isMusl = false;
  };
  hostPlatform = platformFlags // { inherit system; };

  shellBuilder = kind: {
    __functor = _: args: shell kind ({ name = "nix-shell"; } // args);
    override = _: shellBuilder kind;
  };
  # A shell's `overrideAttrs` sees what nixpkgs' mkShell gives
  # `stdenv.mkDerivation`: its `packages` are in `nativeBuildInputs`.
  shell = kind: args: stubDerivation kind args // {
    overrideAttrs = f:
      let
        old = builtins.removeAttrs args [ "packages" ] // {
          nativeBuildInputs = (args.nativeBuildInputs or [ ]) ++ (args.packages or [ ]);
        };
        new = f old;
      in
      stubDerivation kind (old // (if builtins.isFunction new then new old else new));
  };

  callPackageWith = scope: fn: overrides:
    let
      f = if builtins.isFunction fn then fn else import fn;
      requested = builtins.functionArgs f;
    in
    f (builtins.intersectAttrs requested scope // overrides);

  ocamlPackages = packages [
    "dune_3"
    "ocaml"
    "utop"
    "ocamlformat"
    "ounit2"
    "mirage-crypto"
    "mirage-crypto-rng"
    "ocaml-lsp"
    "ocamlformat-rpc-lib"
    "findlib"
    "alcotest"
    "lwt"
    "ppx_deriving"
    "yojson"
  ] // {
    buildDunePackage = stubDerivation "buildDunePackage";
    buildOcaml = stubDerivation "buildOcaml";
    callPackage = callPackageWith (final // ocamlPackages);
  };
in
packages [
  "nixpkgs-fmt"
  "nixfmt-rfc-style"
  "alejandra"
  "clang_17"
  "clang-tools_17"
  "pkg-config"
  "cargo"
  "cargo-edit"
  "rustc"
  "clippy"
  "rustfmt"
  "rust-analyzer"
  "nix"
  "neovim"
  "nodejs"
  "openssl"
  "git"
  "hello"
  "bashInteractive"
  "coreutils"
  "cacert"
  "gnumake"
  "cmake"
  "jq"
  "curl"
  "zlib"
  "skopeo"
  "opam"
  "dune_3"
  "ocaml"
  "zsh"
  "fish"
] // {
  inherit system lib hostPlatform ocamlPackages;
  pkgs = final;
  buildPlatform = hostPlatform;
  targetPlatform = hostPlatform;

  stdenv = platformFlags // {
    mkDerivation = stubDerivation "mkDerivation";
    inherit hostPlatform;
    buildPlatform = hostPlatform;
    cc = package "cc";
  };
  stdenvNoCC = final.stdenv;

  # Callable, and `mkShell.override { stdenv = …; } { … }` as nixpkgs'
  # callPackage'd `mkShell` allows.
  mkShell = shellBuilder "mkShell";
  mkShellNoCC = shellBuilder "mkShellNoCC";

  rustPlatform = {
    buildRustPackage = stubDerivation "buildRustPackage";
  };
  buildGoModule = stubDerivation "buildGoModule";

  # `python3.withPackages (ps: [ ps.numpy ])`: an environment of the packages chosen.
  python3 = package "python3" // {
    pkgs = packages [ "numpy" "requests" ];
    withPackages = choose: stubDerivation "withPackages" {
      pname = "python3-env";
      paths = choose final.python3.pkgs;
    };
  };

  dockerTools = {
    buildLayeredImage = args: stubDerivation "buildLayeredImage" (args // {
      imageName = args.name;
      imageTag = args.tag or "latest";
    });
    streamLayeredImage = args: stubDerivation "streamLayeredImage" (args // {
      imageName = args.name;
      imageTag = args.tag or "latest";
    });
    buildImage = args: stubDerivation "buildImage" (args // {
      imageName = args.name;
      imageTag = args.tag or "latest";
    });
  };

  fetchFromGitHub = args: stubDerivation "fetchFromGitHub" ({ name = "source"; } // args);
  fetchFromGitLab = args: stubDerivation "fetchFromGitLab" ({ name = "source"; } // args);
  fetchgit = args: stubDerivation "fetchgit" ({ name = "source"; } // args);
  fetchurl = args: stubDerivation "fetchurl" ({ name = baseNameOf (args.url or "download"); } // args);
  fetchzip = args: stubDerivation "fetchzip" ({ name = "source"; } // args);

  writeText = name: text: stubDerivation "writeText" { inherit name text; };
  writeShellScript = name: text: stubDerivation "writeShellScript" { inherit name text; };
  writeShellScriptBin = name: text: stubDerivation "writeShellScriptBin" { inherit name text; };
  writeShellApplication = args: stubDerivation "writeShellApplication" args;
  symlinkJoin = args: stubDerivation "symlinkJoin" args;
  runCommand = name: env: script: stubDerivation "runCommand" (env // { inherit name script; });

  callPackage = callPackageWith final;
}
