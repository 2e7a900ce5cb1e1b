//! The built-in fetcher and OpenID Connect discovery against a small HTTP server of the test's
//! own on 127.0.0.1 that misbehaves on purpose: oversized, slow, non-UTF-8 and failing answers,
//! redirect loops, a discovery document naming another issuer, and keys that rotate.

#![allow(clippy::unwrap_used)] // a failure is a test failure

mod common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use webtoken::jwks::StorePolicy;
use webtoken::{Algorithm, SigningKey};
use webtoken_axum::{Authorizer, HttpConfig, HttpFetcher, InitError, JwtClaims, ProviderMetadata};

/// A canned answer: the status line's code, extra headers, the body, and a delay before it.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
    /// Send the body chunked, without Content-Length.
    chunked: bool,
}

impl Answer {
    fn ok(body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
            delay: Duration::ZERO,
            chunked: false,
        }
    }
    fn status(status: u16) -> Self {
        Self {
            status,
            ..Self::ok("")
        }
    }
    fn redirect(to: &str) -> Self {
        let mut answer = Self::status(302);
        answer.headers.push(("location".into(), to.into()));
        answer
    }
    fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A raw HTTP/1.1 server on loopback: one answer per path, counting requests per path.
#[derive(Clone, Default)]
struct Server {
    answers: Arc<Mutex<HashMap<String, Answer>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    addr: Arc<Mutex<Option<SocketAddr>>>,
}

impl Server {
    async fn start() -> Self {
        let server = Self::default();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        *server.addr.lock().unwrap() = Some(listener.local_addr().unwrap());
        let this = server.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let this = this.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&head);
                    let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
                    *this.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
                    let answer = this.answers.lock().unwrap().get(&path).cloned();
                    let answer = answer.unwrap_or_else(|| Answer::status(404));
                    tokio::time::sleep(answer.delay).await;
                    let mut out = format!("HTTP/1.1 {} X\r\nconnection: close\r\n", answer.status);
                    for (name, value) in &answer.headers {
                        let _ = write!(out, "{name}: {value}\r\n");
                    }
                    if answer.chunked {
                        out.push_str("transfer-encoding: chunked\r\n\r\n");
                        let _ = stream.write_all(out.as_bytes()).await;
                        for chunk in answer.body.chunks(4096) {
                            let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
                            frame.extend_from_slice(chunk);
                            frame.extend_from_slice(b"\r\n");
                            if stream.write_all(&frame).await.is_err() {
                                return;
                            }
                        }
                        let _ = stream.write_all(b"0\r\n\r\n").await;
                    } else {
                        let _ = write!(out, "content-length: {}\r\n\r\n", answer.body.len());
                        let _ = stream.write_all(out.as_bytes()).await;
                        let _ = stream.write_all(&answer.body).await;
                    }
                    let _ = stream.shutdown().await;
                });
            }
        });
        server
    }
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr.lock().unwrap().unwrap())
    }
    fn answer(&self, path: &str, answer: Answer) {
        self.answers.lock().unwrap().insert(path.to_owned(), answer);
    }
    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

fn jwks(keys: &[&SigningKey]) -> String {
    let keys: Vec<_> = keys.iter().map(|k| k.to_public_jwk().unwrap()).collect();
    serde_json::json!({ "keys": keys }).to_string()
}

fn es256(kid: &str) -> SigningKey {
    SigningKey::generate(Algorithm::Es256)
        .unwrap()
        .with_key_id(kid)
}

fn quick() -> HttpConfig {
    HttpConfig::new()
        .with_connect_timeout(Duration::from_secs(2))
        .with_timeout(Duration::from_millis(500))
        .with_max_body(64 * 1024)
}

async fn fetch_error(server: &Server, path: &str, config: HttpConfig) -> String {
    let fetcher = HttpFetcher::new(&server.url(path), config).unwrap();
    fetcher.get().await.unwrap_err().message().to_owned()
}

