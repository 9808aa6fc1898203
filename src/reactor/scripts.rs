//! Running scripts for the core: spawn without a shell (`execve` semantics via
//! `std::process::Command`, which gives the child only stdin/stdout/stderr — every other
//! descriptor of ours is close-on-exec), reap them without blocking, and SIGKILL on request.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};

use crate::sentinel::scripts::ScriptExit;

#[derive(Default)]
pub struct ScriptRunner {
    children: HashMap<u64, Child>,
}

impl ScriptRunner {
    /// Starts job `id`. Returns its pid, or `None` if it could not be spawned.
    pub fn spawn(&mut self, id: u64, argv: &[String]) -> Option<u32> {
        let (path, args) = argv.split_first()?;
        let child = Command::new(path)
            .args(args)
            .stdin(Stdio::null())
            .spawn()
            .ok()?;
        let pid = child.id();
        self.children.insert(id, child);
        Some(pid)
    }

    pub fn kill(&mut self, id: u64) {
        if let Some(c) = self.children.get_mut(&id) {
            let _ = c.kill();
        }
    }

    /// Jobs that have exited since the last call.
    pub fn reap(&mut self) -> Vec<(u64, ScriptExit)> {
        use std::os::unix::process::ExitStatusExt;
        let mut done = Vec::new();
        self.children.retain(|&id, child| match child.try_wait() {
            Ok(Some(status)) => {
                let code = status.code().unwrap_or(0);
                let signal = status.signal().unwrap_or(0);
                done.push((id, ScriptExit::Exited { code, signal }));
                false
            }
            Ok(None) => true,
            Err(_) => {
                done.push((id, ScriptExit::Exited { code: 2, signal: 0 }));
                false
            }
        });
        done
    }

    pub fn running(&self) -> usize {
        self.children.len()
    }
}
