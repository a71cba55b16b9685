//! Stage two: from the raw file to the [`Config`] the program trusts. Defaults filled in, paths
//! made absolute, durations parsed, secrets resolved, and every value that makes no sense refused
//! with the file, line and column of the value and the name of the key.
//!
//! Architecture invariant: the only IO here is reading a `password_file` and canonicalizing the
//! config file's directory; the environment comes through [`Env`].

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::duration;
use super::error::{ConfigError, Location, SourceText};
use super::raw::{
    self, RawChannel, RawConfig, RawDuration, COMMON_CHANNEL_KEYS, EMAIL_KEYS, JSONL_KEYS,
};
use super::{
    ChannelConfig, ChannelKind, Config, EmailConfig, EmailTransport, Env, FollowLinks, MinChanges,
    Overrides, ReportConfig, RetryPolicy, Secret, SecretSource, StateConfig, TlsMode, WatchConfig,
};

pub(crate) const DEFAULT_INCLUDE: &[&str] = &["*.txt", "*.md", "*.html"];
pub(crate) const DEFAULT_EXCLUDE: &[&str] = &[".*", "*~", "*.swp", "*.tmp"];
pub(crate) const DEFAULT_DEBOUNCE_MS: u64 = 300;
pub(crate) const MAX_DEBOUNCE_MS: u64 = 60_000;
pub(crate) const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const KINDS: &str = "log, jsonl, email";

/// Validates the text of a config file. `shown` is the path as the user gave or we found it
/// (used in messages), `absolute` where it is.
pub(crate) fn from_text(
    text: &str,
    shown: &Path,
    absolute: &Path,
    ov: &Overrides,
    env: &dyn Env,
) -> Result<Config> {
    let src = SourceText {
        origin: shown.display().to_string(),
        text,
    };
    let raw = raw::parse(&src)?;
    // Canonical, so that a leading `..` in a relative path means the real parent directory even
    // when the config folder is reached through a symlink.
    let source = std::fs::canonicalize(absolute).unwrap_or_else(|_| normalize(absolute));
    let base = source
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let ctx = Ctx {
        src,
        base,
        cwd: env.current_dir(),
        env,
    };
    ctx.build(raw, Some(source), ov)
}

/// The built-in defaults (no file anywhere), with the overrides applied.
pub(crate) fn defaults(ov: &Overrides, env: &dyn Env) -> Result<Config> {
    let cwd = env.current_dir();
    let ctx = Ctx {
        src: SourceText {
            origin: "built-in defaults".to_string(),
            text: "",
        },
        base: cwd.clone(),
        cwd,
        env,
    };
    ctx.build(RawConfig::default(), None, ov)
}

struct Ctx<'a> {
    src: SourceText<'a>,
    /// Directory of the config file: what relative paths in it are relative to.
    base: PathBuf,
    /// Current directory: what built-in defaults and command-line paths are relative to.
    cwd: PathBuf,
    env: &'a dyn Env,
}

type Result<T> = std::result::Result<T, ConfigError>;

