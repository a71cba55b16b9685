//! One function per command. Each returns the exit code the contract gives it.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use rayon::prelude::*;

use super::check::{CheckOptions, Pipeline, Walk};
use super::deliver::{Deliverer, Pass};
use super::error::AppError;
use super::signals::Stop;
use super::{failpoint, Format};
use crate::cli::{Cli, Command, ShowWhat};
use crate::config::{self, Config, Overrides, ProcessEnv};
use crate::diff::{ChangeReport, DossierChanges};
use crate::extract::{ArabicExtractor, Extractor};
use crate::model::{ClaimType, EntityType, Extraction};
use crate::report::{self, one_line, Style};
use crate::store::{Store, StoredAlert};

/// Files larger than this are not extracted by `dossier extract` (the watched folder has its
/// own `max_bytes`).
/// Files extracted together (on every core) before their lines are printed.
const EXTRACT_CHUNK: usize = 256;
const EXTRACT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Runs one parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    init_logging(cli.verbose, cli.quiet);
    let code = match dispatch(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    ExitCode::from(code)
}

fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("dossier={level}")));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .without_time()
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .try_init();
}

fn overrides(cli: &Cli) -> Overrides {
    Overrides {
        config: cli.config.clone(),
        dir: cli.dir.clone(),
        state: cli.state.clone(),
    }
}

fn load_config(cli: &Cli) -> Result<Config, AppError> {
    Ok(config::load(&overrides(cli), &ProcessEnv)?)
}

/// Writes to stdout; a closed pipe (`dossier show … | head`) ends the output quietly.
fn out(s: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush());
}

fn json_line<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

fn json_pretty<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

fn stdout_style(lang: report::Lang) -> Style {
    Style::for_terminal(
        std::io::stdout().is_terminal(),
        std::env::var("NO_COLOR").ok().as_deref(),
        lang,
    )
}

/// The report goes to a terminal and the only channel is the log, which writes to the same
/// person: the log channel must not print it a second time.
fn report_echoed(config: &Config, format: Format) -> bool {
    format == Format::Text
        && std::io::stdout().is_terminal()
        && matches!(
            config.channels.as_slice(),
            [c] if c.kind == config::ChannelKind::Log
        )
}

fn dispatch(cli: &Cli) -> Result<u8, AppError> {
    match &cli.command {
        Command::Check {
            format,
            exit_code,
            no_notify,
            allow_mass_removal,
            init,
            verify,
        } => check(
            cli,
            *format,
            CheckFlags {
                exit_code: *exit_code,
                no_notify: *no_notify,
                allow_mass_removal: *allow_mass_removal,
                init: *init,
                verify: *verify,
            },
        ),
        Command::Watch { init } => {
            let config = load_config(cli)?;
            super::daemon::run(config, &overrides(cli), &ProcessEnv, *init)
        }
        Command::Extract { format, files } => extract(files, *format),
        Command::Show { what, kind, format } => show(cli, *what, kind.as_deref(), *format),
        Command::History { name, format } => history(cli, name, *format),
        Command::Report { html } => report_html(cli, html.as_deref()),
        Command::Changes {
            since,
            since_mark,
            format,
        } => changes(cli, since.as_deref(), since_mark.as_deref(), *format),
        Command::Mark { name } => mark(cli, name),
        Command::SendTest => send_test(cli),
        Command::Config => {
            let config = load_config(cli)?;
            out(&config.render_masked());
            Ok(0)
        }
        Command::Retry { ids } => retry(cli, ids),
    }
}

/// The flags of `dossier check`.
#[derive(Debug, Clone, Copy)]
struct CheckFlags {
    exit_code: bool,
    no_notify: bool,
    allow_mass_removal: bool,
    init: bool,
    verify: bool,
}

