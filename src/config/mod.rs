//! Configuration: where the config file is looked for, what it may say, and the validated
//! [`Config`] the rest of dossier trusts.
//!
//! Built in two stages, as ripgrep does: `raw` reads the TOML as written (every key optional,
//! unknown keys refused), then `validate` turns it into a [`Config`] whose paths are absolute,
//! whose durations are [`Duration`]s and whose secrets are resolved, or refuses it with a
//! [`ConfigError`] naming the file, line, column and setting. Overrides from the command line are
//! applied last. Nothing is started until this has succeeded.
//!
//! Lookup order: `--config PATH`, `$DOSSIER_CONFIG`, `./config/dossier.toml`,
//! `/etc/dossier/dossier.toml`, else built-in defaults. Relative paths written in a file resolve
//! against the file's directory; keys the file leaves out take the built-in defaults, which, like
//! `--dir` and `--state`, resolve against the current directory. The state path defaults to
//! `$STATE_DIRECTORY/dossier.db` when systemd sets `STATE_DIRECTORY` and neither the file nor
//! `--state` gives one.
//!
//! Retry keys (`retry_initial`, `retry_max`, `retry_attempts`) are accepted on every channel
//! kind: a jsonl file on a full disk is retried like an SMTP server that is down.
//!
//! Architecture invariant: the environment and the current directory are read only through
//! [`Env`], so tests never touch the process environment; the only files read are the config
//! file and a `password_file`.

pub mod duration;
mod error;
mod raw;
mod render;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `[watch] follow_links`, owned by the walk.
pub use crate::ingest::FollowLinks;
pub use duration::{format as format_duration, parse as parse_duration};
pub use error::{ConfigError, Location};

/// The system-wide config file, last in the lookup order.
pub const SYSTEM_CONFIG: &str = "/etc/dossier/dossier.toml";
/// The config file looked for in the current directory.
pub const LOCAL_CONFIG: &str = "config/dossier.toml";

/// Settings given on the command line, applied over the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--config PATH`: this file and no other; it must exist.
    pub config: Option<PathBuf>,
    /// `--dir DIR`: the watched folder, relative to the current directory.
    pub dir: Option<PathBuf>,
    /// `--state PATH`: the state database, relative to the current directory.
    pub state: Option<PathBuf>,
}

/// Environment lookups, injected so tests don't mutate the process environment.
pub trait Env {
    /// The value of an environment variable, `None` when unset (or not Unicode).
    fn var(&self, name: &str) -> Option<String>;
    /// The current directory, against which relative command-line paths resolve.
    fn current_dir(&self) -> PathBuf;
    /// The system-wide config file; a method only so tests can point it elsewhere.
    fn system_config(&self) -> PathBuf {
        PathBuf::from(SYSTEM_CONFIG)
    }
    /// Whether SMTP passwords are read (from `password_env` / `password_file`). Commands that
    /// only read the state (`show`, `history`) say no: an analyst running them has neither the
    /// service's environment nor the right to read its secret, and needs neither.
    fn resolve_secrets(&self) -> bool {
        true
    }
}

/// The process environment for commands that send nothing: secrets are not read, so an
/// email channel's `password` is `None`. Everything else is validated as usual.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOnlyEnv;

impl Env for ReadOnlyEnv {
    fn var(&self, name: &str) -> Option<String> {
        ProcessEnv.var(name)
    }

    fn current_dir(&self) -> PathBuf {
        ProcessEnv.current_dir()
    }

    fn resolve_secrets(&self) -> bool {
        false
    }
}

