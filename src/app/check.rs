//! The `check` pipeline: scan → read → extract → diff → store (with the outbox) in batches.
//!
//! Invariants kept here:
//! - Events are hints, the store is the truth: a check compares the whole folder with the
//!   stored state, so whatever changed while nothing was watching is found.
//! - A document's new state and its alert are committed in the same [`Batch`]; delivery happens
//!   after the commit, from the outbox.
//! - Nothing is recorded as removed when the folder is missing or mostly gone at once.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::error::AppError;
use crate::config::Config;
use crate::diff::{self, ChangeReport, DocumentChange, DossierChanges, Linked, Version};
use crate::extract::{ArabicExtractor, ArabicVocabulary, Extractor};
use crate::ingest::{self, Decoded, FoundFile, ScanConfig};
use crate::model::{Claim, Extraction};
use crate::report::ReportSink;
use crate::store::{
    Batch, NewDoc, StateLock, Store, StoredAlert, StoredDoc, StoredMeta, StoredMetas,
};
use crate::text;
use dossier_core::vocab::Vocabulary;

/// How many documents are read and extracted in parallel, then written in one transaction.
const CHUNK: usize = 256;

/// Other sources named in one corroboration or contradiction entry; the entry also carries
/// the total count.
const MAX_SOURCES: usize = 10;

/// Rows of other documents' claims read per claim key (enough to tell agreement from
/// disagreement and to name MAX_SOURCES sources, without reading a hot key's every row).
const CLAIM_ROWS_READ: usize = 200;

/// Documents whose sentences are at least this alike count as one document moved and edited.
const RENAME_SIMILARITY: f64 = 0.9;

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Queue alerts (false with `--no-notify`: the new state becomes the silent baseline).
    pub notify: bool,
    /// Record removals even when more than half of the documents are gone at once.
    pub allow_mass_removal: bool,
    /// Keep only counts, not every document's change, in the outcome (the daemon: it prints
    /// no report, and a first scan of a large archive must not hold it all in memory).
    pub counts_only: bool,
    /// Show a progress bar (count, rate, ETA) while reading and extracting: only on a
    /// terminal, never on a pipe or under systemd (the caller decides).
    pub progress: bool,
    /// Set by a signal: stop after the batch in progress is committed. What was not reached
    /// is found by the next check, since the store is the truth.
    pub cancel: Option<Arc<AtomicBool>>,
}

/// What one check found and did.
#[derive(Debug, Clone, Default)]
pub struct CheckOutcome {
    pub report: ChangeReport,
    /// Files skipped or unreadable, one sentence each, already logged.
    pub warnings: Vec<String>,
    /// Alerts queued in the outbox by this check.
    pub alerts: usize,
    /// Documents that changed (the length of `report.documents` unless `counts_only`).
    pub changed: usize,
    /// Files that could not be read this time (warned about): the daemon looks at them again
    /// at its next reconcile, as a check of the whole folder would.
    pub unread: Vec<std::path::PathBuf>,
}

/// A state path whose folder is missing is refused (a typo in `--state` or `[state] path`
/// would otherwise start a new, empty state and report the whole archive again), unless it is
/// the default path ([`crate::config::default_state_path`]) or `init` is given: then the
/// folder is created.
pub fn check_state_folder(config: &Config, init: bool) -> Result<(), AppError> {
    let path = &config.state.path;
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if dir.is_dir() {
        return Ok(());
    }
    let default = *path == crate::config::default_state_path(&crate::config::ProcessEnv);
    if !(default || init) {
        return Err(AppError::StateFolder {
            path: path.clone(),
            dir: dir.to_path_buf(),
        });
    }
    std::fs::create_dir_all(dir).map_err(|source| AppError::Io {
        what: format!("the state folder {}", dir.display()),
        source,
    })
}

/// What the walk of the watched folder needs to know.
fn scan_config(config: &Config) -> ScanConfig {
    ScanConfig {
        root: config.watch.dir.clone(),
        include: config.watch.include.clone(),
        exclude: config.watch.exclude.clone(),
        max_bytes: config.watch.max_bytes,
        follow_links: config.watch.follow_links,
    }
}

/// A walk of the watched folder (file system only) on a thread of its own, started as early
/// as possible: an unchanged re-check of a large folder is mostly this walk, so `dossier
/// check` starts it before it opens the state (1-3 ms it need not wait for) and reads the
/// stored stats beside it.
pub struct Walk {
    thread: Option<std::thread::JoinHandle<Result<ingest::Scan, ingest::IngestError>>>,
    config: ScanConfig,
}

impl Walk {
    pub fn start(config: &Config) -> Walk {
        let config = scan_config(config);
        let mine = config.clone();
        let thread = std::thread::Builder::new()
            .name("scan".into())
            .spawn(move || ingest::scan(&mine))
            .ok();
        Walk { thread, config }
    }

