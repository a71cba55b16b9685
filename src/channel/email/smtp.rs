//! One SMTP session, step by step, on a socket of our own: TCP (`TCP_NODELAY`), TLS by rustls
//! (`smtps://` from the first byte, or STARTTLS), the greeting and EHLO, AUTH, then one MAIL,
//! RCPT, DATA per message. lettre supplies the words (its command types, reply parser,
//! EHLO reading and AUTH encoding) and the message itself; this module owns the socket, so
//! that every step has a name and a deadline.
//!
//! Why not lettre's connection: it writes a message and its final `.` in two writes on a
//! socket that waits (Nagle) for the server to acknowledge the first, and servers delay that
//! acknowledgement (40 ms on Linux): each message cost 40 ms of waiting, and a process killed
//! in that wait still had its final `.` sent by the kernel, so the server accepted a message
//! its sender never recorded. Here the message and its `.` go in one write, without delay.
//! Nor can its timeouts cover an exchange as a whole, or its errors say which step failed.
//!
//! Deadlines: the session's opening (connect to AUTH) and each message (MAIL to the answer to
//! the data) must finish within the configured timeout; before each read and write the
//! socket's timeout is what is left of it.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::commands::{Auth, Data, Ehlo, Mail, Quit, Rcpt, Rset, Starttls};
use lettre::transport::smtp::extension::{
    ClientId, Extension, MailBodyParameter, MailParameter, ServerInfo,
};
use lettre::transport::smtp::response::Response;

use crate::config::TlsMode;

/// The steps of an SMTP exchange, as errors name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Connect,
    Tls,
    Greeting,
    Auth,
    Mail,
    Rcpt,
    Data,
    Quit,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Connect => "connect",
            Step::Tls => "TLS",
            Step::Greeting => "greeting",
            Step::Auth => "AUTH",
            Step::Mail => "MAIL",
            Step::Rcpt => "RCPT",
            Step::Data => "DATA",
            Step::Quit => "QUIT",
        }
    }
}

/// Why a step failed.
#[derive(Debug)]
pub enum Failure {
    /// The deadline passed.
    TimedOut,
    /// The socket or TLS failed, or the server closed the connection.
    Io(std::io::Error),
    /// The server answered no: its code and words.
    Refused { code: u16, text: String },
    /// The server said something that is not SMTP, or lacks what the configuration requires.
    Protocol(String),
}

#[derive(Debug)]
pub struct SmtpError {
    pub step: Step,
    pub failure: Failure,
}

impl SmtpError {
    fn new(step: Step, failure: Failure) -> SmtpError {
        SmtpError { step, failure }
    }

    /// A 5xx answer: trying again will not help.
    pub fn is_permanent(&self) -> bool {
        matches!(self.failure, Failure::Refused { code, .. } if code >= 500)
    }

    /// The server answered (the session itself may go on).
    pub fn answered(&self) -> Option<u16> {
        match self.failure {
            Failure::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Where to connect and how.
pub struct Server {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// Built once: rustls with the webpki roots.
    pub tls_config: Option<Arc<rustls::ClientConfig>>,
    pub credentials: Option<Credentials>,
    pub timeout: Duration,
    pub hello: ClientId,
}

impl Server {
    pub fn shown(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// The rustls configuration of every TLS session: the platform-independent webpki roots, ring
/// for the cryptography (as lettre's `rustls` and `ring` features).
pub fn tls_config() -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(config))
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref(),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// The most an answer may hold (Postfix's `smtp_response_limit`).
const MAX_REPLY: usize = 100_000;

/// An open session.
pub struct Session {
    stream: Stream,
    /// Bytes read past the last answer.
    pending: Vec<u8>,
    info: ServerInfo,
    pub encrypted: bool,
}

/// What is left until `deadline`, or the step timed out.
fn left(deadline: Instant, step: Step) -> Result<Duration, SmtpError> {
    let d = deadline.saturating_duration_since(Instant::now());
    if d.is_zero() {
        Err(SmtpError::new(step, Failure::TimedOut))
    } else {
        Ok(d)
    }
}

fn io(step: Step, e: std::io::Error) -> SmtpError {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            SmtpError::new(step, Failure::TimedOut)
        }
        _ => SmtpError::new(step, Failure::Io(e)),
    }
}

fn set_timeouts(tcp: &TcpStream, d: Duration, step: Step) -> Result<(), SmtpError> {
    tcp.set_read_timeout(Some(d))
        .and_then(|()| tcp.set_write_timeout(Some(d)))
        .map_err(|e| io(step, e))
}

/// Wraps a connected socket in TLS and completes the handshake before `deadline`.
fn handshake(tcp: TcpStream, server: &Server, deadline: Instant) -> Result<Stream, SmtpError> {
    let step = Step::Tls;
    let config = server
        .tls_config
        .clone()
        .ok_or_else(|| SmtpError::new(step, Failure::Protocol("no TLS configuration".into())))?;
    let name = rustls::pki_types::ServerName::try_from(server.host.clone()).map_err(|e| {
        SmtpError::new(
            step,
            Failure::Protocol(format!(
                "`{}` is not a name TLS can verify: {e}",
                server.host
            )),
        )
    })?;
    let mut conn = rustls::ClientConnection::new(config, name)
        .map_err(|e| SmtpError::new(step, Failure::Protocol(e.to_string())))?;
    let mut tcp = tcp;
    while conn.is_handshaking() {
        set_timeouts(&tcp, left(deadline, step)?, step)?;
        conn.complete_io(&mut tcp).map_err(|e| io(step, e))?;
    }
    Ok(Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))))
}

