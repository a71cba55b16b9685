//! Bad and unusual input, through the real binary: encodings, binary and huge files, odd file
//! names, symlink loops, broken configurations. Each gets a clear message and loses nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use common::*;
use serde_json::Value;

fn facts_without_doc(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_object_mut().unwrap().remove("doc");
    v
}

#[test]
fn windows_1256_and_utf16_copies_give_the_same_facts_as_utf8() {
    let ws = Workspace::with_seeds(Some(&["000"]));
    let seed = std::fs::read_to_string(seed_files()[0].clone()).unwrap();
    // The seed's text less the few characters windows-1256 has no code for.
    let text: String = seed
        .chars()
        .filter(|c| !encoding_rs::WINDOWS_1256.encode(&c.to_string()).2)
        .collect();
    assert!(text.len() > seed.len() * 9 / 10);
    let docs = ws.docs();
    let original = docs.join("utf8.txt");
    std::fs::write(&original, &text).unwrap();
    let (cp1256, _, unmappable) = encoding_rs::WINDOWS_1256.encode(&text);
    assert!(!unmappable);
    std::fs::write(docs.join("cp1256.txt"), &cp1256).unwrap();
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be.extend_from_slice(&u.to_be_bytes());
    }
    std::fs::write(docs.join("utf16le.txt"), &le).unwrap();
    std::fs::write(docs.join("utf16be.txt"), &be).unwrap();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    std::fs::write(docs.join("bom.txt"), &bom).unwrap();

    let want =
        facts_without_doc(&ws.run(&["extract", "--format", "json", original.to_str().unwrap()]));
    for f in ["cp1256.txt", "utf16le.txt", "utf16be.txt", "bom.txt"] {
        let got = facts_without_doc(&ws.run(&[
            "extract",
            "--format",
            "json",
            docs.join(f).to_str().unwrap(),
        ]));
        assert_eq!(got, want, "{f}");
    }
    let out = ws.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).to_lowercase().contains("warn"),
        "no warning: {}",
        stderr(&out)
    );
}

