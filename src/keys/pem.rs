//! PEM armour (RFC 7468) around the DER key formats of [`der`](super::der), and the PEM key
//! constructors and exporters of [`SigningKey`] and [`VerifyingKey`].
//!
//! Decoding is strict where RFC 7468 allows it to be, with one documented leniency:
//! - Text before the `-----BEGIN` line is ignored (RFC 7468 §2: "data before the
//!   encapsulation boundaries are permitted"), so files with explanatory text, such as
//!   `openssl x509 -text` output, load. That text may not contain another BEGIN line.
//! - Exactly one block: after the `-----END` line only whitespace may follow.
//! - The END label must equal the BEGIN label, and the label must be one the constructor reads.
//! - The body is standard base64 with `=` padding, in lines of any length ending in LF or CRLF
//!   (trailing spaces and tabs ignored); anything else (headers such as `Proc-Type`, blank
//!   lines, characters outside the alphabet, non-canonical padding bits) is refused. The body
//!   is checked and decoded in constant time ([`ct_base64`]), as it may be a private key.
//! - The DER inside must be exactly one structure: trailing bytes are refused.
//!
//! The key type is taken from the label and the algorithm OID inside the DER, never guessed
//! from bytes that might be something else.

use super::build::{self, SecretBytes, Want};
use super::der::{self, PrivateKeyDer, PublicKeyDer};
use super::formats::ct_base64;
use super::{SigningKey, VerifyingKey};
use crate::algorithm::Algorithm;
use crate::error::{Error, KeyError};
use crate::keys::KeyErrorCategory;

/// `SubjectPublicKeyInfo` (RFC 7468 §13).
const PUBLIC_KEY: &str = "PUBLIC KEY";
/// PKCS#1 `RSAPublicKey` (OpenSSL's traditional label).
const RSA_PUBLIC_KEY: &str = "RSA PUBLIC KEY";
/// PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 7468 §10).
const PRIVATE_KEY: &str = "PRIVATE KEY";
/// PKCS#1 `RSAPrivateKey` (OpenSSL's traditional label).
const RSA_PRIVATE_KEY: &str = "RSA PRIVATE KEY";
/// SEC1 `ECPrivateKey` (RFC 5915 §4).
const EC_PRIVATE_KEY: &str = "EC PRIVATE KEY";
/// X.509 `Certificate` (RFC 7468 §5).
const CERTIFICATE: &str = "CERTIFICATE";

/// The longest label accepted; the longest standard one is 29 characters.
const MAX_LABEL_LEN: usize = 64;
/// Base64 line length when encoding (RFC 7468 §2).
const LINE_LEN: usize = 64;

fn pem_error(reason: impl Into<std::borrow::Cow<'static, str>>) -> KeyError {
    KeyError::invalid(KeyErrorCategory::Pem, reason)
}

/// One decoded PEM block.
pub(crate) struct PemBlock {
    /// The label between `-----BEGIN ` and `-----`.
    pub(crate) label: String,
    /// The decoded body, wiped when dropped.
    pub(crate) der: SecretBytes,
}

/// Splits off the next line (without its LF or CRLF); `None` at the end of the input.
fn next_line<'a>(rest: &mut &'a str) -> Option<&'a str> {
    if rest.is_empty() {
        return None;
    }
    let (line, tail) = match rest.find('\n') {
        Some(i) => (rest.get(..i)?, rest.get(i + 1..)?),
        None => (*rest, ""),
    };
    *rest = tail;
    Some(line.strip_suffix('\r').unwrap_or(line))
}

fn is_label_char(c: char) -> bool {
    // RFC 7468 §3: labelchar = %x21-2C / %x2E-7E (printable, not '-').
    matches!(c, '\x21'..='\x2c' | '\x2e'..='\x7e')
}

