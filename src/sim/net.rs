//! The simulated network: TCP-like connections from a client process to a server process
//! (bytes delivered in order per direction, each send delayed by a latency drawn from a
//! distribution, FIN/RST as an in-order close marker) and a reachability matrix for
//! partitions (symmetric or one-way). Bytes across a cut link wait (TCP retransmits) until
//! the link heals or the connection is reset.

use std::collections::VecDeque;

use crate::sentinel::rng::Rng;
use crate::sentinel::{ConnId, Millis};

/// Index of a process in the world.
pub type ProcId = usize;

/// What travels in one direction of a connection.
#[derive(Debug)]
pub enum Packet {
    Data(Vec<u8>),
    /// The sender closed (or crashed, or the connection was reset).
    Fin,
}

/// One TCP connection.
#[derive(Debug)]
pub struct Conn {
    pub client: ProcId,
    pub client_inc: u64,
    /// The core's id for it on the client side (clients are always sentinels).
    pub core_conn: ConnId,
    pub server: ProcId,
    pub server_inc: u64,
    /// SYN-ACK arrived (the client was told `Connected`).
    pub established: bool,
    /// When the connect attempt resolves.
    pub connect_at: Millis,
    pub client_open: bool,
    pub server_open: bool,
    /// Bytes (and close markers) in flight, with their arrival time.
    pub to_server: VecDeque<(Millis, Packet)>,
    pub to_client: VecDeque<(Millis, Packet)>,
    /// Partial input buffers at each end.
    pub server_rbuf: Vec<u8>,
    pub client_rbuf: Vec<u8>,
}

impl Conn {
    pub fn queue(&mut self, to_server: bool) -> &mut VecDeque<(Millis, Packet)> {
        if to_server {
            &mut self.to_server
        } else {
            &mut self.to_client
        }
    }

    pub fn closed(&self) -> bool {
        !self.client_open && !self.server_open
    }
}

/// Connections and reachability.
#[derive(Debug)]
pub struct Net {
    pub conns: Vec<Conn>,
    /// `cut[a][b]`: packets from `a` to `b` are not delivered.
    cut: Vec<Vec<bool>>,
    /// `delay[a][b]`: extra one-way latency on packets from `a` to `b` (ms).
    delay: Vec<Vec<u64>>,
    /// Extra latency on every packet until this time (a latency spike), and its size.
    pub spike_until: Millis,
    pub spike_ms: u64,
}

impl Net {
    pub fn new(procs: usize) -> Self {
        Net {
            conns: Vec::new(),
            cut: vec![vec![false; procs]; procs],
            delay: vec![vec![0; procs]; procs],
            spike_until: 0,
            spike_ms: 0,
        }
    }

    pub fn conn(&mut self, id: usize) -> Option<&mut Conn> {
        self.conns.get_mut(id)
    }

    /// A one-way latency: mostly sub-millisecond to 2 ms, with a tail.
    pub fn latency(&self, rng: &mut Rng, now: Millis) -> u64 {
        let r = rng.below(1000);
        let base = if r < 900 {
            rng.below(3)
        } else if r < 990 {
            3 + rng.below(10)
        } else {
            15 + rng.below(60)
        };
        if now < self.spike_until {
            base + rng.below(self.spike_ms.max(1))
        } else {
            base
        }
    }

    /// Can a packet go from `a` to `b` now?
    pub fn reachable(&self, a: ProcId, b: ProcId) -> bool {
        !self
            .cut
            .get(a)
            .and_then(|row| row.get(b))
            .copied()
            .unwrap_or(false)
    }

    /// Both directions open.
    pub fn linked(&self, a: ProcId, b: ProcId) -> bool {
        self.reachable(a, b) && self.reachable(b, a)
    }

    pub fn set_cut(&mut self, a: ProcId, b: ProcId, cut: bool) {
        if let Some(c) = self.cut.get_mut(a).and_then(|row| row.get_mut(b)) {
            *c = cut;
        }
    }

