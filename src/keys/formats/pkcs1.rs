//! PKCS#1 (RFC 8017 App. A.1) structures that need no key type: the `RSAPublicKey` writer,
//! used for SPKI export and for the backend's verification key. Imports nothing from `keys`
//! outside `formats`.

use super::der::{sequence, unsigned_integer};

/// A PKCS#1 `RSAPublicKey` from the big-endian modulus and exponent (leading zeros dropped).
pub(crate) fn write_rsa_public(n: &[u8], e: &[u8]) -> Vec<u8> {
    sequence(&[&unsigned_integer(n), &unsigned_integer(e)])
}
