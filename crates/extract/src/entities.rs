//! Finds named entities (people, organizations, places, equipment, events) in Arabic text.
//!
//! Pipeline: `tokens` splits the text into words with folded keys and byte offsets; the
//! [`Lexicon`] index marks every known word (gazetteer names, titles, heads, cue verbs,
//! function words) with the clitics in front of it; `rules` turns those marks into candidate
//! mentions (gazetteer names, organization and event phrases built from their heads, people
//! found by titles, verbs of saying, given names and apposition); `resolve` groups the
//! mentions into entities with one canonical name each.
//!
//! Architecture invariant: pure functions of the text and the lexicon; no
//! IO, no panics on any input; every mention is a byte range on char boundaries of the text.

pub(crate) mod resolve;
pub(crate) mod rules;
pub(crate) mod tokens;

use std::cell::Cell;

use super::lexicon::{Hit, Lexicon, ScanMemo};
use dossier_core::model::Entity;

/// The buffers of one document's pass, kept by each thread for its next document: the
/// tables of a long text are large, and allocating them anew showed in profiles.
struct Scratch {
    toks: tokens::Tokens,
    found: Vec<(usize, usize, usize)>,
    memo: ScanMemo,
    hits: Vec<Hit>,
    doc: rules::DocBuffers,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            toks: tokens::Tokens::default(),
            found: Vec::new(),
            memo: ScanMemo::recording(),
            hits: Vec::new(),
            doc: rules::DocBuffers::default(),
        }
    }
}

/// Texts longer than this do not leave their buffers behind.
const KEEP_SCRATCH_BELOW: usize = 1 << 22;

thread_local! {
    static SCRATCH: Cell<Option<Scratch>> = const { Cell::new(None) };
}

/// Every entity of `text`, resolved to one canonical name each, with aliases and mentions.
pub fn find(text: &str, lexicon: &Lexicon) -> Vec<Entity> {
    let mut s = SCRATCH.with(Cell::take).unwrap_or_default();
    let out = find_in(text, lexicon, &mut s);
    if text.len() < KEEP_SCRATCH_BELOW {
        SCRATCH.with(|c| c.set(Some(s)));
    }
    out
}

fn find_in(text: &str, lexicon: &Lexicon, s: &mut Scratch) -> Vec<Entity> {
    s.toks.fill(text);
    let toks = &s.toks;
    if toks.len() == 0 {
        return Vec::new();
    }
    lexicon.scan_into(text, toks, &mut s.memo, &mut s.found, &mut s.hits);
    let (doc, spare) = rules::Doc::with_buffers(
        text,
        toks,
        lexicon,
        &s.hits,
        &s.memo,
        std::mem::take(&mut s.doc),
    );
    let cands = doc.candidates();
    let out = resolve::entities(&doc, cands, &mut s.memo);
    s.doc = doc.into_buffers(spare);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is kept from one text to the next (the lexicon's memo, the readings of tokens by
    /// variant) changes no result: each text read with fresh buffers, then all of them twice
    /// through one set, in turn.
    #[test]
    fn buffers_kept_across_texts_change_nothing() {
        let lex = Lexicon::builtin();
        let mut texts: Vec<String> = vec![
            "لأفيف بن الوالي وإيلا، على علي إلى مؤسسة صحرائه وبالمغرب للجنة".into(),
            "قال علي إن مؤسسته في صحرائها، وزارة الدفاع الوطني F-16 لأحمد".into(),
        ];
        for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds"))
            .expect("seeds")
            .flatten()
        {
            if let Ok(t) = std::fs::read_to_string(e.path()) {
                texts.push(t);
            }
        }
        let alone: Vec<Vec<Entity>> = texts
            .iter()
            .map(|t| find_in(t, &lex, &mut Scratch::default()))
            .collect();
        let mut s = Scratch::default();
        for _ in 0..2 {
            for (t, want) in texts.iter().zip(&alone) {
                assert_eq!(&find_in(t, &lex, &mut s), want);
            }
        }
    }
}
