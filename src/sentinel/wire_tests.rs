//! What hellos and vote requests may put into the core's state: every value stays one the
//! config loader accepts (so every save keeps loading back), epochs move by bounded steps,
//! and hellos add a bounded number of sentinels.

use crate::config::persist::normalized;
use crate::config::{load_str, rewrite, GenericOptions};
use crate::sentinel::wire_check::{MAX_EPOCH_JUMP, MAX_SENTINELS_PER_MASTER};
use crate::sentinel::{Sentinel, Settings};

const PEER: &str = "3fd16f6c9e5b0a1e2d3c4b5a69788796a5b4cc54";

fn core(extra: &str) -> Sentinel {
    let text = format!("sentinel monitor mymaster 127.0.0.1 6379 2\n{extra}");
    let cfg = load_str(&text).expect("config loads");
    let settings = Settings {
        port: 26379,
        requirepass: None,
    };
    Sentinel::new(&cfg.sentinel, settings, 1_000, 7)
}

/// What `FileStore::save` checks: the rewritten state loads back to the same state.
fn saves_cleanly(core: &Sentinel) -> Result<(), String> {
    let snap = core.snapshot();
    let text = rewrite("", &GenericOptions::default(), &snap);
    let cfg = load_str(&text).map_err(|e| format!("{e}\n{text}"))?;
    if normalized(&cfg.sentinel) != normalized(&snap) {
        return Err(format!("loads to a different state:\n{text}"));
    }
    Ok(())
}

fn hello(
    sentinel_ip: &str,
    runid: &str,
    epoch: u64,
    master_ip: &str,
    config_epoch: u64,
) -> Vec<u8> {
    format!("{sentinel_ip},26999,{runid},{epoch},mymaster,{master_ip},6379,{config_epoch}")
        .into_bytes()
}

fn sentinel_hosts(core: &Sentinel) -> Vec<String> {
    core.masters
        .iter()
        .flat_map(|m| m.sentinels.iter().map(|p| p.common.host.clone()))
        .collect()
}

#[test]
fn a_hello_naming_its_sentinel_by_host_name_is_dropped_without_resolve_hostnames() {
    let mut c = core("");
    c.process_hello(2_000, &hello("sentinel-b.example", PEER, 0, "127.0.0.1", 0));
    assert_eq!(sentinel_hosts(&c), Vec::<String>::new());
    assert_eq!(saves_cleanly(&c), Ok(()));
}

#[test]
fn a_hello_naming_its_sentinel_by_host_name_is_kept_with_resolve_hostnames() {
    let mut c = core("sentinel resolve-hostnames yes\n");
    c.process_hello(2_000, &hello("sentinel-b.example", PEER, 0, "127.0.0.1", 0));
    assert_eq!(sentinel_hosts(&c), vec!["sentinel-b.example".to_string()]);
    assert_eq!(saves_cleanly(&c), Ok(()));
}

#[test]
fn a_hello_moving_the_master_to_a_host_name_is_dropped_without_resolve_hostnames() {
    let mut c = core("");
    c.process_hello(2_000, &hello("127.0.0.2", PEER, 1, "master-b.example", 1));
    let m = c.master("mymaster").expect("monitored");
    assert_eq!((m.common.host.as_str(), m.config_epoch), ("127.0.0.1", 0));
    assert_eq!(saves_cleanly(&c), Ok(()));
}

#[test]
fn a_hello_with_an_address_no_config_line_can_hold_is_dropped() {
    let mut c = core("sentinel resolve-hostnames yes\n");
    for bad_ip in ["", "a b", "x\"y"] {
        c.process_hello(2_000, &hello(bad_ip, PEER, 0, "127.0.0.1", 0));
        c.process_hello(2_000, &hello("127.0.0.2", PEER, 1, bad_ip, 1));
    }
    c.process_hello(2_000, &hello("127.0.0.3", "short id", 0, "127.0.0.1", 0));
    assert_eq!(sentinel_hosts(&c), Vec::<String>::new());
    c.process_hello(2_000, &hello("127.0.0.2", PEER, 0, "127.0.0.1", 0));
    assert_eq!(sentinel_hosts(&c), vec!["127.0.0.2".to_string()]);
    assert_eq!(c.master("mymaster").map(|m| m.config_epoch), Some(0));
    assert_eq!(saves_cleanly(&c), Ok(()));
}

