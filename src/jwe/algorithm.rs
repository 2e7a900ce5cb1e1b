//! The JWE algorithms (RFC 7518 §4 and §5): key management (`alg`) and content encryption
//! (`enc`). `RSA1_5` is not representable; the PBES2 names are, but no key is ever built for
//! them (see the module documentation).

use std::fmt;

/// A JWE key-management algorithm (`alg`, RFC 7518 §4): how the content encryption key (CEK)
/// reaches the recipient.
///
/// The wire names are exact and case-sensitive. `RSA1_5` does not exist here (Bleichenbacher's
/// padding oracle), nor does `none`.
///
/// ```
/// use webtoken::jwe::KeyAlgorithm;
///
/// assert_eq!(KeyAlgorithm::from_name("ECDH-ES+A128KW"), Some(KeyAlgorithm::EcdhEsA128Kw));
/// assert_eq!(KeyAlgorithm::from_name("RSA1_5"), None);
/// assert_eq!(KeyAlgorithm::RsaOaep256.as_str(), "RSA-OAEP-256");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// `dir`: the shared symmetric key is the CEK.
    Dir,
    /// `A128KW`: the CEK wrapped with AES-128 key wrap (RFC 3394).
    A128Kw,
    /// `A256KW`: the CEK wrapped with AES-256 key wrap.
    A256Kw,
    /// `RSA-OAEP`: the CEK encrypted with RSAES-OAEP, SHA-1 and MGF1-SHA-1.
    RsaOaep,
    /// `RSA-OAEP-256`: the CEK encrypted with RSAES-OAEP, SHA-256 and MGF1-SHA-256.
    RsaOaep256,
    /// `ECDH-ES`: the CEK derived from an ephemeral-static ECDH agreement (Concat KDF).
    EcdhEs,
    /// `ECDH-ES+A128KW`: ECDH-ES derives an AES-128 key that wraps the CEK.
    EcdhEsA128Kw,
    /// `ECDH-ES+A256KW`: ECDH-ES derives an AES-256 key that wraps the CEK.
    EcdhEsA256Kw,
}

impl KeyAlgorithm {
    /// Every key-management algorithm, in declaration order.
    pub const ALL: [KeyAlgorithm; 8] = [
        Self::Dir,
        Self::A128Kw,
        Self::A256Kw,
        Self::RsaOaep,
        Self::RsaOaep256,
        Self::EcdhEs,
        Self::EcdhEsA128Kw,
        Self::EcdhEsA256Kw,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Dir => "dir",
            Self::A128Kw => "A128KW",
            Self::A256Kw => "A256KW",
            Self::RsaOaep => "RSA-OAEP",
            Self::RsaOaep256 => "RSA-OAEP-256",
            Self::EcdhEs => "ECDH-ES",
            Self::EcdhEsA128Kw => "ECDH-ES+A128KW",
            Self::EcdhEsA256Kw => "ECDH-ES+A256KW",
        }
    }

    /// The algorithm with this exact wire name, if webtoken implements it.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The length of the AES key-wrap key, for the algorithms that wrap the CEK.
    pub(crate) const fn wrap_key_len(self) -> Option<usize> {
        match self {
            Self::A128Kw | Self::EcdhEsA128Kw => Some(16),
            Self::A256Kw | Self::EcdhEsA256Kw => Some(32),
            Self::Dir | Self::RsaOaep | Self::RsaOaep256 | Self::EcdhEs => None,
        }
    }

    /// Whether this is one of the ECDH-ES algorithms.
    pub(crate) const fn is_ecdh(self) -> bool {
        matches!(self, Self::EcdhEs | Self::EcdhEsA128Kw | Self::EcdhEsA256Kw)
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A JWE content-encryption algorithm (`enc`, RFC 7518 §5): how the plaintext is encrypted
/// and authenticated with the CEK.
///
/// ```
/// use webtoken::jwe::ContentEncryption;
///
/// let enc = ContentEncryption::from_name("A128CBC-HS256").unwrap();
/// assert_eq!(enc.key_len(), 32);
/// assert_eq!(enc.iv_len(), 16);
/// assert_eq!(enc.tag_len(), 16);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ContentEncryption {
    /// `A128GCM`: AES-128 in Galois/Counter Mode, 96-bit IV, 128-bit tag.
    A128Gcm,
    /// `A256GCM`: AES-256 in Galois/Counter Mode, 96-bit IV, 128-bit tag.
    A256Gcm,
    /// `A128CBC-HS256`: AES-128-CBC then HMAC-SHA-256 truncated to 128 bits (RFC 7518 §5.2.3).
    A128CbcHs256,
    /// `A256CBC-HS512`: AES-256-CBC then HMAC-SHA-512 truncated to 256 bits (RFC 7518 §5.2.5).
    A256CbcHs512,
}

impl ContentEncryption {
    /// Every content-encryption algorithm, in declaration order.
    pub const ALL: [ContentEncryption; 4] = [
        Self::A128Gcm,
        Self::A256Gcm,
        Self::A128CbcHs256,
        Self::A256CbcHs512,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::A128Gcm => "A128GCM",
            Self::A256Gcm => "A256GCM",
            Self::A128CbcHs256 => "A128CBC-HS256",
            Self::A256CbcHs512 => "A256CBC-HS512",
        }
    }

    /// The algorithm with this exact wire name, if webtoken implements it.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The length of the content encryption key (CEK), in bytes. For the CBC-HMAC algorithms
    /// this is the MAC key and the AES key together.
    pub const fn key_len(self) -> usize {
        match self {
            Self::A128Gcm => 16,
            Self::A256Gcm | Self::A128CbcHs256 => 32,
            Self::A256CbcHs512 => 64,
        }
    }

    /// The length of the initialization vector, in bytes (96 bits for GCM, 128 for CBC).
    pub const fn iv_len(self) -> usize {
        match self {
            Self::A128Gcm | Self::A256Gcm => 12,
            Self::A128CbcHs256 | Self::A256CbcHs512 => 16,
        }
    }

    /// The length of the authentication tag, in bytes.
    pub const fn tag_len(self) -> usize {
        match self {
            Self::A128Gcm | Self::A256Gcm | Self::A128CbcHs256 => 16,
            Self::A256CbcHs512 => 32,
        }
    }
}

impl fmt::Display for ContentEncryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
