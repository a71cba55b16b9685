//! Printable, injective names for document paths.
//!
//! A file name on Unix is any byte string without `/` or NUL: it may hold a newline, an escape
//! sequence or bytes that are not UTF-8. [`DocPath`] turns the path relative to the watched root
//! into a string that is safe as a database key and on one line of a log or a report, and that
//! can be turned back into the exact bytes ([`DocPath::to_relative`]).
//!
//! Architecture invariant: pure functions over bytes; no IO. The escape must stay injective
//! (two different paths never share a key), so any change here changes stored keys: don't.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

/// A document's path relative to the watched root, as a stable printable key.
///
/// Components are joined with `/`. A backslash is written `\\`; newline, tab and carriage return
/// as `\n`, `\t`, `\r`; other ASCII control bytes and bytes that are not valid UTF-8 as `\xNN`
/// (two lower-case hex digits); C1 controls, the Unicode line and paragraph separators and the
/// bidi embedding/override/isolate controls as `\u{XXXX}`. Everything else, Arabic included, is
/// kept as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocPath(String);

impl DocPath {
    /// Escapes a path relative to the watched root. `.` components and repeated or trailing
    /// separators are dropped, so `a//b/` and `a/./b` give the key of `a/b`.
    pub fn from_relative(rel: &Path) -> DocPath {
        // Most keys are their path as it is (printable ASCII, no `\\`, clean components):
        // every file of every scan passes here.
        let raw = rel.as_os_str().as_bytes();
        if raw.iter().all(|&b| (0x20..0x7f).contains(&b) && b != b'\\')
            && raw
                .split(|&b| b == b'/')
                .all(|c| !c.is_empty() && c != b".")
        {
            if let Ok(plain) = std::str::from_utf8(raw) {
                return DocPath(plain.to_owned());
            }
        }
        let mut bytes: Vec<u8> = Vec::with_capacity(rel.as_os_str().len());
        for comp in rel.components() {
            let part: &OsStr = match comp {
                Component::Normal(p) => p,
                Component::CurDir | Component::RootDir => continue,
                Component::ParentDir => OsStr::new(".."),
                Component::Prefix(p) => p.as_os_str(),
            };
            if !bytes.is_empty() {
                bytes.push(b'/');
            }
            bytes.extend_from_slice(part.as_bytes());
        }
        DocPath(escape_bytes(&bytes))
    }

    /// The escaped key.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps a key read back from the state store. No validation: the store only holds keys
    /// this module made.
    pub fn from_stored(s: String) -> DocPath {
        DocPath(s)
    }

    /// The real relative path this key stands for (the inverse of [`DocPath::from_relative`]).
    /// A malformed escape (only possible in a key not made here) is kept literally.
    pub fn to_relative(&self) -> PathBuf {
        PathBuf::from(OsString::from_vec(unescape(&self.0)))
    }
}

impl fmt::Display for DocPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Escapes any path (absolute or relative) the same way as [`DocPath`], for messages.
pub fn escape_path(p: &Path) -> String {
    escape_bytes(p.as_os_str().as_bytes())
}

/// Characters that are valid UTF-8 but would break a line or reorder the text around them.
fn needs_unicode_escape(c: char) -> bool {
    matches!(c,
        '\u{0080}'..='\u{009F}'     // C1 controls (NEL among them)
        | '\u{2028}' | '\u{2029}'   // line and paragraph separators
        | '\u{202A}'..='\u{202E}'   // bidi embeddings and overrides
        | '\u{2066}'..='\u{2069}'   // bidi isolates
    )
}

/// The escape behind [`DocPath`], over raw bytes.
pub fn escape_bytes(bytes: &[u8]) -> String {
    use fmt::Write as _;
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x20 || c == '\u{7F}' => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c if needs_unicode_escape(c) => {
                    let _ = write!(out, "\\u{{{:04x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// The inverse of [`escape_bytes`].
fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('\\') {
        out.extend_from_slice(&rest.as_bytes()[..pos]);
        let tail = &rest[pos..];
        let (decoded, used) = unescape_one(tail);
        match decoded {
            Some(bytes) => out.extend_from_slice(&bytes),
            None => out.extend_from_slice(&tail.as_bytes()[..used]),
        }
        rest = &tail[used..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

/// Decodes the escape at the start of `s` (which starts with a backslash): the bytes it stands
/// for, or `None` when malformed, and how many bytes of `s` it used.
fn unescape_one(s: &str) -> (Option<Vec<u8>>, usize) {
    let b = s.as_bytes();
    match b.get(1) {
        Some(b'\\') => (Some(vec![b'\\']), 2),
        Some(b'n') => (Some(vec![b'\n']), 2),
        Some(b't') => (Some(vec![b'\t']), 2),
        Some(b'r') => (Some(vec![b'\r']), 2),
        Some(b'x') => match s.get(2..4).and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(v) => (Some(vec![v]), 4),
            None => (None, 1),
        },
        Some(b'u') => {
            let close = s.find('}');
            let c = close
                .filter(|_| b.get(2) == Some(&b'{'))
                .and_then(|end| u32::from_str_radix(&s[3..end], 16).ok())
                .and_then(char::from_u32);
            match (c, close) {
                (Some(c), Some(end)) => {
                    let mut buf = [0u8; 4];
                    (Some(c.encode_utf8(&mut buf).as_bytes().to_vec()), end + 1)
                }
                _ => (None, 1),
            }
        }
        _ => (None, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_invalid_bytes() {
        assert_eq!(
            escape_bytes(b"a\nb\tc\x1b\\d\xff"),
            "a\\nb\\tc\\x1b\\\\d\\xff"
        );
        assert_eq!(escape_bytes("خبر.txt".as_bytes()), "خبر.txt");
        assert_eq!(escape_bytes("a\u{202E}b".as_bytes()), "a\\u{202e}b");
    }

    /// The plain-ASCII shortcut of `from_relative` gives the key the component walk and the
    /// escape give, and leaves every path that needs either to them.
    #[test]
    fn plain_paths_are_their_own_keys() {
        let cases = [
            ("d0003/doc003456.txt", "d0003/doc003456.txt"),
            ("a b/c-d_e.txt", "a b/c-d_e.txt"),
            ("../up.txt", "../up.txt"),
            ("a//b.txt", "a/b.txt"),
            ("./a.txt", "a.txt"),
            ("a/./b.txt", "a/b.txt"),
            ("a/", "a"),
            ("/a.txt", "a.txt"),
            ("a\\b.txt", "a\\\\b.txt"),
            ("a\x7fb.txt", "a\\x7fb.txt"),
            ("خبر/ملف.txt", "خبر/ملف.txt"),
            ("", ""),
        ];
        for (path, key) in cases {
            assert_eq!(
                DocPath::from_relative(Path::new(path)).as_str(),
                key,
                "{path:?}"
            );
        }
    }

    #[test]
    fn round_trips() {
        let raw: &[u8] = b"dir/x\n\\y\xc3\x28\x7f\xc2\x85.txt";
        let p = DocPath::from_relative(Path::new(OsStr::from_bytes(raw)));
        assert_eq!(p.to_relative().as_os_str().as_bytes(), raw);
    }
}
