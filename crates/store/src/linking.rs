//! The dossier's entities as the linking stage sees them and records its decisions: the
//! lookup keys of each entity (`entity_keys`), persons by the last word of their name
//! (`entity_words`), accords by their parties (`accord_parties`), and the link of
//! each entity of each current document (`links`, `entity_docs`).

use rusqlite::{params, OptionalExtension};

use super::{Batch, Store, StoreError};
use dossier_core::model::{Claim, EntityType, Extraction};
use dossier_core::report::{NewEntity, Renamed};
use dossier_core::vocab::Vocabulary;
use dossier_link::{AccordSig, Dossier, EntityId, Known, Link, Linking};

/// What the store's side of linking adds to [`dossier_link::RULE`]: keys and ids are made
/// again when either changes (see `meta.facts_rule`).
pub const STORE_LINK_RULE: &str = "1";

/// What recording a document's links did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// The dossier id of each entity of the document, in order.
    pub ids: Vec<EntityId>,
    /// Entities the dossier had never seen.
    pub new_entities: Vec<NewEntity>,
    /// Dossier entities that took a fuller name.
    pub renamed: Vec<Renamed>,
}

fn known_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

fn known((id, kind, name): (i64, String, String)) -> Option<Known> {
    EntityType::parse(&kind).map(|kind| Known { id, kind, name })
}

