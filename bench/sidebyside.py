#!/usr/bin/env python3
"""Side-by-side performance harness: rsentinel (A) against Debian's redis-sentinel (B).

Builds the same topologies under both implementations on free loopback ports in temp
directories, alternating A, B, A, B, and prints medians, min-max and the ratio B/A for:

  * failover timeline from `kill -9` of the master (for each down-after-milliseconds D);
  * redis-py `Sentinel.master_for()` write unavailability across the failover;
  * footprint at rest (RSS, CPU seconds over a window) and binary size;
  * redis-benchmark throughput and p50/p99 (GET-MASTER-ADDR-BY-NAME, PING, +/- -P 16);
  * scale: one sentinel monitoring 200 masters (RSS, CPU %, SENTINEL MASTERS latency);
  * peer load: commands a redis-sentinel peer processes from the sentinel per 10 s, at rest
    and while its masters are SDOWN for it alone (never ODOWN), for 1 and 50 masters;
  * instructions per request (callgrind, user space): noise-free, unlike rps on 2 cores.

Usage:  python3 bench/sidebyside.py [--quick] [--rounds N] [--d 1000,5000] [--only ...]
Needs:  cargo build --release; redis-server, redis-sentinel, redis-benchmark, redis-py.
Every process is started by this script and killed by PID at exit (also on Ctrl-C).
"""

import argparse
import atexit
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import redis
import redis.sentinel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RSENTINEL = os.path.join(ROOT, "target", "release", "rsentinel")
REDIS_SENTINEL = shutil.which("redis-sentinel") or "/usr/bin/redis-sentinel"
IMPLS = {"A": ("rsentinel", RSENTINEL), "B": ("redis-sentinel", REDIS_SENTINEL)}


def host_triple():
    out = subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout
    return next((l.split(": ", 1)[1] for l in out.splitlines() if l.startswith("host: ")), "")


# The statically linked build (README, "Build"), measured at rest beside A when present.
RSENTINEL_STATIC = os.path.join(ROOT, "target", host_triple(), "release", "rsentinel")
if os.path.exists(RSENTINEL_STATIC):
    IMPLS["S"] = ("rsentinel-static", RSENTINEL_STATIC)

PROCS = []  # every Popen we started
TMPDIRS = []
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------- processes


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for p in PROCS:
        try:
            p.wait(timeout=5)
        except Exception:
            pass
    PROCS.clear()
    for d in TMPDIRS:
        shutil.rmtree(d, ignore_errors=True)
    TMPDIRS.clear()


def on_signal(signum, _frame):
    cleanup()
    sys.exit(128 + signum)


atexit.register(cleanup)
signal.signal(signal.SIGINT, on_signal)
signal.signal(signal.SIGTERM, on_signal)

_used_ports = set()


def free_port():
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        # keep clear of port+10000 (redis cluster bus) collisions and of reuse in one run
        if port not in _used_ports and port < 55000:
            _used_ports.add(port)
            return port


def spawn(argv, log):
    with open(log, "ab") as f:
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    PROCS.append(p)
    return p


