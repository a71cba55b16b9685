//! Reads for `dossier history`: an entity by any of its folded names, and the version history
//! of every document.

use rusqlite::params;
use serde::Serialize;

use super::{Store, StoreError};
use dossier_core::model::{EntityType, Extraction};
use dossier_core::text;

/// An entity of the dossier, with every folded form it is known by.
#[derive(Debug, Clone, Serialize)]
pub struct EntityRecord {
    #[serde(skip)]
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: EntityType,
    pub name: String,
    pub aliases: Vec<String>,
    #[serde(skip)]
    pub keys: Vec<String>,
    pub first_seen_in: String,
    pub first_seen_at: String,
}

/// One recorded version of a document; `facts` is `None` for a removal.
#[derive(Debug, Clone)]
pub struct VersionRecord {
    pub path: String,
    pub version: i64,
    pub status: String,
    pub facts: Option<Extraction>,
    /// The dossier id of each entity of `facts`, in order (empty for a version recorded
    /// before linking).
    pub ids: Vec<i64>,
    pub recorded: String,
}

impl Store {
    /// Entities known by `name`, compared in folded form, whatever their type.
    pub fn find_entities(&self, name: &str) -> Result<Vec<EntityRecord>, StoreError> {
        let key = text::key(name);
        let swapped = text::order_free_key(name).unwrap_or_else(|| key.clone());
        self.entities_with_keys(&[key, swapped])
    }

    /// Every lookup key of every entity: (entity id, type, key), keys as `dossier_link::keys`
    /// makes them (folded forms, `~` order-free, `≈` loose, `§` accord wordings).
    pub fn all_entity_keys(&self) -> Result<Vec<(i64, EntityType, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT entity_id, kind, key FROM entity_keys ORDER BY entity_id, rowid")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, key) = row.map_err(|e| self.sql(e))?;
            if let Some(kind) = EntityType::parse(&kind) {
                out.push((id, kind, key));
            }
        }
        Ok(out)
    }

    /// The entities with these ids, in id order.
    pub fn entities_by_id(&self, ids: &[i64]) -> Result<Vec<EntityRecord>, StoreError> {
        let mut out = Vec::new();
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            out.extend(self.entities_where("e.id = ?1", params![id])?);
        }
        Ok(out)
    }

    /// Entities known by any of these lookup keys (exactly as stored), whatever their type.
    pub fn entities_with_keys(&self, keys: &[String]) -> Result<Vec<EntityRecord>, StoreError> {
        let mut out: Vec<EntityRecord> = Vec::new();
        for k in keys {
            for e in self.entities_where(
                "e.id IN (SELECT entity_id FROM entity_keys WHERE key = ?1)",
                params![k],
            )? {
                if !out.iter().any(|x| x.id == e.id) {
                    out.push(e);
                }
            }
        }
        out.sort_by_key(|e| e.id);
        Ok(out)
    }

    fn entities_where(
        &self,
        condition: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<EntityRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT e.id, e.kind, e.name, e.first_seen_in, e.first_seen_at
                 FROM entities e WHERE {condition} ORDER BY e.id"
            ))
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, name, first_seen_in, first_seen_at) = row.map_err(|e| self.sql(e))?;
            let Some(kind) = EntityType::parse(&kind) else {
                continue;
            };
            let mut forms = self
                .conn
                .prepare_cached(
                    "SELECT key, surface FROM entity_keys WHERE entity_id = ?1 ORDER BY rowid",
                )
                .map_err(|e| self.sql(e))?;
            let forms: Vec<(String, Option<String>)> = forms
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.sql(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.sql(e))?;
            let keys = forms.iter().map(|(k, _)| k.clone()).collect();
            let mut aliases: Vec<String> = Vec::new();
            for (_, s) in forms {
                if let Some(s) = s.filter(|s| *s != name && !aliases.contains(s)) {
                    aliases.push(s);
                }
            }
            out.push(EntityRecord {
                id,
                kind,
                name,
                aliases,
                keys,
                first_seen_in,
                first_seen_at,
            });
        }
        Ok(out)
    }

    /// Every version of every document, oldest first.
    pub fn versions(&self) -> Result<Vec<VersionRecord>, StoreError> {
        // `ids` exists from schema 4 on (a read-only command may read an older file).
        let ids = if super::schema::version(&self.conn).map_err(|e| self.sql(e))? >= 4 {
            "ids"
        } else {
            "NULL"
        };
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT path, version, status, facts, recorded, {ids} FROM versions ORDER BY id"
            ))
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (path, version, status, facts, recorded, ids) = row.map_err(|e| self.sql(e))?;
            let ids: Vec<i64> = match ids {
                Some(ids) => self.parse_json(&ids, &format!("ids of {path} v{version}"))?,
                None => Vec::new(),
            };
            let facts = match facts {
                Some(f) => Some(self.parse_json(&f, &format!("facts of {path} v{version}"))?),
                None => None,
            };
            out.push(VersionRecord {
                path,
                version,
                status,
                facts,
                ids,
                recorded,
            });
        }
        Ok(out)
    }
}
