//! Writing a check's report while the check runs, so that its memory does not grow with the
//! number of documents changed: each document's entry is written as it is recorded, and what
//! must come later in the output (the dossier section after every document, removals that are
//! only known at the end, the text format's summary line before everything) waits in anonymous
//! temporary files, not in memory.
//!
//! Architecture invariant: the bytes written are exactly those of [`render`](super::render)
//! (text) and of `serde_json::to_string_pretty` plus a newline (JSON) for the same
//! [`ChangeReport`](crate::diff::ChangeReport) with its documents sorted by path (tested in
//! `tests`). Only the writer given and unnamed temporary files are written.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;

use serde::Serialize;

use super::{
    dossier_heading, render_contradictions, render_corroborations, render_document,
    render_new_entities, render_renames, render_summary, Style, STATUS_ORDER,
};
use crate::diff::{DocumentChange, DossierChanges};

/// Receives a check's report piece by piece.
pub trait ReportSink {
    /// Before the first document: how many files the scan found, and whether every document
    /// will arrive in path order (false when removals, known only at the end, may follow).
    fn begin(&mut self, scanned: usize, in_order: bool);
    /// One changed document and the dossier entries it caused, as the check records them.
    fn document(&mut self, change: &DocumentChange, dossier: &DossierChanges);
    /// After the last document: writes what was held back and flushes. Returns the first
    /// error met on the way (the check itself goes on after one: the store is the truth).
    fn finish(&mut self) -> io::Result<()>;
}

/// Records appended to an unnamed temporary file and read back once, in key order: the file
/// is made of runs of records with non-decreasing keys (a new run starts where a key goes
/// down), merged when drained. Created on first use.
#[derive(Default)]
struct Spool {
    out: Option<BufWriter<File>>,
    len: u64,
    /// Start offset of every run after the first.
    runs: Vec<u64>,
    last_key: String,
}

impl Spool {
    fn push(&mut self, key: &str, body: &[u8]) -> io::Result<()> {
        if self.out.is_none() {
            self.out = Some(BufWriter::with_capacity(1 << 16, tempfile::tempfile()?));
        }
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        if self.len > 0 && key < self.last_key.as_str() {
            self.runs.push(self.len);
        }
        key.clone_into(&mut self.last_key);
        out.write_all(&(key.len() as u64).to_le_bytes())?;
        out.write_all(key.as_bytes())?;
        out.write_all(&(body.len() as u64).to_le_bytes())?;
        out.write_all(body)?;
        self.len += 16 + key.len() as u64 + body.len() as u64;
        Ok(())
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Calls `each` with every record's body, in key order (records of equal keys in the order
    /// they were pushed), and empties the spool.
    fn drain(&mut self, mut each: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        let Some(out) = self.out.take() else {
            return Ok(());
        };
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        let mut bounds = vec![0];
        bounds.extend(&self.runs);
        bounds.push(self.len);
        let mut runs: Vec<Run<'_>> = bounds
            .windows(2)
            .map(|w| Run::new(&file, w[0], w[1]))
            .collect::<io::Result<_>>()?;
        let mut body = Vec::new();
        loop {
            // Few runs (two at most from a check): a linear pick of the smallest head.
            let mut best: Option<usize> = None;
            for (i, r) in runs.iter().enumerate() {
                if let Some(k) = &r.key {
                    if best.is_none_or(|b| runs[b].key.as_ref().is_some_and(|bk| k < bk)) {
                        best = Some(i);
                    }
                }
            }
            let Some(i) = best else { break };
            runs[i].body(&mut body)?;
            each(&body)?;
            runs[i].advance()?;
        }
        self.len = 0;
        self.runs.clear();
        self.last_key.clear();
        Ok(())
    }
}

/// A reader of one run of a spool, by position (several runs of one file are read at once).
struct At<'a> {
    file: &'a File,
    pos: u64,
    end: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        let n = (buf.len() as u64).min(left) as usize;
        if n == 0 {
            return Ok(0);
        }
        let got = self.file.read_at(&mut buf[..n], self.pos)?;
        self.pos += got as u64;
        Ok(got)
    }
}

struct Run<'a> {
    reader: BufReader<At<'a>>,
    /// The key of the record at the head, `None` once the run is exhausted.
    key: Option<String>,
    body_len: usize,
}

