//! The HTTP/1.1 server around the [`router`](crate::router): an accept loop with a connection
//! cap, and per-connection limits on how long a client may take to send a request head, to
//! send a request body, and to stay idle between requests; a body declared larger than
//! [`BODY_LIMIT`] is refused with 413 before any of it is read.
//!
//! axum's own `serve` has none of these: a client sending one header byte at a time, or
//! nothing at all, holds a connection (and a file descriptor) for ever.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::header::{CONNECTION, CONTENT_LENGTH};
use axum::http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse;
use hyper::body::{Bytes, Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower_service::Service;

use crate::BODY_LIMIT;
use crate::error::ApiError;

/// Default time a client has to send a complete request head.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a client has to send a request body, from the end of its head.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a kept-alive connection may wait, idle, for its next request.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default maximum of open connections (lowered to fit the file descriptor limit).
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// File descriptors kept free for everything but client connections (the listener, the key
/// file, standard streams, the runtime), when the cap is derived from `RLIMIT_NOFILE`.
pub const FD_MARGIN: u64 = 64;

/// The limits the server puts on each client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A connection is closed when a request head is not complete this long after it opened,
    /// or after the first byte of a later request arrived.
    pub header_timeout: Duration,
    /// A request body that has not fully arrived this long after its head is cut off (408),
    /// and its connection closed.
    pub body_timeout: Duration,
    /// A kept-alive connection that does not start another request within this time after a
    /// response is closed.
    pub idle_timeout: Duration,
    /// At most this many connections are served at once; further clients wait in the
    /// listen backlog until one closes. Lowered to `RLIMIT_NOFILE` − [`FD_MARGIN`].
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// The soft `RLIMIT_NOFILE` of the process, when known.
pub fn fd_soft_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::process::getrlimit(rustix::process::Resource::Nofile).current
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// `requested` lowered so that the connections fit the file descriptor limit with
/// [`FD_MARGIN`] to spare; at least 1.
pub fn connection_cap(requested: usize) -> usize {
    let fit = fd_soft_limit().map_or(usize::MAX, |soft| {
        usize::try_from(soft.saturating_sub(FD_MARGIN)).unwrap_or(usize::MAX)
    });
    requested.min(fit).max(1)
}

/// Serves the [`router`](crate::router) of `state` on `listener` with `limits` until
/// `shutdown` completes; then stops accepting, closes idle connections and lets in-flight
/// requests finish.
///
/// # Errors
/// None at present: accept errors are logged and retried (a full descriptor table must not
/// stop the server); the `Result` is kept for the callers of [`crate::serve`].
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cap = connection_cap(limits.max_connections);
    if cap < limits.max_connections {
        tracing::warn!(
            requested = limits.max_connections,
            cap,
            "the file descriptor limit lowers the connection cap"
        );
    }
    let permits = Arc::new(Semaphore::new(cap));
    let (closing, closing_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A permit first: when the cap is reached, new clients wait in the kernel's listen
        // backlog (costing the process no descriptor) until a connection closes.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break, // the semaphore is never closed
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => (stream, peer),
                Err(error) => {
                    if !is_connection_error(&error) {
                        // EMFILE and the like: wait for descriptors to be freed.
                        tracing::error!(%error, "accept failed");
                        tokio::select! {
                            () = &mut shutdown => break,
                            () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        }
                    }
                    continue;
                }
            },
        };
        connections.spawn(serve_connection(
            stream,
            peer,
            router.clone(),
            limits,
            permit,
            closing_rx.clone(),
        ));
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

