//! How error messages show text from the input: escaped, and cut after a fixed length, so that
//! no message grows with the token. Imports nothing of the crate: the errors, the JSON readers
//! and the key parsers all use it.

use std::fmt;

/// One value, or `one of "a", "b", … (N values)`.
pub(crate) struct OneOf<'a>(pub(crate) &'a [String]);

impl fmt::Display for OneOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [one] => write!(f, "{}", Untrusted(one)),
            many => {
                f.write_str("one of ")?;
                for (i, v) in many.iter().take(LIST_SHOWN).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", Untrusted(v))?;
                }
                if many.len() > LIST_SHOWN {
                    write!(f, ", … ({} values)", many.len())?;
                }
                Ok(())
            }
        }
    }
}

pub(crate) struct DisplayOpt<'a>(pub(crate) Option<&'a str>);

impl fmt::Display for DisplayOpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(v) => write!(f, "{}", Untrusted(v)),
            None => f.write_str("absent"),
        }
    }
}

/// A list of values from the input, as `["a", "b", … (N values)]`: at most [`LIST_SHOWN`]
/// values, each shown as [`Untrusted`].
pub(crate) struct List<'a>(pub(crate) &'a [String]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, v) in self.0.iter().take(LIST_SHOWN).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", Untrusted(v))?;
        }
        if self.0.len() > LIST_SHOWN {
            write!(f, ", … ({} values)", self.0.len())?;
        }
        f.write_str("]")
    }
}

/// How many values of a list a message shows.
const LIST_SHOWN: usize = 4;

/// How many characters of a string from the input a message shows.
pub(crate) const SHOWN_CHARS: usize = 64;

/// How many characters of a free-text reason (serde's messages, which quote the input) a
/// message shows.
pub(crate) const SHOWN_MESSAGE_CHARS: usize = 256;

/// A string from the input (a name, a `kid`, a claim value), as a message shows it: quoted,
/// escaped as by [`str::escape_debug`] (no control character, ESC, CR or LF reaches the
/// message raw), and cut after [`SHOWN_CHARS`] characters with an ellipsis and the full length:
/// `"aaaa…" (65536 bytes)`. Every message that quotes the input goes through this or
/// [`Message`], so no message grows with the token beyond a fixed bound.
pub(crate) struct Untrusted<'a>(pub(crate) &'a str);

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        let cut = write_escaped(f, self.0, SHOWN_CHARS, true)?;
        f.write_str("\"")?;
        if cut {
            write!(f, " ({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

/// Free text that may quote the input (a serde message, a reason built by webtoken): control
/// and other non-printable characters escaped as by [`char::escape_debug`] (quotes and
/// backslashes are kept, so text escaped once stays as it is), cut after
/// [`SHOWN_MESSAGE_CHARS`] characters with an ellipsis and the full length.
pub(crate) struct Message<'a>(pub(crate) &'a str);

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if write_escaped(f, self.0, SHOWN_MESSAGE_CHARS, false)? {
            write!(f, " ({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

/// Writes at most `limit` characters of `text`, escaped, then `…` when it was cut; returns
/// whether it was cut.
fn write_escaped(
    f: &mut fmt::Formatter<'_>,
    text: &str,
    limit: usize,
    quotes: bool,
) -> Result<bool, fmt::Error> {
    let mut chars = text.chars();
    for c in chars.by_ref().take(limit) {
        // As `{:?}` shows a string: `'` stays as it is; in free text `"` and `\` do too.
        if c == '\'' || (!quotes && matches!(c, '"' | '\\')) {
            fmt::Write::write_char(f, c)?;
        } else {
            write!(f, "{}", c.escape_debug())?;
        }
    }
    let cut = chars.next().is_some();
    if cut {
        f.write_str("…")?;
    }
    Ok(cut)
}
