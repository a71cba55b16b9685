//! The shipped unit file passes `systemd-analyze verify` and its hardening scores an exposure
//! of at most 2.0. Needs systemd-analyze (Debian's `systemd` package); CI installs it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

const UNIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/dossier.service");

fn analyze() -> Command {
    Command::new("systemd-analyze")
}

/// The unit with ExecStart pointing at this build's binary, since verify checks it exists.
fn unit_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(UNIT).unwrap();
    assert!(text.contains("Type=notify"));
    assert!(text.contains("ExecReload=/bin/kill -HUP $MAINPID"));
    assert!(text.contains("StateDirectoryMode=0750"));
    let text = text.replace("/usr/local/bin/dossier", env!("CARGO_BIN_EXE_dossier"));
    let path = dir.path().join("dossier.service");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn the_unit_verifies() {
    let (_dir, path) = unit_copy();
    let out = analyze()
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze is installed");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_unit_exposure_is_at_most_2() {
    let (_dir, path) = unit_copy();
    let out = analyze()
        .args(["security", "--offline=true"])
        .arg(&path)
        .output()
        .expect("systemd-analyze is installed");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let line = text
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .unwrap_or_else(|| panic!("no exposure line: {text}"));
    let level: f64 = line
        .split(':')
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("unparseable: {line}"));
    assert!(level <= 2.0, "{line}");
}