def kill(p):
    if p.poll() is None:
        try:
            os.kill(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        p.wait(timeout=5)
    except Exception:
        pass
    if p in PROCS:
        PROCS.remove(p)


def wait_until(what, timeout, cond, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if cond():
                return
        except (redis.RedisError, OSError):
            pass
        time.sleep(interval)
    raise TimeoutError(f"timed out ({timeout}s) waiting for {what}")


def client(port, timeout=0.5):
    return redis.Redis(
        host="127.0.0.1", port=port, socket_timeout=timeout, socket_connect_timeout=timeout,
        decode_responses=True,
    )


def start_redis(tmp, port, replicaof=None):
    d = os.path.join(tmp, f"redis-{port}")
    os.makedirs(d, exist_ok=True)
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", d, "--daemonize", "no"]
    if replicaof:
        argv += ["--replicaof", "127.0.0.1", str(replicaof)]
    return spawn(argv, os.path.join(d, "log.txt"))


def start_sentinel(impl, tmp, port, masters, down_after, failover_timeout, quorum):
    """masters: list of (name, port)."""
    d = os.path.join(tmp, f"sentinel-{port}")
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "sentinel.conf")
    lines = [f"port {port}", "bind 127.0.0.1", "daemonize no", f"dir {d}",
             f"logfile {os.path.join(d, 'log.txt')}"]
    for name, mport in masters:
        lines += [
            f"sentinel monitor {name} 127.0.0.1 {mport} {quorum}",
            f"sentinel down-after-milliseconds {name} {down_after}",
            f"sentinel failover-timeout {name} {failover_timeout}",
        ]
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    return spawn([IMPLS[impl][1], conf], os.path.join(d, "stdout.txt"))


def proc_stat(pid):
    """(rss_kb, cpu_seconds, rss_anon_kb) of a live process."""
    rss = anon = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("RssAnon:"):
                anon = int(line.split()[1])
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # after the comm field: state is fields[0]; utime/stime are fields 14/15 overall -> 11/12
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return rss, cpu, anon


# ---------------------------------------------------------------------------- topology


class Topology:
    """master + 2 replicas + 3 sentinels of one implementation."""

    def __init__(self, impl, down_after, failover_timeout=10000, settle=3.0):
        self.impl = impl
        self.tmp = tempfile.mkdtemp(prefix=f"sbs-{IMPLS[impl][0]}-")
        TMPDIRS.append(self.tmp)
        self.mport, self.r1, self.r2 = free_port(), free_port(), free_port()
        self.sports = [free_port() for _ in range(3)]
        self.master = start_redis(self.tmp, self.mport)
        self.replicas = {
            self.r1: start_redis(self.tmp, self.r1, self.mport),
            self.r2: start_redis(self.tmp, self.r2, self.mport),
        }
        wait_until("replicas linked", 20, lambda: all(
            client(r).info("replication").get("master_link_status") == "up"
            for r in (self.r1, self.r2)))
        self.sentinels = [
            start_sentinel(impl, self.tmp, p, [("mymaster", self.mport)], down_after,
                           failover_timeout, 2)
            for p in self.sports
        ]
        wait_until("discovery", 30, self.discovered, interval=0.1)
        time.sleep(settle)

    def discovered(self):
        for p in self.sports:
            m = client(p).sentinel_master("mymaster")
            if int(m["num-slaves"]) != 2 or int(m["num-other-sentinels"]) != 2:
                return False
            for r in client(p).sentinel_slaves("mymaster"):
                if "s_down" in r["flags"] or "disconnected" in r["flags"]:
                    return False
        return True

    def close(self):
        for p in [self.master, *self.replicas.values(), *self.sentinels]:
            kill(p)
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self.tmp in TMPDIRS:
            TMPDIRS.remove(self.tmp)


# ---------------------------------------------------------------------------- failover


def failover_round(impl, down_after, failover_timeout):
    """Returns dict of milestone -> seconds after kill (None if not reached)."""
    topo = Topology(impl, down_after, failover_timeout)
    try:
        return _failover_measure(topo, down_after, failover_timeout)
    finally:
        topo.close()


def _failover_measure(topo, down_after, failover_timeout):
    res = {"role_master": None, "switch_master": None, "all_agree": None, "other_link_up": None,
           "client_gap": None}
    stop = threading.Event()
    t0 = [None]
    lock = threading.Lock()
    old_port = topo.mport
    promoted = [None]

    def mark(key, t):
        with lock:
            if res[key] is None and t0[0] is not None and t >= t0[0]:
                res[key] = t - t0[0]

    # (a) each replica's role, polled every 2 ms
    def poll_role(port):
        c = client(port, 0.2)
        while not stop.is_set():
            try:
                if c.info("replication").get("role") == "master":
                    if t0[0] is not None:
                        promoted[0] = promoted[0] or port
                        mark("role_master", time.monotonic())
                        return
            except redis.RedisError:
                pass
            time.sleep(0.002)

    # (b) first +switch-master on any sentinel
    def subscribe(port, ready):
        c = client(port, 0.2)
        ps = c.pubsub()
        ps.psubscribe("+switch-master")
        ready.set()
        while not stop.is_set():
            try:
                msg = ps.get_message(timeout=0.05)
            except redis.RedisError:
                continue
            if msg and msg["type"] == "pmessage":
                mark("switch_master", time.monotonic())
                break
        ps.close()

    # (c) every sentinel answers GET-MASTER-ADDR-BY-NAME with the new address
    agreed = {}

    def poll_addr(port):
        c = client(port, 0.2)
        while not stop.is_set():
            try:
                addr = c.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
                if addr and int(addr[1]) != old_port and t0[0] is not None:
                    now = time.monotonic()
                    with lock:
                        agreed.setdefault(port, now)
                        if len(agreed) == 3:
                            pass
                    return
            except redis.RedisError:
                pass
            time.sleep(0.003)

    # (d) the other replica's link towards the new master
    def poll_other():
        while not stop.is_set() and promoted[0] is None:
            time.sleep(0.002)
        if stop.is_set():
            return
        other = topo.r2 if promoted[0] == topo.r1 else topo.r1
        c = client(other, 0.2)
        while not stop.is_set():
            try:
                i = c.info("replication")
                if int(i.get("master_port", 0)) == promoted[0] and \
                        i.get("master_link_status") == "up":
                    mark("other_link_up", time.monotonic())
                    return
            except redis.RedisError:
                pass
            time.sleep(0.003)

    # client unavailability: redis-py Sentinel.master_for writer
    successes = []

    def writer(ready):
        s = redis.sentinel.Sentinel([("127.0.0.1", p) for p in topo.sports], socket_timeout=0.2,
                                    socket_connect_timeout=0.2)
        m = s.master_for("mymaster", socket_timeout=0.2, socket_connect_timeout=0.2)
        i = 0
        ready.set()
        while not stop.is_set():
            i += 1
            try:
                m.set("k", i)
                successes.append(time.monotonic())
            except (redis.RedisError, OSError):
                pass
            time.sleep(0.001)

    threads = []
    readies = []
    for r in (topo.r1, topo.r2):
        threads.append(threading.Thread(target=poll_role, args=(r,)))
    for p in topo.sports:
        ev = threading.Event()
        readies.append(ev)
        threads.append(threading.Thread(target=subscribe, args=(p, ev)))
        threads.append(threading.Thread(target=poll_addr, args=(p,)))
    threads.append(threading.Thread(target=poll_other))
    wev = threading.Event()
    readies.append(wev)
    threads.append(threading.Thread(target=writer, args=(wev,)))
    for t in threads:
        t.daemon = True
        t.start()
    for ev in readies:
        ev.wait(5)
    time.sleep(0.3)  # the writer is writing, subscribers are subscribed
    t0[0] = time.monotonic()
    os.kill(topo.master.pid, signal.SIGKILL)
    deadline = t0[0] + (down_after + failover_timeout) / 1000 + 15
    while time.monotonic() < deadline:
        with lock:
            done = all(res[k] is not None for k in ("role_master", "switch_master",
                                                    "other_link_up")) and len(agreed) == 3
        if done:
            break
        time.sleep(0.02)
    time.sleep(0.5)  # let the writer succeed again
    stop.set()
    for t in threads:
        t.join(2)
    if len(agreed) == 3:
        res["all_agree"] = max(agreed.values()) - t0[0]
    # longest gap between successful writes that spans the kill
    before = [t for t in successes if t <= t0[0]]
    after = [t for t in successes if t > t0[0]]
    if before and after:
        gap = after[0] - before[-1]
        for a, b in zip(after, after[1:]):
            gap = max(gap, b - a)
        res["client_gap"] = gap
    return res


# ---------------------------------------------------------------------------- stats


def fmt_stats(a, b, unit="", scale=1.0, prec=0):
    a = [x * scale for x in a if x is not None]
    b = [x * scale for x in b if x is not None]

    def one(xs):
        if not xs:
            return "n/a", None
        m = statistics.median(xs)
        return f"{m:.{prec}f}{unit} ({min(xs):.{prec}f}-{max(xs):.{prec}f}, n={len(xs)})", m

    sa, ma = one(a)
    sb, mb = one(b)
    ratio = f"{mb / ma:.2f}" if ma and mb is not None else "n/a"
    return sa, sb, ratio


ROWS = []


def row(name, a, b, unit="", scale=1.0, prec=0):
    sa, sb, ratio = fmt_stats(a, b, unit, scale, prec)
    ROWS.append((name, sa, sb, ratio))
    print(f"  {name:<44} A {sa:<32} B {sb:<32} B/A {ratio}", flush=True)


def print_table():
    print("\n| metric | A rsentinel: median (min-max, n) | B redis-sentinel: median (min-max, n) "
          "| B/A |")
    print("|---|---|---|---|")
    for name, sa, sb, ratio in ROWS:
        print(f"| {name} | {sa} | {sb} | {ratio} |")


# ---------------------------------------------------------------------------- sections


def section_failover(args):
    fo_keys = [("role_master", "(a) replica role:master"),
               ("switch_master", "(b) first +switch-master"),
               ("all_agree", "(c) all 3 agree GET-MASTER-ADDR"),
               ("other_link_up", "(d) other replica link up"),
               ("client_gap", "client (redis-py) write gap")]
    for d in args.d:
        print(f"\n== failover, D={d} ms, failover-timeout {args.failover_timeout}, "
              f"{args.rounds} rounds each, alternating A,B", flush=True)
        out = {"A": [], "B": []}
        for i in range(args.rounds):
            for impl in ("A", "B"):
                r = failover_round(impl, d, args.failover_timeout)
                out[impl].append(r)
                print(f"  round {i + 1} {IMPLS[impl][0]:<15} " + "  ".join(
                    f"{k}={'-' if r[k] is None else f'{r[k] * 1000:.0f}'}" for k, _ in fo_keys),
                    flush=True)
        for k, label in fo_keys:
            a = [r[k] for r in out["A"]]
            b = [r[k] for r in out["B"]]
            row(f"D={d} {label} ms", a, b, scale=1000)
            row(f"D={d} {label} - D ms",
                [None if x is None else x - d / 1000 for x in a],
                [None if x is None else x - d / 1000 for x in b], scale=1000)


def binary_sizes():
    real = os.path.realpath(REDIS_SENTINEL)
    out = {}
    for impl, path in (("A", RSENTINEL), ("B", real)):
        size = os.path.getsize(path)
        stripped = None
        with tempfile.NamedTemporaryFile() as t:
            if subprocess.run(["objcopy", "--strip-all", path, t.name],
                              capture_output=True).returncode == 0:
                stripped = os.path.getsize(t.name)
        out[impl] = (path, size, stripped)
    print(f"\n== binary size: A {out['A'][0]} ({out['A'][1]} B, stripped {out['A'][2]} B); "
          f"B {REDIS_SENTINEL} -> {out['B'][0]} ({out['B'][1]} B, stripped {out['B'][2]} B)")
    row("binary size on disk, KB", [out["A"][1]], [out["B"][1]], scale=1 / 1024)
    row("binary size stripped, KB", [out["A"][2]], [out["B"][2]], scale=1 / 1024)


def section_rest_and_throughput(args):
    print(f"\n== footprint at rest ({args.window:.0f} s window per round) and redis-benchmark,"
          f" both topologies up, measured alternately", flush=True)
    topos = {}
    impls = [i for i in ("A", "B", "S") if i in IMPLS]
    try:
        for impl in impls:
            topos[impl] = Topology(impl, 5000, 10000, settle=args.settle)
        rss = {i: [] for i in impls}
        anon = {i: [] for i in impls}
        cpu = {i: [] for i in impls}
        for _ in range(args.rest_rounds):
            for impl in impls:
                pids = [p.pid for p in topos[impl].sentinels]
                s0 = [proc_stat(pid) for pid in pids]
                time.sleep(args.window)
                s1 = [proc_stat(pid) for pid in pids]
                for (_, c0, _), (r1, c1, a1) in zip(s0, s1):
                    rss[impl].append(r1)
                    anon[impl].append(a1)
                    cpu[impl].append(c1 - c0)
        row("RSS per sentinel at rest, KB", rss["A"], rss["B"])
        row("RssAnon (private heap/stack) per sentinel, KB", anon["A"], anon["B"])
        row(f"CPU per sentinel over {args.window:.0f} s, ms", cpu["A"], cpu["B"], scale=1000)
        if "S" in topos:
            print(f"  (static build {RSENTINEL_STATIC} in the A column of the next rows)")
            row("static build: RSS per sentinel at rest, KB", rss["S"], rss["B"])
            row("static build: RssAnon per sentinel, KB", anon["S"], anon["B"])

        print(f"\n== redis-benchmark -c 50 -n {args.bench_n}, {args.bench_rounds} rounds each, "
              "alternating A,B", flush=True)
        cases = [("GET-MASTER-ADDR-BY-NAME", ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]),
                 ("PING", ["PING"])]
        for label, cmd in cases:
            for pipeline in (1, 16):
                got = {"A": [], "B": []}
                for _ in range(args.bench_rounds):
                    for impl in ("A", "B"):
                        got[impl].append(redis_benchmark(topos[impl].sports[0], cmd, 50,
                                                         args.bench_n, pipeline,
                                                         topos[impl].sentinels[0].pid))
                name = f"{label} -P {pipeline}"
                row(f"{name} rps", [g[0] for g in got["A"]], [g[0] for g in got["B"]])
                row(f"{name} p50 ms", [g[1] for g in got["A"]], [g[1] for g in got["B"]],
                    prec=3)
                row(f"{name} p99 ms", [g[2] for g in got["A"]], [g[2] for g in got["B"]],
                    prec=3)
                row(f"{name} sentinel CPU per request, ns", [g[3] for g in got["A"]],
                    [g[3] for g in got["B"]])
                row(f"{name} redis-benchmark CPU, % of a core", [g[4] for g in got["A"]],
                    [g[4] for g in got["B"]])
    finally:
        for t in topos.values():
            t.close()