    /// The walk's result; when no thread could be started, the walk now, on this one.
    fn finish(self) -> Result<ingest::Scan, ingest::IngestError> {
        match self.thread {
            Some(h) => h
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => ingest::scan(&self.config),
        }
    }
}

/// The long-lived parts of the pipeline: configuration, state and extractor.
pub struct Pipeline {
    pub config: Config,
    pub(super) store: Store,
    /// One writer per state database, held as long as the pipeline lives.
    _lock: StateLock,
    pub(super) extractor: Arc<dyn Extractor>,
    /// What the language's word lists say of names, for linking and claim keys.
    pub(super) vocab: Arc<dyn Vocabulary>,
    /// The watched folder's own name, prefixed to every document path shown and stored
    /// (`seeds/000_….txt`), so reports read the same from any working directory.
    pub(super) prefix: String,
    /// Symbolic links already named as not followed: each is named once in a process's life.
    named_links: HashSet<String>,
}

/// The default extractor, built on first use: building its word lists (the Aho-Corasick
/// automata) costs ~30 ms of CPU, a third of a re-check of 10,000 unchanged documents, and a
/// check that reads nothing never needs it.
#[derive(Default)]
struct LazyArabic(OnceLock<ArabicExtractor>);

impl Extractor for LazyArabic {
    fn rules(&self) -> &str {
        crate::extract::RULES
    }

    fn extract(&self, text: &str) -> Extraction {
        self.0.get_or_init(ArabicExtractor::new).extract(text)
    }
}

/// A file read and compared with its stored version.
pub(super) enum Outcome {
    /// Unreadable or skipped: warned about, stored state left alone, looked at again next time.
    Skipped(String),
    /// Same bytes, only its stat moved: refresh the stat.
    SameContent { path: String, meta: StoredMeta },
    /// Only white space, punctuation spacing or diacritics changed: not a change.
    Cosmetic {
        path: String,
        meta: StoredMeta,
        decoded: Decoded,
        facts: Extraction,
    },
    /// New or changed in substance.
    Changed {
        path: String,
        meta: StoredMeta,
        decoded: Decoded,
        facts: Extraction,
        /// The text's near-duplicate fingerprint, computed here on the pool beside the
        /// extraction rather than on the writing thread.
        fingerprint: u64,
        existed: bool,
    },
}

