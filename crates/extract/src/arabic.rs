//! The default extractor for Arabic news prose: wires the entity, date, quantity and claim
//! finders together into one [`Extraction`].

use super::dates::tokens::Tokens;
use super::lexicon::Lexicon;
use super::{claims, dates, entities, quantities, Extractor};
use dossier_core::model::Extraction;

/// Rule- and lexicon-based extractor; holds its compiled word lists, built once.
pub struct ArabicExtractor {
    lexicon: Lexicon,
}

impl ArabicExtractor {
    pub fn new() -> Self {
        ArabicExtractor {
            lexicon: Lexicon::builtin(),
        }
    }
}

impl Default for ArabicExtractor {
    fn default() -> Self {
        Self::new()
    }
}

impl Extractor for ArabicExtractor {
    fn rules(&self) -> &str {
        super::RULES
    }

    fn extract(&self, text: &str) -> Extraction {
        let mut entities = entities::find(text, &self.lexicon);
        // One tokenization and one date pass, shared by the date, quantity and claim finders.
        let tokens = Tokens::new(text);
        let date_matches = dates::find_in(&tokens);
        // Accords named by their kind alike, with other parties or dates: other accords.
        super::accords::separate(text, &mut entities, &date_matches);
        let quantity_matches = quantities::find_in(text, &tokens, &date_matches);
        let claims = claims::find_in(text, &tokens, &entities, &date_matches);
        let mut dates: Vec<String> = date_matches.into_iter().map(|d| d.value).collect();
        dates.sort();
        dates.dedup();
        let mut quantities: Vec<String> = Vec::new();
        for q in quantity_matches {
            if !quantities.contains(&q.value) {
                quantities.push(q.value);
            }
        }
        Extraction {
            entities,
            dates,
            quantities,
            claims,
        }
    }
}
