//! sha256 digests and the three spellings Nix writes them in: SRI
//! (`sha256-…`), nix-base32 and hex.
//!
//! This crate is pure — no I/O, no network — so both the edit library
//! (`flakeedit-flake`, which reads and writes hashes in `flake.nix`) and the
//! prefetcher (`flakeedit-prefetch`, which computes them) share one [`struct@Hash`]
//! without the edit library depending on the network.
//!
//! ```
//! use flakeedit_hash::parse_hash;
//!
//! let hash = parse_hash("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73")?;
//! assert_eq!(hash.to_sri(), "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
//! # Ok::<(), flakeedit_hash::HashParseError>(())
//! ```

#![warn(missing_docs)]

pub mod base32;

use std::fmt;
use std::str::FromStr;

use data_encoding::{BASE64, HEXLOWER_PERMISSIVE};

/// A sha256 digest, such as the NAR hash that `fetchFromGitHub` checks.
///
/// [`Display`](fmt::Display) prints the SRI form (`sha256-…`), the one `flake.nix`
/// files use today; [`FromStr`] accepts every spelling [`parse_hash`] does.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, std::hash::Hash)]
pub struct Hash([u8; Hash::LEN]);

impl Hash {
    /// Length of a sha256 digest in bytes.
    pub const LEN: usize = 32;

    /// Wraps raw digest bytes.
    pub const fn from_bytes(bytes: [u8; Hash::LEN]) -> Self {
        Hash(bytes)
    }

    /// The raw digest bytes.
    pub const fn as_bytes(&self) -> &[u8; Hash::LEN] {
        &self.0
    }

    /// The SRI spelling, `sha256-` followed by standard padded base64.
    pub fn to_sri(&self) -> String {
        format!("sha256-{}", BASE64.encode(&self.0))
    }

    /// The 52-character nix-base32 spelling that `nix-prefetch-url` prints.
    pub fn to_nix_base32(&self) -> String {
        base32::encode(&self.0)
    }

    /// The 64-digit lowercase hex spelling.
    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    /// Parses any spelling of a sha256 hash; see [`parse_hash`].
    pub fn parse(text: &str) -> Result<Self, HashParseError> {
        parse_hash(text)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_sri())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_sri())
    }
}

impl FromStr for Hash {
    type Err = HashParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_hash(text)
    }
}

/// Why a string is not a sha256 hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HashParseError {
    /// The hash names an algorithm other than sha256.
    #[error("{input:?} is a {algorithm} hash; only sha256 hashes are supported")]
    UnsupportedAlgorithm {
        /// The text that was parsed.
        input: String,
        /// The algorithm it names, such as `sha512`.
        algorithm: String,
    },
    /// The text has the wrong length for every sha256 spelling.
    #[error(
        "{input:?} is not a sha256 hash: expected `sha256-` and 44 base64 characters, \
         52 nix-base32 characters or 64 hex digits, not {len} characters"
    )]
    InvalidLength {
        /// The text that was parsed.
        input: String,
        /// Its length in characters, without any `sha256:`/`sha256-` prefix.
        len: usize,
    },
    /// The text has a plausible length but is not valid in its encoding.
    #[error("{input:?} is not valid {encoding}: {detail}")]
    InvalidEncoding {
        /// The text that was parsed.
        input: String,
        /// `base64`, `nix-base32` or `hex`.
        encoding: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}

/// Turns a hash into its SRI spelling (`sha256-…`), the form written into `flake.nix`.
pub fn to_sri(hash: &Hash) -> String {
    hash.to_sri()
}

/// Parses a sha256 hash in any spelling Nix accepts.
///
/// Accepted, with surrounding whitespace ignored:
/// - SRI: `sha256-` and 44 characters of padded base64;
/// - `sha256:` followed by nix-base32, hex or base64 (the older typed form);
/// - bare nix-base32 (52 characters), hex (64 digits, either case) or base64 (44).
pub fn parse_hash(text: &str) -> Result<Hash, HashParseError> {
    let trimmed = text.trim();
    if let Some((algorithm, digest)) = trimmed.split_once('-') {
        if is_algorithm_name(algorithm) {
            check_algorithm(text, algorithm)?;
            return decode_base64(text, digest);
        }
    }
    let digest = match trimmed.split_once(':') {
        Some((algorithm, digest)) => {
            check_algorithm(text, algorithm)?;
            digest
        }
        None => trimmed,
    };
    match digest.chars().count() {
        52 => {
            let bytes =
                base32::decode(digest).map_err(|error| HashParseError::InvalidEncoding {
                    input: text.to_owned(),
                    encoding: "nix-base32",
                    detail: error.to_string(),
                })?;
            from_vec(text, "nix-base32", bytes)
        }
        64 => {
            let bytes = HEXLOWER_PERMISSIVE
                .decode(digest.as_bytes())
                .map_err(|error| HashParseError::InvalidEncoding {
                    input: text.to_owned(),
                    encoding: "hex",
                    detail: error.to_string(),
                })?;
            from_vec(text, "hex", bytes)
        }
        44 => decode_base64(text, digest),
        len => Err(HashParseError::InvalidLength {
            input: text.to_owned(),
            len,
        }),
    }
}

