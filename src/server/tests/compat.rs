//! What rsentinel accepts from later Redis and Valkey versions: each newer spelling answers
//! exactly as the 7.0 form it stands for, and the 7.0 replies do not change.

use super::{assert_bytes, Harness};

fn monitored() -> (Harness, super::ClientId) {
    let mut h = Harness::new();
    let c = h.connect();
    assert_bytes(
        &h.cmd(c, "SENTINEL MONITOR mymaster 127.0.0.1 6379 2"),
        b"+OK\r\n",
    );
    (h, c)
}

#[test]
fn valkey_primary_subcommands_answer_as_their_master_forms() {
    let (mut h, c) = monitored();
    let pairs = [
        ("SENTINEL PRIMARY mymaster", "SENTINEL MASTER mymaster"),
        ("SENTINEL primary nosuch", "SENTINEL master nosuch"),
        ("SENTINEL PRIMARIES", "SENTINEL MASTERS"),
        (
            "SENTINEL GET-PRIMARY-ADDR-BY-NAME mymaster",
            "SENTINEL GET-MASTER-ADDR-BY-NAME mymaster",
        ),
        (
            "SENTINEL get-primary-addr-by-name nosuch",
            "SENTINEL get-master-addr-by-name nosuch",
        ),
        (
            "SENTINEL IS-PRIMARY-DOWN-BY-ADDR 127.0.0.1 6379 0 *",
            "SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 6379 0 *",
        ),
        (
            "SENTINEL IS-PRIMARY-DOWN-BY-ADDR 127.0.0.1 x 0 *",
            "SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 x 0 *",
        ),
        ("SENTINEL REPLICAS mymaster", "SENTINEL SLAVES mymaster"),
        ("SENTINEL PRIMARY", "SENTINEL MASTER"),
    ];
    for (alias, master_form) in pairs {
        let got = h.cmd(c, alias);
        let want = h.cmd(c, master_form);
        assert_bytes(&got, &want);
        assert!(!got.is_empty(), "{alias}");
    }
    // A primary-named subcommand that Valkey does not have stays unknown.
    assert_bytes(
        &h.cmd(c, "SENTINEL PRIMARYX"),
        b"-ERR unknown subcommand 'PRIMARYX'. Try SENTINEL HELP.\r\n",
    );
}

#[test]
fn the_aliases_leave_command_count_and_help_as_7_0_serves_them() {
    let (mut h, c) = monitored();
    let help = h.cmd(c, "SENTINEL HELP");
    assert!(!String::from_utf8_lossy(&help).contains("PRIMARY"));
    assert_bytes(&h.cmd(c, "COMMAND COUNT"), b":15\r\n");
    assert_bytes(&h.cmd(c, "COMMAND INFO sentinel|primary"), b"*1\r\n$-1\r\n");
}

#[test]
fn sentinel_set_accepts_the_valkey_primary_reboot_spelling() {
    let (mut h, c) = monitored();
    assert_bytes(
        &h.cmd(
            c,
            "SENTINEL SET mymaster primary-reboot-down-after-period 4000",
        ),
        b"+OK\r\n",
    );
    assert_eq!(
        h.core.masters.first().map(|m| m.reboot_down_after),
        Some(4000)
    );
    assert_bytes(
        &h.cmd(
            c,
            "SENTINEL SET mymaster PRIMARY-REBOOT-DOWN-AFTER-PERIOD -1",
        ),
        b"-ERR Invalid argument '-1' for SENTINEL SET 'PRIMARY-REBOOT-DOWN-AFTER-PERIOD'\r\n",
    );
    assert_bytes(
        &h.cmd(c, "SENTINEL SET mymaster master-reboot-down-after-period 0"),
        b"+OK\r\n",
    );
    assert_eq!(h.core.masters.first().map(|m| m.reboot_down_after), Some(0));
}

