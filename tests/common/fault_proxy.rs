//! A TCP proxy that breaks the PostgreSQL conversation on purpose, message by message.
//!
//! [`FaultProxy::start`] listens on `127.0.0.1` (a free port) in a tokio task and forwards every
//! connection it accepts to the test binary's server. Bytes from the client pass through as they
//! come; bytes from the server are read as messages (type byte + i32 length) and each one is
//! checked against the faults the test armed. The framing starts with the first byte, so connect
//! with `sslmode=disable` ([`FaultProxy::dsn`] does): the server never answers an SSLRequest with
//! its lone `S`/`N` byte.
//!
//! ```ignore
//! let proxy = FaultProxy::start().await;
//! let mut conn = quarry::connect(&proxy.dsn(&db)).await?;    // a clean start
//! proxy.arm(Fault::on(b'Z', Action::Duplicate).nth(2));      // the 2nd ReadyForQuery from now on
//! proxy.arm(Fault::next(Action::Stall));                     // whatever the server sends next
//! proxy.release();                                           // stalled connections go on
//! proxy.freeze_new_connections();                            // cancel requests get no answer
//! proxy.cut_now();                                           // every open connection, at once
//! ```
//!
//! Faults are shared by every connection through the proxy (a connection, its cancel requests, a
//! pool's connections): a fault counts the messages it matches from the moment it is armed, and
//! the message that completes the count fires it. A fault fires once; `Stall`, `Freeze` and
//! `Trickle` then keep holding the connection they fired on. Dropping the proxy closes every
//! connection it holds.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::AbortHandle;

/// What happens to the message a fault fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Close both sockets instead of sending the message.
    Cut,
    /// Send the first half of the message's bytes, then close both sockets.
    CutMidway,
    /// Hold the message and everything after it until [`FaultProxy::release`]; the client's
    /// bytes still reach the server.
    Stall,
    /// Never send anything again, and swallow the client's bytes from now on: a server that
    /// accepts everything and answers nothing, forever.
    Freeze,
    /// From this message on, send one byte per interval (until [`FaultProxy::release`]).
    Trickle(Duration),
    /// Send the message twice.
    Duplicate,
    /// Do not send the message.
    Drop,
    /// Send the message with this value in its length field (the body as it was).
    SetLength(u32),
    /// Flip every bit of the message's byte at this offset (0 is the type, 1..5 the length).
    FlipByte(usize),
}

/// A fault to arm: which server message fires it, and what happens to that message.
#[derive(Debug, Clone, Copy)]
pub struct Fault {
    /// The message type it waits for; `None` for any message.
    tag: Option<u8>,
    /// The occurrence (from 1) of a matching message that fires it.
    nth: usize,
    action: Action,
}

impl Fault {
    /// Fires on the next message of type `tag` (`b'Z'` ReadyForQuery, `b'D'` DataRow, ...).
    pub fn on(tag: u8, action: Action) -> Fault {
        Fault {
            tag: Some(tag),
            nth: 1,
            action,
        }
    }

    /// Fires on the next message the server sends, whatever it is.
    pub fn next(action: Action) -> Fault {
        Fault {
            tag: None,
            nth: 1,
            action,
        }
    }

    /// Fires on the `n`th matching message instead of the first.
    pub fn nth(mut self, n: usize) -> Fault {
        assert!(n >= 1, "occurrences count from 1");
        self.nth = n;
        self
    }
}

/// The proxy: a handle to arm faults with. Dropping it closes every connection.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: AbortHandle,
}

struct Shared {
    upstream: SocketAddr,
    state: Mutex<State>,
    /// Bumped by [`FaultProxy::release`]; a stalled connection waits for the next bump.
    release: watch::Sender<u64>,
}

#[derive(Default)]
struct State {
    /// Armed faults with the matching messages seen so far, in arming order.
    armed: Vec<(Fault, usize)>,
    fired: usize,
    accepted: usize,
    freeze_new: bool,
    /// Every connection's task: aborting one closes both of its sockets.
    connections: Vec<AbortHandle>,
}

impl FaultProxy {
    /// A proxy in front of the test binary's server.
    pub async fn start() -> FaultProxy {
        let server = super::server();
        FaultProxy::start_to(server.host(), server.port()).await
    }

