//! What an analyst reads, through the binary: `history` under the spellings analysts type,
//! and snapshots of the text report and of the emails (one per document, and the digest) for
//! a first check of the seeds, a moved date, a changed number, an added person and a
//! contradiction.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::smtp::SmtpServer;
use common::{stderr, stdout, Workspace};
use mail_parser::MessageParser;

/// A dossier of our own sentences: two people with titles, a surname shared by two others.
const OWN: &str = "قال وزير الدفاع عبد اللطيف لوديي يوم الاثنين إن التعاون مع الشركاء سيتواصل.\n\
واستقبل الوزير لوديي نظيره بيني غانتس في الرباط يوم الثلاثاء.\n\
وصرح الباحث محمد العلوي بأن الزيارة مهمة، فيما قال الصحفي أحمد العلوي إنها بداية مرحلة جديدة.\n";

#[test]
fn history_finds_an_entity_by_the_spellings_analysts_type() {
    let ws = Workspace::with_seeds(Some(&[]));
    std::fs::write(ws.docs().join("own.txt"), OWN).unwrap();
    ws.write_config("");
    let cfg = std::fs::read_to_string(ws.path().join("dossier.toml")).unwrap();
    std::fs::write(
        ws.path().join("dossier.toml"),
        format!("{cfg}\n[aliases]\n\"بيني غانتس\" = [\"Benny Gantz\"]\n"),
    )
    .unwrap();
    let out = ws.run(&["check", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));

    for (typed, found) in [
        ("عبداللطيف لوديي", "عبد اللطيف لوديي"),         // no space
        ("لوديي", "عبد اللطيف لوديي"),                   // the surname alone, one person has it
        ("بيني جانتس", "بيني غانتس"),                    // ج for غ
        ("غانتز", "بيني غانتس"),                         // ز for س, surname alone
        ("الوزير عبد اللطيف لوديي", "عبد اللطيف لوديي"), // a title before the name
        ("Gantz", "بيني غانتس"),                         // a Latin alias from [aliases]
    ] {
        let out = ws.run(&["history", typed]);
        let text = stdout(&out);
        assert!(out.status.success(), "{typed}: {} {}", text, stderr(&out));
        assert!(text.contains(found), "{typed} did not find {found}: {text}");
    }

    // A surname two people have: both offered, neither's history printed.
    let out = ws.run(&["history", "العلوي"]);
    let text = stdout(&out) + &stderr(&out);
    assert!(
        text.contains("محمد العلوي") && text.contains("أحمد العلوي"),
        "{text}"
    );
    // A name nobody has is not found, and says so.
    let out = ws.run(&["history", "زيد الخالدي"]);
    assert!(!out.status.success(), "{}", stdout(&out));
}

/// The text with what changes from run to run (alert ids, times) replaced by fixed marks.
fn redact(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let is_hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
    while i < chars.len() {
        // 2026-12-08T02:19:38Z
        let ts: String = chars.iter().skip(i).take(20).collect();
        let b = ts.as_bytes();
        if b.len() == 20
            && b[4] == b'-'
            && b[10] == b'T'
            && b[19] == b'Z'
            && ts[..4].chars().all(|c| c.is_ascii_digit())
        {
            out.push_str("<TIME>");
            i += 20;
            continue;
        }
        // A run of 20 hex digits or more (alert ids, hashes).
        let run = chars[i..].iter().take_while(|&&c| is_hex(c)).count();
        if run >= 20 && chars[i..i + run].iter().any(|c| c.is_ascii_alphabetic()) {
            out.push_str("<ID>");
            i += run;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The config: the watched folder, state, one email channel per server (the second a digest).
fn config(ws: &Workspace, each: u16, digest: u16) {
    std::fs::write(
        ws.path().join("dossier.toml"),
        format!(
            "[watch]\ndir = \"docs\"\n[state]\npath = \"state.db\"\n\n\
             [[channel]]\nkind = \"email\"\nname = \"each\"\nsmtp = \"smtp://127.0.0.1:{each}\"\nfrom = \"dossier <dossier@example.org>\"\nto = [\"team@example.org\"]\n\n\
             [[channel]]\nkind = \"email\"\nname = \"digest\"\nsmtp = \"smtp://127.0.0.1:{digest}\"\nfrom = \"dossier <dossier@example.org>\"\nto = [\"lead@example.org\"]\ndigest = \"1s\"\n"
        ),
    )
    .unwrap();
}

/// Subject, plain text and HTML of each message, in the order received.
fn mails(raw: &[Vec<u8>]) -> String {
    let mut out = String::new();
    for (n, m) in raw.iter().enumerate() {
        let m = MessageParser::default().parse(m).expect("a MIME message");
        out.push_str(&format!(
            "===== message {}\nSubject: {}\n----- text/plain\n{}\n----- text/html\n{}\n",
            n + 1,
            m.subject().unwrap_or_default(),
            m.body_text(0).unwrap_or_default(),
            m.body_html(0).unwrap_or_default(),
        ));
    }
    redact(&out)
}

/// One step: `check` (its text report and the per-document emails), then, once the digest's
/// window has passed, a `retry` that sends the digest.
fn step(ws: &Workspace, each: &SmtpServer, digest: &SmtpServer, name: &str) {
    let (e0, d0) = (each.messages().len(), digest.messages().len());
    let out = ws.run(&["check"]);
    assert!(out.status.success(), "{name}: {}", stderr(&out));
    insta::assert_snapshot!(format!("{name}_report"), redact(&stdout(&out)));
    let sent = each.messages();
    assert!(sent.len() > e0, "{name}: no email");
    insta::assert_snapshot!(format!("{name}_email"), mails(&sent[e0..]));
    std::thread::sleep(Duration::from_millis(1300));
    let out = ws.run(&["retry"]);
    assert!(out.status.success(), "{name}: {}", stderr(&out));
    let got = digest.messages();
    assert_eq!(got.len(), d0 + 1, "{name}: one digest");
    insta::assert_snapshot!(format!("{name}_digest"), mails(&got[d0..]));
}

fn edit(ws: &Workspace, file: &str, from: &str, to: &str) {
    let p = ws.docs().join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{file}: {from}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn reports_and_emails_of_five_kinds_of_change() {
    let (each, digest) = (SmtpServer::start(), SmtpServer::start());
    let ws = Workspace::with_seeds(None);
    config(&ws, each.port, digest.port);
    step(&ws, &each, &digest, "first_check");

    // The accord's date moves in one source (and contradicts the others).
    edit(&ws, "000_eecf0e1a0b2ec473.txt", "نونبر 2021", "نونبر 2022");
    step(&ws, &each, &digest, "moved_date");

    // A number changes.
    edit(&ws, "000_eecf0e1a0b2ec473.txt", "94%", "49%");
    step(&ws, &each, &digest, "changed_number");

    // A person appears, with a title and a verb of saying.
    let p = ws.docs().join("004_8d9f11c9fe27b71a.txt");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        format!("{text}\nوقال الخبير العسكري سمير الحسناوي إن هذه الخطوة تعزز التعاون.\n"),
    )
    .unwrap();
    step(&ws, &each, &digest, "added_person");

    // A new source denies the accord the others state.
    std::fs::write(
        ws.docs().join("100_own.txt"),
        "نفى مصدر حكومي أن يكون المغرب وإسرائيل قد وقعا اتفاق تعاون أمني في نونبر 2021.\n",
    )
    .unwrap();
    step(&ws, &each, &digest, "contradiction");
}
