//! The key file formats, as leaf modules that import nothing from the rest of [`keys`]: they
//! read and write bytes, and return the parts they found.
//!
//! [`keys`]: crate::keys

pub(crate) mod ct_base64;
pub(crate) mod der;
pub(crate) mod pkcs1;
