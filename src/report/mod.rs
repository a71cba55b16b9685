//! Rendering a [`ChangeReport`] for people (terminal, log) and programs (JSON).
//!
//! Architecture invariant: pure formatting; the caller decides where it goes and whether the
//! terminal gets colour.

use std::fmt::Write as _;

use crate::diff::{
    ChangeReport, ClaimChange, Contradiction, Corroboration, DocStatus, DocumentChange,
    DossierChanges, NewEntity, Renamed,
};
use crate::model::{Claim, EntityType};

pub mod html;
mod lang;
mod stream;
pub mod words;
pub use lang::{Label, Lang, Noun};
pub use stream::{JsonStream, ReportSink, TextStream};

/// First strong isolate, left-to-right isolate, pop directional isolate (Unicode 6.3): a
/// value between them keeps its own direction and never reorders the words around it, in a
/// terminal that applies the bidi algorithm; others show nothing.
pub const FSI: char = '\u{2068}';
pub const LRI: char = '\u{2066}';
pub const PDI: char = '\u{2069}';
pub(crate) const BIDI_CONTROLS: &[char] = &[FSI, LRI, PDI];

/// At most this many principal actors are named in a claim's sentence; the rest are "+N".
pub const MAX_ACTORS: usize = 4;
/// A quote longer than this many words is cut at a word.
pub const MAX_QUOTE_WORDS: usize = 18;

/// How text is dressed: the language of its labels, ANSI colour only on a terminal that wants
/// it, and bidi isolates around every value (on for every text output; `--format json` is
/// not rendered here).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub lang: Lang,
    pub isolate: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style::plain(Lang::default())
    }
}

impl Style {
    /// No colour, isolates on: the log, emails' plain text.
    pub fn plain(lang: Lang) -> Style {
        Style {
            color: false,
            lang,
            isolate: true,
        }
    }

