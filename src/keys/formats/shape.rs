//! The shapes of the DER key structures (SPKI and X.509 certificates, RFC 5280; PKCS#8 plain
//! and encrypted, RFC 5958; PKCS#1, RFC 8017 App. A.1; SEC1, RFC 5915), recognised without
//! being read: [`key_structure`] says whether bytes are one of them, so that key bytes are
//! refused as HMAC secrets. Which OIDs are key algorithms is the caller's to say; imports
//! nothing from `keys` outside `formats`.

use super::der::{
    Reader, TAG_BIT_STRING, TAG_CONTEXT_0, TAG_CONTEXT_1, TAG_CONTEXT_1_PRIMITIVE, TAG_INTEGER,
    TAG_SEQUENCE,
};

/// Encryption-scheme OIDs of an `EncryptedPrivateKeyInfo` (RFC 5958 §3): PBES2 and the
/// PKCS#12 PBE schemes (1.2.840.113549.1.12.1.1 to .6).
fn is_encryption_oid(content: &[u8]) -> bool {
    const PBES2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d];
    const PKCS12_PBE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01];
    content == PBES2
        || content
            .strip_prefix(PKCS12_PBE)
            .is_some_and(|last| matches!(last, [1..=6]))
}

/// The smallest RSA modulus [`key_structure`] counts as a PKCS#1 key, in bytes (512 bits): a
/// SEQUENCE of two small INTEGERs is not a key, and no secret of up to 64 bytes can hold one.
const MIN_PKCS1_MODULUS_LEN: usize = 64;

/// Reads an `AlgorithmIdentifier` whose OID is accepted by `known`; the parameters, if any,
/// must be well-formed DER elements.
fn shape_algorithm(reader: &mut Reader<'_>, known: impl Fn(&[u8]) -> bool) -> Option<()> {
    let mut algorithm = reader.sequence("algorithm").ok()?;
    let oid = algorithm.oid("algorithm").ok()?;
    if !known(oid) {
        return None;
    }
    while !algorithm.is_empty() {
        algorithm.read_any().ok()?;
    }
    Some(())
}

/// `SubjectPublicKeyInfo`: `SEQUENCE { AlgorithmIdentifier (a key OID), BIT STRING }`.
fn shape_spki(reader: &mut Reader<'_>, is_key_oid: fn(&[u8]) -> bool) -> Option<()> {
    let mut spki = reader.sequence("SubjectPublicKeyInfo").ok()?;
    shape_algorithm(&mut spki, is_key_oid)?;
    spki.read(TAG_BIT_STRING, "subjectPublicKey").ok()?;
    spki.is_empty().then_some(())
}

/// An X.509 certificate: `SEQUENCE { tbsCertificate, AlgorithmIdentifier, BIT STRING }`, the
/// `tbsCertificate` holding a key's SPKI in its place.
fn shape_certificate(reader: &mut Reader<'_>, is_key_oid: fn(&[u8]) -> bool) -> Option<()> {
    let mut cert = reader.sequence("Certificate").ok()?;
    let mut tbs = cert.sequence("tbsCertificate").ok()?;
    tbs.read_optional(TAG_CONTEXT_0, "version").ok()?;
    tbs.read(TAG_INTEGER, "serialNumber").ok()?;
    for what in ["signature", "issuer", "validity", "subject"] {
        tbs.sequence(what).ok()?;
    }
    shape_spki(&mut tbs, is_key_oid)?;
    while !tbs.is_empty() {
        tbs.read_any().ok()?;
    }
    shape_algorithm(&mut cert, |_| true)?;
    cert.read(TAG_BIT_STRING, "signatureValue").ok()?;
    cert.is_empty().then_some(())
}

/// PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey`: `SEQUENCE { INTEGER 0 or 1,
/// AlgorithmIdentifier (a key OID), OCTET STRING, [0] attributes?, [1] publicKey? }`.
fn shape_pkcs8(reader: &mut Reader<'_>, is_key_oid: fn(&[u8]) -> bool) -> Option<()> {
    let mut info = reader.sequence("PrivateKeyInfo").ok()?;
    if info.small_unsigned("version").ok()? > 1 {
        return None;
    }
    shape_algorithm(&mut info, is_key_oid)?;
    info.octet_string("privateKey").ok()?;
    info.read_optional(TAG_CONTEXT_0, "attributes").ok()?;
    info.read_optional(TAG_CONTEXT_1_PRIMITIVE, "publicKey")
        .ok()?;
    info.is_empty().then_some(())
}

