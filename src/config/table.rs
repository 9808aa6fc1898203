//! The static table of every Redis 7.0.15 configuration name (as answered by `CONFIG GET *` on
//! Debian's `redis-server` 7.0.15, aliases included), with the value kind, the default as
//! `CONFIG GET` prints it, and the canonical name for aliases. Directives a sentinel does not use
//! are accepted with this table's validation and otherwise ignored; config rewrite renders
//! them back in Redis's canonical form.

/// How a directive's arguments are checked and rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `yes`/`no`, case-insensitive.
    Bool,
    /// A strict integer (Redis `string2ll`) within the inclusive range.
    Int(i64, i64),
    /// A byte count with an optional `k`/`kb`/`m`/`mb`/`g`/`gb` unit.
    Memory,
    /// A byte count or a percentage (`maxmemory-clients`).
    MemoryOrPercent,
    /// One of the listed words, case-insensitive.
    Enum(&'static [&'static str]),
    /// Any single string.
    Str,
    /// Multi-argument and special directives, each with its own rules.
    Bind,
    Save,
    ClientOutputBufferLimit,
    OomScoreAdjValues,
    NotifyKeyspaceEvents,
    Octal,
    ReplicaOf,
    Percentiles,
    Dir,
}

/// One configuration name.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub name: &'static str,
    pub kind: Kind,
    /// The default as `CONFIG GET` shows it (`port` shows the redis-server default 6379: the
    /// rewrite compares against this, which is why a sentinel always writes its `port`).
    pub default: &'static str,
    /// For an alias (`slaveof`), the canonical name (`replicaof`).
    pub alias_of: Option<&'static str>,
}

