//! Exactly-once delivery under faults, through the real binary: SIGKILL at random moments of
//! delivery and restarts until done, SIGTERM and SIGINT during delivery, a jsonl file whose
//! writes fail midway (a test writer, and a real full tmpfs when the test may mount one), and
//! a silent SMTP server beside a jsonl channel. The SMTP server is the test's own, on
//! 127.0.0.1; the state is a real SQLite file; the jsonl file is read back line by line.
//!
//! The kill loops share one corpus of 1,000 generated documents (alerts of 10 KB and more),
//! recorded once per run of this test binary with every alert queued and none sent
//! (`DOSSIER_FAILPOINT=after-commit`); each test works on a copy of that state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::corpus::{self, Rng};
use common::smtp::SmtpServer;
use common::*;

/// Documents of the kill-loop corpus.
const DOCS: usize = 1000;
/// SIGKILLs per kill loop.
const ROUNDS: usize = 20;

/// The recorded corpus every kill loop starts from.
struct Template {
    _dir: tempfile::TempDir,
    docs: PathBuf,
    state: PathBuf,
}

static TEMPLATE: OnceLock<Template> = OnceLock::new();

/// These tests measure time (a jsonl alert within 2 s, a stop within 2 s) while others kill
/// and restart a busy process on both cores: they run one at a time, so that no test's
/// deadline is spent on another's load.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dossier"));
    c.env_remove("DOSSIER_CONFIG")
        .env_remove("RUST_LOG")
        .env_remove("DOSSIER_FAILPOINT")
        .env_remove("DOSSIER_TEST_JSONL_FAIL_AFTER")
        .env("NO_COLOR", "1");
    c
}

/// `dossier.toml` in `dir`: the watched folder, `state.db`, a jsonl channel and, with a port,
/// an email channel to the test's server.
fn config(dir: &Path, docs: &Path, smtp: Option<u16>, extra_email: &str) {
    let mut cfg = format!(
        "[watch]\ndir = \"{}\"\n[state]\npath = \"state.db\"\n\n[[channel]]\nkind = \"jsonl\"\npath = \"alerts.jsonl\"\nretry_initial = \"1s\"\nretry_max = \"4s\"\n",
        docs.display()
    );
    if let Some(port) = smtp {
        cfg.push_str(&format!(
            "\n[[channel]]\nkind = \"email\"\nsmtp = \"smtp://127.0.0.1:{port}\"\nfrom = \"dossier <dossier@example.org>\"\nto = [\"team@example.org\"]\nretry_initial = \"1s\"\nretry_max = \"4s\"\n{extra_email}\n"
        ));
    }
    std::fs::write(dir.join("dossier.toml"), cfg).unwrap();
}

fn template() -> &'static Template {
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("delivery-template-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let docs = dir.path().join("docs");
        let t = Instant::now();
        corpus::write_docs(&docs, DOCS, 20, 4);
        // An email channel on a port nothing listens on: the check aborts before sending.
        config(dir.path(), &docs, Some(9), "");
        let out = bin()
            .current_dir(dir.path())
            .args(["--config", "dossier.toml", "check", "--format", "json"])
            .env("DOSSIER_FAILPOINT", "after-commit")
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "the failpoint aborts after the commit"
        );
        eprintln!(
            "delivery tests: {DOCS} documents generated and recorded in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        Template {
            state: dir.path().join("state.db"),
            docs,
            _dir: dir,
        }
    })
}

/// A workspace holding a copy of the template's state (every alert queued for `jsonl` and
/// `email`, none sent), watching the template's documents.
fn from_template(smtp: Option<u16>, extra_email: &str) -> tempfile::TempDir {
    let t = template();
    let ws = tempfile::tempdir().unwrap();
    for suffix in ["", "-wal"] {
        let from = PathBuf::from(format!("{}{suffix}", t.state.display()));
        if from.exists() {
            std::fs::copy(&from, ws.path().join(format!("state.db{suffix}"))).unwrap();
        }
    }
    config(ws.path(), &t.docs, smtp, extra_email);
    ws
}

fn run(ws: &Path, args: &[&str]) -> std::process::Output {
    bin()
        .current_dir(ws)
        .arg("--config")
        .arg("dossier.toml")
        .args(args)
        .output()
        .unwrap()
}

/// A running dossier whose stderr is collected.
struct Running {
    child: Child,
    stderr: mpsc::Receiver<String>,
}

fn spawn(ws: &Path, args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut c = bin();
    c.current_dir(ws)
        .arg("--config")
        .arg("dossier.toml")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c.spawn().unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Running { child, stderr: rx }
}