fn check(cli: &Cli, format: Format, flags: CheckFlags) -> Result<u8, AppError> {
    let config = load_config(cli)?;
    // SIGTERM/SIGINT from here on: the batch being written is committed, the alert being
    // sent is recorded, nothing new starts; exit 130/143.
    let stop = Stop::install()?;
    let walk = Walk::start(&config);
    // Channels are built before anything is recorded, so a channel that cannot exist stops the
    // check before it queues alerts no one could send.
    let mut deliverer = Deliverer::from_config_echoed(&config, report_echoed(&config, format))?;
    let lang = config.report.language;
    let html_dir = config.report.html_dir.clone();
    let mut pipeline = Pipeline::open_with(config, flags.init)?;
    if flags.verify {
        pipeline.store().check_integrity(true)?;
        tracing::info!("state database verified (integrity_check: ok)");
    }
    // The report is written as the check records it (its memory must not grow with a large
    // archive's first check); a write error does not stop the check, the store is the truth.
    let stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut sink: Box<dyn report::ReportSink> = match format {
        Format::Json => Box::new(report::JsonStream::new(stdout)),
        Format::Text => Box::new(report::TextStream::new(stdout, stdout_style(lang))),
    };
    let outcome = pipeline.check_walked(
        &CheckOptions {
            notify: !flags.no_notify,
            allow_mass_removal: flags.allow_mass_removal,
            counts_only: true,
            // A bar only for a person at a terminal: not on a pipe, not under systemd.
            progress: std::io::stderr().is_terminal()
                && std::env::var_os("JOURNAL_STREAM").is_none(),
            cancel: Some(stop.flag().clone()),
        },
        Some(sink.as_mut()),
        walk,
    )?;
    let written = sink.finish();
    drop(sink);
    failpoint::hit("after-commit");
    let delivered = if flags.no_notify || stop.exit_code().is_some() {
        Default::default()
    } else {
        deliverer.deliver(pipeline.store().path(), Pass::EveryPending, stop.flag())?
    };
    if let Some(code) = stopped(&stop, pipeline.store())? {
        return Ok(code);
    }
    if let Some(dir) = html_dir.filter(|_| outcome.changed > 0) {
        if let Err(e) = super::site::refresh(pipeline.store(), lang, &dir) {
            tracing::warn!("the HTML dossier was not written again: {e}");
        }
    }
    if delivered.failed > 0 || delivered.deferred > 0 {
        return Err(AppError::Delivery {
            failed: delivered.failed,
            deferred: delivered.deferred,
        });
    }
    // A reader that went away (`| head`) is not a failure of the check.
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(AppError::Io {
                what: "the report".into(),
                source: e,
            })
        }
        _ => {}
    }
    Ok(if flags.exit_code && outcome.changed > 0 {
        1
    } else {
        0
    })
}

/// After a SIGTERM or SIGINT: says what waits in the outbox and gives the exit code (130,
/// 143); `None` when no signal came.
fn stopped(stop: &Stop, store: &Store) -> Result<Option<u8>, AppError> {
    let Some(code) = stop.exit_code() else {
        return Ok(None);
    };
    let pending = store.pending_count()?;
    eprintln!(
        "dossier: stopped by {}; {pending} alert deliver{} wait in the outbox (`dossier retry` \
         sends them; what was not looked at yet is found by the next check)",
        stop.name(),
        if pending == 1 { "y" } else { "ies" }
    );
    Ok(Some(code))
}

fn extract(files: &[std::path::PathBuf], format: Format) -> Result<u8, AppError> {
    let extractor = ArabicExtractor::new();
    // Files are extracted a chunk at a time on every core and printed in their order, through
    // one buffer flushed per chunk: memory does not grow with the number of files, and a line
    // is no longer a write and a flush of its own.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut failed = false;
    for chunk in files.chunks(EXTRACT_CHUNK) {
        let results: Vec<Result<Extraction, String>> = chunk
            .par_iter()
            .map(|f| {
                let shown = f.display().to_string();
                crate::ingest::read_text(f, &shown, EXTRACT_MAX_BYTES)
                    .map(|text| extractor.extract(&text))
                    .map_err(|e| match e {
                        // A file named on the command line that is not there was never read:
                        // the daemon's "disappeared, read again if it comes back" is not for
                        // this command.
                        crate::ingest::ReadError::Vanished { path } => {
                            format!("{path}: no such file")
                        }
                        e => e.to_string(),
                    })
            })
            .collect();
        for (f, r) in chunk.iter().zip(results) {
            let line = match r {
                Ok(x) => match format {
                    Format::Json => json_line(&extraction_json(f, &x)),
                    Format::Text => extraction_text(f, &x),
                },
                Err(e) => {
                    failed = true;
                    // What was printed before the warning is printed before it.
                    let _ = stdout.flush();
                    eprintln!("warning: {e}");
                    continue;
                }
            };
            if let Err(e) = stdout.write_all(line.as_bytes()) {
                return extract_ended(e, failed);
            }
        }
        if let Err(e) = stdout.flush() {
            return extract_ended(e, failed);
        }
    }
    Ok(if failed { 3 } else { 0 })
}

