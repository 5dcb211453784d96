//! The spec is the one truth: an attribute and an include value added to a copy of
//! `openapi/ctrlhub.yaml` reach the typed API, the fake's checks and storage, and the
//! CLI's columns, with no other edit.
//!
//! The copy is built into its own target directory (`target/spec-mutation`, kept between
//! runs so that only a change rebuilds) through `CTRLHUB_OPENAPI`, which the client's and
//! the fake's build scripts read; then its `ctrlhub` binary plays both sides: `ctrlhub
//! fake` serves the copy's rules, and the CLI talks to it. Offline: every crate is already
//! in the lock file and the local cache from building this test.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

const ORG: &str = "11111111-2222-4333-8444-555555555555";
const TOKEN: &str = "mutation-token";

/// The workspace's spec with `channel`, an attribute a create may set, and `team`, a
/// relationship of a stored interaction that `include` takes.
fn mutated_spec(root: &Path) -> String {
    let spec = std::fs::read_to_string(root.join("openapi/ctrlhub.yaml")).unwrap();
    let include =
        "x-ctrlhub-values: [author, organisation, representative, account, contact, property]";
    let property = "        property:\n          description: \"The property the interaction is about.\"\n          allOf:\n            - $ref: \"#/components/schemas/ToOneRelationship\"\n";
    let notes = "        notes:\n          type: string\n          description: Free text about the interaction.\n";
    let edits = [
        (
            notes.to_owned(),
            format!("{notes}        channel:\n          type: string\n"),
        ),
        (
            property.to_owned(),
            format!(
                "{property}        team:\n          allOf:\n            - $ref: \"#/components/schemas/ToOneRelationship\"\n"
            ),
        ),
        (
            include.to_owned(),
            include.replace("property]", "property, team]"),
        ),
    ];
    let mut copy = spec.clone();
    for (anchor, edited) in edits {
        assert_eq!(
            copy.matches(&anchor).count(),
            1,
            "the anchor is unique: {anchor}"
        );
        copy = copy.replace(&anchor, &edited);
    }
    assert_ne!(copy, spec);
    copy
}

/// `target/`, from this test's own path (`target/debug/deps/spec_mutation-…`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_owned()
}

/// Builds the `ctrlhub` binary from `spec` into `target/spec-mutation`; its path.
fn build_from(spec: &Path, root: &Path) -> PathBuf {
    let target = target_dir().join("spec-mutation");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--offline",
            "--locked",
            "-p",
            "ctrlhub-cli",
            "--bin",
        ])
        .arg("ctrlhub")
        .arg("--target-dir")
        .arg(&target)
        .env("CTRLHUB_OPENAPI", spec)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the copy builds: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    target
        .join("debug")
        .join(format!("ctrlhub{}", std::env::consts::EXE_SUFFIX))
}

/// `ctrlhub fake` of `binary`, serving until dropped; its base URL.
struct Fake {
    child: std::process::Child,
    url: String,
}

impl Fake {
    fn start(binary: &Path) -> Fake {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(binary)
            .args(["fake", "--port", &port.to_string(), "--org", ORG])
            .args(["--token", TOKEN, "--seed", "0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        assert!(first.contains(&url), "{first}");
        Fake { child, url }
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cli(binary: &Path, fake: &Fake, args: &[&str]) -> Output {
    let mut cmd = Command::new(binary);
    for (name, _) in std::env::vars() {
        if name.starts_with("CTRLHUB_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("CTRLHUB_BASE_URL", &fake.url)
        .env("CTRLHUB_ORG_ID", ORG)
        .env("CTRLHUB_SESSION_TOKEN", TOKEN)
        .args(args)
        .output()
        .unwrap()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// POSTs an interaction with `channel` set to `value` straight to `url`; the status and
/// the answer.
fn post_channel(url: &str, value: &Value) -> (u16, Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let body = json!({"data": {"type": "customer-interactions", "attributes": {
            "method": "email", "direction": "inbound",
            "date_time": "2026-01-05T09:00:00Z", "channel": value}}});
        let answer = reqwest::Client::new()
            .post(format!("{url}/v3/orgs/{ORG}/customers/interactions"))
            .header("X-Session-Token", TOKEN)
            .header("Content-Type", "application/vnd.api+json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        (status, answer.json().await.unwrap_or(Value::Null))
    })
}

#[test]
fn an_attribute_and_an_include_value_added_to_the_spec_reach_the_typed_api_the_fake_and_the_cli() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("ctrlhub.yaml");
    std::fs::write(&spec, mutated_spec(root)).unwrap();
    let binary = build_from(&spec, root);
    let fake = Fake::start(&binary);

    // The fake's checks: the new attribute is a string, as the copy says.
    let (status, answer) = post_channel(&fake.url, &json!(5));
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["errors"][0]["source"]["pointer"],
        "/data/attributes/channel"
    );
    // ... where the workspace's own fake refuses it as a name the spec does not give.
    let original = Fake::start(&assert_cmd::cargo::cargo_bin("ctrlhub"));
    let (status, answer) = post_channel(&original.url, &json!("web"));
    assert_eq!(status, 400, "{answer}");

    // The CLI's columns, and through them the typed API: import sets it by name, the
    // fake stores it, get and export read it by name, in the spec's place.
    let rows = dir.path().join("rows.csv");
    std::fs::write(
        &rows,
        "method,direction,date_time,notes,channel\nemail,inbound,2026-01-05T09:00:00Z,n,web\n",
    )
    .unwrap();
    ok(&cli(
        &binary,
        &fake,
        &["interactions", "import", rows.to_str().unwrap()],
    ));
    let out = dir.path().join("out.csv");
    ok(&cli(
        &binary,
        &fake,
        &["interactions", "export", "--out", out.to_str().unwrap()],
    ));
    let exported = std::fs::read_to_string(&out).unwrap();
    let mut lines = exported.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|c| *c == name).unwrap();
    assert_eq!(at("channel"), at("notes") + 1, "{header:?}");
    assert!(
        header.contains(&"team"),
        "a relationship column: {header:?}"
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(row[at("channel")], "web");
    assert_eq!(row[at("extra")], "", "a named attribute is not extra");

    // The include value: the copy's client and fake take it; the workspace's refuse it.
    let listed = ok(&cli(
        &binary,
        &fake,
        &[
            "interactions",
            "list",
            "--include",
            "team",
            "--format",
            "json",
        ],
    ));
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let first = &listed[0];
    assert_eq!(first["channel"], "web", "{first}");
    let refused = cli(
        &assert_cmd::cargo::cargo_bin("ctrlhub"),
        &original,
        &["interactions", "list", "--include", "team"],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("\"team\" is not one of"));
}
