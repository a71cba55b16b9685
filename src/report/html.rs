//! The HTML dossier (`dossier report --html DIR`): a static site of the whole dossier, one
//! folder of plain files that opens from the disk with no network and no script: a timeline
//! of the documents and their changes (`index.html`), a page per entity (`e/ID.html`), the
//! claims grouped by identity with their sources (`claims.html`), and the contradictions side
//! by side with both quotes (`contradictions.html`). Right to left for Arabic, printable
//! (`style.css` has a print sheet).
//!
//! Also the HTML helpers the emails share: [`escape`] and [`html_of`].
//!
//! Architecture invariant: pure; the site's data in, `(file name, contents)` out.
//! `app::site` reads the store and writes the folder.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{claim_head, claim_sentence, quote_clause};
use super::{Label, Lang, Noun, Style, FSI, LRI, PDI};
use crate::diff::DocumentChange;
use crate::model::{Claim, ClaimType, EntityType};

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

/// Text rendered with bidi isolates, as HTML: escaped, each name's isolate a `<bdi>`, each
/// date's, figure's or path's a left-to-right `<bdi>` that never breaks across lines.
pub fn html_of(s: &str) -> String {
    escape(s)
        .replace(FSI, "<bdi>")
        .replace(LRI, "<bdi dir=\"ltr\" style=\"white-space:nowrap\">")
        .replace(PDI, "</bdi>")
}

/// A document of the dossier now.
#[derive(Debug, Clone)]
pub struct SiteDocument {
    pub path: String,
    pub title: Option<String>,
    pub version: i64,
    pub updated: String,
    pub entities: usize,
    pub claims: usize,
}

/// One recorded version and what it changed in facts.
#[derive(Debug, Clone)]
pub struct SiteStep {
    pub time: String,
    pub version: i64,
    pub change: DocumentChange,
}

#[derive(Debug, Clone)]
pub struct SiteEntity {
    pub id: i64,
    pub kind: EntityType,
    pub name: String,
    pub aliases: Vec<String>,
    pub first_seen_in: String,
    pub first_seen_at: String,
    pub documents: Vec<String>,
}

/// One value the statements of a claim identity give, with its sources.
#[derive(Debug, Clone)]
pub struct GroupValue {
    pub date: Option<String>,
    pub negated: bool,
    pub sources: Vec<String>,
}

/// The statements of one claim identity (`dossier show claims`' groups).
#[derive(Debug, Clone)]
pub struct ClaimGroup {
    pub kind: ClaimType,
    pub about: Vec<String>,
    /// `single`, `agreed` or `contradicted`.
    pub state: String,
    pub values: Vec<GroupValue>,
    /// (source, statement).
    pub statements: Vec<(String, Claim)>,
}

/// Everything the site shows.
#[derive(Debug, Clone)]
pub struct Site {
    pub lang: Lang,
    /// When it was made (RFC 3339).
    pub generated: String,
    pub documents: Vec<SiteDocument>,
    /// Oldest first.
    pub timeline: Vec<SiteStep>,
    pub entities: Vec<SiteEntity>,
    pub groups: Vec<ClaimGroup>,
}

/// The file name of an entity's page, relative to the site.
pub fn entity_page(id: i64) -> String {
    format!("e/{id}.html")
}

/// The marker file that says a folder is a dossier report (and may be replaced whole).
pub const MARKER: &str = ".dossier-report";

