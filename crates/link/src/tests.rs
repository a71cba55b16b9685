#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use dossier_core::model::{Claim, Mention};

/// A dossier in memory, kept as the store keeps it: keys owned by their first entity, the
/// last words of persons, accords' signatures.
#[derive(Default)]
struct Memory {
    entities: Vec<(Known, Option<AccordSig>)>,
    keys: HashMap<(EntityType, String), EntityId>,
    last_words: Vec<(String, EntityId)>,
}

/// Countries for these tests: a handful of names.
struct Vocab;

impl Vocabulary for Vocab {
    fn is_country(&self, name: &str) -> bool {
        ["المغرب", "إسرائيل", "البحرين", "الأردن"].contains(&name)
    }
    fn is_generic_accord(&self, name: &str) -> bool {
        name.starts_with("مذكرة") || name.starts_with("اتفاق")
    }
}

impl Dossier for Memory {
    type Error = std::convert::Infallible;
    fn find(&mut self, kind: EntityType, key: &str) -> Result<Option<Known>, Self::Error> {
        Ok(self
            .keys
            .get(&(kind, key.to_string()))
            .and_then(|&id| self.entity_of(id)))
    }
    fn entity(&mut self, id: EntityId) -> Result<Option<Known>, Self::Error> {
        Ok(self.entity_of(id))
    }
    fn persons_by_last_word(&mut self, word: &str) -> Result<Vec<Known>, Self::Error> {
        Ok(self
            .last_words
            .iter()
            .filter(|(w, _)| w == word)
            .filter_map(|(_, id)| self.entity_of(*id))
            .collect())
    }
    fn accords_sharing(
        &mut self,
        parties: &[EntityId],
    ) -> Result<Vec<(Known, AccordSig)>, Self::Error> {
        Ok(self
            .entities
            .iter()
            .filter_map(|(k, s)| s.as_ref().map(|s| (k.clone(), s.clone())))
            .filter(|(_, s)| s.parties.iter().any(|p| parties.contains(p)))
            .collect())
    }
}

impl Memory {
    fn entity_of(&self, id: EntityId) -> Option<Known> {
        self.entities
            .iter()
            .find(|(k, _)| k.id == id)
            .map(|(k, _)| k.clone())
    }

    /// Links a document and records the result as the store does; returns the ids.
    fn add(
        &mut self,
        facts: &Extraction,
        previous: Option<Previous<'_>>,
    ) -> (Vec<EntityId>, Linking) {
        let l = link(facts, previous, &Vocab, self).unwrap();
        let mut ids: Vec<EntityId> = Vec::new();
        for (e, link) in facts.entities.iter().zip(&l.links) {
            let id = match link {
                Link::Known(id) => *id,
                Link::Same(_) => 0,
                Link::New => {
                    let id = self.entities.len() as EntityId + 1;
                    self.entities.push((
                        Known {
                            id,
                            kind: e.kind,
                            name: e.name.clone(),
                        },
                        None,
                    ));
                    if let Some(w) = last_word(e) {
                        self.last_words.push((w, id));
                    }
                    id
                }
            };
            ids.push(id);
        }
        for (i, link) in l.links.iter().enumerate() {
            if let Link::Same(j) = link {
                ids[i] = ids[*j];
            }
        }
        for (e, id) in facts.entities.iter().zip(&ids) {
            for k in keys(e, &Vocab) {
                self.keys.entry((e.kind, k)).or_insert(*id);
            }
        }
        for (i, a) in l.accords.iter().enumerate() {
            let Some(a) = a else { continue };
            let mut parties: Vec<EntityId> = a.parties.iter().map(|&j| ids[j]).collect();
            parties.sort_unstable();
            let slot = self
                .entities
                .iter_mut()
                .find(|(k, _)| k.id == ids[i])
                .unwrap();
            if slot.1.is_none() {
                slot.1 = Some(AccordSig {
                    parties,
                    date: a.date.clone(),
                });
            }
        }
        for r in &l.renames {
            let slot = self
                .entities
                .iter_mut()
                .find(|(k, _)| k.id == r.id)
                .unwrap();
            slot.0.name = r.to.clone();
        }
        (ids, l)
    }
}

fn ent(kind: EntityType, name: &str, aliases: &[&str]) -> Entity {
    Entity {
        kind,
        name: name.into(),
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        mentions: vec![Mention { start: 0, end: 1 }],
    }
}

fn person(name: &str) -> Entity {
    ent(EntityType::Person, name, &[])
}

