//! Composing an alert email: subject, plain text and HTML, threading headers. Pure: alerts in,
//! strings out.
//!
//! One email, for one alert or a digest of several, reads in this order: contradictions, then
//! entities new to the dossier (each once), then each document's change (the names it added
//! that the dossier knew already, its claims in sentences, its figures and dates, the edited
//! sentences with the changed words marked), then corroborations. The subject is the
//! article's title (its `<title>` or first line) and what changed, counted in the configured
//! language, cut at a word.
//!
//! Every piece of document text is HTML-escaped; the subject is one line whatever a file name
//! holds (no header injection); the HTML is `lang="ar" dir="rtl"` for Arabic, with every name
//! in a `<bdi>` and every date, figure and path in a `<bdi dir="ltr">` that never breaks.

use std::fmt::Write as _;

use crate::diff::{Contradiction, DocStatus, DocumentChange, NewEntity};
use crate::model::EntityType;
use crate::report::{self, words, Label, Lang, Noun, Style};
use dossier_core::alert::Alert as StoredAlert;
use dossier_core::text::cut_at_word;

/// A composed message, before addressing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `<id@domain>` of this message, derived from the alert id: stable across retries.
    pub message_id: String,
    /// The previous alert about the same document, for `In-Reply-To` and `References`.
    pub in_reply_to: Option<String>,
}

/// The longest subject, in characters.
pub const SUBJECT_MAX: usize = 140;
/// The most of a title a subject holds, in characters.
const SUBJECT_TITLE_MAX: usize = 70;

/// The `Message-ID` of an alert.
pub fn message_id(alert_id: &str, domain: &str) -> String {
    format!("<{alert_id}.dossier@{domain}>")
}

pub use crate::report::html::{escape, html_of};