/// The real environment of the process.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn current_dir(&self) -> PathBuf {
        // Without a current directory (it was deleted), relative paths cannot mean anything;
        // "/" makes them fail later with a message naming the path instead of panicking here.
        std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
    }
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file found (absolute), `None` for the built-in defaults.
    pub source: Option<PathBuf>,
    pub watch: WatchConfig,
    pub state: StateConfig,
    pub report: ReportConfig,
    /// `[aliases]`: other spellings of dossier names (a Latin transliteration, a nickname)
    /// that `dossier history` looks a name up by, as `(dossier name, spelling)`, in file order.
    pub aliases: Vec<(String, String)>,
    /// Never empty: a file without `[[channel]]` gets one `log` channel.
    pub channels: Vec<ChannelConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchConfig {
    /// The watched folder, absolute.
    pub dir: PathBuf,
    /// Glob patterns (globset syntax, all valid), never empty.
    pub include: Vec<String>,
    /// Glob patterns (globset syntax, all valid), may be empty.
    pub exclude: Vec<String>,
    /// `debounce_ms`, at most 60 s.
    pub debounce: Duration,
    /// Larger files are skipped; greater than zero.
    pub max_bytes: u64,
    /// `Some` to poll instead of using inotify; `poll_interval = 0` gives `None`.
    pub poll_interval: Option<Duration>,
    /// Which symbolic links the walk follows (`follow_links`, default `inside`).
    pub follow_links: FollowLinks,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateConfig {
    /// The SQLite state database, absolute.
    pub path: PathBuf,
}

/// `[report]`: what people read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportConfig {
    /// `language = "ar" | "en"`, default Arabic (the documents' language): the labels of the
    /// text report, the log channel, emails and the HTML dossier.
    pub language: crate::report::Lang,
    /// `html_dir`, absolute: the HTML dossier the daemon (and `check`) write again after each
    /// batch that changed something.
    pub html_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChannelConfig {
    /// Unique among channels: the `name` key, else the kind, suffixed `-2`, `-3` when repeated.
    pub name: String,
    pub kind: ChannelKind,
    /// Backoff for this channel (keys `retry_initial`, `retry_max`, `retry_attempts`, any kind).
    pub retry: RetryPolicy,
}

// A config holds a handful of channels, built once: not boxing keeps matching on the kind plain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ChannelKind {
    Log,
    Jsonl { path: PathBuf },
    Email(EmailConfig),
}

impl ChannelKind {
    /// The `kind = "..."` word of this kind.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChannelKind::Log => "log",
            ChannelKind::Jsonl { .. } => "jsonl",
            ChannelKind::Email(_) => "email",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmailConfig {
    pub transport: EmailTransport,
    /// `addr@host` or `Name <addr@host>`.
    pub from: String,
    /// At least one address, same forms as `from`.
    pub to: Vec<String>,
    pub username: Option<String>,
    /// Resolved from `password_env` or `password_file` at load time; set only with `username`.
    pub password: Option<Secret>,
    /// One email per window of this length instead of one per alert; never zero.
    pub digest: Option<Duration>,
    /// At least 1 when set.
    pub max_per_hour: Option<u32>,
    pub min_changes: MinChanges,
    /// SMTP timeout, key `timeout`, default 30 s.
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailTransport {
    /// `url` is the text of the `smtp` key; host, port and tls are what it says.
    Smtp {
        url: String,
        host: String,
        port: u16,
        tls: TlsMode,
    },
    /// The `sendmail` key, absolute.
    Sendmail { path: PathBuf },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// `smtp://host` without `?tls=required`: plain text (a local relay).
    None,
    /// `smtp://host:587?tls=required`: STARTTLS, refused if the server does not offer it.
    StartTls,
    /// `smtps://host:465`: TLS from the first byte.
    Wrapper,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MinChanges {
    /// Every change, sentence-only edits included.
    #[default]
    Any,
    /// Only changes to facts: entities, claims, dates, quantities.
    Facts,
}

impl MinChanges {
    pub fn as_str(self) -> &'static str {
        match self {
            MinChanges::Any => "any",
            MinChanges::Facts => "facts",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First wait after a failure, key `retry_initial`, default 30 s.
    pub initial: Duration,
    /// Longest wait, key `retry_max`, default 1 h; at least `initial`.
    pub max: Duration,
    /// Key `retry_attempts`, default 10, at least 1: after that many failures the channel failure
    /// is reported (exit 3 from `check`) but the alert is kept.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial: Duration::from_secs(30),
            max: Duration::from_secs(3600),
            max_attempts: 10,
        }
    }
}

/// A password: its value never appears in `Debug`, `Display` or [`Config::render_masked`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    value: String,
    source: SecretSource,
}

/// Where a [`Secret`] came from, which is safe to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// `password_env = "NAME"`.
    Env(String),
    /// `password_file = "PATH"`, absolute.
    File(PathBuf),
}

