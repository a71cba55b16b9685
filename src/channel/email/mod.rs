//! The `email` channel: multipart (plain text + HTML) alerts through SMTP or a local sendmail,
//! with lettre over rustls (no OpenSSL).
//!
//! lettre's blocking transport is used: the daemon is a plain thread loop with no async
//! runtime, and one SMTP conversation at a time is all an alert stream needs.

pub mod message;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SendmailTransport, SmtpTransport, Transport};

use super::{Channel, ChannelError, TestReport};
use crate::config::{EmailConfig, EmailTransport, TlsMode};
use crate::store::StoredAlert;

enum Sender {
    Smtp(Box<SmtpTransport>),
    Sendmail(SendmailTransport),
}

pub struct EmailChannel {
    name: String,
    from: Mailbox,
    to: Vec<Mailbox>,
    domain: String,
    sender: Sender,
    tls: &'static str,
    authenticates: bool,
}

fn mailbox(name: &str, s: &str) -> Result<Mailbox, ChannelError> {
    s.parse()
        .map_err(|e| ChannelError::Permanent(format!("channel {name}: bad address `{s}`: {e}")))
}

impl EmailChannel {
    pub fn new(name: &str, cfg: &EmailConfig) -> Result<EmailChannel, ChannelError> {
        let from = mailbox(name, &cfg.from)?;
        let to = cfg
            .to
            .iter()
            .map(|t| mailbox(name, t))
            .collect::<Result<Vec<_>, _>>()?;
        let domain = from.email.domain().to_string();
        let (sender, tls) = match &cfg.transport {
            EmailTransport::Sendmail { path } => (
                Sender::Sendmail(SendmailTransport::new_with_command(path)),
                "local",
            ),
            EmailTransport::Smtp {
                host, port, tls, ..
            } => {
                let params = || {
                    TlsParameters::new(host.clone()).map_err(|e| {
                        ChannelError::Permanent(format!(
                            "channel {name}: TLS setup for {host}: {e}"
                        ))
                    })
                };
                let (mode, label) = match tls {
                    TlsMode::None => (Tls::None, "none"),
                    TlsMode::StartTls => (Tls::Required(params()?), "STARTTLS"),
                    TlsMode::Wrapper => (Tls::Wrapper(params()?), "TLS"),
                };
                let mut b = SmtpTransport::builder_dangerous(host.as_str())
                    .port(*port)
                    .tls(mode)
                    .timeout(Some(cfg.timeout))
                    .authentication(vec![Mechanism::Plain, Mechanism::Login]);
                if let (Some(user), Some(pass)) = (&cfg.username, &cfg.password) {
                    b = b.credentials(Credentials::new(user.clone(), pass.expose().to_string()));
                }
                (Sender::Smtp(Box::new(b.build())), label)
            }
        };
        Ok(EmailChannel {
            name: name.to_string(),
            from,
            to,
            domain,
            sender,
            tls,
            authenticates: cfg.username.is_some() && cfg.password.is_some(),
        })
    }

    fn build(&self, alerts: &[StoredAlert]) -> Result<Message, ChannelError> {
        let c = message::compose(alerts, &self.domain);
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

    fn send_message(&self, msg: &Message) -> Result<(), ChannelError> {
        match &self.sender {
            Sender::Smtp(t) => t.send(msg).map(|_| ()).map_err(|e| {
                let text = format!("SMTP: {e}");
                if e.is_permanent() {
                    ChannelError::Permanent(text)
                } else {
                    ChannelError::Transient(text)
                }
            }),
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

    fn send_test(&mut self, alert: &StoredAlert) -> Result<TestReport, ChannelError> {
        let mut steps = Vec::new();
        if let Sender::Smtp(t) = &self.sender {
            match t.test_connection() {
                Ok(true) => {
                    steps.push(("connected".into(), true));
                    steps.push((format!("TLS ({})", self.tls), self.tls != "none"));
                    steps.push(("authenticated".into(), self.authenticates));
                }
                Ok(false) | Err(_) => {
                    let why = t
                        .test_connection()
                        .err()
                        .map(|e| e.to_string())
                        .unwrap_or_default();
                    return Err(ChannelError::Transient(format!("cannot connect: {why}")));
                }
            }
        }
        self.send(alert)?;
        steps.push(("accepted".into(), true));
        Ok(TestReport { steps })
    }
}