fn check_label(label: &str) -> Result<(), KeyError> {
    if label.len() > MAX_LABEL_LEN {
        return Err(pem_error("label is too long"));
    }
    // label = [ labelchar *( ["-" / SP] labelchar ) ]
    let mut previous_was_separator = true;
    for c in label.chars() {
        if c == ' ' || c == '-' {
            if previous_was_separator {
                return Err(pem_error("label is not well formed"));
            }
            previous_was_separator = true;
        } else if is_label_char(c) {
            previous_was_separator = false;
        } else {
            return Err(pem_error("label is not well formed"));
        }
    }
    if previous_was_separator && !label.is_empty() {
        return Err(pem_error("label is not well formed"));
    }
    Ok(())
}

/// Parses `-----{kind} LABEL-----` followed by optional spaces or tabs.
fn boundary_label<'a>(line: &'a str, kind: &str) -> Option<&'a str> {
    let rest = line.strip_prefix("-----")?.strip_prefix(kind)?;
    let rest = match rest.strip_prefix(' ') {
        Some(rest) => rest,
        None if rest.starts_with("-----") => rest,
        None => return None,
    };
    let rest = rest.trim_end_matches([' ', '\t']);
    rest.strip_suffix("-----")
}

/// Decodes exactly one PEM block (see the module documentation for what is accepted).
pub(crate) fn decode(pem: &str) -> Result<PemBlock, KeyError> {
    let mut rest = pem;
    // Explanatory text before the BEGIN line is skipped.
    let label = loop {
        let line = next_line(&mut rest).ok_or_else(|| pem_error("no -----BEGIN line found"))?;
        if line.starts_with("-----BEGIN") {
            break boundary_label(line, "BEGIN")
                .ok_or_else(|| pem_error("the -----BEGIN line is not well formed"))?;
        }
    };
    check_label(label)?;

    let mut body = SecretBytes(Vec::with_capacity(rest.len()));
    let end_label = loop {
        let line = next_line(&mut rest)
            .ok_or_else(|| pem_error("the -----END line is missing (truncated PEM?)"))?;
        if line.starts_with("-----") {
            break boundary_label(line, "END")
                .ok_or_else(|| pem_error("the -----END line is not well formed"))?;
        }
        let line = line.trim_end_matches([' ', '\t']);
        if line.is_empty() {
            return Err(pem_error("blank line inside the base64 body"));
        }
        // Every byte is read without a branch on its value (the body may be a private key).
        let class = ct_base64::classify_line(line.as_bytes());
        if class.has_colon {
            return Err(pem_error(
                "PEM headers (such as Proc-Type for an encrypted key) are not supported; \
                 decrypt the key first",
            ));
        }
        if class.has_invalid {
            return Err(pem_error("the body contains a character outside base64"));
        }
        body.0.extend_from_slice(line.as_bytes());
    };
    if end_label != label {
        return Err(pem_error("the END label does not match the BEGIN label"));
    }
    if !rest.trim_ascii().is_empty() {
        return Err(pem_error(
            "unexpected data after the -----END line (one PEM block is read at a time)",
        ));
    }
    if body.0.is_empty() {
        return Err(pem_error("the base64 body is empty"));
    }
    // Constant time whatever the label: a body may hold a private key under any label
    // (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`, and labels refused only after
    // decoding, such as `ENCRYPTED PRIVATE KEY` or `OPENSSH PRIVATE KEY`).
    let mut der = SecretBytes(Vec::with_capacity(body.0.len() / 4 * 3));
    ct_base64::decode(&body.0, &mut der.0)
        .map_err(|ct_base64::InvalidBase64| pem_error("the body is not canonical padded base64"))?;
    Ok(PemBlock {
        label: label.to_owned(),
        der,
    })
}

/// Encodes DER as one PEM block with 64-character lines and LF line endings.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = ct_base64::encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / LINE_LEN + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    // Base64 output is ASCII, so every chunk is valid UTF-8.
    for chunk in b64.as_bytes().chunks(LINE_LEN) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// Key material read from a PEM block, before a key is built from it.