impl<'a> Run<'a> {
    fn new(file: &'a File, start: u64, end: u64) -> io::Result<Run<'a>> {
        let mut run = Run {
            reader: BufReader::with_capacity(
                1 << 16,
                At {
                    file,
                    pos: start,
                    end,
                },
            ),
            key: None,
            body_len: 0,
        };
        run.advance()?;
        Ok(run)
    }

    fn read_len(&mut self) -> io::Result<Option<usize>> {
        let mut n = [0u8; 8];
        match self.reader.read_exact(&mut n) {
            Ok(()) => usize::try_from(u64::from_le_bytes(n))
                .map(Some)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "record too long")),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Reads the next record's key (its body is read by [`Run::body`]).
    fn advance(&mut self) -> io::Result<()> {
        if self.key.is_some() && self.body_len > 0 {
            // The body of the head was not read: skip it.
            io::copy(
                &mut (&mut self.reader).take(self.body_len as u64),
                &mut io::sink(),
            )?;
        }
        self.key = None;
        self.body_len = 0;
        let Some(klen) = self.read_len()? else {
            return Ok(());
        };
        let mut key = vec![0u8; klen];
        self.reader.read_exact(&mut key)?;
        let Some(blen) = self.read_len()? else {
            return Err(io::ErrorKind::UnexpectedEof.into());
        };
        self.key = Some(String::from_utf8_lossy(&key).into_owned());
        self.body_len = blen;
        Ok(())
    }

    fn body(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.resize(self.body_len, 0);
        self.reader.read_exact(buf)?;
        self.body_len = 0;
        Ok(())
    }
}

/// `serde_json::to_string_pretty` of `v`, every line indented by `indent` spaces: how the
/// value reads nested at that depth in the pretty form of the whole report.
fn pretty_at<T: Serialize>(v: &T, indent: usize) -> Vec<u8> {
    let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    let pad = " ".repeat(indent);
    let mut out = Vec::with_capacity(text.len() + 16 * indent);
    // JSON strings never hold a raw newline: every line break is the formatter's.
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(pad.as_bytes());
        out.extend_from_slice(line.as_bytes());
    }
    out
}

/// The first error kept; writes stop after one.
#[derive(Default)]
struct Failure(Option<io::Error>);

impl Failure {
    fn keep(&mut self, r: io::Result<()>) {
        if let Err(e) = r {
            self.0.get_or_insert(e);
        }
    }
    fn failed(&self) -> bool {
        self.0.is_some()
    }
    fn take(&mut self) -> io::Result<()> {
        self.0.take().map_or(Ok(()), Err)
    }
}

/// The contract's `dossier check --format json` object, written as it is recorded: each
/// document straight to the output when they come in path order, otherwise held in a spool
/// and merged at the end; the dossier section, which follows the documents, always spooled.
pub struct JsonStream<W: Write> {
    out: W,
    direct: bool,
    documents: usize,
    spooled: Spool,
    new_entities: Spool,
    renamed: Spool,
    corroborated: Spool,
    contradicted: Spool,
    failure: Failure,
}

