//! Finds named entities (people, organizations, places, equipment, events) in Arabic text.
//!
//! Pipeline: `tokens` splits the text into words with folded keys and byte offsets; the
//! [`Lexicon`] index marks every known word (gazetteer names, titles, heads, cue verbs,
//! function words) with the clitics in front of it; `rules` turns those marks into candidate
//! mentions (gazetteer names, organization and event phrases built from their heads, people
//! found by titles, verbs of saying, given names and apposition); `resolve` groups the
//! mentions into entities with one canonical name each.
//!
//! Architecture invariant: pure functions of the text, the lexicon and the known entities; no
//! IO, no panics on any input; every mention is a byte range on char boundaries of the text.

pub(crate) mod resolve;
pub(crate) mod rules;
pub(crate) mod tokens;

use super::lexicon::Lexicon;
use crate::model::{Entity, KnownEntities};

/// Every entity of `text`, resolved to one canonical name each, with aliases and mentions.
pub fn find(text: &str, lexicon: &Lexicon, known: &KnownEntities) -> Vec<Entity> {
    let toks = tokens::Tokens::new(text);
    if toks.len() == 0 {
        return Vec::new();
    }
    let hits = lexicon.scan(text, &toks);
    let doc = rules::Doc::new(text, &toks, lexicon, &hits);
    let cands = doc.candidates();
    resolve::entities(&doc, cands, known)
}
