//! Peak heap growth of the process while the client is sent a 256 MiB answer, with the
//! answer size limit at its default and lower, against raw reqwest reading the same
//! answer whole (the baseline, measured in the same run).
//!
//! A counting global allocator tracks live heap bytes for the whole process; the server
//! is a plain thread writing one static 64 KiB chunk over and over, so it allocates
//! (almost) nothing itself.
//!
//! Run: `cargo bench -p ctrlhub --bench answer_limit`

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicIsize, Ordering};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the counters are
// only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwards the caller's valid layout.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live =
                LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed) + layout.size() as isize;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const TOTAL: usize = 256 * 1024 * 1024;
const MIB: f64 = 1024.0 * 1024.0;

/// Serves one request with a chunked body of `TOTAL` bytes; returns the base URL.
fn serve_once() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let Ok((mut socket, _)) = listener.accept() else {
            return;
        };
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request);
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.api+json\r\n\
                    transfer-encoding: chunked\r\n\r\n";
        static CHUNK: [u8; 64 * 1024] = [b' '; 64 * 1024];
        if socket.write_all(head.as_bytes()).is_err() {
            return;
        }
        let mut sent = 0;
        while sent < TOTAL {
            let framed = socket
                .write_all(format!("{:x}\r\n", CHUNK.len()).as_bytes())
                .and_then(|()| socket.write_all(&CHUNK))
                .and_then(|()| socket.write_all(b"\r\n"));
            if framed.is_err() {
                return;
            }
            sent += CHUNK.len();
        }
        let _ = socket.write_all(b"0\r\n\r\n");
    });
    base
}

/// Peak live heap above the level before `work`, in MiB.
fn peak_growth(
    runtime: &tokio::runtime::Runtime,
    work: impl std::future::Future<Output = ()>,
) -> f64 {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    runtime.block_on(work);
    (PEAK.load(Ordering::Relaxed) - before) as f64 / MIB
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!("256 MiB chunked answer over loopback; peak heap growth of the whole process");
    println!("| reader | limit | peak growth | result |");
    println!("|---|---:|---:|---|");
    for run in 0..2 {
        let base = serve_once();
        let raw = peak_growth(&runtime, async {
            let body = reqwest::get(format!("{base}/v3/x")).await.expect("get");
            let bytes = body.bytes().await.expect("bytes");
            assert_eq!(bytes.len(), TOTAL);
        });
        println!("| raw reqwest `.bytes()` (run {run}) | none | {raw:.1} MiB | read whole |");
        for limit in [
            ctrlhub::ClientBuilder::DEFAULT_MAX_ANSWER_SIZE,
            8 * 1024 * 1024,
        ] {
            let base = serve_once();
            let client = ctrlhub::Client::builder()
                .base_url(&base)
                .organisation_id("3c90c3cc-0d44-4b50-8888-8dd25736052a")
                .session_token("bench")
                .retry_policy(ctrlhub::RetryPolicy::disabled())
                .max_answer_size(limit)
                .build()
                .expect("client");
            let mut outcome = String::new();
            let growth = peak_growth(&runtime, async {
                let error = client
                    .interactions()
                    .list()
                    .page()
                    .await
                    .expect_err("too large");
                outcome = match error {
                    ctrlhub::Error::Decode(d) if d.answer_limit == Some(limit) => {
                        "Decode error naming the limit".to_owned()
                    }
                    other => format!("unexpected: {other}"),
                };
            });
            println!(
                "| ctrlhub (run {run}) | {:.0} MiB | {growth:.1} MiB | {outcome} |",
                limit as f64 / MIB
            );
        }
    }
}
