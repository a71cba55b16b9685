//! `dossier changes` and `dossier mark`: what was recorded since a time, or since an
//! analyst's named mark ("since I last looked").
//!
//! The changes are the alerts of the outbox (one per changed document, with the dossier
//! entries it caused), as every channel received them; a change recorded with `--no-notify`
//! made no alert and is not listed. Pure parts here (`parse_since`, the text and JSON
//! pieces); the store reads and writes the marks; `commands.rs` writes the listing one
//! change at a time.

use std::fmt::Write as _;

use crate::config::duration;
use crate::report::{self, Label, Noun, Style};
use crate::store::{Mark, StoredAlert};

/// Why a `--since` value was refused: the end of a sentence.
pub fn since_expected() -> &'static str {
    "expected an RFC 3339 time (2026-12-08T09:00:00Z, 2026-12-08T12:00:00+03:00), a date \
     (2026-12-08, midnight UTC) or a duration ago (30m, 2h, 1d, 1d12h, \"2h ago\")"
}

/// Reads `--since`: an RFC 3339 time with its offset, a date (midnight UTC), or a duration
/// before `now` (`2h`: two hours ago). The result is in UTC, truncated to the second, in the
/// form the alerts' times are stored in, so that it compares with them as text.
pub fn parse_since(text: &str, now: jiff::Timestamp) -> Result<String, String> {
    let t = text.trim();
    let at = if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        ts
    } else if let Ok(date) = t.parse::<jiff::civil::Date>() {
        date.to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| format!("`{text}`: {e}"))?
            .timestamp()
    } else if t.starts_with(|c: char| c.is_ascii_digit()) && !t.contains(['-', ':']) {
        let d = t.strip_suffix("ago").unwrap_or(t).trim_end();
        let d = duration::parse(d).map_err(|e| format!("--since: {e}"))?;
        let d = jiff::SignedDuration::try_from(d).map_err(|e| format!("`{text}`: {e}"))?;
        now.checked_sub(d)
            .map_err(|_| format!("`{text}` reaches before the earliest time known"))?
    } else {
        return Err(format!("`{text}` is not a time, {}", since_expected()));
    };
    let at = at
        .round(
            jiff::TimestampRound::new()
                .smallest(jiff::Unit::Second)
                .mode(jiff::RoundMode::Trunc),
        )
        .unwrap_or(at);
    Ok(at.to_string())
}

/// Where a listing starts, as the heading says it.
#[derive(Debug, Clone)]
pub enum From<'a> {
    Start,
    Time(&'a str),
    Mark(&'a Mark),
}

/// The text listing's first line: how many changes since when.
pub fn text_heading(from: &From<'_>, count: usize, st: Style) -> String {
    let n = match count {
        0 => st.lang.label(Label::NoChange).to_string(),
        n => st.lang.count(n, Noun::Change),
    };
    match from {
        From::Start => format!("{n}\n"),
        From::Time(t) => format!("{n} {} {}\n", st.lang.label(Label::Since), st.ltr(t)),
        From::Mark(m) => format!(
            "{n} {} {} {} ({} {})\n",
            st.lang.label(Label::Since),
            st.lang.label(Label::MarkNamed),
            st.text(&m.name),
            st.lang.label(Label::SetAt),
            st.ltr(&m.time)
        ),
    }
}

/// One change of the text listing: the time it was recorded, then the change as `check`
/// reported it.
pub fn text_change(a: &StoredAlert, st: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n── {} {}",
        st.lang.label(Label::RecordedAt),
        st.ltr(&a.created)
    );
    for d in &a.report.documents {
        report::render_document(&mut out, d, st);
    }
    if !a.report.dossier.is_empty() {
        report::render_dossier(&mut out, &a.report.dossier, st);
    }
    out
}

/// The opening of the JSON object, up to its `changes` array: `since` (the time listed
/// from, or null), `mark` (`{name, time}`, or null). Each change is then one alert as the
/// jsonl channel writes it ([`json_change`]), separated by commas, and [`JSON_CLOSING`].
pub fn json_opening(from: &From<'_>) -> String {
    let (since, mark) = match from {
        From::Start => (serde_json::Value::Null, serde_json::Value::Null),
        From::Time(t) => ((*t).into(), serde_json::Value::Null),
        From::Mark(m) => (
            m.time.clone().into(),
            serde_json::json!({"name": m.name, "time": m.time}),
        ),
    };
    format!("{{\"since\":{since},\"mark\":{mark},\"changes\":[")
}

/// One change of the JSON listing: the report plus `id` and `time`.
pub fn json_change(a: &StoredAlert) -> String {
    crate::channel::alert_json(a).to_string()
}

pub const JSON_CLOSING: &str = "]}\n";

/// A mark's name: what an analyst types, one line, not empty.
pub fn check_mark_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("a mark needs a name (e.g. your own: `dossier mark alice`)".into());
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "the mark name `{}` holds a control character",
            report::one_line(name)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn now() -> jiff::Timestamp {
        "2026-12-08T10:30:15.75Z".parse().unwrap()
    }

    #[test]
    fn since_takes_a_time_a_date_or_a_duration_ago() {
        assert_eq!(
            parse_since("2026-12-08T12:00:00+03:00", now()).unwrap(),
            "2026-12-08T09:00:00Z"
        );
        assert_eq!(
            parse_since("2026-12-08T09:00:00.9Z", now()).unwrap(),
            "2026-12-08T09:00:00Z"
        );
        assert_eq!(
            parse_since("2026-12-07", now()).unwrap(),
            "2026-12-07T00:00:00Z"
        );
        assert_eq!(parse_since("2h", now()).unwrap(), "2026-12-08T08:30:15Z");
        assert_eq!(parse_since("1d", now()).unwrap(), "2026-12-07T10:30:15Z");
        assert_eq!(parse_since("1h30m", now()).unwrap(), "2026-12-08T09:00:15Z");
        assert_eq!(
            parse_since("2h ago", now()).unwrap(),
            "2026-12-08T08:30:15Z"
        );
    }

    #[test]
    fn since_refuses_what_is_no_time() {
        for bad in ["yesterday", "", "2h ago x", "2026-13-01", "12", "-2h"] {
            let e = parse_since(bad, now()).unwrap_err();
            assert!(!e.is_empty(), "{bad}");
        }
    }

    #[test]
    fn a_mark_name_is_one_line_and_not_empty() {
        assert!(check_mark_name("alice").is_ok());
        assert!(check_mark_name("فريق الرباط").is_ok());
        assert!(check_mark_name(" ").is_err());
        assert!(check_mark_name("a\nb").is_err());
    }
}
