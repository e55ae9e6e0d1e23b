//! Configuration: defaults, and the command-line flags that override them.

use std::ffi::OsString;
use std::net::IpAddr;
use std::time::Duration;

use crate::log::Level;

/// Everything the relay can be told. [`Config::default`] is what the binary runs with when
/// given no flags; every limit is documented in `docs/relay-protocol.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Address to listen on (`--host`). Loopback by default: a development relay.
    pub host: IpAddr,
    /// Port to listen on (`--port`); 0 picks a free port (printed on stdout).
    pub port: u16,
    /// Most open connections, handshakes included (`--max-connections`).
    pub max_connections: usize,
    /// Most subscriptions per connection (`--max-subscriptions`).
    pub max_subscriptions: usize,
    /// Largest publish payload in bytes (`--max-payload-bytes`). The WebSocket message limit
    /// is this plus the largest binary header.
    pub max_payload_bytes: usize,
    /// Send queue bound per connection, in bytes (`--send-queue-bytes`).
    pub send_queue_bytes: usize,
    /// Send queue bound per connection, in frames (`--send-queue-frames`).
    pub send_queue_frames: usize,
    /// Protocol errors a connection may cause before it is closed with 1008
    /// (`--max-protocol-errors`).
    pub max_protocol_errors: u32,
    /// Interval of the relay's WebSocket pings (`--ping-interval`).
    pub ping_interval: Duration,
    /// A connection that sends nothing (no frame, no pong) for this long is dropped
    /// (`--idle-timeout`).
    pub idle_timeout: Duration,
    /// Time allowed for the WebSocket handshake (`--handshake-timeout`).
    pub handshake_timeout: Duration,
    /// Time allowed for a closing handshake before the TCP connection is dropped
    /// (`--close-timeout`).
    pub close_timeout: Duration,
    /// Time allowed for all connections to close on shutdown (`--shutdown-timeout`).
    pub shutdown_timeout: Duration,
    /// What goes to stderr (`--log-level`).
    pub log_level: Level,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8788,
            max_connections: 1024,
            max_subscriptions: 256,
            max_payload_bytes: 1024 * 1024,
            send_queue_bytes: 8 * 1024 * 1024,
            send_queue_frames: 4096,
            max_protocol_errors: 16,
            ping_interval: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(45),
            handshake_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(2),
            shutdown_timeout: Duration::from_secs(5),
            log_level: Level::Info,
        }
    }
}

/// The flags, for `--help`.
pub const USAGE: &str = "\
streamr-e2ee-relay: development WebSocket relay for streamr-e2ee (fans out encrypted
StreamMessage bytes per stream partition; see docs/relay-protocol.md)

Usage: streamr-e2ee-relay [FLAGS]

  --host ADDR                 listen address                    [127.0.0.1]
  --port N                    listen port, 0 = any free port    [8788]
  --max-connections N         open connections                  [1024]
  --max-subscriptions N       subscriptions per connection      [256]
  --max-payload-bytes N       largest publish payload           [1048576]
  --send-queue-bytes N        per-connection send queue, bytes  [8388608]
  --send-queue-frames N       per-connection send queue, frames [4096]
  --max-protocol-errors N     errors before closing with 1008   [16]
  --ping-interval DURATION    WebSocket ping interval           [15s]
  --idle-timeout DURATION     drop a silent connection after    [45s]
  --handshake-timeout DURATION                                  [10s]
  --close-timeout DURATION    closing handshake bound           [2s]
  --shutdown-timeout DURATION bound on a clean shutdown         [5s]
  --log-level LEVEL           error, warn, info, debug          [info]
  -h, --help                  this text
  -V, --version               the version

DURATION is a number with a unit: 500ms, 15s, 2m. The bound address is printed on
stdout as ws://HOST:PORT once listening; logs go to stderr. SIGTERM or Ctrl-C closes
every connection with 1001 and exits 0.
";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Run the relay.
    Run(Config),
    /// Print [`USAGE`].
    Help,
    /// Print the version.
    Version,
}

