// Target `der_differential` (issue 14, "a second opinion on DER"): the same bytes go through
// every DER constructor of webtoken and, when webtoken accepts them, through RustCrypto's
// readers (`spki`, `pkcs1`, `pkcs8`, `sec1` on the `der` crate; `x509-cert` as a stricter extra
// opinion on certificates). What must hold: whatever webtoken accepts, RustCrypto parses to the
// same parts (key type and algorithm identifier, curve, RSA modulus and exponent and, for
// private keys, every CRT part, EC point and scalar, Ed25519 public key and seed), the
// algorithm webtoken binds follows from them, and webtoken's own DER export reads back through
// RustCrypto to the same parts. webtoken refusing is always fine: it is stricter on purpose
// (RSA under 2048 bits, curves other than P-256/P-384, encrypted and multi-prime keys, keys
// whose parts do not belong together, EC keys without their public point). With webtoken's
// `aws-lc-rs` feature (fuzz/'s `aws-lc-rs` feature) it also reads P-521 and secp256k1 keys
// (ES512, ES256K) and ML-DSA-44/65/87 keys (RFC 9881 documents, bound to the parameter set's
// algorithm); a ring build refuses them all, so the comparisons below never meet one there.
//
// The RustCrypto crates are never dependencies of the library: fuzz/ and the webtoken-testkit
// package (testkit/tests/fuzz_corpus.rs, the stable replay of the corpus) bring them.
//
// Known disagreements, each handled precisely (see the functions named):
// 1. Certificates: webtoken reads only a certificate's frame and its SubjectPublicKeyInfo and
//    says so (`from_certificate_der`: "the certificate is not validated in any way"), so a full
//    x509-cert parse may refuse what webtoken accepts (names, times, extensions are not read,
//    so not even checked to be DER: an indefinite length inside the issuer goes unseen).
//    The required opinion is `der`'s reader over the same frame (the TBSCertificate's fields as
//    tagged elements) with `spki` for the key; x509-cert's, when it parses, must agree too.
// 2. RustCrypto is laxer in places where webtoken's refusal is fine and needs no exception:
//    `der`'s context-specific reader skips unknown and repeated lower-numbered fields (PKCS#8 `[0]`
//    attributes in any form, a second SEC1 `[0]`), pkcs8 skips trailing context-specific
//    extensions, and `der`'s BIT STRING accepts unused bits (every key taken from one here goes
//    through `as_bytes`, which refuses them, as webtoken does). DER canonicality otherwise
//    matches: both refuse indefinite and non-minimal lengths, lengths of more than 4 bytes,
//    multi-byte tags, and non-minimal, empty or negative INTEGERs (`der` also caps lengths at
//    256 MiB, far above any input here).
// 3. ML-DSA private keys: RustCrypto has no ML-DSA, so the `ML-DSA-PrivateKey` CHOICE (RFC 9881
//    §6) is read here with `der` (`ml_dsa_private_parts`). Deriving the public key from the seed
//    is the backend's work, not parsing: when the PKCS#8 document holds no `publicKey`, the
//    public key webtoken derived is not compared (`MlDsa::public` is `None` on this side, see
//    `Parts::agrees_with`); the parameter set and the seed always are. Likewise the expanded
//    key of the `both` form is checked against the seed by webtoken (with the backend) only.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef};
use der::{Decode, Encode, Reader, SliceReader, Tag, Tagged};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

// ---------------------------------------------------------------------------------------------
// webtoken adapter: every call into webtoken is in this section (constructors are being
// renamed; keep a rename a few-line fix here).
// ---------------------------------------------------------------------------------------------

use webtoken::keys::Jwk;
use webtoken::{Algorithm, SigningKey, VerifyingKey};

/// The algorithm asked for where an RSA key needs one.
const RSA_ALGORITHM: Algorithm = Algorithm::Ps384;

