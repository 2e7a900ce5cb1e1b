//! JWS signature algorithms (RFC 7518 §3, RFC 8037 §3.1, RFC 8812 §3.2, RFC 9864, RFC 9964).
//!
//! `none` is deliberately not representable: no verifying or signing API can be asked for it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A JWS algorithm that webtoken can sign and verify with.
///
/// The wire names (`"HS256"`, `"EdDSA"`, …) are exact and case-sensitive (RFC 7515 §4.1.1).
/// There is no `none`: an unsecured JWS can never be produced or accepted.
///
/// ```
/// use webtoken::Algorithm;
///
/// let alg: Algorithm = "ES256".parse()?;
/// assert_eq!(alg, Algorithm::Es256);
/// assert_eq!(alg.as_str(), "ES256");
/// assert!("none".parse::<Algorithm>().is_err());
/// assert!("hs256".parse::<Algorithm>().is_err()); // case-sensitive
/// # Ok::<(), webtoken::UnknownAlgorithm>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256 (`HS256`).
    Hs256,
    /// HMAC with SHA-384 (`HS384`).
    Hs384,
    /// HMAC with SHA-512 (`HS512`).
    Hs512,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (`RS256`).
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384 (`RS384`).
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512 (`RS512`).
    Rs512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (`PS256`).
    Ps256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt (`PS384`).
    Ps384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-byte salt (`PS512`).
    Ps512,
    /// ECDSA on P-256 with SHA-256, signature `r || s` (`ES256`).
    Es256,
    /// ECDSA on P-384 with SHA-384, signature `r || s` (`ES384`).
    Es384,
    /// Ed25519 (`EdDSA`, RFC 8037). RFC 9864 deprecates this name for the fully-specified
    /// [`Ed25519`](Self::Ed25519); it stays the name webtoken writes by default, since every
    /// verifier knows it.
    EdDsa,
    /// ECDSA on P-521 with SHA-512, signature `r || s` of 132 bytes (`ES512`). Needs the
    /// `aws-lc-rs` cargo feature.
    Es512,
    /// ECDSA on secp256k1 with SHA-256, signature `r || s` (`ES256K`, RFC 8812 §3.2). Needs
    /// the `aws-lc-rs` cargo feature.
    Es256K,
    /// Ed25519 under its fully-specified name (`Ed25519`, RFC 9864 §2.2): the same keys and
    /// signatures as [`EdDsa`](Self::EdDsa). An Ed25519 key verifies tokens of either name.
    Ed25519,
    /// ML-DSA-44 (FIPS 204, RFC 9964), pure mode with an empty context. Needs the `aws-lc-rs`
    /// cargo feature.
    MlDsa44,
    /// ML-DSA-65 (FIPS 204, RFC 9964), pure mode with an empty context. Needs the `aws-lc-rs`
    /// cargo feature.
    MlDsa65,
    /// ML-DSA-87 (FIPS 204, RFC 9964), pure mode with an empty context. Needs the `aws-lc-rs`
    /// cargo feature.
    MlDsa87,
}

/// The family of keys an [`Algorithm`] works with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AlgorithmFamily {
    /// Shared secrets: HS256, HS384, HS512.
    Hmac,
    /// RSA keys: RS256..RS512 and PS256..PS512.
    Rsa,
    /// Elliptic-curve keys: ES256 (P-256), ES384 (P-384), ES512 (P-521), ES256K (secp256k1).
    Ecdsa,
    /// Edwards-curve keys: EdDSA and Ed25519 (the same algorithm under two names).
    EdDsa,
    /// ML-DSA keys (JWK `kty` `AKP`): ML-DSA-44, ML-DSA-65, ML-DSA-87, one per parameter set.
    MlDsa,
}

impl AlgorithmFamily {
    /// A short human name of the family, as used in error messages.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Hmac => "HMAC secret",
            Self::Rsa => "RSA key",
            Self::Ecdsa => "EC key",
            Self::EdDsa => "Ed25519 key",
            Self::MlDsa => "ML-DSA key",
        }
    }
}

impl Algorithm {
    /// Every algorithm webtoken implements, in a stable order.
    pub const ALL: [Algorithm; 18] = [
        Self::Hs256,
        Self::Hs384,
        Self::Hs512,
        Self::Rs256,
        Self::Rs384,
        Self::Rs512,
        Self::Ps256,
        Self::Ps384,
        Self::Ps512,
        Self::Es256,
        Self::Es384,
        Self::EdDsa,
        Self::Es512,
        Self::Es256K,
        Self::Ed25519,
        Self::MlDsa44,
        Self::MlDsa65,
        Self::MlDsa87,
    ];

