//! `dossier watch` with real file-system changes in temp dirs: editors' save patterns, moves,
//! folders, crashes and signals. Timing bounds are loose (CI shares two cores); the tight
//! figures live in BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use common::daemon::Daemon;
use common::*;

const SETTLE: Duration = Duration::from_millis(1500);
const PATIENCE: Duration = Duration::from_secs(20);

fn workspace(seeds: &[&str]) -> Workspace {
    let ws = Workspace::with_seeds(Some(seeds));
    ws.write_config("debounce_ms = 100");
    ws
}

/// The alerts in the jsonl file as (path, status), waiting until there are `n`, then a while
/// more to see that no extra one arrives.
fn alerts_after(ws: &Workspace, n: usize) -> Vec<(String, String)> {
    let deadline = Instant::now() + PATIENCE;
    while read_alerts(ws).len() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(SETTLE);
    read_alerts(ws)
}

fn read_alerts(ws: &Workspace) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(ws.path().join("alerts.jsonl")) else {
        return Vec::new();
    };
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let d = &v["documents"][0];
            (
                d["path"].as_str().unwrap().to_string(),
                d["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn seed_text(i: usize) -> String {
    std::fs::read_to_string(&seed_files()[i]).unwrap()
}

fn new_alerts(ws: &Workspace, before: usize, expect: usize) -> Vec<(String, String)> {
    alerts_after(ws, before + expect)[before..].to_vec()
}

#[test]
fn start_reconciles_what_changed_while_down_then_follows_edits() {
    let ws = workspace(&["000"]);
    let d = Daemon::start(&ws);
    assert_eq!(
        alerts_after(&ws, 1).len(),
        1,
        "the start reconcile found the seed"
    );

    // Atomic save: write a temp file, rename over the original.
    let before = read_alerts(&ws).len();
    let target = ws.docs().join("new.txt");
    let tmp = ws.docs().join(".new.txt.tmp");
    std::fs::write(&tmp, seed_text(1)).unwrap();
    std::fs::rename(&tmp, &target).unwrap();
    assert_eq!(
        new_alerts(&ws, before, 1),
        vec![("docs/new.txt".into(), "added".into())]
    );

    // sed -i, a real one.
    let before = read_alerts(&ws).len();
    let ok = Command::new("sed")
        .args(["-i", "1s/^/مقدمة جديدة للمقال هنا. /"])
        .arg(&target)
        .status()
        .unwrap();
    assert!(ok.success());
    assert_eq!(
        new_alerts(&ws, before, 1),
        vec![("docs/new.txt".into(), "modified".into())]
    );

    // A cosmetic edit: nothing.
    let before = read_alerts(&ws).len();
    let text = std::fs::read_to_string(&target).unwrap();
    std::fs::write(&target, text.replace(' ', "  ")).unwrap();
    std::thread::sleep(SETTLE);
    assert_eq!(
        read_alerts(&ws).len(),
        before,
        "no alert for a cosmetic edit"
    );

    assert!(d.stop().success());
}

#[test]
fn vim_style_save_alerts_once() {
    let ws = workspace(&["000"]);
    let d = Daemon::start(&ws);
    alerts_after(&ws, 1);
    let before = read_alerts(&ws).len();
    let name = std::fs::read_dir(ws.docs())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    let file = ws.docs().join(&name);
    let swap = ws.docs().join(format!(".{}.swp", name.to_string_lossy()));
    let backup = ws.docs().join(format!("{}~", name.to_string_lossy()));
    std::fs::write(&swap, b"vim swap").unwrap();
    std::fs::write(ws.docs().join("4913"), b"").unwrap();
    std::fs::remove_file(ws.docs().join("4913")).unwrap();
    std::fs::rename(&file, &backup).unwrap();
    let text = std::fs::read_to_string(&backup)
        .unwrap()
        .replace("94%", "84%");
    std::fs::write(&file, text).unwrap();
    std::fs::remove_file(&backup).unwrap();
    std::fs::remove_file(&swap).unwrap();
    let got = new_alerts(&ws, before, 1);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, "modified");
    assert!(d.stop().success());
}