def thread_cpu_ns(pid):
    """CPU time (user + system, ns) of a process's main thread, from schedstat."""
    with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def redis_benchmark(port, cmd, clients, n, pipeline, server_pid=None):
    """(rps, p50 ms, p99 ms, server CPU ns per request, redis-benchmark CPU % of a core).

    The last two say what bounds the rps: on a 2-core machine the single-threaded
    redis-benchmark saturates its core long before either sentinel does."""
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", str(clients), "-n",
            str(n), "-q", "--csv"]
    if pipeline > 1:
        argv += ["-P", str(pipeline)]
    cpu0 = thread_cpu_ns(server_pid) if server_pid else 0
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    out = subprocess.run(argv + cmd, capture_output=True, text=True, timeout=300).stdout
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu1 = thread_cpu_ns(server_pid) if server_pid else 0
    bench_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    for line in out.splitlines():
        f = [x.strip('"') for x in line.split('","')]
        if len(f) >= 7 and f[0] != "test":
            return (float(f[1]), float(f[4]), float(f[6]), (cpu1 - cpu0) / n,
                    100.0 * bench_cpu / wall)
    raise RuntimeError(f"cannot parse redis-benchmark output: {out!r}")


def callgrind_total(path):
    """Total instructions (Ir) recorded in a callgrind output file."""
    with open(path) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


