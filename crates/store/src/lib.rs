//! The state store: one SQLite file holding every document's current version, the facts of
//! each version, the dossier's entity index, and the outbox of alerts.
//!
//! Architecture invariants:
//! - A document's new state and the alert that reports it are written in one transaction
//!   ([`Batch`]); channels only read the outbox. A crash between the two cannot lose an alert.
//! - A delivery is marked done per channel only after that channel accepted it, under a lease,
//!   so two processes (a `retry` beside the daemon) never send the same alert at once.
//! - Read-only commands open the file read-only and never create it.

mod guard;
mod history;
mod linking;
mod lock;
mod marks;
mod outbox;
mod partial;
mod schema;

pub use history::{EntityRecord, VersionRecord};
pub use linking::{Applied, STORE_LINK_RULE};
pub use lock::{LockError, StateLock};
pub use marks::{After, Mark};
pub use outbox::{Delivery, OutboxRow, StoredAlert};

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};

use dossier_core::model::{Claim, EntityType, Extraction};

/// Errors of the state store. Each names the database file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the state directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the state database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the state database {path} has schema version {found}, newer than this dossier knows ({known}); upgrade dossier")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the state database {path} failed: {source}")]
    Sql {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the state database {path} holds unreadable data ({what}): {source}")]
    Corrupt {
        path: PathBuf,
        what: String,
        source: serde_json::Error,
    },
    /// A file where the state should be that would have been taken as a new, empty state.
    #[error("the state database {path} {what}: it looks empty or is not a dossier state; move it away or pass --init")]
    NotAState { path: PathBuf, what: String },
    #[error("cannot look at the state database {path}: {source}")]
    Inspect {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the state database {path} is damaged (SQLite, {check}: {problems}); restore it from a backup, or move it away and pass --init to start again")]
    Damaged {
        path: PathBuf,
        check: &'static str,
        problems: String,
    },
}

/// The cheap per-file facts used to skip unchanged files without reading them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMeta {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
    pub content_hash: String,
    pub norm_hash: String,
    /// When the stat above was taken (ns since the epoch), for the racy-timestamp rule.
    pub scanned_ns: i64,
}

/// The file facts of every stored document, sorted by path: looked up by binary search.
/// A re-check of a large unchanged folder is little more than these lookups, and a sorted
/// list read in index order costs no hashing and one allocation per path.
#[derive(Debug, Clone, Default)]
pub struct StoredMetas(Vec<(String, StoredMeta)>);

impl StoredMetas {
    /// From rows in any order.
    pub fn new(mut rows: Vec<(String, StoredMeta)>) -> StoredMetas {
        if !rows.is_sorted_by(|a, b| a.0 <= b.0) {
            rows.sort_by(|a, b| a.0.cmp(&b.0));
        }
        StoredMetas(rows)
    }

    pub fn get(&self, path: &str) -> Option<&StoredMeta> {
        self.0
            .binary_search_by(|(p, _)| p.as_str().cmp(path))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn get_mut(&mut self, path: &str) -> Option<&mut StoredMeta> {
        self.0
            .binary_search_by(|(p, _)| p.as_str().cmp(path))
            .ok()
            .map(|i| &mut self.0[i].1)
    }

    /// The stored paths, in order.
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(p, _)| p)
    }

    /// Every (path, facts), in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &StoredMeta)> {
        self.0.iter().map(|(p, m)| (p, m))
    }
}

/// A document's current version as stored.
#[derive(Debug, Clone)]
pub struct StoredDoc {
    pub path: String,
    pub meta: StoredMeta,
    pub encoding: String,
    pub text: String,
    pub facts: Extraction,
    /// The dossier id of each of `facts`' entities, in order (the `links` table).
    pub ids: Vec<i64>,
    pub version: i64,
    pub first_seen: String,
    pub updated: String,
}

/// A document to write: its new text, facts and file facts.
#[derive(Debug, Clone)]
pub struct NewDoc<'a> {
    pub path: &'a str,
    pub meta: &'a StoredMeta,
    pub encoding: &'a str,
    pub text: &'a str,
    pub facts: &'a Extraction,
    /// The text's `dossier_core::dupes::fingerprint` when the caller computed it (on its
    /// worker threads); else `put_document` computes it.
    pub fingerprint: Option<u64>,
}