impl Ctx<'_> {
    fn invalid(&self, location: Location, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            location,
            message: message.into(),
        }
    }

    /// An error about the value of `key`, located at the key.
    fn key_error<T>(&self, v: &Spanned<T>, message: impl Into<String>) -> ConfigError {
        self.invalid(self.src.at_key(&v.span()), message)
    }

    /// An error about one value (an array element, a string that does not parse).
    fn value_error<T>(&self, v: &Spanned<T>, message: impl Into<String>) -> ConfigError {
        self.invalid(self.src.at_value(&v.span()), message)
    }

    fn build(&self, raw: RawConfig, source: Option<PathBuf>, ov: &Overrides) -> Result<Config> {
        let watch = self.watch(raw.watch.unwrap_or_default(), ov)?;
        let state = self.state(raw.state.unwrap_or_default(), ov)?;
        let report = self.report(raw.report.unwrap_or_default())?;
        let aliases = self.aliases(raw.aliases)?;
        let channels = self.channels(raw.channel)?;
        Ok(Config {
            source,
            watch,
            state,
            report,
            aliases,
            channels,
        })
    }

    fn watch(&self, raw: raw::RawWatch, ov: &Overrides) -> Result<WatchConfig> {
        let file_dir = match &raw.dir {
            Some(dir) => Some(self.file_path("dir", dir)?),
            None => None,
        };
        let dir = match &ov.dir {
            Some(dir) => self.flag_path("--dir", dir)?,
            None => file_dir.unwrap_or_else(|| self.cwd.join("seeds")),
        };
        let include = match &raw.include {
            Some(list) => {
                if list.get_ref().is_empty() {
                    return Err(self.key_error(
                        list,
                        "`include` is empty, so no file would ever be read; expected at least one \
                         pattern such as \"*.txt\"",
                    ));
                }
                self.globs("include", list)?
            }
            None => DEFAULT_INCLUDE.iter().map(|s| s.to_string()).collect(),
        };
        let exclude = match &raw.exclude {
            Some(list) => self.globs("exclude", list)?,
            None => DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect(),
        };
        let debounce_ms = match &raw.debounce_ms {
            Some(v) if *v.get_ref() > MAX_DEBOUNCE_MS => {
                return Err(self.value_error(
                    v,
                    format!(
                        "`debounce_ms` is {}, expected at most {MAX_DEBOUNCE_MS} (one minute)",
                        v.get_ref()
                    ),
                ))
            }
            Some(v) => *v.get_ref(),
            None => DEFAULT_DEBOUNCE_MS,
        };
        let max_bytes =
            match &raw.max_bytes {
                Some(v) if *v.get_ref() == 0 => return Err(self.value_error(
                    v,
                    "`max_bytes` is 0, so every file would be skipped; expected a size in bytes \
                     greater than 0",
                )),
                Some(v) => *v.get_ref(),
                None => DEFAULT_MAX_BYTES,
            };
        let poll_interval = match &raw.poll_interval {
            Some(v) => Some(self.duration("poll_interval", v, true)?).filter(|d| !d.is_zero()),
            None => None,
        };
        let follow_links = match &raw.follow_links {
            None => FollowLinks::default(),
            Some(v) => match v.get_ref().as_str() {
                "inside" => FollowLinks::Inside,
                "all" => FollowLinks::All,
                "none" => FollowLinks::None,
                other => {
                    return Err(self.value_error(
                        v,
                        format!(
                            "`follow_links`: unknown value `{other}`, expected one of inside, all, none"
                        ),
                    ))
                }
            },
        };
        Ok(WatchConfig {
            dir,
            include,
            exclude,
            debounce: Duration::from_millis(debounce_ms),
            max_bytes,
            poll_interval,
            follow_links,
        })
    }

    fn globs(&self, key: &str, list: &Spanned<Vec<Spanned<String>>>) -> Result<Vec<String>> {
        list.get_ref()
            .iter()
            .map(|pattern| {
                let text = pattern.get_ref();
                if text.is_empty() {
                    return Err(self.value_error(pattern, format!("empty pattern in `{key}`")));
                }
                // The same builder as the scanner's, so what passes here compiles there.
                match globset::GlobBuilder::new(text)
                    .literal_separator(true)
                    .build()
                {
                    Ok(_) => Ok(text.clone()),
                    Err(e) => Err(self.value_error(
                        pattern,
                        format!("invalid glob `{text}` in `{key}`: {}", e.kind()),
                    )),
                }
            })
            .collect()
    }

    fn state(&self, raw: raw::RawState, ov: &Overrides) -> Result<StateConfig> {
        let file_path = match &raw.path {
            Some(path) => Some(self.file_path("path", path)?),
            None => None,
        };
        let path = match (&ov.state, file_path) {
            (Some(flag), _) => self.flag_path("--state", flag)?,
            (None, Some(path)) => path,
            (None, None) => self.default_state(),
        };
        Ok(StateConfig { path })
    }

    fn report(&self, raw: raw::RawReport) -> Result<ReportConfig> {
        let language = match &raw.language {
            None => crate::report::Lang::default(),
            Some(v) => crate::report::Lang::parse(v.get_ref()).ok_or_else(|| {
                self.value_error(
                    v,
                    format!(
                        "`language`: unknown language `{}`, expected \"ar\" or \"en\"",
                        v.get_ref()
                    ),
                )
            })?,
        };
        let html_dir = match &raw.html_dir {
            Some(dir) => Some(self.file_path("html_dir", dir)?),
            None => None,
        };
        Ok(ReportConfig { language, html_dir })
    }

    #[allow(clippy::type_complexity)]
    fn aliases(
        &self,
        raw: Option<Spanned<std::collections::BTreeMap<String, Spanned<Vec<Spanned<String>>>>>>,
    ) -> Result<Vec<(String, String)>> {
        let Some(table) = raw else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (name, list) in table.get_ref() {
            if name.trim().is_empty() {
                return Err(self.key_error(&table, "`aliases`: a name is empty"));
            }
            for spelling in list.get_ref() {
                if spelling.get_ref().trim().is_empty() {
                    return Err(self.value_error(
                        spelling,
                        format!("`aliases`: an empty spelling for `{name}`"),
                    ));
                }
                out.push((name.clone(), spelling.get_ref().clone()));
            }
        }
        Ok(out)
    }

    /// [`super::default_state_path`].
    fn default_state(&self) -> PathBuf {
        super::default_state_path(self.env)
    }

    /// A path written in the file, relative to the file's directory.
    fn file_path(&self, key: &str, v: &Spanned<String>) -> Result<PathBuf> {
        let text = v.get_ref();
        if text.is_empty() {
            return Err(self.value_error(v, format!("`{key}` is empty, expected a path")));
        }
        if text == "~" || text.starts_with("~/") {
            return Err(self.value_error(
                v,
                format!("`{key}`: `~` is not expanded, write the full path instead of `{text}`"),
            ));
        }
        Ok(resolve(&self.base, Path::new(text)))
    }

    /// A path given on the command line, relative to the current directory.
    fn flag_path(&self, flag: &str, path: &Path) -> Result<PathBuf> {
        if path.as_os_str().is_empty() {
            return Err(self.invalid(
                Location {
                    origin: flag.to_string(),
                    line_col: None,
                },
                "empty path",
            ));
        }
        Ok(resolve(&self.cwd, path))
    }

    fn duration(&self, key: &str, v: &Spanned<RawDuration>, seconds_ok: bool) -> Result<Duration> {
        match v.get_ref() {
            RawDuration::Text(text) => {
                duration::parse(text).map_err(|e| self.value_error(v, format!("`{key}`: {e}")))
            }
            RawDuration::Seconds(n) if seconds_ok => {
                u64::try_from(*n).map(Duration::from_secs).map_err(|_| {
                    self.value_error(
                        v,
                        format!("`{key}` is negative, expected a number of seconds (0 for none)"),
                    )
                })
            }
            RawDuration::Seconds(n) => Err(self.value_error(
                v,
                format!(
                    "`{key}` = {n} has no unit, expected a duration string such as \"30s\", \
                     \"15m\" or \"1h30m\""
                ),
            )),
        }
    }

    /// A duration that must be greater than zero, or its default.
    fn positive_duration(
        &self,
        key: &str,
        v: &Option<Spanned<RawDuration>>,
        default: Duration,
    ) -> Result<Duration> {
        let Some(v) = v else { return Ok(default) };
        let d = self.duration(key, v, false)?;
        if d.is_zero() {
            return Err(self.value_error(
                v,
                format!("`{key}` is zero, expected a duration greater than zero"),
            ));
        }
        Ok(d)
    }

    fn channels(&self, raw: Option<Vec<Spanned<RawChannel>>>) -> Result<Vec<ChannelConfig>> {
        let Some(raw) = raw else {
            return Ok(vec![ChannelConfig {
                name: "log".to_string(),
                kind: ChannelKind::Log,
                retry: RetryPolicy::default(),
            }]);
        };
        if raw.is_empty() {
            return Err(self.invalid(
                self.src.at(0),
                "`channel` is an empty array, so no alert could go anywhere; add a [[channel]] \
                 or remove `channel` to get the default log channel",
            ));
        }
        // Names given in the file come first, so a generated name never takes one of them.
        let mut taken: HashSet<String> = HashSet::new();
        let mut seen_at: Vec<(String, usize)> = Vec::new();
        for ch in &raw {
            if let Some(name) = &ch.get_ref().name {
                let text = name.get_ref();
                if text.is_empty()
                    || !text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                {
                    return Err(self.value_error(
                        name,
                        format!(
                            "channel name `{text}` is not allowed, expected letters, digits, `-`, \
                             `_` or `.`"
                        ),
                    ));
                }
                if let Some((_, line)) = seen_at.iter().find(|(n, _)| n == text) {
                    return Err(self.value_error(
                        name,
                        format!("channel name `{text}` is already used by the channel on line {line}; names must be unique"),
                    ));
                }
                let (line, _) = super::error::line_col(self.src.text, name.span().start);
                seen_at.push((text.clone(), line));
                taken.insert(text.clone());
            }
        }
        let mut out = Vec::with_capacity(raw.len());
        for ch in &raw {
            let (kind, retry) = self.channel(ch)?;
            let name = match &ch.get_ref().name {
                Some(name) => name.get_ref().clone(),
                None => {
                    let base = kind.as_str();
                    let mut candidate = base.to_string();
                    let mut n = 2;
                    while taken.contains(&candidate) {
                        candidate = format!("{base}-{n}");
                        n += 1;
                    }
                    taken.insert(candidate.clone());
                    candidate
                }
            };
            out.push(ChannelConfig { name, kind, retry });
        }
        Ok(out)
    }

    fn channel(&self, ch: &Spanned<RawChannel>) -> Result<(ChannelKind, RetryPolicy)> {
        let c = ch.get_ref();
        let Some(kind) = &c.kind else {
            return Err(self.invalid(
                self.src.at(ch.span().start),
                format!("[[channel]] has no `kind`, expected one of {KINDS}"),
            ));
        };
        let allowed: &[&str] = match kind.get_ref().as_str() {
            "log" => &[],
            "jsonl" => JSONL_KEYS,
            "email" => EMAIL_KEYS,
            other => {
                return Err(self.value_error(
                    kind,
                    format!("unknown channel kind `{other}`, expected one of {KINDS}"),
                ))
            }
        };
        let kind_name = kind.get_ref().as_str();
        for (key, span) in c.specific_keys() {
            if !allowed.contains(&key) {
                let owner = if JSONL_KEYS.contains(&key) {
                    "jsonl"
                } else {
                    "email"
                };
                let takes: Vec<&str> = COMMON_CHANNEL_KEYS[1..]
                    .iter()
                    .chain(allowed)
                    .copied()
                    .collect();
                return Err(self.invalid(
                    self.src.at_key(&span),
                    format!(
                        "key `{key}` does not apply to a {kind_name} channel (it is for {owner} \
                         channels); a {kind_name} channel takes {}",
                        takes.join(", ")
                    ),
                ));
            }
        }
        let retry = self.retry(c)?;
        let kind = match kind_name {
            "log" => ChannelKind::Log,
            "jsonl" => match &c.path {
                Some(path) => ChannelKind::Jsonl {
                    path: self.file_path("path", path)?,
                },
                None => {
                    return Err(self.key_error(
                        kind,
                        "a jsonl channel needs `path`, the file to append alerts to",
                    ))
                }
            },
            _ => ChannelKind::Email(self.email(c, kind)?),
        };
        Ok((kind, retry))
    }

    fn retry(&self, c: &RawChannel) -> Result<RetryPolicy> {
        let defaults = RetryPolicy::default();
        let initial =
            self.positive_duration("retry_initial", &c.retry_initial, defaults.initial)?;
        let max = self.positive_duration("retry_max", &c.retry_max, defaults.max)?;
        if max < initial {
            let message = format!(
                "`retry_max` ({}) is shorter than `retry_initial` ({})",
                duration::format(max),
                duration::format(initial)
            );
            return Err(match (&c.retry_max, &c.retry_initial) {
                (Some(v), _) => self.key_error(v, message),
                (None, Some(v)) => self.key_error(v, message),
                (None, None) => self.invalid(self.src.at(0), message),
            });
        }
        let max_attempts = match &c.retry_attempts {
            Some(v) if *v.get_ref() == 0 => {
                return Err(self.value_error(v, "`retry_attempts` is 0, expected at least 1"))
            }
            Some(v) => *v.get_ref(),
            None => defaults.max_attempts,
        };
        Ok(RetryPolicy {
            initial,
            max,
            max_attempts,
        })
    }

    fn email(&self, c: &RawChannel, kind: &Spanned<String>) -> Result<EmailConfig> {
        let transport = match (&c.smtp, &c.sendmail) {
            (Some(_), Some(sendmail)) => {
                return Err(self.key_error(
                    sendmail,
                    "an email channel takes `smtp` or `sendmail`, not both",
                ))
            }
            (None, None) => {
                return Err(self.key_error(
                    kind,
                    "an email channel needs `smtp = \"smtp://host:port\"` or \
                     `sendmail = \"/usr/sbin/sendmail\"`",
                ))
            }
            (Some(url), None) => {
                let (host, port, tls) = parse_smtp_url(url.get_ref())
                    .map_err(|e| self.value_error(url, format!("`smtp`: {e}")))?;
                EmailTransport::Smtp {
                    url: url.get_ref().clone(),
                    host,
                    port,
                    tls,
                }
            }
            (None, Some(path)) => EmailTransport::Sendmail {
                path: self.file_path("sendmail", path)?,
            },
        };
        let from = match &c.from {
            Some(from) => self.address("from", from)?,
            None => {
                return Err(
                    self.key_error(kind, "an email channel needs `from`, the sender address")
                )
            }
        };
        let to = match &c.to {
            Some(list) if list.get_ref().is_empty() => {
                return Err(self.key_error(list, "`to` is empty, expected at least one address"))
            }
            Some(list) => list
                .get_ref()
                .iter()
                .map(|a| self.address("to", a))
                .collect::<Result<Vec<_>>>()?,
            None => {
                return Err(self.key_error(
                    kind,
                    "an email channel needs `to`, a list of at least one recipient address",
                ))
            }
        };
        let (username, password) = self.credentials(c, &transport)?;
        let digest = match &c.digest {
            Some(_) => Some(self.positive_duration("digest", &c.digest, Duration::ZERO)?),
            None => None,
        };
        let max_per_hour = match &c.max_per_hour {
            Some(v) if *v.get_ref() == 0 => {
                return Err(self.value_error(
                    v,
                    "`max_per_hour` is 0, expected at least 1 (remove the key for no limit)",
                ))
            }
            Some(v) => Some(*v.get_ref()),
            None => None,
        };
        let min_changes = match &c.min_changes {
            None => MinChanges::Any,
            Some(v) => match v.get_ref().as_str() {
                "any" => MinChanges::Any,
                "facts" => MinChanges::Facts,
                other => {
                    return Err(self.value_error(
                        v,
                        format!(
                            "`min_changes`: unknown value `{other}`, expected one of any, facts"
                        ),
                    ))
                }
            },
        };
        let timeout = self.positive_duration("timeout", &c.timeout, DEFAULT_TIMEOUT)?;
        Ok(EmailConfig {
            transport,
            from,
            to,
            username,
            password,
            digest,
            max_per_hour,
            min_changes,
            timeout,
        })
    }

    fn address(&self, key: &str, v: &Spanned<String>) -> Result<String> {
        let text = v.get_ref().trim();
        if is_address(text) {
            Ok(text.to_string())
        } else {
            Err(self.value_error(
                v,
                format!(
                    "`{key}`: `{}` is not an email address, expected `user@example.org` or \
                     `Name <user@example.org>`",
                    v.get_ref()
                ),
            ))
        }
    }

    fn credentials(
        &self,
        c: &RawChannel,
        transport: &EmailTransport,
    ) -> Result<(Option<String>, Option<Secret>)> {
        if let EmailTransport::Sendmail { .. } = transport {
            let smtp_only = [&c.username, &c.password_env, &c.password_file];
            if let Some(v) = smtp_only.into_iter().flatten().next() {
                return Err(self.key_error(
                    v,
                    "`username`, `password_env` and `password_file` only apply with `smtp`, \
                     not with `sendmail`",
                ));
            }
            return Ok((None, None));
        }
        // Shape first, then the environment: a password without a user is wrong whatever the
        // variable holds.
        let password_key = match (&c.password_env, &c.password_file) {
            (Some(_), Some(file)) => {
                return Err(self.key_error(
                    file,
                    "only one of `password_env` and `password_file` may be set",
                ))
            }
            (Some(key), None) | (None, Some(key)) => Some(key),
            (None, None) => None,
        };
        let username = match (&c.username, password_key) {
            (Some(u), _) if u.get_ref().is_empty() => {
                return Err(self.value_error(u, "`username` is empty"))
            }
            (None, Some(key)) => {
                return Err(self.key_error(
                    key,
                    "a password is set but `username` is not; SMTP authentication needs both",
                ))
            }
            (Some(u), None) => {
                return Err(self.key_error(
                    u,
                    "`username` is set but neither `password_env` nor `password_file`; SMTP \
                     authentication needs both",
                ))
            }
            (username, _) => username.as_ref().map(|u| u.get_ref().clone()),
        };
        let password = match (&c.password_env, &c.password_file) {
            _ if !self.env.resolve_secrets() => None,
            (Some(var), _) => Some(self.password_from_env(var)?),
            (None, Some(file)) => Some(self.password_from_file(file)?),
            (None, None) => None,
        };
        Ok((username, password))
    }

    fn password_from_env(&self, var: &Spanned<String>) -> Result<Secret> {
        let name = var.get_ref();
        if name.is_empty() || name.contains('=') || name.contains('\0') {
            return Err(self.value_error(
                var,
                format!("`password_env`: `{name}` is not an environment variable name"),
            ));
        }
        match self.env.var(name) {
            None => Err(self.value_error(
                var,
                format!("`password_env`: environment variable `{name}` is not set"),
            )),
            Some(value) if value.is_empty() => Err(self.value_error(
                var,
                format!("`password_env`: environment variable `{name}` is empty"),
            )),
            Some(value) => Ok(Secret::new(value, SecretSource::Env(name.clone()))),
        }
    }

    fn password_from_file(&self, file: &Spanned<String>) -> Result<Secret> {
        let path = self.file_path("password_file", file)?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            self.value_error(
                file,
                format!("`password_file`: cannot read {}: {e}", path.display()),
            )
        })?;
        // Editors end files with a newline; it is never part of the password.
        let value = text.trim_end_matches(['\n', '\r']).to_string();
        if value.is_empty() {
            return Err(self.value_error(
                file,
                format!("`password_file`: {} is empty", path.display()),
            ));
        }
        Ok(Secret::new(value, SecretSource::File(path)))
    }
}