    /// The registered JWS name (`"HS256"`, `"EdDSA"`, …).
    ///
    /// ```
    /// use webtoken::Algorithm;
    ///
    /// assert_eq!(Algorithm::EdDsa.as_str(), "EdDSA");
    /// assert_eq!(Algorithm::Ps256.to_string(), "PS256"); // Display writes the same
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Hs384 => "HS384",
            Self::Hs512 => "HS512",
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
            Self::Ps256 => "PS256",
            Self::Ps384 => "PS384",
            Self::Ps512 => "PS512",
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::EdDsa => "EdDSA",
            Self::Es512 => "ES512",
            Self::Es256K => "ES256K",
            Self::Ed25519 => "Ed25519",
            Self::MlDsa44 => "ML-DSA-44",
            Self::MlDsa65 => "ML-DSA-65",
            Self::MlDsa87 => "ML-DSA-87",
        }
    }

    /// The key family this algorithm needs.
    ///
    /// ```
    /// use webtoken::{Algorithm, AlgorithmFamily};
    ///
    /// assert_eq!(Algorithm::Ps256.family(), AlgorithmFamily::Rsa);
    /// assert_eq!(Algorithm::Hs512.family().name(), "HMAC secret");
    /// ```
    pub const fn family(self) -> AlgorithmFamily {
        match self {
            Self::Hs256 | Self::Hs384 | Self::Hs512 => AlgorithmFamily::Hmac,
            Self::Rs256 | Self::Rs384 | Self::Rs512 | Self::Ps256 | Self::Ps384 | Self::Ps512 => {
                AlgorithmFamily::Rsa
            }
            Self::Es256 | Self::Es384 | Self::Es512 | Self::Es256K => AlgorithmFamily::Ecdsa,
            Self::EdDsa | Self::Ed25519 => AlgorithmFamily::EdDsa,
            Self::MlDsa44 | Self::MlDsa65 | Self::MlDsa87 => AlgorithmFamily::MlDsa,
        }
    }

    /// Looks an algorithm up by its exact JWS name; `None` for anything else.
    ///
    /// The comparison is exact: `"hs256"`, `"HS256 "` and `"none"` are all `None`.
    ///
    /// ```
    /// use webtoken::Algorithm;
    ///
    /// assert_eq!(Algorithm::from_name("RS256"), Some(Algorithm::Rs256));
    /// assert_eq!(Algorithm::from_name("rs256"), None);
    /// assert_eq!(Algorithm::from_name("none"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "HS256" => Self::Hs256,
            "HS384" => Self::Hs384,
            "HS512" => Self::Hs512,
            "RS256" => Self::Rs256,
            "RS384" => Self::Rs384,
            "RS512" => Self::Rs512,
            "PS256" => Self::Ps256,
            "PS384" => Self::Ps384,
            "PS512" => Self::Ps512,
            "ES256" => Self::Es256,
            "ES384" => Self::Es384,
            "EdDSA" => Self::EdDsa,
            "ES512" => Self::Es512,
            "ES256K" => Self::Es256K,
            "Ed25519" => Self::Ed25519,
            "ML-DSA-44" => Self::MlDsa44,
            "ML-DSA-65" => Self::MlDsa65,
            "ML-DSA-87" => Self::MlDsa87,
            _ => return None,
        })
    }

    /// The length in bytes of every signature this algorithm produces, when it is fixed by the
    /// algorithm alone (HMAC, ECDSA, EdDSA, ML-DSA). RSA signatures are as long as the modulus:
    /// `None`.
    pub const fn signature_len(self) -> Option<usize> {
        match self {
            Self::Hs256 => Some(32),
            Self::Hs384 => Some(48),
            Self::Hs512 | Self::Es256 | Self::Es256K | Self::EdDsa | Self::Ed25519 => Some(64),
            Self::Es384 => Some(96),
            Self::Es512 => Some(132),
            Self::MlDsa44 => Some(2420),
            Self::MlDsa65 => Some(3309),
            Self::MlDsa87 => Some(4627),
            Self::Rs256 | Self::Rs384 | Self::Rs512 | Self::Ps256 | Self::Ps384 | Self::Ps512 => {
                None
            }
        }
    }

    /// Whether this build can sign and verify with the algorithm: always for the algorithms
    /// ring provides; ES512, ES256K and ML-DSA-* only with the `aws-lc-rs` cargo feature (see
    /// [`keys::BACKEND`](crate::keys::BACKEND)). The names exist in every build, so headers
    /// parse and allow-lists name them; building a key for an unavailable algorithm is an
    /// `invalid_key` error that names the feature.
    ///
    /// ```
    /// use webtoken::Algorithm;
    ///
    /// assert!(Algorithm::Es256.is_available());
    /// assert_eq!(
    ///     Algorithm::Es512.is_available(),
    ///     webtoken::keys::BACKEND == "aws-lc-rs"
    /// );
    /// ```
    pub const fn is_available(self) -> bool {
        cfg!(feature = "aws-lc-rs")
            || !matches!(
                self,
                Self::Es512 | Self::Es256K | Self::MlDsa44 | Self::MlDsa65 | Self::MlDsa87
            )
    }

    pub(crate) const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an [`Algorithm`] from a name that is not one of its exact JWS names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown or unsupported JWS algorithm {name:?} (names are case-sensitive; `none` is never supported)"
)]
pub struct UnknownAlgorithm {
    /// The name that was given.
    pub name: String,
}

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s).ok_or_else(|| UnknownAlgorithm { name: s.to_owned() })
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::from_name(&name).ok_or_else(|| {
            serde::de::Error::custom(UnknownAlgorithm {
                name: name.into_owned(),
            })
        })
    }
}

