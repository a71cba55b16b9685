//! Analysts' marks ("since I last looked") and the alerts recorded after a mark or a time,
//! for `dossier mark` and `dossier changes`.
//!
//! A mark is the outbox's position when it was set (the highest alert `seq`), not only a
//! time: "after the mark" is then exact even for an alert recorded in the same second, and
//! whatever the clock did meanwhile.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::outbox::{alert_row, ALERT_COLUMNS};
use super::{Store, StoreError, StoredAlert};

/// A named mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mark {
    pub name: String,
    /// RFC 3339 (UTC, to the second) when it was set.
    pub time: String,
    /// The highest alert `seq` when it was set: the changes after it have a greater one.
    pub seq: i64,
}

/// From where `changes` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After<'a> {
    /// Every recorded change.
    Start,
    /// The alerts recorded after this mark.
    Mark(&'a Mark),
    /// The alerts created at or after this time: RFC 3339 in UTC to the second, with `Z`
    /// (`2026-12-08T02:39:23Z`), the form every alert's `created` has, so that the text
    /// order is the time order.
    Time(&'a str),
}

impl Store {
    /// Sets (or moves) the mark `name` to now: `time`, and the outbox's last alert. Returns it.
    pub fn set_mark(&self, name: &str, time: &str) -> Result<Mark, StoreError> {
        let seq: i64 = self
            .row("SELECT coalesce(max(seq), 0) FROM alerts", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        self.exec(
            "INSERT INTO marks (name, time, seq) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET time = excluded.time, seq = excluded.seq",
            params![name, time, seq],
        )
        .map_err(|e| self.sql(e))?;
        Ok(Mark {
            name: name.to_string(),
            time: time.to_string(),
            seq,
        })
    }

    /// The mark `name`, if set. A database of an older schema (opened read-only, not
    /// migrated) has no marks.
    pub fn mark(&self, name: &str) -> Result<Option<Mark>, StoreError> {
        if !self.has_marks()? {
            return Ok(None);
        }
        self.row(
            "SELECT name, time, seq FROM marks WHERE name = ?1",
            [name],
            |r| {
                Ok(Mark {
                    name: r.get(0)?,
                    time: r.get(1)?,
                    seq: r.get(2)?,
                })
            },
        )
        .optional()
        .map_err(|e| self.sql(e))
    }

    /// Every mark, by name.
    pub fn marks(&self) -> Result<Vec<Mark>, StoreError> {
        if !self.has_marks()? {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare("SELECT name, time, seq FROM marks ORDER BY name")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Mark {
                    name: r.get(0)?,
                    time: r.get(1)?,
                    seq: r.get(2)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    fn has_marks(&self) -> Result<bool, StoreError> {
        self.row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'marks'",
            [],
            |_| Ok(()),
        )
        .optional()
        .map(|o| o.is_some())
        .map_err(|e| self.sql(e))
    }

    /// The alerts recorded after `after`, in the order they were recorded.
    pub fn alerts_after(&self, after: After<'_>) -> Result<Vec<StoredAlert>, StoreError> {
        let mut out = Vec::new();
        self.each_alert_after(after, |a| {
            out.push(a);
            true
        })?;
        Ok(out)
    }

    /// How many alerts were recorded after `after`.
    pub fn count_alerts_after(&self, after: After<'_>) -> Result<usize, StoreError> {
        let (seq, time) = bounds(after);
        self.row(
            "SELECT count(*) FROM alerts WHERE seq > ?1 AND created >= ?2",
            params![seq, time],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n.max(0) as usize)
        .map_err(|e| self.sql(e))
    }

    /// Hands each alert recorded after `after` to `f`, one at a time in the order they were
    /// recorded (a long backlog is never held whole), until `f` returns false.
    pub fn each_alert_after(
        &self,
        after: After<'_>,
        mut f: impl FnMut(StoredAlert) -> bool,
    ) -> Result<(), StoreError> {
        let (seq, time) = bounds(after);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE seq > ?1 AND created >= ?2 ORDER BY seq"
            ))
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![seq, time], alert_row)
            .map_err(|e| self.sql(e))?;
        for row in rows {
            let row = row.map_err(|e| self.sql(e))?;
            let go_on = f(self.stored_alert(row)?);
            if !go_on {
                break;
            }
        }
        Ok(())
    }

    /// Runs `f` in one read transaction: its reads see one state of the file, whatever a
    /// writer commits meanwhile (a count and the listing it heads agree).
    pub fn in_snapshot<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(|e| self.sql(e))?;
        let out = f(self);
        let _ = self.conn.execute_batch("COMMIT");
        out
    }
}

/// The `seq` and `created` bounds of a listing.
fn bounds(after: After<'_>) -> (i64, &str) {
    match after {
        After::Start => (0, ""),
        After::Mark(m) => (m.seq, ""),
        After::Time(t) => (0, t),
    }
}
