//! The layer and the extractors, request by request, in process: where the token is found,
//! each RFC 6750 answer, claims checks, several authorizers, optional routes, gRPC requests,
//! and what a client and the logs are (never) told.

#![allow(clippy::unwrap_used)] // a failure is a test failure

mod common;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use common::*;
use webtoken::{Algorithm, ErrorKind, NumericDate, SigningKey};
use webtoken_axum::{AuthError, AuthLayer, Authorizer, JwtClaims, JwtToken, MAX_DESCRIPTION};

async fn me(JwtClaims(claims): JwtClaims<Scopes>) -> String {
    format!(
        "{} {}",
        claims.subject.unwrap_or_default(),
        claims.custom.scope
    )
}

async fn maybe(claims: Option<JwtClaims<Scopes>>) -> String {
    claims.map_or_else(|| "anonymous".to_owned(), |c| c.0.custom.scope)
}

async fn kid(JwtToken(token): JwtToken<Scopes>) -> String {
    token.header().key_id().unwrap_or("-").to_owned()
}

fn reads() -> Authorizer<Scopes> {
    Authorizer::<Scopes>::from_keys(hs256(1), validation())
        .check_scope("read", |c| c.custom.scope.split(' ').any(|s| s == "read"))
}

fn app(layer: AuthLayer<Scopes>) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/kid", get(kid))
        .route_layer(layer)
}

