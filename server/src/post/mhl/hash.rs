//! The six ASC MHL hash formats and their text forms (lower-case hex, or a C4 id).

use std::fmt;
use std::str::FromStr;

use md5::Digest as _;

/// One hash format an ASC MHL manifest can record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashFormat {
    C4,
    Md5,
    Sha1,
    Xxh128,
    Xxh3,
    Xxh64,
}

impl HashFormat {
    /// Every format, in the order of their XML names (as ascmhl sorts them).
    pub const ALL: [HashFormat; 6] = [
        HashFormat::C4,
        HashFormat::Md5,
        HashFormat::Sha1,
        HashFormat::Xxh128,
        HashFormat::Xxh3,
        HashFormat::Xxh64,
    ];

    /// The element name in a manifest (`<xxh64>…</xxh64>`).
    pub fn as_str(self) -> &'static str {
        match self {
            HashFormat::C4 => "c4",
            HashFormat::Md5 => "md5",
            HashFormat::Sha1 => "sha1",
            HashFormat::Xxh128 => "xxh128",
            HashFormat::Xxh3 => "xxh3",
            HashFormat::Xxh64 => "xxh64",
        }
    }

    /// Hashes a whole byte string.
    pub fn hash_bytes(self, data: &[u8]) -> String {
        let mut hasher = Hasher::new(self);
        hasher.update(data);
        hasher.finish()
    }

    /// The digest bytes behind a text digest, as directory hashes combine them.
    pub fn digest_bytes(self, text: &str) -> Result<Vec<u8>, DigestTextError> {
        match self {
            HashFormat::C4 => c4_decode(text),
            _ => hex_decode(text),
        }
    }
}

impl fmt::Display for HashFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HashFormat {
    type Err = UnknownHashFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HashFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownHashFormat(s.to_owned()))
    }
}

/// A hash format name that ASC MHL v2 does not define.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown hash format {0:?}: expected one of c4, md5, sha1, xxh128, xxh3, xxh64")]
pub struct UnknownHashFormat(pub String);

/// A digest text that is not valid for its format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("digest {text:?} is not valid: {reason}")]
pub struct DigestTextError {
    pub text: String,
    pub reason: &'static str,
}

/// A running hash in one format.
#[allow(clippy::large_enum_variant)]
pub enum Hasher {
    C4(sha2::Sha512),
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Xxh128(xxhash_rust::xxh3::Xxh3),
    Xxh3(xxhash_rust::xxh3::Xxh3),
    Xxh64(xxhash_rust::xxh64::Xxh64),
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hasher({})", self.format())
    }
}

impl Hasher {
    pub fn new(format: HashFormat) -> Self {
        match format {
            HashFormat::C4 => Hasher::C4(sha2::Sha512::new()),
            HashFormat::Md5 => Hasher::Md5(md5::Md5::new()),
            HashFormat::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            HashFormat::Xxh128 => Hasher::Xxh128(xxhash_rust::xxh3::Xxh3::new()),
            HashFormat::Xxh3 => Hasher::Xxh3(xxhash_rust::xxh3::Xxh3::new()),
            HashFormat::Xxh64 => Hasher::Xxh64(xxhash_rust::xxh64::Xxh64::new(0)),
        }
    }

    pub fn format(&self) -> HashFormat {
        match self {
            Hasher::C4(_) => HashFormat::C4,
            Hasher::Md5(_) => HashFormat::Md5,
            Hasher::Sha1(_) => HashFormat::Sha1,
            Hasher::Xxh128(_) => HashFormat::Xxh128,
            Hasher::Xxh3(_) => HashFormat::Xxh3,
            Hasher::Xxh64(_) => HashFormat::Xxh64,
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::C4(h) => h.update(data),
            Hasher::Md5(h) => h.update(data),
            Hasher::Sha1(h) => h.update(data),
            Hasher::Xxh128(h) | Hasher::Xxh3(h) => h.update(data),
            Hasher::Xxh64(h) => h.update(data),
        }
    }