/// webtoken's DER entry points.
#[derive(Clone, Copy, Debug)]
enum Entry {
    /// `VerifyingKey::from_spki_der(der, None)`.
    SpkiAny,
    /// `VerifyingKey::from_spki_der(der, Some(RSA_ALGORITHM))`.
    SpkiRsa,
    /// `VerifyingKey::rsa_der(der, RSA_ALGORITHM)`: SPKI or PKCS#1 `RSAPublicKey`.
    RsaPublic,
    /// `VerifyingKey::from_certificate_der(der, None)`.
    CertificateAny,
    /// `VerifyingKey::from_certificate_der(der, Some(RSA_ALGORITHM))`.
    CertificateRsa,
    /// `SigningKey::from_pkcs8_der(der, None)`.
    Pkcs8Any,
    /// `SigningKey::from_pkcs8_der(der, Some(RSA_ALGORITHM))`.
    Pkcs8Rsa,
    /// `SigningKey::rsa_der(der, RSA_ALGORITHM)`: PKCS#8 or PKCS#1 `RSAPrivateKey`.
    RsaPrivate,
    /// `SigningKey::from_sec1_der(der)`.
    Sec1,
}

impl Entry {
    const ALL: [Self; 9] = [
        Self::SpkiAny,
        Self::SpkiRsa,
        Self::RsaPublic,
        Self::CertificateAny,
        Self::CertificateRsa,
        Self::Pkcs8Any,
        Self::Pkcs8Rsa,
        Self::RsaPrivate,
        Self::Sec1,
    ];

    /// The document the entry point reads.
    fn container(self) -> Container {
        match self {
            Self::SpkiAny | Self::SpkiRsa => Container::Spki,
            Self::RsaPublic => Container::SpkiOrPkcs1Public,
            Self::CertificateAny | Self::CertificateRsa => Container::Certificate,
            Self::Pkcs8Any | Self::Pkcs8Rsa => Container::Pkcs8,
            Self::RsaPrivate => Container::Pkcs8OrPkcs1Private,
            Self::Sec1 => Container::Sec1,
        }
    }

    /// The algorithm a key with `parts` must be bound to through this entry point; `None` when
    /// the entry point must refuse such a key.
    fn algorithm_for(self, parts: &Parts) -> Option<Algorithm> {
        let asks_rsa = matches!(
            self,
            Self::SpkiRsa
                | Self::RsaPublic
                | Self::CertificateRsa
                | Self::Pkcs8Rsa
                | Self::RsaPrivate
        );
        let any = matches!(self, Self::SpkiAny | Self::CertificateAny | Self::Pkcs8Any);
        let ec = matches!(self, Self::Sec1);
        match parts {
            Parts::Rsa { .. } if asks_rsa => Some(RSA_ALGORITHM),
            Parts::Ec { curve, .. } if any || ec => Some(match curve {
                Curve::P256 => Algorithm::Es256,
                Curve::P384 => Algorithm::Es384,
                Curve::P521 => Algorithm::Es512,
                Curve::Secp256k1 => Algorithm::Es256K,
            }),
            Parts::Ed25519 { .. } if any => Some(Algorithm::EdDsa),
            Parts::MlDsa { set, .. } if any => Some(set.algorithm()),
            _ => None,
        }
    }
}

/// What webtoken made of the input through one entry point.
struct Loaded {
    algorithm: Algorithm,
    /// The parts, read from webtoken's JWK export (`to_jwk` / `to_private_jwk`).
    parts: Parts,
    /// webtoken's DER export of the key (`to_spki_der` / `to_pkcs8_der`) and its form.
    export: Vec<u8>,
    export_container: Container,
}

fn webtoken_load(entry: Entry, der: &[u8]) -> Option<Loaded> {
    match entry {
        Entry::SpkiAny => public(VerifyingKey::from_spki_der(der, None)),
        Entry::SpkiRsa => public(VerifyingKey::from_spki_der(der, Some(RSA_ALGORITHM))),
        Entry::RsaPublic => public(VerifyingKey::rsa_der(der, RSA_ALGORITHM)),
        Entry::CertificateAny => public(VerifyingKey::from_certificate_der(der, None)),
        Entry::CertificateRsa => {
            public(VerifyingKey::from_certificate_der(der, Some(RSA_ALGORITHM)))
        }
        Entry::Pkcs8Any => private(SigningKey::from_pkcs8_der(der, None)),
        Entry::Pkcs8Rsa => private(SigningKey::from_pkcs8_der(der, Some(RSA_ALGORITHM))),
        Entry::RsaPrivate => private(SigningKey::rsa_der(der, RSA_ALGORITHM)),
        Entry::Sec1 => private(SigningKey::from_sec1_der(der)),
    }
}