/// `rel` against `base`: absolute paths are kept; leading `..` components pop `base` (which is
/// canonical or the current directory, so that is what the file system would do) and the rest
/// is appended as written.
pub(crate) fn resolve(base: &Path, rel: &Path) -> PathBuf {
    if rel.is_absolute() {
        return normalize(rel);
    }
    let mut out = normalize(base);
    let mut components = rel.components().peekable();
    while let Some(c) = components.peek() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            _ => break,
        }
        components.next();
    }
    out.extend(components);
    out
}

/// Drops `.` components (and a trailing slash) without touching `..`.
fn normalize(p: &Path) -> PathBuf {
    p.components().collect()
}

/// `smtp://host[:port][?tls=required]` or `smtps://host[:port]` → host, port, TLS mode.
pub(crate) fn parse_smtp_url(url: &str) -> std::result::Result<(String, u16, TlsMode), String> {
    let expected = "expected smtp://host:port, smtp://host:587?tls=required or smtps://host:465";
    // Before anything echoes the URL: it may hold a password.
    if url.split('?').next().is_some_and(|u| u.contains('@')) {
        return Err(
            "the URL contains credentials, which are not shown here; put the user in \
             `username` and the password in `password_env` or `password_file`"
                .to_string(),
        );
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("`{url}` is not a URL, {expected}"));
    };
    let (mut tls, default_port) = match scheme.to_ascii_lowercase().as_str() {
        "smtp" => (TlsMode::None, 25),
        "smtps" => (TlsMode::Wrapper, 465),
        other => return Err(format!("unknown scheme `{other}` in `{url}`, {expected}")),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let authority = match rest.split_once('/') {
        Some((a, "")) => a,
        Some(_) => return Err(format!("`{url}` has a path, {expected}")),
        None => rest,
    };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let Some((host, after)) = v6.split_once(']') else {
            return Err(format!("`{url}` has an unclosed `[`, {expected}"));
        };
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| format!("`{url}` is not a URL, {expected}"))?,
            ),
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '[' || c == ']') {
        return Err(format!("`{url}` has no valid host, {expected}"));
    }
    let port = match port {
        None => default_port,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err(format!("`{url}` has an invalid port `{p}`, {expected}")),
        },
    };
    for pair in query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
    {
        match pair.split_once('=') {
            Some(("tls", "required")) if tls == TlsMode::None => tls = TlsMode::StartTls,
            Some(("tls", "required")) => {
                return Err(format!(
                    "`{url}`: smtps already uses TLS from the start; `?tls=required` is for \
                     STARTTLS on smtp://"
                ))
            }
            Some(("tls", other)) => {
                return Err(format!(
                    "`{url}`: unknown tls mode `{other}`, expected tls=required (STARTTLS)"
                ))
            }
            _ => {
                return Err(format!(
                    "`{url}`: unknown parameter `{pair}`, expected tls=required"
                ))
            }
        }
    }
    Ok((host.to_string(), port, tls))
}

