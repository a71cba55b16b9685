//! The email channel against a real SMTP server started by the test on 127.0.0.1:0; what
//! arrives is parsed with a MIME parser (mail-parser), never grepped as bytes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::daemon::Daemon;
use common::smtp::SmtpServer;
use common::*;
use mail_parser::{MessageParser, MimeHeaders};

const PASSWORD: &str = "s3cret-Pa55-ۍ";

fn email_config(ws: &Workspace, port: u16, extra: &str) {
    std::fs::write(
        ws.path().join("dossier.toml"),
        format!(
            "[watch]\ndir = \"docs\"\n[state]\npath = \"state.db\"\n\n[[channel]]\nkind = \"email\"\nsmtp = \"smtp://127.0.0.1:{port}\"\nfrom = \"dossier <dossier@example.org>\"\nto = [\"team@example.org\", \"lead@example.org\"]\nusername = \"analyst\"\nretry_initial = \"1s\"\nretry_max = \"2s\"\n{extra}\n"
        ),
    )
    .unwrap();
}

/// Runs dossier with the SMTP password in the environment, as the service would.
fn with_password(ws: &Workspace, args: &[&str]) -> std::process::Output {
    ws.cmd()
        .args(args)
        .env("DOSSIER_TEST_PW", PASSWORD)
        .output()
        .unwrap()
}

fn server() -> SmtpServer {
    let s = SmtpServer::start();
    *s.state.credentials.lock().unwrap() = Some(("analyst".into(), PASSWORD.into()));
    s
}

fn parsed(raw: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default().parse(raw).expect("a MIME message")
}

#[test]
fn an_alert_arrives_once_multipart_rtl_and_threads_with_the_next() {
    let smtp = server();
    let ws = Workspace::with_seeds(Some(&["000"]));
    email_config(&ws, smtp.port, "password_env = \"DOSSIER_TEST_PW\"");
    let out = with_password(&ws, &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1);
    let m = parsed(&msgs[0]);
    let subject = m.subject().unwrap();
    assert!(subject.starts_with("dossier: "), "{subject}");
    assert!(!subject.contains('\n'));
    assert_eq!(m.to().unwrap().iter().count(), 2);
    assert!(m
        .content_type()
        .unwrap()
        .c_type
        .eq_ignore_ascii_case("multipart"));
    assert_eq!(m.text_body_count(), 1);
    assert_eq!(m.html_body_count(), 1);
    let html = m.body_html(0).unwrap();
    assert!(html.contains("lang=\"ar\" dir=\"rtl\""), "{html}");
    let text = m.body_text(0).unwrap();
    assert!(text.contains("docs/"), "{text}");
    assert!(
        html.chars().any(|c| ('\u{0621}'..='\u{064A}').contains(&c)),
        "Arabic intact"
    );
    let first_id = m.message_id().unwrap().to_string();

    // Edit the same document: the second email answers the first.
    let f = std::fs::read_dir(ws.docs())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let t = std::fs::read_to_string(&f).unwrap().replace("94%", "84%");
    std::fs::write(&f, t).unwrap();
    let out = with_password(&ws, &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 2);
    let m2 = parsed(&msgs[1]);
    assert_ne!(m2.message_id().unwrap(), first_id);
    assert_eq!(m2.in_reply_to().as_text().unwrap(), first_id);
    assert!(
        smtp.state
            .auth_plain
            .load(std::sync::atomic::Ordering::SeqCst)
            >= 2
    );
}

