//! A keyed HMAC-SHA256 whose key schedule is computed once.
//!
//! Both schemes MAC many messages under one secret. Keying HMAC costs two SHA-256 block
//! compressions (the ipad and opad blocks); doing it once per secret instead of once per message is
//! what keeps a 1 KiB signature within a few percent of one raw HMAC.
//!
//! The keyed state is derived from the secret (it can forge MACs just like the secret) but is not
//! the secret itself; the `hmac` crate does not zeroize it. The raw secret is never kept here.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{InputField, PersonaError};
use crate::secret::Secret;

/// An HMAC-SHA256 key, ready to MAC messages.
#[derive(Clone)]
pub(crate) struct MacKey(Hmac<Sha256>);

impl MacKey {
    /// Keys HMAC with the secret's UTF-8 bytes, verbatim. An empty secret is refused.
    pub(crate) fn new(secret: &Secret) -> Result<Self, PersonaError> {
        if secret.is_empty() {
            return Err(PersonaError::invalid(
                InputField::Secret,
                "must not be empty",
            ));
        }
        Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .map(Self)
            .map_err(|_| PersonaError::invalid(InputField::Secret, "cannot key HMAC-SHA256"))
    }

    /// HMAC-SHA256 over the concatenation of `parts`.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

impl std::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MacKey([REDACTED])")
    }
}

/// Constant-time equality of two byte strings (length is not secret: it is fixed by the scheme).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
