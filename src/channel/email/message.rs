//! Composing an alert email: subject, plain text and HTML, threading headers. Pure: alerts in,
//! strings out.
//!
//! Every piece of document text is HTML-escaped; the subject is one line whatever a file name
//! holds (no header injection); the HTML is `lang="ar" dir="rtl"` when the content is Arabic,
//! with names and numbers isolated in `<bdi>` so that Latin names keep their own direction.

use std::fmt::Write as _;

use crate::diff::{DocStatus, DocumentChange, DossierChanges};
use crate::model::{Claim, EntityType};
use crate::report::{self, Style};
use dossier_core::alert::Alert as StoredAlert;

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

/// The `Message-ID` of an alert.
pub fn message_id(alert_id: &str, domain: &str) -> String {
    format!("<{alert_id}.dossier@{domain}>")
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn is_arabic(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0750}'..='\u{077F}').contains(&c))
}

/// One line, no control characters, at most `max` characters: safe as a header value.
fn header_line(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// "2 new people, 1 changed date" for a set of changes.
fn summary(docs: &[&DocumentChange], dossier: &[&DossierChanges]) -> Vec<String> {
    let mut parts = Vec::new();
    let new_of = |t: EntityType| -> usize {
        dossier
            .iter()
            .map(|d| d.new_entities.iter().filter(|e| e.kind == t).count())
            .sum()
    };
    let people = new_of(EntityType::Person);
    if people > 0 {
        parts.push(plural(people, "new person", "new people"));
    }
    let orgs = new_of(EntityType::Org);
    if orgs > 0 {
        parts.push(plural(orgs, "new organization", "new organizations"));
    }
    let others: usize = [
        EntityType::Location,
        EntityType::Equipment,
        EntityType::Event,
    ]
    .into_iter()
    .map(new_of)
    .sum();
    if others > 0 {
        parts.push(plural(others, "new place or event", "new places or events"));
    }
    let changed_dates: usize = docs
        .iter()
        .map(|d| {
            d.claims
                .changed
                .iter()
                .filter(|c| c.before.date != c.after.date)
                .count()
        })
        .sum();
    if changed_dates > 0 {
        parts.push(plural(changed_dates, "changed date", "changed dates"));
    }
    let other_changed: usize = docs
        .iter()
        .map(|d| {
            d.claims
                .changed
                .iter()
                .filter(|c| c.before.date == c.after.date)
                .count()
        })
        .sum();
    if other_changed > 0 {
        parts.push(plural(other_changed, "changed claim", "changed claims"));
    }
    let corroborated: usize = dossier.iter().map(|d| d.corroborated.len()).sum();
    if corroborated > 0 {
        parts.push(plural(
            corroborated,
            "corroborated claim",
            "corroborated claims",
        ));
    }
    let contradicted: usize = dossier.iter().map(|d| d.contradicted.len()).sum();
    if contradicted > 0 {
        parts.push(plural(contradicted, "contradiction", "contradictions"));
    }
    let quantities: usize = docs.iter().map(|d| d.quantities.added.len()).sum();
    if quantities > 0 {
        parts.push(plural(quantities, "new figure", "new figures"));
    }
    if parts.is_empty() {
        let edited = docs.iter().any(|d| !d.text.is_empty());
        if docs.iter().any(|d| d.status == DocStatus::Removed) {
            parts.push("document removed".into());
        } else if docs.iter().any(|d| d.status == DocStatus::Renamed) {
            parts.push("document moved".into());
        } else if docs.iter().any(|d| d.status == DocStatus::Added) {
            parts.push("new document".into());
        } else if edited {
            parts.push("text edited".into());
        }
    }
    parts
}

/// The subject line: what changed, in a few words, and where.
pub fn subject(alerts: &[StoredAlert]) -> String {
    let docs: Vec<&DocumentChange> = alerts
        .iter()
        .flat_map(|a| a.report.documents.iter())
        .collect();
    let dossier: Vec<&DossierChanges> = alerts.iter().map(|a| &a.report.dossier).collect();
    let parts = summary(&docs, &dossier);
    let what = parts.join(", ");
    let s = match docs.as_slice() {
        [] => "dossier: test alert".to_string(),
        [one] => format!("dossier: {what} in {}", file_name(&one.path)),
        many => format!(
            "dossier: {} changed: {what}",
            plural(many.len(), "document", "documents")
        ),
    };
    header_line(&s, 140)
}

fn claim_html(c: &Claim) -> String {
    let mut s = format!("{} <bdi>{}</bdi>", c.kind, escape(&c.actors.join("، ")));
    if let Some(d) = &c.date {
        let _ = write!(s, " (<bdi dir=\"ltr\">{}</bdi>)", escape(d));
    }
    if !c.quote.is_empty() {
        let _ = write!(s, "<br><q>{}</q>", escape(&c.quote));
    }
    s
}

fn doc_html(out: &mut String, d: &DocumentChange, dossier: &DossierChanges) {
    let _ = writeln!(
        out,
        "<h2><bdi dir=\"ltr\">{}</bdi> — {}</h2>",
        escape(&report::one_line(&d.path)),
        d.status.as_str()
    );
    if let Some(p) = &d.previous_path {
        let _ = writeln!(
            out,
            "<p>was <bdi dir=\"ltr\">{}</bdi></p>",
            escape(&report::one_line(p))
        );
    }
    let mut facts = String::new();
    for e in &dossier.new_entities {
        let _ = writeln!(
            facts,
            "<li>new {}: <bdi>{}</bdi></li>",
            e.kind,
            escape(&e.name)
        );
    }
    for c in &d.claims.changed {
        let _ = writeln!(
            facts,
            "<li>changed: {} → {}</li>",
            claim_html(&c.before),
            claim_html(&c.after)
        );
    }
    for c in &dossier.corroborated {
        let _ = writeln!(
            facts,
            "<li>corroborated by {} sources: {} <small><bdi dir=\"ltr\">{}</bdi></small></li>",
            c.total_sources.max(c.sources.len()),
            claim_html(&c.claim),
            escape(&c.sources.join(", "))
        );
    }
    for c in &dossier.contradicted {
        let claims: Vec<String> = c.claims.iter().map(claim_html).collect();
        let _ = writeln!(
            facts,
            "<li>contradicted: {} <small><bdi dir=\"ltr\">{}</bdi></small></li>",
            claims.join(" ≠ "),
            escape(&c.sources.join(", "))
        );
    }
    for c in &d.claims.added {
        let _ = writeln!(facts, "<li>+ {}</li>", claim_html(c));
    }
    for c in &d.claims.removed {
        let _ = writeln!(facts, "<li>− {}</li>", claim_html(c));
    }
    for e in &d.entities.added {
        let _ = writeln!(
            facts,
            "<li>+ {} <bdi>{}</bdi></li>",
            e.kind,
            escape(&e.name)
        );
    }
    for e in &d.entities.removed {
        let _ = writeln!(
            facts,
            "<li>− {} <bdi>{}</bdi></li>",
            e.kind,
            escape(&e.name)
        );
    }
    for (label, delta) in [("date", &d.dates), ("figure", &d.quantities)] {
        for v in &delta.added {
            let _ = writeln!(facts, "<li>+ {label} <bdi>{}</bdi></li>", escape(v));
        }
        for v in &delta.removed {
            let _ = writeln!(facts, "<li>− {label} <bdi>{}</bdi></li>", escape(v));
        }
    }
    if !facts.is_empty() {
        let _ = write!(out, "<ul>\n{facts}</ul>\n");
    }
    if !d.text.is_empty() {
        out.push_str("<div class=\"text\">\n");
        for s in &d.text.removed {
            let _ = writeln!(out, "<p><del style=\"color:#a00\">{}</del></p>", escape(s));
        }
        for s in &d.text.added {
            let _ = writeln!(out, "<p><ins style=\"color:#060\">{}</ins></p>", escape(s));
        }
        out.push_str("</div>\n");
    }
}

/// Composes the email for one alert, or for a digest of several.
pub fn compose(alerts: &[StoredAlert], domain: &str) -> Composed {
    let subject = subject(alerts);
    let mut text = String::new();
    let mut body = String::new();
    for a in alerts {
        for d in &a.report.documents {
            report::render_document(&mut text, d, Style::default());
            doc_html(&mut body, d, &a.report.dossier);
        }
        report::render_dossier(&mut text, &a.report.dossier, Style::default());
        text.push('\n');
    }
    if alerts.iter().all(|a| a.report.documents.is_empty()) {
        text.push_str("This is a test alert from dossier: the channel works.\n");
        body.push_str("<p>This is a test alert from dossier: the channel works.</p>\n");
    }
    let (lang, dir) = if is_arabic(&text) {
        ("ar", "rtl")
    } else {
        ("en", "ltr")
    };
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family: 'Noto Naskh Arabic', Tahoma, sans-serif; line-height: 1.6\">\n{body}</body>\n</html>\n",
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
    use crate::diff::{ChangeReport, Delta, NewEntity};

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
        let s = subject(&[a]);
        assert!(!s.contains('\n') && !s.contains('\r'), "{s}");
        assert!(
            s.starts_with("dossier: 1 new person, 1 new figure in "),
            "{s}"
        );
    }

    #[test]
    fn html_escapes_document_text_and_is_rtl_for_arabic() {
        let c = compose(
            &[alert("docs/a.txt", "قال <script>alert(1)</script> إن")],
            "example.org",
        );
        assert!(c.html.contains("lang=\"ar\" dir=\"rtl\""));
        assert!(c.html.contains("&lt;script&gt;"));
        assert!(!c.html.contains("<script>"));
        assert_eq!(c.message_id, "<a1.dossier@example.org>");
        assert_eq!(c.in_reply_to.as_deref(), Some("<a0.dossier@example.org>"));
    }
}
