//! The command line: subcommands, flags and the parsers of their values. Everything here is
//! part of the contract of docs/cli.md.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{Map, Value};
use webtoken::Algorithm;

#[derive(Parser)]
#[command(
    name = "jwt",
    version,
    about = "Encode, decode, verify, encrypt and decrypt JSON Web Tokens; make keys; print \
             public JWKs.",
    after_help = "Key files are read by content: PEM (-----BEGIN), a JWK or JWK Set ({), \
                  anything else is the raw bytes of an HMAC secret. Text may be UTF-8 or \
                  UTF-16, with or without a byte order mark; OpenSSH keys, DER and UTF-16 text \
                  that is no key are refused, and no key in any form is used as a secret.\n\
                  JSON output is pretty (and coloured) on a terminal and one line when piped \
                  or with --json. Colours: never with NO_COLOR set (unless --color=always).\n\
                  Exit codes: 0 success, 1 invalid token, 2 usage error, unusable key or \
                  unusable input (such as claims for encode that are not a JSON object)."
)]
pub(crate) struct Cli {
    /// Print JSON as one line (the form scripts read), even on a terminal.
    #[arg(short = 'j', long, global = true)]
    pub(crate) json: bool,
    /// Write the result to FILE (created or replaced, readable by its owner only) instead of
    /// standard output: one line, no colour. Nothing is written when the command fails.
    #[arg(short = 'o', long, global = true, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Colours: auto (only on a terminal, and never with NO_COLOR set), always, never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Sign claims as a compact JWT and print it.
    Encode(EncodeArgs),
    /// Print a token's header and claims WITHOUT verifying it.
    Decode(DecodeArgs),
    /// Verify a token's signature and claims, and print its claims.
    Verify(VerifyArgs),
    /// Generate an HMAC secret or a private key for any signing algorithm; or an encryption
    /// key (dir/A128KW/A256KW secret, ECDH-ES or RSA-OAEP private key).
    #[command(
        after_help = "HMAC, dir and AES key-wrap secrets have no PEM form: with --format pem \
                      (their default) the secret is printed as one line of base64url, for \
                      --secret-b64; with --format jwk it is an oct JWK, for --key. Signing \
                      keys are PKCS#8 PEM or a private JWK; ECDH-ES and RSA-OAEP keys a \
                      private JWK (use \"enc\"). A JWK's kid is its RFC 7638 thumbprint."
    )]
    Keygen(KeygenArgs),
    /// Print the public JWK of a key, with its RFC 7638 thumbprint as kid.
    Jwk(JwkArgs),
    /// Encrypt claims as a compact JWE (signed first with --sign-key: a nested JWT).
    Encrypt(EncryptArgs),
    /// Decrypt a JWE (and verify a nested JWT with --verify-key), check its claims, print them.
    Decrypt(DecryptArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish, nushell).
    #[command(
        visible_alias = "completion",
        after_help = "Examples:\n  \
                      bash: jwt completions bash > ~/.local/share/bash-completion/completions/jwt\n  \
                      zsh:  jwt completions zsh > ~/.zfunc/_jwt  (with fpath+=~/.zfunc)\n  \
                      fish: jwt completions fish > ~/.config/fish/completions/jwt.fish\n  \
                      powershell: jwt completions powershell | Out-String | Invoke-Expression"
    )]
    Completions(CompletionsArgs),
}

/// Where the key comes from: exactly one of the three.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub(crate) struct KeyArgs {
    /// Key file: PEM, JWK, JWK Set, or the raw bytes of an HMAC secret.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// HMAC secret: the UTF-8 bytes of the string.
    #[arg(short = 'S', long, value_name = "STRING", allow_hyphen_values = true)]
    pub(crate) secret: Option<String>,
    /// HMAC secret: unpadded base64url.
    // A base64url secret may start with '-': never read it as a flag.
    #[arg(long, value_name = "B64URL", value_parser = parse_base64url, allow_hyphen_values = true)]
    pub(crate) secret_b64: Option<SecretBytes>,
}

