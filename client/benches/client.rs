//! Speed of the typed API: building a request, and whole calls against the fake Ctrl Hub
//! on loopback (so the figures include HTTP, JSON both ways and the fake's own work).
//!
//! Run: `cargo bench -p ctrlhub --bench client`

use criterion::{Criterion, criterion_group, criterion_main};
use ctrlhub::{InteractionDirection, InteractionMethod, InteractionStatus, NewInteraction};
use ctrlhub_fake::FakeCtrlHub;
use futures::StreamExt;

fn new_interaction() -> NewInteraction {
    NewInteraction::new()
        .method(InteractionMethod::Email)
        .direction(InteractionDirection::Inbound)
        .date_time(chrono::Utc::now())
        .contacted(true)
        .status(InteractionStatus::Scheduled)
        .notes("Customer asked to move the boiler service to Friday")
        .contact("3c90c3cc-0d44-4b50-8888-8dd25736052a")
        .account("3c90c3cc-0d44-4b50-8888-8dd25736052a")
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // Two fakes: creates pile up in the first, while the second holds exactly 1000
    // interactions for the list and stream figures.
    let connect = |fake: &FakeCtrlHub| {
        ctrlhub::Client::builder()
            .base_url(fake.base_url())
            .organisation_id(fake.org_id())
            .session_token(fake.session_token())
            .build()
            .expect("client")
    };
    let (writes, reads) = runtime.block_on(async {
        let writes = FakeCtrlHub::start().await.expect("fake");
        let reads = FakeCtrlHub::start().await.expect("fake");
        reads.seed_interactions(1000);
        (writes, reads)
    });
    let client = connect(&writes);

    c.bench_function("build NewInteraction (ids parsed and checked)", |b| {
        b.iter(new_interaction)
    });

    c.bench_function("create over loopback", |b| {
        b.to_async(&runtime).iter(|| async {
            client
                .interactions()
                .create(new_interaction())
                .await
                .expect("created")
        })
    });

    let client = connect(&reads);
    c.bench_function("list one page of 100 over loopback", |b| {
        b.to_async(&runtime).iter(|| async {
            client
                .interactions()
                .list()
                .limit(100)
                .page()
                .await
                .expect("page")
        })
    });

    let mut group = c.benchmark_group("stream");
    group.sample_size(20);
    group.bench_function("1000 interactions in pages of 100", |b| {
        b.to_async(&runtime).iter(|| async {
            let mut stream = client.interactions().list().limit(100).stream();
            let mut count = 0usize;
            while let Some(item) = stream.next().await {
                item.expect("item");
                count += 1;
            }
            assert_eq!(count, 1000);
            count
        })
    });
    group.finish();
}

criterion_group!(client_benches, benches);
criterion_main!(client_benches);