fn hex_sha256(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash of a text's comparable form: equal for two versions that differ only cosmetically.
pub fn norm_hash(text: &str) -> String {
    hex_sha256(text::comparable(text).as_bytes())
}

impl Pipeline {
    /// Opens (or creates) the state database of `config` with the default Arabic extractor.
    pub fn open(config: Config) -> Result<Pipeline, AppError> {
        Self::open_with(config, false)
    }

    /// [`Pipeline::open`]; `init` (`--init`) starts a new state: its folder is created and a
    /// file in the way that is not a dossier state is set aside ([`Store::open_state`]).
    pub fn open_with(config: Config, init: bool) -> Result<Pipeline, AppError> {
        Self::build(config, Arc::new(LazyArabic::default()), init)
    }

    pub fn with_extractor(
        config: Config,
        extractor: Arc<dyn Extractor>,
    ) -> Result<Pipeline, AppError> {
        Self::build(config, extractor, false)
    }

    fn build(
        config: Config,
        extractor: Arc<dyn Extractor>,
        init: bool,
    ) -> Result<Pipeline, AppError> {
        check_state_folder(&config, init)?;
        let lock = StateLock::acquire(&config.state.path)?;
        let store = Store::open_state(&config.state.path, init)?;
        let prefix = display_prefix(&config.watch.dir);
        let mut pipeline = Pipeline {
            config,
            store,
            _lock: lock,
            extractor,
            vocab: Arc::new(ArabicVocabulary),
            prefix,
            named_links: HashSet::new(),
        };
        pipeline.refresh_facts()?;
        Ok(pipeline)
    }

    /// The rule the stored facts, links and claim keys are made by: the extractor's, the
    /// linker's and the claim key's.
    fn facts_rule(&self) -> String {
        format!(
            "extract {}; link {} {}; claim key {}",
            self.extractor.rules(),
            dossier_link::RULE,
            crate::store::STORE_LINK_RULE,
            diff::CLAIM_KEY_RULE
        )
    }

    /// When the stored facts were made by other rules (an upgrade, or a database from before
    /// linking), makes them again from the stored texts, in the order the documents were
    /// first seen, and links them anew: silently (no version, no alert), so that an upgrade
    /// is never reported as a change of every document, and the next edit of a document is
    /// compared with facts made as its new ones are. One transaction: a crash leaves the old
    /// state, and the next start does it again.
    fn refresh_facts(&mut self) -> Result<(), AppError> {
        let rule = self.facts_rule();
        if self.store.facts_rule()?.as_deref() == Some(rule.as_str()) {
            return Ok(());
        }
        let total = self.store.document_count()?;
        if total > 0 {
            tracing::info!(
                "the stored facts were made by other rules: reading the {total} stored documents again (nothing is reported or sent)"
            );
        }
        let (extractor, vocab) = (&self.extractor, &*self.vocab);
        let batch = self.store.batch()?;
        batch.clear_dossier()?;
        let mut after: Option<(String, String)> = None;
        loop {
            let rows = batch.texts_in_order(
                after
                    .as_ref()
                    .map(|(seen, path)| (seen.as_str(), path.as_str())),
                CHUNK,
            )?;
            let Some((last_path, _, last_seen)) = rows.last() else {
                break;
            };
            after = Some((last_seen.clone(), last_path.clone()));
            let facts: Vec<Extraction> = rows
                .par_iter()
                .map(|(_, text, _)| extractor.extract(text))
                .collect();
            for ((path, _, first_seen), facts) in rows.iter().zip(&facts) {
                let linking = batch.link(facts, None, vocab)?;
                let applied = batch.apply_links(path, facts, &linking, vocab, first_seen)?;
                batch.replace_facts(path, facts)?;
                let ids = claim_rows(&Linked::new(facts, &applied.ids), vocab);
                batch.put_claims(path, &facts.claims, &ids)?;
            }
        }
        batch.set_facts_rule(&rule)?;
        batch.commit()?;
        Ok(())
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub(super) fn scan_config(&self) -> ScanConfig {
        scan_config(&self.config)
    }

    fn key(&self, f: &FoundFile) -> String {
        doc_key(&self.prefix, f)
    }

    /// Compares the whole folder with the stored state and records every change; the report
    /// is kept in the outcome (unless `counts_only`).
    pub fn check(&mut self, opts: &CheckOptions) -> Result<CheckOutcome, AppError> {
        self.check_into(opts, None)
    }

    /// [`Pipeline::check`], with each changed document handed to `sink` as it is recorded
    /// instead of kept in the outcome (whose report then holds only `scanned`): the memory of a
    /// first check of a large archive does not grow with its report.
    pub fn check_into(
        &mut self,
        opts: &CheckOptions,
        sink: Option<&mut dyn ReportSink>,
    ) -> Result<CheckOutcome, AppError> {
        let walk = Walk::start(&self.config);
        self.check_walked(opts, sink, walk)
    }

    /// [`Pipeline::check_into`] with a walk of the folder already under way (`dossier check`
    /// starts it before it opens the state). It must have been started with this pipeline's
    /// configuration.
    pub fn check_walked(
        &mut self,
        opts: &CheckOptions,
        sink: Option<&mut dyn ReportSink>,
        walk: Walk,
    ) -> Result<CheckOutcome, AppError> {
        // The walk (file system only) runs on its own thread while this one reads the stored
        // stats (SQLite only): on an unchanged folder these are most of a check's time.
        let stored = self.store.all_stats();
        let scan = walk.finish()?;
        let mut outcome = CheckOutcome::default();
        for w in &scan.warnings {
            tracing::warn!("{w}");
            outcome.warnings.push(w.to_string());
        }
        for w in &scan.links_skipped {
            if self.named_links.insert(w.path.clone()) {
                tracing::warn!("{w}");
                outcome.warnings.push(w.to_string());
            }
        }
        outcome.report.scanned = scan.files.len();
        let mut stored = stored?;
        // Files and stored documents walked side by side in path order (the scan's order;
        // sorted here should it ever not be), each file's key compared as the prefix and its
        // path without being built: a re-check of a large unchanged folder is this loop.
        let mut files: Vec<&FoundFile> = scan.files.iter().collect();
        if !files.is_sorted_by(|a, b| a.path.as_str() <= b.path.as_str()) {
            files.sort_by(|a, b| a.path.as_str().cmp(b.path.as_str()));
        }
        let head = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let mut candidates: Vec<&FoundFile> = Vec::new();
        let mut vanished: Vec<&String> = Vec::new();
        let mut old = stored.iter().peekable();
        for f in files {
            let rel = f.path.as_str();
            while let Some((p, _)) = old.next_if(|(p, _)| cmp_key(p, &head, rel).is_lt()) {
                vanished.push(p);
            }
            match old.next_if(|(p, _)| cmp_key(p, &head, rel).is_eq()) {
                Some((_, m)) if !stat_moved(m, f) => {}
                _ => candidates.push(f),
            }
        }
        vanished.extend(old.map(|(p, _)| p));
        let prefix = format!("{}/", self.prefix);
        let mut gone: Vec<String> = vanished
            .into_iter()
            .filter(|p| {
                // Under a folder this scan could not read: unknown, not removed.
                let rel = p.strip_prefix(prefix.as_str()).unwrap_or(p);
                !scan.is_unknown(&ingest::DocPath::from_stored(rel.to_string()))
            })
            .cloned()
            .collect();
        gone.sort();
        // The stored hashes, read above for no document, for those that need them: the
        // candidates (same content?) and the gone (moved?). Many: read them all again.
        if candidates.len() + gone.len() > stored.len() / 8 {
            stored = self.store.all_meta()?;
        } else if !candidates.is_empty() || !gone.is_empty() {
            let keys: Vec<String> = candidates.iter().map(|f| self.key(f)).collect();
            self.store
                .fill_hashes(&mut stored, keys.iter().chain(&gone).map(String::as_str))?;
        }
        self.guard_mass_removal(&stored, stored.len(), &gone, &candidates, opts)?;

        self.record_changes(outcome, &stored, &candidates, &gone, opts, sink)
    }

    /// Reads the candidates, records what changed with its alerts in batches, then records
    /// the gone documents no added one turned out to be a move of. `stored` holds at least the
    /// stored state of every candidate and every gone path. Changed documents go to `sink`
    /// as they are recorded when there is one.
    pub(super) fn record_changes(
        &mut self,
        mut outcome: CheckOutcome,
        stored: &StoredMetas,
        candidates: &[&FoundFile],
        gone: &[String],
        opts: &CheckOptions,
        mut sink: Option<&mut dyn ReportSink>,
    ) -> Result<CheckOutcome, AppError> {
        // Candidates come in path order (the scan's); removals only at the end.
        if let Some(s) = sink.as_deref_mut() {
            s.begin(outcome.report.scanned, gone.is_empty());
        }
        // Removed documents that an added one may turn out to be (a rename), by normalized hash.
        let mut unpaired = Unpaired::new(gone, stored);
        let channels: Vec<String> = self
            .config
            .channels
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let bar = progress_bar(opts.progress, candidates.len());
        let cancelled = || {
            opts.cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::SeqCst))
        };
        // Chunk k + 1 is read and extracted (on the rayon pool, from a helper thread)
        // while chunk k is written on this thread: the store's single writer and the
        // extraction overlap instead of taking turns. Extraction is a function of each
        // document's text alone, so the results are the same as one chunk after the other.
        let reader = Reader {
            max_bytes: self.config.watch.max_bytes,
            extractor: &*self.extractor,
            prefix: &self.prefix,
            stored,
        };
        let store = &mut self.store;
        let vocab = &*self.vocab;
        let mut chunks = candidates.chunks(CHUNK);
        let mut next = chunks.next().map(|c| (c, reader.read(c)));
        while let Some((chunk, outcomes)) = next.take() {
            if cancelled() {
                // Removals wait for a complete pass: an unread new path may be a rename.
                unpaired.paths.clear();
                break;
            }
            let following = chunks.next();
            let written = std::thread::scope(|scope| {
                let reader = &reader;
                let ahead = following.map(|c| scope.spawn(move || (c, reader.read(c))));
                let written = write_chunk(
                    store,
                    vocab,
                    chunk,
                    outcomes,
                    &mut unpaired,
                    &mut outcome,
                    opts,
                    &channels,
                    sink.as_deref_mut(),
                );
                // A panic while reading (a bug) goes on as a panic of the check.
                next = ahead.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
                written
            });
            written?;
            bar.inc(chunk.len() as u64);
        }
        bar.finish_and_clear();
        if !unpaired.paths.is_empty() {
            let batch = self.store.batch()?;
            for path in &unpaired.paths {
                let Some(old) = batch.document(path)? else {
                    continue;
                };
                let (now, _) = super::now();
                batch.remove_document(path, &now)?;
                let change = diff::diff_document(
                    Some(Version {
                        path,
                        text: &old.text,
                        facts: &old.facts,
                        ids: &old.ids,
                    }),
                    None,
                    &*self.vocab,
                );
                emit(
                    &batch,
                    &mut outcome,
                    change,
                    DossierChanges::default(),
                    opts,
                    &channels,
                    sink.as_deref_mut(),
                )?;
            }
            batch.commit()?;
        }
        outcome.report.documents.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(outcome)
    }

    /// Refuses to record a flood of removals: more than half of the stored documents gone at
    /// once (and at least two) looks like an unmounted or emptied folder, not an analyst's work.
    /// A gone file whose inode and size reappear at another path is a move, not a removal.
    pub(super) fn guard_mass_removal(
        &self,
        stored: &StoredMetas,
        total: usize,
        gone: &[String],
        candidates: &[&FoundFile],
        opts: &CheckOptions,
    ) -> Result<(), AppError> {
        if opts.allow_mass_removal {
            return Ok(());
        }
        let moved_to: HashSet<(u64, u64)> = candidates
            .iter()
            .map(|f| (f.stat.inode, f.stat.size))
            .collect();
        let removed = gone
            .iter()
            .filter(|p| {
                stored
                    .get(p)
                    .is_none_or(|m| !moved_to.contains(&(m.inode, m.size)))
            })
            .count();
        if removed >= 2 && removed * 2 > total {
            return Err(AppError::MassRemoval {
                removed,
                stored: total,
                dir: self.config.watch.dir.clone(),
            });
        }
        Ok(())
    }
}