#[derive(Args)]
pub(crate) struct EncodeArgs {
    /// The algorithm to sign with (HS256..HS512, RS256..RS512, PS256..PS512, ES256, ES384,
    /// ES512, ES256K, EdDSA, Ed25519, ML-DSA-44/65/87). Default: the key's one algorithm (a JWK's alg, ES256 for a P-256 key, ES384 for
    /// P-384, EdDSA for Ed25519, HS256 for a secret); an RSA key needs --alg.
    #[arg(short = 'A', long, value_name = "ALG", value_parser = AlgorithmParser, hide_possible_values = true)]
    pub(crate) alg: Option<Algorithm>,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
    /// The header's kid (default: the key's kid, if it has one).
    #[arg(short = 'k', long, value_name = "KID")]
    pub(crate) kid: Option<String>,
    /// The header's typ (default: JWT).
    #[arg(short = 't', long, value_name = "TYP", conflicts_with = "no_typ")]
    pub(crate) typ: Option<String>,
    /// Do not add typ to the header (a typ in --header stays).
    #[arg(long)]
    pub(crate) no_typ: bool,
    /// More header parameters, as a JSON object.
    #[arg(long, value_name = "JSON", value_parser = parse_json_object)]
    pub(crate) header: Option<Map<String, Value>>,
    #[command(flatten)]
    pub(crate) claims: ClaimArgs,
}

/// The claims of `encode` and `encrypt`: the claims JSON and the flags that add to it.
#[derive(Args)]
pub(crate) struct ClaimArgs {
    /// exp: a Unix time, or a duration from now: +30s, +15m, 12h, +7d, +1w, +1h30m,
    /// "+10 min -30 sec"; -5m and "2 days ago" are in the past. A claim in the claims JSON or
    /// -P wins.
    #[arg(short = 'e', long, value_name = "TIME", value_parser = parse_time, allow_hyphen_values = true)]
    pub(crate) exp: Option<TimeSpec>,
    /// nbf: a Unix time, or a duration from now (as for --exp).
    #[arg(short = 'n', long, value_name = "TIME", value_parser = parse_time, allow_hyphen_values = true)]
    pub(crate) nbf: Option<TimeSpec>,
    /// iss, as a string.
    #[arg(short = 'i', long, value_name = "ISS")]
    pub(crate) iss: Option<String>,
    /// sub, as a string.
    #[arg(short = 's', long, value_name = "SUB")]
    pub(crate) sub: Option<String>,
    /// aud (repeatable): once, a string; several times, an array of strings.
    #[arg(short = 'a', long, value_name = "AUD")]
    pub(crate) aud: Vec<String>,
    /// jti, as a string.
    #[arg(long, value_name = "JTI")]
    pub(crate) jti: Option<String>,
    // The help is an attribute, not a doc comment: rustdoc would read [1,2] as a link.
    #[arg(
        help = "A claim NAME=VALUE (repeatable). VALUE is taken as JSON when it is valid JSON \
                (42, true, null, [1,2], {\"a\":1}, \"quoted\"), else as a string (admin, \
                2024-01-01)",
        short = 'P',
        long = "claim",
        visible_alias = "payload",
        value_name = "NAME=VALUE",
        value_parser = parse_claim_pair,
        allow_hyphen_values = true
    )]
    pub(crate) claim: Vec<(String, Value)>,
    /// Do not add iat (the current time).
    #[arg(long)]
    pub(crate) no_iat: bool,
    /// Write the claims in the order given (the claims JSON's, then the flags', then iat and
    /// exp) instead of alphabetical order.
    #[arg(long, visible_alias = "keep-payload-order")]
    pub(crate) keep_order: bool,
    /// The claims, a JSON object. `-`: read from standard input; absent: standard input,
    /// or no claims but the flags' when any of --iss, --sub, --aud, --jti, --nbf, -P is given.
    #[arg(value_name = "CLAIMS_JSON")]
    pub(crate) claims_json: Option<OsString>,
}

impl ClaimArgs {
    /// Whether any flag sets a claim (so that absent CLAIMS_JSON means `{}`, not stdin).
    pub(crate) fn has_claim_flags(&self) -> bool {
        self.iss.is_some()
            || self.sub.is_some()
            || !self.aud.is_empty()
            || self.jti.is_some()
            || self.nbf.is_some()
            || !self.claim.is_empty()
    }
}