enum Parsed<'a> {
    Public(PublicKeyDer<'a>),
    Private(PrivateKeyDer<'a>),
}

/// Parses the block's DER according to its label, if the label is in `accepted`.
fn parse_block<'a>(
    block: &'a PemBlock,
    accepted: &[&str],
    expected: &'static str,
) -> Result<Parsed<'a>, KeyError> {
    let label = block.label.as_str();
    if !accepted.contains(&label) {
        if label.starts_with("ENCRYPTED") {
            return Err(pem_error(
                "encrypted private keys are not supported; decrypt with \
                 `openssl pkey -in key.pem -out plain.pem`",
            ));
        }
        return Err(KeyError::pem_label(expected, label.to_owned()));
    }
    let der = block.der.0.as_slice();
    Ok(match label {
        PUBLIC_KEY => Parsed::Public(der::parse_spki(der)?),
        RSA_PUBLIC_KEY => {
            let (n, e) = der::parse_rsa_public(der)?;
            Parsed::Public(PublicKeyDer::Rsa { n, e })
        }
        CERTIFICATE => Parsed::Public(der::parse_certificate(der)?),
        PRIVATE_KEY => Parsed::Private(der::parse_pkcs8(der)?),
        RSA_PRIVATE_KEY => Parsed::Private(PrivateKeyDer::Rsa(der::parse_rsa_private(der)?)),
        EC_PRIVATE_KEY => Parsed::Private(der::parse_sec1(der)?),
        _ => {
            return Err(KeyError::pem_label(expected, label.to_owned()));
        }
    })
}

fn verifying_from_pem(
    pem: &str,
    want: Want,
    accepted: &[&str],
    expected: &'static str,
) -> Result<VerifyingKey, Error> {
    let want = want.check()?;
    let block = decode(pem)?;
    match parse_block(&block, accepted, expected)? {
        Parsed::Public(key) => build::verifying_key_from_public(&key, want),
        Parsed::Private(key) => build::signing_key_from_private(&key, want)?.verifying_key(),
    }
}

fn signing_from_pem(
    pem: &str,
    want: Want,
    accepted: &[&str],
    expected: &'static str,
) -> Result<SigningKey, Error> {
    let want = want.check()?;
    let block = decode(pem)?;
    if matches!(
        block.label.as_str(),
        PUBLIC_KEY | RSA_PUBLIC_KEY | CERTIFICATE
    ) {
        return Err(KeyError::PublicKeyOnly.into());
    }
    match parse_block(&block, accepted, expected)? {
        Parsed::Private(key) => build::signing_key_from_private(&key, want),
        Parsed::Public(_) => Err(KeyError::PublicKeyOnly.into()),
    }
}

