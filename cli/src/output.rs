//! Standard output and standard error: one-line JSON when piped or with `--json` (the form of
//! docs/cli.md that scripts read), pretty JSON on a terminal, colours only where they are
//! wanted (a terminal, no `NO_COLOR`; `--color` decides otherwise), and `--date` times.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

use crate::args::{ColorChoice, DateZone};
use crate::failure::Failure;

const RESET: &str = "\x1b[0m";
const KEY: &str = "\x1b[1;34m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[33m";
const LITERAL: &str = "\x1b[35m";
const ERROR: &str = "\x1b[1;31m";
const WARNING: &str = "\x1b[1;33m";
const NOTE: &str = "\x1b[1;36m";

/// How the results of one run are printed.
#[derive(Clone, Copy)]
pub(crate) struct Output {
    /// JSON on several indented lines (stdout is a terminal and `--json` is absent).
    pretty: bool,
    /// ANSI colours in JSON on stdout.
    color: bool,
    /// ANSI colours in the `error:`, `warning:` and `note:` prefixes on stderr.
    color_stderr: bool,
}

/// Whether NO_COLOR asks for no colour: set and not empty (<https://no-color.org>).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// `--out FILE`: where the result goes instead of stdout.
static OUT: OnceLock<PathBuf> = OnceLock::new();

