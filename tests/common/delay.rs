//! A TCP forwarder on loopback that delays one direction: every byte the target sends back
//! reaches the client `delay` later (order kept); bytes towards the target pass at once.
//! Used to make one instance slow to answer. Stopped, and all its sockets shut, on drop.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

pub struct DelayProxy {
    port: u16,
    stop: Arc<AtomicBool>,
    socks: Arc<Mutex<Vec<TcpStream>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl DelayProxy {
    /// Listens on a free loopback port and forwards each connection to 127.0.0.1:`target`.
    pub fn start(target: u16, delay: Duration) -> DelayProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the delay proxy");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("proxy address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let socks = Arc::new(Mutex::new(Vec::new()));
        let (stop2, socks2) = (stop.clone(), socks.clone());
        let acceptor = thread::spawn(move || {
            while !stop2.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        if let Ok(server) = TcpStream::connect(("127.0.0.1", target)) {
                            forward(client, server, delay, &socks2);
                        }
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        DelayProxy {
            port,
            stop,
            socks,
            acceptor: Some(acceptor),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Starts the pumps of one proxied connection.
fn forward(client: TcpStream, server: TcpStream, delay: Duration, socks: &Mutex<Vec<TcpStream>>) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (Ok(client_out), Ok(client_reg), Ok(server_in), Ok(server_reg)) = (
        client.try_clone(),
        client.try_clone(),
        server.try_clone(),
        server.try_clone(),
    ) else {
        return;
    };
    if let Ok(mut v) = socks.lock() {
        v.push(client_reg);
        v.push(server_reg);
    }
    // Towards the target: at once.
    let mut to_server = server_in;
    pump(client, move |buf| to_server.write_all(buf).is_ok());
    // Back to the client: each chunk stamped on arrival, written once it is due.
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    pump(server, move |buf| {
        tx.send((Instant::now() + delay, buf.to_vec())).is_ok()
    });
    let mut back = client_out;
    thread::spawn(move || {
        while let Ok((due, bytes)) = rx.recv() {
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
            if back.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = back.shutdown(Shutdown::Both);
    });
}

/// Reads `from` until EOF or an error, handing each chunk to `sink`; then shuts `from`.
fn pump(mut from: TcpStream, mut sink: impl FnMut(&[u8]) -> bool + Send + 'static) {
    thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if !sink(&buf[..n]) {
                        break;
                    }
                }
            }
        }
        let _ = from.shutdown(Shutdown::Both);
    });
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Ok(v) = self.socks.lock() {
            for s in v.iter() {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
        if let Some(h) = self.acceptor.take() {
            let _ = h.join();
        }
    }
}