/// The output of `extract` could not be written: a reader that went away (`| head`) ends it
/// without an error; anything else is one.
fn extract_ended(e: std::io::Error, failed: bool) -> Result<u8, AppError> {
    match e.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(if failed { 3 } else { 0 }),
        _ => Err(AppError::Io {
            what: "the extraction".into(),
            source: e,
        }),
    }
}

/// One line of `dossier extract --format json`: the document's path and its [`Extraction`].
///
/// Written straight from the extraction, without a `serde_json::Value` in between (which cost
/// as much as a tenth of the command's time). The keys come out in the order that `Value`'s
/// sorted maps gave them (`claims`, `dates`, `doc`, `entities`, `quantities`; each entity's and
/// claim's keys sorted too), so the output is the same bytes as before.
#[derive(serde::Serialize)]
struct ExtractionLine<'a> {
    claims: Vec<ClaimJson<'a>>,
    dates: &'a [String],
    doc: std::borrow::Cow<'a, str>,
    entities: Vec<EntityJson<'a>>,
    quantities: &'a [String],
}

#[derive(serde::Serialize)]
struct ClaimJson<'a> {
    actors: &'a [String],
    attributed_to: &'a Option<String>,
    date: &'a Option<String>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    mentioned: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    modality: Option<crate::model::Modality>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    negated: bool,
    quote: &'a str,
    #[serde(rename = "type")]
    kind: ClaimType,
}

#[derive(serde::Serialize)]
struct EntityJson<'a> {
    aliases: &'a [String],
    mentions: Vec<MentionJson>,
    name: &'a str,
    #[serde(rename = "type")]
    kind: EntityType,
}

#[derive(serde::Serialize)]
struct MentionJson {
    end: usize,
    start: usize,
}

fn extraction_json<'a>(path: &'a Path, x: &'a Extraction) -> ExtractionLine<'a> {
    ExtractionLine {
        claims: x
            .claims
            .iter()
            .map(|c| ClaimJson {
                actors: &c.actors,
                attributed_to: &c.attributed_to,
                date: &c.date,
                mentioned: &c.mentioned,
                modality: c.modality,
                negated: c.negated,
                quote: &c.quote,
                kind: c.kind,
            })
            .collect(),
        dates: &x.dates,
        doc: path.to_string_lossy(),
        entities: x
            .entities
            .iter()
            .map(|e| EntityJson {
                aliases: &e.aliases,
                mentions: e
                    .mentions
                    .iter()
                    .map(|m| MentionJson {
                        end: m.end,
                        start: m.start,
                    })
                    .collect(),
                name: &e.name,
                kind: e.kind,
            })
            .collect(),
        quantities: &x.quantities,
    }
}

fn extraction_text(path: &Path, x: &Extraction) -> String {
    let mut s = format!("{}\n", one_line(&path.to_string_lossy()));
    for t in EntityType::ALL {
        let names: Vec<String> = x
            .entities
            .iter()
            .filter(|e| e.kind == t)
            .map(|e| {
                if e.aliases.is_empty() {
                    one_line(&e.name)
                } else {
                    format!(
                        "{} ({})",
                        one_line(&e.name),
                        one_line(&e.aliases.join("، "))
                    )
                }
            })
            .collect();
        if !names.is_empty() {
            s.push_str(&format!("  {t}: {}\n", names.join(" · ")));
        }
    }
    if !x.dates.is_empty() {
        s.push_str(&format!("  dates: {}\n", x.dates.join(", ")));
    }
    if !x.quantities.is_empty() {
        s.push_str(&format!(
            "  quantities: {}\n",
            one_line(&x.quantities.join(", "))
        ));
    }
    for c in &x.claims {
        let mut line = format!("  claim {} {}", c.kind, one_line(&c.actors.join("، ")));
        if let Some(d) = &c.date {
            line.push_str(&format!(" ({d})"));
        }
        s.push_str(&line);
        s.push('\n');
    }
    s
}

