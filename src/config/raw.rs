//! Stage one: the file as written. Every key optional, unknown keys refused, TOML types checked,
//! nothing else: no defaults, no paths resolved, no meaning. Each value keeps its position
//! (`Spanned`) so stage two (`validate`) can say where a value that makes no sense is.
//!
//! `[[channel]]` is one flat struct with the keys of every kind rather than an internally tagged
//! enum, because serde's `deny_unknown_fields` is unreliable with tagged enums and `flatten`;
//! which keys belong to which kind is checked in `validate`.
//!
//! Architecture invariant: no IO; text in, `RawConfig` or a located `ConfigError` out.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, SourceText};

/// `[aliases]` as written: a name, then its other spellings, each with where it stands.
pub(crate) type RawAliases = std::collections::BTreeMap<String, Spanned<Vec<Spanned<String>>>>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    pub watch: Option<RawWatch>,
    pub state: Option<RawState>,
    pub report: Option<RawReport>,
    /// `[aliases]`: a dossier name = the other spellings analysts look it up by.
    pub aliases: Option<Spanned<RawAliases>>,
    pub channel: Option<Vec<Spanned<RawChannel>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReport {
    pub language: Option<Spanned<String>>,
    pub html_dir: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWatch {
    pub dir: Option<Spanned<String>>,
    pub include: Option<Spanned<Vec<Spanned<String>>>>,
    pub exclude: Option<Spanned<Vec<Spanned<String>>>>,
    pub debounce_ms: Option<Spanned<u64>>,
    pub max_bytes: Option<Spanned<u64>>,
    pub poll_interval: Option<Spanned<RawDuration>>,
    pub follow_links: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawState {
    pub path: Option<Spanned<String>>,
}

/// One `[[channel]]` table, with the keys of every kind.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChannel {
    pub kind: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    // Every kind.
    pub retry_initial: Option<Spanned<RawDuration>>,
    pub retry_max: Option<Spanned<RawDuration>>,
    pub retry_attempts: Option<Spanned<u32>>,
    // jsonl
    pub path: Option<Spanned<String>>,
    // email
    pub smtp: Option<Spanned<String>>,
    pub sendmail: Option<Spanned<String>>,
    pub from: Option<Spanned<String>>,
    pub to: Option<Spanned<Vec<Spanned<String>>>>,
    pub username: Option<Spanned<String>>,
    pub password_env: Option<Spanned<String>>,
    pub password_file: Option<Spanned<String>>,
    pub digest: Option<Spanned<RawDuration>>,
    pub max_per_hour: Option<Spanned<u32>>,
    pub min_changes: Option<Spanned<String>>,
    pub timeout: Option<Spanned<RawDuration>>,
}

/// Keys every channel kind takes.
pub(crate) const COMMON_CHANNEL_KEYS: &[&str] = &[
    "kind",
    "name",
    "retry_initial",
    "retry_max",
    "retry_attempts",
];
pub(crate) const JSONL_KEYS: &[&str] = &["path"];
pub(crate) const EMAIL_KEYS: &[&str] = &[
    "smtp",
    "sendmail",
    "from",
    "to",
    "username",
    "password_env",
    "password_file",
    "digest",
    "max_per_hour",
    "min_changes",
    "timeout",
];

impl RawChannel {
    /// The kind-specific keys present in this table, with the span of their value, in file
    /// order of declaration above (stable, so the first offending key is reported).
    pub fn specific_keys(&self) -> Vec<(&'static str, Range<usize>)> {
        fn add<T>(
            out: &mut Vec<(&'static str, Range<usize>)>,
            key: &'static str,
            v: &Option<Spanned<T>>,
        ) {
            if let Some(v) = v {
                out.push((key, v.span()));
            }
        }
        let mut out = Vec::new();
        add(&mut out, "path", &self.path);
        add(&mut out, "smtp", &self.smtp);
        add(&mut out, "sendmail", &self.sendmail);
        add(&mut out, "from", &self.from);
        add(&mut out, "to", &self.to);
        add(&mut out, "username", &self.username);
        add(&mut out, "password_env", &self.password_env);
        add(&mut out, "password_file", &self.password_file);
        add(&mut out, "digest", &self.digest);
        add(&mut out, "max_per_hour", &self.max_per_hour);
        add(&mut out, "min_changes", &self.min_changes);
        add(&mut out, "timeout", &self.timeout);
        out.sort_by_key(|(_, span)| span.start);
        out
    }
}

/// A duration as written: a string like `"1h30m"`, or a bare integer (seconds), which only
/// `poll_interval` accepts because the contract documents it as seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawDuration {
    Seconds(i64),
    Text(String),
}

impl<'de> Deserialize<'de> for RawDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawDuration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"30s\" or \"1h30m\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDuration, E> {
                Ok(RawDuration::Seconds(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDuration, E> {
                i64::try_from(v)
                    .map(RawDuration::Seconds)
                    .map_err(|_| E::custom("number too large for a duration"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDuration, E> {
                Ok(RawDuration::Text(v.to_string()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Parses the text of a config file into its raw shape; `origin` is the name errors show.
pub(crate) fn parse(src: &SourceText<'_>) -> Result<RawConfig, ConfigError> {
    toml::from_str(src.text).map_err(|e| toml_error(src, &e))
}

/// Rewrites a `toml` error as one line `FILE:LINE:COL: ...`, in the words of this file format
/// ("key", "table", "array") rather than serde's ("field", "map", "sequence").
fn toml_error(src: &SourceText<'_>, e: &toml::de::Error) -> ConfigError {
    let offset = e.span().map_or(0, |s| s.start);
    let location = src.at(offset);
    let raw = e.message().trim().replace('\n', "; ");
    let message = if let Some(rest) = raw.strip_prefix("unknown field ") {
        unknown_key(rest)
    } else if raw.starts_with("invalid type: ") || raw.starts_with("invalid value: ") {
        let what = raw
            .strip_prefix("invalid type: ")
            .map(|r| format!("wrong type: found {r}"))
            .or_else(|| {
                raw.strip_prefix("invalid value: ")
                    .map(|r| format!("invalid value: {r}"))
            })
            .unwrap_or_default();
        let what = plain_words(&what);
        match src
            .key_before(offset)
            .map(|(_, k)| k)
            .or_else(|| header_at(src.text, offset))
        {
            Some("channel") if what.contains("found table") => format!(
                "`channel`: {what}; write [[channel]], with double brackets, for each channel"
            ),
            Some(key) => format!("`{key}`: {what}"),
            None => what,
        }
    } else {
        format!("invalid TOML: {}", plain_words(&raw))
    };
    ConfigError::Toml { location, message }
}

/// The name of a `[table]` or `[[table]]` header starting at `offset`, if there is one.
fn header_at(text: &str, offset: usize) -> Option<&str> {
    let line = text.get(offset..)?.lines().next()?.trim();
    let name = line.trim_start_matches('[').split(']').next()?.trim();
    (line.starts_with('[') && !name.is_empty()).then_some(name)
}

/// "`colour`, expected one of `dir`, `include`" → "unknown key `colour` in [watch], expected one
/// of dir, include". The table is recognised by its list of keys, which differ per table.
fn unknown_key(rest: &str) -> String {
    let names: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let Some((key, expected)) = names.split_first() else {
        return format!("unknown key {rest}");
    };
    let table = if expected.contains(&"debounce_ms") {
        " in [watch]"
    } else if expected.contains(&"kind") {
        " in [[channel]]"
    } else if expected == ["path"] {
        " in [state]"
    } else if expected.contains(&"html_dir") {
        " in [report]"
    } else if expected.contains(&"channel") {
        " at the top level"
    } else {
        ""
    };
    match expected {
        [] => format!("unknown key `{key}`{table}"),
        [one] => format!("unknown key `{key}`{table}, expected {one}"),
        _ => format!(
            "unknown key `{key}`{table}, expected one of {}",
            expected.join(", ")
        ),
    }
}

/// serde's type vocabulary in the words of a TOML user.
fn plain_words(msg: &str) -> String {
    msg.replace("expected u64", "expected a non-negative integer")
        .replace(
            "expected u32",
            "expected a non-negative integer (at most 4294967295)",
        )
        .replace("expected a sequence", "expected an array")
        .replace("found sequence", "found array")
        .replace("found map", "found table")
        .replace("expected a map", "expected a table")
        .replace("expected struct RawWatch", "expected a table")
        .replace("expected struct RawState", "expected a table")
        .replace("expected struct RawReport", "expected a table")
        .replace("expected struct RawChannel", "expected a table")
        .replace("expected struct RawConfig", "expected a table")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        let src = SourceText {
            origin: "t.toml".into(),
            text,
        };
        match parse(&src) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn unknown_keys_name_their_table() {
        assert_eq!(
            err("[watch]\ncolour = 1\n"),
            "t.toml:2:1: unknown key `colour` in [watch], expected one of dir, include, exclude, \
             debounce_ms, max_bytes, poll_interval, follow_links"
        );
        assert!(err("x = 1").starts_with("t.toml:1:1: unknown key `x` at the top level"));
        assert!(err("[state]\ndb = 1")
            .starts_with("t.toml:2:1: unknown key `db` in [state], expected path"));
    }

    #[test]
    fn wrong_types_name_the_key() {
        let e = err("[watch]\nmax_bytes = \"big\"\n");
        assert!(
            e.starts_with("t.toml:2:13: `max_bytes`: wrong type: found string"),
            "{e}"
        );
    }
}
