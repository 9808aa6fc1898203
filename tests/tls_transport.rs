//! The reactor's TLS byte pipe on real non-blocking loopback sockets (certificates made by
//! `openssl`): megabytes both ways at once through rustls's bounded buffers (every
//! would-block path of the read and write loops), a close_notify seen as a close, and
//! garbage from the peer reported as a TLS error.

mod common;

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use rsentinel::reactor::net::ReadOutcome;
use rsentinel::reactor::tls::{configure, AuthClients, TlsContext, TlsSettings};
use rsentinel::reactor::transport::Transport;

use common::tls::Certs;

fn context(certs: &Certs) -> TlsContext {
    let s = TlsSettings {
        port: 1,
        replication: true,
        cert_file: Some(certs.node.cert.display().to_string()),
        key_file: Some(certs.node.key.display().to_string()),
        ca_cert_file: Some(certs.ca.display().to_string()),
        auth_clients: Some(AuthClients::Yes),
        session_caching: true,
        session_cache_size: 20480,
        session_cache_timeout: 300,
        ..TlsSettings::default()
    };
    match configure(&s) {
        Ok(c) => c.context,
        Err(e) => panic!("configure: {e}"),
    }
}

/// A connected pair of non-blocking sockets (accepted side, connecting side).
fn socket_pair() -> (mio::net::TcpStream, mio::net::TcpStream, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let c = std::net::TcpStream::connect(addr).expect("connect");
    let (s, _) = l.accept().expect("accept");
    for x in [&c, &s] {
        x.set_nonblocking(true).expect("nonblocking");
    }
    (
        mio::net::TcpStream::from_std(s),
        mio::net::TcpStream::from_std(c),
        addr,
    )
}

fn tls_pair(ctx: &TlsContext) -> (Transport, Transport) {
    let (s, c, addr) = socket_pair();
    let server = Transport::accept_tls(s, &ctx.server).expect("server session");
    let cfg = ctx.client.as_ref().expect("client config");
    let client = Transport::connect_tls(c, cfg, "127.0.0.1", addr).expect("client session");
    (server, client)
}

fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn megabytes_cross_both_ways_at_once_through_the_bounded_buffers() {
    let certs = Certs::generate();
    let ctx = context(&certs);
    let (mut server, mut client) = tls_pair(&ctx);
    let (to_client, to_server) = (pattern(4 << 20, 7), pattern(1 << 20, 3));
    let (mut s_out, mut s_pos, mut c_out, mut c_pos) =
        (to_client.clone(), 0usize, to_server.clone(), 0usize);
    let (mut s_in, mut c_in) = (Vec::new(), Vec::new());
    let mut scratch = vec![0u8; 16 * 1024];
    let deadline = Instant::now() + Duration::from_secs(60);
    while (s_in.len() < to_server.len() || c_in.len() < to_client.len())
        && Instant::now() < deadline
    {
        assert!(
            server.write_pending(&mut s_out, &mut s_pos),
            "server write failed"
        );
        assert!(
            client.write_pending(&mut c_out, &mut c_pos),
            "client write failed"
        );
        // A small budget: reads stop early and are resumed, as under the reactor's budget.
        for (t, buf, who) in [
            (&mut server, &mut s_in, "server"),
            (&mut client, &mut c_in, "client"),
        ] {
            let r = t.read_available(buf, &mut scratch, 64 * 1024, false);
            assert!(
                !matches!(r, ReadOutcome::Closed(_)),
                "{who} closed: {:?}",
                t.tls_error()
            );
        }
    }
    assert!(!server.handshaking() && !client.handshaking());
    assert_eq!(c_in.len(), to_client.len());
    assert!(
        c_in == to_client,
        "client received other bytes than the server sent"
    );
    assert!(
        s_in == to_server,
        "server received other bytes than the client sent"
    );
    assert!(s_out.is_empty() && c_out.is_empty(), "everything written");
}

#[test]
fn a_close_notify_is_a_close_and_garbage_is_a_named_tls_error() {
    let certs = Certs::generate();
    let ctx = context(&certs);
    let (mut server, mut client) = tls_pair(&ctx);
    let mut scratch = vec![0u8; 16 * 1024];
    let (mut out, mut pos) = (b"+PONG\r\n".to_vec(), 0);
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while got.is_empty() && Instant::now() < deadline {
        assert!(server.write_pending(&mut out, &mut pos));
        let mut sink = Vec::new();
        server.read_available(&mut sink, &mut scratch, 1 << 20, false);
        client.read_available(&mut got, &mut scratch, 1 << 20, false);
        let (mut none, mut p) = (Vec::new(), 0);
        assert!(client.write_pending(&mut none, &mut p));
    }
    assert_eq!(got, b"+PONG\r\n");
    server.close_notify();
    let mut closed = false;
    while !closed && Instant::now() < deadline {
        closed = matches!(
            client.read_available(&mut got, &mut scratch, 1 << 20, false),
            ReadOutcome::Closed(_)
        );
    }
    assert!(closed, "close_notify not seen as a close");

    // Garbage instead of a ClientHello.
    let (s, mut c, _) = socket_pair();
    let mut server = Transport::accept_tls(s, &ctx.server).expect("server session");
    c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write garbage");
    let mut closed = false;
    while !closed && Instant::now() < deadline {
        let mut sink = Vec::new();
        closed = matches!(
            server.read_available(&mut sink, &mut scratch, 1 << 20, false),
            ReadOutcome::Closed(_)
        );
    }
    assert!(closed, "garbage did not close the session");
    assert!(
        server.tls_error().is_some(),
        "the TLS error is kept for the log"
    );
}