/// One line, no control characters and no bidi isolates, at most `max` characters cut at a
/// word: safe as a header value.
fn header_line(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .filter(|c| !report::BIDI_CONTROLS.contains(c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cut_at_word(&dossier_core::text::one_spaced(&flat), max)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// What one email is made of, gathered from its alerts.
struct Parts<'a> {
    documents: Vec<&'a DocumentChange>,
    contradictions: Vec<&'a Contradiction>,
    /// Each entity once, in the order met.
    new_entities: Vec<&'a NewEntity>,
    renamed: Vec<&'a crate::diff::Renamed>,
    corroborated: Vec<&'a crate::diff::Corroboration>,
}

impl<'a> Parts<'a> {
    fn of(alerts: &'a [StoredAlert]) -> Parts<'a> {
        let mut p = Parts {
            documents: Vec::new(),
            contradictions: Vec::new(),
            new_entities: Vec::new(),
            renamed: Vec::new(),
            corroborated: Vec::new(),
        };
        for a in alerts {
            p.documents.extend(&a.report.documents);
            let d = &a.report.dossier;
            p.contradictions.extend(&d.contradicted);
            for e in &d.new_entities {
                if !p
                    .new_entities
                    .iter()
                    .any(|x| x.kind == e.kind && x.name == e.name)
                {
                    p.new_entities.push(e);
                }
            }
            p.renamed.extend(&d.renamed);
            p.corroborated.extend(&d.corroborated);
        }
        p
    }

    fn is_new(&self, kind: EntityType, name: &str) -> bool {
        self.new_entities
            .iter()
            .any(|e| e.kind == kind && e.name == name)
    }

    /// A document's change without the entities listed as new to the dossier: each name is
    /// said once.
    fn known_only(&self, d: &DocumentChange) -> DocumentChange {
        let mut d = d.clone();
        d.entities.added.retain(|e| !self.is_new(e.kind, &e.name));
        d
    }

    /// What changed, counted: contradictions first, then what moved, then what is new.
    fn counts(&self, lang: Lang) -> Vec<String> {
        let mut parts = Vec::new();
        let mut push = |n: usize, noun: Noun| {
            if n > 0 {
                parts.push(lang.count(n, noun));
            }
        };
        push(self.contradictions.len(), Noun::Contradiction);
        let sum = |f: &dyn Fn(&DocumentChange) -> usize| -> usize {
            self.documents.iter().map(|d| f(d)).sum()
        };
        push(sum(&|d| d.claims.changed.len()), Noun::ChangedClaim);
        let figures: Vec<_> = self
            .documents
            .iter()
            .map(|d| report::pair_values(&d.quantities.removed, &d.quantities.added))
            .collect();
        let dates: Vec<_> = self
            .documents
            .iter()
            .map(|d| report::pair_values(&d.dates.removed, &d.dates.added))
            .collect();
        push(figures.iter().map(|f| f.0.len()).sum(), Noun::ChangedFigure);
        push(dates.iter().map(|f| f.0.len()).sum(), Noun::ChangedDate);
        for t in EntityType::ALL {
            push(
                self.new_entities.iter().filter(|e| e.kind == t).count(),
                lang.new_entities(t),
            );
        }
        push(sum(&|d| d.claims.added.len()), Noun::NewClaim);
        push(sum(&|d| d.claims.removed.len()), Noun::RemovedClaim);
        push(figures.iter().map(|f| f.2.len()).sum(), Noun::NewFigure);
        push(figures.iter().map(|f| f.1.len()).sum(), Noun::RemovedFigure);
        push(dates.iter().map(|f| f.2.len()).sum(), Noun::NewDate);
        push(dates.iter().map(|f| f.1.len()).sum(), Noun::RemovedDate);
        push(self.corroborated.len(), Noun::Corroboration);
        let nothing_else = parts.is_empty();
        if nothing_else {
            let edited: usize = self
                .documents
                .iter()
                .map(|d| words::pair(&d.text.removed, &d.text.added).len())
                .sum();
            if edited > 0 {
                parts.push(lang.count(edited, Noun::EditedSentence));
            }
        }
        parts
    }
}

/// The title a document is known by: its own, else its file name.
fn title_of(d: &DocumentChange) -> String {
    d.title
        .clone()
        .unwrap_or_else(|| file_name(&d.path).to_string())
}

/// The subject line: the article's title and what changed, in a few words.
pub fn subject(alerts: &[StoredAlert], lang: Lang) -> String {
    let parts = Parts::of(alerts);
    let counts = parts.counts(lang).join(lang.comma());
    let s = match parts.documents.as_slice() {
        [] => format!("dossier: {}", lang.label(Label::TestAlert)),
        [one] => {
            let status = match one.status {
                DocStatus::Added => Some(Label::NewDocument),
                DocStatus::Removed => Some(Label::DocumentRemoved),
                DocStatus::Renamed => Some(Label::DocumentMoved),
                DocStatus::Modified => None,
            };
            let title = cut_at_word(&title_of(one), SUBJECT_TITLE_MAX);
            let mut s = String::from("dossier: ");
            if let Some(l) = status {
                let _ = write!(s, "{}: ", lang.label(l));
            }
            s.push_str(&title);
            if !counts.is_empty() {
                let _ = write!(s, " — {counts}");
            }
            s
        }
        many => {
            let mut s = format!(
                "dossier: {}: {}",
                lang.label(Label::Digest),
                lang.count(many.len(), Noun::Document)
            );
            if !counts.is_empty() {
                let _ = write!(s, " — {counts}");
            }
            s
        }
    };
    header_line(&s, SUBJECT_MAX)
}

/// A section heading of the plain text: its words, underlined.
fn text_heading(out: &mut String, title: &str) {
    let _ = writeln!(out, "{title}\n{}", "═".repeat(title.chars().count().max(3)));
}

fn plain_text(p: &Parts<'_>, st: Style, test: bool) -> String {
    let lang = st.lang;
    let mut out = String::new();
    if test {
        let _ = writeln!(out, "{}", lang.label(Label::TestAlertBody));
        return out;
    }
    if let [one] = p.documents.as_slice() {
        let _ = writeln!(out, "«{}»\n", st.text(&title_of(one)));
    }
    if !p.contradictions.is_empty() {
        text_heading(&mut out, lang.label(Label::Contradictions));
        let list: Vec<Contradiction> = p.contradictions.iter().map(|c| (*c).clone()).collect();
        report::render_contradictions(&mut out, &list, st);
        out.push('\n');
    }
    if !p.new_entities.is_empty() || !p.renamed.is_empty() {
        text_heading(&mut out, lang.label(Label::NewInDossier));
        let list: Vec<NewEntity> = p.new_entities.iter().map(|e| (*e).clone()).collect();
        report::render_new_entities(&mut out, &list, st);
        let renamed: Vec<_> = p.renamed.iter().map(|r| (*r).clone()).collect();
        report::render_renames(&mut out, &renamed, st);
        out.push('\n');
    }
    if !p.documents.is_empty() {
        text_heading(&mut out, lang.label(Label::Documents));
        for d in &p.documents {
            report::render_document(&mut out, &p.known_only(d), st);
            out.push('\n');
        }
    }
    if !p.corroborated.is_empty() {
        text_heading(&mut out, lang.label(Label::Corroborations));
        let list: Vec<_> = p.corroborated.iter().map(|c| (*c).clone()).collect();
        report::render_corroborations(&mut out, &list, st);
    }
    out
}

const DEL: &str = "<del style=\"background:#fbe3e3;color:#8b0000;text-decoration:none;border-bottom:1px dashed #8b0000\">";
const INS: &str = "<ins style=\"background:#dff3df;color:#0b5d0b;text-decoration:none\">";

/// An edited sentence with the changed words marked (background colours: a line through
/// Arabic letters would cut them).
fn sentence_html(old: &str, new: &str) -> String {
    let mut out = Vec::new();
    for p in words::diff(old, new) {
        out.push(match p {
            words::Piece::Same(w) => escape(&w),
            words::Piece::Elided => "…".into(),
            words::Piece::Removed(w) => format!("{DEL}{}</del>", escape(&w)),
            words::Piece::Added(w) => format!("{INS}{}</ins>", escape(&w)),
        });
    }
    out.join(" ")
}

fn li(out: &mut String, sign: &str, text: &str) {
    let _ = writeln!(
        out,
        "<li><span style=\"font-family:monospace\">{sign}</span> {}</li>",
        html_of(text)
    );
}

fn document_html(out: &mut String, d: &DocumentChange, st: Style) {
    let lang = st.lang;
    let _ = write!(
        out,
        "<h3 style=\"margin-bottom:0.2em\">{} — {}",
        escape(lang.status(d.status)),
        html_of(&st.ltr(&d.path))
    );
    if let Some(p) = &d.previous_path {
        let _ = write!(
            out,
            " <small>({} {})</small>",
            escape(lang.label(Label::Was)),
            html_of(&st.ltr(p))
        );
    }
    out.push_str("</h3>\n");
    if let Some(t) = &d.title {
        let _ = writeln!(
            out,
            "<p style=\"margin-top:0\"><b>«{}»</b></p>",
            html_of(&st.text(t))
        );
    }
    let mut facts = String::new();
    for (mark, line) in report::fact_lines(d, st) {
        let sign = match mark {
            report::Mark::Added => "+",
            report::Mark::Removed => "−",
            report::Mark::Changed => "~",
        };
        li(&mut facts, sign, &line);
    }
    if !facts.is_empty() {
        let _ = write!(out, "<ul>\n{facts}</ul>\n");
    }
    if !d.text.is_empty() {
        let _ = writeln!(out, "<h4>{}</h4>", escape(lang.label(Label::TextChanges)));
        for e in words::pair(&d.text.removed, &d.text.added) {
            let _ = match e {
                words::SentenceEdit::Changed { old, new } => {
                    writeln!(out, "<p>{}</p>", sentence_html(old, new))
                }
                words::SentenceEdit::Removed(s) => {
                    writeln!(out, "<p>{DEL}{}</del></p>", escape(s))
                }
                words::SentenceEdit::Added(s) => writeln!(out, "<p>{INS}{}</ins></p>", escape(s)),
            };
        }
    }
}

/// A contradiction side by side: what it is about, then one column per side with its
/// sources, date and quote.
fn contradiction_html(out: &mut String, c: &Contradiction, st: Style) {
    let Some(first) = c.claims.first() else {
        return;
    };
    let _ = writeln!(
        out,
        "<p><b>{}</b></p>\n<table style=\"border-collapse:collapse;width:100%\"><tr>",
        html_of(&report::claim_head(first, st))
    );
    for (cl, sources) in report::contradiction_sides(c) {
        let date = report::value_text(cl.date.as_deref(), cl.negated, st);
        let srcs: Vec<String> = sources.iter().map(|s| st.ltr(s)).collect();
        let _ = writeln!(
            out,
            "<td style=\"vertical-align:top;width:50%;border:1px solid #c99;padding:0.5em\"><div><small>{}</small></div><div style=\"font-size:1.2em\">{}</div><blockquote style=\"margin:0.3em 0\">«{}»</blockquote></td>",
            html_of(&srcs.join(st.lang.comma())),
            html_of(&date),
            html_of(&st.text(&report::quote_clause(cl)))
        );
    }
    out.push_str("</tr></table>\n");
}

fn html_body(p: &Parts<'_>, st: Style, test: bool) -> String {
    let lang = st.lang;
    let mut out = String::new();
    if test {
        let _ = writeln!(out, "<p>{}</p>", escape(lang.label(Label::TestAlertBody)));
        return out;
    }
    if let [one] = p.documents.as_slice() {
        let _ = writeln!(
            out,
            "<h1 style=\"font-size:1.4em\">{}</h1>",
            html_of(&st.text(&title_of(one)))
        );
    }
    if !p.contradictions.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>",
            escape(lang.label(Label::Contradictions))
        );
        for c in &p.contradictions {
            contradiction_html(&mut out, c, st);
        }
    }
    if !p.new_entities.is_empty() || !p.renamed.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<ul>",
            escape(lang.label(Label::NewInDossier))
        );
        for t in EntityType::ALL {
            let names: Vec<String> = p
                .new_entities
                .iter()
                .filter(|e| e.kind == t)
                .map(|e| st.text(&e.name))
                .collect();
            if !names.is_empty() {
                li(
                    &mut out,
                    "+",
                    &format!(
                        "{}: {}",
                        lang.count(names.len(), lang.new_entities(t)),
                        names.join(" · ")
                    ),
                );
            }
        }
        for r in &p.renamed {
            li(
                &mut out,
                "~",
                &format!(
                    "{} {} {} {}",
                    lang.entity_type(r.kind),
                    st.text(&r.from),
                    lang.label(Label::RenamedEntity),
                    st.text(&r.to)
                ),
            );
        }
        out.push_str("</ul>\n");
    }
    if !p.documents.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>", escape(lang.label(Label::Documents)));
        for d in &p.documents {
            document_html(&mut out, &p.known_only(d), st);
        }
    }
    if !p.corroborated.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<ul>",
            escape(lang.label(Label::Corroborations))
        );
        for c in &p.corroborated {
            let srcs: Vec<String> = c.sources.iter().map(|s| st.ltr(s)).collect();
            li(
                &mut out,
                "=",
                &format!(
                    "{} ({}) — {}",
                    report::claim_sentence(&c.claim, st),
                    report::sources_count(c.total_sources.max(c.sources.len()), c.independent, st),
                    srcs.join(lang.comma())
                ),
            );
        }
        out.push_str("</ul>\n");
    }
    out
}