impl Output {
    pub(crate) fn new(json: bool, color: ColorChoice, out: Option<PathBuf>) -> Self {
        let to_file = out.is_some();
        if let Some(path) = out {
            let _ = OUT.set(path);
        }
        let stdout = !to_file && io::stdout().is_terminal();
        let wants = |terminal: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color(),
        };
        Self {
            pretty: stdout && !json,
            // Machine output (--json) is never coloured.
            color: !json && !to_file && wants(stdout),
            color_stderr: wants(io::stderr().is_terminal()),
        }
    }

    /// How clap should colour a usage error found after parsing, as the other stderr lines.
    pub(crate) fn clap_color(self) -> clap::ColorChoice {
        if self.color_stderr {
            clap::ColorChoice::Always
        } else {
            clap::ColorChoice::Never
        }
    }

    /// Prints `error: ` (red on a terminal) and the rest of the line on stderr.
    pub(crate) fn error_line(self, rest: &str) {
        self.stderr_line("error", ERROR, rest);
    }

    pub(crate) fn warning_line(self, rest: &str) {
        self.stderr_line("warning", WARNING, rest);
    }

    pub(crate) fn note_line(self, rest: &str) {
        self.stderr_line("note", NOTE, rest);
    }

    fn stderr_line(self, label: &str, color: &str, rest: &str) {
        if self.color_stderr {
            eprintln!("{color}{label}:{RESET} {rest}");
        } else {
            eprintln!("{label}: {rest}");
        }
    }

    /// Prints one JSON value: one compact line, or pretty on a terminal.
    pub(crate) fn json(self, value: &Value) -> Result<(), Failure> {
        let mut text = String::new();
        self.write_value(&mut text, value, 0);
        print_line(&text)
    }

    /// Prints a serializable value as [`json`](Self::json) does; one line is serde_json's,
    /// members in the order the type writes them.
    pub(crate) fn serialize(self, value: &impl serde::Serialize) -> Result<(), Failure> {
        let cannot = |e: serde_json::Error| Failure::Io(format!("cannot write JSON: {e}"));
        if !self.pretty && !self.color {
            return print_line(&serde_json::to_string(value).map_err(cannot)?);
        }
        self.json(&serde_json::to_value(value).map_err(cannot)?)
    }

    /// Prints `{"header": H, "claims": C}`: members in this order, and one line exactly as
    /// docs/cli.md shows it (a space after each top-level colon and comma) unless pretty.
    pub(crate) fn header_and_claims(self, header: &Value, claims: &Value) -> Result<(), Failure> {
        self.members(&[("header", header), ("claims", claims)])
    }

    /// Prints `{"header": H}`, as [`header_and_claims`](Self::header_and_claims) does (the
    /// `decode` of an encrypted token, whose claims cannot be read).
    pub(crate) fn header_only(self, header: &Value) -> Result<(), Failure> {
        self.members(&[("header", header)])
    }

    fn members(self, members: &[(&str, &Value)]) -> Result<(), Failure> {
        let mut text = String::from("{");
        for (i, (name, value)) in members.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            if self.pretty {
                text.push_str("\n  ");
            } else if i > 0 {
                text.push(' ');
            }
            self.write_key(&mut text, name);
            text.push(' ');
            self.write_value(&mut text, value, 1);
        }
        text.push_str(if self.pretty { "\n}" } else { "}" });
        print_line(&text)
    }

    fn paint(self, out: &mut String, color: &str, text: &str) {
        if self.color {
            let _ = write!(out, "{color}{text}{RESET}");
        } else {
            out.push_str(text);
        }
    }

    fn write_key(self, out: &mut String, name: &str) {
        self.paint(out, KEY, &self.string(name));
        out.push(':');
    }

    /// A JSON string literal. For a terminal (pretty or coloured output), the characters a
    /// terminal may act on or that reorder what is shown are escaped too: DEL, the C1
    /// controls (U+009B is a CSI) and the bidirectional controls. serde_json escapes only
    /// U+0000..U+001F; a token's claims are anyone's text.
    fn string(self, text: &str) -> String {
        let literal = Value::from(text).to_string();
        if !(self.pretty || self.color) {
            return literal;
        }
        let mut safe = String::with_capacity(literal.len());
        for c in literal.chars() {
            let acts = matches!(c, '\u{7f}'..='\u{9f}' | '\u{61c}' | '\u{200e}' | '\u{200f}')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            if acts {
                let _ = write!(safe, "\\u{:04x}", u32::from(c));
            } else {
                safe.push(c);
            }
        }
        safe
    }

    /// serde_json's compact form, or its pretty form (two spaces per level), painted.
    fn write_value(self, out: &mut String, value: &Value, depth: usize) {
        let newline = |out: &mut String, depth: usize| {
            out.push('\n');
            out.push_str(&"  ".repeat(depth));
        };
        match value {
            Value::Object(map) if !map.is_empty() => {
                out.push('{');
                for (i, (name, member)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if self.pretty {
                        newline(out, depth + 1);
                    }
                    self.write_key(out, name);
                    if self.pretty {
                        out.push(' ');
                    }
                    self.write_value(out, member, depth + 1);
                }
                if self.pretty {
                    newline(out, depth);
                }
                out.push('}');
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if self.pretty {
                        newline(out, depth + 1);
                    }
                    self.write_value(out, item, depth + 1);
                }
                if self.pretty {
                    newline(out, depth);
                }
                out.push(']');
            }
            Value::Object(_) => out.push_str("{}"),
            Value::Array(_) => out.push_str("[]"),
            Value::String(text) => self.paint(out, STRING, &self.string(text)),
            Value::Number(_) => self.paint(out, NUMBER, &value.to_string()),
            Value::Bool(_) | Value::Null => self.paint(out, LITERAL, &value.to_string()),
        }
    }
}

/// Prints a line on stdout, or writes it to the file of `--out`.
pub(crate) fn print_line(line: &str) -> Result<(), Failure> {
    if let Some(path) = OUT.get() {
        return write_file(path, line)
            .map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display())));
    }
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(|e| match e.kind() {
            // The reader went away (`jwt ... | head`): nothing to tell it.
            io::ErrorKind::BrokenPipe => Failure::Quiet,
            _ => Failure::Io(format!("cannot write to standard output: {e}")),
        })
}

/// Creates or replaces the file, readable and writable by its owner only where permissions
/// exist (the result may be a private key or a token).
fn write_file(path: &PathBuf, line: &str) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file: File = options.open(path)?;
    writeln!(file, "{line}")?;
    file.sync_all()
}

