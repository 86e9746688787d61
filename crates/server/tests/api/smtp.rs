//! A real SMTP server for tests: aiosmtpd (PyPI) in a process of its own on a free
//! loopback port, keeping every message it receives in a maildir that the test reads and
//! parses with mail-parser. Without python3 and aiosmtpd the test fails and says how to
//! install them (`.ci/run` does).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mail_parser::{MessageParser, MimeHeaders};

/// A message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope's recipients (`RCPT TO`), as the server saw them.
    pub rcpt_to: String,
    /// The addresses of the `To` header.
    pub to: Vec<String>,
    pub from: Option<String>,
    pub subject: String,
    /// The plain-text body, decoded.
    pub text: String,
    /// Attached files: name, media type, decoded bytes.
    pub attachments: Vec<(String, String, Vec<u8>)>,
}

impl Received {
    /// The first `http(s)://` address in the body.
    pub fn link(&self) -> Option<String> {
        let start = self.text.find("http")?;
        let rest = &self.text[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }
}

/// The running SMTP server; stopped when dropped.
pub struct SmtpSink {
    child: Child,
    port: u16,
    maildir: PathBuf,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl SmtpSink {
    /// Starts aiosmtpd and waits until it accepts connections.
    pub fn start() -> SmtpSink {
        let check = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .output();
        match check {
            Ok(o) if o.status.success() => {}
            Ok(o) => panic!(
                "the SMTP tests need the Python package aiosmtpd: run `python3 -m pip install aiosmtpd` \
                 (.ci/run does). python3 said: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => panic!(
                "the SMTP tests need python3 with the package aiosmtpd (`python3 -m pip install aiosmtpd`): \
                 cannot run python3: {e}"
            ),
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let maildir = dir.path().join("maildir");
        let log = dir.path().join("aiosmtpd.log");
        let port = free_port();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("python3 starts");
        let mut sink = SmtpSink {
            child,
            port,
            maildir,
            log,
            _dir: dir,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = sink.child.try_wait() {
                panic!(
                    "aiosmtpd stopped ({status}) before accepting connections: {}",
                    sink.log_text()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "aiosmtpd did not accept connections on port {port} within 30 s: {}",
                sink.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sink
    }

    /// The URL to give the server's mailer.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Received> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(self.maildir.join(sub)).ok())
            .flatten()
            .filter_map(|e| e.ok())
            .map(|e| {
                let modified = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                (modified, e.path())
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, path)| {
                let raw = std::fs::read(&path).expect("message file");
                parse(&raw)
            })
            .collect()
    }

    /// Waits until at least `n` messages have arrived (up to 20 s) and returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "expected {n} messages, got {} after 20 s; aiosmtpd said: {}",
                got.len(),
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Asserts that nothing arrives for a while (the sending runs after the answer).
    pub async fn assert_quiet(&self, how_long: Duration) {
        tokio::time::sleep(how_long).await;
        let got = self.messages();
        assert!(got.is_empty(), "unexpected messages: {got:?}");
    }
}

fn parse(raw: &[u8]) -> Received {
    let m = MessageParser::default()
        .parse(raw)
        .unwrap_or_else(|| panic!("not a message: {}", String::from_utf8_lossy(raw)));
    Received {
        rcpt_to: m
            .header_raw("X-RcptTo")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        to: m
            .to()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.address())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        from: m
            .from()
            .and_then(|a| a.first())
            .and_then(|x| x.address())
            .map(str::to_owned),
        subject: m.subject().unwrap_or_default().to_owned(),
        text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        attachments: m
            .attachments()
            .map(|a| {
                let kind = a
                    .content_type()
                    .map(|c| match c.subtype() {
                        Some(sub) => format!("{}/{sub}", c.ctype()),
                        None => c.ctype().to_owned(),
                    })
                    .unwrap_or_default();
                (
                    a.attachment_name().unwrap_or_default().to_owned(),
                    kind,
                    a.contents().to_vec(),
                )
            })
            .collect(),
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
