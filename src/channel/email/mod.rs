//! The `email` channel: multipart (plain text + HTML) alerts through SMTP or a local sendmail;
//! messages built by lettre, the SMTP conversation in `smtp.rs` (TLS by rustls, no OpenSSL).
//!
//! One session (connect, TLS, greeting, AUTH) serves a whole batch of alerts; each message is
//! its own MAIL, RCPT, DATA, and every error names the step that failed. The configured
//! `timeout` bounds the session's opening and each message's exchange as a whole, so a server
//! that stops answering costs one timeout, reported as "timed out after 30 s". A failure of
//! the session itself (no connection, a timeout, a 421, a refused login) is
//! [`ChannelError::Down`]: the rest of the batch waits for the channel's next backoff step. A
//! negative answer to one message (a 4xx or 5xx to MAIL, RCPT or DATA) fails that alert only,
//! and the session goes on after RSET.

pub mod message;
mod smtp;

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{Message, SendmailTransport, Transport};

use super::{Channel, ChannelError, TestReport};
use crate::config::{EmailConfig, EmailTransport, TlsMode};
use dossier_core::alert::Alert as StoredAlert;
use smtp::{Failure, Server, Session, SmtpError};

/// "30 s", "1.5 s".
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// An SMTP server and the session of the batch under way.
struct Smtp {
    server: Server,
    session: Option<Session>,
}

impl Smtp {
    /// The channel's error for a failed step; `whole`: the session is gone, the rest of the
    /// batch waits.
    fn error(&self, e: &SmtpError, whole: bool) -> ChannelError {
        let step = e.step.as_str();
        let server = self.server.shown();
        let text = match &e.failure {
            Failure::TimedOut => format!(
                "SMTP {step} with {server} timed out after {}",
                seconds(self.server.timeout)
            ),
            Failure::Io(err) => format!("SMTP {step} with {server} failed: {err}"),
            Failure::Refused { code, text } => {
                format!("SMTP {step} with {server} refused: {code} {text}")
            }
            Failure::Protocol(what) => format!("SMTP {step} with {server}: {what}"),
        };
        let permanent = e.is_permanent();
        match (whole, permanent) {
            (true, _) => ChannelError::Down {
                message: text,
                permanent,
            },
            (false, true) => ChannelError::Permanent(text),
            (false, false) => ChannelError::Transient(text),
        }
    }

    /// Opens the session if there is none.
    fn open(&mut self) -> Result<&mut Session, ChannelError> {
        if self.session.is_none() {
            let s = Session::open(&self.server).map_err(|e| self.error(&e, true))?;
            self.session = Some(s);
        }
        self.session
            .as_mut()
            .ok_or_else(|| ChannelError::down("SMTP: no session"))
    }

    /// One message over the session.
    fn send(&mut self, msg: &Message) -> Result<(), ChannelError> {
        let timeout = self.server.timeout;
        let envelope = msg.envelope().clone();
        let body = msg.formatted();
        let session = self.open()?;
        let Err(e) = session.send(&envelope, &body, timeout) else {
            return Ok(());
        };
        match e.answered() {
            // 421: the server closes the session. Anything else refuses this message only,
            // and the session goes on after RSET.
            Some(code) if code != 421 => {
                if session.reset(timeout).is_err() {
                    self.session = None;
                }
                Err(self.error(&e, false))
            }
            _ => {
                self.session = None;
                Err(self.error(&e, true))
            }
        }
    }

    fn close(&mut self) {
        if let Some(s) = self.session.take() {
            s.quit(self.server.timeout.min(Duration::from_secs(5)));
        }
    }
}

enum Sender {
    Smtp(Box<Smtp>),
    Sendmail(SendmailTransport),
}

pub struct EmailChannel {
    name: String,
    from: Mailbox,
    to: Vec<Mailbox>,
    domain: String,
    sender: Sender,
    lang: crate::report::Lang,
}

fn mailbox(name: &str, s: &str) -> Result<Mailbox, ChannelError> {
    s.parse()
        .map_err(|e| ChannelError::Permanent(format!("channel {name}: bad address `{s}`: {e}")))
}

