//! `webtoken-service`: the token service, configured from the environment (see the README's
//! "Web service example" section). Stops gracefully on Ctrl-C or SIGTERM.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use webtoken::SystemClock;
use webtoken_service::config::{self, KeyOrigin};
use webtoken_service::passwords::DEFAULT_ITERATIONS;
use webtoken_service::passwords::DEFAULT_QUEUE_TIMEOUT;
use webtoken_service::{AppState, Config, PasswordChecks, Settings, UserStore};

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

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
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
    if config.demo_users {
        tracing::warn!(
            "{} is not set: using the demo users {}",
            config::USERS_VAR,
            config::DEMO_USERS
        );
    }
    let users = tokio::task::spawn_blocking(move || {
        UserStore::new(config.users.clone(), DEFAULT_ITERATIONS).map(|users| (users, config))
    });
    let (users, config) = users.await??;
    let settings = Settings::new(config.issuer.clone(), config.audience.clone());
    let state = AppState::new(settings, key, users, Arc::new(SystemClock))?.with_password_checks(
        PasswordChecks::new(config.password_checks, DEFAULT_QUEUE_TIMEOUT),
    );

    let listener = TcpListener::bind(config.listen).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        kid = state.tokens().key_ring().current().signing_key().key_id().unwrap_or("-"),
        issuer = %config.issuer,
        audience = %config.audience,
        limits = ?config.limits,
        password_checks = config.password_checks,
        "listening"
    );
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    webtoken_service::serve_with_limits(listener, state, config.limits, shutdown_signal()).await?;
    housekeeping.abort();
    tracing::info!("stopped");
    Ok(())
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
