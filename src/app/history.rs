//! `dossier history NAME`: one entity over time. Built from the version history in the store:
//! where it first appeared, every version of every document that mentions it, the claims it
//! takes part in, and what changed in them, oldest first.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::diff::{self, ClaimDelta, Linked};
use crate::model::{Claim, Extraction};
use crate::report::{self, Label, Lang, Noun, Style};
use crate::store::{EntityRecord, VersionRecord};
use crate::text;
use dossier_core::vocab::Vocabulary;

/// One step of an entity's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub time: String,
    pub document: String,
    pub version: i64,
    pub status: String,
    /// Whether this version mentions the entity (false: it stopped mentioning it).
    pub mentioned: bool,
    /// The claims involving the entity that this version added, removed or changed.
    pub claims: ClaimDelta,
}

#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub entity: EntityRecord,
    /// Documents that mention it now.
    pub documents: Vec<String>,
    pub timeline: Vec<Step>,
}

/// One version's facts with the dossier ids of its entities.
#[derive(Clone, Default)]
struct Seen {
    facts: Extraction,
    ids: Vec<i64>,
}

/// Whether entity `i` of a version is the dossier entity: by id where the version has its
/// links, else by any folded form.
fn is_it(v: &Seen, i: usize, e: &EntityRecord) -> bool {
    match v.ids.get(i) {
        Some(&id) => id == e.id,
        None => v.facts.entities.get(i).is_some_and(|x| {
            let known = |n: &String| e.keys.contains(&text::key(n));
            x.kind == e.kind && (known(&x.name) || x.aliases.iter().any(known))
        }),
    }
}

/// The entity's part of a version: whether it is mentioned, and the claims it is in (with
/// the version's entities and ids, so that they compare by identity).
fn involvement(v: &Seen, e: &EntityRecord) -> (bool, Seen) {
    let mine: Vec<usize> = (0..v.facts.entities.len())
        .filter(|&i| is_it(v, i, e))
        .collect();
    let names: Vec<String> = mine
        .iter()
        .filter_map(|&i| v.facts.entities.get(i))
        .map(|x| text::key(&x.name))
        .collect();
    let claims: Vec<Claim> = v
        .facts
        .claims
        .iter()
        .filter(|c| c.actors.iter().any(|a| names.contains(&text::key(a))))
        .cloned()
        .collect();
    let part = Seen {
        facts: Extraction {
            entities: v.facts.entities.clone(),
            claims,
            ..Default::default()
        },
        ids: v.ids.clone(),
    };
    (!mine.is_empty(), part)
}

/// Builds the timeline of `entity` from every recorded version, oldest first.
pub fn timeline(
    entity: EntityRecord,
    versions: &[VersionRecord],
    vocab: &dyn Vocabulary,
) -> History {
    let mut last: HashMap<&str, Seen> = HashMap::new();
    let mut steps = Vec::new();
    for v in versions {
        let before = last.get(v.path.as_str()).cloned().unwrap_or_default();
        let (was, before_part) = involvement(&before, &entity);
        let now = Seen {
            facts: v.facts.clone().unwrap_or_default(),
            ids: v.ids.clone(),
        };
        let (is, part) = involvement(&now, &entity);
        if is || was {
            steps.push(Step {
                time: v.recorded.clone(),
                document: v.path.clone(),
                version: v.version,
                status: v.status.clone(),
                mentioned: is,
                claims: diff::diff_claims(
                    &Linked::new(&before_part.facts, &before_part.ids),
                    &Linked::new(&part.facts, &part.ids),
                    vocab,
                ),
            });
        }
        match &v.facts {
            Some(_) => last.insert(v.path.as_str(), now),
            None => last.remove(v.path.as_str()),
        };
    }
    let mut documents: Vec<String> = last
        .iter()
        .filter(|(_, f)| involvement(f, &entity).0)
        .map(|(p, _)| p.to_string())
        .collect();
    documents.sort();
    History {
        entity,
        documents,
        timeline: steps,
    }
}