impl VerifyingKey {
    /// A verifying key from any supported PEM block; the key type comes from the label and
    /// the algorithm OID inside, never from guessing.
    ///
    /// Accepted labels: `PUBLIC KEY` (SPKI: RSA, P-256, P-384, Ed25519), `RSA PUBLIC KEY`
    /// (PKCS#1), `CERTIFICATE` (X.509; **not validated**, see
    /// [`from_certificate_pem`](Self::from_certificate_pem)), and the private-key labels
    /// `PRIVATE KEY`, `RSA PRIVATE KEY` and `EC PRIVATE KEY`, whose public half is used.
    ///
    /// `algorithm` must be given for RSA keys (`RS256`..`PS512`: the key does not say which);
    /// for EC and Ed25519 keys it may be `None` (P-256 → `ES256`, P-384 → `ES384`, Ed25519 →
    /// `EdDSA`) or must be that algorithm.
    ///
    /// # Errors
    /// [`KeyErrorCategory::Pem`] for broken armour (missing END line, bad base64, trailing data…),
    /// [`KeyErrorCategory::PemLabel`] for other labels, [`KeyErrorCategory::Der`] for malformed content,
    /// [`KeyErrorCategory::UnsupportedKeyType`] / [`KeyErrorCategory::UnsupportedCurve`] naming the OID,
    /// [`KeyError::AlgorithmRequired`] for an RSA key without `algorithm`,
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` does not fit the key, and the weak-key
    /// errors [`KeyError::RsaModulusSize`] and [`KeyError::RsaExponent`].
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let ec = include_str!("../../tests/data/keys/p384.spki.pem");
    /// assert_eq!(VerifyingKey::from_pem(ec, None)?.algorithm(), Algorithm::Es384);
    ///
    /// let rsa = include_str!("../../tests/data/keys/rsa2048.spki.pem");
    /// assert_eq!(VerifyingKey::from_pem(rsa, Some(Algorithm::Rs512))?.algorithm(), Algorithm::Rs512);
    /// // An EC key cannot be bound to an RSA algorithm:
    /// assert!(VerifyingKey::from_pem(ec, Some(Algorithm::Rs256)).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_pem(pem: &str, algorithm: Option<Algorithm>) -> Result<Self, Error> {
        verifying_from_pem(
            pem,
            Want::Any(algorithm),
            &[
                PUBLIC_KEY,
                RSA_PUBLIC_KEY,
                CERTIFICATE,
                PRIVATE_KEY,
                RSA_PRIVATE_KEY,
                EC_PRIVATE_KEY,
            ],
            "PUBLIC KEY, RSA PUBLIC KEY, CERTIFICATE, PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY",
        )
    }

    /// An RSA verifying key (`RS*` or `PS*`) from PEM: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY`
    /// (PKCS#1), or a private key (`PRIVATE KEY`, `RSA PRIVATE KEY`) whose public half is used.
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an RSA algorithm or the PEM
    /// holds another kind of key, [`KeyError::RsaModulusSize`] outside 2048..=8192 bits,
    /// [`KeyError::RsaExponent`] for an exponent such as 1, and the PEM and DER errors of
    /// [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/rsa2048.pkcs1.pub.pem");
    /// let key = VerifyingKey::rsa_pem(pem, Algorithm::Ps384)?;
    /// assert_eq!(key.algorithm(), Algorithm::Ps384);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn rsa_pem(pem: &str, algorithm: Algorithm) -> Result<Self, Error> {
        verifying_from_pem(
            pem,
            Want::Rsa(algorithm),
            &[PUBLIC_KEY, RSA_PUBLIC_KEY, PRIVATE_KEY, RSA_PRIVATE_KEY],
            "PUBLIC KEY, RSA PUBLIC KEY, PRIVATE KEY or RSA PRIVATE KEY",
        )
    }

    /// A P-256 (`ES256`) or P-384 (`ES384`) verifying key from PEM: `PUBLIC KEY`, or a private
    /// key (`PRIVATE KEY`, `EC PRIVATE KEY`) whose public half is used. The curve fixes the
    /// algorithm; the point is checked to lie on the curve.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for keys that are not EC keys,
    /// [`KeyErrorCategory::UnsupportedCurve`] for other curves (P-521, secp256k1, …), and the PEM and
    /// DER errors of [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/p256.spki.pem");
    /// assert_eq!(VerifyingKey::ecdsa_pem(pem)?.algorithm(), Algorithm::Es256);
    /// let p521 = include_str!("../../tests/data/keys/p521.spki.pem");
    /// assert!(VerifyingKey::ecdsa_pem(p521).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ecdsa_pem(pem: &str) -> Result<Self, Error> {
        verifying_from_pem(
            pem,
            Want::Ecdsa,
            &[PUBLIC_KEY, PRIVATE_KEY, EC_PRIVATE_KEY],
            "PUBLIC KEY, PRIVATE KEY or EC PRIVATE KEY",
        )
    }

    /// An Ed25519 (`EdDSA`) verifying key from PEM: `PUBLIC KEY`, or a `PRIVATE KEY` whose
    /// public half is used.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for keys that are not Ed25519 keys,
    /// [`KeyErrorCategory::UnsupportedKeyType`] for Ed448 and other unknown OIDs, and the PEM and DER
    /// errors of [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/ed25519.spki.pem");
    /// assert_eq!(VerifyingKey::ed25519_pem(pem)?.algorithm(), Algorithm::EdDsa);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ed25519_pem(pem: &str) -> Result<Self, Error> {
        verifying_from_pem(
            pem,
            Want::Ed25519,
            &[PUBLIC_KEY, PRIVATE_KEY],
            "PUBLIC KEY or PRIVATE KEY",
        )
    }

    /// The public key inside a PEM X.509 `CERTIFICATE`.
    ///
    /// **Only the key is used. The certificate is not validated in any way**: not its
    /// signature, issuer, validity period, key usage, extensions or chain of trust. Use this
    /// when the certificate file itself comes from a trusted place (your configuration);
    /// never for certificates taken from a token's `x5c` header.
    ///
    /// # Errors
    /// [`KeyErrorCategory::PemLabel`] for labels other than `CERTIFICATE`, and the errors of
    /// [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/ed25519.cert.pem");
    /// let key = VerifyingKey::from_certificate_pem(pem, None)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDsa);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_certificate_pem(pem: &str, algorithm: Option<Algorithm>) -> Result<Self, Error> {
        verifying_from_pem(pem, Want::Any(algorithm), &[CERTIFICATE], "CERTIFICATE")
    }

    /// The public key as a `PUBLIC KEY` PEM block (SPKI, 64-character lines, LF endings).
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for HMAC keys, which have no public form.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/rsa2048.spki.pem");
    /// let key = VerifyingKey::rsa_pem(pem, Algorithm::Rs256)?;
    /// assert_eq!(key.to_pem()?, pem);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_pem(&self) -> Result<String, Error> {
        Ok(encode(PUBLIC_KEY, &self.to_spki_der()?))
    }
}