fn is_connection_error(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    _permit: OwnedSemaphorePermit,
    mut closing: watch::Receiver<bool>,
) {
    let reads = Arc::new(AtomicU64::new(0));
    let io = TokioIo::new(CountingIo {
        inner: stream,
        reads: Arc::clone(&reads),
    });
    let timer = HeadTimer {
        reads,
        limits,
        first: AtomicBool::new(true),
    };
    let service =
        hyper::service::service_fn(move |request| handle(router.clone(), limits, peer, request));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(timer)
        .header_read_timeout(limits.header_timeout);
    let connection = builder.serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    let mut graceful = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection closed with an error");
                }
                return;
            }
            changed = closing.changed(), if !graceful => {
                graceful = true;
                if changed.is_ok() {
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// Refuses a declared oversize body up front, bounds the time to read the body, and hands
/// the request to the router.
async fn handle(
    mut router: Router,
    limits: Limits,
    peer: SocketAddr,
    mut request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    request.extensions_mut().insert(PeerAddr(peer));
    if declared_length(request.headers()).is_some_and(|length| length > BODY_LIMIT as u64) {
        let mut response = ApiError::Rejected(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {BODY_LIMIT} bytes"),
        )
        .into_response();
        // The body is never read, so the connection cannot carry another request.
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        return Ok(response);
    }
    let timed_out = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        Body::new(TimedBody {
            inner: body,
            deadline: Box::pin(tokio::time::sleep(limits.body_timeout)),
            timed_out: Arc::clone(&timed_out),
        })
    });
    // A `Router` is always ready (`poll_ready` returns `Ready(Ok)`), so it can be called
    // without polling readiness first.
    let mut response = router.call(request).await?;
    if timed_out.load(Ordering::Relaxed) {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    Ok(response)
}

/// The `Content-Length` of a request, when it has a valid one (hyper has already refused
/// requests with conflicting or unparsable lengths).
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// The address of the TCP peer of a request (a proxy, when there is one), put in the
/// request's extensions by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// The error of a request body that did not arrive within the body timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyTimeout;

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl std::error::Error for BodyTimeout {}

/// A request body that fails with [`BodyTimeout`] once its deadline passes.
struct TimedBody {
    inner: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
    timed_out: Arc<AtomicBool>,
}

impl hyper::body::Body for TimedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if this.timed_out.load(Ordering::Relaxed) {
            return Poll::Ready(Some(Err(Box::new(BodyTimeout))));
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|r| r.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.timed_out.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(Box::new(BodyTimeout))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A TCP stream that counts the reads that returned data, so that the [`HeadTimer`] can
/// tell an idle connection from one that has started a request.
struct CountingIo {
    inner: TcpStream,
    reads: Arc<AtomicU64>,
}

impl AsyncRead for CountingIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.reads.fetch_add(1, Ordering::Relaxed);
        }
        result
    }
}

impl AsyncWrite for CountingIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The timer of hyper's header read timeout, one per connection.
///
/// hyper arms that timeout when a connection opens and again each time it goes idle after a
/// response, and closes the connection when it fires before a request head is complete.
/// This timer turns that single timeout into two: on a new connection, and from the first
/// byte of any later request, the client has `header_timeout` to finish the head; a
/// kept-alive connection that has not sent a byte is left alone for `idle_timeout`.
struct HeadTimer {
    reads: Arc<AtomicU64>,
    limits: Limits,
    first: AtomicBool,
}

impl hyper::rt::Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, _deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        let now = tokio::time::Instant::now();
        let first = self.first.swap(false, Ordering::Relaxed);
        let (phase, wait) = if first {
            (Phase::Head, self.limits.header_timeout)
        } else {
            (Phase::Idle, self.limits.idle_timeout)
        };
        Box::pin(HeadSleep {
            reads: Arc::clone(&self.reads),
            reads_at_start: self.reads.load(Ordering::Relaxed),
            header_timeout: self.limits.header_timeout,
            phase,
            sleep: Box::pin(tokio::time::sleep_until(now + wait)),
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for the first byte of the next request.
    Idle,
    /// Reading a request head.
    Head,
}

struct HeadSleep {
    reads: Arc<AtomicU64>,
    reads_at_start: u64,
    header_timeout: Duration,
    phase: Phase,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl Future for HeadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // hyper polls this after every read that leaves the head incomplete, so the first
        // byte of a request is seen here soon after it arrives.
        if this.phase == Phase::Idle && this.reads.load(Ordering::Relaxed) != this.reads_at_start {
            this.phase = Phase::Head;
            this.sleep
                .as_mut()
                .reset(tokio::time::Instant::now() + this.header_timeout);
        }
        this.sleep.as_mut().poll(cx)
    }
}

impl hyper::rt::Sleep for HeadSleep {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_fits_the_descriptor_limit() {
        assert_eq!(connection_cap(0), 1);
        assert_eq!(connection_cap(16), 16);
        let cap = connection_cap(usize::MAX);
        #[cfg(unix)]
        {
            let soft = fd_soft_limit().expect("RLIMIT_NOFILE is readable on Unix");
            assert_eq!(
                u64::try_from(cap).unwrap(),
                soft.saturating_sub(FD_MARGIN).max(1)
            );
        }
        #[cfg(not(unix))]
        assert_eq!(cap, usize::MAX);
    }
}