fn public(key: Result<VerifyingKey, webtoken::Error>) -> Option<Loaded> {
    let key = key.ok()?;
    let jwk = key.to_jwk().expect("a loaded public key exports its JWK");
    Some(Loaded {
        algorithm: key.algorithm(),
        parts: parts_from_jwk(&jwk),
        export: key
            .to_spki_der()
            .expect("a loaded public key exports its SPKI"),
        export_container: Container::Spki,
    })
}

fn private(key: Result<SigningKey, webtoken::Error>) -> Option<Loaded> {
    let key = key.ok()?;
    let jwk = key
        .to_private_jwk()
        .expect("a loaded private key exports its JWK");
    let public = key
        .to_public_jwk()
        .expect("a loaded private key exports its public JWK");
    let parts = parts_from_jwk(&jwk);
    assert_eq!(
        parts.public(),
        parts_from_jwk(&public),
        "the public JWK of a private key is not its public part"
    );
    Some(Loaded {
        algorithm: key.algorithm(),
        parts,
        export: key
            .to_pkcs8_der()
            .expect("a loaded private key exports its PKCS#8"),
        export_container: Container::Pkcs8,
    })
}

/// The parts of an exported JWK (RFC 7518 §6 members, base64url).
fn parts_from_jwk(jwk: &Jwk) -> Parts {
    let json = serde_json::to_value(jwk).expect("a JWK serializes");
    let member = |name: &str| -> Option<Vec<u8>> {
        let text = json.get(name)?.as_str().expect("JWK members are strings");
        Some(
            URL_SAFE_NO_PAD
                .decode(text)
                .expect("JWK members are base64url"),
        )
    };
    let required = |name: &str| member(name).unwrap_or_else(|| panic!("JWK without {name}"));
    match json.get("kty").and_then(|v| v.as_str()) {
        Some("RSA") => Parts::Rsa {
            n: magnitude(&required("n")),
            e: magnitude(&required("e")),
            private: member("d").map(|d| {
                let [p, q, dp, dq, qi] =
                    ["p", "q", "dp", "dq", "qi"].map(|m| magnitude(&required(m)));
                Box::new([magnitude(&d), p, q, dp, dq, qi])
            }),
        },
        Some("EC") => {
            let curve = match json.get("crv").and_then(|v| v.as_str()) {
                Some("P-256") => Curve::P256,
                Some("P-384") => Curve::P384,
                Some("P-521") => Curve::P521,
                Some("secp256k1") => Curve::Secp256k1,
                other => panic!("webtoken exported an EC JWK with crv {other:?}"),
            };
            let point = [&[0x04][..], &required("x"), &required("y")].concat();
            Parts::Ec {
                curve,
                point: Some(point),
                d: member("d"),
            }
        }
        Some("OKP") => {
            assert_eq!(json.get("crv").and_then(|v| v.as_str()), Some("Ed25519"));
            Parts::Ed25519 {
                public: required("x"),
                seed: member("d"),
            }
        }
        Some("AKP") => {
            let set = match json.get("alg").and_then(|v| v.as_str()) {
                Some("ML-DSA-44") => MlDsa::P44,
                Some("ML-DSA-65") => MlDsa::P65,
                Some("ML-DSA-87") => MlDsa::P87,
                other => panic!("webtoken exported an AKP JWK with alg {other:?}"),
            };
            Parts::MlDsa {
                set,
                public: Some(required("pub")),
                seed: member("priv"),
            }
        }
        other => panic!("webtoken exported a JWK of kty {other:?} for a DER key"),
    }
}

// ---------------------------------------------------------------------------------------------
// End of the webtoken adapter. Below: RustCrypto's opinion and the comparison.
// ---------------------------------------------------------------------------------------------

