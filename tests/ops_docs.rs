//! The man pages in `man/` say what the code does: they format without groff warnings, every
//! `sentinel` directive the parser accepts is in `rsentinel.conf.5`, every option of `--help`
//! is in `rsentinel.1`, and every event the core emits is in `rsentinel-events.7`.

use std::path::{Path, PathBuf};
use std::process::Command;

const PAGES: [&str; 3] = ["rsentinel.1", "rsentinel.conf.5", "rsentinel-events.7"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn page(name: &str) -> PathBuf {
    root().join("man").join(name)
}

/// Page source with the escapes that matter for word search undone.
fn plain(name: &str) -> String {
    std::fs::read_to_string(page(name))
        .unwrap_or_else(|e| panic!("read man/{name}: {e}"))
        .replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fI", "")
        .replace("\\fR", "")
        .replace("\\fP", "")
}

fn source(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// Quoted words in `text` (between double quotes, no blanks inside).
fn quoted_words(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|w| !w.is_empty() && !w.contains(' '))
        .map(str::to_string)
        .collect()
}

#[test]
fn man_pages_format_without_groff_warnings() {
    if Command::new("groff").arg("--version").output().is_err() {
        eprintln!("SKIPPED: groff not installed (apt-get install groff-base; .ci/run does)");
        return;
    }
    for p in PAGES {
        let out = Command::new("groff")
            .args(["-ww", "-z", "-man"])
            .arg(page(p))
            .output()
            .expect("run groff");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && err.trim().is_empty(),
            "groff -ww -z -man man/{p}:\n{err}"
        );
    }
}

#[test]
fn every_sentinel_directive_the_parser_accepts_is_documented() {
    let src = source("src/config/sentinel_directives.rs");
    let body = src
        .split("match (d.as_str(), args) {")
        .nth(1)
        .expect("the directive match in sentinel_directives.rs");
    let mut names = Vec::new();
    for line in body.lines() {
        let t = line.trim_start();
        if let Some(pattern) = t.strip_prefix('(') {
            let before_args = pattern.split(',').next().unwrap_or_default();
            names.extend(quoted_words(before_args));
        }
    }
    assert!(names.len() >= 20, "parsed too few directives: {names:?}");
    // Other programs' spellings, read as the 7.0 names.
    let spellings = src
        .split("pub const SPELLINGS")
        .nth(1)
        .and_then(|s| s.split("];").next())
        .expect("the SPELLINGS table in sentinel_directives.rs");
    names.extend(quoted_words(spellings));
    let man = plain("rsentinel.conf.5");
    for n in &names {
        assert!(
            man.contains(&format!("sentinel {n} ")) || man.contains(&format!("sentinel {n}\n")),
            "rsentinel.conf.5 lacks `sentinel {n}`"
        );
    }
}

#[test]
fn generic_directives_that_act_on_a_sentinel_are_documented() {
    let man = plain("rsentinel.conf.5");
    for d in [
        "port",
        "bind",
        "protected-mode",
        "daemonize",
        "pidfile",
        "logfile",
        "loglevel",
        "dir",
        "supervised",
        "requirepass",
        "maxclients",
        "timeout",
        "client-output-buffer-limit",
        "tcp-keepalive",
        "bind-source-addr",
        "rename-command",
    ] {
        assert!(man.contains(&format!("\n.BI {d} ")) || man.contains(&format!("\n.BR {d} ")));
    }
}

#[test]
fn every_help_option_is_in_the_command_page() {
    let man = plain("rsentinel.1");
    let usage = rsentinel::config::cli::USAGE;
    let mut options: Vec<&str> = usage
        .split_whitespace()
        .filter(|w| w.starts_with('-'))
        .map(|w| w.trim_end_matches([',', '.', ')']))
        .collect();
    options.sort_unstable();
    options.dedup();
    assert!(options.contains(&"--test-config"), "{options:?}");
    for o in options {
        assert!(man.contains(o), "rsentinel.1 lacks {o} (from --help)");
    }
}

#[test]
fn every_event_the_core_emits_is_documented() {
    let man = plain("rsentinel-events.7");
    let mut events = Vec::new();
    let dir = root().join("src/sentinel");
    for e in std::fs::read_dir(&dir).expect("src/sentinel").flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        events.extend(quoted_words(&text).into_iter().filter(|w| {
            w.len() > 3
                && (w.starts_with('+') || w.starts_with('-'))
                && w[1..].chars().all(|c| c.is_ascii_lowercase() || c == '-')
        }));
    }
    events.sort();
    events.dedup();
    assert!(events.len() >= 40, "found too few events: {events:?}");
    for ev in events {
        assert!(
            man.contains(&format!(".BR \"{ev}\"")),
            "rsentinel-events.7 lacks {ev}"
        );
    }
}