/// Dot-stuffs a message for DATA and ends it: a line that starts with `.` gets another, and
/// `CRLF . CRLF` follows.
fn data_bytes(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 64 + 5);
    let mut line_start = true;
    for &b in message {
        if line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        line_start = b == b'\n';
    }
    out.extend_from_slice(b"\r\n.\r\n");
    out
}

impl Session {
    /// Connects and opens the session: connect, TLS (`smtps`), greeting, EHLO, STARTTLS, AUTH;
    /// all within the server's timeout.
    pub fn open(server: &Server) -> Result<Session, SmtpError> {
        let deadline = Instant::now() + server.timeout;
        let addrs = (server.host.as_str(), server.port)
            .to_socket_addrs()
            .map_err(|e| SmtpError::new(Step::Connect, Failure::Io(e)))?;
        let mut last = None;
        let mut tcp = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, left(deadline, Step::Connect)?) {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let tcp = match (tcp, last) {
            (Some(t), _) => t,
            (None, Some(e)) => return Err(io(Step::Connect, e)),
            (None, None) => {
                return Err(SmtpError::new(
                    Step::Connect,
                    Failure::Protocol(format!("{} resolves to no address", server.host)),
                ))
            }
        };
        tcp.set_nodelay(true).map_err(|e| io(Step::Connect, e))?;
        let stream = match server.tls {
            TlsMode::Wrapper => handshake(tcp, server, deadline)?,
            TlsMode::None | TlsMode::StartTls => Stream::Plain(tcp),
        };
        let mut s = Session {
            encrypted: matches!(stream, Stream::Tls(_)),
            stream,
            pending: Vec::new(),
            info: ServerInfo::default(),
        };
        s.expect(Step::Greeting, deadline, &[220])?;
        s.ehlo(server, deadline)?;
        if server.tls == TlsMode::StartTls {
            if !s.info.supports_feature(Extension::StartTls) {
                return Err(SmtpError::new(
                    Step::Tls,
                    Failure::Protocol(
                        "the server does not offer STARTTLS, which `?tls=required` requires".into(),
                    ),
                ));
            }
            s.command(Step::Tls, deadline, &Starttls.to_string(), &[220])?;
            let Stream::Plain(tcp) = s.stream else {
                return Err(SmtpError::new(
                    Step::Tls,
                    Failure::Protocol("already encrypted".into()),
                ));
            };
            s.stream = handshake(tcp, server, deadline)?;
            s.encrypted = true;
            s.pending.clear();
            s.ehlo(server, deadline)?;
        }
        if let Some(creds) = &server.credentials {
            s.auth(creds, deadline)?;
        }
        Ok(s)
    }

    fn ehlo(&mut self, server: &Server, deadline: Instant) -> Result<(), SmtpError> {
        let step = Step::Greeting;
        let reply = self.command(
            step,
            deadline,
            &Ehlo::new(server.hello.clone()).to_string(),
            &[250],
        )?;
        self.info = ServerInfo::from_response(&reply)
            .map_err(|e| SmtpError::new(step, Failure::Protocol(e.to_string())))?;
        Ok(())
    }

    fn auth(&mut self, creds: &Credentials, deadline: Instant) -> Result<(), SmtpError> {
        let step = Step::Auth;
        let protocol = |e: lettre::transport::smtp::Error| {
            SmtpError::new(step, Failure::Protocol(e.to_string()))
        };
        let mechanism = self
            .info
            .get_auth_mechanism(&[Mechanism::Plain, Mechanism::Login])
            .ok_or_else(|| {
                SmtpError::new(
                    step,
                    Failure::Protocol("the server offers neither AUTH PLAIN nor LOGIN".into()),
                )
            })?;
        let first = Auth::new(mechanism, creds.clone(), None).map_err(protocol)?;
        let mut reply = self.command(step, deadline, &first.to_string(), &[235, 334])?;
        let mut challenges = 0;
        while reply.has_code(334) {
            challenges += 1;
            if challenges > 10 {
                return Err(SmtpError::new(
                    step,
                    Failure::Protocol("too many AUTH challenges".into()),
                ));
            }
            let next =
                Auth::new_from_response(mechanism, creds.clone(), &reply).map_err(protocol)?;
            reply = self.command(step, deadline, &next.to_string(), &[235, 334])?;
        }
        Ok(())
    }

