//! A small, strict DER reader (X.690 §10) and the few DER writers webtoken needs. This module
//! knows DER only: the key structures built on it are read in its siblings
//! ([`spki`](super::spki), [`pkcs1`](super::pkcs1), [`pkcs8`](super::pkcs8),
//! [`sec1`](super::sec1), [`cert`](super::cert)). It imports nothing from `keys`; its errors are
//! [`DerError`]s, which the keys side turns into `KeyError`s of the DER category.
//!
//! Why hand-written: the structures are few and fixed, and the reader is schema-driven, so it
//! never recurses into data it does not expect. Every element is read through [`Reader`],
//! which accepts only single-byte tags and definite, minimally encoded lengths of at most four
//! bytes, checks every length against the bytes that remain, bounds nesting depth, and never
//! indexes a slice without a check. Integers must be minimally encoded and non-negative.

use std::borrow::Cow;

/// DER that cannot be read: what is wrong with it, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DerError {
    /// What is wrong, in the words of `KeyError::Der`.
    pub(crate) reason: Cow<'static, str>,
    /// The byte offset, in the input the first [`Reader`] was given, of the element that is
    /// wrong (or of the data that should not be there).
    pub(crate) offset: Option<usize>,
}

impl DerError {
    /// The same error, placed at `offset` unless it already has a place.
    fn at(mut self, offset: Option<usize>) -> Self {
        self.offset = self.offset.or(offset);
        self
    }
}

/// How deep [`Reader::nested`] may go. The deepest structure read (a certificate's SPKI
/// algorithm parameters) sits at depth 4.
pub(crate) const MAX_DEPTH: usize = 8;

pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
/// `[0]` constructed (EXPLICIT tagging, or IMPLICIT of a constructed type).
pub(crate) const TAG_CONTEXT_0: u8 = 0xa0;
/// `[1]` constructed.
pub(crate) const TAG_CONTEXT_1: u8 = 0xa1;
/// `[1]` primitive (IMPLICIT BIT STRING, as in PKCS#8 v2 `publicKey`).
pub(crate) const TAG_CONTEXT_1_PRIMITIVE: u8 = 0x81;
/// `[2]` primitive.
pub(crate) const TAG_CONTEXT_2_PRIMITIVE: u8 = 0x82;
/// `[3]` constructed.
pub(crate) const TAG_CONTEXT_3: u8 = 0xa3;

pub(crate) fn der_error(reason: impl Into<Cow<'static, str>>) -> DerError {
    DerError {
        reason: reason.into(),
        offset: None,
    }
}

fn tag_name(tag: u8) -> Cow<'static, str> {
    match tag {
        TAG_INTEGER => "INTEGER".into(),
        TAG_BIT_STRING => "BIT STRING".into(),
        TAG_OCTET_STRING => "OCTET STRING".into(),
        TAG_NULL => "NULL".into(),
        TAG_OID => "OBJECT IDENTIFIER".into(),
        TAG_SEQUENCE => "SEQUENCE".into(),
        other => format!("tag 0x{other:02x}").into(),
    }
}

