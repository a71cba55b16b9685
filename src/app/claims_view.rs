//! `dossier show claims`: what the dossier says, one group per claim identity, as the diff
//! and the corroboration of `check` see it.
//!
//! A group is the statements of one claim key (`dossier_diff::claim_id`) about one accord:
//! statements of a key that name different accords are different groups, and those naming
//! none join the key's only accord when it has one. Its label is the key's entities by their
//! dossier names (not one statement's actor list), its sources the documents stating it, and
//! its state `contradicted` when two statements disagree (`dossier_diff::claims_contradict`),
//! with each value and who says it.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::diff;
use crate::model::{Claim, ClaimType, EntityType};
use crate::report::{one_line, Label, Noun, Style};
use crate::store::ClaimRow;

/// One value a group's statements give (a date, a denial), with the documents that give it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Value {
    pub date: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub negated: bool,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub source: String,
    pub claim: Claim,
}

/// The statements of one claim identity.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    #[serde(rename = "type")]
    pub kind: ClaimType,
    /// What the claim is about, by the dossier's names.
    pub about: Vec<String>,
    /// `single` (one source), `agreed`, or `contradicted`.
    pub state: &'static str,
    /// The distinct values stated, each with its sources; more than one that disagree when
    /// contradicted.
    pub values: Vec<Value>,
    pub sources: Vec<String>,
    pub claims: Vec<Statement>,
}

/// The dossier's names of what a key is about (`TYPE|12+34`, `TYPE|q:...`), and of the accord.
fn about(
    key: &str,
    event: Option<&str>,
    names: &HashMap<i64, (EntityType, String)>,
) -> Vec<String> {
    let rest = key.split_once('|').map_or("", |(_, r)| r);
    let mut out: Vec<String> = Vec::new();
    let mut push = |part: &str| {
        let name = match part.parse::<i64>() {
            Ok(id) => names.get(&id).map(|(_, n)| n.clone()),
            Err(_) => part
                .strip_prefix("n:")
                .map(|n| n.split_once(':').map_or(n, |(_, x)| x).to_string()),
        };
        if let Some(n) = name.filter(|n| !out.contains(n)) {
            out.push(n);
        }
    };
    if !rest.starts_with("q:") {
        rest.split('+').for_each(&mut push);
    }
    if let Some(e) = event {
        push(e);
    }
    out
}

/// The groups of the dossier's claims, of one type when `kind` is given.
pub fn groups(
    rows: Vec<ClaimRow>,
    names: &HashMap<i64, (EntityType, String)>,
    kind: Option<ClaimType>,
) -> Vec<Group> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let key = rows[i].key.clone();
        let n = rows[i..].iter().take_while(|r| r.key == key).count();
        let rows_of_key = &rows[i..i + n];
        i += n;
        if kind.is_some_and(|k| !rows_of_key.iter().any(|r| r.claim.kind == k)) {
            continue;
        }
        let mut events: Vec<&str> = rows_of_key
            .iter()
            .filter_map(|r| r.event.as_deref())
            .collect();
        events.sort_unstable();
        events.dedup();
        // One group per accord; statements naming none join the only one, or stand apart.
        let mut parts: Vec<(Option<&str>, Vec<&ClaimRow>)> = Vec::new();
        match events.as_slice() {
            [] => parts.push((None, rows_of_key.iter().collect())),
            [one] => parts.push((Some(one), rows_of_key.iter().collect())),
            many => {
                for e in many {
                    parts.push((
                        Some(e),
                        rows_of_key
                            .iter()
                            .filter(|r| r.event.as_deref() == Some(e))
                            .collect(),
                    ));
                }
                let none: Vec<&ClaimRow> =
                    rows_of_key.iter().filter(|r| r.event.is_none()).collect();
                if !none.is_empty() {
                    parts.push((None, none));
                }
            }
        }
        for (event, members) in parts {
            out.push(group(&key, event, &members, names));
        }
    }
    out
}

fn group(
    key: &str,
    event: Option<&str>,
    members: &[&ClaimRow],
    names: &HashMap<i64, (EntityType, String)>,
) -> Group {
    let mut sources: Vec<String> = members.iter().map(|r| r.path.clone()).collect();
    sources.sort();
    sources.dedup();
    // Each distinct value once; a less precise date that agrees with a more precise one is
    // the same value (2021 and 2021-11).
    let mut values: Vec<Value> = Vec::new();
    for r in members {
        let c = &r.claim;
        let same = values.iter_mut().find(|v| {
            v.negated == c.negated
                && match (&v.date, &c.date) {
                    (Some(a), Some(b)) => a == b,
                    (None, None) => true,
                    _ => false,
                }
        });
        match same {
            Some(v) => {
                if !v.sources.contains(&r.path) {
                    v.sources.push(r.path.clone());
                }
            }
            None => values.push(Value {
                date: c.date.clone(),
                negated: c.negated,
                sources: vec![r.path.clone()],
            }),
        }
    }
    let contradicted = members.iter().enumerate().any(|(a, x)| {
        members[a + 1..]
            .iter()
            .any(|y| x.path != y.path && diff::claims_contradict(&x.claim, &y.claim))
    });
    let state = if contradicted {
        "contradicted"
    } else if sources.len() > 1 {
        "agreed"
    } else {
        "single"
    };
    let kind = members.first().map_or(ClaimType::Other, |r| r.claim.kind);
    Group {
        key: key.to_string(),
        event: event.map(String::from),
        kind,
        about: about(key, event, names),
        state,
        values,
        sources,
        claims: members
            .iter()
            .map(|r| Statement {
                source: r.path.clone(),
                claim: r.claim.clone(),
            })
            .collect(),
    }
}

