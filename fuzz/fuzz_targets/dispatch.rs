//! Fuzzes whole-command dispatch with no sockets: a `Server` and a core monitoring one master
//! (with a known replica and peer sentinel), a fake host, and up to four clients. The input's
//! first byte picks the number of clients and whether config saves fail; the rest is split at
//! `\x01` bytes into segments, segment k is appended to client k % n's input buffer and parsed
//! with `RequestParser` and executed exactly as the reactor does (`process_client_input`).
//! Between segments the virtual clock advances and the core ticks; its actions are carried out
//! the way the shell does (events published, connections refused, saves through the host).
#![no_main]

use std::net::SocketAddr;

use libfuzzer_sys::fuzz_target;
use rsentinel::config::load_str;
use rsentinel::resp::request::RequestParser;
use rsentinel::resp::{Proto, ReplyWriter};
use rsentinel::sentinel::{Action, Input, Millis, Sentinel, Settings as CoreSettings};
use rsentinel::server::{ClientId, CpuUsage, Ctx, Host, SaveError, Server, Settings};

const CONFIG: &str = "port 26379\n\
sentinel myid 0123456789012345678901234567890123456789\n\
sentinel monitor mymaster 127.0.0.1 6379 2\n\
sentinel down-after-milliseconds mymaster 1000\n\
sentinel known-replica mymaster 127.0.0.1 6380\n\
sentinel known-sentinel mymaster 127.0.0.1 26380 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\
sentinel current-epoch 3\n";

struct FakeHost {
    fail_saves: bool,
}

impl Host for FakeHost {
    fn unix_time_us(&self) -> u64 {
        1_795_430_662_866_039
    }
    fn cpu_usage(&self) -> CpuUsage {
        CpuUsage::default()
    }
    fn is_executable(&self, _path: &str) -> bool {
        false
    }
    fn save_config(&mut self, _core: &Sentinel) -> Result<(), SaveError> {
        if self.fail_saves {
            Err(SaveError("disk full".into()))
        } else {
            Ok(())
        }
    }
}

struct Conn {
    id: ClientId,
    parser: RequestParser,
    rbuf: Vec<u8>,
}

struct World {
    server: Server,
    core: Sentinel,
    host: FakeHost,
    now: Millis,
    next_port: u16,
}

impl World {
    fn accept(&mut self) -> Conn {
        let peer = SocketAddr::from(([127, 0, 0, 1], self.next_port));
        self.next_port = self.next_port.wrapping_add(1).max(1024);
        let local = SocketAddr::from(([127, 0, 0, 1], 26379));
        Conn {
            id: self.server.accept(self.now, peer, local),
            parser: RequestParser::new(),
            rbuf: Vec::new(),
        }
    }

    /// `EventLoop::after_core`, minus the sockets.
    fn after_core(&mut self) {
        for _ in 0..10_000 {
            let Some(action) = self.core.poll_action() else {
                break;
            };
            match action {
                Action::Connect { conn, .. } => self.core.handle(self.now, Input::Closed { conn }),
                Action::Event(ev) => {
                    if ev.is_published() {
                        self.server.publish(ev.kind.as_bytes(), ev.text.as_bytes());
                    }
                }
                Action::Close { .. }
                | Action::Exit(_)
                | Action::RunScript { .. }
                | Action::KillScript { .. } => {}
            }
        }
        if self.core.take_save_request() {
            let _ = self.host.save_config(&self.core);
        }
        self.core.drain_output(|_, _| {});
    }

    /// `EventLoop::process_client_input`, then the output is "flushed" (dropped).
    fn process(&mut self, c: &mut Conn) -> bool {
        let mut start = 0;
        loop {
            if self.server.close_requested(c.id) || self.server.client(c.id).is_none() {
                break;
            }
            let authenticated = self.server.client(c.id).is_some_and(|cl| cl.authenticated);
            let rest = c.rbuf.get(start..).unwrap_or_default();
            match c.parser.parse(rest, authenticated) {
                Ok(Some(n)) => {
                    let args: Vec<&[u8]> = c.parser.args(rest).collect();
                    let mut ctx = Ctx {
                        core: &mut self.core,
                        host: &mut self.host,
                        now: self.now,
                    };
                    self.server.execute(c.id, &args, &mut ctx);
                    start += n;
                    self.after_core();
                    for k in self.server.take_killed() {
                        self.server.remove(k);
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let proto = self.server.client(c.id).map_or(Proto::Resp2, |cl| cl.proto);
                    e.write_reply(&mut ReplyWriter::new(self.server.output(c.id), proto));
                    if let Some(cl) = self.server.client_mut(c.id) {
                        cl.close_after_reply = true;
                    }
                    start = c.rbuf.len();
                    break;
                }
            }
        }
        c.rbuf.drain(..start.min(c.rbuf.len()));
        self.server.output(c.id).clear();
        let alive = self.server.client(c.id).is_some() && !self.server.close_requested(c.id);
        if !alive {
            self.server.remove(c.id);
        }
        alive
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(cfg) = load_str(CONFIG) else {
        panic!("the fixed config loads");
    };
    let now = 1_000_000;
    let settings = Settings {
        requirepass: (flags & 0x10 != 0).then(|| b"secret".to_vec()),
        ..Settings::default()
    };
    let mut w = World {
        server: Server::new(settings, now),
        core: Sentinel::new(&cfg.sentinel, CoreSettings::default(), now, 7),
        host: FakeHost {
            fail_saves: flags & 0x08 != 0,
        },
        now,
        next_port: 40000,
    };
    let n = usize::from(flags & 0x03) + 1;
    let mut conns: Vec<Conn> = (0..n).map(|_| w.accept()).collect();
    for (k, seg) in rest.split(|&b| b == 0x01).enumerate() {
        let slot = k % n;
        if let Some(c) = conns.get_mut(slot) {
            c.rbuf.extend_from_slice(seg);
            if !w.process(c) {
                *c = w.accept();
            }
        }
        w.now += 150;
        w.core.handle(w.now, Input::Tick);
        w.after_core();
    }
    for c in &conns {
        w.server.remove(c.id);
    }
    assert_eq!(w.server.connected_clients(), 0);
});
