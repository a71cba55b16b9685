//! The outbox: alerts written with the state they report, and their delivery per channel.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{Batch, Store, StoreError};
pub use dossier_core::alert::Alert as StoredAlert;

/// One alert waiting for one channel.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub alert_id: String,
    pub channel: String,
    pub attempts: u32,
    /// The last attempt's error, or the note it left when it was cut off
    /// ([`Store::note_attempt`]).
    pub last_error: Option<String>,
}

/// A row of `dossier show outbox`.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxRow {
    pub id: String,
    pub created: String,
    pub path: String,
    pub channel: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub permanent: bool,
    pub next_attempt_ns: i64,
}

/// The columns of an alert row, in the order [`alert_row`] reads them.
pub(crate) const ALERT_COLUMNS: &str = "id, created, path, has_facts, report, previous";

/// An alert row as stored: id, created, path, has_facts, report (JSON), previous.
pub(crate) type AlertRow = (String, String, String, bool, String, Option<String>);

/// Reads a row selected with [`ALERT_COLUMNS`].
pub(crate) fn alert_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

impl Batch<'_> {
    /// Queues an alert for every channel named, in the batch's transaction.
    pub fn enqueue_alert(
        &self,
        alert: &StoredAlert,
        channels: &[String],
    ) -> Result<(), StoreError> {
        let previous: Option<String> = self
            .row(
                "SELECT id FROM alerts WHERE path = ?1 ORDER BY seq DESC LIMIT 1",
                [&alert.path],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        self.exec(
            "INSERT INTO alerts (id, created, path, has_facts, report, previous)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                alert.id,
                alert.created,
                alert.path,
                alert.has_facts,
                self.json(&alert.report),
                previous.as_ref().or(alert.previous.as_ref())
            ],
        )
        .map_err(|e| self.sql(e))?;
        let mut stmt = self
            .tx
            .prepare_cached("INSERT INTO deliveries (alert_id, channel) VALUES (?1, ?2)")
            .map_err(|e| self.sql(e))?;
        for c in channels {
            stmt.execute(params![alert.id, c])
                .map_err(|e| self.sql(e))?;
        }
        Ok(())
    }
}

