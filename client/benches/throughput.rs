//! The client beside the floor: raw reqwest on the same loopback server, in the same run.
//!
//! Each figure is a ratio to a baseline measured in the same process, interleaved with
//! it and repeated; the median and the spread (min–max) of the ratios are printed.
//!
//! Run: `cargo bench -p ctrlhub --bench throughput` (add `-- --quick` for one round).

use std::sync::Arc;
use std::time::{Duration, Instant};

use ctrlhub::{
    InteractionDirection, InteractionMethod, ListDocument, NewInteraction, TypedResource,
};
use futures::StreamExt;
use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ORG: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
const JSON_API: &str = "application/vnd.api+json";

/// The documented create answer, as the canned server sends it.
fn created_body() -> Vec<u8> {
    let id = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
    serde_json::to_vec(&serde_json::json!({
        "data": {
            "id": id, "type": "customer-interactions",
            "attributes": {"method": "email", "direction": "inbound",
                           "date_time": "2023-11-07T05:31:56Z", "contacted": true,
                           "status": "scheduled", "notes": "Customer asked to move the boiler service to Friday"},
            "meta": {"created_at": "2023-11-07T05:31:56Z", "updated_at": "2023-11-07T05:31:56Z",
                     "modified_at": "2023-11-07T05:31:56Z"},
            "relationships": {
                "author": {"data": {"id": id, "type": "users"}},
                "organisation": {"data": {"id": id, "type": "organisations"}},
                "representative": {"data": {"id": id, "type": "users"}},
                "account": {"data": {"id": id, "type": "customer-accounts"}},
                "contact": {"data": {"id": id, "type": "contacts"}},
                "property": {"data": {"id": id, "type": "properties"}}
            }
        },
        "jsonapi": {"version": "1.0"}
    }))
    .expect("json")
}

/// A page of 100 interactions with `meta.pagination`.
fn page_body() -> Vec<u8> {
    let created: Value = serde_json::from_slice(&created_body()).expect("json");
    let items: Vec<Value> = (0..100)
        .map(|i| {
            let mut item = created["data"].clone();
            item["id"] = Value::String(format!("00000000-0000-4000-8000-{i:012}"));
            item
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "data": items,
        "meta": {"pagination": {"counts": {"pages": 1, "resources": 100}, "current_page": 1,
                                "offsets": {"next": null, "previous": null},
                                "requested": {"limit": 100, "offset": 0}}},
        "jsonapi": {"version": "1.0"}
    }))
    .expect("json")
}

/// A loopback HTTP/1.1 server (keep-alive) that answers every request with `body`,
/// doing no work of its own: the floor every client is measured on.
fn canned_server(body: Vec<u8>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    listener.set_nonblocking(true).expect("nonblocking");
    let head = format!(
        "HTTP/1.1 201 Created\r\ncontent-type: {JSON_API}\r\ncontent-length: {}\r\nx-trace-id: t\r\n\r\n",
        body.len()
    );
    let answer: Arc<Vec<u8>> = Arc::new([head.as_bytes(), &body].concat());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let answer = answer.clone();
                tokio::spawn(async move {
                    let _ = serve(socket, &answer).await;
                });
            }
        });
    });
    base
}

async fn serve(mut socket: tokio::net::TcpStream, answer: &[u8]) -> std::io::Result<()> {
    let mut buffer = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        // Read one request: headers, then Content-Length bytes of body.
        let (head_end, length) = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                break (end + 4, length);
            }
            let n = socket.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        };
        while buffer.len() < head_end + length {
            let n = socket.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
        buffer.drain(..head_end + length);
        socket.write_all(answer).await?;
    }
}

fn new_interaction() -> NewInteraction {
    NewInteraction::new()
        .method(InteractionMethod::Email)
        .direction(InteractionDirection::Inbound)
        .date_time(chrono::DateTime::parse_from_rfc3339("2023-11-07T05:31:56Z").expect("time"))
        .contacted(true)
        .notes("Customer asked to move the boiler service to Friday")
        .contact(ORG)
        .account(ORG)
}

fn request_json() -> Value {
    serde_json::json!({"data": {"type": "customer-interactions",
        "attributes": {"method": "email", "direction": "inbound",
                       "date_time": "2023-11-07T05:31:56Z", "contacted": true,
                       "notes": "Customer asked to move the boiler service to Friday"},
        "relationships": {"contact": {"data": {"type": "contacts", "id": ORG}},
                          "account": {"data": {"type": "customer-accounts", "id": ORG}}}}})
}