#[test]
fn client_setinfo_answers_as_redis_7_2_and_client_list_keeps_its_7_0_fields() {
    let mut h = Harness::new();
    let c = h.connect();
    let before = h.cmd(c, "CLIENT INFO");
    assert_bytes(&h.cmd(c, "CLIENT SETINFO lib-name redis-py"), b"+OK\r\n");
    assert_bytes(&h.cmd(c, "client setinfo LIB-VER 5.0.1"), b"+OK\r\n");
    assert_bytes(
        &h.run(c, &[b"CLIENT", b"SETINFO", b"lib-name"]),
        b"-ERR wrong number of arguments for 'client|setinfo' command\r\n",
    );
    assert_bytes(
        &h.cmd(c, "CLIENT SETINFO lib-colour red"),
        b"-ERR Unrecognized option 'lib-colour'\r\n",
    );
    assert_bytes(
        &h.run(c, &[b"CLIENT", b"SETINFO", b"Lib-Name", b"redis py"]),
        b"-ERR Lib-Name cannot contain spaces, newlines or special characters.\r\n",
    );
    assert_bytes(
        &h.run(c, &[b"CLIENT", b"SETINFO", b"lib-ver", b"1\n2"]),
        b"-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n",
    );
    // CLIENT INFO has no lib fields, as in 7.0.15 (only cmd= moved on).
    let after = h.cmd(c, "CLIENT INFO");
    assert!(!String::from_utf8_lossy(&after).contains("lib-"));
    let keys = |line: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(line)
            .split_whitespace()
            .filter_map(|f| f.split_once('=').map(|(k, _)| k.to_string()))
            .collect()
    };
    assert_eq!(keys(&before), keys(&after));
    // COMMAND still lists 7.0.15's 15 commands and no client|setinfo.
    assert_bytes(&h.cmd(c, "COMMAND INFO client|setinfo"), b"*1\r\n$-1\r\n");
}

#[test]
fn client_setinfo_needs_the_acl_permission_of_client_setname() {
    let mut h = Harness::new();
    let admin = h.connect();
    assert_bytes(
        &h.cmd(admin, "ACL SETUSER namer on >pw +client|setname"),
        b"+OK\r\n",
    );
    assert_bytes(&h.cmd(admin, "ACL SETUSER mute on >pw +ping"), b"+OK\r\n");
    let namer = h.connect();
    assert_bytes(&h.cmd(namer, "AUTH namer pw"), b"+OK\r\n");
    assert_bytes(&h.cmd(namer, "CLIENT SETINFO lib-name x"), b"+OK\r\n");
    let mute = h.connect();
    assert_bytes(&h.cmd(mute, "AUTH mute pw"), b"+OK\r\n");
    let denied = h.cmd(mute, "CLIENT SETINFO lib-name x");
    assert!(
        denied.starts_with(b"-NOPERM"),
        "{}",
        String::from_utf8_lossy(&denied)
    );
}

#[test]
fn sentinel_config_set_loglevel_reaches_the_host_and_get_answers_it_by_name() {
    use crate::config::LogLevel;
    let mut h = Harness::new();
    let c = h.connect();
    let seven = h.cmd(c, "SENTINEL CONFIG GET *");
    assert_bytes(
        &h.cmd(c, "SENTINEL CONFIG SET loglevel VERBOSE"),
        b"+OK\r\n",
    );
    assert_eq!(h.host.log_level, LogLevel::Verbose);
    assert_bytes(
        &h.cmd(c, "SENTINEL CONFIG GET loglevel"),
        b"*2\r\n$8\r\nloglevel\r\n$7\r\nverbose\r\n",
    );
    // Patterns keep answering 7.0.15's six parameters.
    assert_bytes(&h.cmd(c, "SENTINEL CONFIG GET *"), &seven);
    assert_bytes(&h.cmd(c, "SENTINEL CONFIG GET log*"), b"*0\r\n");
    assert_bytes(
        &h.cmd(c, "SENTINEL CONFIG SET LogLevel loud"),
        b"-ERR Invalid value 'loud' to SENTINEL CONFIG SET 'LogLevel'\r\n",
    );
    // Several pairs: all or nothing, loglevel included.
    assert_bytes(
        &h.cmd(
            c,
            "SENTINEL CONFIG SET loglevel warning announce-port 99999",
        ),
        b"-ERR Invalid value '99999' to SENTINEL CONFIG SET 'announce-port'\r\n",
    );
    assert_eq!(h.host.log_level, LogLevel::Verbose);
    assert_bytes(
        &h.cmd(c, "SENTINEL CONFIG SET announce-port 7 loglevel nothing"),
        b"-ERR Invalid value 'nothing' to SENTINEL CONFIG SET 'loglevel'\r\n",
    );
    assert_eq!(h.core.announce_port, 0);
    assert_bytes(
        &h.cmd(c, "SENTINEL CONFIG SET announce-port 7 loglevel warning"),
        b"+OK\r\n",
    );
    assert_eq!(h.host.log_level, LogLevel::Warning);
    assert_eq!(h.core.announce_port, 7);
    assert_bytes(
        &h.cmd(c, "SENTINEL CONFIG GET announce-port LOGLEVEL"),
        b"*4\r\n$13\r\nannounce-port\r\n$1\r\n7\r\n$8\r\nloglevel\r\n$7\r\nwarning\r\n",
    );
}