const STYLE: &str = r#"/* dossier: the HTML dossier. No web font, no script: it opens from the disk. */
:root { --ink: #1d1d1f; --soft: #5f6368; --line: #d9d9de; --add: #0b5d0b; --del: #8b0000;
  --chg: #7a4b00; --bg-add: #dff3df; --bg-del: #fbe3e3; --bg-card: #fafafa; }
* { box-sizing: border-box; }
body { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "Amiri", Tahoma, "Segoe UI", sans-serif;
  color: var(--ink); line-height: 1.75; margin: 0; font-size: 17px; }
header, main, footer { max-width: 64em; margin: 0 auto; padding: 0 1.2em; }
header { border-bottom: 3px solid var(--ink); padding-top: 1em; }
header h1 { margin: 0 0 0.2em; font-size: 1.7em; }
nav a { margin-inline-end: 1.2em; font-weight: bold; color: #1a4d8f; text-decoration: none; }
nav a.here { color: var(--ink); border-bottom: 2px solid var(--ink); }
h2 { border-bottom: 1px solid var(--line); margin-top: 1.6em; }
.meta, footer, small { color: var(--soft); }
footer { border-top: 1px solid var(--line); margin-top: 2em; padding-bottom: 2em; font-size: 0.85em; }
bdi[dir="ltr"] { white-space: nowrap; }
ol.timeline { list-style: none; padding: 0; }
ol.timeline > li { border-inline-start: 4px solid var(--line); padding: 0.3em 0.9em; margin: 0.6em 0; }
ol.timeline > li.added { border-color: var(--add); }
ol.timeline > li.modified, ol.timeline > li.renamed { border-color: var(--chg); }
ol.timeline > li.removed { border-color: var(--del); }
.status { font-weight: bold; }
.added .status { color: var(--add); } .removed .status { color: var(--del); }
.modified .status, .renamed .status { color: var(--chg); }
ul.facts { margin: 0.2em 0; padding-inline-start: 1.4em; }
ul.facts li.add::marker { content: "+ "; color: var(--add); }
ul.facts li.del::marker { content: "− "; color: var(--del); }
ul.facts li.chg::marker { content: "~ "; color: var(--chg); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: start; padding: 0.3em 0.5em; border-bottom: 1px solid var(--line); vertical-align: top; }
.card { background: var(--bg-card); border: 1px solid var(--line); border-radius: 6px; padding: 0.6em 1em; margin: 0.8em 0; break-inside: avoid; }
.card h3 { margin: 0 0 0.3em; font-size: 1.1em; }
.badge { font-size: 0.8em; padding: 0.05em 0.6em; border-radius: 1em; background: var(--line); white-space: nowrap; }
.badge.contradicted { background: var(--bg-del); color: var(--del); }
.badge.agreed { background: var(--bg-add); color: var(--add); }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.side { border: 2px solid #d9a0a0; border-radius: 6px; padding: 0.6em 0.9em; background: #fff; }
.side .value { font-size: 1.3em; font-weight: bold; }
blockquote { margin: 0.4em 0; padding-inline-start: 0.8em; border-inline-start: 3px solid var(--line); }
ul.names { columns: 2; }
@media print {
  body { font-size: 11pt; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  .card, ol.timeline > li, .side { break-inside: avoid; }
  header { border-bottom-width: 1px; }
}
"#;

fn page(site: &Site, root: &str, here: &str, title: &str, body: &str) -> String {
    let lang = site.lang;
    let l = |x| escape(lang.label(x));
    let mut nav = String::new();
    for (file, label) in [
        ("index.html", Label::Timeline),
        ("entities.html", Label::Entities),
        ("claims.html", Label::Claims),
        ("contradictions.html", Label::Contradictions),
    ] {
        let _ = write!(
            nav,
            // A space after each link: the shaper joins Arabic letters across adjacent
            // inline elements, and a link's last letter took its medial form.
            "<a href=\"{root}{file}\"{}>{}</a> ",
            if file == here { " class=\"here\"" } else { "" },
            l(label)
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<link rel=\"stylesheet\" href=\"{root}style.css\">\n</head>\n<body>\n<header><h1>{}</h1><nav>{nav}</nav></header>\n<main>\n{body}</main>\n<footer>dossier — {} {}</footer>\n</body>\n</html>\n",
        lang.as_str(),
        lang.dir(),
        escape(title),
        escape(title),
        l(Label::Generated),
        html_of(&Style::plain(lang).ltr(&site.generated)),
    )
}

fn li(out: &mut String, class: &str, text: &str) {
    let _ = writeln!(out, "<li class=\"{class}\">{}</li>", html_of(text));
}

/// What a version changed in facts, as list items.
fn change_items(c: &DocumentChange, st: Style) -> String {
    let lang = st.lang;
    let mut out = String::new();
    if c.status == crate::diff::DocStatus::Added {
        // A new document: counted, not listed (its facts are on the entity and claim pages).
        let mut parts = Vec::new();
        for t in EntityType::ALL {
            let n = c.entities.added.iter().filter(|e| e.kind == t).count();
            if n > 0 {
                parts.push(format!("{}: {n}", lang.entity_types(t)));
            }
        }
        if !c.claims.added.is_empty() {
            parts.push(lang.count(c.claims.added.len(), Noun::Claim));
        }
        if !parts.is_empty() {
            li(&mut out, "add", &parts.join(lang.comma()));
        }
        return out;
    }
    for (mark, line) in super::fact_lines(c, st) {
        let class = match mark {
            super::Mark::Added => "add",
            super::Mark::Removed => "del",
            super::Mark::Changed => "chg",
        };
        li(&mut out, class, &line);
    }
    out
}

fn index(site: &Site, st: Style, titles: &HashMap<&str, &str>) -> String {
    let lang = st.lang;
    let contradicted = site
        .groups
        .iter()
        .filter(|g| g.state == "contradicted")
        .count();
    let mut body = format!(
        "<p class=\"meta\">{} · {} · {} · <a href=\"contradictions.html\">{}</a></p>\n",
        escape(&lang.count(site.documents.len(), Noun::Document)),
        escape(&lang.count(site.entities.len(), Noun::Entity)),
        escape(&lang.count(site.groups.len(), Noun::Claim)),
        escape(&lang.count(contradicted, Noun::Contradiction)),
    );
    let _ = writeln!(
        body,
        "<h2>{}</h2>\n<ol class=\"timeline\">",
        escape(lang.label(Label::Timeline))
    );
    for s in site.timeline.iter().rev() {
        let c = &s.change;
        let title = titles
            .get(c.path.as_str())
            .map(|t| t.to_string())
            .or_else(|| c.title.clone());
        let _ = write!(
            body,
            "<li class=\"{}\"><div><span class=\"status\">{}</span> · {} · <small>{} {} — {}</small></div>",
            c.status.as_str(),
            escape(lang.status(c.status)),
            match &title {
                Some(t) => format!("<b>{}</b>", html_of(&st.text(t))),
                None => html_of(&st.ltr(&c.path)),
            },
            escape(lang.label(Label::Version)),
            html_of(&st.ltr(&s.version.to_string())),
            html_of(&st.ltr(&s.time)),
        );
        let _ = write!(
            body,
            "<div><small>{}</small></div>",
            html_of(&st.ltr(&c.path))
        );
        let items = change_items(c, st);
        if !items.is_empty() {
            let _ = write!(body, "<ul class=\"facts\">\n{items}</ul>");
        }
        body.push_str("</li>\n");
    }
    if site.timeline.is_empty() {
        let _ = writeln!(body, "<li>{}</li>", escape(lang.label(Label::Nothing)));
    }
    body.push_str("</ol>\n");
    let _ = writeln!(
        body,
        "<h2>{}</h2>\n<table><tbody>",
        escape(lang.label(Label::Documents))
    );
    for d in &site.documents {
        let _ = writeln!(
            body,
            "<tr><td>{}<br><small>{}</small></td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
            d.title
                .as_deref()
                .map(|t| html_of(&st.text(t)))
                .unwrap_or_default(),
            html_of(&st.ltr(&d.path)),
            escape(lang.label(Label::Version)),
            html_of(&st.ltr(&d.version.to_string())),
            escape(&lang.count(d.entities, Noun::Entity)),
            escape(&lang.count(d.claims, Noun::Claim)),
        );
    }
    body.push_str("</tbody></table>\n");
    page(site, "", "index.html", lang.label(Label::Home), &body)
}

fn entities(site: &Site, st: Style) -> String {
    let lang = st.lang;
    let mut body = String::new();
    for t in EntityType::ALL {
        let of: Vec<&SiteEntity> = site.entities.iter().filter(|e| e.kind == t).collect();
        if of.is_empty() {
            continue;
        }
        let _ = writeln!(
            body,
            "<h2>{} <small>({})</small></h2>\n<ul class=\"names\">",
            escape(lang.entity_types(t)),
            of.len()
        );
        for e in of {
            let _ = writeln!(
                body,
                "<li><a href=\"{}\">{}</a> <small>({})</small></li>",
                entity_page(e.id),
                html_of(&st.text(&e.name)),
                escape(&lang.count(e.documents.len(), Noun::Document))
            );
        }
        body.push_str("</ul>\n");
    }
    page(
        site,
        "",
        "entities.html",
        lang.label(Label::Entities),
        &body,
    )
}

fn group_head(g: &ClaimGroup, st: Style) -> String {
    let claim = Claim {
        kind: g.kind,
        actors: g.about.clone(),
        date: None,
        quote: String::new(),
        attributed_to: None,
        mentioned: Vec::new(),
        negated: false,
        modality: None,
    };
    claim_head(&claim, st)
}

fn state_label(lang: Lang, state: &str) -> &'static str {
    lang.label(match state {
        "contradicted" => Label::Contradicted,
        "agreed" => Label::Agreed,
        _ => Label::Single,
    })
}

fn value_text(v: &GroupValue, st: Style) -> String {
    super::value_text(v.date.as_deref(), v.negated, st)
}

fn claims(site: &Site, st: Style) -> String {
    let lang = st.lang;
    let mut body = String::new();
    for t in ClaimType::ALL {
        let of: Vec<&ClaimGroup> = site.groups.iter().filter(|g| g.kind == t).collect();
        if of.is_empty() {
            continue;
        }
        let _ = writeln!(body, "<h2>{}</h2>", escape(lang.claim_type(t)));
        for g in of {
            let _ = writeln!(
                body,
                "<div class=\"card\"><h3>{} <span class=\"badge {}\">{}</span></h3>",
                html_of(&group_head(g, st)),
                escape(&g.state),
                escape(state_label(lang, &g.state))
            );
            body.push_str("<ul class=\"facts\">\n");
            for v in &g.values {
                let srcs: Vec<String> = v.sources.iter().map(|s| st.ltr(s)).collect();
                li(
                    &mut body,
                    "",
                    &format!(
                        "{}: {} — {}",
                        lang.label(Label::Date),
                        value_text(v, st),
                        srcs.join(lang.comma())
                    ),
                );
            }
            body.push_str("</ul>\n");
            for (source, c) in &g.statements {
                let _ = writeln!(
                    body,
                    "<blockquote>«{}» <small>— {}</small></blockquote>",
                    html_of(&st.text(&quote_clause(c))),
                    html_of(&st.ltr(source))
                );
            }
            body.push_str("</div>\n");
        }
    }
    if site.groups.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", escape(lang.label(Label::Nothing)));
    }
    page(site, "", "claims.html", lang.label(Label::Claims), &body)
}

fn contradictions(site: &Site, st: Style) -> String {
    let lang = st.lang;
    let mut body = String::new();
    let mut any = false;
    for g in site.groups.iter().filter(|g| g.state == "contradicted") {
        any = true;
        let _ = writeln!(
            body,
            "<div class=\"card\"><h3>{}</h3>\n<div class=\"sides\">",
            html_of(&group_head(g, st))
        );
        for v in &g.values {
            let srcs: Vec<String> = v.sources.iter().map(|s| st.ltr(s)).collect();
            let _ = write!(
                body,
                "<div class=\"side\"><div class=\"value\">{}</div><div><small>{}</small></div>",
                html_of(&value_text(v, st)),
                html_of(&srcs.join(lang.comma()))
            );
            for (source, c) in &g.statements {
                if v.sources.contains(source) && c.date == v.date && c.negated == v.negated {
                    let _ = write!(
                        body,
                        "<blockquote>«{}»</blockquote>",
                        html_of(&st.text(&quote_clause(c)))
                    );
                }
            }
            body.push_str("</div>\n");
        }
        body.push_str("</div></div>\n");
    }
    if !any {
        let _ = writeln!(body, "<p>{}</p>", escape(lang.label(Label::Nothing)));
    }
    page(
        site,
        "",
        "contradictions.html",
        lang.label(Label::Contradictions),
        &body,
    )
}

fn entity(site: &Site, e: &SiteEntity, st: Style, titles: &HashMap<&str, &str>) -> String {
    let lang = st.lang;
    let mut body = format!(
        "<p class=\"meta\">{}</p>\n",
        escape(lang.entity_type(e.kind))
    );
    if !e.aliases.is_empty() {
        let aliases: Vec<String> = e.aliases.iter().map(|a| st.text(a)).collect();
        let _ = writeln!(
            body,
            "<p>{}: {}</p>",
            escape(lang.label(Label::AlsoWritten)),
            html_of(&aliases.join(lang.comma()))
        );
    }
    let _ = writeln!(
        body,
        "<p>{}: {} — {}</p>",
        escape(lang.label(Label::FirstSeen)),
        html_of(&st.ltr(&e.first_seen_at)),
        html_of(&st.ltr(&e.first_seen_in))
    );
    let _ = writeln!(
        body,
        "<h2>{} <small>({})</small></h2>\n<ul>",
        escape(lang.label(Label::Documents)),
        e.documents.len()
    );
    for d in &e.documents {
        let title = titles
            .get(d.as_str())
            .map(|t| format!("{} — ", html_of(&st.text(t))))
            .unwrap_or_default();
        let _ = writeln!(
            body,
            "<li>{title}<small>{}</small></li>",
            html_of(&st.ltr(d))
        );
    }
    body.push_str("</ul>\n");
    let key = dossier_core::text::key(&e.name);
    let mine: Vec<&ClaimGroup> = site
        .groups
        .iter()
        .filter(|g| {
            g.about.iter().any(|a| dossier_core::text::key(a) == key)
                || g.statements
                    .iter()
                    .any(|(_, c)| c.principal().any(|a| dossier_core::text::key(a) == key))
        })
        .collect();
    let _ = writeln!(
        body,
        "<h2>{} <small>({})</small></h2>",
        escape(lang.label(Label::Claims)),
        mine.len()
    );
    for g in mine {
        let _ = writeln!(
            body,
            "<div class=\"card\"><h3>{} <span class=\"badge {}\">{}</span></h3>",
            html_of(&group_head(g, st)),
            escape(&g.state),
            escape(state_label(lang, &g.state))
        );
        for (source, c) in &g.statements {
            let _ = writeln!(
                body,
                "<div>{} <small>— {}</small></div>",
                html_of(&claim_sentence(c, st)),
                html_of(&st.ltr(source))
            );
        }
        body.push_str("</div>\n");
    }
    page(site, "../", "", &e.name, &body)
}

/// Every file of the site: `(path relative to the site's folder, contents)`.
pub fn render_site(site: &Site) -> Vec<(String, String)> {
    let st = Style::plain(site.lang);
    let titles: HashMap<&str, &str> = site
        .documents
        .iter()
        .filter_map(|d| d.title.as_deref().map(|t| (d.path.as_str(), t)))
        .collect();
    let mut out = vec![
        ("style.css".to_string(), STYLE.to_string()),
        ("index.html".to_string(), index(site, st, &titles)),
        ("entities.html".to_string(), entities(site, st)),
        ("claims.html".to_string(), claims(site, st)),
        ("contradictions.html".to_string(), contradictions(site, st)),
        (
            MARKER.to_string(),
            "This folder is written by `dossier report --html`; it is replaced whole.\n"
                .to_string(),
        ),
    ];
    for e in &site.entities {
        out.push((entity_page(e.id), entity(site, e, st, &titles)));
    }
    out
}