impl Secret {
    pub fn new(value: String, source: SecretSource) -> Secret {
        Secret { value, source }
    }

    /// The secret itself, for the one place that needs it (SMTP authentication).
    pub fn expose(&self) -> &str {
        &self.value
    }

    pub fn source(&self) -> &SecretSource {
        &self.source
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Config {
    /// The effective configuration as TOML: the file found as a comment, overrides applied,
    /// secrets as `***` with the variable or file they came from. The text loads back into the
    /// same configuration.
    pub fn render_masked(&self) -> String {
        render::render(self)
    }
}

/// The state path used when neither `--state` nor `[state] path` names one:
/// `$STATE_DIRECTORY/dossier.db` under systemd (the first directory when it lists several),
/// else `./.dossier/state.db`. Its folder is created when missing; any other path's folder must
/// exist (or `--init` be given), so that a typo cannot start a new, empty state.
pub fn default_state_path(env: &dyn Env) -> PathBuf {
    let cwd = env.current_dir();
    let systemd = env
        .var("STATE_DIRECTORY")
        .and_then(|v| v.split(':').next().map(str::to_string))
        .filter(|dir| !dir.is_empty());
    match systemd {
        Some(dir) => validate::resolve(&cwd, Path::new(&dir)).join("dossier.db"),
        None => cwd.join(".dossier").join("state.db"),
    }
}

/// Finds, reads and validates the configuration, then applies the overrides.
pub fn load(ov: &Overrides, env: &dyn Env) -> Result<Config, ConfigError> {
    let cwd = env.current_dir();
    match find(ov, env, &cwd)? {
        Some(path) => load_path(&path, ov, env),
        None => validate::defaults(ov, env),
    }
}

/// Reads and validates one file with the process environment and no overrides.
pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    load_path(path, &Overrides::default(), &ProcessEnv)
}

/// Reads and validates one file (relative to `env.current_dir()`), then applies `ov.dir` and
/// `ov.state` (`ov.config` is ignored: `path` is the file). What `dossier watch` calls on SIGHUP
/// to re-read the file it started with.
pub fn load_path(path: &Path, ov: &Overrides, env: &dyn Env) -> Result<Config, ConfigError> {
    let absolute = env.current_dir().join(path);
    let text = std::fs::read_to_string(&absolute).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    validate::from_text(&text, path, &absolute, ov, env)
}

/// The lookup order. `Ok(None)` means no file anywhere: built-in defaults.
fn find(ov: &Overrides, env: &dyn Env, cwd: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let given = match (&ov.config, env.var("DOSSIER_CONFIG")) {
        (Some(path), _) => Some((path.clone(), "--config")),
        (None, Some(var)) if !var.is_empty() => Some((PathBuf::from(var), "$DOSSIER_CONFIG")),
        _ => None,
    };
    if let Some((path, origin)) = given {
        return match std::fs::metadata(cwd.join(&path)) {
            Ok(_) => Ok(Some(path)),
            Err(e) if is_absent(&e) => Err(ConfigError::NotFound { path, origin }),
            Err(source) => Err(ConfigError::Read { path, source }),
        };
    }
    for candidate in [PathBuf::from(LOCAL_CONFIG), env.system_config()] {
        match std::fs::metadata(cwd.join(&candidate)) {
            Ok(_) => return Ok(Some(candidate)),
            Err(e) if is_absent(&e) => continue,
            // A file that is there but cannot be looked at is an error, not a reason to fall
            // through to the next one and run with a configuration the user did not write.
            Err(source) => {
                return Err(ConfigError::Read {
                    path: candidate,
                    source,
                })
            }
        }
    }
    Ok(None)
}

/// "Not there", including a path through something that is not a directory.
fn is_absent(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}