impl Dossier for &Batch<'_> {
    type Error = StoreError;

    fn find(&mut self, kind: EntityType, key: &str) -> Result<Option<Known>, StoreError> {
        let row = self
            .row(
                "SELECT e.id, e.kind, e.name FROM entity_keys k JOIN entities e ON e.id = k.entity_id
                 WHERE k.kind = ?1 AND k.key = ?2",
                params![kind.as_str(), key],
                known_row,
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        Ok(row.and_then(known))
    }

    fn entity(&mut self, id: EntityId) -> Result<Option<Known>, StoreError> {
        let row = self
            .row(
                "SELECT id, kind, name FROM entities WHERE id = ?1",
                [id],
                known_row,
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        Ok(row.and_then(known))
    }

    fn persons_by_last_word(&mut self, word: &str) -> Result<Vec<Known>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT e.id, e.kind, e.name FROM entity_words w JOIN entities e ON e.id = w.entity_id
                 WHERE w.word = ?1 ORDER BY e.id LIMIT 3",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt.query_map([word], known_row).map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(k) = known(r.map_err(|e| self.sql(e))?) {
                out.push(k);
            }
        }
        Ok(out)
    }

    fn accords_sharing(
        &mut self,
        parties: &[EntityId],
    ) -> Result<Vec<(Known, AccordSig)>, StoreError> {
        let mut ids: Vec<EntityId> = Vec::new();
        {
            let mut stmt = self
                .tx
                .prepare_cached("SELECT entity_id FROM accord_parties WHERE party = ?1")
                .map_err(|e| self.sql(e))?;
            for p in parties {
                let rows = stmt.query_map([p], |r| r.get(0)).map_err(|e| self.sql(e))?;
                for id in rows {
                    ids.push(id.map_err(|e| self.sql(e))?);
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::new();
        for id in ids {
            let row = self
                .row(
                    "SELECT id, kind, name, accord_date FROM entities WHERE id = ?1",
                    [id],
                    |r| Ok((known_row(r)?, r.get::<_, Option<String>>(3)?)),
                )
                .optional()
                .map_err(|e| self.sql(e))?;
            let Some((row, date)) = row else { continue };
            let Some(k) = known(row) else { continue };
            let mut stmt = self
                .tx
                .prepare_cached(
                    "SELECT party FROM accord_parties WHERE entity_id = ?1 ORDER BY party",
                )
                .map_err(|e| self.sql(e))?;
            let rows = stmt
                .query_map([id], |r| r.get(0))
                .map_err(|e| self.sql(e))?;
            let parties = rows
                .collect::<Result<Vec<EntityId>, _>>()
                .map_err(|e| self.sql(e))?;
            out.push((k, AccordSig { parties, date }));
        }
        Ok(out)
    }
}

impl Batch<'_> {
    /// Links the entities of `facts` (a document's new current facts at `path`) to the
    /// dossier, given its previous version if it had one (`previous`: its facts and ids).
    pub fn link(
        &self,
        facts: &Extraction,
        previous: Option<(&Extraction, &[EntityId])>,
        vocab: &dyn Vocabulary,
    ) -> Result<Linking, StoreError> {
        let previous = previous.map(|(facts, ids)| dossier_link::Previous { facts, ids });
        let mut me = self;
        dossier_link::link(facts, previous, vocab, &mut me)
    }

    /// Records the linker's decisions for the document at `path`: new dossier entities, the
    /// lookup keys of every entity, accords' parties and dates, renames, and the document's
    /// links (replacing those it had).
    pub fn apply_links(
        &self,
        path: &str,
        facts: &Extraction,
        linking: &Linking,
        vocab: &dyn Vocabulary,
        now: &str,
    ) -> Result<Applied, StoreError> {
        for sql in [
            "DELETE FROM entity_docs WHERE path = ?1",
            "DELETE FROM links WHERE path = ?1",
        ] {
            self.exec(sql, [path]).map_err(|e| self.sql(e))?;
        }
        let mut out = Applied::default();
        // Ids first: the new entities, in order, then those the same as one of them.
        let mut ids: Vec<Option<EntityId>> = Vec::with_capacity(facts.entities.len());
        for (e, link) in facts.entities.iter().zip(&linking.links) {
            ids.push(match link {
                Link::Known(id) => Some(*id),
                Link::Same(_) => None,
                Link::New => {
                    self.exec(
                        "INSERT INTO entities (kind, name, first_seen_in, first_seen_at)
                             VALUES (?1, ?2, ?3, ?4)",
                        params![e.kind.as_str(), e.name, path, now],
                    )
                    .map_err(|e| self.sql(e))?;
                    out.new_entities.push(NewEntity {
                        kind: e.kind,
                        name: e.name.clone(),
                        first_seen_in: path.to_string(),
                    });
                    let id = self.tx.last_insert_rowid();
                    if let Some(w) = dossier_link::last_word(e) {
                        self.exec(
                            "INSERT OR IGNORE INTO entity_words (word, entity_id) VALUES (?1, ?2)",
                            params![w, id],
                        )
                        .map_err(|e| self.sql(e))?;
                    }
                    Some(id)
                }
            });
        }
        let resolved: Vec<EntityId> = linking
            .links
            .iter()
            .enumerate()
            .map(|(i, link)| match link {
                Link::Same(j) => ids.get(*j).copied().flatten(),
                _ => ids.get(i).copied().flatten(),
            })
            .map(|id| id.unwrap_or_default())
            .collect();
        for (e, &id) in facts.entities.iter().zip(&resolved) {
            let surfaces = std::iter::once(&e.name).chain(&e.aliases);
            let keys = dossier_link::keys(e, vocab);
            // A form's own key keeps the surface it came from, for `show entities`.
            for k in &keys {
                // An accord's wording key carries a mark before the folded form.
                let bare = k.strip_prefix(dossier_link::WORDING).unwrap_or(k);
                let surface = surfaces
                    .clone()
                    .find(|s| dossier_core::text::key(s) == bare);
                self.exec(
                    "INSERT OR IGNORE INTO entity_keys (kind, key, entity_id, surface)
                         VALUES (?1, ?2, ?3, ?4)",
                    params![e.kind.as_str(), k, id, surface],
                )
                .map_err(|e| self.sql(e))?;
            }
            self.exec(
                "INSERT OR IGNORE INTO entity_docs (entity_id, path) VALUES (?1, ?2)",
                params![id, path],
            )
            .map_err(|e| self.sql(e))?;
            out.ids.push(id);
        }
        for (ord, id) in out.ids.iter().enumerate() {
            self.exec(
                "INSERT INTO links (path, ord, entity_id) VALUES (?1, ?2, ?3)",
                params![path, ord as i64, id],
            )
            .map_err(|e| self.sql(e))?;
        }
        // Accords: the first document to name one gives its parties; a date, when it had none.
        for (i, a) in linking.accords.iter().enumerate() {
            let (Some(a), Some(&id)) = (a, out.ids.get(i)) else {
                continue;
            };
            let mut parties: Vec<EntityId> = a
                .parties
                .iter()
                .filter_map(|&j| out.ids.get(j).copied())
                .collect();
            parties.sort_unstable();
            parties.dedup();
            let has: Option<i64> = self
                .row(
                    "SELECT party FROM accord_parties WHERE entity_id = ?1 LIMIT 1",
                    [id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.sql(e))?;
            if has.is_none() {
                for p in &parties {
                    self.exec(
                        "INSERT OR IGNORE INTO accord_parties (party, entity_id) VALUES (?1, ?2)",
                        params![p, id],
                    )
                    .map_err(|e| self.sql(e))?;
                }
            }
            self.exec(
                "UPDATE entities SET accord_date = COALESCE(accord_date, ?2) WHERE id = ?1",
                params![id, a.date],
            )
            .map_err(|e| self.sql(e))?;
        }
        for r in &linking.renames {
            self.exec(
                "UPDATE entities SET name = ?2 WHERE id = ?1",
                params![r.id, r.to],
            )
            .map_err(|e| self.sql(e))?;
            out.renamed.push(Renamed {
                kind: r.kind,
                from: r.from.clone(),
                to: r.to.clone(),
            });
        }
        Ok(out)
    }

    /// Replaces the claims of the document at `path` with `claims`, each with its key and the
    /// accord it names, if any (one per claim: `dossier_diff::claim_ids`).
    pub fn put_claims(
        &self,
        path: &str,
        claims: &[Claim],
        ids: &[(String, Option<String>)],
    ) -> Result<(), StoreError> {
        self.exec("DELETE FROM claims WHERE path = ?1", [path])
            .map_err(|e| self.sql(e))?;
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO claims (path, claim_key, claim, event) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(|e| self.sql(e))?;
        for (c, (key, event)) in claims.iter().zip(ids) {
            stmt.execute(params![path, key, self.json(c), event])
                .map_err(|e| self.sql(e))?;
        }
        Ok(())
    }

    /// Forgets every entity, key, link and claim: the start of a rebuild of the dossier from
    /// the stored documents ([`Store::facts_rule`]). Documents and their history stay.
    pub fn clear_dossier(&self) -> Result<(), StoreError> {
        self.tx
            .execute_batch(
                "DELETE FROM links; DELETE FROM entity_docs; DELETE FROM entity_keys;
                 DELETE FROM entity_words; DELETE FROM accord_parties; DELETE FROM claims;
                 DELETE FROM entities;",
            )
            .map_err(|e| self.sql(e))
    }

    /// Replaces a document's facts (same text, made again by a newer extractor), without a
    /// new version.
    pub fn replace_facts(&self, path: &str, facts: &Extraction) -> Result<(), StoreError> {
        self.exec(
            "UPDATE documents SET facts = ?2 WHERE path = ?1",
            params![path, self.json(facts)],
        )
        .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Stored documents after `after` in the order they were first seen (then path), at most
    /// `limit`: (path, text, first seen). For a rebuild, a chunk at a time.
    pub fn texts_in_order(
        &self,
        after: Option<(&str, &str)>,
        limit: usize,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let (seen, path) = after.unwrap_or(("", ""));
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT path, text, first_seen FROM documents
                 WHERE (first_seen, path) > (?1, ?2) ORDER BY first_seen, path LIMIT ?3",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![seen, path, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Records the rule the stored facts, links and claim keys were made by.
    pub fn set_facts_rule(&self, rule: &str) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO meta (key, value) VALUES ('facts_rule', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [rule],
        )
        .map_err(|e| self.sql(e))?;
        Ok(())
    }
}

impl Store {
    /// The rule the stored facts, links and claim keys were made by (`None`: a database made
    /// before linking, or a new one). A pipeline whose rule differs makes them again from the
    /// stored texts before it records anything.
    pub fn facts_rule(&self) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = 'facts_rule'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql(e))
    }
}