/// Minimal hand-written structs for the create answer: what a careful raw client decodes.
#[derive(Deserialize)]
struct RawCreated {
    data: RawResource,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct RawResource {
    id: uuid::Uuid,
    attributes: RawAttributes,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct RawAttributes {
    method: Option<String>,
    direction: Option<String>,
    date_time: Option<String>,
    contacted: Option<bool>,
    notes: Option<String>,
}

#[derive(Clone, Copy)]
enum Creator {
    Ctrlhub,
    RawValue,
    RawStructs,
}

/// Seconds per create over `total` creates with `in_flight` at once.
async fn creates(
    how: Creator,
    client: &ctrlhub::Client,
    http: &reqwest::Client,
    base: &str,
    total: usize,
    in_flight: usize,
) -> f64 {
    let url = format!("{base}/v3/orgs/{ORG}/customers/interactions");
    // The raw clients build and serialize their request document each time, as the
    // typed client does.
    let started = Instant::now();
    futures::stream::iter(0..total)
        .map(|_| {
            let url = url.clone();
            async move {
                match how {
                    Creator::Ctrlhub => {
                        let created = client
                            .interactions()
                            .create(new_interaction())
                            .send()
                            .await
                            .expect("create");
                        assert!(created.notes.is_some());
                    }
                    Creator::RawValue | Creator::RawStructs => {
                        let body = serde_json::to_vec(&request_json()).expect("json");
                        let answer = http
                            .post(url)
                            .header("x-session-token", "bench")
                            .header("content-type", JSON_API)
                            .header("accept", JSON_API)
                            .body(body)
                            .send()
                            .await
                            .expect("post");
                        let bytes = answer.bytes().await.expect("body");
                        if let Creator::RawValue = how {
                            let value: Value = serde_json::from_slice(&bytes).expect("json");
                            assert!(value["data"]["attributes"]["notes"].is_string());
                        } else {
                            let created: RawCreated = serde_json::from_slice(&bytes).expect("json");
                            assert!(created.data.attributes.notes.is_some());
                        }
                    }
                }
            }
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<()>>()
        .await;
    started.elapsed().as_secs_f64() / total as f64
}

/// The median and the spread of `ratios`.
fn summary(ratios: &mut [f64]) -> String {
    ratios.sort_by(|a, b| a.total_cmp(b));
    let median = ratios[ratios.len() / 2];
    format!(
        "{median:.3} (spread {:.3}–{:.3}, {} rounds)",
        ratios[0],
        ratios[ratios.len() - 1],
        ratios.len()
    )
}

/// The runtime, the canned server's base URL, and the two clients every measurement uses.
fn setup() -> (
    tokio::runtime::Runtime,
    String,
    ctrlhub::Client,
    reqwest::Client,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let base = canned_server(created_body());
    let client = ctrlhub::Client::builder()
        .base_url(&base)
        .organisation_id(ORG)
        .session_token("bench")
        .build()
        .expect("client");
    let http = reqwest::Client::builder().build().expect("reqwest");
    (runtime, base, client, http)
}

fn main() {
    // `-- --profile ctrlhub|raw [creates]`: only that client's creates at 32 in flight,
    // 100,000 by default: long enough for a sampling profiler (`perf record`); fewer for an
    // instruction-counting one (`valgrind --tool=callgrind`).
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        let how = match args.get(i + 1).map(String::as_str) {
            Some("raw") => Creator::RawValue,
            _ => Creator::Ctrlhub,
        };
        let (runtime, base, client, http) = setup();
        let total = args
            .get(i + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(100_000);
        let per = runtime.block_on(creates(how, &client, &http, &base, total, 32));
        println!("{:.1} µs per create", per * 1e6);
        return;
    }
    let quick =
        std::env::args().any(|a| a == "--quick") || !std::env::args().any(|a| a == "--bench");
    let rounds = if quick { 1 } else { 7 };
    let (runtime, base, client, http) = setup();
    println!("# ctrlhub throughput against raw reqwest on one canned loopback server");
    println!(
        "machine: {} cores; rounds: {rounds}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // Creates: sequential and 32 in flight.
    let total = if quick { 200 } else { 2_000 };
    for in_flight in [1, 32] {
        let (mut vs_value, mut vs_structs) = (Vec::new(), Vec::new());
        let mut floors = Vec::new();
        runtime.block_on(async {
            // Warm up connections on every path.
            for how in [Creator::Ctrlhub, Creator::RawValue, Creator::RawStructs] {
                creates(how, &client, &http, &base, 64, in_flight).await;
            }
            for _ in 0..rounds {
                let value =
                    creates(Creator::RawValue, &client, &http, &base, total, in_flight).await;
                let ours = creates(Creator::Ctrlhub, &client, &http, &base, total, in_flight).await;
                let structs =
                    creates(Creator::RawStructs, &client, &http, &base, total, in_flight).await;
                vs_value.push(ours / value);
                vs_structs.push(ours / structs);
                floors.push(value * 1e6);
            }
        });
        println!(
            "create, {in_flight} in flight: ctrlhub / raw reqwest+Value = {}; / raw reqwest+structs = {}; raw+Value {:.1} µs per create",
            summary(&mut vs_value),
            summary(&mut vs_structs),
            floors.iter().sum::<f64>() / floors.len() as f64
        );
    }

    // Decoding a 100-interaction page, in process.
    let page = page_body();
    let decode_rounds = if quick { 50 } else { 2_000 };
    let mut ratios = Vec::new();
    for _ in 0..rounds.max(3) {
        let started = Instant::now();
        for _ in 0..decode_rounds {
            let value: Value = serde_json::from_slice(&page).expect("value");
            assert_eq!(value["data"].as_array().map(Vec::len), Some(100));
        }
        let value = started.elapsed();
        let started = Instant::now();
        for _ in 0..decode_rounds {
            let document: ctrlhub::generated::types::InteractionListDocument =
                serde_json::from_slice(&page).expect("document");
            let typed = document
                .into_page()
                .map(<ctrlhub::Interaction as TypedResource>::from_raw);
            assert_eq!(typed.items.len(), 100);
        }
        ratios.push(started.elapsed().as_secs_f64() / value.as_secs_f64());
    }
    println!(
        "decode a 100-interaction page: ctrlhub (typed, item by item) / serde_json::Value = {}",
        summary(&mut ratios)
    );

    // create_many of 2,000 at concurrency 1, 8 and 32, against raw reqwest at the same
    // concurrency.
    let total = if quick { 200 } else { 2_000 };
    for concurrency in [1, 8, 32] {
        let mut ratios = Vec::new();
        runtime.block_on(async {
            for _ in 0..rounds.min(3) {
                let value =
                    creates(Creator::RawValue, &client, &http, &base, total, concurrency).await;
                let started = Instant::now();
                let report = client
                    .interactions()
                    .create_many((0..total).map(|_| new_interaction()))
                    .concurrency(concurrency)
                    .send()
                    .await;
                assert_eq!(report.created, total);
                let ours = started.elapsed().as_secs_f64() / total as f64;
                ratios.push(ours / value);
            }
        });
        println!(
            "create_many of {total} at concurrency {concurrency}: / raw reqwest+Value at the same concurrency = {}",
            summary(&mut ratios)
        );
    }

    // Streaming 20,000 interactions, 100 a page, 20 ms a page.
    let fake_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("fake runtime");
    let total = if quick { 2_000 } else { 20_000 };
    let fake = fake_runtime.block_on(async {
        let fake = ctrlhub_fake::FakeCtrlHub::start().await.expect("fake");
        fake.seed_interactions(total);
        fake.set_list_delay(Duration::from_millis(20));
        fake
    });
    let client = ctrlhub::Client::builder()
        .base_url(fake.base_url())
        .organisation_id(fake.org_id())
        .session_token(fake.session_token())
        .build()
        .expect("client");
    let sequential_raw = || async {
        let started = Instant::now();
        let mut offset = 0u64;
        let mut count = 0;
        loop {
            let url = format!(
                "{}/v3/orgs/{}/customers/interactions?limit=100&offset={offset}",
                fake.base_url(),
                fake.org_id()
            );
            let page: Value = http
                .get(url)
                .header("x-session-token", fake.session_token())
                .header("accept", JSON_API)
                .send()
                .await
                .expect("get")
                .json()
                .await
                .expect("json");
            count += page["data"].as_array().map_or(0, Vec::len);
            match page["meta"]["pagination"]["offsets"]["next"].as_u64() {
                Some(next) => offset = next,
                None => break,
            }
        }
        assert_eq!(count, total);
        started.elapsed().as_secs_f64()
    };
    for in_flight in [1, 2, 8] {
        let mut speedups = Vec::new();
        runtime.block_on(async {
            for _ in 0..rounds.min(3) {
                let raw = sequential_raw().await;
                let started = Instant::now();
                let count = client
                    .interactions()
                    .list()
                    .limit(100)
                    .pages_in_flight(in_flight)
                    .stream()
                    .fold(0usize, |n, item| async move {
                        item.expect("item");
                        n + 1
                    })
                    .await;
                assert_eq!(count, total);
                speedups.push(raw / started.elapsed().as_secs_f64());
            }
        });
        println!(
            "stream {total} at 100 a page, 20 ms a page, {in_flight} in flight: sequential raw loop time / ctrlhub time = {}",
            summary(&mut speedups)
        );
    }
}
