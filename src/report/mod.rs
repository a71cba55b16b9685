//! Rendering a [`ChangeReport`] for people (terminal, log) and programs (JSON).
//!
//! Architecture invariant: pure formatting; the caller decides where it goes and whether the
//! terminal gets colour.

use std::fmt::Write as _;

use crate::diff::{
    ChangeReport, Contradiction, Corroboration, DocStatus, DocumentChange, DossierChanges,
    NewEntity, Renamed,
};
use crate::model::{Claim, EntityType};

mod stream;
pub use stream::{JsonStream, ReportSink, TextStream};

/// How text is dressed: ANSI colour only on a terminal that wants it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Colour when `is_tty` and `NO_COLOR` is unset or empty (<https://no-color.org>).
    pub fn for_terminal(is_tty: bool, no_color: Option<&str>) -> Style {
        Style {
            color: is_tty && no_color.is_none_or(str::is_empty),
        }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
}

/// Makes any text safe to print on one terminal line: control characters (a newline in a file
/// name, an escape sequence in a document) are shown escaped, never interpreted.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push(' '),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// One claim on one line: type, actors, date, polarity, modality, source.
pub fn claim_line(c: &Claim) -> String {
    let mut s = format!("{} {}", c.kind, one_line(&c.actors.join("، ")));
    if let Some(d) = &c.date {
        let _ = write!(s, " ({d})");
    }
    if c.negated {
        s.push_str(" [negated]");
    }
    if let Some(m) = c.modality {
        let _ = write!(
            s,
            " [{}]",
            if m == crate::model::Modality::Planned {
                "planned"
            } else {
                "reported"
            }
        );
    }
    if let Some(a) = &c.attributed_to {
        let _ = write!(s, " — {}", one_line(a));
    }
    s
}

/// What moved between two versions of a claim, in words: "date 2021-11 → 2021-12".
fn claim_change_line(before: &Claim, after: &Claim) -> String {
    let mut parts = Vec::new();
    if before.date != after.date {
        parts.push(format!(
            "date {} → {}",
            before.date.as_deref().unwrap_or("?"),
            after.date.as_deref().unwrap_or("?")
        ));
    }
    if before.actors != after.actors {
        parts.push(format!(
            "actors {} → {}",
            one_line(&before.actors.join("، ")),
            one_line(&after.actors.join("، "))
        ));
    }
    if before.negated != after.negated {
        parts.push(if after.negated {
            "now denied".into()
        } else {
            "no longer denied".into()
        });
    }
    if before.modality != after.modality {
        parts.push("modality changed".into());
    }
    format!(
        "{} {}: {}",
        after.kind,
        one_line(&after.actors.join("، ")),
        parts.join("; ")
    )
}

/// One document's change, facts first, then sentences.
pub fn render_document(out: &mut String, c: &DocumentChange, st: Style) {
    let status = match c.status {
        DocStatus::Added => st.green("added"),
        DocStatus::Removed => st.red("removed"),
        DocStatus::Modified => st.yellow("modified"),
        DocStatus::Renamed => st.yellow("renamed"),
    };
    let _ = write!(out, "{status} {}", st.bold(&one_line(&c.path)));
    if let Some(p) = &c.previous_path {
        let _ = write!(out, " (was {})", one_line(p));
    }
    out.push('\n');
    for (sign, list) in [
        (st.green("+"), &c.entities.added),
        (st.red("-"), &c.entities.removed),
    ] {
        for t in EntityType::ALL {
            let names: Vec<String> = list
                .iter()
                .filter(|e| e.kind == t)
                .map(|e| one_line(&e.name))
                .collect();
            if !names.is_empty() {
                let _ = writeln!(out, "  {sign} {t}: {}", names.join(" · "));
            }
        }
    }
    for ch in &c.claims.changed {
        let _ = writeln!(
            out,
            "  {} claim {}",
            st.yellow("~"),
            claim_change_line(&ch.before, &ch.after)
        );
    }
    for cl in &c.claims.added {
        let _ = writeln!(out, "  {} claim {}", st.green("+"), claim_line(cl));
    }
    for cl in &c.claims.removed {
        let _ = writeln!(out, "  {} claim {}", st.red("-"), claim_line(cl));
    }
    for (label, d) in [("date", &c.dates), ("quantity", &c.quantities)] {
        for (sign, values) in [(st.green("+"), &d.added), (st.red("-"), &d.removed)] {
            if !values.is_empty() {
                let shown: Vec<String> = values.iter().map(|v| one_line(v)).collect();
                let _ = writeln!(out, "  {sign} {label}: {}", shown.join(" · "));
            }
        }
    }
    if !c.text.is_empty() {
        out.push_str("  text:\n");
        for s in &c.text.removed {
            let _ = writeln!(out, "    {} {}", st.red("-"), one_line(s));
        }
        for s in &c.text.added {
            let _ = writeln!(out, "    {} {}", st.green("+"), one_line(s));
        }
    }
}

