# The package set of the stub nixpkgs for one system. `final` is the set after
# overlays (see ./default.nix), so `callPackage` sees overlaid packages.
{ system, lib, final, sourceRoot ? null }:
let
  stubDerivation = import ../derivation.nix { inherit system sourceRoot; };
  package = pname: stubDerivation "package" { inherit pname; };
  packages = names: lib.genAttrs names package;

  isLinux = lib.elem system lib.platforms.linux;
  isDarwin = lib.elem system lib.platforms.darwin;
  hostPlatform = { inherit system isLinux isDarwin; };

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
] // {
  inherit system lib hostPlatform ocamlPackages;
  pkgs = final;
  buildPlatform = hostPlatform;
  targetPlatform = hostPlatform;

  stdenv = {
    mkDerivation = stubDerivation "mkDerivation";
    inherit hostPlatform isLinux isDarwin;
    buildPlatform = hostPlatform;
    cc = package "cc";
  };
  stdenvNoCC = final.stdenv;

  mkShell = args: stubDerivation "mkShell" ({ name = "nix-shell"; } // args);
  mkShellNoCC = args: stubDerivation "mkShellNoCC" ({ name = "nix-shell"; } // args);

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
