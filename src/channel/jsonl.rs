//! The `jsonl` channel: one JSON line per alert appended to a file.
//!
//! Delivery is exactly-once across crashes: before appending, the channel looks for the alert
//! id in the file's tail, where a line written just before a crash would be.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use super::{alert_json, Channel, ChannelError};
use crate::store::StoredAlert;

/// How much of the file's end is searched for an alert id already written. The only alert
/// that can be there unrecorded is the one written just before a crash, i.e. among the last
/// lines; reading more costs a read per alert that grows with the alerts' size.
const TAIL_BYTES: u64 = 256 << 10;

pub struct JsonlChannel {
    name: String,
    path: PathBuf,
}

impl JsonlChannel {
    pub fn new(name: impl Into<String>, path: PathBuf) -> Self {
        JsonlChannel {
            name: name.into(),
            path,
        }
    }

    fn err(&self, what: &str, e: std::io::Error) -> ChannelError {
        ChannelError::Transient(format!("{} {}: {e}", what, self.path.display()))
    }

    fn already_written(&self, file: &mut std::fs::File, id: &str) -> Result<bool, ChannelError> {
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
        let needle = format!("\"id\":{}", serde_json::Value::from(id));
        Ok(String::from_utf8_lossy(&tail)
            .lines()
            .any(|l| l.contains(&needle)))
    }
}

impl Channel for JsonlChannel {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, alert: &StoredAlert) -> Result<(), ChannelError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.err("cannot create the folder of", e))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(|e| self.err("cannot open", e))?;
        if self.already_written(&mut file, &alert.id)? {
            return Ok(());
        }
        let mut line = alert_json(alert).to_string();
        line.push('\n');
        file.write_all(line.as_bytes())
            .and_then(|_| file.sync_data())
            .map_err(|e| self.err("cannot append to", e))
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
        ch.send(&alert("a2")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let ids: Vec<String> = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect();
        assert_eq!(ids, vec!["\"a1\"", "\"a2\""]);
    }
}
