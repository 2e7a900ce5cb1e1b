// The claims every webtoken-benches target measures, and the floors' field-for-field copy of
// them; `benches/jwt.rs` and `benches/jwe.rs` each `include!` this file (as `paired.rs`).

/// A fixed "now" for the claims and the validation, so every run signs the same bytes.
const NOW: i64 = 1_750_000_000;

/// The application's own claims: what a typical service puts next to the registered ones.
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Custom {
    name: String,
    roles: Vec<String>,
}

fn claims() -> webtoken::Claims<Custom> {
    webtoken::Claims::new(Custom {
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "billing".into(), "support".into()],
    })
    .with_issuer("https://id.example.com")
    .with_subject("user-1234567890")
    .with_audience("https://api.example.com")
    .with_issued_at(webtoken::NumericDate::from_secs(NOW))
    .with_expires_at(webtoken::NumericDate::from_secs(NOW + 900))
}

fn validation() -> webtoken::Validation {
    webtoken::Validation::new()
        .with_issuer("https://id.example.com")
        .with_audience("https://api.example.com")
        .with_fixed_time(webtoken::NumericDate::from_secs(NOW + 10))
}

/// Field for field the claims webtoken writes, in the same order, so a floor writes the same
/// bytes.
#[derive(serde::Serialize, serde::Deserialize)]
struct FloorClaims {
    iss: String,
    sub: String,
    aud: String,
    exp: i64,
    iat: i64,
    name: String,
    roles: Vec<String>,
}

fn floor_claims() -> FloorClaims {
    FloorClaims {
        iss: "https://id.example.com".into(),
        sub: "user-1234567890".into(),
        aud: "https://api.example.com".into(),
        exp: NOW + 900,
        iat: NOW,
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "billing".into(), "support".into()],
    }
}
