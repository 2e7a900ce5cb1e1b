//! End to end against a real OpenID provider that no one here wrote: panva's `oidc-provider`
//! (npm, pinned in tests/oidc/package.json), started on 127.0.0.1 by this test. The service
//! finds the provider by discovery, gets access tokens from it by client credentials (JWT
//! access tokens for a resource indicator), is called over real HTTP, and follows the
//! provider's key rotation, first with the old key still published, then withdrawn.
//!
//! Needs node and `npm ci` in axum/tests/oidc. Without them the test says that it skipped,
//! except under CI (`CI=true`), where it fails.

#![allow(clippy::unwrap_used)] // a failure is a test failure

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use webtoken::Validation;
use webtoken::jwks::StorePolicy;
use webtoken_axum::{Authorizer, HttpConfig, InitError, JwtClaims, JwtToken};

const RESOURCE: &str = "https://api.example";

/// The claims of oidc-provider's JWT access tokens beside the registered ones.
#[derive(Clone, Debug, Deserialize, Serialize)]
struct AccessClaims {
    client_id: String,
    scope: String,
}

fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Whether the provider can run here; if not, why.
fn unavailable() -> Option<String> {
    if !provider_dir().join("node_modules/oidc-provider").is_dir() {
        return Some("axum/tests/oidc/node_modules is absent (run `npm ci` there)".into());
    }
    match std::process::Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => None,
        _ => Some("node is not on PATH".into()),
    }
}

/// The provider's process, ended when dropped.
struct Provider {
    child: Child,
    issuer: String,
    admin: String,
}

impl Provider {
    async fn start() -> Self {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let admin = format!("admin-{}-{port}", std::process::id());
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .arg(port.to_string())
            .arg(&admin)
            .current_dir(provider_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start node");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let issuer = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(issuer) = line.strip_prefix("listening ") {
                    return issuer.to_owned();
                }
            }
            panic!("the provider exited before it listened");
        })
        .await
        .expect("the provider did not listen within 30 s");
        Self {
            child,
            issuer,
            admin,
        }
    }

    /// A JWT access token for `scope`, by client credentials.
    async fn token(&self, client: &reqwest::Client, scope: &str) -> String {
        #[derive(Deserialize)]
        struct TokenResponse {
            access_token: String,
            token_type: String,
        }
        let body = format!(
            "grant_type=client_credentials&scope={scope}&resource=https%3A%2F%2Fapi.example"
        );
        let response = client
            .post(format!("{}/token", self.issuer))
            .basic_auth("e2e-client", Some("e2e-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{:?}",
            response.text().await
        );
        let token: TokenResponse = response.json().await.unwrap();
        assert_eq!(token.token_type, "Bearer");
        token.access_token
    }

    /// Signs with a new key from now on; the old keys stay published when `keep_old`.
    async fn rotate(&self, client: &reqwest::Client, keep_old: bool) -> String {
        let response = client
            .post(format!(
                "{}/__test/rotate?keep_old={}",
                self.issuer,
                u8::from(keep_old)
            ))
            .header("x-admin-token", &self.admin)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        let body: serde_json::Value = response.json().await.unwrap();
        body["kid"].as_str().unwrap().to_owned()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

async fn me(JwtClaims(claims): JwtClaims<AccessClaims>) -> String {
    format!(
        "{} {}",
        claims.subject.unwrap_or_default(),
        claims.custom.scope
    )
}

async fn kid(JwtToken(token): JwtToken<AccessClaims>) -> String {
    token.header().key_id().unwrap_or("-").to_owned()
}

/// Calls `path` of the service with `token`; the status and the body.
async fn call(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    token: Option<&str>,
) -> (u16, String) {
    let mut request = client.get(format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_of_a_real_provider_found_by_discovery_through_key_rotation() {
    if let Some(why) = unavailable() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the OpenID provider end-to-end test cannot run under CI: {why}"
        );
        eprintln!(
            "SKIPPED tokens_of_a_real_provider_found_by_discovery_through_key_rotation: {why}"
        );
        return;
    }
    tokio::time::timeout(Duration::from_secs(120), scenario())
        .await
        .expect("the end-to-end scenario took more than 120 s");
}

async fn scenario() {
    let provider = Provider::start().await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    // Discovery checks the issuer: the same provider under another name is refused.
    let alias = provider.issuer.replace("127.0.0.1", "localhost");
    let refused = Authorizer::<AccessClaims>::from_oidc(&alias, Validation::new()).await;
    assert!(
        matches!(&refused, Err(InitError::Discovery(m)) if m.contains("names the issuer")),
        "{refused:?}"
    );

    // RFC 9068 access tokens: typ at+jwt, aud = the resource. Cooldown 0 so that each
    // rotation is seen at the next unknown kid (the default 30 s would hold it back).
    let validation = Validation::new()
        .with_audience(RESOURCE)
        .with_type("at+jwt")
        .require("client_id");
    let authorizer = Authorizer::<AccessClaims>::from_oidc_with(
        &provider.issuer,
        validation,
        HttpConfig::new(),
        StorePolicy::new().with_cooldown(Duration::ZERO),
    )
    .await
    .unwrap()
    .check_scope("read", |c| c.custom.scope.split(' ').any(|s| s == "read"));
    let app = Router::new()
        .route("/me", get(me))
        .route("/kid", get(kid))
        .route_layer(authorizer.layer());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    // A token of the provider passes; its claims reach the handler.
    let first = provider.token(&client, "read").await;
    let (status, body) = call(&client, &base, "/me", Some(&first)).await;
    assert_eq!((status, body.as_str()), (200, "e2e-client read"));
    let first_kid = call(&client, &base, "/kid", Some(&first)).await.1;

    // What the service refuses, and how.
    let write_only = provider.token(&client, "write").await;
    assert_eq!(call(&client, &base, "/me", Some(&write_only)).await.0, 403);
    assert_eq!(call(&client, &base, "/me", None).await.0, 401);
    let mut tampered = first.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let (status, body) = call(&client, &base, "/me", Some(&tampered)).await;
    assert_eq!(status, 401);
    assert!(body.contains("invalid_token"), "{body}");

    // The provider rotates, keeping the old key published: new tokens carry the new kid and
    // pass (the unknown kid refetched the set); the old token still passes.
    let second_kid = provider.rotate(&client, true).await;
    let second = provider.token(&client, "read").await;
    assert_eq!(
        call(&client, &base, "/kid", Some(&second)).await,
        (200, second_kid.clone())
    );
    assert_ne!(second_kid, first_kid);
    assert_eq!(call(&client, &base, "/me", Some(&first)).await.0, 200);

    // The provider rotates again and withdraws the old keys: only the newest token passes.
    let third_kid = provider.rotate(&client, false).await;
    let third = provider.token(&client, "read").await;
    assert_eq!(
        call(&client, &base, "/kid", Some(&third)).await,
        (200, third_kid)
    );
    for old in [&first, &second] {
        let (status, body) = call(&client, &base, "/me", Some(old)).await;
        assert_eq!(status, 401, "{body}");
        assert!(body.contains("unknown_key"), "{body}");
    }

    server.abort();
    drop(provider);
}
