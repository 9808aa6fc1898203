//! Persistence: `load(rewrite(x)) == x` over random states (own PRNG), refusal of states that
//! would not load back, and crash safety: a child saving in a tight loop is `kill -9`ed at
//! random moments and the file must always load to one of the states written.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rsentinel::config::{
    load, load_str, rewrite, FileStore, GenericOptions, KnownSentinel, MasterConfig, SaveError,
    SentinelConfig,
};

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn word(&mut self) -> String {
        const CH: &[u8] = b"abcXYZ019-_.:@ \"'\\\t#";
        let len = 1 + self.below(8) as usize;
        (0..len)
            .map(|_| CH[self.below(CH.len() as u64) as usize] as char)
            .collect()
    }
    fn ip(&mut self) -> String {
        if self.below(4) == 0 {
            format!("::{:x}", self.below(65535))
        } else {
            format!(
                "10.{}.{}.{}",
                self.below(256),
                self.below(256),
                self.below(256)
            )
        }
    }
    fn opt(&mut self) -> Option<String> {
        (self.below(2) == 0).then(|| self.word())
    }
}

fn random_state(r: &mut Rng) -> SentinelConfig {
    let mut s = SentinelConfig {
        myid: Some(format!(
            "{:040x}",
            u128::from(r.next()) << 64 | u128::from(r.next())
        )),
        current_epoch: r.below(1000),
        announce_ip: (r.below(2) == 0).then(|| r.ip()),
        announce_port: r.below(3) as u16 * 1000,
        deny_scripts_reconfig: r.below(2) == 0,
        sentinel_user: r.opt(),
        sentinel_pass: r.opt(),
        resolve_hostnames: false,
        announce_hostnames: r.below(2) == 0,
        masters: Vec::new(),
    };
    for i in 0..r.below(4) {
        let mut m = MasterConfig::new(
            &format!("{}{i}", r.word()),
            &r.ip(),
            r.below(65536) as u16,
            1 + r.below(5) as u32,
        );
        m.down_after_ms = 1 + r.below(60_000);
        m.failover_timeout_ms = 1 + r.below(400_000);
        m.parallel_syncs = r.below(10) as i64 - 2;
        m.auth_pass = r.opt();
        m.auth_user = r.opt();
        m.master_reboot_down_after_ms = r.below(3) * 500;
        m.config_epoch = r.below(s.current_epoch + 1);
        m.leader_epoch = r.below(2000);
        for j in 0..r.below(4) {
            m.known_replicas.push((r.ip(), 6000 + j as u16));
        }
        for j in 0..r.below(4) {
            m.known_sentinels.push(KnownSentinel {
                host: r.ip(),
                port: 26000,
                runid: format!("{j:040}"),
            });
        }
        for j in 0..r.below(3) {
            m.renamed_commands.push((format!("cmd{j}"), r.word()));
        }
        s.masters.push(m);
    }
    s
}

#[test]
fn load_of_rewrite_round_trips_random_states() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let g = GenericOptions::default();
    for round in 0..500 {
        let s = random_state(&mut r);
        let old = if round % 2 == 0 {
            String::new()
        } else {
            rewrite("", &g, &random_state(&mut r))
        };
        let text = rewrite(&old, &g, &s);
        let back = load_str(&text).map(|c| c.sentinel);
        assert_eq!(back.as_ref(), Ok(&s), "round {round}:\n{text}");
        // Like Redis, the first rewrite of a file ending in a newline adds one blank line; from
        // then on the output is a fixed point.
        let twice = rewrite(&text, &g, &s);
        assert_eq!(
            rewrite(&twice, &g, &s),
            twice,
            "rewrite is stable, round {round}"
        );
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rsentinel-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::create_dir_all(&d);
    d
}

#[test]
fn save_refuses_a_state_that_would_not_load_and_keeps_the_old_file() {
    let dir = temp_dir("refuse");
    let path = dir.join("s.conf");
    let mut store = FileStore::new(&path);
    let g = GenericOptions::default();
    let mut s = random_state(&mut Rng(7));
    s.masters.clear();
    s.masters.push(MasterConfig::new("m", "10.0.0.1", 6379, 2));
    assert!(store.save(&g, &s).is_ok());
    let before = std::fs::read_to_string(&path).unwrap_or_default();
    let mut bad = s.clone();
    if let Some(m) = bad.masters.first_mut() {
        m.known_replicas = vec![("10.0.0.2".into(), 1), ("10.0.0.2".into(), 1)];
    }
    assert!(matches!(
        store.save(&g, &bad),
        Err(SaveError::Unloadable { .. })
    ));
    assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), before);
    let leftovers = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 1, "temporary file removed");
    let _ = std::fs::remove_dir_all(&dir);
}

const CHILD_ENV: &str = "RSENTINEL_SAVE_LOOP_FILE";

/// The state written at step `i` (the current epoch identifies it).
fn state_for(i: u64) -> SentinelConfig {
    let mut s = random_state(&mut Rng(i.wrapping_mul(0x9e37_79b9) | 1));
    s.current_epoch = i + 1_000_000;
    s
}

/// Runs only as the child of `kill_9_during_saves_never_corrupts_the_file`.
#[test]
fn child_save_loop() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut store = FileStore::new(PathBuf::from(path));
    let g = GenericOptions::default();
    for i in 0.. {
        if let Err(e) = store.save(&g, &state_for(i)) {
            panic!("save {i}: {e}");
        }
    }
}

fn check_file(path: &Path) -> u64 {
    let c = load(path, "").unwrap_or_else(|e| panic!("file does not load: {e}"));
    let i = c
        .sentinel
        .current_epoch
        .checked_sub(1_000_000)
        .unwrap_or_else(|| panic!("unknown state"));
    let mut want = state_for(i);
    want.current_epoch = c.sentinel.current_epoch;
    assert_eq!(c.sentinel, want, "file holds exactly state {i}");
    i
}

#[test]
fn kill_9_during_saves_never_corrupts_the_file() {
    let dir = temp_dir("crash");
    let path = dir.join("sentinel.conf");
    let mut store = FileStore::new(&path);
    assert!(store
        .save(&GenericOptions::default(), &state_for(0))
        .is_ok());
    let exe = std::env::current_exe().unwrap_or_default();
    let mut r = Rng(0x1234_5678);
    let started = Instant::now();
    let mut rounds = 0;
    let mut max_seen = 0;
    while rounds < 60 && started.elapsed() < Duration::from_secs(60) {
        let child = Command::new(&exe)
            .args([
                "--exact",
                "child_save_loop",
                "--test-threads=1",
                "--nocapture",
            ])
            .env(CHILD_ENV, &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let Ok(mut child) = child else {
            panic!("cannot spawn {}", exe.display())
        };
        std::thread::sleep(Duration::from_millis(5 + r.below(40)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        max_seen = max_seen.max(check_file(&path));
        rounds += 1;
    }
    assert!(rounds >= 50, "only {rounds} rounds in time");
    assert!(max_seen > 0, "the child saved something");
    let _ = std::fs::remove_dir_all(&dir);
}
