//! The daemon's reconcile of one event batch: only the paths the events name are compared with
//! the store, so its memory and time are those of the batch, not of the dossier.
//!
//! Events stay hints: each named path is looked at afresh (stat; a folder is walked whole) and
//! compared with what the store holds at that path and under it, and the same
//! [`Pipeline::record_changes`] as a full check records the result (rename pairing, the
//! mass-removal guard against the whole dossier, alerts in the outbox). Whatever this cannot
//! settle from the paths alone (the folder itself gone or named, a path it cannot examine, a
//! non-regular file, a symbolic or hard link, whose identity a full scan dedups across paths)
//! makes it answer [`Partial::NeedsFull`], and the daemon runs a full check instead.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::check::{path_key, stat_moved, CheckOptions, CheckOutcome, Pipeline};
use super::error::AppError;
use crate::ingest::{DocPath, FileStat, Filter, FoundFile};
use crate::store::{StoredMeta, StoredMetas};

/// What a reconcile of named paths came to.
#[derive(Debug)]
pub(super) enum Partial {
    Done(CheckOutcome),
    /// Only a full check can settle this batch, for this reason. (A full check also looks for
    /// links again: see [`Pipeline::folder_has_links`].)
    NeedsFull(String),
}

fn needs_full(why: impl Into<String>) -> Partial {
    Partial::NeedsFull(why.into())
}

fn link(path: &Path) -> Partial {
    needs_full(format!("{} is a symbolic or hard link", path.display()))
}

/// What one named path turned out to hold.
#[derive(Default)]
struct Looked {
    /// Documents found, by key.
    found: BTreeMap<String, FoundFile>,
    /// Keys whose stored document is gone unless found.
    files: HashSet<String>,
    /// Keys of folders whose every stored document is gone unless found.
    folders: HashSet<String>,
}

impl Pipeline {
    /// Compares the paths named by a batch of events (absolute, under the watched folder) with
    /// the store and records every change, as [`Pipeline::check`] does for the whole folder.
    pub(super) fn check_paths(
        &mut self,
        paths: &[PathBuf],
        opts: &CheckOptions,
    ) -> Result<Partial, AppError> {
        let root = self.config.watch.dir.clone();
        if !fs::metadata(&root).is_ok_and(|m| m.is_dir()) {
            return Ok(needs_full("the watched folder is not there"));
        }
        let Ok(filter) = Filter::new(&self.scan_config()) else {
            return Ok(needs_full("the include/exclude globs are invalid"));
        };
        let mut looked = Looked::default();
        for path in paths {
            let Ok(rel) = path.strip_prefix(&root) else {
                return Ok(needs_full(format!(
                    "{} is outside the folder",
                    path.display()
                )));
            };
            if rel.as_os_str().is_empty() {
                return Ok(needs_full("an event names the folder itself"));
            }
            if filter.excluded(rel) {
                continue; // an editor's swap file, a temp file, under .git/: never a document
            }
            if let Some(p) = self.look(path, rel, &filter, &mut looked)? {
                return Ok(p);
            }
        }

        let mut stored: Vec<(String, StoredMeta)> = Vec::new();
        for key in &looked.files {
            if let Some(m) = self.store.meta(key)? {
                stored.push((key.clone(), m));
            }
        }
        for key in &looked.folders {
            stored.extend(self.store.meta_under(key)?);
        }
        // A file named and a folder holding it may both have been looked at.
        stored.sort_by(|a, b| a.0.cmp(&b.0));
        stored.dedup_by(|a, b| a.0 == b.0);
        let stored = StoredMetas::new(stored);
        let candidates: Vec<&FoundFile> = looked
            .found
            .iter()
            .filter(|(k, f)| stored.get(k).is_none_or(|m| stat_moved(m, f)))
            .map(|(_, f)| f)
            .collect();
        let mut gone: Vec<String> = stored
            .paths()
            .filter(|k| !looked.found.contains_key(*k))
            .cloned()
            .collect();
        gone.sort();
        let total = self.store.document_count()?;
        self.guard_mass_removal(&stored, total, &gone, &candidates, opts)?;
        let mut outcome = CheckOutcome::default();
        // What a scan of the whole folder would count, the store being right about every
        // path no event named.
        let added = looked
            .found
            .keys()
            .filter(|k| stored.get(k.as_str()).is_none())
            .count();
        outcome.report.scanned = (total + added).saturating_sub(gone.len());
        let outcome = self.record_changes(outcome, &stored, &candidates, &gone, opts, None)?;
        Ok(Partial::Done(outcome))
    }

