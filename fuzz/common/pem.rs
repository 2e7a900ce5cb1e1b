// Target `pem`: any bytes through every PEM constructor (and, as raw bytes, every DER one).
// A key that loads exports to PEM and loads again bound to the same algorithm.

use webtoken::{Algorithm, SigningKey, VerifyingKey};

const BINDINGS: [Option<Algorithm>; 6] = [
    None,
    Some(Algorithm::Rs256),
    Some(Algorithm::Ps512),
    Some(Algorithm::Es256),
    Some(Algorithm::EdDsa),
    Some(Algorithm::Hs256),
];

pub(crate) fn run(data: &[u8]) {
    if let Ok(pem) = std::str::from_utf8(data) {
        for algorithm in BINDINGS {
            check_public(VerifyingKey::from_pem(pem, algorithm));
            check_public(VerifyingKey::from_certificate_pem(pem, algorithm));
            check_private(SigningKey::from_pem(pem, algorithm));
        }
        for algorithm in [Algorithm::Rs256, Algorithm::Ps384, Algorithm::Hs256] {
            check_public(VerifyingKey::rsa_pem(pem, algorithm));
            check_private(SigningKey::rsa_pem(pem, algorithm));
        }
        check_public(VerifyingKey::ecdsa_pem(pem));
        check_public(VerifyingKey::ed25519_pem(pem));
        check_private(SigningKey::ecdsa_pem(pem));
        check_private(SigningKey::ed25519_pem(pem));
    }
    for algorithm in BINDINGS {
        check_public(VerifyingKey::from_spki_der(data, algorithm));
        check_public(VerifyingKey::from_certificate_der(data, algorithm));
        check_private(SigningKey::from_pkcs8_der(data, algorithm));
    }
    check_public(VerifyingKey::rsa_der(data, Algorithm::Rs256));
    check_public(VerifyingKey::from_spki_der(data, None));
    check_public(VerifyingKey::from_spki_der(data, None));
    check_private(SigningKey::from_sec1_der(data));
}

fn check_public(key: Result<VerifyingKey, webtoken::Error>) {
    let Ok(key) = key else { return };
    let pem = key.to_pem().expect("a loaded public key exports");
    let again = VerifyingKey::from_pem(&pem, Some(key.algorithm())).expect("its PEM loads");
    assert_eq!(again.algorithm(), key.algorithm());
}

fn check_private(key: Result<SigningKey, webtoken::Error>) {
    let Ok(key) = key else { return };
    let pem = key.to_pkcs8_pem().expect("a loaded private key exports");
    let again = SigningKey::from_pem(&pem, Some(key.algorithm())).expect("its PEM loads");
    assert_eq!(again.algorithm(), key.algorithm());
}
