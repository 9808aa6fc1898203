#!/usr/bin/env python3
"""TLS side by side: rsentinel (A) against Debian's redis-sentinel (B), both in TLS-only
mode (port 0, tls-port, tls-replication yes, tls-auth-clients yes), certificates made here
with openssl. Rounds alternate A, B, A, B. Prints medians, min-max and B/A for:

  * kill -9 of the master -> all 3 sentinels answer GET-MASTER-ADDR-BY-NAME with the new
    address, minus D (down-after-milliseconds), polled over TLS;
  * RSS / RssAnon per sentinel at rest in TLS mode (after discovery and a settle time),
    and A in plaintext mode in the same run (what TLS costs at rest);
  * TLS handshakes per second on the client port (`openssl s_time -new`, full handshakes,
    one client process).

  * with --baseline PATH: RSS / RssAnon at rest in plaintext mode of another rsentinel
    binary (e.g. a build from before TLS support) beside this one, to show that a
    plaintext deployment pays nothing for TLS.

Usage:  python3 bench/tls.py [--rounds N] [--d 1000]
                             [--only failover,failover-plain,rest,handshakes]
                             [--baseline PATH]
Needs:  cargo build --release; redis-server, redis-sentinel, openssl, redis-py.
Every process is started by this script and killed by PID at exit (also on Ctrl-C).
"""

import argparse
import atexit
import os
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import redis

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMPLS = {
    "A": ("rsentinel", os.path.join(ROOT, "target", "release", "rsentinel")),
    "B": ("redis-sentinel", shutil.which("redis-sentinel") or "/usr/bin/redis-sentinel"),
}
PROCS = []
TMP = tempfile.mkdtemp(prefix="tls-bench-")


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
    shutil.rmtree(TMP, ignore_errors=True)


atexit.register(cleanup)
signal.signal(signal.SIGINT, lambda s, f: sys.exit(130))
signal.signal(signal.SIGTERM, lambda s, f: sys.exit(143))

_used = set()


def free_port():
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _used and port < 55000:
            _used.add(port)
            return port


def run(args, cwd):
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)