/// Composes the email for one alert, or for a digest of several, in `lang`.
pub fn compose(alerts: &[StoredAlert], domain: &str, lang: Lang) -> Composed {
    let subject = subject(alerts, lang);
    let parts = Parts::of(alerts);
    let st = Style::plain(lang);
    let test = parts.documents.is_empty();
    let text = plain_text(&parts, st, test);
    let body = html_body(&parts, st, test);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family: 'Noto Naskh Arabic', 'Noto Sans Arabic', Tahoma, 'Segoe UI', sans-serif; line-height: 1.7; max-width: 50em; margin: 0 auto; padding: 0 1em\">\n{body}</body>\n</html>\n",
        lang.as_str(),
        lang.dir(),
        escape(&subject)
    );
    let first = alerts.first();
    Composed {
        subject,
        text,
        html,
        message_id: message_id(first.map_or("test", |a| a.id.as_str()), domain),
        in_reply_to: first
            .and_then(|a| a.previous.as_deref())
            .map(|p| message_id(p, domain)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{ChangeReport, Delta, DossierChanges, NewEntity};

    fn alert(path: &str, sentence: &str) -> StoredAlert {
        StoredAlert {
            id: "a1".into(),
            created: "2026-11-23T08:00:00Z".into(),
            path: path.into(),
            has_facts: true,
            report: ChangeReport {
                scanned: 1,
                documents: vec![DocumentChange {
                    path: path.into(),
                    status: DocStatus::Modified,
                    previous_path: None,
                    entities: Delta::default(),
                    claims: Default::default(),
                    dates: Delta::default(),
                    quantities: Delta {
                        added: vec!["84%".into()],
                        removed: vec!["94%".into()],
                    },
                    text: Delta {
                        added: vec![sentence.into()],
                        removed: vec![],
                    },
                    title: None,
                    near_duplicate_of: None,
                }],
                dossier: DossierChanges {
                    new_entities: vec![NewEntity {
                        kind: EntityType::Person,
                        name: "سمير حداد".into(),
                        first_seen_in: path.into(),
                    }],
                    ..Default::default()
                },
            },
            previous: Some("a0".into()),
        }
    }

    #[test]
    fn subject_is_one_line_whatever_the_file_name() {
        let a = alert("docs/evil\r\nBcc: x@example.com.txt", "نص");
        let s = subject(&[a], Lang::En);
        assert!(!s.contains('\n') && !s.contains('\r'), "{s}");
        assert_eq!(
            s,
            "dossier: evil Bcc: x@example.com.txt — 1 changed figure, 1 new person"
        );
    }

    #[test]
    fn a_subject_names_the_title_and_is_cut_at_a_word() {
        let mut a = alert("docs/a.txt", "نص");
        a.report.documents[0].title = Some("وزير الدفاع الإسرائيلي يزور الرباط ويوقع مذكرة تفاهم للتعاون الأمني مع المغرب في نوفمبر الماضي وسط ترقب إقليمي واسع".into());
        let s = subject(&[a], Lang::Ar);
        assert!(s.starts_with("dossier: وزير الدفاع الإسرائيلي"), "{s}");
        assert!(s.contains("… — رقم معدّل، شخص جديد"), "{s}");
        assert!(s.chars().count() <= SUBJECT_MAX);
    }

    #[test]
    fn html_escapes_document_text_and_is_rtl_for_arabic() {
        let c = compose(
            &[alert("docs/a.txt", "قال <script>alert(1)</script> إن")],
            "example.org",
            Lang::Ar,
        );
        assert!(c.html.contains("lang=\"ar\" dir=\"rtl\""));
        assert!(c.html.contains("&lt;script&gt;"));
        assert!(!c.html.contains("<script>"));
        assert!(c
            .html
            .contains("<bdi dir=\"ltr\" style=\"white-space:nowrap\">84%</bdi>"));
        assert_eq!(c.message_id, "<a1.dossier@example.org>");
        assert_eq!(c.in_reply_to.as_deref(), Some("<a0.dossier@example.org>"));
    }
}