/// Summary row for `show documents`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DocumentRow {
    pub path: String,
    pub version: i64,
    pub size: u64,
    pub encoding: String,
    pub entities: usize,
    pub claims: usize,
    pub first_seen: String,
    pub updated: String,
}

/// Row for `show entities`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EntityRow {
    /// The dossier's id of the entity (not shown: ids are the store's own).
    #[serde(skip)]
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: EntityType,
    pub name: String,
    pub aliases: Vec<String>,
    pub first_seen_in: String,
    pub first_seen_at: String,
    pub documents: Vec<String>,
}

/// One stored claim: its key, document, statement and the accord it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRow {
    pub key: String,
    pub path: String,
    pub claim: Claim,
    pub event: Option<String>,
}

/// The columns of a document's file facts, read by [`meta_row`]: its stat (the columns of
/// [`stat_row`]) then its two hashes.
const META_COLUMNS: &str =
    "SELECT path, size, mtime_ns, ctime_ns, inode, scanned_ns, content_hash, norm_hash
     FROM documents";

/// A row whose first columns are a path and its stat (`path, size, mtime_ns, ctime_ns, inode,
/// scanned_ns`): the file facts without the hashes (left empty).
fn stat_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, StoredMeta)> {
    Ok((
        r.get::<_, String>(0)?,
        StoredMeta {
            size: r.get::<_, i64>(1)? as u64,
            mtime_ns: r.get(2)?,
            ctime_ns: r.get(3)?,
            inode: r.get::<_, i64>(4)? as u64,
            content_hash: String::new(),
            norm_hash: String::new(),
            scanned_ns: r.get(5)?,
        },
    ))
}

/// A row of [`META_COLUMNS`]: the path and its file facts.
fn meta_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, StoredMeta)> {
    let (path, mut meta) = stat_row(r)?;
    meta.content_hash = r.get(6)?;
    meta.norm_hash = r.get(7)?;
    Ok((path, meta))
}

/// Writes a document's fingerprint and replaces its bands (none for a text without words).
fn put_fingerprint_rows(conn: &Connection, path: &str, fp: u64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE documents SET fingerprint = ?2 WHERE path = ?1")?
        .execute(params![path, fp as i64])?;
    conn.prepare_cached("DELETE FROM fingerprint_bands WHERE path = ?1")?
        .execute([path])?;
    if fp != 0 {
        let mut ins = conn.prepare_cached(
            "INSERT OR IGNORE INTO fingerprint_bands (band, value, path) VALUES (?1, ?2, ?3)",
        )?;
        for (band, value) in dossier_core::dupes::bands(fp).into_iter().enumerate() {
            ins.execute(params![band as i64, i64::from(value), path])?;
        }
    }
    Ok(())
}

