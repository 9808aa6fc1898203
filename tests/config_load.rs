//! Loading: every `sentinel` directive error (texts checked on redis-sentinel 7.0.15), the
//! three-pass order, line numbers, the fatal report bytes, generic errors, startup checks.

use rsentinel::config::{check_config_file, load, load_str, ConfigError, StartupError};

const M: &str = "sentinel monitor m 127.0.0.1 6379 2\n";

fn err(text: &str) -> (usize, String, String) {
    match load_str(text) {
        Err(ConfigError::Line {
            line_no,
            line,
            error,
        }) => (line_no, line, error.to_string()),
        other => panic!("expected a line error for {text:?}, got {other:?}"),
    }
}

fn msg(text: &str) -> String {
    err(text).2
}

#[test]
fn every_sentinel_directive_error_has_redis_text() {
    let cases: &[(&str, &str)] = &[
        (
            "sentinel monitor m 1.2.3.4 6379 0",
            "Quorum must be 1 or greater.",
        ),
        (
            "sentinel monitor m 1.2.3.4 6379 x",
            "Quorum must be 1 or greater.",
        ),
        (
            "sentinel monitor m 127.0.0.1 70000 2",
            "Invalid port number.",
        ),
        ("sentinel monitor m 127.0.0.1 -1 2", "Invalid port number."),
        (
            "sentinel monitor m host.example 6379 2",
            "Can't resolve instance hostname.",
        ),
        (
            "sentinel monitor m 1.2.3.4 6379",
            "Unrecognized sentinel configuration statement.",
        ),
        (
            "sentinel foo",
            "Unrecognized sentinel configuration statement.",
        ),
        ("sentinel myid abc", "Malformed Sentinel id in myid option."),
        (
            "sentinel deny-scripts-reconfig maybe",
            "Please specify yes or no for the deny-scripts-reconfig options.",
        ),
        (
            "sentinel resolve-hostnames 1",
            "Please specify yes or no for the resolve-hostnames option.",
        ),
        (
            "sentinel announce-hostnames x",
            "Please specify yes or no for the announce-hostnames option.",
        ),
        (
            "sentinel down-after-milliseconds x 5",
            "No such master with specified name.",
        ),
    ];
    for (line, want) in cases {
        assert_eq!(msg(line), *want, "{line}");
    }
    let per_master: &[(&str, &str)] = &[
        (
            "sentinel down-after-milliseconds m 0",
            "negative or zero time parameter.",
        ),
        (
            "sentinel down-after-milliseconds m abc",
            "negative or zero time parameter.",
        ),
        (
            "sentinel failover-timeout m -1",
            "negative or zero time parameter.",
        ),
        (
            "sentinel master-reboot-down-after-period m -1",
            "negative time parameter.",
        ),
        (
            "sentinel notification-script m /nonexistent",
            "Notification script seems non existing or non executable.",
        ),
        (
            "sentinel monitor m 127.0.0.1 6380 2",
            "Duplicate master name.",
        ),
        (
            "sentinel known-replica m 127.0.0.1 99999",
            "Invalid port number.",
        ),
        (
            "sentinel known-replica m localhost 6380",
            "Can't resolve instance hostname.",
        ),
        (
            "sentinel known-replica m 127.0.0.1 6380\nsentinel known-slave m 127.0.0.1 6380",
            "Duplicate hostname and port for replica.",
        ),
        (
            "sentinel known-sentinel m 127.0.0.1 1 abc\nsentinel known-sentinel m 127.0.0.2 2 abc",
            "Duplicate runid for sentinel.",
        ),
        (
            "sentinel rename-command m config foo\nsentinel rename-command m CONFIG bar",
            "Same command renamed multiple times with rename-command.",
        ),
        (
            "sentinel auth-pass nope x",
            "No such master with specified name.",
        ),
    ];
    let plain = std::env::temp_dir().join(format!("rsentinel-noexec-{}", std::process::id()));
    let _ = std::fs::write(&plain, "not a script");
    assert_eq!(
        msg(&format!(
            "{M}sentinel client-reconfig-script m {}",
            plain.display()
        )),
        "Client reconfiguration script seems non existing or non executable."
    );
    let _ = std::fs::remove_file(&plain);
    for (lines, want) in per_master {
        assert_eq!(msg(&format!("{M}{lines}")), *want, "{lines}");
    }
}

#[test]
fn lenient_values_load_like_redis() {
    let ok = [
        "sentinel parallel-syncs m -5",
        "sentinel known-sentinel m 127.0.0.1 6380",
        "sentinel known-replica m 127.0.0.1 6379",
        "sentinel known-sentinel m 127.0.0.1 1 a\nsentinel known-sentinel m 127.0.0.1 1 b",
        "sentinel config-epoch m zz",
        "sentinel announce-ip \"\"",
        "sentinel resolve-hostnames yes\nsentinel known-replica m localhost 6380",
        "sentinel monitor q 127.0.0.1 0 1",
    ];
    for l in ok {
        assert!(load_str(&format!("{M}{l}")).is_ok(), "{l}");
    }
    let c = load_str(&format!(
        "{M}sentinel parallel-syncs m -5\nsentinel config-epoch m 9\nsentinel current-epoch 4"
    ));
    let s = c.map(|c| c.sentinel).unwrap_or_default();
    assert_eq!(s.masters.first().map(|m| m.parallel_syncs), Some(-5));
    assert_eq!(
        s.current_epoch, 9,
        "config-epoch raises current-epoch, which never lowers"
    );
}

