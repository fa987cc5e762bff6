{
  description = "Fetchers with placeholder and legacy hashes";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      pkgs = nixpkgs.legacyPackages.x86_64-linux;
      inherit (pkgs) lib;
    in
    {
      packages.x86_64-linux = {
        # A new dependency, hash still to be filled in.
        randomconv = pkgs.fetchFromGitHub {
          owner = "hannesm";
          repo = "randomconv";
          rev = "b2ce656d09738d676351f5a1c18aff0ff37a7dcc";
          hash = "sha256-KIvx/UNtPTg0EqfwuJgzSCtr6RgKIXK6yv9QkUUHbJk=";
        };
        tarball = pkgs.fetchurl {
          url = "https://example.org/dist/tool-1.0.tar.gz";
          hash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; # flat hash
        };
        zipped = pkgs.fetchzip {
          url = "https://example.org/dist/data-2.zip";
          hash = "sha256-dcJDuWE3qLEanu+TBBSeJPxxQvAN9eq88R5W3XMEGiA=";
        };
        legacyBase32 = pkgs.fetchFromGitHub {
          owner = "leostera";
          repo = "random";
          rev = "abb07c253dbc208219ac1983b34c78dab5fe93fd";
          hash = "sha256-dcJDuWE3qLEanu+TBBSeJPxxQvAN9eq88R5W3XMEGiA=";
        };
        legacyHex = pkgs.fetchurl {
          url = "https://example.org/dist/notes.txt";
          hash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        };
        submodules = pkgs.fetchFromGitHub {
          owner = "someone";
          repo = "with-submodules";
          rev = "0123456789abcdef0123456789abcdef01234567";
          fetchSubmodules = true;
          hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        };
      };
    };
}