/// An open state database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the database for writing, creating it (and its directory) and migrating the schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure()?;
        schema::migrate(&store.conn).map_err(|e| store.schema_err(e))?;
        store.fill_fingerprints()?;
        Ok(store)
    }

    /// Opens an existing database read-only; `Ok(None)` when there is none yet.
    pub fn open_read_only(path: &Path) -> Result<Option<Store>, StoreError> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store
            .conn
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| store.sql(e))?;
        let version = schema::version(&store.conn).map_err(|e| store.sql(e))?;
        if version > schema::CURRENT {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                known: schema::CURRENT,
            });
        }
        if version < schema::READABLE_SINCE {
            // An older or empty file: nothing we can read without migrating it; treat as empty.
            return Ok(None);
        }
        Ok(Some(store))
    }

    fn configure(&self) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| self.sql(e))?;
        // Every statement of a batch and of the outbox stays compiled (rusqlite keeps 16).
        // A checkpoint (two fsyncs) every 64 MiB of WAL instead of SQLite's 4 MiB: a first
        // check of 3,000 documents made 53 fsyncs, now 14; the WAL is removed on close.
        self.conn.set_prepared_statement_cache_capacity(64);
        self.conn
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
                 PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16384;",
            )
            .map_err(|e| self.sql(e))
    }

    /// Gives every current document stored without a fingerprint (by a dossier before schema
    /// 6) its fingerprint, from its stored text, in one transaction.
    ///
    /// Done once, after migration 6 (which leaves `meta.fingerprints = 'pending'`): an open
    /// never scans the documents' rows (whose texts a scan would read) again.
    fn fill_fingerprints(&self) -> Result<(), StoreError> {
        let pending = self
            .row(
                "SELECT 1 FROM meta WHERE key = 'fingerprints' AND value = 'pending'",
                [],
                |_| Ok(()),
            )
            .optional()
            .map_err(|e| self.sql(e))?
            .is_some();
        if !pending {
            return Ok(());
        }
        let missing: Vec<(String, String)> = {
            let mut stmt = self
                .conn
                .prepare("SELECT path, text FROM documents WHERE fingerprint IS NULL")
                .map_err(|e| self.sql(e))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.sql(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))?
        };
        if !missing.is_empty() {
            tracing::info!(
                "fingerprinting {} stored documents for near-duplicates",
                missing.len()
            );
        }
        let tx = self.conn.unchecked_transaction().map_err(|e| self.sql(e))?;
        for (path, text) in &missing {
            let fp = dossier_core::dupes::fingerprint(text);
            put_fingerprint_rows(&tx, path, fp).map_err(|e| self.sql(e))?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('fingerprints', 'all')",
            [],
        )
        .map_err(|e| self.sql(e))?;
        tx.commit().map_err(|e| self.sql(e))
    }

    /// Caps SQLite's page cache at `kib` KiB, hands back what it holds beyond that, and goes
    /// back to SQLite's default checkpoint interval (1,000 pages). The 64 MiB cache and WAL of
    /// [`Store::open`] speed up a check that writes thousands of documents; a long-running
    /// daemon that records a few at a time keeps both small, so its memory does not grow with
    /// the dossier.
    pub fn limit_cache(&self, kib: u32) -> Result<(), StoreError> {
        self.conn
            .execute_batch(&format!(
                "PRAGMA cache_size = -{kib}; PRAGMA wal_autocheckpoint = 1000;
                 PRAGMA shrink_memory;"
            ))
            .map_err(|e| self.sql(e))
    }

    fn schema_err(&self, e: schema::SchemaError) -> StoreError {
        match e {
            schema::SchemaError::TooNew(found) => StoreError::TooNew {
                path: self.path.clone(),
                found,
                known: schema::CURRENT,
            },
            schema::SchemaError::Sql(source) => self.sql(source),
        }
    }

    pub(crate) fn sql(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs one statement through the connection's statement cache (the outbox's per-alert
    /// statements run once for each of a large check's alerts).
    fn exec<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.conn.prepare_cached(sql)?.execute(params)
    }

    /// One row of a query, through the statement cache.
    fn row<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.conn.prepare_cached(sql)?.query_row(params, f)
    }

    /// File facts of every stored document, sorted by path (read in the order of the
    /// covering index `documents_stat`).
    pub fn all_meta(&self) -> Result<StoredMetas, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{META_COLUMNS} ORDER BY path"))
            .map_err(|e| self.sql(e))?;
        let rows = stmt.query_map([], meta_row).map_err(|e| self.sql(e))?;
        let rows = rows
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        Ok(StoredMetas::new(rows))
    }

    /// [`Store::all_meta`] without the two hashes (left empty): what telling an unchanged
    /// file needs, at one allocation per row instead of three. [`Store::fill_hashes`] adds
    /// them for the documents that turn out to need them.
    pub fn all_stats(&self) -> Result<StoredMetas, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT path, size, mtime_ns, ctime_ns, inode, scanned_ns
                 FROM documents ORDER BY path",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt.query_map([], stat_row).map_err(|e| self.sql(e))?;
        let rows = rows
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        Ok(StoredMetas::new(rows))
    }

    /// Reads the content and normalized-text hashes of those of `paths` that `stored` holds
    /// (rows of [`Store::all_stats`]) into it.
    pub fn fill_hashes<'p>(
        &self,
        stored: &mut StoredMetas,
        paths: impl IntoIterator<Item = &'p str>,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT content_hash, norm_hash FROM documents WHERE path = ?1")
            .map_err(|e| self.sql(e))?;
        for path in paths {
            let Some(m) = stored.get_mut(path) else {
                continue;
            };
            let hashes: Option<(String, String)> = stmt
                .query_row([path], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(|e| self.sql(e))?;
            if let Some((content_hash, norm_hash)) = hashes {
                m.content_hash = content_hash;
                m.norm_hash = norm_hash;
            }
        }
        Ok(())
    }

    /// The current version of one document.
    pub fn document(&self, path: &str) -> Result<Option<StoredDoc>, StoreError> {
        load_document(&self.conn, path, &self.path)
    }

    fn parse_json<T: serde::de::DeserializeOwned>(
        &self,
        s: &str,
        what: &str,
    ) -> Result<T, StoreError> {
        serde_json::from_str(s).map_err(|source| StoreError::Corrupt {
            path: self.path.clone(),
            what: what.to_string(),
            source,
        })
    }

    /// Every surface form recorded for each entity other than its name, by entity id.
    fn aliases(&self) -> Result<std::collections::HashMap<i64, Vec<String>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT k.entity_id, k.surface FROM entity_keys k JOIN entities e ON e.id = k.entity_id
                 WHERE k.surface IS NOT NULL AND k.surface <> e.name ORDER BY k.rowid",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.sql(e))?;
        let mut out: std::collections::HashMap<i64, Vec<String>> = Default::default();
        for row in rows {
            let (id, surface) = row.map_err(|e| self.sql(e))?;
            let list = out.entry(id).or_default();
            if !list.contains(&surface) {
                list.push(surface);
            }
        }
        Ok(out)
    }

    /// Every stored document, for `show documents`.
    /// The first `chars` characters of every current document's text, by path: enough for
    /// its title (`dossier_core::text::title_line`) without reading every text whole.
    pub fn document_heads(
        &self,
        chars: usize,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, substr(text, 1, ?1) FROM documents")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([chars as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    pub fn documents(&self) -> Result<Vec<DocumentRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, version, size, encoding, facts, first_seen, updated FROM documents ORDER BY path")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (path, version, size, encoding, facts, first_seen, updated) =
                row.map_err(|e| self.sql(e))?;
            let facts: Extraction = self.parse_json(&facts, &format!("facts of {path}"))?;
            out.push(DocumentRow {
                path,
                version,
                size: size as u64,
                encoding,
                entities: facts.entities.len(),
                claims: facts.claims.len(),
                first_seen,
                updated,
            });
        }
        Ok(out)
    }

    /// Every entity of the dossier with the documents that mention it now.
    pub fn entities(&self, kind: Option<EntityType>) -> Result<Vec<EntityRow>, StoreError> {
        let mut aliases = self.aliases()?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT e.id, e.kind, e.name, e.first_seen_in, e.first_seen_at,
                        COALESCE((SELECT group_concat(path, char(10)) FROM
                                  (SELECT path FROM entity_docs d WHERE d.entity_id = e.id ORDER BY path)), '')
                 FROM entities e ORDER BY e.id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, k, name, first_seen_in, first_seen_at, docs) = row.map_err(|e| self.sql(e))?;
            let Some(k) = EntityType::parse(&k) else {
                continue;
            };
            if kind.is_some_and(|want| want != k) {
                continue;
            }
            let aliases = aliases.remove(&id).unwrap_or_default();
            out.push(EntityRow {
                id,
                kind: k,
                name,
                aliases,
                first_seen_in,
                first_seen_at,
                documents: docs.lines().map(String::from).collect(),
            });
        }
        Ok(out)
    }

    /// Starts a batch: every write of one group of documents and their alerts, committed at once.
    pub fn batch(&mut self) -> Result<Batch<'_>, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|source| StoreError::Sql {
                path: path.clone(),
                source,
            })?;
        Ok(Batch { tx, path })
    }

    /// Every claim of the dossier with its key, document and the accord it names (`claims.event`,
    /// from schema 4 on), in key then path order, for `show claims`.
    pub fn claim_rows(&self) -> Result<Vec<ClaimRow>, StoreError> {
        let event = if schema::version(&self.conn).map_err(|e| self.sql(e))? >= 4 {
            "event"
        } else {
            "NULL"
        };
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT claim_key, path, claim, {event} FROM claims ORDER BY claim_key, path"
            ))
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, path, claim, event) = row.map_err(|e| self.sql(e))?;
            let claim: Claim = self.parse_json(&claim, &format!("a claim of {path}"))?;
            out.push(ClaimRow {
                key,
                path,
                claim,
                event,
            });
        }
        Ok(out)
    }

    /// The type and canonical name of every dossier entity, by id.
    pub fn entity_names(
        &self,
    ) -> Result<std::collections::HashMap<i64, (EntityType, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, kind, name FROM entities")
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
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (id, kind, name) = row.map_err(|e| self.sql(e))?;
            if let Some(kind) = EntityType::parse(&kind) {
                out.insert(id, (kind, name));
            }
        }
        Ok(out)
    }

    /// Number of stored documents.
    pub fn document_count(&self) -> Result<usize, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM documents", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| self.sql(e))
    }
}

