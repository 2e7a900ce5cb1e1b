//! JWE keys as JWKs (RFC 7517, RFC 8037 for X25519): read strictly (member names unique at
//! every depth, `use` must be `enc`, `key_ops` must allow the operation, `alg` must be the
//! key's), written, and thumbprinted (RFC 7638).

use std::marker::PhantomData;

use serde::de::DeserializeSeed;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::algorithm::{ContentEncryption, KeyAlgorithm};
use super::ecdh::EcdhCurve;
use super::keys::{
    DecryptingKey, EncryptingKey, PrivateMaterial, PublicMaterial, key_error, rsa_parts,
    rsa_public_parts,
};
use crate::base64url;
use crate::error::Error;
use crate::keys::KeyErrorCategory;
use crate::keys::formats::{SecretBytes, pkcs1, pkcs8};
use crate::message::Untrusted;

/// A JWK document is at most this long (a 8192-bit RSA private key is about 6 KiB).
const MAX_JWK_BYTES: usize = 64 * 1024;

fn jwk_error(reason: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    key_error(KeyErrorCategory::Jwk, reason)
}

/// Reads one JSON object strictly.
pub(crate) fn read_object(json: &str) -> Result<Map<String, Value>, Error> {
    if json.len() > MAX_JWK_BYTES {
        return Err(jwk_error(format!("longer than {MAX_JWK_BYTES} bytes")));
    }
    let strict = crate::json::Strictness::new(8, 4096);
    let mut de = serde_json::Deserializer::from_str(json);
    let value = strict
        .seed(PhantomData::<Value>)
        .deserialize(&mut de)
        .map_err(|e| match strict.take() {
            Some(fault) => jwk_error(fault.to_string()),
            None => jwk_error(e.to_string()),
        })?;
    de.end().map_err(|e| jwk_error(e.to_string()))?;
    match value {
        Value::Object(members) => Ok(members),
        _ => Err(jwk_error("not a JSON object")),
    }
}

/// The side a JWK is read for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Encrypt,
    Decrypt,
}

struct Reader<'a> {
    members: &'a Map<String, Value>,
}

impl Reader<'_> {
    fn string(&self, name: &'static str) -> Result<Option<&str>, Error> {
        match self.members.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(jwk_error(format!("{name} must be a string"))),
        }
    }

    fn bytes(&self, name: &'static str) -> Result<Option<SecretBytes>, Error> {
        self.string(name)?
            .map(|s| {
                base64url::decode(s)
                    .map(SecretBytes)
                    .map_err(|_| jwk_error(format!("{name} is not canonical unpadded base64url")))
            })
            .transpose()
    }

    fn required(&self, name: &'static str) -> Result<SecretBytes, Error> {
        self.bytes(name)?
            .ok_or_else(|| jwk_error(format!("{name} is missing")))
    }

    /// `use`, `key_ops`, `alg` and `kid`; returns the algorithm and the `kid`.
    fn common(
        &self,
        side: Side,
        algorithm: Option<KeyAlgorithm>,
    ) -> Result<(KeyAlgorithm, Option<String>), Error> {
        match self.string("use")? {
            None | Some("enc") => {}
            Some(other) => {
                return Err(jwk_error(format!(
                    "use is {}, expected \"enc\" for an encryption key",
                    Untrusted(other)
                )));
            }
        }
        if let Some(ops) = self.members.get("key_ops") {
            let Value::Array(ops) = ops else {
                return Err(jwk_error("key_ops must be an array of strings"));
            };
            let wanted: &[&str] = match side {
                Side::Encrypt => &["encrypt", "wrapKey", "deriveKey", "deriveBits"],
                Side::Decrypt => &["decrypt", "unwrapKey", "deriveKey", "deriveBits"],
            };
            if !ops
                .iter()
                .any(|op| op.as_str().is_some_and(|op| wanted.contains(&op)))
            {
                return Err(jwk_error(
                    "key_ops does not allow this key to be used for it",
                ));
            }
        }
        let named = match self.string("alg")? {
            None => None,
            // A `dir` key is the CEK of one `enc`, and some JWKs (RFC 7520 §5.6) name that.
            Some(name) if ContentEncryption::from_name(name).is_some() => Some(KeyAlgorithm::Dir),
            Some(name) => Some(KeyAlgorithm::from_name(name).ok_or_else(|| {
                jwk_error(format!(
                    "alg {} is not a supported JWE key-management algorithm",
                    Untrusted(name)
                ))
            })?),
        };
        let algorithm = match (named, algorithm) {
            (Some(a), Some(b)) if a != b => {
                return Err(jwk_error(format!(
                    "alg is {a}, but the key was asked for {b}"
                )));
            }
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => {
                return Err(jwk_error(
                    "the JWK has no alg; name the algorithm to bind the key to",
                ));
            }
        };
        let kid = self.string("kid")?.map(str::to_owned);
        Ok((algorithm, kid))
    }

    fn curve(&self) -> Result<EcdhCurve, Error> {
        let name = self
            .string("crv")?
            .ok_or_else(|| jwk_error("crv is missing"))?;
        EcdhCurve::from_name(name).ok_or_else(|| {
            key_error(
                KeyErrorCategory::UnsupportedCurve,
                format!("{}", Untrusted(name)),
            )
        })
    }

    fn public_point(&self, curve: EcdhCurve) -> Result<Vec<u8>, Error> {
        let x = self.required("x")?;
        let y = self.bytes("y")?;
        curve
            .public_from_jwk(&x.0, y.as_ref().map(|y| y.0.as_slice()))
            .ok_or_else(|| {
                jwk_error(format!(
                    "x/y are not a {curve} public key of the right length"
                ))
            })
    }
}

