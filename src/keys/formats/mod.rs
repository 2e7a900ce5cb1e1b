//! The key file formats, as leaf modules that import nothing from the rest of [`keys`]: they
//! read and write bytes, and return the parts they found.
//!
//! [`keys`]: crate::keys

pub(crate) mod ct_base64;
pub(crate) mod der;
pub(crate) mod pem;
pub(crate) mod pkcs1;

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