impl SigningKey {
    /// A signing key from any supported private-key PEM block: `PRIVATE KEY` (PKCS#8 v1 or
    /// v2 with an RSA, P-256, P-384 or Ed25519 key), `RSA PRIVATE KEY` (PKCS#1) or
    /// `EC PRIVATE KEY` (SEC1). The key type comes from the label and the OID inside.
    ///
    /// `algorithm` must be given for RSA keys; for EC and Ed25519 keys it may be `None` (the
    /// curve decides) or must match the curve. The private parts are kept so that the key can
    /// be exported again ([`to_pkcs8_pem`](Self::to_pkcs8_pem)).
    ///
    /// # Errors
    /// [`KeyError::PublicKeyOnly`] for public keys and certificates, [`KeyErrorCategory::Pem`],
    /// [`KeyErrorCategory::PemLabel`] (also for `ENCRYPTED PRIVATE KEY`: decrypt it first),
    /// [`KeyErrorCategory::Der`], [`KeyErrorCategory::UnsupportedKeyType`], [`KeyErrorCategory::UnsupportedCurve`],
    /// [`KeyError::AlgorithmRequired`], [`KeyError::AlgorithmMismatch`], the weak-key errors,
    /// and [`KeyErrorCategory::Rejected`] when ring refuses the key (inconsistent key pair, EC key
    /// without its public point, RSA modulus over 4096 bits).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/ed25519.pkcs8.pem");
    /// let key = SigningKey::from_pem(pem, None)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDsa);
    /// let signature = key.sign(b"message")?;
    /// key.verifying_key()?.verify(b"message", &signature)?;
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_pem(pem: &str, algorithm: Option<Algorithm>) -> Result<Self, Error> {
        signing_from_pem(
            pem,
            Want::Any(algorithm),
            &[PRIVATE_KEY, RSA_PRIVATE_KEY, EC_PRIVATE_KEY],
            "PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY",
        )
    }

