//! Script scheduling (§14), decided in the core: a queue of at most 256 jobs, at most 16
//! running, retries with exponential backoff, a run-time limit. The shell only spawns and
//! kills processes ([`Action::RunScript`], [`Action::KillScript`]) and reports back.

use std::collections::VecDeque;

use super::{Action, Level, Millis, Sentinel};

pub const SCRIPT_MAX_QUEUE: usize = 256;
pub const SCRIPT_MAX_RUNNING: usize = 16;
pub const SCRIPT_MAX_RETRY: u32 = 10;

/// One queued or running script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptJob {
    pub id: u64,
    /// `argv[0]` is the script path.
    pub argv: Vec<String>,
    pub running: bool,
    pub pid: u32,
    /// Running: when it started; queued: when it may start.
    pub start_time: Millis,
    pub retry_num: u32,
}

#[derive(Debug, Default)]
pub struct Scripts {
    pub jobs: VecDeque<ScriptJob>,
    next_id: u64,
}

impl Scripts {
    pub fn running(&self) -> usize {
        self.jobs.iter().filter(|j| j.running).count()
    }
}

/// How a script process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptExit {
    /// It could not be started at all.
    SpawnFailed,
    Exited {
        code: i32,
        signal: i32,
    },
}

impl Sentinel {
    /// sentinelScheduleScriptExecution: when the queue is full, the oldest job that is not
    /// running is dropped.
    pub(super) fn queue_script(&mut self, argv: Vec<String>) {
        if self.scripts.jobs.len() >= SCRIPT_MAX_QUEUE {
            if let Some(pos) = self.scripts.jobs.iter().position(|j| !j.running) {
                self.scripts.jobs.remove(pos);
            } else {
                return;
            }
        }
        self.scripts.next_id += 1;
        let id = self.scripts.next_id;
        self.scripts.jobs.push_back(ScriptJob {
            id,
            argv,
            running: false,
            pid: 0,
            start_time: 0,
            retry_num: 0,
        });
    }

    /// sentinelRunPendingScripts + sentinelKillTimedoutScripts, from the tick.
    pub(super) fn run_scripts(&mut self, now: Millis) {
        let mut running = self.scripts.running();
        let max_runtime = self.timing.script_max_runtime;
        let mut start = Vec::new();
        let mut kill = Vec::new();
        for j in self.scripts.jobs.iter_mut() {
            if j.running {
                if now.saturating_sub(j.start_time) > max_runtime && j.pid != 0 {
                    kill.push((j.id, j.argv.first().cloned().unwrap_or_default(), j.pid));
                }
            } else if running < SCRIPT_MAX_RUNNING && j.start_time <= now {
                j.running = true;
                j.start_time = now;
                j.retry_num += 1;
                running += 1;
                start.push((j.id, j.argv.clone()));
            }
        }
        for (id, argv) in start {
            self.actions.push_back(Action::RunScript { id, argv });
        }
        for (id, path, pid) in kill {
            self.event(Level::Warning, "-script-timeout", format!("{path} {pid}"));
            self.actions.push_back(Action::KillScript { id });
        }
    }

    /// The shell started job `id` as process `pid`.
    pub fn script_started(&mut self, id: u64, pid: u32) {
        if let Some(j) = self.scripts.jobs.iter_mut().find(|j| j.id == id) {
            j.pid = pid;
        }
    }

    /// sentinelCollectTerminatedScripts: retry on signal or exit code 1, else done or error.
    pub fn script_exited(&mut self, now: Millis, id: u64, exit: ScriptExit) {
        let Some(pos) = self.scripts.jobs.iter().position(|j| j.id == id) else {
            return;
        };
        let Some(j) = self.scripts.jobs.get_mut(pos) else {
            return;
        };
        let path = j.argv.first().cloned().unwrap_or_default();
        let (code, signal) = match exit {
            ScriptExit::SpawnFailed => {
                self.scripts.jobs.remove(pos);
                self.event(Level::Warning, "-script-error", format!("{path} 99 0"));
                return;
            }
            ScriptExit::Exited { code, signal } => (code, signal),
        };
        let pid = j.pid;
        j.running = false;
        j.pid = 0;
        let retry = (signal != 0 || code == 1) && j.retry_num != SCRIPT_MAX_RETRY;
        if retry {
            let shift = j.retry_num.saturating_sub(1).min(20);
            j.start_time = now + self.timing.script_retry_delay.saturating_mul(1u64 << shift);
        } else {
            self.scripts.jobs.remove(pos);
        }
        self.event(
            Level::Debug,
            "-script-child",
            format!("{pid} {code} {signal}"),
        );
        if !retry && (code != 0 || signal != 0) {
            self.event(
                Level::Warning,
                "-script-error",
                format!("{path} {signal} {code}"),
            );
        }
    }

    /// Jobs queued or running, oldest first (`SENTINEL PENDING-SCRIPTS`).
    pub fn script_jobs(&self) -> impl Iterator<Item = &ScriptJob> {
        self.scripts.jobs.iter()
    }
}