fn open_read_only(cli: &Cli) -> Result<Option<Store>, AppError> {
    // Reading the state needs no secret: the SMTP password is not looked up.
    let config = config::load(&overrides(cli), &config::ReadOnlyEnv)?;
    let store = Store::open_read_only(&config.state.path)?;
    if store.is_none() {
        eprintln!(
            "note: no state yet at {} (run `dossier check` first)",
            config.state.path.display()
        );
    }
    Ok(store)
}

fn show(cli: &Cli, what: ShowWhat, kind: Option<&str>, format: Format) -> Result<u8, AppError> {
    let store = open_read_only(cli)?;
    match what {
        ShowWhat::Entities => {
            let kind = match kind {
                None => None,
                Some(k) => Some(EntityType::parse(k).ok_or_else(|| {
                    AppError::Usage(format!(
                        "unknown entity type `{k}`, expected one of PERSON, ORG, LOCATION, EQUIPMENT, EVENT"
                    ))
                })?),
            };
            let rows = match &store {
                Some(s) => s.entities(kind)?,
                None => Vec::new(),
            };
            match format {
                Format::Json => out(&json_pretty(&rows)),
                Format::Text => {
                    let mut s = String::new();
                    for r in &rows {
                        s.push_str(&format!(
                            "{:9} {}  ({} documents; first seen in {})\n",
                            r.kind.as_str(),
                            one_line(&r.name),
                            r.documents.len(),
                            one_line(&r.first_seen_in)
                        ));
                    }
                    out(&s);
                }
            }
        }
        ShowWhat::Documents => {
            let rows = match &store {
                Some(s) => s.documents()?,
                None => Vec::new(),
            };
            match format {
                Format::Json => out(&json_pretty(&rows)),
                Format::Text => {
                    let mut s = String::new();
                    for r in &rows {
                        s.push_str(&format!(
                            "{}  v{}  {} bytes {}  {} entities, {} claims  updated {}\n",
                            one_line(&r.path),
                            r.version,
                            r.size,
                            r.encoding,
                            r.entities,
                            r.claims,
                            r.updated
                        ));
                    }
                    out(&s);
                }
            }
        }
        ShowWhat::Claims => {
            let kind = match kind {
                None => None,
                Some(k) => Some(ClaimType::parse(k).ok_or_else(|| {
                    AppError::Usage(format!("unknown claim type `{k}`, expected one of AGREEMENT, VISIT, MEETING, ACQUISITION, MANUFACTURING, RELATIONS, ANNOUNCEMENT, EXERCISE, OTHER"))
                })?),
            };
            let (rows, names) = match &store {
                Some(s) => (s.claim_rows()?, s.entity_names()?),
                None => Default::default(),
            };
            let groups = super::claims_view::groups(rows, &names, kind);
            match format {
                Format::Json => out(&json_pretty(&groups)),
                Format::Text => {
                    let lang = load_config(cli)
                        .map(|c| c.report.language)
                        .unwrap_or_default();
                    out(&super::claims_view::render(&groups, &stdout_style(lang)))
                }
            }
        }
        ShowWhat::Outbox => {
            let rows = match &store {
                Some(s) => s.outbox()?,
                None => Vec::new(),
            };
            match format {
                Format::Json => out(&json_pretty(&rows)),
                Format::Text => {
                    let mut s = String::new();
                    if rows.is_empty() {
                        s.push_str("outbox empty: every alert was accepted by every channel\n");
                    }
                    for r in &rows {
                        s.push_str(&format!(
                            "{}  {}  channel {}  {} attempt{}{}{}\n",
                            r.id,
                            one_line(&r.path),
                            r.channel,
                            r.attempts,
                            if r.attempts == 1 { "" } else { "s" },
                            if r.permanent {
                                "  [needs `dossier retry`]"
                            } else {
                                ""
                            },
                            r.last_error
                                .as_deref()
                                .map(|e| format!("  last error: {}", one_line(e)))
                                .unwrap_or_default()
                        ));
                    }
                    out(&s);
                }
            }
        }
    }
    Ok(0)
}