    /// An RSA signing key (`RS*` or `PS*`) from a `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY`
    /// (PKCS#1) PEM block. ring signs with 2048- to 4096-bit keys.
    ///
    /// webtoken cannot generate RSA keys (ring does not); make one with
    /// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem`.
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an RSA algorithm or the PEM
    /// holds another kind of key, [`KeyError::RsaModulusSize`] for keys under 2048 bits,
    /// [`KeyError::RsaExponent`], [`KeyError::PublicKeyOnly`] for public keys,
    /// [`KeyErrorCategory::Rejected`] for keys ring refuses, and the PEM and DER errors of
    /// [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey, VerifyingKey};
    ///
    /// let key = SigningKey::rsa_pem(
    ///     include_str!("../../tests/data/keys/rsa2048.pkcs1.pem"),
    ///     Algorithm::Rs256,
    /// )?;
    /// let public = VerifyingKey::rsa_pem(
    ///     include_str!("../../tests/data/keys/rsa2048.spki.pem"),
    ///     Algorithm::Rs256,
    /// )?;
    /// public.verify(b"message", &key.sign(b"message")?)?;
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn rsa_pem(pem: &str, algorithm: Algorithm) -> Result<Self, Error> {
        signing_from_pem(
            pem,
            Want::Rsa(algorithm),
            &[PRIVATE_KEY, RSA_PRIVATE_KEY],
            "PRIVATE KEY or RSA PRIVATE KEY",
        )
    }

