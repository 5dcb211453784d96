//! `ctrlhub fake`: the stand-in Ctrl Hub on loopback.

use crate::{bare, code, json_lines, stderr};

#[test]
fn fake_serves_until_interrupted_on_the_port_organisation_and_token_given() {
    use std::io::BufRead;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let org = "11111111-2222-4333-8444-555555555555";
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ctrlhub"))
        .args([
            "fake",
            "--port",
            &port.to_string(),
            "--org",
            org,
            "--token",
            "t-1",
            "--seed",
            "12",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(
        first.contains(&format!("http://127.0.0.1:{port}")),
        "{first}"
    );
    let output = bare()
        .env("CTRLHUB_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("CTRLHUB_ORG_ID", org)
        .env("CTRLHUB_SESSION_TOKEN", "t-1")
        .args(["interactions", "list", "--limit", "100"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_lines(&output).len(), 12);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn fake_fail_every_fails_requests_in_turn() {
    use std::io::BufRead;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ctrlhub"))
        .args(["fake", "--port", &port.to_string(), "--fail-every", "1"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // Every request fails: a 429 (sent again after 1 s), a 503 (sent again), then no
    // answer, until the attempts run out.
    let output = bare()
        .env("CTRLHUB_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("CTRLHUB_ORG_ID", "3c90c3cc-0d44-4b50-8888-8dd25736052a")
        .env("CTRLHUB_SESSION_TOKEN", "fake-token")
        .args(["interactions", "list", "--timeout", "1"])
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(code(&output), 7, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("after 3 attempts"),
        "{}",
        stderr(&output)
    );
}
