//! End-to-end tests of the service's defences against clients that hold on to its resources:
//! slow or stalled senders, idle and surplus connections, oversize bodies, login floods,
//! hostile tokens whose error text would be huge, and a key file others can read.
//!
//! Each test runs the service on 127.0.0.1 (OS-assigned port) with short limits and drives it
//! over raw TCP, the way such a client would; each is bounded to a few seconds.

// Test helpers panic on anything unexpected, like the tests themselves.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use webtoken::{Algorithm, SigningKey, SystemClock};
use webtoken_service::{AppState, Limits, PasswordChecks, Settings, UserStore};

const FAST: NonZeroU32 = NonZeroU32::new(1_000).unwrap();

struct Service {
    address: SocketAddr,
    state: AppState,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

impl Service {
    async fn start(limits: Limits, checks: PasswordChecks, iterations: NonZeroU32) -> Self {
        let users = UserStore::new([("alice", "wonderland")], iterations).unwrap();
        let state = AppState::new(
            Settings::new("https://id.test", "https://api.test"),
            SigningKey::generate(Algorithm::Es256).unwrap(),
            users,
            Arc::new(SystemClock),
        )
        .unwrap()
        .with_password_checks(checks);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(webtoken_service::serve_with_limits(
            listener,
            state.clone(),
            limits,
            async {
                let _ = stopped.await;
            },
        ));
        Self {
            address,
            state,
            stop,
            server,
        }
    }

    async fn with_limits(limits: Limits) -> Self {
        Self::start(limits, PasswordChecks::default(), FAST).await
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.address).await.unwrap()
    }

    /// Sends `head` (and `body`) on a new connection with `Connection: close` and returns
    /// the status and the JSON body of the answer.
    async fn request(&self, head: &str, body: &str) -> Answer {
        let mut stream = self.connect().await;
        let raw = format!(
            "{head}\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        );
        stream.write_all(raw.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut response))
            .await
            .expect("an answer within 20 s")
            .unwrap();
        Answer::parse(&response)
    }

    async fn login(&self) -> Answer {
        let body = json!({"username": "alice", "password": "wonderland"}).to_string();
        self.request(
            "POST /token HTTP/1.1\r\nContent-Type: application/json",
            &body,
        )
        .await
    }

    async fn stop(self) {
        assert!(!self.server.is_finished(), "the server is still running");
        self.stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), self.server)
            .await
            .expect("graceful shutdown finishes")
            .unwrap()
            .unwrap();
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    json: Value,
}

impl Answer {
    fn parse(response: &[u8]) -> Self {
        let text = String::from_utf8_lossy(response);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Self {
            status,
            head: head.to_owned(),
            json: serde_json::from_str(body).unwrap_or(Value::Null),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Reads from `stream` until the server closes it (EOF or reset) or `within` passes; returns
/// what was read and when the connection was closed, if it was.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> (Vec<u8>, Option<Instant>) {
    let deadline = tokio::time::Instant::now() + within;
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return (received, None),
            Ok(Ok(0) | Err(_)) => return (received, Some(Instant::now())),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
        }
    }
}

