//! Peak heap while streaming every interaction of a large organisation.
//!
//! A counting allocator measures the peak of live heap bytes above the level before the
//! stream starts. The fake Ctrl Hub runs in the same process, so the peak includes the
//! fake's serialising of one page too. If the stream held more than one page, the peak
//! would grow with the number of interactions; it should grow with the page size only.
//!
//! Run: `cargo bench -p ctrlhub --bench stream_memory`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use ctrlhub_tests::FakeCtrlHub;
use futures::StreamExt;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the counters are
// only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwards the caller's valid layout.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

async fn measure(total: usize, page: u32) -> (usize, usize, f64) {
    let fake = FakeCtrlHub::start().await.expect("fake");
    fake.seed_interactions(total);
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

    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let started = std::time::Instant::now();
    let mut stream = client.interactions().list().limit(page).stream();
    let mut count = 0;
    while let Some(item) = stream.next().await {
        item.expect("item");
        count += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    (count, peak, seconds)
}

fn main() {
    // Without `--bench` (as under `cargo test --benches`) one small case keeps it quick.
    let full = std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let cases: &[(usize, u32)] = if full {
        &[
            (2_000, 100),
            (10_000, 100),
            (40_000, 100),
            (10_000, 25),
            (10_000, 400),
        ]
    } else {
        &[(500, 100)]
    };
    println!(
        "{:>12} {:>6} {:>14} {:>10} {:>14}",
        "interactions", "page", "peak heap KiB", "seconds", "items/second"
    );
    for &(total, page) in cases {
        let (count, peak, seconds) = runtime.block_on(measure(total, page));
        assert_eq!(count, total, "every interaction streamed once");
        println!(
            "{total:>12} {page:>6} {:>14.1} {seconds:>10.3} {:>14.0}",
            peak as f64 / 1024.0,
            count as f64 / seconds
        );
    }
}