fn is_algorithm_name(name: &str) -> bool {
    matches!(name, "md5" | "sha1" | "sha256" | "sha512")
}

fn check_algorithm(input: &str, algorithm: &str) -> Result<(), HashParseError> {
    if algorithm == "sha256" {
        Ok(())
    } else {
        Err(HashParseError::UnsupportedAlgorithm {
            input: input.to_owned(),
            algorithm: algorithm.to_owned(),
        })
    }
}

fn decode_base64(input: &str, digest: &str) -> Result<Hash, HashParseError> {
    if digest.chars().count() != 44 {
        return Err(HashParseError::InvalidLength {
            input: input.to_owned(),
            len: digest.chars().count(),
        });
    }
    let bytes =
        BASE64
            .decode(digest.as_bytes())
            .map_err(|error| HashParseError::InvalidEncoding {
                input: input.to_owned(),
                encoding: "base64",
                detail: error.to_string(),
            })?;
    from_vec(input, "base64", bytes)
}

fn from_vec(input: &str, encoding: &'static str, bytes: Vec<u8>) -> Result<Hash, HashParseError> {
    let array: [u8; Hash::LEN] =
        bytes
            .try_into()
            .map_err(|bytes: Vec<u8>| HashParseError::InvalidEncoding {
                input: input.to_owned(),
                encoding,
                detail: format!("it decodes to {} bytes, not 32", bytes.len()),
            })?;
    Ok(Hash(array))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // The sha256 of the empty string, spelled the way `nix-hash --to-*` prints it.
    const HEX: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const BASE32: &str = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";
    const SRI: &str = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    #[test]
    fn every_spelling_parses_to_the_same_hash() {
        let hash = parse_hash(SRI).unwrap();
        assert_eq!(hash.to_hex(), HEX);
        assert_eq!(hash.to_nix_base32(), BASE32);
        assert_eq!(to_sri(&hash), SRI);
        for spelling in [
            HEX.to_owned(),
            HEX.to_uppercase(),
            BASE32.to_owned(),
            format!("sha256:{BASE32}"),
            format!("sha256:{HEX}"),
            format!("  {SRI}\n"),
            SRI["sha256-".len()..].to_owned(),
        ] {
            assert_eq!(parse_hash(&spelling), Ok(hash), "{spelling}");
        }
        assert_eq!(hash.to_string(), SRI);
        assert_eq!(SRI.parse::<Hash>(), Ok(hash));
    }

    #[test]
    fn rejections_say_why() {
        assert!(matches!(
            parse_hash("sha512-abc"),
            Err(HashParseError::UnsupportedAlgorithm { .. })
        ));
        assert!(matches!(
            parse_hash("md5:0123"),
            Err(HashParseError::UnsupportedAlgorithm { .. })
        ));
        assert!(matches!(
            parse_hash("abc"),
            Err(HashParseError::InvalidLength { len: 3, .. })
        ));
        assert!(matches!(
            parse_hash(&BASE32.replace('0', "e")),
            Err(HashParseError::InvalidEncoding {
                encoding: "nix-base32",
                ..
            })
        ));
        assert!(matches!(
            parse_hash(&HEX.replace('e', "g")),
            Err(HashParseError::InvalidEncoding {
                encoding: "hex",
                ..
            })
        ));
        assert!(matches!(
            parse_hash("sha256-!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"),
            Err(HashParseError::InvalidEncoding {
                encoding: "base64",
                ..
            })
        ));
        let message = parse_hash("sha256-").unwrap_err().to_string();
        assert!(message.contains("not 0 characters"), "{message}");
    }

    proptest! {
        #[test]
        fn spellings_round_trip(bytes in any::<[u8; 32]>()) {
            let hash = Hash::from_bytes(bytes);
            prop_assert_eq!(parse_hash(&hash.to_sri()), Ok(hash));
            prop_assert_eq!(parse_hash(&hash.to_nix_base32()), Ok(hash));
            prop_assert_eq!(parse_hash(&hash.to_hex()), Ok(hash));
            prop_assert_eq!(hash.as_bytes(), &bytes);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,80}") {
            let _ = parse_hash(&text);
        }
    }
}
