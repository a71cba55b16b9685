//! `dossier config`: the effective configuration written back as TOML. Secrets are never written,
//! only where they come from; the output loads back into the same [`Config`].
//!
//! Architecture invariant: pure; no IO, no environment.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::duration;
use super::{ChannelKind, Config, EmailTransport, MinChanges, RetryPolicy, SecretSource};

pub(crate) fn render(config: &Config) -> String {
    let mut out = String::new();
    match &config.source {
        // Control characters in a file name would end the comment early.
        Some(path) => line(
            &mut out,
            &format!("# file: {}", path.display()).replace(char::is_control, "?"),
        ),
        None => line(&mut out, "# file: none found, built-in defaults"),
    }
    line(
        &mut out,
        "# effective configuration: defaults filled in, overrides applied, paths absolute",
    );
    line(&mut out, "");
    let w = &config.watch;
    line(&mut out, "[watch]");
    kv(&mut out, "dir", &path(&w.dir));
    kv(&mut out, "include", &strings(&w.include));
    kv(&mut out, "exclude", &strings(&w.exclude));
    kv(&mut out, "debounce_ms", &w.debounce.as_millis().to_string());
    kv(&mut out, "max_bytes", &w.max_bytes.to_string());
    let poll = match w.poll_interval {
        None => "0".to_string(),
        Some(d) if d.subsec_millis() == 0 => d.as_secs().to_string(),
        Some(d) => dur(d),
    };
    kv(&mut out, "poll_interval", &poll);
    kv(&mut out, "follow_links", &string(w.follow_links.as_str()));
    line(&mut out, "");
    line(&mut out, "[state]");
    kv(&mut out, "path", &path(&config.state.path));
    line(&mut out, "");
    line(&mut out, "[report]");
    kv(
        &mut out,
        "language",
        &string(config.report.language.as_str()),
    );
    if let Some(dir) = &config.report.html_dir {
        kv(&mut out, "html_dir", &path(dir));
    }
    if !config.aliases.is_empty() {
        line(&mut out, "");
        line(&mut out, "[aliases]");
        let mut names: Vec<&str> = config.aliases.iter().map(|(n, _)| n.as_str()).collect();
        names.dedup();
        for n in names {
            let spellings: Vec<String> = config
                .aliases
                .iter()
                .filter(|(m, _)| m == n)
                .map(|(_, s)| s.clone())
                .collect();
            kv(&mut out, &string(n), &strings(&spellings));
        }
    }
    for c in &config.channels {
        line(&mut out, "");
        line(&mut out, "[[channel]]");
        kv(&mut out, "kind", &string(c.kind.as_str()));
        kv(&mut out, "name", &string(&c.name));
        match &c.kind {
            ChannelKind::Log => {}
            ChannelKind::Jsonl { path: p } => kv(&mut out, "path", &path(p)),
            ChannelKind::Email(e) => {
                match &e.transport {
                    EmailTransport::Smtp { url, .. } => kv(&mut out, "smtp", &string(url)),
                    EmailTransport::Sendmail { path: p } => kv(&mut out, "sendmail", &path(p)),
                }
                kv(&mut out, "from", &string(&e.from));
                kv(&mut out, "to", &strings(&e.to));
                if let Some(user) = &e.username {
                    kv(&mut out, "username", &string(user));
                }
                if let Some(secret) = &e.password {
                    match secret.source() {
                        SecretSource::Env(name) => kv(
                            &mut out,
                            "password_env",
                            &format!("{}  # password: {secret}", string(name)),
                        ),
                        SecretSource::File(p) => kv(
                            &mut out,
                            "password_file",
                            &format!("{}  # password: {secret}", path(p)),
                        ),
                    }
                }
                if let Some(d) = e.digest {
                    kv(&mut out, "digest", &dur(d));
                }
                if let Some(n) = e.max_per_hour {
                    kv(&mut out, "max_per_hour", &n.to_string());
                }
                if e.min_changes != MinChanges::Any {
                    kv(&mut out, "min_changes", &string(e.min_changes.as_str()));
                }
                kv(&mut out, "timeout", &dur(e.timeout));
            }
        }
        retry(&mut out, &c.retry);
    }
    out
}

fn retry(out: &mut String, r: &RetryPolicy) {
    kv(out, "retry_initial", &dur(r.initial));
    kv(out, "retry_max", &dur(r.max));
    kv(out, "retry_attempts", &r.max_attempts.to_string());
}

fn line(out: &mut String, text: &str) {
    out.push_str(text);
    out.push('\n');
}

fn kv(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {value}");
}

/// A TOML basic string with the escapes TOML needs.
fn string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn strings(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", inner.join(", "))
}

fn path(p: &Path) -> String {
    string(&p.to_string_lossy())
}

fn dur(d: Duration) -> String {
    string(&duration::format(d))
}