    /// Looks at one named path: a document, a folder (walked), or nothing any more. Returns
    /// `Some` when only a full check will do.
    fn look(
        &self,
        path: &Path,
        rel: &Path,
        filter: &Filter,
        looked: &mut Looked,
    ) -> Result<Option<Partial>, AppError> {
        let key = path_key(&self.prefix, &DocPath::from_relative(rel));
        // Whatever was stored at this path or under it is gone unless found again now.
        looked.files.insert(key.clone());
        looked.folders.insert(key.clone());
        let meta = match fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if gone(&e) => return Ok(None),
            Err(e) => return Ok(Some(needs_full(format!("{}: {e}", path.display())))),
        };
        let ft = meta.file_type();
        if ft.is_symlink() {
            return Ok(Some(link(path)));
        }
        if ft.is_file() {
            if filter.matches(rel) {
                if meta.nlink() > 1 {
                    return Ok(Some(link(path)));
                }
                looked.found.insert(key, found(rel, path, &meta));
            }
            return Ok(None);
        }
        if !ft.is_dir() {
            return Ok(filter
                .matches(rel)
                .then(|| needs_full(format!("{} is not a regular file", path.display()))));
        }
        let root = &self.config.watch.dir;
        for entry in walk_unexcluded(path, root, filter) {
            let entry = match entry {
                Ok(entry) => entry,
                // A file removed during the walk: its own event names it.
                Err(e) if e.io_error().is_some_and(gone) => continue,
                Err(e) => return Ok(Some(needs_full(format!("{}: {e}", path.display())))),
            };
            let ft = entry.file_type();
            if ft.is_dir() {
                continue;
            }
            if ft.is_symlink() {
                return Ok(Some(link(entry.path())));
            }
            let Ok(rel) = entry.path().strip_prefix(root) else {
                continue;
            };
            if !filter.matches(rel) {
                continue;
            }
            if !ft.is_file() {
                let why = format!("{} is not a regular file", entry.path().display());
                return Ok(Some(needs_full(why)));
            }
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(e) if e.io_error().is_some_and(gone) => continue,
                Err(e) => return Ok(Some(needs_full(format!("{}: {e}", path.display())))),
            };
            if meta.nlink() > 1 {
                return Ok(Some(link(entry.path())));
            }
            let f = found(rel, entry.path(), &meta);
            looked.found.insert(path_key(&self.prefix, &f.path), f);
        }
        Ok(None)
    }

    /// Whether the watched folder holds a symbolic link, or a document with another hard link:
    /// then a path alone does not say which stored document a file is (a full scan lists a
    /// file reached by two paths once), and the daemon reconciles with full checks. Folders
    /// that cannot be read are passed over: no event comes from inside them.
    pub(super) fn folder_has_links(&self) -> bool {
        let root = &self.config.watch.dir;
        let Ok(filter) = Filter::new(&self.scan_config()) else {
            return true;
        };
        let links = walk_unexcluded(root, root, &filter)
            .filter_map(Result::ok)
            .any(|e| {
                let ft = e.file_type();
                ft.is_symlink()
                    || (ft.is_file()
                        && e.path().strip_prefix(root).is_ok_and(|r| filter.matches(r))
                        && e.metadata().is_ok_and(|m| m.nlink() > 1))
            });
        links
    }
}

/// Not there (any more): removed, or a folder on the way replaced by a file.
fn gone(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}

fn found(rel: &Path, abs: &Path, meta: &fs::Metadata) -> FoundFile {
    FoundFile {
        path: DocPath::from_relative(rel),
        abs: abs.to_path_buf(),
        stat: FileStat::from_metadata(meta),
    }
}

/// Everything under `start` (a folder inside the watched `root`, or the root), links not
/// followed, folders the configuration excludes not entered.
fn walk_unexcluded<'a>(
    start: &Path,
    root: &'a Path,
    filter: &'a Filter,
) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> + 'a {
    walkdir::WalkDir::new(start)
        .follow_links(false)
        .min_depth(1)
        .into_iter()
        .filter_entry(move |e| {
            !(e.file_type().is_dir()
                && e.path()
                    .strip_prefix(root)
                    .is_ok_and(|r| filter.excluded(r)))
        })
}