/// `EncryptedPrivateKeyInfo`: `SEQUENCE { AlgorithmIdentifier (PBES2 or PKCS#12 PBE),
/// OCTET STRING }`.
fn shape_encrypted_pkcs8(reader: &mut Reader<'_>) -> Option<()> {
    let mut info = reader.sequence("EncryptedPrivateKeyInfo").ok()?;
    shape_algorithm(&mut info, is_encryption_oid)?;
    info.octet_string("encryptedData").ok()?;
    info.is_empty().then_some(())
}

/// PKCS#1 `RSAPublicKey` (`SEQUENCE { n, e }`) or `RSAPrivateKey` (`SEQUENCE { version, n, e,
/// d, p, q, dp, dq, qi, ... }`), with a modulus of at least 512 bits.
fn shape_pkcs1(reader: &mut Reader<'_>) -> Option<&'static str> {
    let mut key = reader.sequence("RSA key").ok()?;
    let first = key.unsigned("first").ok()?;
    if first.len() >= MIN_PKCS1_MODULUS_LEN {
        key.unsigned("publicExponent").ok()?;
        return key.is_empty().then_some("a PKCS#1 RSA public key (DER)");
    }
    if first.len() > 1 {
        return None;
    }
    let n = key.unsigned("modulus").ok()?;
    if n.len() < MIN_PKCS1_MODULUS_LEN {
        return None;
    }
    for what in ["e", "d", "p", "q", "dp", "dq", "qi"] {
        key.unsigned(what).ok()?;
    }
    // Multi-prime keys (version 1) carry otherPrimeInfos.
    key.read_optional(TAG_SEQUENCE, "otherPrimeInfos").ok()?;
    key.is_empty().then_some("a PKCS#1 RSA private key (DER)")
}

/// SEC1 `ECPrivateKey`: `SEQUENCE { INTEGER 1, OCTET STRING (at least 20 bytes),
/// [0] parameters?, [1] publicKey? }` with at least one of the optional fields.
fn shape_sec1(reader: &mut Reader<'_>) -> Option<()> {
    let mut key = reader.sequence("ECPrivateKey").ok()?;
    if key.small_unsigned("version").ok()? != 1 {
        return None;
    }
    if key.octet_string("privateKey").ok()?.len() < 20 {
        return None;
    }
    let parameters = key.read_optional(TAG_CONTEXT_0, "parameters").ok()?;
    let public = key.read_optional(TAG_CONTEXT_1, "publicKey").ok()?;
    (key.is_empty() && (parameters.is_some() || public.is_some())).then_some(())
}

/// What kind of key or certificate `der` is, when the whole input is exactly one well-formed
/// DER structure of a key: SPKI, X.509 certificate, PKCS#8 (plain or encrypted), PKCS#1 (RSA
/// public or private) or SEC1. Used to refuse key bytes as HMAC secrets.
///
/// Only complete structures count: one SEQUENCE spanning the whole input, every element
/// minimally encoded, and for the structures with an `AlgorithmIdentifier` a key OID (as
/// `is_key_oid` says) or a known encryption OID, so that a random secret is never mistaken
/// for a key (a PKCS#1 structure needs a modulus of at least 512 bits, more than a 64-byte
/// secret can hold).
pub(crate) fn key_structure(der: &[u8], is_key_oid: fn(&[u8]) -> bool) -> Option<&'static str> {
    if der.first() != Some(&TAG_SEQUENCE) {
        return None;
    }
    let whole = |shape: &dyn Fn(&mut Reader<'_>) -> Option<()>| {
        let mut reader = Reader::new(der);
        shape(&mut reader).is_some() && reader.is_empty()
    };
    if whole(&|r| shape_spki(r, is_key_oid)) {
        return Some("an SPKI public key (DER)");
    }
    if whole(&|r| shape_certificate(r, is_key_oid)) {
        return Some("an X.509 certificate (DER)");
    }
    if whole(&|r| shape_pkcs8(r, is_key_oid)) {
        return Some("a PKCS#8 private key (DER)");
    }
    if whole(&shape_encrypted_pkcs8) {
        return Some("an encrypted PKCS#8 private key (DER)");
    }
    if whole(&shape_sec1) {
        return Some("a SEC1 EC private key (DER)");
    }
    let mut reader = Reader::new(der);
    shape_pkcs1(&mut reader).filter(|_| reader.is_empty())
}