fn kty<'a>(reader: &Reader<'a>) -> Result<&'a str, Error> {
    let kty = reader.members.get("kty");
    match kty {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(jwk_error("kty must be a string")),
        None => Err(jwk_error("kty is missing")),
    }
}

const PRIVATE: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

impl EncryptingKey {
    /// An encrypting key from a JWK: `oct` (`k`), `RSA` (`n`, `e`), `EC` (`crv`, `x`, `y`) or
    /// `OKP` X25519 (`crv`, `x`). Private members are refused (use the public half). The key is
    /// bound to the JWK's `alg`, or to `algorithm` when the JWK names none; both must agree.
    ///
    /// # Errors
    /// [`Error::Key`] for a JWK that cannot be read, whose `use` is not `enc`, whose `key_ops`
    /// do not allow encryption, or whose key does not fit the algorithm.
    pub fn from_jwk_json(json: &str, algorithm: Option<KeyAlgorithm>) -> Result<Self, Error> {
        let members = read_object(json)?;
        let reader = Reader { members: &members };
        let (algorithm, kid) = reader.common(Side::Encrypt, algorithm)?;
        let kty = kty(&reader)?;
        if kty != "oct" && PRIVATE.iter().any(|m| members.contains_key(*m)) {
            return Err(jwk_error(
                "a private key cannot be an encrypting key; give its public half",
            ));
        }
        let key = match kty {
            "oct" => EncryptingKey::secret(&reader.required("k")?.0, algorithm)?,
            "RSA" => {
                let n = reader.required("n")?;
                let e = reader.required("e")?;
                let der = pkcs1::write_rsa_public(&n.0, &e.0);
                EncryptingKey::from_public_der(&der, algorithm)?
            }
            "EC" | "OKP" => {
                let curve = reader.curve()?;
                if curve.key_type() != kty {
                    return Err(jwk_error(format!(
                        "crv {curve} does not belong to kty {kty}"
                    )));
                }
                EncryptingKey::ec_public(curve, &reader.public_point(curve)?, algorithm)?
            }
            other => {
                return Err(key_error(
                    KeyErrorCategory::UnsupportedKeyType,
                    format!("{}", Untrusted(other)),
                ));
            }
        };
        Ok(Self { key_id: kid, ..key })
    }