#[test]
fn bad_files_are_skipped_with_a_warning_naming_them_and_the_rest_goes_on() {
    let ws = Workspace::with_seeds(Some(&["000", "001"]));
    ws.write_config("max_bytes = 100000");
    let docs = ws.docs();
    std::fs::write(docs.join("empty.txt"), "").unwrap();
    std::fs::write(
        docs.join("binary.txt"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01",
    )
    .unwrap();
    std::fs::write(
        docs.join("invalid.txt"),
        b"caf\xe9 \xff\xfe\xfd \x80\x81 na\xefve \x00\x9d",
    )
    .unwrap();
    std::fs::write(docs.join("big.txt"), "ا".repeat(60_000)).unwrap();
    let seed = std::fs::read(seed_files()[2].clone()).unwrap();
    let odd = std::ffi::OsStr::from_bytes(b"new\nline.txt");
    std::fs::write(docs.join(odd), &seed).unwrap();
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(docs.join(latin1), &seed[..seed.len() / 2]).unwrap_or_default();
    std::fs::create_dir_all(docs.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", docs.join("sub/loop")).unwrap();

    let (report, out) = ws.check_json(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    for name in ["empty.txt", "binary.txt", "invalid.txt", "big.txt", "loop"] {
        assert!(err.contains(name), "a warning names {name}: {err}");
    }
    let paths: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.iter().any(|p| p.ends_with("new\\nline.txt")),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p.contains("caf\\xe9.txt")),
        "{paths:?}"
    );
    assert_eq!(
        paths.iter().filter(|p| p.starts_with("docs/0")).count(),
        2,
        "{paths:?}"
    );
    // The text report keeps the odd name on one line.
    let out = ws.run(&["show", "documents"]);
    assert!(stdout(&out).lines().any(|l| l.contains("new\\nline.txt")));

    // A skipped file is looked at again when it changes.
    std::fs::write(docs.join("empty.txt"), &seed).unwrap();
    let (report, _) = ws.check_json(&[]);
    assert_eq!(with_status(&report, "added").len(), 1, "{report}");
}

fn config_error(ws: &Workspace, toml: &str) -> String {
    std::fs::write(ws.path().join("dossier.toml"), toml).unwrap();
    let out = ws.run(&["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
    err
}

#[test]
fn broken_configurations_exit_2_with_file_line_and_column() {
    let ws = Workspace::with_seeds(Some(&["000"]));
    let err = config_error(&ws, "[watch]\ndir = \"docs\"\ncolour = \"red\"\n");
    assert!(
        err.contains("dossier.toml:3:1") && err.contains("colour"),
        "{err}"
    );
    let err = config_error(&ws, "[watch]\ndebounce_ms = \"fast\"\n");
    assert!(err.contains("dossier.toml:2:"), "{err}");
    let err = config_error(&ws, "[watch\ndir = 1\n");
    assert!(err.contains("dossier.toml:1:"), "{err}");
    let err = config_error(&ws, "[[channel]]\nkind = \"pigeon\"\n");
    assert!(err.contains("pigeon"), "{err}");

    let out = assert_cmd::Command::cargo_bin("dossier")
        .unwrap()
        .current_dir(ws.path())
        .env_remove("DOSSIER_CONFIG")
        .args(["--config", "nowhere.toml", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nowhere.toml"), "{}", stderr(&out));
    assert!(!ws.path().join("state.db").exists(), "nothing started");
}

#[test]
fn the_default_configuration_works_out_of_the_box() {
    // What `cargo run --release -- check` does in a fresh clone: config/dossier.toml on seeds/.
    let tmp = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::create_dir_all(tmp.path().join("config")).unwrap();
    std::fs::copy(
        format!("{root}/config/dossier.toml"),
        tmp.path().join("config/dossier.toml"),
    )
    .unwrap();
    std::fs::create_dir_all(tmp.path().join("seeds")).unwrap();
    // The repository holds the state's folder (state/.gitkeep): a state path whose folder is
    // missing is refused unless it is the built-in default or `--init` is given.
    assert!(Path::new(root).join("state/.gitkeep").exists());
    std::fs::create_dir_all(tmp.path().join("state")).unwrap();
    for f in seed_files() {
        std::fs::copy(&f, tmp.path().join("seeds").join(f.file_name().unwrap())).unwrap();
    }
    let out = assert_cmd::Command::cargo_bin("dossier")
        .unwrap()
        .current_dir(tmp.path())
        .env_remove("DOSSIER_CONFIG")
        .env("NO_COLOR", "1")
        .arg("check")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("فُحصت 5 وثائق: 5 جديدة"),
        "{}",
        stdout(&out)
    );
    // The log channel printed the alerts on stderr.
    assert!(stderr(&out).contains("تنبيه "), "{}", stderr(&out));
    assert!(tmp.path().join("state/dossier.db").exists());
}

/// `extract` over more files than one chunk of its parallel work: one line per readable file,
/// in the order given; a missing or empty file is a warning naming it, the rest goes on, and
/// the exit code says something was skipped.
#[test]
fn extract_prints_every_file_in_order_and_names_the_ones_it_skips() {
    let ws = Workspace::with_seeds(Some(&["000"]));
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(seed_files()[1].clone()).unwrap();
    let first_paragraph = seed.split("\n\n").find(|p| p.len() > 200).unwrap();
    let mut args: Vec<String> = vec!["extract".into(), "--format".into(), "json".into()];
    let mut want = Vec::new();
    for i in 0..300 {
        let p = dir.path().join(format!("{:03}.txt", 299 - i));
        std::fs::write(&p, first_paragraph).unwrap();
        want.push(p.to_str().unwrap().to_owned());
        args.push(p.to_str().unwrap().to_owned());
        if i == 150 {
            args.push("/nonexistent/dossier-missing.txt".into());
            let empty = dir.path().join("empty.txt");
            std::fs::write(&empty, "").unwrap();
            args.push(empty.to_str().unwrap().to_owned());
        }
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = ws.run(&argv);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("/nonexistent/dossier-missing.txt: no such file"),
        "{err}"
    );
    assert!(err.contains("empty.txt"), "{err}");
    let got: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["doc"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(got, want);
}