fn history(cli: &Cli, name: &str, format: Format) -> Result<u8, AppError> {
    let Some(store) = open_read_only(cli)? else {
        return Err(AppError::Usage(format!(
            "no entity named `{}`: the dossier is empty",
            one_line(name)
        )));
    };
    let config = config::load(&overrides(cli), &config::ReadOnlyEnv)?;
    let st = stdout_style(config.report.language);
    let found =
        match super::history::lookup(&store, name, &config.aliases, &ArabicExtractor::new())? {
            super::history::Lookup::Found(found) => found,
            super::history::Lookup::Candidates(found) if format == Format::Text => {
                out(&super::history::render_candidates(name, &found, st));
                return Ok(0);
            }
            super::history::Lookup::Candidates(found) => found,
            super::history::Lookup::NotFound => {
                return Err(AppError::Usage(format!(
                    "no entity named `{}` in the dossier (see `dossier show entities`)",
                    one_line(name)
                )))
            }
        };
    let versions = store.versions()?;
    let histories: Vec<super::history::History> = found
        .into_iter()
        .map(|e| super::history::timeline(e, &versions, &crate::extract::ArabicVocabulary))
        .collect();
    match format {
        Format::Json => out(&json_pretty(&histories)),
        Format::Text => {
            let texts: Vec<String> = histories
                .iter()
                .map(|h| super::history::render(h, st))
                .collect();
            out(&texts.join("\n"));
        }
    }
    Ok(0)
}

fn report_html(cli: &Cli, dir: Option<&Path>) -> Result<u8, AppError> {
    let config = config::load(&overrides(cli), &config::ReadOnlyEnv)?;
    let Some(dir) = dir
        .map(Path::to_path_buf)
        .or_else(|| config.report.html_dir.clone())
    else {
        return Err(AppError::Usage(
            "no folder for the report: give --html DIR or set [report] html_dir".into(),
        ));
    };
    let Some(store) = open_read_only(cli)? else {
        return Err(AppError::Usage(
            "the dossier is empty: run `dossier check` first".into(),
        ));
    };
    let n = super::site::refresh(&store, config.report.language, &dir)?;
    out(&format!("{}: {n} files\n", dir.display()));
    Ok(0)
}

fn changes(
    cli: &Cli,
    since: Option<&str>,
    since_mark: Option<&str>,
    format: Format,
) -> Result<u8, AppError> {
    use super::changes::{
        json_change, json_opening, parse_since, text_change, text_heading, From, JSON_CLOSING,
    };
    use crate::store::After;
    let config = config::load(&overrides(cli), &config::ReadOnlyEnv)?;
    let since = since
        .map(|s| parse_since(s, jiff::Timestamp::now()).map_err(AppError::Usage))
        .transpose()?;
    let store = Store::open_read_only(&config.state.path)?;
    let mark = match (since_mark, &store) {
        (None, _) => None,
        (Some(name), None) => return Err(unknown_mark(name, &[], &config.state.path)),
        (Some(name), Some(store)) => match store.mark(name)? {
            Some(m) => Some(m),
            None => return Err(unknown_mark(name, &store.marks()?, &config.state.path)),
        },
    };
    let (from, after) = match (&since, &mark) {
        (Some(t), _) => (From::Time(t), After::Time(t)),
        (None, Some(m)) => (From::Mark(m), After::Mark(m)),
        (None, None) => (From::Start, After::Start),
    };
    let st = stdout_style(config.report.language);
    // One change at a time to stdout: a long backlog is never held whole. A reader that
    // went away (`| head`) ends the listing quietly.
    let mut w = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut written: std::io::Result<()> = Ok(());
    let mut put = |s: &str| {
        if written.is_ok() {
            written = w.write_all(s.as_bytes());
        }
        written.is_ok()
    };
    let Some(store) = &store else {
        eprintln!(
            "note: no state yet at {} (run `dossier check` first)",
            config.state.path.display()
        );
        match format {
            Format::Json => put(&format!("{}{}", json_opening(&from), JSON_CLOSING)),
            Format::Text => put(&text_heading(&from, 0, st)),
        };
        return listing_ended(written.and_then(|()| w.flush()));
    };
    store.in_snapshot(|store| {
        match format {
            Format::Json => {
                let mut first = true;
                put(&json_opening(&from));
                store.each_alert_after(after, |a| {
                    let sep = if std::mem::take(&mut first) { "" } else { "," };
                    put(sep) && put(&json_change(&a))
                })?;
                put(JSON_CLOSING);
            }
            Format::Text => {
                put(&text_heading(&from, store.count_alerts_after(after)?, st));
                store.each_alert_after(after, |a| put(&text_change(&a, st)))?;
            }
        }
        Ok(())
    })?;
    listing_ended(written.and_then(|()| w.flush()))
}