def section_instructions(args):
    """User-space instructions per request under callgrind: the sentinel alone (one
    master to monitor), N requests with -P 16, minus a run with none, divided by N."""
    if not shutil.which("valgrind"):
        print("\n== instructions: valgrind not installed, skipped")
        return
    n = 20000 if args.quick else 200000
    print(f"\n== user-space instructions per request (callgrind; {n} requests, -c 50 -P 16, "
          "minus an idle run)", flush=True)
    tmp = tempfile.mkdtemp(prefix="sbs-cg-")
    TMPDIRS.append(tmp)
    mport = free_port()
    master = start_redis(tmp, mport)
    try:
        wait_until("master up", 10, lambda: client(mport).ping())
        cases = [("GET-MASTER-ADDR-BY-NAME", ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]),
                 ("PING", ["PING"])]
        for label, cmd in cases:
            per = {}
            for impl in ("A", "B"):
                totals = []
                for requests in (0, n):
                    port = free_port()
                    d = os.path.join(tmp, f"{impl}-{label}-{requests}")
                    os.makedirs(d)
                    conf = os.path.join(d, "sentinel.conf")
                    with open(conf, "w") as f:
                        f.write(f"port {port}\nbind 127.0.0.1\ndir {d}\n"
                                f"sentinel monitor mymaster 127.0.0.1 {mport} 2\n")
                    out = os.path.join(d, "callgrind.out")
                    p = spawn(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                               IMPLS[impl][1], conf], os.path.join(d, "log.txt"))
                    wait_until("sentinel under valgrind", 60, lambda: client(port).ping())
                    time.sleep(1.0)
                    if requests:
                        redis_benchmark(port, cmd, 50, requests, 16, p.pid)
                    time.sleep(1.0)
                    p.send_signal(signal.SIGTERM)
                    p.wait(timeout=60)
                    totals.append(callgrind_total(out))
                per[impl] = [(totals[1] - totals[0]) / n]
            row(f"{label} instructions per request (callgrind)", per["A"], per["B"])
    finally:
        kill(master)


