//! The database schema and its migrations, versioned with `PRAGMA user_version`.
//!
//! A migration is appended, never edited: a database made by an older dossier is brought
//! forward step by step in one transaction.

use rusqlite::Connection;

/// Each entry takes the schema from version `i` to `i + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: documents, their history, the entity index, claims, the outbox.
    "CREATE TABLE documents (
        path TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL,
        norm_hash TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        ctime_ns INTEGER NOT NULL,
        inode INTEGER NOT NULL,
        scanned_ns INTEGER NOT NULL,
        encoding TEXT NOT NULL,
        text TEXT NOT NULL,
        facts TEXT NOT NULL,
        version INTEGER NOT NULL,
        first_seen TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX documents_norm_hash ON documents(norm_hash);
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        norm_hash TEXT,
        facts TEXT,
        recorded TEXT NOT NULL
    );
    CREATE INDEX versions_path ON versions(path, version);
    CREATE TABLE entities (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        first_seen_in TEXT NOT NULL,
        first_seen_at TEXT NOT NULL
    );
    CREATE TABLE entity_keys (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        entity_id INTEGER NOT NULL REFERENCES entities(id),
        surface TEXT,
        PRIMARY KEY (kind, key)
    );
    CREATE INDEX entity_keys_entity ON entity_keys(entity_id);
    CREATE TABLE entity_docs (
        entity_id INTEGER NOT NULL REFERENCES entities(id),
        path TEXT NOT NULL,
        PRIMARY KEY (entity_id, path)
    );
    CREATE INDEX entity_docs_path ON entity_docs(path);
    CREATE TABLE claims (
        path TEXT NOT NULL,
        claim_key TEXT NOT NULL,
        claim TEXT NOT NULL
    );
    CREATE INDEX claims_path ON claims(path);
    CREATE INDEX claims_key ON claims(claim_key);
    CREATE TABLE alerts (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        path TEXT NOT NULL,
        has_facts INTEGER NOT NULL,
        report TEXT NOT NULL,
        previous TEXT
    );
    CREATE INDEX alerts_path ON alerts(path, seq);
    CREATE TABLE deliveries (
        alert_id TEXT NOT NULL REFERENCES alerts(id),
        channel TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        permanent INTEGER NOT NULL DEFAULT 0,
        next_attempt_ns INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until_ns INTEGER,
        delivered TEXT,
        delivered_ns INTEGER,
        PRIMARY KEY (alert_id, channel)
    );
    CREATE INDEX deliveries_pending ON deliveries(delivered, channel);",
    // 2: indexes for a large dossier, and facts about the database itself. Other documents'
    // claims with a key are read in path order with a limit: by (claim_key, path) the read
    // stops at the limit instead of reading and sorting every row of a key that thousands of
    // documents share. The stat of every document, read by each check, from a covering index
    // instead of the table (whose rows hold each document's text). `meta` holds, among
    // others, the rule the stored claim keys were computed with.
    "CREATE INDEX claims_key_path ON claims(claim_key, path);
    DROP INDEX claims_key;
    CREATE INDEX documents_stat ON documents(path, size, mtime_ns, ctime_ns, inode, scanned_ns,
                                             content_hash, norm_hash);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    // 3: the stat alone, for the unchanged re-check: every check reads every document's stat,
    // and `documents_stat` carries two hex hashes per row (557 pages at 10,000 documents
    // against 166 here); it stays for the reads that want the hashes too.
    "CREATE INDEX documents_stat_only ON documents(path, size, mtime_ns, ctime_ns, inode,
                                                  scanned_ns);",
    // 4: the linking stage. `links` ties each entity of a document's current facts (by its
    // place in them) to a dossier entity; `versions.ids` keeps those ids per version, for
    // history. `entity_words` finds a person by the last word of its name (a surname met
    // alone). `claims.event` is the accord a claim keyed by its countries names. An accord
    // named only by its kind is known by its parties (`accord_parties`)
    // and date (`entities.accord_date`). Facts stored by an older
    // extractor or without links are made again from the stored texts, silently, when the
    // database is opened by a pipeline whose facts rule differs (`meta.facts_rule`).
    "CREATE TABLE links (
        path TEXT NOT NULL,
        ord INTEGER NOT NULL,
        entity_id INTEGER NOT NULL,
        PRIMARY KEY (path, ord)
    ) WITHOUT ROWID;
    CREATE INDEX links_entity ON links(entity_id, path);
    CREATE TABLE entity_words (
        word TEXT NOT NULL,
        entity_id INTEGER NOT NULL,
        PRIMARY KEY (word, entity_id)
    ) WITHOUT ROWID;
    CREATE TABLE accord_parties (
        party INTEGER NOT NULL,
        entity_id INTEGER NOT NULL,
        PRIMARY KEY (party, entity_id)
    ) WITHOUT ROWID;
    CREATE INDEX accord_parties_entity ON accord_parties(entity_id);
    ALTER TABLE entities ADD COLUMN accord_date TEXT;
    ALTER TABLE versions ADD COLUMN ids TEXT;
    ALTER TABLE claims ADD COLUMN event TEXT;",
    // 5: analysts' marks for `dossier changes --since-mark NAME`: when each was set and the
    // outbox's last alert then (`alerts.seq`), so that "after the mark" is exact.
    "CREATE TABLE marks (
        name TEXT PRIMARY KEY,
        time TEXT NOT NULL,
        seq INTEGER NOT NULL
    );",
    // 6: near-duplicates. Each document's and version's SimHash of its text
    // (`dossier_core::dupes`), and the current documents' fingerprints cut in 8-bit bands, so
    // that the documents within a few bits of a new one are found by an indexed equality on
    // one band. Rows of an older schema get theirs from their stored text when the database
    // is next opened for writing (`Store::fill_fingerprints`).
    "ALTER TABLE documents ADD COLUMN fingerprint INTEGER;
    ALTER TABLE versions ADD COLUMN fingerprint INTEGER;
    CREATE TABLE fingerprint_bands (
        band INTEGER NOT NULL,
        value INTEGER NOT NULL,
        path TEXT NOT NULL,
        PRIMARY KEY (band, value, path)
    ) WITHOUT ROWID;
    CREATE INDEX fingerprint_bands_path ON fingerprint_bands(path);
    INSERT OR REPLACE INTO meta (key, value) VALUES ('fingerprints', 'pending');",
];

/// The oldest schema whose tables and columns this build reads as they are: a read-only
/// command (`show`, `history`, `changes`) opens such a file without migrating it (migrations
/// since then add indexes, and tables those commands read as empty when missing: `marks`).
pub const READABLE_SINCE: i64 = 2;

/// The schema version this build writes.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

#[derive(Debug)]
pub enum SchemaError {
    TooNew(i64),
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for SchemaError {
    fn from(e: rusqlite::Error) -> Self {
        SchemaError::Sql(e)
    }
}

pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Brings the database to [`CURRENT`], refusing one written by a newer dossier.
pub fn migrate(conn: &Connection) -> Result<(), SchemaError> {
    let found = version(conn)?;
    if found > CURRENT {
        return Err(SchemaError::TooNew(found));
    }
    if found == CURRENT {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let run = || -> rusqlite::Result<()> {
        // Re-read under the write lock: another process may have migrated meanwhile.
        let found = version(conn)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
            conn.execute_batch(sql)?;
            conn.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        }
        Ok(())
    };
    match run() {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e.into());
        }
    }
    Ok(())
}