/// The parts of a key, as compared between the two readers. Integers are big-endian magnitudes
/// without leading zeros.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Parts {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        /// d, p, q, dp, dq, qi.
        private: Option<Box<[Vec<u8>; 6]>>,
    },
    Ec {
        curve: Curve,
        /// The encoded point; `None` when the document holds none.
        point: Option<Vec<u8>>,
        /// The private scalar, as encoded (fixed length).
        d: Option<Vec<u8>>,
    },
    Ed25519 {
        public: Vec<u8>,
        seed: Option<Vec<u8>>,
    },
    MlDsa {
        set: MlDsa,
        /// The raw public key; `None` on RustCrypto's side for a PKCS#8 document that holds
        /// none (known disagreement 3).
        public: Option<Vec<u8>>,
        /// The 32-byte seed.
        seed: Option<Vec<u8>>,
    },
}

impl Parts {
    fn public(&self) -> Self {
        match self.clone() {
            Self::Rsa { n, e, .. } => Self::Rsa {
                n,
                e,
                private: None,
            },
            Self::Ec { curve, point, .. } => Self::Ec {
                curve,
                point,
                d: None,
            },
            Self::Ed25519 { public, .. } => Self::Ed25519 { public, seed: None },
            Self::MlDsa { set, public, .. } => Self::MlDsa {
                set,
                public,
                seed: None,
            },
        }
    }

    /// `self` (webtoken's reading) equals `theirs`, except where `theirs` is an ML-DSA private
    /// key without a public key: then webtoken's derived public key is not compared (known
    /// disagreement 3).
    fn agrees_with(&self, theirs: &Self) -> bool {
        match (self, theirs) {
            (
                Self::MlDsa { set, seed, .. },
                Self::MlDsa {
                    set: their_set,
                    public: None,
                    seed: their_seed,
                },
            ) => set == their_set && seed == their_seed && seed.is_some(),
            _ => self == theirs,
        }
    }
}

/// The ML-DSA parameter sets (FIPS 204).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MlDsa {
    P44,
    P65,
    P87,
}

