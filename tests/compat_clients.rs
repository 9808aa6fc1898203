//! Real client libraries against rsentinel and redis-sentinel: the same client program must
//! see the same thing through both (clients.md). Currently redis-py.

mod common;

use std::time::Duration;

use common::proc::run_python;
use common::*;

/// redis-py `Sentinel` in RESP2 and RESP3: discover the master (via SENTINEL MASTERS and its
/// flag checks), the replicas, the master's description keys, and write through the master
/// it found. Ports are printed as placeholders so both sides print the same text.
const REDIS_PY_DISCOVERY: &str = r#"
import sys, redis
from redis.sentinel import Sentinel
sport, mport = int(sys.argv[1]), sys.argv[2]
def show(x):
    return str(x).replace(mport, "<master-port>")
for proto in (2, 3):
    kw = dict(socket_timeout=5, socket_connect_timeout=5, protocol=proto)
    s = Sentinel([("127.0.0.1", sport)], sentinel_kwargs=dict(kw), **kw)
    print(proto, "master", show(s.discover_master("mymaster")))
    print(proto, "replicas", show(s.discover_slaves("mymaster")))
    conn = s.sentinels[0]
    state = conn.sentinel_master("mymaster")
    print(proto, "keys", sorted(state.keys()))
    print(proto, "flags", state["is_master"], state["is_sdown"], state["is_odown"],
          state["num-other-sentinels"], state["quorum"])
    print(proto, "addr", show(conn.sentinel_get_master_addr_by_name("mymaster")))
    print(proto, "ping", conn.execute_command("PING"))
    m = s.master_for("mymaster", **kw)
    m.set("k%d" % proto, "v")
    print(proto, "write", m.get("k%d" % proto))
    try:
        s.discover_master("nosuch")
    except redis.sentinel.MasterNotFoundError as e:
        print(proto, "nosuch", type(e).__name__)
"#;

fn redis_py_view(side: &compare::Side) -> String {
    run_python(
        REDIS_PY_DISCOVERY,
        &[
            &side.sentinel.port().to_string(),
            &side.master.port().to_string(),
        ],
        Duration::from_secs(30),
    )
}

#[test]
fn redis_py_discovers_the_same_master_in_resp2_and_resp3() {
    let pair = Pair::mymaster();
    pair.wait_settled("mymaster");
    let reference = redis_py_view(&pair.reference);
    let candidate = redis_py_view(&pair.candidate);
    assert!(
        reference.contains("3 master ('127.0.0.1', <master-port>)"),
        "{reference}"
    );
    assert_eq!(reference, candidate, "redis-py sees different sentinels");
}

#[test]
fn redis_py_lists_the_same_replicas() {
    let pair = Pair::start_with_replicas(1, |mport| {
        SentinelConf::new().monitor("mymaster", "127.0.0.1", mport, 2)
    });
    pair.wait_settled("mymaster");
    let view = |side: &compare::Side| {
        redis_py_view(side).replace(&side.replicas[0].port().to_string(), "<replica-port>")
    };
    let reference = view(&pair.reference);
    assert!(
        reference.contains("3 replicas [('127.0.0.1', <replica-port>)]"),
        "{reference}"
    );
    assert_eq!(reference, view(&pair.candidate));
}