/// Parses the flags (without the program name). `--flag value` and `--flag=value` both work.
pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut config = Config::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|a| format!("argument {a:?} is not UTF-8"))?;
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value.into())),
            _ => (arg, None),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            _ => {}
        }
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .ok_or_else(|| format!("{flag} needs a value"))?
                .into_string()
                .map_err(|a| format!("value {a:?} of {flag} is not UTF-8"))?,
        };
        let c = &mut config;
        match flag.as_str() {
            "--host" => c.host = value.parse().map_err(|_| bad(&flag, &value, "an IP"))?,
            "--port" => c.port = number(&flag, &value)?,
            "--max-connections" => c.max_connections = positive(&flag, &value)?,
            "--max-subscriptions" => c.max_subscriptions = positive(&flag, &value)?,
            "--max-payload-bytes" => c.max_payload_bytes = positive(&flag, &value)?,
            "--send-queue-bytes" => c.send_queue_bytes = positive(&flag, &value)?,
            "--send-queue-frames" => c.send_queue_frames = positive(&flag, &value)?,
            "--max-protocol-errors" => c.max_protocol_errors = positive(&flag, &value)?,
            "--ping-interval" => c.ping_interval = duration(&flag, &value)?,
            "--idle-timeout" => c.idle_timeout = duration(&flag, &value)?,
            "--handshake-timeout" => c.handshake_timeout = duration(&flag, &value)?,
            "--close-timeout" => c.close_timeout = duration(&flag, &value)?,
            "--shutdown-timeout" => c.shutdown_timeout = duration(&flag, &value)?,
            "--log-level" => {
                c.log_level = Level::parse(&value)
                    .ok_or_else(|| bad(&flag, &value, "error, warn, info or debug"))?;
            }
            _ => return Err(format!("unknown flag {flag} (see --help)")),
        }
    }
    config.validate()?;
    Ok(Command::Run(config))
}

impl Config {
    /// Checks the relations between limits.
    pub fn validate(&self) -> Result<(), String> {
        if self.send_queue_bytes < self.max_payload_bytes + crate::protocol::MAX_HEADER_BYTES {
            return Err(
                "--send-queue-bytes must hold at least one largest message (payload + header)"
                    .into(),
            );
        }
        if self.idle_timeout <= self.ping_interval {
            return Err("--idle-timeout must be longer than --ping-interval".into());
        }
        for (name, d) in [
            ("--ping-interval", self.ping_interval),
            ("--handshake-timeout", self.handshake_timeout),
            ("--close-timeout", self.close_timeout),
            ("--shutdown-timeout", self.shutdown_timeout),
        ] {
            if d.is_zero() {
                return Err(format!("{name} must not be zero"));
            }
        }
        Ok(())
    }
}

fn bad(flag: &str, value: &str, want: &str) -> String {
    format!("{flag} {value:?}: expected {want}")
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value.parse().map_err(|_| bad(flag, value, "a number"))
}

fn positive<T: std::str::FromStr + Default + PartialEq>(
    flag: &str,
    value: &str,
) -> Result<T, String> {
    let n: T = number(flag, value)?;
    if n == T::default() {
        return Err(bad(flag, value, "a number above 0"));
    }
    Ok(n)
}

/// `500ms`, `15s`, `2m`.
fn duration(flag: &str, value: &str) -> Result<Duration, String> {
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (n, unit) = value.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| bad(flag, value, "a duration such as 500ms, 15s or 2m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n.saturating_mul(60))),
        _ => Err(bad(flag, value, "a duration such as 500ms, 15s or 2m")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(OsString::from))
    }

    #[test]
    fn defaults_and_flags() {
        assert_eq!(parse(&[]).unwrap(), Command::Run(Config::default()));
        assert_eq!(parse(&["--port", "9", "--help"]).unwrap(), Command::Help);
        assert_eq!(parse(&["-V"]).unwrap(), Command::Version);
        let Command::Run(c) = parse(&[
            "--host=0.0.0.0",
            "--port",
            "0",
            "--max-subscriptions",
            "3",
            "--ping-interval",
            "250ms",
            "--idle-timeout=2m",
            "--log-level",
            "warn",
        ])
        .unwrap() else {
            unreachable!()
        };
        assert_eq!(c.host, IpAddr::from([0, 0, 0, 0]));
        assert_eq!(c.port, 0);
        assert_eq!(c.max_subscriptions, 3);
        assert_eq!(c.ping_interval, Duration::from_millis(250));
        assert_eq!(c.idle_timeout, Duration::from_secs(120));
        assert_eq!(c.log_level, Level::Warn);
    }

    #[test]
    fn bad_flags() {
        for args in [
            &["--nope", "1"][..],
            &["--port"],
            &["--port", "70000"],
            &["--host", "localhost"],
            &["--max-connections", "0"],
            &["--ping-interval", "5"],
            &["--ping-interval", "5h"],
            &["--ping-interval", "10s", "--idle-timeout", "10s"],
            &["--max-payload-bytes", "9000000"],
            &["--log-level", "loud"],
        ] {
            assert!(parse(args).is_err(), "{args:?}");
        }
    }
}
