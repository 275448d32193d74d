//! HMAC-SHA256 (RFC 2104) with the key schedule computed once per secret, and kept zeroized.
//!
//! Why this exists rather than the `hmac` crate: the keyed states are owned here, so they can be
//! wiped when a verifier or signer is dropped (the `hmac` crate's keyed state has no zeroize
//! support), and keying once per secret instead of cloning that crate's state per message saves
//! ~15 ns per MAC, about 2% of a 1 KiB signature — measured, see BENCHMARKS.md.
//!
//! Both schemes MAC many messages under one secret. Keying HMAC costs two SHA-256 block
//! compressions (the ipad and opad blocks); doing it once per secret instead of once per message is
//! what keeps a 1 KiB signature within a few percent of one raw HMAC.
//!
//! The construction runs on RustCrypto's SHA-256 compression function and block buffer. What is
//! here is HMAC's definition and no more: `H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))`, with SHA-256's
//! standard padding from `block-buffer`. Tests check RFC 4231's test cases 1–7 and compare it with
//! the `hmac` crate on every message length across the padding boundaries, on long keys, and on
//! split messages; the vectors, made with Python's `hmac`, check it too.
//!
//! The keyed states are derived from the secret (they can forge MACs just like the secret) but are
//! not the secret itself; the stored states are wiped on drop, as are the padded key and pad
//! blocks. Best effort, as in Rust crypto generally: moved-from copies, a long key's hashing
//! buffer and SHA-256's working state are not. The raw secret is never kept here.

use block_buffer::{BlockBuffer, Eager};
use sha2::digest::consts::U64;
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::PersonaError;
use crate::secret::Secret;

/// SHA-256 block size in bytes; also HMAC's padded key length.
const BLOCK: usize = 64;

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const INITIAL_STATE: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// An HMAC-SHA256 key, ready to MAC messages: the SHA-256 states after the ipad and opad blocks.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct MacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl MacKey {
    /// Keys HMAC with the secret's UTF-8 bytes, verbatim, once [`Secret::check`] accepts it
    /// (not empty, no NUL).
    pub(crate) fn new(secret: &Secret) -> Result<Self, PersonaError> {
        secret.check()?;
        Ok(Self::from_key_bytes(secret.as_bytes()))
    }

    /// Keys HMAC with any bytes (RFC 2104 allows any key; secrets are text, checked above).
    fn from_key_bytes(bytes: &[u8]) -> Self {
        // RFC 2104: a key longer than the block is replaced by its hash; then zero-padded.
        let mut key = [0u8; BLOCK];
        if bytes.len() > BLOCK {
            let mut digest = Sha256::digest(bytes);
            key[..digest.len()].copy_from_slice(&digest);
            digest.zeroize();
        } else {
            key[..bytes.len()].copy_from_slice(bytes);
        }
        let keyed = |pad: u8| {
            let mut block = GenericArray::<u8, U64>::default();
            for (out, k) in block.iter_mut().zip(&key) {
                *out = k ^ pad;
            }
            let mut state = INITIAL_STATE;
            sha2::compress256(&mut state, std::slice::from_ref(&block));
            block.zeroize();
            state
        };
        let mac_key = Self {
            inner: keyed(0x36),
            outer: keyed(0x5c),
        };
        key.zeroize();
        mac_key
    }

    /// HMAC-SHA256 over the concatenation of `parts`.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        #[cfg(test)]
        MACS.with(|count| count.set(count.get() + 1));
        let mut inner = Sha256Stream::resume(self.inner, BLOCK as u64);
        for part in parts {
            inner.update(part);
        }
        let inner_digest = inner.finish();
        // The outer message is the 32-byte inner digest: always one padded block.
        let mut block = GenericArray::<u8, U64>::default();
        block[..32].copy_from_slice(&inner_digest);
        block[32] = 0x80;
        let outer_bits = ((BLOCK + 32) as u64) * 8;
        block[BLOCK - 8..].copy_from_slice(&outer_bits.to_be_bytes());
        let mut outer = self.outer;
        sha2::compress256(&mut outer, std::slice::from_ref(&block));
        state_bytes(&outer)
    }
}

impl std::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MacKey([REDACTED])")
    }
}

#[cfg(test)]
thread_local! {
    /// MACs computed on this thread (tests bound the work a call does).
    static MACS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many MACs `work` computes on this thread.
#[cfg(test)]
pub(crate) fn count_macs(work: impl FnOnce()) -> usize {
    let before = MACS.with(std::cell::Cell::get);
    work();
    MACS.with(std::cell::Cell::get) - before
}

/// A SHA-256 computation resumed from a state that has absorbed a whole number of blocks.
struct Sha256Stream {
    state: [u32; 8],
    /// Bytes absorbed so far, including those before `resume`.
    len: u64,
    buffer: BlockBuffer<U64, Eager>,
}

impl Sha256Stream {
    fn resume(state: [u32; 8], absorbed: u64) -> Self {
        Self {
            state,
            len: absorbed,
            buffer: BlockBuffer::default(),
        }
    }

    fn update(&mut self, data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        let state = &mut self.state;
        // Whole blocks go to the compression function in one call, straight from `data`.
        self.buffer
            .digest_blocks(data, |blocks| sha2::compress256(state, blocks));
    }

    fn finish(mut self) -> [u8; 32] {
        let state = &mut self.state;
        self.buffer
            .len64_padding_be(self.len.wrapping_mul(8), |block| {
                sha2::compress256(state, std::slice::from_ref(block))
            });
        state_bytes(&self.state)
    }
}

/// A SHA-256 state as its big-endian digest bytes.
fn state_bytes(state: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// Constant-time equality of two byte strings (length is not secret: it is fixed by the scheme).
///
/// The differences are OR-ed together eight bytes at a time, without branches, and only the final
/// word goes through `subtle`'s optimization barrier: `subtle`'s slice comparison puts a barrier on
/// every byte, which cost ~30 ns for a 44-byte signature. It fails closed by construction: every
/// byte of both inputs goes into the difference, with no conversion that could fall back.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    if a.len() != b.len() {
        return false;
    }
    let (mut a_words, mut b_words) = (a.chunks_exact(8), b.chunks_exact(8));
    let mut difference = 0u64;
    for (x, y) in (&mut a_words).zip(&mut b_words) {
        difference |= load_word(x) ^ load_word(y);
    }
    difference |= load_word(a_words.remainder()) ^ load_word(b_words.remainder());
    bool::from(difference.ct_eq(&0))
}

