//! Reads of a part of the dossier, for the daemon's reconcile of the paths an event batch names:
//! the stored stat of some paths, and the known entities some names could resolve to. Their
//! memory is the size of the batch, not of the dossier.

use std::collections::BTreeSet;

use rusqlite::{params, OptionalExtension};

use super::{meta_row, Store, StoreError, StoredMeta, META_COLUMNS};
use dossier_core::model::{EntityType, KnownEntities, KnownEntity};

impl Store {
    /// The file facts of one stored document.
    pub fn meta(&self, path: &str) -> Result<Option<StoredMeta>, StoreError> {
        self.conn
            .prepare_cached(&format!("{META_COLUMNS} WHERE path = ?1"))
            .map_err(|e| self.sql(e))?
            .query_row([path], meta_row)
            .optional()
            .map(|o| o.map(|(_, m)| m))
            .map_err(|e| self.sql(e))
    }

    /// The file facts of every stored document under the folder `dir` (a stored key without
    /// the trailing `/`), by path order. Keys are compared as bytes, and `0` follows `/`, so
    /// `[dir/, dir0)` is exactly what starts with `dir/`.
    pub fn meta_under(&self, dir: &str) -> Result<Vec<(String, StoredMeta)>, StoreError> {
        let from = format!("{dir}/");
        let to = format!("{dir}0");
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{META_COLUMNS} WHERE path >= ?1 AND path < ?2 ORDER BY path"
            ))
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![from, to], meta_row)
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// The part of [`Store::known_entities`] whose name or one of whose surface forms `wanted`
    /// accepts: each such entity whole (name and every alias), in the same order (by id). The
    /// rows are streamed, so memory is the size of the answer; the time is one pass over the
    /// entity tables, as for the whole view.
    pub fn known_entities_where(
        &self,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<KnownEntities, StoreError> {
        let mut ids: BTreeSet<i64> = BTreeSet::new();
        let mut names = self
            .conn
            .prepare_cached("SELECT id, name FROM entities")
            .map_err(|e| self.sql(e))?;
        let mut rows = names.query([]).map_err(|e| self.sql(e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let name = r.get_ref(1).map_err(|e| self.sql(e))?;
            if wanted(name.as_str().unwrap_or_default()) {
                ids.insert(r.get(0).map_err(|e| self.sql(e))?);
            }
        }
        let mut surfaces = self
            .conn
            .prepare_cached("SELECT entity_id, surface FROM entity_keys WHERE surface IS NOT NULL")
            .map_err(|e| self.sql(e))?;
        let mut rows = surfaces.query([]).map_err(|e| self.sql(e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let surface = r.get_ref(1).map_err(|e| self.sql(e))?;
            if wanted(surface.as_str().unwrap_or_default()) {
                ids.insert(r.get(0).map_err(|e| self.sql(e))?);
            }
        }
        let mut entity = self
            .conn
            .prepare_cached("SELECT kind, name FROM entities WHERE id = ?1")
            .map_err(|e| self.sql(e))?;
        let mut aliases = self
            .conn
            .prepare_cached(
                "SELECT surface FROM entity_keys WHERE entity_id = ?1 AND surface IS NOT NULL",
            )
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row = entity
                .query_row([id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .optional()
                .map_err(|e| self.sql(e))?;
            // The same rules as the whole view: an unknown kind is skipped, an alias kept once.
            let Some((kind, name)) = row else { continue };
            let Some(kind) = EntityType::parse(&kind) else {
                continue;
            };
            let mut e = KnownEntity {
                kind,
                name,
                aliases: Vec::new(),
            };
            let rows = aliases
                .query_map([id], |r| r.get::<_, String>(0))
                .map_err(|e| self.sql(e))?;
            for surface in rows {
                let surface = surface.map_err(|e| self.sql(e))?;
                if surface != e.name && !e.aliases.contains(&surface) {
                    e.aliases.push(surface);
                }
            }
            out.push(e);
        }
        Ok(KnownEntities::new(out))
    }
}