#[test]
fn a_hello_may_not_push_the_epoch_more_than_two_to_the_32_above_ours() {
    let mut c = core("sentinel current-epoch 5\n");
    c.process_hello(2_000, &hello("127.0.0.2", PEER, u64::MAX, "127.0.0.1", 0));
    assert_eq!(c.current_epoch, 5);
    c.process_hello(2_000, &hello("127.0.0.2", PEER, 6, "127.0.0.9", u64::MAX));
    assert_eq!(c.current_epoch, 5);
    assert_eq!(c.master("mymaster").map(|m| m.config_epoch), Some(0));
    assert_eq!(
        c.master("mymaster").map(|m| m.common.host.as_str()),
        Some("127.0.0.1")
    );
    // A jump of exactly the bound is a peer we follow.
    c.process_hello(
        2_000,
        &hello("127.0.0.2", PEER, 5 + MAX_EPOCH_JUMP, "127.0.0.1", 0),
    );
    assert_eq!(c.current_epoch, 5 + MAX_EPOCH_JUMP);
    assert_eq!(saves_cleanly(&c), Ok(()));
}

#[test]
fn a_vote_request_may_not_push_the_epoch_more_than_two_to_the_32_above_ours() {
    let mut c = core("sentinel current-epoch 5\n");
    let reply = c.is_master_down_by_addr(2_000, "127.0.0.1", 6379, u64::MAX, PEER);
    assert_eq!((reply.leader, reply.leader_epoch), (None, 0));
    assert_eq!(c.current_epoch, 5);
    let reply = c.is_master_down_by_addr(2_000, "127.0.0.1", 6379, 6, PEER);
    assert_eq!(
        (reply.leader.as_deref(), reply.leader_epoch),
        (Some(PEER), 6)
    );
}

#[test]
fn hellos_add_a_bounded_number_of_sentinels_per_master() {
    let mut c = core("");
    for i in 0..MAX_SENTINELS_PER_MASTER + 10 {
        let runid = format!("{i:040x}");
        let ip = format!("10.0.{}.{}", i / 250, i % 250 + 1);
        c.process_hello(2_000, &hello(&ip, &runid, 0, "127.0.0.1", 0));
    }
    assert_eq!(sentinel_hosts(&c).len(), MAX_SENTINELS_PER_MASTER);
    // A known sentinel that moves is not a new one: the cap does not refuse it.
    let moved = format!("{:040x}", 3);
    c.process_hello(2_000, &hello("10.9.9.9", &moved, 0, "127.0.0.1", 0));
    assert!(sentinel_hosts(&c).contains(&"10.9.9.9".to_string()));
    assert_eq!(sentinel_hosts(&c).len(), MAX_SENTINELS_PER_MASTER);
}

fn events(c: &mut Sentinel) -> Vec<String> {
    let mut v = Vec::new();
    while let Some(a) = c.poll_action() {
        if let crate::sentinel::Action::Event(e) = a {
            v.push(format!("{} {}", e.kind, e.text));
        }
    }
    v
}

#[test]
fn a_vote_is_announced_only_once_its_save_worked() {
    let mut c = core("");
    let r = c.is_master_down_by_addr(2_000, "127.0.0.1", 6379, 1, PEER);
    assert_eq!(r.leader.as_deref(), Some(PEER));
    assert!(c.take_save_request());
    assert!(!events(&mut c)
        .iter()
        .any(|e| e.starts_with("+vote-for-leader")));
    c.save_finished(2_000, Ok(()));
    assert!(events(&mut c).contains(&format!("+vote-for-leader {PEER} 1")));
}

