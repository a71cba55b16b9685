//! Generated documents for the delivery tests: simple Arabic prose made of the seeds' own
//! sentences (as `benches/gen_corpus.py` makes its corpora), written in the test, cheaply.
//!
//! A document is mostly sentences that state a claim (those holding a quote `dossier
//! extract` found in the seeds), so that its alert, which lists the document's entities and
//! claims and what they mean for the dossier, is large (10 KB and more) for a document of
//! ~14 KB: the alerts the old fixed-window duplicate check missed.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use super::seed_files;

/// The seeds' sentences (at least 20 characters), and those of them that state a claim.
pub fn sentences() -> (Vec<String>, Vec<String>) {
    let mut all = Vec::new();
    for f in seed_files() {
        let text = std::fs::read_to_string(&f).expect("seed");
        let text = text.trim_start_matches('\u{feff}');
        let mut cur = String::new();
        for c in text.chars() {
            if c == '\n' {
                push(&mut all, &mut cur);
                continue;
            }
            cur.push(c);
            if matches!(c, '.' | '!' | '?' | '؟') {
                push(&mut all, &mut cur);
            }
        }
        push(&mut all, &mut cur);
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("extract")
        .arg("--format")
        .arg("json")
        .args(seed_files())
        .output()
        .expect("dossier extract");
    assert!(out.status.success());
    let mut quotes = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        for c in v["claims"].as_array().into_iter().flatten() {
            if let Some(q) = c["quote"].as_str() {
                quotes.push(q.to_string());
            }
        }
    }
    let claims: Vec<String> = all
        .iter()
        .filter(|s| quotes.iter().any(|q| s.contains(q.as_str())))
        .cloned()
        .collect();
    assert!(claims.len() >= 10, "claim sentences: {}", claims.len());
    (all, claims)
}

fn push(out: &mut Vec<String>, cur: &mut String) {
    let s = cur.trim();
    if s.chars().count() >= 20 {
        out.push(s.to_string());
    }
    cur.clear();
}

/// A small deterministic generator (xorshift), so a test's corpus is the same every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// In `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Writes `n` documents `doc0000.txt`… into `dir`: each `claims` claim sentences and `others`
/// other sentences of the seeds, shuffled, a paragraph every four sentences.
pub fn write_docs(dir: &Path, n: usize, claims: usize, others: usize) {
    std::fs::create_dir_all(dir).expect("docs dir");
    let (all, with_claims) = sentences();
    for i in 0..n {
        let mut rng = Rng::new(i as u64 + 1);
        let mut picked: Vec<&String> = Vec::with_capacity(claims + others);
        for _ in 0..claims {
            picked.push(&with_claims[rng.below(with_claims.len() as u64) as usize]);
        }
        for _ in 0..others {
            picked.push(&all[rng.below(all.len() as u64) as usize]);
        }
        for j in (1..picked.len()).rev() {
            let k = rng.below(j as u64 + 1) as usize;
            picked.swap(j, k);
        }
        let mut body = String::new();
        for (j, s) in picked.iter().enumerate() {
            body.push_str(s);
            body.push_str(if j % 4 == 3 { "\n\n" } else { " " });
        }
        std::fs::write(dir.join(format!("doc{i:04}.txt")), body).expect("write doc");
    }
}