    /// Sends one message: MAIL, RCPT for each recipient, DATA, the message and its end in one
    /// write; within `timeout`.
    pub fn send(
        &mut self,
        envelope: &lettre::address::Envelope,
        message: &[u8],
        timeout: Duration,
    ) -> Result<(), SmtpError> {
        let deadline = Instant::now() + timeout;
        let mut options = Vec::new();
        if !message.is_ascii() && self.info.supports_feature(Extension::EightBitMime) {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let non_ascii = envelope
            .from()
            .into_iter()
            .chain(envelope.to())
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii && self.info.supports_feature(Extension::SmtpUtfEight) {
            options.push(MailParameter::SmtpUtfEight);
        }
        let mail = Mail::new(envelope.from().cloned(), options).to_string();
        self.command(Step::Mail, deadline, &mail, &[250])?;
        for to in envelope.to() {
            let rcpt = Rcpt::new(to.clone(), vec![]).to_string();
            self.command(Step::Rcpt, deadline, &rcpt, &[250, 251])?;
        }
        self.command(Step::Data, deadline, &Data.to_string(), &[354])?;
        self.write(Step::Data, deadline, &data_bytes(message))?;
        self.expect(Step::Data, deadline, &[250])?;
        Ok(())
    }

    /// RSET, after a message the server refused, so the session can go on.
    pub fn reset(&mut self, timeout: Duration) -> Result<(), SmtpError> {
        let deadline = Instant::now() + timeout;
        self.command(Step::Mail, deadline, &Rset.to_string(), &[250])
            .map(|_| ())
    }

    /// QUIT, and the connection closes.
    pub fn quit(mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let _ = self.command(Step::Quit, deadline, &Quit.to_string(), &[221]);
    }

    fn write(&mut self, step: Step, deadline: Instant, bytes: &[u8]) -> Result<(), SmtpError> {
        set_timeouts(self.stream.tcp(), left(deadline, step)?, step)?;
        self.stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush())
            .map_err(|e| io(step, e))
    }

    fn command(
        &mut self,
        step: Step,
        deadline: Instant,
        line: &str,
        ok: &[u16],
    ) -> Result<Response, SmtpError> {
        self.write(step, deadline, line.as_bytes())?;
        self.expect(step, deadline, ok)
    }

    /// Reads one answer; one whose code is not in `ok` is [`Failure::Refused`].
    fn expect(&mut self, step: Step, deadline: Instant, ok: &[u16]) -> Result<Response, SmtpError> {
        let text = self.read_reply(step, deadline)?;
        let code: u16 = text.get(..3).and_then(|c| c.parse().ok()).ok_or_else(|| {
            SmtpError::new(
                step,
                Failure::Protocol(format!("not an SMTP answer: {text:.80}")),
            )
        })?;
        if !ok.contains(&code) {
            let words: Vec<&str> = text
                .lines()
                .map(|l| l.get(4..).unwrap_or("").trim())
                .collect();
            return Err(SmtpError::new(
                step,
                Failure::Refused {
                    code,
                    text: words.join(" "),
                },
            ));
        }
        text.parse::<Response>()
            .map_err(|e| SmtpError::new(step, Failure::Protocol(e.to_string())))
    }

    /// The lines of one answer (`250-…` lines, then `250 …`), as text.
    fn read_reply(&mut self, step: Step, deadline: Instant) -> Result<String, SmtpError> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(end) = reply_end(&self.pending) {
                let rest = self.pending.split_off(end);
                let reply = std::mem::replace(&mut self.pending, rest);
                return Ok(String::from_utf8_lossy(&reply).into_owned());
            }
            if self.pending.len() > MAX_REPLY {
                return Err(SmtpError::new(
                    step,
                    Failure::Protocol("the answer is too long".into()),
                ));
            }
            set_timeouts(self.stream.tcp(), left(deadline, step)?, step)?;
            let n = self.stream.read(&mut buf).map_err(|e| io(step, e))?;
            if n == 0 {
                return Err(SmtpError::new(
                    step,
                    Failure::Io(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the server closed the connection",
                    )),
                ));
            }
            self.pending.extend_from_slice(&buf[..n]);
        }
    }
}

/// Where the first complete answer in `bytes` ends: after the CRLF of its first line whose
/// code is followed by a space (or nothing).
fn reply_end(bytes: &[u8]) -> Option<usize> {
    let mut start = 0;
    while let Some(i) = bytes[start..].windows(2).position(|w| w == b"\r\n") {
        let line = &bytes[start..start + i];
        let end = start + i + 2;
        if line.len() < 4 || line[3] == b' ' {
            return Some(end);
        }
        start = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_end_at_their_last_line() {
        assert_eq!(reply_end(b"250-a\r\n250-b\r\n250 c\r\n354"), Some(21));
        assert_eq!(reply_end(b"250-a\r\n250-b\r\n"), None);
        assert_eq!(reply_end(b"220\r\n"), Some(5));
    }

    #[test]
    fn data_is_dot_stuffed_and_ended() {
        assert_eq!(
            data_bytes(b".a\r\nb\r\n..c\r\n"),
            b"..a\r\nb\r\n...c\r\n\r\n.\r\n".to_vec()
        );
    }
}
