//! The `jsonl` channel: one JSON line per alert appended to a file.
//!
//! Exactly once across crashes. Beside the file, an index (`<file>.idx`) lists the id and the
//! end offset of every line; the channel holds the ids in memory and appends only an alert
//! whose id is not there. At open, and whenever the file grew under another writer, the lines
//! past the last indexed offset are read back (all of them, whatever their size: not a fixed
//! window), so a line written just before a crash, whose index entry or outbox record never
//! came, is found. A missing, stale or damaged index (another file at the path, the file
//! shorter than the index says) is rebuilt from the whole file.
//!
//! Appends are whole records: the line is written with one `write`, synced (`fdatasync`), and
//! only then reported accepted; if the write or the sync fails midway (a full disk), the file
//! is cut back to the end of the last complete line before the failure is reported. A file
//! found at open with a cut last line (a process that died during such a failure, or another
//! program) is repaired the same way, with a warning. Writers (several dossier processes: a
//! `retry` beside the daemon) take an advisory lock on the index for each append.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::{alert_json, Channel, ChannelError};
use dossier_core::alert::Alert as StoredAlert;

/// The first line of an index, followed by the device and inode of the file it describes.
const INDEX_HEADER: &str = "dossier-jsonl-index 1";

/// How much of the file is read at a time when reading lines back.
const READ_CHUNK: usize = 1 << 20;

/// The file and its index while the channel holds them open.
struct OpenFile {
    file: File,
    index: File,
    /// The same open file as `index`, to hold the lock while the fields are changed.
    lock: File,
    dev: u64,
    ino: u64,
    /// The file's length as this process knows it: the end of its last complete line.
    len: u64,
    /// Every alert id in the file.
    ids: HashSet<String>,
    /// False once an index entry could not be written: the next open reads the lines past
    /// the last entry back instead.
    index_ok: bool,
}

/// The advisory lock on the index, released when dropped.
struct Locked<'a>(&'a File);

impl<'a> Locked<'a> {
    fn new(file: &'a File) -> io::Result<Locked<'a>> {
        file.lock()?;
        Ok(Locked(file))
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

enum Appended {
    Done,
    /// The file at the path is not the one held open (moved away, replaced, truncated).
    Reopen,
}

pub struct JsonlChannel {
    name: String,
    path: PathBuf,
    index_path: PathBuf,
    open: Option<OpenFile>,
    /// Bytes this channel may still write before its writes fail as a full disk does: a test
    /// writer (`DOSSIER_TEST_JSONL_FAIL_AFTER`), so the short-write path is always tested.
    budget: Option<u64>,
}

/// Writes `bytes` to the end of `file` in one call; with a budget smaller than the line, writes
/// what the budget allows and fails the way a full disk does (a short write, then ENOSPC).
fn write_line(mut file: &File, bytes: &[u8], budget: &mut Option<u64>) -> io::Result<()> {
    match budget {
        Some(left) if (bytes.len() as u64) > *left => {
            let n = *left as usize;
            *left = 0;
            file.write_all(&bytes[..n])?;
            Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "No space left on device (os error 28) [test writer: DOSSIER_TEST_JSONL_FAIL_AFTER]",
            ))
        }
        Some(left) => {
            *left -= bytes.len() as u64;
            file.write_all(bytes)
        }
        None => file.write_all(bytes),
    }
}

/// The top-level `id` of an alert line (the other keys are skipped, not built).
#[derive(serde::Deserialize)]
struct LineId {
    id: String,
}

/// A line read back: the offset where it ends and its alert id (`None` for a line that is
/// not an alert).
type Line = (u64, Option<String>);

/// The complete lines of `file` between `from` and `to`. A last line without its newline is
/// not returned; the offset where the complete lines end is.
fn read_lines(file: &File, from: u64, to: u64) -> io::Result<(Vec<Line>, u64)> {
    let mut out = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut pos = from;
    let mut complete = from;
    let mut buf = vec![0u8; READ_CHUNK];
    while pos < to {
        let want = ((to - pos) as usize).min(READ_CHUNK);
        let n = file.read_at(&mut buf[..want], pos)?;
        if n == 0 {
            break;
        }
        let mut start = 0;
        for i in 0..n {
            if buf[i] == b'\n' {
                let line: &[u8] = if pending.is_empty() {
                    &buf[start..i]
                } else {
                    pending.extend_from_slice(&buf[start..i]);
                    &pending
                };
                let id = serde_json::from_slice::<LineId>(line).ok().map(|l| l.id);
                complete = pos + i as u64 + 1;
                out.push((complete, id));
                pending.clear();
                start = i + 1;
            }
        }
        pending.extend_from_slice(&buf[start..n]);
        pos += n as u64;
    }
    Ok((out, complete))
}

/// Where the last complete line of `file` (of length `len`) ends: `len` when it ends with a
/// newline, else the offset after the last newline (0 if none).
fn last_line_end(file: &File, len: u64) -> io::Result<u64> {
    let mut end = len;
    let mut buf = vec![0u8; 64 << 10];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - start) as usize];
        file.read_exact_at(chunk, start)?;
        if end == len && chunk.last() == Some(&b'\n') {
            return Ok(len);
        }
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

