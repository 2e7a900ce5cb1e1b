//! The key file formats, as leaf modules that import nothing from the rest of `keys`: they
//! read and write bytes, return the parts they found (OIDs as content octets, integers as
//! big-endian magnitudes, points, bytes, a PEM label and body), and have their own errors
//! ([`der::DerError`], [`algorithm::StructureError`], [`pem::PemError`]), which the keys side
//! turns into `KeyError`s. What an OID or a PEM label means for keys is decided there.

pub(crate) mod algorithm;
pub(crate) mod cert;
pub(crate) mod ct_base64;
pub(crate) mod der;
pub(crate) mod pem;
pub(crate) mod pkcs1;
pub(crate) mod pkcs8;
pub(crate) mod sec1;
pub(crate) mod shape;
pub(crate) mod spki;

/// Bytes that may hold private key material: overwritten with zeros when dropped.
///
/// Best effort without `unsafe` or a new dependency: the write is kept alive with
/// [`std::hint::black_box`], but copies made elsewhere (by the caller, by the allocator on
/// reallocation) are out of reach.
pub(crate) struct SecretBytes(pub(crate) Vec<u8>);

impl Drop for SecretBytes {
    fn drop(&mut self) {
        self.0.fill(0);
        std::hint::black_box(&mut self.0);
    }
}
