//! `jwt encrypt` and `jwt decrypt` (JWE compact serialization, nested JWTs), and the
//! encryption keys of `jwt keygen` and `jwt jwk`. Built with the `jwe` feature only; without
//! it `main` refuses these commands with a message naming the feature.

use serde::de::IgnoredAny;
use serde_json::{Map, Value};
use webtoken::jwe::{
    ContentEncryption, DecryptOptions, DecryptingKey, DecryptingKeySet, DecryptionKeys, EcdhCurve,
    EncryptingKey, JweHeader, KeyAlgorithm,
};
use webtoken::{AlgorithmSet, Claims, Error, ErrorKind, Token};

use crate::args::{DecryptArgs, EncryptArgs, Format, JweKeyArgs, KeygenArgs, SecretBytes};
use crate::encode::{claims, in_order};
use crate::failure::Failure;
use crate::input::read_token;
use crate::inspect::validation;
use crate::keys::{
    KeyText, own_algorithms, read_key_file, read_key_text, signing_algorithm, signing_key, verifier,
};
use crate::output::{Output, print_line, with_dates};

/// A JWE key as given: a file's PEM or JSON text, or a secret.
enum JweKey {
    Pem(String),
    Json(String),
    Secret(Vec<u8>),
}

fn load(args: &JweKeyArgs) -> Result<JweKey, Failure> {
    if let Some(SecretBytes(secret)) = &args.secret_b64 {
        return Ok(JweKey::Secret(secret.clone()));
    }
    let Some(path) = &args.key else {
        return Err(Failure::usage("give --key or --secret-b64"));
    };
    match read_key_text(path)? {
        KeyText::Pem(pem) => Ok(JweKey::Pem(pem)),
        KeyText::Json(json) => Ok(JweKey::Json(json)),
        KeyText::Secret(_) => Err(Failure::key(format!(
            "key file {} is neither PEM nor a JWK; give a shared secret (dir, A128KW, A256KW) \
             with --secret-b64, or as an oct JWK",
            path.display()
        ))),
    }
}

pub(crate) fn key_algorithm(name: &str) -> Result<KeyAlgorithm, Failure> {
    KeyAlgorithm::from_name(name)
        .ok_or_else(|| Failure::usage(format!("unknown key-management algorithm {name}")))
}

fn encryption(name: &str) -> Result<ContentEncryption, Failure> {
    ContentEncryption::from_name(name)
        .ok_or_else(|| Failure::usage(format!("unknown content encryption {name}")))
}

/// Whether a JWK has private members (`d` for EC, OKP and RSA keys).
fn is_private_jwk(object: &Map<String, Value>) -> bool {
    object.contains_key("d")
}

/// The key `encrypt` encrypts with: a public key, or the public half of a private key (the
/// sender may hold the recipient's whole key when both are the same party), or a secret.
fn encrypting_key(
    key: &JweKey,
    algorithm: KeyAlgorithm,
    enc: ContentEncryption,
    kid: Option<&str>,
) -> Result<EncryptingKey, Failure> {
    Ok(match key {
        // A dir secret is the content key of one enc (32 bytes could be two).
        JweKey::Secret(secret) if algorithm == KeyAlgorithm::Dir => {
            EncryptingKey::dir(secret, enc)?
        }
        JweKey::Secret(secret) => EncryptingKey::secret(secret, algorithm)?,
        JweKey::Pem(pem) if pem.contains("PRIVATE KEY-----") => {
            DecryptingKey::from_private_pem(pem, algorithm)?.encrypting_key()?
        }
        JweKey::Pem(pem) => EncryptingKey::from_public_pem(pem, algorithm)?,
        JweKey::Json(json) => {
            let object = jwk_object(json)?;
            let member = match object.get("keys") {
                Some(Value::Array(keys)) => set_member(keys, algorithm, kid)?,
                Some(_) => return Err(Failure::key("keys must be an array of JWKs")),
                None => object,
            };
            let text = Value::Object(member.clone()).to_string();
            if is_private_jwk(&member) {
                DecryptingKey::from_jwk_json(&text, Some(algorithm))?.encrypting_key()?
            } else {
                EncryptingKey::from_jwk_json(&text, Some(algorithm))?
            }
        }
    })
}