/// Reads one document's current version through any connection (a store or a batch).
fn load_document(
    conn: &Connection,
    path: &str,
    db: &Path,
) -> Result<Option<StoredDoc>, StoreError> {
    let sql = |source| StoreError::Sql {
        path: db.to_path_buf(),
        source,
    };
    let row = conn
        .prepare_cached(
            "SELECT path, size, mtime_ns, ctime_ns, inode, content_hash, norm_hash, scanned_ns,
                    encoding, text, facts, version, first_seen, updated
             FROM documents WHERE path = ?1",
        )
        .map_err(sql)?
        .query_row([path], |r| {
            Ok((
                StoredDoc {
                    path: r.get(0)?,
                    meta: StoredMeta {
                        size: r.get::<_, i64>(1)? as u64,
                        mtime_ns: r.get(2)?,
                        ctime_ns: r.get(3)?,
                        inode: r.get::<_, i64>(4)? as u64,
                        content_hash: r.get(5)?,
                        norm_hash: r.get(6)?,
                        scanned_ns: r.get(7)?,
                    },
                    encoding: r.get(8)?,
                    text: r.get(9)?,
                    facts: Extraction::default(),
                    ids: Vec::new(),
                    version: r.get(11)?,
                    first_seen: r.get(12)?,
                    updated: r.get(13)?,
                },
                r.get::<_, String>(10)?,
            ))
        })
        .optional()
        .map_err(sql)?;
    match row {
        None => Ok(None),
        Some((mut doc, facts)) => {
            doc.facts = serde_json::from_str(&facts).map_err(|source| StoreError::Corrupt {
                path: db.to_path_buf(),
                what: format!("facts of {path}"),
                source,
            })?;
            // Links exist from schema 4 on (a read-only command may read an older file).
            if schema::version(conn).map_err(sql)? >= 4 {
                let mut stmt = conn
                    .prepare_cached("SELECT entity_id FROM links WHERE path = ?1 ORDER BY ord")
                    .map_err(sql)?;
                let ids = stmt
                    .query_map([path], |r| r.get::<_, i64>(0))
                    .map_err(sql)?;
                doc.ids = ids.collect::<Result<_, _>>().map_err(sql)?;
            }
            Ok(Some(doc))
        }
    }
}

