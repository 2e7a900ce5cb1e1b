//! Why a command failed: the `error: KIND: message` line, the exit code, and messages that
//! name this tool's flags (`--aud`) where the library's name its own calls.

use std::process::ExitCode;

use clap::CommandFactory as _;
use webtoken::keys::KeyError;
use webtoken::{AlgorithmRejection, ClaimError, Error, ErrorKind, MalformedError};

use crate::args::Cli;
use crate::output::Output;

/// Why a command failed, and so what it prints and its exit code.
pub(crate) enum Failure {
    /// The token (given to `verify` or `decode`) is invalid: `error: KIND: message`, exit 1
    /// (exit 2 for `invalid_key`).
    Kind(ErrorKind, String),
    /// Input the user gave that cannot be used, such as claims for `encode` that are not a
    /// JSON object: `error: KIND: message`, exit 2.
    Input(ErrorKind, String),
    /// A usage error, reported as clap reports its own (exit 2).
    Usage(clap::Error),
    /// Standard input or output failed (exit 2).
    Io(String),
    /// Standard output was closed by its reader: exit 2 without a message.
    Quiet,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Kind(e.kind(), message(&e))
    }
}

impl From<KeyError> for Failure {
    fn from(e: KeyError) -> Self {
        Error::from(e).into()
    }
}

impl Failure {
    pub(crate) fn key(message: impl Into<String>) -> Self {
        Self::Kind(ErrorKind::InvalidKey, message.into())
    }

    pub(crate) fn usage(message: impl std::fmt::Display) -> Self {
        Self::Usage(
            Cli::command().error(clap::error::ErrorKind::ValueValidation, message.to_string()),
        )
    }

    /// The same failure, as unusable input (exit 2) rather than an invalid token.
    pub(crate) fn into_input(self) -> Self {
        match self {
            Self::Kind(kind, message) => Self::Input(kind, message),
            other => other,
        }
    }

    /// Prints the failure on stderr and returns the exit code: 1 for an invalid token,
    /// 2 for everything else (usage, unusable key or input, I/O).
    pub(crate) fn report(self, output: Output) -> ExitCode {
        match self {
            Self::Kind(kind, message) => {
                output.error_line(&format!("{}: {}", kind.as_str(), one_line(&message)));
                ExitCode::from(if kind == ErrorKind::InvalidKey { 2 } else { 1 })
            }
            Self::Input(kind, message) => {
                output.error_line(&format!("{}: {}", kind.as_str(), one_line(&message)));
                ExitCode::from(2)
            }
            Self::Usage(e) => {
                // Coloured as --color and NO_COLOR say (clap alone knows only NO_COLOR).
                let e = e.format(&mut Cli::command().color(output.clap_color()));
                // Printing to stderr can only fail when stderr is gone; nothing is left to tell.
                let _ = e.print();
                ExitCode::from(2)
            }
            Self::Io(message) => {
                output.error_line(&one_line(&message));
                ExitCode::from(2)
            }
            Self::Quiet => ExitCode::from(2),
        }
    }
}

/// The refusal of a JWE command by a `jwt` built without the `jwe` feature (exit 2).
#[cfg(not(feature = "jwe"))]
pub(crate) fn without_jwe(command: &str) -> Failure {
    Failure::usage(format!(
        "jwt {command}: this jwt was built without encrypted tokens (JWE); build it with the \
         cargo feature `jwe` (on by default): cargo install --path cli --features jwe"
    ))
}

fn one_line(message: &str) -> String {
    message.replace(['\n', '\r'], " ")
}

/// The library's message, with the flag of this tool that changes the outcome where there is
/// one. The library's own advice names its API (`Validation::with_audience`), which means
/// nothing here, so that part is replaced.
fn message(e: &Error) -> String {
    let text = e.to_string();
    match e {
        Error::Claim(ClaimError::UnexpectedAudience { .. }) => {
            let (facts, _advice) = text.split_once("; call ").unwrap_or((&text, ""));
            let facts = facts.replace("but no audience is configured", "but no --aud was given");
            format!("{facts}; pass --aud with one of them to accept it")
        }
        Error::Claim(ClaimError::Missing { claim }) => match claim.as_ref() {
            "exp" => format!(
                "{text}; pass --allow-missing-exp to accept a token without exp (it never \
                 expires)"
            ),
            "iss" | "aud" | "sub" => format!("{text} (--{claim} makes it required)"),
            _ => format!("{text} (--require makes it required)"),
        },
        Error::Claim(
            ClaimError::Expired { .. }
            | ClaimError::NotYetValid { .. }
            | ClaimError::IssuedInFuture { .. },
        ) => format!("{text}; --leeway SECONDS allows more clock skew"),
        Error::Claim(ClaimError::InvalidIssuer { .. }) => format!("{text} (set by --iss)"),
        Error::Claim(ClaimError::InvalidSubject { .. }) => format!("{text} (set by --sub)"),
        Error::Claim(ClaimError::InvalidAudience { .. }) => format!("{text} (set by --aud)"),
        Error::AlgorithmNotAllowed(AlgorithmRejection::NotAllowed { .. }) => {
            format!("{text}; the accepted algorithms are the key's own, or those of --alg")
        }
        Error::InvalidType(_) => format!("{text} (set by --typ)"),
        Error::Malformed(MalformedError::EncryptedToken) => {
            "token has 5 segments: it is an encrypted token (JWE), not a signed one (JWS); \
             decrypt it with jwt decrypt"
                .into()
        }
        #[cfg(feature = "jwe")]
        Error::Malformed(MalformedError::SignedToken) => {
            "token has 3 segments: it is a signed token (JWS), not an encrypted one (JWE); \
             verify it with jwt verify"
                .into()
        }
        #[cfg(feature = "jwe")]
        Error::AlgorithmNotAllowed(AlgorithmRejection::EncryptionNotAllowed { .. }) => {
            format!("{text}; the accepted encryptions are those of --enc (default: all four)")
        }
        Error::Malformed(MalformedError::Header {
            parameter: "cty", ..
        }) if text.contains("decrypt_verified") => "the encrypted token is a nested JWT (cty \
             JWT): its content is a signed token; give the signer's key with --verify-key"
            .into(),
        Error::Malformed(MalformedError::Header {
            parameter: "cty", ..
        }) if text.contains("must be JWT") => format!(
            "{text}; --verify-key is for nested JWTs: without it the claims are read as they are"
        ),
        Error::Key(KeyError::AlgorithmRequired { .. }) => {
            let (facts, _advice) = text.split_once("; name").unwrap_or((&text, ""));
            format!("{facts}; choose one with --alg")
        }
        _ => without_api_names(text),
    }
}

/// A message that names no Rust item: advice of the form `(use ... Type::call)` or
/// `; build ... with Type::call` is the library's, for programmers, and is cut.
fn without_api_names(text: String) -> String {
    if !text.contains("::") {
        return text;
    }
    let cut = ["; build ", " (use ", "; call ", "; use "]
        .iter()
        .filter_map(|advice| text.find(advice))
        .min();
    match cut {
        Some(at) if !text[..at].contains("::") => text[..at].to_owned(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_advice_naming_rust_items_is_cut() {
        assert_eq!(
            without_api_names(
                "an HMAC key does not export its secret; build the JWK with \
                 Jwk::from_hmac_secret"
                    .into()
            ),
            "an HMAC key does not export its secret"
        );
        assert_eq!(
            without_api_names("generating RSA keys (use `openssl` and SigningKey::rsa_pem)".into()),
            "generating RSA keys"
        );
        assert_eq!(without_api_names("plain".into()), "plain");
    }
}