#[tokio::test]
async fn the_fetcher_reads_the_document_and_its_max_age() {
    let server = Server::start().await;
    let key = es256("k1");
    server.answer(
        "/jwks",
        Answer::ok(jwks(&[&key])).header("cache-control", "public, max-age=120"),
    );
    let document = HttpFetcher::new(&server.url("/jwks"), quick())
        .unwrap()
        .get()
        .await
        .unwrap();
    assert_eq!(document.max_age(), Some(Duration::from_secs(120)));
    assert!(document.body().contains("\"k1\""));
}

#[tokio::test]
async fn oversized_slow_failing_and_garbled_answers_fail_the_fetch() {
    let server = Server::start().await;
    let big = vec![b' '; 64 * 1024 + 1];
    server.answer("/declared", Answer::ok(big.clone()));
    server.answer(
        "/chunked",
        Answer {
            chunked: true,
            ..Answer::ok(vec![b' '; 1024 * 1024])
        },
    );
    server.answer(
        "/slow",
        Answer {
            delay: Duration::from_secs(5),
            ..Answer::ok("{}")
        },
    );
    server.answer("/500", Answer::status(500));
    server.answer("/latin1", Answer::ok(b"{\"keys\":[\xe9]}".to_vec()));
    let declared = fetch_error(&server, "/declared", quick()).await;
    assert!(declared.contains("larger than the limit"), "{declared}");
    let chunked = fetch_error(&server, "/chunked", quick()).await;
    assert!(chunked.contains("larger than the limit"), "{chunked}");
    let started = Instant::now();
    let slow = fetch_error(&server, "/slow", quick()).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        slow.contains("timed out") || slow.contains("within"),
        "{slow}"
    );
    let failed = fetch_error(&server, "/500", quick()).await;
    assert!(failed.contains("HTTP status 500"), "{failed}");
    let latin1 = fetch_error(&server, "/latin1", quick()).await;
    assert!(latin1.contains("not UTF-8"), "{latin1}");
    // Nobody listens: the connection is refused, quickly.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}/jwks")
    };
    let error = HttpFetcher::new(&closed, quick())
        .unwrap()
        .get()
        .await
        .unwrap_err();
    assert!(
        error.message().starts_with("GET http://127.0.0.1"),
        "{error}"
    );
}

#[tokio::test]
async fn redirects_are_bounded_and_never_leave_the_allowed_urls() {
    let server = Server::start().await;
    server.answer("/loop", Answer::redirect("/loop"));
    let error = fetch_error(&server, "/loop", quick().with_max_redirects(3)).await;
    assert!(error.contains("redirect"), "{error}");
    assert_eq!(server.hits("/loop"), 4, "the first request and 3 redirects");
    server.answer("/away", Answer::redirect("ftp://127.0.0.1/jwks"));
    let error = fetch_error(&server, "/away", quick()).await;
    assert!(error.contains("redirect"), "{error}");
    // A redirect within bounds is followed.
    server.answer("/moved", Answer::redirect("/jwks"));
    server.answer("/jwks", Answer::ok(jwks(&[&es256("k1")])));
    let fetcher = HttpFetcher::new(&server.url("/moved"), quick()).unwrap();
    assert!(fetcher.get().await.is_ok());
    let error = fetch_error(&server, "/moved", quick().with_max_redirects(0)).await;
    assert!(error.contains("redirect"), "{error}");
}

async fn me(JwtClaims(claims): JwtClaims<Scopes>) -> String {
    claims.custom.scope
}

fn app(authorizer: &Authorizer<Scopes>) -> Router {
    Router::new()
        .route("/me", get(me))
        .route_layer(authorizer.layer())
}

fn discovery(issuer: &str, jwks_uri: &str) -> Answer {
    Answer::ok(serde_json::json!({ "issuer": issuer, "jwks_uri": jwks_uri }).to_string())
}