/// The claims with `exp`, `nbf` and `iat` as RFC 3339 dates in `zone`, when they are numbers
/// of seconds that a date can show (years 1 to 9999 after the zone's offset; fractions
/// kept). Anything else (a string, a number out of range) is left as it is.
pub(crate) fn with_dates(claims: &Value, zone: Option<DateZone>) -> Value {
    let mut claims = claims.clone();
    let (Some(zone), Value::Object(map)) = (zone, &mut claims) else {
        return claims;
    };
    for name in ["exp", "nbf", "iat"] {
        if let Some(value) = map.get_mut(name) {
            if let Some(date) = value.as_f64().and_then(|secs| format_date(secs, zone)) {
                *value = Value::String(date);
            }
        }
    }
    claims
}

/// Seconds since the epoch as an RFC 3339 date: `Z` for UTC, else with its offset.
pub(crate) fn format_date(secs: f64, zone: DateZone) -> Option<String> {
    // Whole seconds and nanoseconds; NumericDate values are within ±2^63 s, but a date only
    // within years 1..=9999, which jiff checks.
    if !secs.is_finite() || secs.abs() >= 1e12 {
        return None;
    }
    let whole = secs.floor();
    // In range: |secs| < 1e12 fits i64 exactly, the fraction is in [0, 1).
    #[allow(clippy::cast_possible_truncation)]
    let (second, nanos) = (whole as i64, ((secs - whole) * 1e9).round() as i32);
    let (second, nanos) = if nanos >= 1_000_000_000 {
        (second + 1, 0)
    } else {
        (second, nanos)
    };
    let timestamp = jiff::Timestamp::new(second, nanos).ok()?;
    let offset = match zone {
        DateZone::Utc => return Some(timestamp.to_string()),
        DateZone::Local => jiff::tz::TimeZone::system().to_offset(timestamp),
        DateZone::Fixed(seconds) => jiff::tz::Offset::from_seconds(seconds).ok()?,
    };
    // Years outside 1..=9999 after the offset cannot be written in RFC 3339.
    let text = timestamp.display_with_offset(offset).to_string();
    (text.as_bytes().first().is_some_and(u8::is_ascii_digit) && !text.starts_with("0000"))
        .then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_utc_and_fixed_offsets() {
        assert_eq!(
            format_date(1_700_000_000.0, DateZone::Utc).as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
        assert_eq!(
            format_date(1_700_000_000.0, DateZone::Fixed(5 * 3600 + 1800)).as_deref(),
            Some("2023-11-15T03:43:20+05:30")
        );
        assert_eq!(
            format_date(0.0, DateZone::Fixed(-3600)).as_deref(),
            Some("1969-12-31T23:00:00-01:00")
        );
        assert_eq!(
            format_date(1.5, DateZone::Utc).as_deref(),
            Some("1970-01-01T00:00:01.5Z")
        );
        assert_eq!(
            format_date(-0.25, DateZone::Utc).as_deref(),
            Some("1969-12-31T23:59:59.75Z")
        );
        assert_eq!(format_date(1e15, DateZone::Utc), None);
        assert_eq!(format_date(f64::NAN, DateZone::Utc), None);
        // Dates end in the year 9999 (jiff stops a little earlier, so that every offset of a
        // timestamp is a date too); later numbers stay numbers.
        assert_eq!(
            format_date(253_402_128_000.0, DateZone::Fixed(23 * 3600 + 59 * 60)).as_deref(),
            Some("9999-12-30T23:59:00+23:59")
        );
        assert_eq!(format_date(253_402_300_799.0, DateZone::Utc), None);
        assert_eq!(
            format_date(-62_135_596_800.0, DateZone::Utc).as_deref(),
            Some("0001-01-01T00:00:00Z")
        );
    }
}
