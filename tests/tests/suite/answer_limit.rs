//! Answers larger than `ClientBuilder::max_answer_size` are not read past the limit.

use ctrlhub::{Error, Outcome, RetryPolicy};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

fn limited(base_url: &str, limit: u64) -> ctrlhub::Client {
    ctrlhub::Client::builder()
        .base_url(base_url)
        .organisation_id(ORG)
        .session_token(TOKEN)
        .retry_policy(RetryPolicy::disabled())
        .max_answer_size(limit)
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_answer_over_the_limit_is_a_decode_error_naming_it_and_a_create_is_unknown() {
    let server = MockServer::start_async().await;
    let big = format!(r#"{{"data": [], "padding": "{}"}}"#, "x".repeat(4096));
    server
        .mock_async(|when, then| {
            when.method(GET).path(create_path());
            then.status(200)
                .header("content-type", JSON_API)
                .header("x-trace-id", "t-big")
                .body(big.clone());
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(create_path());
            then.status(201)
                .header("content-type", JSON_API)
                .body(big.clone());
        })
        .await;
    let client = limited(&server.base_url(), 1024);

    let error = client.interactions().list().page().await.unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected Decode, got {error:?}");
    };
    assert_eq!(decode.answer_limit, Some(1024));
    assert_eq!(decode.status.map(|s| s.as_u16()), Some(200));
    assert_eq!(decode.trace_id.as_deref(), Some("t-big"));
    assert!(
        decode
            .reason
            .contains("larger than the limit of 1024 bytes"),
        "{}",
        decode.reason
    );
    assert_eq!(decode.outcome, None, "a GET changed nothing");

    let error = client
        .interactions()
        .create(seed_interaction("n"))
        .send()
        .await
        .unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected Decode, got {error:?}");
    };
    assert_eq!(decode.answer_limit, Some(1024));
    assert_eq!(decode.outcome, Some(Outcome::Unknown), "a 201 was stored");

    // At the limit exactly, the answer is read.
    let exact = limited(&server.base_url(), big.len() as u64);
    let page = exact.interactions().list().page().await.unwrap();
    assert!(page.items.is_empty());
}

/// A server that answers every request with a chunked JSON body of `total` bytes, and
/// reports how many bytes it managed to write before the client hung up.
async fn endless_server(total: usize) -> (String, tokio::sync::oneshot::Receiver<usize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let (report, written) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.api+json\r\n\
                    transfer-encoding: chunked\r\n\r\n";
        let mut sent = 0usize;
        if socket.write_all(head.as_bytes()).await.is_ok() {
            let chunk = vec![b' '; 64 * 1024];
            let framed = [
                format!("{:x}\r\n", chunk.len()).into_bytes(),
                chunk,
                b"\r\n".to_vec(),
            ]
            .concat();
            while sent < total {
                if socket.write_all(&framed).await.is_err() {
                    break;
                }
                sent += 64 * 1024;
            }
        }
        let _ = report.send(sent);
    });
    (base_url, written)
}

#[tokio::test]
async fn reading_stops_at_the_limit_and_the_rest_is_never_received() {
    let total = 256 * 1024 * 1024;
    let (base_url, written) = endless_server(total).await;
    let client = limited(&base_url, 256 * 1024);
    let error = client.interactions().list().page().await.unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected Decode, got {error:?}");
    };
    assert_eq!(decode.answer_limit, Some(256 * 1024));
    drop(client);
    let written = written.await.unwrap();
    // The client hung up after the limit: the server could write what fits in the
    // connection's buffers, not the 256 MiB.
    assert!(written < total / 4, "the server wrote {written} bytes");
}