/// `--date[=utc|local|±hh:mm]`, shared by `decode` and `verify`.
#[derive(Args)]
pub(crate) struct DateArgs {
    /// Print exp, nbf and iat as RFC 3339 dates: in UTC (the default), in the local time
    /// zone (TZ), or at a fixed offset such as +05:30.
    #[arg(
        long,
        value_name = "ZONE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "utc",
        value_parser = parse_date_zone
    )]
    pub(crate) date: Option<DateZone>,
}

#[derive(Args)]
pub(crate) struct DecodeArgs {
    #[command(flatten)]
    pub(crate) date: DateArgs,
    /// The token; `-` or absent: read from standard input.
    #[arg(value_name = "TOKEN")]
    pub(crate) token: Option<OsString>,
}

#[derive(Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    pub(crate) key: KeyArgs,
    /// An accepted algorithm (repeatable). Default: the key's own algorithms.
    #[arg(short = 'A', long, value_name = "ALG", value_parser = AlgorithmParser, hide_possible_values = true)]
    pub(crate) alg: Vec<Algorithm>,
    #[command(flatten)]
    pub(crate) checks: CheckArgs,
    /// The token; `-` or absent: read from standard input.
    #[arg(value_name = "TOKEN")]
    pub(crate) token: Option<OsString>,
}

/// The claim checks of `verify` and `decrypt`, and `--date`.
#[derive(Args)]
pub(crate) struct CheckArgs {
    /// An accepted issuer (repeatable); makes iss required.
    #[arg(short = 'i', long, value_name = "ISS")]
    pub(crate) iss: Vec<String>,
    /// An accepted audience (repeatable); makes aud required.
    #[arg(short = 'a', long, value_name = "AUD")]
    pub(crate) aud: Vec<String>,
    /// The required subject; makes sub required.
    #[arg(short = 's', long, value_name = "SUB")]
    pub(crate) sub: Option<String>,
    /// The required typ (case-insensitive, `application/` ignored).
    #[arg(short = 't', long, value_name = "TYP")]
    pub(crate) typ: Option<String>,
    /// Leeway for exp, nbf and iat, in seconds [default: 60].
    #[arg(long, value_name = "SECONDS")]
    pub(crate) leeway: Option<u64>,
    /// The current time, in Unix seconds [default: the system clock].
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub(crate) now: Option<i64>,
    /// A claim the token must have (repeatable).
    #[arg(long, value_name = "CLAIM")]
    pub(crate) require: Vec<String>,
    /// Accept a token without exp (one that has exp is still checked). Such a token never
    /// expires; `--require exp` overrides this.
    #[arg(long)]
    pub(crate) allow_missing_exp: bool,
    #[command(flatten)]
    pub(crate) date: DateArgs,
}

/// Where a JWE key comes from (`encrypt`, `decrypt`): exactly one of the two.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub(crate) struct JweKeyArgs {
    /// Key file: PEM (an EC, X25519 or RSA public or private key) or a JWK or JWK Set
    /// (use "enc").
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// A shared secret for dir, A128KW or A256KW: unpadded base64url.
    #[arg(long, value_name = "B64URL", value_parser = parse_base64url, allow_hyphen_values = true)]
    pub(crate) secret_b64: Option<SecretBytes>,
}

#[derive(Args)]
pub(crate) struct EncryptArgs {
    /// The key-management algorithm: dir, A128KW, A256KW, RSA-OAEP, RSA-OAEP-256, ECDH-ES,
    /// ECDH-ES+A128KW, ECDH-ES+A256KW.
    #[arg(short = 'A', long, value_name = "KEYALG", value_parser = PossibleValuesParser::new(KEY_ALGORITHMS), hide_possible_values = true)]
    pub(crate) alg: String,
    /// The content encryption: A128GCM, A256GCM, A128CBC-HS256, A256CBC-HS512.
    #[arg(long, value_name = "ENC", value_parser = PossibleValuesParser::new(ENCRYPTIONS), hide_possible_values = true)]
    pub(crate) enc: String,
    #[command(flatten)]
    pub(crate) key: JweKeyArgs,
    /// The JWE header's kid (default: the key's kid, if it has one).
    #[arg(short = 'k', long, value_name = "KID")]
    pub(crate) kid: Option<String>,
    /// The typ of the claims' token (default: JWT): the JWE header's, or with --sign-key the
    /// signed token's.
    #[arg(short = 't', long, value_name = "TYP")]
    pub(crate) typ: Option<String>,
    /// The JWE header's cty (with --sign-key it is JWT and may only be given as JWT).
    #[arg(long, value_name = "CTY")]
    pub(crate) cty: Option<String>,
    /// Sign the claims with this key first, then encrypt the signed token (a nested JWT).
    #[arg(long, value_name = "FILE")]
    pub(crate) sign_key: Option<PathBuf>,
    /// The signing algorithm for --sign-key (default: the key's one algorithm).
    #[arg(long, value_name = "ALG", value_parser = AlgorithmParser, hide_possible_values = true, requires = "sign_key")]
    pub(crate) sign_alg: Option<Algorithm>,
    #[command(flatten)]
    pub(crate) claims: ClaimArgs,
}

