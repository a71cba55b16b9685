//! Development harness: prints `dossier extract --format json` lines for the files given,
//! using the library directly (for scoring the extractor before the CLI is wired).

use dossier::extract::{ArabicExtractor, Extractor};
use dossier::model::KnownEntities;

fn main() {
    let ex = ArabicExtractor::new();
    for path in std::env::args().skip(1) {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let x = ex.extract(
            text.trim_start_matches('\u{feff}'),
            &KnownEntities::default(),
        );
        let mut v = serde_json::to_value(&x).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("doc".into(), serde_json::Value::String(path.clone()));
        }
        println!("{v}");
    }
}
