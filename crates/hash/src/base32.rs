//! Nix's own base-32 encoding.
//!
//! Nix prints hashes in a base-32 that is neither RFC 4648 nor "base32hex": the alphabet
//! omits `e`, `o`, `u` and `t` (so no rude words can appear), and the digits are taken
//! from the *end* of the byte string, least significant bits first. A sha256 digest is
//! 52 characters long.
//!
//! The `nix-base32` crate implements the same encoding, but it panics on empty or
//! too-short input and cannot report why a string was rejected, so this module carries
//! its own small implementation.

use std::fmt;

/// The 32 digits of Nix's base-32, in order of value.
pub const ALPHABET: &[u8; 32] = b"0123456789abcdfghijklmnpqrsvwxyz";

/// Number of base-32 characters that encode `byte_len` bytes (52 for sha256).
pub fn encoded_len(byte_len: usize) -> usize {
    (byte_len * 8).div_ceil(5)
}

/// Encodes `bytes` the way Nix prints hashes.
pub fn encode(bytes: &[u8]) -> String {
    let len = encoded_len(bytes.len());
    let mut text = String::with_capacity(len);
    // Nix emits the most significant digit first, where digit `n` covers bits
    // `5n..5n+5` of the byte string read as a little-endian number.
    for n in (0..len).rev() {
        let bit = n * 5;
        let index = bit / 8;
        let shift = bit % 8;
        let low = u16::from(bytes[index]) >> shift;
        let high = match bytes.get(index + 1) {
            Some(&next) => u16::from(next) << (8 - shift),
            None => 0,
        };
        text.push(char::from(ALPHABET[usize::from((low | high) & 0x1f)]));
    }
    text
}

/// Why a string is not valid Nix base-32.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base32Error {
    /// A character outside the alphabet `0-9a-z` minus `e o u t`.
    InvalidCharacter {
        /// The offending character.
        character: char,
        /// Its byte offset in the input.
        position: usize,
    },
    /// No whole number of bytes is encoded by this many characters.
    InvalidLength(usize),
    /// The leading digit carries bits beyond the encoded bytes, so this is not the
    /// canonical spelling of any byte string.
    NonCanonical,
}

impl fmt::Display for Base32Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Base32Error::InvalidCharacter {
                character,
                position,
            } => write!(
                f,
                "{character:?} at offset {position} is not a nix-base32 digit (0-9 and a-z without e, o, u, t)"
            ),
            Base32Error::InvalidLength(len) => {
                write!(f, "{len} characters do not encode a whole number of bytes")
            }
            Base32Error::NonCanonical => {
                write!(f, "the first digit has bits set beyond the encoded bytes")
            }
        }
    }
}

impl std::error::Error for Base32Error {}

fn digit_value(character: u8) -> Option<u8> {
    ALPHABET
        .iter()
        .position(|&digit| digit == character)
        .and_then(|value| u8::try_from(value).ok())
}

/// Decodes Nix base-32 text; the inverse of [`encode`].
///
/// Only the canonical spelling is accepted: the length must be one that [`encode`]
/// produces and unused high bits must be zero, exactly as Nix checks.
pub fn decode(text: &str) -> Result<Vec<u8>, Base32Error> {
    if let Some((position, character)) = text
        .char_indices()
        .find(|&(_, c)| !c.is_ascii() || digit_value(c as u8).is_none())
    {
        return Err(Base32Error::InvalidCharacter {
            character,
            position,
        });
    }
    let digits = text.as_bytes();
    let byte_len = digits.len() * 5 / 8;
    if encoded_len(byte_len) != digits.len() {
        return Err(Base32Error::InvalidLength(digits.len()));
    }
    let mut bytes = vec![0u8; byte_len];
    for (n, &character) in digits.iter().rev().enumerate() {
        let value = u16::from(digit_value(character).unwrap_or(0));
        let bit = n * 5;
        let index = bit / 8;
        let shifted = value << (bit % 8);
        let [low, high] = [(shifted & 0xff) as u8, (shifted >> 8) as u8];
        match bytes.get_mut(index) {
            Some(byte) => *byte |= low,
            None if low != 0 => return Err(Base32Error::NonCanonical),
            None => {}
        }
        match bytes.get_mut(index + 1) {
            Some(byte) => *byte |= high,
            None if high != 0 => return Err(Base32Error::NonCanonical),
            None => {}
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Known answers printed by `nix-hash --type sha256 --to-base32`.
    const CASES: &[(&str, &str)] = &[
        (
            "ab335240fd942ab8191c5e628cd4ff3903c577bda961fb75df08e0303a00527b",
            "0ysj00x31q08vxsznqd9pmvwa0rrzza8qqjy3hcvhallzm054cxb",
        ),
        (
            "99a2da84cec54d17325bcee0a079669c1b15eb7ead32246514b75b97862f1e00",
            "000y5y39fnxp2ijj8cmdgvmia6wwcrws1q6fbcr1fkf5rs2dm8lr",
        ),
        (
            "1f74d74729abdc08f4f84e8f7f8c808c8ed92ee5",
            "wlpdk3lch267z3sfz3s0ip5b553xfx0z",
        ),
    ];

    #[test]
    fn known_answers() {
        for (hex, base32) in CASES {
            let bytes = data_encoding::HEXLOWER.decode(hex.as_bytes()).unwrap();
            assert_eq!(encode(&bytes), *base32);
            assert_eq!(decode(base32).unwrap(), bytes);
        }
    }

    #[test]
    fn empty_is_empty() {
        assert_eq!(encode(&[]), "");
        assert_eq!(decode(""), Ok(vec![]));
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        assert_eq!(decode("0"), Err(Base32Error::InvalidLength(1)));
        assert_eq!(
            decode("e0"),
            Err(Base32Error::InvalidCharacter {
                character: 'e',
                position: 0
            })
        );
        assert!(matches!(
            decode("0é"),
            Err(Base32Error::InvalidCharacter {
                character: 'é', ..
            })
        ));
        // 52 digits carry 260 bits; a leading digit above 0x0f sets bit 256 or higher.
        let overflowing = format!("z{}", "0".repeat(51));
        assert_eq!(decode(&overflowing), Err(Base32Error::NonCanonical));
    }

    proptest! {
        #[test]
        fn round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let text = encode(&bytes);
            prop_assert_eq!(text.len(), encoded_len(bytes.len()));
            prop_assert_eq!(decode(&text).unwrap(), bytes);
        }

        #[test]
        fn decode_never_panics(text in "\\PC{0,70}") {
            let _ = decode(&text);
        }

        #[test]
        fn canonical_text_round_trips(text in "[0-9a-dfghijklmnpqrsvwxyz]{52}") {
            if let Ok(bytes) = decode(&text) {
                prop_assert_eq!(encode(&bytes), text);
            }
        }
    }
}
