//! The service as deployed: three replicas (real processes of the built binary) sharing
//! sessions and keys through a real `redis-server`, behind a real `nginx` running the shipped
//! `deploy/nginx-webtoken-service.conf` with TLS (a CA and certificate made by `openssl`),
//! driven by reqwest over HTTPS. Every server is on a free loopback port with its files in a
//! temporary directory and is stopped by PID when the test ends, also on failure. A missing
//! `redis-server`, `nginx` or `openssl` fails with an install hint.
//!
//! The tests run one at a time (a lock): each starts its own cluster, and the timing bounds
//! they check should not depend on the other tests' load on a 2-core machine.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use common::{Nginx, Redis, Replica, TempDir};

/// Held by each test for its whole run (an async mutex: each test has its own runtime).
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const POLL_SECS: u64 = 1;

/// Fields drop in order: nginx, the replicas, Redis, then the directory.
struct Cluster {
    client: reqwest::Client,
    nginx: Nginx,
    replicas: Vec<Replica>,
    redis: Redis,
    env: Vec<(String, String)>,
    dir: TempDir,
}

impl Cluster {
    fn start(label: &str, extra: &[(&str, &str)], login_rate: &str) -> Self {
        let dir = TempDir::new(label);
        let redis = Redis::start(dir.path());
        let mut env: Vec<(String, String)> = [
            ("WEBTOKEN_SERVICE_REDIS_URL", redis.url().as_str()),
            (
                "WEBTOKEN_SERVICE_KEY_DIR",
                dir.path().join("keys").to_str().unwrap(),
            ),
            ("WEBTOKEN_SERVICE_KEY_POLL", "1"),
            ("WEBTOKEN_SERVICE_REDIS_TIMEOUT", "0.5"),
            ("WEBTOKEN_SERVICE_ISSUER", "https://id.test"),
            ("WEBTOKEN_SERVICE_AUDIENCE", "https://api.test"),
            ("WEBTOKEN_SERVICE_USERS", "alice:wonderland,bob:builder"),
            ("WEBTOKEN_SERVICE_PBKDF2_ITERATIONS", "1000"),
            ("WEBTOKEN_SERVICE_TRUSTED_PROXIES", "127.0.0.1"),
            ("RUST_LOG", "info"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let replicas: Vec<Replica> = (0..3)
            .map(|_| Replica::start(dir.path(), common::free_port(), &env))
            .collect();
        let ports: Vec<u16> = replicas.iter().map(|r| r.port).collect();
        let nginx = Nginx::start(dir.path(), &ports, login_rate);
        let ca = std::fs::read(dir.path().join("ca.pem")).unwrap();
        let client = reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        Self {
            client,
            nginx,
            replicas,
            redis,
            env,
            dir,
        }
    }

    fn proxy(&self) -> String {
        self.nginx.base()
    }

    fn direct(&self, replica: usize) -> String {
        self.replicas[replica].base()
    }

    fn every_replica(&self) -> Vec<String> {
        (0..self.replicas.len()).map(|i| self.direct(i)).collect()
    }

    async fn post(&self, url: String, body: Value) -> (StatusCode, Value) {
        let response = self.client.post(url).json(&body).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn login(&self, base: &str) -> (StatusCode, Value) {
        self.post(
            format!("{base}/token"),
            json!({"username": "alice", "password": "wonderland"}),
        )
        .await
    }

    async fn refresh(&self, base: &str, token: &str) -> (StatusCode, Value) {
        self.post(
            format!("{base}/token/refresh"),
            json!({ "refresh_token": token }),
        )
        .await
    }

    async fn verify(&self, base: &str, token: &str) -> (StatusCode, Value) {
        self.post(format!("{base}/token/verify"), json!({ "token": token }))
            .await
    }

    async fn get(&self, url: String, bearer: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.client.get(url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn me(&self, base: &str, access: &str) -> (StatusCode, Value) {
        self.get(format!("{base}/me"), Some(access)).await
    }

    async fn jwks_kids(&self, base: &str) -> HashSet<String> {
        let (status, body) = self
            .get(format!("{base}/.well-known/jwks.json"), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        body["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect()
    }

    /// `webtoken-service rotate-key`, as an operator runs it on a replica's host.
    fn rotate_key(&self) -> Value {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_webtoken-service"))
            .arg("rotate-key")
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    fn restart_replica(&mut self, index: usize) {
        let port = self.replicas[index].port;
        self.replicas[index].kill();
        self.replicas[index] = Replica::start(self.dir.path(), port, &self.env);
    }
}

/// The `kid` in the header of a JWT.
fn kid_of(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    let header: Value =
        serde_json::from_slice(&webtoken::base64url::decode(header).unwrap()).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

fn token(body: &Value, field: &str) -> String {
    body[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {body}"))
        .to_owned()
}

fn unix_now() -> i64 {
    webtoken::NumericDate::now().as_secs()
}

/// Repeats `check` every 100 ms until it holds or `limit` has passed; whether it held.
async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// 1. A login through nginx gives tokens every replica accepts, directly and through nginx;
/// nginx redirects HTTP to HTTPS, limits the body size and rate-limits logins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_through_nginx_then_every_replica_accepts_the_token() {
    let _serial = SERIAL.lock().await;
    let cluster = Cluster::start("deploy-login", &[], "5r/s");
    let proxy = cluster.proxy();

    let (status, health) = cluster.get(format!("{proxy}/healthz"), None).await;
    assert_eq!(status, StatusCode::OK, "{health}");
    assert_eq!(health["store"], "redis");

    let (status, pair) = cluster.login(&proxy).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    let access = token(&pair, "access_token");
    for base in cluster.every_replica() {
        let (status, me) = cluster.me(&base, &access).await;
        assert_eq!(status, StatusCode::OK, "{base}: {me}");
        assert_eq!(me["sub"], "alice");
    }
    // Round robin over three replicas: six requests reach each at least once.
    for _ in 0..6 {
        let (status, me) = cluster.me(&proxy, &access).await;
        assert_eq!(status, StatusCode::OK, "{me}");
    }
    // Every replica publishes the same keys.
    let kids = cluster.jwks_kids(&proxy).await;
    for base in cluster.every_replica() {
        assert_eq!(cluster.jwks_kids(&base).await, kids);
    }
    assert!(kids.contains(&kid_of(&access)));

    // Plain HTTP is redirected, method-preserving, to the HTTPS origin.
    let plain = format!("http://127.0.0.1:{}/token?x=1", cluster.nginx.http_port);
    let response = cluster.client.post(plain).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        response.headers()["location"],
        format!("{proxy}/token?x=1").as_str()
    );

    // nginx refuses large bodies before they reach a replica.
    let big = cluster
        .client
        .post(format!("{proxy}/token"))
        .header("content-type", "application/json")
        .body(vec![b' '; 20 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // limit_req on POST /token: 30 logins at once from one address, burst 10: some get 429,
    // none a 5xx. /me is not limited.
    let attempts: Vec<_> = (0..30)
        .map(|_| {
            let (client, url) = (cluster.client.clone(), format!("{proxy}/token"));
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({"username": "alice", "password": "wrong"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut limited = 0;
    for attempt in attempts {
        let status = attempt.await.unwrap();
        assert!(
            status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::UNAUTHORIZED,
            "{status}"
        );
        limited += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
    }
    assert!(limited >= 10, "only {limited} of 30 were rate limited");
    let (status, _) = cluster.me(&proxy, &access).await;
    assert_eq!(status, StatusCode::OK);

    // X-Forwarded-For is believed from the trusted proxy address (127.0.0.1 here) only: the
    // login is logged with the forwarded client.
    let response = cluster
        .client
        .post(format!("{}/token", cluster.direct(0)))
        .header("x-forwarded-for", "198.51.100.23")
        .json(&json!({"username": "bob", "password": "builder"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let log_path = cluster
        .dir
        .path()
        .join(format!("replica-{}.log", cluster.replicas[0].port));
    let logged = eventually(Duration::from_secs(2), || {
        let log_path = log_path.clone();
        async move {
            std::fs::read_to_string(&log_path)
                .unwrap()
                .lines()
                .any(|l| l.contains("login") && l.contains("bob") && l.contains("198.51.100.23"))
        }
    })
    .await;
    assert!(
        logged,
        "the forwarded client address is not in {}",
        log_path.display()
    );
}

/// 2. Twenty concurrent refreshes of one refresh token, sent to three replicas: exactly one
/// succeeds, and the reuse by the others revokes the session on every replica.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refreshes_on_three_replicas_exactly_one_wins() {
    let _serial = SERIAL.lock().await;
    let cluster = Arc::new(Cluster::start("deploy-refresh", &[], "100r/s"));
    let (status, pair) = cluster.login(&cluster.proxy()).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    let refresh = token(&pair, "refresh_token");

    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (cluster, barrier, refresh) =
                (Arc::clone(&cluster), Arc::clone(&barrier), refresh.clone());
            tokio::spawn(async move {
                let base = cluster.direct(i % 3);
                barrier.wait().await;
                cluster.refresh(&base, &refresh).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            StatusCode::OK => winners.push(body),
            StatusCode::UNAUTHORIZED => assert_eq!(body["error"], "invalid_token", "{body}"),
            other => panic!("a refresh answered {other}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one refresh succeeds");
    let next = token(&winners[0], "refresh_token");
    for base in cluster.every_replica() {
        let (status, body) = cluster.verify(&base, &next).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["active"], false, "revoked on {base}: {body}");
        let (status, _) = cluster.refresh(&base, &next).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked on {base}");
    }
    // Other sessions are untouched.
    let (_, other) = cluster.login(&cluster.proxy()).await;
    let (status, _) = cluster
        .refresh(&cluster.direct(2), &token(&other, "refresh_token"))
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// 3. `rotate-key` on one replica's host: every replica publishes the new key within one poll
/// and signs with it from the activation time (2 polls); tokens of the old key keep verifying
/// and the old key stays published until its last token has expired, then it is gone. All of
/// it survives restarting every replica.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_rotation_reaches_every_replica_within_the_bound() {
    let _serial = SERIAL.lock().await;
    // Access tokens live 4 s, refresh tokens 5 s, leeway 1 s: a retired key is kept 6 s.
    let mut cluster = Cluster::start(
        "deploy-rotate",
        &[
            ("WEBTOKEN_SERVICE_ACCESS_LIFETIME", "4"),
            ("WEBTOKEN_SERVICE_REFRESH_LIFETIME", "5"),
            ("WEBTOKEN_SERVICE_LEEWAY", "1"),
        ],
        "100r/s",
    );
    let proxy = cluster.proxy();
    let (status, before) = cluster.login(&cluster.direct(0)).await;
    assert_eq!(status, StatusCode::OK);
    let old_access = token(&before, "access_token");
    let old_kid = kid_of(&old_access);

    let rotated = cluster.rotate_key();
    let rotated_at = Instant::now();
    let new_kid = rotated["kid"].as_str().unwrap().to_owned();
    let signs_from = rotated["signs_from"].as_i64().unwrap();
    assert_ne!(new_kid, old_kid);
    assert!(
        (signs_from - unix_now() - 2).abs() <= 1,
        "activation = 2 polls"
    );

    // Published everywhere within one poll (+ slack), before anyone signs with it.
    for base in cluster.every_replica() {
        let published = eventually(Duration::from_millis(POLL_SECS * 1000 + 1500), || {
            let (cluster, base, new_kid) = (&cluster, base.clone(), new_kid.clone());
            async move { cluster.jwks_kids(&base).await.contains(&new_kid) }
        })
        .await;
        assert!(published, "{base} did not publish {new_kid}");
    }
    let kids = cluster.jwks_kids(&proxy).await;
    assert!(
        kids.contains(&old_kid) && kids.contains(&new_kid),
        "{kids:?}"
    );

    // Every replica signs with the new key from the activation time on (bound: 2 polls after
    // the rotation, + 1.5 s of slack for process scheduling on a busy machine).
    let bound = Duration::from_millis(2 * POLL_SECS * 1000 + 1500);
    for base in cluster.every_replica() {
        let switched = eventually(bound.saturating_sub(rotated_at.elapsed()), || {
            let (cluster, base, new_kid) = (&cluster, base.clone(), new_kid.clone());
            async move {
                let (status, pair) = cluster.login(&base).await;
                status == StatusCode::OK && kid_of(&token(&pair, "access_token")) == new_kid
            }
        })
        .await;
        assert!(switched, "{base} still signs with the old key");
    }
    // The old key's tokens still verify everywhere.
    for base in cluster.every_replica() {
        let (status, me) = cluster.me(&base, &old_access).await;
        assert_eq!(status, StatusCode::OK, "{base}: {me}");
    }

    // The old key goes once its last token has expired: activation + 5 s + 1 s leeway.
    let gone_at = signs_from + 6;
    let wait = u64::try_from(gone_at - unix_now()).unwrap_or(0);
    tokio::time::sleep(Duration::from_secs(wait)).await;
    for base in cluster.every_replica().into_iter().chain([proxy.clone()]) {
        let dropped = eventually(Duration::from_millis(POLL_SECS * 1000 + 2000), || {
            let (cluster, base, old_kid) = (&cluster, base.clone(), old_kid.clone());
            async move { !cluster.jwks_kids(&base).await.contains(&old_kid) }
        })
        .await;
        assert!(dropped, "{base} still publishes the retired key");
    }

    // The private keys are files only the service's user can read; Redis holds none.
    {
        use std::os::unix::fs::PermissionsExt;
        let keys = cluster.dir.path().join("keys");
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&keys), 0o700);
        let files: Vec<_> = std::fs::read_dir(&keys)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(files.iter().any(|f| f.ends_with(format!("{new_kid}.pem"))));
        for file in &files {
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }
    }
    let mut redis = redis::Client::open(cluster.redis.url())
        .unwrap()
        .get_multiplexed_tokio_connection()
        .await
        .unwrap();
    let names: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!(names.iter().any(|n| n == "webtoken:keys:from"), "{names:?}");
    for name in names {
        let dump: Vec<u8> = redis::cmd("DUMP")
            .arg(&name)
            .query_async(&mut redis)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&dump);
        assert!(
            !text.contains("PRIVATE") && !text.contains("\"d\""),
            "{name}: {text}"
        );
    }

    // Restarting every replica: same keys, same sessions.
    let (status, pair) = cluster.login(&proxy).await;
    assert_eq!(status, StatusCode::OK);
    for index in 0..3 {
        cluster.restart_replica(index);
    }
    for base in cluster.every_replica() {
        assert_eq!(
            cluster.jwks_kids(&base).await,
            HashSet::from([new_kid.clone()])
        );
        let (status, _) = cluster.me(&base, &token(&pair, "access_token")).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, body) = cluster
        .refresh(&cluster.direct(1), &token(&pair, "refresh_token"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Concurrent clients of the mixed load of test 4, and how long it runs.
const WORKERS: usize = 6;
const LOAD: Duration = Duration::from_secs(5);

/// One request of the mixed load.
#[derive(Debug)]
struct Record {
    what: &'static str,
    started: Instant,
    status: u16,
}

/// 4. SIGKILL of one replica during a mixed load through nginx: no request fails with a 5xx
/// except POSTs in flight at the kill; no refresh token is both spent and still usable; the
/// restarted replica serves the same sessions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_under_load_costs_only_its_requests_in_flight() {
    let _serial = SERIAL.lock().await;
    let mut cluster = Cluster::start("deploy-kill", &[], "1000r/s");
    let (client, proxy) = (cluster.client.clone(), cluster.proxy());

    let records = Arc::new(Mutex::new(Vec::<Record>::new()));
    // Refresh tokens that a successful refresh spent; pairs still usable at the end.
    let spent = Arc::new(Mutex::new(Vec::<String>::new()));
    let live = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let start = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (client, proxy, records, spent, live) = (
                client.clone(),
                proxy.clone(),
                Arc::clone(&records),
                Arc::clone(&spent),
                Arc::clone(&live),
            );
            tokio::spawn(async move {
                let record = |what, started: Instant, status: u16| {
                    records.lock().unwrap().push(Record {
                        what,
                        started,
                        status,
                    });
                };
                let mut current: Option<(String, String)> = None;
                let mut requests = 0;
                while start.elapsed() < LOAD && requests < 2000 {
                    requests += 1;
                    let started = Instant::now();
                    match current.take() {
                        None => {
                            let response = client
                                .post(format!("{proxy}/token"))
                                .json(&json!({"username": "bob", "password": "builder"}))
                                .send()
                                .await
                                .unwrap();
                            let status = response.status().as_u16();
                            record("login", started, status);
                            if status == 200 {
                                let body: Value = response.json().await.unwrap();
                                current = Some((
                                    token(&body, "access_token"),
                                    token(&body, "refresh_token"),
                                ));
                            }
                        }
                        Some((access, refresh)) if requests % 3 != 0 => {
                            let response = client
                                .get(format!("{proxy}/me"))
                                .bearer_auth(&access)
                                .send()
                                .await
                                .unwrap();
                            record("me", started, response.status().as_u16());
                            current = Some((access, refresh));
                        }
                        Some((_, refresh)) => {
                            let response = client
                                .post(format!("{proxy}/token/refresh"))
                                .json(&json!({ "refresh_token": refresh }))
                                .send()
                                .await
                                .unwrap();
                            let status = response.status().as_u16();
                            record("refresh", started, status);
                            if status == 200 {
                                let body: Value = response.json().await.unwrap();
                                spent.lock().unwrap().push(refresh);
                                current = Some((
                                    token(&body, "access_token"),
                                    token(&body, "refresh_token"),
                                ));
                            }
                            // Any other outcome: log in again.
                        }
                    }
                }
                if let Some(pair) = current {
                    live.lock().unwrap().push(pair);
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.replicas[1].kill(); // returns once the process is reaped: its sockets are closed
    // Requests started before this may have been in flight on the killed replica (or on an
    // idle upstream connection to it that nginx had not yet seen close: 100 ms for that).
    let killed_at = Instant::now() + Duration::from_millis(100);
    for worker in workers {
        worker.await.unwrap();
    }

    let records = std::mem::take(&mut *records.lock().unwrap());
    let failures: Vec<&Record> = records.iter().filter(|r| r.status >= 500).collect();
    eprintln!(
        "{} requests, {} after the kill, 5xx: {failures:?}",
        records.len(),
        records.iter().filter(|r| r.started > killed_at).count()
    );
    assert!(records.len() > 100, "too little load: {}", records.len());
    assert!(
        records
            .iter()
            .filter(|r| r.started > killed_at && r.status == 200)
            .count()
            > 20,
        "the load went on after the kill"
    );
    for failure in &failures {
        assert!(
            failure.started <= killed_at && failure.what != "me",
            "a request failed that was not in flight on the killed replica: {failure:?} \
             (killed at {:?})",
            killed_at - start
        );
    }
    assert!(failures.len() <= WORKERS, "{failures:?}");
    assert!(
        records.iter().all(|r| matches!(r.status, 200 | 502)),
        "only 200s and in-flight 502s: {:?}",
        records
            .iter()
            .filter(|r| !matches!(r.status, 200 | 502))
            .collect::<Vec<_>>()
    );

    // nginx did meet the dead replica (refused or reset connections) and routed around it.
    let nginx_log =
        std::fs::read_to_string(cluster.dir.path().join("nginx/logs/error.log")).unwrap();
    let dead = format!("127.0.0.1:{}", cluster.replicas[1].port);
    assert!(
        nginx_log
            .lines()
            .any(|l| l.contains("[error]") && l.contains(&dead)),
        "nginx never tried the killed replica:\n{nginx_log}"
    );

    // No refresh token is both spent and still usable.
    let spent = std::mem::take(&mut *spent.lock().unwrap());
    assert!(!spent.is_empty());
    for token in &spent {
        let (status, body) = cluster.verify(&proxy, token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body["active"], false,
            "a spent refresh token is still usable"
        );
    }

    // The killed replica comes back and serves the sessions made while it was gone.
    cluster.restart_replica(1);
    let live = std::mem::take(&mut *live.lock().unwrap());
    assert!(!live.is_empty());
    let base = cluster.direct(1);
    for (access, refresh) in &live {
        let (status, body) = cluster.me(&base, access).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = cluster.refresh(&base, refresh).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// 5. Redis stops: /healthz says so (503 JSON), logins and refreshes answer 503 JSON (never
/// 500, never tokens without a recorded session), /me keeps working; Redis restarts and
/// everything recovers without restarting the replicas.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_then_back() {
    let _serial = SERIAL.lock().await;
    let mut cluster = Cluster::start("deploy-redis", &[], "1000r/s");
    let proxy = cluster.proxy();
    let (status, pair) = cluster.login(&proxy).await;
    assert_eq!(status, StatusCode::OK);
    let access = token(&pair, "access_token");
    let refresh = token(&pair, "refresh_token");

    cluster.redis.stop();
    let bases: Vec<String> = cluster
        .every_replica()
        .into_iter()
        .chain([proxy.clone()])
        .collect();
    for base in &bases {
        let (status, health) = cluster.get(format!("{base}/healthz"), None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{base}: {health}");
        assert_eq!(health["status"], "unavailable", "{health}");
        let (status, body) = cluster.login(base).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{base}: {body}");
        assert_eq!(body["error"], "temporarily_unavailable");
        let (status, body) = cluster.refresh(base, &refresh).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{base}: {body}");
        assert_eq!(body["error"], "temporarily_unavailable");
        let (status, me) = cluster.me(base, &access).await;
        assert_eq!(status, StatusCode::OK, "{base}: {me}");
    }

    cluster.redis.restart();
    for base in &bases {
        let healthy = eventually(Duration::from_secs(10), || {
            let (cluster, base) = (&cluster, base.clone());
            async move { cluster.get(format!("{base}/healthz"), None).await.0 == StatusCode::OK }
        })
        .await;
        assert!(healthy, "{base} did not recover");
    }
    // The session made before the outage is still there (Redis's append-only file), and
    // the refresh that failed during the outage did not spend the token.
    let (status, body) = cluster.refresh(&cluster.direct(2), &refresh).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = cluster.login(&proxy).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
