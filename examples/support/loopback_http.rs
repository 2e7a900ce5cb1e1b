//! A minimal HTTP/1.1 server and client over loopback, for the JWK Set rotation example and
//! its test. Not a production HTTP stack: one request per connection, bounded reads.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use webtoken::jwks::FetchError;

/// Serves the current `body` as `application/json` at any path, for `requests` requests, on an
/// OS-assigned loopback port. Returns the URL and the server thread.
pub(crate) fn serve(
    body: Arc<Mutex<String>>,
    requests: usize,
) -> std::io::Result<(String, JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/.well-known/jwks.json", listener.local_addr()?);
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            // Read the request head (up to the blank line, at most 8 KiB) before answering.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let body = body.lock().map(|b| b.clone()).unwrap_or_default();
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    Ok((url, handle))
}

/// A blocking `GET` of an `http://host:port/path` URL with a 5 s timeout; the body on 200.
///
/// # Errors
/// A [`FetchError`] for I/O failures, a status other than 200, or a malformed response.
pub(crate) fn get(url: &str) -> Result<String, FetchError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| FetchError::new("only http:// URLs are supported here"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = TcpStream::connect(host).map_err(FetchError::new)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(FetchError::new)?;
    let request = format!("GET /{path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(FetchError::new)?;
    let mut response = String::new();
    stream
        .take(1024 * 1024)
        .read_to_string(&mut response)
        .map_err(FetchError::new)?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| FetchError::new("malformed HTTP response"))?;
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(FetchError::new(format!("unexpected response {status:?}")));
    }
    Ok(body.to_owned())
}