    /// The public JWK (members `kty`, the key's, `alg`, `use: "enc"`, and `kid` when set). For a
    /// shared secret this is the secret itself (`kty: "oct"`): keep it as secret as the key.
    ///
    /// # Errors
    /// [`Error::Key`] when the key's parts cannot be read back (not for keys webtoken built).
    pub fn to_jwk_json(&self) -> Result<String, Error> {
        let mut jwk = public_members(&self.material)?;
        finish(&mut jwk, self.algorithm, self.key_id.as_deref());
        Ok(Value::Object(jwk).to_string())
    }

    /// The RFC 7638 JWK thumbprint (SHA-256 of the required members, Base64Url).
    ///
    /// # Errors
    /// As [`to_jwk_json`](Self::to_jwk_json).
    pub fn thumbprint(&self) -> Result<String, Error> {
        Ok(thumbprint(&public_members(&self.material)?))
    }
}

impl DecryptingKey {
    /// A decrypting key from a private JWK (`oct`, `RSA` with `d`, `p`, `q`, `dp`, `dq`, `qi`,
    /// `EC` or `OKP` X25519 with `d`). Bound as [`EncryptingKey::from_jwk_json`] is.
    ///
    /// # Errors
    /// [`Error::Key`] for a JWK that cannot be read, is public only, whose `use` is not `enc`,
    /// whose `key_ops` do not allow decryption, whose parts do not belong together, or whose
    /// key does not fit the algorithm.
    pub fn from_jwk_json(json: &str, algorithm: Option<KeyAlgorithm>) -> Result<Self, Error> {
        let members = read_object(json)?;
        Self::from_jwk_members(&members, algorithm)
    }

    pub(crate) fn from_jwk_members(
        members: &Map<String, Value>,
        algorithm: Option<KeyAlgorithm>,
    ) -> Result<Self, Error> {
        let reader = Reader { members };
        let (algorithm, kid) = reader.common(Side::Decrypt, algorithm)?;
        let key = match kty(&reader)? {
            "oct" => DecryptingKey::secret(&reader.required("k")?.0, algorithm)?,
            "RSA" => {
                if members.contains_key("oth") {
                    return Err(jwk_error("multi-prime RSA keys (oth) are not supported"));
                }
                let parts =
                    ["n", "e", "d", "p", "q", "dp", "dq", "qi"].map(|name| reader.required(name));
                let mut values = Vec::with_capacity(8);
                for part in parts {
                    values.push(part?);
                }
                let refs: [&[u8]; 8] = std::array::from_fn(|i| values[i].0.as_slice());
                let pkcs1 = SecretBytes(pkcs1::write_rsa_private(refs));
                let der = SecretBytes(pkcs8::write_v1(&super::keys::RSA_ALGORITHM_ID, &pkcs1.0));
                DecryptingKey::from_private_der(&der.0, algorithm)?
            }
            kty @ ("EC" | "OKP") => {
                let curve = reader.curve()?;
                if curve.key_type() != kty {
                    return Err(jwk_error(format!(
                        "crv {curve} does not belong to kty {kty}"
                    )));
                }
                let d = reader.required("d")?;
                if d.0.len() != curve.coordinate_len() {
                    return Err(jwk_error(format!("d is not a {curve} private key")));
                }
                let key = DecryptingKey::ec_private(curve, &d.0, algorithm)?;
                let PrivateMaterial::Ec { public, .. } = &key.material else {
                    return Err(jwk_error("not an EC key"));
                };
                if *public != reader.public_point(curve)? {
                    return Err(key_error(
                        KeyErrorCategory::Rejected,
                        "the JWK's public key (x, y) does not belong to its private key (d)",
                    ));
                }
                key
            }
            other => {
                return Err(key_error(
                    KeyErrorCategory::UnsupportedKeyType,
                    format!("{}", Untrusted(other)),
                ));
            }
        };
        Ok(Self { key_id: kid, ..key })
    }

