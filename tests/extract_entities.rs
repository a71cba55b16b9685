//! The entity finder against the gold annotations of the seed documents, with the full
//! lexicon and with every name it was shown taken out, plus its rules on sentences of our own.
//!
//! Reads `seeds/` and `../shared/eval/gold` (the CI runs with `../shared` beside the clone).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use dossier::extract::entities::find;
use dossier::extract::lexicon::Lexicon;
use dossier::model::{Entity, KnownEntities};
use unicode_normalization::UnicodeNormalization;

/// score.py's normalization: NFKC, marks and tatweel dropped, alef forms, ى and ة folded,
/// lower case, every non-alphanumeric a space, spaces collapsed.
fn norm(s: &str) -> String {
    let mut out = String::new();
    for c in s.nfkc() {
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

struct GoldEntity {
    kind: String,
    forms: HashSet<String>,
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/gold")
}

fn seeds() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (name, text.trim_start_matches('\u{feff}').to_string())
        })
        .collect();
    out.sort();
    out
}

fn gold(doc: &str) -> Vec<GoldEntity> {
    let path = shared().join(doc.replace(".txt", ".json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the gold annotations {} ({e}): the tests need ../shared/eval/gold beside the repository",
            path.display()
        )
    });
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    v["entities"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let mut forms: HashSet<String> = HashSet::new();
                    forms.insert(norm(e["name"].as_str().unwrap_or("")));
                    for a in e["aliases"].as_array().into_iter().flatten() {
                        forms.insert(norm(a.as_str().unwrap_or("")));
                    }
                    forms.remove("");
                    GoldEntity {
                        kind: e["type"].as_str().unwrap_or("").to_string(),
                        forms,
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// score.py's typed entity matching: greedy, one-to-one, any shared normalized form.
fn typed_counts(gold: &[GoldEntity], pred: &[Entity]) -> (usize, usize, usize) {
    let mut used = vec![false; gold.len()];
    let mut tp = 0;
    for p in pred {
        let mut pf: HashSet<String> = p.aliases.iter().map(|a| norm(a)).collect();
        pf.insert(norm(&p.name));
        pf.remove("");
        for (j, g) in gold.iter().enumerate() {
            if used[j] || g.kind != p.kind.as_str() {
                continue;
            }
            if !pf.is_disjoint(&g.forms) {
                used[j] = true;
                tp += 1;
                break;
            }
        }
    }
    (tp, pred.len(), gold.len())
}

fn typed_f1(lexicon: &Lexicon) -> f64 {
    let (mut tp, mut np, mut ng) = (0, 0, 0);
    for (doc, text) in seeds() {
        let pred = find(&text, lexicon, &KnownEntities::default());
        let (t, p, g) = typed_counts(&gold(&doc), &pred);
        eprintln!("{doc}: tp={t} pred={p} gold={g}");
        tp += t;
        np += p;
        ng += g;
    }
    let p = if np == 0 { 0.0 } else { tp as f64 / np as f64 };
    let r = if ng == 0 { 0.0 } else { tp as f64 / ng as f64 };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    eprintln!("typed entities P={p:.3} R={r:.3} F1={f:.3}");
    f
}

#[test]
fn seeds_score_at_least_090_typed_f1_with_the_full_lexicon() {
    let f = typed_f1(&Lexicon::builtin());
    assert!(f >= 0.90, "typed entity F1 {f:.3} < 0.90");
}

/// Files of names (as opposed to grammar: titles, heads, cue verbs, function words) that the
/// held-out check strips; countries, capitals and their demonyms are kept, as agreed.
const NAME_FILES: &[&str] = &[
    "gazetteer_places.txt",
    "gazetteer_orgs.txt",
    "gazetteer_equipment.txt",
    "gazetteer_events.txt",
    "given_names.txt",
];

#[test]
fn seeds_score_at_least_080_with_every_name_they_contain_removed_from_the_lexicon() {
    let texts: Vec<String> = seeds()
        .into_iter()
        .map(|(_, t)| format!(" {} ", norm(&t)))
        .collect();
    let mut dropped = 0;
    let lexicon = Lexicon::builtin_without(|file, forms| {
        let drop = NAME_FILES.contains(&file)
            && forms.iter().any(|f| {
                let f = norm(f);
                !f.is_empty() && texts.iter().any(|t| t.contains(&f))
            });
        if drop {
            dropped += 1;
        }
        drop
    });
    eprintln!("held out: {dropped} lexicon lines that occur in a seed");
    assert!(
        dropped > 20,
        "the held-out filter removed only {dropped} lines"
    );
    let f = typed_f1(&lexicon);
    assert!(f >= 0.80, "held-out typed entity F1 {f:.3} < 0.80");
}
