//! Opening a state database without starting from nothing by accident.
//!
//! A 0-byte file, a file that is not SQLite, or an SQLite file of something else is refused
//! ([`StoreError::NotAState`]) rather than taken as a new, empty dossier: every document would
//! then be reported again, under new alert ids. `init` is the way to say "start a new state
//! here": an empty file is then initialised in place, and anything else in the way is moved
//! aside (never deleted). [`Store::check_integrity`] runs SQLite's own checks.
//!
//! The folder of the state is the caller's business (the configuration knows whether the path
//! is the default one): this module assumes it exists.

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::{schema, Store, StoreError};

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What was found at a state path before opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Nothing,
    /// 0 bytes, and no write-ahead log that could hold its pages.
    Empty,
    /// Not an SQLite database (its first bytes say so).
    Foreign,
    /// An SQLite header: opened to see whose it is.
    Sqlite,
}

fn look(path: &Path) -> Result<Found, StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(source) => {
            return Err(StoreError::Inspect {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    if meta.is_dir() {
        return Ok(Found::Foreign);
    }
    if meta.len() == 0 {
        // A database created in WAL mode may keep its first pages in `-wal` until the first
        // checkpoint: SQLite recovers them, so that file is not empty.
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let wal_len = std::fs::metadata(PathBuf::from(wal)).map_or(0, |m| m.len());
        return Ok(if wal_len > 0 {
            Found::Sqlite
        } else {
            Found::Empty
        });
    }
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map(|_| true)
        .or_else(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => Ok(false),
            _ => Err(e),
        })
        .map_err(|source| StoreError::Inspect {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(if read && &head == SQLITE_HEADER {
        Found::Sqlite
    } else {
        Found::Foreign
    })
}

/// Whether an SQLite file holds a dossier state: `Some(true)` when it has a schema version,
/// `Some(false)` when it has tables but no version (another program's database), `None`
/// when it has neither (empty).
fn whose(path: &Path) -> Result<Option<bool>, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let sql = |source| StoreError::Sql {
        path: path.to_path_buf(),
        source,
    };
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(sql)?;
    let version = schema::version(&conn).map_err(sql)?;
    if version > 0 {
        return Ok(Some(true));
    }
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(sql)?;
    Ok((tables > 0).then_some(false))
}

/// Moves what is at `path` aside to `path.moved-<unix seconds>` (`-wal` and `-shm` with it)
/// and returns where it went.
fn move_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut to = path.as_os_str().to_owned();
    to.push(format!(".moved-{secs}"));
    let to = PathBuf::from(to);
    let io = |source| StoreError::Inspect {
        path: path.to_path_buf(),
        source,
    };
    std::fs::rename(path, &to).map_err(io)?;
    for suffix in ["-wal", "-shm"] {
        let mut from = path.as_os_str().to_owned();
        from.push(suffix);
        let mut dest = to.as_os_str().to_owned();
        dest.push(suffix);
        match std::fs::rename(PathBuf::from(from), PathBuf::from(dest)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
    }
    Ok(to)
}

/// A database SQLite finds malformed while opening it is [`StoreError::Damaged`], with the
/// advice that goes with it, not a bare SQL error.
fn damaged_at_open(path: &Path, e: StoreError) -> StoreError {
    let source = match &e {
        StoreError::Sql { source, .. } | StoreError::Open { source, .. } => source,
        _ => return e,
    };
    match source.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt) | Some(rusqlite::ErrorCode::NotADatabase) => {
            StoreError::Damaged {
                path: path.to_path_buf(),
                check: "open",
                problems: source.to_string(),
            }
        }
        _ => e,
    }
}

/// Busy handler of the delivery connections: 100 µs between tries, for up to 10 s.
fn wait_briefly(tries: i32) -> bool {
    if tries >= 100_000 {
        return false;
    }
    std::thread::sleep(std::time::Duration::from_micros(100));
    true
}