    /// A P-256 (`ES256`) or P-384 (`ES384`) signing key from a `PRIVATE KEY` (PKCS#8) or
    /// `EC PRIVATE KEY` (SEC1) PEM block; the curve fixes the algorithm. The public key must
    /// be included (OpenSSL always writes it; ring cannot derive it from the private scalar).
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for keys that are not EC keys,
    /// [`KeyErrorCategory::UnsupportedCurve`] for other curves, [`KeyErrorCategory::Rejected`] when the
    /// public key is missing or does not match, [`KeyError::PublicKeyOnly`] for public keys,
    /// and the PEM and DER errors of [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/p256.sec1.pem");
    /// assert_eq!(SigningKey::ecdsa_pem(pem)?.algorithm(), Algorithm::Es256);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ecdsa_pem(pem: &str) -> Result<Self, Error> {
        signing_from_pem(
            pem,
            Want::Ecdsa,
            &[PRIVATE_KEY, EC_PRIVATE_KEY],
            "PRIVATE KEY or EC PRIVATE KEY",
        )
    }

    /// An Ed25519 (`EdDSA`) signing key from a `PRIVATE KEY` (PKCS#8 v1, or v2 whose public key
    /// must match the seed) PEM block.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for keys that are not Ed25519 keys,
    /// [`KeyErrorCategory::UnsupportedKeyType`] for Ed448 and other OIDs, [`KeyErrorCategory::Rejected`] when
    /// a v2 document's public key does not match the seed, and the PEM and DER errors of
    /// [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/ed25519.pkcs8.pem");
    /// assert_eq!(SigningKey::ed25519_pem(pem)?.algorithm(), Algorithm::EdDsa);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ed25519_pem(pem: &str) -> Result<Self, Error> {
        signing_from_pem(pem, Want::Ed25519, &[PRIVATE_KEY], "PRIVATE KEY")
    }

    /// The private key as a PKCS#8 `PRIVATE KEY` PEM block (64-character lines, LF endings);
    /// see [`to_pkcs8_der`](Self::to_pkcs8_der).
    ///
    /// The returned string is the private key: store it as carefully as the key itself.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for HMAC keys, [`KeyErrorCategory::Unsupported`] for keys
    /// built without their private parts.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/p384.pkcs8.pem");
    /// let key = SigningKey::ecdsa_pem(pem)?;
    /// let exported = key.to_pkcs8_pem()?;
    /// assert_eq!(SigningKey::from_pem(&exported, None)?.algorithm(), Algorithm::Es384);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_pkcs8_pem(&self) -> Result<String, Error> {
        let der = SecretBytes(self.to_pkcs8_der()?);
        Ok(encode(PRIVATE_KEY, &der.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPKI: &str = include_str!("../../tests/data/keys/ed25519.spki.pem");

    fn pem_reason(pem: &str) -> String {
        match decode(pem) {
            Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::Pem => {
                invalid.detail().to_owned()
            }
            Err(other) => panic!("expected a PEM error, got {other:?}"),
            Ok(_) => panic!("expected a PEM error"),
        }
    }

    #[test]
    fn decodes_with_lf_crlf_and_explanatory_text() {
        let block = decode(SPKI).unwrap();
        assert_eq!(block.label, "PUBLIC KEY");
        assert_eq!(block.der.0.len(), 44);
        let crlf = SPKI.replace('\n', "\r\n");
        assert_eq!(decode(&crlf).unwrap().der.0, block.der.0);
        let with_text = format!("Subject: test\nsome text\n{SPKI}\n\n");
        assert_eq!(decode(&with_text).unwrap().der.0, block.der.0);
        let no_final_newline = SPKI.trim_end();
        assert!(decode(no_final_newline).is_ok());
    }

    #[test]
    fn encode_round_trips_and_wraps_at_64() {
        let der: Vec<u8> = (0..=255).collect();
        let pem = encode("PUBLIC KEY", &der);
        assert!(pem.lines().all(|l| l.len() <= 64));
        assert_eq!(decode(&pem).unwrap().der.0, der);
    }

    #[test]
    fn refuses_broken_armour() {
        assert!(pem_reason("").contains("BEGIN"));
        assert!(pem_reason("hello").contains("BEGIN"));
        let truncated: String = SPKI.lines().take(2).flat_map(|l| [l, "\n"]).collect();
        assert!(pem_reason(&truncated).contains("missing"));
        let mismatched = SPKI.replace("END PUBLIC KEY", "END PRIVATE KEY");
        assert!(pem_reason(&mismatched).contains("match"));
        let trailing = format!("{SPKI}garbage\n");
        assert!(pem_reason(&trailing).contains("after"));
        let two = format!("{SPKI}{SPKI}");
        assert!(pem_reason(&two).contains("after"));
        let bad_char = SPKI.replacen("MC", "M!", 1);
        assert!(pem_reason(&bad_char).contains("base64"));
        let blank = SPKI.replacen('\n', "\n\n", 2);
        assert!(pem_reason(&blank).contains("blank"));
        let header = SPKI.replacen('\n', "\nProc-Type: 4,ENCRYPTED\n", 1);
        assert!(pem_reason(&header).contains("headers"));
        let bad_label = SPKI.replace("PUBLIC KEY", "PUBLIC  KEY");
        assert!(pem_reason(&bad_label).contains("label"));
        let empty = "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n";
        assert!(pem_reason(empty).contains("empty"));
        // Non-canonical padding bits: the last character before '=' changed from A to B.
        let body = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode([0u8; 4])
        };
        let noncanonical = body.replace("AA==", "AB==");
        let pem = format!("-----BEGIN X-----\n{noncanonical}\n-----END X-----\n");
        assert!(pem_reason(&pem).contains("base64"));
    }

    #[test]
    fn never_panics_on_mangled_pem() {
        let pem = include_str!("../../tests/data/keys/p256.sec1.pem");
        for cut in 0..pem.len() {
            if let Some(prefix) = pem.get(..cut) {
                let _ = VerifyingKey::from_pem(prefix, None);
                let _ = SigningKey::from_pem(prefix, None);
            }
        }
        let bytes = pem.as_bytes();
        for i in 0..bytes.len() {
            for replacement in [b'-', b'\n', b'A', b'=', 0xff] {
                let mut copy = bytes.to_vec();
                copy[i] = replacement;
                if let Ok(s) = std::str::from_utf8(&copy) {
                    let _ = VerifyingKey::from_pem(s, None);
                    let _ = SigningKey::from_pem(s, None);
                }
            }
        }
    }
}
