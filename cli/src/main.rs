//! `jwt`: encode, decode and verify JSON Web Tokens, make keys and print public JWKs from the
//! command line. Its flags, output, exit codes and error kinds are a public contract (docs/cli.md).
//!
//! Install with `cargo install --path cli`, or build with `cargo build --release -p webtoken-cli`
//! and run `target/release/jwt --help`.

use std::borrow::Cow;
use std::ffi::OsString;
use std::io::{self, IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, CommandFactory as _, Parser, Subcommand, ValueEnum};
use serde_json::{Map, Value};
use webtoken::keys::{Jwk, JwkSet, KeyError, KeyErrorCategory};
use webtoken::{
    Algorithm, AlgorithmFamily, AlgorithmSet, Error, ErrorKind, KeySource, NumericDate, SigningKey,
    UnknownKeyError, Validation, VerifyingKey,
};

#[derive(Parser)]
#[command(
    name = "jwt",
    version,
    about = "Encode, decode and verify JSON Web Tokens; make keys; print public JWKs.",
    after_help = "Key files are read by content: PEM (-----BEGIN), a JWK or JWK Set ({), \
                  anything else is the raw bytes of an HMAC secret. Text may be UTF-8 or \
                  UTF-16, with or without a byte order mark; OpenSSH keys, DER and UTF-16 text \
                  that is no key are refused, and no key in any form is used as a secret.\n\
                  Exit codes: 0 success, 1 invalid token (or claims), 2 usage error or unusable key."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign claims as a compact JWT and print it.
    Encode(EncodeArgs),
    /// Print a token's header and claims WITHOUT verifying it.
    Decode(DecodeArgs),
    /// Verify a token's signature and claims, and print its claims.
    Verify(VerifyArgs),
    /// Generate an HMAC secret or an ES256, ES384 or EdDSA private key.
    #[command(
        after_help = "HMAC secrets have no PEM form: with --format pem (the default) the \
                            secret is printed as one line of base64url, for --secret-b64; with \
                            --format jwk it is an oct JWK, for --key. Private keys are PKCS#8 PEM \
                            or a private JWK; a JWK's kid is its RFC 7638 thumbprint."
    )]
    Keygen(KeygenArgs),
    /// Print the public JWK of a key, with its RFC 7638 thumbprint as kid.
    Jwk(JwkArgs),
}

/// Where the key comes from: exactly one of the three.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct KeyArgs {
    /// Key file: PEM, JWK, JWK Set, or the raw bytes of an HMAC secret.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// HMAC secret: the UTF-8 bytes of the string.
    #[arg(long, value_name = "STRING", allow_hyphen_values = true)]
    secret: Option<String>,
    /// HMAC secret: unpadded base64url.
    // A base64url secret may start with '-': never read it as a flag.
    #[arg(long, value_name = "B64URL", value_parser = parse_base64url, allow_hyphen_values = true)]
    secret_b64: Option<SecretBytes>,
}

#[derive(Args)]
struct EncodeArgs {
    /// The algorithm to sign with (HS256..HS512, RS256..RS512, PS256..PS512, ES256, ES384, EdDSA).
    #[arg(long, value_name = "ALG", value_parser = parse_algorithm)]
    alg: Algorithm,
    #[command(flatten)]
    key: KeyArgs,
    /// The header's kid (default: the key's kid, if it has one).
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
    /// The header's typ (default: JWT).
    #[arg(long, value_name = "TYP")]
    typ: Option<String>,
    /// More header parameters, as a JSON object.
    #[arg(long, value_name = "JSON", value_parser = parse_json_object)]
    header: Option<Map<String, Value>>,
    /// exp: a Unix time, or +DURATION from now (+30s, +15m, +2h, +7d).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    exp: Option<TimeSpec>,
    /// Do not add iat (the current time).
    #[arg(long)]
    no_iat: bool,
    /// The claims, a JSON object; `-` or absent: read from standard input.
    #[arg(value_name = "CLAIMS_JSON")]
    claims: Option<OsString>,
}

