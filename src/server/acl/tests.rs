//! Table tests of the ACL rules against what redis-sentinel 7.0.15 printed for the same
//! `ACL SETUSER` calls (single-command tails compared as sets: Redis's order is its
//! command dict's, which is random per process).

use super::*;
use crate::server::command_table::{lookup, Lookup};

fn user(rules: &[&str]) -> User {
    let mut u = User::new(b"u");
    for r in rules {
        u.apply(r.as_bytes())
            .unwrap_or_else(|e| panic!("{r}: {e:?}"));
    }
    u
}

fn words(s: &str) -> Vec<&str> {
    let mut w: Vec<&str> = s.split(' ').collect();
    w.sort_unstable();
    w
}

fn spec(args: &[&[u8]]) -> &'static CommandSpec {
    match lookup(args) {
        Lookup::Found(s) => s,
        other => panic!("{other:?}"),
    }
}

#[test]
fn default_user_and_new_users_describe_like_redis() {
    assert_eq!(User::default_user().describe(), "on nopass ~* &* +@all");
    assert_eq!(User::new(b"x").describe(), "off resetchannels -@all");
    assert_eq!(
        user(&["reset"]).describe(),
        "off sanitize-payload resetchannels -@all"
    );
    assert_eq!(
        user(&[">pw", "+@all", "on"]).describe(),
        "on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 resetchannels +@all"
    );
    assert_eq!(
        user(&["on", ">x", "-@all", "+ping", "~foo*", "&ch", "%R~bar"]).describe(),
        "on #2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 ~foo* %R~bar \
         resetchannels &ch -@all +ping"
    );
}

#[test]
fn removing_a_container_is_described_through_the_best_category() {
    let d = user(&["+@all", "-sentinel"]).describe();
    let expected = "off resetchannels +@all -@admin +shutdown +role +acl|setuser +acl|list \
        +acl|getuser +acl|save +acl|dryrun +acl|deluser +acl|load +acl|users +acl|log \
        +client|unpause +client|list +client|pause +client|kill +client|no-evict +client|unblock";
    assert_eq!(words(&d), words(expected));
    assert_eq!(
        user(&["+@all", "-@admin", "-client"]).describe(),
        "off resetchannels +@all -@admin -client"
    );
    assert_eq!(
        user(&["-@all", "+sentinel|masters"]).describe(),
        "off resetchannels -@all +sentinel|masters"
    );
    assert_eq!(
        user(&["-@all", "+ping|x"]).describe(),
        "off resetchannels -@all +ping|x"
    );
}

#[test]
fn rule_errors_match_redis() {
    let mut u = User::new(b"x");
    assert_eq!(u.apply(b"#abc"), Err(RuleError::BadHash));
    assert_eq!(u.apply(b"<nope"), Err(RuleError::NoSuchPassword));
    assert_eq!(u.apply(b"bogus"), Err(RuleError::Syntax));
    assert_eq!(u.apply(b"+@nocat"), Err(RuleError::UnknownName));
    assert_eq!(u.apply(b"%X~a"), Err(RuleError::Syntax));
    assert_eq!(u.apply(b"+sentinel|"), Err(RuleError::Syntax));
    assert_eq!(u.apply(b"+sentinel|foo"), Err(RuleError::UnknownName));
    assert_eq!(
        u.apply(b"+sentinel|masters|x"),
        Err(RuleError::FirstArgOfSubcommand)
    );
    assert_eq!(u.apply(b"-ping|x"), Err(RuleError::UnknownName));
    assert_eq!(u.apply(b"~*"), Ok(()));
    assert_eq!(u.apply(b"~foo"), Err(RuleError::KeyAfterAll));
    assert_eq!(u.apply(b"&*"), Ok(()));
    assert_eq!(u.apply(b"&foo"), Err(RuleError::ChannelAfterAll));
}

#[test]
fn selectors_and_key_flags_describe_like_redis() {
    let mut u = User::new(b"s");
    let merged = user::merge_selector_args(&[
        b"on",
        b"(+ping ~k*)",
        b"(-@all",
        b"+info)",
        b"allkeys",
        b"allchannels",
        b"allcommands",
    ])
    .unwrap_or_default();
    for op in &merged {
        u.apply(op).unwrap_or_else(|e| panic!("{e:?}"));
    }
    assert_eq!(
        u.describe(),
        "on ~* &* +@all (~k* resetchannels -@all +ping) (resetchannels -@all +info)"
    );
    for op in [
        "clearselectors",
        "nocommands",
        "resetkeys",
        "%RW~a",
        "%W~b",
        "%R~b",
    ] {
        u.apply(op.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"));
    }
    assert_eq!(u.root().map(|s| s.keys_text()).as_deref(), Some("~a ~b"));
    assert_eq!(
        user::merge_selector_args(&[b"(+ping", b"~x"]),
        Err(0),
        "an unterminated selector names its first word"
    );
}

#[test]
fn permissions_follow_commands_first_args_and_channels() {
    let mut db = UserDb::default();
    db.put(user(&["on", "+@all", "-sentinel"]));
    let masters: &[&[u8]] = &[b"SENTINEL", b"masters"];
    assert_eq!(
        db.check_command(b"u", spec(masters), masters),
        Err(Denial::Command)
    );
    let ping: &[&[u8]] = &[b"ping"];
    assert_eq!(db.check_command(b"u", spec(ping), ping), Ok(()));
    let sub: &[&[u8]] = &[b"subscribe", b"a", b"b"];
    assert_eq!(
        db.check_command(b"u", spec(sub), sub),
        Err(Denial::Channel(1))
    );
    db.put(user(&["on", "+@all", "&a"]));
    assert_eq!(
        db.check_command(b"u", spec(sub), sub),
        Err(Denial::Channel(2))
    );
    let auth: &[&[u8]] = &[b"auth", b"x"];
    db.put(user(&["on", "-@all", "+ping|hi"]));
    assert_eq!(db.check_command(b"u", spec(auth), auth), Ok(()));
    let hi: &[&[u8]] = &[b"ping", b"HI"];
    assert_eq!(db.check_command(b"u", spec(hi), hi), Ok(()));
    assert_eq!(
        db.check_command(b"u", spec(ping), ping),
        Err(Denial::Command)
    );
}

#[test]
fn config_users_apply_after_requirepass_and_redefine_default() {
    let db = UserDb::from_config(
        Some(b"foo".to_vec()),
        &[vec![
            "peer".into(),
            "on".into(),
            ">pw".into(),
            "+@all".into(),
        ]],
    )
    .unwrap_or_default();
    assert!(db.check(b"default", b"foo"));
    assert!(db.check(b"peer", b"pw"));
    let db = UserDb::from_config(
        Some(b"foo".to_vec()),
        &[vec!["default".into(), "on".into(), "nopass".into()]],
    )
    .unwrap_or_default();
    assert_eq!(
        db.get(b"default").map(User::describe).as_deref(),
        Some("on nopass sanitize-payload resetchannels -@all")
    );
    let err = UserDb::from_config(None, &[vec!["x".into(), "+nope".into()]]);
    assert_eq!(
        err.map(|_| ()).map_err(|e| e.to_string()),
        Err(
            "Error loading ACL rule '+nope' for the user named 'x': Unknown command or category \
             name in ACL"
                .to_string()
        )
    );
}