/// What an index holds: its ids, the end of the last line it lists, and whether it describes
/// the file `(dev, ino)` at all (a missing or damaged index does not).
struct IndexRead {
    ids: HashSet<String>,
    indexed_to: u64,
    valid: bool,
}

fn read_index(index: &File, dev: u64, ino: u64) -> io::Result<IndexRead> {
    let mut text = String::new();
    let mut reader = index;
    reader.seek(SeekFrom::Start(0))?;
    let invalid = IndexRead {
        ids: HashSet::new(),
        indexed_to: 0,
        valid: false,
    };
    if reader.read_to_string(&mut text).is_err() {
        return Ok(invalid);
    }
    // An entry cut by a crash (no newline) is dropped: the line it was for is read back.
    let complete = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => return Ok(invalid),
    };
    let mut lines = complete.lines();
    if lines.next() != Some(&format!("{INDEX_HEADER} {dev} {ino}")) {
        return Ok(invalid);
    }
    let mut ids = HashSet::new();
    let mut indexed_to = 0;
    for line in lines {
        let mut parts = line.split(' ');
        let (Some(end), Some(id), None) = (parts.next(), parts.next(), parts.next()) else {
            return Ok(invalid);
        };
        let Ok(end) = end.parse::<u64>() else {
            return Ok(invalid);
        };
        if id.is_empty() {
            return Ok(invalid);
        }
        indexed_to = indexed_to.max(end);
        ids.insert(id.to_string());
    }
    if complete.len() < text.len() {
        index.set_len(complete.len() as u64)?;
    }
    Ok(IndexRead {
        ids,
        indexed_to,
        valid: true,
    })
}

/// Index entries for lines read back, as text.
fn entries(lines: &[Line]) -> String {
    let mut s = String::new();
    for (end, id) in lines {
        if let Some(id) = id
            .as_deref()
            .filter(|id| !id.is_empty() && !id.contains(' '))
        {
            s.push_str(&format!("{end} {id}\n"));
        }
    }
    s
}

impl JsonlChannel {
    pub fn new(name: impl Into<String>, path: PathBuf) -> Self {
        let mut index = path.as_os_str().to_owned();
        index.push(".idx");
        JsonlChannel {
            name: name.into(),
            path,
            index_path: PathBuf::from(index),
            open: None,
            budget: None,
        }
    }

    /// Makes every write fail once `bytes` have been written, as a full disk does.
    pub fn fail_after(mut self, bytes: Option<u64>) -> Self {
        self.budget = bytes;
        self
    }

    /// The index kept beside the file.
    pub fn index_path(&self) -> &Path {
        &self.index_path
    }

    fn err(&self, what: &str, e: io::Error) -> ChannelError {
        ChannelError::down(format!("{what} {}: {e}", self.path.display()))
    }

