//! The `jsonl` channel: one JSON line per alert appended to a file.
//!
//! Delivery is exactly-once across crashes: before appending, the channel looks for the alert
//! id in the file's tail, where a line written just before a crash would be. Lines are
//! appended by `send` and synced by `flush`, once per group of alerts: the outbox records
//! them delivered only after that, so a line the outbox calls delivered is on disk.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use super::{alert_json, Channel, ChannelError};
use crate::store::StoredAlert;

/// How much of the file's end is searched for an alert id already written. The only alert
/// that can be there unrecorded is the one written just before a crash, i.e. among the last
/// lines; reading more costs a read per alert that grows with the alerts' size.
const TAIL_BYTES: u64 = 256 << 10;

/// The file while a group of alerts is being appended.
struct Open {
    file: File,
    /// Alert ids in the tail read at opening, and those appended since.
    ids: HashSet<String>,
    /// The file's length after our last append: another length means another process
    /// appended meanwhile, and the tail is read again.
    len: u64,
    /// Appended since the last sync.
    dirty: bool,
}

pub struct JsonlChannel {
    name: String,
    path: PathBuf,
    open: Option<Open>,
}

impl JsonlChannel {
    pub fn new(name: impl Into<String>, path: PathBuf) -> Self {
        JsonlChannel {
            name: name.into(),
            path,
            open: None,
        }
    }

    fn err(&self, what: &str, e: std::io::Error) -> ChannelError {
        ChannelError::Transient(format!("{} {}: {e}", what, self.path.display()))
    }

    /// The ids of the alerts in the last [`TAIL_BYTES`] of the file, and its length.
    fn tail_ids(&self, file: &mut File) -> Result<(HashSet<String>, u64), ChannelError> {
        let len = file
            .metadata()
            .map_err(|e| self.err("cannot stat", e))?
            .len();
        let start = len.saturating_sub(TAIL_BYTES);
        file.seek(SeekFrom::Start(start))
            .map_err(|e| self.err("cannot read", e))?;
        let mut tail = Vec::new();
        file.read_to_end(&mut tail)
            .map_err(|e| self.err("cannot read", e))?;
        let tail = String::from_utf8_lossy(&tail);
        let mut ids = HashSet::new();
        for line in tail.lines() {
            // Only the alert's own top-level `"id"`: a document's text cannot hold an
            // unescaped quote.
            let mut rest = line;
            while let Some(at) = rest.find("\"id\":\"") {
                rest = &rest[at + 6..];
                if let Some(end) = rest.find('"') {
                    ids.insert(rest[..end].to_string());
                }
            }
        }
        Ok((ids, len))
    }

    /// Opens the file and reads its tail, unless a group is already under way.
    fn ensure_open(&mut self) -> Result<(), ChannelError> {
        if self.open.is_some() {
            return Ok(());
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.err("cannot create the folder of", e))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(|e| self.err("cannot open", e))?;
        let (ids, len) = self.tail_ids(&mut file)?;
        self.open = Some(Open {
            file,
            ids,
            len,
            dirty: false,
        });
        Ok(())
    }

    /// The file's length now, if a group is under way.
    fn open_len(&self) -> Result<Option<u64>, ChannelError> {
        match &self.open {
            Some(open) => open
                .file
                .metadata()
                .map(|m| Some(m.len()))
                .map_err(|e| self.err("cannot stat", e)),
            None => Ok(None),
        }
    }

    fn append(&mut self, alert: &StoredAlert) -> Result<(), ChannelError> {
        if let (Some(now), Some(open)) = (self.open_len()?, &self.open) {
            if now != open.len {
                // Someone else appended (or truncated): our picture of the tail is stale.
                self.flush()?;
            }
        }
        self.ensure_open()?;
        let Some(open) = self.open.as_mut() else {
            return Err(ChannelError::Transient("the file is not open".into()));
        };
        if open.ids.contains(&alert.id) {
            return Ok(());
        }
        let mut line = alert_json(alert).to_string();
        line.push('\n');
        let r = open.file.write_all(line.as_bytes());
        open.dirty = true;
        open.len += line.len() as u64;
        open.ids.insert(alert.id.clone());
        // After a failed write the deliverer flushes at once (syncing the lines before it)
        // and the next group starts again from the file as it is.
        r.map_err(|e| self.err("cannot append to", e))
    }
}

impl Channel for JsonlChannel {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, alert: &StoredAlert) -> Result<(), ChannelError> {
        self.append(alert)
    }

    fn flush(&mut self) -> Result<(), ChannelError> {
        // Closed after each group: between groups another process may append.
        match self.open.take() {
            Some(open) if open.dirty => open
                .file
                .sync_data()
                .map_err(|e| self.err("cannot append to", e)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::ChangeReport;

    fn alert(id: &str) -> StoredAlert {
        StoredAlert {
            id: id.into(),
            created: "2026-11-23T08:00:00Z".into(),
            path: "a.txt".into(),
            has_facts: false,
            report: ChangeReport::default(),
            previous: None,
        }
    }

    #[test]
    fn the_same_alert_is_appended_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/alerts.jsonl");
        let mut ch = JsonlChannel::new("jsonl", path.clone());
        ch.send(&alert("a1")).unwrap();
        ch.send(&alert("a1")).unwrap();
        ch.flush().unwrap();
        // A new group reads the tail again.
        ch.send(&alert("a1")).unwrap();
        ch.send(&alert("a2")).unwrap();
        ch.flush().unwrap();
        // Another writer's line (a process that crashed before its outbox knew) is seen
        // even in the middle of a group.
        ch.send(&alert("a3")).unwrap();
        let mut other = JsonlChannel::new("jsonl", path.clone());
        other.send(&alert("a4")).unwrap();
        other.flush().unwrap();
        ch.send(&alert("a4")).unwrap();
        ch.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let ids: Vec<String> = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect();
        assert_eq!(ids, vec!["\"a1\"", "\"a2\"", "\"a3\"", "\"a4\""]);
    }
}
