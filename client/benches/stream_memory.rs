//! Peak heap of the client while streaming every interaction of a large organisation.
//!
//! A counting allocator counts the live heap bytes allocated and freed on the client's
//! thread only; the fake Ctrl Hub serves from a runtime on another thread, so its data and
//! work are not counted. The figure is the peak above the level before the stream starts.
//! If the stream held more than one page, the peak would grow with the number of
//! interactions; it should grow with the page size only.
//!
//! Run: `cargo bench -p ctrlhub --bench stream_memory`

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use ctrlhub_fake::FakeCtrlHub;
use futures::StreamExt;

struct Counting;

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn counted() -> bool {
    COUNTED.try_with(Cell::get).unwrap_or(false)
}

// SAFETY: every call is forwarded to the system allocator unchanged; the thread-local
// counters are only statistics (and `try_with` never allocates or panics).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwards the caller's valid layout.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && counted() {
            let _ = LIVE.try_with(|live| {
                live.set(live.get() + layout.size() as isize);
                let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
            });
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        if counted() {
            let _ = LIVE.try_with(|live| live.set(live.get() - layout.size() as isize));
        }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn measure(
    server: &tokio::runtime::Runtime,
    total: usize,
    page: u32,
    in_flight: usize,
) -> (usize, isize, f64) {
    let fake = server.block_on(async {
        let fake = FakeCtrlHub::start().await.expect("fake");
        fake.seed_interactions(total);
        fake
    });
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    client_runtime.block_on(async {
        let client = ctrlhub::Client::builder()
            .base_url(fake.base_url())
            .organisation_id(fake.org_id())
            .session_token(fake.session_token())
            .build()
            .expect("client");
        // Warm the connection pool so the first connection's buffers are not counted.
        client
            .interactions()
            .list()
            .limit(1)
            .page()
            .await
            .expect("warm-up");

        COUNTED.with(|c| c.set(true));
        LIVE.with(|l| l.set(0));
        PEAK.with(|p| p.set(0));
        let started = std::time::Instant::now();
        let mut stream = client
            .interactions()
            .list()
            .limit(page)
            .pages_in_flight(in_flight)
            .stream();
        let mut count = 0;
        while let Some(item) = stream.next().await {
            item.expect("item");
            count += 1;
        }
        let seconds = started.elapsed().as_secs_f64();
        COUNTED.with(|c| c.set(false));
        (count, PEAK.with(Cell::get), seconds)
    })
}

fn main() {
    // Without `--bench` (as under `cargo test --benches`) one small case keeps it quick.
    let full = std::env::args().any(|a| a == "--bench");
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("server runtime");
    let cases: &[(usize, u32, usize)] = if full {
        &[
            (2_000, 100, 1),
            (10_000, 100, 1),
            (40_000, 100, 1),
            (10_000, 25, 1),
            (10_000, 400, 1),
            (10_000, 100, 8),
            (100_000, 100, 8),
        ]
    } else {
        &[(500, 100, 2)]
    };
    println!(
        "{:>12} {:>6} {:>9} {:>18} {:>10} {:>14}",
        "interactions", "page", "in flight", "client peak KiB", "seconds", "items/second"
    );
    for &(total, page, in_flight) in cases {
        let (count, peak, seconds) = measure(&server, total, page, in_flight);
        assert_eq!(count, total, "every interaction streamed once");
        println!(
            "{total:>12} {page:>6} {in_flight:>9} {:>18.1} {seconds:>10.3} {:>14.0}",
            peak as f64 / 1024.0,
            count as f64 / seconds
        );
    }
}