    /// A proxy in front of another server (`host` an IP address); connect through
    /// [`FaultProxy::port`] with `sslmode=disable`.
    pub async fn start_to(host: &str, port: u16) -> FaultProxy {
        let upstream = SocketAddr::new(host.parse().expect("the server's host is an IP"), port);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            upstream,
            state: Mutex::new(State::default()),
            release: watch::channel(0).0,
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone())).abort_handle();
        FaultProxy {
            addr,
            shared,
            accept,
        }
    }

    /// The port the proxy listens on (127.0.0.1).
    #[allow(dead_code)]
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// A superuser DSN for `db` through the proxy (`sslmode=disable`; append `&key=value`).
    pub fn dsn(&self, db: &super::TestDb) -> String {
        self.through(&db.dsn())
    }

    /// `dsn` (a harness DSN, e.g. from [`super::TestDb::dsn_for`]) through the proxy, TLS off.
    pub fn through(&self, dsn: &str) -> String {
        let server = super::server();
        let direct = format!("{}:{}", server.host(), server.port());
        assert!(
            dsn.contains(&direct),
            "{dsn} does not name the harness server"
        );
        let dsn = dsn.replacen(&direct, &self.addr.to_string(), 1);
        if dsn.contains("sslmode=") {
            assert!(
                dsn.contains("sslmode=disable"),
                "the proxy needs sslmode=disable"
            );
            dsn
        } else {
            let separator = if dsn.contains('?') { '&' } else { '?' };
            format!("{dsn}{separator}sslmode=disable")
        }
    }

    /// Arms a fault: it counts matching server messages from now on.
    pub fn arm(&self, fault: Fault) {
        self.shared.state().armed.push((fault, 0));
    }

    /// Faults fired so far.
    pub fn fired(&self) -> usize {
        self.shared.state().fired
    }

    /// Connections accepted so far (sessions and cancel requests alike).
    pub fn accepted(&self) -> usize {
        self.shared.state().accepted
    }

    /// Lets every stalled connection go on, and trickling ones go at full speed again.
    pub fn release(&self) {
        self.shared
            .release
            .send_modify(|generation| *generation += 1);
    }

    /// Connections accepted from now on get no answer, ever (the server never hears of them).
    pub fn freeze_new_connections(&self) {
        self.shared.state().freeze_new = true;
    }

    /// Closes every open connection now (both sockets). New connections are served as before.
    pub fn cut_now(&self) {
        for connection in self.shared.state().connections.drain(..) {
            connection.abort();
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut_now();
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The action for a server message of type `tag`, if it fires an armed fault.
    fn action_for(&self, tag: u8) -> Option<Action> {
        let mut state = self.state();
        let mut firing = None;
        for (i, (fault, seen)) in state.armed.iter_mut().enumerate() {
            if fault.tag.is_none_or(|t| t == tag) {
                *seen += 1;
                if firing.is_none() && *seen >= fault.nth {
                    firing = Some(i);
                }
            }
        }
        let (fault, _) = state.armed.remove(firing?);
        state.fired += 1;
        Some(fault.action)
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((client, _)) = listener.accept().await {
        let _ = client.set_nodelay(true);
        let mut state = shared.state();
        state.accepted += 1;
        let task = if state.freeze_new {
            tokio::spawn(swallow(client)).abort_handle()
        } else {
            tokio::spawn(serve(client, shared.clone())).abort_handle()
        };
        state.connections.retain(|c| !c.is_finished());
        state.connections.push(task);
    }
}

/// A frozen new connection: reads and drops what the client sends and answers nothing, for as
/// long as the client keeps it open.
async fn swallow(mut client: TcpStream) {
    let mut sink = [0u8; 4096];
    while let Ok(1..) = client.read(&mut sink).await {}
}

/// One connection: both directions until either ends or a fault cuts it; returning drops (and
/// so closes) both sockets.
async fn serve(client: TcpStream, shared: Arc<Shared>) {
    let Ok(server) = TcpStream::connect(shared.upstream).await else {
        return;
    };
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let frozen = AtomicBool::new(false);
    tokio::select! {
        () = client_to_server(client_read, server_write, &frozen) => {}
        () = server_to_client(server_read, client_write, &shared, &frozen) => {}
    }
}

/// Forwards the client's bytes as they come, or drops them once the connection is frozen.
async fn client_to_server(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, frozen: &AtomicBool) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if !frozen.load(Ordering::Relaxed) && to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// Forwards the server's messages one by one, applying the faults they fire.
async fn server_to_client(
    from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    shared: &Shared,
    frozen: &AtomicBool,
) {
    let mut from = BufReader::new(from);
    // While trickling: the interval, and a receiver that sees the release that ends it.
    let mut trickle: Option<(Duration, watch::Receiver<u64>)> = None;
    loop {
        let mut frame = vec![0u8; 5];
        if from.read_exact(&mut frame).await.is_err() {
            return;
        }
        let len = u32::from_be_bytes([frame[1], frame[2], frame[3], frame[4]]);
        let body = usize::try_from(len).unwrap().saturating_sub(4);
        frame.resize(5 + body, 0);
        if from.read_exact(&mut frame[5..]).await.is_err() {
            return;
        }
        let mut copies = 1;
        match shared.action_for(frame[0]) {
            None => {}
            Some(Action::Cut) => return,
            Some(Action::CutMidway) => {
                let _ = to.write_all(&frame[..frame.len() / 2]).await;
                return;
            }
            Some(Action::Stall) => {
                let mut released = shared.release.subscribe();
                if released.changed().await.is_err() {
                    return;
                }
            }
            Some(Action::Freeze) => {
                frozen.store(true, Ordering::Relaxed);
                std::future::pending::<()>().await;
            }
            Some(Action::Trickle(every)) => trickle = Some((every, shared.release.subscribe())),
            Some(Action::Duplicate) => copies = 2,
            Some(Action::Drop) => copies = 0,
            Some(Action::SetLength(len)) => frame[1..5].copy_from_slice(&len.to_be_bytes()),
            Some(Action::FlipByte(at)) => frame[at] ^= 0xff,
        }
        for _ in 0..copies {
            if send(&mut to, &frame, &mut trickle).await.is_err() {
                return;
            }
        }
    }
}

/// Writes `frame` at once, or one byte per interval while trickling (the rest at once when a
/// release ends the trickle).
async fn send(
    to: &mut OwnedWriteHalf,
    mut frame: &[u8],
    trickle: &mut Option<(Duration, watch::Receiver<u64>)>,
) -> std::io::Result<()> {
    while let Some((every, released)) = trickle {
        if released.has_changed().unwrap_or(true) {
            *trickle = None;
            break;
        }
        let Some((byte, rest)) = frame.split_first() else {
            return Ok(());
        };
        tokio::time::sleep(*every).await;
        to.write_all(std::slice::from_ref(byte)).await?;
        frame = rest;
    }
    to.write_all(frame).await
}
