//! A real SMTP server for tests (feature `testing`): [`SmtpSink`] runs
//! `tests/support/smtp_sink.py` (Python's aiosmtpd) as a child process on a free loopback port
//! and reads back what it received. It can be stopped and restarted on the same port to stage an
//! outage. It needs `python3` with aiosmtpd (`pip install aiosmtpd`) and panics with that advice
//! when it is missing: a test that needs a mail server must not pass without one.
//!
//! Real sockets and a real process: do not combine with tokio's paused clock, which would fire
//! the mailer's and the sink's timeouts while they wait for IO.
//!
//! ```no_run
//! # async fn demo() {
//! use linli_gateway::email::{testing::SmtpSink, SmtpMailer};
//! let mut sink = SmtpSink::start().await;
//! let mailer = SmtpMailer::new(sink.config()).unwrap();
//! // … send, then: sink.received()[0].subject()
//! sink.stop().await; // sends now fail with EmailError::Transient
//! sink.restart().await; // same port, same directory, numbering continues
//! # }
//! ```

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use super::{SmtpConfig, SmtpSecurity};

pub use mail_parser;

/// The sink script, next to this crate's integration tests.
pub const SINK_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");

/// The From address [`SmtpSink::config`] uses.
pub const TEST_FROM: &str = "邻里物业 <noreply@linli.test>";

// Generous: these bound a hang, they are not a measurement. A loaded CI box can take seconds to
// start Python.
const READY_WITHIN: Duration = Duration::from_secs(30);
const RESTART_WITHIN: Duration = Duration::from_secs(10);
const WAIT_FOR_MAIL_WITHIN: Duration = Duration::from_secs(30);

/// A running (or stopped) aiosmtpd sink. Dropping it kills the process and deletes its files.
pub struct SmtpSink {
    root: tempfile::TempDir,
    dir: PathBuf,
    port: u16,
    auth: Option<(String, String)>,
    process: Option<(Child, Lines<BufReader<ChildStdout>>)>,
}

impl SmtpSink {
    /// Starts a sink on a free port that accepts mail without authentication.
    pub async fn start() -> Self {
        Self::launch(None).await
    }

    /// Starts a sink that requires AUTH (PLAIN or LOGIN, over the plain connection) with these
    /// credentials and answers 535 to any others.
    pub async fn start_with_auth(user: &str, password: &str) -> Self {
        Self::launch(Some((user.to_owned(), password.to_owned()))).await
    }

    async fn launch(auth: Option<(String, String)>) -> Self {
        let root = tempfile::Builder::new().prefix("linli-smtp-sink-").tempdir().expect("temporary directory");
        let dir = root.path().join("mail");
        let mut sink = Self { root, dir, port: 0, auth, process: None };
        let (port, process) = sink.spawn(0).await.unwrap_or_else(|e| panic!("{e}"));
        sink.port = port;
        sink.process = Some(process);
        sink
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where the messages land, as `1.eml`, `2.eml`, …
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn is_running(&self) -> bool {
        self.process.is_some()
    }

    /// A plain-SMTP configuration pointing at this sink, with its credentials if it requires
    /// them, [`TEST_FROM`] as sender and a 5 second timeout.
    pub fn config(&self) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            security: SmtpSecurity::Plain,
            username: self.auth.as_ref().map(|(u, _)| u.clone()),
            password: self.auth.as_ref().map(|(_, p)| p.clone()),
            from: TEST_FROM.into(),
            timeout_secs: 5,
        }
    }

    /// Kills the server and waits until it is gone: from now on connections are refused. Messages
    /// already received stay. Does nothing when already stopped.
    pub async fn stop(&mut self) {
        if let Some((mut child, _stdout)) = self.process.take() {
            // Fails only if it already died; waiting reaps it either way.
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }

    /// Stops the server if it runs and starts it again on the same port and directory; new
    /// messages continue the numbering. Retries for a few seconds if the port is still held.
    pub async fn restart(&mut self) {
        self.stop().await;
        let deadline = tokio::time::Instant::now() + RESTART_WITHIN;
        loop {
            match self.spawn(self.port).await {
                Ok((_, process)) => {
                    self.process = Some(process);
                    return;
                }
                Err(e) if tokio::time::Instant::now() >= deadline => panic!("restarting on port {}: {e}", self.port),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Every message received so far, oldest first. A message is on disk before the server
    /// acknowledges it, so after a successful `send` it is here.
    pub fn received(&self) -> Vec<ReceivedEmail> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut numbered: Vec<(u64, PathBuf)> = entries
            .filter_map(|e| {
                let path = e.ok()?.path();
                let n = path.file_name()?.to_str()?.strip_suffix(".eml")?.parse().ok()?;
                Some((n, path))
            })
            .collect();
        numbered.sort();
        numbered.into_iter().map(|(_, path)| ReceivedEmail::read(path)).collect()
    }

    /// Waits until at least `count` messages have arrived (for senders that run in the
    /// background, such as an outbox worker) and returns them all; panics after 30 seconds.
    pub async fn wait_for(&self, count: usize) -> Vec<ReceivedEmail> {
        let deadline = tokio::time::Instant::now() + WAIT_FOR_MAIL_WITHIN;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the SMTP sink received {} of {count} messages in {WAIT_FOR_MAIL_WITHIN:?}",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn log_path(&self) -> PathBuf {
        self.root.path().join("sink.log")
    }

    /// The sink's stderr across all its runs.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    async fn spawn(&self, port: u16) -> Result<(u16, (Child, Lines<BufReader<ChildStdout>>)), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .map_err(|e| format!("SMTP sink log: {e}"))?;
        let mut command = Command::new("python3");
        command
            .arg(SINK_SCRIPT)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--dir"])
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true);
        if let Some((user, password)) = &self.auth {
            command.args(["--auth-user", user, "--auth-password", password]);
        }
        let mut child = command.spawn().map_err(|e| {
            format!("cannot run python3 for the SMTP sink ({e}); install Python 3 and `pip install aiosmtpd`")
        })?;
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let line = tokio::time::timeout(READY_WITHIN, stdout.next_line()).await;
        let what = match line {
            Ok(Ok(Some(line))) => match line.strip_prefix("READY ").and_then(|p| p.trim().parse::<u16>().ok()) {
                Some(port) => return Ok((port, (child, stdout))),
                None => format!("printed {line:?} instead of READY <port>"),
            },
            Ok(Ok(None)) => "exited without printing READY".to_owned(),
            Ok(Err(e)) => format!("could not be read from: {e}"),
            Err(_) => format!("printed nothing within {READY_WITHIN:?}"),
        };
        let _ = child.kill().await;
        // The script itself explains a missing aiosmtpd (`pip install aiosmtpd`) on stderr.
        Err(format!("the SMTP sink {SINK_SCRIPT} {what}; its stderr:\n{}", self.log()))
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some((child, _)) = &mut self.process {
            let _ = child.start_kill();
        }
    }
}

