//! The one error type of the configuration module, and the arithmetic that turns a byte offset
//! in a file into the `FILE:LINE:COLUMN` every message starts with.
//!
//! Messages are one sentence, never the value of a secret, always the file (or the flag) and,
//! where there is one, the setting at fault.

use std::fmt;
use std::io;
use std::ops::Range;
use std::path::PathBuf;

/// Where a configuration error is: a file (as the user named it) or a flag, with a 1-based line
/// and column (counted in characters) when the error is inside a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The config file as found or given (`config/dossier.toml`), or a flag (`--state`).
    pub origin: String,
    /// 1-based line and column, when known.
    pub line_col: Option<(usize, usize)>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_col {
            Some((line, col)) => write!(f, "{}:{line}:{col}", self.origin),
            None => f.write_str(&self.origin),
        }
    }
}

/// Everything that can be wrong with the configuration. The CLI prints `error: {err}` and exits
/// with code 2 for every variant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `--config PATH` or `$DOSSIER_CONFIG` names a file that is not there.
    #[error("{}: config file not found (given by {origin})", path.display())]
    NotFound { path: PathBuf, origin: &'static str },
    /// The file exists but could not be read (permissions, not UTF-8, a directory...).
    #[error("{}: cannot read config file: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Not TOML, or TOML of the wrong shape: bad syntax, an unknown key, a value of the wrong type.
    #[error("{location}: {message}")]
    Toml { location: Location, message: String },
    /// Well-formed TOML with a value that makes no sense: an unknown channel kind, a bad duration,
    /// a password variable that is not set...
    #[error("{location}: {message}")]
    Invalid { location: Location, message: String },
}

impl ConfigError {
    /// Where the error is, for the variants that know.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ConfigError::Toml { location, .. } | ConfigError::Invalid { location, .. } => {
                Some(location)
            }
            _ => None,
        }
    }
}

/// The text of one config file and the name to show for it; turns spans into locations.
pub(crate) struct SourceText<'a> {
    pub origin: String,
    pub text: &'a str,
}

impl SourceText<'_> {
    /// The location of a byte offset.
    pub fn at(&self, offset: usize) -> Location {
        Location {
            origin: self.origin.clone(),
            line_col: Some(line_col(self.text, offset)),
        }
    }

    /// The location of a value's key when the value sits on a `key = value` line, else of the
    /// value itself: "unknown key" and "not for this kind" errors point at the key.
    pub fn at_key(&self, value: &Range<usize>) -> Location {
        self.at(self
            .key_before(value.start)
            .map_or(value.start, |(start, _)| start))
    }

    /// The location of a value (an array element, a string that does not parse).
    pub fn at_value(&self, value: &Range<usize>) -> Location {
        self.at(value.start)
    }

    /// The bare key written before a value on the same line (`max_bytes = "x"` → `max_bytes`),
    /// with its offset, so a type error can name the setting it is about.
    pub fn key_before(&self, offset: usize) -> Option<(usize, &str)> {
        let before = self.text.get(..offset)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before[line_start..].trim_end();
        let line = line.strip_suffix('=')?.trim_end();
        // A key is the last run of bare-key characters, possibly inside an inline table.
        let key_len = line
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .count();
        if key_len == 0 {
            return None;
        }
        let key = &line[line.len() - key_len..];
        Some((line_start + line.len() - key_len, key))
    }
}

/// 1-based line and column (in characters) of a byte offset; an offset past the end points just
/// after the last character.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\n[watch]\nدir = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        let d = text.find("ir").expect("present");
        assert_eq!(line_col(text, d), (3, 2));
        assert_eq!(line_col(text, 10_000), (4, 1));
    }

    #[test]
    fn finds_the_key_before_a_value() {
        let src = SourceText {
            origin: "f.toml".into(),
            text: "[watch]\n  max_bytes =  \"x\"\n",
        };
        let at = src.text.find('"').expect("present");
        assert_eq!(src.key_before(at), Some((10, "max_bytes")));
        assert_eq!(src.at_key(&(at..at + 3)).to_string(), "f.toml:2:3");
        assert_eq!(src.key_before(3), None);
    }
}
