//! `dossier watch` as a child process for tests: started, watched through its log, signalled.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use super::Workspace;

const PATIENCE: Duration = Duration::from_secs(20);

pub struct Daemon {
    pub child: Child,
    pub log: Receiver<String>,
}

impl Daemon {
    pub fn start(ws: &Workspace) -> Daemon {
        Self::start_with(ws, &[])
    }

    pub fn start_with(ws: &Workspace, env: &[(&str, &str)]) -> Daemon {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dossier"));
        cmd.current_dir(ws.path())
            .env_remove("DOSSIER_CONFIG")
            .env_remove("NOTIFY_SOCKET")
            .env("RUST_LOG", "dossier=info")
            .arg("--config")
            .arg(ws.path().join("dossier.toml"))
            .arg("watch")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn dossier watch");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let d = Daemon { child, log: rx };
        d.wait_for_line("ready");
        d
    }

    pub fn wait_for_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Ok(line) = self.log.recv_timeout(Duration::from_millis(100)) {
                if line.contains(needle) {
                    return line;
                }
            }
        }
        panic!("the daemon never logged `{needle}`");
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }

    pub fn stop(mut self) -> std::process::ExitStatus {
        self.signal("-TERM");
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