#[tokio::test]
async fn discovery_checks_the_issuer_and_the_jwks_uri() {
    let server = Server::start().await;
    let key = es256("k1");
    server.answer("/jwks", Answer::ok(jwks(&[&key])));
    let issuer = server.url("/good");
    server.answer(
        "/good/.well-known/openid-configuration",
        discovery(&issuer, &server.url("/jwks")),
    );
    server.answer(
        "/wrong/.well-known/openid-configuration",
        discovery("https://evil.example", &server.url("/jwks")),
    );
    server.answer(
        "/remote/.well-known/openid-configuration",
        discovery(&server.url("/remote"), "http://jwks.example/keys"),
    );
    server.answer(
        "/garbage/.well-known/openid-configuration",
        Answer::ok("<html>"),
    );

    let metadata = ProviderMetadata::discover(&issuer, &quick()).await.unwrap();
    assert_eq!(metadata.jwks_uri, server.url("/jwks"));
    let validation = webtoken::Validation::new().with_audience(AUDIENCE);
    let authorizer = Authorizer::<Scopes>::from_oidc_with(
        &issuer,
        validation.clone(),
        quick(),
        StorePolicy::new(),
    )
    .await
    .unwrap();
    let app = app(&authorizer);
    let jwt = sign(&key, &claims("read").with_issuer(issuer.clone()));
    let response = call(&app, request("/me", &[("authorization", &bearer(&jwt))])).await;
    assert_eq!(response.status(), StatusCode::OK);
    // The discovered issuer is required: a token of another issuer, same key, is refused.
    let other = sign(&key, &claims("read"));
    let response = call(&app, request("/me", &[("authorization", &bearer(&other))])).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let wrong = ProviderMetadata::discover(&server.url("/wrong"), &quick()).await;
    assert!(
        matches!(&wrong, Err(InitError::Discovery(m)) if m.contains("names the issuer")),
        "{wrong:?}"
    );
    let remote = ProviderMetadata::discover(&server.url("/remote"), &quick()).await;
    assert!(matches!(remote, Err(InitError::Url(_))), "{remote:?}");
    let garbage = ProviderMetadata::discover(&server.url("/garbage"), &quick()).await;
    assert!(
        matches!(garbage, Err(InitError::Discovery(_))),
        "{garbage:?}"
    );
    let missing = ProviderMetadata::discover(&server.url("/none"), &quick()).await;
    assert!(
        matches!(&missing, Err(InitError::Discovery(m)) if m.contains("404")),
        "{missing:?}"
    );
    assert!(matches!(
        Authorizer::<Scopes>::from_oidc("http://id.example", validation).await,
        Err(InitError::Url(_))
    ));
}