fn value_text(v: &Value, st: &Style) -> String {
    crate::report::value_text(v.date.as_deref(), v.negated, *st)
}

/// The groups for a terminal: a line per group (type, what it is about, state and sources),
/// the values of a contradicted one, and each source's statement. Labels in the report's
/// language; every name, path and date isolated (`st`), so a bidi terminal keeps them whole.
pub fn render(groups: &[Group], st: &Style) -> String {
    let lang = st.lang;
    let mut out = String::new();
    for g in groups {
        let n = g.sources.len();
        let state = match g.state {
            "contradicted" => st.lang.label(Label::Contradicted).to_uppercase(),
            _ => lang.count(n, Noun::Source),
        };
        let about: Vec<String> = g.about.iter().map(|a| st.text(&one_line(a))).collect();
        let _ = writeln!(
            out,
            "{} {}  [{state}]",
            lang.claim_type(g.kind),
            about.join(" + ")
        );
        if g.state == "contradicted" {
            for v in &g.values {
                let sources: Vec<String> = v.sources.iter().map(|p| st.ltr(&one_line(p))).collect();
                let _ = writeln!(
                    out,
                    "  {}: {}",
                    value_text(v, st),
                    sources.join(lang.comma())
                );
            }
        }
        for s in &g.claims {
            let date = s
                .claim
                .date
                .as_deref()
                .map(|d| format!(" ({})", st.ltr(d)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {}{date} «{}»",
                st.ltr(&one_line(&s.source)),
                st.text(&one_line(&s.claim.quote))
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::report::Lang;

    fn row(key: &str, path: &str, date: Option<&str>, event: Option<&str>) -> ClaimRow {
        ClaimRow {
            key: key.into(),
            path: path.into(),
            claim: Claim {
                kind: ClaimType::Agreement,
                actors: vec!["المغرب".into(), "إسرائيل".into()],
                date: date.map(String::from),
                quote: "وقع البلدان".into(),
                attributed_to: None,
                mentioned: vec![],
                negated: false,
                modality: None,
            },
            event: event.map(String::from),
        }
    }

    #[test]
    fn a_key_whose_sources_disagree_is_contradicted_with_both_values() {
        let names: HashMap<i64, (EntityType, String)> = [
            (1, (EntityType::Location, "المغرب".to_string())),
            (2, (EntityType::Location, "إسرائيل".to_string())),
            (3, (EntityType::Event, "مذكرة التفاهم".to_string())),
        ]
        .into();
        let rows = vec![
            row("AGREEMENT|1+2", "a.txt", Some("2021-11"), Some("3")),
            row("AGREEMENT|1+2", "b.txt", Some("2022"), Some("3")),
            row("AGREEMENT|1+2", "c.txt", None, None),
            row("AGREEMENT|1+2", "d.txt", Some("2023-05"), Some("9")),
        ];
        let g = groups(rows, &names, None);
        assert_eq!(
            g.len(),
            3,
            "another accord of the same countries is another group"
        );
        assert_eq!(g[0].about, vec!["المغرب", "إسرائيل", "مذكرة التفاهم"]);
        assert_eq!(g[0].state, "contradicted");
        assert_eq!(g[0].sources, vec!["a.txt", "b.txt"]);
        assert_eq!(g[0].values.len(), 2);
        assert_eq!(g[1].state, "single");
        assert_eq!(g[1].sources, vec!["d.txt"]);
        assert_eq!(g[2].sources, vec!["c.txt"], "naming no accord, among two");
        let text: String = render(&g, &Style::plain(Lang::En))
            .chars()
            .filter(|c| !('\u{2066}'..='\u{2069}').contains(c))
            .collect();
        assert!(text.contains("CONTRADICTED"), "{text}");
        assert!(text.contains("2021-11: a.txt"), "{text}");
        assert!(text.contains("2022: b.txt"), "{text}");
        // In Arabic, with every value isolated for a bidi terminal.
        let st = Style::for_terminal(true, Some("1"), Lang::Ar);
        let text = render(&g, &st);
        assert!(text.contains("اتفاق"), "{text}");
        assert!(
            text.contains("\u{2066}2021-11\u{2069}: \u{2066}a.txt\u{2069}"),
            "{text}"
        );
    }

    #[test]
    fn statements_naming_no_accord_join_the_key_s_only_accord() {
        let names = HashMap::new();
        let rows = vec![
            row("AGREEMENT|1+2", "a.txt", Some("2021-11"), Some("3")),
            row("AGREEMENT|1+2", "c.txt", Some("2021"), None),
        ];
        let g = groups(rows, &names, None);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].state, "agreed");
        assert_eq!(g[0].sources, vec!["a.txt", "c.txt"]);
    }
}
