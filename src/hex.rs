//! Lowercase hex encoding and strict lowercase decoding (both schemes put hex on the wire).

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Encodes bytes as lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_lower(bytes, &mut out);
    out
}

/// The two lowercase hex digits of every byte value: one lookup per byte on the hot path.
const PAIRS: [[u8; 2]; 256] = {
    let mut table = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = [DIGITS[b >> 4], DIGITS[b & 0x0f]];
        b += 1;
    }
    table
};

/// Appends lowercase hex of `bytes` to `out`.
pub fn push_lower(bytes: &[u8], out: &mut String) {
    // Encode through a stack buffer: indexed writes, then one copy (this runs on every request).
    let mut chunk = [0u8; 64];
    for block in bytes.chunks(32) {
        for (pair, &byte) in chunk.chunks_exact_mut(2).zip(block) {
            pair.copy_from_slice(&PAIRS[usize::from(byte)]);
        }
        // Only ASCII hex digits were written, so this never fails.
        if let Ok(text) = std::str::from_utf8(&chunk[..block.len() * 2]) {
            out.push_str(text);
        }
    }
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