#[test]
fn the_password_comes_from_a_file_and_never_shows_in_logs() {
    let smtp = server();
    let ws = Workspace::with_seeds(Some(&["000"]));
    std::fs::write(ws.path().join("smtp.pw"), format!("{PASSWORD}\n")).unwrap();
    email_config(&ws, smtp.port, "password_file = \"smtp.pw\"");
    let out = ws
        .cmd()
        .args(["-vv", "check"])
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(smtp.messages().len(), 1);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains(PASSWORD), "the password leaked");
    let cfg = ws.run(&["config"]);
    assert!(cfg.status.success(), "{}", stderr(&cfg));
    assert!(!stdout(&cfg).contains(PASSWORD));

    // A wrong password is a permanent failure: kept in the outbox, exit 3, not leaked either.
    std::fs::write(ws.path().join("smtp.pw"), "wrong").unwrap();
    let f = std::fs::read_dir(ws.docs())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(
        &f,
        std::fs::read_to_string(&f).unwrap().replace("94%", "84%"),
    )
    .unwrap();
    let out = ws.run(&["check"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let rows = ws.run(&["show", "outbox", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&rows.stdout).unwrap();
    assert_eq!(rows[0]["permanent"], true, "{rows}");
    // Fixed, `retry` sends it.
    std::fs::write(ws.path().join("smtp.pw"), PASSWORD).unwrap();
    let out = ws.run(&["retry"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(smtp.messages().len(), 2);
}

#[test]
fn a_server_down_then_up_gets_exactly_one_copy() {
    let smtp = server();
    let ws = Workspace::with_seeds(Some(&["000"]));
    email_config(&ws, smtp.port, "password_env = \"DOSSIER_TEST_PW\"");
    smtp.state
        .down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    for _ in 0..2 {
        let out = with_password(&ws, &["check"]);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    }
    assert!(smtp.messages().is_empty());
    smtp.state
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let out = with_password(&ws, &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = with_password(&ws, &["check"]);
    assert!(out.status.success());
    assert_eq!(smtp.messages().len(), 1);
}

#[test]
fn a_hostile_file_name_and_text_cannot_inject_headers_or_markup() {
    let smtp = server();
    let ws = Workspace::with_seeds(Some(&["000"]));
    email_config(&ws, smtp.port, "password_env = \"DOSSIER_TEST_PW\"");
    let name = std::ffi::OsStr::new("evil\nBcc: spy@example.com.txt");
    let path = ws.docs().join(name);
    std::fs::write(&path, "زار الوزير الرباط أمس.\n").unwrap();
    let out = with_password(&ws, &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The edit brings markup into a sentence: the email shows it as text.
    std::fs::write(
        &path,
        "زار الوزير الرباط أمس.\nقال الوزير <script>alert('x')</script> إن الاتفاق وقع.\n",
    )
    .unwrap();
    let out = with_password(&ws, &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let msgs = smtp.messages();
    let evil = msgs
        .iter()
        .map(|m| parsed(m))
        .rfind(|m| m.body_text(0).is_some_and(|t| t.contains("evil")))
        .expect("the alert about the odd file");
    assert!(evil.header("Bcc").is_none());
    let subject = evil.subject().unwrap();
    assert!(!subject.contains('\n'), "{subject}");
    let html = evil.body_html(0).unwrap();
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
}

#[test]
fn a_digest_sends_one_email_for_five_documents() {
    let smtp = server();
    let ws = Workspace::with_seeds(None);
    email_config(
        &ws,
        smtp.port,
        "password_env = \"DOSSIER_TEST_PW\"\ndigest = \"4s\"",
    );
    // The window is wide enough for a debug build's first check on a loaded machine.
    let out = with_password(&ws, &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(smtp.messages().is_empty(), "the window is still open");
    std::thread::sleep(Duration::from_millis(4200));
    let out = with_password(&ws, &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1);
    let m = parsed(&msgs[0]);
    assert!(
        m.subject().unwrap().contains("5 وثائق"),
        "{:?}",
        m.subject()
    );
    let text = m.body_text(0).unwrap();
    // Each document once under its status ("new"), its path isolated left to right.
    assert_eq!(text.matches("جديدة \u{2066}docs/").count(), 5, "{text}");
}

#[test]
fn send_test_reports_each_step() {
    let smtp = server();
    let ws = Workspace::with_seeds(Some(&["000"]));
    email_config(&ws, smtp.port, "password_env = \"DOSSIER_TEST_PW\"");
    let out = with_password(&ws, &["send-test"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = stdout(&out);
    assert!(
        s.contains("connected yes")
            && s.contains("authenticated yes")
            && s.contains("accepted yes"),
        "{s}"
    );
    assert_eq!(smtp.messages().len(), 1);
    smtp.state
        .down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let out = with_password(&ws, &["send-test"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stdout(&out).contains("FAILED"));
}

#[test]
fn the_daemon_killed_during_an_outage_still_sends_exactly_one() {
    let smtp = server();
    let ws = Workspace::with_seeds(Some(&["000"]));
    email_config(&ws, smtp.port, "password_env = \"DOSSIER_TEST_PW\"");
    smtp.state
        .down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let mut d = Daemon::start_with(&ws, &[("DOSSIER_TEST_PW", PASSWORD)]);
    d.wait_for_line("failed");
    d.child.kill().unwrap(); // SIGKILL, mid-outage
    d.child.wait().unwrap();
    assert!(smtp.messages().is_empty());

    smtp.state
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let d = Daemon::start_with(&ws, &[("DOSSIER_TEST_PW", PASSWORD)]);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while smtp.messages().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(smtp.messages().len(), 1);
    assert!(d.stop().success());
}

#[test]
fn auth_login_works_when_it_is_all_the_server_offers() {
    let smtp = server();
    *smtp.state.only_mechanism.lock().unwrap() = Some("LOGIN");
    let ws = Workspace::with_seeds(Some(&["000"]));
    email_config(&ws, smtp.port, "password_env = \"DOSSIER_TEST_PW\"");
    let out = with_password(&ws, &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(
        smtp.state
            .auth_login
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(
        smtp.state
            .auth_plain
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[test]
fn max_per_hour_holds_the_rest_back_and_min_changes_facts_skips_sentence_edits() {
    let smtp = server();
    let ws = Workspace::with_seeds(Some(&["000", "001"]));
    email_config(
        &ws,
        smtp.port,
        "password_env = \"DOSSIER_TEST_PW\"\nmax_per_hour = 1\nmin_changes = \"facts\"",
    );
    let out = with_password(&ws, &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(smtp.messages().len(), 1, "one this hour");
    let rows = ws.run(&["show", "outbox", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&rows.stdout).unwrap();
    assert_eq!(
        rows.as_array().unwrap().len(),
        1,
        "the other waits, not dropped"
    );
    // `retry` is the analyst's override: it sends what waits.
    let out = with_password(&ws, &["retry"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // A sentence-only edit (no entity, claim, date or quantity moves): no email.
    let sent = smtp.messages().len();
    let f = std::fs::read_dir(ws.docs())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(
        &f,
        format!("{text}\nوهذه جملة إضافية لا تحمل أي واقعة جديدة.\n"),
    )
    .unwrap();
    let out = with_password(&ws, &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["documents"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(
        smtp.messages().len(),
        sent,
        "no email for a sentence-only edit"
    );
    let rows = ws.run(&["show", "outbox", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&rows.stdout).unwrap();
    assert!(rows.as_array().unwrap().is_empty(), "{rows}");
}
