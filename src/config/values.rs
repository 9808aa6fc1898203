//! Validation and canonical rendering of table directives (see [`super::table`]): what Redis
//! 7.0.15 accepts for each kind of value, the exact error when it does not, and the text Redis
//! writes back for it on config rewrite.

use super::error::DirectiveError;
use super::lexer::repr;
use super::num::{format_memory, memtoull, string2ll, yes_no};
use super::table::{Entry, Kind};

/// Kinds whose directive takes several arguments (Redis `MULTI_ARG_CONFIG`): a single non-empty
/// argument is split again on white space (`bind "a b"` = `bind a b`).
pub fn is_multi_arg(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Bind
            | Kind::Save
            | Kind::ClientOutputBufferLimit
            | Kind::OomScoreAdjValues
            | Kind::ReplicaOf
            | Kind::Percentiles
    )
}

/// Strings whose empty value means "unset" (Redis `EMPTY_STRING_IS_NULL`): an unset one is
/// never written back, and its old lines are removed.
pub fn empty_is_null(entry: &Entry) -> bool {
    matches!(entry.kind, Kind::Str)
        && entry.default.is_empty()
        && !matches!(entry.name, "logfile" | "aclfile" | "ignore-warnings")
}

/// Client classes of `client-output-buffer-limit`, in rewrite order.
pub const COBL_CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];

/// Validates `args` (the words after the directive name) and returns the canonical value text,
/// `None` for an unset value. `current` is the value before this line (needed by directives
/// that change part of a value).
pub fn parse_value(
    entry: &Entry,
    args: &[String],
    current: &str,
) -> Result<Option<String>, DirectiveError> {
    use DirectiveError as E;
    let one = || match args {
        [a] => Ok(a.as_str()),
        _ => Err(E::WrongArgCount),
    };
    Ok(Some(match entry.kind {
        Kind::Bool => {
            if yes_no(one()?).ok_or(E::NotYesNo)? {
                "yes".into()
            } else {
                "no".into()
            }
        }
        Kind::Int(lo, hi) => {
            let v = string2ll(one()?).ok_or(E::NotInteger)?;
            if v < lo || v > hi {
                return Err(E::OutOfRange(lo, hi));
            }
            v.to_string()
        }
        Kind::Memory => format_memory(memtoull(one()?).ok_or(E::NotMemory)?),
        Kind::MemoryOrPercent => {
            let a = one()?;
            match a.strip_suffix('%') {
                Some(p) => {
                    let v = string2ll(p)
                        .filter(|v| *v >= 0)
                        .ok_or(E::NotMemoryOrPercent)?;
                    format!("{v}%")
                }
                None => format_memory(memtoull(a).ok_or(E::NotMemoryOrPercent)?),
            }
        }
        Kind::Enum(list) => {
            let a = one()?;
            let found = list.iter().find(|v| v.eq_ignore_ascii_case(a));
            (*found.ok_or(E::NotOneOf(list))?).to_string()
        }
        Kind::Str | Kind::Dir => {
            let a = one()?;
            if a.is_empty() && empty_is_null(entry) {
                return Ok(None);
            }
            a.to_string()
        }
        Kind::Octal => {
            let v = i64::from_str_radix(one()?, 8).map_err(|_| E::NotOctal)?;
            if !(0..=0o777).contains(&v) {
                return Err(E::OutOfRange(0, 0o777));
            }
            format!("{v:o}")
        }
        Kind::NotifyKeyspaceEvents => keyspace_events(one()?)?,
        Kind::Bind => {
            if args.len() > 16 {
                return Err(E::TooManyBindAddresses);
            }
            let odd = |b: u8| b.is_ascii_whitespace() || b == b'"' || b == b'\'';
            if args.iter().any(|a| a.bytes().any(odd)) {
                return Err(E::InvalidBindAddress);
            }
            args.join(" ")
        }
        Kind::Save => {
            if let [a] = args {
                if a.is_empty() {
                    return Ok(Some(String::new()));
                }
            }
            if args.len() % 2 == 1 || args.iter().any(|a| !is_c_integer(a)) {
                return Err(E::InvalidSave);
            }
            args.join(" ")
        }
        Kind::ClientOutputBufferLimit => buffer_limits(args, current)?,
        Kind::OomScoreAdjValues => {
            if args.len() != 3 {
                return Err(E::WrongArgCount);
            }
            let mut out = Vec::new();
            for a in args {
                let v = string2ll(a).filter(|v| (-2000..=2000).contains(v));
                out.push(v.ok_or(E::OomScoreAdjRange)?.to_string());
            }
            out.join(" ")
        }
        Kind::ReplicaOf => match args {
            [h, p] if h.eq_ignore_ascii_case("no") && p.eq_ignore_ascii_case("one") => {
                return Ok(None)
            }
            [h, p] => {
                let port = string2ll(p).filter(|v| (0..=65535).contains(v));
                format!("{h} {}", port.ok_or(E::InvalidMasterPort)?)
            }
            _ => return Err(E::WrongArgCount),
        },
        Kind::Percentiles => {
            if let [a] = args {
                if a.is_empty() {
                    return Ok(Some(String::new()));
                }
            }
            let mut out = Vec::new();
            for a in args {
                let v: f64 = a.parse().map_err(|_| E::PercentilesInvalid)?;
                if !(0.0..=100.0).contains(&v) {
                    return Err(E::PercentilesRange);
                }
                out.push(format_double(v));
            }
            out.join(" ")
        }
    }))
}

