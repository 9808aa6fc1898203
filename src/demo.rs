//! `rsentinel demo`: a failover you can watch. Starts a master, two replicas (redis-server)
//! and three rsentinels on free loopback ports in a temp dir, kills the master with SIGKILL,
//! prints the sentinel events as they arrive and the time until all sentinels agree on the
//! promoted replica, then stops everything it started.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DOWN_AFTER_MS: u64 = 1000;

/// Children die with the demo (PR_SET_PDEATHSIG) and are killed on drop.
struct Procs(Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn spawn(cmd: &mut Command) -> std::io::Result<Child> {
    // SAFETY: prctl is async-signal-safe; it only asks the kernel to SIGKILL the child
    // when this process dies.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Sends one command and reads one reply as text lines (enough for the demo's needs).
fn ask(port: u16, args: &[&str]) -> Option<Vec<String>> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
    let mut out = Vec::new();
    crate_command(&mut out, args);
    s.write_all(&out).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(chunk.get(..n)?);
        if let Ok(Some((frame, _))) = rsentinel::resp::frame::parse_frame(&buf) {
            return Some(flatten(&frame));
        }
    }
}

fn crate_command(out: &mut Vec<u8>, args: &[&str]) {
    rsentinel::resp::encode::command(out, args);
}

fn flatten(f: &rsentinel::resp::Frame<'_>) -> Vec<String> {
    match f.as_elements() {
        Some(items) => items.iter().flat_map(flatten).collect(),
        None => match f {
            rsentinel::resp::Frame::Integer(n) => vec![n.to_string()],
            other => {
                vec![String::from_utf8_lossy(other.as_bytes().unwrap_or_default()).into_owned()]
            }
        },
    }
}

fn field(reply: &[String], name: &str) -> Option<String> {
    reply
        .chunks(2)
        .find(|kv| kv.first().map(String::as_str) == Some(name))
        .and_then(|kv| kv.get(1).cloned())
}

fn wait(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if cond() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Err(format!("timed out waiting for {what}"))
}

/// Runs the demo; returns the process exit code.
pub fn run() -> i32 {
    match demo() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("demo: {e}");
            1
        }
    }
}

fn demo() -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find own executable: {e}"))?;
    if Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        return Err("redis-server not found (apt-get install -y redis-server)".into());
    }
    let dir = std::env::temp_dir().join(format!("rsentinel-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = demo_in(&exe, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn demo_in(exe: &Path, dir: &Path) -> Result<(), String> {
    let port = || free_port().map_err(|e| format!("no free port: {e}"));
    let (m, r1, r2) = (port()?, port()?, port()?);
    let sentinels = [port()?, port()?, port()?];
    let mut procs = Procs(Vec::new());
    for (p, replicaof) in [(m, None), (r1, Some(m)), (r2, Some(m))] {
        let mut cmd = Command::new("redis-server");
        cmd.args([
            "--port",
            &p.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
            "--bind",
            "127.0.0.1",
        ]);
        cmd.arg("--dir").arg(dir);
        if let Some(mp) = replicaof {
            cmd.args(["--replicaof", "127.0.0.1", &mp.to_string()]);
        }
        procs
            .0
            .push(spawn(&mut cmd).map_err(|e| format!("redis-server: {e}"))?);
    }
    for &s in &sentinels {
        let sdir: PathBuf = dir.join(format!("sentinel-{s}"));
        std::fs::create_dir_all(&sdir).map_err(|e| e.to_string())?;
        let conf = sdir.join("sentinel.conf");
        let text = format!(
            "port {s}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 {m} 2\n\
             sentinel down-after-milliseconds mymaster {DOWN_AFTER_MS}\nsentinel failover-timeout mymaster 10000\n"
        );
        std::fs::write(&conf, text).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(exe);
        cmd.arg(&conf)
            .arg("--dir")
            .arg(&sdir)
            .arg("--logfile")
            .arg(sdir.join("log.txt"));
        procs
            .0
            .push(spawn(&mut cmd).map_err(|e| format!("rsentinel: {e}"))?);
    }
    println!(
        "master 127.0.0.1:{m}, replicas :{r1} :{r2}, rsentinels :{} :{} :{}",
        sentinels[0], sentinels[1], sentinels[2]
    );
    println!("waiting for the sentinels to discover the replicas and each other...");
    wait("discovery", Duration::from_secs(20), || {
        sentinels.iter().all(|&s| {
            ask(s, &["SENTINEL", "MASTER", "mymaster"]).is_some_and(|r| {
                field(&r, "num-slaves").as_deref() == Some("2")
                    && field(&r, "num-other-sentinels").as_deref() == Some("2")
            })
        })
    })?;
    // Replicas are eligible once their INFO is fresh; give them a moment after discovery.
    std::thread::sleep(Duration::from_millis(1500));
    let mut sub = TcpStream::connect(("127.0.0.1", sentinels[0])).map_err(|e| e.to_string())?;
    let mut cmd = Vec::new();
    crate_command(&mut cmd, &["PSUBSCRIBE", "*"]);
    sub.write_all(&cmd).map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let printer = std::thread::spawn(move || print_events(sub, t0));
    println!(
        "\nkill -9 the master (down-after-milliseconds = {DOWN_AFTER_MS}); events seen by :{}",
        sentinels[0]
    );
    let master = procs.0.first_mut().ok_or("no master process")?;
    let _ = master.kill();
    let _ = master.wait();
    let mut agreed = 0u16;
    wait("agreement on a new master", Duration::from_secs(30), || {
        let ports: Vec<Option<String>> = sentinels
            .iter()
            .map(|&s| {
                ask(s, &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"])
                    .and_then(|r| r.get(1).cloned())
            })
            .collect();
        match ports.first().cloned().flatten() {
            Some(p)
                if p != m.to_string() && ports.iter().all(|x| x.as_deref() == Some(p.as_str())) =>
            {
                agreed = p.parse().unwrap_or(0);
                true
            }
            _ => false,
        }
    })?;
    let took = t0.elapsed().as_millis();
    std::thread::sleep(Duration::from_millis(300));
    println!(
        "\nall three sentinels name 127.0.0.1:{agreed} as the master {took} ms after the kill \
         (down-after {DOWN_AFTER_MS} ms + {} ms)",
        took.saturating_sub(u128::from(DOWN_AFTER_MS))
    );
    drop(procs);
    let _ = printer.join();
    Ok(())
}

fn print_events(mut sub: TcpStream, t0: Instant) {
    let _ = sub.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = sub.read(&mut chunk) {
        if n == 0 {
            break;
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        let mut used = 0;
        while let Ok(Some((frame, len))) =
            rsentinel::resp::frame::parse_frame(buf.get(used..).unwrap_or_default())
        {
            let parts = flatten(&frame);
            if let [kind, _pattern, channel, message] = parts.as_slice() {
                if kind == "pmessage" {
                    println!("{:>6} ms  {channel} {message}", t0.elapsed().as_millis());
                }
            }
            used += len;
        }
        buf.drain(..used);
    }
}