    /// Opens the file and its index, repairs a cut last line, and brings the index up to date
    /// with the file (under the lock).
    fn open_file(&self) -> Result<OpenFile, ChannelError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.err("cannot create the folder of", e))?;
        }
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(|e| self.err("cannot open", e))?;
        let index = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.index_path)
            .map_err(|e| self.err("cannot open the index of", e))?;
        let lock = index
            .try_clone()
            .map_err(|e| self.err("cannot open the index of", e))?;
        let _locked = Locked::new(&lock).map_err(|e| self.err("cannot lock the index of", e))?;
        let meta = file.metadata().map_err(|e| self.err("cannot stat", e))?;
        let (dev, ino) = (meta.dev(), meta.ino());
        let mut len = meta.len();
        let end = last_line_end(&file, len).map_err(|e| self.err("cannot read", e))?;
        if end < len {
            file.set_len(end)
                .map_err(|e| self.err("cannot repair the cut last line of", e))?;
            tracing::warn!(
                "{}: its last line was cut off ({} bytes without a newline, a write that failed \
                 midway); removed, the alert it held is written again",
                self.path.display(),
                len - end
            );
            len = end;
        }
        let read =
            read_index(&index, dev, ino).map_err(|e| self.err("cannot read the index of", e))?;
        let mut ids = read.ids;
        let behind = read.valid && read.indexed_to <= len;
        let from = if behind { read.indexed_to } else { 0 };
        let (lines, _) = read_lines(&file, from, len).map_err(|e| self.err("cannot read", e))?;
        let mut new_entries = entries(&lines);
        if !behind {
            if len > 0 || read.indexed_to > 0 {
                tracing::info!(
                    "{}: index rebuilt from the file ({} lines)",
                    self.path.display(),
                    lines.len()
                );
            }
            ids.clear();
            index
                .set_len(0)
                .map_err(|e| self.err("cannot rebuild the index of", e))?;
            new_entries = format!("{INDEX_HEADER} {dev} {ino}\n{new_entries}");
        }
        ids.extend(lines.into_iter().filter_map(|(_, id)| id));
        let index_ok = (&index).write_all(new_entries.as_bytes()).is_ok();
        if !index_ok {
            tracing::warn!(
                "{}: cannot update the index; the lines past its end are read back at the next open",
                self.path.display()
            );
        }
        drop(_locked);
        Ok(OpenFile {
            file,
            index,
            lock,
            dev,
            ino,
            len,
            ids,
            index_ok,
        })
    }

    /// Appends one alert's line; `test` (from `send-test`) marks it `"test": true`.
    fn append(&mut self, alert: &StoredAlert, test: bool) -> Result<(), ChannelError> {
        for _ in 0..3 {
            if self.open.is_none() {
                self.open = Some(self.open_file()?);
            }
            match self.append_open(alert, test)? {
                Appended::Done => return Ok(()),
                Appended::Reopen => self.open = None,
            }
        }
        Err(ChannelError::down(format!(
            "{} keeps being replaced while alerts are appended",
            self.path.display()
        )))
    }

    fn append_open(&mut self, alert: &StoredAlert, test: bool) -> Result<Appended, ChannelError> {
        let path = self.path.clone();
        let err = |what: &str, e: io::Error| {
            ChannelError::down(format!("{what} {}: {e}", path.display()))
        };
        let Some(o) = self.open.as_mut() else {
            return Ok(Appended::Reopen);
        };
        let _locked = Locked::new(&o.lock).map_err(|e| err("cannot lock the index of", e))?;
        match std::fs::metadata(&path) {
            Ok(m) if m.dev() == o.dev && m.ino() == o.ino => {}
            // Moved away (rotated) or replaced: the next line goes to the file at the path.
            _ => return Ok(Appended::Reopen),
        }
        let now = o.file.metadata().map_err(|e| err("cannot stat", e))?.len();
        if now < o.len {
            return Ok(Appended::Reopen);
        }
        if now > o.len {
            // Another process appended since: its lines are read back.
            let (lines, complete) =
                read_lines(&o.file, o.len, now).map_err(|e| err("cannot read", e))?;
            if complete < now {
                // It died midway through a line: the open repairs it.
                return Ok(Appended::Reopen);
            }
            o.ids.extend(lines.into_iter().filter_map(|(_, id)| id));
            o.len = now;
        }
        if o.ids.contains(&alert.id) {
            return Ok(Appended::Done);
        }
        let mut json = alert_json(alert);
        if test {
            // A dashboard reading the file must be able to leave it out: real alerts never
            // carry the field.
            if let Some(o) = json.as_object_mut() {
                o.insert("test".into(), true.into());
            }
        }
        let mut line = json.to_string();
        line.push('\n');
        let before = o.len;
        let written = write_line(&o.file, line.as_bytes(), &mut self.budget)
            .and_then(|()| o.file.sync_data());
        if let Err(e) = written {
            // Cut back to the end of the last complete line, then say so.
            let cut = o.file.set_len(before).and_then(|()| o.file.sync_data());
            let tail = match cut {
                Ok(()) => "; the part of the line written was removed".to_string(),
                Err(cut) => {
                    format!("; the part written could not be removed ({cut}), the next open will")
                }
            };
            let msg = format!("cannot append to {}: {e}{tail}", path.display());
            drop(_locked);
            self.open = None;
            return Err(ChannelError::down(msg));
        }
        o.len = before + line.len() as u64;
        o.ids.insert(alert.id.clone());
        if o.index_ok {
            let at = o.index.metadata().map(|m| m.len());
            let entry = format!("{} {}\n", o.len, alert.id);
            if let Err(e) = (&o.index).write_all(entry.as_bytes()) {
                // The line is on disk and accepted; the index catches up at the next open.
                o.index_ok = false;
                if let Ok(at) = at {
                    let _ = o.index.set_len(at);
                }
                tracing::warn!(
                    "cannot update the index of {}: {e}; the lines past its end are read back at the next open",
                    path.display()
                );
            }
        }
        Ok(Appended::Done)
    }
}