/// Up to eight bytes as one word, every byte in it (a total function: nothing to fall back on).
/// On an 8-byte chunk it compiles to one load.
fn load_word(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0u64, |word, &byte| (word << 8) | u64::from(byte))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};

    fn reference(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    fn key(bytes: &[u8]) -> MacKey {
        MacKey::new(&Secret::new(String::from_utf8(bytes.to_vec()).unwrap())).unwrap()
    }

    #[test]
    fn matches_the_hmac_crate_on_every_length_across_padding_boundaries() {
        let message: Vec<u8> = (0..=600u32).map(|i| (i * 7 + 3) as u8).collect();
        let mac_key = key(b"bench-secret-0123456789");
        for len in 0..=message.len() {
            let m = &message[..len];
            assert_eq!(
                mac_key.mac(&[m]),
                reference(b"bench-secret-0123456789", &[m]),
                "length {len}"
            );
        }
    }

    #[test]
    fn matches_the_hmac_crate_on_key_lengths_around_the_block() {
        for len in [1, 31, 32, 55, 63, 64, 65, 100, 128, 129, 1000] {
            let secret: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            assert_eq!(
                key(&secret).mac(&[b"message"]),
                reference(&secret, &[b"message"]),
                "key length {len}"
            );
        }
    }

    #[test]
    fn split_messages_mac_like_the_concatenation() {
        let body: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
        let mac_key = key(b"whsec_test");
        for cut in [0, 1, 52, 53, 64, 65, 127, 128, 299, 300] {
            let parts: [&[u8]; 3] = [b"1700000000", b".", &body[..cut]];
            let whole = [b"1700000000.".as_slice(), &body[..cut]].concat();
            assert_eq!(mac_key.mac(&parts), reference(b"whsec_test", &[&whole]));
            assert_eq!(
                mac_key.mac(&[&body[..cut], &body[cut..]]),
                reference(b"whsec_test", &[&body])
            );
        }
    }

    #[test]
    fn rfc_4231_test_cases_1_to_7() {
        // RFC 4231 section 4: (key, data, HMAC-SHA-256). Case 5's MAC is truncated to 128 bits.
        let aa131 = [0xaa; 131];
        let cases: [(&[u8], &[u8], &str); 7] = [
            (
                &[0x0b; 20],
                b"Hi There",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                &[0xaa; 20],
                &[0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                &[
                    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
                    0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
                ],
                &[0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                &[0x0c; 20],
                b"Test With Truncation",
                "a3b6167473100ee06e0c796c2955552b",
            ),
            (
                &aa131,
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                &aa131,
                b"This is a test using a larger than block-size key and a larger than block-size data. \
                  The key needs to be hashed before being used by the HMAC algorithm.",
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (number, (key, data, expected)) in cases.into_iter().enumerate() {
            let mac = crate::hex::encode(&MacKey::from_key_bytes(key).mac(&[data]));
            assert_eq!(
                &mac[..expected.len()],
                expected,
                "RFC 4231 case {}",
                number + 1
            );
        }
    }

    #[test]
    fn words_hold_every_byte_of_any_chunk() {
        // A word loader that could fall back (the old `try_from(..).unwrap_or_default()` gave 0
        // for a chunk that was not 8 bytes) would make different chunks compare equal.
        for len in 0..=8 {
            let a: Vec<u8> = (1..=len).collect();
            let b: Vec<u8> = a.iter().map(|byte| byte ^ 0x80).collect();
            assert_eq!(load_word(&a) == load_word(&b), len == 0, "len {len}");
        }
        assert_eq!(load_word(&[1, 2, 3, 4, 5, 6, 7, 8]), 0x0102_0304_0506_0708);
    }

    #[test]
    fn constant_time_eq_finds_any_differing_byte() {
        for len in [0, 1, 7, 8, 9, 32, 44, 64] {
            let a: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert!(constant_time_eq(&a, &a.clone()));
            for at in 0..len {
                for bit in 0..8 {
                    let mut b = a.clone();
                    b[at] ^= 1 << bit;
                    assert!(!constant_time_eq(&a, &b), "len {len}, byte {at}, bit {bit}");
                }
            }
            assert!(!constant_time_eq(&a, &a[..len.saturating_sub(1)]) || len == 0);
        }
    }

    #[test]
    fn empty_secret_is_refused_and_debug_redacts() {
        assert!(MacKey::new(&Secret::new("")).is_err());
        assert_eq!(format!("{:?}", key(b"hunter2")), "MacKey([REDACTED])");
    }
}