impl Store {
    /// [`Store::open`], refusing to start from nothing by accident: a 0-byte file, a file that
    /// is not SQLite, or another program's SQLite database is [`StoreError::NotAState`]. With
    /// `init`, an empty file is initialised and anything else in the way is moved aside (with
    /// a warning naming where it went); a dossier state is opened as it is either way.
    pub fn open_state(path: &Path, init: bool) -> Result<Store, StoreError> {
        let refuse = |what: &str| StoreError::NotAState {
            path: path.to_path_buf(),
            what: what.to_string(),
        };
        match look(path)? {
            Found::Nothing => {}
            Found::Empty if init => {}
            Found::Empty => return Err(refuse("is an empty file (0 bytes)")),
            Found::Foreign if init => {
                let to = move_aside(path)?;
                tracing::warn!(
                    "{} is not a dossier state: moved to {}, a new state starts",
                    path.display(),
                    to.display()
                );
            }
            Found::Foreign => return Err(refuse("is not an SQLite database")),
            Found::Sqlite => {
                match whose(path)? {
                    Some(true) => {}
                    None if init => {}
                    None => return Err(refuse("is an SQLite database with nothing in it")),
                    Some(false) if init => {
                        let to = move_aside(path)?;
                        tracing::warn!(
                        "{} is another program's SQLite database: moved to {}, a new state starts",
                        path.display(),
                        to.display()
                    );
                    }
                    Some(false) => return Err(refuse(
                        "is an SQLite database of another program (its tables are not dossier's)",
                    )),
                }
            }
        }
        Store::open(path).map_err(|e| damaged_at_open(path, e))
    }

    /// Another connection to a state database that exists and is at this build's schema, for
    /// a delivery worker (each channel delivers on its own thread, and a connection is for one
    /// thread at a time). It never creates, migrates or re-keys anything.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        // Short waits for the write lock (SQLite's own busy timeout sleeps up to 100 ms at a
        // time): a delivery is recorded as soon as the writer before it is done.
        store
            .conn
            .busy_handler(Some(wait_briefly))
            .map_err(|e| store.sql(e))?;
        store.conn.set_prepared_statement_cache_capacity(32);
        store
            .conn
            .execute_batch(
                "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -2048;",
            )
            .map_err(|e| store.sql(e))?;
        let version = schema::version(&store.conn).map_err(|e| store.sql(e))?;
        if version != schema::CURRENT {
            return Err(StoreError::NotAState {
                path: path.to_path_buf(),
                what: format!(
                    "has schema version {version} where this dossier writes {}",
                    schema::CURRENT
                ),
            });
        }
        Ok(store)
    }

    /// SQLite's check of the whole file: `PRAGMA quick_check` (`full = false`: every page and
    /// the tables' structure, in about the time of reading the file) or `PRAGMA
    /// integrity_check` (`full`: also that every index matches its table). `Ok(())` when it
    /// says "ok", else [`StoreError::Damaged`] with the first problems it names.
    pub fn check_integrity(&self, full: bool) -> Result<(), StoreError> {
        let pragma = if full {
            "PRAGMA integrity_check(20)"
        } else {
            "PRAGMA quick_check(20)"
        };
        let mut stmt = self.conn.prepare(pragma).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.sql(e))?;
        let mut problems = Vec::new();
        for row in rows {
            let line = row.map_err(|e| self.damaged_or_sql(e, full))?;
            if line != "ok" {
                problems.push(line);
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(StoreError::Damaged {
            path: self.path.clone(),
            check: if full {
                "integrity_check"
            } else {
                "quick_check"
            },
            problems: problems.join("; "),
        })
    }

    /// A read that fails as SQLite reads a damaged page is the check's answer, not an error of
    /// the check.
    fn damaged_or_sql(&self, e: rusqlite::Error, full: bool) -> StoreError {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseCorrupt)
            | Some(rusqlite::ErrorCode::NotADatabase) => StoreError::Damaged {
                path: self.path.clone(),
                check: if full {
                    "integrity_check"
                } else {
                    "quick_check"
                },
                problems: e.to_string(),
            },
            _ => self.sql(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_empty_or_foreign_file_is_refused_unless_init() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        std::fs::write(&path, "").unwrap();
        let e = Store::open_state(&path, false).err().unwrap().to_string();
        assert!(e.contains("looks empty or is not a dossier state"), "{e}");
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0, "left alone");
        Store::open_state(&path, true).unwrap();
        Store::open_state(&path, false).unwrap();

        let other = dir.path().join("other.db");
        std::fs::write(&other, "not a database, just text\n".repeat(10)).unwrap();
        let e = Store::open_state(&other, false).err().unwrap().to_string();
        assert!(e.contains("is not an SQLite database"), "{e}");
        Store::open_state(&other, true).unwrap();
        let moved: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("other.db.moved-")
            })
            .collect();
        assert_eq!(moved.len(), 1, "the file was moved aside, not deleted");

        let foreign = dir.path().join("foreign.db");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE birds (name TEXT)")
            .unwrap();
        let e = Store::open_state(&foreign, false)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("another program"), "{e}");
    }

    #[test]
    fn a_fresh_state_passes_both_checks() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_state(&dir.path().join("s.db"), false).unwrap();
        store.check_integrity(false).unwrap();
        store.check_integrity(true).unwrap();
        let other = Store::open_existing(&dir.path().join("s.db")).unwrap();
        assert_eq!(other.pending_count().unwrap(), 0);
    }
}
