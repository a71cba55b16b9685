//! Durations as people write them in a config file: `"30s"`, `"15m"`, `"2h"`, `"1h30m"`,
//! `"500ms"`, `"1d"`. A tiny parser and its inverse, so `dossier config` prints what it read.
//!
//! Architecture invariant: pure functions on strings, no IO.

use std::time::Duration;

/// Units in the only order they may appear, largest first, with their length in milliseconds.
const UNITS: [(&str, u64); 5] = [
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

/// Parses `"1h30m"`-style text. The error is the end of a sentence: "expected ... ".
pub fn parse(text: &str) -> Result<Duration, String> {
    let expected = "expected a duration such as \"30s\", \"15m\", \"2h\" or \"1h30m\"";
    let s = text.trim();
    if s.is_empty() {
        return Err(format!("empty duration, {expected}"));
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total: u64 = 0;
    // Index into UNITS of the last unit used: each later unit must be smaller.
    let mut last: Option<usize> = None;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("`{text}` is not a duration, {expected}"));
        }
        let (number, tail) = rest.split_at(digits);
        let unit_len = tail.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, tail) = tail.split_at(unit_len);
        if unit.is_empty() {
            return Err(format!(
                "`{text}` has a number without a unit (ms, s, m, h or d), {expected}"
            ));
        }
        let Some(index) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(format!(
                "`{text}` has an unknown unit `{unit}` (use ms, s, m, h or d), {expected}"
            ));
        };
        if last.is_some_and(|l| index <= l) {
            return Err(format!(
                "`{text}` repeats a unit or puts a smaller one first, {expected}"
            ));
        }
        last = Some(index);
        let value = number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(UNITS[index].1))
            .and_then(|ms| total.checked_add(ms))
            .ok_or_else(|| format!("`{text}` is too long a duration"))?;
        total = value;
        rest = tail;
    }
    Ok(Duration::from_millis(total))
}

/// Writes a duration the way `parse` reads it, largest units first: 5400s → "1h30m".
/// Sub-millisecond parts cannot come from a config file and are dropped.
pub fn format(d: Duration) -> String {
    let mut ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    // Days are left out on purpose: "36h" reads better than "1d12h".
    for (unit, len) in UNITS.iter().skip(1) {
        let n = ms / len;
        if n > 0 {
            out.push_str(&n.to_string());
            out.push_str(unit);
            ms -= n * len;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1d"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse("1s500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
        assert_eq!(parse(" 90m "), Ok(Duration::from_secs(5400)));
    }

    #[test]
    fn refuses_bad_forms() {
        for bad in [
            "",
            "15",
            "m",
            "1.5h",
            "15 m",
            "15min",
            "30m1h",
            "1h1h",
            "-5s",
            "h1",
            "99999999999999999999d",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn format_round_trips() {
        for text in ["30s", "15m", "2h", "1h30m", "500ms", "1h1m1s1ms", "36h"] {
            let d = parse(text).expect("valid");
            assert_eq!(format(d), text);
            assert_eq!(parse(&format(d)), Ok(d));
        }
        assert_eq!(format(Duration::ZERO), "0s");
    }
}
