//! The ACL security log (`ACL LOG`): denied commands and channels, failed authentications.
//! Similar entries within 60 s are merged (count bumped, moved to the front), like Redis's
//! `addACLLogEntry`; at most 128 entries are kept (Redis's `acllog-max-len` default; the
//! directive is accepted but not applied), newest first.

use crate::resp::ReplyWriter;

/// `acllog-max-len` default.
pub const MAX_LEN: usize = 128;
/// Entries closer in time than this may be grouped.
const GROUPING_MS: u64 = 60_000;
/// How many recent entries are looked at for grouping.
const SCAN: usize = 10;

/// Why the entry was logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogReason {
    Command,
    Channel,
    Auth,
}

impl LogReason {
    fn name(self) -> &'static str {
        match self {
            LogReason::Command => "command",
            LogReason::Channel => "channel",
            LogReason::Auth => "auth",
        }
    }
}

/// One entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub count: u64,
    pub reason: LogReason,
    /// Command full name, channel, or (for auth) the command name as typed.
    pub object: Vec<u8>,
    pub username: Vec<u8>,
    /// Wall-clock milliseconds of the last occurrence.
    pub ctime_ms: u64,
    /// `CLIENT LIST`-style line of the last client involved.
    pub client_info: String,
}

/// The log, newest first.
#[derive(Debug, Clone, Default)]
pub struct AclLog {
    entries: Vec<LogEntry>,
}

impl AclLog {
    /// Adds an occurrence, grouping it with a similar recent one.
    pub fn add(&mut self, e: LogEntry) {
        let similar = self.entries.iter().take(SCAN).position(|x| {
            x.reason == e.reason
                && x.object == e.object
                && x.username == e.username
                && x.ctime_ms.abs_diff(e.ctime_ms) <= GROUPING_MS
        });
        match similar {
            Some(i) => {
                let mut old = self.entries.remove(i);
                old.count += 1;
                old.ctime_ms = e.ctime_ms;
                old.client_info = e.client_info;
                self.entries.insert(0, old);
            }
            None => {
                self.entries.insert(0, e);
                self.entries.truncate(MAX_LEN);
            }
        }
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `ACL LOG [count]`: up to `count` entries as 7-pair maps.
    pub fn write(&self, count: usize, now_ms: u64, w: &mut ReplyWriter) {
        let n = count.min(self.entries.len());
        w.array(n);
        for e in self.entries.iter().take(n) {
            w.map(7);
            w.bulk(b"count");
            w.integer(i64::try_from(e.count).unwrap_or(i64::MAX));
            w.bulk(b"reason");
            w.bulk(e.reason.name().as_bytes());
            w.bulk(b"context");
            w.bulk(b"toplevel");
            w.bulk(b"object");
            w.bulk(&e.object);
            w.bulk(b"username");
            w.bulk(&e.username);
            w.bulk(b"age-seconds");
            let age = now_ms.saturating_sub(e.ctime_ms) as f64 / 1000.0;
            write_double(w, age);
            w.bulk(b"client-info");
            w.bulk(e.client_info.as_bytes());
        }
    }
}

/// `addReplyDouble`: `%.17g`, as a bulk string in RESP2 and a `,` double in RESP3.
fn write_double(w: &mut ReplyWriter, d: f64) {
    let text = format_g17(d);
    match w.proto {
        crate::resp::Proto::Resp2 => w.bulk(text.as_bytes()),
        crate::resp::Proto::Resp3 => {
            w.out.push(b',');
            w.out.extend_from_slice(text.as_bytes());
            w.out.extend_from_slice(b"\r\n");
        }
    }
}

/// C's `printf("%.17g", d)` for finite values.
pub fn format_g17(d: f64) -> String {
    if d == 0.0 {
        return "0".to_string();
    }
    let sci = format!("{d:.16e}");
    let Some((mant, exp)) = sci.split_once('e') else {
        return sci;
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..17).contains(&exp) {
        let mant = trim_zeros(mant);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", exp.unsigned_abs());
    }
    let decimals = usize::try_from(16 - exp).unwrap_or(0);
    trim_zeros(&format!("{d:.decimals$}")).to_string()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_printf_g17() {
        assert_eq!(format_g17(0.804), "0.80400000000000005");
        assert_eq!(format_g17(1.106), "1.1060000000000001");
        assert_eq!(format_g17(0.0), "0");
        assert_eq!(format_g17(2.0), "2");
        assert_eq!(format_g17(0.00001), "1.0000000000000001e-05");
    }

    fn entry(obj: &str, t: u64) -> LogEntry {
        LogEntry {
            count: 1,
            reason: LogReason::Command,
            object: obj.as_bytes().to_vec(),
            username: b"u".to_vec(),
            ctime_ms: t,
            client_info: String::new(),
        }
    }

    #[test]
    fn similar_entries_within_a_minute_are_grouped_and_moved_first() {
        let mut log = AclLog::default();
        log.add(entry("a", 0));
        log.add(entry("b", 10));
        log.add(entry("a", 20));
        assert_eq!(log.len(), 2);
        assert_eq!(log.entries.first().map(|e| e.count), Some(2));
        log.add(entry("a", 100_000));
        assert_eq!(log.len(), 3);
    }
}