def make_certs():
    d = os.path.join(TMP, "certs")
    os.makedirs(d)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run(["openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
         "-subj", "/CN=bench-ca"], d)
    run(["openssl", "req", *ec, "-keyout", "node.key", "-out", "node.csr", "-subj",
         "/CN=node"], d)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n"
                "subjectAltName=IP:127.0.0.1\n")
    run(["openssl", "x509", "-req", "-in", "node.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "node.crt", "-days", "2", "-extfile", "ext.cnf"], d)
    return {k: os.path.join(d, f"{k}") for k in ("ca.crt", "node.crt", "node.key")}


CERTS = None


def tls_lines(port):
    return [
        "port 0", f"tls-port {port}", f"tls-cert-file {CERTS['node.crt']}",
        f"tls-key-file {CERTS['node.key']}", f"tls-ca-cert-file {CERTS['ca.crt']}",
        "tls-auth-clients yes", "tls-replication yes",
    ]


def client(port, timeout=0.5, tls=True):
    kw = dict(host="127.0.0.1", port=port, socket_timeout=timeout,
              socket_connect_timeout=timeout, decode_responses=True)
    if tls:
        kw.update(ssl=True, ssl_certfile=CERTS["node.crt"], ssl_keyfile=CERTS["node.key"],
                  ssl_ca_certs=CERTS["ca.crt"], ssl_check_hostname=False)
    return redis.Redis(**kw)


def spawn(argv, log):
    with open(log, "ab") as f:
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    PROCS.append(p)
    return p


def kill(p):
    if p.poll() is None:
        os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=5)
    if p in PROCS:
        PROCS.remove(p)


def wait_until(what, timeout, cond, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if cond():
                return
        except (redis.RedisError, OSError, ssl.SSLError):
            pass
        time.sleep(interval)
    raise TimeoutError(f"timed out ({timeout}s) waiting for {what}")


def start(program, d, lines):
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "node.conf")
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    return spawn([program, conf], os.path.join(d, "log.txt"))


class Topology:
    """TLS master + 2 replicas + 3 sentinels of one implementation (plaintext if not tls)."""

    def __init__(self, impl, down_after, tls=True):
        self.tls = tls
        self.tmp = tempfile.mkdtemp(dir=TMP)
        self.mport, self.r1, self.r2 = free_port(), free_port(), free_port()
        self.sports = [free_port() for _ in range(3)]
        base = ["bind 127.0.0.1", "save \"\"", "appendonly no", "repl-diskless-sync-delay 0"]

        def node_lines(port):
            return tls_lines(port) if tls else [f"port {port}"]

        self.master = start("redis-server", os.path.join(self.tmp, "m"),
                            base + node_lines(self.mport))
        self.replicas = {
            r: start("redis-server", os.path.join(self.tmp, f"r{r}"),
                     base + node_lines(r) + [f"replicaof 127.0.0.1 {self.mport}"])
            for r in (self.r1, self.r2)
        }
        wait_until("replicas linked", 20, lambda: all(
            client(r, tls=tls).info("replication").get("master_link_status") == "up"
            for r in (self.r1, self.r2)))
        self.sentinels = []
        for p in self.sports:
            d = os.path.join(self.tmp, f"s{p}")
            lines = ["bind 127.0.0.1", f"dir {d}", *node_lines(p),
                     f"sentinel monitor m 127.0.0.1 {self.mport} 2",
                     f"sentinel down-after-milliseconds m {down_after}",
                     "sentinel failover-timeout m 10000"]
            self.sentinels.append(start(IMPLS[impl][1], d, lines))
        wait_until("discovery", 40, self.discovered, interval=0.1)

    def discovered(self):
        for p in self.sports:
            m = client(p, tls=self.tls).sentinel_master("m")
            if int(m["num-slaves"]) != 2 or int(m["num-other-sentinels"]) != 2:
                return False
        return True

    def close(self):
        for p in [self.master, *self.replicas.values(), *self.sentinels]:
            kill(p)


def failover_round(impl, d, tls=True):
    topo = Topology(impl, d, tls=tls)
    try:
        time.sleep(2)
        agreed = {}
        t0 = [None]
        stop = threading.Event()

        def poll(port):
            c = client(port, 0.3, tls=tls)
            while not stop.is_set():
                try:
                    addr = c.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "m")
                    if addr and int(addr[1]) != topo.mport and t0[0] is not None:
                        agreed.setdefault(port, time.monotonic())
                        return
                except (redis.RedisError, OSError):
                    pass
                time.sleep(0.003)

        threads = [threading.Thread(target=poll, args=(p,), daemon=True) for p in topo.sports]
        for t in threads:
            t.start()
        t0[0] = time.monotonic()
        kill(topo.master)
        deadline = time.monotonic() + 30
        while len(agreed) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set()
        if len(agreed) < 3:
            return None
        return (max(agreed.values()) - t0[0]) * 1000 - d
    finally:
        topo.close()


def proc_mem(pid):
    rss = anon = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("RssAnon:"):
                anon = int(line.split()[1])
    return rss, anon


def at_rest(impl, tls, settle):
    topo = Topology(impl, 1000, tls=tls)
    try:
        time.sleep(settle)
        return [proc_mem(s.pid) for s in topo.sentinels]
    finally:
        topo.close()


def handshakes_per_second(impl, seconds):
    port = free_port()
    d = os.path.join(TMP, f"hs-{impl}-{port}")
    s = start(IMPLS[impl][1], d, ["bind 127.0.0.1", f"dir {d}", *tls_lines(port)])
    try:
        wait_until("listening", 10, lambda: socket.create_connection(("127.0.0.1", port), 0.2))
        out = subprocess.run(
            ["openssl", "s_time", "-connect", f"127.0.0.1:{port}", "-new", "-time",
             str(seconds), "-cert", CERTS["node.crt"], "-key", CERTS["node.key"],
             "-CAfile", CERTS["ca.crt"]],
            capture_output=True, text=True, timeout=seconds + 30).stdout
        # "N connections in T real seconds, ..." -> N / T
        for line in out.splitlines():
            if "connections in" in line and "real seconds" in line:
                w = line.split()
                return int(w[0]) / float(w[3])
        raise RuntimeError(f"openssl s_time said: {out}")
    finally:
        kill(s)