def section_scale(args):
    for n in args.scale:
        print(f"\n== scale: one sentinel monitoring {n} masters ({n} redis-servers), "
              f"{args.rest_rounds} rounds each, {args.window:.0f} s window", flush=True)
        tmp = tempfile.mkdtemp(prefix="sbs-scale-")
        TMPDIRS.append(tmp)
        servers = []
        try:
            ports = [free_port() for _ in range(n)]
            for p in ports:
                servers.append(start_redis(tmp, p))
            wait_until(f"{n} redis-servers", 60,
                       lambda: all(client(p).ping() for p in ports), interval=0.2)
            masters = [(f"m{i}", p) for i, p in enumerate(ports)]
            rss = {"A": [], "B": []}
            anon = {"A": [], "B": []}
            cpu = {"A": [], "B": []}
            lat = {"A": [], "B": []}
            for _ in range(args.rest_rounds):
                for impl in ("A", "B"):
                    sport = free_port()
                    s = start_sentinel(impl, tmp, sport, masters, 5000, 10000, 1)
                    try:
                        def ready():
                            ms = client(sport, 2).sentinel_masters()
                            return len(ms) == n and all(
                                int(m.get("info-refresh", 10 ** 9)) < 10000 and
                                m["flags"] == "master" for m in ms.values())
                        wait_until(f"{IMPLS[impl][0]} sees {n} masters", 60, ready, 0.5)
                        time.sleep(args.settle)
                        _, c0, _ = proc_stat(s.pid)
                        time.sleep(args.window)
                        r1, c1, a1 = proc_stat(s.pid)
                        rss[impl].append(r1)
                        anon[impl].append(a1)
                        cpu[impl].append((c1 - c0) / args.window * 100)
                        lat[impl].append(redis_benchmark(sport, ["SENTINEL", "MASTERS"], 1, 20,
                                                         1)[1])
                    finally:
                        kill(s)
            row(f"{n} masters: RSS KB", rss["A"], rss["B"])
            row(f"{n} masters: RssAnon KB", anon["A"], anon["B"])
            row(f"{n} masters: CPU %", cpu["A"], cpu["B"], prec=2)
            row(f"{n} masters: SENTINEL MASTERS p50 ms (20 calls)", lat["A"], lat["B"], prec=3)
        finally:
            for s in servers:
                kill(s)
            shutil.rmtree(tmp, ignore_errors=True)
            if tmp in TMPDIRS:
                TMPDIRS.remove(tmp)


