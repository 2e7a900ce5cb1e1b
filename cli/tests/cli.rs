//! The `jwt` tool run as a user runs it: every algorithm and key format round trip, every
//! error kind of docs/cli.md with its exit code, standard input, and keys made by `keygen` and `jwk`.
//!
//! Cargo builds the `jwt` binary of this package before its integration tests and names it in
//! `CARGO_BIN_EXE_jwt`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use webtoken::keys::Jwk;
use webtoken::{Algorithm, Header, SigningKey, VerifyingKey};

const SECRET: &str = "a secret of at least thirty-two bytes, for tests only";
/// 2100-01-01: tokens that stay valid for as long as these tests matter.
const FAR_FUTURE: i64 = 4_102_444_800;

/// The `jwt` binary of this package, built by cargo for its integration tests.
fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_jwt"))
}

/// What one run printed, and how it exited.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Asserts success and returns stdout without its final newline.
    fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success, got {self:?}");
        self.stdout
            .strip_suffix('\n')
            .expect("output ends with a newline")
    }

    /// Asserts a docs/cli.md error line of this kind, this exit code, and nothing on stdout.
    fn fails(&self, kind: &str, code: i32) {
        assert_eq!(self.code, code, "exit code for {kind}: {self:?}");
        assert!(self.stdout.is_empty(), "nothing on stdout: {self:?}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr: {self:?}");
        assert!(
            lines[0].starts_with(&format!("error: {kind}: ")),
            "expected `error: {kind}: ...`, got {self:?}"
        );
    }

    fn json(&self) -> Value {
        serde_json::from_str(self.ok()).expect("JSON output")
    }
}

fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start jwt");
    let mut pipe = child.stdin.take().expect("stdin pipe");
    if let Some(input) = stdin {
        // A run that does not read its input may exit first: that is no test failure.
        if let Err(e) = pipe.write_all(input) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    drop(pipe);
    let out = child.wait_with_output().expect("wait for jwt");
    let run = Run {
        code: out.status.code().expect("exit code, not a signal"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    };
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"),
        "no panic: {run:?}"
    );
    run
}

fn jwt(args: &[&str]) -> Run {
    run_with_stdin(args, Some(b""))
}

/// An HS256 token MAC'd with `secret`, made here rather than with `jwt encode`, which refuses
/// a key's bytes as a secret: what a forger holding the public key would send.
fn forge_hs256(secret: &[u8]) -> String {
    let header = webtoken::base64url::encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = webtoken::base64url::encode(format!(r#"{{"sub":"forged","exp":{FAR_FUTURE}}}"#));
    let input = format!("{header}.{claims}");
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret),
        input.as_bytes(),
    );
    format!("{input}.{}", webtoken::base64url::encode(tag.as_ref()))
}

fn key(name: &str) -> String {
    format!("{}/../tests/data/keys/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A directory for files a test writes, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "webtoken-cli-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write temp file");
        path.to_str().expect("UTF-8 temp path").to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn claims() -> String {
    json!({"sub": "user-42", "exp": FAR_FUTURE}).to_string()
}

fn encode(alg: &str, key_args: &[&str]) -> String {
    let mut args = vec!["encode", "--alg", alg];
    args.extend_from_slice(key_args);
    let claims = claims();
    args.push(&claims);
    jwt(&args).ok().to_owned()
}

fn verify(key_args: &[&str], token: &str) -> Run {
    let mut args = vec!["verify"];
    args.extend_from_slice(key_args);
    args.push(token);
    jwt(&args)
}

fn assert_verifies(key_args: &[&str], token: &str) {
    let claims = verify(key_args, token).json();
    assert_eq!(claims["sub"], "user-42", "{key_args:?}");
}

fn header(token: &str) -> Value {
    jwt(&["decode", token]).json()["header"].clone()
}

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn hmac_round_trips_with_every_secret_form() {
    let dir = TempDir::new();
    for (alg, len) in [("HS256", 32), ("HS384", 48), ("HS512", 64)] {
        let secret = "s".repeat(len);
        let b64 = webtoken::base64url::encode(&secret);
        let file = dir.write(&format!("{alg}.key"), &secret);
        let algorithm: Algorithm = alg.parse().unwrap();
        let jwk = Jwk::from_hmac_secret(&secret, algorithm)
            .unwrap()
            .with_key_id("k1");
        let jwk_file = dir.write(&format!("{alg}.jwk"), serde_json::to_string(&jwk).unwrap());
        let set_file = dir.write(&format!("{alg}.jwks"), json!({"keys": [jwk]}).to_string());
        let forms: [&[&str]; 5] = [
            &["--secret", &secret],
            &["--secret-b64", &b64],
            &["--key", &file],
            &["--key", &jwk_file],
            &["--key", &set_file],
        ];
        for signing in forms {
            let token = encode(alg, signing);
            assert_eq!(header(&token)["alg"], alg);
            for verifying in forms {
                assert_verifies(verifying, &token);
            }
        }
    }
}

/// (algorithm, private key files that sign, key files that verify)
const ASYMMETRIC: &[(&str, &[&str], &[&str])] = &[
    (
        "RS256",
        &["rsa2048.pkcs8.pem", "rsa2048.pkcs1.pem"],
        &[
            "rsa2048.spki.pem",
            "rsa2048.pkcs1.pub.pem",
            "rsa2048.cert.pem",
            "rsa2048.pkcs8.pem",
            "rsa2048.pkcs1.pem",
        ],
    ),
    ("RS384", &["rsa3072.pkcs8.pem"], &["rsa3072.spki.pem"]),
    ("RS512", &["rsa4096.pkcs8.pem"], &["rsa4096.spki.pem"]),
    (
        "PS256",
        &["rsa2048.pkcs1.pem"],
        &["rsa2048.spki.pem", "rsa2048.cert.pem"],
    ),
    ("PS384", &["rsa2048.pkcs8.pem"], &["rsa2048.pkcs1.pub.pem"]),
    ("PS512", &["rsa3072.pkcs8.pem"], &["rsa3072.spki.pem"]),
    (
        "ES256",
        &["p256.pkcs8.pem", "p256.sec1.pem"],
        &[
            "p256.spki.pem",
            "p256.cert.pem",
            "p256.sec1.pem",
            "p256.pkcs8.pem",
        ],
    ),
    (
        "ES384",
        &["p384.pkcs8.pem", "p384.sec1.pem"],
        &["p384.spki.pem", "p384.cert.pem", "p384.sec1.pem"],
    ),
    (
        "EdDSA",
        &["ed25519.pkcs8.pem"],
        &["ed25519.spki.pem", "ed25519.cert.pem", "ed25519.pkcs8.pem"],
    ),
];

#[test]
fn asymmetric_round_trips_with_every_pem_form() {
    for (alg, signing, verifying) in ASYMMETRIC {
        for signer in *signing {
            let token = encode(alg, &["--key", &key(signer)]);
            assert_eq!(header(&token)["alg"], *alg);
            for verifier in *verifying {
                assert_verifies(&["--key", &key(verifier)], &token);
                assert_verifies(&["--key", &key(verifier), "--alg", alg], &token);
            }
        }
    }
}

#[test]
fn asymmetric_round_trips_with_jwk_and_jwk_set() {
    let dir = TempDir::new();
    let mut public_jwks = Vec::new();
    let mut tokens = Vec::new();
    for (alg, signing, _) in ASYMMETRIC {
        let public = jwt(&["jwk", "--key", &key(signing[0])]).json();
        let kid = public["kid"].as_str().unwrap().to_owned();
        let file = dir.write(&format!("{alg}.jwk"), public.to_string());
        let token = encode(alg, &["--key", &key(signing[0]), "--kid", &kid]);
        assert_verifies(&["--key", &file], &token);
        if !public_jwks
            .iter()
            .any(|k: &Value| k["kid"] == public["kid"])
        {
            public_jwks.push(public);
        }
        tokens.push(token);
    }
    let set = dir.write("set.jwks", json!({"keys": public_jwks}).to_string());
    for token in &tokens {
        assert_verifies(&["--key", &set], token);
    }
}

#[test]
fn a_private_jwk_signs_and_carries_its_kid() {
    let dir = TempDir::new();
    let private = jwt(&["keygen", "--alg", "ES384", "--format", "jwk"]).json();
    let file = dir.write("es384.jwk", private.to_string());
    let token = encode("ES384", &["--key", &file]);
    assert_eq!(header(&token)["kid"], private["kid"]);
    // A private JWK verifies too (its public half is used).
    assert_verifies(&["--key", &file], &token);
}

// ---------------------------------------------------------------------------------------------
// keygen and jwk

#[test]
fn keygen_output_is_reusable_by_encode_and_verify() {
    let dir = TempDir::new();
    for alg in ["HS256", "HS384", "HS512"] {
        let secret = jwt(&["keygen", "--alg", alg]).ok().to_owned();
        let token = encode(alg, &["--secret-b64", &secret]);
        assert_verifies(&["--secret-b64", &secret], &token);

        let jwk = jwt(&["keygen", "--alg", alg, "--format", "jwk"]).json();
        assert_eq!(jwk["kty"], "oct");
        let file = dir.write(&format!("{alg}.jwk"), jwk.to_string());
        let token = encode(alg, &["--key", &file]);
        assert_verifies(&["--key", &file], &token);
    }
    let mut algs = vec!["ES256", "ES384", "EdDSA", "Ed25519"];
    // The aws-lc-rs backend, which the jwe feature brings, adds these.
    if cfg!(feature = "jwe") {
        algs.extend(["ES512", "ES256K", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87"]);
    }
    for alg in algs {
        let pem = jwt(&["keygen", "--alg", alg]).stdout;
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
        let private = dir.write(&format!("{alg}.pem"), &pem);
        let public = dir.write(
            &format!("{alg}.pub.jwk"),
            jwt(&["jwk", "--key", &private]).ok(),
        );
        let token = encode(alg, &["--key", &private]);
        assert_verifies(&["--key", &private], &token);
        if alg == "Ed25519" {
            // A PEM names no algorithm: its public JWK says EdDSA, the name written by default,
            // and a JWK with an alg accepts that name only.
            verify(&["--key", &public], &token).fails("algorithm_not_allowed", 1);
            assert_verifies(&["--key", &public], &encode("EdDSA", &["--key", &private]));
        } else {
            assert_verifies(&["--key", &public], &token);
        }

        let jwk = jwt(&["keygen", "--alg", alg, "--format", "jwk"]).json();
        assert!(
            jwk.get("d").is_some() || jwk.get("priv").is_some(),
            "a private JWK: {jwk}"
        );
        assert_eq!(jwk["alg"], alg);
        let file = dir.write(&format!("{alg}.jwk"), jwk.to_string());
        assert_verifies(&["--key", &file], &encode(alg, &["--key", &file]));
    }
}

#[test]
fn keygen_refuses_unknown_algorithms_sizes_and_formats() {
    for alg in ["ES521", "none", "RSA1_5", "ml-dsa-44"] {
        assert_eq!(jwt(&["keygen", "--alg", alg]).code, 2, "{alg}");
    }
    assert_eq!(
        jwt(&["keygen", "--alg", "ES256", "--format", "der"]).code,
        2
    );
    // --bits belongs to RSA keys, and only the three sizes exist.
    assert_eq!(jwt(&["keygen", "--alg", "RS256", "--bits", "1024"]).code, 2);
    let misplaced = jwt(&["keygen", "--alg", "ES256", "--bits", "2048"]);
    assert_eq!(misplaced.code, 2);
    assert!(
        misplaced.stderr.contains("--bits is only for RSA keys"),
        "{}",
        misplaced.stderr
    );
    if cfg!(feature = "jwe") {
        // RSA keys of each size, bound to their algorithm.
        let dir = TempDir::new();
        for (bits, alg) in [("3072", "PS256"), ("4096", "RS512")] {
            let pem = jwt(&["keygen", "--alg", alg, "--bits", bits])
                .ok()
                .to_owned();
            let key = dir.write(&format!("{alg}.pem"), &pem);
            let jwk = jwt(&["jwk", "--key", &key]).json();
            let n = webtoken::base64url::decode(jwk["n"].as_str().unwrap()).unwrap();
            assert_eq!(n.len() * 8, bits.parse::<usize>().unwrap(), "{alg}");
            assert_verifies(
                &["--key", &key, "--alg", alg],
                &encode(alg, &["--key", &key]),
            );
        }
    } else {
        // Without aws-lc-rs: refused, naming the feature.
        for alg in ["RS256", "ES512", "ES256K", "ML-DSA-65"] {
            let run = jwt(&["keygen", "--alg", alg]);
            run.fails("invalid_key", 2);
            assert!(run.stderr.contains("aws-lc-rs"), "{alg}: {}", run.stderr);
        }
    }
}

#[test]
fn jwk_kid_is_the_rfc7638_thumbprint() {
    for file in [
        "rsa2048.spki.pem",
        "rsa2048.pkcs1.pem",
        "rsa2048.cert.pem",
        "p256.sec1.pem",
        "p384.spki.pem",
        "ed25519.pkcs8.pem",
        "ed25519.cert.pem",
    ] {
        let out = jwt(&["jwk", "--key", &key(file)]);
        let jwk = Jwk::from_json(out.ok()).unwrap();
        assert!(!jwk.is_private(), "{file}: public only");
        assert_eq!(jwk.key_id(), Some(jwk.thumbprint().as_str()), "{file}");
        let pem = std::fs::read_to_string(key(file)).unwrap();
        let expected = VerifyingKey::from_pem(&pem, Some(Algorithm::Rs256))
            .or_else(|_| VerifyingKey::from_pem(&pem, None))
            .unwrap()
            .thumbprint()
            .unwrap();
        assert_eq!(jwk.thumbprint(), expected, "{file}");
    }
    // An RSA key serves RS* and PS*: its JWK does not name one.
    let rsa = jwt(&["jwk", "--key", &key("rsa2048.spki.pem")]).json();
    assert!(rsa.get("alg").is_none(), "{rsa}");
}

#[test]
fn jwk_refuses_secrets_and_sets() {
    let dir = TempDir::new();
    let secret = dir.write("secret", SECRET);
    jwt(&["jwk", "--key", &secret]).fails("invalid_key", 2);
    let set = dir.write("set", r#"{"keys":[]}"#);
    jwt(&["jwk", "--key", &set]).fails("invalid_key", 2);
}

// ---------------------------------------------------------------------------------------------
// encode options

#[test]
fn encode_adds_iat_and_exp_and_claims_win() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let token = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        SECRET,
        "--exp",
        "+15m",
        r#"{"sub":"a"}"#,
    ])
    .ok()
    .to_owned();
    let claims = jwt(&["decode", &token]).json()["claims"].clone();
    let iat = claims["iat"].as_u64().unwrap();
    assert!(iat >= before && iat <= before + 60, "{claims}");
    assert_eq!(claims["exp"].as_u64().unwrap(), iat + 900);

    for (spec, seconds) in [("+30s", 30), ("+2h", 7200), ("+7d", 604_800)] {
        let token = jwt(&[
            "encode", "--alg", "HS256", "--secret", SECRET, "--exp", spec, "{}",
        ])
        .ok()
        .to_owned();
        let claims = jwt(&["decode", &token]).json()["claims"].clone();
        assert_eq!(
            claims["exp"].as_u64().unwrap(),
            claims["iat"].as_u64().unwrap() + seconds
        );
    }

    let token = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        SECRET,
        "--exp",
        "1700000000",
        "--no-iat",
        r#"{"exp":1800000000,"iat":5}"#,
    ])
    .ok()
    .to_owned();
    let claims = jwt(&["decode", &token]).json()["claims"].clone();
    assert_eq!(claims, json!({"exp": 1_800_000_000, "iat": 5}));

    let token = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        SECRET,
        "--exp",
        "1700000000",
        "--no-iat",
        "{}",
    ])
    .ok()
    .to_owned();
    let claims = jwt(&["decode", &token]).json()["claims"].clone();
    assert_eq!(claims, json!({"exp": 1_700_000_000}));
}