impl MlDsa {
    fn algorithm(self) -> Algorithm {
        match self {
            Self::P44 => Algorithm::MlDsa44,
            Self::P65 => Algorithm::MlDsa65,
            Self::P87 => Algorithm::MlDsa87,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
    P521,
    Secp256k1,
}

/// The documents webtoken's entry points read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Container {
    Spki,
    /// An SPKI, or a PKCS#1 `RSAPublicKey` (at most one of them parses: an SPKI's SEQUENCE
    /// starts with a SEQUENCE, an `RSAPublicKey`'s with an INTEGER).
    SpkiOrPkcs1Public,
    Certificate,
    Pkcs8,
    /// A PKCS#8, or a PKCS#1 `RSAPrivateKey` (after the version, an `AlgorithmIdentifier`
    /// SEQUENCE or the modulus INTEGER).
    Pkcs8OrPkcs1Private,
    Sec1,
}

// RustCrypto's names for the OIDs, spelled here in dotted form (not from webtoken's tables).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
// id-ml-dsa-44/65/87 (NIST CSOR; RFC 9881 §2).
const ID_ML_DSA_44: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.17");
const ID_ML_DSA_65: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.18");
const ID_ML_DSA_87: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.19");

type Opinion = Result<Parts, String>;

fn err(what: &str) -> impl FnOnce(der::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// RustCrypto's reading of `der` as a `container`.
fn rustcrypto(container: Container, der: &[u8]) -> Opinion {
    match container {
        Container::Spki => spki_parts(SubjectPublicKeyInfoRef::from_der(der).map_err(err("spki"))?),
        Container::SpkiOrPkcs1Public => match SubjectPublicKeyInfoRef::from_der(der) {
            Ok(spki) => spki_parts(spki),
            Err(spki_error) => {
                let key = pkcs1::RsaPublicKey::from_der(der)
                    .map_err(|e| format!("spki: {spki_error}; pkcs1 RSAPublicKey: {e}"))?;
                Ok(rsa_public_parts(&key))
            }
        },
        Container::Certificate => certificate_parts(der),
        Container::Pkcs8 => pkcs8_parts(der),
        Container::Pkcs8OrPkcs1Private => match pkcs8_parts(der) {
            Ok(parts) => Ok(parts),
            Err(pkcs8_error) => {
                let key = pkcs1::RsaPrivateKey::from_der(der)
                    .map_err(|e| format!("{pkcs8_error}; pkcs1 RSAPrivateKey: {e}"))?;
                rsa_private_parts(&key)
            }
        },
        Container::Sec1 => {
            let key = sec1::EcPrivateKey::from_der(der).map_err(err("sec1"))?;
            let curve = match key.parameters {
                Some(sec1::EcParameters::NamedCurve(oid)) => curve(oid)?,
                None => return Err("sec1: ECPrivateKey without parameters".into()),
            };
            Ok(Parts::Ec {
                curve,
                point: key.public_key.map(<[u8]>::to_vec),
                d: Some(key.private_key.to_vec()),
            })
        }
    }
}

/// The key type an `AlgorithmIdentifier` names, with the parameters each requires:
/// rsaEncryption with NULL (RFC 3279 §2.3.1), id-ecPublicKey with a named curve (RFC 5480
/// §2.1.1), id-Ed25519 with none (RFC 8410 §3), id-ml-dsa-* with none (RFC 9881 §2).
#[derive(Clone, Copy, Debug)]
enum Kind {
    Rsa,
    Ec(Curve),
    Ed25519,
    MlDsa(MlDsa),
}

fn kind(algorithm: &AlgorithmIdentifierRef<'_>) -> Result<Kind, String> {
    let params = algorithm.parameters;
    match algorithm.oid {
        RSA_ENCRYPTION => match params {
            Some(any) if any.tag() == Tag::Null && any.value().is_empty() => Ok(Kind::Rsa),
            other => Err(format!("rsaEncryption with parameters {other:?}, not NULL")),
        },
        ID_EC_PUBLIC_KEY => {
            let any = params.ok_or("id-ecPublicKey without parameters")?;
            let oid: ObjectIdentifier = any.decode_as().map_err(err("namedCurve"))?;
            Ok(Kind::Ec(curve(oid)?))
        }
        ID_ED25519 => match params {
            None => Ok(Kind::Ed25519),
            Some(any) => Err(format!("id-Ed25519 with parameters {any:?}")),
        },
        ID_ML_DSA_44 | ID_ML_DSA_65 | ID_ML_DSA_87 => {
            let set = match algorithm.oid {
                ID_ML_DSA_44 => MlDsa::P44,
                ID_ML_DSA_65 => MlDsa::P65,
                _ => MlDsa::P87,
            };
            match params {
                None => Ok(Kind::MlDsa(set)),
                Some(any) => Err(format!("id-{set:?} with parameters {any:?}")),
            }
        }
        other => Err(format!("key algorithm {other} is not compared")),
    }
}

fn curve(oid: ObjectIdentifier) -> Result<Curve, String> {
    match oid {
        SECP256R1 => Ok(Curve::P256),
        SECP384R1 => Ok(Curve::P384),
        SECP521R1 => Ok(Curve::P521),
        SECP256K1 => Ok(Curve::Secp256k1),
        other => Err(format!("curve {other} is not compared")),
    }
}

fn spki_parts(spki: SubjectPublicKeyInfoRef<'_>) -> Opinion {
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or("subjectPublicKey has unused bits")?;
    Ok(match kind(&spki.algorithm)? {
        Kind::Rsa => rsa_public_parts(&pkcs1::RsaPublicKey::from_der(key).map_err(err("pkcs1"))?),
        Kind::Ec(curve) => Parts::Ec {
            curve,
            point: Some(key.to_vec()),
            d: None,
        },
        Kind::Ed25519 => Parts::Ed25519 {
            public: key.to_vec(),
            seed: None,
        },
        Kind::MlDsa(set) => Parts::MlDsa {
            set,
            public: Some(key.to_vec()),
            seed: None,
        },
    })
}

fn rsa_public_parts(key: &pkcs1::RsaPublicKey<'_>) -> Parts {
    Parts::Rsa {
        n: magnitude(key.modulus.as_bytes()),
        e: magnitude(key.public_exponent.as_bytes()),
        private: None,
    }
}

fn rsa_private_parts(key: &pkcs1::RsaPrivateKey<'_>) -> Opinion {
    if key.other_prime_infos.is_some() {
        return Err("multi-prime RSAPrivateKey is not compared".into());
    }
    Ok(Parts::Rsa {
        n: magnitude(key.modulus.as_bytes()),
        e: magnitude(key.public_exponent.as_bytes()),
        private: Some(Box::new(
            [
                key.private_exponent,
                key.prime1,
                key.prime2,
                key.exponent1,
                key.exponent2,
                key.coefficient,
            ]
            .map(|x| magnitude(x.as_bytes())),
        )),
    })
}

fn pkcs8_parts(der: &[u8]) -> Opinion {
    match pkcs8::PrivateKeyInfo::from_der(der) {
        Ok(info) => pkcs8_info_parts(&info),
        Err(e) => Err(format!("pkcs8: {e}")),
    }
}

fn pkcs8_info_parts(info: &pkcs8::PrivateKeyInfo<'_>) -> Opinion {
    match kind(&info.algorithm)? {
        // An RSA PrivateKeyInfo's publicKey (webtoken refuses one) is not a part compared.
        Kind::Rsa => rsa_private_parts(
            &pkcs1::RsaPrivateKey::from_der(info.private_key).map_err(err("pkcs1"))?,
        ),
        Kind::Ec(curve) => {
            let key = sec1::EcPrivateKey::from_der(info.private_key).map_err(err("sec1"))?;
            if let Some(sec1::EcParameters::NamedCurve(oid)) = key.parameters {
                if self::curve(oid)? != curve {
                    return Err("ECPrivateKey names another curve than the PrivateKeyInfo".into());
                }
            }
            let point = match (key.public_key, info.public_key) {
                (Some(a), Some(b)) if a != b => {
                    return Err("the ECPrivateKey and PKCS#8 public keys differ".into());
                }
                (a, b) => a.or(b).map(<[u8]>::to_vec),
            };
            Ok(Parts::Ec {
                curve,
                point,
                d: Some(key.private_key.to_vec()),
            })
        }
        Kind::Ed25519 => {
            // CurvePrivateKey ::= OCTET STRING (RFC 8410 §7).
            let seed = OctetStringRef::from_der(info.private_key)
                .map_err(err("CurvePrivateKey"))?
                .as_bytes();
            // The public key is the v2 document's, else derived from the seed (ring, not
            // webtoken, derives it: only the parsing is under test).
            let public = match info.public_key {
                Some(public) => public.to_vec(),
                None => ring::signature::Ed25519KeyPair::from_seed_unchecked(seed)
                    .map_err(|e| format!("Ed25519 seed: {e}"))
                    .map(|pair| {
                        ring::signature::KeyPair::public_key(&pair)
                            .as_ref()
                            .to_vec()
                    })?,
            };
            Ok(Parts::Ed25519 {
                public,
                seed: Some(seed.to_vec()),
            })
        }
        Kind::MlDsa(set) => Ok(Parts::MlDsa {
            set,
            public: info.public_key.map(<[u8]>::to_vec),
            seed: Some(ml_dsa_seed(info.private_key)?),
        }),
    }
}

/// Known disagreement 3: the seed of an `ML-DSA-PrivateKey` (RFC 9881 §6), read with `der`:
///
/// ```text
/// ML-DSA-PrivateKey ::= CHOICE {
///   seed [0] IMPLICIT OCTET STRING (SIZE (32)),
///   expandedKey OCTET STRING,
///   both SEQUENCE { seed OCTET STRING (SIZE (32)), expandedKey OCTET STRING } }
/// ```
///
/// The `expandedKey` form has no seed, so it is an error here (webtoken refuses it too).
fn ml_dsa_seed(der: &[u8]) -> Result<Vec<u8>, String> {
    const SEED: u8 = 0x80; // [0] IMPLICIT, primitive
    let any = AnyRef::from_der(der).map_err(err("ML-DSA-PrivateKey"))?;
    let seed = match any.tag() {
        Tag::ContextSpecific {
            constructed: false,
            number,
        } if number.value() == 0 => any.value().to_vec(),
        Tag::Sequence => {
            let seed = any
                .sequence(|both| {
                    let seed = OctetStringRef::decode(both)?;
                    OctetStringRef::decode(both)?; // expandedKey
                    Ok(seed)
                })
                .map_err(err("ML-DSA-PrivateKey both"))?;
            seed.as_bytes().to_vec()
        }
        Tag::OctetString => return Err("ML-DSA-PrivateKey expandedKey alone: no seed".into()),
        other => return Err(format!("ML-DSA-PrivateKey of tag {other} (not {SEED:#x}, a SEQUENCE or an OCTET STRING)")),
    };
    if seed.len() == 32 {
        Ok(seed)
    } else {
        Err(format!("an ML-DSA seed of {} bytes", seed.len()))
    }
}

/// Known disagreement 2 (see the top of this file): `der`'s reading of the certificate frame
/// webtoken reads (RFC 5280 §4.1), with `spki` for the key; then x509-cert's full reading, which
/// must agree when it parses.
fn certificate_parts(der: &[u8]) -> Opinion {
    let spki = certificate_frame_spki(der).map_err(err("certificate frame"))?;
    let parts = spki_parts(spki)?;
    if let Ok(cert) = x509_cert::Certificate::from_der(der) {
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(err("x509-cert SPKI re-encoding"))?;
        let full = rustcrypto(Container::Spki, &spki);
        if full.as_ref() != Ok(&parts) {
            return Err(format!(
                "x509-cert reads the key as {full:?}, the frame reading as {parts:?}"
            ));
        }
    }
    Ok(parts)
}

fn certificate_frame_spki(der: &[u8]) -> der::Result<SubjectPublicKeyInfoRef<'_>> {
    const VERSION: u8 = 0xa0; // [0] EXPLICIT
    const ISSUER_UNIQUE_ID: u8 = 0x81; // [1] IMPLICIT BIT STRING
    const SUBJECT_UNIQUE_ID: u8 = 0x82; // [2] IMPLICIT BIT STRING
    const EXTENSIONS: u8 = 0xa3; // [3] EXPLICIT
    fn element<'a>(r: &mut impl Reader<'a>, tag: Tag) -> der::Result<AnyRef<'a>> {
        let any = AnyRef::decode(r)?;
        any.tag().assert_eq(tag)?;
        Ok(any)
    }
    fn optional<'a>(r: &mut impl Reader<'a>, tag: u8) -> der::Result<()> {
        if r.peek_byte() == Some(tag) {
            AnyRef::decode(r)?;
        }
        Ok(())
    }
    let mut reader = SliceReader::new(der)?;
    let spki = reader.sequence(|cert| {
        let spki = cert.sequence(|tbs| {
            optional(tbs, VERSION)?;
            element(tbs, Tag::Integer)?; // serialNumber: skipped, as webtoken does
            element(tbs, Tag::Sequence)?; // signature
            element(tbs, Tag::Sequence)?; // issuer
            element(tbs, Tag::Sequence)?; // validity
            element(tbs, Tag::Sequence)?; // subject
            let spki = SubjectPublicKeyInfoRef::decode(tbs)?;
            optional(tbs, ISSUER_UNIQUE_ID)?;
            optional(tbs, SUBJECT_UNIQUE_ID)?;
            optional(tbs, EXTENSIONS)?;
            Ok(spki)
        })?;
        element(cert, Tag::Sequence)?; // signatureAlgorithm
        element(cert, Tag::BitString)?; // signatureValue
        Ok(spki)
    })?;
    reader.finish(spki)
}

