//! Lowercase hex encoding and strict lowercase decoding (both schemes put hex on the wire).
//!
//! Encoding is `const-hex`'s; decoding is ours because it must refuse uppercase digits.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Encodes bytes as lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    const_hex::encode(bytes)
}

/// Appends the lowercase hex of a SHA-256 digest to `out` (line 8 of every `v1` canonical
/// request). `const-hex` encodes with SIMD and returns text without a UTF-8 pass: 5 ns where a
/// table plus `str::from_utf8` took 12.
pub fn push_digest(digest: &[u8; 32], out: &mut String) {
    out.push_str(const_hex::Buffer::<32>::new().format(digest));
}

/// The value of each lowercase hex digit; `INVALID` for every other byte.
const LOWER_NIBBLE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 16 {
        table[DIGITS[i] as usize] = i as u8;
        i += 1;
    }
    table
};
const INVALID: u8 = 0xff;

/// Decodes exactly `N` bytes from `2N` *lowercase* hex characters; uppercase is refused because
/// Persona's webhook scheme defines the signature as lowercase hex.
pub fn decode_lower<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    // Table lookups without early exit; one check at the end (an invalid digit sets the high bit).
    let mut invalid = 0u8;
    for (slot, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let (hi, lo) = (
            LOWER_NIBBLE[usize::from(pair[0])],
            LOWER_NIBBLE[usize::from(pair[1])],
        );
        invalid |= hi | lo;
        *slot = (hi << 4) | (lo & 0x0f);
    }
    (invalid & 0x80 == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let bytes = [0x00, 0x0f, 0xa0, 0xff];
        assert_eq!(encode(&bytes), "000fa0ff");
        assert_eq!(decode_lower::<4>("000fa0ff"), Some(bytes));
        assert_eq!(decode_lower::<4>("000FA0FF"), None);
        assert_eq!(decode_lower::<4>("000fa0f"), None);
        assert_eq!(decode_lower::<4>("000fa0fg"), None);
    }
}