/// What reading a chunk of candidates needs, borrowed from the pipeline apart from its store
/// (which the writing of the previous chunk holds meanwhile).
struct Reader<'a> {
    max_bytes: u64,
    extractor: &'a dyn Extractor,
    prefix: &'a str,
    stored: &'a StoredMetas,
}

impl Reader<'_> {
    /// Reads and extracts one chunk of candidate files on every core, one outcome per file in
    /// the chunk's order.
    fn read(&self, chunk: &[&FoundFile]) -> Vec<Outcome> {
        let (max_bytes, extractor, prefix) = (self.max_bytes, self.extractor, self.prefix);
        let stored = self.stored;
        chunk
            .par_iter()
            .map(|f| {
                let path = doc_key(prefix, f);
                let (_, now_ns) = super::now();
                let decoded = match ingest::read_document(&f.abs, &path, max_bytes) {
                    Ok(d) => d,
                    Err(e) => {
                        tracing::warn!("{e}");
                        return Outcome::Skipped(e.to_string());
                    }
                };
                let meta = StoredMeta {
                    size: decoded.stat.size,
                    mtime_ns: decoded.stat.mtime_ns,
                    ctime_ns: decoded.stat.ctime_ns,
                    inode: decoded.stat.inode,
                    content_hash: decoded.content_hash.clone(),
                    norm_hash: norm_hash(&decoded.text),
                    scanned_ns: now_ns,
                };
                let old = stored.get(&path);
                if old.is_some_and(|o| o.content_hash == meta.content_hash) {
                    return Outcome::SameContent { path, meta };
                }
                let facts = extractor.extract(&decoded.text);
                if old.is_some_and(|o| o.norm_hash == meta.norm_hash) {
                    return Outcome::Cosmetic {
                        path,
                        meta,
                        decoded,
                        facts,
                    };
                }
                let fingerprint = dossier_core::dupes::fingerprint(&decoded.text);
                Outcome::Changed {
                    path,
                    meta,
                    decoded,
                    facts,
                    fingerprint,
                    existed: old.is_some(),
                }
            })
            .collect()
    }
}