fn magnitude(bytes: &[u8]) -> Vec<u8> {
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    bytes[skip..].to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn run(data: &[u8]) {
    for entry in Entry::ALL {
        let Some(loaded) = webtoken_load(entry, data) else {
            continue;
        };
        let theirs = rustcrypto(entry.container(), data);
        match &theirs {
            Err(reason) => panic!(
                "webtoken's {entry:?} accepted a key RustCrypto does not read ({reason}); input {}",
                hex(data)
            ),
            Ok(parts) => assert!(
                loaded.parts.agrees_with(parts),
                "webtoken's {entry:?} and RustCrypto read different parts: {:?} / {parts:?}; \
                 input {}",
                loaded.parts,
                hex(data)
            ),
        }
        assert_eq!(
            Some(loaded.algorithm),
            entry.algorithm_for(&loaded.parts),
            "webtoken's {entry:?} bound the key to an algorithm its parts do not give; input {}",
            hex(data)
        );
        let again = rustcrypto(loaded.export_container, &loaded.export);
        assert!(
            again.as_ref().is_ok_and(|again| loaded.parts.agrees_with(again)),
            "webtoken's {:?} export of the key read by {entry:?} reads back differently: {}",
            loaded.export_container,
            hex(&loaded.export)
        );
    }
}