impl<W: Write> JsonStream<W> {
    pub fn new(out: W) -> JsonStream<W> {
        JsonStream {
            out,
            direct: true,
            documents: 0,
            spooled: Spool::default(),
            new_entities: Spool::default(),
            renamed: Spool::default(),
            corroborated: Spool::default(),
            contradicted: Spool::default(),
            failure: Failure::default(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn write_document(out: &mut W, first: bool, body: &[u8]) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        out.write_all(body)
    }

    /// A list of the dossier section: `[]`, or its entries one after the other.
    fn write_list(out: &mut W, spool: &mut Spool) -> io::Result<()> {
        if spool.is_empty() {
            return out.write_all(b"[]");
        }
        out.write_all(b"[")?;
        let mut first = true;
        spool.drain(|body| {
            out.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            out.write_all(body)
        })?;
        out.write_all(b"\n    ]")
    }

    fn finish_inner(&mut self) -> io::Result<()> {
        if !self.spooled.is_empty() {
            let out = &mut self.out;
            let mut first = true;
            self.spooled.drain(|body| {
                let r = Self::write_document(out, first, body);
                first = false;
                r
            })?;
        }
        let out = &mut self.out;
        out.write_all(if self.documents > 0 { b"\n  ]" } else { b"]" })?;
        out.write_all(b",\n  \"dossier\": {\n    \"new_entities\": ")?;
        Self::write_list(out, &mut self.new_entities)?;
        // Like the whole report's serialization: `renamed` only when there is one.
        if !self.renamed.is_empty() {
            out.write_all(b",\n    \"renamed\": ")?;
            Self::write_list(out, &mut self.renamed)?;
        }
        out.write_all(b",\n    \"corroborated\": ")?;
        Self::write_list(out, &mut self.corroborated)?;
        out.write_all(b",\n    \"contradicted\": ")?;
        Self::write_list(out, &mut self.contradicted)?;
        out.write_all(b"\n  }\n}\n")?;
        out.flush()
    }
}

impl<W: Write> ReportSink for JsonStream<W> {
    fn begin(&mut self, scanned: usize, in_order: bool) {
        self.direct = in_order;
        let r = write!(
            self.out,
            "{{\n  \"scanned\": {scanned},\n  \"documents\": ["
        );
        self.failure.keep(r);
    }

    fn document(&mut self, change: &DocumentChange, dossier: &DossierChanges) {
        if self.failure.failed() {
            return;
        }
        let body = pretty_at(change, 4);
        let r = if self.direct {
            Self::write_document(&mut self.out, self.documents == 0, &body)
        } else {
            self.spooled.push(&change.path, &body)
        };
        self.documents += 1;
        self.failure.keep(r);
        let mut r = Ok(());
        for e in &dossier.new_entities {
            r = r.and_then(|_| self.new_entities.push("", &pretty_at(e, 6)));
        }
        for e in &dossier.renamed {
            r = r.and_then(|_| self.renamed.push("", &pretty_at(e, 6)));
        }
        for c in &dossier.corroborated {
            r = r.and_then(|_| self.corroborated.push("", &pretty_at(c, 6)));
        }
        for c in &dossier.contradicted {
            r = r.and_then(|_| self.contradicted.push("", &pretty_at(c, 6)));
        }
        self.failure.keep(r);
    }

    fn finish(&mut self) -> io::Result<()> {
        if !self.failure.failed() {
            let r = self.finish_inner();
            self.failure.keep(r);
        }
        self.failure.take()
    }
}

/// The terminal report ([`render`](super::render)), written at the end from spools: its
/// first line counts the documents of each status, so nothing can be printed before the last
/// one, but nothing is held in memory either.
pub struct TextStream<W: Write> {
    out: W,
    style: Style,
    scanned: usize,
    counts: [usize; 4],
    documents: Spool,
    new_entities: Spool,
    renamed: Spool,
    corroborated: Spool,
    contradicted: Spool,
    failure: Failure,
}

impl<W: Write> TextStream<W> {
    pub fn new(out: W, style: Style) -> TextStream<W> {
        TextStream {
            out,
            style,
            scanned: 0,
            counts: [0; 4],
            documents: Spool::default(),
            new_entities: Spool::default(),
            renamed: Spool::default(),
            corroborated: Spool::default(),
            contradicted: Spool::default(),
            failure: Failure::default(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn finish_inner(&mut self) -> io::Result<()> {
        let mut head = String::new();
        render_summary(&mut head, self.scanned, self.counts, self.style);
        let out = &mut self.out;
        out.write_all(head.as_bytes())?;
        self.documents.drain(|body| out.write_all(body))?;
        let dossier = [
            &mut self.new_entities,
            &mut self.renamed,
            &mut self.corroborated,
            &mut self.contradicted,
        ];
        if dossier.iter().any(|s| !s.is_empty()) {
            writeln!(out, "\n{}", dossier_heading(self.style))?;
            for spool in dossier {
                spool.drain(|body| out.write_all(body))?;
            }
        }
        out.flush()
    }
}

impl<W: Write> ReportSink for TextStream<W> {
    fn begin(&mut self, scanned: usize, _in_order: bool) {
        self.scanned = scanned;
    }

    fn document(&mut self, change: &DocumentChange, dossier: &DossierChanges) {
        if self.failure.failed() {
            return;
        }
        if let Some(i) = STATUS_ORDER.iter().position(|s| *s == change.status) {
            self.counts[i] += 1;
        }
        let mut text = String::from("\n");
        render_document(&mut text, change, self.style);
        let mut r = self.documents.push(&change.path, text.as_bytes());
        let st = self.style;
        let mut parts = [String::new(), String::new(), String::new(), String::new()];
        render_new_entities(&mut parts[0], &dossier.new_entities, st);
        render_renames(&mut parts[1], &dossier.renamed, st);
        render_corroborations(&mut parts[2], &dossier.corroborated, st);
        render_contradictions(&mut parts[3], &dossier.contradicted, st);
        let spools = [
            &mut self.new_entities,
            &mut self.renamed,
            &mut self.corroborated,
            &mut self.contradicted,
        ];
        for (spool, lines) in spools.into_iter().zip(parts) {
            if !lines.is_empty() {
                r = r.and_then(|_| spool.push("", lines.as_bytes()));
            }
        }
        self.failure.keep(r);
    }

    fn finish(&mut self) -> io::Result<()> {
        if !self.failure.failed() {
            let r = self.finish_inner();
            self.failure.keep(r);
        }
        self.failure.take()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::diff::{
        ChangeReport, ClaimChange, ClaimDelta, Contradiction, Corroboration, Delta, DocStatus,
        EntityRef, NewEntity,
    };
    use crate::model::{Claim, ClaimType, EntityType};
    use crate::report::Lang;

    fn claim(actors: &[&str], date: Option<&str>) -> Claim {
        Claim {
            kind: ClaimType::Agreement,
            actors: actors.iter().map(|s| s.to_string()).collect(),
            date: date.map(str::to_string),
            quote: "وقع البلدان اتفاقية \"تعاون\"\nفي الرباط".into(),
            attributed_to: None,
            mentioned: Vec::new(),
            negated: false,
            modality: None,
        }
    }

    fn change(path: &str, status: DocStatus) -> DocumentChange {
        DocumentChange {
            path: path.into(),
            status,
            previous_path: (status == DocStatus::Renamed).then(|| "old/x.txt".into()),
            entities: Delta {
                added: vec![EntityRef {
                    kind: EntityType::Person,
                    name: format!("شخص {path}"),
                }],
                removed: vec![],
            },
            claims: ClaimDelta {
                added: vec![claim(&["المغرب", "إسرائيل"], Some("2021-11"))],
                removed: vec![],
                changed: vec![ClaimChange {
                    before: claim(&["المغرب"], None),
                    after: claim(&["المغرب"], Some("2022")),
                    fields: vec!["date".into()],
                }],
            },
            dates: Delta {
                added: vec!["2021-11".into()],
                removed: vec!["2020".into()],
            },
            quantities: Delta::default(),
            text: Delta {
                added: vec!["جملة جديدة.".into()],
                removed: vec![],
            },
            title: Some(format!("عنوان {path}")),
            near_duplicate_of: None,
        }
    }

    fn dossier(path: &str, n: usize) -> DossierChanges {
        DossierChanges {
            renamed: Vec::new(),
            new_entities: (0..n)
                .map(|i| NewEntity {
                    kind: if i % 2 == 0 {
                        EntityType::Org
                    } else {
                        EntityType::Person
                    },
                    name: format!("كيان {i}"),
                    first_seen_in: path.into(),
                })
                .collect(),
            corroborated: (0..n % 2)
                .map(|_| Corroboration {
                    claim: claim(&["أ", "ب"], None),
                    sources: vec!["a.txt".into(), path.into()],
                    total_sources: 2,
                    independent: 2,
                })
                .collect(),
            contradicted: (0..n % 3)
                .map(|_| Contradiction {
                    claims: vec![claim(&["أ"], Some("2020")), claim(&["أ"], Some("2021"))],
                    sources: vec!["b.txt".into(), path.into()],
                    total_sources: 2,
                })
                .collect(),
        }
    }

    /// The documents as a check records them: in path order, then removals (sorted) at the
    /// end; and the report that `render` and `to_string_pretty` are given for them.
    fn cases() -> Vec<(Vec<(DocumentChange, DossierChanges)>, bool)> {
        let mut cases = vec![(vec![], true)];
        let added: Vec<_> = ["d/a.txt", "d/c.txt", "d/e.txt"]
            .iter()
            .enumerate()
            .map(|(i, p)| (change(p, DocStatus::Added), dossier(p, i + 1)))
            .collect();
        cases.push((added.clone(), true));
        let mut mixed = added.clone();
        mixed.insert(
            1,
            (change("d/b.txt", DocStatus::Renamed), dossier("d/b.txt", 0)),
        );
        for p in ["d/0.txt", "d/d.txt", "d/z.txt"] {
            mixed.push((change(p, DocStatus::Removed), DossierChanges::default()));
        }
        cases.push((mixed, false));
        cases.push((
            vec![(
                change("d/m.txt", DocStatus::Modified),
                DossierChanges::default(),
            )],
            true,
        ));
        cases
    }

    fn whole(scanned: usize, docs: &[(DocumentChange, DossierChanges)]) -> ChangeReport {
        let mut r = ChangeReport {
            scanned,
            ..Default::default()
        };
        for (c, d) in docs {
            r.documents.push(c.clone());
            r.dossier.extend(d.clone());
        }
        r.documents.sort_by(|a, b| a.path.cmp(&b.path));
        r
    }

    fn stream<S: ReportSink>(sink: &mut S, docs: &[(DocumentChange, DossierChanges)], io: bool) {
        sink.begin(7, io);
        for (c, d) in docs {
            sink.document(c, d);
        }
        sink.finish().unwrap();
    }

    #[test]
    fn streamed_json_is_the_pretty_json_of_the_whole_report() {
        for (docs, in_order) in cases() {
            let mut s = JsonStream::new(Vec::new());
            stream(&mut s, &docs, in_order);
            let got = String::from_utf8(s.into_inner()).unwrap();
            let report = whole(7, &docs);
            let mut want = serde_json::to_string_pretty(&report).unwrap();
            want.push('\n');
            assert_eq!(got, want);
            // And it parses back to the contract's shape.
            let back: ChangeReport = serde_json::from_str(&got).unwrap();
            assert_eq!(back, report);
            let v: serde_json::Value = serde_json::from_str(&got).unwrap();
            let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys.len(), 3);
            for k in ["scanned", "documents", "dossier"] {
                assert!(keys.contains(&k), "{k} in {keys:?}");
            }
        }
    }

    #[test]
    fn streamed_text_is_the_rendered_report() {
        for (color, lang) in [(false, Lang::Ar), (true, Lang::Ar), (false, Lang::En)] {
            let st = Style {
                color,
                lang,
                isolate: true,
            };
            for (docs, in_order) in cases() {
                let mut s = TextStream::new(Vec::new(), st);
                stream(&mut s, &docs, in_order);
                let got = String::from_utf8(s.into_inner()).unwrap();
                assert_eq!(got, super::super::render(&whole(7, &docs), st));
            }
        }
    }

    #[test]
    fn a_spool_merges_its_sorted_runs() {
        let mut s = Spool::default();
        for k in ["b", "d", "f", "a", "c", "g", "e"] {
            s.push(k, k.as_bytes()).unwrap();
        }
        let mut got = Vec::new();
        s.drain(|b| {
            got.push(String::from_utf8(b.to_vec()).unwrap());
            Ok(())
        })
        .unwrap();
        assert_eq!(got, ["a", "b", "c", "d", "e", "f", "g"]);
        assert!(s.is_empty());
    }

    /// A document written out of order after `begin(.., true)` is still written (the order is
    /// not part of the contract), and the output is still one JSON object.
    #[test]
    fn out_of_order_documents_still_make_one_object() {
        let mut s = JsonStream::new(Vec::new());
        let docs = vec![
            (change("d/b.txt", DocStatus::Added), dossier("d/b.txt", 2)),
            (
                change("d/a.txt", DocStatus::Removed),
                DossierChanges::default(),
            ),
        ];
        stream(&mut s, &docs, true);
        let v: ChangeReport = serde_json::from_slice(&s.into_inner()).unwrap();
        assert_eq!(v.documents.len(), 2);
        assert_eq!(v.dossier.new_entities.len(), 2);
    }
}
