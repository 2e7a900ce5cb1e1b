//! End-to-end tests: the service runs on 127.0.0.1 with an OS-assigned port and a clock the
//! test moves, and is driven over real HTTP/1.1 connections by hyper's client.

// Test helpers panic on anything unexpected, like the tests themselves.
#![allow(clippy::unwrap_used)]

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use webtoken::keys::JwkSet;
use webtoken::{Algorithm, Clock, NumericDate, SigningKey, Validation};
use webtoken_service::tokens::{ACCESS_TOKEN_TYPE, TokenPair};
use webtoken_service::{AppState, Settings, UserStore};

const ISSUER: &str = "https://id.test";
const AUDIENCE: &str = "https://api.test";
/// Few PBKDF2 rounds so that the tests stay fast in debug builds; the binary uses 600,000.
const TEST_ITERATIONS: NonZeroU32 = NonZeroU32::new(1_000).unwrap();
const START: i64 = 1_800_000_000;

/// A clock the test moves forward.
#[derive(Debug)]
struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now(&self) -> NumericDate {
        NumericDate::from_secs(self.0.load(Ordering::SeqCst))
    }
}

impl TestClock {
    fn advance(&self, by: Duration) {
        self.0
            .fetch_add(i64::try_from(by.as_secs()).unwrap(), Ordering::SeqCst);
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    json: Value,
}

impl Reply {
    fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("<no error>")
    }

    fn challenge(&self) -> &str {
        self.headers
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[track_caller]
    fn assert_invalid_token(&self) {
        assert_eq!(self.status, StatusCode::UNAUTHORIZED, "{}", self.json);
        assert_eq!(self.error(), "invalid_token", "{}", self.json);
        assert!(
            self.challenge().starts_with("Bearer ")
                && self.challenge().contains("error=\"invalid_token\"")
                && self.challenge().contains("error_description=\""),
            "{}",
            self.challenge()
        );
    }

    fn pair(&self) -> TokenPair {
        assert_eq!(self.status, StatusCode::OK, "{}", self.json);
        assert_eq!(self.headers["cache-control"], "no-store");
        serde_json::from_value(self.json.clone()).unwrap()
    }
}

struct Service {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
    state: AppState,
    clock: Arc<TestClock>,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

impl Service {
    async fn start() -> Self {
        let clock = Arc::new(TestClock(AtomicI64::new(START)));
        let users = UserStore::new(
            [("alice", "wonderland"), ("bob", "builder")],
            TEST_ITERATIONS,
        )
        .unwrap();
        let key = SigningKey::generate(Algorithm::Es256).unwrap();
        let state = AppState::new(
            Settings::new(ISSUER, AUDIENCE),
            key,
            users,
            Arc::clone(&clock) as Arc<dyn Clock>,
        )
        .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(webtoken_service::serve(listener, state.clone(), async {
            let _ = stopped.await;
        }));
        let client = Client::builder(TokioExecutor::new()).build_http();
        Self {
            base,
            client,
            state,
            clock,
            stop,
            server,
        }
    }