/// One `.eml` the sink wrote: the envelope it saw and the message exactly as received.
#[derive(Debug, Clone)]
pub struct ReceivedEmail {
    pub path: PathBuf,
    /// `MAIL FROM` address.
    pub mail_from: String,
    /// `RCPT TO` addresses the sink accepted.
    pub rcpt_to: Vec<String>,
    /// The message as sent over DATA, without the sink's `X-Sink-*` envelope lines.
    pub raw: Vec<u8>,
}

impl ReceivedEmail {
    fn read(path: PathBuf) -> Self {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (mut mail_from, mut rcpt_to, mut rest) = (String::new(), Vec::new(), &bytes[..]);
        loop {
            let end = rest.windows(2).position(|w| w == b"\r\n").map_or(rest.len(), |i| i + 2);
            let line = String::from_utf8_lossy(&rest[..end]);
            let value = |prefix: &str| line.strip_prefix(prefix).map(|v| v.trim().trim_matches(['<', '>']).to_owned());
            if let Some(v) = value("X-Sink-Mail-From:") {
                mail_from = v;
            } else if let Some(v) = value("X-Sink-Rcpt-To:") {
                rcpt_to.push(v);
            } else {
                break;
            }
            rest = &rest[end..];
        }
        let raw = rest.to_vec();
        Self { path, mail_from, rcpt_to, raw }
    }

    /// The whole message, parsed; panics if it is not MIME at all.
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .unwrap_or_else(|| panic!("{} is not a MIME message", self.path.display()))
    }

    /// The decoded Subject.
    pub fn subject(&self) -> Option<String> {
        self.parsed().subject().map(str::to_owned)
    }

    /// The Message-ID with its angle brackets, as [`super::SmtpMailer::send`] returns it.
    pub fn message_id(&self) -> Option<String> {
        self.parsed().message_id().map(|id| format!("<{id}>"))
    }

    /// Each To recipient as (decoded display name, address).
    pub fn to(&self) -> Vec<(Option<String>, String)> {
        let parsed = self.parsed();
        let Some(to) = parsed.to() else { return Vec::new() };
        to.iter().map(|a| (a.name().map(str::to_owned), a.address().unwrap_or_default().to_owned())).collect()
    }

    /// The decoded text/plain part with `\n` line ends (SMTP carries CRLF), if there is one.
    pub fn text(&self) -> Option<String> {
        self.part(|t| matches!(t, mail_parser::PartType::Text(_)))
    }

    /// The decoded text/html part with `\n` line ends, if there is one.
    pub fn html(&self) -> Option<String> {
        self.part(|t| matches!(t, mail_parser::PartType::Html(_)))
    }

    /// A top-level header's value as written on the wire, unfolded and trimmed.
    pub fn header(&self, name: &str) -> Option<String> {
        let parsed = self.parsed();
        let raw = parsed.headers_raw().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)?;
        Some(raw.replace("\r\n", "").replace('\n', "").trim().to_owned())
    }

    fn part(&self, kind: impl Fn(&mail_parser::PartType<'_>) -> bool) -> Option<String> {
        let parsed = self.parsed();
        let text = parsed.parts.iter().find(|p| kind(&p.body)).and_then(|p| p.text_contents())?.to_owned();
        Some(text.replace("\r\n", "\n"))
    }
}
