//! What the language data says of a name, for the stages after extraction.
//!
//! Linking and claim identity need to know a little of the words: which entities are
//! countries (an accord is identified by its parties), and which accord names are only
//! descriptions (`مذكرة التفاهم`, `اتفاق التعاون الأمني`) rather than names of their own
//! (`اتفاقيات أبراهام`). That knowledge lives in the extractor's word lists; those stages see
//! it only through this trait, so they depend on no extractor.

/// Questions about names, answered from a language's word lists.
pub trait Vocabulary: Send + Sync {
    /// `name` (any spelling the folding merges) is a country.
    fn is_country(&self, name: &str) -> bool;
    /// `name` names an accord (memorandum, agreement, treaty) only by its kind and domain,
    /// with no proper name: many documents name one accord so, and different accords too.
    fn is_generic_accord(&self, name: &str) -> bool;
}

/// Knows no country and no accord: every name is its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVocabulary;

impl Vocabulary for NoVocabulary {
    fn is_country(&self, _: &str) -> bool {
        false
    }
    fn is_generic_accord(&self, _: &str) -> bool {
        false
    }
}
