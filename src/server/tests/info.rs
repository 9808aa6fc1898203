//! INFO sections: selection, order, field lists and formats of redis-sentinel 7.0.15.

use super::{Harness, Settings};
use crate::server::CpuUsage;

fn info(h: &mut Harness, line: &str) -> String {
    let c = h.connect();
    let raw = h.cmd(c, line);
    let text = String::from_utf8_lossy(&raw).into_owned();
    // Strip the bulk header and trailer.
    let body = text.split_once("\r\n").map(|(_, b)| b).unwrap_or("");
    body.strip_suffix("\r\n").unwrap_or(body).to_string()
}

fn headers(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with('#')).collect()
}

fn keys(text: &str, section: &str) -> Vec<String> {
    text.split("\r\n\r\n")
        .find(|s| s.starts_with(section))
        .map(|s| {
            s.lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(k, _)| k.to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn info_selects_all_five_sections_in_fixed_order() {
    let mut h = Harness::new();
    let all = ["# Server", "# Clients", "# Stats", "# CPU", "# Sentinel"];
    for line in [
        "INFO",
        "INFO default",
        "INFO all",
        "INFO everything",
        "INFO cpu EVERYTHING",
    ] {
        assert_eq!(headers(&info(&mut h, line)), all, "{line}");
    }
    assert_eq!(
        headers(&info(&mut h, "INFO SERVER sentinel replication")),
        ["# Server", "# Sentinel"]
    );
    assert_eq!(
        headers(&info(&mut h, "INFO cpu clients")),
        ["# Clients", "# CPU"]
    );
}

#[test]
fn info_with_only_unknown_sections_is_an_empty_bulk() {
    let mut h = Harness::new();
    let c = h.connect();
    assert_eq!(h.cmd(c, "INFO foo"), b"$0\r\n\r\n");
    assert_eq!(h.cmd(c, "INFO a b c d"), b"$0\r\n\r\n");
}

#[test]
fn sections_are_separated_by_one_blank_line_and_end_with_crlf() {
    let mut h = Harness::new();
    let c = h.connect();
    let raw = String::from_utf8_lossy(&h.cmd(c, "INFO cpu clients")).into_owned();
    assert!(
        raw.contains("clients_in_timeout_table:0\r\n\r\n# CPU\r\n"),
        "{raw}"
    );
    assert!(
        raw.ends_with("used_cpu_user_main_thread:0.000000\r\n\r\n"),
        "{raw}"
    );
}

#[test]
fn server_clients_cpu_fields_match_redis_7_0_lists() {
    let mut h = Harness::new();
    let text = info(&mut h, "INFO");
    assert_eq!(
        keys(&text, "# Server"),
        [
            "redis_version",
            "redis_git_sha1",
            "redis_git_dirty",
            "redis_build_id",
            "redis_mode",
            "os",
            "arch_bits",
            "monotonic_clock",
            "multiplexing_api",
            "atomicvar_api",
            "gcc_version",
            "process_id",
            "process_supervised",
            "run_id",
            "tcp_port",
            "server_time_usec",
            "uptime_in_seconds",
            "uptime_in_days",
            "hz",
            "configured_hz",
            "lru_clock",
            "executable",
            "config_file",
            "io_threads_active",
        ]
    );
    assert_eq!(
        keys(&text, "# Clients"),
        [
            "connected_clients",
            "cluster_connections",
            "maxclients",
            "client_recent_max_input_buffer",
            "client_recent_max_output_buffer",
            "blocked_clients",
            "tracking_clients",
            "clients_in_timeout_table",
        ]
    );
    assert_eq!(
        keys(&text, "# CPU"),
        [
            "used_cpu_sys",
            "used_cpu_user",
            "used_cpu_sys_children",
            "used_cpu_user_children",
            "used_cpu_sys_main_thread",
            "used_cpu_user_main_thread",
        ]
    );
    assert_eq!(keys(&text, "# Stats").len(), 50);
    assert_eq!(
        keys(&text, "# Stats").first().map(String::as_str),
        Some("total_connections_received")
    );
    assert_eq!(
        keys(&text, "# Stats").last().map(String::as_str),
        Some("reply_buffer_expands")
    );
    for absent in [
        "used_memory",
        "rdb_last_bgsave",
        "master_repl_offset",
        "cluster_enabled",
    ] {
        assert!(!text.contains(absent), "{absent}");
    }
}

#[test]
fn server_section_values_come_from_settings_host_and_clock() {
    let settings = Settings {
        run_id: "ffe552d776f54488168b0a2a6e4d1c886dcc9e50".into(),
        process_id: 5491,
        tcp_port: 27611,
        executable: "/tmp/srvref/redis-sentinel".into(),
        config_file: "/tmp/srvref/s.conf".into(),
        hz: 11,
        ..Settings::default()
    };
    let mut h = Harness::with_settings(settings);
    h.now += 39_500 + 86_400_000;
    h.host.cpu = CpuUsage {
        sys: 0.070159,
        user: 0.052619,
        sys_children: 0.0,
        user_children: 0.0,
    };
    let text = info(&mut h, "INFO server cpu");
    for line in [
        "redis_version:7.0.15\r\n",
        "redis_mode:sentinel\r\n",
        "process_id:5491\r\n",
        "run_id:ffe552d776f54488168b0a2a6e4d1c886dcc9e50\r\n",
        "tcp_port:27611\r\n",
        "server_time_usec:1795430662866039\r\n",
        "uptime_in_seconds:86439\r\n",
        "uptime_in_days:1\r\n",
        "hz:11\r\n",
        "configured_hz:10\r\n",
        "lru_clock:268550\r\n",
        "executable:/tmp/srvref/redis-sentinel\r\n",
        "config_file:/tmp/srvref/s.conf\r\n",
        "used_cpu_sys:0.070159\r\n",
        "used_cpu_user:0.052619\r\n",
        "used_cpu_sys_children:0.000000\r\n",
        "used_cpu_user_main_thread:0.052619\r\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in {text}");
    }
}

#[test]
fn clients_and_stats_reflect_server_state() {
    let mut h = Harness::new();
    let a = h.connect();
    h.cmd(a, "PSUBSCRIBE *");
    let b = h.connect();
    h.cmd(b, "SUBSCRIBE x y");
    h.cmd(b, "PSUBSCRIBE *");
    let text = info(&mut h, "INFO clients stats");
    assert!(text.contains("connected_clients:3\r\n"), "{text}");
    assert!(text.contains("total_connections_received:3\r\n"), "{text}");
    assert!(text.contains("total_commands_processed:4\r\n"), "{text}");
    assert!(
        text.contains("pubsub_channels:2\r\npubsub_patterns:1\r\n"),
        "{text}"
    );
    assert!(text.contains("maxclients:10000\r\n"), "{text}");
}