#[test]
fn a_file_copied_in_slow_chunks_alerts_once_when_complete() {
    let ws = workspace(&["000"]);
    let d = Daemon::start(&ws);
    alerts_after(&ws, 1);
    let before = read_alerts(&ws).len();
    let text = seed_text(1);
    let bytes = text.as_bytes();
    let mut f = std::fs::File::create(ws.docs().join("slow.txt")).unwrap();
    for chunk in bytes.chunks(bytes.len() / 10 + 1) {
        f.write_all(chunk).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(40));
    }
    drop(f);
    let got = new_alerts(&ws, before, 1);
    assert_eq!(got, vec![("docs/slow.txt".into(), "added".into())]);
    assert!(d.stop().success());
}

#[test]
fn moves_in_and_out_and_folders_are_followed() {
    // Five documents, so that deleting a folder of two is not "most of the dossier gone".
    let ws = workspace(&["0"]);
    let outside = tempfile::tempdir().unwrap();
    let d = Daemon::start(&ws);
    alerts_after(&ws, 5);

    let before = read_alerts(&ws).len();
    let src = outside.path().join("in.txt");
    std::fs::write(&src, seed_text(2)).unwrap();
    std::fs::rename(&src, ws.docs().join("in.txt")).unwrap();
    assert_eq!(
        new_alerts(&ws, before, 1),
        vec![("docs/in.txt".into(), "added".into())]
    );

    let before = read_alerts(&ws).len();
    std::fs::rename(ws.docs().join("in.txt"), outside.path().join("out.txt")).unwrap();
    assert_eq!(
        new_alerts(&ws, before, 1),
        vec![("docs/in.txt".into(), "removed".into())]
    );

    let before = read_alerts(&ws).len();
    let sub = ws.docs().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("a.txt"), seed_text(3)).unwrap();
    std::fs::write(sub.join("b.txt"), seed_text(4)).unwrap();
    let mut got = new_alerts(&ws, before, 2);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("docs/sub/a.txt".into(), "added".into()),
            ("docs/sub/b.txt".into(), "added".into())
        ]
    );

    let before = read_alerts(&ws).len();
    std::fs::remove_dir_all(&sub).unwrap();
    let mut got = new_alerts(&ws, before, 2);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("docs/sub/a.txt".into(), "removed".into()),
            ("docs/sub/b.txt".into(), "removed".into())
        ]
    );
    assert!(d.stop().success());
}

#[test]
fn killed_daemon_finds_the_edit_at_restart_and_sends_no_alert_twice() {
    let ws = workspace(&["000", "001"]);
    let mut d = Daemon::start(&ws);
    alerts_after(&ws, 2);
    d.child.kill().unwrap(); // SIGKILL
    d.child.wait().unwrap();
    let file = ws.docs().join(
        std::fs::read_dir(ws.docs())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .file_name(),
    );
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\nجملة جديدة أضيفت أثناء التوقف.\n")).unwrap();
    let d = Daemon::start(&ws);
    let all = alerts_after(&ws, 3);
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(all[2].1, "modified");
    let ids = ws.alert_ids();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    assert!(d.stop().success());
}

