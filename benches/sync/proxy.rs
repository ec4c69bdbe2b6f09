//! A TCP proxy between phones and server that plays a poor mobile link, and can cut a
//! connection in the middle of a sync.
//!
//! `tc netem` needs the sch_netem kernel module, which this machine lacks, so the link is
//! simulated in user space, per connection (each phone has its own link) and per direction:
//! - bandwidth: each segment of at most 1448 payload bytes (+52 bytes of TCP/IP headers) takes
//!   its serialisation time at `rate_bps`, queued behind the previous ones;
//! - latency: every byte arrives `one_way` after it left;
//! - loss: each segment is lost with probability `loss`; TCP retransmits it and, delivering in
//!   order, holds everything after it too: the segment and those behind it arrive `stall` late
//!   (a retransmission timeout or fast retransmit; no congestion-window collapse is modelled).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Notify};
use tokio::time::Instant;

const SEGMENT: usize = 1448;
const HEADERS: usize = 52;

#[derive(Clone, Copy, Debug)]
pub struct Link {
    pub rate_bps: f64,
    pub one_way: Duration,
    pub loss: f64,
    pub stall: Duration,
}

impl Link {
    /// A rural 3G link: ~1 Mbit/s each way, 150 ms round trip, 1% of segments lost (each costing
    /// a 300 ms stall: one RTT to notice plus a retransmission).
    pub fn three_g() -> Link {
        Link {
            rate_bps: 1_000_000.0,
            one_way: Duration::from_millis(75),
            loss: 0.01,
            stall: Duration::from_millis(300),
        }
    }
}

/// A listening proxy; it stops when dropped.
pub struct Proxy {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// Forwards every connection to `upstream` through its own `link` (None: unshaped), and
    /// cuts a connection once `cut_after` bytes went from phone to server through it.
    pub async fn start(
        upstream: SocketAddr,
        link: Option<Link>,
        cut_after: Option<u64>,
        seed: u64,
    ) -> Result<Proxy, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("proxy: binding 127.0.0.1:0: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let task = tokio::spawn(async move {
            let mut n = 0u64;
            while let Ok((phone, _)) = listener.accept().await {
                n += 1;
                let seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(n);
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    connection(phone, server, link, cut_after, seed).await;
                });
            }
        });
        Ok(Proxy { addr, task })
    }
}

/// One phone's connection; returns whether it was cut.
async fn connection(
    phone: TcpStream,
    server: TcpStream,
    link: Option<Link>,
    cut_after: Option<u64>,
    seed: u64,
) -> bool {
    phone.set_nodelay(true).ok();
    server.set_nodelay(true).ok();
    let (phone_read, phone_write) = phone.into_split();
    let (server_read, server_write) = server.into_split();
    let cut = Notify::new();
    let uploaded = AtomicU64::new(0);
    let up = pump(
        phone_read,
        server_write,
        link,
        StdRng::seed_from_u64(seed),
        Some((&uploaded, cut_after, &cut)),
    );
    let down = pump(
        server_read,
        phone_write,
        link,
        StdRng::seed_from_u64(seed ^ 0x5eed),
        None,
    );
    tokio::select! {
        _ = async { tokio::join!(up, down) } => false,
        // Dropping both pumps closes both sockets: the phone and the server see the link die.
        _ = cut.notified() => true,
    }
}

/// Copies one direction through the link model.
async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    link: Option<Link>,
    mut rng: StdRng,
    cut: Option<(&AtomicU64, Option<u64>, &Notify)>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        // When the link is next free, and when in-order delivery is next possible.
        let mut free_at = Instant::now();
        let mut in_order_at = Instant::now();
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if let Some((count, Some(limit), notify)) = cut {
                if count.fetch_add(n as u64, Ordering::Relaxed) + n as u64 > limit {
                    notify.notify_one();
                    std::future::pending::<()>().await;
                }
            }
            let chunk = buf[..n].to_vec();
            let deliver_at = match link {
                None => Instant::now(),
                Some(link) => {
                    let mut last = Instant::now();
                    free_at = free_at.max(Instant::now());
                    for segment in chunk.chunks(SEGMENT) {
                        let bits = ((segment.len() + HEADERS) * 8) as f64;
                        free_at += Duration::from_secs_f64(bits / link.rate_bps);
                        let mut arrives = free_at + link.one_way;
                        if rng.gen_bool(link.loss) {
                            arrives += link.stall;
                        }
                        in_order_at = in_order_at.max(arrives);
                        last = in_order_at;
                    }
                    last
                }
            };
            if tx.send((deliver_at, chunk)).is_err() {
                break;
            }
        }
    };
    let writer = async move {
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&bytes).await.is_err() {
                return;
            }
        }
        to.shutdown().await.ok();
    };
    tokio::join!(reader, writer);
}