/// Reads DER elements one after another from a byte slice.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    depth: usize,
    /// The whole input, against which error offsets are counted.
    origin: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data` at depth 0.
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            depth: 0,
            origin: data,
        }
    }

    /// A reader at depth 0 over `data`, a structure encoded inside this reader's input (such
    /// as the `RSAPrivateKey` in a PKCS#8 OCTET STRING): error offsets stay those of the
    /// outer input.
    pub(crate) fn inner_document(&self, data: &'a [u8]) -> Self {
        Self {
            data,
            depth: 0,
            origin: self.origin,
        }
    }

    /// The offset of `part` (a slice of the input) in the input; `None` if it is not one.
    fn offset_of(&self, part: &[u8]) -> Option<usize> {
        // Addresses are only subtracted, never dereferenced; the result is checked to lie in
        // the input, so no address can reach an error message.
        let offset = (part.as_ptr() as usize).checked_sub(self.origin.as_ptr() as usize)?;
        (offset.checked_add(part.len())? <= self.origin.len()).then_some(offset)
    }

    /// The offset of the next unread byte.
    fn here(&self) -> Option<usize> {
        self.offset_of(self.data)
    }

    /// True when every byte has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The tag of the next element, without consuming it.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads one element: its tag and its content octets.
    pub(crate) fn read_any(&mut self) -> Result<(u8, &'a [u8]), DerError> {
        let at = self.here();
        self.read_any_unplaced().map_err(|e| e.at(at))
    }

    fn read_any_unplaced(&mut self) -> Result<(u8, &'a [u8]), DerError> {
        let (&tag, rest) = self
            .data
            .split_first()
            .ok_or_else(|| der_error("unexpected end of data"))?;
        if tag & 0x1f == 0x1f {
            return Err(der_error("multi-byte tags are not supported"));
        }
        let (&first, rest) = rest
            .split_first()
            .ok_or_else(|| der_error("unexpected end of data in a length"))?;
        let (len, rest) = match first {
            0..0x80 => (usize::from(first), rest),
            0x80 => return Err(der_error("indefinite length is not allowed in DER")),
            _ => {
                let count = usize::from(first & 0x7f);
                if count > 4 {
                    return Err(der_error("length longer than 4 bytes"));
                }
                let (bytes, rest) = rest
                    .split_at_checked(count)
                    .ok_or_else(|| der_error("unexpected end of data in a length"))?;
                if bytes.first() == Some(&0) {
                    return Err(der_error("length is not minimally encoded"));
                }
                let len = bytes
                    .iter()
                    .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
                if len < 0x80 {
                    return Err(der_error("length is not minimally encoded"));
                }
                (len, rest)
            }
        };
        let (content, rest) = rest
            .split_at_checked(len)
            .ok_or_else(|| der_error("length runs past the end of the data"))?;
        self.data = rest;
        Ok((tag, content))
    }

    /// Reads one element that must have `tag`; `what` names it in errors.
    pub(crate) fn read(&mut self, tag: u8, what: &'static str) -> Result<&'a [u8], DerError> {
        let at = self.here();
        self.read_unplaced(tag, what).map_err(|e| e.at(at))
    }

    fn read_unplaced(&mut self, tag: u8, what: &'static str) -> Result<&'a [u8], DerError> {
        let found = self
            .peek_tag()
            .ok_or_else(|| der_error(format!("{what} is missing")))?;
        if found != tag {
            return Err(der_error(format!(
                "expected {} ({what}), found {}",
                tag_name(tag),
                tag_name(found)
            )));
        }
        self.read_any().map(|(_, content)| content)
    }

    /// Reads the next element if it has `tag`.
    pub(crate) fn read_optional(
        &mut self,
        tag: u8,
        what: &'static str,
    ) -> Result<Option<&'a [u8]>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.read(tag, what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A reader over `content`, one level deeper than this one.
    pub(crate) fn nested(&self, content: &'a [u8]) -> Result<Reader<'a>, DerError> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(der_error("structure nests too deeply").at(self.offset_of(content)));
        }
        Ok(Reader {
            data: content,
            depth,
            origin: self.origin,
        })
    }

    /// Reads a constructed element with `tag` and returns a reader over its content.
    pub(crate) fn constructed(
        &mut self,
        tag: u8,
        what: &'static str,
    ) -> Result<Reader<'a>, DerError> {
        let content = self.read(tag, what)?;
        self.nested(content)
    }

    /// Reads a SEQUENCE and returns a reader over its content.
    pub(crate) fn sequence(&mut self, what: &'static str) -> Result<Reader<'a>, DerError> {
        self.constructed(TAG_SEQUENCE, what)
    }

    /// Reads a non-negative, minimally encoded INTEGER and returns its magnitude, big-endian
    /// without leading zero bytes (empty for zero).
    pub(crate) fn unsigned(&mut self, what: &'static str) -> Result<&'a [u8], DerError> {
        let at = self.here();
        let content = self.read(TAG_INTEGER, what)?;
        Self::magnitude(content, what).map_err(|e| e.at(at))
    }

    fn magnitude(content: &'a [u8], what: &'static str) -> Result<&'a [u8], DerError> {
        match content {
            [] => Err(der_error(format!("{what} is an empty INTEGER"))),
            [first, ..] if first & 0x80 != 0 => Err(der_error(format!("{what} is negative"))),
            [0] => Ok(&[]),
            [0, second, ..] if second & 0x80 == 0 => {
                Err(der_error(format!("{what} is not minimally encoded")))
            }
            [0, rest @ ..] => Ok(rest),
            _ => Ok(content),
        }
    }

    /// Reads a small non-negative INTEGER (a version number).
    pub(crate) fn small_unsigned(&mut self, what: &'static str) -> Result<u64, DerError> {
        let at = self.here();
        let magnitude = self.unsigned(what)?;
        if magnitude.len() > 4 {
            return Err(der_error(format!("{what} is too large")).at(at));
        }
        Ok(magnitude
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// Reads an OBJECT IDENTIFIER and returns its content octets, checked to be well formed.
    pub(crate) fn oid(&mut self, what: &'static str) -> Result<&'a [u8], DerError> {
        let at = self.here();
        let content = self.read(TAG_OID, what)?;
        check_oid(content).map_err(|reason| der_error(format!("{what}: {reason}")).at(at))?;
        Ok(content)
    }

    /// Reads a NULL.
    pub(crate) fn null(&mut self, what: &'static str) -> Result<(), DerError> {
        let at = self.here();
        if self.read(TAG_NULL, what)?.is_empty() {
            Ok(())
        } else {
            Err(der_error(format!("{what}: NULL with content")).at(at))
        }
    }

    /// Reads a BIT STRING that holds whole bytes (no unused bits) and returns them.
    pub(crate) fn bit_string(&mut self, what: &'static str) -> Result<&'a [u8], DerError> {
        let at = self.here();
        bit_string_bytes(self.read(TAG_BIT_STRING, what)?, what).map_err(|e| e.at(at))
    }

    /// Reads an OCTET STRING.
    pub(crate) fn octet_string(&mut self, what: &'static str) -> Result<&'a [u8], DerError> {
        self.read(TAG_OCTET_STRING, what)
    }

    /// Fails unless every byte has been read.
    pub(crate) fn finish(&self, what: &'static str) -> Result<(), DerError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(der_error(format!("unexpected data after {what}")).at(self.here()))
        }
    }
}

pub(crate) fn bit_string_bytes<'a>(
    content: &'a [u8],
    what: &'static str,
) -> Result<&'a [u8], DerError> {
    match content.split_first() {
        Some((0, bytes)) => Ok(bytes),
        Some(_) => Err(der_error(format!("{what}: BIT STRING with unused bits"))),
        None => Err(der_error(format!("{what}: empty BIT STRING"))),
    }
}

fn check_oid(content: &[u8]) -> Result<(), &'static str> {
    if content.is_empty() {
        return Err("empty OBJECT IDENTIFIER");
    }
    if content.last().is_some_and(|b| b & 0x80 != 0) {
        return Err("truncated OBJECT IDENTIFIER");
    }
    let mut at_start = true;
    for &b in content {
        if at_start && b == 0x80 {
            return Err("OBJECT IDENTIFIER is not minimally encoded");
        }
        at_start = b & 0x80 == 0;
    }
    Ok(())
}

/// Parses a whole input as exactly one element, read by `parse`; nothing may follow.
pub(crate) fn parse_whole<'a, T, E: From<DerError>>(
    data: &'a [u8],
    what: &'static str,
    parse: impl FnOnce(&mut Reader<'a>) -> Result<T, E>,
) -> Result<T, E> {
    read_whole(Reader::new(data), what, parse)
}

/// [`parse_whole`] for a structure encoded inside `parent`'s input (see
/// [`Reader::inner_document`]), so that error offsets count from the outer input.
pub(crate) fn parse_whole_within<'a, T, E: From<DerError>>(
    parent: &Reader<'a>,
    data: &'a [u8],
    what: &'static str,
    parse: impl FnOnce(&mut Reader<'a>) -> Result<T, E>,
) -> Result<T, E> {
    read_whole(parent.inner_document(data), what, parse)
}

fn read_whole<'a, T, E: From<DerError>>(
    mut outer: Reader<'a>,
    what: &'static str,
    parse: impl FnOnce(&mut Reader<'a>) -> Result<T, E>,
) -> Result<T, E> {
    let value = parse(&mut outer)?;
    outer.finish(what)?;
    Ok(value)
}

/// Names for OIDs that show up in refused keys, so error messages say what was found.
pub(crate) const KNOWN_NAMES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.1", "rsaEncryption"),
    ("1.2.840.113549.1.1.10", "RSASSA-PSS"),
    ("1.2.840.10045.2.1", "id-ecPublicKey"),
    ("1.2.840.10045.3.1.7", "P-256"),
    ("1.3.132.0.34", "P-384"),
    ("1.3.132.0.35", "P-521"),
    ("1.3.132.0.10", "secp256k1"),
    ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1"),
    ("1.3.101.110", "X25519"),
    ("1.3.101.111", "X448"),
    ("1.3.101.112", "Ed25519"),
    ("1.3.101.113", "Ed448"),
    ("1.2.840.10040.4.1", "DSA"),
    ("1.2.840.10046.2.1", "DH"),
    ("2.16.840.1.101.3.4.3.17", "ML-DSA-44"),
    ("2.16.840.1.101.3.4.3.18", "ML-DSA-65"),
    ("2.16.840.1.101.3.4.3.19", "ML-DSA-87"),
];

/// The dotted form of an OID, with its name when known: `1.3.132.0.35 (P-521)`.
pub(crate) fn describe_oid(content: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for &b in content {
        if value > (u64::MAX >> 7) {
            return "an OBJECT IDENTIFIER with an oversized arc".to_owned();
        }
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let (first, second) = match value {
                    0..40 => (0, value),
                    40..80 => (1, value - 40),
                    _ => (2, value - 80),
                };
                arcs.push(first);
                arcs.push(second);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    let dotted = arcs
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".");
    match KNOWN_NAMES.iter().find(|(d, _)| *d == dotted) {
        Some((_, name)) => format!("{dotted} ({name})"),
        None => dotted,
    }
}

/// Appends a tag, a minimal definite length and the content.
pub(crate) fn write_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        // Fits one byte: checked just above.
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0));
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
}

pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    write_tlv(&mut out, tag, content);
    out
}

pub(crate) fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    tlv(TAG_SEQUENCE, &parts.concat())
}

/// A non-negative INTEGER from big-endian magnitude bytes (leading zeros are dropped).
pub(crate) fn unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let start = magnitude
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(magnitude.len());
    let magnitude = magnitude.get(start..).unwrap_or_default();
    let mut content = Vec::with_capacity(magnitude.len() + 1);
    if magnitude.first().is_none_or(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(magnitude);
    tlv(TAG_INTEGER, &content)
}

pub(crate) fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(bytes.len() + 1);
    content.push(0);
    content.extend_from_slice(bytes);
    tlv(TAG_BIT_STRING, &content)
}
