//! Ingest: finding the documents under the watched folder and reading each into UTF-8 text.
//!
//! It owns the walk (include/exclude globs, hidden folders, symlinks and their loops), the
//! per-file metadata used to skip unchanged files cheaply, the printable key of a document
//! ([`DocPath`]), and decoding (UTF-8, UTF-16 with a BOM, legacy Arabic, HTML markup).
//!
//! Architecture invariant: ingest only reads the file system. It never writes, never touches
//! the state store, and never aborts a scan because of one file: a file it cannot read is a
//! [`ScanWarning`] or a [`ReadError`] naming that file, and the rest goes on. The only fatal
//! error is a watched folder that is missing or unreadable as a whole ([`IngestError`]).

mod decode;
mod html;
mod path;
mod scan;

use std::io;
use std::path::PathBuf;

pub use decode::{
    decode_bytes, decode_owned, decode_titled, plausible_arabic, read_document, read_text, Refusal,
};
pub use html::{declared_charset, decode_entities, to_text as html_to_text};
pub use path::{escape_path, DocPath};
pub use scan::{matches, scan, stat, Filter};

/// What to walk and which files count as documents (the `[watch]` section of the config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanConfig {
    /// The watched folder.
    pub root: PathBuf,
    /// Globs a file must match to be a document. A pattern without `/` matches the file name;
    /// with `/`, the path relative to `root`. Empty means every file.
    pub include: Vec<String>,
    /// Globs that rule a file out. A pattern without `/` matches the file name or any folder on
    /// the way (`.*` skips `.git/` and all it holds); with `/`, the relative path of the file or
    /// of a folder on the way.
    pub exclude: Vec<String>,
    /// Larger files are skipped with [`ReadError::TooLarge`].
    pub max_bytes: u64,
    /// Which symbolic links the walk follows.
    pub follow_links: FollowLinks,
}

/// `[watch] follow_links`: which symbolic links under the watched folder are followed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum FollowLinks {
    /// Only links whose target is inside the watched folder; one leading out of it is
    /// skipped with a warning naming it (once).
    #[default]
    Inside,
    /// Every link, wherever it leads.
    All,
    /// None: a link is skipped with a warning naming it.
    None,
}

impl FollowLinks {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowLinks::Inside => "inside",
            FollowLinks::All => "all",
            FollowLinks::None => "none",
        }
    }
}

impl ScanConfig {
    /// The contract's defaults for a given root.
    pub fn with_root(root: impl Into<PathBuf>) -> ScanConfig {
        ScanConfig {
            root: root.into(),
            include: DEFAULT_INCLUDE.iter().map(|s| (*s).to_owned()).collect(),
            exclude: DEFAULT_EXCLUDE.iter().map(|s| (*s).to_owned()).collect(),
            max_bytes: DEFAULT_MAX_BYTES,
            follow_links: FollowLinks::default(),
        }
    }
}

/// Default `watch.include`.
pub const DEFAULT_INCLUDE: &[&str] = &["*.txt", "*.md", "*.html"];
/// Default `watch.exclude`: hidden files and folders, editor backups and swap files.
pub const DEFAULT_EXCLUDE: &[&str] = &[".*", "*~", "*.swp", "*.tmp"];
/// Default `watch.max_bytes` (10 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// Cheap per-file metadata for the fast "unchanged" path (size, mtime ns, ctime ns, inode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileStat {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
}

impl FileStat {
    /// From metadata already at hand (of the file a symlink points to, when followed).
    pub fn from_metadata(meta: &std::fs::Metadata) -> FileStat {
        use std::os::unix::fs::MetadataExt;
        let ns = |secs: i64, nsec: i64| secs.saturating_mul(1_000_000_000).saturating_add(nsec);
        FileStat {
            size: meta.len(),
            mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
            ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
            inode: meta.ino(),
        }
    }
}

/// One document found by [`scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundFile {
    /// The key: path relative to the root, escaped.
    pub path: DocPath,
    /// The real path, for reading (may hold bytes that are not UTF-8).
    pub abs: PathBuf,
    pub stat: FileStat,
}

/// Something under the root that could not be looked at; the scan went on without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanWarning {
    /// The escaped path, relative to the root when it is under it.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for ScanWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The documents under the root, sorted by path, and what was skipped on the way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    pub files: Vec<FoundFile>,
    /// Sorted by path.
    pub warnings: Vec<ScanWarning>,
    /// Folders (or files) that exist but could not be examined, e.g. permission denied. A
    /// document stored under one of them is unknown in this scan, not removed: see
    /// [`Scan::is_unknown`].
    pub unreadable: Vec<DocPath>,
    /// Symbolic links the walk did not follow (`follow_links`), one warning each, by path.
    pub links_skipped: Vec<ScanWarning>,
}

