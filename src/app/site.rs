//! `dossier report --html DIR` and `[report] html_dir`: the HTML dossier, gathered from the
//! store and written as a whole.
//!
//! The site is rendered by `report::html` (pure); here the store is read and the folder
//! written atomically: every file goes into a new folder beside the target, which then takes
//! the target's place in one `renameat2(RENAME_EXCHANGE)` (a browser or a copy sees the old
//! site or the new one, never half of each), and the old one is removed. A folder that holds
//! anything but a former report (no `.dossier-report` marker) is refused, never replaced.

use std::path::{Path, PathBuf};

use super::error::AppError;
use crate::diff::{self, DocStatus, Version};
use crate::model::Extraction;
use crate::report::html::{self, ClaimGroup, GroupValue, Site, SiteDocument, SiteEntity, SiteStep};
use crate::report::Lang;
use crate::store::Store;

fn status_of(s: &str) -> DocStatus {
    match s {
        "added" => DocStatus::Added,
        "renamed" => DocStatus::Renamed,
        "removed" => DocStatus::Removed,
        _ => DocStatus::Modified,
    }
}

/// Reads what the site shows from the store.
pub fn gather(store: &Store, lang: Lang) -> Result<Site, AppError> {
    let vocab = crate::extract::ArabicVocabulary;
    let heads = store.document_heads(600)?;
    let documents: Vec<SiteDocument> = store
        .documents()?
        .into_iter()
        .map(|d| SiteDocument {
            title: heads
                .get(&d.path)
                .and_then(|h| dossier_core::text::title_line(h)),
            path: d.path,
            version: d.version,
            updated: d.updated,
            entities: d.entities,
            claims: d.claims,
        })
        .collect();
    // What each version changed in facts, against the previous version of its path.
    let mut last: std::collections::HashMap<String, (Extraction, Vec<i64>)> = Default::default();
    let mut timeline = Vec::new();
    for v in store.versions()? {
        let before = last.get(&v.path).cloned();
        let empty = Extraction::default();
        let old = before.as_ref().map(|(facts, ids)| Version {
            path: &v.path,
            text: "",
            facts,
            ids,
        });
        let new = v.facts.as_ref().map(|facts| Version {
            path: &v.path,
            text: "",
            facts,
            ids: &v.ids,
        });
        let mut change = match (old, new) {
            (None, None) => diff::diff_document(
                None,
                Some(Version {
                    path: &v.path,
                    text: "",
                    facts: &empty,
                    ids: &[],
                }),
                &vocab,
            ),
            (old, new) => diff::diff_document(old, new, &vocab),
        };
        change.status = status_of(&v.status);
        change.title = documents
            .iter()
            .find(|d| d.path == v.path)
            .and_then(|d| d.title.clone());
        timeline.push(SiteStep {
            time: v.recorded.clone(),
            version: v.version,
            change,
        });
        match v.facts {
            Some(f) => last.insert(v.path.clone(), (f, v.ids.clone())),
            None => last.remove(&v.path),
        };
    }
    let entities = store
        .entities(None)?
        .into_iter()
        .map(|e| SiteEntity {
            id: e.id,
            kind: e.kind,
            name: e.name,
            aliases: e.aliases,
            first_seen_in: e.first_seen_in,
            first_seen_at: e.first_seen_at,
            documents: e.documents,
        })
        .collect();
    let groups = super::claims_view::groups(store.claim_rows()?, &store.entity_names()?, None)
        .into_iter()
        .map(|g| ClaimGroup {
            kind: g.kind,
            about: g.about,
            state: g.state.to_string(),
            values: g
                .values
                .into_iter()
                .map(|v| GroupValue {
                    date: v.date,
                    negated: v.negated,
                    sources: v.sources,
                })
                .collect(),
            statements: g.claims.into_iter().map(|s| (s.source, s.claim)).collect(),
        })
        .collect();
    let (generated, _) = super::now();
    Ok(Site {
        lang,
        generated,
        documents,
        timeline,
        entities,
        groups,
    })
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> AppError {
    let what = what.into();
    move |source| AppError::Io { what, source }
}

/// Writes the site into `dir`, replacing a former report there as a whole.
pub fn write(dir: &Path, files: &[(String, String)]) -> Result<(), AppError> {
    let shown = dir.display().to_string();
    let name = dir
        .file_name()
        .ok_or_else(|| AppError::Usage(format!("{shown}: not a folder name for the report")))?
        .to_string_lossy()
        .to_string();
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(AppError::Usage(format!(
            "{shown}: its folder {} does not exist",
            parent.display()
        )));
    }
    let exists = match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => true,
        Ok(_) => {
            return Err(AppError::Usage(format!(
                "{shown} is not a folder; give a new or empty folder for the report"
            )))
        }
        Err(_) => false,
    };
    if exists {
        let mut entries =
            std::fs::read_dir(dir).map_err(io(format!("the report folder {shown}")))?;
        let empty = entries.next().is_none();
        if !empty && !dir.join(html::MARKER).exists() {
            return Err(AppError::Usage(format!(
                "{shown} holds files that are not a dossier report; give a new or empty folder \
                 (a report folder is replaced whole)"
            )));
        }
    }
    let (_, ns) = super::now();
    let tmp = parent.join(format!(".{name}.new-{}-{ns}", std::process::id()));
    let built = (|| -> Result<(), AppError> {
        std::fs::create_dir(&tmp).map_err(io(tmp.display().to_string()))?;
        for (rel, body) in files {
            let path = tmp.join(rel);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).map_err(io(p.display().to_string()))?;
            }
            std::fs::write(&path, body).map_err(io(path.display().to_string()))?;
        }
        Ok(())
    })();
    if let Err(e) = built {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if !exists {
        return std::fs::rename(&tmp, dir).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            AppError::Io {
                what: shown.clone(),
                source: e,
            }
        });
    }
    match exchange(&tmp, dir) {
        Ok(()) => {}
        Err(_) => {
            // No atomic exchange on this file system: the old folder aside, the new in place.
            let old = parent.join(format!(".{name}.old-{}-{ns}", std::process::id()));
            std::fs::rename(dir, &old).map_err(io(shown.clone()))?;
            if let Err(e) = std::fs::rename(&tmp, dir) {
                let _ = std::fs::rename(&old, dir);
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(AppError::Io {
                    what: shown,
                    source: e,
                });
            }
            let _ = std::fs::remove_dir_all(&old);
            return Ok(());
        }
    }
    // `tmp` now holds the former report.
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Gathers, renders and writes the site into `dir`; returns how many files it holds.
pub fn refresh(store: &Store, lang: Lang, dir: &Path) -> Result<usize, AppError> {
    let site = gather(store, lang)?;
    let files = html::render_site(&site);
    write(dir, &files)?;
    Ok(files.len())
}
