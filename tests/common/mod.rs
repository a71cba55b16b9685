//! Shared helpers for the tests that drive the real `dossier` binary in a temp dir.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

pub const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");

/// A temp workspace: `docs/` (the watched folder), `state.db`, `alerts.jsonl`, `dossier.toml`.
pub struct Workspace {
    pub tmp: tempfile::TempDir,
}

impl Workspace {
    /// A workspace whose `docs/` holds the given seed files (all five when `None`).
    pub fn with_seeds(only: Option<&[&str]>) -> Workspace {
        let tmp = tempfile::tempdir().expect("temp dir");
        let docs = tmp.path().join("docs");
        std::fs::create_dir_all(&docs).expect("docs dir");
        for f in seed_files() {
            let name = f.file_name().expect("name").to_string_lossy().to_string();
            if only.is_none_or(|o| o.iter().any(|p| name.starts_with(p))) {
                std::fs::copy(&f, docs.join(&name)).expect("copy seed");
            }
        }
        let ws = Workspace { tmp };
        ws.write_config("");
        ws
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn docs(&self) -> PathBuf {
        self.path().join("docs")
    }

    /// Writes `dossier.toml`: the watched folder, state, a jsonl channel, plus `extra` TOML.
    pub fn write_config(&self, extra: &str) {
        let cfg = format!(
            "[watch]\ndir = \"docs\"\n{extra}\n[state]\npath = \"state.db\"\n\n[[channel]]\nkind = \"jsonl\"\npath = \"alerts.jsonl\"\n"
        );
        std::fs::write(self.path().join("dossier.toml"), cfg).expect("config");
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("dossier").expect("binary");
        c.current_dir(self.path())
            .env_remove("DOSSIER_CONFIG")
            .env_remove("RUST_LOG")
            .env_remove("DOSSIER_FAILPOINT")
            .env("NO_COLOR", "1")
            .arg("--config")
            .arg(self.path().join("dossier.toml"));
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run dossier")
    }

    pub fn check_json(&self, extra: &[&str]) -> (Value, Output) {
        let mut args = vec!["check", "--format", "json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "check output is not JSON ({e}): stdout={} stderr={}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (v, out)
    }

    /// Alert ids in the jsonl channel's file, in order.
    pub fn alert_ids(&self) -> Vec<String> {
        let Ok(text) = std::fs::read_to_string(self.path().join("alerts.jsonl")) else {
            return Vec::new();
        };
        text.lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).expect("jsonl line");
                v["id"].as_str().expect("id").to_string()
            })
            .collect()
    }
}

pub fn seed_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(SEEDS)
        .expect("seeds folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// The documents of a check report with the given status.
pub fn with_status<'a>(report: &'a Value, status: &str) -> Vec<&'a Value> {
    report["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .filter(|d| d["status"] == status)
        .collect()
}
pub mod corpus;
pub mod daemon;
pub mod smtp;
