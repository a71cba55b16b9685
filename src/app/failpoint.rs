//! Test-only crash points. `DOSSIER_FAILPOINT=NAME` makes the process abort at the named point,
//! the way a power cut or `kill -9` would, so tests can prove that no alert is lost or doubled.
//! Names: `after-commit` (state and outbox committed, nothing sent yet), `after-accept` (a
//! channel accepted an alert, the outbox not yet told).

pub fn hit(name: &str) {
    if std::env::var_os("DOSSIER_FAILPOINT").is_some_and(|v| v == name) {
        eprintln!("dossier: failpoint {name} reached, aborting");
        std::process::abort();
    }
}