impl Running {
    fn log(&self) -> Vec<String> {
        self.stderr.try_iter().collect()
    }
}

fn jsonl_len(ws: &Path) -> u64 {
    std::fs::metadata(ws.join("alerts.jsonl")).map_or(0, |m| m.len())
}

/// Every line of the jsonl file, parsed (a line that is not JSON fails the test).
fn jsonl(ws: &Path) -> Vec<serde_json::Value> {
    let Ok(text) = std::fs::read_to_string(ws.join("alerts.jsonl")) else {
        return Vec::new();
    };
    assert!(text.is_empty() || text.ends_with('\n'), "a cut last line");
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("line {} is not JSON ({e}): {:.200}", i + 1, l))
        })
        .collect()
}

fn outbox(ws: &Path) -> Vec<serde_json::Value> {
    let out = run(ws, &["show", "outbox", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// How many times each value occurs.
fn counts<I: IntoIterator<Item = String>>(items: I) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for i in items {
        *m.entry(i).or_insert(0) += 1;
    }
    m
}

/// The alert id in a Message-ID `<ID.dossier@example.org>`.
fn alert_of(message_id: &str) -> String {
    message_id
        .trim_start_matches('<')
        .split(".dossier@")
        .next()
        .unwrap()
        .to_string()
}

/// How many times the dossier said it sends an alert again after a cut-off attempt (the
/// email channel's one case where the server may have a message twice), by alert id.
fn named_resends(log: &[String]) -> BTreeMap<String, usize> {
    counts(
        log.iter()
            .filter(|l| l.contains("an earlier attempt was cut off"))
            .filter_map(|l| l.split("alert ").nth(1))
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string),
    )
}

/// What a kill loop did.
#[derive(Debug, Default)]
struct Loop {
    kills: usize,
    restarts: usize,
    log: Vec<String>,
}

/// Bytes delivered so far: the jsonl file's and the messages the SMTP server received.
fn progress(ws: &Path, smtp: &SmtpServer) -> u64 {
    jsonl_len(ws)
        + smtp
            .state
            .received_bytes
            .load(std::sync::atomic::Ordering::SeqCst) as u64
}

/// Runs `args` again and again, SIGKILLing it at a random moment of its delivery (once
/// delivery has begun, after a random wait of up to 100 ms, which no message's boundary
/// decides) until `rounds` kills were made; then runs it until it exits 0.
fn kill_loop(ws: &Path, smtp: &SmtpServer, args: &[&str], rounds: usize, seed: u64) -> Loop {
    let mut rng = Rng::new(seed);
    let mut out = Loop::default();
    while out.kills < rounds {
        let wait = Duration::from_micros(rng.below(100_000));
        let before = progress(ws, smtp);
        let mut r = spawn(ws, args, &[]);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut begun: Option<Instant> = None;
        let killed = loop {
            if r.child.try_wait().unwrap().is_some() {
                break false;
            }
            if begun.is_none() && progress(ws, smtp) > before {
                begun = Some(Instant::now());
            }
            if begun.is_some_and(|t| t.elapsed() >= wait) {
                r.child.kill().unwrap();
                r.child.wait().unwrap();
                break true;
            }
            assert!(Instant::now() < deadline, "no progress");
            std::thread::sleep(Duration::from_micros(200));
        };
        out.log.extend(r.log());
        if killed {
            out.kills += 1;
        } else if outbox(ws).is_empty() {
            // Everything went before the next kill came.
            return out;
        }
    }
    for _ in 0..5 {
        let mut r = spawn(ws, args, &[]);
        let status = r.child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        out.restarts += 1;
        out.log.extend(r.log());
        if status.success() {
            return out;
        }
    }
    panic!("{args:?} never completed: {:?}", out.log);
}

/// Every alert in the jsonl file once, every document alerted once, the outbox empty; the
/// email server got every alert, a second time only one the dossier named as cut off.
fn assert_exactly_once(ws: &Path, smtp: &SmtpServer, l: &Loop) {
    let lines = jsonl(ws);
    let ids = counts(lines.iter().map(|v| v["id"].as_str().unwrap().to_string()));
    let doubled: Vec<_> = ids.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "jsonl duplicates: {doubled:?}");
    assert_eq!(ids.len(), DOCS, "one alert per document");
    let docs = counts(
        lines
            .iter()
            .map(|v| v["documents"][0]["path"].as_str().unwrap().to_string()),
    );
    assert_eq!(docs.len(), DOCS);
    assert!(docs.values().all(|n| *n == 1), "a document alerted twice");
    let small = lines
        .iter()
        .map(|v| v.to_string().len())
        .filter(|n| *n < 10_000)
        .count();
    assert_eq!(small, 0, "alerts under 10 KB");
    assert!(outbox(ws).is_empty(), "{:?}", outbox(ws));

    let mails = counts(smtp.message_ids().iter().map(|m| alert_of(m)));
    assert_eq!(
        mails.keys().collect::<HashSet<_>>(),
        ids.keys().collect::<HashSet<_>>(),
        "every alert mailed"
    );
    let named = named_resends(&l.log);
    for (id, n) in &mails {
        let resent = named.get(id).copied().unwrap_or(0);
        assert!(
            *n <= 1 + resent,
            "alert {id} mailed {n} times, named as cut off {resent} times"
        );
    }
    let twice: usize = mails.values().map(|n| n - 1).sum();
    eprintln!(
        "kill loop: {} kills, {} final runs; jsonl: {} lines, 0 duplicates; email: {} messages for {} alerts ({} extra, each resent after an attempt cut between the server's acceptance and its record, and named)",
        l.kills,
        l.restarts,
        lines.len(),
        smtp.message_ids().len(),
        mails.len(),
        twice
    );
}