def fmt(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "n/a"
    m = statistics.median(xs)
    return f"{m:.0f} ({min(xs):.0f}-{max(xs):.0f}, n={len(xs)})"


def ratio(a, b):
    a = [x for x in a if x is not None]
    b = [x for x in b if x is not None]
    if not a or not b or statistics.median(a) == 0:
        return "n/a"
    return f"{statistics.median(b) / statistics.median(a):.2f}"


def main():
    global CERTS
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--d", type=int, default=1000)
    ap.add_argument("--settle", type=float, default=10.0)
    ap.add_argument("--hs-seconds", type=int, default=5)
    ap.add_argument("--only", default="failover,rest,handshakes")
    ap.add_argument("--baseline", help="another rsentinel binary, measured plaintext at rest")
    args = ap.parse_args()
    only = args.only.split(",")
    CERTS = make_certs()
    rows = []
    if "failover" in only:
        fo = {"A": [], "B": []}
        for _ in range(args.rounds):
            for impl in ("A", "B"):
                fo[impl].append(failover_round(impl, args.d))
        rows.append((f"TLS D={args.d}: kill -> all 3 agree GET-MASTER-ADDR - D ms",
                     fo["A"], fo["B"]))
    if "failover-plain" in only:
        fo = {"A": [], "B": []}
        for _ in range(args.rounds):
            for impl in ("A", "B"):
                fo[impl].append(failover_round(impl, args.d, tls=False))
        rows.append((f"plaintext D={args.d} (same script): kill -> all 3 agree - D ms",
                     fo["A"], fo["B"]))
    if "rest" in only:
        runs = [("A", True, "A"), ("B", True, "B"), ("A", False, "P")]
        if args.baseline:
            IMPLS["O"] = ("rsentinel-baseline", args.baseline)
            runs.append(("O", False, "O"))
        rss = {k: [] for _, _, k in runs}
        anon = {k: [] for _, _, k in runs}
        for _ in range(2):
            for impl, tls, key in runs:
                for r, a in at_rest(impl, tls, args.settle):
                    rss[key].append(r)
                    anon[key].append(a)
        rows.append(("TLS: RSS per sentinel at rest, KB", rss["A"], rss["B"]))
        rows.append(("TLS: RssAnon per sentinel at rest, KB", anon["A"], anon["B"]))
        rows.append(("rsentinel RSS at rest, KB: plaintext (A col) vs TLS (B col)",
                     rss["P"], rss["A"]))
        rows.append(("rsentinel RssAnon at rest, KB: plaintext (A col) vs TLS (B col)",
                     anon["P"], anon["A"]))
        if args.baseline:
            rows.append(("plaintext RSS at rest, KB: this build (A col) vs baseline (B col)",
                         rss["P"], rss["O"]))
            rows.append(("plaintext RssAnon at rest, KB: this build (A col) vs baseline (B col)",
                         anon["P"], anon["O"]))
    if "handshakes" in only:
        hs = {"A": [], "B": []}
        for _ in range(3):
            for impl in ("A", "B"):
                hs[impl].append(handshakes_per_second(impl, args.hs_seconds))
        rows.append(("TLS handshakes/s on the client port (openssl s_time -new)",
                     hs["A"], hs["B"]))
    print("| metric | A rsentinel: median (min-max, n) | B redis-sentinel: median (min-max, n) | B/A |")
    print("|---|---|---|---|")
    for name, a, b in rows:
        print(f"| {name} | {fmt(a)} | {fmt(b)} | {ratio(a, b)} |")


if __name__ == "__main__":
    main()