/// Sorted by name (binary search).
#[rustfmt::skip]
pub static TABLE: &[Entry] = &[
    Entry { name: "acl-pubsub-default", kind: Kind::Enum(&["allchannels", "resetchannels"]), default: "resetchannels", alias_of: None },
    Entry { name: "aclfile", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "acllog-max-len", kind: Kind::Int(0, 9223372036854775807), default: "128", alias_of: None },
    Entry { name: "active-defrag-cycle-max", kind: Kind::Int(1, 99), default: "25", alias_of: None },
    Entry { name: "active-defrag-cycle-min", kind: Kind::Int(1, 99), default: "1", alias_of: None },
    Entry { name: "active-defrag-ignore-bytes", kind: Kind::Memory, default: "104857600", alias_of: None },
    Entry { name: "active-defrag-max-scan-fields", kind: Kind::Int(1, 9223372036854775807), default: "1000", alias_of: None },
    Entry { name: "active-defrag-threshold-lower", kind: Kind::Int(0, 1000), default: "10", alias_of: None },
    Entry { name: "active-defrag-threshold-upper", kind: Kind::Int(0, 1000), default: "100", alias_of: None },
    Entry { name: "active-expire-effort", kind: Kind::Int(1, 10), default: "1", alias_of: None },
    Entry { name: "activedefrag", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "activerehashing", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "always-show-logo", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "aof-disable-auto-gc", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "aof-load-truncated", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "aof-rewrite-incremental-fsync", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "aof-timestamp-enabled", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "aof-use-rdb-preamble", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "aof_rewrite_cpulist", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "appenddirname", kind: Kind::Str, default: "appendonlydir", alias_of: None },
    Entry { name: "appendfilename", kind: Kind::Str, default: "appendonly.aof", alias_of: None },
    Entry { name: "appendfsync", kind: Kind::Enum(&["everysec", "always", "no"]), default: "everysec", alias_of: None },
    Entry { name: "appendonly", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "auto-aof-rewrite-min-size", kind: Kind::Memory, default: "67108864", alias_of: None },
    Entry { name: "auto-aof-rewrite-percentage", kind: Kind::Int(0, 2147483647), default: "100", alias_of: None },
    Entry { name: "bgsave_cpulist", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "bind", kind: Kind::Bind, default: "* -::*", alias_of: None },
    Entry { name: "bind-source-addr", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "bio_cpulist", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "busy-reply-threshold", kind: Kind::Int(0, 9223372036854775807), default: "5000", alias_of: None },
    Entry { name: "client-output-buffer-limit", kind: Kind::ClientOutputBufferLimit, default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", alias_of: None },
    Entry { name: "client-query-buffer-limit", kind: Kind::Memory, default: "1073741824", alias_of: None },
    Entry { name: "cluster-allow-pubsubshard-when-down", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "cluster-allow-reads-when-down", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "cluster-allow-replica-migration", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "cluster-announce-bus-port", kind: Kind::Int(0, 65535), default: "0", alias_of: None },
    Entry { name: "cluster-announce-hostname", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "cluster-announce-ip", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "cluster-announce-port", kind: Kind::Int(0, 65535), default: "0", alias_of: None },
    Entry { name: "cluster-announce-tls-port", kind: Kind::Int(0, 65535), default: "0", alias_of: None },
    Entry { name: "cluster-config-file", kind: Kind::Str, default: "nodes.conf", alias_of: None },
    Entry { name: "cluster-enabled", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "cluster-link-sendbuf-limit", kind: Kind::Memory, default: "0", alias_of: None },
    Entry { name: "cluster-migration-barrier", kind: Kind::Int(0, 2147483647), default: "1", alias_of: None },
    Entry { name: "cluster-node-timeout", kind: Kind::Int(0, 9223372036854775807), default: "15000", alias_of: None },
    Entry { name: "cluster-port", kind: Kind::Int(0, 65535), default: "0", alias_of: None },
    Entry { name: "cluster-preferred-endpoint-type", kind: Kind::Enum(&["ip", "hostname", "unknown-endpoint"]), default: "ip", alias_of: None },
    Entry { name: "cluster-replica-no-failover", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "cluster-replica-validity-factor", kind: Kind::Int(0, 2147483647), default: "10", alias_of: None },
    Entry { name: "cluster-require-full-coverage", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "cluster-slave-no-failover", kind: Kind::Bool, default: "no", alias_of: Some("cluster-replica-no-failover") },
    Entry { name: "cluster-slave-validity-factor", kind: Kind::Int(0, 2147483647), default: "10", alias_of: Some("cluster-replica-validity-factor") },
    Entry { name: "crash-log-enabled", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "crash-memcheck-enabled", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "daemonize", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "databases", kind: Kind::Int(1, 2147483647), default: "16", alias_of: None },
    Entry { name: "dbfilename", kind: Kind::Str, default: "dump.rdb", alias_of: None },
    Entry { name: "dir", kind: Kind::Dir, default: "", alias_of: None },
    Entry { name: "disable-thp", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "dynamic-hz", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "enable-debug-command", kind: Kind::Enum(&["no", "yes", "local"]), default: "no", alias_of: None },
    Entry { name: "enable-module-command", kind: Kind::Enum(&["no", "yes", "local"]), default: "no", alias_of: None },
    Entry { name: "enable-protected-configs", kind: Kind::Enum(&["no", "yes", "local"]), default: "no", alias_of: None },
    Entry { name: "hash-max-listpack-entries", kind: Kind::Int(0, 9223372036854775807), default: "512", alias_of: None },
    Entry { name: "hash-max-listpack-value", kind: Kind::Memory, default: "64", alias_of: None },
    Entry { name: "hash-max-ziplist-entries", kind: Kind::Int(0, 9223372036854775807), default: "512", alias_of: Some("hash-max-listpack-entries") },
    Entry { name: "hash-max-ziplist-value", kind: Kind::Memory, default: "64", alias_of: Some("hash-max-listpack-value") },
    Entry { name: "hll-sparse-max-bytes", kind: Kind::Memory, default: "3000", alias_of: None },
    Entry { name: "hz", kind: Kind::Int(0, 2147483647), default: "10", alias_of: None },
    Entry { name: "ignore-warnings", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "io-threads", kind: Kind::Int(1, 128), default: "1", alias_of: None },
    Entry { name: "io-threads-do-reads", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "jemalloc-bg-thread", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "latency-monitor-threshold", kind: Kind::Int(0, 9223372036854775807), default: "0", alias_of: None },
    Entry { name: "latency-tracking", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "latency-tracking-info-percentiles", kind: Kind::Percentiles, default: "50 99 99.9", alias_of: None },
    Entry { name: "lazyfree-lazy-eviction", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "lazyfree-lazy-expire", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "lazyfree-lazy-server-del", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "lazyfree-lazy-user-del", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "lazyfree-lazy-user-flush", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "lfu-decay-time", kind: Kind::Int(0, 2147483647), default: "1", alias_of: None },
    Entry { name: "lfu-log-factor", kind: Kind::Int(0, 2147483647), default: "10", alias_of: None },
    Entry { name: "list-compress-depth", kind: Kind::Int(0, 2147483647), default: "0", alias_of: None },
    Entry { name: "list-max-listpack-size", kind: Kind::Int(-2147483648, 2147483647), default: "-2", alias_of: None },
    Entry { name: "list-max-ziplist-size", kind: Kind::Int(-2147483648, 2147483647), default: "-2", alias_of: Some("list-max-listpack-size") },
    Entry { name: "logfile", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "loglevel", kind: Kind::Enum(&["debug", "verbose", "notice", "warning"]), default: "notice", alias_of: None },
    Entry { name: "lua-time-limit", kind: Kind::Int(0, 9223372036854775807), default: "5000", alias_of: None },
    Entry { name: "masterauth", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "masteruser", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "maxclients", kind: Kind::Int(1, 4294967295), default: "10000", alias_of: None },
    Entry { name: "maxmemory", kind: Kind::Memory, default: "0", alias_of: None },
    Entry { name: "maxmemory-clients", kind: Kind::MemoryOrPercent, default: "0", alias_of: None },
    Entry { name: "maxmemory-eviction-tenacity", kind: Kind::Int(0, 100), default: "10", alias_of: None },
    Entry { name: "maxmemory-policy", kind: Kind::Enum(&["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"]), default: "noeviction", alias_of: None },
    Entry { name: "maxmemory-samples", kind: Kind::Int(1, 2147483647), default: "5", alias_of: None },
    Entry { name: "min-replicas-max-lag", kind: Kind::Int(0, 2147483647), default: "10", alias_of: None },
    Entry { name: "min-replicas-to-write", kind: Kind::Int(0, 2147483647), default: "0", alias_of: None },
    Entry { name: "min-slaves-max-lag", kind: Kind::Int(0, 2147483647), default: "10", alias_of: Some("min-replicas-max-lag") },
    Entry { name: "min-slaves-to-write", kind: Kind::Int(0, 2147483647), default: "0", alias_of: Some("min-replicas-to-write") },
    Entry { name: "no-appendfsync-on-rewrite", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "notify-keyspace-events", kind: Kind::NotifyKeyspaceEvents, default: "", alias_of: None },
    Entry { name: "oom-score-adj", kind: Kind::Enum(&["no", "yes", "relative", "absolute"]), default: "no", alias_of: None },
    Entry { name: "oom-score-adj-values", kind: Kind::OomScoreAdjValues, default: "0 200 800", alias_of: None },
    Entry { name: "pidfile", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "port", kind: Kind::Int(0, 65535), default: "6379", alias_of: None },
    Entry { name: "proc-title-template", kind: Kind::Str, default: "{title} {listen-addr} {server-mode}", alias_of: None },
    Entry { name: "propagation-error-behavior", kind: Kind::Enum(&["ignore", "panic", "panic-on-replicas"]), default: "ignore", alias_of: None },
    Entry { name: "protected-mode", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "proto-max-bulk-len", kind: Kind::Memory, default: "536870912", alias_of: None },
    Entry { name: "rdb-del-sync-files", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "rdb-save-incremental-fsync", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "rdbchecksum", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "rdbcompression", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "repl-backlog-size", kind: Kind::Memory, default: "1048576", alias_of: None },
    Entry { name: "repl-backlog-ttl", kind: Kind::Int(0, 9223372036854775807), default: "3600", alias_of: None },
    Entry { name: "repl-disable-tcp-nodelay", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "repl-diskless-load", kind: Kind::Enum(&["disabled", "on-empty-db", "swapdb"]), default: "disabled", alias_of: None },
    Entry { name: "repl-diskless-sync", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "repl-diskless-sync-delay", kind: Kind::Int(0, 2147483647), default: "5", alias_of: None },
    Entry { name: "repl-diskless-sync-max-replicas", kind: Kind::Int(0, 2147483647), default: "0", alias_of: None },
    Entry { name: "repl-ping-replica-period", kind: Kind::Int(1, 2147483647), default: "10", alias_of: None },
    Entry { name: "repl-ping-slave-period", kind: Kind::Int(1, 2147483647), default: "10", alias_of: Some("repl-ping-replica-period") },
    Entry { name: "repl-timeout", kind: Kind::Int(1, 2147483647), default: "60", alias_of: None },
    Entry { name: "replica-announce-ip", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "replica-announce-port", kind: Kind::Int(0, 65535), default: "0", alias_of: None },
    Entry { name: "replica-announced", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "replica-ignore-disk-write-errors", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "replica-ignore-maxmemory", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "replica-lazy-flush", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "replica-priority", kind: Kind::Int(0, 2147483647), default: "100", alias_of: None },
    Entry { name: "replica-read-only", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "replica-serve-stale-data", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "replicaof", kind: Kind::ReplicaOf, default: "", alias_of: None },
    Entry { name: "requirepass", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "sanitize-dump-payload", kind: Kind::Enum(&["no", "yes", "clients"]), default: "no", alias_of: None },
    Entry { name: "save", kind: Kind::Save, default: "", alias_of: None },
    Entry { name: "server_cpulist", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "set-max-intset-entries", kind: Kind::Int(0, 9223372036854775807), default: "512", alias_of: None },
    Entry { name: "set-proc-title", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "shutdown-on-sigint", kind: Kind::Enum(&["default", "save", "nosave", "now", "force"]), default: "default", alias_of: None },
    Entry { name: "shutdown-on-sigterm", kind: Kind::Enum(&["default", "save", "nosave", "now", "force"]), default: "default", alias_of: None },
    Entry { name: "shutdown-timeout", kind: Kind::Int(0, 2147483647), default: "10", alias_of: None },
    Entry { name: "slave-announce-ip", kind: Kind::Str, default: "", alias_of: Some("replica-announce-ip") },
    Entry { name: "slave-announce-port", kind: Kind::Int(0, 65535), default: "0", alias_of: Some("replica-announce-port") },
    Entry { name: "slave-ignore-maxmemory", kind: Kind::Bool, default: "yes", alias_of: Some("replica-ignore-maxmemory") },
    Entry { name: "slave-lazy-flush", kind: Kind::Bool, default: "no", alias_of: Some("replica-lazy-flush") },
    Entry { name: "slave-priority", kind: Kind::Int(0, 2147483647), default: "100", alias_of: Some("replica-priority") },
    Entry { name: "slave-read-only", kind: Kind::Bool, default: "yes", alias_of: Some("replica-read-only") },
    Entry { name: "slave-serve-stale-data", kind: Kind::Bool, default: "yes", alias_of: Some("replica-serve-stale-data") },
    Entry { name: "slaveof", kind: Kind::ReplicaOf, default: "", alias_of: Some("replicaof") },
    Entry { name: "slowlog-log-slower-than", kind: Kind::Int(-1, 9223372036854775807), default: "10000", alias_of: None },
    Entry { name: "slowlog-max-len", kind: Kind::Int(0, 9223372036854775807), default: "128", alias_of: None },
    Entry { name: "socket-mark-id", kind: Kind::Int(0, 4294967295), default: "0", alias_of: None },
    Entry { name: "stop-writes-on-bgsave-error", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "stream-node-max-bytes", kind: Kind::Memory, default: "4096", alias_of: None },
    Entry { name: "stream-node-max-entries", kind: Kind::Int(0, 9223372036854775807), default: "100", alias_of: None },
    Entry { name: "supervised", kind: Kind::Enum(&["upstart", "systemd", "auto", "no"]), default: "no", alias_of: None },
    Entry { name: "syslog-enabled", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "syslog-facility", kind: Kind::Enum(&["user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"]), default: "local0", alias_of: None },
    Entry { name: "syslog-ident", kind: Kind::Str, default: "redis", alias_of: None },
    Entry { name: "tcp-backlog", kind: Kind::Int(0, 2147483647), default: "511", alias_of: None },
    Entry { name: "tcp-keepalive", kind: Kind::Int(0, 2147483647), default: "300", alias_of: None },
    Entry { name: "timeout", kind: Kind::Int(0, 2147483647), default: "0", alias_of: None },
    Entry { name: "tls-auth-clients", kind: Kind::Enum(&["no", "yes", "optional"]), default: "yes", alias_of: None },
    Entry { name: "tls-ca-cert-dir", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-ca-cert-file", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-cert-file", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-ciphers", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-ciphersuites", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-client-cert-file", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-client-key-file", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-client-key-file-pass", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-cluster", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "tls-dh-params-file", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-key-file", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-key-file-pass", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-port", kind: Kind::Int(0, 65535), default: "0", alias_of: None },
    Entry { name: "tls-prefer-server-ciphers", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "tls-protocols", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "tls-replication", kind: Kind::Bool, default: "no", alias_of: None },
    Entry { name: "tls-session-cache-size", kind: Kind::Int(0, 2147483647), default: "20480", alias_of: None },
    Entry { name: "tls-session-cache-timeout", kind: Kind::Int(0, 2147483647), default: "300", alias_of: None },
    Entry { name: "tls-session-caching", kind: Kind::Bool, default: "yes", alias_of: None },
    Entry { name: "tracking-table-max-keys", kind: Kind::Int(0, 9223372036854775807), default: "1000000", alias_of: None },
    Entry { name: "unixsocket", kind: Kind::Str, default: "", alias_of: None },
    Entry { name: "unixsocketperm", kind: Kind::Octal, default: "0", alias_of: None },
    Entry { name: "zset-max-listpack-entries", kind: Kind::Int(0, 9223372036854775807), default: "128", alias_of: None },
    Entry { name: "zset-max-listpack-value", kind: Kind::Memory, default: "64", alias_of: None },
    Entry { name: "zset-max-ziplist-entries", kind: Kind::Int(0, 9223372036854775807), default: "128", alias_of: Some("zset-max-listpack-entries") },
    Entry { name: "zset-max-ziplist-value", kind: Kind::Memory, default: "64", alias_of: Some("zset-max-listpack-value") },
];

/// Looks a (lowercased) directive name up.
pub fn lookup(name: &str) -> Option<&'static Entry> {
    TABLE
        .binary_search_by(|e| e.name.cmp(name))
        .ok()
        .and_then(|i| TABLE.get(i))
}

/// The canonical name of a directive (itself unless it is an alias).
pub fn canonical(name: &str) -> Option<&'static str> {
    lookup(name).map(|e| e.alias_of.unwrap_or(e.name))
}

/// Directives Redis 7.0 still accepts (with an argument count) and ignores.
pub static DEPRECATED: &[(&str, usize, usize)] = &[
    ("list-max-ziplist-entries", 2, 2),
    ("list-max-ziplist-value", 2, 2),
    ("lua-replicate-commands", 2, 2),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        assert_eq!(TABLE.len(), 192);
        assert!(TABLE
            .windows(2)
            .all(|w| matches!(w, [a, b] if a.name < b.name)));
        assert_eq!(canonical("slaveof"), Some("replicaof"));
        assert_eq!(
            canonical("hash-max-ziplist-entries"),
            Some("hash-max-listpack-entries")
        );
        assert!(lookup("nope").is_none());
    }

    #[test]
    fn aliases_point_at_existing_names() {
        for e in TABLE {
            if let Some(a) = e.alias_of {
                assert!(
                    lookup(a).is_some_and(|c| c.alias_of.is_none()),
                    "{}",
                    e.name
                );
            }
        }
    }
}