    /// The digest as a manifest writes it.
    pub fn finish(self) -> String {
        match self {
            Hasher::C4(h) => c4_encode(&h.finalize()),
            Hasher::Md5(h) => hex(&h.finalize()),
            Hasher::Sha1(h) => hex(&h.finalize()),
            Hasher::Xxh128(h) => format!("{:032x}", h.digest128()),
            Hasher::Xxh3(h) => format!("{:016x}", h.digest()),
            Hasher::Xxh64(h) => format!("{:016x}", h.digest()),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Result<Vec<u8>, DigestTextError> {
    let bad = |reason| DigestTextError {
        text: text.to_owned(),
        reason,
    };
    if text.len() % 2 != 0 {
        return Err(bad("odd number of hex digits"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| bad("not hexadecimal"))
        })
        .collect()
}

const C4_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const C4_LEN: usize = 90;

/// C4 id of a SHA-512 digest: `c4` + the 512-bit number in base 58, left-padded with `1` to 90 characters.
fn c4_encode(sha512: &[u8]) -> String {
    let mut number = sha512.to_vec();
    let mut digits = Vec::with_capacity(C4_LEN);
    while number.iter().any(|&b| b != 0) {
        let mut rem = 0u32;
        for byte in number.iter_mut() {
            let acc = (rem << 8) | u32::from(*byte);
            *byte = (acc / 58) as u8;
            rem = acc % 58;
        }
        digits.push(C4_ALPHABET[rem as usize]);
    }
    while digits.len() < C4_LEN - 2 {
        digits.push(b'1');
    }
    digits.reverse();
    format!("c4{}", String::from_utf8_lossy(&digits))
}

fn c4_decode(text: &str) -> Result<Vec<u8>, DigestTextError> {
    let bad = |reason| DigestTextError {
        text: text.to_owned(),
        reason,
    };
    let body = text
        .strip_prefix("c4")
        .ok_or_else(|| bad("a C4 id starts with c4"))?;
    if text.len() != C4_LEN {
        return Err(bad("a C4 id has 90 characters"));
    }
    let mut number = [0u8; 64];
    for ch in body.bytes() {
        let digit = C4_ALPHABET
            .iter()
            .position(|&a| a == ch)
            .ok_or_else(|| bad("character outside the C4 alphabet"))?;
        let mut carry = digit as u32;
        for byte in number.iter_mut().rev() {
            let acc = u32::from(*byte) * 58 + carry;
            *byte = (acc & 0xff) as u8;
            carry = acc >> 8;
        }
        if carry != 0 {
            return Err(bad("C4 number larger than 512 bits"));
        }
    }
    Ok(number.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Digests of b"hello\n" from Python's hashlib / xxhash and ascmhl's C4 class (ascmhl 1.2).
    #[test]
    fn digests_match_the_reference_implementations() {
        let data = b"hello\n";
        assert_eq!(HashFormat::Xxh64.hash_bytes(data), "e4c191d091bd8853");
        assert_eq!(
            HashFormat::Md5.hash_bytes(data),
            "b1946ac92492d2347c6235b4d2611184"
        );
        assert_eq!(
            HashFormat::Sha1.hash_bytes(data),
            "f572d396fae9206628714fb2ce00f72e94f2258f"
        );
        assert_eq!(HashFormat::Xxh3.hash_bytes(data), XXH3_HELLO);
        assert_eq!(HashFormat::Xxh128.hash_bytes(data), XXH128_HELLO);
        assert_eq!(HashFormat::C4.hash_bytes(data), C4_HELLO);
    }

    const XXH3_HELLO: &str = "99fc819aaba2462a";
    const XXH128_HELLO: &str = "6bba86c7e069f56d5a10b435f1c8e49c";
    const C4_HELLO: &str =
        "c45dkQrAqUiR8WzPGgn6fAGji3VAVeAE7cKVG4G53ou9dTk4Nzb9vFYEwzy9jq5ZKQKM64DMpPpVbYe2bMsZP2yYKi";

    #[test]
    fn c4_text_round_trips_to_the_sha512_bytes() {
        use sha2::Digest;
        let sha = sha2::Sha512::digest(b"abc");
        let text = c4_encode(&sha);
        assert_eq!(text.len(), 90);
        assert_eq!(c4_decode(&text).unwrap(), sha.to_vec());
        let small = c4_encode(&[0u8; 64]);
        assert_eq!(small, format!("c4{}", "1".repeat(88)));
    }

    #[test]
    fn bad_digest_text_is_rejected() {
        assert!(HashFormat::Xxh64.digest_bytes("xyz").is_err());
        assert!(HashFormat::Xxh64.digest_bytes("0g").is_err());
        assert!(HashFormat::C4.digest_bytes("c4short").is_err());
        let bad_char = format!("c4{}", "0".repeat(88));
        assert!(HashFormat::C4.digest_bytes(&bad_char).is_err());
        assert!("xxh32".parse::<HashFormat>().is_err());
    }
}
