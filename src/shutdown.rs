//! SIGINT and SIGTERM, the signals that ask `vitals serve` to stop.

use anyhow::Context;
use tokio::signal::unix::{signal, Signal, SignalKind};

/// Both signals, listened to from the start so that one arriving during startup is not
/// lost (and does not kill the process).
pub struct Signals {
    interrupt: Signal,
    terminate: Signal,
}

impl Signals {
    /// Starts listening.
    pub fn install() -> anyhow::Result<Signals> {
        let interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
        let terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        Ok(Signals { interrupt, terminate })
    }

    /// Waits for the next signal and names it.
    pub async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}