#[test]
fn sigterm_exits_0_quickly_and_sighup_with_a_broken_config_keeps_the_old_one() {
    let ws = workspace(&["000"]);
    let d = Daemon::start(&ws);
    alerts_after(&ws, 1);
    let good = std::fs::read_to_string(ws.path().join("dossier.toml")).unwrap();
    std::fs::write(ws.path().join("dossier.toml"), "[watch\nbroken").unwrap();
    d.signal("-HUP");
    d.wait_for_line("reload refused");
    // Still running, still alerting with the old configuration.
    let before = read_alerts(&ws).len();
    std::fs::write(ws.docs().join("after-hup.txt"), seed_text(1)).unwrap();
    assert_eq!(new_alerts(&ws, before, 1).len(), 1);
    std::fs::write(ws.path().join("dossier.toml"), good).unwrap();

    let start = Instant::now();
    let status = d.stop();
    assert!(status.success(), "{status:?}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn lost_events_are_made_up_by_a_full_rescan() {
    let ws = workspace(&["000"]);
    // Test hook: every event is dropped as an overflowing queue would.
    let d = Daemon::start_with(&ws, &[("DOSSIER_TEST_DROP_EVENTS", "1")]);
    alerts_after(&ws, 1);
    let before = read_alerts(&ws).len();
    for i in 0..3 {
        std::fs::write(ws.docs().join(format!("n{i}.txt")), seed_text(i + 1)).unwrap();
    }
    d.wait_for_line("full rescan");
    let got = new_alerts(&ws, before, 3);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(d.stop().success());
}

#[test]
fn a_second_writer_is_refused_while_the_daemon_runs() {
    let ws = workspace(&["000"]);
    let d = Daemon::start(&ws);
    let out = ws.run(&["check"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("in use by another dossier process"),
        "{}",
        stderr(&out)
    );
    // Reading beside it is fine.
    let out = ws.run(&["show", "documents"]);
    assert!(out.status.success());
    assert!(d.stop().success());
}

#[test]
fn the_daemon_speaks_sd_notify() {
    use std::os::unix::net::UnixDatagram;
    let ws = workspace(&["000"]);
    let sock_path = ws.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let d = Daemon::start_with(
        &ws,
        &[
            ("NOTIFY_SOCKET", sock_path.to_str().unwrap()),
            ("WATCHDOG_USEC", "400000"),
        ],
    );
    let mut seen = String::new();
    // Reads notifications until `seen[from..]` holds `want`.
    let read_from = |from: usize, want: &str, seen: &mut String| {
        let mut buf = [0u8; 4096];
        let deadline = Instant::now() + PATIENCE;
        while !seen[from..].contains(want) && Instant::now() < deadline {
            if let Ok(n) = sock.recv(&mut buf) {
                seen.push_str(&String::from_utf8_lossy(&buf[..n]));
                seen.push('\n');
            }
        }
        assert!(seen[from..].contains(want), "no {want} in {seen}");
    };
    let read_until = |want: &str, seen: &mut String| read_from(0, want, seen);
    read_until("READY=1", &mut seen);
    read_until("STATUS=watching 1 documents", &mut seen);
    read_until("WATCHDOG=1", &mut seen);
    d.signal("-HUP");
    read_until("RELOADING=1", &mut seen);
    read_until("MONOTONIC_USEC=", &mut seen);
    // READY=1 again after the reload.
    let reloading_at = seen.find("RELOADING=1").unwrap();
    read_from(reloading_at, "READY=1", &mut seen);
    let status = d.stop();
    assert!(status.success());
    read_until("STOPPING=1", &mut seen);
}

/// A seed's text made unique, so that no two documents of a test share their content.
fn unique_text(i: usize, tag: &str) -> String {
    format!("{}\nجملة خاصة بهذه الوثيقة رقم {tag}.\n", seed_text(i))
}

#[test]
fn renamed_files_and_folders_pair_up_and_a_folder_moved_in_is_read() {
    let ws = workspace(&["0"]);
    let outside = tempfile::tempdir().unwrap();
    let d = Daemon::start(&ws);
    alerts_after(&ws, 5);

    // One file renamed: one alert, a rename, not a removal and an addition.
    let before = read_alerts(&ws).len();
    let name = std::fs::read_dir(ws.docs())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    std::fs::rename(ws.docs().join(&name), ws.docs().join("renamed.txt")).unwrap();
    assert_eq!(
        new_alerts(&ws, before, 1),
        vec![("docs/renamed.txt".into(), "renamed".into())]
    );

    // A folder with two documents moved in from outside: both read.
    let before = read_alerts(&ws).len();
    let src = outside.path().join("batch");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("a.txt"), unique_text(1, "أ")).unwrap();
    std::fs::write(src.join("b.txt"), unique_text(2, "ب")).unwrap();
    std::fs::rename(&src, ws.docs().join("batch")).unwrap();
    let mut got = new_alerts(&ws, before, 2);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("docs/batch/a.txt".into(), "added".into()),
            ("docs/batch/b.txt".into(), "added".into())
        ]
    );

    // That folder renamed: its two documents renamed, nothing removed or added.
    let before = read_alerts(&ws).len();
    std::fs::rename(ws.docs().join("batch"), ws.docs().join("lot")).unwrap();
    let mut got = new_alerts(&ws, before, 2);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("docs/lot/a.txt".into(), "renamed".into()),
            ("docs/lot/b.txt".into(), "renamed".into())
        ]
    );
    // A file edited in the renamed folder is still followed.
    let before = read_alerts(&ws).len();
    std::fs::write(ws.docs().join("lot/a.txt"), unique_text(3, "ج")).unwrap();
    assert_eq!(
        new_alerts(&ws, before, 1),
        vec![("docs/lot/a.txt".into(), "modified".into())]
    );
    assert!(d.stop().success());
}