def commands_processed(port):
    return int(client(port, 2).info("stats")["total_commands_processed"])


def section_peerload(args):
    """Commands a redis-sentinel peer processes from the measured sentinel (A or B), per
    10 s, at rest and while every master is SDOWN for the measured sentinel only: the
    peer's down-after is ten minutes, the (shared) master is SIGSTOPped. The peer is
    always redis-sentinel; nothing else sends it commands."""
    for n in args.peerload:
        print(f"\n== peer load: {n} master(s), one redis-sentinel peer, "
              f"{args.rest_rounds} round(s) each, {args.window:.0f} s windows", flush=True)
        tmp = tempfile.mkdtemp(prefix="sbs-peer-")
        TMPDIRS.append(tmp)
        mport = free_port()
        srv = start_redis(tmp, mport)
        try:
            wait_until("redis-server", 20, lambda: client(mport).ping(), interval=0.1)
            masters = [(f"m{i}", mport) for i in range(n)]
            rest = {"A": [], "B": []}
            down = {"A": [], "B": []}
            per10 = 10.0 / args.window
            for _ in range(args.rest_rounds):
                for impl in ("A", "B"):
                    pport, sport = free_port(), free_port()
                    peer = start_sentinel("B", tmp, pport, masters, 600000, 180000, 2)
                    us = start_sentinel(impl, tmp, sport, masters, 1000, 180000, 2)
                    try:
                        def met():
                            return all(
                                len(ms) == n and all(
                                    int(m.get("num-other-sentinels", 0)) == 1
                                    for m in ms.values())
                                for ms in (client(pport, 2).sentinel_masters(),
                                           client(sport, 2).sentinel_masters()))
                        wait_until("the two sentinels to meet", 60, met, 0.5)
                        time.sleep(args.settle)
                        c0 = commands_processed(pport)
                        time.sleep(args.window)
                        rest[impl].append((commands_processed(pport) - c0 - 1) * per10)
                        os.kill(srv.pid, signal.SIGSTOP)
                        try:
                            def all_sdown():
                                ms = client(sport, 2).sentinel_masters()
                                return all("s_down" in m["flags"] for m in ms.values())
                            wait_until("SDOWN for the measured sentinel", 30, all_sdown, 0.1)
                            c0 = commands_processed(pport)
                            time.sleep(args.window)
                            down[impl].append((commands_processed(pport) - c0 - 1) * per10)
                            odown = [k for k, m in client(sport, 2).sentinel_masters().items()
                                     if "o_down" in m["flags"]]
                            if odown:
                                print(f"  ! {IMPLS[impl][0]}: ODOWN alone for {odown}")
                        finally:
                            os.kill(srv.pid, signal.SIGCONT)
                    finally:
                        kill(us)
                        kill(peer)
            row(f"{n} master(s): peer commands / 10 s at rest", rest["A"], rest["B"])
            row(f"{n} master(s): peer commands / 10 s SDOWN not ODOWN", down["A"], down["B"])
        finally:
            kill(srv)
            shutil.rmtree(tmp, ignore_errors=True)
            if tmp in TMPDIRS:
                TMPDIRS.remove(tmp)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="2 failover rounds per D, 10 s windows, fewer benchmark requests")
    ap.add_argument("--rounds", type=int, help="failover rounds per implementation per D (5)")
    ap.add_argument("--d", default="1000,5000", help="down-after-milliseconds values")
    ap.add_argument("--failover-timeout", type=int, default=10000)
    ap.add_argument("--scale", default="200", help="master counts for the scale section")
    ap.add_argument("--peerload", default="1,50",
                    help="master counts for the peer-load section")
    ap.add_argument("--only", default="failover,rest,scale,peerload,instructions",
                    help="sections to run: failover,rest,scale,peerload,instructions "
                         "(rest includes throughput)")
    args = ap.parse_args()
    args.d = [int(x) for x in args.d.split(",") if x]
    args.scale = [int(x) for x in args.scale.split(",") if x]
    args.peerload = [int(x) for x in args.peerload.split(",") if x]
    args.rounds = args.rounds or (2 if args.quick else 5)
    args.window = 10.0 if args.quick else 30.0
    args.rest_rounds = 1 if args.quick else 2
    args.bench_rounds = 1 if args.quick else 3
    args.bench_n = 20000 if args.quick else 100000
    args.settle = 3.0
    only = set(args.only.split(","))
    if not os.path.exists(RSENTINEL):
        sys.exit(f"{RSENTINEL} missing: run `cargo build --release` first")
    print(f"A = rsentinel ({RSENTINEL}), B = redis-sentinel ({REDIS_SENTINEL} -> "
          f"{os.path.realpath(REDIS_SENTINEL)}); ratios are B/A (>1: B slower/bigger, "
          "except rps where >1 means B faster)", flush=True)
    started = time.monotonic()
    binary_sizes()
    if "failover" in only:
        section_failover(args)
    if "rest" in only:
        section_rest_and_throughput(args)
    if "scale" in only:
        section_scale(args)
    if "peerload" in only:
        section_peerload(args)
    if "instructions" in only:
        section_instructions(args)
    print_table()
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    try:
        main()
    finally:
        cleanup()