#[test]
fn killed_20_times_during_check_delivers_each_alert_exactly_once() {
    let _serial = serial();
    let smtp = SmtpServer::start();
    let ws = from_template(Some(smtp.port), "");
    let t = Instant::now();
    let l = kill_loop(ws.path(), &smtp, &["check"], ROUNDS, 7);
    assert_eq!(l.kills, ROUNDS);
    assert_exactly_once(ws.path(), &smtp, &l);
    eprintln!("check kill loop: {:.1} s", t.elapsed().as_secs_f64());
}

#[test]
fn killed_20_times_during_retry_delivers_each_alert_exactly_once() {
    let _serial = serial();
    let smtp = SmtpServer::start();
    let ws = from_template(Some(smtp.port), "");
    let t = Instant::now();
    let l = kill_loop(ws.path(), &smtp, &["retry"], ROUNDS, 11);
    assert_eq!(l.kills, ROUNDS);
    assert_exactly_once(ws.path(), &smtp, &l);
    eprintln!("retry kill loop: {:.1} s", t.elapsed().as_secs_f64());
}

/// Starts `args`, sends `sig` once the jsonl file passed `bytes`, and returns the exit code,
/// how long the exit took, and the log.
fn interrupt(
    ws: &Path,
    args: &[&str],
    sig: &str,
    bytes: u64,
) -> (Option<i32>, Duration, Vec<String>) {
    let mut r = spawn(ws, args, &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while jsonl_len(ws) < bytes {
        assert!(
            r.child.try_wait().unwrap().is_none(),
            "ended before the signal"
        );
        assert!(Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(1));
    }
    let ok = Command::new("kill")
        .args([sig, &r.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let sent = Instant::now();
    let status = loop {
        if let Some(s) = r.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "no exit after {sig}"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = sent.elapsed();
    std::thread::sleep(Duration::from_millis(50));
    (status.code(), took, r.log())
}

#[test]
fn sigterm_during_check_exits_143_within_2_s_and_retry_sends_only_the_rest() {
    let _serial = serial();
    let smtp = SmtpServer::start();
    let ws = from_template(Some(smtp.port), "");
    let (code, took, log) = interrupt(ws.path(), &["check"], "-TERM", 300_000);
    assert_eq!(code, Some(143), "{log:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(
        log.iter().any(|l| l.contains("stopped by SIGTERM")),
        "{log:?}"
    );
    // What was accepted is recorded: the outbox holds exactly the rest, nothing is doubled.
    let lines = jsonl(ws.path()).len();
    let mails = smtp.message_ids().len();
    assert!(lines < DOCS, "stopped midway: {lines}");
    let pending = outbox(ws.path());
    let waiting = |ch: &str| pending.iter().filter(|r| r["channel"] == ch).count();
    assert_eq!(waiting("jsonl"), DOCS - lines);
    assert_eq!(waiting("email"), DOCS - mails);

    let out = run(ws.path(), &["retry"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rest = (DOCS - lines) + (DOCS - mails);
    assert!(
        stdout(&out).starts_with(&format!("{rest} attempted, {rest} delivered, 0 failed")),
        "{}",
        stdout(&out)
    );
    let ids = counts(
        jsonl(ws.path())
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string()),
    );
    assert_eq!(ids.len(), DOCS);
    assert!(ids.values().all(|n| *n == 1));
    let mails = counts(smtp.message_ids());
    assert_eq!(mails.len(), DOCS);
    assert!(
        mails.values().all(|n| *n == 1),
        "a SIGTERM doubles no email"
    );
    eprintln!(
        "SIGTERM: exit 143 after {:.0} ms",
        took.as_secs_f64() * 1000.0
    );
}

#[test]
fn sigint_during_retry_exits_130_and_the_next_retry_completes() {
    let _serial = serial();
    let smtp = SmtpServer::start();
    let ws = from_template(Some(smtp.port), "");
    let (code, took, log) = interrupt(ws.path(), &["retry"], "-INT", 200_000);
    assert_eq!(code, Some(130), "{log:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    let out = run(ws.path(), &["retry"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ids = counts(
        jsonl(ws.path())
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string()),
    );
    assert_eq!(ids.len(), DOCS);
    assert!(ids.values().all(|n| *n == 1));
    assert!(counts(smtp.message_ids()).values().all(|n| *n == 1));
    assert_eq!(smtp.message_ids().len(), DOCS);
}

/// A workspace of `n` small generated documents with a jsonl channel (and an email one to
/// `smtp`, with `extra` keys).
fn small(n: usize, smtp: Option<u16>, extra: &str) -> tempfile::TempDir {
    let ws = tempfile::tempdir().unwrap();
    corpus::write_docs(&ws.path().join("docs"), n, 2, 1);
    config(ws.path(), &ws.path().join("docs"), smtp, extra);
    ws
}

#[test]
fn jsonl_writes_failing_midway_leave_whole_lines_and_retry_completes() {
    let _serial = serial();
    let ws = small(6, None, "");
    // The test writer: the file takes 2.5 alerts' worth of bytes, then the disk is "full".
    let probe = small(1, None, "");
    assert!(run(probe.path(), &["check"]).status.success());
    let one = jsonl_len(probe.path());
    let out = bin()
        .current_dir(ws.path())
        .args(["--config", "dossier.toml", "check"])
        .env("DOSSIER_TEST_JSONL_FAIL_AFTER", (one * 5 / 2).to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        err.contains("the part of the line written was removed"),
        "{err}"
    );
    assert!(err.contains("not tried"), "the rest waits: {err}");
    let lines = jsonl(ws.path());
    assert_eq!(lines.len(), 2, "two whole lines, no cut one");
    assert_eq!(outbox(ws.path()).len(), 4);

    let out = run(ws.path(), &["retry"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ids = counts(
        jsonl(ws.path())
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string()),
    );
    assert_eq!(ids.len(), 6);
    assert!(ids.values().all(|n| *n == 1));
    assert!(outbox(ws.path()).is_empty());
}

/// A small tmpfs, mounted for the test and unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// `None` (with the reason) when this test may not mount one.
    fn mount(at: &Path, size: &str) -> Result<Tmpfs, String> {
        let uid = Command::new("id")
            .arg("-u")
            .output()
            .map_err(|e| e.to_string())?;
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            return Err("not running as root".into());
        }
        std::fs::create_dir_all(at).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("mount failed: {}", stderr(&out).trim()));
        }
        Ok(Tmpfs(at.to_path_buf()))
    }

    fn resize(&self, size: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_tmpfs_leaves_whole_lines_and_retry_completes_once_there_is_room() {
    let _serial = serial();
    let ws = small(40, None, "");
    let fs = match Tmpfs::mount(&ws.path().join("out"), "64k") {
        Ok(fs) => fs,
        Err(why) => {
            eprintln!("SKIPPED a_full_tmpfs_leaves_whole_lines…: cannot mount a tmpfs ({why}); the test writer test above covers the short write");
            return;
        }
    };
    let cfg = std::fs::read_to_string(ws.path().join("dossier.toml"))
        .unwrap()
        .replace("path = \"alerts.jsonl\"", "path = \"out/alerts.jsonl\"");
    std::fs::write(ws.path().join("dossier.toml"), cfg).unwrap();
    let out = run(ws.path(), &["check"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("No space left on device"),
        "{}",
        stderr(&out)
    );
    let file = ws.path().join("out");
    let lines = jsonl(&file);
    assert!(!lines.is_empty() && lines.len() < 40, "{}", lines.len());
    fs.resize("4m");
    let out = run(ws.path(), &["retry"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ids = counts(
        jsonl(&file)
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string()),
    );
    assert_eq!(ids.len(), 40);
    assert!(ids.values().all(|n| *n == 1));
}

#[test]
fn one_smtp_connection_serves_a_whole_batch() {
    let _serial = serial();
    let smtp = SmtpServer::start();
    let ws = small(12, Some(smtp.port), "");
    let out = run(ws.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(smtp.message_ids().len(), 12);
    assert_eq!(smtp.connections(), 1);
    assert_eq!(smtp.transcript().matches("QUIT").count(), 1);
}

#[test]
fn a_silent_smtp_server_costs_check_one_timeout_and_names_the_step() {
    let _serial = serial();
    let smtp = SmtpServer::start();
    smtp.state
        .silent
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let ws = small(20, Some(smtp.port), "timeout = \"1s\"");
    let t = Instant::now();
    let out = run(ws.path(), &["check"]);
    let took = t.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "SMTP greeting with 127.0.0.1:{} timed out after 1 s",
            smtp.port
        )),
        "{err}"
    );
    assert!(err.contains("19 more alert(s) not tried"), "{err}");
    assert!(
        err.contains("1 alert delivery failed and 19 more were not tried"),
        "{err}"
    );
    assert_eq!(smtp.connections(), 1);
    assert_eq!(jsonl(ws.path()).len(), 20, "the jsonl channel did not wait");
    // One timeout (1 s), not twenty; the documents' extraction is in the time too.
    assert!(took < Duration::from_secs(8), "{took:?}");
    let rows = outbox(ws.path());
    assert_eq!(rows.len(), 20);
    assert_eq!(rows.iter().filter(|r| r["attempts"] == 1).count(), 1);
}

#[test]
fn a_silent_smtp_server_beside_jsonl_in_watch_costs_one_timeout_per_backoff_step() {
    let _serial = serial();
    let smtp = SmtpServer::start();
    smtp.state
        .silent
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let ws = small(20, Some(smtp.port), "timeout = \"1s\"");
    let d = {
        let mut c = bin();
        c.current_dir(ws.path())
            .env("RUST_LOG", "dossier=info")
            .env_remove("NOTIFY_SOCKET")
            .args(["--config", "dossier.toml", "watch"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let err = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, stderr: rx }
    };
    let mut log = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(l) = d.stderr.recv_timeout(Duration::from_millis(20)) {
            let ready = l.contains("ready");
            log.push(l);
            if ready {
                break;
            }
        }
        assert!(Instant::now() < deadline, "not ready: {log:?}");
    }
    let ready = Instant::now();
    while jsonl(ws.path()).len() < 20 {
        assert!(ready.elapsed() < Duration::from_secs(2), "jsonl waited");
        std::thread::sleep(Duration::from_millis(10));
    }
    let first = ready.elapsed();
    // While email is stuck in its timeouts, a new document reaches jsonl at once.
    std::thread::sleep(Duration::from_millis(1500));
    corpus::write_docs(&ws.path().join("docs/late"), 1, 2, 1);
    let added = Instant::now();
    while jsonl(ws.path()).len() < 21 {
        assert!(
            added.elapsed() < Duration::from_secs(2),
            "jsonl waited behind email"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let late = added.elapsed();
    let watched = Duration::from_secs(8);
    std::thread::sleep(watched.saturating_sub(ready.elapsed()));
    let attempts = smtp.connections();
    let rows = outbox(ws.path());
    let mut d = d;
    let _ = Command::new("kill")
        .args(["-TERM", &d.child.id().to_string()])
        .status();
    let status = d.child.wait().unwrap();
    log.extend(d.log());
    assert!(status.success(), "{status:?}");
    // Backoff 1 s, 2 s, 4 s with jitter, each step one 1 s timeout: at most 5 in 8 s.
    assert!(
        (2..=5).contains(&attempts),
        "{attempts} connections: {log:?}"
    );
    let email: Vec<_> = rows.iter().filter(|r| r["channel"] == "email").collect();
    assert_eq!(email.len(), 21);
    let tried: u64 = email.iter().map(|r| r["attempts"].as_u64().unwrap()).sum();
    assert!(
        tried as usize <= attempts,
        "{tried} attempts for {attempts} connections"
    );
    // The attempt under way shows its note; the ones before, their error.
    let error = email
        .iter()
        .filter_map(|r| r["last_error"].as_str())
        .find(|e| e.contains("timed out"))
        .unwrap_or_else(|| panic!("{email:?}"))
        .to_string();
    assert!(
        error.contains("greeting") && error.contains("timed out after 1 s"),
        "{error}"
    );
    eprintln!(
        "silent SMTP: jsonl 20 alerts {:.0} ms after ready, 1 more {:.0} ms after its file; {} email connections in {} s for 21 alerts",
        first.as_secs_f64() * 1000.0,
        late.as_secs_f64() * 1000.0,
        attempts,
        watched.as_secs()
    );
}
