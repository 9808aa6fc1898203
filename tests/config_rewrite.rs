//! Config rewrite against files captured from the real redis-sentinel 7.0.15
//! (`tests/fixtures/rewrite/README.md`).

use std::path::Path;

use rsentinel::config::{load_str, rewrite};

const FIXTURE_DIR: &str = "/tmp/rsentinel-fixture";

fn fixture(name: &str, overrides: &str, rewrites: usize) -> (String, String) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rewrite");
    let read =
        |ext: &str| std::fs::read_to_string(base.join(format!("{name}.{ext}"))).unwrap_or_default();
    let input = read("conf");
    let expected = read("expected");
    assert!(
        !input.is_empty() && !expected.is_empty(),
        "missing fixture {name}"
    );
    let text = if overrides.is_empty() {
        input.clone()
    } else {
        format!("{input}\n{overrides}")
    };
    let mut cfg = match load_str(&text) {
        Ok(c) => c,
        Err(e) => panic!("{name}: {e}"),
    };
    cfg.generic.dir = Some(FIXTURE_DIR.to_string());
    if cfg.sentinel.myid.is_none() {
        let id = expected
            .lines()
            .find_map(|l| l.strip_prefix("sentinel myid "));
        cfg.sentinel.myid = id.map(str::to_string);
    }
    let mut out = input;
    for _ in 0..rewrites {
        out = rewrite(&out, &cfg.generic, &cfg.sentinel);
    }
    (out, expected)
}

/// `rewrites`: how many times redis-sentinel rewrote the file (2 when it had to add a myid at
/// startup and then ran FLUSHCONFIG).
fn check(name: &str, overrides: &str, rewrites: usize) {
    let (out, expected) = fixture(name, overrides, rewrites);
    if out != expected {
        let diff: Vec<String> = out
            .lines()
            .zip(expected.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("line {}: ours {a:?} redis {b:?}", i + 1))
            .take(5)
            .collect();
        panic!(
            "{name} differs from redis-sentinel:\n{}\n--- ours:\n{out}",
            diff.join("\n")
        );
    }
    // What we wrote loads again to the same state.
    let again = load_str(&out).map(|c| c.sentinel);
    assert!(again.is_ok(), "{name}: rewritten file does not load");
}

#[test]
fn rewrite_matches_redis_on_a_minimal_file() {
    check("minimal", "", 2);
}

#[test]
fn rewrite_matches_redis_on_the_stock_debian_sentinel_conf() {
    check("stock", "", 2);
}

#[test]
fn rewrite_matches_redis_on_comments_duplicates_and_all_per_master_lines() {
    check("onemaster", "", 1);
}

#[test]
fn rewrite_matches_redis_on_generic_options() {
    // `requirepass` made the harness's FLUSHCONFIG fail (NOAUTH): only the startup rewrite ran.
    check("generic", "", 1);
}

#[test]
fn rewrite_matches_redis_on_crlf_line_ends() {
    check("crlf", "", 2);
}

#[test]
fn rewrite_matches_redis_with_cli_overrides_appended() {
    let args = [
        "cli.conf",
        "--sentinel",
        "announce-ip",
        "1.2.3.4",
        "--hz",
        "20",
        "--sentinel",
    ];
    let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
    let overrides = match rsentinel::config::parse_cli(&args) {
        Ok(rsentinel::config::Cli::Run { overrides, .. }) => overrides,
        other => panic!("{other:?}"),
    };
    check("cli", &overrides, 2);
}

#[test]
fn known_slave_lines_are_reused_instead_of_duplicated() {
    // redis-sentinel 7.0.15 keeps the known-slave line and appends a known-replica duplicate,
    // producing a file that fails with "Duplicate hostname and port for replica.".
    let text = "sentinel monitor m 10.0.0.1 6379 2\nsentinel known-slave m 10.0.0.2 6379\n";
    let cfg = load_str(text).unwrap_or_else(|e| panic!("{e}"));
    let out = rewrite(text, &cfg.generic, &cfg.sentinel);
    assert!(
        out.starts_with(
            "sentinel monitor m 10.0.0.1 6379 2\nsentinel known-replica m 10.0.0.2 6379\n"
        ),
        "{out}"
    );
    assert!(!out.contains("known-slave"));
    assert!(load_str(&out).is_ok());
}

#[test]
fn values_that_need_quotes_are_quoted_so_the_file_loads_again() {
    // redis-sentinel 7.0.15 writes `sentinel auth-pass m1 pass word` and
    // `sentinel rename-command m1 shutdown ` (unloadable); we quote.
    let text = "sentinel monitor m 10.0.0.1 6379 2\nsentinel auth-pass m \"pass word\"\nsentinel rename-command m shutdown \"\"\n";
    let cfg = load_str(text).unwrap_or_else(|e| panic!("{e}"));
    let out = rewrite(text, &cfg.generic, &cfg.sentinel);
    assert!(
        out.contains("sentinel auth-pass m \"pass word\"\n"),
        "{out}"
    );
    assert!(
        out.contains("sentinel rename-command m shutdown \"\"\n"),
        "{out}"
    );
    assert_eq!(load_str(&out).map(|c| c.sentinel), Ok(cfg.sentinel));
}