#[tokio::test]
async fn a_jwks_url_follows_rotation_and_a_provider_outage_is_a_503() {
    let server = Server::start().await;
    let (k1, k2) = (es256("k1"), es256("k2"));
    server.answer("/jwks", Answer::ok(jwks(&[&k1])));
    let policy = StorePolicy::new().with_cooldown(Duration::ZERO);
    let authorizer = Authorizer::<Scopes>::from_jwks_url_with(
        &server.url("/jwks"),
        validation(),
        quick(),
        policy.clone(),
    )
    .unwrap();
    let app = app(&authorizer);
    let call_with = |key: &SigningKey| {
        let jwt = sign(key, &claims("read"));
        let app = app.clone();
        async move { call(&app, request("/me", &[("authorization", &bearer(&jwt))])).await }
    };
    assert_eq!(call_with(&k1).await.status(), StatusCode::OK);
    assert_eq!(server.hits("/jwks"), 1, "fetched on the first request");
    assert_eq!(call_with(&k1).await.status(), StatusCode::OK);
    assert_eq!(server.hits("/jwks"), 1, "then served from the store");
    // The provider rotates: k2 signs, k1 is withdrawn.
    server.answer("/jwks", Answer::ok(jwks(&[&k2])));
    assert_eq!(call_with(&k2).await.status(), StatusCode::OK);
    assert_eq!(server.hits("/jwks"), 2, "an unknown kid refetched the set");
    assert_eq!(call_with(&k1).await.status(), StatusCode::UNAUTHORIZED);

    // The provider fails: a key the store does not hold cannot be checked now (503), and
    // what the client sees names neither the provider's URL nor its error.
    server.answer("/down", Answer::status(502));
    let down = Authorizer::<Scopes>::from_jwks_url_with(
        &server.url("/down"),
        validation(),
        quick(),
        policy,
    )
    .unwrap();
    let jwt = sign(&k1, &claims("read"));
    let down_app = Router::new()
        .route("/me", get(me))
        .route_layer(down.layer());
    let response = call(
        &down_app,
        request("/me", &[("authorization", &bearer(&jwt))]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header(&response, "retry-after"), "5");
    let body = body_text(response).await;
    assert!(body.contains("temporarily_unavailable"), "{body}");
    assert!(
        !body.contains("127.0.0.1") && !body.contains("502"),
        "{body}"
    );
    assert_eq!(server.hits("/down"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_one_fetch_and_a_dropped_request_ends_its_fetch() {
    let server = Server::start().await;
    let (k1, k2) = (es256("k1"), es256("k2"));
    server.answer(
        "/jwks",
        Answer {
            delay: Duration::from_millis(300),
            ..Answer::ok(jwks(&[&k1, &k2]))
        },
    );
    let authorizer = Authorizer::<Scopes>::from_jwks_url_with(
        &server.url("/jwks"),
        validation(),
        quick().with_timeout(Duration::from_secs(5)),
        StorePolicy::new().with_cooldown(Duration::ZERO),
    )
    .unwrap();
    let app = app(&authorizer);

    // A client that goes away while its request waits for the first fetch: the fetch ends
    // with it (recorded as cancelled), and the next request fetches again.
    let jwt = sign(&k1, &claims("read"));
    let gone = tokio::time::timeout(
        Duration::from_millis(50),
        call(&app, request("/me", &[("authorization", &bearer(&jwt))])),
    )
    .await;
    assert!(gone.is_err(), "the request should still be waiting");

    // Twenty requests at once for keys the store does not hold yet: one fetch serves them all.
    let before = server.hits("/jwks");
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..20 {
        let app = app.clone();
        let jwt = sign(if i % 2 == 0 { &k1 } else { &k2 }, &claims("read"));
        requests.spawn(async move {
            call(&app, request("/me", &[("authorization", &bearer(&jwt))]))
                .await
                .status()
        });
    }
    while let Some(status) = requests.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    assert_eq!(
        server.hits("/jwks") - before,
        1,
        "one fetch for twenty requests"
    );
}

/// The state of an axum app that decodes by itself, with webtoken's `KeyStore` and no layer.
#[derive(Clone)]
struct StoreState {
    keys: webtoken::KeyStore<webtoken::jwks::BoxedAsyncFetcher>,
    validation: webtoken::Validation,
}

async fn subject(
    axum::extract::State(state): axum::extract::State<StoreState>,
    headers: axum::http::HeaderMap,
) -> Result<String, StatusCode> {
    let jwt = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let token = state
        .keys
        .decode_async::<Scopes>(jwt, &state.validation)
        .await
        .map_err(|_| StatusCode::UNAUTHORIZED)?;
    Ok(token.claims().subject.clone().unwrap_or_default())
}

#[tokio::test]
async fn a_boxed_fetcher_key_store_fits_in_axum_state() {
    let server = Server::start().await;
    let key = es256("k1");
    server.answer(
        "/jwks",
        Answer::ok(jwks(&[&key])).header("cache-control", "max-age=60"),
    );
    let fetcher = HttpFetcher::new(&server.url("/jwks"), quick()).unwrap();
    let boxed = webtoken::jwks::BoxedAsyncFetcher::new(move || {
        let fetcher = fetcher.clone();
        async move { fetcher.get().await }
    });
    let state = StoreState {
        keys: webtoken::KeyStore::new(boxed),
        validation: validation(),
    };
    let app = Router::new()
        .route("/subject", get(subject))
        .with_state(state.clone());
    let jwt = sign(&key, &claims("read"));
    let response = call(
        &app,
        request("/subject", &[("authorization", &bearer(&jwt))]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "user-42");
    assert_eq!(state.keys.status().fetches, 1);
}