    /// The private JWK (with `alg`, `use: "enc"` and `kid` when set). Keep it secret.
    ///
    /// # Errors
    /// [`Error::Key`] when the key's parts cannot be read back (not for keys webtoken built).
    pub fn to_private_jwk_json(&self) -> Result<String, Error> {
        let mut jwk = Map::new();
        match &self.material {
            PrivateMaterial::Secret(secret) => {
                jwk.insert("kty".into(), "oct".into());
                jwk.insert("k".into(), base64url::encode(&secret.0).into());
            }
            PrivateMaterial::Rsa { pkcs8, .. } => {
                let parts = rsa_parts(&pkcs8.0).ok_or_else(|| {
                    key_error(KeyErrorCategory::Unsupported, "exporting this RSA key")
                })?;
                jwk.insert("kty".into(), "RSA".into());
                for (name, part) in ["n", "e", "d", "p", "q", "dp", "dq", "qi"]
                    .iter()
                    .zip(&parts)
                {
                    jwk.insert((*name).into(), base64url::encode(part).into());
                }
            }
            PrivateMaterial::Ec { curve, key, public } => {
                jwk = curve.public_jwk(public);
                let d = DecryptingKey::ec_private_bytes(key, *curve).ok_or_else(|| {
                    key_error(KeyErrorCategory::Unsupported, "exporting this EC key")
                })?;
                jwk.insert("d".into(), base64url::encode(&d.0).into());
            }
        }
        finish(&mut jwk, self.algorithm, self.key_id.as_deref());
        Ok(Value::Object(jwk).to_string())
    }

    /// The public JWK of the key (for a shared secret, the secret: see
    /// [`EncryptingKey::to_jwk_json`]).
    ///
    /// # Errors
    /// As [`to_private_jwk_json`](Self::to_private_jwk_json).
    pub fn to_public_jwk_json(&self) -> Result<String, Error> {
        self.encrypting_key()?.to_jwk_json()
    }

    /// The RFC 7638 JWK thumbprint of the public key.
    ///
    /// # Errors
    /// As [`to_private_jwk_json`](Self::to_private_jwk_json).
    pub fn thumbprint(&self) -> Result<String, Error> {
        self.encrypting_key()?.thumbprint()
    }
}

fn public_members(material: &PublicMaterial) -> Result<Map<String, Value>, Error> {
    let mut jwk = Map::new();
    match material {
        PublicMaterial::Secret(secret) => {
            jwk.insert("k".into(), base64url::encode(&secret.0).into());
            jwk.insert("kty".into(), "oct".into());
        }
        PublicMaterial::Rsa { spki, .. } => {
            let (n, e) = rsa_public_parts(spki).ok_or_else(|| {
                key_error(KeyErrorCategory::Unsupported, "exporting this RSA key")
            })?;
            jwk.insert("e".into(), base64url::encode(e).into());
            jwk.insert("kty".into(), "RSA".into());
            jwk.insert("n".into(), base64url::encode(n).into());
        }
        PublicMaterial::Ec { curve, public } => jwk = curve.public_jwk(public),
    }
    Ok(jwk)
}

fn finish(jwk: &mut Map<String, Value>, algorithm: KeyAlgorithm, kid: Option<&str>) {
    jwk.insert("alg".into(), algorithm.as_str().into());
    jwk.insert("use".into(), "enc".into());
    if let Some(kid) = kid {
        jwk.insert("kid".into(), kid.into());
    }
}

/// RFC 7638 §3: the required members, names sorted, no whitespace; SHA-256; Base64Url.
fn thumbprint(required: &Map<String, Value>) -> String {
    let mut names: Vec<&String> = required.keys().collect();
    names.sort();
    let mut json = String::from("{");
    for (i, name) in names.into_iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&Value::from(name.as_str()).to_string());
        json.push(':');
        json.push_str(&required[name].to_string());
    }
    json.push('}');
    base64url::encode(Sha256::digest(json.as_bytes()))
}
