//! A small SMTP server for tests, on 127.0.0.1:0, started and stopped by the test itself.
//! It speaks enough of RFC 5321 for lettre (EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET,
//! NOOP, QUIT) and can be told to refuse: answer 421 to new connections, or 535 to AUTH; or to
//! be silent: accept the connection and never say a word (a hung server).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct State {
    /// Raw messages received (DATA), in order.
    pub messages: Mutex<Vec<Vec<u8>>>,
    /// Every line the clients sent, for inspection (AUTH lines included).
    pub transcript: Mutex<Vec<String>>,
    /// While > 0, each new connection is answered 421 and closed (and the count decremented).
    pub refuse_next: AtomicUsize,
    /// When set, every connection is answered 421 (the server is "down").
    pub down: AtomicBool,
    /// Accepted credentials; None accepts any.
    pub credentials: Mutex<Option<(String, String)>>,
    /// How many successful AUTH exchanges happened, by mechanism.
    pub auth_plain: AtomicUsize,
    pub auth_login: AtomicUsize,
    /// When set, the only AUTH mechanism advertised ("LOGIN"); both by default.
    pub only_mechanism: Mutex<Option<&'static str>>,
    /// TCP connections accepted.
    pub connections: AtomicUsize,
    /// Bytes of the messages received so far.
    pub received_bytes: AtomicUsize,
    /// When set, a new connection is accepted and never answered (held until the client goes).
    pub silent: AtomicBool,
}

pub struct SmtpServer {
    pub port: u16,
    pub state: Arc<State>,
}

fn b64_decode(s: &str) -> Vec<u8> {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.trim().bytes() {
        let Some(v) = T.iter().position(|&t| t == c) else {
            continue;
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    out
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(State::default());
        let st = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let st = st.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &st);
                });
            }
        });
        SmtpServer { port, state }
    }

    pub fn messages(&self) -> Vec<Vec<u8>> {
        self.state.messages.lock().unwrap().clone()
    }

    pub fn transcript(&self) -> String {
        self.state.transcript.lock().unwrap().join("\n")
    }

    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// The Message-ID of every message received, in order.
    pub fn message_ids(&self) -> Vec<String> {
        self.state
            .messages
            .lock()
            .unwrap()
            .iter()
            .filter_map(|m| message_id(m))
            .collect()
    }
}

/// The `Message-ID` header of a raw message.
pub fn message_id(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next()?;
    head.split("\r\n").find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("message-id")
            .then(|| value.trim().to_string())
    })
}

fn check_creds(st: &State, user: &str, pass: &str) -> bool {
    match &*st.credentials.lock().unwrap() {
        None => true,
        Some((u, p)) => u == user && p == pass,
    }
}

fn serve(stream: TcpStream, st: &State) -> std::io::Result<()> {
    st.connections.fetch_add(1, Ordering::SeqCst);
    if st.silent.load(Ordering::SeqCst) {
        // Say nothing; hold the connection until the client closes it.
        let mut r = stream;
        let mut buf = [0u8; 4096];
        while std::io::Read::read(&mut r, &mut buf)? > 0 {}
        return Ok(());
    }
    let mut w = stream.try_clone()?;
    let mut r = BufReader::new(stream);
    if st.down.load(Ordering::SeqCst)
        || st
            .refuse_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    {
        w.write_all(b"421 4.3.2 Service not available, try later\r\n")?;
        return Ok(());
    }
    w.write_all(b"220 localhost test SMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        st.transcript.lock().unwrap().push(cmd.clone());
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            let mechs = st.only_mechanism.lock().unwrap().unwrap_or("PLAIN LOGIN");
            let reply =
                format!("250-localhost\r\n250-AUTH {mechs}\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
            w.write_all(reply.as_bytes())?;
        } else if upper.starts_with("AUTH PLAIN") {
            let arg = cmd.split_whitespace().nth(2).unwrap_or("").to_string();
            let decoded = b64_decode(&arg);
            let parts: Vec<&[u8]> = decoded.split(|b| *b == 0).collect();
            let user =
                String::from_utf8_lossy(parts.get(1).copied().unwrap_or_default()).to_string();
            let pass =
                String::from_utf8_lossy(parts.get(2).copied().unwrap_or_default()).to_string();
            if check_creds(st, &user, &pass) {
                st.auth_plain.fetch_add(1, Ordering::SeqCst);
                w.write_all(b"235 2.7.0 Authentication successful\r\n")?;
            } else {
                w.write_all(b"535 5.7.8 Authentication credentials invalid\r\n")?;
            }
        } else if upper.starts_with("AUTH LOGIN") {
            w.write_all(b"334 VXNlcm5hbWU6\r\n")?;
            line.clear();
            r.read_line(&mut line)?;
            let user = String::from_utf8_lossy(&b64_decode(&line)).to_string();
            w.write_all(b"334 UGFzc3dvcmQ6\r\n")?;
            line.clear();
            r.read_line(&mut line)?;
            let pass = String::from_utf8_lossy(&b64_decode(&line)).to_string();
            if check_creds(st, &user, &pass) {
                st.auth_login.fetch_add(1, Ordering::SeqCst);
                w.write_all(b"235 2.7.0 Authentication successful\r\n")?;
            } else {
                w.write_all(b"535 5.7.8 Authentication credentials invalid\r\n")?;
            }
        } else if upper.starts_with("MAIL FROM") || upper.starts_with("RCPT TO") {
            w.write_all(b"250 2.1.0 OK\r\n")?;
        } else if upper == "DATA" {
            w.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
            let mut data = Vec::new();
            loop {
                let mut l = Vec::new();
                if r.read_until(b'\n', &mut l)? == 0 {
                    return Ok(());
                }
                if l == b".\r\n" || l == b".\n" {
                    break;
                }
                // Dot-unstuffing.
                if l.starts_with(b"..") {
                    l.remove(0);
                }
                data.extend_from_slice(&l);
            }
            st.received_bytes.fetch_add(data.len(), Ordering::SeqCst);
            st.messages.lock().unwrap().push(data);
            w.write_all(b"250 2.0.0 OK queued\r\n")?;
        } else if upper == "QUIT" {
            w.write_all(b"221 2.0.0 Bye\r\n")?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            w.write_all(b"250 2.0.0 OK\r\n")?;
        } else {
            w.write_all(b"502 5.5.2 Command not recognized\r\n")?;
        }
    }
}