/// What a name typed by an analyst finds.
#[derive(Debug)]
pub enum Lookup {
    /// The entities it names (several when one name is, say, a place and an organization).
    Found(Vec<EntityRecord>),
    /// A partial name (a surname, a transliteration) that fits several entities: the analyst
    /// picks one.
    Candidates(Vec<EntityRecord>),
    NotFound,
}

/// The folded keys a name is stored under: as written, order-free, loose.
fn lookup_keys(name: &str) -> Vec<String> {
    let mut keys = vec![text::key(name)];
    keys.extend(text::order_free_key(name));
    let loose = text::loose_key(name);
    if !loose.is_empty() {
        keys.push(format!("{}{loose}", dossier_link::LOOSE));
    }
    keys
}

/// A stored key's words as written (`None` for the derived keys: order-free, loose, wording).
fn plain(key: &str) -> Option<&str> {
    let derived = [
        dossier_link::ORDER_FREE,
        dossier_link::LOOSE,
        dossier_link::WORDING,
    ];
    (!key.starts_with(derived)).then_some(key)
}

/// Finds the dossier entity an analyst means by `name`, trying in order: the name as stored
/// (any spelling met, word order, spacing and doubled letters: `عبداللطيف لوديي`); a spelling
/// listed in `[aliases]` (`Gantz`); the name without a title before it, as the extractor reads
/// it (`الوزير بيني غانتس`); its transliteration variants (`بيني جانتس`, `غانتز`); and a
/// surname alone (`لوديي`), which finds a person only when one person has it, and offers
/// the candidates otherwise. The first step that finds something answers.
pub fn lookup(
    store: &crate::store::Store,
    name: &str,
    aliases: &[(String, String)],
    extractor: &dyn crate::extract::Extractor,
) -> Result<Lookup, crate::store::StoreError> {
    let direct = store.entities_with_keys(&lookup_keys(name))?;
    if !direct.is_empty() {
        return Ok(Lookup::Found(direct));
    }
    // `[aliases]`: the spelling itself, or its last word (a surname of a Latin alias).
    let k = text::key(name);
    let t = text::translit_key(name);
    let listed: Vec<&str> = aliases
        .iter()
        .filter(|(_, spelling)| {
            let sk = text::key(spelling);
            sk == k || text::translit_key(spelling) == t || sk.rsplit(' ').next() == Some(&k)
        })
        .map(|(n, _)| n.as_str())
        .collect();
    let mut found = Vec::new();
    for n in &listed {
        for e in store.entities_with_keys(&lookup_keys(n))? {
            if !found.iter().any(|x: &EntityRecord| x.id == e.id) {
                found.push(e);
            }
        }
    }
    if !found.is_empty() {
        return Ok(Lookup::Found(found));
    }
    // A title before the name: the extractor drops it, as it does in documents.
    let facts = extractor.extract(name);
    let mut bare: Vec<String> = Vec::new();
    for e in &facts.entities {
        for f in std::iter::once(&e.name).chain(&e.aliases) {
            if text::key(f) != k && !bare.contains(f) {
                bare.push(f.clone());
            }
        }
    }
    let mut found = Vec::new();
    for b in &bare {
        for e in store.entities_with_keys(&lookup_keys(b))? {
            if !found.iter().any(|x: &EntityRecord| x.id == e.id) {
                found.push(e);
            }
        }
    }
    if !found.is_empty() {
        return Ok(Lookup::Found(found));
    }
    // Transliterations, then a surname alone: every stored form compared.
    let queries: Vec<String> = std::iter::once(name.to_string()).chain(bare).collect();
    let wanted: Vec<String> = queries.iter().map(|q| text::translit_key(q)).collect();
    let keys = store.all_entity_keys()?;
    let mut ids: Vec<i64> = keys
        .iter()
        .filter_map(|(id, _, key)| plain(key).map(|p| (id, p)))
        .filter(|(_, p)| wanted.contains(&text::translit_key(p)))
        .map(|(id, _)| *id)
        .collect();
    if ids.is_empty() {
        let surnames: Vec<&String> = queries
            .iter()
            .zip(&wanted)
            .filter(|(q, _)| !text::key(q).contains(' '))
            .map(|(_, w)| w)
            .collect();
        ids = keys
            .iter()
            .filter(|(_, kind, _)| *kind == crate::model::EntityType::Person)
            .filter_map(|(id, _, key)| plain(key).map(|p| (id, p)))
            .filter(|(_, p)| {
                p.contains(' ')
                    && p.rsplit(' ')
                        .next()
                        .is_some_and(|last| surnames.contains(&&text::translit_key(last)))
            })
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > 1 {
            return Ok(Lookup::Candidates(store.entities_by_id(&ids)?));
        }
    }
    if ids.is_empty() {
        return Ok(Lookup::NotFound);
    }
    let found = store.entities_by_id(&ids)?;
    Ok(if found.len() > 1 {
        Lookup::Candidates(found)
    } else {
        Lookup::Found(found)
    })
}