#[derive(Args)]
pub(crate) struct DecryptArgs {
    #[command(flatten)]
    pub(crate) key: JweKeyArgs,
    /// An accepted key-management algorithm (repeatable). Default: the key's own.
    #[arg(short = 'A', long, value_name = "KEYALG", value_parser = PossibleValuesParser::new(KEY_ALGORITHMS), hide_possible_values = true)]
    pub(crate) alg: Vec<String>,
    /// An accepted content encryption (repeatable). Default: all four.
    #[arg(long, value_name = "ENC", value_parser = PossibleValuesParser::new(ENCRYPTIONS), hide_possible_values = true)]
    pub(crate) enc: Vec<String>,
    /// The signer's key of a nested JWT (a key file as for verify --key): the signed token
    /// inside is verified with it. Without it a nested JWT is refused.
    #[arg(long, value_name = "FILE")]
    pub(crate) verify_key: Option<PathBuf>,
    /// An accepted signing algorithm of the nested JWT (repeatable). Default: the verify
    /// key's own algorithms.
    #[arg(long, value_name = "ALG", value_parser = AlgorithmParser, hide_possible_values = true, requires = "verify_key")]
    pub(crate) verify_alg: Vec<Algorithm>,
    #[command(flatten)]
    pub(crate) checks: CheckArgs,
    /// The token; `-` or absent: read from standard input.
    #[arg(value_name = "TOKEN")]
    pub(crate) token: Option<OsString>,
}

/// The JWE key-management algorithms webtoken implements, by wire name.
pub(crate) const KEY_ALGORITHMS: [&str; 8] = [
    "dir",
    "A128KW",
    "A256KW",
    "RSA-OAEP",
    "RSA-OAEP-256",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A256KW",
];

/// The JWE content encryptions webtoken implements, by wire name.
pub(crate) const ENCRYPTIONS: [&str; 4] = ["A128GCM", "A256GCM", "A128CBC-HS256", "A256CBC-HS512"];

#[derive(Args)]
pub(crate) struct KeygenArgs {
    /// A signing algorithm (HS256..HS512, RS256..RS512, PS256..PS512, ES256, ES384, ES512,
    /// ES256K, EdDSA, Ed25519, ML-DSA-44, ML-DSA-65, ML-DSA-87); or for encryption dir, A128KW,
    /// A256KW, ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW, RSA-OAEP or RSA-OAEP-256. RSA keys,
    /// ES512, ES256K and ML-DSA need the aws-lc-rs backend (on with the default `jwe` feature).
    #[arg(long, value_name = "ALG", value_parser = parse_keygen_algorithm)]
    pub(crate) alg: KeygenAlgorithm,
    /// The curve of an ECDH-ES key: P-256, P-384, P-521 or X25519 [default: P-256].
    #[arg(long, value_name = "CRV", value_parser = PossibleValuesParser::new(CURVES))]
    pub(crate) crv: Option<String>,
    /// The size of an RSA key (RS*, PS*, RSA-OAEP*): 2048, 3072 or 4096 [default: 2048].
    #[arg(long, value_name = "BITS", value_parser = PossibleValuesParser::new(["2048", "3072", "4096"]))]
    pub(crate) bits: Option<String>,
    /// The content encryption a dir secret is for (its length is the CEK's) [default: A256GCM].
    #[arg(long, value_name = "ENC", value_parser = PossibleValuesParser::new(ENCRYPTIONS))]
    pub(crate) enc: Option<String>,
    /// Output format [default: pem; jwk for ECDH-ES and RSA-OAEP keys].
    #[arg(long, value_enum)]
    pub(crate) format: Option<Format>,
}

