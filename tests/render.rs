//! The HTML dossier and an HTML email rendered by headless Chromium, as an analyst's browser
//! and mail client would: each must render (a PNG much larger than a blank page's) and its
//! title must be in the DOM Chromium built.
//!
//! Needs `chromium` on PATH (`.ci/run` installs Debian's package and runs these with
//! `cargo test --test render -- --ignored`); ignored otherwise, never counted as passed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::smtp::SmtpServer;
use common::{stderr, Workspace};
use mail_parser::MessageParser;

fn chromium(args: &[&str], url: &str) -> std::process::Output {
    Command::new("chromium")
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1000,1400",
        ])
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs (install Debian's chromium package)")
}

/// Renders `file` to `png`, returns the PNG's size in bytes and the DOM dump.
fn render(file: &Path, png: &Path) -> (u64, String) {
    let url = format!("file://{}", file.display());
    let shot = format!("--screenshot={}", png.display());
    let out = chromium(&[&shot], &url);
    assert!(out.status.success(), "{}", stderr(&out));
    let dom = chromium(&["--dump-dom"], &url);
    assert!(dom.status.success(), "{}", stderr(&dom));
    let size = std::fs::metadata(png).expect("a screenshot").len();
    (size, String::from_utf8_lossy(&dom.stdout).into_owned())
}

/// The size of a blank page's screenshot, the floor a rendered page must clear many times.
fn blank(dir: &Path) -> u64 {
    let page = dir.join("blank.html");
    std::fs::write(&page, "<!DOCTYPE html><html><body></body></html>").unwrap();
    render(&page, &dir.join("blank.png")).0
}

#[test]
#[ignore = "needs chromium: .ci/run runs it with --ignored"]
fn the_html_dossier_and_an_html_email_render_in_chromium() {
    let smtp = SmtpServer::start();
    let ws = Workspace::with_seeds(None);
    std::fs::write(
        ws.path().join("dossier.toml"),
        format!(
            "[watch]\ndir = \"docs\"\n[state]\npath = \"state.db\"\n\n[[channel]]\nkind = \"email\"\nsmtp = \"smtp://127.0.0.1:{}\"\nfrom = \"dossier <dossier@example.org>\"\nto = [\"team@example.org\"]\n",
            smtp.port
        ),
    )
    .unwrap();
    let out = ws.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let site = ws.path().join("site");
    let out = ws.run(&["report", "--html", site.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));

    let shots = tempfile::tempdir().unwrap();
    let floor = blank(shots.path());

    let (size, dom) = render(&site.join("index.html"), &shots.path().join("index.png"));
    assert!(
        size > floor * 5,
        "index.html: {size} bytes, a blank page {floor}"
    );
    assert!(dom.contains("<title>الملف</title>"), "{dom}");
    assert!(dom.contains("dir=\"rtl\""), "{dom}");

    let msgs = smtp.messages();
    let m = MessageParser::default()
        .parse(&msgs[0])
        .expect("a MIME message");
    let subject = m.subject().unwrap().to_string();
    let html = m.body_html(0).expect("an HTML part").into_owned();
    let page = shots.path().join("email.html");
    std::fs::write(&page, &html).unwrap();
    let (size, dom) = render(&page, &shots.path().join("email.png"));
    assert!(
        size > floor * 5,
        "email: {size} bytes, a blank page {floor}"
    );
    // The email's title is its subject.
    assert!(
        dom.contains(&format!("<title>{subject}</title>")),
        "subject {subject:?} not the title of {dom}"
    );
}