impl Channel for JsonlChannel {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, alert: &StoredAlert) -> Result<(), ChannelError> {
        self.append(alert, false)
    }

    /// The test alert is appended like any other (that is what it tests: the file can be
    /// written), marked `"test": true`, with no document in it.
    fn send_test(&mut self, alert: &StoredAlert) -> Result<super::TestReport, ChannelError> {
        self.append(alert, true)?;
        Ok(super::TestReport {
            steps: vec![
                ("accepted".into(), true),
                ("marked \"test\": true".into(), true),
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
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

    fn ids(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect()
    }

    #[test]
    fn the_same_alert_is_appended_once_by_any_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/alerts.jsonl");
        let mut ch = JsonlChannel::new("jsonl", path.clone());
        ch.send(&alert("a1")).unwrap();
        ch.send(&alert("a1")).unwrap();
        // Another writer (a process that crashed before its outbox knew) is seen at once.
        let mut other = JsonlChannel::new("jsonl", path.clone());
        other.send(&alert("a1")).unwrap();
        other.send(&alert("a2")).unwrap();
        ch.send(&alert("a2")).unwrap();
        ch.send(&alert("a3")).unwrap();
        // A new process reads the index.
        let mut third = JsonlChannel::new("jsonl", path.clone());
        for id in ["a1", "a2", "a3", "a4"] {
            third.send(&alert(id)).unwrap();
        }
        assert_eq!(ids(&path), vec!["\"a1\"", "\"a2\"", "\"a3\"", "\"a4\""]);
    }

    #[test]
    fn lines_past_the_index_are_read_back_whatever_their_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.jsonl");
        let mut ch = JsonlChannel::new("jsonl", path.clone());
        ch.send(&alert("a1")).unwrap();
        drop(ch);
        // Lines appended without index entries, as by a process killed right after its
        // write: large ones, well past any fixed window.
        let big = "x".repeat(300_000);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        for id in ["b1", "b2", "b3"] {
            writeln!(f, "{{\"id\":\"{id}\",\"pad\":\"{big}\"}}").unwrap();
        }
        let mut ch = JsonlChannel::new("jsonl", path.clone());
        for id in ["b1", "b2", "b3", "a1", "c1"] {
            ch.send(&alert(id)).unwrap();
        }
        assert_eq!(ids(&path).len(), 5);
        // And the index now lists them: a third open reads no line back.
        let index = std::fs::read_to_string(ch.index_path()).unwrap();
        assert_eq!(index.lines().count(), 1 + 5, "{index}");
    }

    #[test]
    fn a_write_that_fails_midway_leaves_whole_lines_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.jsonl");
        let line_len = alert_json(&alert("a1")).to_string().len() as u64 + 1;
        // Room for one line and a half.
        let mut ch = JsonlChannel::new("jsonl", path.clone()).fail_after(Some(line_len * 3 / 2));
        ch.send(&alert("a1")).unwrap();
        let e = ch.send(&alert("a2")).unwrap_err();
        assert!(e.is_channel_wide(), "{e}");
        assert!(e.to_string().contains("was removed"), "{e}");
        assert_eq!(std::fs::metadata(&path).unwrap().len(), line_len);
        assert_eq!(ids(&path), vec!["\"a1\""]);
        // Room again (the disk was cleaned): the alert goes, once.
        let mut ch = JsonlChannel::new("jsonl", path.clone());
        ch.send(&alert("a2")).unwrap();
        ch.send(&alert("a1")).unwrap();
        assert_eq!(ids(&path), vec!["\"a1\"", "\"a2\""]);
    }

    #[test]
    fn a_cut_last_line_is_repaired_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.jsonl");
        let mut ch = JsonlChannel::new("jsonl", path.clone());
        ch.send(&alert("a1")).unwrap();
        drop(ch);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"id\":\"a2\",\"documents\":[{\"pa").unwrap();
        let mut ch = JsonlChannel::new("jsonl", path.clone());
        ch.send(&alert("a2")).unwrap();
        assert_eq!(ids(&path), vec!["\"a1\"", "\"a2\""]);
    }

    #[test]
    fn a_replaced_or_truncated_file_gets_a_new_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.jsonl");
        let mut ch = JsonlChannel::new("jsonl", path.clone());
        ch.send(&alert("a1")).unwrap();
        ch.send(&alert("a2")).unwrap();
        // Rotated away while the channel holds it open: the next line starts a new file.
        std::fs::rename(&path, dir.path().join("alerts.jsonl.1")).unwrap();
        ch.send(&alert("a3")).unwrap();
        assert_eq!(ids(&path), vec!["\"a3\""]);
        // Emptied by hand: an old id is written again only if asked to.
        std::fs::write(&path, "").unwrap();
        let mut ch = JsonlChannel::new("jsonl", path.clone());
        ch.send(&alert("a3")).unwrap();
        assert_eq!(ids(&path), vec!["\"a3\""]);
    }
}