    async fn send(&self, request: Request<Full<Bytes>>) -> Reply {
        let response = self.client.request(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
        Reply {
            status,
            headers,
            json,
        }
    }

    fn request(&self, method: Method, path: &str) -> hyper::http::request::Builder {
        Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
    }

    async fn post_raw(&self, path: &str, content_type: &str, body: impl Into<Bytes>) -> Reply {
        let request = self
            .request(Method::POST, path)
            .header(CONTENT_TYPE, content_type)
            .body(Full::new(body.into()))
            .unwrap();
        self.send(request).await
    }

    async fn post(&self, path: &str, body: &Value) -> Reply {
        self.post_raw(path, "application/json", body.to_string())
            .await
    }

    async fn get(&self, path: &str, authorization: &[&[u8]]) -> Reply {
        let mut request = self.request(Method::GET, path);
        for value in authorization {
            request = request.header(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
        }
        self.send(request.body(Full::default()).unwrap()).await
    }

    async fn me(&self, token: &str) -> Reply {
        self.get("/me", &[format!("Bearer {token}").as_bytes()])
            .await
    }

    async fn login(&self) -> TokenPair {
        self.post(
            "/token",
            &json!({"username": "alice", "password": "wonderland"}),
        )
        .await
        .pair()
    }

    async fn refresh(&self, refresh_token: &str) -> Reply {
        self.post("/token/refresh", &json!({ "refresh_token": refresh_token }))
            .await
    }

    async fn verify(&self, token: &str) -> Value {
        let reply = self.post("/token/verify", &json!({ "token": token })).await;
        assert_eq!(reply.status, StatusCode::OK);
        reply.json
    }

    /// What an independent party does: fetch the published keys, then verify locally.
    async fn verify_with_published_keys(&self, token: &str) -> Result<Value, webtoken::Error> {
        let reply = self.get("/.well-known/jwks.json", &[]).await;
        assert_eq!(reply.status, StatusCode::OK);
        let jwks = JwkSet::from_json(&reply.json.to_string()).unwrap();
        let validation = Validation::new()
            .with_algorithms([Algorithm::Es256])
            .with_issuer(ISSUER)
            .with_audience(AUDIENCE)
            .with_type(ACCESS_TOKEN_TYPE)
            .with_fixed_time(NumericDate::from_secs(START));
        webtoken::decode::<Value>(token, &jwks, &validation).map(|t| {
            let mut claims = serde_json::to_value(t.claims()).unwrap();
            claims["kid"] = json!(t.header().key_id());
            claims
        })
    }

    async fn stop(self) {
        self.stop.send(()).unwrap();
        let stopped = tokio::time::timeout(Duration::from_secs(10), self.server).await;
        stopped
            .expect("graceful shutdown finishes")
            .unwrap()
            .unwrap();
    }
}

fn kid_of(token: &str) -> String {
    webtoken::UntrustedToken::parse(token)
        .unwrap()
        .header()
        .key_id()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_then_me_returns_the_verified_claims() {
    let service = Service::start().await;
    let pair = service.login().await;
    assert_eq!(pair.token_type, "Bearer");
    assert_eq!(pair.expires_in, 15 * 60);
    assert_eq!(pair.refresh_expires_in, 24 * 60 * 60);

    let me = service.me(&pair.access_token).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.json);
    assert_eq!(me.json["sub"], "alice");
    assert_eq!(me.json["scope"], "profile");
    assert_eq!(me.json["exp"], START + 15 * 60);
    assert!(me.json["jti"].as_str().is_some_and(|j| j.len() >= 22));

    let access = webtoken::UntrustedToken::parse(&pair.access_token).unwrap();
    assert_eq!(access.header().token_type(), Some("at+jwt"));
    let refresh = webtoken::UntrustedToken::parse(&pair.refresh_token).unwrap();
    assert_eq!(refresh.header().token_type(), Some("refresh+jwt"));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_and_reuse_revokes_the_session() {
    let service = Service::start().await;
    let first = service.login().await;

    service.clock.advance(Duration::from_secs(60));
    let second = service.refresh(&first.refresh_token).await.pair();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);
    assert_eq!(
        service.me(&second.access_token).await.status,
        StatusCode::OK
    );
    assert_eq!(service.verify(&second.refresh_token).await["active"], true);
    let spent = service.verify(&first.refresh_token).await;
    assert_eq!(
        (&spent["active"], &spent["error"]),
        (&json!(false), &json!("revoked"))
    );

    // Reuse of the spent token is refused, and revokes the session: the newer refresh token,
    // which a thief may hold as well, stops working too.
    let reuse = service.refresh(&first.refresh_token).await;
    reuse.assert_invalid_token();
    assert!(
        reuse.json["error_description"]
            .as_str()
            .unwrap()
            .contains("already used")
    );
    service
        .refresh(&second.refresh_token)
        .await
        .assert_invalid_token();

    // A new login starts a new session.
    let third = service.login().await;
    service.refresh(&third.refresh_token).await.pair();
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_kinds_are_not_interchangeable() {
    let service = Service::start().await;
    let pair = service.login().await;

    let me = service.me(&pair.refresh_token).await;
    me.assert_invalid_token();
    assert!(
        me.challenge().contains("invalid_type"),
        "{}",
        me.challenge()
    );

    service
        .refresh(&pair.access_token)
        .await
        .assert_invalid_token();
    // The refused attempts did not spend anything.
    service.refresh(&pair.refresh_token).await.pair();
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_refused() {
    let service = Service::start().await;
    let pair = service.login().await;

    // Within the 60 s leeway past `exp`, still accepted; after it, refused.
    service.clock.advance(Duration::from_secs(15 * 60 + 30));
    assert_eq!(service.me(&pair.access_token).await.status, StatusCode::OK);
    service.clock.advance(Duration::from_secs(31));
    let me = service.me(&pair.access_token).await;
    me.assert_invalid_token();
    assert!(me.challenge().contains("expired"), "{}", me.challenge());
    assert_eq!(service.verify(&pair.access_token).await["error"], "expired");

    // The refresh token lives a day.
    service.clock.advance(Duration::from_secs(24 * 60 * 60));
    assert_eq!(
        service.verify(&pair.refresh_token).await["error"],
        "expired"
    );
    let refresh = service.refresh(&pair.refresh_token).await;
    refresh.assert_invalid_token();
    assert!(
        refresh.json["error_description"]
            .as_str()
            .unwrap()
            .starts_with("expired")
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_are_refused_alike() {
    let service = Service::start().await;
    for (username, password) in [("alice", "wrong"), ("mallory", "wonderland"), ("", "")] {
        let reply = service
            .post(
                "/token",
                &json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.error(), "invalid_grant");
        assert_eq!(
            reply.json["error_description"],
            "unknown user or wrong password"
        );
        assert!(reply.challenge().starts_with("Bearer"));
    }
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_garbled_authorization_is_refused() {
    let service = Service::start().await;
    let valid = service.login().await.access_token;

    // No bearer credentials: 401 with a bare challenge (RFC 6750 §3.1).
    for authorization in [&[][..], &[&b"Basic YWxpY2U6d29uZGVybGFuZA=="[..]]] {
        let reply = service.get("/me", authorization).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.challenge(), "Bearer realm=\"webtoken-service\"");
    }
    // A malformed header: 400 invalid_request.
    let two = format!("Bearer {valid}");
    for authorization in [
        &[&b"Bearer"[..]][..],
        &[&b"Bearer "[..]],
        &[&b"Bearer a b"[..]],
        &[&b"Bearer {\"alg\":\"none\"}"[..]],
        &[&b"Bearer \xfe\xff"[..]],
        &[two.as_bytes(), two.as_bytes()],
    ] {
        let reply = service.get("/me", authorization).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{authorization:?}");
        assert_eq!(reply.error(), "invalid_request");
        assert!(reply.challenge().contains("error=\"invalid_request\""));
    }
    // A well-formed header with a bad token: 401 invalid_token.
    let mut tampered = valid.clone();
    tampered.pop();
    tampered.push(if valid.ends_with('A') { 'B' } else { 'A' });
    for token in [
        "garbage",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.e30.",
        tampered.as_str(),
    ] {
        service.me(token).await.assert_invalid_token();
    }
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_400_and_nothing_panics() {
    let service = Service::start().await;
    for (path, body) in [
        ("/token", "{"),
        ("/token", ""),
        ("/token", "[]"),
        ("/token", r#"{"username":"alice"}"#),
        ("/token", r#"{"username":1,"password":2}"#),
        ("/token", r#"{"username":"alice","password":"\ud800"}"#),
        ("/token/refresh", "{}"),
        ("/token/refresh", r#"{"refresh_token":null}"#),
        ("/token/verify", r#"{"tok":"x"}"#),
        ("/token/verify", "\u{feff}{}"),
    ] {
        let reply = service.post_raw(path, "application/json", body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path} {body}");
        assert_eq!(reply.error(), "invalid_request", "{path} {body}");
    }

    let reply = service.post_raw("/token", "text/plain", "{}").await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!(
        r#"{{"token":"{}"}}"#,
        "a".repeat(webtoken_service::BODY_LIMIT)
    );
    let reply = service
        .post_raw("/token/verify", "application/json", huge)
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        service.get("/nowhere", &[]).await.status,
        StatusCode::NOT_FOUND
    );

    // Hostile tokens anywhere a token goes: refused, never a server error.
    let big = "a".repeat(12_000);
    for token in [
        "",
        ".",
        "..",
        "....",
        "a.b",
        &big,
        "\u{0}",
        "e30.e30.e30",
        "é.é.é",
    ] {
        assert_eq!(service.verify(token).await["active"], false);
        service.refresh(token).await.assert_invalid_token();
    }
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_independent_party_verifies_with_the_published_keys_only() {
    let service = Service::start().await;
    let pair = service.login().await;

    let claims = service
        .verify_with_published_keys(&pair.access_token)
        .await
        .unwrap();
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["client_id"], "webtoken-service");
    // The kid is the RFC 7638 thumbprint of the key that signed.
    let keys = service.state.tokens().key_ring().current();
    let thumbprint = keys.signing_key().thumbprint().unwrap();
    assert_eq!(claims["kid"], thumbprint);

    let jwks = service.get("/.well-known/jwks.json", &[]).await;
    assert_eq!(jwks.headers[CONTENT_TYPE], "application/json");
    let published = &jwks.json["keys"][0];
    assert_eq!(published["kid"], thumbprint);
    assert_eq!(
        (&published["kty"], &published["crv"]),
        (&json!("EC"), &json!("P-256"))
    );
    assert!(
        published.get("d").is_none(),
        "no private member is published"
    );

    // A refresh token is no access token for the independent party either.
    let refused = service
        .verify_with_published_keys(&pair.refresh_token)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), webtoken::ErrorKind::InvalidType);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_rotation_keeps_old_tokens_valid_until_they_expire() {
    let service = Service::start().await;
    let before = service.login().await;
    let old_kid = kid_of(&before.access_token);

    let ring = service.state.tokens().key_ring();
    ring.rotate(
        SigningKey::generate(Algorithm::Es256).unwrap(),
        service.state.tokens().now(),
    )
    .unwrap();

    // New tokens carry the new kid; both keys are published.
    let after = service.login().await;
    let new_kid = kid_of(&after.access_token);
    assert_ne!(new_kid, old_kid);
    assert_eq!(new_kid, ring.current().signing_key().thumbprint().unwrap());
    let jwks = service.get("/.well-known/jwks.json", &[]).await.json;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["kid"].as_str())
        .collect();
    assert_eq!(kids, [new_kid.as_str(), old_kid.as_str()]);

    // Tokens signed by the retired key still verify, at the service and for third parties,
    // and its refresh token still refreshes (with the new key).
    assert_eq!(
        service.me(&before.access_token).await.status,
        StatusCode::OK
    );
    service
        .verify_with_published_keys(&before.access_token)
        .await
        .unwrap();
    let refreshed = service.refresh(&before.refresh_token).await.pair();
    assert_eq!(kid_of(&refreshed.access_token), new_kid);

    // Once every token the old key signed has expired, housekeeping drops it.
    service
        .clock
        .advance(Duration::from_secs(24 * 60 * 60 + 61));
    service.state.tokens().prune();
    let jwks = service.get("/.well-known/jwks.json", &[]).await.json;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(jwks["keys"][0]["kid"], new_kid);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shuts_down_gracefully_with_a_request_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let service = Service::start().await;
    // A request whose headers have arrived but whose body has not: in flight.
    let body = json!({"username": "bob", "password": "builder"}).to_string();
    let address = service.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /token HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let stop = tokio::spawn(service.stop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    stop.await.unwrap();
    // The listener is closed.
    assert!(tokio::net::TcpStream::connect(&address).await.is_err());
}