#[test]
fn a_vote_whose_save_failed_is_rolled_back_and_none_is_given_until_a_save_works() {
    let mut c = core("");
    c.is_master_down_by_addr(2_000, "127.0.0.1", 6379, 1, PEER);
    assert!(c.take_save_request());
    c.save_finished(2_000, Err("disk full"));
    let m = c.master("mymaster").expect("monitored");
    assert_eq!((m.leader.as_deref(), m.leader_epoch), (None, 0));
    let ev = events(&mut c);
    assert!(
        ev.contains(&"-config-save-failed disk full".to_string()),
        "{ev:?}"
    );
    assert!(!ev.iter().any(|e| e.starts_with("+vote-for-leader")));
    assert!(c.save_failing());
    // Refused while failing; the epoch may stay adopted in memory.
    let r = c.is_master_down_by_addr(2_100, "127.0.0.1", 6379, 1, PEER);
    assert_eq!(r.leader, None);
    assert_eq!(c.current_epoch, 1);
    // The tick asks for a retry once a second.
    c.take_save_request();
    c.save_finished(2_100, Err("disk full"));
    c.handle(3_200, crate::sentinel::Input::Tick);
    assert!(c.take_save_request());
    c.save_finished(3_200, Ok(()));
    assert!(events(&mut c)
        .iter()
        .any(|e| e.starts_with("+config-save-ok")));
    let r = c.is_master_down_by_addr(3_300, "127.0.0.1", 6379, 1, PEER);
    assert_eq!((r.leader.as_deref(), r.leader_epoch), (Some(PEER), 1));
}

/// A core monitoring `localhost` whose master connection reached 127.0.0.1.
fn core_on_localhost(extra: &str) -> Sentinel {
    let text = format!(
        "sentinel resolve-hostnames yes\nsentinel monitor mymaster localhost 6379 2\n{extra}"
    );
    let cfg = load_str(&text).expect("config loads");
    let mut c = Sentinel::new(&cfg.sentinel, Settings::default(), 1_000, 7);
    c.handle(1_000, crate::sentinel::Input::Tick);
    while let Some(a) = c.poll_action() {
        if let crate::sentinel::Action::Connect { conn, .. } = a {
            let local_ip = "127.0.0.1".to_string();
            c.handle(1_001, crate::sentinel::Input::Connected { conn, local_ip });
            c.connected_to(conn, std::net::IpAddr::from([127, 0, 0, 1]));
        }
    }
    c
}

#[test]
fn a_hello_naming_our_localhost_master_by_its_ip_is_no_switch() {
    let mut c = core_on_localhost("");
    c.process_hello(2_000, &hello("127.0.0.2", PEER, 1, "127.0.0.1", 1));
    let m = c.master("mymaster").expect("monitored");
    assert_eq!((m.common.host.as_str(), m.config_epoch), ("localhost", 1));
    assert!(!events(&mut c)
        .iter()
        .any(|e| e.starts_with("+switch-master")));
}

#[test]
fn a_master_named_localhost_is_announced_by_ip_unless_announce_hostnames() {
    let c = core_on_localhost("");
    assert_eq!(c.announce_host("localhost"), "127.0.0.1");
    assert!(c.same_host("localhost", "127.0.0.1") && c.same_host("localhost", "LOCALHOST"));
    assert!(!c.same_host("localhost", "127.0.0.2"));
    let c = core_on_localhost("sentinel announce-hostnames yes\n");
    assert_eq!(c.announce_host("localhost"), "localhost");
}

#[test]
fn resolve_hostnames_cannot_be_turned_off_while_an_instance_is_named_by_host_name() {
    let mut c = core_on_localhost("");
    assert!(c.config_set("resolve-hostnames", "no").is_err());
    assert!(c.resolve_hostnames);
    assert_eq!(saves_cleanly(&c), Ok(()));
    let mut c = core("sentinel resolve-hostnames yes\n");
    assert!(c.config_set("resolve-hostnames", "no").is_ok());
    assert!(!c.resolve_hostnames);
}