/// The dossier-level entries: new entities, corroborated and contradicted claims.
pub fn render_dossier(out: &mut String, d: &DossierChanges, st: Style) {
    if d.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", st.bold("dossier:"));
    render_new_entities(out, &d.new_entities);
    render_renames(out, &d.renamed);
    render_corroborations(out, &d.corroborated);
    render_contradictions(out, &d.contradicted);
}

/// New entities grouped by the document that introduced them, then by type.
pub fn render_new_entities(out: &mut String, entities: &[NewEntity]) {
    let mut sources: Vec<&str> = entities.iter().map(|e| e.first_seen_in.as_str()).collect();
    sources.dedup();
    for src in sources {
        for t in EntityType::ALL {
            let names: Vec<String> = entities
                .iter()
                .filter(|e| e.kind == t && e.first_seen_in == src)
                .map(|e| one_line(&e.name))
                .collect();
            if !names.is_empty() {
                let _ = writeln!(
                    out,
                    "  new {t} (first seen in {}): {}",
                    one_line(src),
                    names.join(" · ")
                );
            }
        }
    }
}

/// One line per dossier entity that took a fuller name.
pub fn render_renames(out: &mut String, renamed: &[Renamed]) {
    for r in renamed {
        let _ = writeln!(
            out,
            "  renamed {}: {} → {}",
            r.kind,
            one_line(&r.from),
            one_line(&r.to)
        );
    }
}

/// One line per corroborated claim, with its sources.
pub fn render_corroborations(out: &mut String, corroborated: &[Corroboration]) {
    for c in corroborated {
        let _ = writeln!(
            out,
            "  corroborated by {} sources: {} [{}]",
            c.total_sources.max(c.sources.len()),
            claim_line(&c.claim),
            one_line(&c.sources.join(", "))
        );
    }
}

/// Each contradiction: its sources, then the claims that disagree with their quotes.
pub fn render_contradictions(out: &mut String, contradicted: &[Contradiction]) {
    for c in contradicted {
        let _ = writeln!(out, "  contradicted [{}]:", one_line(&c.sources.join(", ")));
        for cl in &c.claims {
            let _ = writeln!(out, "    {} «{}»", claim_line(cl), one_line(&cl.quote));
        }
    }
}

/// The first line of a check's report on a terminal: how many documents were scanned and,
/// per status, how many changed (`counts` in the order added, modified, renamed, removed).
pub fn render_summary(out: &mut String, scanned: usize, counts: [usize; 4]) {
    if counts.iter().all(|&n| n == 0) {
        let _ = writeln!(out, "no change ({scanned} documents scanned)");
        return;
    }
    let parts: Vec<String> = STATUS_ORDER
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let _ = writeln!(out, "{scanned} documents scanned: {}", parts.join(", "));
}

/// The order of the statuses in [`render_summary`]'s counts.
pub const STATUS_ORDER: [DocStatus; 4] = [
    DocStatus::Added,
    DocStatus::Modified,
    DocStatus::Renamed,
    DocStatus::Removed,
];

/// The whole report of a check, as printed on stdout.
pub fn render(report: &ChangeReport, st: Style) -> String {
    let mut out = String::new();
    let counts = STATUS_ORDER.map(|s| report.documents.iter().filter(|d| d.status == s).count());
    render_summary(&mut out, report.scanned, counts);
    if report.documents.is_empty() {
        return out;
    }
    for d in &report.documents {
        out.push('\n');
        render_document(&mut out, d, st);
    }
    if !report.dossier.is_empty() {
        out.push('\n');
        render_dossier(&mut out, &report.dossier, st);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(one_line("a\nb\x1b[31m"), "a\\nb\\u{1b}[31m");
    }

    #[test]
    fn no_color_wins_over_a_terminal() {
        assert!(!Style::for_terminal(true, Some("1")).color);
        assert!(Style::for_terminal(true, Some("")).color);
        assert!(!Style::for_terminal(false, None).color);
    }

    #[test]
    fn an_empty_report_says_so() {
        let r = ChangeReport {
            scanned: 3,
            ..Default::default()
        };
        assert_eq!(
            render(&r, Style::default()),
            "no change (3 documents scanned)\n"
        );
    }
}
