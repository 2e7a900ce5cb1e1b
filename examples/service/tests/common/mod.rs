//! Real servers for the deployment tests: `redis-server`, `nginx` and replicas of the built
//! `webtoken-service` binary, each started on a free loopback port with its files in a
//! temporary directory, and stopped by PID when its guard is dropped (also when a test
//! panics). A missing `redis-server` or `nginx` fails the test with an install hint.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::missing_panics_doc,
    clippy::format_collect,
    clippy::similar_names
)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process};

/// Where Debian puts the binaries, for when `PATH` lacks `/usr/sbin` (nginx).
const PLACES: &[&str] = &["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

/// The path of `name`, or a panic that says how to install it.
pub fn require(name: &str, package: &str) -> PathBuf {
    let from_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    from_path
        .into_iter()
        .chain(PLACES.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{name}` is needed by this test and was not found. Install it: \
                 apt-get install -y {package} (or run .ci/service-e2e.sh, which does)"
            )
        })
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `port`, at most `limit`.
pub fn wait_for_port(port: u16, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A temporary directory, deleted on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let path =
            std::env::temp_dir().join(format!("webtoken-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process stopped on drop: SIGTERM, up to 5 s to exit, then SIGKILL.
pub struct Process {
    pub name: String,
    child: Option<Child>,
}

impl Process {
    pub fn spawn(name: &str, command: &mut Command) -> Self {
        let child = command
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Self {
            name: name.to_owned(),
            child: Some(child),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    fn signal(&self, signal: Signal) {
        if let Some(child) = &self.child {
            let pid = Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
            let _ = kill_process(pid, signal);
        }
    }

    /// Whether it is still running.
    pub fn running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().ok().flatten().is_none())
    }

    /// SIGKILL, and wait for it to be gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then SIGKILL after 5 s.
    pub fn stop(&mut self) {
        if self.child.is_none() {
            return;
        }
        self.signal(Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if !self.running() {
                let _ = self.child.take().map(|mut c| c.wait());
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A `redis-server` on a free port, its data (append-only file) in `dir`.
pub struct Redis {
    pub port: u16,
    dir: PathBuf,
    process: Process,
}

impl Redis {
    pub fn start(dir: &Path) -> Self {
        Self::start_on(dir, free_port())
    }

    fn start_on(dir: &Path, port: u16) -> Self {
        let binary = require("redis-server", "redis-server");
        let data = dir.join("redis");
        std::fs::create_dir_all(&data).unwrap();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("redis.log"))
            .unwrap();
        let process = Process::spawn(
            "redis-server",
            Command::new(binary)
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--dir", data.to_str().unwrap()])
                .args(["--appendonly", "yes", "--appendfsync", "always"])
                .args(["--save", "", "--daemonize", "no", "--protected-mode", "yes"])
                .stdout(log.try_clone().unwrap())
                .stderr(log),
        );
        assert!(
            wait_for_port(port, Duration::from_secs(10)),
            "redis-server did not listen on {port}; see {}",
            dir.join("redis.log").display()
        );
        Self {
            port,
            dir: dir.to_owned(),
            process,
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Stops Redis (SIGTERM: it writes its data and exits).
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// Starts Redis again on the same port with the same data.
    pub fn restart(&mut self) {
        self.process.stop();
        let again = Self::start_on(&self.dir, self.port);
        *self = again;
    }
}

/// A self-signed CA and a certificate for `localhost` and `127.0.0.1` signed by it, made
/// with the `openssl` command line tool. Returns (CA PEM, certificate path, key path).
pub fn certificates(dir: &Path) -> (Vec<u8>, PathBuf, PathBuf) {
    let openssl = require("openssl", "openssl");
    let run = |args: &[&str]| {
        let output = Command::new(&openssl)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=webtoken test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "tls.key",
        "-out",
        "tls.csr",
        "-subj",
        "/CN=localhost",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "tls.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tls.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
    ]);
    (
        std::fs::read(dir.join("ca.pem")).unwrap(),
        dir.join("tls.pem"),
        dir.join("tls.key"),
    )
}

/// `deploy/nginx-webtoken-service.conf` with the lines marked `# test:` pointed at the test's
/// ports and files, inside a minimal `nginx.conf` of its own; then `nginx` started on it.
pub struct Nginx {
    pub https_port: u16,
    pub http_port: u16,
    process: Process,
}

/// The shipped configuration.
pub const DEPLOY_CONF: &str = include_str!("../../deploy/nginx-webtoken-service.conf");

impl Nginx {
    pub fn start(dir: &Path, upstreams: &[u16], login_rate: &str) -> Self {
        let binary = require("nginx", "nginx");
        let (_, certificate, key) = certificates(dir);
        let https_port = free_port();
        let http_port = free_port();
        let origin = format!("https://127.0.0.1:{https_port}");
        let mut rendered = String::new();
        let mut upstream_written = false;
        for line in DEPLOY_CONF.lines() {
            let Some((_, marker)) = line.split_once("# test: ") else {
                rendered.push_str(line);
                rendered.push('\n');
                continue;
            };
            let replaced = match marker {
                "rate" => format!(
                    "limit_req_zone $binary_remote_addr zone=webtoken_login:10m rate={login_rate};"
                ),
                "upstream" if upstream_written => String::new(),
                "upstream" => {
                    upstream_written = true;
                    upstreams
                        .iter()
                        .map(|p| format!("server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n"))
                        .collect()
                }
                "http listen" => format!("listen 127.0.0.1:{http_port};"),
                "https listen" => format!("listen 127.0.0.1:{https_port} ssl;"),
                "host" => "server_name localhost 127.0.0.1;".to_owned(),
                "origin" => format!("return 308 {origin}$request_uri;"),
                "certificate" => format!("ssl_certificate {};", certificate.display()),
                "key" => format!("ssl_certificate_key {};", key.display()),
                other => panic!("unknown test marker {other:?} in the nginx configuration"),
            };
            rendered.push_str(&replaced);
            rendered.push('\n');
        }
        assert!(
            upstream_written,
            "the configuration lost its upstream lines"
        );
        std::fs::write(dir.join("webtoken-service.conf"), rendered).unwrap();
        let prefix = dir.join("nginx");
        for sub in ["logs", "temp"] {
            std::fs::create_dir_all(prefix.join(sub)).unwrap();
        }
        let main = format!(
            "daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n\
             error_log {prefix}/logs/error.log warn;\nevents {{ worker_connections 1024; }}\n\
             http {{\n  access_log {prefix}/logs/access.log;\n  \
             client_body_temp_path {prefix}/temp/body;\n  proxy_temp_path {prefix}/temp/proxy;\n  \
             fastcgi_temp_path {prefix}/temp/fastcgi;\n  uwsgi_temp_path {prefix}/temp/uwsgi;\n  \
             scgi_temp_path {prefix}/temp/scgi;\n  include {conf};\n}}\n",
            prefix = prefix.display(),
            conf = dir.join("webtoken-service.conf").display(),
        );
        let main_path = dir.join("nginx.conf");
        std::fs::write(&main_path, main).unwrap();
        let log = std::fs::File::create(dir.join("nginx.out")).unwrap();
        let process = Process::spawn(
            "nginx",
            Command::new(binary)
                .arg("-p")
                .arg(&prefix)
                .arg("-c")
                .arg(&main_path)
                .stdout(log.try_clone().unwrap())
                .stderr(log),
        );
        assert!(
            wait_for_port(https_port, Duration::from_secs(10)),
            "nginx did not listen; see {} and {}",
            dir.join("nginx.out").display(),
            prefix.join("logs/error.log").display()
        );
        Self {
            https_port,
            http_port,
            process,
        }
    }

    pub fn base(&self) -> String {
        format!("https://127.0.0.1:{}", self.https_port)
    }
}

/// One replica: the built binary with `env`, listening on `port`.
pub struct Replica {
    pub port: u16,
    process: Process,
}

impl Replica {
    pub fn start(dir: &Path, port: u16, env: &[(String, String)]) -> Self {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(format!("replica-{port}.log")))
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_webtoken-service"));
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("WEBTOKEN_SERVICE_LISTEN", format!("127.0.0.1:{port}"))
            .current_dir(dir)
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (name, value) in env {
            command.env(name, value);
        }
        let process = Process::spawn("webtoken-service", &mut command);
        assert!(
            wait_for_port(port, Duration::from_secs(20)),
            "the replica on {port} did not listen; see {}",
            dir.join(format!("replica-{port}.log")).display()
        );
        Self { port, process }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn kill(&mut self) {
        self.process.kill();
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }
}
