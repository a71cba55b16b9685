//! The configuration module from the outside: lookup order, path resolution, overrides,
//! defaults, masking, the shipped files, and a fixture of invalid configs with the error each
//! must give (`tests/fixtures/config/NAME.toml` + `NAME.expected`).
//!
//! `UPDATE_EXPECT=1 cargo test --test config` rewrites every `.expected` file with the error the
//! code gives now; review the diff before committing it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use dossier::config::{
    self, ChannelKind, Config, ConfigError, EmailTransport, Env, MinChanges, Overrides,
    SecretSource, TlsMode,
};

/// An environment that is only what the test says: variables, a current directory, and a
/// system config path inside the test's temporary directory.
struct TestEnv {
    vars: HashMap<String, String>,
    cwd: PathBuf,
    system: PathBuf,
}

impl TestEnv {
    fn new(cwd: &Path) -> TestEnv {
        TestEnv {
            vars: HashMap::new(),
            cwd: cwd.to_path_buf(),
            system: cwd.join("no-such-etc/dossier.toml"),
        }
    }

    fn with(mut self, name: &str, value: &str) -> TestEnv {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }
}

impl Env for TestEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }
    fn current_dir(&self) -> PathBuf {
        self.cwd.clone()
    }
    fn system_config(&self) -> PathBuf {
        self.system.clone()
    }
}

/// A temporary directory, canonical so expected paths compare equal to resolved ones.
fn tempdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = fs::canonicalize(dir.path()).expect("canonical temp dir");
    (dir, path)
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create dirs");
    }
    fs::write(path, text).expect("write file");
}

fn load(ov: &Overrides, env: &TestEnv) -> Config {
    match config::load(ov, env) {
        Ok(c) => c,
        Err(e) => panic!("config should load: {e}"),
    }
}

fn load_err(ov: &Overrides, env: &TestEnv) -> ConfigError {
    match config::load(ov, env) {
        Ok(c) => panic!("config should be refused, got {c:?}"),
        Err(e) => e,
    }
}

fn with_config(path: &str) -> Overrides {
    Overrides {
        config: Some(PathBuf::from(path)),
        ..Overrides::default()
    }
}