impl EmailChannel {
    pub fn new(
        name: &str,
        cfg: &EmailConfig,
        lang: crate::report::Lang,
    ) -> Result<EmailChannel, ChannelError> {
        let from = mailbox(name, &cfg.from)?;
        let to = cfg
            .to
            .iter()
            .map(|t| mailbox(name, t))
            .collect::<Result<Vec<_>, _>>()?;
        let domain = from.email.domain().to_string();
        let sender = match &cfg.transport {
            EmailTransport::Sendmail { path } => {
                Sender::Sendmail(SendmailTransport::new_with_command(path))
            }
            EmailTransport::Smtp {
                host, port, tls, ..
            } => {
                let tls_config = match tls {
                    TlsMode::None => None,
                    TlsMode::StartTls | TlsMode::Wrapper => {
                        Some(smtp::tls_config().map_err(|e| {
                            ChannelError::Permanent(format!(
                                "channel {name}: TLS setup for {host}: {e}"
                            ))
                        })?)
                    }
                };
                let credentials = match (&cfg.username, &cfg.password) {
                    (Some(user), Some(pass)) => {
                        Some(Credentials::new(user.clone(), pass.expose().to_string()))
                    }
                    _ => None,
                };
                Sender::Smtp(Box::new(Smtp {
                    server: Server {
                        host: host.clone(),
                        port: *port,
                        tls: *tls,
                        tls_config,
                        credentials,
                        timeout: cfg.timeout,
                        hello: ClientId::default(),
                    },
                    session: None,
                }))
            }
        };
        Ok(EmailChannel {
            name: name.to_string(),
            from,
            to,
            domain,
            sender,
            lang,
        })
    }

    fn build(&self, alerts: &[StoredAlert]) -> Result<Message, ChannelError> {
        let c = message::compose(alerts, &self.domain, self.lang);
        let mut b = Message::builder()
            .from(self.from.clone())
            .subject(c.subject)
            .message_id(Some(c.message_id));
        for t in &self.to {
            b = b.to(t.clone());
        }
        if let Some(prev) = c.in_reply_to {
            b = b.in_reply_to(prev.clone()).references(prev);
        }
        b.multipart(MultiPart::alternative_plain_html(c.text, c.html))
            .map_err(|e| {
                ChannelError::Permanent(format!(
                    "channel {}: cannot build the message: {e}",
                    self.name
                ))
            })
    }

    fn send_message(&mut self, msg: &Message) -> Result<(), ChannelError> {
        match &mut self.sender {
            Sender::Smtp(smtp) => smtp.send(msg),
            Sender::Sendmail(t) => t
                .send(msg)
                .map_err(|e| ChannelError::Transient(format!("sendmail: {e}"))),
        }
    }
}

impl Channel for EmailChannel {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, alert: &StoredAlert) -> Result<(), ChannelError> {
        let msg = self.build(std::slice::from_ref(alert))?;
        self.send_message(&msg)
    }

    fn send_batch(&mut self, alerts: &[StoredAlert]) -> Result<(), ChannelError> {
        let msg = self.build(alerts)?;
        self.send_message(&msg)
    }

    fn finish(&mut self) {
        if let Sender::Smtp(smtp) = &mut self.sender {
            smtp.close();
        }
    }

    fn cannot_tell_if_received(&self) -> bool {
        true
    }

    fn send_test(&mut self, alert: &StoredAlert) -> Result<TestReport, ChannelError> {
        let mut steps = Vec::new();
        if let Sender::Smtp(smtp) = &mut self.sender {
            let label = match smtp.server.tls {
                TlsMode::None => "none",
                TlsMode::StartTls => "STARTTLS",
                TlsMode::Wrapper => "TLS",
            };
            let authenticates = smtp.server.credentials.is_some();
            let session = smtp.open()?;
            steps.push(("connected".to_string(), true));
            steps.push((format!("TLS ({label})"), session.encrypted));
            steps.push(("authenticated".to_string(), authenticates));
        }
        let sent = self.send(alert);
        self.finish();
        sent?;
        steps.push(("accepted".into(), true));
        Ok(TestReport { steps })
    }
}