/// A small set of algorithms (an allow-list), cheap to copy and to test.
///
/// [`Validation::with_algorithms`](crate::Validation::with_algorithms) builds one from any
/// iterator of algorithms.
///
/// ```
/// use webtoken::{Algorithm, AlgorithmFamily, AlgorithmSet};
///
/// let mut allowed = AlgorithmSet::family(AlgorithmFamily::Ecdsa);
/// allowed.insert(Algorithm::EdDsa);
/// assert!(allowed.contains(Algorithm::Es384));
/// assert!(!allowed.contains(Algorithm::Hs256));
/// assert_eq!(allowed.to_string(), "ES256, ES384, EdDSA, ES512, ES256K");
/// assert_eq!(AlgorithmSet::only(Algorithm::Rs256).iter().collect::<Vec<_>>(), [Algorithm::Rs256]);
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AlgorithmSet(u32);

impl AlgorithmSet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);

    /// Every algorithm of one family.
    pub fn family(family: AlgorithmFamily) -> Self {
        Algorithm::ALL
            .iter()
            .filter(|a| a.family() == family)
            .copied()
            .collect()
    }

    /// A set holding exactly `algorithm`.
    pub const fn only(algorithm: Algorithm) -> Self {
        Self(algorithm.bit())
    }

    /// Whether `algorithm` is in the set.
    pub const fn contains(self, algorithm: Algorithm) -> bool {
        self.0 & algorithm.bit() != 0
    }

    /// Adds `algorithm` to the set.
    pub fn insert(&mut self, algorithm: Algorithm) {
        self.0 |= algorithm.bit();
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The algorithms in the set, in the order of [`Algorithm::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Algorithm> {
        Algorithm::ALL
            .into_iter()
            .filter(move |a| self.contains(*a))
    }
}

impl FromIterator<Algorithm> for AlgorithmSet {
    fn from_iter<I: IntoIterator<Item = Algorithm>>(iter: I) -> Self {
        let mut set = Self::EMPTY;
        for a in iter {
            set.insert(a);
        }
        set
    }
}

impl fmt::Debug for AlgorithmSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for AlgorithmSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(a.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_exactly() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.as_str()), Some(alg));
            assert_eq!(alg.as_str().parse::<Algorithm>().ok(), Some(alg));
        }
    }

    #[test]
    fn rejects_none_and_case_variants() {
        for name in [
            "none",
            "None",
            "NONE",
            "hs256",
            "HS256 ",
            "es512",
            "",
            "HS256\0",
            "eddsa",
            "ED25519",
            "ES256k",
            "ML-DSA-44 ",
            "ml-dsa-44",
            "MLDSA44",
            "ML-DSA",
            "ES521",
        ] {
            assert!(Algorithm::from_name(name).is_none(), "{name:?}");
        }
    }

    #[test]
    fn signature_lengths() {
        assert_eq!(Algorithm::Hs256.signature_len(), Some(32));
        assert_eq!(Algorithm::Hs384.signature_len(), Some(48));
        assert_eq!(Algorithm::Hs512.signature_len(), Some(64));
        assert_eq!(Algorithm::Es256.signature_len(), Some(64));
        assert_eq!(Algorithm::Es384.signature_len(), Some(96));
        assert_eq!(Algorithm::EdDsa.signature_len(), Some(64));
        assert_eq!(Algorithm::Ed25519.signature_len(), Some(64));
        assert_eq!(Algorithm::Es512.signature_len(), Some(132));
        assert_eq!(Algorithm::Es256K.signature_len(), Some(64));
        assert_eq!(Algorithm::MlDsa44.signature_len(), Some(2420));
        assert_eq!(Algorithm::MlDsa65.signature_len(), Some(3309));
        assert_eq!(Algorithm::MlDsa87.signature_len(), Some(4627));
        assert_eq!(Algorithm::Rs256.signature_len(), None);
    }

    #[test]
    fn set_operations() {
        let rsa = AlgorithmSet::family(AlgorithmFamily::Rsa);
        assert_eq!(rsa.iter().count(), 6);
        assert!(rsa.contains(Algorithm::Ps384));
        assert!(!rsa.contains(Algorithm::Hs256));
        assert_eq!(AlgorithmSet::only(Algorithm::EdDsa).to_string(), "EdDSA");
        let all: AlgorithmSet = Algorithm::ALL.into_iter().collect();
        assert_eq!(all.iter().count(), Algorithm::ALL.len());
        assert_eq!(
            AlgorithmSet::family(AlgorithmFamily::MlDsa).to_string(),
            "ML-DSA-44, ML-DSA-65, ML-DSA-87"
        );
        assert_eq!(
            AlgorithmSet::family(AlgorithmFamily::EdDsa).to_string(),
            "EdDSA, Ed25519"
        );
    }
}
