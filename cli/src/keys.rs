//! Keys from `--key`, `--secret` and `--secret-b64`: files read by content, the algorithms a
//! key serves, the verifying keys of `verify` and the signing key of `encode`.

use std::borrow::Cow;
use std::path::Path;

use serde_json::Value;
use webtoken::keys::{Jwk, JwkSet, KeyError, KeyErrorCategory};
use webtoken::{
    Algorithm, AlgorithmFamily, AlgorithmSet, Error, KeySource, SigningKey, UnknownKeyError,
    VerifyingKey,
};

use crate::args::{KeyArgs, SecretBytes};
use crate::failure::Failure;

/// A key as read from `--key`, `--secret` or `--secret-b64`.
pub(crate) enum KeyInput {
    Secret(Vec<u8>),
    Pem(String),
    Jwk(Jwk),
    JwkSet(JwkSet),
}

pub(crate) fn load_key(args: &KeyArgs) -> Result<KeyInput, Failure> {
    if let Some(secret) = &args.secret {
        return Ok(KeyInput::Secret(secret.as_bytes().to_vec()));
    }
    if let Some(SecretBytes(secret)) = &args.secret_b64 {
        return Ok(KeyInput::Secret(secret.clone()));
    }
    match &args.key {
        Some(path) => read_key_file(path),
        None => Err(Failure::usage("give --key, --secret or --secret-b64")),
    }
}

/// Reads a key file by content: PEM, JWK or JWK Set, else the raw bytes of an HMAC secret.
///
/// Text is recognised as editors save it: UTF-8 with or without a byte order mark, and UTF-16
/// (LE or BE, with or without one), decoded before looking for PEM armour or JSON. A key in a
/// form the tool does not read (OpenSSH) or UTF-16 text that is no key is refused, never taken
/// as secret bytes; so is DER. The library refuses whatever else looks like a key
/// (`SigningKey::hmac`).
pub(crate) fn read_key_file(path: &Path) -> Result<KeyInput, Failure> {
    match read_key_text(path)? {
        KeyText::Pem(pem) => Ok(KeyInput::Pem(pem)),
        KeyText::Json(json) => read_jwk(&json),
        KeyText::Secret(bytes) => Ok(KeyInput::Secret(bytes)),
    }
}

/// A key file's content, sorted as [`read_key_file`] sorts it but not parsed further.
pub(crate) enum KeyText {
    Pem(String),
    /// A JWK or JWK Set (text starting with `{`).
    Json(String),
    Secret(Vec<u8>),
}

/// Reads a key file by content (see [`read_key_file`]), without parsing its PEM or JSON.
pub(crate) fn read_key_text(path: &Path) -> Result<KeyText, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::key(format!("cannot read key file {}: {e}", path.display())))?;
    let shown = path.display();
    match decode_text(&bytes) {
        Some((text, encoding)) => {
            let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            if text.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
                return Err(Failure::key(format!(
                    "key file {shown} is an OpenSSH private key{encoding}, which jwt does not \
                     read; convert a copy to PKCS#8 PEM (ssh-keygen -p -m PKCS8 -f COPY) and give \
                     that with --key"
                )));
            }
            if text.contains("-----BEGIN") {
                return Ok(KeyText::Pem(text.to_owned()));
            }
            if text.starts_with('{') {
                return Ok(KeyText::Json(text.to_owned()));
            }
            if let Some(kind) = openssh_public_key(text) {
                return Err(Failure::key(format!(
                    "key file {shown} is an OpenSSH public key ({kind}){encoding}, which jwt does \
                     not read; convert it to PEM (ssh-keygen -e -m PKCS8 -f FILE) and give that \
                     with --key"
                )));
            }
            // Only ASCII text: random secret bytes that happen to start like UTF-16 (a
            // BOM, or zero bytes in the right places) decode to anything but ASCII, and stay
            // raw secret bytes.
            let ascii = text
                .chars()
                .all(|c| c.is_ascii_graphic() || c.is_ascii_whitespace());
            if encoding.contains("UTF-16") && ascii {
                return Err(Failure::key(format!(
                    "key file {shown} is text{encoding} but not a PEM key or a JWK; a secret file \
                     is used as its raw bytes, so give the secret with --secret or --secret-b64 \
                     instead"
                )));
            }
        }
        None if bytes.windows(10).any(|w| w == b"-----BEGIN") => {
            return Err(Failure::key(format!("key file {shown} is not UTF-8")));
        }
        None => {}
    }
    if is_der_key(&bytes) {
        return Err(Failure::key(format!(
            "key file {shown} holds a DER-encoded key, which is never used as an HMAC secret; \
             convert it to PEM (openssl pkey -inform DER -in FILE)"
        )));
    }
    Ok(KeyText::Secret(bytes))
}

