//! Server tests: drive [`Server::execute`] with a fake [`Host`] and a default core, and
//! compare reply bytes with what Debian's redis-sentinel 7.0.15 sent for the same requests.

mod client_cmd;
mod commands;
mod compat;
mod dispatch;
mod info;
mod pubsub;

use std::net::SocketAddr;

use super::{ClientId, CpuUsage, Ctx, Host, SaveError, Server, Settings};
use crate::config::LogLevel;
use crate::sentinel::{Millis, Sentinel};

pub struct FakeHost {
    pub unix_us: u64,
    pub cpu: CpuUsage,
    pub log_level: LogLevel,
}

impl Host for FakeHost {
    fn unix_time_us(&self) -> u64 {
        self.unix_us
    }
    fn cpu_usage(&self) -> CpuUsage {
        self.cpu
    }
    fn is_executable(&self, _path: &str) -> bool {
        false
    }
    fn save_config(&mut self, _core: &Sentinel) -> Result<(), SaveError> {
        Ok(())
    }
    fn log_level(&self) -> LogLevel {
        self.log_level
    }
    fn set_log_level(&mut self, level: LogLevel) {
        self.log_level = level;
    }
}

/// A server plus everything `execute` needs.
pub struct Harness {
    pub srv: Server,
    pub core: Sentinel,
    pub host: FakeHost,
    pub now: Millis,
    next_port: u16,
}

impl Harness {
    pub fn new() -> Self {
        Self::with_settings(Settings::default())
    }

    pub fn with_password(pass: &str) -> Self {
        Self::with_settings(Settings {
            requirepass: Some(pass.as_bytes().to_vec()),
            ..Settings::default()
        })
    }

    pub fn with_settings(settings: Settings) -> Self {
        Harness {
            srv: Server::new(settings, 1_000),
            core: Sentinel::default(),
            host: FakeHost {
                unix_us: 1_795_430_662_866_039,
                cpu: CpuUsage::default(),
                log_level: LogLevel::Notice,
            },
            now: 1_000,
            next_port: 40000,
        }
    }

    pub fn connect(&mut self) -> ClientId {
        let peer: SocketAddr = SocketAddr::from(([127, 0, 0, 1], self.next_port));
        self.next_port += 1;
        let local: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 26379));
        self.srv.accept(self.now, peer, local)
    }

    /// Runs one command given as raw arguments; returns (and drains) the client's output.
    pub fn run(&mut self, id: ClientId, args: &[&[u8]]) -> Vec<u8> {
        let mut ctx = Ctx {
            core: &mut self.core,
            host: &mut self.host,
            now: self.now,
        };
        self.srv.execute(id, args, &mut ctx);
        std::mem::take(self.srv.output(id))
    }

    /// Runs a whitespace-separated command line.
    pub fn cmd(&mut self, id: ClientId, line: &str) -> Vec<u8> {
        let args: Vec<&[u8]> = line.split_whitespace().map(str::as_bytes).collect();
        self.run(id, &args)
    }

    /// Drains pending output (pushed messages) without running a command.
    pub fn take(&mut self, id: ClientId) -> Vec<u8> {
        std::mem::take(self.srv.output(id))
    }
}

/// Shows bytes readably in assertion failures.
#[track_caller]
pub fn assert_bytes(actual: &[u8], expected: &[u8]) {
    assert_eq!(
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(expected)
    );
}
