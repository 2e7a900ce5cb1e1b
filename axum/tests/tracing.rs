//! Failures are traced (the authorizer, the error kind, the claims check) and the traces never
//! hold the token or its contents. Alone in its test binary: a `tracing` default subscriber
//! is per thread, and callsite interest is cached per process.

#![allow(clippy::unwrap_used)] // a failure is a test failure

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;
use common::*;
use webtoken_axum::{Authorizer, JwtClaims};

async fn me(JwtClaims(claims): JwtClaims<Scopes>) -> String {
    claims.custom.scope
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn failures_are_traced_without_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let authorizer = Authorizer::<Scopes>::from_keys(hs256(1), validation())
        .check_scope("read", |c| c.custom.scope.split(' ').any(|s| s == "read"))
        .named("main");
    let app = Router::new()
        .route("/me", get(me))
        .route_layer(authorizer.layer());
    let forged = sign_hs256(7, &claims("read").with_subject("secret-subject"));
    let weak = sign_hs256(1, &claims("write").with_subject("secret-subject"));
    for jwt in [&forged, &weak] {
        call(&app, request("/me", &[("authorization", &bearer(jwt))])).await;
    }
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("token refused"), "{log}");
    assert!(
        log.contains("kind=\"invalid_signature\"") || log.contains("kind=invalid_signature"),
        "{log}"
    );
    assert!(
        log.contains("claims check") && log.contains("authorizer=main"),
        "{log}"
    );
    for jwt in [&forged, &weak] {
        for part in jwt.split('.') {
            assert!(
                !log.contains(part),
                "the log holds a part of the token: {log}"
            );
        }
    }
    assert!(!log.contains("secret-subject"), "{log}");
}
