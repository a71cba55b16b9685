//! The compiled-in word lists (gazetteer, titles, cue words) the entity finder uses.

/// Word lists loaded from `data/` at compile time.
#[derive(Debug, Default)]
pub struct Lexicon {}

impl Lexicon {
    /// The lists shipped with dossier.
    pub fn builtin() -> Self {
        Lexicon {}
    }
}