#[test]
fn invalid_configs_give_their_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut fixtures: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("fixture folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    fixtures.sort();
    assert!(
        fixtures.len() >= 12,
        "fixtures missing from {}",
        dir.display()
    );
    // The fixture folder is the current directory, so messages name `NAME.toml`; no variable is
    // set, so `password_env` fixtures fail on the variable.
    let env = TestEnv::new(&dir);
    let mut failures = Vec::new();
    for toml in &fixtures {
        let name = toml.file_name().expect("file name");
        let expected_path = toml.with_extension("expected");
        let got = match config::load(&with_config(&name.to_string_lossy()), &env) {
            Ok(_) => "(loaded without error)".to_string(),
            // Paths resolved against the fixture folder, which depends on the checkout.
            Err(e) => e
                .to_string()
                .replace(&dir.display().to_string(), "$FIXTURES"),
        };
        if update {
            fs::write(&expected_path, format!("{got}\n")).expect("write expected");
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        let expected = expected.trim();
        if expected.is_empty() || !got.contains(expected) {
            failures.push(format!(
                "{}:\n  expected: {expected}\n  got:      {got}",
                toml.display()
            ));
        }
        assert!(!got.contains('\n'), "error is not one line: {got}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn built_in_defaults_without_any_file() {
    let (_tmp, cwd) = tempdir();
    let c = load(&Overrides::default(), &TestEnv::new(&cwd));
    assert_eq!(c.source, None);
    assert_eq!(c.watch.dir, cwd.join("seeds"));
    assert_eq!(c.state.path, cwd.join(".dossier/state.db"));
    assert_eq!(c.watch.include, ["*.txt", "*.md", "*.html"]);
    assert_eq!(c.watch.exclude, [".*", "*~", "*.swp", "*.tmp"]);
    assert_eq!(c.watch.debounce, Duration::from_millis(300));
    assert_eq!(c.watch.max_bytes, 10_485_760);
    assert_eq!(c.watch.poll_interval, None);
    assert_eq!(c.channels.len(), 1);
    assert_eq!(c.channels[0].name, "log");
    assert_eq!(c.channels[0].kind, ChannelKind::Log);
    assert_eq!(c.channels[0].retry.initial, Duration::from_secs(30));
    assert_eq!(c.channels[0].retry.max, Duration::from_secs(3600));
    assert_eq!(c.channels[0].retry.max_attempts, 10);
}

#[test]
fn lookup_order() {
    let (_tmp, cwd) = tempdir();
    let file = |name: &str| format!("[watch]\ndir = \"{name}\"\n");
    write(&cwd.join("flag.toml"), &file("from-flag"));
    write(&cwd.join("envvar.toml"), &file("from-env"));
    write(&cwd.join("config/dossier.toml"), &file("from-local"));
    write(&cwd.join("etc/dossier.toml"), &file("from-system"));
    let mut env = TestEnv::new(&cwd).with("DOSSIER_CONFIG", "envvar.toml");
    env.system = cwd.join("etc/dossier.toml");

    let c = load(&with_config("flag.toml"), &env);
    assert_eq!(c.source, Some(cwd.join("flag.toml")));
    assert_eq!(c.watch.dir, cwd.join("from-flag"));

    let c = load(&Overrides::default(), &env);
    assert_eq!(c.source, Some(cwd.join("envvar.toml")));

    // An empty variable counts as unset, as shells make it easy to export one by mistake.
    env.vars.insert("DOSSIER_CONFIG".into(), String::new());
    let c = load(&Overrides::default(), &env);
    assert_eq!(c.source, Some(cwd.join("config/dossier.toml")));
    assert_eq!(c.watch.dir, cwd.join("config/from-local"));

    fs::remove_file(cwd.join("config/dossier.toml")).expect("rm");
    let c = load(&Overrides::default(), &env);
    assert_eq!(c.source, Some(cwd.join("etc/dossier.toml")));
    assert_eq!(c.watch.dir, cwd.join("etc/from-system"));

    fs::remove_file(cwd.join("etc/dossier.toml")).expect("rm");
    let c = load(&Overrides::default(), &env);
    assert_eq!(c.source, None);
    assert_eq!(c.watch.dir, cwd.join("seeds"));
}

#[test]
fn a_named_config_file_must_exist() {
    let (_tmp, cwd) = tempdir();
    // Even when a local config exists: the user asked for another file.
    write(&cwd.join("config/dossier.toml"), "");
    let env = TestEnv::new(&cwd);
    let e = load_err(&with_config("missing.toml"), &env);
    assert!(matches!(e, ConfigError::NotFound { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "missing.toml: config file not found (given by --config)"
    );

    let env = env.with("DOSSIER_CONFIG", "/nowhere/dossier.toml");
    let e = load_err(&Overrides::default(), &env);
    assert_eq!(
        e.to_string(),
        "/nowhere/dossier.toml: config file not found (given by $DOSSIER_CONFIG)"
    );
}

#[test]
fn relative_paths_resolve_against_the_config_file() {
    let (_tmp, root) = tempdir();
    let cwd = root.join("somewhere/else");
    fs::create_dir_all(&cwd).expect("cwd");
    write(&root.join("etc/secret"), "s3cret\n");
    write(
        &root.join("etc/dossier.toml"),
        r#"
[watch]
dir = "../news"
[state]
path = "state/dossier.db"
[[channel]]
kind = "jsonl"
path = "./alerts/out.jsonl"
[[channel]]
kind = "email"
sendmail = "bin/sendmail"
from = "a@b"
to = ["c@d"]
[[channel]]
kind = "email"
smtp = "smtp://localhost:2525"
from = "a@b"
to = ["c@d"]
username = "u"
password_file = "secret"
"#,
    );
    let c = load(
        &with_config(&root.join("etc/dossier.toml").to_string_lossy()),
        &TestEnv::new(&cwd),
    );
    assert_eq!(c.watch.dir, root.join("news"));
    assert_eq!(c.state.path, root.join("etc/state/dossier.db"));
    assert_eq!(
        c.channels[0].kind,
        ChannelKind::Jsonl {
            path: root.join("etc/alerts/out.jsonl")
        }
    );
    let ChannelKind::Email(e) = &c.channels[1].kind else {
        panic!("email channel expected")
    };
    assert_eq!(
        e.transport,
        EmailTransport::Sendmail {
            path: root.join("etc/bin/sendmail")
        }
    );
    let ChannelKind::Email(e) = &c.channels[2].kind else {
        panic!("email channel expected")
    };
    let secret = e.password.as_ref().expect("password");
    assert_eq!(secret.expose(), "s3cret", "trailing newline dropped");
    assert_eq!(
        secret.source(),
        &SecretSource::File(root.join("etc/secret"))
    );

    // Relative --config: relative to the current directory, and the file's paths to the file.
    write(&cwd.join("conf/d.toml"), "[watch]\ndir = \"docs\"\n");
    let c = load(&with_config("conf/d.toml"), &TestEnv::new(&cwd));
    assert_eq!(c.source, Some(cwd.join("conf/d.toml")));
    assert_eq!(c.watch.dir, cwd.join("conf/docs"));
    // Keys the file leaves out take the built-in defaults, relative to the current directory.
    assert_eq!(c.state.path, cwd.join(".dossier/state.db"));
}

#[test]
fn overrides_resolve_against_the_current_dir_and_win() {
    let (_tmp, cwd) = tempdir();
    write(
        &cwd.join("config/dossier.toml"),
        "[watch]\ndir = \"../seeds\"\n[state]\npath = \"../state/d.db\"\n",
    );
    let ov = Overrides {
        config: None,
        dir: Some(PathBuf::from("other/docs")),
        state: Some(PathBuf::from("/var/tmp/x.db")),
    };
    let env = TestEnv::new(&cwd).with("STATE_DIRECTORY", "/var/lib/dossier");
    let c = load(&ov, &env);
    assert_eq!(c.source, Some(cwd.join("config/dossier.toml")));
    assert_eq!(c.watch.dir, cwd.join("other/docs"));
    assert_eq!(c.state.path, PathBuf::from("/var/tmp/x.db"));

    let ov = Overrides {
        state: Some(PathBuf::from("../up.db")),
        ..Overrides::default()
    };
    let c = load(&ov, &env);
    assert_eq!(c.watch.dir, cwd.join("seeds"));
    assert_eq!(c.state.path, cwd.parent().expect("parent").join("up.db"));

    let ov = Overrides {
        dir: Some(PathBuf::new()),
        ..Overrides::default()
    };
    assert_eq!(load_err(&ov, &env).to_string(), "--dir: empty path");
}

#[test]
fn state_directory_is_the_default_state_under_systemd() {
    let (_tmp, cwd) = tempdir();
    let env = TestEnv::new(&cwd).with("STATE_DIRECTORY", "/var/lib/dossier:/var/lib/other");
    let c = load(&Overrides::default(), &env);
    assert_eq!(c.state.path, PathBuf::from("/var/lib/dossier/dossier.db"));

    // A file without [state] path: still the systemd directory.
    write(&cwd.join("a.toml"), "[watch]\ndir = \"d\"\n");
    let c = load(&with_config("a.toml"), &env);
    assert_eq!(c.state.path, PathBuf::from("/var/lib/dossier/dossier.db"));

    // The file's path wins over the default, and the flag over both.
    write(&cwd.join("b.toml"), "[state]\npath = \"mine.db\"\n");
    let c = load(&with_config("b.toml"), &env);
    assert_eq!(c.state.path, cwd.join("mine.db"));
    let ov = Overrides {
        state: Some(PathBuf::from("flag.db")),
        ..with_config("b.toml")
    };
    assert_eq!(load(&ov, &env).state.path, cwd.join("flag.db"));
}

#[test]
fn channel_names_default_to_the_kind_and_stay_unique() {
    let (_tmp, cwd) = tempdir();
    write(
        &cwd.join("c.toml"),
        r#"
[[channel]]
kind = "log"
[[channel]]
kind = "log"
[[channel]]
kind = "jsonl"
path = "a.jsonl"
[[channel]]
kind = "jsonl"
name = "jsonl"
path = "b.jsonl"
[[channel]]
kind = "log"
name = "desk"
retry_attempts = 3
"#,
    );
    let c = load(&with_config("c.toml"), &TestEnv::new(&cwd));
    let names: Vec<&str> = c.channels.iter().map(|c| c.name.as_str()).collect();
    // The unnamed jsonl channel does not take the name given explicitly to a later one.
    assert_eq!(names, ["log", "log-2", "jsonl-2", "jsonl", "desk"]);
    assert_eq!(c.channels[4].retry.max_attempts, 3);
}

#[test]
fn durations_and_poll_interval() {
    let (_tmp, cwd) = tempdir();
    let env = TestEnv::new(&cwd);
    for (value, expected) in [
        ("0", None),
        ("\"0s\"", None),
        ("5", Some(Duration::from_secs(5))),
        ("\"1m30s\"", Some(Duration::from_secs(90))),
    ] {
        write(
            &cwd.join("p.toml"),
            &format!("[watch]\npoll_interval = {value}\n"),
        );
        assert_eq!(
            load(&with_config("p.toml"), &env).watch.poll_interval,
            expected,
            "{value}"
        );
    }
}

fn team_env(cwd: &Path) -> TestEnv {
    TestEnv::new(cwd).with("DOSSIER_SMTP_PASSWORD", "correct horse battery staple")
}

#[test]
fn shipped_default_config_loads() {
    let repo = fs::canonicalize(env!("CARGO_MANIFEST_DIR")).expect("repo");
    // As `cargo run -- check` finds it: ./config/dossier.toml from the repository root.
    let c = load(&Overrides::default(), &TestEnv::new(&repo));
    assert_eq!(c.source, Some(repo.join("config/dossier.toml")));
    assert_eq!(c.watch.dir, repo.join("seeds"));
    assert_eq!(c.state.path, repo.join("state/dossier.db"));
    assert_eq!(c.channels.len(), 1);
    assert_eq!(c.channels[0].kind, ChannelKind::Log);
    // Its values are the built-in defaults, apart from the paths.
    let defaults = load(&Overrides::default(), &TestEnv::new(&repo.join("seeds")));
    assert_eq!(c.watch.include, defaults.watch.include);
    assert_eq!(c.watch.exclude, defaults.watch.exclude);
    assert_eq!(c.watch.debounce, defaults.watch.debounce);
    assert_eq!(c.watch.max_bytes, defaults.watch.max_bytes);
    assert_eq!(c.watch.poll_interval, defaults.watch.poll_interval);
    assert_eq!(c.channels, defaults.channels);
}

#[test]
fn shipped_team_example_loads() {
    let repo = fs::canonicalize(env!("CARGO_MANIFEST_DIR")).expect("repo");
    let c = load(&with_config("config/team.example.toml"), &team_env(&repo));
    assert_eq!(c.watch.dir, PathBuf::from("/srv/dossier/incoming"));
    assert_eq!(c.watch.poll_interval, Some(Duration::from_secs(30)));
    let names: Vec<&str> = c.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["log", "dashboard", "analysts"]);
    assert_eq!(c.channels[1].retry.initial, Duration::from_secs(10));
    let ChannelKind::Email(e) = &c.channels[2].kind else {
        panic!("email channel expected")
    };
    assert_eq!(
        e.transport,
        EmailTransport::Smtp {
            url: "smtp://mail.example.org:587?tls=required".into(),
            host: "mail.example.org".into(),
            port: 587,
            tls: TlsMode::StartTls,
        }
    );
    assert_eq!(e.to.len(), 2);
    assert_eq!(e.username.as_deref(), Some("dossier@example.org"));
    assert_eq!(
        e.password.as_ref().map(|p| p.expose()),
        Some("correct horse battery staple")
    );
    assert_eq!(e.digest, Some(Duration::from_secs(900)));
    assert_eq!(e.max_per_hour, Some(20));
    assert_eq!(e.min_changes, MinChanges::Facts);
    assert_eq!(e.timeout, Duration::from_secs(30));

    // Without the variable, the error names it and the file, line and column of the key.
    let e = load_err(
        &with_config("config/team.example.toml"),
        &TestEnv::new(&repo),
    );
    let msg = e.to_string();
    assert!(msg.starts_with("config/team.example.toml:"), "{msg}");
    assert!(
        msg.contains("environment variable `DOSSIER_SMTP_PASSWORD` is not set"),
        "{msg}"
    );
}

#[test]
fn secrets_never_show() {
    let repo = fs::canonicalize(env!("CARGO_MANIFEST_DIR")).expect("repo");
    let c = load(&with_config("config/team.example.toml"), &team_env(&repo));
    let secret = "correct horse battery staple";
    let rendered = c.render_masked();
    assert!(!rendered.contains(secret), "{rendered}");
    assert!(!format!("{c:?}").contains(secret));
    assert!(rendered.contains("password_env = \"DOSSIER_SMTP_PASSWORD\"  # password: ***"));
    assert!(rendered.contains(&format!(
        "# file: {}",
        repo.join("config/team.example.toml").display()
    )));

    let ChannelKind::Email(e) = &c.channels[2].kind else {
        panic!("email channel expected")
    };
    let password = e.password.as_ref().expect("password");
    assert_eq!(format!("{password}"), "***");
    assert_eq!(format!("{password:?}"), "***");
}

#[test]
fn render_masked_loads_back_into_the_same_config() {
    let (_tmp, cwd) = tempdir();
    write(&cwd.join("pw"), "hunter2");
    write(
        &cwd.join("in.toml"),
        r#"
[watch]
dir = "docs"
include = ["*.txt", "a \"quoted\" *.md"]
exclude = []
debounce_ms = 1500
max_bytes = 1000
poll_interval = "1500ms"
[[channel]]
kind = "jsonl"
path = "out.jsonl"
retry_initial = "1h30m"
retry_max = "2h"
[[channel]]
kind = "email"
name = "mail"
smtp = "smtps://mail.example.org"
from = "Desk <desk@example.org>"
to = ["a@example.org"]
username = "desk"
password_file = "pw"
digest = "15m"
max_per_hour = 5
min_changes = "facts"
timeout = "45s"
"#,
    );
    let ov = Overrides {
        state: Some(PathBuf::from("flag.db")),
        ..with_config("in.toml")
    };
    let env = TestEnv::new(&cwd).with("STATE_DIRECTORY", "/ignored");
    let first = load(&ov, &env);
    let rendered = first.render_masked();
    assert!(!rendered.contains("hunter2"), "{rendered}");
    // The rendering has absolute paths and the override baked in; loaded again from another
    // folder with no override, it gives the same configuration.
    write(&cwd.join("elsewhere/out.toml"), &rendered);
    let second = load(&with_config("elsewhere/out.toml"), &env);
    assert_eq!(
        Config {
            source: None,
            ..second
        },
        Config {
            source: None,
            ..first
        },
        "{rendered}"
    );
}

#[test]
fn load_file_reads_one_file() {
    let (_tmp, cwd) = tempdir();
    write(&cwd.join("f.toml"), "[state]\npath = \"s.db\"\n");
    let c = config::load_file(&cwd.join("f.toml")).expect("loads");
    assert_eq!(c.state.path, cwd.join("s.db"));
    let e = config::load_file(&cwd.join("gone.toml")).expect_err("missing");
    assert!(
        e.to_string().contains("gone.toml: cannot read config file"),
        "{e}"
    );
}

#[test]
fn errors_in_a_file_name_it_as_given() {
    let (_tmp, cwd) = tempdir();
    write(
        &cwd.join("config/dossier.toml"),
        "[watch]\n\ncolour = \"red\"\n",
    );
    let e = load_err(&Overrides::default(), &TestEnv::new(&cwd));
    assert!(
        e.to_string().starts_with(
            "config/dossier.toml:3:1: unknown key `colour` in [watch], expected one of dir, \
             include, exclude, debounce_ms, max_bytes, poll_interval"
        ),
        "{e}"
    );
    let location = e.location().expect("located");
    assert_eq!(location.line_col, Some((3, 1)));
}

#[test]
fn render_masked_of_the_built_in_defaults() {
    // No file needs to exist for the defaults, so a fixed directory keeps the text stable.
    let env = TestEnv::new(Path::new("/home/analyst/news"));
    let c = load(&Overrides::default(), &env);
    assert_eq!(
        c.render_masked(),
        r#"# file: none found, built-in defaults
# effective configuration: defaults filled in, overrides applied, paths absolute

[watch]
dir = "/home/analyst/news/seeds"
include = ["*.txt", "*.md", "*.html"]
exclude = [".*", "*~", "*.swp", "*.tmp"]
debounce_ms = 300
max_bytes = 10485760
poll_interval = 0
follow_links = "inside"

[state]
path = "/home/analyst/news/.dossier/state.db"

[report]
language = "ar"

[[channel]]
kind = "log"
name = "log"
retry_initial = "30s"
retry_max = "1h"
retry_attempts = 10
"#
    );
}