/// Writes one chunk's outcomes in one transaction: new states, index rows and alerts together.
#[allow(clippy::too_many_arguments)]
fn write_chunk(
    store: &mut Store,
    vocab: &dyn Vocabulary,
    chunk: &[&FoundFile],
    outcomes: Vec<Outcome>,
    unpaired: &mut Unpaired,
    outcome: &mut CheckOutcome,
    opts: &CheckOptions,
    channels: &[String],
    mut sink: Option<&mut (dyn ReportSink + '_)>,
) -> Result<(), AppError> {
    let batch = store.batch()?;
    for (o, f) in outcomes.into_iter().zip(chunk) {
        match o {
            Outcome::Skipped(w) => {
                outcome.warnings.push(w);
                outcome.unread.push(f.abs.clone());
            }
            Outcome::SameContent { path, meta } => batch.touch_stat(&path, &meta)?,
            Outcome::Cosmetic {
                path,
                meta,
                decoded,
                facts,
            } => {
                // Nothing to report; the facts of the new text are stored and linked anew
                // (they may differ where only diacritics did), keeping every identity.
                let old = batch.document(&path)?;
                batch.touch_document(&NewDoc {
                    path: &path,
                    meta: &meta,
                    encoding: decoded.encoding,
                    text: &decoded.text,
                    facts: &facts,
                    fingerprint: None,
                })?;
                let previous = old.as_ref().map(|o| (&o.facts, o.ids.as_slice()));
                let linking = batch.link(&facts, previous, vocab)?;
                let (now, _) = super::now();
                let applied = batch.apply_links(&path, &facts, &linking, vocab, &now)?;
                let ids = claim_rows(&Linked::new(&facts, &applied.ids), vocab);
                batch.put_claims(&path, &facts.claims, &ids)?;
            }
            Outcome::Changed {
                path,
                meta,
                decoded,
                facts,
                fingerprint,
                existed,
            } => {
                let old = if existed {
                    batch.document(&path)?
                } else {
                    unpaired.find(&batch, &meta, &decoded.text)?
                };
                let change = record(
                    &batch,
                    vocab,
                    old.as_ref(),
                    &NewDoc {
                        path: &path,
                        meta: &meta,
                        encoding: decoded.encoding,
                        text: &decoded.text,
                        facts: &facts,
                        fingerprint: Some(fingerprint),
                    },
                )?;
                if let Some((mut change, dossier)) = change {
                    // An HTML page's own title; the diff took the first line of the text.
                    if decoded.title.is_some() {
                        change.title.clone_from(&decoded.title);
                    }
                    emit(
                        &batch,
                        outcome,
                        change,
                        dossier,
                        opts,
                        channels,
                        sink.as_deref_mut(),
                    )?;
                }
            }
        }
    }
    batch.commit()?;
    Ok(())
}

/// Adds a document's change to the report (or hands it to the sink) and, unless silenced,
/// queues its alert.
fn emit(
    batch: &Batch<'_>,
    outcome: &mut CheckOutcome,
    change: DocumentChange,
    dossier: DossierChanges,
    opts: &CheckOptions,
    channels: &[String],
    sink: Option<&mut (dyn ReportSink + '_)>,
) -> Result<(), AppError> {
    if opts.notify && !channels.is_empty() {
        let (created, now_ns) = super::now();
        let id_src = format!(
            "{}\0{:?}\0{}\0{}",
            change.path, change.status, now_ns, outcome.alerts
        );
        let alert = StoredAlert {
            id: hex_sha256(id_src.as_bytes())[..20].to_string(),
            created,
            path: change.path.clone(),
            has_facts: change.has_fact_changes() || !dossier.is_empty(),
            report: ChangeReport {
                scanned: outcome.report.scanned,
                documents: vec![change.clone()],
                dossier: dossier.clone(),
            },
            previous: None,
        };
        batch.enqueue_alert(&alert, channels)?;
        outcome.alerts += 1;
    }
    outcome.changed += 1;
    if let Some(sink) = sink {
        sink.document(&change, &dossier);
    } else if !opts.counts_only {
        outcome.report.documents.push(change);
        outcome.report.dossier.extend(dossier);
    }
    Ok(())
}

/// Below this many files to read, a check is over before a bar would help.
const PROGRESS_MIN: usize = 200;

fn progress_bar(wanted: bool, len: usize) -> indicatif::ProgressBar {
    if !wanted || len < PROGRESS_MIN {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:30} {pos}/{len} documents  {per_sec}  ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// A document's key in the store and in reports: the watched folder's name, then its relative
/// path (escaped where not printable).
fn doc_key(prefix: &str, f: &FoundFile) -> String {
    path_key(prefix, &f.path)
}

pub(super) fn path_key(prefix: &str, path: &ingest::DocPath) -> String {
    if prefix.is_empty() {
        path.as_str().to_string()
    } else {
        format!("{prefix}/{}", path.as_str())
    }
}

/// The name shown before every document path: the watched folder's last component.
fn display_prefix(dir: &Path) -> String {
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    canonical
        .file_name()
        .map(|n| crate::report::one_line(&n.to_string_lossy()))
        .unwrap_or_default()
}

/// `stored` against the key `head` + `rel` ([`path_key`]: `head` is the prefix and a `/`, or
/// empty), byte by byte as strings compare, without building the key.
fn cmp_key(stored: &str, head: &str, rel: &str) -> std::cmp::Ordering {
    let (s, h) = (stored.as_bytes(), head.as_bytes());
    let n = s.len().min(h.len());
    match s[..n].cmp(&h[..n]) {
        std::cmp::Ordering::Equal if s.len() < h.len() => std::cmp::Ordering::Less,
        std::cmp::Ordering::Equal => s[h.len()..].cmp(rel.as_bytes()),
        unequal => unequal,
    }
}

/// True when a file's cheap stat no longer proves it unchanged. A file modified in the same
/// second as the last scan is read again (git's racy-timestamp rule): a second write within
/// the timestamp's granularity would otherwise go unseen.
pub(super) fn stat_moved(m: &StoredMeta, f: &FoundFile) -> bool {
    const SECOND: i64 = 1_000_000_000;
    let racy = m.mtime_ns.div_euclid(SECOND) >= m.scanned_ns.div_euclid(SECOND);
    racy || m.size != f.stat.size
        || m.mtime_ns != f.stat.mtime_ns
        || m.ctime_ns != f.stat.ctime_ns
        || m.inode != f.stat.inode
}

/// Beyond this many vanished paths, renames are paired by normalized hash only: comparing
/// sentences with each would cost (new files × vanished files) reads.
const SIMILARITY_MAX_CANDIDATES: usize = 64;

/// Vanished documents that a new path may turn out to be (a move), for pairing.
struct Unpaired {
    paths: Vec<String>,
    by_hash: HashMap<String, Vec<String>>,
    /// Sentences of vanished documents, read once when first compared.
    sentences: HashMap<String, Vec<text::Sentence>>,
}

impl Unpaired {
    fn new(gone: &[String], stored: &StoredMetas) -> Unpaired {
        let mut by_hash: HashMap<String, Vec<String>> = HashMap::new();
        for p in gone {
            if let Some(m) = stored.get(p) {
                by_hash
                    .entry(m.norm_hash.clone())
                    .or_default()
                    .push(p.clone());
            }
        }
        Unpaired {
            paths: gone.to_vec(),
            by_hash,
            sentences: HashMap::new(),
        }
    }

    fn take(&mut self, path: &str) {
        self.paths.retain(|p| p != path);
        for v in self.by_hash.values_mut() {
            v.retain(|p| p != path);
        }
    }

    /// The vanished document an added one is a move of: same normalized text, or at least
    /// [`RENAME_SIMILARITY`] of its sentences. The pair leaves the set.
    fn find(
        &mut self,
        batch: &Batch<'_>,
        meta: &StoredMeta,
        text: &str,
    ) -> Result<Option<StoredDoc>, AppError> {
        if self.paths.is_empty() {
            return Ok(None);
        }
        let same = self
            .by_hash
            .get(&meta.norm_hash)
            .and_then(|v| v.first())
            .cloned();
        if let Some(p) = same {
            self.take(&p);
            return Ok(batch.document(&p)?);
        }
        if self.paths.len() > SIMILARITY_MAX_CANDIDATES {
            return Ok(None);
        }
        let new_sentences = text::sentences(text);
        let mut best: Option<(f64, String)> = None;
        for p in self.paths.clone() {
            if !self.sentences.contains_key(&p) {
                let s = batch
                    .document(&p)?
                    .map(|d| text::sentences(&d.text))
                    .unwrap_or_default();
                self.sentences.insert(p.clone(), s);
            }
            let old = self
                .sentences
                .get(&p)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let score = diff::sentence_similarity(old, &new_sentences);
            if score >= RENAME_SIMILARITY && best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, p));
            }
        }
        match best {
            Some((_, p)) => {
                self.take(&p);
                Ok(batch.document(&p)?)
            }
            None => Ok(None),
        }
    }
}