#[test]
fn encode_sets_header_parameters() {
    let token = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        SECRET,
        "--kid",
        "k1",
        "--typ",
        "at+jwt",
        "--header",
        r#"{"cty":"x","kid":"ignored","ext":1}"#,
        "{}",
    ])
    .ok()
    .to_owned();
    assert_eq!(
        header(&token),
        json!({"alg": "HS256", "typ": "at+jwt", "kid": "k1", "cty": "x", "ext": 1})
    );
    let default = jwt(&["encode", "--alg", "HS256", "--secret", SECRET, "{}"]);
    assert_eq!(header(default.ok()), json!({"alg": "HS256", "typ": "JWT"}));
    // --header may not choose another algorithm.
    let out = jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        SECRET,
        "--header",
        r#"{"alg":"none"}"#,
        "{}",
    ]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.is_empty());
}

#[test]
fn encode_refuses_what_clmd_lists() {
    let secret_args = ["--secret", SECRET];
    // alg none, and unknown algorithms: usage errors.
    for alg in ["none", "None", "HS1", "hs256"] {
        let out = jwt(&["encode", "--alg", alg, secret_args[0], secret_args[1], "{}"]);
        assert_eq!(out.code, 2, "{alg}: {out:?}");
        assert!(out.stdout.is_empty());
    }
    // A key that does not fit the algorithm.
    jwt(&[
        "encode",
        "--alg",
        "ES384",
        "--key",
        &key("p256.pkcs8.pem"),
        "{}",
    ])
    .fails("invalid_key", 2);
    jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--key",
        &key("p256.pkcs8.pem"),
        "{}",
    ])
    .fails("invalid_key", 2);
    jwt(&["encode", "--alg", "RS256", "--secret", SECRET, "{}"]).fails("invalid_key", 2);
    // Public keys and certificates.
    for public in ["p256.spki.pem", "rsa2048.cert.pem", "rsa2048.pkcs1.pub.pem"] {
        jwt(&["encode", "--alg", "RS256", "--key", &key(public), "{}"]).fails("invalid_key", 2);
    }
    let public_jwk = jwt(&["jwk", "--key", &key("ed25519.spki.pem")])
        .ok()
        .to_owned();
    let dir = TempDir::new();
    let file = dir.write("public.jwk", public_jwk);
    jwt(&["encode", "--alg", "EdDSA", "--key", &file, "{}"]).fails("invalid_key", 2);
    // Weak keys.
    jwt(&["encode", "--alg", "HS256", "--secret", "short", "{}"]).fails("invalid_key", 2);
    jwt(&["encode", "--alg", "HS512", "--secret", SECRET, "{}"]).fails("invalid_key", 2);
    jwt(&["encode", "--alg", "HS256", "--secret", "", "{}"]).fails("invalid_key", 2);
    jwt(&[
        "encode",
        "--alg",
        "RS256",
        "--key",
        &key("rsa1024.pkcs8.pem"),
        "{}",
    ])
    .fails("invalid_key", 2);
    // Claims that are not a JSON object, or not JSON: unusable input, exit 2 (the kinds stay).
    for claims in ["[]", "1", "\"sub\"", "null"] {
        jwt(&["encode", "--alg", "HS256", "--secret", SECRET, claims]).fails("invalid_claim", 2);
    }
    jwt(&["encode", "--alg", "HS256", "--secret", SECRET, "{"]).fails("malformed", 2);
    jwt(&["encode", "--alg", "HS256", "--secret", SECRET, ""]).fails("malformed", 2);
    // Claims that verify would refuse for their type: unusable input too.
    jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        SECRET,
        r#"{"exp":"soon"}"#,
    ])
    .fails("invalid_claim", 2);
    jwt(&[
        "encode", "--alg", "HS256", "--secret", SECRET, "-P", "sub=42",
    ])
    .fails("invalid_claim", 2);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    for args in [
        &["--help"][..],
        &["encode", "--help"],
        &["verify", "--help"],
        &["keygen", "--help"],
        &["--version"],
    ] {
        let out = jwt(args);
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        assert!(!out.stdout.is_empty());
    }
    // No command: clap prints the help on stderr.
    assert_eq!(jwt(&[]).code, 2);
    let rsa = key("rsa2048.pkcs8.pem");
    for args in [
        &["frobnicate"][..],
        &["verify", "tok"],
        &["verify", "--secret", SECRET, "--key", "f", "tok"],
        // Without --alg, an RSA key is ambiguous (a secret or another key is not; see
        // encode_takes_the_keys_own_algorithm_without_alg).
        &["encode", "--key", &rsa, "{}"],
        &[
            "encode", "--alg", "HS256", "--secret", SECRET, "--exp", "15y", "{}",
        ],
        &[
            "encode", "--alg", "HS256", "--secret", SECRET, "--exp", "+15", "{}",
        ],
        &[
            "encode",
            "--alg",
            "HS256",
            "--secret",
            SECRET,
            "--exp",
            "+99999999999999999d",
            "{}",
        ],
        &[
            "encode", "--alg", "HS256", "--secret", SECRET, "--header", "[1]", "{}",
        ],
        &["verify", "--secret-b64", "not base64!", "tok"],
        &["verify", "--secret-b64", "AA==", "tok"],
        &["verify", "--secret", SECRET, "--leeway", "-1", "tok"],
    ] {
        let out = jwt(args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {out:?}");
        assert!(out.stderr.starts_with("error: "), "{args:?}: {out:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Standard input

#[test]
fn token_and_claims_are_read_from_stdin() {
    let claims = claims();
    let token = run_with_stdin(
        &["encode", "--alg", "HS256", "--secret", SECRET, "-"],
        Some(format!("{claims}\n").as_bytes()),
    )
    .ok()
    .to_owned();
    let absent = run_with_stdin(
        &["encode", "--alg", "HS256", "--secret", SECRET],
        Some(claims.as_bytes()),
    );
    assert_verifies(&["--secret", SECRET], absent.ok());

    for input in [format!("{token}\n"), format!("{token}\r\n"), token.clone()] {
        let out = run_with_stdin(&["verify", "--secret", SECRET], Some(input.as_bytes()));
        assert_eq!(out.json()["sub"], "user-42");
        let out = run_with_stdin(&["verify", "--secret", SECRET, "-"], Some(input.as_bytes()));
        assert_eq!(out.json()["sub"], "user-42");
        let out = run_with_stdin(&["decode"], Some(input.as_bytes()));
        assert_eq!(out.json()["claims"]["sub"], "user-42");
    }
    // Only one newline is ignored.
    run_with_stdin(
        &["verify", "--secret", SECRET],
        Some(format!("{token}\n\n").as_bytes()),
    )
    .fails("malformed", 1);
    // Bytes that are not UTF-8 are malformed, not a crash.
    run_with_stdin(&["verify", "--secret", SECRET], Some(b"\xff\xfe.\x80.x")).fails("malformed", 1);
    run_with_stdin(&["decode"], Some(b"\xff")).fails("malformed", 1);
    run_with_stdin(
        &["encode", "--alg", "HS256", "--secret", SECRET],
        Some(b"{\"a\":\"\xff\"}"),
    )
    .fails("malformed", 2);
}

// ---------------------------------------------------------------------------------------------
// decode

#[test]
fn decode_prints_header_and_claims_and_warns() {
    let token = encode("HS256", &["--secret", SECRET, "--kid", "k9"]);
    let out = jwt(&["decode", &token]);
    assert_eq!(
        out.json(),
        json!({
            "header": {"alg": "HS256", "typ": "JWT", "kid": "k9"},
            "claims": {"sub": "user-42", "exp": FAR_FUTURE, "iat": out.json()["claims"]["iat"]},
        })
    );
    assert!(out.stdout.starts_with(r#"{"header": "#), "{out:?}");
    assert!(out.stderr.contains("NOT verified"), "{out:?}");
    // The header as the token carries it, even an algorithm webtoken does not implement.
    let none = format!(
        "{}.{}.",
        webtoken::base64url::encode(r#"{"alg":"none","x":[1]}"#),
        webtoken::base64url::encode(r#"{"sub":"a"}"#)
    );
    assert_eq!(
        jwt(&["decode", &none]).json()["header"],
        json!({"alg": "none", "x": [1]})
    );
    for bad in ["", "abc", "a.b", "e30.e30.e30.e30", "eyJ.e30.", "e30=.e30."] {
        jwt(&["decode", bad]).fails("malformed", 1);
    }
}

// ---------------------------------------------------------------------------------------------
// verify: the algorithm comes from the key, never from the token

#[test]
fn an_hmac_token_is_never_checked_with_public_key_bytes() {
    let pem = std::fs::read(key("rsa2048.spki.pem")).unwrap();
    let b64 = webtoken::base64url::encode(&pem);
    // The tool does not MAC with a key's bytes either.
    jwt(&["encode", "--alg", "HS256", "--secret-b64", &b64, "{}"]).fails("invalid_key", 2);
    let forged = forge_hs256(&pem);
    // The key's own algorithms are RS*/PS*: HS256 is not allowed.
    verify(&["--key", &key("rsa2048.spki.pem")], &forged).fails("algorithm_not_allowed", 1);
    // Allowing HS256 does not make an RSA key an HMAC secret.
    verify(
        &["--key", &key("rsa2048.spki.pem"), "--alg", "HS256"],
        &forged,
    )
    .fails("invalid_key", 2);
    verify(
        &[
            "--key",
            &key("rsa2048.spki.pem"),
            "--alg",
            "HS256",
            "--alg",
            "RS256",
        ],
        &forged,
    )
    .fails("algorithm_not_allowed", 1);
    // The same through a JWK and a JWK Set.
    let dir = TempDir::new();
    let jwk = jwt(&["jwk", "--key", &key("rsa2048.spki.pem")])
        .ok()
        .to_owned();
    let file = dir.write("rsa.jwk", &jwk);
    verify(&["--key", &file], &forged).fails("algorithm_not_allowed", 1);
    let set = dir.write("rsa.jwks", format!(r#"{{"keys":[{jwk}]}}"#));
    verify(&["--key", &set, "--alg", "HS256"], &forged).fails("unknown_key", 1);
    // A DER key file is not a secret either.
    for der in [
        "rsa2048.spki.der",
        "rsa2048.cert.der",
        "p256.sec1.der",
        "p384.pkcs8.der",
    ] {
        verify(&["--key", &key(der)], &forged).fails("invalid_key", 2);
        jwt(&["encode", "--alg", "HS256", "--key", &key(der), "{}"]).fails("invalid_key", 2);
    }
}

#[test]
fn algorithms_are_limited_by_alg_flags_and_the_key() {
    let ps256 = encode("PS256", &["--key", &key("rsa2048.pkcs8.pem")]);
    let rsa = key("rsa2048.spki.pem");
    verify(&["--key", &rsa, "--alg", "RS256"], &ps256).fails("algorithm_not_allowed", 1);
    assert_verifies(&["--key", &rsa, "--alg", "RS256", "--alg", "PS256"], &ps256);
    // EC keys by curve.
    let es384 = encode("ES384", &["--key", &key("p384.pkcs8.pem")]);
    verify(&["--key", &key("p256.spki.pem")], &es384).fails("algorithm_not_allowed", 1);
    verify(&["--key", &key("p256.spki.pem"), "--alg", "ES384"], &es384).fails("invalid_key", 2);
    // A secret serves HS* only, and HS512 needs a 64-byte secret.
    let hs256 = encode("HS256", &["--secret", SECRET]);
    verify(&["--secret", SECRET, "--alg", "HS384"], &hs256).fails("algorithm_not_allowed", 1);
    let long = "x".repeat(64);
    let hs512 = encode("HS512", &["--secret", &long]);
    verify(&["--secret", &long[..32]], &hs512).fails("invalid_key", 2);
    // A JWK's own alg binds it, whatever --alg allows.
    let dir = TempDir::new();
    let mut jwk = jwt(&["jwk", "--key", &rsa]).json();
    jwk["alg"] = json!("RS256");
    let file = dir.write("rs256.jwk", jwk.to_string());
    verify(
        &["--key", &file, "--alg", "RS256", "--alg", "PS256"],
        &ps256,
    )
    .fails("algorithm_not_allowed", 1);
    verify(&["--key", &file, "--alg", "PS256"], &ps256).fails("invalid_key", 2);
}

#[test]
fn jwk_use_and_key_ops_make_a_key_unusable() {
    let dir = TempDir::new();
    let token = encode("EdDSA", &["--key", &key("ed25519.pkcs8.pem")]);
    let jwk = jwt(&["jwk", "--key", &key("ed25519.spki.pem")]).json();
    let mut enc = jwk.clone();
    enc["use"] = json!("enc");
    verify(&["--key", &dir.write("enc.jwk", enc.to_string())], &token).fails("invalid_key", 2);
    let mut ops = jwk;
    ops["key_ops"] = json!(["sign"]);
    verify(&["--key", &dir.write("ops.jwk", ops.to_string())], &token).fails("invalid_key", 2);
}

#[test]
fn jwk_set_chooses_by_kid() {
    let dir = TempDir::new();
    let ec = jwt(&["jwk", "--key", &key("p256.spki.pem")]).json();
    let ed = jwt(&["jwk", "--key", &key("ed25519.spki.pem")]).json();
    let ec_kid = ec["kid"].as_str().unwrap().to_owned();
    let set = dir.write("set.jwks", json!({"keys": [ec, ed]}).to_string());
    let one = dir.write("one.jwks", json!({"keys": [ec]}).to_string());
    let signer = key("p256.pkcs8.pem");

    assert_verifies(
        &["--key", &set],
        &encode("ES256", &["--key", &signer, "--kid", &ec_kid]),
    );
    let unknown = encode("ES256", &["--key", &signer, "--kid", "nobody"]);
    verify(&["--key", &set], &unknown).fails("unknown_key", 1);
    // Without kid: verified only when exactly one key of the set fits the algorithm.
    let no_kid = encode("ES256", &["--key", &signer]);
    assert_verifies(&["--key", &set], &no_kid);
    assert_verifies(&["--key", &one], &no_kid);
    let p256_again = json!({"kty": "EC", "crv": "P-256", "kid": "second",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
    let two = dir.write(
        "two.jwks",
        json!({"keys": [jwt(&["jwk", "--key", &key("p256.spki.pem")]).json(), p256_again]})
            .to_string(),
    );
    verify(&["--key", &two], &no_kid).fails("unknown_key", 1);
    // A single JWK is used whatever the token's kid says.
    let single = dir.write(
        "single.jwk",
        jwt(&["jwk", "--key", &key("p256.spki.pem")]).ok(),
    );
    assert_verifies(&["--key", &single], &unknown);
    // A broken set is an unusable key.
    let dup = dir.write(
        "dup.jwks",
        json!({"keys": [p256_again, p256_again]}).to_string(),
    );
    verify(&["--key", &dup], &no_kid).fails("invalid_key", 2);
}

// ---------------------------------------------------------------------------------------------
// verify: every error kind

/// A token signed with `SECRET` over exactly this header and payload JSON.
fn raw_token(header_json: &str, payload_json: &str) -> String {
    let key = SigningKey::hmac(SECRET, Algorithm::Hs256).expect("HS256 key");
    let input = format!(
        "{}.{}",
        webtoken::base64url::encode(header_json),
        webtoken::base64url::encode(payload_json)
    );
    let signature = webtoken::base64url::encode(key.sign(input.as_bytes()).expect("sign"));
    format!("{input}.{signature}")
}

fn hs256(claims: &Value) -> String {
    let key = SigningKey::hmac(SECRET, Algorithm::Hs256).expect("HS256 key");
    webtoken::encode(&Header::new(), claims, &key).expect("encode")
}

/// The token with the first character of its signature changed (still canonical base64url).
fn tamper(token: &str) -> String {
    let at = token.rfind('.').expect("a compact token") + 1;
    let replacement = if token[at..].starts_with('A') {
        "B"
    } else {
        "A"
    };
    format!("{}{replacement}{}", &token[..at], &token[at + 1..])
}

#[test]
fn every_error_kind_with_its_exit_code() {
    let secret = ["--secret", SECRET];
    let check = |extra: &[&str], token: &str, kind: &str, code: i32| {
        let mut args = vec!["verify", secret[0], secret[1]];
        args.extend_from_slice(extra);
        args.push(token);
        jwt(&args).fails(kind, code);
    };
    let valid = hs256(&json!({"sub": "a", "exp": FAR_FUTURE}));

    check(&[], "not.a.token!", "malformed", 1);
    check(&[], &format!("{valid}="), "malformed", 1);
    check(&["--alg", "HS384"], &valid, "algorithm_not_allowed", 1);
    check(&[], &tamper(&valid), "invalid_signature", 1);
    jwt(&["verify", "--secret", "too short", &valid]).fails("invalid_key", 2);
    jwt(&["verify", "--key", "/nonexistent/key.pem", &valid]).fails("invalid_key", 2);
    let with_kid = raw_token(r#"{"alg":"HS256","kid":"other"}"#, r#"{"exp":4102444800}"#);
    let dir = TempDir::new();
    let oct = Jwk::from_hmac_secret(SECRET, Algorithm::Hs256)
        .unwrap()
        .with_key_id("mine");
    let set = dir.write("oct.jwks", json!({"keys": [oct]}).to_string());
    jwt(&["verify", "--key", &set, &with_kid]).fails("unknown_key", 1);
    check(&[], &hs256(&json!({"exp": 1_000})), "expired", 1);
    check(
        &[],
        &hs256(&json!({"exp": FAR_FUTURE, "nbf": FAR_FUTURE - 10})),
        "not_yet_valid",
        1,
    );
    check(&["--iss", "https://id.example"], &valid, "missing_claim", 1);
    let iss = hs256(&json!({"exp": FAR_FUTURE, "iss": "https://evil.example"}));
    check(&["--iss", "https://id.example"], &iss, "invalid_issuer", 1);
    let aud = hs256(&json!({"exp": FAR_FUTURE, "aud": ["api"]}));
    check(&[], &aud, "invalid_audience", 1);
    check(&["--aud", "other"], &aud, "invalid_audience", 1);
    check(&["--sub", "b"], &valid, "invalid_subject", 1);
    check(&[], &hs256(&json!({"sub": "a"})), "missing_claim", 1);
    check(&["--require", "jti"], &valid, "missing_claim", 1);
    check(&[], &hs256(&json!({"exp": "tomorrow"})), "invalid_claim", 1);
    check(&[], &hs256(&json!({"exp": 1e30})), "invalid_claim", 1);
    check(&["--typ", "at+jwt"], &valid, "invalid_type", 1);
    let crit = raw_token(
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        r#"{"exp":4102444800}"#,
    );
    check(&[], &crit, "unsupported_critical_header", 1);
    let empty_crit = raw_token(r#"{"alg":"HS256","crit":[]}"#, r#"{"exp":4102444800}"#);
    check(&[], &empty_crit, "malformed", 1);
    let large = hs256(&json!({"exp": FAR_FUTURE, "pad": "x".repeat(70_000)}));
    check(&[], &large, "token_too_large", 1);
    run_with_stdin(&["decode"], Some(large.as_bytes())).fails("token_too_large", 1);
    // Signature before claims: tampered and expired is invalid_signature.
    check(
        &[],
        &tamper(&hs256(&json!({"exp": 1_000}))),
        "invalid_signature",
        1,
    );
}

#[test]
fn validation_options_accept_what_they_should() {
    let token = hs256(&json!({
        "sub": "a", "iss": "https://id.example", "aud": ["api", "web"], "exp": 2_000,
        "nbf": 1_000, "jti": "j1", "n": 1.5
    }));
    let ok = jwt(&[
        "verify",
        "--secret",
        SECRET,
        "--iss",
        "https://other.example",
        "--iss",
        "https://id.example",
        "--aud",
        "x",
        "--aud",
        "web",
        "--sub",
        "a",
        "--now",
        "1500",
        "--require",
        "jti",
        "--typ",
        "application/jwt",
        &token,
    ]);
    assert_eq!(
        ok.json(),
        json!({"sub": "a", "iss": "https://id.example", "aud": ["api", "web"], "exp": 2000,
               "nbf": 1000, "jti": "j1", "n": 1.5})
    );
    assert_eq!(ok.stdout.lines().count(), 1);
    let base = ["verify", "--secret", SECRET, "--aud", "api"];
    let at = |now: &str, leeway: &str| {
        let mut args = base.to_vec();
        args.extend_from_slice(&["--now", now, "--leeway", leeway, &token]);
        jwt(&args)
    };
    at("2059", "60").ok();
    at("2060", "60").fails("expired", 1);
    at("2000", "0").fails("expired", 1);
    at("940", "60").ok();
    at("939", "60").fails("not_yet_valid", 1);
}

#[test]
fn a_pem_file_with_text_before_the_block_is_still_a_pem_key() {
    let dir = TempDir::new();
    let pem = std::fs::read_to_string(key("p256.spki.pem")).unwrap();
    let file = dir.write("described.pem", format!("Subject: test key\n{pem}"));
    let token = encode("ES256", &["--key", &key("p256.sec1.pem")]);
    assert_verifies(&["--key", &file], &token);
    let hs = forge_hs256(pem.as_bytes());
    verify(&["--key", &file], &hs).fails("algorithm_not_allowed", 1);
}

#[test]
fn secrets_that_start_with_a_hyphen_are_values_not_flags() {
    // keygen prints base64url, which starts with '-' one time in 64.
    let secret = "-L8xvWq3o2d0kzq6y1VnRk0c4m7nX9bT5pQ2aYfHcEo";
    let token = encode("HS256", &["--secret-b64", secret]);
    assert_verifies(&["--secret-b64", secret], &token);
    let token = encode(
        "HS256",
        &["--secret", "-a secret string of at least 32 bytes"],
    );
    assert_verifies(
        &["--secret", "-a secret string of at least 32 bytes"],
        &token,
    );
}

// ---------------------------------------------------------------------------------------------
// Key files as editors and other tools save them (issue 13): never read as raw secret bytes

fn utf16(text: &[u8], little: bool, bom: bool) -> Vec<u8> {
    let text = std::str::from_utf8(text).expect("UTF-8 text");
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if little { &[0xff, 0xfe] } else { &[0xfe, 0xff] });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if little {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

/// A public key file saved with a byte order mark or as UTF-16 is the key it holds: it verifies
/// its own tokens, and an HS256 token MAC'd with the file's bytes is refused, not verified.
fn assert_public_key_file(file: &str, token: &str, file_bytes: &[u8]) {
    assert_verifies(&["--key", file], token);
    let forged = forge_hs256(file_bytes);
    verify(&["--key", file], &forged).fails("algorithm_not_allowed", 1);
    let refused = verify(&["--key", file, "--alg", "HS256"], &forged);
    assert!(
        [1, 2].contains(&refused.code) && refused.stdout.is_empty(),
        "{file}: {refused:?}"
    );
    assert!(!refused.stderr.contains("invalid_signature"), "{refused:?}");
}

#[test]
fn a_public_jwk_with_a_byte_order_mark_is_a_jwk_not_a_secret() {
    let dir = TempDir::new();
    let jwk = jwt(&["jwk", "--key", &key("rsa2048.spki.pem")])
        .ok()
        .to_owned();
    let token = encode("RS256", &["--key", &key("rsa2048.pkcs8.pem")]);
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend_from_slice(jwk.as_bytes());
    for (name, bytes) in [
        ("bom.jwk", bom),
        ("utf16le.jwk", utf16(jwk.as_bytes(), true, true)),
        ("utf16be.jwk", utf16(jwk.as_bytes(), false, false)),
    ] {
        let file = dir.write(name, &bytes);
        assert_public_key_file(&file, &token, &bytes);
    }
}

#[test]
fn a_pem_key_saved_as_utf16_is_a_pem_key_not_a_secret() {
    let dir = TempDir::new();
    let pem = std::fs::read(key("p256.spki.pem")).unwrap();
    let token = encode("ES256", &["--key", &key("p256.sec1.pem")]);
    for (name, little, bom) in [
        ("le-bom.pem", true, true),
        ("be-bom.pem", false, true),
        ("le.pem", true, false),
        ("be.pem", false, false),
    ] {
        let bytes = utf16(&pem, little, bom);
        let file = dir.write(name, &bytes);
        assert_public_key_file(&file, &token, &bytes);
    }
    // A UTF-16 private key signs.
    let private = utf16(&std::fs::read(key("p256.pkcs8.pem")).unwrap(), true, true);
    let file = dir.write("private-le-bom.pem", &private);
    let token = encode("ES256", &["--key", &file]);
    assert_verifies(&["--key", &key("p256.spki.pem")], &token);
}

#[test]
fn openssh_keys_are_refused_with_a_message_saying_what_they_are() {
    let dir = TempDir::new();
    let token = encode("EdDSA", &["--key", &key("ed25519.pkcs8.pem")]);
    for (name, says) in [
        ("ed25519.openssh.pub", "OpenSSH public key (ssh-ed25519)"),
        ("rsa2048.openssh.pub", "OpenSSH public key (ssh-rsa)"),
        (
            "p256.openssh.pub",
            "OpenSSH public key (ecdsa-sha2-nistp256)",
        ),
        ("ed25519.openssh.key", "OpenSSH private key"),
    ] {
        let bytes = std::fs::read(key(name)).unwrap();
        let utf16_file = dir.write(&format!("{name}.utf16"), utf16(&bytes, true, true));
        for file in [key(name), utf16_file] {
            let forged = forge_hs256(&std::fs::read(&file).unwrap());
            for run in [
                verify(&["--key", &file], &token),
                verify(&["--key", &file], &forged),
                verify(&["--key", &file, "--alg", "HS256"], &forged),
                jwt(&["encode", "--alg", "HS256", "--key", &file, "{}"]),
                jwt(&["jwk", "--key", &file]),
            ] {
                run.fails("invalid_key", 2);
                assert!(run.stderr.contains(says), "{file}: {run:?}");
            }
        }
    }
}

#[test]
fn utf16_text_that_is_no_key_is_refused_not_taken_as_secret_bytes() {
    let dir = TempDir::new();
    let file = dir.write("secret.utf16", utf16(SECRET.as_bytes(), true, true));
    let run = jwt(&["encode", "--alg", "HS256", "--key", &file, "{}"]);
    run.fails("invalid_key", 2);
    assert!(run.stderr.contains("UTF-16"), "{run:?}");
    assert!(run.stderr.contains("--secret"), "{run:?}");
}

#[test]
fn binary_secrets_that_start_like_utf16_are_still_raw_secret_bytes() {
    let dir = TempDir::new();
    let high: Vec<u8> = (0..30u8).map(|i| 0x80 | (i * 7)).collect();
    let mut le_bom = vec![0xff, 0xfe];
    le_bom.extend_from_slice(&high);
    let mut be_bom = vec![0xfe, 0xff];
    be_bom.extend_from_slice(&high);
    let mut zeros = vec![b'a', 0, b'b', 0];
    zeros.extend_from_slice(&high);
    for (name, bytes) in [("le", le_bom), ("be", be_bom), ("zeros", zeros)] {
        let file = dir.write(&format!("{name}.secret"), &bytes);
        let token = encode("HS256", &["--key", &file]);
        assert_verifies(
            &["--secret-b64", &webtoken::base64url::encode(&bytes)],
            &token,
        );
    }
}

#[test]
fn key_text_given_as_a_secret_is_refused() {
    let pem = std::fs::read_to_string(key("p256.spki.pem")).unwrap();
    let ssh = std::fs::read_to_string(key("ed25519.openssh.pub")).unwrap();
    let jwk = jwt(&["jwk", "--key", &key("p256.spki.pem")])
        .ok()
        .to_owned();
    for secret in [pem.as_str(), ssh.trim_end(), jwk.as_str()] {
        let run = jwt(&["encode", "--alg", "HS256", "--secret", secret, "{}"]);
        run.fails("invalid_key", 2);
        assert!(run.stderr.contains("never an HMAC secret"), "{run:?}");
        let b64 = webtoken::base64url::encode(secret);
        verify(&["--secret-b64", &b64], &forge_hs256(secret.as_bytes())).fails("invalid_key", 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Output: --json, pretty JSON and colours on a terminal, NO_COLOR, --color, --date

/// One run with extra environment variables (stdout and stderr piped, stdin empty).
fn jwt_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary());
    command
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("TZ")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let out = command.output().expect("run jwt");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// One run on a terminal: util-linux `script` gives `jwt` a pseudo-terminal as stdin, stdout
/// and stderr, and copies what it printed (both streams, `\r\n` line ends) to its own stdout.
/// `None`, after saying so, when `script` is not installed.
fn on_terminal(args: &[&str], env: &[(&str, &str)]) -> Option<Run> {
    let quoted: Vec<String> = std::iter::once(binary().to_str().expect("UTF-8 path"))
        .chain(args.iter().copied())
        .map(|arg| format!("'{}'", arg.replace('\'', r"'\''")))
        .collect();
    let mut command = Command::new("script");
    command
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .env_remove("NO_COLOR")
        .env_remove("TZ")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let Ok(out) = command.output() else {
        eprintln!("SKIPPED: `script` (util-linux) is not installed; terminal output not tested");
        return None;
    };
    Some(Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout)
            .expect("UTF-8 output")
            .replace("\r\n", "\n"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    })
}

const ESC: &str = "\x1b[";

fn fixed_token() -> String {
    jwt(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        SECRET,
        "--no-iat",
        "--sub",
        "user-42",
        "--exp",
        "1700000000",
        "--nbf",
        "1690000000",
    ])
    .ok()
    .to_owned()
}

fn verify_at(token: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["verify", "--secret", SECRET, "--now", "1695000000"];
    args.extend_from_slice(extra);
    args.push(token);
    args.into_iter().map(str::to_owned).collect()
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn piped_output_is_one_line_and_json_flag_keeps_it_so() {
    let token = fixed_token();
    let plain = jwt(&strs(&verify_at(&token, &[])));
    let forced = jwt(&strs(&verify_at(&token, &["--json"])));
    assert_eq!(
        plain.ok(),
        r#"{"exp":1700000000,"nbf":1690000000,"sub":"user-42"}"#
    );
    assert_eq!(forced.stdout, plain.stdout);
    // --json is global: before the subcommand too.
    let mut before = vec!["--json".to_owned()];
    before.extend(verify_at(&token, &[]));
    assert_eq!(jwt(&strs(&before)).stdout, plain.stdout);
    // decode keeps its one-line form exactly.
    let decoded = jwt(&["decode", "--json", &token]);
    assert_eq!(
        decoded.ok(),
        r#"{"header": {"alg":"HS256","typ":"JWT"}, "claims": {"exp":1700000000,"nbf":1690000000,"sub":"user-42"}}"#
    );
    // Piped: never colours, even with a terminal-looking environment.
    assert!(
        !jwt_env(
            &strs(&verify_at(&token, &[])),
            &[("TERM", "xterm-256color")]
        )
        .stdout
        .contains(ESC)
    );
}

#[test]
fn a_terminal_gets_pretty_coloured_json_and_json_flag_gets_one_plain_line() {
    let token = fixed_token();
    let Some(pretty) = on_terminal(&strs(&verify_at(&token, &[])), &[]) else {
        return;
    };
    assert_eq!(pretty.code, 0, "{pretty:?}");
    assert!(
        pretty.stdout.contains(ESC),
        "colours on a terminal: {pretty:?}"
    );
    let plain = on_terminal(&strs(&verify_at(&token, &["--color", "never"])), &[]).unwrap();
    assert_eq!(
        plain.stdout,
        "{\n  \"exp\": 1700000000,\n  \"nbf\": 1690000000,\n  \"sub\": \"user-42\"\n}\n"
    );
    // Colours removed, the pretty form is exactly the plain one.
    assert_eq!(strip_ansi(&pretty.stdout), plain.stdout);
    let forced = on_terminal(&strs(&verify_at(&token, &["--json"])), &[]).unwrap();
    assert_eq!(
        forced.stdout,
        "{\"exp\":1700000000,\"nbf\":1690000000,\"sub\":\"user-42\"}\n"
    );
    // --json is machine output: no colour even when asked for.
    let forced = on_terminal(
        &strs(&verify_at(&token, &["--json", "--color=always"])),
        &[],
    );
    assert!(!forced.unwrap().stdout.contains(ESC));
    // decode: header first, then claims, each pretty.
    let decoded = on_terminal(&["--color=never", "decode", &token], &[]).unwrap();
    assert!(
        decoded.stdout.ends_with(
            "{\n  \"header\": {\n    \"alg\": \"HS256\",\n    \"typ\": \"JWT\"\n  },\n  \
             \"claims\": {\n    \"exp\": 1700000000,\n    \"nbf\": 1690000000,\n    \
             \"sub\": \"user-42\"\n  }\n}\n"
        ),
        "{decoded:?}"
    );
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(ESC) {
        out.push_str(&rest[..at]);
        let tail = &rest[at + ESC.len()..];
        let end = tail.find('m').expect("SGR sequence ends with m");
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn no_color_and_the_color_flag() {
    let token = fixed_token();
    let args = verify_at(&token, &[]);
    let Some(run) = on_terminal(&strs(&args), &[("NO_COLOR", "1")]) else {
        return;
    };
    assert_eq!(run.code, 0);
    assert!(!run.stdout.contains(ESC), "NO_COLOR=1: {run:?}");
    assert!(
        run.stdout.contains("\"sub\": \"user-42\""),
        "still pretty: {run:?}"
    );
    // Any non-empty value counts; an empty one does not (no-color.org).
    let run = on_terminal(&strs(&args), &[("NO_COLOR", "false")]).unwrap();
    assert!(!run.stdout.contains(ESC), "{run:?}");
    let run = on_terminal(&strs(&args), &[("NO_COLOR", "")]).unwrap();
    assert!(run.stdout.contains(ESC), "{run:?}");
    // Errors on a terminal: the `error:` prefix is red, and plain with NO_COLOR.
    let expired: Vec<String> = ["verify", "--secret", SECRET, "--now", "1800000000", &token]
        .map(str::to_owned)
        .to_vec();
    let run = on_terminal(&strs(&expired), &[]).unwrap();
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("\x1b[1;31merror:\x1b[0m expired: "),
        "{run:?}"
    );
    let run = on_terminal(&strs(&expired), &[("NO_COLOR", "1")]).unwrap();
    assert!(run.stdout.starts_with("error: expired: "), "{run:?}");
    // --color=never on a terminal; --color=always when piped, and over NO_COLOR (a flag
    // given for one run overrides the environment, as no-color.org says).
    let never = on_terminal(&strs(&verify_at(&token, &["--color=never"])), &[]).unwrap();
    assert!(!never.stdout.contains(ESC));
    let always = jwt_env(
        &strs(&verify_at(&token, &["--color=always"])),
        &[("NO_COLOR", "1")],
    );
    assert!(
        always.ok().contains("\x1b[32m\"user-42\"\x1b[0m"),
        "{always:?}"
    );
    assert!(!always.ok().contains('\n'), "piped: still one line");
    // Piped with the default (auto): no colour on stdout or stderr.
    let failed = jwt(&strs(&expired));
    failed.fails("expired", 1);
    assert!(!failed.stderr.contains(ESC));
    // Usage errors found after parsing follow --color too (clap's own follow NO_COLOR).
    let conflict = ["encode", "-S", SECRET, "--iss", "a", r#"{"iss":"b"}"#];
    let run = on_terminal(&conflict, &[]).unwrap();
    assert!(run.stdout.starts_with("\x1b[1m\x1b[31merror:"), "{run:?}");
    let mut never = vec!["--color=never"];
    never.extend_from_slice(&conflict);
    let run = on_terminal(&never, &[]).unwrap();
    assert!(
        run.stdout.starts_with("error: --iss") && !run.stdout.contains(ESC),
        "{run:?}"
    );
    let run = on_terminal(&conflict, &[("NO_COLOR", "1")]).unwrap();
    assert!(!run.stdout.contains(ESC), "{run:?}");
    let mut always = vec!["--color=always"];
    always.extend_from_slice(&conflict);
    assert!(jwt(&always).stderr.contains(ESC));
    assert!(!jwt(&conflict).stderr.contains(ESC));
    // An unknown --color value is a usage error.
    let out = jwt(&strs(&verify_at(&token, &["--color=sometimes"])));
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
}

#[test]
fn date_shows_times_in_utc_at_an_offset_or_in_the_local_zone() {
    let token = fixed_token();
    let claims = |extra: &[&str], env: &[(&str, &str)]| {
        let run = jwt_env(&strs(&verify_at(&token, extra)), env);
        let value: Value = serde_json::from_str(run.ok()).expect("JSON");
        (value["exp"].clone(), value["nbf"].clone())
    };
    let utc = (json!("2023-11-14T22:13:20Z"), json!("2023-07-22T04:26:40Z"));
    assert_eq!(claims(&["--date"], &[]), utc);
    assert_eq!(claims(&["--date=utc"], &[]), utc);
    assert_eq!(claims(&["--date=UTC"], &[]), utc);
    assert_eq!(
        claims(&["--date=+05:30"], &[]),
        (
            json!("2023-11-15T03:43:20+05:30"),
            json!("2023-07-22T09:56:40+05:30")
        )
    );
    assert_eq!(
        claims(&["--date=-01:00"], &[]),
        (
            json!("2023-11-14T21:13:20-01:00"),
            json!("2023-07-22T03:26:40-01:00")
        )
    );
    // Local time, made deterministic by TZ: a POSIX rule with daylight saving time (needs no
    // time zone database): -05:00 in November, -04:00 in July.
    assert_eq!(
        claims(&["--date=local"], &[("TZ", "EST5EDT,M3.2.0,M11.1.0")]),
        (
            json!("2023-11-14T17:13:20-05:00"),
            json!("2023-07-22T00:26:40-04:00")
        )
    );
    assert_eq!(
        claims(&["--date=local"], &[("TZ", "XYZ-3")]),
        (
            json!("2023-11-15T01:13:20+03:00"),
            json!("2023-07-22T07:26:40+03:00")
        )
    );
    // Without --date, numbers stay numbers; other claims are never touched.
    assert_eq!(
        claims(&[], &[]),
        (json!(1_700_000_000), json!(1_690_000_000))
    );
    let run = jwt(&strs(&verify_at(&token, &["--date"])));
    assert_eq!(run.json()["sub"], "user-42");
    // decode too, including iat; a wrongly typed exp is shown as it is.
    let with_iat = jwt(&[
        "encode", "--alg", "HS256", "--secret", SECRET, "--exp", "+1h", "{}",
    ])
    .ok()
    .to_owned();
    let decoded = jwt(&["decode", "--date=+00:00", &with_iat]).json();
    for name in ["exp", "iat"] {
        let text = decoded["claims"][name].as_str().expect("a date string");
        assert!(text.ends_with("+00:00") && text.len() == 25, "{text}");
    }
    let odd = raw_token(r#"{"alg":"HS256"}"#, r#"{"exp":"soon","iat":1.5}"#);
    let decoded = jwt(&["decode", "--date", &odd]);
    assert_eq!(decoded.json()["claims"]["exp"], "soon");
    assert_eq!(decoded.json()["claims"]["iat"], "1970-01-01T00:00:01.5Z");
    // Bad values are usage errors; the value must follow `=`.
    for bad in [
        "--date=mars",
        "--date=+5",
        "--date=+24:00",
        "--date=+05:60",
        "--date=05:00",
    ] {
        let out = jwt(&strs(&verify_at(&token, &[bad])));
        assert_eq!(out.code, 2, "{bad}: {out:?}");
        assert!(out.stdout.is_empty());
    }
    let out = jwt(&["decode", "--date", "+05:30", &token]);
    assert_eq!(out.code, 2, "{out:?}");
}

// ---------------------------------------------------------------------------------------------
// encode's claim flags, verify --allow-missing-exp, hints that name flags, completions

fn encode_claims(extra: &[&str]) -> Run {
    let mut args = vec!["encode", "--alg", "HS256", "--secret", SECRET, "--no-iat"];
    args.extend_from_slice(extra);
    let run = jwt(&args);
    if run.code != 0 {
        return run;
    }
    jwt(&["decode", run.ok()])
}

fn claims_of(extra: &[&str]) -> Value {
    encode_claims(extra).json()["claims"].clone()
}

#[test]
fn encode_claim_flags_set_registered_claims() {
    let claims = claims_of(&[
        "--iss",
        "https://id.example",
        "--sub",
        "user-42",
        "--aud",
        "api",
        "--jti",
        "j-1",
        "--nbf",
        "1690000000",
        "--exp",
        "1700000000",
    ]);
    assert_eq!(
        claims,
        json!({"iss": "https://id.example", "sub": "user-42", "aud": "api", "jti": "j-1",
               "nbf": 1_690_000_000, "exp": 1_700_000_000})
    );
    // --aud twice: an array; --sub 42 is the string "42".
    let claims = claims_of(&["--aud", "a", "--aud", "b", "--sub", "42"]);
    assert_eq!(claims, json!({"aud": ["a", "b"], "sub": "42"}));
    // --nbf +DURATION is from now, like --exp; with iat, nbf - iat is the duration.
    let run = jwt(&[
        "encode", "--alg", "HS256", "--secret", SECRET, "--nbf", "+2h", "--jti", "x",
    ]);
    let claims = jwt(&["decode", run.ok()]).json()["claims"].clone();
    let (nbf, iat) = (
        claims["nbf"].as_i64().unwrap(),
        claims["iat"].as_i64().unwrap(),
    );
    assert!((7200..=7201).contains(&(nbf - iat)), "{claims}");
    // Bad times are usage errors.
    for bad in ["soon", "+2y", "+", "-", "+5", "5 parsecs"] {
        let out = jwt(&["encode", "--alg", "HS256", "--secret", SECRET, "--nbf", bad]);
        assert_eq!(out.code, 2, "{bad}: {out:?}");
        assert!(out.stdout.is_empty());
    }
    // A token made by the flags verifies with the matching verify flags.
    let token = jwt(&[
        "encode", "--alg", "HS256", "--secret", SECRET, "--iss", "i", "--aud", "api", "--sub", "s",
        "--exp", "+5m",
    ])
    .ok()
    .to_owned();
    let run = jwt(&[
        "verify", "--secret", SECRET, "--iss", "i", "--aud", "api", "--sub", "s", &token,
    ]);
    assert_eq!(run.json()["aud"], "api");
}

#[test]
fn encode_p_takes_json_values_or_strings() {
    let claims = claims_of(&[
        "-P",
        "n=42",
        "-P",
        "ok=true",
        "-P",
        "none=null",
        "-P",
        "list=[1,\"a\"]",
        "-P",
        r#"obj={"a":{"b":1}}"#,
        "-P",
        "role=admin",
        "-P",
        r#"quoted="42""#,
        "-P",
        "eq=a=b",
        "-P",
        "empty=",
        "-P",
        "date=2024-01-01",
        "--claim",
        "long=1",
        "--payload",
        "alias=x",
    ]);
    assert_eq!(
        claims,
        json!({"n": 42, "ok": true, "none": null, "list": [1, "a"], "obj": {"a": {"b": 1}},
               "role": "admin", "quoted": "42", "eq": "a=b", "empty": "", "date": "2024-01-01",
               "long": 1, "alias": "x"})
    );
    // Without CLAIMS_JSON, claim flags mean no other claims: standard input is not read.
    let run = run_with_stdin(
        &["encode", "--alg", "HS256", "--secret", SECRET, "-P", "a=1"],
        Some(b"this is not JSON"),
    );
    let token = run.ok().to_owned();
    assert_eq!(jwt(&["decode", &token]).json()["claims"]["a"], 1);
    // `-` reads the claims from standard input and adds the flags' claims.
    let run = run_with_stdin(
        &[
            "encode", "--alg", "HS256", "--secret", SECRET, "--no-iat", "--sub", "s", "-",
        ],
        Some(br#"{"x":1}"#),
    );
    let token = run.ok().to_owned();
    assert_eq!(
        jwt(&["decode", &token]).json()["claims"],
        json!({"sub": "s", "x": 1})
    );
    // Not NAME=VALUE: usage errors.
    for bad in ["novalue", "=1", ""] {
        let out = jwt(&["encode", "--alg", "HS256", "--secret", SECRET, "-P", bad]);
        assert_eq!(out.code, 2, "{bad:?}: {out:?}");
        assert!(out.stdout.is_empty());
    }
    // --help says how VALUE is read.
    let help = jwt(&["encode", "--help"]);
    assert!(
        help.ok()
            .contains("VALUE is taken as JSON when it is valid JSON")
    );
}

#[test]
fn encode_refuses_flags_that_disagree_with_the_claims() {
    let conflict = |extra: &[&str], needles: &[&str]| {
        let mut args = vec!["encode", "--alg", "HS256", "--secret", SECRET];
        args.extend_from_slice(extra);
        let out = jwt(&args);
        assert_eq!(out.code, 2, "{extra:?}: {out:?}");
        assert!(out.stdout.is_empty());
        for needle in needles {
            assert!(out.stderr.contains(needle), "{needle} in {out:?}");
        }
    };
    conflict(
        &["--iss", "a", r#"{"iss":"b"}"#],
        &[
            "--iss sets iss to \"a\"",
            "the claims JSON sets it to \"b\"",
        ],
    );
    conflict(&["--sub", "a", r#"{"sub":"b"}"#], &["--sub", "claims JSON"]);
    conflict(&["--jti", "a", r#"{"jti":1}"#], &["--jti", "claims JSON"]);
    conflict(&["--aud", "a", r#"{"aud":"b"}"#], &["--aud", "claims JSON"]);
    conflict(
        &["--aud", "a", "--aud", "b", r#"{"aud":["b","a"]}"#],
        &["--aud"],
    );
    conflict(&["--nbf", "5", r#"{"nbf":6}"#], &["--nbf", "claims JSON"]);
    conflict(&["-P", "x=1", r#"{"x":2}"#], &["-P x=", "claims JSON"]);
    conflict(&["-P", "x=1", "-P", "x=2"], &["-P x=", "sets it to 1"]);
    conflict(&["-P", "iss=a", "--iss", "b"], &["--iss", "-P iss="]);
    // The same value twice is no conflict.
    let claims = claims_of(&[
        "--iss",
        "a",
        "-P",
        "iss=a",
        r#"{"iss":"a","aud":["x","y"]}"#,
    ]);
    assert_eq!(claims["iss"], "a");
    let claims = claims_of(&["--aud", "x", "--aud", "y", r#"{"aud":["x","y"]}"#]);
    assert_eq!(claims["aud"], json!(["x", "y"]));
    // --exp keeps its rule: a claim given in the claims JSON, or by -P, wins over it.
    assert_eq!(claims_of(&["--exp", "5", r#"{"exp":6}"#])["exp"], 6);
    assert_eq!(claims_of(&["--exp", "5", "-P", "exp=7"])["exp"], 7);
}

#[test]
fn verify_allow_missing_exp() {
    let no_exp = jwt(&["encode", "--alg", "HS256", "--secret", SECRET, "--sub", "s"])
        .ok()
        .to_owned();
    let out = jwt(&["verify", "--secret", SECRET, &no_exp]);
    out.fails("missing_claim", 1);
    assert!(out.stderr.contains("--allow-missing-exp"), "{out:?}");
    let run = jwt(&["verify", "--secret", SECRET, "--allow-missing-exp", &no_exp]);
    assert_eq!(run.json()["sub"], "s");
    // A token that has exp is still checked.
    let expired = jwt(&[
        "encode", "--alg", "HS256", "--secret", SECRET, "--exp", "1000", "--no-iat", "{}",
    ])
    .ok()
    .to_owned();
    jwt(&[
        "verify",
        "--secret",
        SECRET,
        "--allow-missing-exp",
        &expired,
    ])
    .fails("expired", 1);
    // --require exp wins.
    jwt(&[
        "verify",
        "--secret",
        SECRET,
        "--allow-missing-exp",
        "--require",
        "exp",
        &no_exp,
    ])
    .fails("missing_claim", 1);
    // Other checks still apply.
    jwt(&[
        "verify",
        "--secret",
        SECRET,
        "--allow-missing-exp",
        "--sub",
        "other",
        &no_exp,
    ])
    .fails("invalid_subject", 1);
}

#[test]
fn error_messages_name_flags_never_library_calls() {
    let with_aud = jwt(&[
        "encode", "--alg", "HS256", "--secret", SECRET, "--aud", "api", "--exp", "+5m",
    ])
    .ok()
    .to_owned();
    let out = jwt(&["verify", "--secret", SECRET, &with_aud]);
    out.fails("invalid_audience", 1);
    assert!(out.stderr.contains("no --aud was given"), "{out:?}");
    assert!(out.stderr.contains("pass --aud"), "{out:?}");
    let ed = key("ed25519.pkcs8.pem");
    let expired = hs256(&json!({"exp": 1000}));
    let future = hs256(&json!({"exp": FAR_FUTURE, "nbf": FAR_FUTURE - 10}));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["verify", "--secret", SECRET, &with_aud], "--aud"),
        (
            vec!["verify", "--secret", SECRET, "--aud", "x", &with_aud],
            "--aud",
        ),
        (
            vec![
                "verify", "--secret", SECRET, "--aud", "api", "--iss", "i", &with_aud,
            ],
            "--iss",
        ),
        (vec!["verify", "--secret", SECRET, &expired], "--leeway"),
        (vec!["verify", "--secret", SECRET, &future], "--leeway"),
        (
            vec!["verify", "--secret", SECRET, "--typ", "at+jwt", &expired],
            "--typ",
        ),
        (
            vec!["verify", "--secret", SECRET, "--alg", "HS384", &with_aud],
            "--alg",
        ),
        (vec!["verify", "--key", &ed, &with_aud], "--alg"),
        (
            vec!["verify", "--secret", SECRET, "--require", "x", &with_aud],
            "--require",
        ),
    ];
    for (args, flag) in cases {
        let out = jwt(&args);
        assert_ne!(out.code, 0, "{args:?}");
        assert!(out.stderr.contains(flag), "{flag} in {out:?}");
        assert!(
            !out.stderr.contains("::") && !out.stderr.contains("Validation"),
            "no library call in {out:?}"
        );
    }
}

const SHELLS: [&str; 6] = ["bash", "zsh", "fish", "powershell", "elvish", "nushell"];

#[test]
fn completions_for_every_shell_name_every_subcommand() {
    for shell in SHELLS {
        for command in ["completions", "completion"] {
            let out = jwt(&[command, shell]);
            let script = out.ok();
            assert!(script.len() > 500, "{shell}: a whole script");
            for word in [
                "encode",
                "decode",
                "verify",
                "keygen",
                "jwk",
                "encrypt",
                "decrypt",
                "completions",
            ] {
                assert!(script.contains(word), "{shell} completes {word}");
            }
            for flag in [
                "allow-missing-exp",
                "secret-b64",
                "date",
                "verify-key",
                "sign-alg",
            ] {
                assert!(script.contains(flag), "{shell} completes --{flag}");
            }
            assert!(out.stderr.is_empty());
        }
    }
    // Unknown or missing shells are usage errors.
    for args in [
        &["completions", "tcsh"][..],
        &["completions"],
        &["completions", "BASH!"],
    ] {
        let out = jwt(args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn the_bash_completion_script_loads_and_completes() {
    let script = jwt(&["completions", "bash"]).ok().to_owned();
    let dir = TempDir::new();
    let file = dir.write("jwt.bash", script);
    let probe = format!(
        "source '{file}' && complete -p jwt && COMP_WORDS=(jwt ver) COMP_CWORD=1 \
         COMP_LINE='jwt ver' COMP_POINT=7 && _jwt jwt ver jwt && printf '%s\\n' \"${{COMPREPLY[@]}}\""
    );
    let Ok(out) = Command::new("bash").args(["-c", &probe]).output() else {
        eprintln!("SKIPPED: bash is not installed");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{:?} {stdout} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("-F _jwt jwt"), "{stdout}");
    assert!(
        stdout.lines().any(|l| l == "verify"),
        "jwt ver<TAB> completes verify: {stdout}"
    );
    // Algorithm names complete too.
    let probe = format!(
        "source '{file}' && COMP_WORDS=(jwt encode --alg E) COMP_CWORD=3 && _jwt jwt E --alg \
         && printf '%s\\n' \"${{COMPREPLY[@]}}\""
    );
    let out = Command::new("bash").args(["-c", &probe]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut expected = String::new();
    for name in webtoken::Algorithm::ALL.iter().map(|a| a.as_str()) {
        if name.starts_with('E') {
            expected.push_str(name);
            expected.push('\n');
        }
    }
    assert!(expected.contains("ES256\nES384\n"), "{expected}");
    assert_eq!(stdout, expected, "jwt encode --alg E<TAB>");
}

#[test]
fn durations_combine_units_and_may_point_to_the_past() {
    let times = |flag: &str, value: &str| {
        let token = jwt(&[
            "encode", "--alg", "HS256", "--secret", SECRET, flag, value, "--jti", "j",
        ])
        .ok()
        .to_owned();
        let claims = jwt(&["decode", &token]).json()["claims"].clone();
        let name = flag.trim_start_matches('-');
        claims[name].as_i64().unwrap() - claims["iat"].as_i64().unwrap()
    };
    for (value, seconds) in [
        ("+1h30m", 5400),
        ("+1w", 604_800),
        ("-5m", -300),
        ("+90s", 90),
    ] {
        for flag in ["--exp", "--nbf"] {
            let got = times(flag, value);
            assert!(
                (seconds..=seconds + 1).contains(&got),
                "{flag} {value}: {got}"
            );
        }
    }
    // -5m makes a token that verify refuses as expired: handy for tests.
    let expired = jwt(&["encode", "-S", SECRET, "-e", "-5m", "{}"])
        .ok()
        .to_owned();
    jwt(&["verify", "-S", SECRET, &expired]).fails("expired", 1);
}

#[test]
fn short_flags_and_no_typ() {
    let token = jwt(&[
        "encode",
        "-A",
        "HS384",
        "-S",
        &"s".repeat(48),
        "-k",
        "k1",
        "-t",
        "at+jwt",
        "-e",
        "+5m",
        "-n",
        "+0s",
        "-i",
        "iss",
        "-s",
        "sub",
        "-a",
        "aud",
        "-P",
        "x=1",
    ])
    .ok()
    .to_owned();
    let decoded = jwt(&["decode", &token]).json();
    assert_eq!(
        decoded["header"],
        json!({"alg": "HS384", "kid": "k1", "typ": "at+jwt"})
    );
    assert_eq!(decoded["claims"]["aud"], "aud");
    let verified = jwt(&[
        "verify",
        "-S",
        &"s".repeat(48),
        "-A",
        "HS384",
        "-i",
        "iss",
        "-a",
        "aud",
        "-s",
        "sub",
        "-t",
        "at+jwt",
        "-j",
        &token,
    ]);
    assert_eq!(verified.json()["x"], 1);
    // --no-typ: no typ unless --header has one; with --typ it is a usage error.
    let bare = jwt(&["encode", "-S", SECRET, "--no-typ", "{}"])
        .ok()
        .to_owned();
    assert_eq!(header(&bare), json!({"alg": "HS256"}));
    let kept = jwt(&[
        "encode",
        "-S",
        SECRET,
        "--no-typ",
        "--header",
        r#"{"typ":"x"}"#,
        "{}",
    ]);
    assert_eq!(header(kept.ok())["typ"], "x");
    let out = jwt(&["encode", "-S", SECRET, "--no-typ", "--typ", "JWT", "{}"]);
    assert_eq!(out.code, 2, "{out:?}");
}

#[test]
fn encode_takes_the_keys_own_algorithm_without_alg() {
    let dir = TempDir::new();
    let es384 = dir.write(
        "es384.jwk",
        jwt(&["keygen", "--alg", "ES384", "--format", "jwk"]).ok(),
    );
    for (key_args, alg) in [
        (vec!["--secret", SECRET], "HS256"),
        (vec!["--key", &key("p256.pkcs8.pem")], "ES256"),
        (vec!["--key", &key("p384.pkcs8.pem")], "ES384"),
        (vec!["--key", &key("ed25519.pkcs8.pem")], "EdDSA"),
        (vec!["--key", &es384], "ES384"),
    ] {
        let mut args = vec!["encode"];
        args.extend_from_slice(&key_args);
        args.push("{}");
        let token = jwt(&args).ok().to_owned();
        assert_eq!(header(&token)["alg"], alg, "{key_args:?}");
        assert_verifies_any(&key_args, &token);
    }
    // An RSA key serves RS* and PS*: the user chooses.
    let out = jwt(&["encode", "--key", &key("rsa2048.pkcs8.pem"), "{}"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("choose one with --alg"), "{out:?}");
    // A public key still cannot sign.
    jwt(&["encode", "--key", &key("p256.spki.pem"), "{}"]).fails("invalid_key", 2);
}

fn assert_verifies_any(key_args: &[&str], token: &str) {
    let mut args = vec!["verify", "--allow-missing-exp"];
    args.extend_from_slice(key_args);
    args.push(token);
    assert_eq!(jwt(&args).code, 0, "{key_args:?}");
}

#[test]
fn out_writes_the_result_to_a_file_readable_by_its_owner() {
    let dir = TempDir::new();
    let path = dir.0.join("key.pem");
    let path = path.to_str().unwrap();
    let run = jwt(&["keygen", "--alg", "EdDSA", "-o", path]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.is_empty(), "nothing on stdout: {run:?}");
    let pem = std::fs::read_to_string(path).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----") && pem.ends_with("-----\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    // JSON to a file is one line, even with --color=always.
    let token = fixed_token();
    let claims = dir.0.join("claims.json");
    let claims = claims.to_str().unwrap();
    let args = verify_at(&token, &["--out", claims, "--color=always"]);
    assert_eq!(jwt(&strs(&args)).code, 0);
    assert_eq!(
        std::fs::read_to_string(claims).unwrap(),
        "{\"exp\":1700000000,\"nbf\":1690000000,\"sub\":\"user-42\"}\n"
    );
    // A failure writes nothing; an unwritable path is an I/O error (exit 2).
    let refused = dir.0.join("refused.json");
    let args = verify_at(
        &token,
        &["--now", "1800000000", "-o", refused.to_str().unwrap()],
    );
    assert_eq!(jwt(&strs(&args)).code, 2, "--now twice is a usage error");
    let expired = [
        "verify",
        "-S",
        SECRET,
        "--now",
        "1800000000",
        "-o",
        refused.to_str().unwrap(),
        &token,
    ];
    jwt(&expired).fails("expired", 1);
    assert!(!refused.exists());
    let out = jwt(&["keygen", "--alg", "HS256", "-o", "/nonexistent-dir/key"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .starts_with("error: cannot write /nonexistent-dir/key"),
        "{out:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The walkthroughs of README.md ("Command-line tool") and docs/cli.md ("Walkthrough") run as
// they are written: every file they use is one they create.

/// The ```sh blocks of the section of `file` that starts with `heading`, but for blocks that
/// call cargo (installing is not this test's business).
fn shell_blocks(file: &str, heading: &str) -> Vec<String> {
    let path = format!("{}/../{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("read the document");
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("{heading} in {file}"));
    let section = &text[start + heading.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .split("```sh\n")
        .skip(1)
        .map(|block| block.split("```").next().expect("closed block").to_owned())
        .filter(|block| !block.contains("cargo "))
        // Encrypted tokens need the `jwe` feature (on by default).
        .filter(|block| cfg!(feature = "jwe") || !block.contains("jwt encrypt"))
        .collect()
}

fn run_walkthrough(file: &str, heading: &str, min_blocks: usize) {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("SKIPPED: the {file} walkthrough needs openssl, which is not installed");
        return;
    }
    let blocks = shell_blocks(file, heading);
    assert!(
        blocks.len() >= min_blocks,
        "{file}: blocks found: {}",
        blocks.len()
    );
    let dir = TempDir::new();
    let bin_dir = binary().parent().expect("the binary's directory");
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let script = format!("set -eu\n{}", blocks.join("\n"));
    let out = Command::new("bash")
        .args(["-c", &script])
        .current_dir(&dir.0)
        .env("PATH", path)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{file}:\n{stdout}\n{stderr}");
    // The failures it shows happened, with the exit codes it says.
    for line in script.lines().filter(|l| l.contains("|| echo \"exit $?\"")) {
        assert!(!line.trim_start().starts_with('#'), "{line}");
    }
    let shown = script.matches("|| echo \"exit $?\"").count();
    assert_eq!(stdout.matches("exit ").count(), shown, "{file}:\n{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_readme_walkthrough_runs() {
    run_walkthrough("README.md", "## Command-line tool", 1);
}

#[test]
fn the_package_readme_example_runs() {
    run_walkthrough("cli/README.md", "## A minute of it", 1);
}

#[test]
fn the_reference_walkthrough_runs() {
    run_walkthrough("docs/cli.md", "## Walkthrough", 10);
}

#[test]
fn keep_order_writes_claims_in_the_order_given() {
    let payload = |extra: &[&str]| {
        let mut args = vec!["encode", "-S", SECRET, "--exp", "1700000000"];
        args.extend_from_slice(extra);
        let token = jwt(&args).ok().to_owned();
        let segment = token.split('.').nth(1).unwrap().to_owned();
        String::from_utf8(webtoken::base64url::decode(&segment).unwrap()).unwrap()
    };
    let kept = payload(&[
        "--keep-order",
        "--no-iat",
        "-P",
        "z=1",
        "--iss",
        "i",
        r#"{"b":1,"a":{"y":1,"x":2},"b":3}"#,
    ]);
    assert_eq!(
        kept,
        r#"{"b":3,"a":{"x":2,"y":1},"z":1,"iss":"i","exp":1700000000}"#
    );
    let sorted = payload(&["--no-iat", "-P", "z=1", "--iss", "i", r#"{"b":1,"a":2}"#]);
    assert_eq!(sorted, r#"{"a":2,"b":1,"exp":1700000000,"iss":"i","z":1}"#);
    // The jwt-cli spelling; iat comes before exp, as added.
    let kept = payload(&["--keep-payload-order", "--sub", "s"]);
    assert!(kept.starts_with(r#"{"sub":"s","iat":"#) && kept.ends_with(r#","exp":1700000000}"#));
    // The token verifies like any other.
    let token = jwt(&[
        "encode",
        "-S",
        SECRET,
        "--keep-order",
        "-e",
        "+1m",
        r#"{"b":1,"a":2}"#,
    ]);
    assert_eq!(jwt(&["verify", "-S", SECRET, token.ok()]).json()["a"], 2);
}

#[test]
fn a_terminal_never_gets_control_characters_from_a_token() {
    // A claim with DEL, the C1 CSI (U+009B, "ESC [" in one character) and a right-to-left
    // override: on a terminal they are escaped as \uXXXX, still the same JSON string.
    let hostile = "a\u{7f}b\u{9b}31mc\u{202e}d\u{2066}e";
    let token = raw_token(
        r#"{"alg":"HS256"}"#,
        &json!({"exp": FAR_FUTURE, "note": hostile, hostile: 1}).to_string(),
    );
    let Some(run) = on_terminal(&["decode", "--color=never", &token], &[]) else {
        return;
    };
    assert_eq!(run.code, 0, "{run:?}");
    for raw in ['\u{7f}', '\u{9b}', '\u{202e}', '\u{2066}'] {
        assert!(!run.stdout.contains(raw), "{raw:?} escaped in {run:?}");
    }
    let escaped = r#""a\u007fb\u009b31mc\u202ed\u2066e""#;
    assert_eq!(
        run.stdout.matches(escaped).count(),
        2,
        "name and value: {run:?}"
    );
    // Coloured too.
    let run = on_terminal(&["decode", &token], &[]).unwrap();
    assert!(
        !run.stdout.contains('\u{9b}') && run.stdout.contains(r"\u009b"),
        "{run:?}"
    );
    // Piped, the one-line form stays serde_json's, byte for byte.
    let piped = jwt(&["decode", &token]);
    assert!(piped.ok().contains(hostile), "{piped:?}");
    assert_eq!(piped.json()["claims"]["note"], hostile);
}

// Encrypted tokens (JWE): `encrypt`, `decrypt`, `keygen` of encryption keys, `decode` of a JWE.
// Built with the `jwe` feature (on by default); without it the commands are refused by name.

/// The claims of the JWE tests, and how `decrypt` prints them (one line, keys sorted).
#[cfg(feature = "jwe")]
const JWE_CLAIMS: &str = r#"{"exp":4102444800,"role":"admin","sub":"user-42"}"#;

#[cfg(feature = "jwe")]
fn encrypt(args: &[&str]) -> String {
    let mut all = vec!["encrypt", "--no-iat"];
    all.extend_from_slice(args);
    all.push(JWE_CLAIMS);
    let token = jwt(&all).ok().to_owned();
    assert_eq!(token.split('.').count(), 5, "a compact JWE: {token}");
    token
}

#[cfg(feature = "jwe")]
fn decrypt(args: &[&str], token: &str) -> Run {
    let mut all = vec!["decrypt"];
    all.extend_from_slice(args);
    all.push(token);
    jwt(&all)
}

/// The header of a JWE, decoded here (not by the tool).
#[cfg(feature = "jwe")]
fn jwe_header(token: &str) -> Value {
    let segment = token.split('.').next().expect("a header segment");
    serde_json::from_slice(&webtoken::base64url::decode(segment).expect("base64url"))
        .expect("JSON header")
}

#[cfg(feature = "jwe")]
#[test]
fn jwe_round_trips_with_secrets() {
    let cases = [
        ("dir", "A256GCM", "A256GCM"),
        ("dir", "A128CBC-HS256", "A128CBC-HS256"),
        ("dir", "A256CBC-HS512", "A256CBC-HS512"),
        ("A128KW", "A128CBC-HS256", "A128GCM"),
        ("A256KW", "A256GCM", "A256GCM"),
    ];
    for (alg, enc, keygen_enc) in cases {
        let mut keygen = vec!["keygen", "--alg", alg];
        if alg == "dir" {
            keygen.extend(["--enc", keygen_enc]);
        }
        let secret = jwt(&keygen).ok().to_owned();
        let token = encrypt(&["--alg", alg, "--enc", enc, "--secret-b64", &secret]);
        let header = jwe_header(&token);
        assert_eq!(header["alg"], alg);
        assert_eq!(header["enc"], enc);
        assert_eq!(header["typ"], "JWT");
        let run = decrypt(&["--secret-b64", &secret], &token);
        assert_eq!(run.ok(), JWE_CLAIMS, "{alg} {enc}");
        // Two encryptions of the same claims differ (fresh CEK and IV).
        let again = encrypt(&["--alg", alg, "--enc", enc, "--secret-b64", &secret]);
        assert_ne!(token, again);
        // The same secret as an oct JWK, from keygen --format jwk.
        let mut keygen_jwk = keygen.clone();
        keygen_jwk.extend(["--format", "jwk"]);
        let jwk = jwt(&keygen_jwk).json();
        assert_eq!(jwk["use"], "enc");
        // A dir key's JWK names the enc it is the content key of (as RFC 7520 §5.6 does).
        assert_eq!(jwk["alg"], if alg == "dir" { keygen_enc } else { alg });
        let dir = TempDir::new();
        let file = dir.write("k.jwk", jwk.to_string());
        let token = encrypt(&["--alg", alg, "--enc", enc, "--key", &file]);
        assert_eq!(decrypt(&["--key", &file], &token).ok(), JWE_CLAIMS);
    }
}

#[cfg(feature = "jwe")]
#[test]
fn jwe_round_trips_with_ecdh_es_and_rsa_oaep() {
    let dir = TempDir::new();
    let mut cases: Vec<(&str, Vec<&str>, &str)> = Vec::new();
    for crv in ["P-256", "P-384", "P-521", "X25519"] {
        for alg in ["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"] {
            cases.push((alg, vec!["--crv", crv], "A256GCM"));
        }
    }
    cases.push(("RSA-OAEP-256", vec![], "A256GCM"));
    cases.push(("RSA-OAEP", vec!["--bits", "3072"], "A128CBC-HS256"));
    for (i, (alg, extra, enc)) in cases.iter().enumerate() {
        let mut keygen = vec!["keygen", "--alg", alg];
        keygen.extend(extra);
        let private = jwt(&keygen).json();
        assert!(private.get("d").is_some(), "a private JWK: {private}");
        assert_eq!(private["use"], "enc");
        let private_file = dir.write(&format!("{i}.jwk"), private.to_string());
        let public = jwt(&["jwk", "--key", &private_file]).json();
        assert!(public.get("d").is_none(), "a public JWK: {public}");
        assert_eq!(public["kid"], private["kid"], "the same thumbprint");
        let public_file = dir.write(&format!("{i}.pub.jwk"), public.to_string());
        let token = encrypt(&["--alg", alg, "--enc", enc, "--key", &public_file]);
        let header = jwe_header(&token);
        assert_eq!(header["kid"], private["kid"], "the key's kid is written");
        assert_eq!(header.get("epk").is_some(), alg.starts_with("ECDH"));
        assert_eq!(
            decrypt(&["--key", &private_file], &token).ok(),
            JWE_CLAIMS,
            "{alg} {extra:?}"
        );
        // A public key cannot decrypt.
        decrypt(&["--key", &public_file], &token).fails("invalid_key", 2);
    }
}

#[cfg(feature = "jwe")]
#[test]
fn jwe_round_trips_with_pem_keys() {
    for (private, public, algs) in [
        (
            "p256.pkcs8.pem",
            "p256.spki.pem",
            &["ECDH-ES", "ECDH-ES+A256KW"][..],
        ),
        ("p384.sec1.pem", "p384.spki.pem", &["ECDH-ES+A128KW"]),
        ("p521.pkcs8.pem", "p521.spki.pem", &["ECDH-ES"]),
        (
            "rsa2048.pkcs8.pem",
            "rsa2048.spki.pem",
            &["RSA-OAEP-256", "RSA-OAEP"],
        ),
        (
            "rsa2048.pkcs1.pem",
            "rsa2048.pkcs1.pub.pem",
            &["RSA-OAEP-256"],
        ),
    ] {
        for alg in algs {
            let token = encrypt(&["--alg", alg, "--enc", "A128GCM", "--key", &key(public)]);
            let run = decrypt(&["--key", &key(private)], &token);
            assert_eq!(run.ok(), JWE_CLAIMS, "{private} {alg}");
            // --alg narrows the accepted algorithms to the key's others: refused.
            let other = if alg.starts_with("RSA") {
                "RSA-OAEP"
            } else {
                "ECDH-ES+A128KW"
            };
            if other != *alg {
                decrypt(&["--key", &key(private), "--alg", other], &token)
                    .fails("algorithm_not_allowed", 1);
            }
            // A private key encrypts too (to its own public half).
            let token = encrypt(&["--alg", alg, "--enc", "A256GCM", "--key", &key(private)]);
            assert_eq!(decrypt(&["--key", &key(private)], &token).ok(), JWE_CLAIMS);
        }
    }
    // A signing algorithm's key family that does not fit the encryption algorithm.
    jwt(&[
        "encrypt",
        "--alg",
        "RSA-OAEP",
        "--enc",
        "A128GCM",
        "--key",
        &key("p256.spki.pem"),
        "{}",
    ])
    .fails("invalid_key", 2);
    jwt(&[
        "encrypt",
        "--alg",
        "ECDH-ES",
        "--enc",
        "A128GCM",
        "--key",
        &key("ed25519.spki.pem"),
        "{}",
    ])
    .fails("invalid_key", 2);
    // Small RSA keys are refused for encryption as for signing.
    jwt(&[
        "encrypt",
        "--alg",
        "RSA-OAEP-256",
        "--enc",
        "A128GCM",
        "--key",
        &key("rsa1024.spki.pem"),
        "{}",
    ])
    .fails("invalid_key", 2);
}

#[cfg(feature = "jwe")]
#[test]
fn nested_jwt_is_signed_then_encrypted_and_verified_after_decryption() {
    let dir = TempDir::new();
    let recipient = dir.write(
        "r.jwk",
        jwt(&["keygen", "--alg", "ECDH-ES+A256KW", "--crv", "X25519"]).ok(),
    );
    let recipient_pub = dir.write("r.pub.jwk", jwt(&["jwk", "--key", &recipient]).ok());
    let signer = dir.write("s.pem", jwt(&["keygen", "--alg", "ES256"]).ok());
    let signer_pub = dir.write("s.pub.jwk", jwt(&["jwk", "--key", &signer]).ok());
    let token = encrypt(&[
        "--alg",
        "ECDH-ES+A256KW",
        "--enc",
        "A256GCM",
        "--key",
        &recipient_pub,
        "--sign-key",
        &signer,
        "--typ",
        "at+jwt",
    ]);
    let header = jwe_header(&token);
    assert_eq!(header["cty"], "JWT", "a nested JWT says so");
    assert!(
        header.get("typ").is_none(),
        "typ belongs to the signed token: {header}"
    );
    let run = decrypt(
        &[
            "--key",
            &recipient,
            "--verify-key",
            &signer_pub,
            "--typ",
            "at+jwt",
        ],
        &token,
    );
    assert_eq!(run.ok(), JWE_CLAIMS);
    // Without --verify-key a nested JWT is refused, and the message names the flag.
    let run = decrypt(&["--key", &recipient], &token);
    run.fails("malformed", 1);
    assert!(run.stderr.contains("--verify-key"), "{run:?}");
    // Another signer's key: the signature does not verify.
    let other = dir.write("o.pem", jwt(&["keygen", "--alg", "ES256"]).ok());
    let other_pub = dir.write("o.pub.jwk", jwt(&["jwk", "--key", &other]).ok());
    decrypt(&["--key", &recipient, "--verify-key", &other_pub], &token)
        .fails("invalid_signature", 1);
    // The inner typ is checked.
    decrypt(
        &[
            "--key",
            &recipient,
            "--verify-key",
            &signer_pub,
            "--typ",
            "JWT",
        ],
        &token,
    )
    .fails("invalid_type", 1);
    // --verify-alg narrows the inner algorithms: a P-256 key cannot serve ES384 (an unusable
    // key, as for verify).
    decrypt(
        &[
            "--key",
            &recipient,
            "--verify-key",
            &signer_pub,
            "--verify-alg",
            "ES384",
        ],
        &token,
    )
    .fails("invalid_key", 2);
}

#[cfg(feature = "jwe")]
#[test]
fn nested_jwt_with_hmac_and_the_cty_rules() {
    let dir = TempDir::new();
    let recipient = dir.write(
        "r.jwk",
        jwt(&["keygen", "--alg", "ECDH-ES+A256KW", "--crv", "P-384"]).ok(),
    );
    let recipient_pub = dir.write("r.pub.jwk", jwt(&["jwk", "--key", &recipient]).ok());
    let signer = dir.write("s.pem", jwt(&["keygen", "--alg", "EdDSA"]).ok());
    let signer_pub = dir.write("s.pub.jwk", jwt(&["jwk", "--key", &signer]).ok());
    // An HMAC signer, with --sign-alg.
    let secret = dir.write("hs.key", SECRET);
    let token = encrypt(&[
        "--alg",
        "ECDH-ES+A256KW",
        "--enc",
        "A128CBC-HS256",
        "--key",
        &recipient_pub,
        "--sign-key",
        &secret,
        "--sign-alg",
        "HS384",
    ]);
    assert_eq!(
        decrypt(&["--key", &recipient, "--verify-key", &secret], &token).ok(),
        JWE_CLAIMS
    );
    // A token that is not nested, given --verify-key: refused (nothing was signed).
    let plain = encrypt(&[
        "--alg",
        "ECDH-ES+A256KW",
        "--enc",
        "A256GCM",
        "--key",
        &recipient_pub,
    ]);
    let run = decrypt(&["--key", &recipient, "--verify-key", &signer_pub], &plain);
    run.fails("malformed", 1);
    assert!(run.stderr.contains("cty"), "{run:?}");
    // --cty must agree with the nesting.
    for args in [
        &["--sign-key", signer.as_str(), "--cty", "json"][..],
        &["--cty", "JWT"],
    ] {
        let mut all = vec![
            "encrypt",
            "--alg",
            "ECDH-ES+A256KW",
            "--enc",
            "A256GCM",
            "--key",
            &recipient_pub,
        ];
        all.extend_from_slice(args);
        all.push("{}");
        let run = jwt(&all);
        assert_eq!(run.code, 2, "{run:?}");
    }
}

#[cfg(feature = "jwe")]
#[test]
fn decrypt_refuses_wrong_keys_and_algorithms_not_allowed() {
    let secret = jwt(&["keygen", "--alg", "A256KW"]).ok().to_owned();
    let other = jwt(&["keygen", "--alg", "A256KW"]).ok().to_owned();
    let token = encrypt(&[
        "--alg",
        "A256KW",
        "--enc",
        "A256GCM",
        "--secret-b64",
        &secret,
    ]);
    // Another secret of the right length: one kind, one message, exit 1.
    let run = decrypt(&["--secret-b64", &other], &token);
    run.fails("decryption_failed", 1);
    assert_eq!(run.stderr, "error: decryption_failed: decryption failed\n");
    // A flipped bit of the tag, of the ciphertext, of the encrypted key: the same answer.
    let segments: Vec<&str> = token.split('.').collect();
    for at in [1, 3, 4] {
        let mut parts: Vec<String> = segments.iter().map(|s| (*s).to_owned()).collect();
        let mut bytes = webtoken::base64url::decode(&parts[at]).expect("segment");
        bytes[0] ^= 1;
        parts[at] = webtoken::base64url::encode(&bytes);
        let run = decrypt(&["--secret-b64", &secret], &parts.join("."));
        assert_eq!(
            run.stderr, "error: decryption_failed: decryption failed\n",
            "segment {at}"
        );
        assert_eq!(run.code, 1);
    }
    // enc not in --enc; alg not in --alg; alg not the key's.
    decrypt(&["--secret-b64", &secret, "--enc", "A128GCM"], &token)
        .fails("algorithm_not_allowed", 1);
    decrypt(&["--secret-b64", &secret, "--alg", "dir"], &token).fails("algorithm_not_allowed", 1);
    let ec = jwt(&["keygen", "--alg", "ECDH-ES"]).ok().to_owned();
    let dir = TempDir::new();
    let ec_file = dir.write("ec.jwk", &ec);
    decrypt(&["--key", &ec_file], &token).fails("algorithm_not_allowed", 1);
    // A secret of another length fits no algorithm of the token.
    let short = jwt(&["keygen", "--alg", "A128KW"]).ok().to_owned();
    decrypt(&["--secret-b64", &short], &token).fails("algorithm_not_allowed", 1);
}

#[cfg(feature = "jwe")]
#[test]
fn jwe_usage_errors_and_unusable_keys() {
    let secret = jwt(&["keygen", "--alg", "A256KW"]).ok().to_owned();
    let short = jwt(&["keygen", "--alg", "A128KW"]).ok().to_owned();
    let token = encrypt(&[
        "--alg",
        "A256KW",
        "--enc",
        "A256GCM",
        "--secret-b64",
        &secret,
    ]);
    let dir = TempDir::new();
    // Unknown and forbidden names are usage errors before anything is read.
    for args in [
        &[
            "decrypt",
            "--secret-b64",
            &secret,
            "--alg",
            "RSA1_5",
            &token,
        ][..],
        &[
            "decrypt",
            "--secret-b64",
            &secret,
            "--alg",
            "PBES2-HS256+A128KW",
            &token,
        ],
        &[
            "decrypt",
            "--secret-b64",
            &secret,
            "--enc",
            "A192GCM",
            &token,
        ],
        &[
            "encrypt",
            "--alg",
            "none",
            "--enc",
            "A256GCM",
            "--secret-b64",
            &secret,
            "{}",
        ],
        &["encrypt", "--alg", "A256KW", "--enc", "A256GCM", "{}"],
        &["decrypt", &token],
    ] {
        let run = jwt(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stdout.is_empty());
    }
    // A public PEM key cannot decrypt, and a PEM key serves no shared-secret algorithm.
    let run = decrypt(&["--key", &key("p256.spki.pem")], &token);
    run.fails("invalid_key", 2);
    assert!(run.stderr.contains("public key cannot decrypt"), "{run:?}");
    let run = decrypt(
        &["--key", &key("p256.pkcs8.pem"), "--alg", "A256KW"],
        &token,
    );
    run.fails("invalid_key", 2);
    assert!(
        run.stderr
            .contains("none of the accepted algorithms (A256KW)"),
        "{run:?}"
    );
    // A secret of the wrong length for encrypt, and a file of raw bytes: unusable keys.
    jwt(&[
        "encrypt",
        "--alg",
        "A256KW",
        "--enc",
        "A256GCM",
        "--secret-b64",
        &short,
        "{}",
    ])
    .fails("invalid_key", 2);
    let raw = dir.write("raw.key", SECRET);
    jwt(&[
        "encrypt", "--alg", "A256KW", "--enc", "A256GCM", "--key", &raw, "{}",
    ])
    .fails("invalid_key", 2);
}

#[cfg(feature = "jwe")]
#[test]
fn decrypt_checks_claims_as_verify_does() {
    let secret = jwt(&["keygen", "--alg", "dir"]).ok().to_owned();
    let key = ["--secret-b64", secret.as_str()];
    let enc = |claims: &str| {
        jwt(&[
            "encrypt",
            "--alg",
            "dir",
            "--enc",
            "A256GCM",
            "--secret-b64",
            &secret,
            "--no-iat",
            claims,
        ])
        .ok()
        .to_owned()
    };
    let expired = enc(r#"{"sub":"a","exp":1000}"#);
    let run = decrypt(&key, &expired);
    run.fails("expired", 1);
    assert!(run.stderr.contains("--leeway"), "{run:?}");
    assert_eq!(
        decrypt(&[&key[..], &["--now", "900"]].concat(), &expired).ok(),
        r#"{"exp":1000,"sub":"a"}"#
    );
    let no_exp = enc(r#"{"sub":"a"}"#);
    decrypt(&key, &no_exp).fails("missing_claim", 1);
    assert_eq!(
        decrypt(&[&key[..], &["--allow-missing-exp"]].concat(), &no_exp).ok(),
        r#"{"sub":"a"}"#
    );
    let token = enc(JWE_CLAIMS);
    decrypt(&[&key[..], &["--sub", "other"]].concat(), &token).fails("invalid_subject", 1);
    decrypt(&[&key[..], &["--iss", "https://id"]].concat(), &token).fails("missing_claim", 1);
    decrypt(&[&key[..], &["--aud", "api"]].concat(), &token).fails("missing_claim", 1);
    decrypt(&[&key[..], &["--require", "jti"]].concat(), &token).fails("missing_claim", 1);
    decrypt(&[&key[..], &["--typ", "at+jwt"]].concat(), &token).fails("invalid_type", 1);
    let run = decrypt(&[&key[..], &["--date"]].concat(), &token);
    assert_eq!(run.json()["exp"], "2100-01-01T00:00:00Z");
    // Standard input, as for verify.
    let run = run_with_stdin(
        &["decrypt", "--secret-b64", &secret],
        Some(format!("{token}\n").as_bytes()),
    );
    assert_eq!(run.ok(), JWE_CLAIMS);
    // Claims of the wrong type are refused when encrypting (exit 2), as encode does.
    jwt(&[
        "encrypt",
        "--alg",
        "dir",
        "--enc",
        "A256GCM",
        "--secret-b64",
        &secret,
        r#"{"exp":"soon"}"#,
    ])
    .fails("invalid_claim", 2);
}

#[cfg(feature = "jwe")]
#[test]
fn signed_and_encrypted_tokens_are_told_apart() {
    let secret = jwt(&["keygen", "--alg", "dir"]).ok().to_owned();
    let jwe = encrypt(&[
        "--alg",
        "dir",
        "--enc",
        "A256GCM",
        "--secret-b64",
        &secret,
        "--kid",
        "k1",
    ]);
    // decode of a JWE: its header, and a note that the payload is encrypted.
    let run = jwt(&["decode", &jwe]);
    let out = run.json();
    assert_eq!(
        out,
        json!({"header": {"alg": "dir", "enc": "A256GCM", "kid": "k1", "typ": "JWT"}})
    );
    assert!(
        run.stderr.contains("encrypted") && run.stderr.contains("jwt decrypt"),
        "{run:?}"
    );
    // verify given a JWE, decrypt given a JWS: malformed, naming the other command.
    let run = verify(&["--secret", SECRET], &jwe);
    run.fails("malformed", 1);
    assert!(run.stderr.contains("jwt decrypt"), "{run:?}");
    let jws = encode("HS256", &["--secret", SECRET]);
    let run = decrypt(&["--secret-b64", &secret], &jws);
    run.fails("malformed", 1);
    assert!(run.stderr.contains("jwt verify"), "{run:?}");
    // A five-segment token whose header is no JSON object, and one with a bad character.
    jwt(&["decode", "bm90IGpzb24.a.b.c.d"]).fails("malformed", 1);
    jwt(&["decode", "e30.a.b.c.d!"]).fails("malformed", 1);
    let duplicate =
        webtoken::base64url::encode(br#"{"alg":"dir","enc":"A256GCM","x":{"a":1,"a":2}}"#);
    jwt(&["decode", &format!("{duplicate}..aXY.Y3Q.dGFn")]).fails("malformed", 1);
    let huge = format!("e30.{}.b.c.d", "a".repeat(70_000));
    jwt(&["decode", &huge]).fails("token_too_large", 1);
    decrypt(&["--secret-b64", &secret], &huge).fails("token_too_large", 1);
}

#[cfg(feature = "jwe")]
#[test]
fn keygen_of_encryption_keys_checks_its_flags() {
    // Flags of one family are refused for another.
    for args in [
        &["keygen", "--alg", "ES256", "--crv", "P-256"][..],
        &["keygen", "--alg", "A256KW", "--crv", "P-256"],
        &["keygen", "--alg", "ECDH-ES", "--bits", "2048"],
        &["keygen", "--alg", "A128KW", "--enc", "A128GCM"],
        &["keygen", "--alg", "ECDH-ES", "--crv", "secp256k1"],
        &["keygen", "--alg", "RSA-OAEP", "--bits", "1024"],
        &["keygen", "--alg", "RSA1_5"],
    ] {
        let run = jwt(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stdout.is_empty());
    }
    // Secret lengths follow the algorithm (and for dir, --enc).
    for (args, len) in [
        (&["--alg", "A128KW"][..], 16),
        (&["--alg", "A256KW"], 32),
        (&["--alg", "dir"], 32),
        (&["--alg", "dir", "--enc", "A128GCM"], 16),
        (&["--alg", "dir", "--enc", "A256CBC-HS512"], 64),
    ] {
        let secret = jwt(&[&["keygen"][..], args].concat()).ok().to_owned();
        assert_eq!(
            webtoken::base64url::decode(&secret)
                .expect("base64url")
                .len(),
            len,
            "{args:?}"
        );
    }
    // The default curve is P-256.
    assert_eq!(jwt(&["keygen", "--alg", "ECDH-ES"]).json()["crv"], "P-256");
}

#[cfg(feature = "jwe")]
#[test]
fn keygen_writes_encryption_keys_as_pkcs8_pem_that_encrypt_and_decrypt_read() {
    let dir = TempDir::new();
    for (alg, extra) in [
        ("ECDH-ES", &["--crv", "P-256"][..]),
        ("ECDH-ES+A128KW", &["--crv", "P-384"]),
        ("ECDH-ES+A256KW", &["--crv", "P-521"]),
        ("ECDH-ES", &["--crv", "X25519"]),
        ("RSA-OAEP-256", &[]),
    ] {
        let pem = jwt(&[&["keygen", "--alg", alg, "--format", "pem"][..], extra].concat())
            .ok()
            .to_owned();
        assert!(
            pem.starts_with("-----BEGIN PRIVATE KEY-----\n"),
            "{alg}: {pem}"
        );
        assert!(pem.ends_with("-----END PRIVATE KEY-----"), "{alg}: {pem}");
        let file = dir.write("key.pem", format!("{pem}\n"));
        let token = encrypt(&["--alg", alg, "--enc", "A128GCM", "--key", &file]);
        assert_eq!(decrypt(&["--key", &file], &token).ok(), JWE_CLAIMS, "{alg}");
        assert_eq!(
            decrypt(&["--alg", alg, "--key", &file], &token).ok(),
            JWE_CLAIMS,
            "{alg}"
        );
    }
}

#[cfg(feature = "jwe")]
#[test]
fn decrypt_with_a_key_of_the_wrong_kind_or_size_says_so() {
    let token = encrypt(&[
        "--alg",
        "A128KW",
        "--enc",
        "A128GCM",
        "--secret-b64",
        "AAECAwQFBgcICQoLDA0ODw",
    ]);
    // A 1024-bit RSA key: the modulus size, not "not an RSA private key".
    let small = key("rsa1024.pkcs8.pem");
    let run = decrypt(&["--alg", "RSA-OAEP", "--key", &small], &token);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("1024"), "{run:?}");
    assert!(!run.stderr.contains("not an RSA private key"), "{run:?}");
    // An EC key for RSA-OAEP: the message names the key's kind.
    let ec = key("p256.pkcs8.pem");
    let run = decrypt(&["--alg", "RSA-OAEP", "--key", &ec], &token);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("a P-256 key cannot be used for RSA-OAEP, which takes an RSA key"),
        "{run:?}"
    );
    // A public PEM cannot decrypt.
    let public = key("p256.spki.pem");
    let run = decrypt(&["--alg", "ECDH-ES", "--key", &public], &token);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("public key cannot decrypt"), "{run:?}");
}

#[cfg(not(feature = "jwe"))]
#[test]
fn without_the_jwe_feature_the_commands_are_refused_by_name() {
    for args in [
        &[
            "encrypt",
            "--alg",
            "dir",
            "--enc",
            "A256GCM",
            "--secret-b64",
            "AAAA",
            "{}",
        ][..],
        &["decrypt", "--secret-b64", "AAAA", "a.b.c.d.e"],
        &["keygen", "--alg", "A256KW"],
    ] {
        let run = jwt(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stdout.is_empty());
        assert!(run.stderr.contains("feature `jwe`"), "{run:?}");
    }
    // decode of a JWE needs no key and no feature.
    let header = webtoken::base64url::encode(br#"{"alg":"dir","enc":"A256GCM"}"#);
    let run = jwt(&[
        "decode",
        &format!("{header}..aXZpdml2aXZpdg.Y3Q.dGFndGFndGFndGFn"),
    ]);
    assert_eq!(
        run.json(),
        json!({"header": {"alg": "dir", "enc": "A256GCM"}})
    );
}

#[cfg(feature = "jwe")]
#[test]
fn jwe_keys_from_jwk_sets_and_keys_for_signing() {
    let dir = TempDir::new();
    let old = jwt(&["keygen", "--alg", "ECDH-ES+A128KW"]).json();
    let new = jwt(&["keygen", "--alg", "RSA-OAEP-256"]).json();
    let signing = jwt(&["keygen", "--alg", "ES256", "--format", "jwk"]).json();
    let set = dir.write(
        "set.json",
        json!({"keys": [old, new, signing.clone()]}).to_string(),
    );
    // encrypt picks the member by --kid, else the one member for --alg.
    let to_old = encrypt(&["--alg", "ECDH-ES+A128KW", "--enc", "A128GCM", "--key", &set]);
    assert_eq!(jwe_header(&to_old)["kid"], old["kid"]);
    let kid = new["kid"].as_str().expect("kid");
    let to_new = encrypt(&[
        "--alg",
        "RSA-OAEP-256",
        "--enc",
        "A128GCM",
        "--key",
        &set,
        "--kid",
        kid,
    ]);
    assert_eq!(jwe_header(&to_new)["kid"], new["kid"]);
    jwt(&[
        "encrypt", "--alg", "A256KW", "--enc", "A128GCM", "--key", &set, "{}",
    ])
    .fails("invalid_key", 2);
    // decrypt chooses by the token's kid; the library skips the signing member (alg ES256, no
    // use), which the tool no longer filters itself.
    assert!(signing.get("use").is_none(), "{signing}");
    assert_eq!(decrypt(&["--key", &set], &to_old).ok(), JWE_CLAIMS);
    assert_eq!(decrypt(&["--key", &set], &to_new).ok(), JWE_CLAIMS);
    // A token for a key the set does not have.
    let stranger = dir.write("x.jwk", jwt(&["keygen", "--alg", "ECDH-ES+A128KW"]).ok());
    let token = encrypt(&[
        "--alg",
        "ECDH-ES+A128KW",
        "--enc",
        "A128GCM",
        "--key",
        &stranger,
    ]);
    decrypt(&["--key", &set], &token).fails("unknown_key", 1);
    // A signing key is no encryption key, and an encryption key never signs.
    let signing_file = dir.write("sig.jwk", signing.to_string());
    jwt(&[
        "encrypt",
        "--alg",
        "ECDH-ES",
        "--enc",
        "A128GCM",
        "--key",
        &signing_file,
        "{}",
    ])
    .fails("invalid_key", 2);
    decrypt(&["--key", &signing_file], &token).fails("invalid_key", 2);
    let enc_file = dir.write("enc.jwk", jwt(&["keygen", "--alg", "ECDH-ES"]).ok());
    jwt(&["encode", "--key", &enc_file, "{}"]).fails("invalid_key", 2);
}

#[cfg(feature = "jwe")]
#[test]
fn encrypt_reads_claims_from_stdin_and_writes_out_files() {
    let secret = jwt(&["keygen", "--alg", "A128KW"]).ok().to_owned();
    let run = run_with_stdin(
        &[
            "encrypt",
            "--alg",
            "A128KW",
            "--enc",
            "A128GCM",
            "--secret-b64",
            &secret,
            "--no-iat",
            "-",
        ],
        Some(format!("{JWE_CLAIMS}\n").as_bytes()),
    );
    let token = run.ok().to_owned();
    assert_eq!(decrypt(&["--secret-b64", &secret], &token).ok(), JWE_CLAIMS);
    let dir = TempDir::new();
    let out = dir.0.join("token.txt");
    let out = out.to_str().expect("UTF-8 path");
    let run = jwt(&[
        "encrypt",
        "--alg",
        "A128KW",
        "--enc",
        "A128GCM",
        "--secret-b64",
        &secret,
        "--no-iat",
        "-o",
        out,
        JWE_CLAIMS,
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run:?}");
    let written = std::fs::read_to_string(out).expect("the token file");
    assert_eq!(
        decrypt(&["--secret-b64", &secret], written.trim_end()).ok(),
        JWE_CLAIMS
    );
    // decrypt -o writes the claims, not stdout.
    let claims_out = dir.0.join("claims.json");
    let claims_out = claims_out.to_str().expect("UTF-8 path");
    let run = decrypt(&["--secret-b64", &secret, "-o", claims_out], &token);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run:?}");
    assert_eq!(
        std::fs::read_to_string(claims_out)
            .expect("claims file")
            .trim_end(),
        JWE_CLAIMS
    );
}

#[cfg(feature = "jwe")]
#[test]
fn jwk_of_an_x25519_pem_is_its_public_encryption_jwk() {
    let dir = TempDir::new();
    let pem = jwt(&[
        "keygen", "--alg", "ECDH-ES", "--crv", "X25519", "--format", "pem",
    ])
    .ok()
    .to_owned();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
    let private = dir.write("x25519.pem", &pem);
    let public = jwt(&["jwk", "--key", &private]).json();
    assert_eq!(public["kty"], "OKP");
    assert_eq!(public["crv"], "X25519");
    assert_eq!(public["alg"], "ECDH-ES");
    assert_eq!(public["use"], "enc");
    assert!(public.get("d").is_none(), "public only: {public}");
    assert_eq!(public["kid"].as_str().map(str::len), Some(43), "{public}");
    // The public JWK encrypts to the PEM's holder.
    let public_file = dir.write("x25519.pub.jwk", public.to_string());
    let token = encrypt(&[
        "--alg",
        "ECDH-ES",
        "--enc",
        "A256GCM",
        "--key",
        &public_file,
    ]);
    assert_eq!(decrypt(&["--key", &private], &token).ok(), JWE_CLAIMS);
    // Text that is no key at all is still refused as before.
    let junk = dir.write(
        "junk.pem",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    );
    jwt(&["jwk", "--key", &junk]).fails("invalid_key", 2);
}
