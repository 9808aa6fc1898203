//! Differential testing: the same config under Debian's `redis-sentinel` (the reference) and
//! under `rsentinel` (the candidate), the same command to both, equal replies required —
//! byte for byte by default, with masks for volatile fields.
//!
//! Each side monitors its **own** redis-server master (two sentinels watching one master
//! would discover each other through hello messages, with timing-dependent results), so the
//! configs differ only in ports: every client of a [`Pair`] carries substitutions that turn
//! that side's master port, sentinel port and temp dir into `<master-port>`, `<sentinel-port>`
//! and `<dir>` before comparing.
//!
//! `RSENTINEL_COMPARE_SELF=1` runs `redis-sentinel` on both sides: the whole differential
//! suite must then pass, which checks the masks and helpers themselves.
//!
//! `RSENTINEL_COMPARE_TLS=1` runs both sides TLS-only (masters, replicas and sentinels with
//! `port 0`, `tls-port`, `tls-replication yes`, `tls-auth-clients yes`) and talks to the
//! sentinels over TLS: the same replies are required. It serves the tests that talk only
//! through [`Pair`]'s clients (`compat_commands`); tests with raw sockets or redis-py of
//! their own stay plaintext.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::Duration;

use super::client::{show_bytes, Client, Value};
use super::ports::free_ports;
use super::proc::{start_sentinel, wait_replica_link_up, Kind, Proc, RedisServer, SentinelConf};

/// Fields of SENTINEL MASTER/REPLICAS/SENTINELS entries that depend on timing or identity.
pub const VOLATILE_INSTANCE_FIELDS: &[&str] = &[
    "runid",
    "link-pending-commands",
    "last-ping-sent",
    "last-ok-ping-reply",
    "last-ping-reply",
    "s-down-time",
    "o-down-time",
    "info-refresh",
    "role-reported-time",
    "master-link-down-time",
    "last-hello-message",
];

type Hook = Box<dyn Fn(&mut Value)>;

/// What to hide before comparing two replies.
#[derive(Default)]
pub struct Mask {
    fields: Vec<String>,
    ints: bool,
    hooks: Vec<Hook>,
}

impl Mask {
    /// Compare everything (after port/dir substitution).
    pub fn none() -> Mask {
        Mask::default()
    }

    /// Hide the values of these fields wherever they appear: in RESP3 maps and in RESP2 flat
    /// field/value arrays (any array of even length whose even elements name the field).
    pub fn fields(names: &[&str]) -> Mask {
        Mask::none().and_fields(names)
    }

    /// The volatile fields of an instance description ([`VOLATILE_INSTANCE_FIELDS`]).
    pub fn instance() -> Mask {
        Mask::fields(VOLATILE_INSTANCE_FIELDS)
    }

    pub fn and_fields(mut self, names: &[&str]) -> Mask {
        self.fields.extend(names.iter().map(|s| s.to_string()));
        self
    }

    /// Hide every integer value (keeps the type: only `:n` integers are masked).
    pub fn ints(mut self) -> Mask {
        self.ints = true;
        self
    }

    /// Any custom rewrite of the (already substituted) reply.
    pub fn with(mut self, f: impl Fn(&mut Value) + 'static) -> Mask {
        self.hooks.push(Box::new(f));
        self
    }

    pub fn is_none(&self) -> bool {
        self.fields.is_empty() && !self.ints && self.hooks.is_empty()
    }

    pub fn apply(&self, v: &mut Value) {
        self.walk(v);
        for h in &self.hooks {
            h(v);
        }
    }

    fn masked_field(&self, k: &Value) -> bool {
        k.as_str().is_some_and(|k| self.fields.contains(&k))
    }