/// `strtoll` consuming the whole (non-empty) word, as Redis checks `save` numbers.
fn is_c_integer(s: &str) -> bool {
    let t = s.trim_start();
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

/// `%f` with trailing zeros (and a trailing dot) removed, as Redis writes percentiles.
fn format_double(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

const NOTIFY_FLAGS: &[(char, u16)] = &[
    ('g', 1 << 2),
    ('$', 1 << 3),
    ('l', 1 << 4),
    ('s', 1 << 5),
    ('h', 1 << 6),
    ('z', 1 << 7),
    ('x', 1 << 8),
    ('e', 1 << 9),
    ('t', 1 << 10),
    ('d', 1 << 13),
    ('n', 1 << 14),
];
const NOTIFY_ALL: u16 = 0b10_0111_1111_1100;
const NOTIFY_KEYSPACE: u16 = 1;
const NOTIFY_KEYEVENT: u16 = 1 << 1;
const NOTIFY_KEY_MISS: u16 = 1 << 11;

/// Parses and re-renders `notify-keyspace-events` the way Redis normalises it (`Ex` → `xE`).
fn keyspace_events(s: &str) -> Result<String, DirectiveError> {
    let mut flags = 0u16;
    for c in s.chars() {
        flags |= match c {
            'A' => NOTIFY_ALL,
            'K' => NOTIFY_KEYSPACE,
            'E' => NOTIFY_KEYEVENT,
            'm' => NOTIFY_KEY_MISS,
            other => NOTIFY_FLAGS
                .iter()
                .find(|(f, _)| *f == other)
                .map(|(_, bit)| *bit)
                .ok_or(DirectiveError::KeyspaceEventClass)?,
        };
    }
    let mut out = String::new();
    if flags & NOTIFY_ALL == NOTIFY_ALL {
        out.push('A');
    } else {
        out.extend(
            NOTIFY_FLAGS
                .iter()
                .filter(|(_, b)| flags & b != 0)
                .map(|(c, _)| *c),
        );
    }
    for (bit, c) in [
        (NOTIFY_KEYSPACE, 'K'),
        (NOTIFY_KEYEVENT, 'E'),
        (NOTIFY_KEY_MISS, 'm'),
    ] {
        if flags & bit != 0 {
            out.push(c);
        }
    }
    Ok(out)
}

/// Parses `client-output-buffer-limit <class> <hard> <soft> <secs> ...` over `current` (the
/// canonical 12-word form with byte counts) and returns the new canonical form.
fn buffer_limits(args: &[String], current: &str) -> Result<String, DirectiveError> {
    use DirectiveError as E;
    if args.is_empty() || args.len() % 4 != 0 {
        return Err(E::BufferLimitArgCount);
    }
    let mut words: Vec<String> = current.split(' ').map(str::to_string).collect();
    for chunk in args.chunks(4) {
        let [class, hard, soft, secs] = chunk else {
            return Err(E::BufferLimitArgCount);
        };
        let class = match class.to_ascii_lowercase().as_str() {
            "normal" => 0,
            "slave" | "replica" => 1,
            "pubsub" => 2,
            _ => return Err(E::BufferLimitClass),
        };
        let hard = memtoull(hard).ok_or(E::BufferLimitValue)?;
        let soft = memtoull(soft).ok_or(E::BufferLimitValue)?;
        let secs = string2ll(secs)
            .filter(|v| *v >= 0)
            .ok_or(E::BufferLimitValue)?;
        for (k, v) in [
            (1, hard.to_string()),
            (2, soft.to_string()),
            (3, secs.to_string()),
        ] {
            if let Some(w) = words.get_mut(class * 4 + k) {
                *w = v;
            }
        }
    }
    Ok(words.join(" "))
}

/// The config lines Redis writes for a canonical value: `None` when an unset value must not be
/// written. Each item is `(line, is_default)`; most directives give one line,
/// `client-output-buffer-limit` one per class.
pub fn render_lines(entry: &Entry, value: Option<&str>) -> Vec<(String, bool)> {
    let name = entry.alias_of.unwrap_or(entry.name);
    let Some(value) = value else {
        return Vec::new();
    };
    let default = canonical_default(entry);
    match entry.kind {
        Kind::ClientOutputBufferLimit => {
            let cur: Vec<&str> = value.split(' ').collect();
            let def: Vec<&str> = default.split(' ').collect();
            (0..3)
                .filter_map(|c| {
                    let cls = cur.get(c * 4..c * 4 + 4)?;
                    let [class, hard, soft, secs] = cls else {
                        return None;
                    };
                    let mem = |s: &str| s.parse::<u64>().map(format_memory).unwrap_or_default();
                    let line = format!("{name} {class} {} {} {secs}", mem(hard), mem(soft));
                    Some((line, def.get(c * 4..c * 4 + 4) == Some(cls)))
                })
                .collect()
        }
        Kind::Str | Kind::Dir => vec![(
            format!("{name} {}", repr(value.as_bytes())),
            value == default,
        )],
        Kind::NotifyKeyspaceEvents => {
            vec![(
                format!("{name} {}", repr(value.as_bytes())),
                value == default,
            )]
        }
        Kind::Percentiles if value.is_empty() => vec![(format!("{name} \"\""), value == default)],
        _ => vec![(format!("{name} {value}"), value == default)],
    }
}

/// The default in canonical form (`CONFIG GET` prints byte counts; rewrite writes units).
pub fn canonical_default(entry: &Entry) -> String {
    match entry.kind {
        Kind::Memory => memtoull(entry.default)
            .map(format_memory)
            .unwrap_or_default(),
        _ => entry.default.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::lookup;
    use super::*;

    fn p(name: &str, args: &[&str]) -> Result<Option<String>, DirectiveError> {
        let e = lookup(name).ok_or(DirectiveError::BadDirective)?;
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse_value(e, &args, e.default)
    }

    #[test]
    fn values_are_canonicalised_like_redis_rewrites_them() {
        assert_eq!(p("maxmemory", &["1GB"]), Ok(Some("1gb".into())));
        assert_eq!(p("loglevel", &["VERBOSE"]), Ok(Some("verbose".into())));
        assert_eq!(p("protected-mode", &["YES"]), Ok(Some("yes".into())));
        assert_eq!(p("notify-keyspace-events", &["Ex"]), Ok(Some("xE".into())));
        assert_eq!(p("notify-keyspace-events", &["KA"]), Ok(Some("AK".into())));
        assert_eq!(p("unixsocketperm", &["700"]), Ok(Some("700".into())));
        assert_eq!(
            p("latency-tracking-info-percentiles", &["50", "99", "99.9"]),
            Ok(Some("50 99 99.9".into()))
        );
        assert_eq!(p("pidfile", &[""]), Ok(None));
        assert_eq!(p("logfile", &[""]), Ok(Some(String::new())));
        assert_eq!(p("replicaof", &["NO", "one"]), Ok(None));
    }

    #[test]
    fn bad_values_give_redis_messages() {
        use DirectiveError as E;
        assert_eq!(p("port", &["abc"]), Err(E::NotInteger));
        assert_eq!(p("port", &["0300"]), Err(E::NotInteger));
        assert_eq!(p("port", &["1", "2"]), Err(E::WrongArgCount));
        assert_eq!(p("maxclients", &["0"]), Err(E::OutOfRange(1, 4294967295)));
        assert_eq!(p("protected-mode", &["maybe"]), Err(E::NotYesNo));
        assert_eq!(p("maxmemory", &["1x"]), Err(E::NotMemory));
        assert_eq!(p("save", &["1"]), Err(E::InvalidSave));
        assert_eq!(
            p("client-output-buffer-limit", &["normal", "0", "0"]),
            Err(E::BufferLimitArgCount)
        );
        assert_eq!(
            p("client-output-buffer-limit", &["foo", "0", "0", "0"]),
            Err(E::BufferLimitClass)
        );
        assert_eq!(
            p("oom-score-adj-values", &["0", "200", "9000"]),
            Err(E::OomScoreAdjRange)
        );
        assert_eq!(p("replicaof", &["1.2.3.4", "x"]), Err(E::InvalidMasterPort));
        assert_eq!(
            p("latency-tracking-info-percentiles", &["101"]),
            Err(E::PercentilesRange)
        );
        assert_eq!(
            p("notify-keyspace-events", &["Q"]),
            Err(E::KeyspaceEventClass)
        );
        let bind: Vec<String> = (0..17).map(|i| i.to_string()).collect();
        let e = lookup("bind").ok_or(E::BadDirective);
        assert_eq!(
            e.and_then(|e| parse_value(e, &bind, "")),
            Err(E::TooManyBindAddresses)
        );
        assert_eq!(
            p("supervised", &["x"]).map_err(|e| e.to_string()),
            Err("argument(s) must be one of the following: upstart, systemd, auto, no".into())
        );
    }

    #[test]
    fn buffer_limits_render_one_line_per_class() {
        let e = lookup("client-output-buffer-limit").ok_or(DirectiveError::BadDirective);
        let v = p(
            "client-output-buffer-limit",
            &["pubsub", "64mb", "16mb", "30"],
        )
        .ok()
        .flatten();
        let lines = e.map(|e| render_lines(e, v.as_deref())).unwrap_or_default();
        assert_eq!(
            lines,
            vec![
                ("client-output-buffer-limit normal 0 0 0".to_string(), true),
                (
                    "client-output-buffer-limit slave 256mb 64mb 60".to_string(),
                    true
                ),
                (
                    "client-output-buffer-limit pubsub 64mb 16mb 30".to_string(),
                    false
                ),
            ]
        );
    }
}
