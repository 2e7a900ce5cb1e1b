//! Helpers of the webtoken-axum tests: keys, tokens, an app, and servers on loopback.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses some of these

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tower::ServiceExt;
use webtoken::{Algorithm, Claims, Header, SigningKey, Validation, VerifyingKey};

pub(crate) const ISSUER: &str = "https://id.example";
pub(crate) const AUDIENCE: &str = "https://api.example";

/// The custom claims of the tests' tokens.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub(crate) struct Scopes {
    pub(crate) scope: String,
}

pub(crate) fn secret(seed: u8) -> [u8; 32] {
    [seed; 32]
}

pub(crate) fn hs256(seed: u8) -> VerifyingKey {
    VerifyingKey::hmac(secret(seed), Algorithm::Hs256).unwrap()
}

pub(crate) fn validation() -> Validation {
    Validation::new()
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
}

pub(crate) fn claims(scope: &str) -> Claims<Scopes> {
    Claims::new(Scopes {
        scope: scope.to_owned(),
    })
    .with_issuer(ISSUER)
    .with_audience(AUDIENCE)
    .with_subject("user-42")
    .expires_in(Duration::from_secs(300))
}

pub(crate) fn sign_hs256(seed: u8, claims: &Claims<Scopes>) -> String {
    let key = SigningKey::hmac(secret(seed), Algorithm::Hs256).unwrap();
    webtoken::encode(&Header::new(), claims, &key).unwrap()
}

pub(crate) fn sign(key: &SigningKey, claims: &Claims<Scopes>) -> String {
    webtoken::encode(&Header::new(), claims, key).unwrap()
}

/// Sends `request` to `app` in process.
pub(crate) async fn call(app: &Router, request: Request<Body>) -> Response<Body> {
    app.clone().oneshot(request).await.unwrap()
}

pub(crate) fn request(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::builder().uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).unwrap()
}

pub(crate) fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

pub(crate) async fn body_text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

pub(crate) fn header<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap())
}

/// Serves `app` on a free loopback port until the test's runtime ends.
pub(crate) async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    addr
}