#[tokio::test]
async fn a_valid_bearer_token_reaches_the_handler_with_its_claims() {
    let app = app(reads().layer());
    let jwt = sign_hs256(1, &claims("read write"));
    let response = call(&app, request("/me", &[("authorization", &bearer(&jwt))])).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "user-42 read write");
    // The scheme is case-insensitive (RFC 6750 §2.1 via RFC 9110 §11.1).
    let response = call(
        &app,
        request("/me", &[("authorization", &format!("bEaReR {jwt}"))]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn no_token_is_a_401_with_a_bare_challenge() {
    let app = app(reads().layer());
    for headers in [&[][..], &[("authorization", "Basic dXNlcjpwdw==")][..]] {
        let response = call(&app, request("/me", headers)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(header(&response, "www-authenticate"), "Bearer");
    }
    let app = Router::new()
        .route("/me", get(me))
        .route_layer(reads().with_realm("api").layer());
    let response = call(&app, request("/me", &[])).await;
    assert_eq!(
        header(&response, "www-authenticate"),
        "Bearer realm=\"api\""
    );
}

#[tokio::test]
async fn a_malformed_request_is_a_400_invalid_request() {
    let app = app(reads().layer());
    let jwt = sign_hs256(1, &claims("read"));
    for value in ["Bearer", "Bearer a b", "Bearer a\"b", "Bearer =="] {
        let response = call(&app, request("/me", &[("authorization", value)])).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{value}");
        assert!(
            header(&response, "www-authenticate").starts_with("Bearer error=\"invalid_request\""),
            "{value}"
        );
        assert!(
            body_text(response)
                .await
                .contains("\"error\":\"invalid_request\"")
        );
    }
    // Two Authorization headers: which one is meant is unclear.
    let twice = axum::http::Request::builder()
        .uri("/me")
        .header("authorization", bearer(&jwt))
        .header("authorization", bearer(&jwt))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(call(&app, twice).await.status(), StatusCode::BAD_REQUEST);
    // A token over webtoken's size limit is refused before anything of it is decoded.
    let long = bearer(&"a".repeat(70 * 1024));
    let response = call(&app, request("/me", &[("authorization", &long)])).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(header(&response, "www-authenticate").contains("token_too_large"));
}

#[tokio::test]
async fn a_refused_token_is_a_401_invalid_token_saying_why() {
    let app = app(reads().layer());
    let mut expired = claims("read");
    expired.expires_at = Some(NumericDate::from_secs(1_000_000_000));
    let cases = [
        (sign_hs256(2, &claims("read")), ErrorKind::InvalidSignature),
        (sign_hs256(1, &expired), ErrorKind::Expired),
        (
            sign_hs256(1, &claims("read").with_issuer("https://evil.example")),
            ErrorKind::InvalidIssuer,
        ),
        (
            sign_hs256(1, &claims("read").with_audience("https://other.example")),
            ErrorKind::InvalidAudience,
        ),
        ("a.b.c".to_owned(), ErrorKind::Malformed),
        // `none` does not exist: an unsigned token is refused like any other.
        (
            "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUifQ.".to_owned(),
            ErrorKind::AlgorithmNotAllowed,
        ),
    ];
    for (jwt, kind) in cases {
        let response = call(&app, request("/me", &[("authorization", &bearer(&jwt))])).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{kind:?}");
        let challenge = header(&response, "www-authenticate").to_owned();
        assert!(
            challenge.starts_with(&format!(
                "Bearer error=\"invalid_token\", error_description=\"{}",
                kind.as_str()
            )),
            "{challenge}"
        );
        let body = body_text(response).await;
        assert!(body.contains(kind.as_str()), "{body}");
    }
}

#[tokio::test]
async fn what_a_client_sees_never_holds_the_token_or_the_key() {
    let app = app(reads().layer());
    // A token whose claims are long and hostile: control characters, quotes, 40 KiB.
    let hostile = "\"\u{1b}[31m\\".repeat(1_500);
    let mut forged = claims("read").with_issuer(hostile.clone());
    forged.jwt_id = Some(hostile);
    let jwt = sign_hs256(1, &forged);
    let wrong_key = sign_hs256(3, &claims("read"));
    for jwt in [jwt, wrong_key] {
        let response = call(&app, request("/me", &[("authorization", &bearer(&jwt))])).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let challenge = header(&response, "www-authenticate").to_owned();
        let body = body_text(response).await;
        let signature = jwt.rsplit('.').next().unwrap();
        let payload = jwt.split('.').nth(1).unwrap();
        for seen in [&challenge, &body] {
            assert!(
                !seen.contains(signature) && !seen.contains(&payload[..40]),
                "{seen}"
            );
            assert!(!seen.contains('\u{1b}'), "{seen}");
            assert!(
                seen.len() < 2 * MAX_DESCRIPTION + 200,
                "{} bytes",
                seen.len()
            );
        }
        // Neither the secret (as bytes or base64url) appears.
        let secret_b64 = webtoken::base64url::encode(secret(1));
        assert!(!body.contains(&secret_b64) && !challenge.contains(&secret_b64));
    }
}

#[tokio::test]
async fn a_failed_claims_check_is_a_403_insufficient_scope() {
    let app = app(reads().layer());
    let jwt = sign_hs256(1, &claims("write"));
    let response = call(&app, request("/me", &[("authorization", &bearer(&jwt))])).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let challenge = header(&response, "www-authenticate").to_owned();
    assert!(
        challenge.starts_with("Bearer error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.ends_with("scope=\"read\""), "{challenge}");
    // A check without a scope name: 403 without `scope`.
    let roles = Authorizer::<Scopes>::from_keys(hs256(1), validation())
        .check(|c| c.subject.as_deref() == Some("admin"));
    let response = call(
        &app_with(roles.layer()),
        request("/me", &[("authorization", &bearer(&jwt))]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(!header(&response, "www-authenticate").contains("scope=\""));
}

fn app_with(layer: AuthLayer<Scopes>) -> Router {
    app(layer)
}

#[tokio::test]
async fn a_cookie_is_read_when_configured_and_the_header_wins() {
    let app = app(reads().with_cookie("at").layer());
    let good = sign_hs256(1, &claims("read"));
    let bad = sign_hs256(2, &claims("read"));
    let cookie = format!("theme=dark; at={good}");
    let response = call(&app, request("/me", &[("cookie", &cookie)])).await;
    assert_eq!(response.status(), StatusCode::OK);
    // With both, the Authorization header is the token.
    let response = call(
        &app,
        request(
            "/me",
            &[("cookie", &cookie), ("authorization", &bearer(&bad))],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // A cookie that is not a token is a malformed request; another cookie is no token.
    let response = call(&app, request("/me", &[("cookie", "at=a b")])).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = call(&app, request("/me", &[("cookie", "other=x")])).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Without with_cookie, the cookie is ignored.
    let app = app_with(reads().layer());
    let response = call(&app, request("/me", &[("cookie", &cookie)])).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn optional_routes_let_requests_without_a_token_through_but_not_bad_tokens() {
    let app = Router::new()
        .route("/", get(maybe))
        .route_layer(reads().layer().optional());
    let response = call(&app, request("/", &[])).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "anonymous");
    let jwt = sign_hs256(1, &claims("read"));
    let response = call(&app, request("/", &[("authorization", &bearer(&jwt))])).await;
    assert_eq!(body_text(response).await, "read");
    let forged = sign_hs256(9, &claims("read"));
    let response = call(&app, request("/", &[("authorization", &bearer(&forged))])).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = call(&app, request("/", &[("authorization", "Bearer a b")])).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_first_authorizer_that_validates_wins() {
    let one = Authorizer::<Scopes>::from_keys(hs256(1), validation()).named("one");
    let two_validation = webtoken::Validation::new()
        .with_issuer("https://two.example")
        .with_audience(AUDIENCE);
    let two = Authorizer::<Scopes>::from_keys(hs256(2), two_validation)
        .check_scope("write", |c| c.custom.scope.contains("write"))
        .named("two");
    let app = app(AuthLayer::new([one, two]));
    let first = sign_hs256(1, &claims("read"));
    let second = sign_hs256(2, &claims("write").with_issuer("https://two.example"));
    for jwt in [&first, &second] {
        let response = call(&app, request("/me", &[("authorization", &bearer(jwt))])).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    // Refused by both: the most telling answer, the second's failed check (a genuine token)
    // over the first's signature failure.
    let weak = sign_hs256(2, &claims("read").with_issuer("https://two.example"));
    let response = call(&app, request("/me", &[("authorization", &bearer(&weak))])).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // A token for neither: 401.
    let neither = sign_hs256(3, &claims("read"));
    let response = call(
        &app,
        request("/me", &[("authorization", &bearer(&neither))]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn asymmetric_keys_and_the_token_header() {
    let key = SigningKey::generate(Algorithm::Es256)
        .unwrap()
        .with_key_id("k1");
    let jwks = format!(
        r#"{{"keys":[{}]}}"#,
        serde_json::to_string(&key.to_public_jwk().unwrap()).unwrap()
    );
    let auth = Authorizer::<Scopes>::from_jwks_json(&jwks, validation()).unwrap();
    let app = app(auth.layer());
    let jwt = sign(&key, &claims("read"));
    let response = call(&app, request("/kid", &[("authorization", &bearer(&jwt))])).await;
    assert_eq!(body_text(response).await, "k1");
    // A kid the set does not hold: 401 invalid_token, unknown_key, no store reason.
    let other = SigningKey::generate(Algorithm::Es256)
        .unwrap()
        .with_key_id("k2");
    let jwt = sign(&other, &claims("read"));
    let response = call(&app, request("/kid", &[("authorization", &bearer(&jwt))])).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(header(&response, "www-authenticate").contains("unknown_key"));
    // The published keys as an HMAC secret (the key-confusion forgery): refused, whatever the
    // token says, because every key of the set is bound to its own algorithm.
    let head = webtoken::base64url::encode(br#"{"alg":"HS256","kid":"k1"}"#);
    let payload = webtoken::base64url::encode(serde_json::to_vec(&claims("read")).unwrap());
    let signing_input = format!("{head}.{payload}");
    let mac = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, jwks.as_bytes());
    let tag = ring::hmac::sign(&mac, signing_input.as_bytes());
    let forged = format!(
        "{signing_input}.{}",
        webtoken::base64url::encode(tag.as_ref())
    );
    let response = call(
        &app,
        request("/kid", &[("authorization", &bearer(&forged))]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        header(&response, "www-authenticate").contains("algorithm_not_allowed"),
        "{}",
        header(&response, "www-authenticate")
    );
    assert!(matches!(
        Authorizer::<Scopes>::from_jwks_json("{}", validation()),
        Err(webtoken_axum::InitError::Keys(_))
    ));
}

#[tokio::test]
async fn an_extractor_without_the_layer_is_a_500_not_a_pass() {
    let app = Router::new().route("/me", get(me));
    let jwt = sign_hs256(1, &claims("read"));
    let response = call(&app, request("/me", &[("authorization", &bearer(&jwt))])).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn grpc_requests_get_grpc_statuses() {
    let app = app(reads().layer());
    let grpc = ("content-type", "application/grpc+proto");
    let response = call(&app, request("/me", &[grpc])).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "grpc-status"), "16");
    let jwt = sign_hs256(1, &claims("write"));
    let response = call(
        &app,
        request("/me", &[grpc, ("authorization", &bearer(&jwt))]),
    )
    .await;
    assert_eq!(header(&response, "grpc-status"), "7");
    let response = call(
        &app,
        request("/me", &[grpc, ("authorization", "Bearer a b")]),
    )
    .await;
    assert_eq!(header(&response, "grpc-status"), "3");
}

#[test]
fn auth_errors_have_stable_statuses_and_codes() {
    let cases = [
        (AuthError::MissingToken { realm: None }, 401, "unauthorized"),
        (AuthError::KeysUnavailable, 503, "temporarily_unavailable"),
        (AuthError::NotConfigured, 500, "server_error"),
    ];
    for (error, status, code) in cases {
        assert_eq!(error.status().as_u16(), status);
        assert_eq!(error.code(), code);
    }
}

#[tokio::test]
async fn configuring_a_clone_leaves_the_original_and_its_layers_as_they_were() {
    let base = Authorizer::<Scopes>::from_keys(hs256(1), validation());
    let open_layer = base.layer();
    let strict = base
        .clone()
        .check_scope("admin", |c| c.custom.scope.contains("admin"));
    let jwt = sign_hs256(1, &claims("read"));
    let auth = [("authorization", bearer(&jwt))];
    let headers = [(auth[0].0, auth[0].1.as_str())];
    assert_eq!(
        call(&app(open_layer), request("/me", &headers))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        call(&app(base.layer()), request("/me", &headers))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        call(&app(strict.layer()), request("/me", &headers))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}