#[test]
fn sentinel_lines_apply_in_three_passes_with_original_line_numbers() {
    let text = "sentinel down-after-milliseconds m 1000\nsentinel resolve-hostnames yes\nsentinel monitor m db.example 6379 2\n";
    let c = load_str(text).map(|c| c.sentinel);
    assert_eq!(
        c.as_ref()
            .map(|s| s.masters.first().map(|m| m.down_after_ms)),
        Ok(Some(1000))
    );
    // A monitor error is reported after every generic error, at its own line.
    assert_eq!(
        err("port 0\nsentinel monitor m 1.2.3.4 6379 0\nbogus x\n").0,
        3
    );
    let (n, line, m) = err("sentinel failover-timeout m 0\n\n# c\nsentinel monitor m 1.2.3.4 6379 1\nsentinel myid short\n");
    assert_eq!(
        (n, line.as_str(), m.as_str()),
        (
            5,
            "sentinel myid short",
            "Malformed Sentinel id in myid option."
        )
    );
    let (n, _, m) = err("sentinel failover-timeout m 0\nsentinel monitor m 1.2.3.4 6379 1\n");
    assert_eq!((n, m.as_str()), (1, "negative or zero time parameter."));
}

#[test]
fn fatal_report_is_byte_identical_to_redis() {
    // Captured from `redis-sentinel` 7.0.15 stderr.
    let e = load_str("  sentinel   monitor m 1.2.3.4 6379 0  \n")
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 1\n>>> 'sentinel   monitor m 1.2.3.4 6379 0'\nQuorum must be 1 or greater.\n")
    );
    let e = load_str("port 26400\nsentinel down-after-milliseconds m 100\nbogus x\n")
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'bogus x'\nBad directive or wrong number of arguments\n")
    );
}

#[test]
fn generic_errors_have_redis_text() {
    let cases = [
        ("port abc", "argument couldn't be parsed into an integer"),
        ("port 1 2", "wrong number of arguments"),
        ("port", "wrong number of arguments"),
        ("protected-mode maybe", "argument must be 'yes' or 'no'"),
        (
            "maxclients 0",
            "argument must be between 1 and 4294967295 inclusive",
        ),
        ("loglevel \"foo", "Unbalanced quotes in configuration line"),
        (
            "loglevel loud",
            "argument(s) must be one of the following: debug, verbose, notice, warning",
        ),
        ("user", "Bad directive or wrong number of arguments"),
        (
            "rename-command config foo",
            "No such command in rename-command",
        ),
        ("SENTINEL", ""),
    ];
    for (line, want) in cases {
        match load_str(line) {
            Err(ConfigError::Line { error, .. }) => assert_eq!(error.to_string(), want, "{line}"),
            Ok(_) => assert!(want.is_empty(), "{line} should fail"),
            Err(e) => panic!("{e}"),
        }
    }
    // `user bogus` is accepted by the parser here (rules are the ACL module's): only `user` alone fails.
}

#[test]
fn load_resolves_dir_and_cli_overrides() {
    let tmp = std::env::temp_dir().join(format!("rsentinel-load-{}", std::process::id()));
    let _ = std::fs::create_dir_all(tmp.join("sub"));
    let file = tmp.join("s.conf");
    let _ = std::fs::write(&file, format!("dir {}\ndir sub\n{M}", tmp.display()));
    let c = load(
        &file,
        "port \"26380\" \nsentinel \"announce-ip\" \"1.2.3.4\" ",
    );
    let c = c.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.generic.port, 26380);
    assert_eq!(c.sentinel.announce_ip.as_deref(), Some("1.2.3.4"));
    let real = std::fs::canonicalize(tmp.join("sub"))
        .map(|p| p.display().to_string())
        .ok();
    assert_eq!(c.generic.dir, real);
    assert!(c.path.is_absolute());
    let _ = std::fs::write(&file, "dir /nonexistent-rsentinel\n");
    assert_eq!(
        load(&file, "")
            .err()
            .map(|e| e.to_string().lines().last().map(str::to_string)),
        Some(Some("No such file or directory".into()))
    );
    let _ = std::fs::write(&file, "dir /etc/hostname\n");
    assert_eq!(
        load(&file, "")
            .err()
            .map(|e| e.to_string().lines().last().map(str::to_string)),
        Some(Some("Not a directory".into()))
    );
    let missing = load(&tmp.join("missing.conf"), "")
        .err()
        .map(|e| e.to_string());
    assert!(
        missing.is_some_and(|m| m.starts_with("Fatal error, can't open config file '")
            && m.ends_with("': No such file or directory"))
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn startup_refuses_missing_or_unwritable_config() {
    assert_eq!(check_config_file(None), Err(StartupError::NoConfigFile));
    assert_eq!(
        StartupError::NoConfigFile.to_string(),
        "Sentinel needs config file on disk to save state. Exiting..."
    );
    let e = check_config_file(Some(std::path::Path::new("/nonexistent/s.conf")));
    assert_eq!(
        e.map_err(|e| e.to_string()),
        Err("Sentinel config file /nonexistent/s.conf is not writable: No such file or directory. Exiting...".into())
    );
}