    /// Colour when `is_tty` and `NO_COLOR` is unset or empty (<https://no-color.org>).
    pub fn for_terminal(is_tty: bool, no_color: Option<&str>, lang: Lang) -> Style {
        Style {
            color: is_tty && no_color.is_none_or(str::is_empty),
            lang,
            isolate: true,
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

    /// A name, a quote or a title: one line, in an isolate of its own direction.
    pub fn text(&self, s: &str) -> String {
        let s = one_line(s);
        if self.isolate && !s.is_empty() {
            format!("{FSI}{s}{PDI}")
        } else {
            s
        }
    }

    /// A date, a figure or a path: one line, always left to right (`2021-11` never reads
    /// `11-2021` in an Arabic line).
    pub fn ltr(&self, s: &str) -> String {
        let s = one_line(s);
        if self.isolate && !s.is_empty() {
            format!("{LRI}{s}{PDI}")
        } else {
            s
        }
    }

    fn label(&self, l: Label) -> &'static str {
        self.lang.label(l)
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

/// Clause marks a quote is cut at.
const CLAUSE_MARKS: &[char] = &['،', ',', '؛', ';', '″', '"', '«', '»', '“', '”', '(', ')'];

/// The part of a claim's quote that states it: the quote cut into clauses (at commas,
/// semicolons and quotation marks), without the clauses that only name its source or the
/// actors merely mentioned (`الأيام 24″، أن توقيع …` → `أن توقيع …`); when more than one
/// clause is left and the quote is long, the one naming the most principal actors (the last of
/// equals: a quote usually ends at its trigger word). At most [`MAX_QUOTE_WORDS`] words.
pub fn quote_clause(c: &Claim) -> String {
    let quote = dossier_core::text::one_spaced(&c.quote);
    let key = |s: &str| dossier_core::text::key(s);
    let side: Vec<String> = c
        .mentioned
        .iter()
        .chain(c.attributed_to.as_ref())
        .map(|n| key(n))
        .collect();
    let principal: Vec<String> = c.principal().map(|n| key(n)).collect();
    let clauses: Vec<&str> = quote
        .split(CLAUSE_MARKS)
        .map(str::trim)
        .filter(|s| s.chars().any(char::is_alphabetic))
        .collect();
    // A clause that only names a source: once its names are taken out, no word of three
    // letters or more is left.
    let only_side = |cl: &str| {
        let mut rest = key(cl);
        for n in &side {
            rest = rest.replace(n.as_str(), " ");
        }
        !rest.split(' ').any(|w| w.chars().count() >= 3)
    };
    let kept: Vec<&str> = clauses
        .iter()
        .copied()
        .filter(|cl| !only_side(cl))
        .collect();
    let words = |s: &str| s.split_whitespace().count();
    let chosen = match kept.as_slice() {
        [] => quote.clone(),
        [one] => one.to_string(),
        many if many.iter().map(|c| words(c)).sum::<usize>() <= MAX_QUOTE_WORDS => many.join("، "),
        many => {
            let named = |cl: &str| {
                let k = key(cl);
                principal.iter().filter(|p| k.contains(p.as_str())).count()
            };
            let mut best = many[0];
            for cl in many {
                if named(cl) >= named(best) {
                    best = cl;
                }
            }
            best.to_string()
        }
    };
    let w: Vec<&str> = chosen.split_whitespace().collect();
    if w.len() > MAX_QUOTE_WORDS {
        format!("{} …", w[..MAX_QUOTE_WORDS].join(" "))
    } else {
        chosen
    }
}

/// Claim types whose parties are named as "between A and B".
fn between(c: &Claim) -> bool {
    use crate::model::ClaimType::*;
    matches!(c.kind, Agreement | Meeting | Relations | Exercise)
}

/// A claim's type and its principal actors, as the start of a sentence: "Agreement between
/// المغرب and إسرائيل", "زيارة: A، B، C، D +2".
pub fn claim_head(c: &Claim, st: Style) -> String {
    let lang = st.lang;
    let principal: Vec<&String> = c.principal().collect();
    let shown: Vec<String> = principal
        .iter()
        .take(MAX_ACTORS)
        .map(|a| st.text(a))
        .collect();
    let more = principal.len().saturating_sub(MAX_ACTORS);
    let kind = lang.claim_type(c.kind);
    let mut s = if shown.is_empty() {
        kind.to_string()
    } else if between(c) && shown.len() >= 2 && more == 0 {
        format!(
            "{kind} {} {}",
            st.label(Label::Between),
            lang.and_list(&shown)
        )
    } else if c.kind == crate::model::ClaimType::Other {
        format!(
            "{kind} {} {}",
            st.label(Label::About),
            shown.join(lang.comma())
        )
    } else {
        format!("{kind}: {}", shown.join(lang.comma()))
    };
    if more > 0 {
        let _ = write!(s, " {}", st.ltr(&format!("+{more}")));
    }
    s
}

/// One claim as a sentence: type, principal actors, date, polarity and modality, who says so,
/// and the clause of the quote that states it.
pub fn claim_sentence(c: &Claim, st: Style) -> String {
    let comma = st.lang.comma();
    let mut s = claim_head(c, st);
    if let Some(d) = &c.date {
        let _ = write!(s, "{comma}{}", st.ltr(d));
    }
    if c.negated {
        let _ = write!(s, " ({})", st.label(Label::Denied));
    }
    if c.modality.is_some() {
        let _ = write!(s, " ({})", st.lang.modality(c.modality));
    }
    if let Some(a) = &c.attributed_to {
        let _ = write!(s, "{comma}{} {}", st.label(Label::AccordingTo), st.text(a));
    }
    let q = quote_clause(c);
    if !q.is_empty() {
        let _ = write!(s, ": «{}»", st.text(&q));
    }
    s
}

/// Which of a changed claim's fields moved: `ClaimChange::fields`, or for an alert recorded
/// before they were, what differs.
pub fn moved_fields(ch: &ClaimChange) -> Vec<&str> {
    if !ch.fields.is_empty() {
        return ch.fields.iter().map(String::as_str).collect();
    }
    let (b, a) = (&ch.before, &ch.after);
    let mut out = Vec::new();
    if b.date != a.date {
        out.push("date");
    }
    if b.negated != a.negated {
        out.push("negated");
    }
    if b.modality != a.modality {
        out.push("modality");
    }
    if b.principal().ne(a.principal()) {
        out.push("actors");
    }
    out
}

/// A date as shown: isolated left to right, or "(no date)".
pub fn date_text(date: Option<&str>, st: Style) -> String {
    match date {
        Some(d) => st.ltr(d),
        None => format!("({})", st.label(Label::NoDate)),
    }
}

/// A claim's value as a contradiction shows it: its date ([`date_text`]), and "(denied)"
/// when it denies.
pub fn value_text(date: Option<&str>, negated: bool, st: Style) -> String {
    let mut s = date_text(date, st);
    if negated {
        let _ = write!(s, " ({})", st.label(Label::Denied));
    }
    s
}

/// What moved in a changed claim, in words: "date 2021-11 → 2021-12", "الأطراف: + X".
pub fn claim_moves(ch: &ClaimChange, st: Style) -> String {
    let (b, a) = (&ch.before, &ch.after);
    let arrow = st.lang.arrow();
    let date = |d: &Option<String>| date_text(d.as_deref(), st);
    let mut parts = Vec::new();
    for f in moved_fields(ch) {
        match f {
            "date" => parts.push(format!(
                "{} {} {arrow} {}",
                st.label(Label::Date),
                date(&b.date),
                date(&a.date)
            )),
            "negated" => parts.push(
                st.label(if a.negated {
                    Label::NowDenied
                } else {
                    Label::NoLongerDenied
                })
                .to_string(),
            ),
            "modality" => parts.push(format!(
                "{} {} {arrow} {}",
                st.label(Label::Modality),
                st.lang.modality(b.modality),
                st.lang.modality(a.modality)
            )),
            "actors" => {
                let before: Vec<&String> = b.principal().collect();
                let after: Vec<&String> = a.principal().collect();
                let came: Vec<String> = after
                    .iter()
                    .filter(|x| !before.contains(x))
                    .map(|x| st.text(x))
                    .collect();
                let went: Vec<String> = before
                    .iter()
                    .filter(|x| !after.contains(x))
                    .map(|x| st.text(x))
                    .collect();
                let mut p = st.label(Label::Actors).to_string();
                if !came.is_empty() {
                    let _ = write!(p, " + {}", came.join(st.lang.comma()));
                }
                if !went.is_empty() {
                    let _ = write!(p, " − {}", went.join(st.lang.comma()));
                }
                parts.push(p);
            }
            _ => {}
        }
    }
    parts.join(if st.lang == Lang::Ar { "؛ " } else { "; " })
}

/// Pairs the removed and added values of one kind of fact whose shape is the same (a figure's
/// words and unit, `94%` and `84%`; a date's precision): a value that changed, not one that
/// went and one that came. Returns the pairs (old, new), then what only went and only came.
pub fn pair_values<'a>(
    removed: &'a [String],
    added: &'a [String],
) -> (Vec<(&'a str, &'a str)>, Vec<&'a str>, Vec<&'a str>) {
    let shape = |v: &str| -> String {
        v.chars()
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect::<String>()
            .split('0')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("0")
    };
    let mut taken = vec![false; added.len()];
    let mut pairs = Vec::new();
    let mut gone = Vec::new();
    for r in removed {
        let sr = shape(r);
        match added
            .iter()
            .enumerate()
            .find(|(i, a)| !taken[*i] && shape(a) == sr && a.len().abs_diff(r.len()) <= 3)
        {
            Some((i, a)) => {
                taken[i] = true;
                pairs.push((r.as_str(), a.as_str()));
            }
            None => gone.push(r.as_str()),
        }
    }
    let came = added
        .iter()
        .zip(&taken)
        .filter(|(_, t)| !**t)
        .map(|(a, _)| a.as_str())
        .collect();
    (pairs, gone, came)
}

/// The word-level diff of an edited sentence: `… بنسبة [-94%-]{+84%+} خلال …`.
pub fn sentence_diff(old: &str, new: &str, st: Style) -> String {
    let mut out = Vec::new();
    for p in words::diff(old, new) {
        out.push(match p {
            words::Piece::Same(w) => st.text(&w),
            words::Piece::Elided => "…".to_string(),
            words::Piece::Removed(w) => st.red(&format!("[-{}-]", st.text(&w))),
            words::Piece::Added(w) => st.green(&format!("{{+{}+}}", st.text(&w))),
        });
    }
    out.join(" ")
}

/// One document's change, facts first, then sentences.
/// How a fact line of a document's change is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Added,
    Removed,
    Changed,
}

/// What a version changed in facts, a line each, in the order every renderer (terminal,
/// email, HTML dossier) lists them: entities added then removed, by type; claims changed,
/// added, removed; dates then figures, each changed one paired, then added, then removed.
/// Values are isolated by `st`; each renderer marks and escapes the lines its own way.
pub fn fact_lines(c: &DocumentChange, st: Style) -> Vec<(Mark, String)> {
    let lang = st.lang;
    let mut out = Vec::new();
    for (mark, list) in [
        (Mark::Added, &c.entities.added),
        (Mark::Removed, &c.entities.removed),
    ] {
        for t in EntityType::ALL {
            let names: Vec<String> = list
                .iter()
                .filter(|e| e.kind == t)
                .map(|e| st.text(&e.name))
                .collect();
            if !names.is_empty() {
                out.push((
                    mark,
                    format!("{}: {}", lang.entity_types(t), names.join(" · ")),
                ));
            }
        }
    }
    for ch in &c.claims.changed {
        out.push((
            Mark::Changed,
            format!("{}: {}", claim_head(&ch.after, st), claim_moves(ch, st)),
        ));
    }
    for cl in &c.claims.added {
        out.push((Mark::Added, claim_sentence(cl, st)));
    }
    for cl in &c.claims.removed {
        out.push((Mark::Removed, claim_sentence(cl, st)));
    }
    for (label, d) in [(Label::Dates, &c.dates), (Label::Figures, &c.quantities)] {
        let (pairs, gone, came) = pair_values(&d.removed, &d.added);
        for (old, new) in pairs {
            out.push((
                Mark::Changed,
                format!(
                    "{}: {} {} {}",
                    lang.label(label),
                    st.ltr(old),
                    lang.arrow(),
                    st.ltr(new)
                ),
            ));
        }
        for (mark, values) in [(Mark::Added, came), (Mark::Removed, gone)] {
            if !values.is_empty() {
                let shown: Vec<String> = values.iter().map(|v| st.ltr(v)).collect();
                out.push((
                    mark,
                    format!("{}: {}", lang.label(label), shown.join(" · ")),
                ));
            }
        }
    }
    out
}

pub fn render_document(out: &mut String, c: &DocumentChange, st: Style) {
    let status = st.lang.status(c.status);
    let status = match c.status {
        DocStatus::Added => st.green(status),
        DocStatus::Removed => st.red(status),
        DocStatus::Modified | DocStatus::Renamed => st.yellow(status),
    };
    let _ = write!(out, "{status} {}", st.bold(&st.ltr(&c.path)));
    if let Some(p) = &c.previous_path {
        let _ = write!(out, " ({} {})", st.label(Label::Was), st.ltr(p));
    }
    out.push('\n');
    if let Some(t) = &c.title {
        let _ = writeln!(
            out,
            "  «{}»",
            st.text(&dossier_core::text::cut_at_word(t, 100))
        );
    }
    if let Some(of) = &c.near_duplicate_of {
        let _ = writeln!(
            out,
            "  ≈ {} {}",
            st.label(Label::NearDuplicateOf),
            st.ltr(of)
        );
    }
    for (mark, line) in fact_lines(c, st) {
        let sign = match mark {
            Mark::Added => st.green("+"),
            Mark::Removed => st.red("-"),
            Mark::Changed => st.yellow("~"),
        };
        let _ = writeln!(out, "  {sign} {line}");
    }
    if !c.text.is_empty() {
        let _ = writeln!(out, "  {}:", st.label(Label::Text));
        for e in words::pair(&c.text.removed, &c.text.added) {
            let _ = match e {
                words::SentenceEdit::Changed { old, new } => writeln!(
                    out,
                    "    {} {}",
                    st.yellow("~"),
                    sentence_diff(old, new, st)
                ),
                words::SentenceEdit::Removed(s) => {
                    writeln!(out, "    {} {}", st.red("-"), st.text(s))
                }
                words::SentenceEdit::Added(s) => {
                    writeln!(out, "    {} {}", st.green("+"), st.text(s))
                }
            };
        }
    }
}

/// The dossier-level entries: new entities, corroborated and contradicted claims.
pub fn render_dossier(out: &mut String, d: &DossierChanges, st: Style) {
    if d.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", dossier_heading(st));
    render_new_entities(out, &d.new_entities, st);
    render_renames(out, &d.renamed, st);
    render_corroborations(out, &d.corroborated, st);
    render_contradictions(out, &d.contradicted, st);
}

/// The heading line of a dossier section.
pub fn dossier_heading(st: Style) -> String {
    st.bold(&format!("{}:", st.label(Label::Dossier)))
}

/// New entities grouped by the document that introduced them, then by type.
pub fn render_new_entities(out: &mut String, entities: &[NewEntity], st: Style) {
    let mut sources: Vec<&str> = entities.iter().map(|e| e.first_seen_in.as_str()).collect();
    sources.dedup();
    for src in sources {
        for t in EntityType::ALL {
            let names: Vec<String> = entities
                .iter()
                .filter(|e| e.kind == t && e.first_seen_in == src)
                .map(|e| st.text(&e.name))
                .collect();
            if !names.is_empty() {
                let _ = writeln!(
                    out,
                    "  {}{}{} {}: {}",
                    st.lang.count(names.len(), st.lang.new_entities(t)),
                    st.lang.comma(),
                    st.label(Label::FirstSeenIn),
                    st.ltr(src),
                    names.join(" · ")
                );
            }
        }
    }
}

/// One line per dossier entity that took a fuller name.
pub fn render_renames(out: &mut String, renamed: &[Renamed], st: Style) {
    for r in renamed {
        let _ = writeln!(
            out,
            "  {} {} {} {}",
            st.lang.entity_type(r.kind),
            st.text(&r.from),
            st.label(Label::RenamedEntity),
            st.text(&r.to)
        );
    }
}

fn sources(list: &[String], st: Style) -> String {
    list.iter()
        .map(|s| st.ltr(s))
        .collect::<Vec<_>>()
        .join(st.lang.comma())
}

/// "3 sources", and when copies of one article are among them, "3 sources, 2 independent"
/// (`independent` 0: not counted, an older alert).
pub fn sources_count(n: usize, independent: usize, st: Style) -> String {
    let sources = st.lang.count(n, Noun::Source);
    if independent == 0 || independent >= n {
        return sources;
    }
    match st.lang {
        Lang::En => format!("{sources}, {independent} {}", st.label(Label::Independent)),
        Lang::Ar => format!(
            "{sources}{}{independent} منها {}",
            st.lang.comma(),
            st.label(Label::Independent)
        ),
    }
}

/// One line per corroborated claim, with its sources.
pub fn render_corroborations(out: &mut String, corroborated: &[Corroboration], st: Style) {
    for c in corroborated {
        let n = c.total_sources.max(c.sources.len());
        let _ = writeln!(
            out,
            "  {} ({}): {} [{}]",
            st.label(Label::Corroborated),
            sources_count(n, c.independent, st),
            claim_sentence(&c.claim, st),
            sources(&c.sources, st)
        );
    }
}

/// Which sources state which side of a contradiction: the claim already in the dossier by
/// every source but the last, the new one by the last (the document that brought it).
pub fn contradiction_sides(c: &Contradiction) -> Vec<(&Claim, &[String])> {
    match (c.claims.as_slice(), c.sources.split_last()) {
        ([old, new], Some((last, others))) => {
            vec![(old, others), (new, std::slice::from_ref(last))]
        }
        _ => c.claims.iter().map(|cl| (cl, &c.sources[..0])).collect(),
    }
}

/// Each contradiction: what it is about, then each side with its sources, date and quote.
pub fn render_contradictions(out: &mut String, contradicted: &[Contradiction], st: Style) {
    for c in contradicted {
        let Some(first) = c.claims.first() else {
            continue;
        };
        let _ = writeln!(
            out,
            "  {} {}: {}",
            st.red("≠"),
            st.label(Label::Contradiction),
            claim_head(first, st)
        );
        for (cl, srcs) in contradiction_sides(c) {
            let what = value_text(cl.date.as_deref(), cl.negated, st);
            let _ = writeln!(
                out,
                "    [{}] {} {}: {what} «{}»",
                sources(srcs, st),
                st.label(Label::Says),
                st.label(Label::Date),
                st.text(&quote_clause(cl))
            );
        }
    }
}

/// The first line of a check's report on a terminal: how many documents were scanned and,
/// per status, how many changed (`counts` in the order added, modified, renamed, removed).
pub fn render_summary(out: &mut String, scanned: usize, counts: [usize; 4], st: Style) {
    let scanned_text = match st.lang {
        Lang::En => format!(
            "{} {}",
            st.lang.count(scanned, Noun::Document),
            st.label(Label::Scanned)
        ),
        Lang::Ar => format!(
            "{} {}",
            st.label(Label::Scanned),
            st.lang.count(scanned, Noun::Document)
        ),
    };
    if counts.iter().all(|&n| n == 0) {
        let _ = writeln!(out, "{} ({scanned_text})", st.label(Label::NoChange));
        return;
    }
    let parts: Vec<String> = STATUS_ORDER
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", st.lang.status(*s)))
        .collect();
    let _ = writeln!(out, "{scanned_text}: {}", parts.join(st.lang.comma()));
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
    render_summary(&mut out, report.scanned, counts, st);
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
        assert!(!Style::for_terminal(true, Some("1"), Lang::En).color);
        assert!(Style::for_terminal(true, Some(""), Lang::En).color);
        assert!(!Style::for_terminal(false, None, Lang::En).color);
    }

    #[test]
    fn an_empty_report_says_so() {
        let r = ChangeReport {
            scanned: 3,
            ..Default::default()
        };
        assert_eq!(
            render(&r, Style::plain(Lang::En)),
            "no change (3 documents scanned)\n"
        );
        assert_eq!(
            render(&r, Style::plain(Lang::Ar)),
            "لا تغيير (فُحصت 3 وثائق)\n"
        );
    }
}
