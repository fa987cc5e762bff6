//! Lossless Nix syntax access (work in progress).