#[test]
fn default_valued_sentinel_lines_are_blanked_and_unknown_lines_commented() {
    let text = "sentinel monitor m 10.0.0.1 6379 2\nsentinel parallel-syncs m 1\nsentinel myid 0123456789012345678901234567890123456789\nlist-max-ziplist-entries 5\n";
    let cfg = load_str(text).unwrap_or_else(|e| panic!("{e}"));
    let out = rewrite(text, &cfg.generic, &cfg.sentinel);
    assert!(out.starts_with(
        "sentinel monitor m 10.0.0.1 6379 2\n\nsentinel myid 0123456789012345678901234567890123456789\n# ??? list-max-ziplist-entries 5\n"
    ), "{out}");
}

/// Found by fuzzing (config_load): a `bind` address containing a quote was written back
/// so that the rewritten file no longer loaded. Such addresses are now refused on load
/// (no real address has quotes or white space); plain ones survive a rewrite unchanged.
#[test]
fn bind_addresses_with_quotes_are_refused_and_plain_ones_survive_rewrite() {
    for bad in [
        "bind \"a'b\" 127.0.0.1\n",
        "bind 'd\"0' \"\"\n",
        "bind \"a b\" 127.0.0.1\n",
    ] {
        let err = rsentinel::config::load_str(bad).expect_err(bad).to_string();
        assert!(err.contains("Invalid bind address"), "{bad:?}: {err}");
    }
    // A lone argument is split again (as Redis does): "a b" is two addresses.
    let lone = rsentinel::config::load_str("bind \"127.0.0.1 ::1\"\n").expect("loads");
    assert_eq!(lone.generic.bind, ["127.0.0.1", "::1"]);
    let text = "port 26379\nbind 127.0.0.1 -::1\n";
    let first = rsentinel::config::load_str(text).expect("loads");
    let rewritten = rsentinel::config::rewrite(text, &first.generic, &first.sentinel);
    let second =
        rsentinel::config::load_str(&rewritten).unwrap_or_else(|e| panic!("{e}\n{rewritten}"));
    assert_eq!(second.generic.bind, first.generic.bind);
}

#[test]
fn valkey_primary_reboot_spelling_loads_and_is_kept_by_the_rewrite() {
    let text =
        "sentinel monitor m 10.0.0.1 6379 2\nsentinel primary-reboot-down-after-period m 5000\n";
    let mut cfg = load_str(text).unwrap_or_else(|e| panic!("{e}"));
    let reboot = |c: &rsentinel::config::SentinelConfig| {
        c.masters.first().map(|m| m.master_reboot_down_after_ms)
    };
    assert_eq!(reboot(&cfg.sentinel), Some(5000));
    // Same value as the 7.0 spelling gives.
    let seven = load_str(&text.replace("primary-reboot", "master-reboot"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.sentinel, seven.sentinel);
    // A changed value is written in place, in the spelling the file uses.
    if let Some(m) = cfg.sentinel.masters.first_mut() {
        m.master_reboot_down_after_ms = 7000;
    }
    let out = rewrite(text, &cfg.generic, &cfg.sentinel);
    assert!(
        out.starts_with(
            "sentinel monitor m 10.0.0.1 6379 2\nsentinel primary-reboot-down-after-period m 7000\n"
        ),
        "{out}"
    );
    assert!(!out.contains("master-reboot"), "{out}");
    assert_eq!(
        reboot(&load_str(&out).unwrap_or_else(|e| panic!("{e}")).sentinel),
        Some(7000)
    );
    // Set to 0 (the default): the line goes, as the 7.0 spelling's does.
    if let Some(m) = cfg.sentinel.masters.first_mut() {
        m.master_reboot_down_after_ms = 0;
    }
    let out = rewrite(text, &cfg.generic, &cfg.sentinel);
    assert!(!out.contains("reboot"), "{out}");
}

#[test]
fn a_newly_added_reboot_period_line_uses_the_7_0_spelling() {
    let text = "sentinel monitor m 10.0.0.1 6379 2\n";
    let mut cfg = load_str(text).unwrap_or_else(|e| panic!("{e}"));
    if let Some(m) = cfg.sentinel.masters.first_mut() {
        m.master_reboot_down_after_ms = 3000;
    }
    let out = rewrite(text, &cfg.generic, &cfg.sentinel);
    assert!(
        out.contains("\nsentinel master-reboot-down-after-period m 3000\n"),
        "{out}"
    );
    assert!(!out.contains("primary-reboot"), "{out}");
}