/// The algorithm of `keygen --alg`: a signing algorithm or a JWE key-management one.
#[derive(Clone)]
pub(crate) enum KeygenAlgorithm {
    Sign(Algorithm),
    /// A wire name of [`KEY_ALGORITHMS`].
    Encrypt(&'static str),
}

/// The curves of ECDH-ES keys.
pub(crate) const CURVES: [&str; 4] = ["P-256", "P-384", "P-521", "X25519"];

fn parse_keygen_algorithm(name: &str) -> Result<KeygenAlgorithm, String> {
    if let Some(jwe) = KEY_ALGORITHMS.iter().find(|a| **a == name) {
        return Ok(KeygenAlgorithm::Encrypt(jwe));
    }
    parse_algorithm(name)
        .map(KeygenAlgorithm::Sign)
        .map_err(|e| {
            if e.starts_with("unknown") {
                format!(
                    "{e}; or for encryption one of {}",
                    KEY_ALGORITHMS.join(", ")
                )
            } else {
                e
            }
        })
}

#[derive(Args)]
pub(crate) struct JwkArgs {
    /// Key file: PEM (private, public or certificate) or JWK.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
}

#[derive(Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Pem,
    Jwk,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
    Nushell,
}

/// Secret bytes from `--secret-b64`.
#[derive(Clone)]
pub(crate) struct SecretBytes(pub(crate) Vec<u8>);

/// An `--exp` or `--nbf` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeSpec {
    At(i64),
    /// Seconds from now; negative in the past.
    FromNow(i64),
}

/// Where `--date` shows times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DateZone {
    Utc,
    Local,
    /// A fixed offset east of UTC, in seconds.
    Fixed(i32),
}

/// `--alg`: [`parse_algorithm`], and the names for shell completions (and `--help`).
#[derive(Clone)]
struct AlgorithmParser;

impl clap::builder::TypedValueParser for AlgorithmParser {
    type Value = Algorithm;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Algorithm, clap::Error> {
        let parse: fn(&str) -> Result<Algorithm, String> = parse_algorithm;
        parse.parse_ref(command, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Algorithm::ALL
                .iter()
                .map(|a| clap::builder::PossibleValue::new(a.as_str())),
        ))
    }
}

pub(crate) fn parse_algorithm(name: &str) -> Result<Algorithm, String> {
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

/// A Unix time (an integer), or a duration from now: groups of a number and a unit
/// (`s`, `m`, `h`, `d`, `w`, or `sec`, `min`, `hour`, `day`, `week` and their plurals), spaces
/// allowed, each group taking the sign (`+`, `-`) written before it or before an earlier one,
/// `+` at first; ` ago` at the end turns it around. `+1h30m`, `-5m`, `12h`, `+10 min -30 sec`
/// (570 s), `2 days ago`.
fn parse_time(text: &str) -> Result<TimeSpec, String> {
    const EXPECTED: &str = "expected a Unix time or a duration from now such as +30s, +15m, \
                            +2h, +7d, +1h30m, -5m or \"2 days ago\"";
    // `+5` is no Unix time: a duration without its unit.
    if let (false, Ok(at)) = (text.starts_with('+'), text.parse()) {
        return Ok(TimeSpec::At(at));
    }
    let (text, ago) = match text.strip_suffix(" ago") {
        Some(rest) => (rest, -1),
        None => (text, 1),
    };
    let too_large = || String::from("duration is too large");
    let mut sign = 1;
    let mut total: i64 = 0;
    let mut rest = text.trim_start();
    if rest.is_empty() {
        return Err(EXPECTED.into());
    }
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('+') {
            (sign, rest) = (1, after.trim_start());
        } else if let Some(after) = rest.strip_prefix('-') {
            (sign, rest) = (-1, after.trim_start());
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (amount, tail) = rest.split_at(digits);
        let tail = tail.trim_start();
        let letters = tail.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, tail) = tail.split_at(letters);
        let seconds_per_unit = match unit {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            "w" | "week" | "weeks" => 604_800,
            _ => return Err(EXPECTED.into()),
        };
        if amount.is_empty() {
            return Err(EXPECTED.into());
        }
        let seconds = amount
            .parse::<i64>()
            .ok()
            .and_then(|n| n.checked_mul(seconds_per_unit))
            .ok_or_else(too_large)?;
        total = total.checked_add(sign * seconds).ok_or_else(too_large)?;
        rest = tail.trim_start();
    }
    Ok(TimeSpec::FromNow(ago * total))
}

