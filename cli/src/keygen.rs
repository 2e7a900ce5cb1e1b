//! `jwt keygen` (a new secret or private key) and `jwt jwk` (the public JWK of a key).
//!
//! Keygen goes by the algorithm's family: HMAC secrets, then keys the library generates;
//! a new family or algorithm name is one more arm here.

use webtoken::keys::Jwk;
use webtoken::{AlgorithmFamily, SigningKey};

use crate::args::{Format, JwkArgs, KeygenArgs};
use crate::failure::Failure;
use crate::keys::{KeyInput, public_jwk_from_pem, read_key_file};
use crate::output::{Output, print_line};

pub(crate) fn keygen(args: &KeygenArgs, output: Output) -> Result<(), Failure> {
    match args.alg.family() {
        AlgorithmFamily::Hmac => {
            let secret = webtoken::keys::generate_hmac_secret(args.alg)?;
            match args.format {
                Format::Pem => print_line(&webtoken::base64url::encode(&secret)),
                Format::Jwk => {
                    let jwk = Jwk::from_hmac_secret(&secret, args.alg)?.with_thumbprint_kid();
                    output.serialize(&jwk)
                }
            }
        }
        AlgorithmFamily::Rsa => Err(Failure::key(
            "RSA keys cannot be generated here; make one with \
             `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem`",
        )),
        _ => {
            let key = SigningKey::generate(args.alg)?;
            match args.format {
                Format::Pem => print_line(key.to_pkcs8_pem()?.trim_end()),
                Format::Jwk => {
                    let key = key.clone().with_key_id(key.thumbprint()?);
                    output.serialize(&key.to_private_jwk()?)
                }
            }
        }
    }
}

pub(crate) fn jwk(args: &JwkArgs, output: Output) -> Result<(), Failure> {
    let public = match read_key_file(&args.key)? {
        KeyInput::Pem(pem) => public_jwk_from_pem(&pem)?,
        KeyInput::Jwk(jwk) => jwk.to_public()?,
        KeyInput::JwkSet(_) => {
            return Err(Failure::key("a JWK Set holds several keys; give one key"));
        }
        KeyInput::Secret(_) => {
            return Err(Failure::key(
                "an HMAC secret has no public JWK (keygen --format jwk makes an oct JWK)",
            ));
        }
    };
    output.serialize(&public.with_thumbprint_kid())
}