/// The member of a JWK Set that encrypts: the one with `--kid`, else the one encryption key
/// (not `use: "sig"`) whose `alg` is `algorithm`.
fn set_member(
    keys: &[Value],
    algorithm: KeyAlgorithm,
    kid: Option<&str>,
) -> Result<Map<String, Value>, Failure> {
    let objects = keys.iter().filter_map(Value::as_object);
    if let Some(kid) = kid {
        return objects
            .into_iter()
            .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
            .cloned()
            .ok_or_else(|| Failure::key(format!("the JWK Set has no key with kid {kid:?}")));
    }
    let mut fitting = objects.filter(|k| {
        k.get("use").and_then(Value::as_str) != Some("sig")
            && k.get("alg").and_then(Value::as_str) == Some(algorithm.as_str())
    });
    match (fitting.next(), fitting.next()) {
        (Some(jwk), None) => Ok(jwk.clone()),
        (None, _) => Err(Failure::key(format!(
            "the JWK Set has no key for {algorithm}"
        ))),
        (Some(_), Some(_)) => Err(Failure::key(format!(
            "the JWK Set has several keys for {algorithm}; choose one with --kid"
        ))),
    }
}

pub(crate) fn encrypt(args: &EncryptArgs) -> Result<(), Failure> {
    let algorithm = key_algorithm(&args.alg)?;
    let enc = encryption(&args.enc)?;
    let key = encrypting_key(&load(&args.key)?, algorithm, enc, args.kid.as_deref())?;
    let nested = args.sign_key.is_some();
    match args.cty.as_deref() {
        Some(cty) if nested && !cty.eq_ignore_ascii_case("JWT") => {
            return Err(Failure::usage(format!(
                "--cty {cty}: with --sign-key the content is a signed token, cty JWT"
            )));
        }
        Some(cty) if !nested && cty.eq_ignore_ascii_case("JWT") => {
            return Err(Failure::usage(
                "--cty JWT says the content is a signed token: give --sign-key",
            ));
        }
        _ => {}
    }
    // Every key is read before the claims (which may come from standard input).
    let sign_with = match &args.sign_key {
        Some(path) => {
            let input = read_key_file(path)?;
            let sign_alg = match args.sign_alg {
                Some(alg) => alg,
                None => signing_algorithm(&input)?,
            };
            Some((signing_key(&input, sign_alg, None)?, sign_alg))
        }
        None => None,
    };
    let (claims, order) = claims(&args.claims)?;
    let payload = if args.claims.keep_order {
        in_order(&claims, &order)
    } else {
        serde_json::to_string(&claims).map_err(|e| Failure::Io(e.to_string()))?
    };
    // Never encrypt claims that `decrypt` would refuse for their types (as `encode`).
    serde_json::from_str::<Claims<IgnoredAny>>(&payload).map_err(|e| {
        Failure::Input(
            ErrorKind::InvalidClaim,
            format!("a registered claim has the wrong type: {e}"),
        )
    })?;
    let typ = args.typ.as_deref().unwrap_or("JWT");
    let mut header = JweHeader::new(enc);
    if let Some(kid) = &args.kid {
        header = header.with_key_id(kid);
    }
    let plaintext = if let Some((signing, sign_alg)) = &sign_with {
        let mut jws_header = Map::new();
        jws_header.insert("alg".into(), sign_alg.as_str().into());
        if let Some(kid) = signing.key_id() {
            jws_header.insert("kid".into(), kid.into());
        }
        jws_header.insert("typ".into(), typ.into());
        let jws_header = Value::Object(jws_header).to_string();
        let signed = webtoken::jws::sign_with_header_json(&jws_header, payload.as_bytes(), signing)
            .map_err(|e| Failure::from(e).into_input())?;
        webtoken::dangerous::decode_unverified::<IgnoredAny>(&signed)
            .map_err(|e| Failure::from(e).into_input())?;
        header = header.with_content_type("JWT");
        signed.into_bytes()
    } else {
        header = header.with_type(typ);
        if let Some(cty) = &args.cty {
            header = header.with_content_type(cty);
        }
        payload.into_bytes()
    };
    let token = webtoken::jwe::encrypt(&header, &plaintext, &key)
        .map_err(|e| Failure::from(e).into_input())?;
    print_line(&token)
}

/// The keys of a secret, PEM or single JWK: the same key bound to each accepted algorithm it
/// fits. A single key is used whatever the token's `kid` (as `verify` does with one key).
struct Candidates(Vec<DecryptingKey>);

