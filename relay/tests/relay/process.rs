//! The built binary: flags, the printed address, and a clean exit on SIGTERM and SIGINT.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{Client, WAIT, message};

const BIN: &str = env!("CARGO_BIN_EXE_streamr-e2ee-relay");

/// The relay process; killed (by its PID) if a test fails before it exits.
struct RelayProcess {
    child: Child,
    addr: SocketAddr,
    stderr: mpsc::Receiver<String>,
}

impl RelayProcess {
    fn spawn(args: &[&str]) -> RelayProcess {
        let mut child = Command::new(BIN)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the relay binary");
        let stdout = child.stdout.take().expect("stdout");
        let (url_tx, url_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = url_tx.send(line);
        });
        let mut stderr = child.stderr.take().expect("stderr");
        let (log_tx, log_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut log = String::new();
            let _ = stderr.read_to_string(&mut log);
            let _ = log_tx.send(log);
        });
        let mut process = RelayProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stderr: log_rx,
        };
        let line = url_rx
            .recv_timeout(WAIT)
            .expect("the relay prints its address");
        let addr = line
            .trim()
            .strip_prefix("ws://")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("expected ws://HOST:PORT on stdout, got {line:?}"));
        process.addr = addr;
        process
    }

    /// Sends `signal` (TERM, INT) to the relay's PID, with the shell's `kill` builtin.
    fn signal(&self, signal: &str) {
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("kill -{signal} {}", self.child.id()))
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits for the process to exit; returns its status and everything it logged.
    async fn wait(&mut self) -> (ExitStatus, String) {
        let deadline = tokio::time::Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the relay did not exit"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let log = self.stderr.recv_timeout(WAIT).unwrap_or_default();
        (status, log)
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

async fn shuts_down_cleanly_on(signal: &str) {
    let mut relay = RelayProcess::spawn(&["--log-level", "debug"]);
    let mut a = Client::connect(relay.addr).await;
    let mut b = Client::connect(relay.addr).await;
    a.subscribe("0xabc/secret#0").await;
    b.subscribe("0xabc/secret#0").await;
    let payload = b"SECRET-PAYLOAD-BYTES";
    a.publish("0xabc/secret#0", payload).await;
    assert_eq!(b.next_event().await, message("0xabc/secret#0", payload));
    a.barrier().await;

    relay.signal(signal);
    for c in [&mut a, &mut b] {
        assert_eq!(c.expect_close().await, 1001);
    }
    a.close().await;
    b.close().await;

    let (status, log) = relay.wait().await;
    assert!(status.success(), "exit status {status:?}; log:\n{log}");
    assert!(
        log.contains(&format!("SIG{signal}: shutting down")),
        "{log}"
    );
    assert!(log.contains("stopped:"), "{log}");
    assert!(
        !log.contains("SECRET-PAYLOAD-BYTES"),
        "payload bytes in the log:\n{log}"
    );
}

#[tokio::test]
async fn sigterm_closes_clients_with_1001_and_exits_0() {
    shuts_down_cleanly_on("TERM").await;
}

#[tokio::test]
async fn sigint_closes_clients_with_1001_and_exits_0() {
    shuts_down_cleanly_on("INT").await;
}

#[test]
fn flags_are_checked() {
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run the relay binary")
    };
    let help = run(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--max-subscriptions"));
    for bad in [&["--port", "x"][..], &["--frobnicate"]] {
        let out = run(bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(!out.stderr.is_empty());
    }
}
