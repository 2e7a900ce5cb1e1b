//! `webtoken-service`: the token service, configured from the environment (see the README's
//! "Web service example" and "Deploying the service" sections). Stops gracefully on Ctrl-C or
//! SIGTERM.
//!
//! `webtoken-service rotate-key` (with `WEBTOKEN_SERVICE_REDIS_URL` and the key directory of
//! the replicas) schedules a new shared signing key and prints it as JSON.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use webtoken::{Algorithm, Clock, SigningKey, SystemClock};
use webtoken_service::config::{self, KeyOrigin, Shared};
use webtoken_service::passwords::DEFAULT_QUEUE_TIMEOUT;
use webtoken_service::shared_keys::{KeyDirectory, SharedKeys};
use webtoken_service::store::{self, RedisStore};
use webtoken_service::{AppState, Config, KeyRing, PasswordChecks, TokenService, UserStore};

/// How long a replica waits for Redis at startup before giving up.
const STARTUP_WAIT: Duration = Duration::from_secs(30);

/// How often expired refresh sessions and retired keys are dropped.
const HOUSEKEEPING_PERIOD: Duration = Duration::from_secs(300);

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let config = Config::from_env()?;
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => serve(config).await,
        (Some("rotate-key"), None) => rotate_key(&config).await,
        (Some(other), _) => Err(format!(
            "unknown arguments starting at {other:?}; usage: webtoken-service [rotate-key]"
        )
        .into()),
    }
}

/// `webtoken-service rotate-key`: schedules a new shared signing key (Redis mode only).
async fn rotate_key(config: &Config) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let Some(shared) = &config.shared else {
        return Err(format!(
            "rotate-key needs {}: without Redis each process has its own key file; \
             replace the file and restart instead",
            config::REDIS_URL_VAR
        )
        .into());
    };
    let keys = shared_keys(shared).await?;
    let settings = config.settings();
    let report = keys
        .rotate(
            SystemClock.now(),
            shared.activation,
            settings.key_retention(),
        )
        .await?;
    println!(
        "{}",
        serde_json::json!({
            "kid": report.kid,
            "signs_from": report.signs_from,
            "forgotten": report.forgotten,
        })
    );
    Ok(())
}

async fn shared_keys(
    shared: &Shared,
) -> Result<SharedKeys, Box<dyn std::error::Error + Send + Sync>> {
    let connection = store::connect(&shared.redis_url, shared.timeout).await?;
    let directory = KeyDirectory::open(&shared.key_dir)?;
    Ok(SharedKeys::new(
        connection,
        shared.prefix.clone(),
        shared.timeout,
        directory,
    ))
}

/// Connects to Redis, retrying for up to [`STARTUP_WAIT`]: a replica started together with
/// Redis (or while it restarts) waits for it instead of failing at once.
async fn connect_with_retry(
    shared: &Shared,
) -> Result<(SharedKeys, RedisStore), Box<dyn std::error::Error + Send + Sync>> {
    let deadline = tokio::time::Instant::now() + STARTUP_WAIT;
    loop {
        match shared_keys(shared).await {
            Ok(keys) => {
                let connection = store::connect(&shared.redis_url, shared.timeout).await?;
                let sessions = RedisStore::new(connection, shared.prefix.clone(), shared.timeout);
                return Ok((keys, sessions));
            }
            Err(error) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(%error, "waiting for Redis");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(error) => return Err(error),
        }
    }
}

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let settings = config.settings();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut key_poller = None;
    let tokens = if let Some(shared) = &config.shared {
        let (keys, sessions) = connect_with_retry(shared).await?;
        keys.bootstrap().await?;
        let ring = Arc::new(KeyRing::new(
            // Replaced at once by the shared schedule; a ring cannot be empty.
            SigningKey::generate(Algorithm::Es256)?,
            settings.key_retention(),
        )?);
        keys.load_into(&ring, &mut std::collections::HashMap::new(), clock.now())
            .await?;
        tracing::info!(
            redis_prefix = %shared.prefix,
            key_dir = %shared.key_dir.display(),
            poll = ?shared.poll,
            activation = ?shared.activation,
            "sessions and signing keys shared through Redis"
        );
        key_poller = Some(tokio::spawn(keys.run(
            Arc::clone(&ring),
            Arc::clone(&clock),
            shared.poll,
        )));
        TokenService::with_parts(settings, ring, Arc::new(sessions), Arc::clone(&clock))
    } else {
        let key = embedded_key(&config)?;
        TokenService::new(settings, key, Arc::clone(&clock))?
    };
    if config.demo_users {
        tracing::warn!(
            "{} is not set: using the demo users {}",
            config::USERS_VAR,
            config::DEMO_USERS
        );
    }
    let iterations = config.iterations;
    let users = tokio::task::spawn_blocking(move || {
        UserStore::new(config.users.clone(), iterations).map(|users| (users, config))
    });
    let (users, config) = users.await??;
    let state = AppState::from_service(tokens, users)
        .with_password_checks(PasswordChecks::new(
            config.password_checks,
            DEFAULT_QUEUE_TIMEOUT,
        ))
        .with_trusted_proxies(config.trusted_proxies.clone());

    let listener = TcpListener::bind(config.listen).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        kid = state.tokens().key_ring().current().signing_key().key_id().unwrap_or("-"),
        store = state.tokens().sessions().kind(),
        issuer = %config.issuer,
        audience = %config.audience,
        limits = ?config.limits,
        password_checks = config.password_checks,
        "listening"
    );
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    webtoken_service::serve_with_limits(listener, state, config.limits, shutdown_signal()).await?;
    housekeeping.abort();
    if let Some(poller) = key_poller {
        poller.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

/// The embedded mode's one key file, generated on first start.
fn embedded_key(config: &Config) -> Result<SigningKey, config::ConfigError> {
    let (key, origin) = config::load_or_generate_key(&config.key_file)?;
    match origin {
        KeyOrigin::Generated => tracing::info!(
            path = %config.key_file.display(),
            "no signing key found: generated a new ES256 key and saved it"
        ),
        KeyOrigin::Loaded => {
            tracing::info!(path = %config.key_file.display(), "loaded the signing key");
        }
    }
    match config::exposed_key_mode(&config.key_file) {
        Ok(None) => {}
        Ok(Some(mode)) => tracing::warn!(
            path = %config.key_file.display(),
            mode = %format_args!("{mode:o}"),
            "the signing key file is readable by group or others: chmod 600 it"
        ),
        Err(error) => tracing::warn!(
            path = %config.key_file.display(),
            %error,
            "cannot read the permissions of the signing key file"
        ),
    }
    Ok(key)
}

async fn housekeeping(state: AppState) {
    let mut interval = tokio::time::interval(HOUSEKEEPING_PERIOD);
    loop {
        interval.tick().await;
        state.tokens().prune();
    }
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what container runtimes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