#[test]
fn most_documents_gone_at_once_are_not_recorded_and_coming_back_alerts_nothing() {
    let ws = workspace(&["0"]);
    let outside = tempfile::tempdir().unwrap();
    let d = Daemon::start(&ws);
    alerts_after(&ws, 5);
    let before = read_alerts(&ws).len();
    let mut names: Vec<_> = std::fs::read_dir(ws.docs())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    for n in &names[..4] {
        std::fs::rename(ws.docs().join(n), outside.path().join(n)).unwrap();
    }
    // The advice to allow it says the check needs the daemon stopped (it holds the state).
    d.wait_for_line("with this daemon stopped first");
    std::thread::sleep(SETTLE);
    assert_eq!(read_alerts(&ws).len(), before, "no removal recorded");

    // An unrelated edit meanwhile: the guard still holds (the whole folder is looked at).
    std::fs::write(ws.docs().join("new.txt"), unique_text(1, "د")).unwrap();
    d.wait_for_line("are gone at once");

    // Back in place: nothing happened to them; the new document is then recorded.
    for n in &names[..4] {
        std::fs::rename(outside.path().join(n), ws.docs().join(n)).unwrap();
    }
    assert_eq!(
        new_alerts(&ws, before, 1),
        vec![("docs/new.txt".into(), "added".into())]
    );
    assert!(d.stop().success());
}

#[test]
fn a_symbolic_link_to_a_document_is_no_second_document() {
    let ws = workspace(&["000"]);
    let d = Daemon::start(&ws);
    alerts_after(&ws, 1);
    let name = std::fs::read_dir(ws.docs())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    let before = read_alerts(&ws).len();
    // Listed after the real file, the link is the same document: no alert.
    std::os::unix::fs::symlink(&name, ws.docs().join("zz-link.txt")).unwrap();
    std::thread::sleep(SETTLE * 2);
    assert_eq!(read_alerts(&ws).len(), before, "{:?}", read_alerts(&ws));

    // An edit through the real path: one alert, for the stored document.
    let file = ws.docs().join(&name);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\nجملة جديدة أضيفت إلى المقال.\n")).unwrap();
    assert_eq!(
        new_alerts(&ws, before, 1),
        vec![(
            format!("docs/{}", name.to_string_lossy()),
            "modified".into()
        )]
    );
    assert!(d.stop().success());
}

#[test]
fn a_burst_larger_than_a_chunk_is_stored_and_alerted_once_each() {
    let ws = workspace(&["000", "001"]);
    let d = Daemon::start(&ws);
    alerts_after(&ws, 2);
    let before = read_alerts(&ws).len();
    // Paragraphs of the seeds, each made unique: names the dossier already knows come back,
    // so the reconcile's narrowed known-entity view is used, across two chunks of 256.
    let paras: Vec<String> = (0..5)
        .flat_map(|i| {
            seed_text(i)
                .split("\n\n")
                .filter(|p| p.trim().len() > 200)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(!paras.is_empty());
    let sub = ws.docs().join("burst");
    std::fs::create_dir(&sub).unwrap();
    let n = 300;
    for i in 0..n {
        let tmp = sub.join(format!("d{i:03}.txt.tmp"));
        let text = format!("{}\nالخبر رقم {i}.\n", paras[i % paras.len()]);
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, sub.join(format!("d{i:03}.txt"))).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while read_alerts(&ws).len() < before + n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(SETTLE);
    let got = read_alerts(&ws)[before..].to_vec();
    assert_eq!(got.len(), n, "one alert per document");
    let paths: HashSet<&String> = got.iter().map(|(p, _)| p).collect();
    assert_eq!(paths.len(), n, "no document alerted twice");
    assert!(got.iter().all(|(_, s)| s == "added"), "{got:?}");
    let ids = ws.alert_ids();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    assert!(d.stop().success());
}