impl DecryptionKeys for Candidates {
    fn find_decrypting_key(
        &self,
        kid: Option<&str>,
        algorithm: KeyAlgorithm,
    ) -> Result<&DecryptingKey, Error> {
        match self.0.iter().find(|k| k.algorithm() == algorithm) {
            Some(key) => Ok(key),
            None => match self.0.first() {
                Some(key) => key.find_decrypting_key(kid, algorithm),
                None => Err(webtoken::UnknownKeyError::NotFound {
                    kid: kid.map(str::to_owned),
                }
                .into()),
            },
        }
    }

    fn has_algorithm(&self, algorithm: KeyAlgorithm) -> bool {
        self.0.iter().any(|k| k.algorithm() == algorithm)
    }
}

/// What `decrypt` looks keys up in.
enum Decrypter {
    Candidates(Candidates),
    Set(DecryptingKeySet),
}

impl DecryptionKeys for Decrypter {
    fn find_decrypting_key(
        &self,
        kid: Option<&str>,
        algorithm: KeyAlgorithm,
    ) -> Result<&DecryptingKey, Error> {
        match self {
            Self::Candidates(keys) => keys.find_decrypting_key(kid, algorithm),
            Self::Set(set) => set.find_decrypting_key(kid, algorithm),
        }
    }

    fn has_algorithm(&self, algorithm: KeyAlgorithm) -> bool {
        match self {
            Self::Candidates(keys) => keys.has_algorithm(algorithm),
            Self::Set(set) => set.has_algorithm(algorithm),
        }
    }
}

/// Binds the key to every algorithm of `accepted` it fits; fails with the first reason when
/// it fits none.
/// `token_enc`: the `enc` the token's (not yet authenticated) header names, if it reads; it
/// only picks which content key a 32-byte `dir` secret is (A256GCM or A128CBC-HS256), and the
/// library still checks it against `--enc` and the key.
fn decrypter(
    key: &JweKey,
    accepted: &[KeyAlgorithm],
    token_enc: Option<ContentEncryption>,
) -> Result<Decrypter, Failure> {
    if let JweKey::Json(json) = key {
        let object = jwk_object(json)?;
        // A JWK Set: the library skips its signing keys (as `verify` skips encryption keys).
        if object.contains_key("keys") {
            return Ok(Decrypter::Set(DecryptingKeySet::from_jwks_json(json)?));
        }
    }
    // The algorithms the key could serve: a secret the shared-secret ones, a PEM key the
    // RSA and ECDH ones, a JWK with `alg` that one.
    let own: Vec<KeyAlgorithm> = match key {
        JweKey::Secret(_) => vec![
            KeyAlgorithm::Dir,
            KeyAlgorithm::A128Kw,
            KeyAlgorithm::A256Kw,
        ],
        JweKey::Pem(_) => KeyAlgorithm::ALL[3..]
            .iter()
            .copied()
            .filter(|a| !a.is_pbes2())
            .collect(),
        JweKey::Json(json) => match jwk_object(json)?.get("alg").and_then(Value::as_str) {
            Some(alg) => KeyAlgorithm::from_name(alg).into_iter().collect(),
            None => KeyAlgorithm::ALL.to_vec(),
        },
    };
    let algorithms: Vec<KeyAlgorithm> = match (accepted.is_empty(), own.is_empty()) {
        (true, false) => own,
        // A JWK whose alg is no KEYALG: the library says why.
        (true, true) => KeyAlgorithm::ALL.to_vec(),
        (false, true) => accepted.to_vec(),
        (false, false) => {
            let both: Vec<KeyAlgorithm> = accepted
                .iter()
                .copied()
                .filter(|a| own.contains(a))
                .collect();
            if both.is_empty() {
                return Err(Failure::key(format!(
                    "the key serves {}, none of the accepted algorithms ({})",
                    names(&own),
                    names(accepted)
                )));
            }
            both
        }
    };
    if let JweKey::Pem(pem) = key {
        if !pem.contains("PRIVATE KEY-----") {
            return Err(Failure::key(
                "a public key cannot decrypt: give the recipient's private key",
            ));
        }
    }
    let mut keys = Vec::new();
    let mut errors = Vec::new();
    for algorithm in algorithms {
        if let (JweKey::Secret(secret), KeyAlgorithm::Dir) = (key, algorithm) {
            // A dir secret serves each enc whose content key has its length; the header's enc
            // then picks one, within --enc.
            for enc in ContentEncryption::ALL {
                if enc.key_len() == secret.len() && token_enc.is_none_or(|named| named == enc) {
                    match DecryptingKey::dir(secret, enc) {
                        Ok(key) => keys.push(key),
                        Err(e) => errors.push(e),
                    }
                }
            }
            continue;
        }
        let built = match key {
            JweKey::Secret(secret) => DecryptingKey::secret(secret, algorithm),
            JweKey::Pem(pem) => DecryptingKey::from_private_pem(pem, algorithm),
            JweKey::Json(json) => DecryptingKey::from_jwk_json(json, Some(algorithm)),
        };
        match built {
            Ok(key) => keys.push(key),
            Err(e) => errors.push(e),
        }
    }
    if !keys.is_empty() {
        return Ok(Decrypter::Candidates(Candidates(keys)));
    }
    // The most telling reason: one about the key itself (its size, its parts) rather than
    // "an RSA key cannot be used for ECDH-ES, …"; else the last (for a PEM key, the ECDH one,
    // which names the key's kind).
    let telling = errors
        .iter()
        .position(|e| !e.to_string().contains("cannot be used for"))
        .unwrap_or(errors.len().saturating_sub(1));
    match errors.into_iter().nth(telling) {
        Some(e) => Err(e.into()),
        None => Err(Failure::key(
            "the key serves none of the accepted algorithms",
        )),
    }
}

