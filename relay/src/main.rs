//! The `streamr-e2ee-relay` binary: flags in, `ws://host:port` on stdout, logs on stderr,
//! exit 0 after a clean shutdown on SIGTERM or Ctrl-C.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    native::main()
}

/// The relay is a native server; the wasm32 build of the workspace skips it.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::io::Write;
    use std::process::ExitCode;
    use std::time::Duration;

    use streamr_e2ee_relay::config::{self, Command, USAGE};
    use streamr_e2ee_relay::log::Level;
    use streamr_e2ee_relay::{Config, Relay};

    pub fn main() -> ExitCode {
        match config::parse_args(std::env::args_os().skip(1)) {
            Ok(Command::Run(config)) => run(config),
            Ok(Command::Help) => {
                print!("{USAGE}");
                ExitCode::SUCCESS
            }
            Ok(Command::Version) => {
                println!("streamr-e2ee-relay {}", env!("CARGO_PKG_VERSION"));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("streamr-e2ee-relay: {e}");
                ExitCode::from(2)
            }
        }
    }

    fn run(config: Config) -> ExitCode {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                eprintln!("streamr-e2ee-relay: cannot start the runtime: {e}");
                return ExitCode::FAILURE;
            }
        };
        let code = runtime.block_on(serve(config));
        runtime.shutdown_timeout(Duration::from_secs(1));
        code
    }

    async fn serve(config: Config) -> ExitCode {
        // Listen for signals before announcing the address: a signal sent right after a
        // client read it must already mean a clean shutdown.
        let signals = match Signals::new() {
            Ok(signals) => signals,
            Err(e) => {
                eprintln!("streamr-e2ee-relay: cannot install signal handlers: {e}");
                return ExitCode::FAILURE;
            }
        };
        let (host, port) = (config.host, config.port);
        let relay = match Relay::bind(config).await {
            Ok(relay) => relay,
            Err(e) => {
                eprintln!("streamr-e2ee-relay: cannot listen on {host}:{port}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let handle = relay.handle();
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", handle.url()).and_then(|()| stdout.flush());
        drop(stdout);

        tokio::spawn(async move {
            let name = signals.recv().await;
            handle
                .logger()
                .log(Level::Info, format_args!("{name}: shutting down"));
            handle.shutdown();
        });
        relay.run().await;
        ExitCode::SUCCESS
    }

    /// SIGTERM and SIGINT (Ctrl-C).
    struct Signals {
        #[cfg(unix)]
        term: tokio::signal::unix::Signal,
        #[cfg(unix)]
        int: tokio::signal::unix::Signal,
    }

    impl Signals {
        #[cfg(unix)]
        fn new() -> std::io::Result<Self> {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                int: signal(SignalKind::interrupt())?,
            })
        }

        #[cfg(not(unix))]
        fn new() -> std::io::Result<Self> {
            Ok(Signals {})
        }

        #[cfg(unix)]
        async fn recv(mut self) -> &'static str {
            tokio::select! {
                _ = self.term.recv() => "SIGTERM",
                _ = self.int.recv() => "SIGINT",
            }
        }

        #[cfg(not(unix))]
        async fn recv(self) -> &'static str {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