/// The claim rows of a version: each claim's key and the accord it names.
fn claim_rows(doc: &Linked<'_>, vocab: &dyn Vocabulary) -> Vec<(String, Option<String>)> {
    diff::claim_ids(doc, vocab)
        .into_iter()
        .map(|c| (c.key, c.event))
        .collect()
}

/// Each claim identity of a document with its most precise statement (longest date, then
/// most actors): a document stating one event twice ("the memorandum signed in November
/// 2021", later "the two countries signed") speaks for it once, with the first. `ids` are
/// the claims' identities, in order.
fn statements<'f>(facts: &'f Extraction, ids: &[diff::ClaimId]) -> Vec<(diff::ClaimId, &'f Claim)> {
    let precision = |c: &Claim| (c.date.as_ref().map_or(0, String::len), c.actors.len());
    let mut by_id: Vec<(diff::ClaimId, &Claim)> = Vec::new();
    for (claim, id) in facts.claims.iter().zip(ids) {
        match by_id.iter_mut().find(|(k, _)| k == id) {
            Some((_, best)) if precision(claim) > precision(best) => *best = claim,
            Some(_) => {}
            None => by_id.push((id.clone(), claim)),
        }
    }
    by_id
}

/// Writes a changed document (and forgets its old path after a rename): links its entities
/// to the dossier, updates the entity and claim indexes, and returns its change with the
/// dossier entries it caused; `None` when the new version says nothing new (a document back
/// to a state already stored).
fn record(
    batch: &Batch<'_>,
    vocab: &dyn Vocabulary,
    old: Option<&StoredDoc>,
    new: &NewDoc<'_>,
) -> Result<Option<(DocumentChange, DossierChanges)>, AppError> {
    let (now, _) = super::now();
    let previous = old.map(|o| (&o.facts, o.ids.as_slice()));
    let linking = batch.link(new.facts, previous, vocab)?;
    if let Some(o) = old.filter(|o| o.path != new.path) {
        batch.remove_document(&o.path, &now)?;
    }
    let applied = batch.apply_links(new.path, new.facts, &linking, vocab, &now)?;
    let mut change = diff::diff_document(
        old.map(|o| Version {
            path: &o.path,
            text: &o.text,
            facts: &o.facts,
            ids: &o.ids,
        }),
        Some(Version {
            path: new.path,
            text: new.text,
            facts: new.facts,
            ids: &applied.ids,
        }),
        vocab,
    );
    let status = change.status.as_str();
    batch.put_document(new, status, &now, &applied.ids)?;
    if change.status == diff::DocStatus::Added {
        change.near_duplicate_of = batch.near_duplicate_of(new.path)?;
    }
    let new_ids = diff::claim_ids(&Linked::new(new.facts, &applied.ids), vocab);
    let rows: Vec<(String, Option<String>)> = new_ids
        .iter()
        .map(|c| (c.key.clone(), c.event.clone()))
        .collect();
    batch.put_claims(new.path, &new.facts.claims, &rows)?;
    let mut dossier = DossierChanges {
        new_entities: applied.new_entities,
        renamed: applied.renamed,
        ..Default::default()
    };
    // One entry per claim key and document, naming at most MAX_SOURCES other sources: in a
    // dossier where an event comes back in most documents, listing every source in every alert
    // would make the k-th alert O(k) long and a first check O(N²) bytes.
    let old_said = match old {
        Some(o) => {
            let ids = diff::claim_ids(&Linked::new(&o.facts, &o.ids), vocab);
            statements(&o.facts, &ids)
                .into_iter()
                .map(|(k, c)| (k, c.clone()))
                .collect()
        }
        None => Vec::new(),
    };
    for (id, claim) in statements(new.facts, &new_ids) {
        // What the previous version said of this key: sources it already agreed or disagreed
        // with were reported then.
        let before = old_said.iter().find(|(k, _)| *k == id).map(|(_, c)| c);
        if before.is_some_and(|b| b.date == claim.date && b.negated == claim.negated) {
            continue;
        }
        // Other documents' statements of the key, but those about another accord.
        let others: Vec<(String, Claim)> = batch
            .claims_with_key(&id.key, new.path, CLAIM_ROWS_READ)?
            .into_iter()
            .filter(|(_, _, event)| {
                id.meets(&diff::ClaimId {
                    key: id.key.clone(),
                    event: event.clone(),
                })
            })
            .map(|(p, c, _)| (p, c))
            .collect();
        if others.is_empty() {
            continue;
        }
        let (agree, rest): (Vec<_>, Vec<_>) = others
            .into_iter()
            .partition(|(_, c)| diff::claims_agree(c, claim));
        let disagree: Vec<_> = rest
            .into_iter()
            .filter(|(_, c)| diff::claims_contradict(claim, c))
            .collect();
        let capped = |rows: &[(String, Claim)]| -> (Vec<String>, usize) {
            let mut paths: Vec<String> = rows.iter().map(|(p, _)| p.clone()).collect();
            paths.sort();
            paths.dedup();
            let total = paths.len() + 1;
            paths.truncate(MAX_SOURCES);
            paths.push(new.path.to_string());
            (paths, total)
        };
        let newly = |rows: &[(String, Claim)], agreed: bool| {
            rows.iter()
                .any(|(_, c)| before.is_none_or(|b| diff::claims_agree(b, c) != agreed))
        };
        if newly(&agree, true) {
            let (sources, total_sources) = capped(&agree);
            // Copies of one article (near-duplicates) are one origin: counted over the rows
            // read, as `total_sources` is.
            let mut counted: Vec<String> = agree.iter().map(|(p, _)| p.clone()).collect();
            counted.sort();
            counted.dedup();
            counted.push(new.path.to_string());
            let independent =
                dossier_core::dupes::independent_origins(&batch.fingerprints(&counted)?);
            dossier.corroborated.push(crate::diff::Corroboration {
                claim: claim.clone(),
                sources,
                total_sources,
                independent,
            });
        }
        // The other side is the value most of the disagreeing sources state, and its sources
        // are those that state it (the others may disagree among themselves too): a source
        // is never listed under a value it does not give.
        // A dated value is preferred: an undated statement agrees with every date.
        let same_value = |c: &Claim, d: &Claim| c.date == d.date && c.negated == d.negated;
        let side = |c: &Claim| disagree.iter().filter(|(_, d)| same_value(c, d)).count();
        let first_new = disagree
            .iter()
            .filter(|(_, c)| before.is_none_or(|b| diff::claims_agree(b, c)))
            .max_by_key(|(_, c)| (c.date.is_some(), side(c)));
        if let Some((_, first)) = first_new {
            let stating: Vec<(String, Claim)> = disagree
                .iter()
                .filter(|(_, d)| same_value(first, d))
                .cloned()
                .collect();
            let (sources, _) = capped(&stating);
            let (_, total_sources) = capped(&disagree);
            dossier.contradicted.push(crate::diff::Contradiction {
                claims: vec![first.clone(), claim.clone()],
                sources,
                total_sources,
            });
        }
    }
    if change.status == diff::DocStatus::Modified && !diff::is_change(&change) {
        return Ok(None);
    }
    Ok(Some((change, dossier)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_key_compares_with_its_parts_as_with_the_whole_key() {
        let stored = [
            "",
            "d",
            "d/",
            "d/a",
            "d/a.txt",
            "d/b",
            "d0/a",
            "e",
            "d/a.txt/x",
            "c/z",
        ];
        for prefix in ["", "d"] {
            let head = if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            };
            for rel in ["a", "a.txt", "b", "", "a.txt/x"] {
                let key = path_key(prefix, &ingest::DocPath::from_stored(rel.to_string()));
                for s in stored {
                    assert_eq!(cmp_key(s, &head, rel), s.cmp(key.as_str()), "{s} {key}");
                }
            }
        }
    }
}
