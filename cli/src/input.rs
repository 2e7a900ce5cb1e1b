//! Reading the token or the claims: an argument, or standard input.

use std::ffi::OsString;
use std::io::{self, IsTerminal as _, Read as _};

use crate::failure::Failure;

/// An argument, or standard input when it is absent or `-` (one trailing newline ignored).
pub(crate) fn read_input(arg: Option<&OsString>, what: &str) -> Result<Vec<u8>, Failure> {
    if let Some(arg) = arg.filter(|a| *a != "-") {
        return Ok(arg.as_encoded_bytes().to_vec());
    }
    let mut stdin = io::stdin().lock();
    if stdin.is_terminal() {
        eprintln!("reading the {what} from standard input (end with Ctrl-D)");
    }
    let mut bytes = Vec::new();
    stdin
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Io(format!("cannot read the {what} from standard input: {e}")))?;
    if bytes.ends_with(b"\r\n") {
        bytes.truncate(bytes.len() - 2);
    } else if bytes.ends_with(b"\n") {
        bytes.pop();
    }
    Ok(bytes)
}

/// The token as text: bytes that are not UTF-8 become U+FFFD, which the token parser refuses
/// as `malformed` like any other character outside the base64url alphabet.
pub(crate) fn read_token(arg: Option<&OsString>) -> Result<String, Failure> {
    Ok(String::from_utf8_lossy(&read_input(arg, "token")?).into_owned())
}