impl Store {
    /// Deliveries not yet accepted, oldest alert first. With `due_before_ns`, only those whose
    /// backoff has expired; permanent failures are left for `retry` (`include_permanent`).
    pub fn pending(
        &self,
        channels: &[String],
        due_before_ns: Option<i64>,
        include_permanent: bool,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.alert_id, d.channel, d.attempts, d.permanent, d.next_attempt_ns,
                        d.last_error
                 FROM deliveries d JOIN alerts a ON a.id = d.alert_id
                 WHERE d.delivered IS NULL ORDER BY a.seq, d.channel",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (alert_id, channel, attempts, permanent, next, last_error) =
                row.map_err(|e| self.sql(e))?;
            if !channels.contains(&channel) || (permanent && !include_permanent) {
                continue;
            }
            if due_before_ns.is_some_and(|now| next > now) {
                continue;
            }
            out.push(Delivery {
                alert_id,
                channel,
                attempts: attempts.max(0) as u32,
                last_error,
            });
        }
        Ok(out)
    }

    /// Number of deliveries still waiting, over all channels.
    pub fn pending_count(&self) -> Result<usize, StoreError> {
        self.row(
            "SELECT count(*) FROM deliveries WHERE delivered IS NULL",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as usize)
        .map_err(|e| self.sql(e))
    }

    pub fn alert(&self, id: &str) -> Result<Option<StoredAlert>, StoreError> {
        let row = self
            .row(
                &format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"),
                [id],
                alert_row,
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        row.map(|r| self.stored_alert(r)).transpose()
    }

    /// The alert of a row read by [`alert_row`], its report parsed.
    pub(crate) fn stored_alert(&self, row: AlertRow) -> Result<StoredAlert, StoreError> {
        let (id, created, path, has_facts, report, previous) = row;
        let report = self.parse_json(&report, &format!("alert {id}"))?;
        Ok(StoredAlert {
            id,
            created,
            path,
            has_facts,
            report,
            previous,
        })
    }

    /// Takes the lease on one delivery until `until_ns`; false when another live process
    /// holds it or it was delivered meanwhile. Owners are `PID-…`: a lease whose process is
    /// gone (crashed, killed) is taken over at once instead of waiting for it to expire.
    pub fn lease(
        &self,
        alert_id: &str,
        channel: &str,
        owner: &str,
        now_ns: i64,
        until_ns: i64,
    ) -> Result<bool, StoreError> {
        let holder: Option<(Option<String>, Option<i64>)> = self
            .row(
                "SELECT lease_owner, lease_until_ns FROM deliveries
                 WHERE alert_id = ?1 AND channel = ?2 AND delivered IS NULL",
                params![alert_id, channel],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        let Some((held_by, held_until)) = holder else {
            return Ok(false);
        };
        let free = match (&held_by, held_until) {
            (None, _) | (_, None) => true,
            (Some(o), _) if o == owner => true,
            (Some(_), Some(t)) if t < now_ns => true,
            (Some(o), Some(_)) => !owner_alive(o),
        };
        if !free {
            return Ok(false);
        }
        // Compare-and-set on the holder read above, so two takers cannot both win.
        let n = self
            .exec(
                "UPDATE deliveries SET lease_owner = ?3, lease_until_ns = ?4
                 WHERE alert_id = ?1 AND channel = ?2 AND delivered IS NULL
                   AND lease_owner IS ?5",
                params![alert_id, channel, owner, until_ns, held_by],
            )
            .map_err(|e| self.sql(e))?;
        Ok(n == 1)
    }

    /// Gives a lease back without an attempt (a digest window still open).
    pub fn release(&self, alert_id: &str, channel: &str) -> Result<(), StoreError> {
        self.exec(
            "UPDATE deliveries SET lease_owner = NULL, lease_until_ns = NULL
                 WHERE alert_id = ?1 AND channel = ?2",
            params![alert_id, channel],
        )
        .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Records that a channel accepted an alert.
    pub fn mark_delivered(
        &self,
        alert_id: &str,
        channel: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE deliveries SET delivered = ?3, attempts = attempts + 1, last_error = NULL,
                        lease_owner = NULL, lease_until_ns = NULL
                 WHERE alert_id = ?1 AND channel = ?2",
            params![alert_id, channel, now],
        )
        .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Records that a channel accepted each of these alerts, in one transaction.
    pub fn mark_delivered_all(
        &self,
        alert_ids: &[&str],
        channel: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.sql(e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE deliveries SET delivered = ?3, attempts = attempts + 1,
                            last_error = NULL, lease_owner = NULL, lease_until_ns = NULL
                     WHERE alert_id = ?1 AND channel = ?2",
                )
                .map_err(|e| self.sql(e))?;
            for id in alert_ids {
                stmt.execute(params![id, channel, now])
                    .map_err(|e| self.sql(e))?;
            }
        }
        tx.commit().map_err(|e| self.sql(e))
    }

    /// Records, in its own transaction, that a channel accepted an alert, at `now` (RFC 3339)
    /// and `now_ns` (what `max_per_hour` counts): called for each alert right after the
    /// channel accepted it, so a crash re-sends at most the alert in flight.
    pub fn mark_accepted(
        &self,
        alert_id: &str,
        channel: &str,
        now: &str,
        now_ns: i64,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE deliveries SET delivered = ?3, delivered_ns = ?4, attempts = attempts + 1,
                        last_error = NULL, lease_owner = NULL, lease_until_ns = NULL
                 WHERE alert_id = ?1 AND channel = ?2",
            params![alert_id, channel, now, now_ns],
        )
        .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// [`Store::mark_accepted`] for the alerts of one message (a digest), in one transaction:
    /// they were accepted together.
    pub fn mark_accepted_all(
        &self,
        alert_ids: &[&str],
        channel: &str,
        now: &str,
        now_ns: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.sql(e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE deliveries SET delivered = ?3, delivered_ns = ?4,
                            attempts = attempts + 1, last_error = NULL, lease_owner = NULL,
                            lease_until_ns = NULL
                     WHERE alert_id = ?1 AND channel = ?2",
                )
                .map_err(|e| self.sql(e))?;
            for id in alert_ids {
                stmt.execute(params![id, channel, now, now_ns])
                    .map_err(|e| self.sql(e))?;
            }
        }
        tx.commit().map_err(|e| self.sql(e))
    }

    /// Leaves a note on a delivery about to be attempted (its `last_error` until the outcome is
    /// recorded): an attempt cut off by a crash is then known as such to the next sender.
    pub fn note_attempt(
        &self,
        alert_id: &str,
        channel: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE deliveries SET last_error = ?3
                 WHERE alert_id = ?1 AND channel = ?2 AND delivered IS NULL",
            params![alert_id, channel, note],
        )
        .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Records a failed attempt; the alert stays in the outbox.
    pub fn mark_failed(
        &self,
        alert_id: &str,
        channel: &str,
        error: &str,
        permanent: bool,
        next_attempt_ns: i64,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = ?3, permanent = ?4,
                        next_attempt_ns = ?5, lease_owner = NULL, lease_until_ns = NULL
                 WHERE alert_id = ?1 AND channel = ?2",
            params![alert_id, channel, error, permanent, next_attempt_ns],
        )
        .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Clears the permanent mark and backoff of the given alerts (all when empty), for `retry`.
    pub fn reset_for_retry(&self, ids: &[String]) -> Result<usize, StoreError> {
        if ids.is_empty() {
            return self.exec(
                    "UPDATE deliveries SET permanent = 0, next_attempt_ns = 0 WHERE delivered IS NULL",
                    [],
                )
                .map_err(|e| self.sql(e));
        }
        let mut n = 0;
        for id in ids {
            n += self
                .exec(
                    "UPDATE deliveries SET permanent = 0, next_attempt_ns = 0
                     WHERE delivered IS NULL AND alert_id = ?1",
                    [id],
                )
                .map_err(|e| self.sql(e))?;
        }
        Ok(n)
    }

    /// How many alerts a channel accepted since `since_ns` (for `max_per_hour`).
    pub fn delivered_since(&self, channel: &str, since_ns: i64) -> Result<usize, StoreError> {
        self.row(
            "SELECT count(*) FROM deliveries WHERE channel = ?1 AND delivered_ns >= ?2",
            params![channel, since_ns],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as usize)
        .map_err(|e| self.sql(e))
    }

    /// Whether an alert id exists at all (for `retry ID` error messages).
    pub fn alert_exists(&self, id: &str) -> Result<bool, StoreError> {
        self.row("SELECT 1 FROM alerts WHERE id = ?1", [id], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(|e| self.sql(e))
    }

    /// Every delivery not yet accepted, for `dossier show outbox`.
    pub fn outbox(&self) -> Result<Vec<OutboxRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.id, a.created, a.path, d.channel, d.attempts, d.last_error, d.permanent,
                        d.next_attempt_ns
                 FROM deliveries d JOIN alerts a ON a.id = d.alert_id
                 WHERE d.delivered IS NULL ORDER BY a.seq, d.channel",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(OutboxRow {
                    id: r.get(0)?,
                    created: r.get(1)?,
                    path: r.get(2)?,
                    channel: r.get(3)?,
                    attempts: r.get::<_, i64>(4)?.max(0) as u32,
                    last_error: r.get(5)?,
                    permanent: r.get(6)?,
                    next_attempt_ns: r.get(7)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }
}

/// Whether the process named by a lease owner (`PID-…`) still runs on this machine. An owner
/// that cannot be parsed is assumed alive (its lease then simply expires).
fn owner_alive(owner: &str) -> bool {
    match owner.split('-').next().and_then(|p| p.parse::<u32>().ok()) {
        Some(pid) => std::path::Path::new(&format!("/proc/{pid}")).exists(),
        None => true,
    }
}
