//! Logging in Redis's line format, `<pid>:X <dd Mon yyyy HH:MM:SS.mmm> <lvl> <text>`, to the
//! `logfile` or stdout, through the `log` facade (`env_logger` formats; our target writes).
//! The file target is reopenable ([`reopen`], on SIGHUP) so logrotate can move it away.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use log::LevelFilter;

/// Redis `loglevel` → the `log` filter (debug → trace, verbose → debug, notice → info,
/// warning → warn).
pub fn level_filter(redis_level: &str) -> LevelFilter {
    match redis_level {
        "debug" => LevelFilter::Trace,
        "verbose" => LevelFilter::Debug,
        "warning" => LevelFilter::Warn,
        _ => LevelFilter::Info,
    }
}

fn level_char(l: log::Level) -> char {
    match l {
        log::Level::Trace => '.',
        log::Level::Debug => '-',
        log::Level::Info => '*',
        log::Level::Warn | log::Level::Error => '#',
    }
}

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `23 Nov 2026 10:48:11.123` for a Unix time in microseconds (UTC).
pub fn redis_timestamp(unix_us: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = (unix_us / 1_000_000) as i64;
    let ms = (unix_us / 1000) % 1000;
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let mon = MONTHS
        .get((m as usize).saturating_sub(1))
        .copied()
        .unwrap_or("???");
    format!(
        "{d:02} {mon} {y} {:02}:{:02}:{:02}.{ms:03}",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// The open log file and the path it was opened from (absolute, so that a reopen after a
/// `chdir` finds the same file).
struct LogFile {
    path: PathBuf,
    file: File,
}

/// `None` while logging to stdout.
static LOG_FILE: Mutex<Option<LogFile>> = Mutex::new(None);

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// The logger's target: the current [`LOG_FILE`], or stdout.
struct Target;

impl Write for Target {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut guard = LOG_FILE.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_mut() {
            Some(lf) => lf.file.write(buf),
            None => io::stdout().write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        let mut guard = LOG_FILE.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_mut() {
            Some(lf) => lf.file.flush(),
            None => io::stdout().flush(),
        }
    }
}

/// Installs the logger. `logfile` empty = stdout; a relative path is taken from the current
/// directory (`main` has already moved to `dir`, as Redis has when it opens the log).
pub fn init(logfile: &str, redis_level: &str) -> io::Result<()> {
    if !logfile.is_empty() {
        let path = std::path::absolute(logfile)?;
        let file = open_append(&path)?;
        *LOG_FILE.lock().unwrap_or_else(|p| p.into_inner()) = Some(LogFile { path, file });
    }
    let pid = std::process::id();
    // The logger itself passes everything: the level is the `log` crate's maximum, which
    // [`set_level`] changes at run time.
    env_logger::Builder::new()
        .filter_level(LevelFilter::Trace)
        .target(env_logger::Target::Pipe(Box::new(Target)))
        .format(move |buf, record| {
            writeln!(
                buf,
                "{pid}:X {} {} {}",
                redis_timestamp(super::signals::unix_time_us()),
                level_char(record.level()),
                record.args()
            )
        })
        .try_init()
        .map_err(io::Error::other)?;
    log::set_max_level(level_filter(redis_level));
    Ok(())
}

/// Changes the level at once (`SENTINEL CONFIG SET loglevel`).
pub fn set_level(redis_level: &str) {
    log::set_max_level(level_filter(redis_level));
}

/// The Redis `loglevel` in force.
pub fn level() -> &'static str {
    match log::max_level() {
        LevelFilter::Trace => "debug",
        LevelFilter::Debug => "verbose",
        LevelFilter::Warn | LevelFilter::Error | LevelFilter::Off => "warning",
        LevelFilter::Info => "notice",
    }
}

/// Reopens the log file by its path (SIGHUP, after logrotate moved it away). On failure the
/// old file stays in use and the error is returned. A no-op when logging to stdout.
pub fn reopen() -> io::Result<()> {
    let mut guard = LOG_FILE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(lf) = guard.as_mut() {
        lf.file = open_append(&lf.path)?;
    }
    Ok(())
}

/// Writes a line in the shape Redis uses from inside a signal handler,
/// `<pid>:signal-handler (<unix secs>) <text>` (no level filter below warning applies).
pub fn signal_handler_line(text: &str) {
    let line = format!(
        "{}:signal-handler ({}) {text}\n",
        std::process::id(),
        super::signals::unix_time_us() / 1_000_000
    );
    if log::max_level() >= log::LevelFilter::Warn {
        let _ = Target.write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_matches_redis_format() {
        // 2026-11-23 10:48:11.123 UTC
        assert_eq!(
            redis_timestamp(1_795_430_891_123_000),
            "23 Nov 2026 10:48:11.123"
        );
        assert_eq!(redis_timestamp(0), "01 Jan 1970 00:00:00.000");
    }
}
