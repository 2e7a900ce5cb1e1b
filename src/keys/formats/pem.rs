//! PEM armour (RFC 7468): reading one block (its label and strictly checked body) and writing
//! one. What a label means for keys is decided on the keys side (`keys::pem`); this module
//! imports nothing from `keys` outside `formats`, and its errors are [`PemError`]s.
//!
//! Decoding is strict where RFC 7468 allows it to be, with one documented leniency:
//! - Text before the `-----BEGIN` line is ignored (RFC 7468 §2: "data before the
//!   encapsulation boundaries are permitted"), so files with explanatory text, such as
//!   `openssl x509 -text` output, load. That text may not contain another BEGIN line.
//! - Exactly one block: after the `-----END` line only whitespace may follow.
//! - The END label must equal the BEGIN label, and the label must be well formed (RFC 7468 §3).
//! - The body is standard base64 with `=` padding, in lines of any length ending in LF or CRLF
//!   (trailing spaces and tabs ignored); anything else (headers such as `Proc-Type`, blank
//!   lines, characters outside the alphabet, non-canonical padding bits) is refused. The body
//!   is checked and decoded in constant time ([`ct_base64`]), as it may be a private key.

use std::borrow::Cow;

use super::SecretBytes;
use super::ct_base64;

/// The longest label accepted; the longest standard one is 29 characters.
const MAX_LABEL_LEN: usize = 64;
/// Base64 line length when encoding (RFC 7468 §2).
const LINE_LEN: usize = 64;

/// PEM armour that cannot be read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PemError {
    /// What is wrong, in words fit for an error message.
    pub(crate) reason: Cow<'static, str>,
}

fn pem_error(reason: impl Into<Cow<'static, str>>) -> PemError {
    PemError {
        reason: reason.into(),
    }
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

fn check_label(label: &str) -> Result<(), PemError> {
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
pub(crate) fn decode(pem: &str) -> Result<PemBlock, PemError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    const SPKI: &str = include_str!("../../../tests/data/keys/ed25519.spki.pem");

    fn pem_reason(pem: &str) -> String {
        match decode(pem) {
            Err(PemError { reason }) => reason.into_owned(),
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
}