impl Scan {
    /// Whether a document missing from `files` may still exist, because it is (or lies under)
    /// an entry this scan could not examine. The caller must not report such a document removed.
    pub fn is_unknown(&self, path: &DocPath) -> bool {
        let p = path.as_str();
        self.unreadable.iter().any(|u| {
            let u = u.as_str();
            p == u || (p.starts_with(u) && p.as_bytes().get(u.len()) == Some(&b'/'))
        })
    }
}

/// A document read and decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// UTF-8 text: BOM dropped; for HTML, markup stripped. Plain text is otherwise untouched.
    pub text: String,
    /// An HTML document's `<title>`, when it has one (plain text: `None`; reports then take
    /// the first line of `text`).
    pub title: Option<String>,
    /// The encoding it was read in, as encoding_rs names it ("UTF-8", "UTF-16LE",
    /// "windows-1256", ...).
    pub encoding: &'static str,
    /// Lower-case hex SHA-256 of the raw bytes.
    pub content_hash: String,
    /// Metadata of the file as it was opened.
    pub stat: FileStat,
}

/// The watched folder as a whole cannot be walked, or the globs are wrong: the scan cannot
/// start. (Problems with single entries are [`ScanWarning`]s instead.)
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("the watched folder {} does not exist; create it, fix watch.dir or --dir, or mount the disk it is on", escape_path(.path))]
    RootMissing { path: PathBuf },
    #[error("the watched folder {} is not a folder; point watch.dir or --dir at a folder", escape_path(.path))]
    RootNotDir { path: PathBuf },
    #[error("the watched folder {} cannot be read ({source}); check its permissions and that its disk is mounted", escape_path(.path))]
    RootUnreadable { path: PathBuf, source: io::Error },
    #[error("{setting} pattern {pattern:?} is not a valid glob: {source}")]
    BadPattern {
        setting: &'static str,
        pattern: String,
        source: globset::Error,
    },
}

/// One document could not be read; the caller skips it with a warning and looks at it again
/// when it changes. `path` is the display name given to [`read_document`].
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path} is {size} bytes, over the limit of {max} bytes; skipped (raise watch.max_bytes to read it)")]
    TooLarge { path: String, size: u64, max: u64 },
    #[error("{path} is empty, there is no text to read; skipped until it changes")]
    Empty { path: String },
    #[error("{path} looks like a binary file, not text; skipped (add it to watch.exclude to silence this)")]
    Binary { path: String },
    #[error("{path} is not UTF-8, UTF-16 with a BOM, or Arabic windows-1256 text; skipped (save it as UTF-8 to have it read)")]
    UnknownEncoding { path: String },
    #[error("{path} is {encoding} text with invalid byte sequences in it; skipped (repair it or save it again as UTF-8)")]
    Malformed {
        path: String,
        encoding: &'static str,
    },
    #[error("{path} is not a regular file (a folder, FIFO, socket or device); skipped")]
    NotRegular { path: String },
    #[error("{path} disappeared while it was being read; it will be read again if it comes back")]
    Vanished { path: String },
    #[error(
        "{path} cannot be read: permission denied; make it readable by the user dossier runs as"
    )]
    PermissionDenied { path: String },
    #[error("{path} could not be opened: too many open files; raise the open-file limit (ulimit -n, or LimitNOFILE= in the systemd unit)")]
    TooManyOpenFiles { path: String },
    #[error("{path} could not be read: {source}")]
    Io { path: String, source: io::Error },
}

impl ReadError {
    /// The display name of the file at fault.
    pub fn path(&self) -> &str {
        match self {
            ReadError::TooLarge { path, .. }
            | ReadError::Empty { path }
            | ReadError::Binary { path }
            | ReadError::UnknownEncoding { path }
            | ReadError::Malformed { path, .. }
            | ReadError::NotRegular { path }
            | ReadError::Vanished { path }
            | ReadError::PermissionDenied { path }
            | ReadError::TooManyOpenFiles { path }
            | ReadError::Io { path, .. } => path,
        }
    }

    fn from_io(display: &str, e: io::Error) -> ReadError {
        let path = display.to_owned();
        match e.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => ReadError::Vanished { path },
            io::ErrorKind::PermissionDenied => ReadError::PermissionDenied { path },
            io::ErrorKind::IsADirectory => ReadError::NotRegular { path },
            _ if matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) => {
                ReadError::TooManyOpenFiles { path }
            }
            _ => ReadError::Io { path, source: e },
        }
    }
}