#[derive(Args)]
struct DecodeArgs {
    /// The token; `-` or absent: read from standard input.
    #[arg(value_name = "TOKEN")]
    token: Option<OsString>,
}

#[derive(Args)]
struct VerifyArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// An accepted algorithm (repeatable). Default: the key's own algorithms.
    #[arg(long, value_name = "ALG", value_parser = parse_algorithm)]
    alg: Vec<Algorithm>,
    /// An accepted issuer (repeatable); makes iss required.
    #[arg(long, value_name = "ISS")]
    iss: Vec<String>,
    /// An accepted audience (repeatable); makes aud required.
    #[arg(long, value_name = "AUD")]
    aud: Vec<String>,
    /// The required subject; makes sub required.
    #[arg(long, value_name = "SUB")]
    sub: Option<String>,
    /// The required typ (case-insensitive, `application/` ignored).
    #[arg(long, value_name = "TYP")]
    typ: Option<String>,
    /// Leeway for exp, nbf and iat, in seconds [default: 60].
    #[arg(long, value_name = "SECONDS")]
    leeway: Option<u64>,
    /// The current time, in Unix seconds [default: the system clock].
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// A claim the token must have (repeatable).
    #[arg(long, value_name = "CLAIM")]
    require: Vec<String>,
    /// The token; `-` or absent: read from standard input.
    #[arg(value_name = "TOKEN")]
    token: Option<OsString>,
}

#[derive(Args)]
struct KeygenArgs {
    /// HS256, HS384, HS512, ES256, ES384 or EdDSA.
    #[arg(long, value_name = "ALG", value_parser = parse_algorithm)]
    alg: Algorithm,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Pem)]
    format: Format,
}

#[derive(Args)]
struct JwkArgs {
    /// Key file: PEM (private, public or certificate) or JWK.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Pem,
    Jwk,
}

/// Secret bytes from `--secret-b64`.
#[derive(Clone)]
struct SecretBytes(Vec<u8>);

/// An `--exp` value.
#[derive(Clone, Copy)]
enum TimeSpec {
    At(i64),
    FromNow(u64),
}

fn parse_algorithm(name: &str) -> Result<Algorithm, String> {
    if name.eq_ignore_ascii_case("none") {
        return Err("alg none is not supported: tokens are always signed".into());
    }
    name.parse().map_err(|_| {
        let names: Vec<&str> = Algorithm::ALL.iter().map(|a| a.as_str()).collect();
        format!("unknown algorithm; expected one of {}", names.join(", "))
    })
}

fn parse_base64url(text: &str) -> Result<SecretBytes, String> {
    webtoken::base64url::decode(text)
        .map(SecretBytes)
        .map_err(|_| "not unpadded base64url (alphabet A-Z a-z 0-9 - _, no = padding)".into())
}

fn parse_json_object(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("must be a JSON object".into()),
        Err(e) => Err(format!("not JSON: {e}")),
    }
}

fn parse_time(text: &str) -> Result<TimeSpec, String> {
    const EXPECTED: &str = "expected a Unix time or +DURATION (+30s, +15m, +2h, +7d)";
    let Some(duration) = text.strip_prefix('+') else {
        return text.parse().map(TimeSpec::At).map_err(|_| EXPECTED.into());
    };
    let mut chars = duration.chars();
    let seconds_per_unit = match chars.next_back() {
        Some('s') => 1,
        Some('m') => 60,
        Some('h') => 3600,
        Some('d') => 86_400,
        _ => return Err(EXPECTED.into()),
    };
    let amount = chars.as_str();
    if amount.is_empty() || !amount.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EXPECTED.into());
    }
    amount
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(seconds_per_unit))
        .map(TimeSpec::FromNow)
        .ok_or_else(|| "duration is too large".into())
}

/// Why a command failed, and so what it prints and its exit code.
enum Failure {
    /// A library error, or one of its kinds with our own message: `error: KIND: message`.
    Kind(ErrorKind, String),
    /// A usage error, reported as clap reports its own (exit 2).
    Usage(clap::Error),
    /// Standard input or output failed (exit 2).
    Io(String),
    /// Standard output was closed by its reader: exit 2 without a message.
    Quiet,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Kind(e.kind(), e.to_string())
    }
}