fn names(algorithms: &[KeyAlgorithm]) -> String {
    algorithms
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn decrypt(args: &DecryptArgs, output: Output) -> Result<(), Failure> {
    let accepted = args
        .alg
        .iter()
        .map(|name| key_algorithm(name))
        .collect::<Result<Vec<_>, _>>()?;
    let mut options = DecryptOptions::new().with_algorithms(accepted.iter().copied());
    if !args.enc.is_empty() {
        let encryptions = args
            .enc
            .iter()
            .map(|name| encryption(name))
            .collect::<Result<Vec<_>, _>>()?;
        options = options.with_encryptions(encryptions);
    }
    let key = load(&args.key)?;
    let token = read_token(args.token.as_ref())?;
    let token_enc = webtoken::jwe::untrusted_header(&token)
        .ok()
        .map(|header| header.encryption());
    let keys = decrypter(&key, &accepted, token_enc)?;
    let token: Token<Map<String, Value>> = if let Some(path) = &args.verify_key {
        let input = read_key_file(path)?;
        let algorithms: AlgorithmSet = if args.verify_alg.is_empty() {
            own_algorithms(&input)?
        } else {
            args.verify_alg.iter().copied().collect()
        };
        if algorithms.is_empty() {
            return Err(Failure::key(
                "the --verify-key key serves no algorithm webtoken implements",
            ));
        }
        let verifying = verifier(input, algorithms)?;
        let validation = validation(&args.checks, Some(algorithms));
        webtoken::decrypt_verified(&token, &keys, &options, &verifying, &validation)?
    } else {
        let validation = validation(&args.checks, None);
        webtoken::decrypt(&token, &keys, &options, &validation)?
    };
    let claims = serde_json::to_value(token.claims())
        .map_err(|e| Failure::Io(format!("cannot write JSON: {e}")))?;
    output.json(&with_dates(&claims, args.checks.date.date))
}

/// `keygen` for a JWE key-management algorithm: a shared secret (dir, A*KW) as base64url or
/// an oct JWK; an ECDH-ES or RSA-OAEP private key as a private JWK (`kid`: its thumbprint, the
/// default) or a PKCS#8 PEM (`--format pem`).
pub(crate) fn keygen(name: &str, args: &KeygenArgs, output: Output) -> Result<(), Failure> {
    let algorithm = key_algorithm(name)?;
    let curve = args.crv.as_deref().map(|crv| {
        EcdhCurve::from_name(crv).ok_or_else(|| Failure::usage(format!("unknown curve {crv}")))
    });
    let ecdh = matches!(
        algorithm,
        KeyAlgorithm::EcdhEs | KeyAlgorithm::EcdhEsA128Kw | KeyAlgorithm::EcdhEsA256Kw
    );
    let rsa = matches!(algorithm, KeyAlgorithm::RsaOaep | KeyAlgorithm::RsaOaep256);
    let misplaced = [
        ("--crv", curve.is_some() && !ecdh, "ECDH-ES keys"),
        ("--bits", args.bits.is_some() && !rsa, "RSA-OAEP keys"),
        (
            "--enc",
            args.enc.is_some() && algorithm != KeyAlgorithm::Dir,
            "dir secrets",
        ),
    ];
    if let Some((flag, _, only)) = misplaced.iter().find(|(_, wrong, _)| *wrong) {
        return Err(Failure::usage(format!(
            "{flag} is only for {only}, not {algorithm}"
        )));
    }
    let key = if ecdh {
        let curve = curve.transpose()?.unwrap_or(EcdhCurve::P256);
        DecryptingKey::generate_ec(curve, algorithm)?
    } else if rsa {
        let bits = args
            .bits
            .as_deref()
            .map_or(Ok(2048), str::parse)
            .map_err(|_| Failure::usage("--bits must be 2048, 3072 or 4096"))?;
        DecryptingKey::generate_rsa(bits, algorithm)?
    } else {
        let enc = encryption(args.enc.as_deref().unwrap_or("A256GCM"))?;
        let key = DecryptingKey::generate_secret(algorithm, enc)?;
        if !matches!(args.format, Some(Format::Jwk)) {
            let jwk = jwk_object(&key.to_private_jwk_json()?)?;
            let secret = jwk.get("k").and_then(Value::as_str).unwrap_or_default();
            return print_line(secret);
        }
        key
    };
    if matches!(args.format, Some(Format::Pem)) {
        // A PKCS#8 PEM names no algorithm: `decrypt` and `encrypt` take the one of --alg.
        return print_line(key.to_pkcs8_pem()?.trim_end());
    }
    let kid = key.thumbprint()?;
    let key = key.with_key_id(kid);
    output.json(&Value::Object(jwk_object(&key.to_private_jwk_json()?)?))
}

/// `jwt jwk` for an encryption JWK (`use: "enc"`, or a JWE `alg`): its public JWK, with its
/// thumbprint as kid. `None` when the JWK is not an encryption key.
pub(crate) fn public_jwk(json: &str) -> Result<Option<Value>, Failure> {
    let object = jwk_object(json)?;
    let alg = object.get("alg").and_then(Value::as_str);
    let is_enc = object.get("use").and_then(Value::as_str) == Some("enc")
        || alg.is_some_and(|a| KeyAlgorithm::from_name(a).is_some());
    if !is_enc {
        return Ok(None);
    }
    if object.get("kty").and_then(Value::as_str) == Some("oct") {
        return Err(Failure::key(
            "a shared secret has no public JWK (keygen --format jwk makes an oct JWK)",
        ));
    }
    let public = if is_private_jwk(&object) {
        DecryptingKey::from_jwk_json(json, None)?.encrypting_key()?
    } else {
        EncryptingKey::from_jwk_json(json, None)?
    };
    let kid = public.thumbprint()?;
    let public = public.with_key_id(kid);
    Ok(Some(Value::Object(jwk_object(&public.to_jwk_json()?)?)))
}

/// The public JWK (`alg: "ECDH-ES"`, `use: "enc"`, `kid` = thumbprint) of a PEM key that only
/// key agreement serves (X25519), or `None` when the PEM is no such key.
pub(crate) fn public_jwk_from_pem(pem: &str) -> Option<Value> {
    let public = match DecryptingKey::from_private_pem(pem, KeyAlgorithm::EcdhEs) {
        Ok(private) => private.encrypting_key().ok()?,
        Err(_) => EncryptingKey::from_public_pem(pem, KeyAlgorithm::EcdhEs).ok()?,
    };
    let kid = public.thumbprint().ok()?;
    let json = public.with_key_id(kid).to_jwk_json().ok()?;
    jwk_object(&json).ok().map(Value::Object)
}

fn jwk_object(json: &str) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(Failure::key("the key is not a JSON object")),
    }
}

#[cfg(test)]
mod tests {
    use crate::args::{CURVES, ENCRYPTIONS, KEY_ALGORITHMS};
    use webtoken::jwe::{ContentEncryption, EcdhCurve, KeyAlgorithm};

    #[test]
    fn the_names_of_the_command_line_are_the_librarys() {
        // PBES2 (passwords as keys) is off unless a caller enables it; the tool does not.
        let algs: Vec<&str> = KeyAlgorithm::ALL
            .iter()
            .map(|a| a.as_str())
            .filter(|name| !name.starts_with("PBES2-"))
            .collect();
        assert_eq!(algs, KEY_ALGORITHMS);
        assert!(KeyAlgorithm::ALL.len() > KEY_ALGORITHMS.len());
        let encs: Vec<&str> = ContentEncryption::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(encs, ENCRYPTIONS);
        let curves: Vec<&str> = EcdhCurve::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(curves, CURVES);
    }
}
