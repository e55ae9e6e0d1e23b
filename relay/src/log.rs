//! Log lines on stderr: `<seconds since start> <LEVEL> <message>`.
//!
//! A dozen lines of code instead of a logging framework: the relay logs connection events
//! and counters, never payload bytes.

use std::fmt::Arguments;
use std::io::Write;
use std::time::Instant;

/// How much to log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing (tests).
    Off,
    /// Failures of the relay itself.
    Error,
    /// Clients disconnected by a limit, and protocol errors.
    Warn,
    /// Start, shutdown, connections opening and closing.
    Info,
    /// Subscriptions.
    Debug,
}

impl Level {
    /// `off`, `error`, `warn`, `info` or `debug`.
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "off" => Some(Level::Off),
            "error" => Some(Level::Error),
            "warn" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" => Some(Level::Debug),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Level::Off => "",
            Level::Error => "ERROR",
            Level::Warn => "WARN ",
            Level::Info => "INFO ",
            Level::Debug => "DEBUG",
        }
    }
}

/// Writes lines at or below its level to stderr.
#[derive(Clone, Copy, Debug)]
pub struct Logger {
    level: Level,
    start: Instant,
}

impl Logger {
    /// A logger that writes lines at `level` and below.
    pub fn new(level: Level) -> Self {
        Logger {
            level,
            start: Instant::now(),
        }
    }

    /// Whether lines at `level` are written.
    pub fn enabled(&self, level: Level) -> bool {
        level != Level::Off && level <= self.level
    }

    /// Writes one line if `level` is enabled. A failing stderr is ignored.
    pub fn log(&self, level: Level, args: Arguments<'_>) {
        if self.enabled(level) {
            let t = self.start.elapsed().as_secs_f64();
            let _ = writeln!(
                std::io::stderr().lock(),
                "{t:>10.3} {} {args}",
                level.label()
            );
        }
    }
}
