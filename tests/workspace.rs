//! The workspace's boundaries are real: the pure crates (core, extract, link, diff) build and
//! test without SQLite, TLS, mail or a file-system watcher, and none depends on the store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn deps(package: &str) -> String {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-p",
            package,
            "-e",
            "normal,dev",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn the_pure_crates_need_no_database_tls_mail_or_watcher() {
    for package in [
        "dossier-core",
        "dossier-extract",
        "dossier-link",
        "dossier-diff",
    ] {
        let tree = deps(package);
        for heavy in [
            "rusqlite",
            "libsqlite3-sys",
            "rustls",
            "ring",
            "lettre",
            "notify",
            "dossier-store",
        ] {
            assert!(
                !tree
                    .lines()
                    .any(|l| l.split_whitespace().next() == Some(heavy)),
                "{package} depends on {heavy}:\n{tree}"
            );
        }
    }
    // The check can see a dependency where there is one.
    assert!(deps("dossier-store")
        .lines()
        .any(|l| l.starts_with("rusqlite ")));
    // The extractor depends on the core only.
    let tree = deps("dossier-extract");
    for other in ["dossier-link", "dossier-diff"] {
        assert!(!tree.contains(other), "dossier-extract depends on {other}");
    }
}