    /// The extra one-way latency from `a` to `b`.
    pub fn delay(&self, a: ProcId, b: ProcId) -> u64 {
        self.delay
            .get(a)
            .and_then(|row| row.get(b))
            .copied()
            .unwrap_or(0)
    }

    pub fn set_delay(&mut self, a: ProcId, b: ProcId, ms: u64) {
        if let Some(d) = self.delay.get_mut(a).and_then(|row| row.get_mut(b)) {
            *d = ms;
        }
    }

    pub fn heal_all(&mut self) {
        for row in &mut self.cut {
            row.iter_mut().for_each(|c| *c = false);
        }
        for row in &mut self.delay {
            row.iter_mut().for_each(|d| *d = 0);
        }
        self.spike_until = 0;
    }

    /// Opens a connection (not yet established). Returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        &mut self,
        client: ProcId,
        client_inc: u64,
        core_conn: ConnId,
        server: ProcId,
        server_inc: u64,
        connect_at: Millis,
    ) -> usize {
        self.conns.push(Conn {
            client,
            client_inc,
            core_conn,
            server,
            server_inc,
            established: false,
            connect_at,
            client_open: true,
            server_open: false,
            to_server: VecDeque::new(),
            to_client: VecDeque::new(),
            server_rbuf: Vec::new(),
            client_rbuf: Vec::new(),
        });
        self.conns.len() - 1
    }

    /// Queues a packet; returns its arrival time (in order after what is already queued),
    /// or `None` if the sending side is closed.
    pub fn push(
        &mut self,
        rng: &mut Rng,
        now: Millis,
        id: usize,
        to_server: bool,
        p: Packet,
    ) -> Option<Millis> {
        let mut lat = self.latency(rng, now);
        let (client, server) = self.conns.get(id).map(|c| (c.client, c.server))?;
        lat += if to_server {
            self.delay(client, server)
        } else {
            self.delay(server, client)
        };
        let c = self.conns.get_mut(id)?;
        let open = if to_server {
            c.client_open
        } else {
            c.server_open
        };
        if !open {
            return None;
        }
        let start = now.max(if c.established { now } else { c.connect_at });
        let q = c.queue(to_server);
        let at = q.back().map_or(start + lat, |(t, _)| (start + lat).max(*t));
        q.push_back((at, p));
        Some(at)
    }

    /// Ids of the open connections that have `p` as an end.
    pub fn conns_of(&self, p: ProcId) -> Vec<usize> {
        self.conns
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.closed() && (c.client == p || c.server == p))
            .map(|(i, _)| i)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_on_one_connection_arrive_in_the_order_sent_whatever_the_latency() {
        let mut net = Net::new(2);
        let mut rng = Rng::new(7);
        net.spike_until = 1_000;
        net.spike_ms = 300;
        let id = net.open(0, 0, ConnId(1), 1, 0, 0);
        if let Some(c) = net.conn(id) {
            c.established = true;
            c.server_open = true;
        }
        let mut last = 0;
        for i in 0..500u32 {
            let at = net.push(
                &mut rng,
                u64::from(i),
                id,
                true,
                Packet::Data(i.to_be_bytes().to_vec()),
            );
            let at = at.unwrap_or(0);
            assert!(at >= last, "packet {i} overtakes: {at} < {last}");
            last = at;
        }
    }

    #[test]
    fn a_closed_side_sends_nothing_more() {
        let mut net = Net::new(2);
        let mut rng = Rng::new(1);
        let id = net.open(0, 0, ConnId(1), 1, 0, 0);
        if let Some(c) = net.conn(id) {
            c.client_open = false;
        }
        assert_eq!(net.push(&mut rng, 0, id, true, Packet::Data(vec![1])), None);
    }

    #[test]
    fn a_one_way_cut_blocks_one_direction_only() {
        let mut net = Net::new(3);
        net.set_cut(0, 1, true);
        assert!(!net.reachable(0, 1));
        assert!(net.reachable(1, 0));
        assert!(!net.linked(0, 1));
        net.heal_all();
        assert!(net.linked(0, 1));
    }
}
