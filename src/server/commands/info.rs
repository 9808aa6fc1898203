//! `INFO [section ...]` in sentinel mode: sections `server clients stats cpu sentinel`,
//! always in that order, separated by a blank line; `default`/`all`/`everything` (or no
//! argument) select all five; unknown names are ignored.

use std::fmt::Write as _;

use crate::resp::ReplyWriter;
use crate::server::{sentinel_cmd, Ctx, Server};

const SECTIONS: [&str; 5] = ["server", "clients", "stats", "cpu", "sentinel"];

/// Which of [`SECTIONS`] the arguments select.
fn selected(args: &[&[u8]]) -> [bool; 5] {
    if args.len() <= 1 {
        return [true; 5];
    }
    let mut sel = [false; 5];
    for a in args.iter().skip(1) {
        let a = a.to_ascii_lowercase();
        if matches!(a.as_slice(), b"default" | b"all" | b"everything") {
            return [true; 5];
        }
        for (i, s) in SECTIONS.iter().enumerate() {
            if a == s.as_bytes() {
                if let Some(slot) = sel.get_mut(i) {
                    *slot = true;
                }
            }
        }
    }
    sel
}

pub fn info(srv: &Server, args: &[&[u8]], ctx: &mut Ctx, w: &mut ReplyWriter) {
    let text = info_text(srv, args, ctx);
    w.bulk(text.as_bytes());
}