impl From<KeyError> for Failure {
    fn from(e: KeyError) -> Self {
        Error::from(e).into()
    }
}

impl Failure {
    fn key(message: impl Into<String>) -> Self {
        Self::Kind(ErrorKind::InvalidKey, message.into())
    }

    fn usage(message: impl std::fmt::Display) -> Self {
        Self::Usage(
            Cli::command().error(clap::error::ErrorKind::ValueValidation, message.to_string()),
        )
    }

    /// Prints the failure on stderr and returns the exit code: 2 for usage and key problems,
    /// 1 for an invalid token or invalid claims.
    fn report(self) -> ExitCode {
        match self {
            Self::Kind(kind, message) => {
                let message = message.replace(['\n', '\r'], " ");
                eprintln!("error: {}: {message}", kind.as_str());
                ExitCode::from(if kind == ErrorKind::InvalidKey { 2 } else { 1 })
            }
            Self::Usage(e) => {
                // Printing to stderr can only fail when stderr is gone; nothing is left to tell.
                let _ = e.print();
                ExitCode::from(2)
            }
            Self::Io(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
            Self::Quiet => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Encode(args) => encode(&args),
        Command::Decode(args) => decode(&args),
        Command::Verify(args) => verify(&args),
        Command::Keygen(args) => keygen(&args),
        Command::Jwk(args) => jwk(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

// ---------------------------------------------------------------------------------------------
// Input and output

/// An argument, or standard input when it is absent or `-` (one trailing newline ignored).
fn read_input(arg: Option<&OsString>, what: &str) -> Result<Vec<u8>, Failure> {
    if let Some(arg) = arg.filter(|a| *a != "-") {
        return Ok(arg.as_encoded_bytes().to_vec());
    }
    let mut stdin = io::stdin().lock();
    if stdin.is_terminal() {
        eprintln!("reading the {what} from standard input (end with Ctrl-D)");
    }
    let mut bytes = Vec::new();
    stdin
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Io(format!("cannot read the {what} from standard input: {e}")))?;
    if bytes.ends_with(b"\r\n") {
        bytes.truncate(bytes.len() - 2);
    } else if bytes.ends_with(b"\n") {
        bytes.pop();
    }
    Ok(bytes)
}

/// The token as text: bytes that are not UTF-8 become U+FFFD, which the token parser refuses
/// as `malformed` like any other character outside the base64url alphabet.
fn read_token(arg: Option<&OsString>) -> Result<String, Failure> {
    Ok(String::from_utf8_lossy(&read_input(arg, "token")?).into_owned())
}

fn print_line(line: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(|e| match e.kind() {
            // The reader went away (`jwt ... | head`): nothing to tell it.
            io::ErrorKind::BrokenPipe => Failure::Quiet,
            _ => Failure::Io(format!("cannot write to standard output: {e}")),
        })
}

fn to_json(value: &impl serde::Serialize) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| Failure::Io(format!("cannot write JSON: {e}")))
}

// ---------------------------------------------------------------------------------------------
// Keys

/// A key as read from `--key`, `--secret` or `--secret-b64`.
enum KeyInput {
    Secret(Vec<u8>),
    Pem(String),
    Jwk(Jwk),
    JwkSet(JwkSet),
}

fn load_key(args: &KeyArgs) -> Result<KeyInput, Failure> {
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
fn read_key_file(path: &Path) -> Result<KeyInput, Failure> {
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
                return Ok(KeyInput::Pem(text.to_owned()));
            }
            if text.starts_with('{') {
                return read_jwk(text);
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
    Ok(KeyInput::Secret(bytes))
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

/// The algorithms a PEM key serves by itself: RSA keys RS*/PS*, EC keys by curve, Ed25519.
fn pem_algorithms(pem: &str) -> Result<AlgorithmSet, Error> {
    match VerifyingKey::from_pem(pem, None) {
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
fn own_algorithms(key: &KeyInput) -> Result<AlgorithmSet, Failure> {
    Ok(match key {
        KeyInput::Secret(_) => AlgorithmSet::family(AlgorithmFamily::Hmac),
        KeyInput::Pem(pem) => pem_algorithms(pem)?,
        KeyInput::Jwk(jwk) => jwk_algorithms(jwk),
        KeyInput::JwkSet(set) => set.iter().flat_map(|k| jwk_algorithms(k).iter()).collect(),
    })
}

/// The verifying keys of a secret or PEM key, one per accepted algorithm it can serve.
struct BoundKeys {
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
enum Verifier {
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

fn verifier(key: KeyInput, algorithms: AlgorithmSet) -> Result<Verifier, Failure> {
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

fn signing_key(
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

// ---------------------------------------------------------------------------------------------
// encode

fn encode(args: &EncodeArgs) -> Result<(), Failure> {
    let key = signing_key(&load_key(&args.key)?, args.alg, args.kid.as_deref())?;
    let header = header_json(args, &key)?;
    let text = read_input(args.claims.as_ref(), "claims")?;
    let claims = claims_with_times(parse_claims(&text)?, args)?;
    let payload = serde_json::to_vec(&claims).map_err(|e| Failure::Io(e.to_string()))?;
    let token = webtoken::jws::sign_with_header_json(&header, &payload, &key)?;
    // Never print a token that `verify` would refuse for its shape or claim types.
    webtoken::dangerous::decode_unverified::<serde::de::IgnoredAny>(&token)?;
    print_line(&token)
}

/// The header: `--header`'s parameters, then `alg`, `kid` and `typ` (default `JWT`).
fn header_json(args: &EncodeArgs, key: &SigningKey) -> Result<String, Failure> {
    let mut header = args.header.clone().unwrap_or_default();
    let alg = args.alg.as_str();
    if header.get("alg").is_some_and(|v| v != alg) {
        return Err(Failure::usage(format!(
            "--header sets alg to another algorithm than --alg {alg}"
        )));
    }
    header.insert("alg".into(), alg.into());
    if let Some(kid) = args.kid.as_deref().or(key.key_id()) {
        if args.kid.is_some() || !header.contains_key("kid") {
            header.insert("kid".into(), kid.into());
        }
    }
    if let Some(typ) = &args.typ {
        header.insert("typ".into(), typ.as_str().into());
    } else if !header.contains_key("typ") {
        header.insert("typ".into(), "JWT".into());
    }
    to_json(&header)
}

fn parse_claims(text: &[u8]) -> Result<Map<String, Value>, Failure> {
    let malformed = |reason: String| Failure::Kind(ErrorKind::Malformed, reason);
    let text = std::str::from_utf8(text).map_err(|_| malformed("claims are not UTF-8".into()))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(claims)) => Ok(claims),
        Ok(other) => Err(Failure::Kind(
            ErrorKind::InvalidClaim,
            format!("claims must be a JSON object, found {}", json_type(&other)),
        )),
        Err(e) => Err(malformed(format!("claims are not JSON: {e}"))),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Adds `iat` (unless `--no-iat`) and `--exp`; claims already present win.
fn claims_with_times(
    mut claims: Map<String, Value>,
    args: &EncodeArgs,
) -> Result<Map<String, Value>, Failure> {
    let now = unix_now();
    if !args.no_iat {
        claims.entry("iat").or_insert(now.into());
    }
    if let Some(exp) = args.exp {
        let exp = match exp {
            TimeSpec::At(at) => Some(at),
            TimeSpec::FromNow(secs) => i64::try_from(secs).ok().and_then(|s| now.checked_add(s)),
        };
        let exp = exp.ok_or_else(|| Failure::usage("--exp is too far in the future"))?;
        claims.entry("exp").or_insert(exp.into());
    }
    Ok(claims)
}

fn unix_now() -> i64 {
    let signed = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => signed(after),
        Err(before) => -signed(before.duration()),
    }
}

// ---------------------------------------------------------------------------------------------
// decode and verify

fn decode(args: &DecodeArgs) -> Result<(), Failure> {
    let token = read_token(args.token.as_ref())?;
    // Size, shape, header, duplicate names and registered claim types; a token whose only
    // fault is a wrongly typed claim is shown anyway (that is what one debugs).
    if let Err(e) = webtoken::dangerous::decode_unverified::<serde::de::IgnoredAny>(&token) {
        if e.kind() != ErrorKind::InvalidClaim {
            return Err(e.into());
        }
        eprintln!("note: verify would refuse this token: {}: {e}", e.kind());
    }
    let mut segments = token.split('.');
    let header = segment_json(segments.next(), "header")?;
    let claims = segment_json(segments.next(), "payload")?;
    eprintln!("warning: the signature was NOT verified; anyone can forge these claims");
    print_line(&format!(r#"{{"header": {header}, "claims": {claims}}}"#))
}

/// A token segment, already checked by the parser, as compact JSON.
fn segment_json(segment: Option<&str>, name: &str) -> Result<String, Failure> {
    let malformed = || Failure::Kind(ErrorKind::Malformed, format!("{name} is not JSON"));
    let bytes =
        webtoken::base64url::decode(segment.unwrap_or_default()).map_err(|_| malformed())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    to_json(&value)
}

fn verify(args: &VerifyArgs) -> Result<(), Failure> {
    let key = load_key(&args.key)?;
    let algorithms = if args.alg.is_empty() {
        own_algorithms(&key)?
    } else {
        args.alg.iter().copied().collect()
    };
    if algorithms.is_empty() {
        return Err(Failure::key(
            "the key serves no algorithm webtoken implements",
        ));
    }
    let verifier = verifier(key, algorithms)?;
    let validation = validation(args, algorithms);
    let token = read_token(args.token.as_ref())?;
    webtoken::decode::<()>(&token, &verifier, &validation)?;
    print_line(&segment_json(token.split('.').nth(1), "payload")?)
}

fn validation(args: &VerifyArgs, algorithms: AlgorithmSet) -> Validation {
    let mut validation = Validation::new().with_algorithms(algorithms.iter());
    for issuer in &args.iss {
        validation = validation.with_issuer(issuer);
    }
    for audience in &args.aud {
        validation = validation.with_audience(audience);
    }
    if let Some(subject) = &args.sub {
        validation = validation.with_subject(subject);
    }
    if let Some(typ) = &args.typ {
        validation = validation.with_type(typ);
    }
    if let Some(leeway) = args.leeway {
        validation = validation.with_leeway(Duration::from_secs(leeway));
    }
    if let Some(now) = args.now {
        validation = validation.with_fixed_time(NumericDate::from_secs(now));
    }
    for claim in &args.require {
        validation = validation.require(claim);
    }
    validation
}

// ---------------------------------------------------------------------------------------------
// keygen and jwk

fn keygen(args: &KeygenArgs) -> Result<(), Failure> {
    if args.alg.family() == AlgorithmFamily::Hmac {
        let secret = webtoken::keys::generate_hmac_secret(args.alg)?;
        return match args.format {
            Format::Pem => print_line(&webtoken::base64url::encode(&secret)),
            Format::Jwk => {
                let jwk = Jwk::from_hmac_secret(&secret, args.alg)?.with_thumbprint_kid();
                print_line(&to_json(&jwk)?)
            }
        };
    }
    if args.alg.family() == AlgorithmFamily::Rsa {
        return Err(Failure::key(
            "RSA keys cannot be generated here; make one with \
             `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem`",
        ));
    }
    let key = SigningKey::generate(args.alg)?;
    match args.format {
        Format::Pem => print_line(key.to_pkcs8_pem()?.trim_end()),
        Format::Jwk => {
            let key = key.clone().with_key_id(key.thumbprint()?);
            print_line(&to_json(&key.to_private_jwk()?)?)
        }
    }
}

fn jwk(args: &JwkArgs) -> Result<(), Failure> {
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
    print_line(&to_json(&public.with_thumbprint_kid())?)
}

/// The public JWK of a PEM key. An RSA key serves several algorithms, so its JWK has no `alg`.
fn public_jwk_from_pem(pem: &str) -> Result<Jwk, Failure> {
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