    fn walk(&self, v: &mut Value) {
        match v {
            Value::Int(_) if self.ints => *v = Value::Masked("int".into()),
            Value::Map(m) | Value::Attribute(m, _) => {
                for (k, val) in m.iter_mut() {
                    if self.masked_field(k) {
                        *val = Value::Masked(k.as_str().unwrap_or_default());
                    } else {
                        self.walk(val);
                    }
                }
                if let Value::Attribute(_, inner) = v {
                    self.walk(inner);
                }
            }
            Value::Array(a) | Value::Set(a) | Value::Push(a) => {
                if a.len() % 2 == 0 && !self.fields.is_empty() {
                    for i in (0..a.len()).step_by(2) {
                        if self.masked_field(&a[i]) {
                            a[i + 1] = Value::Masked(a[i].as_str().unwrap_or_default());
                        }
                    }
                }
                for x in a.iter_mut() {
                    if !matches!(x, Value::Masked(_)) {
                        self.walk(x);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Apply a client's substitutions to every string in `v`.
pub fn substitute(v: &mut Value, subst: &[(String, String)]) {
    if subst.is_empty() {
        return;
    }
    let fix = |s: &str| -> String {
        let mut s = s.to_string();
        for (from, to) in subst {
            if !from.is_empty() {
                s = s.replace(from.as_str(), to);
            }
        }
        s
    };
    match v {
        Value::Simple(s) | Value::Error(s) => *s = fix(s),
        Value::Bulk(b) | Value::Verbatim(_, b) | Value::BlobError(b) => {
            if let Ok(s) = std::str::from_utf8(b) {
                *b = fix(s).into_bytes();
            }
        }
        Value::Array(a) | Value::Set(a) | Value::Push(a) => {
            a.iter_mut().for_each(|x| substitute(x, subst))
        }
        Value::Map(m) => m.iter_mut().for_each(|(k, x)| {
            substitute(k, subst);
            substitute(x, subst)
        }),
        Value::Attribute(m, inner) => {
            m.iter_mut().for_each(|(k, x)| {
                substitute(k, subst);
                substitute(x, subst)
            });
            substitute(inner, subst)
        }
        _ => {}
    }
}

fn normalize(c: &Client, mut v: Value, mask: &Mask) -> Value {
    substitute(&mut v, &c.subst);
    mask.apply(&mut v);
    v
}

fn describe(args: &[&[u8]]) -> String {
    args.iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn mismatch(what: &str, ra: &[u8], rb: &[u8], na: &Value, nb: &Value) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "replies differ for `{what}`");
    let _ = writeln!(
        s,
        "--- reference (redis-sentinel), normalized:\n{}",
        na.pretty()
    );
    let _ = writeln!(s, "--- candidate, normalized:\n{}", nb.pretty());
    let _ = writeln!(s, "--- reference raw: {}", show_bytes(ra));
    let _ = writeln!(s, "--- candidate raw: {}", show_bytes(rb));
    s
}

/// Compare already-read replies. Ok(normalized reference) or Err(readable diff).
pub fn diff_values(
    a: &Client,
    b: &Client,
    what: &str,
    (va, ra): (Value, Vec<u8>),
    (vb, rb): (Value, Vec<u8>),
    mask: &Mask,
) -> Result<Value, String> {
    let na = normalize(a, va.clone(), mask);
    let nb = normalize(b, vb.clone(), mask);
    // Normalization must not hide a raw difference when nothing was masked or substituted.
    let untouched = na == va && nb == vb;
    if na != nb || (untouched && ra != rb) {
        return Err(mismatch(what, &ra, &rb, &na, &nb));
    }
    Ok(na)
}

/// Send `args` to both, read one reply each, compare. Ok(normalized reference reply).
pub fn diff_reply<A: AsRef<[u8]>>(
    a: &mut Client,
    b: &mut Client,
    args: &[A],
    mask: &Mask,
) -> Result<Value, String> {
    let what = describe(&args.iter().map(|x| x.as_ref()).collect::<Vec<_>>());
    let ra = a.cmd_raw(args);
    let rb = b.cmd_raw(args);
    diff_values(a, b, &what, ra, rb, mask)
}

/// Send `args` to both and assert equal replies (see module docs). Returns the normalized
/// reference reply for further assertions.
#[track_caller]
pub fn same_reply<A: AsRef<[u8]>>(
    a: &mut Client,
    b: &mut Client,
    args: &[A],
    mask: &Mask,
) -> Value {
    diff_reply(a, b, args, mask).unwrap_or_else(|e| panic!("{e}"))
}

/// A documented deliberate difference: rsentinel serves a request that redis-sentinel 7.0.15
/// rejects (a later Redis or Valkey command). The reference must answer exactly
/// `reference`, the candidate exactly `candidate` — or `reference` too when the candidate is
/// redis-sentinel (`RSENTINEL_COMPARE_SELF=1`). Every caller says why the replies differ.
#[track_caller]
pub fn deliberate_difference<A: AsRef<[u8]>>(
    a: &mut Client,
    b: &mut Client,
    args: &[A],
    reference: &[u8],
    candidate: &[u8],
) {
    let what = describe(&args.iter().map(|x| x.as_ref()).collect::<Vec<_>>());
    let (_, ra) = a.cmd_raw(args);
    let (_, rb) = b.cmd_raw(args);
    let candidate = match candidate_kind() {
        Kind::RedisSentinel => reference,
        _ => candidate,
    };
    assert_eq!(
        (show_bytes(&ra), show_bytes(&rb)),
        (show_bytes(reference), show_bytes(candidate)),
        "{what}: (reference, candidate) replies"
    );
}

/// Send the same raw bytes to both, read `replies` replies from each, assert all equal.
#[track_caller]
pub fn same_raw(a: &mut Client, b: &mut Client, bytes: &[u8], replies: usize, mask: &Mask) {
    a.send_raw(bytes);
    b.send_raw(bytes);
    for i in 0..replies {
        let what = format!("raw {} (reply {i})", show_bytes(bytes));
        let (ra, rb) = (a.read_raw(), b.read_raw());
        if let Err(e) = diff_values(a, b, &what, ra, rb, mask) {
            panic!("{e}");
        }
    }
}

/// Read one already-expected reply (e.g. a pub/sub message) from both and compare.
#[track_caller]
pub fn same_next(a: &mut Client, b: &mut Client, what: &str, mask: &Mask) -> Value {
    let (ra, rb) = (a.read_raw(), b.read_raw());
    diff_values(a, b, what, ra, rb, mask).unwrap_or_else(|e| panic!("{e}"))
}

/// Both replies must be arrays with the same elements, in any order.
#[track_caller]
pub fn same_set<A: AsRef<[u8]>>(a: &mut Client, b: &mut Client, args: &[A]) -> BTreeSet<String> {
    let what = describe(&args.iter().map(|x| x.as_ref()).collect::<Vec<_>>());
    let set = |c: &mut Client| -> BTreeSet<String> {
        let r = c.cmd(args);
        let v = normalize(c, r, &Mask::none());
        let items = v
            .as_array()
            .unwrap_or_else(|| panic!("`{what}` did not answer an array: {v:?}"));
        let mut out = BTreeSet::new();
        for i in items {
            let s = i.as_str().unwrap_or_else(|| format!("{i:?}"));
            assert!(out.insert(s.clone()), "`{what}` answered {s:?} twice");
        }
        out
    };
    let (sa, sb) = (set(a), set(b));
    assert!(
        sa == sb,
        "`{what}` sets differ\nonly in reference: {:?}\nonly in candidate: {:?}",
        sa.difference(&sb).collect::<Vec<_>>(),
        sb.difference(&sa).collect::<Vec<_>>()
    );
    sa
}

/// INFO text split into `(section title, [(field, value)])`, in order.
pub fn parse_info(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.split("\r\n") {
        if let Some(title) = line.strip_prefix("# ") {
            out.push((title.to_string(), Vec::new()));
        } else if let Some((k, v)) = line.split_once(':') {
            if out.is_empty() {
                out.push((String::new(), Vec::new()));
            }
            let last = out.last_mut().expect("pushed above");
            last.1.push((k.to_string(), v.to_string()));
        }
    }
    out
}

/// Send an INFO command to both and compare: the reply type (bulk), the section titles, the
/// field *names* per section in order, and the *values* of the fields in `values_of`
/// (after substitution). Returns the reference's parsed INFO.
#[track_caller]
pub fn same_info<A: AsRef<[u8]>>(
    a: &mut Client,
    b: &mut Client,
    args: &[A],
    values_of: &[&str],
) -> Vec<(String, Vec<(String, String)>)> {
    let what = describe(&args.iter().map(|x| x.as_ref()).collect::<Vec<_>>());
    let get = |c: &mut Client| {
        let r = c.cmd(args);
        let v = normalize(c, r, &Mask::none());
        let Value::Bulk(text) = &v else {
            panic!("`{what}` did not answer a bulk string: {v:?}");
        };
        let text = String::from_utf8_lossy(text).into_owned();
        assert!(
            text.is_empty() || text.ends_with("\r\n"),
            "`{what}` text does not end in CRLF: {text:?}"
        );
        (text.clone(), parse_info(&text))
    };
    let (ta, ia) = get(a);
    let (tb, ib) = get(b);
    let shape = |i: &Vec<(String, Vec<(String, String)>)>| -> Vec<(String, Vec<String>)> {
        i.iter()
            .map(|(t, f)| (t.clone(), f.iter().map(|(k, _)| k.clone()).collect()))
            .collect()
    };
    assert_eq!(
        shape(&ia),
        shape(&ib),
        "`{what}` sections/field names differ\n--- reference:\n{ta}\n--- candidate:\n{tb}"
    );
    // Blank-line layout (one empty line between sections) must match too.
    let blank = |t: &str| t.split("\r\n").filter(|l| l.is_empty()).count();
    assert_eq!(blank(&ta), blank(&tb), "`{what}` blank-line layout differs");
    for field in values_of {
        let find = |i: &Vec<(String, Vec<(String, String)>)>| {
            i.iter()
                .flat_map(|(_, f)| f.iter())
                .find(|(k, _)| k == field)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(find(&ia), find(&ib), "`{what}` value of `{field}` differs");
    }
    ia
}

/// Which binary plays the candidate: `rsentinel`, or `redis-sentinel` when
/// `RSENTINEL_COMPARE_SELF=1` (self-check of the differential harness).
pub fn candidate_kind() -> Kind {
    match std::env::var("RSENTINEL_COMPARE_SELF") {
        Ok(v) if !v.is_empty() && v != "0" => Kind::RedisSentinel,
        _ => Kind::RSentinel,
    }
}

/// Whether the pairs run TLS-only (`RSENTINEL_COMPARE_TLS=1`).
pub fn compare_tls() -> bool {
    std::env::var("RSENTINEL_COMPARE_TLS").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// One side of a [`Pair`]: a sentinel, the master it monitors and that master's replicas.
pub struct Side {
    pub master: Proc,
    pub replicas: Vec<Proc>,
    pub sentinel: Proc,
}

impl Side {
    fn start(kind: Kind, replicas: usize, conf: &dyn Fn(u16) -> SentinelConf) -> Side {
        if compare_tls() {
            return Side::start_tls(kind, replicas, conf);
        }
        let master = RedisServer::master();
        let replicas: Vec<Proc> = (0..replicas)
            .map(|_| RedisServer::replica_of(master.port()))
            .collect();
        // Linked before the sentinel starts, so its first INFO of the master lists them.
        for r in &replicas {
            wait_replica_link_up(r.port(), Duration::from_secs(10));
        }
        let port = free_ports(1)[0];
        let sentinel = start_sentinel(kind, conf(master.port()).port(port));
        Side {
            master,
            replicas,
            sentinel,
        }
    }

    /// [`Side::start`] with every process TLS-only (shared certificates).
    fn start_tls(kind: Kind, replicas: usize, conf: &dyn Fn(u16) -> SentinelConf) -> Side {
        let certs = super::tls::shared_certs();
        let ports = free_ports(replicas + 2);
        let mport = ports[0];
        let master = super::tls::tls_redis_server(certs, mport, None);
        let n = replicas;
        let replicas: Vec<Proc> = ports[1..=n]
            .iter()
            .map(|&p| super::tls::tls_redis_server(certs, p, Some(mport)))
            .collect();
        for r in &replicas {
            let port = r.port();
            super::wait_until(Duration::from_secs(10), "TLS replica linked", || {
                let mut c = super::tls::tls_client(port);
                c.cmd(&["INFO", "replication"])
                    .as_str()
                    .is_some_and(|t| t.contains("master_link_status:up"))
            });
        }
        let port = ports[n + 1];
        let mut text = conf(mport).port(port).to_string();
        text = text.replacen(&format!("port {port}\n"), "", 1);
        for l in certs.config_lines(port) {
            text.push_str(&l);
            text.push('\n');
        }
        let sentinel = super::tls::spawn_tls(kind, &text, port);
        Side {
            master,
            replicas,
            sentinel,
        }
    }

    /// A connection to this side's sentinel (TLS in TLS mode).
    fn connect(&self) -> Client {
        if compare_tls() {
            super::tls::tls_client(self.sentinel.port())
        } else {
            self.sentinel.client()
        }
    }

    /// A client whose replies get this side's substitutions in comparisons.
    pub fn client(&self) -> Client {
        let mut c = self.connect();
        c.subst = vec![
            (
                self.sentinel.dir().display().to_string(),
                "<dir>".to_string(),
            ),
            (self.master.port().to_string(), "<master-port>".to_string()),
            (
                self.sentinel.port().to_string(),
                "<sentinel-port>".to_string(),
            ),
        ];
        for (i, r) in self.replicas.iter().enumerate() {
            c.subst
                .push((r.port().to_string(), format!("<replica-port-{i}>")));
        }
        c
    }
}

/// The same config run by the reference and by the candidate.
pub struct Pair {
    /// redis-sentinel 7.0.15.
    pub reference: Side,
    /// rsentinel (or redis-sentinel under `RSENTINEL_COMPARE_SELF=1`).
    pub candidate: Side,
}

impl Pair {
    /// `conf(master_port)` builds the sentinel config (without `port`, which the pair sets).
    pub fn start(conf: impl Fn(u16) -> SentinelConf) -> Pair {
        Pair::start_kinds(Kind::RedisSentinel, candidate_kind(), conf)
    }

    /// Explicit kinds (the harness self-test uses redis-sentinel on both sides).
    pub fn start_kinds(
        reference: Kind,
        candidate: Kind,
        conf: impl Fn(u16) -> SentinelConf,
    ) -> Pair {
        Pair::start_full(reference, candidate, 0, conf)
    }

    /// Each side's master gets `replicas` real replicas (linked before the sentinel starts);
    /// their ports are substituted as `<replica-port-i>`.
    pub fn start_with_replicas(replicas: usize, conf: impl Fn(u16) -> SentinelConf) -> Pair {
        Pair::start_full(Kind::RedisSentinel, candidate_kind(), replicas, conf)
    }

    pub fn start_full(
        reference: Kind,
        candidate: Kind,
        replicas: usize,
        conf: impl Fn(u16) -> SentinelConf,
    ) -> Pair {
        let reference = Side::start(reference, replicas, &conf);
        let candidate = Side::start(candidate, replicas, &conf);
        Pair {
            reference,
            candidate,
        }
    }

    /// One monitored master named `mymaster`, quorum 2, default timings.
    pub fn mymaster() -> Pair {
        Pair::start(|mport| SentinelConf::new().monitor("mymaster", "127.0.0.1", mport, 2))
    }

    /// Fresh RESP2 clients (reference, candidate).
    pub fn clients(&self) -> (Client, Client) {
        (self.reference.client(), self.candidate.client())
    }

    /// Fresh clients that sent `HELLO 3` (the HELLO replies are not compared here).
    pub fn clients3(&self) -> (Client, Client) {
        let (mut a, mut b) = self.clients();
        a.hello3();
        b.hello3();
        (a, b)
    }

    /// Wait (bounded) until both sentinels see master `name` healthy: flags exactly `master`,
    /// a known run id (i.e. connected and INFO received), and every replica of the side
    /// listed with flags exactly `slave` and its link `ok`.
    pub fn wait_settled(&self, name: &str) {
        for side in [&self.reference, &self.candidate] {
            let mut c = side.connect();
            super::wait_until(
                Duration::from_secs(10),
                &format!(
                    "{:?} to see master {name} connected with INFO",
                    side.sentinel
                ),
                || {
                    let v = c.cmd(&["SENTINEL", "MASTER", name]);
                    let master_ok = v.field("flags").as_deref() == Some("master")
                        && v.field("runid").is_some_and(|r| !r.is_empty());
                    let r = c.cmd(&["SENTINEL", "REPLICAS", name]);
                    let replicas_ok = r.as_array().is_some_and(|a| {
                        a.len() == side.replicas.len()
                            && a.iter().all(|x| {
                                x.field("flags").as_deref() == Some("slave")
                                    && x.field("master-link-status").as_deref() == Some("ok")
                                    && x.field("runid").is_some_and(|r| !r.is_empty())
                            })
                    });
                    master_ok && replicas_ok
                },
            );
        }
    }
}