/// The candidates of a partial name, one a line, for the analyst to pick from.
pub fn render_candidates(name: &str, found: &[EntityRecord], st: Style) -> String {
    let lang = st.lang;
    let mut out = match lang {
        Lang::En => format!(
            "`{}` fits {}; give one of these names:\n",
            st.text(name),
            lang.count(found.len(), Noun::Entity)
        ),
        Lang::Ar => format!(
            "`{}` يطابق {}؛ اختر أحد هذه الأسماء:\n",
            st.text(name),
            lang.count(found.len(), Noun::Entity)
        ),
    };
    for e in found {
        let _ = writeln!(
            out,
            "  {} {} — {} {}",
            lang.entity_type(e.kind),
            st.text(&e.name),
            lang.label(Label::FirstSeenIn),
            st.ltr(&e.first_seen_in)
        );
    }
    out
}

/// The timeline for a person at a terminal.
pub fn render(h: &History, st: Style) -> String {
    let lang = st.lang;
    let e = &h.entity;
    let mut out = format!("{} {}", lang.entity_type(e.kind), st.text(&e.name));
    if !e.aliases.is_empty() {
        let aliases: Vec<String> = e.aliases.iter().map(|a| st.text(a)).collect();
        let _ = write!(
            out,
            " ({}: {})",
            lang.label(Label::AlsoWritten),
            aliases.join(lang.comma())
        );
    }
    let _ = writeln!(
        out,
        "\n{} {} — {}",
        lang.label(Label::FirstSeen),
        st.ltr(&e.first_seen_at),
        st.ltr(&e.first_seen_in)
    );
    let _ = writeln!(
        out,
        "{} {}",
        lang.label(Label::MentionedIn),
        lang.count(h.documents.len(), Noun::Document)
    );
    for s in &h.timeline {
        let what = if s.mentioned {
            status_word(lang, &s.status).to_string()
        } else {
            lang.label(Label::NoLongerMentions).to_string()
        };
        let _ = writeln!(
            out,
            "{}  {} {} {}  {what}",
            st.ltr(&s.time),
            st.ltr(&s.document),
            lang.label(Label::Version),
            st.ltr(&s.version.to_string()),
        );
        for c in &s.claims.added {
            let _ = writeln!(out, "    + {}", report::claim_sentence(c, st));
        }
        for c in &s.claims.changed {
            let _ = writeln!(
                out,
                "    ~ {}: {}",
                report::claim_head(&c.after, st),
                report::claim_moves(c, st)
            );
        }
        for c in &s.claims.removed {
            let _ = writeln!(out, "    - {}", report::claim_sentence(c, st));
        }
    }
    out
}

/// A version's status word (`added`, …) in `lang`.
pub fn status_word(lang: Lang, status: &str) -> &str {
    use crate::diff::DocStatus;
    match status {
        "added" => lang.status(DocStatus::Added),
        "modified" => lang.status(DocStatus::Modified),
        "renamed" => lang.status(DocStatus::Renamed),
        "removed" => lang.status(DocStatus::Removed),
        other => other,
    }
}
