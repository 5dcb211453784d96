//! The `ctrlhub` binary on a corporate network: the proxy and the trust store come from
//! the environment, as they do for curl, and plain http never goes through a proxy.

use std::time::Duration;

use ctrlhub_fake::FakeCtrlHub;
use ctrlhub_fake::network::{RecordingProxy, TlsFront};

/// The proxy variables a machine might have set, cleared for each run.
const PROXY_VARS: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// `ctrlhub interactions list` against `base_url` with `env` set and nothing else
/// inherited that could change the route.
fn list(fake: &FakeCtrlHub, base_url: &str, env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = assert_cmd::Command::cargo_bin("ctrlhub").unwrap();
    for var in ctrlhub::EnvVar::ALL {
        cmd.env_remove(var.name());
    }
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    cmd.env("CTRLHUB_BASE_URL", base_url)
        .env("CTRLHUB_ORG_ID", fake.org_id().to_string())
        .env("CTRLHUB_SESSION_TOKEN", fake.session_token())
        .envs(env.iter().copied())
        .args(["interactions", "list", "--limit", "3"])
        .timeout(Duration::from_secs(120));
    cmd.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn https_proxy_and_ssl_cert_file_from_the_environment_carry_the_call_in_a_tunnel() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(5);
    let front = TlsFront::start(&fake.base_url()).await.unwrap();
    let proxy = RecordingProxy::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let roots = dir.path().join("roots.pem");
    std::fs::write(&roots, front.ca_pem()).unwrap();
    let roots = roots.to_str().unwrap();

    let proxy_url = proxy.url();
    let output = list(
        &fake,
        &front.base_url(),
        &[
            ("HTTPS_PROXY", proxy_url.as_str()),
            ("SSL_CERT_FILE", roots),
        ],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout).lines().count(), 3);
    let connections = proxy.connections();
    assert_eq!(connections.len(), 1, "{connections:?}");
    assert_eq!(
        connections[0].request_line(),
        format!("CONNECT {} HTTP/1.1", front.addr())
    );
    assert!(!connections[0].saw(fake.session_token()));

    // NO_PROXY names the host: reached directly.
    let output = list(
        &fake,
        &front.base_url(),
        &[
            ("HTTPS_PROXY", proxy_url.as_str()),
            ("NO_PROXY", "127.0.0.1"),
            ("SSL_CERT_FILE", roots),
        ],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(proxy.accepted(), 1);

    // Without the root, the TLS failure is named, with the host.
    let output = list(
        &fake,
        &front.base_url(),
        &[("HTTPS_PROXY", proxy_url.as_str())],
    );
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains(&front.addr().to_string()), "{stderr}");
    assert!(stderr.contains("TLS"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_proxy_variable_routes_a_plain_http_call() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(5);
    let proxy = RecordingProxy::start().await.unwrap();
    let proxy_url = proxy.url();
    let every_variable: Vec<(&str, &str)> = PROXY_VARS[..6]
        .iter()
        .map(|var| (*var, proxy_url.as_str()))
        .collect();
    let output = list(&fake, &fake.base_url(), &every_variable);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout).lines().count(), 3);
    assert_eq!(proxy.accepted(), 0, "{:?}", proxy.connections());
}