/// The INFO text for `args` (`args[0]` is `INFO`).
pub fn info_text(srv: &Server, args: &[&[u8]], ctx: &Ctx) -> String {
    let sel = selected(args);
    let mut out = String::new();
    for (i, on) in sel.iter().enumerate() {
        if !on {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        match i {
            0 => server_section(srv, ctx, &mut out),
            1 => clients_section(srv, &mut out),
            2 => stats_section(srv, &mut out),
            3 => cpu_section(ctx, &mut out),
            _ => sentinel_cmd::info_section(ctx, &mut out),
        }
    }
    out
}

fn server_section(srv: &Server, ctx: &Ctx, out: &mut String) {
    let s = &srv.settings;
    let now_us = ctx.host.unix_time_us();
    let uptime = srv.uptime_ms(ctx.now) / 1000;
    let lru_clock = (now_us / 1_000_000) & 0xFF_FFFF;
    let _ = write!(
        out,
        "# Server\r\n\
         redis_version:7.0.15\r\n\
         redis_git_sha1:00000000\r\n\
         redis_git_dirty:0\r\n\
         redis_build_id:72736e74696e656c\r\n\
         redis_mode:sentinel\r\n\
         os:{os}\r\n\
         arch_bits:{bits}\r\n\
         monotonic_clock:POSIX clock_gettime\r\n\
         multiplexing_api:epoll\r\n\
         atomicvar_api:c11-builtin\r\n\
         gcc_version:0.0.0\r\n\
         process_id:{pid}\r\n\
         process_supervised:no\r\n\
         run_id:{run_id}\r\n\
         tcp_port:{port}\r\n\
         server_time_usec:{now_us}\r\n\
         uptime_in_seconds:{uptime}\r\n\
         uptime_in_days:{days}\r\n\
         hz:{hz}\r\n\
         configured_hz:10\r\n\
         lru_clock:{lru_clock}\r\n\
         executable:{exe}\r\n\
         config_file:{config}\r\n\
         io_threads_active:0\r\n",
        os = s.os,
        bits = usize::BITS,
        pid = s.process_id,
        run_id = s.run_id,
        port = s.tcp_port,
        days = uptime / 86400,
        hz = s.hz,
        exe = s.executable,
        config = s.config_file,
    );
}

fn clients_section(srv: &Server, out: &mut String) {
    let _ = write!(
        out,
        "# Clients\r\n\
         connected_clients:{}\r\n\
         cluster_connections:0\r\n\
         maxclients:{}\r\n\
         client_recent_max_input_buffer:{}\r\n\
         client_recent_max_output_buffer:{}\r\n\
         blocked_clients:0\r\n\
         tracking_clients:{}\r\n\
         clients_in_timeout_table:0\r\n",
        srv.connected_clients(),
        srv.settings.maxclients,
        srv.stats.client_recent_max_input_buffer,
        srv.stats.client_recent_max_output_buffer,
        srv.clients.iter().filter(|(_, c)| c.tracking.on).count(),
    );
}

fn stats_section(srv: &Server, out: &mut String) {
    let st = &srv.stats;
    let (channels, patterns) = crate::server::pubsub::distinct_counts(srv);
    let fields: [(&str, String); 50] = [
        (
            "total_connections_received",
            st.total_connections_received.to_string(),
        ),
        (
            "total_commands_processed",
            st.total_commands_processed.to_string(),
        ),
        ("instantaneous_ops_per_sec", "0".into()),
        (
            "total_net_input_bytes",
            st.total_net_input_bytes.to_string(),
        ),
        (
            "total_net_output_bytes",
            st.total_net_output_bytes.to_string(),
        ),
        ("total_net_repl_input_bytes", "0".into()),
        ("total_net_repl_output_bytes", "0".into()),
        ("instantaneous_input_kbps", "0.00".into()),
        ("instantaneous_output_kbps", "0.00".into()),
        ("instantaneous_input_repl_kbps", "0.00".into()),
        ("instantaneous_output_repl_kbps", "0.00".into()),
        ("rejected_connections", st.rejected_connections.to_string()),
        ("sync_full", "0".into()),
        ("sync_partial_ok", "0".into()),
        ("sync_partial_err", "0".into()),
        ("expired_keys", "0".into()),
        ("expired_stale_perc", "0.00".into()),
        ("expired_time_cap_reached_count", "0".into()),
        ("expire_cycle_cpu_milliseconds", "0".into()),
        ("evicted_keys", "0".into()),
        ("evicted_clients", "0".into()),
        ("total_eviction_exceeded_time", "0".into()),
        ("current_eviction_exceeded_time", "0".into()),
        ("keyspace_hits", "0".into()),
        ("keyspace_misses", "0".into()),
        ("pubsub_channels", channels.to_string()),
        ("pubsub_patterns", patterns.to_string()),
        ("pubsubshard_channels", "0".into()),
        ("latest_fork_usec", "0".into()),
        ("total_forks", "0".into()),
        ("migrate_cached_sockets", "0".into()),
        ("slave_expires_tracked_keys", "0".into()),
        ("active_defrag_hits", "0".into()),
        ("active_defrag_misses", "0".into()),
        ("active_defrag_key_hits", "0".into()),
        ("active_defrag_key_misses", "0".into()),
        ("total_active_defrag_time", "0".into()),
        ("current_active_defrag_time", "0".into()),
        ("tracking_total_keys", "0".into()),
        ("tracking_total_items", "0".into()),
        ("tracking_total_prefixes", "0".into()),
        ("unexpected_error_replies", "0".into()),
        ("total_error_replies", st.total_error_replies.to_string()),
        ("dump_payload_sanitizations", "0".into()),
        (
            "total_reads_processed",
            st.total_reads_processed.to_string(),
        ),
        (
            "total_writes_processed",
            st.total_writes_processed.to_string(),
        ),
        ("io_threaded_reads_processed", "0".into()),
        ("io_threaded_writes_processed", "0".into()),
        ("reply_buffer_shrinks", "0".into()),
        ("reply_buffer_expands", "0".into()),
    ];
    out.push_str("# Stats\r\n");
    for (k, v) in fields {
        let _ = write!(out, "{k}:{v}\r\n");
    }
}

fn cpu_section(ctx: &Ctx, out: &mut String) {
    let cpu = ctx.host.cpu_usage();
    let _ = write!(
        out,
        "# CPU\r\n\
         used_cpu_sys:{:.6}\r\n\
         used_cpu_user:{:.6}\r\n\
         used_cpu_sys_children:{:.6}\r\n\
         used_cpu_user_children:{:.6}\r\n\
         used_cpu_sys_main_thread:{:.6}\r\n\
         used_cpu_user_main_thread:{:.6}\r\n",
        cpu.sys, cpu.user, cpu.sys_children, cpu.user_children, cpu.sys, cpu.user,
    );
}
