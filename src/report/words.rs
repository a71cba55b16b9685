//! What changed inside a sentence, word by word: the removed and added sentences of a
//! document paired by likeness, and each pair diffed into the words that stayed, went and
//! came, with only a few words of context kept around each change.
//!
//! Architecture invariant: pure; the renderers (text, email, HTML) dress the pieces.

use similar::{capture_diff_slices, Algorithm, DiffOp};

/// Words kept on each side of a change; the rest of the sentence is `…`.
pub const CONTEXT_WORDS: usize = 4;

/// Two sentences are one edited sentence when at least this share of their words is the same.
const PAIR_RATIO: f32 = 0.5;

/// One sentence's fate in an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentenceEdit<'a> {
    /// An edited sentence: its old and new text.
    Changed {
        old: &'a str,
        new: &'a str,
    },
    Added(&'a str),
    Removed(&'a str),
}

/// A run of words of an edited sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Same(String),
    Removed(String),
    Added(String),
    /// Words left out (more than [`CONTEXT_WORDS`] from any change).
    Elided,
}

fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

fn ratio(a: &[&str], b: &[&str]) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let same: usize = capture_diff_slices(Algorithm::Myers, a, b)
        .iter()
        .map(|op| match op {
            DiffOp::Equal { len, .. } => *len,
            _ => 0,
        })
        .sum();
    2.0 * same as f32 / (a.len() + b.len()) as f32
}

/// The removed and added sentences of a document, each removed one paired with the added one
/// most like it (at least half the same words): edits first, in the order of the removed
/// sentences, then the sentences that only went, then those that only came.
pub fn pair<'a>(removed: &'a [String], added: &'a [String]) -> Vec<SentenceEdit<'a>> {
    let added_words: Vec<Vec<&str>> = added.iter().map(|s| words(s)).collect();
    let mut taken = vec![false; added.len()];
    let mut changed = Vec::new();
    let mut gone = Vec::new();
    for r in removed {
        let rw = words(r);
        let best = added_words
            .iter()
            .enumerate()
            .filter(|(i, _)| !taken[*i])
            .map(|(i, aw)| (i, ratio(&rw, aw)))
            .filter(|(_, q)| *q >= PAIR_RATIO)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, _)) => {
                taken[i] = true;
                changed.push(SentenceEdit::Changed {
                    old: r.as_str(),
                    new: added[i].as_str(),
                });
            }
            None => gone.push(SentenceEdit::Removed(r.as_str())),
        }
    }
    changed.extend(gone);
    changed.extend(
        added
            .iter()
            .zip(&taken)
            .filter(|(_, t)| !**t)
            .map(|(a, _)| SentenceEdit::Added(a.as_str())),
    );
    changed
}

/// The words of `old` → `new`: runs that stayed, went and came, with runs that stayed cut to
/// [`CONTEXT_WORDS`] on each side of a change.
pub fn diff(old: &str, new: &str) -> Vec<Piece> {
    let (a, b) = (words(old), words(new));
    let ops = capture_diff_slices(Algorithm::Patience, &a, &b);
    let last = ops.len().saturating_sub(1);
    let mut out = Vec::new();
    let join = |w: &[&str]| w.join(" ");
    for (n, op) in ops.iter().enumerate() {
        match *op {
            DiffOp::Equal { old_index, len, .. } => {
                let run = &a[old_index..old_index + len];
                let keep_before = if n == 0 { 0 } else { CONTEXT_WORDS };
                let keep_after = if n == last { 0 } else { CONTEXT_WORDS };
                if run.len() <= keep_before + keep_after {
                    out.push(Piece::Same(join(run)));
                    continue;
                }
                if keep_before > 0 {
                    out.push(Piece::Same(join(&run[..keep_before])));
                }
                out.push(Piece::Elided);
                if keep_after > 0 {
                    out.push(Piece::Same(join(&run[run.len() - keep_after..])));
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => out.push(Piece::Removed(join(&a[old_index..old_index + old_len]))),
            DiffOp::Insert {
                new_index, new_len, ..
            } => out.push(Piece::Added(join(&b[new_index..new_index + new_len]))),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                out.push(Piece::Removed(join(&a[old_index..old_index + old_len])));
                out.push(Piece::Added(join(&b[new_index..new_index + new_len])));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edited_number_is_marked_with_a_few_words_around_it() {
        let old = "وأكد المصدر أن الاتفاق رفع حجم المبادلات بين البلدين بنسبة 94% خلال السنة الماضية وفق الأرقام الرسمية";
        let new = old.replace("94%", "84%");
        assert_eq!(
            diff(old, &new),
            vec![
                Piece::Elided,
                Piece::Same("المبادلات بين البلدين بنسبة".into()),
                Piece::Removed("94%".into()),
                Piece::Added("84%".into()),
                Piece::Same("خلال السنة الماضية وفق".into()),
                Piece::Elided,
            ]
        );
    }

    #[test]
    fn sentences_pair_by_likeness() {
        let removed = vec![
            "زار الوزير الرباط في نوفمبر 2021.".to_string(),
            "جملة أخرى تماما.".to_string(),
        ];
        let added = vec![
            "شيء جديد كليا هنا.".to_string(),
            "زار الوزير الرباط في ديسمبر 2021.".to_string(),
        ];
        let p = pair(&removed, &added);
        assert_eq!(
            p,
            vec![
                SentenceEdit::Changed {
                    old: &removed[0],
                    new: &added[1]
                },
                SentenceEdit::Removed(&removed[1]),
                SentenceEdit::Added(&added[0]),
            ]
        );
    }
}