/// The listing was written, or its reader went away: success; any other write error is one.
fn listing_ended(written: std::io::Result<()>) -> Result<u8, AppError> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(AppError::Io {
            what: "the changes".into(),
            source: e,
        }),
        _ => Ok(0),
    }
}

fn unknown_mark(name: &str, marks: &[crate::store::Mark], state: &Path) -> AppError {
    let known = if marks.is_empty() {
        "no mark is set".to_string()
    } else {
        let names: Vec<String> = marks.iter().map(|m| one_line(&m.name)).collect();
        format!("the marks set are {}", names.join(", "))
    };
    AppError::Usage(format!(
        "no mark named `{}` in {} ({known}; `dossier mark {}` sets it)",
        one_line(name),
        state.display(),
        one_line(name)
    ))
}

fn mark(cli: &Cli, name: &str) -> Result<u8, AppError> {
    super::changes::check_mark_name(name).map_err(AppError::Usage)?;
    let config = config::load(&overrides(cli), &config::ReadOnlyEnv)?;
    let path = &config.state.path;
    if !path.exists() {
        return Err(AppError::NoState(path.clone()));
    }
    // Never creates anything: a file that is not a dossier state is refused, not replaced.
    let store = Store::open_state(path, false)?;
    let (now, _) = super::now();
    let m = store.set_mark(name, &now)?;
    out(&format!("mark {} set at {}\n", one_line(&m.name), m.time));
    Ok(0)
}

fn send_test(cli: &Cli) -> Result<u8, AppError> {
    let config = load_config(cli)?;
    let mut deliverer = Deliverer::from_config(&config)?;
    let (created, now_ns) = super::now();
    let alert = StoredAlert {
        id: format!("test-{now_ns}"),
        created,
        path: "(test)".into(),
        has_facts: true,
        report: ChangeReport {
            scanned: 0,
            documents: Vec::new(),
            dossier: DossierChanges::default(),
        },
        previous: None,
    };
    let mut failed = 0;
    for ch in deliverer.channels_mut() {
        match ch.send_test(&alert) {
            Ok(r) => {
                let steps: Vec<String> = r
                    .steps
                    .iter()
                    .map(|(s, ok)| format!("{s} {}", if *ok { "yes" } else { "no" }))
                    .collect();
                out(&format!("{}: ok ({})\n", ch.name(), steps.join(", ")));
            }
            Err(e) => {
                failed += 1;
                out(&format!(
                    "{}: FAILED: {}\n",
                    ch.name(),
                    one_line(&e.to_string())
                ));
            }
        }
    }
    Ok(if failed > 0 { 3 } else { 0 })
}

fn retry(cli: &Cli, ids: &[String]) -> Result<u8, AppError> {
    let config = load_config(cli)?;
    let stop = Stop::install()?;
    let mut deliverer = Deliverer::from_config(&config)?;
    let path = &config.state.path;
    if !path.exists() {
        out("outbox empty: no state yet\n");
        return Ok(0);
    }
    // Never creates anything: a file that is not a dossier state is refused, not replaced.
    let store = Store::open_state(path, false)?;
    for id in ids {
        if !store.alert_exists(id)? {
            return Err(AppError::UnknownAlert(id.clone()));
        }
    }
    store.reset_for_retry(ids)?;
    let done = deliverer.deliver(store.path(), Pass::Retry, stop.flag())?;
    out(&format!(
        "{} attempted, {} delivered, {} failed{}\n",
        done.attempted,
        done.delivered,
        done.failed,
        if done.deferred > 0 {
            format!(", {} not tried (channel down)", done.deferred)
        } else {
            String::new()
        }
    ));
    if let Some(code) = stopped(&stop, &store)? {
        return Ok(code);
    }
    if done.failed > 0 || done.deferred > 0 {
        return Err(AppError::Delivery {
            failed: done.failed,
            deferred: done.deferred,
        });
    }
    Ok(0)
}
