//! X.509 `Certificate` (RFC 5280 §4.1): only its `subjectPublicKeyInfo` is read. Imports
//! nothing from `keys` outside `formats`.

use super::algorithm::{Oids, StructureError};
use super::der::{
    TAG_BIT_STRING, TAG_CONTEXT_0, TAG_CONTEXT_1_PRIMITIVE, TAG_CONTEXT_2_PRIMITIVE, TAG_CONTEXT_3,
    TAG_INTEGER, parse_whole,
};
use super::spki::{self, PublicKey};

/// Parses a DER X.509 `Certificate` and returns the public key of its `subjectPublicKeyInfo`.
/// Nothing else is checked: not the signature, the validity period, the extensions or any
/// chain.
pub(crate) fn parse(der: &[u8], oids: Oids) -> Result<PublicKey<'_>, StructureError> {
    parse_whole(der, "Certificate", |outer| {
        let mut cert = outer.sequence("Certificate")?;
        let mut tbs = cert.sequence("tbsCertificate")?;
        cert.sequence("signatureAlgorithm")?;
        cert.read(TAG_BIT_STRING, "signatureValue")?;
        cert.finish("Certificate")?;

        tbs.read_optional(TAG_CONTEXT_0, "version")?;
        // Serial numbers in the wild are not always positive or minimal; they are skipped.
        tbs.read(TAG_INTEGER, "serialNumber")?;
        tbs.sequence("signature")?;
        tbs.sequence("issuer")?;
        tbs.sequence("validity")?;
        tbs.sequence("subject")?;
        let key = spki::read(&mut tbs, oids)?;
        tbs.read_optional(TAG_CONTEXT_1_PRIMITIVE, "issuerUniqueID")?;
        tbs.read_optional(TAG_CONTEXT_2_PRIMITIVE, "subjectUniqueID")?;
        tbs.read_optional(TAG_CONTEXT_3, "extensions")?;
        tbs.finish("tbsCertificate")?;
        Ok(key)
    })
}