/// One write transaction: document states, entity index and outbox rows commit together.
pub struct Batch<'a> {
    tx: Transaction<'a>,
    path: PathBuf,
}

impl Batch<'_> {
    fn sql(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    /// Runs one statement through the connection's statement cache: a batch runs the same
    /// few statements for every document, and compiling them each time costs more than
    /// running them.
    fn exec<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.tx.prepare_cached(sql)?.execute(params)
    }

    /// One row of a query, through the statement cache (see [`Batch::exec`]).
    fn row<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.tx.prepare_cached(sql)?.query_row(params, f)
    }

    fn json<T: serde::Serialize>(&self, v: &T) -> String {
        // Serializing our own plain data types cannot fail.
        serde_json::to_string(v).unwrap_or_else(|_| "null".into())
    }

    /// Writes a document's new current version and records it in its history.
    /// `ids` are the dossier ids of its entities (see [`Batch::apply_links`]), kept with the
    /// version for history. Its claims are written by [`Batch::put_claims`].
    pub fn put_document(
        &self,
        doc: &NewDoc<'_>,
        status: &str,
        now: &str,
        ids: &[i64],
    ) -> Result<i64, StoreError> {
        let facts = self.json(doc.facts);
        let version: i64 = self
            .row(
                "SELECT version FROM documents WHERE path = ?1",
                [doc.path],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?
            .map_or(1, |v: i64| v + 1);
        self.exec(
                "INSERT INTO documents (path, content_hash, norm_hash, size, mtime_ns, ctime_ns, inode,
                                        scanned_ns, encoding, text, facts, version, first_seen, updated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
                 ON CONFLICT(path) DO UPDATE SET content_hash = excluded.content_hash,
                    norm_hash = excluded.norm_hash, size = excluded.size, mtime_ns = excluded.mtime_ns,
                    ctime_ns = excluded.ctime_ns, inode = excluded.inode, scanned_ns = excluded.scanned_ns,
                    encoding = excluded.encoding, text = excluded.text, facts = excluded.facts,
                    version = excluded.version, updated = excluded.updated",
                params![
                    doc.path,
                    doc.meta.content_hash,
                    doc.meta.norm_hash,
                    doc.meta.size as i64,
                    doc.meta.mtime_ns,
                    doc.meta.ctime_ns,
                    doc.meta.inode as i64,
                    doc.meta.scanned_ns,
                    doc.encoding,
                    doc.text,
                    facts,
                    version,
                    now
                ],
            )
            .map_err(|e| self.sql(e))?;
        let fp = self.put_fingerprint(doc)?;
        self.exec(
            "INSERT INTO versions (path, version, status, norm_hash, facts, recorded, ids,
                                   fingerprint)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                doc.path,
                version,
                status,
                doc.meta.norm_hash,
                facts,
                now,
                self.json(&ids),
                fp as i64
            ],
        )
        .map_err(|e| self.sql(e))?;
        Ok(version)
    }

    /// Updates only the file facts of a document whose content did not change in substance
    /// (same bytes with a new mtime, or a cosmetic edit): no new version, no alert.
    pub fn touch_document(&self, doc: &NewDoc<'_>) -> Result<(), StoreError> {
        self.exec(
                "UPDATE documents SET content_hash = ?2, norm_hash = ?3, size = ?4, mtime_ns = ?5,
                        ctime_ns = ?6, inode = ?7, scanned_ns = ?8, encoding = ?9, text = ?10, facts = ?11
                 WHERE path = ?1",
                params![
                    doc.path,
                    doc.meta.content_hash,
                    doc.meta.norm_hash,
                    doc.meta.size as i64,
                    doc.meta.mtime_ns,
                    doc.meta.ctime_ns,
                    doc.meta.inode as i64,
                    doc.meta.scanned_ns,
                    doc.encoding,
                    doc.text,
                    self.json(doc.facts)
                ],
            )
            .map_err(|e| self.sql(e))?;
        // A cosmetic edit (white space, punctuation spacing, diacritics) leaves the folded
        // words, and so the fingerprint, as they were.
        Ok(())
    }

    /// Stores the fingerprint of a document's current text and its bands; returns it.
    fn put_fingerprint(&self, doc: &NewDoc<'_>) -> Result<u64, StoreError> {
        let (path, text) = (doc.path, doc.text);
        let fp = doc
            .fingerprint
            .unwrap_or_else(|| dossier_core::dupes::fingerprint(text));
        put_fingerprint_rows(&self.tx, path, fp).map_err(|e| self.sql(e))?;
        Ok(fp)
    }

    /// The earliest-seen other current document whose text is a near-duplicate of `path`'s
    /// (see `dossier_core::dupes`), found through the fingerprint's bands.
    pub fn near_duplicate_of(&self, path: &str) -> Result<Option<String>, StoreError> {
        let fp: Option<i64> = self
            .row(
                "SELECT fingerprint FROM documents WHERE path = ?1",
                [path],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?
            .flatten();
        let Some(fp) = fp.map(|f| f as u64).filter(|f| *f != 0) else {
            return Ok(None);
        };
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT d.path, d.fingerprint, d.first_seen FROM fingerprint_bands b
                 JOIN documents d ON d.path = b.path
                 WHERE b.band = ?1 AND b.value = ?2 AND b.path <> ?3",
            )
            .map_err(|e| self.sql(e))?;
        let mut best: Option<(String, String)> = None;
        for (band, value) in dossier_core::dupes::bands(fp).into_iter().enumerate() {
            let rows = stmt
                .query_map(params![band as i64, i64::from(value), path], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<i64>>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(|e| self.sql(e))?;
            for row in rows {
                let (other, ofp, seen) = row.map_err(|e| self.sql(e))?;
                if !ofp.is_some_and(|o| dossier_core::dupes::near(fp, o as u64)) {
                    continue;
                }
                if best.as_ref().is_none_or(|(s, p)| (&seen, &other) < (s, p)) {
                    best = Some((seen, other));
                }
            }
        }
        Ok(best.map(|(_, p)| p))
    }

    /// The stored fingerprints of these current documents (`None` for one not stored).
    pub fn fingerprints(&self, paths: &[String]) -> Result<Vec<Option<u64>>, StoreError> {
        paths
            .iter()
            .map(|p| {
                self.row(
                    "SELECT fingerprint FROM documents WHERE path = ?1",
                    [p],
                    |r| r.get::<_, Option<i64>>(0),
                )
                .optional()
                .map(|f| f.flatten().map(|f| f as u64))
                .map_err(|e| self.sql(e))
            })
            .collect()
    }

    /// Forgets a document (removed, or the old path of a rename).
    pub fn remove_document(&self, path: &str, now: &str) -> Result<(), StoreError> {
        let version: Option<i64> = self
            .row(
                "SELECT version FROM documents WHERE path = ?1",
                [path],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        self.exec(
            "INSERT INTO versions (path, version, status, norm_hash, facts, recorded)
                 VALUES (?1, ?2, 'removed', NULL, NULL, ?3)",
            params![path, version.unwrap_or(0) + 1, now],
        )
        .map_err(|e| self.sql(e))?;
        for sql in [
            "DELETE FROM documents WHERE path = ?1",
            "DELETE FROM entity_docs WHERE path = ?1",
            "DELETE FROM links WHERE path = ?1",
            "DELETE FROM claims WHERE path = ?1",
            "DELETE FROM fingerprint_bands WHERE path = ?1",
        ] {
            self.exec(sql, [path]).map_err(|e| self.sql(e))?;
        }
        Ok(())
    }

    /// The current version of one document, as this transaction sees it.
    pub fn document(&self, path: &str) -> Result<Option<StoredDoc>, StoreError> {
        load_document(&self.tx, path, &self.path)
    }

    /// Refreshes the stat of a document whose bytes did not change.
    pub fn touch_stat(&self, path: &str, meta: &StoredMeta) -> Result<(), StoreError> {
        self.exec(
            "UPDATE documents SET size = ?2, mtime_ns = ?3, ctime_ns = ?4, inode = ?5,
                        scanned_ns = ?6 WHERE path = ?1",
            params![
                path,
                meta.size as i64,
                meta.mtime_ns,
                meta.ctime_ns,
                meta.inode as i64,
                meta.scanned_ns
            ],
        )
        .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Claims with this key stated by documents other than `except`, with their paths and the
    /// accord each names.
    pub fn claims_with_key(
        &self,
        key: &str,
        except: &str,
        limit: usize,
    ) -> Result<Vec<(String, Claim, Option<String>)>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT path, claim, event FROM claims WHERE claim_key = ?1 AND path <> ?2
                 ORDER BY path LIMIT ?3",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![key, except, limit as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (path, claim, event) = row.map_err(|e| self.sql(e))?;
            if let Ok(c) = serde_json::from_str::<Claim>(&claim) {
                out.push((path, c, event));
            }
        }
        Ok(out)
    }

    /// Commits everything written in this batch.
    pub fn commit(self) -> Result<(), StoreError> {
        let path = self.path.clone();
        self.tx
            .commit()
            .map_err(|source| StoreError::Sql { path, source })
    }
}

#[cfg(test)]
mod tests;