/// `NAME=VALUE`: split at the first `=`; VALUE as JSON when it parses, else as a string.
fn parse_claim_pair(text: &str) -> Result<(String, Value), String> {
    let Some((name, value)) = text.split_once('=') else {
        return Err("expected NAME=VALUE, such as role=admin or n=42".into());
    };
    if name.is_empty() {
        return Err("the claim name before = is empty".into());
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok((name.to_owned(), value))
}

/// `utc`, `local` (any case) or `±hh:mm` (hours 00 to 23, minutes 00 to 59).
pub(crate) fn parse_date_zone(text: &str) -> Result<DateZone, String> {
    const EXPECTED: &str = "expected utc, local or an offset such as +02:00 or -05:30";
    if text.eq_ignore_ascii_case("utc") || text == "Z" {
        return Ok(DateZone::Utc);
    }
    if text.eq_ignore_ascii_case("local") {
        return Ok(DateZone::Local);
    }
    let sign = match text.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(EXPECTED.into()),
    };
    let two_digits = |s: &str| -> Option<i32> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (hours, minutes) = text[1..].split_once(':').ok_or(EXPECTED)?;
    match (two_digits(hours), two_digits(minutes)) {
        (Some(h), Some(m)) if h <= 23 && m <= 59 => Ok(DateZone::Fixed(sign * (h * 3600 + m * 60))),
        _ => Err(EXPECTED.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_durations() {
        assert_eq!(parse_time("1700000000"), Ok(TimeSpec::At(1_700_000_000)));
        assert_eq!(parse_time("-100"), Ok(TimeSpec::At(-100)));
        assert_eq!(parse_time("+30s"), Ok(TimeSpec::FromNow(30)));
        assert_eq!(parse_time("+15m"), Ok(TimeSpec::FromNow(900)));
        assert_eq!(parse_time("+1h30m"), Ok(TimeSpec::FromNow(5400)));
        assert_eq!(parse_time("+1w1d"), Ok(TimeSpec::FromNow(691_200)));
        assert_eq!(parse_time("-5m"), Ok(TimeSpec::FromNow(-300)));
        assert_eq!(parse_time("+ 5m"), Ok(TimeSpec::FromNow(300)));
        assert_eq!(parse_time("-1h30m"), Ok(TimeSpec::FromNow(-5400)));
        assert_eq!(parse_time("12h"), Ok(TimeSpec::FromNow(43_200)));
        assert_eq!(parse_time("+10 min -30 sec"), Ok(TimeSpec::FromNow(570)));
        assert_eq!(parse_time("2 days ago"), Ok(TimeSpec::FromNow(-172_800)));
        assert_eq!(parse_time("1 week 2 hours"), Ok(TimeSpec::FromNow(612_000)));
        for bad in [
            "",
            " ",
            "+",
            "-",
            "+5",
            "+m",
            "+5y",
            "+5m3",
            "soon",
            "+-5m",
            "+5M",
            "ago",
            " ago",
            "5 mins ago ago",
            "1.5h",
            "5 minutesx",
        ] {
            assert!(parse_time(bad).is_err(), "{bad:?}");
        }
        assert!(parse_time("+99999999999999999999s").is_err());
        assert!(parse_time(&format!("+{}w", i64::MAX / 604_800 + 1)).is_err());
        assert!(parse_time(&format!("+{}s{}s", i64::MAX, 1)).is_err());
    }

    #[test]
    fn date_zones() {
        assert_eq!(parse_date_zone("UTC"), Ok(DateZone::Utc));
        assert_eq!(parse_date_zone("Local"), Ok(DateZone::Local));
        assert_eq!(parse_date_zone("+05:30"), Ok(DateZone::Fixed(19_800)));
        assert_eq!(parse_date_zone("-00:30"), Ok(DateZone::Fixed(-1800)));
        for bad in [
            "", "+5", "+05", "05:00", "+24:00", "+05:60", "+5:30", "+05:3x", "mars",
        ] {
            assert!(parse_date_zone(bad).is_err(), "{bad:?}");
        }
    }
}