/// The file as text, and how it was encoded (empty for plain UTF-8, else a phrase such as
/// `" (UTF-16 LE with a byte order mark)"` for messages): UTF-8 after an optional byte order
/// mark, or UTF-16 by its byte order mark or, without one, by zero bytes in the high half of
/// the first two characters. `None` when it is not text in any of these.
fn decode_text(bytes: &[u8]) -> Option<(String, &'static str)> {
    let utf16 = |body: &[u8], little: bool| {
        if body.len() % 2 != 0 {
            return None;
        }
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|pair| {
                let pair = [pair[0], pair[1]];
                if little {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units).ok()
    };
    match bytes {
        [0xef, 0xbb, 0xbf, rest @ ..] => String::from_utf8(rest.to_vec())
            .ok()
            .map(|t| (t, " (UTF-8 with a byte order mark)")),
        [0xff, 0xfe, rest @ ..] => {
            utf16(rest, true).map(|t| (t, " (UTF-16 LE with a byte order mark)"))
        }
        [0xfe, 0xff, rest @ ..] => {
            utf16(rest, false).map(|t| (t, " (UTF-16 BE with a byte order mark)"))
        }
        [a, 0, b, 0, ..] if a.is_ascii() && b.is_ascii() && *a != 0 && *b != 0 => {
            utf16(bytes, true).map(|t| (t, " (UTF-16 LE)"))
        }
        [0, a, 0, b, ..] if a.is_ascii() && b.is_ascii() && *a != 0 && *b != 0 => {
            utf16(bytes, false).map(|t| (t, " (UTF-16 BE)"))
        }
        _ => String::from_utf8(bytes.to_vec()).ok().map(|t| (t, "")),
    }
}

/// The key type of an OpenSSH public key line (`ssh-ed25519 AAAA... comment`).
fn openssh_public_key(text: &str) -> Option<&str> {
    let (kind, blob) = text.split_once(' ')?;
    let known = ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-sha2-"]
        .iter()
        .any(|prefix| kind.starts_with(prefix));
    (known && blob.trim_start().starts_with("AAAA")).then_some(kind)
}

fn read_jwk(text: &str) -> Result<KeyInput, Failure> {
    let is_set = matches!(
        serde_json::from_str::<Value>(text),
        Ok(Value::Object(ref object)) if object.contains_key("keys")
    );
    if is_set {
        Ok(KeyInput::JwkSet(JwkSet::from_json(text)?))
    } else {
        Ok(KeyInput::Jwk(Jwk::from_json(text)?))
    }
}

/// Whether the bytes are a DER key or certificate: using the public bytes of a key as an HMAC
/// secret is the classic algorithm-confusion attack, so such a file is refused.
fn is_der_key(bytes: &[u8]) -> bool {
    let is_key = |r: Result<(), Error>| match r {
        Ok(()) => true,
        Err(Error::Key(e)) => {
            matches!(
                e,
                KeyError::AlgorithmRequired { .. } | KeyError::AlgorithmMismatch { .. }
            ) || matches!(
                e.category(),
                Some(KeyErrorCategory::UnsupportedKeyType | KeyErrorCategory::UnsupportedCurve)
            )
        }
        Err(_) => false,
    };
    bytes.first() == Some(&0x30)
        && (is_key(VerifyingKey::from_spki_der(bytes, None).map(drop))
            || is_key(VerifyingKey::from_certificate_der(bytes, None).map(drop))
            || is_key(VerifyingKey::rsa_der(bytes, Algorithm::Rs256).map(drop))
            || is_key(SigningKey::from_pkcs8_der(bytes, None).map(drop))
            || is_key(SigningKey::from_sec1_der(bytes).map(drop)))
}

/// The algorithms a PEM key serves by itself: RSA keys RS*/PS*, EC keys by curve, Ed25519
/// keys both names of their algorithm (`EdDSA` and RFC 9864's `Ed25519`), ML-DSA keys their
/// parameter set.
fn pem_algorithms(pem: &str) -> Result<AlgorithmSet, Error> {
    match VerifyingKey::from_pem(pem, None) {
        Ok(key) if key.family() == AlgorithmFamily::EdDsa => {
            Ok(AlgorithmSet::family(AlgorithmFamily::EdDsa))
        }
        Ok(key) => Ok(AlgorithmSet::only(key.algorithm())),
        Err(Error::Key(KeyError::AlgorithmRequired { .. })) => {
            Ok(AlgorithmSet::family(AlgorithmFamily::Rsa))
        }
        Err(e) => Err(e),
    }
}

/// The algorithms a JWK serves: its `alg`, or those of its type and curve.
fn jwk_algorithms(jwk: &Jwk) -> AlgorithmSet {
    jwk.algorithms()
}

/// The key's own algorithms, used by `verify` when no `--alg` is given.
pub(crate) fn own_algorithms(key: &KeyInput) -> Result<AlgorithmSet, Failure> {
    Ok(match key {
        KeyInput::Secret(_) => AlgorithmSet::family(AlgorithmFamily::Hmac),
        KeyInput::Pem(pem) => pem_algorithms(pem)?,
        KeyInput::Jwk(jwk) => jwk_algorithms(jwk),
        KeyInput::JwkSet(set) => set.iter().flat_map(|k| jwk_algorithms(k).iter()).collect(),
    })
}

/// The algorithm `encode` signs with when `--alg` is absent: the key's one algorithm, HS256
/// for a secret (or an `oct` JWK without `alg`). An RSA key serves ten: the user chooses.
pub(crate) fn signing_algorithm(key: &KeyInput) -> Result<Algorithm, Failure> {
    let hmac = AlgorithmSet::family(AlgorithmFamily::Hmac);
    let algorithms = match key {
        KeyInput::Secret(_) => hmac,
        other => own_algorithms(other)?,
    };
    if algorithms == hmac {
        return Ok(Algorithm::Hs256);
    }
    // An Ed25519 key signs with `EdDSA` unless --alg Ed25519 asks for RFC 9864's name.
    if algorithms == AlgorithmSet::family(AlgorithmFamily::EdDsa) {
        return Ok(Algorithm::EdDsa);
    }
    let mut all = algorithms.iter();
    match (all.next(), all.next()) {
        (Some(one), None) => Ok(one),
        _ => Err(Failure::usage(format!(
            "the key can sign with several algorithms ({}); choose one with --alg",
            algorithms
                .iter()
                .map(Algorithm::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The verifying keys of a secret or PEM key, one per accepted algorithm it can serve.
pub(crate) struct BoundKeys {
    keys: Vec<VerifyingKey>,
    /// Algorithms the key could not be bound to, and why (a weak secret, another family).
    refused: Vec<(Algorithm, KeyError)>,
}

impl BoundKeys {
    /// Binds the key to each algorithm; fails (with the first reason) when none fits.
    fn build(
        algorithms: AlgorithmSet,
        bind: impl Fn(Algorithm) -> Result<VerifyingKey, Error>,
    ) -> Result<Self, Failure> {
        let mut bound = Self {
            keys: Vec::new(),
            refused: Vec::new(),
        };
        for algorithm in algorithms.iter() {
            match bind(algorithm) {
                Ok(key) => bound.keys.push(key),
                Err(Error::Key(reason)) => bound.refused.push((algorithm, reason)),
                Err(other) => return Err(other.into()),
            }
        }
        match (bound.keys.is_empty(), bound.refused.first()) {
            (true, Some((_, reason))) => Err(reason.clone().into()),
            (true, None) => Err(Failure::key(
                "the key serves none of the accepted algorithms",
            )),
            (false, _) => Ok(bound),
        }
    }
}

/// A key bound to the token's algorithm, or why there is none. An algorithm of another family
/// or curve is `algorithm_not_allowed` (the key's own check says so): a token never gets an
/// HMAC check with a public key's bytes.
impl KeySource for BoundKeys {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        if let Some(key) = self.keys.iter().find(|k| k.algorithm() == algorithm) {
            return Ok(Cow::Borrowed(key));
        }
        let weak = self.refused.iter().find(|(alg, reason)| {
            *alg == algorithm && !matches!(reason, KeyError::AlgorithmMismatch { .. })
        });
        match (weak, self.keys.first()) {
            (Some((_, reason)), _) => Err(reason.clone().into()),
            (None, Some(key)) => key.find_key(key_id, algorithm),
            (None, None) => Err(Error::UnknownKey(UnknownKeyError::NotFound {
                kid: key_id.map(str::to_owned),
            })),
        }
    }
}

/// What `verify` looks keys up in.
pub(crate) enum Verifier {
    Bound(BoundKeys),
    Jwk(Jwk),
    JwkSet(JwkSet),
}

impl KeySource for Verifier {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        match self {
            Self::Bound(keys) => keys.find_key(key_id, algorithm),
            Self::Jwk(jwk) => jwk.find_key(key_id, algorithm),
            Self::JwkSet(set) => set.find_key(key_id, algorithm),
        }
    }
}

pub(crate) fn verifier(key: KeyInput, algorithms: AlgorithmSet) -> Result<Verifier, Failure> {
    Ok(match key {
        KeyInput::Secret(secret) => Verifier::Bound(BoundKeys::build(algorithms, |alg| {
            VerifyingKey::hmac(&secret, alg)
        })?),
        KeyInput::Pem(pem) => Verifier::Bound(BoundKeys::build(algorithms, |alg| {
            VerifyingKey::from_pem(&pem, Some(alg))
        })?),
        KeyInput::Jwk(jwk) => {
            // Checked now so that an unusable key is reported before any token is read.
            BoundKeys::build(algorithms, |alg| jwk.to_verifying_key_for(alg))?;
            Verifier::Jwk(jwk)
        }
        KeyInput::JwkSet(set) => Verifier::JwkSet(set),
    })
}

pub(crate) fn signing_key(
    key: &KeyInput,
    algorithm: Algorithm,
    key_id: Option<&str>,
) -> Result<SigningKey, Failure> {
    Ok(match key {
        KeyInput::Secret(secret) => SigningKey::hmac(secret, algorithm)?,
        KeyInput::Pem(pem) => SigningKey::from_pem(pem, Some(algorithm))?,
        KeyInput::Jwk(jwk) => jwk.to_signing_key_for(algorithm)?,
        KeyInput::JwkSet(set) => {
            set_member(set, algorithm, key_id)?.to_signing_key_for(algorithm)?
        }
    })
}

/// The key of a JWK Set that signs: the one with `--kid`, or the one key that fits `alg`.
/// (A set document holds secrets or public keys only, so only `oct` sets can sign.)
fn set_member<'a>(
    set: &'a JwkSet,
    algorithm: Algorithm,
    key_id: Option<&str>,
) -> Result<&'a Jwk, Failure> {
    if let Some(kid) = key_id {
        return set
            .get(kid)
            .ok_or_else(|| Failure::key(format!("the JWK Set has no key with kid {kid:?}")));
    }
    let mut fitting = set.iter().filter(|k| jwk_algorithms(k).contains(algorithm));
    match (fitting.next(), fitting.next()) {
        (Some(jwk), None) => Ok(jwk),
        (None, _) => Err(Failure::key(format!(
            "the JWK Set has no key for {algorithm}"
        ))),
        (Some(_), Some(_)) => Err(Failure::key(format!(
            "the JWK Set has several keys for {algorithm}; choose one with --kid"
        ))),
    }
}

/// The public JWK of a PEM key. An RSA key serves several algorithms, so its JWK has no `alg`.
pub(crate) fn public_jwk_from_pem(pem: &str) -> Result<Jwk, Failure> {
    let rsa = pem_algorithms(pem)? == AlgorithmSet::family(AlgorithmFamily::Rsa);
    let algorithm = rsa.then_some(Algorithm::Rs256);
    let jwk = VerifyingKey::from_pem(pem, algorithm)?.to_jwk()?;
    if !rsa {
        return Ok(jwk);
    }
    let mut members = serde_json::to_value(&jwk).map_err(|e| Failure::Io(e.to_string()))?;
    if let Value::Object(object) = &mut members {
        object.remove("alg");
    }
    Ok(Jwk::from_json(&members.to_string())?)
}
