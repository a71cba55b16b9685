//! Reads of a part of the dossier, for the daemon's reconcile of the paths an event batch names:
//! the stored stat of some paths, and the known entities some names could resolve to. Their
//! memory is the size of the batch, not of the dossier.

use rusqlite::{params, OptionalExtension};

use super::{meta_row, Store, StoreError, StoredMeta, META_COLUMNS};

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
}