fn place(name: &str) -> Entity {
    ent(EntityType::Location, name, &[])
}

fn event(name: &str) -> Entity {
    ent(EntityType::Event, name, &[])
}

fn agreement(actors: &[&str], date: Option<&str>) -> Claim {
    Claim {
        kind: ClaimType::Agreement,
        actors: actors.iter().map(|s| s.to_string()).collect(),
        date: date.map(String::from),
        quote: String::new(),
        attributed_to: None,
        mentioned: Vec::new(),
        negated: false,
        modality: None,
    }
}

fn doc(entities: Vec<Entity>, claims: Vec<Claim>) -> Extraction {
    Extraction {
        entities,
        claims,
        ..Default::default()
    }
}

#[test]
fn a_person_written_in_another_order_or_spacing_is_the_same_entity() {
    let mut d = Memory::default();
    let (a, _) = d.add(&doc(vec![person("الفاروق بلخير")], vec![]), None);
    let (b, _) = d.add(&doc(vec![person("بلخير الفاروق")], vec![]), None);
    let (c, _) = d.add(&doc(vec![person("محمد بن الوالي")], vec![]), None);
    let (e, _) = d.add(&doc(vec![person("محمد بنوالي")], vec![]), None);
    assert_eq!(a, b);
    assert_eq!(c, e);
    assert_ne!(a, c);
}

#[test]
fn a_surname_alone_links_to_the_one_person_it_ends() {
    let mut d = Memory::default();
    let (full, _) = d.add(&doc(vec![person("بيني غانتس")], vec![]), None);
    let (short, l) = d.add(&doc(vec![person("غانتس")], vec![]), None);
    assert_eq!(full, short);
    assert!(l.renames.is_empty(), "a shorter form renames nothing");
    // Two persons of that surname: the surname alone is no one of them.
    d.add(&doc(vec![person("سارة غانتس")], vec![]), None);
    let (alone, l) = d.add(&doc(vec![person("غانتس")], vec![]), None);
    assert_eq!(
        l.links,
        vec![Link::Known(full[0])],
        "{alone:?}: its key was known"
    );
    let (other, l) = d.add(&doc(vec![person("حداد")], vec![]), None);
    assert_eq!(l.links, vec![Link::New], "{other:?}");
}

#[test]
fn a_fuller_form_renames_the_dossier_entity_once() {
    let mut d = Memory::default();
    let (short, _) = d.add(&doc(vec![person("لوديي")], vec![]), None);
    let (full, l) = d.add(&doc(vec![person("عبد اللطيف لوديي")], vec![]), None);
    assert_eq!(short, full);
    assert_eq!(
        l.renames,
        vec![Rename {
            id: short[0],
            kind: EntityType::Person,
            from: "لوديي".into(),
            to: "عبد اللطيف لوديي".into()
        }]
    );
    // Seen again in full, or short: no rename, same entity.
    let (again, l) = d.add(&doc(vec![person("عبد اللطيف لوديي")], vec![]), None);
    assert_eq!(again, short);
    assert!(l.renames.is_empty());
    assert!(!is_fuller("المغرب", "المملكة المغربية"));
    assert!(
        !is_fuller("المملكة المغربية", "المغرب"),
        "not every word kept"
    );
}

#[test]
fn an_edit_keeps_every_identity_of_the_previous_version() {
    let mut d = Memory::default();
    let v1 = doc(vec![person("بلخير"), place("الرباط")], vec![]);
    let (ids1, _) = d.add(&v1, None);
    // Another document makes "بلخير" ambiguous for a new reader.
    d.add(
        &doc(vec![person("سعيد بلخير"), person("كريم بلخير")], vec![]),
        None,
    );
    let v2 = doc(
        vec![place("الرباط"), ent(EntityType::Person, "بلخير", &[])],
        vec![],
    );
    let (ids2, _) = d.add(
        &v2,
        Some(Previous {
            facts: &v1,
            ids: &ids1,
        }),
    );
    assert_eq!(ids2, vec![ids1[1], ids1[0]]);
}

fn accord_doc(name: &str, parties: &[&str], date: Option<&str>) -> Extraction {
    let mut entities: Vec<Entity> = parties.iter().map(|p| place(p)).collect();
    entities.push(event(name));
    let mut actors: Vec<&str> = parties.to_vec();
    actors.push(name);
    doc(entities, vec![agreement(&actors, date)])
}