fn limits(header: u64, body: u64, idle: u64, max_connections: usize) -> Limits {
    Limits {
        header_timeout: Duration::from_millis(header),
        body_timeout: Duration::from_millis(body),
        idle_timeout: Duration::from_millis(idle),
        max_connections,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_header_sender_is_disconnected_after_the_header_timeout() {
    let service = Service::with_limits(limits(300, 5_000, 5_000, 64)).await;

    // One header byte every 50 ms: the head would take 5 s to arrive.
    let mut slow = service.connect().await;
    let head = format!(
        "GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\nX-Slow: {}\r\n\r\n",
        "a".repeat(60)
    );
    let start = Instant::now();
    let (mut reader, mut writer) = slow.split();
    let write = async {
        for byte in head.as_bytes() {
            if writer.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let read = async {
        let mut buf = [0u8; 1024];
        let read = tokio::time::timeout(Duration::from_secs(4), reader.read(&mut buf)).await;
        (read, Instant::now())
    };
    let (read, closed_at) = tokio::select! {
        r = read => r,
        () = write => panic!("the whole slow head was sent without the server closing"),
    };
    let open_for = closed_at - start;
    println!("slow header sender disconnected after {open_for:?}");
    assert!(
        matches!(read, Ok(Ok(0) | Err(_))),
        "closed, not answered: {read:?}"
    );
    assert!(
        open_for >= Duration::from_millis(250) && open_for < Duration::from_secs(2),
        "{open_for:?}"
    );

    // A connection that never sends a byte is closed after the header timeout as well.
    let mut silent = service.connect().await;
    let start = Instant::now();
    let (_, closed) = until_closed(&mut silent, Duration::from_secs(3)).await;
    let open_for = closed.expect("the silent connection is closed") - start;
    println!("silent connection closed after {open_for:?}");
    assert!(open_for < Duration::from_secs(2), "{open_for:?}");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_cut_off() {
    let service = Service::with_limits(limits(5_000, 300, 5_000, 64)).await;
    let mut stream = service.connect().await;
    let head = format!(
        "POST /token HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"username\":",
        service.address
    );
    let start = Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    let (received, closed) = until_closed(&mut stream, Duration::from_secs(4)).await;
    let answer = Answer::parse(&received);
    let open_for = closed.expect("the connection is closed") - start;
    println!("stalled body: {} after {open_for:?}", answer.status);
    assert_eq!(answer.status, 408, "{}", answer.head);
    assert_eq!(answer.json["error"], "invalid_request");
    assert!(open_for < Duration::from_secs(2), "{open_for:?}");
    service.stop().await;
}

/// Sends one request for the JWK Set on `stream` (kept alive) and reads its answer.
async fn jwks_on(stream: &mut TcpStream) -> Answer {
    stream
        .write_all(b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        assert_ne!(n, 0, "closed before the answer was complete");
        received.extend_from_slice(&buf[..n]);
        let answer = Answer::parse(&received);
        if answer.json != Value::Null {
            return answer;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_are_closed() {
    // The idle timeout closes a kept-alive connection that sends nothing more...
    let service = Service::with_limits(limits(5_000, 5_000, 400, 64)).await;
    let mut stream = service.connect().await;
    assert_eq!(jwks_on(&mut stream).await.status, 200);
    let answered = Instant::now();
    let (_, closed) = until_closed(&mut stream, Duration::from_secs(4)).await;
    let idle = closed.expect("the idle connection is closed") - answered;
    println!("idle keep-alive connection closed after {idle:?}");
    assert!(
        idle >= Duration::from_millis(300) && idle < Duration::from_secs(2),
        "{idle:?}"
    );
    service.stop().await;

    // ...and it is its own setting: with a short header timeout and a longer idle timeout, a
    // client may wait past the header timeout before its next request.
    let service = Service::with_limits(limits(300, 5_000, 3_000, 64)).await;
    let mut stream = service.connect().await;
    assert_eq!(jwks_on(&mut stream).await.status, 200);
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(jwks_on(&mut stream).await.status, 200);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn surplus_connections_wait_and_are_served_once_others_close() {
    const CAP: usize = 16;
    let service = Service::with_limits(limits(10_000, 10_000, 10_000, CAP)).await;

    // CAP idle clients, then more than the cap again: the server must not fall over.
    let mut hogs = Vec::new();
    for _ in 0..CAP * 3 {
        hogs.push(service.connect().await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    // A legitimate request now waits for a free slot...
    let legitimate = tokio::spawn({
        let address = service.address;
        async move {
            let mut stream = TcpStream::connect(address).await.unwrap();
            let answer = jwks_on(&mut stream).await;
            (answer, Instant::now())
        }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        !legitimate.is_finished(),
        "answered although {CAP} connections were open"
    );

    // ...and is served once the clients ahead of it have gone.
    let freed = Instant::now();
    hogs.clear();
    let (answer, served) = tokio::time::timeout(Duration::from_secs(5), legitimate)
        .await
        .expect("served once connections are freed")
        .unwrap();
    assert_eq!(answer.status, 200);
    println!(
        "legitimate request served {:?} after the hogs left",
        served - freed
    );
    assert_eq!(service.login().await.status, 200);
    service.stop().await;

    // Silent clients that never go away are closed by the header timeout, so a legitimate
    // request behind 3 × CAP of them is served within a few timeouts.
    let service = Service::with_limits(limits(300, 10_000, 10_000, CAP)).await;
    let mut hogs = Vec::new();
    for _ in 0..CAP * 3 {
        hogs.push(service.connect().await);
    }
    let start = Instant::now();
    let mut stream = service.connect().await;
    let answer = tokio::time::timeout(Duration::from_secs(5), jwks_on(&mut stream))
        .await
        .expect("served while the silent clients are still connected");
    assert_eq!(answer.status, 200);
    println!(
        "legitimate request behind {} silent clients served after {:?}",
        hogs.len(),
        start.elapsed()
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_oversize_body_gets_413_before_it_is_read() {
    let service = Service::with_limits(Limits::default()).await;
    let mut stream = service.connect().await;
    let head = format!(
        "POST /token/verify HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: 10000000000\r\n\r\n{{",
        service.address
    );
    let start = Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    let (received, closed) = until_closed(&mut stream, Duration::from_secs(3)).await;
    let answer = Answer::parse(&received);
    println!(
        "10 GB declared: {} after {:?}",
        answer.status,
        start.elapsed()
    );
    assert_eq!(answer.status, 413, "{}", answer.head);
    assert_eq!(answer.json["error"], "invalid_request");
    assert!(closed.is_some(), "the connection is closed after the 413");

    // A chunked body has no declared length: it is refused once it passes the limit.
    let mut stream = service.connect().await;
    let chunk = "a".repeat(4096);
    let mut raw = String::from(
        "POST /token/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n",
    );
    for _ in 0..8 {
        raw.push_str("1000\r\n"); // 4096 in hex
        raw.push_str(&chunk);
        raw.push_str("\r\n");
    }
    stream.write_all(raw.as_bytes()).await.unwrap();
    let (received, _) = until_closed(&mut stream, Duration::from_secs(3)).await;
    assert_eq!(Answer::parse(&received).status, 413);
    service.stop().await;
}

/// The median of the `/me` latencies measured with `token`, `n` requests one after another.
async fn me_p50(service: &Service, token: &str, n: usize) -> Duration {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let answer = service
            .request(
                &format!("GET /me HTTP/1.1\r\nAuthorization: Bearer {token}"),
                "",
            )
            .await;
        times.push(start.elapsed());
        assert_eq!(answer.status, 200, "{answer:?}");
    }
    times.sort();
    times[n / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_runs_at_most_the_permitted_password_checks() {
    const PERMITS: usize = 2;
    const LOGINS: usize = 16;
    let iterations = NonZeroU32::new(100_000).unwrap();
    let service = Service::start(
        Limits::default(),
        PasswordChecks::new(PERMITS, Duration::from_secs(20)),
        iterations,
    )
    .await;
    let token = service.login().await.json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let idle = me_p50(&service, &token, 21).await;

    let service = Arc::new(service);
    let flood: Vec<_> = (0..LOGINS)
        .map(|_| {
            let service = Arc::clone(&service);
            tokio::spawn(async move { service.login().await.status })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let flooded = me_p50(&service, &token, 21).await;
    for login in flood {
        assert_eq!(login.await.unwrap(), 200);
    }
    let peak = service.state.password_checks().peak();
    println!(
        "/me p50: {idle:?} idle, {flooded:?} during {LOGINS} concurrent logins; \
         at most {peak} password checks at once (permits: {PERMITS})"
    );
    assert!((1..=PERMITS).contains(&peak), "{peak} checks at once");
    Arc::into_inner(service).unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_that_wait_too_long_get_503_with_retry_after() {
    let iterations = NonZeroU32::new(200_000).unwrap();
    let service = Arc::new(
        Service::start(
            Limits::default(),
            PasswordChecks::new(1, Duration::from_millis(20)),
            iterations,
        )
        .await,
    );
    let logins: Vec<_> = (0..6)
        .map(|_| {
            let service = Arc::clone(&service);
            tokio::spawn(async move { service.login().await })
        })
        .collect();
    let mut busy = 0;
    let mut ok = 0;
    for login in logins {
        let answer = login.await.unwrap();
        match answer.status {
            200 => ok += 1,
            503 => {
                busy += 1;
                assert_eq!(answer.header("retry-after"), Some("1"));
                assert_eq!(answer.json["error"], "temporarily_unavailable");
            }
            other => panic!("unexpected {other}: {answer:?}"),
        }
    }
    println!("{ok} logins served, {busy} answered 503");
    assert!(ok >= 1 && busy >= 1, "{ok} served, {busy} refused");
    assert_eq!(service.state.password_checks().peak(), 1);
    Arc::into_inner(service).unwrap().stop().await;
}

/// Base64url without padding.
fn b64(bytes: &[u8]) -> String {
    webtoken::base64url::encode(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_descriptions_of_hostile_tokens_are_bounded() {
    let service = Service::with_limits(Limits::default()).await;
    let control_kid = json!({"alg": "ES256", "typ": "at+jwt", "kid": "\u{1}".repeat(10_000)});
    let long_kid = json!({"alg": "ES256", "typ": "at+jwt", "kid": "k".repeat(48_000)});
    let long_alg = json!({"alg": "A".repeat(48_000)});
    let long_typ = json!({"alg": "ES256", "typ": "t".repeat(48_000)});
    let mut tokens: Vec<String> = [control_kid, long_kid, long_alg, long_typ]
        .iter()
        .map(|header| {
            format!(
                "{}.{}.{}",
                b64(header.to_string().as_bytes()),
                b64(b"{}"),
                "AA"
            )
        })
        .collect();
    tokens.push(format!("{}.e30.AA", "A".repeat(65_000)));
    tokens.push(format!("e30.{}.AA", "_".repeat(65_000)));
    let mut longest = 0;
    for token in &tokens {
        assert!(token.len() >= 12_000);
        let me = service
            .request(
                &format!("GET /me HTTP/1.1\r\nAuthorization: Bearer {token}"),
                "",
            )
            .await;
        assert_eq!(me.status, 401, "{}", me.head);
        let description = me.json["error_description"].as_str().unwrap();
        let challenge = me.header("www-authenticate").unwrap();
        longest = longest.max(description.len()).max(challenge.len());
        assert!(description.chars().count() <= 200, "{}", description.len());
        assert!(
            !description.chars().any(char::is_control),
            "{description:?}"
        );
        assert!(challenge.len() <= 300, "{}", challenge.len());

        // In a body the token must fit the 16 KB body limit.
        let small: String = token.chars().take(12_000).collect();
        let body = json!({ "token": small }).to_string();
        let verify = service
            .request(
                "POST /token/verify HTTP/1.1\r\nContent-Type: application/json",
                &body,
            )
            .await;
        assert_eq!(verify.status, 200, "{}", verify.head);
        let description = verify.json["error_description"].as_str().unwrap();
        longest = longest.max(description.len());
        assert!(description.chars().count() <= 200, "{}", description.len());
        assert!(
            !description.chars().any(char::is_control),
            "{description:?}"
        );
    }
    println!("longest error text sent: {longest} bytes");
    service.stop().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warns_when_the_key_file_is_readable_by_others() {
    use std::os::unix::fs::PermissionsExt;
    use tokio::io::AsyncBufReadExt;

    let dir = std::env::temp_dir().join(format!("webtoken-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("key.pem");
    let key = SigningKey::generate(Algorithm::Es256).unwrap();
    std::fs::write(&path, key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_webtoken-service"))
        .env("WEBTOKEN_SERVICE_LISTEN", "127.0.0.1:0")
        .env("WEBTOKEN_SERVICE_KEY_FILE", &path)
        .env("WEBTOKEN_SERVICE_USERS", "carol:secret")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut lines = stdout.lines();
    let mut seen = Vec::new();
    let warned = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            seen.push(line.clone());
            if line.contains("readable by group or others") {
                return Some(line);
            }
            if line.contains("listening") {
                return None;
            }
        }
        None
    })
    .await;
    child.kill().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let line = warned
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no warning about the key file; the service logged {seen:#?}"));
    assert!(line.contains("WARN") && line.contains("644"), "{line}");
}