/// `user@example.org` or `Name <user@example.org>`: enough to catch a typo, not RFC 5322.
pub(crate) fn is_address(text: &str) -> bool {
    let addr = match text.find('<') {
        Some(open) => {
            let Some(inner) = text[open + 1..].strip_suffix('>') else {
                return false;
            };
            let name = &text[..open];
            if name.contains(['<', '>']) {
                return false;
            }
            inner
        }
        None => text,
    };
    let Some((local, domain)) = addr.split_once('@') else {
        return false;
    };
    let bad = |s: &str| {
        s.is_empty()
            || s.contains(|c: char| c.is_whitespace() || c.is_control() || "<>,;@\"".contains(c))
    };
    !bad(local) && !bad(domain) && !domain.starts_with('.') && !domain.ends_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        assert_eq!(
            parse_smtp_url("smtp://mail.example.org"),
            Ok(("mail.example.org".into(), 25, TlsMode::None))
        );
        assert_eq!(
            parse_smtp_url("smtps://mail.example.org"),
            Ok(("mail.example.org".into(), 465, TlsMode::Wrapper))
        );
        assert_eq!(
            parse_smtp_url("smtp://mail.example.org:587?tls=required"),
            Ok(("mail.example.org".into(), 587, TlsMode::StartTls))
        );
        assert_eq!(
            parse_smtp_url("smtp://127.0.0.1:2525/"),
            Ok(("127.0.0.1".into(), 2525, TlsMode::None))
        );
        assert_eq!(
            parse_smtp_url("smtp://[::1]:2525"),
            Ok(("::1".into(), 2525, TlsMode::None))
        );
        for bad in [
            "mail.example.org",
            "http://mail.example.org",
            "smtp://",
            "smtp://host:0",
            "smtp://host:99999",
            "smtp://host:x",
            "smtp://user:pw@host",
            "smtp://host/path",
            "smtps://host?tls=required",
            "smtp://host?tls=maybe",
            "smtp://host?foo=1",
            "smtp://[::1",
        ] {
            assert!(parse_smtp_url(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn addresses() {
        for good in [
            "a@b",
            "news@example.org",
            "Desk <desk@example.org>",
            "\"Doe, J\" <j@x.org>",
            "<a@b>",
        ] {
            assert!(is_address(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "@b",
            "a@",
            "a@b, c@d",
            "a b@c",
            "Name <a@b",
            "a@b@c",
            "a@.b",
            "Name a@b>",
        ] {
            assert!(!is_address(bad), "{bad}");
        }
    }

    #[test]
    fn resolves_leading_parent_dirs() {
        let base = Path::new("/srv/app/config");
        assert_eq!(
            resolve(base, Path::new("../seeds")),
            PathBuf::from("/srv/app/seeds")
        );
        assert_eq!(
            resolve(base, Path::new("./a/./b")),
            PathBuf::from("/srv/app/config/a/b")
        );
        assert_eq!(
            resolve(base, Path::new("a/../b")),
            PathBuf::from("/srv/app/config/a/../b")
        );
        assert_eq!(resolve(base, Path::new("/abs/x")), PathBuf::from("/abs/x"));
        assert_eq!(
            resolve(Path::new("/"), Path::new("../../x")),
            PathBuf::from("/x")
        );
    }
}
