//! The extractor on sentences of our own, one case a line: every `crates/extract/tests/cases/*.txt`
//! file is read and each line checked, so a fixed error is pinned by one added line.
//!
//! A line is `SENTENCE ⇒ EXPECTATION ; EXPECTATION ; ...` (`=>` also works), where an
//! expectation is one of
//!
//! - `+TYPE NAME`: an entity of that type has NAME as its name or one of its aliases;
//! - `=TYPE NAME`: an entity of that type has NAME as its canonical name;
//! - `-TYPE NAME`: no entity of that type has NAME as a form; `-TYPE *`: no entity of that type;
//! - `+claim TYPE A,B`: a claim of that type (asserted: not negated, no modality) whose actors
//!   include A and B (`+claim TYPE` alone: any such claim); `~claim TYPE A,B`: the same, but
//!   negated or with a modality;
//! - `-claim TYPE A,B`: no asserted claim of that type with those actors; `-claim TYPE`: none;
//! - `+date D` / `-date D`: the date is (is not) among the document's dates.
//!
//! Names are compared as the scorer compares them (`score.py`): marks dropped, alef forms,
//! ى and ة folded, punctuation a space. `#` starts a comment line. Every failing line of every
//! file is reported at once, with its file and line number.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use dossier_core::model::{ClaimType, EntityType, Extraction};
use dossier_extract::{ArabicExtractor, Extractor};

/// score.py's normalization, without NFKC (the case files are written in NFC).
fn norm(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = match c {
            '\u{0610}'..='\u{061a}'
            | '\u{064b}'..='\u{065f}'
            | '\u{0670}'
            | '\u{06d6}'..='\u{06ed}'
            | '\u{0640}' => continue,
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            c => c,
        };
        for l in c.to_lowercase() {
            out.push(if l.is_alphanumeric() { l } else { ' ' });
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug)]
enum Expect {
    Entity {
        want: bool,
        canonical: bool,
        kind: EntityType,
        name: String,
    },
    Claim {
        want: bool,
        hedged: bool,
        kind: ClaimType,
        actors: Vec<String>,
    },
    Date {
        want: bool,
        date: String,
    },
}

fn parse_expect(s: &str) -> Result<Expect, String> {
    let s = s.trim();
    let sign = s.chars().next().ok_or("empty expectation")?;
    let rest = s[sign.len_utf8()..].trim();
    let want = match sign {
        '+' | '=' | '~' => true,
        '-' => false,
        _ => return Err(format!("an expectation starts with + = ~ or -: {s:?}")),
    };
    let (head, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    let tail = tail.trim();
    match head {
        "claim" => {
            let (kind, actors) = tail.split_once(' ').unwrap_or((tail, ""));
            let kind = ClaimType::parse(kind).ok_or(format!("unknown claim type {kind:?}"))?;
            let actors = actors
                .split([',', '،'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(norm)
                .collect();
            Ok(Expect::Claim {
                want,
                hedged: sign == '~',
                kind,
                actors,
            })
        }
        "date" => Ok(Expect::Date {
            want,
            date: tail.to_string(),
        }),
        kind => {
            let kind = EntityType::parse(kind).ok_or(format!("unknown entity type {kind:?}"))?;
            if tail.is_empty() {
                return Err("an entity expectation needs a name (or *)".into());
            }
            Ok(Expect::Entity {
                want,
                canonical: sign == '=',
                kind,
                name: if tail == "*" { "*".into() } else { norm(tail) },
            })
        }
    }
}

fn describe(x: &Extraction) -> String {
    let mut out = String::new();
    for e in &x.entities {
        out.push_str(&format!("\n      {} {}", e.kind, e.name));
        if !e.aliases.is_empty() {
            out.push_str(&format!(" | {}", e.aliases.join(" | ")));
        }
    }
    for c in &x.claims {
        let hedge = match (c.negated, c.modality) {
            (true, _) => " (negated)",
            (_, Some(_)) => " (hedged)",
            _ => "",
        };
        out.push_str(&format!(
            "\n      claim {} [{}]{hedge}",
            c.kind,
            c.actors.join(", ")
        ));
    }
    if !x.dates.is_empty() {
        out.push_str(&format!("\n      dates {}", x.dates.join(" ")));
    }
    out
}

fn check(x: &Extraction, e: &Expect) -> bool {
    match e {
        Expect::Entity {
            want,
            canonical,
            kind,
            name,
        } => {
            let found = x.entities.iter().any(|en| {
                en.kind == *kind
                    && (name == "*"
                        || norm(&en.name) == *name
                        || !canonical && en.aliases.iter().any(|a| norm(a) == *name))
            });
            found == *want
        }
        Expect::Claim {
            want,
            hedged,
            kind,
            actors,
        } => {
            let found = x.claims.iter().any(|c| {
                let is_hedged = c.negated || c.modality.is_some();
                let names: Vec<String> = c.actors.iter().map(|a| norm(a)).collect();
                // `-claim` is about asserted claims, those the scorer counts.
                c.kind == *kind
                    && is_hedged == (*want && *hedged)
                    && actors.iter().all(|a| names.contains(a))
            });
            found == *want
        }
        Expect::Date { want, date } => x.dates.contains(date) == *want,
    }
}

#[test]
fn every_case_line_holds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no case file in {}", dir.display());
    let ex = ArabicExtractor::new();
    let mut failures = Vec::new();
    let mut cases = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((sentence, expects)) = line.split_once('⇒').or_else(|| line.split_once("=>"))
            else {
                failures.push(format!("{name}:{}: no ⇒ in the line", n + 1));
                continue;
            };
            let x = ex.extract(sentence.trim());
            let mut bad = Vec::new();
            for e in expects.split(';').filter(|e| !e.trim().is_empty()) {
                cases += 1;
                match parse_expect(e) {
                    Ok(exp) if check(&x, &exp) => {}
                    Ok(_) => bad.push(e.trim().to_string()),
                    Err(msg) => bad.push(format!("{} ({msg})", e.trim())),
                }
            }
            if !bad.is_empty() {
                failures.push(format!(
                    "{name}:{}: {}\n    failed: {}\n    found:{}",
                    n + 1,
                    sentence.trim(),
                    bad.join(" ; "),
                    describe(&x)
                ));
            }
        }
    }
    assert!(cases > 0, "no expectation in the case files");
    assert!(
        failures.is_empty(),
        "{} of the case lines fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