#[test]
fn one_accord_in_three_wordings_across_documents_is_one_entity() {
    let mut d = Memory::default();
    let (a, _) = d.add(
        &accord_doc(
            "مذكرة التفاهم الموقعة",
            &["المغرب", "إسرائيل"],
            Some("2021-11"),
        ),
        None,
    );
    let (b, _) = d.add(
        &accord_doc("اتفاقية التعاون العسكري", &["إسرائيل", "المغرب"], None),
        None,
    );
    let (c, _) = d.add(
        &accord_doc("مذكرة التفاهم", &["المغرب", "إسرائيل"], Some("2021")),
        None,
    );
    assert_eq!(a.last(), b.last());
    assert_eq!(a.last(), c.last());
}

#[test]
fn accords_with_other_parties_or_other_dates_stay_apart() {
    let mut d = Memory::default();
    let (a, _) = d.add(
        &accord_doc("مذكرة التفاهم", &["المغرب", "إسرائيل"], Some("2021-11")),
        None,
    );
    let (b, _) = d.add(
        &accord_doc("مذكرة التفاهم", &["البحرين", "إسرائيل"], Some("2022-02")),
        None,
    );
    let (c, _) = d.add(
        &accord_doc("مذكرة التفاهم", &["المغرب", "إسرائيل"], Some("2023-05")),
        None,
    );
    assert_ne!(a.last(), b.last(), "other parties");
    assert_ne!(a.last(), c.last(), "another date");
    assert_ne!(b.last(), c.last());
}

#[test]
fn an_accord_whose_date_moved_in_an_edit_keeps_its_identity() {
    let mut d = Memory::default();
    let v1 = accord_doc("مذكرة التفاهم", &["المغرب", "إسرائيل"], Some("2021-11"));
    let (ids1, _) = d.add(&v1, None);
    let (other, _) = d.add(
        &accord_doc(
            "اتفاق التعاون الأمني",
            &["المغرب", "إسرائيل"],
            Some("2021-11"),
        ),
        None,
    );
    assert_eq!(ids1.last(), other.last());
    let v2 = accord_doc("مذكرة التفاهم", &["المغرب", "إسرائيل"], Some("2022"));
    let (ids2, _) = d.add(
        &v2,
        Some(Previous {
            facts: &v1,
            ids: &ids1,
        }),
    );
    assert_eq!(ids2, ids1);
    // A new document dating it 2022 is another accord.
    let (third, _) = d.add(
        &accord_doc("مذكرة التفاهم", &["المغرب", "إسرائيل"], Some("2022-03")),
        None,
    );
    assert_ne!(third.last(), ids1.last());
}

#[test]
fn a_surname_alone_beside_its_full_name_in_one_document_is_one_entity() {
    let mut d = Memory::default();
    let (ids, l) = d.add(
        &doc(
            vec![person("عراقجي"), person("عباس عراقجي"), person("غانتس")],
            vec![],
        ),
        None,
    );
    assert_eq!(l.links[0], Link::Same(1));
    assert_eq!(ids[0], ids[1]);
    assert_ne!(ids[2], ids[1]);
    // Two persons of that surname in the document: the surname alone is neither.
    let (ids, _) = d.add(
        &doc(
            vec![person("حداد"), person("سمير حداد"), person("ليلى حداد")],
            vec![],
        ),
        None,
    );
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[0], ids[2]);
}

#[test]
fn parties_agree_when_one_list_holds_the_other() {
    assert!(parties_agree(&[1, 2], &[1, 2]));
    assert!(
        parties_agree(&[1, 2], &[1, 2, 3]),
        "a third country named beside them"
    );
    assert!(!parties_agree(&[1, 2], &[1, 3]));
    assert!(
        !parties_agree(&[1], &[1, 2]),
        "one party is too little to tell"
    );
    assert!(parties_agree(&[4], &[4]));
    assert!(!parties_agree(&[], &[]));
}

#[test]
fn keys_of_an_accord_are_its_wording_only() {
    let k = keys(&event("مذكرة التفاهم"), &Vocab);
    assert_eq!(k, vec![format!("{WORDING}مذكره التفاهم")]);
    let k = keys(&person("عبد اللطيف لوديي"), &Vocab);
    assert!(k.contains(&"عبد اللطيف لوديي".to_string()));
    assert!(k.iter().any(|x| x.starts_with(ORDER_FREE)));
    assert!(k.iter().any(|x| x.starts_with(LOOSE)));
}
