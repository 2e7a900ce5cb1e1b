//! `jwt keygen` (a new secret or private key) and `jwt jwk` (the public JWK of a key).
//!
//! Keygen goes by the algorithm's family: HMAC secrets, then keys the library generates;
//! a new family or algorithm name is one more arm here.

use webtoken::keys::Jwk;
use webtoken::{AlgorithmFamily, SigningKey};

use crate::args::{Format, JwkArgs, KeygenAlgorithm, KeygenArgs};
use crate::failure::Failure;
use crate::keys::{KeyInput, public_jwk_from_pem, read_key_file};
use crate::output::{Output, print_line};

pub(crate) fn keygen(args: &KeygenArgs, output: Output) -> Result<(), Failure> {
    let alg = match args.alg {
        KeygenAlgorithm::Sign(alg) => alg,
        #[cfg(feature = "jwe")]
        KeygenAlgorithm::Encrypt(name) => return crate::jwe::keygen(name, args, output),
        #[cfg(not(feature = "jwe"))]
        KeygenAlgorithm::Encrypt(name) => {
            return Err(crate::failure::without_jwe(&format!("keygen --alg {name}")));
        }
    };
    let rsa = alg.family() == AlgorithmFamily::Rsa;
    if let Some((flag, for_what)) = [
        ("--crv", args.crv.is_some(), "ECDH-ES keys"),
        ("--bits", args.bits.is_some() && !rsa, "RSA keys"),
        ("--enc", args.enc.is_some(), "dir secrets"),
    ]
    .iter()
    .find_map(|&(flag, given, for_what)| given.then_some((flag, for_what)))
    {
        return Err(Failure::usage(format!(
            "{flag} is only for {for_what}, not {alg}"
        )));
    }
    let format = args.format.unwrap_or(Format::Pem);
    match alg.family() {
        AlgorithmFamily::Hmac => {
            let secret = webtoken::keys::generate_hmac_secret(alg)?;
            match format {
                Format::Pem => print_line(&webtoken::base64url::encode(&secret)),
                Format::Jwk => {
                    let jwk = Jwk::from_hmac_secret(&secret, alg)?.with_thumbprint_kid();
                    output.serialize(&jwk)
                }
            }
        }
        family => {
            let key = if family == AlgorithmFamily::Rsa {
                // clap allows only 2048, 3072 and 4096.
                let bits = args.bits.as_deref().unwrap_or("2048");
                let bits = bits
                    .parse()
                    .map_err(|_| Failure::usage("--bits must be 2048, 3072 or 4096"))?;
                SigningKey::generate_rsa(bits, alg)?
            } else {
                SigningKey::generate(alg)?
            };
            match format {
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
    #[cfg(feature = "jwe")]
    if let crate::keys::KeyText::Json(json) = crate::keys::read_key_text(&args.key)? {
        if let Some(public) = crate::jwe::public_jwk(&json)? {
            return output.json(&public);
        }
    }
    let public = match read_key_file(&args.key)? {
        KeyInput::Pem(pem) => match public_jwk_from_pem(&pem) {
            Ok(public) => public,
            Err(error) => {
                // Not a signing key: an X25519 key (ECDH-ES only) has an encryption JWK.
                #[cfg(feature = "jwe")]
                if let Some(public) = crate::jwe::public_jwk_from_pem(&pem) {
                    return output.json(&public);
                }
                return Err(error);
            }
        },
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
