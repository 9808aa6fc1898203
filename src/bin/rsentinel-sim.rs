//! `rsentinel-sim`: runs the deterministic simulator over many seeds and prints a summary
//! (seeds, violations, failover-time distribution, split-vote rate, wall time). A failing
//! seed prints a one-line replay command and, replayed with `--seed N --trace`, its trace.
//!
//! ```text
//! rsentinel-sim [--seeds N] [--first S]
//!               [--faults none|crash|partition|all|hostile|race|multi|mixed]
//!               [--seed N --trace] [--sentinels K] [--threads T]
//!               [--start-jitter MS] [--fast-ask MS] [--bug NAME]...
//! bugs: vote-without-persist, vote-twice, unchecked-wire-values, ack-unsaved-votes,
//!       early-sdown, odown-without-quorum, leader-counts-any-epoch, select-ignores-priority,
//!       select-without-fresh-info, staleness-from-own-sdown, ask-storm
//! ```

use std::process::ExitCode;
use std::time::Instant;

use rsentinel::sim::{run_seed, FaultMix, SimConfig, Summary};

const USAGE: &str = "usage: rsentinel-sim [--seeds N] [--first S] \
[--faults none|crash|partition|all|hostile|race|multi|mixed] \
[--seed N --trace] [--sentinels K] [--threads T] [--start-jitter MS] [--fast-ask MS] \
[--bug vote-without-persist|vote-twice|unchecked-wire-values|ack-unsaved-votes|early-sdown|\
odown-without-quorum|leader-counts-any-epoch|select-ignores-priority|select-without-fresh-info|\
staleness-from-own-sdown|ask-storm]";

struct Args {
    seeds: u64,
    first: u64,
    faults: Option<FaultMix>,
    one: Option<u64>,
    trace: bool,
    threads: usize,
    base: SimConfig,
}

thread_local! {
    /// The replay command of the seed this thread is running (printed if it panics).
    static REPLAY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        seeds: 1000,
        first: 0,
        faults: Some(FaultMix::All),
        one: None,
        trace: false,
        threads: 1,
        base: SimConfig::new(0, FaultMix::All),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag} needs a value"));
        let num = |v: String| v.parse::<u64>().map_err(|_| format!("bad number {v:?}"));
        match flag.as_str() {
            "--seeds" => a.seeds = num(val()?)?,
            "--first" => a.first = num(val()?)?,
            "--seed" => a.one = Some(num(val()?)?),
            "--trace" => a.trace = true,
            "--threads" => a.threads = num(val()?)?.clamp(1, 64) as usize,
            "--sentinels" => a.base.sentinels = num(val()?)?.clamp(3, 7) as usize,
            "--start-jitter" => a.base.switches.start_jitter_ms = Some(num(val()?)?),
            "--fast-ask" => a.base.switches.fast_ask_ms = Some(num(val()?)?),
            "--faults" => {
                let v = val()?;
                a.faults = if v == "mixed" {
                    None
                } else {
                    Some(FaultMix::parse(&v).ok_or(format!("unknown fault mix {v:?}"))?)
                };
            }
            "--bug" => match val()?.as_str() {
                "vote-without-persist" => a.base.switches.vote_without_persist = true,
                "vote-twice" => a.base.switches.vote_twice = true,
                "unchecked-wire-values" => a.base.switches.unchecked_wire_values = true,
                "ack-unsaved-votes" => a.base.switches.ack_unsaved_votes = true,
                "early-sdown" => a.base.switches.early_sdown = true,
                "odown-without-quorum" => a.base.switches.odown_without_quorum = true,
                "leader-counts-any-epoch" => a.base.switches.leader_counts_any_epoch = true,
                "select-ignores-priority" => a.base.switches.select_ignores_priority = true,
                "ask-storm" => a.base.switches.ask_storm = true,
                "select-without-fresh-info" => a.base.switches.select_without_fresh_info = true,
                "staleness-from-own-sdown" => a.base.switches.staleness_from_own_sdown = true,
                v => return Err(format!("unknown bug {v:?}")),
            },
            "-h" | "--help" => return Err(USAGE.to_string()),
            f => return Err(format!("unknown flag {f:?}\n{USAGE}")),
        }
    }
    Ok(a)
}

/// The fault mix of seed `s`: fixed, or rotating through all four.
fn mix_for(a: &Args, s: u64) -> FaultMix {
    a.faults
        .unwrap_or(FaultMix::ALL[(s % FaultMix::ALL.len() as u64) as usize])
}

fn main() -> ExitCode {
    let a = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(seed) = a.one {
        let mut cfg = a.base.clone();
        cfg.seed = seed;
        cfg.faults = mix_for(&a, seed);
        cfg.trace = a.trace;
        let r = run_seed(&cfg);
        for l in &r.trace {
            println!("{l}");
        }
        for v in &r.violations {
            println!("VIOLATION {v}");
        }
        println!(
            "seed {seed}: {} violations, failover {:?} ms, split vote {}, multi-leader {}, {} virtual ms, {} steps",
            r.violations.len(),
            r.failover_ms,
            r.split_vote,
            r.multi_leader,
            r.virtual_ms,
            r.steps
        );
        return if r.violations.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    // A panic in the core is the worst finding: say which seed (and how to replay it)
    // before the default hook runs (in release builds the panic aborts the process).
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        REPLAY.with(|r| println!("PANIC while running: {}", r.borrow()));
        default_hook(info);
    }));
    let start = Instant::now();
    let threads = a.threads as u64;
    let mut panicked = false;
    let summary = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let a = &a;
                sc.spawn(move || {
                    let mut sum = Summary::default();
                    let mut s = a.first.saturating_add(t);
                    while s < a.first.saturating_add(a.seeds) {
                        let mut cfg = a.base.clone();
                        cfg.seed = s;
                        cfg.faults = mix_for(a, s);
                        REPLAY.with(|r| *r.borrow_mut() = cfg.replay_command());
                        let r = run_seed(&cfg);
                        if let Some(v) = r.violations.first() {
                            println!("FAIL seed {s} ({}): {v}", cfg.faults.name());
                            println!("  replay: {}", cfg.replay_command());
                        }
                        sum.add(&r);
                        s = s.saturating_add(threads);
                    }
                    sum
                })
            })
            .collect();
        let mut total = Summary::default();
        for h in handles {
            match h.join() {
                Ok(s) => total.merge(s),
                Err(_) => panicked = true,
            }
        }
        total
    });
    let wall = start.elapsed().as_secs_f64();
    println!("{summary}");
    println!(
        "wall {wall:.1} s, {:.0} seeds/s",
        summary.seeds as f64 / wall.max(1e-9)
    );
    if summary.failed_seeds.is_empty() && !panicked {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
