//! The real `ctrlhub` binary against the fake Ctrl Hub (served in this process, on
//! loopback): every command, the formats, import and its journal, the exit codes.

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use ctrlhub_fake::{FakeCtrlHub, Fault};
use serde_json::{Value, json};

/// `ctrlhub` pointed at `fake`, with nothing inherited from the environment.
fn ctrlhub(fake: &FakeCtrlHub) -> assert_cmd::Command {
    let mut cmd = bare();
    cmd.env("CTRLHUB_BASE_URL", fake.base_url())
        .env("CTRLHUB_ORG_ID", fake.org_id().to_string())
        .env("CTRLHUB_SESSION_TOKEN", fake.session_token());
    cmd
}

fn bare() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("ctrlhub").unwrap();
    for var in ctrlhub::EnvVar::ALL {
        cmd.env_remove(var.name());
    }
    cmd.timeout(Duration::from_secs(120));
    cmd
}

/// `ctrlhub args` pointed at `fake`, started and left running: stdout discarded, stderr
/// piped, nothing inherited from the environment.
fn spawn_ctrlhub(fake: &FakeCtrlHub, args: &[&str]) -> std::process::Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("ctrlhub"));
    for var in ctrlhub::EnvVar::ALL {
        cmd.env_remove(var.name());
    }
    cmd.args(args)
        .env("CTRLHUB_BASE_URL", fake.base_url())
        .env("CTRLHUB_ORG_ID", fake.org_id().to_string())
        .env("CTRLHUB_SESSION_TOKEN", fake.session_token())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (at most a minute) until `fake` stores `count` interactions.
async fn until_stored(fake: &FakeCtrlHub, count: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while fake.interactions().len() < count {
        assert!(
            std::time::Instant::now() < deadline,
            "the import did not start"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn run(cmd: &mut assert_cmd::Command, args: &[&str]) -> Output {
    cmd.args(args).output().unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The fields an import sets, of a stored interaction (as the fake holds it).
fn importable(resource: &Value) -> Vec<(String, Value)> {
    let mut fields = Vec::new();
    for name in [
        "method",
        "direction",
        "date_time",
        "contacted",
        "status",
        "notes",
    ] {
        fields.push((name.to_owned(), resource["attributes"][name].clone()));
    }
    for name in ["contact", "account", "property", "representative"] {
        fields.push((
            name.to_owned(),
            resource["relationships"][name]["data"]["id"].clone(),
        ));
    }
    fields
}

/// Each stored interaction's notes, and how many times each appears.
fn notes_count(fake: &FakeCtrlHub) -> HashMap<String, usize> {
    let mut count = HashMap::new();
    for resource in fake.interactions() {
        let notes = resource["attributes"]["notes"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        *count.entry(notes).or_default() += 1;
    }
    count
}

fn rows_csv(path: &Path, rows: usize) {
    let mut text = String::from("method,direction,date_time,contacted,notes\n");
    for i in 0..rows {
        text.push_str(&format!(
            "telephone,inbound,2026-02-01T10:{:02}:{:02}Z,true,Imported call {i}\n",
            (i / 60) % 60,
            i % 60
        ));
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn every_command_has_an_example_in_its_help() {
    let commands: &[&[&str]] = &[
        &[],
        &["interactions"],
        &["interactions", "create"],
        &["interactions", "list"],
        &["interactions", "get"],
        &["interactions", "update"],
        &["interactions", "export"],
        &["interactions", "import"],
        &["contacts"],
        &["contacts", "list"],
        &["contacts", "get"],
        &["members"],
        &["members", "list"],
        &["members", "get"],
        &["auth"],
        &["auth", "check"],
        &["fake"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let output = run(&mut bare(), &args);
        assert_eq!(code(&output), 0, "{command:?}");
        let help = stdout(&output);
        assert!(
            help.contains("Example:\n  ctrlhub") || help.contains("Examples:\n"),
            "{command:?} has no example:\n{help}"
        );
    }
}

#[test]
fn the_help_never_shows_a_secret_from_the_environment() {
    let output = bare()
        .env("CTRLHUB_SESSION_TOKEN", "secret-session-7f3a")
        .env("CTRLHUB_CLIENT_SECRET", "secret-client-9b1c")
        .arg("--help")
        .output()
        .unwrap();
    let help = stdout(&output);
    assert!(help.contains("CTRLHUB_SESSION_TOKEN"), "{help}");
    assert!(!help.contains("secret-session-7f3a") && !help.contains("secret-client-9b1c"));
}

#[tokio::test(flavor = "multi_thread")]
async fn create_get_and_update_an_interaction() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let contact = fake.contacts()[1]["id"].as_str().unwrap().to_owned();
    let member = fake.members()[1]["id"].as_str().unwrap().to_owned();
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "create",
            "--method",
            "telephone",
            "--direction",
            "inbound",
            "--date-time",
            "2026-01-05T09:00:00+01:00",
            "--contacted",
            "true",
            "--status",
            "scheduled",
            "--notes",
            "Asked to move the boiler service",
            "--contact",
            &contact,
            "--representative",
            &member,
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let created: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["date_time"], "2026-01-05T08:00:00Z");
    assert_eq!(created["contacted"], true);
    assert_eq!(created["contact"], contact.as_str());
    let stored = fake.interactions();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0]["attributes"]["notes"],
        "Asked to move the boiler service"
    );
    assert_eq!(
        stored[0]["relationships"]["representative"]["data"]["id"],
        member.as_str()
    );

    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "get",
            &id,
            "--include",
            "contact,representative",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let got: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(got["id"], id.as_str());
    assert_eq!(
        got["included.contact"]["attributes"]["last_name"],
        "Lovelace"
    );
    assert_eq!(got["included.representative"]["id"], member.as_str());

    let other_contact = fake.contacts()[2]["id"].as_str().unwrap().to_owned();
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "update",
            &id,
            "--notes",
            "Moved to Friday",
            "--contacted",
            "false",
            "--contact",
            &other_contact,
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let updated = &json_lines(&output)[0];
    assert_eq!(updated["notes"], "Moved to Friday");
    assert_eq!(updated["contacted"], false);
    assert_eq!(updated["contact"], other_contact.as_str());
    // Not mentioned, so kept.
    assert_eq!(updated["method"], "telephone");
    let stored = &fake.interactions()[0];
    assert_eq!(stored["attributes"]["notes"], "Moved to Friday");
    assert_eq!(stored["attributes"]["method"], "telephone");

    // Attributes only: the update reads, then writes; no read after.
    let before = fake.api_requests().len();
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "update",
            &id,
            "--notes",
            "Moved again",
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_lines(&output)[0]["notes"], "Moved again");
    assert_eq!(fake.api_requests().len(), before + 2);
    // A relink only: then the interaction is read back to show it.
    let account = fake.customer_accounts()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "update",
            &id,
            "--account",
            &account,
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let shown = &json_lines(&output)[0];
    assert_eq!(shown["account"], account.as_str());
    assert_eq!(shown["notes"], "Moved again");

    // Nothing to change is a usage error, and nothing is sent.
    let before = fake.api_requests().len();
    let output = run(&mut ctrlhub(&fake), &["interactions", "update", &id]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("nothing to change"));
    assert_eq!(fake.api_requests().len(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_filters_sorts_limits_and_includes() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(40);
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "list",
            "--filter",
            "method=email",
            "--sort",
            "-date_time",
            "--limit",
            "4",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let items = json_lines(&output);
    assert_eq!(items.len(), 4);
    assert!(items.iter().all(|i| i["method"] == "email"));
    let times: Vec<&str> = items
        .iter()
        .map(|i| i["date_time"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    // The newest email of the 40 seeded (one a minute, every fourth an email) is number 37.
    assert_eq!(items[0]["date_time"], "2026-01-05T09:37:00Z");

    // More than a page: the limit is met across pages.
    fake.set_max_page_size(Some(7));
    let output = run(
        &mut ctrlhub(&fake),
        &["interactions", "list", "--limit", "25"],
    );
    assert_eq!(json_lines(&output).len(), 25);

    let output = run(
        &mut ctrlhub(&fake),
        &["interactions", "list", "--include", "nonsense"],
    );
    assert_eq!(code(&output), 3);
    assert!(stderr(&output).contains("--include"), "{}", stderr(&output));

    // A misspelt filter on a server that ignores it: refused by the client, exit 3, no
    // row written as if filtered; the flag takes the answer as it is.
    fake.ignore_unsupported_options(true);
    let args = [
        "interactions",
        "list",
        "--filter",
        "methd=email",
        "--limit",
        "3",
    ];
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(stdout(&output).trim().is_empty(), "{}", stdout(&output));
    let message = stderr(&output);
    assert!(
        message.contains("does not support filter `methd`"),
        "{message}"
    );
    assert!(message.contains("method"), "{message}");
    assert!(message.contains("--unchecked-params"), "{message}");
    let mut unchecked = args.to_vec();
    unchecked.push("--unchecked-params");
    let output = run(&mut ctrlhub(&fake), &unchecked);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_lines(&output).len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_includes_the_related_resources_of_each_item() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let contact = fake.contacts()[0]["id"].as_str().unwrap().to_owned();
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "create",
            "--method",
            "email",
            "--direction",
            "outbound",
            "--date-time",
            "2026-01-05T09:00:00Z",
            "--contact",
            &contact,
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "list",
            "--include",
            "contact",
            "--format",
            "json",
        ],
    );
    let items: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(items[0]["included.contact"]["id"], contact.as_str());
    assert_eq!(
        items[0]["included.contact"]["attributes"]["first_name"],
        "Alan"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_and_members_list_and_get() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "contacts",
            "list",
            "--filter",
            "last_name=Hopper",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,association,salutation,first_name,last_name,email,telephone,accounts,interactions,author,organisation"
    );
    let row = lines.next().unwrap();
    assert!(
        row.contains(",landlord,Dr,Grace,Hopper,grace@example.com,"),
        "{row}"
    );
    assert_eq!(lines.next(), None);

    let id = fake.contacts()[0]["id"].as_str().unwrap().to_owned();
    let output = run(
        &mut ctrlhub(&fake),
        &["contacts", "get", &id, "--format", "json"],
    );
    let contact: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(contact["email"], "alan@example.com");
    assert_eq!(
        contact["accounts"][0],
        fake.customer_accounts()[0]["id"].as_str().unwrap()
    );

    let output = run(&mut ctrlhub(&fake), &["members", "list"]);
    let members = json_lines(&output);
    assert_eq!(members.len(), fake.members().len());
    let id = members[1]["id"].as_str().unwrap().to_owned();
    let output = run(
        &mut ctrlhub(&fake),
        &["members", "get", &id, "--format", "table"],
    );
    assert_eq!(code(&output), 0);
    let table = stdout(&output);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("email") && l.ends_with("rep@example.com")),
        "{table}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_check_says_who_and_where_and_never_prints_the_token() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(3);
    let output = run(&mut ctrlhub(&fake), &["auth", "check", "--verbose"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let answer = &json_lines(&output)[0];
    assert_eq!(answer["api"], fake.base_url().as_str());
    assert_eq!(answer["organisation"], fake.org_id().to_string().as_str());
    assert_eq!(answer["credentials"], "session token");
    assert_eq!(answer["interactions"], 3);
    let log = stderr(&output);
    // --verbose shows the client's spans.
    assert!(log.contains("ctrlhub"), "{log}");
    assert!(!log.contains(fake.session_token()) && !stdout(&output).contains(fake.session_token()));

    // A service-account key: the secret is never shown either, even refused, even verbose.
    let output = run(
        bare()
            .env("CTRLHUB_BASE_URL", fake.base_url())
            .env("CTRLHUB_ORG_ID", fake.org_id().to_string())
            .env("CTRLHUB_CLIENT_ID", fake.client_id())
            .env("CTRLHUB_CLIENT_SECRET", "wrong-secret-5e6f")
            .env("CTRLHUB_AUTH_URL", fake.token_url()),
        &["auth", "check", "--verbose"],
    );
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    assert!(stderr(&output).contains("CTRLHUB_CLIENT_SECRET"));
    assert!(!stderr(&output).contains("wrong-secret-5e6f"));
    assert!(!stdout(&output).contains("wrong-secret-5e6f"));

    let output = run(
        bare()
            .env("CTRLHUB_BASE_URL", fake.base_url())
            .env("CTRLHUB_ORG_ID", fake.org_id().to_string())
            .env("CTRLHUB_CLIENT_ID", fake.client_id())
            .env("CTRLHUB_CLIENT_SECRET", fake.client_secret())
            .env("CTRLHUB_AUTH_URL", fake.token_url()),
        &["auth", "check", "--format", "json"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let answer: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        answer["credentials"],
        format!("service account {}", fake.client_id())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_kind_of_error_has_its_own_exit_code_and_a_message_to_act_on() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let missing = "0b7e7a3c-2f7c-4b7e-9a3c-2f7c4b7e9a3c";

    // 2: usage.
    assert_eq!(
        code(&run(&mut ctrlhub(&fake), &["interactions", "frobnicate"])),
        2
    );

    // 3: refused before sending, naming the setting.
    let output = run(
        ctrlhub(&fake).env_remove("CTRLHUB_ORG_ID"),
        &["auth", "check"],
    );
    assert_eq!(code(&output), 3);
    assert!(
        stderr(&output).contains("--org-id (CTRLHUB_ORG_ID)"),
        "{}",
        stderr(&output)
    );
    let output = run(
        &mut ctrlhub(&fake),
        &["interactions", "create", "--date-time", "tuesday"],
    );
    assert_eq!(code(&output), 3);
    assert!(stderr(&output).contains("--date-time"));
    assert!(fake.api_requests().is_empty(), "nothing was sent");

    // 4: credentials refused; names what to check.
    let output = run(
        ctrlhub(&fake).env("CTRLHUB_SESSION_TOKEN", "expired-token-3d4e"),
        &["auth", "check"],
    );
    assert_eq!(code(&output), 4);
    let message = stderr(&output);
    assert!(
        message.contains("401") && message.contains("CTRLHUB_SESSION_TOKEN"),
        "{message}"
    );
    assert!(!message.contains("expired-token-3d4e"));

    // 5: Ctrl Hub's error document: the host, the status, the trace id, what next.
    let output = run(&mut ctrlhub(&fake), &["interactions", "get", missing]);
    assert_eq!(code(&output), 5);
    let message = stderr(&output);
    let host = fake.base_url().trim_start_matches("http://").to_owned();
    assert!(message.contains(&host), "{message}");
    assert!(message.contains("status: 404 Not Found"), "{message}");
    assert!(message.contains("trace id: "), "{message}");
    assert!(message.contains("next: check the id"), "{message}");

    // 6: an answer that is not Ctrl Hub's (a proxy's HTML page).
    fake.push_fault(Fault::Status {
        status: 200,
        headers: vec![("content-type".into(), "text/html".into())],
        body: "<html><body>Sign in to the proxy</body></html>".into(),
    });
    let output = run(&mut ctrlhub(&fake), &["interactions", "list"]);
    assert_eq!(code(&output), 6, "{}", stderr(&output));
    assert!(stderr(&output).contains("Sign in to the proxy"));
    assert!(stderr(&output).contains("next: the answer was not Ctrl Hub's"));

    // 7: nothing listens there: names the host and the cause.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let output = run(
        ctrlhub(&fake).env("CTRLHUB_BASE_URL", format!("http://127.0.0.1:{port}")),
        &["auth", "check"],
    );
    assert_eq!(code(&output), 7);
    let message = stderr(&output);
    assert!(
        message.contains(&format!("could not connect to 127.0.0.1:{port}")),
        "{message}"
    );
    assert!(message.contains("refused"), "{message}");
    assert!(message.contains("next: check --base-url"), "{message}");

    // 7: TLS to a server that speaks plain HTTP.
    let output = run(
        ctrlhub(&fake).env(
            "CTRLHUB_BASE_URL",
            fake.base_url().replace("http:", "https:"),
        ),
        &["auth", "check"],
    );
    assert_eq!(code(&output), 7);
    assert!(
        stderr(&output).contains("TLS failed"),
        "{}",
        stderr(&output)
    );

    // 7: too slow; says how to allow longer.
    fake.push_fault(Fault::Hang);
    fake.push_fault(Fault::Hang);
    fake.push_fault(Fault::Hang);
    let output = run(
        &mut ctrlhub(&fake),
        &["interactions", "list", "--timeout", "1"],
    );
    assert_eq!(code(&output), 7);
    assert!(stderr(&output).contains("--timeout"), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(&format!("error: {host} did not answer in time")),
        "{}",
        stderr(&output)
    );
}

/// The interactions of a fake with every importable field set, some left empty.
fn varied(fake: &FakeCtrlHub, count: usize) {
    let contacts: Vec<String> = fake
        .contacts()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let members: Vec<String> = fake
        .members()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    let account = fake.customer_accounts()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut expected = Vec::new();
    let mut lines = vec![
        "method,direction,date_time,contacted,status,notes,contact,account,property,representative"
            .to_owned(),
    ];
    for i in 0..count {
        let method = ["letter", "email", "telephone", "sms"][i % 4];
        let direction = ["inbound", "outbound"][i % 2];
        let contacted = ["true", "false", ""][i % 3];
        let status = if i % 5 == 0 { "scheduled" } else { "" };
        // Commas, quotes, line breaks and non-ASCII text survive the round trip.
        let notes = match i % 4 {
            0 => format!("\"Call {i}, about the boiler\""),
            1 => format!("\"Said \"\"call back\"\" {i}\nsecond line\""),
            2 => format!("Émile rang {i} ✓"),
            _ => String::new(),
        };
        let contact = if i % 3 == 0 {
            ""
        } else {
            &contacts[i % contacts.len()]
        };
        let account = if i % 2 == 0 { account.as_str() } else { "" };
        let property = if i % 7 == 0 {
            "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
        } else {
            ""
        };
        let representative = if i % 2 == 1 {
            members[i % members.len()].as_str()
        } else {
            ""
        };
        let date_time = format!("2026-03-0{}T1{}:{:02}:00Z", 1 + i % 9, i % 10, i % 60);
        lines.push(format!(
            "{method},{direction},{date_time},{contacted},{status},{notes},{contact},{account},{property},{representative}"
        ));
        let id = |v: &str| if v.is_empty() { Value::Null } else { json!(v) };
        expected.push((
            date_time,
            [id(contact), id(account), id(property), id(representative)],
            json!(method),
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("varied.csv");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let output = run(
        &mut ctrlhub(fake),
        &["interactions", "import", file.to_str().unwrap()],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(fake.interactions().len(), count);
    // Stored as meant, each relationship under its own name (the date identifies a row).
    let stored = fake.interactions();
    for (date_time, links, method) in expected {
        let found = stored
            .iter()
            .find(|r| r["attributes"]["date_time"] == date_time.as_str())
            .unwrap();
        assert_eq!(found["attributes"]["method"], method);
        for (name, link) in ["contact", "account", "property", "representative"]
            .iter()
            .zip(links)
        {
            assert_eq!(found["relationships"][name]["data"]["id"], link, "{name}");
        }
    }
}

fn sorted_fields(fake: &FakeCtrlHub) -> Vec<Vec<(String, Value)>> {
    let mut all: Vec<Vec<(String, Value)>> = fake.interactions().iter().map(importable).collect();
    all.sort_by_key(|fields| serde_json::to_string(fields).unwrap());
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_imports_again_unchanged_field_by_field() {
    let source = FakeCtrlHub::start().await.unwrap();
    varied(&source, 120);
    source.set_max_page_size(Some(25));
    let dir = tempfile::tempdir().unwrap();
    for name in ["all.csv", "all.jsonl", "all.json"] {
        let file = dir.path().join(name);
        let output = run(
            &mut ctrlhub(&source),
            &[
                "interactions",
                "export",
                "--out",
                file.to_str().unwrap(),
                "--pages-in-flight",
                "4",
            ],
        );
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert!(stderr(&output).contains("exported 120 interactions"));

        let target = FakeCtrlHub::start().await.unwrap();
        let output = run(
            &mut ctrlhub(&target),
            &[
                "interactions",
                "import",
                file.to_str().unwrap(),
                "--concurrency",
                "16",
            ],
        );
        assert_eq!(code(&output), 0, "{name}: {}", stderr(&output));
        assert_eq!(sorted_fields(&target), sorted_fields(&source), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn export_to_stdout_streams_every_interaction_in_order() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(230);
    fake.set_max_page_size(Some(50));
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "export",
            "--page-size",
            "50",
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let ids: Vec<String> = json_lines(&output)
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = fake
        .interactions()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, expected);
    // No progress bar when stderr is not a terminal.
    assert!(!stderr(&output).contains('\u{1b}'));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_that_fails_midway_leaves_no_file_at_the_path() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(300);
    fake.set_max_page_size(Some(100));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.csv");
    // The count page and the first page pass; then every request fails.
    fake.push_fault(Fault::Pass);
    fake.push_fault(Fault::Pass);
    for _ in 0..20 {
        fake.push_fault(Fault::status(404));
    }
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "export",
            "--out",
            file.to_str().unwrap(),
            "--page-size",
            "100",
        ],
    );
    assert_eq!(code(&output), 5, "{}", stderr(&output));
    assert!(
        !file.exists(),
        "a partial export is never at the path asked for"
    );
    // The first page (100) was written; the second page failed, once.
    let partial = dir.path().join("out.csv.partial");
    assert!(
        stderr(&output).contains(&format!(
            "export incomplete (1 failed): 100 written to {}; {} was not written",
            partial.display(),
            file.display()
        )),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&partial).unwrap().lines().count(),
        101,
        "the header and the 100 written"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_export_keeps_its_partial_file_and_says_where_as_a_failed_one_does() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.seed_interactions(400);
    fake.set_max_page_size(Some(10));
    fake.set_list_delay(Duration::from_millis(50));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.jsonl");
    let partial = dir.path().join("out.jsonl.partial");
    let mut child = spawn_ctrlhub(
        &fake,
        &[
            "interactions",
            "export",
            "--out",
            file.to_str().unwrap(),
            "--page-size",
            "10",
            "--pages-in-flight",
            "1",
        ],
    );
    // Once a few pages have been read, interrupt.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while fake.api_requests().len() < 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "the export did not start"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut log).unwrap();
    assert_eq!(status.code(), Some(130), "{log}");
    assert!(
        !file.exists(),
        "an interrupted export is never at the path asked for"
    );
    let kept = std::fs::read_to_string(&partial).unwrap();
    let written = kept.lines().count();
    assert!((10..400).contains(&written), "{written} lines");
    assert!(
        kept.lines()
            .all(|line| serde_json::from_str::<Value>(line).is_ok()),
        "every kept line is whole"
    );
    assert!(
        log.contains(&format!(
            "export incomplete (interrupted): {written} written to {}; {} was not written",
            partial.display(),
            file.display()
        )),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_and_faulted_import_settles_every_row_stored_once_leaving_only_those_too_close_to_tell()
 {
    let fake = std::sync::Arc::new(FakeCtrlHub::start().await.unwrap());
    let faults = fake.fail_every(6);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let log = dir.path().join("calls.journal");
    let rows = 300;
    rows_csv(&file, rows);
    let args = [
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
        "--concurrency",
        "4",
        "--timeout",
        "1",
    ];
    // The first run is killed outright part way.
    let mut child = spawn_ctrlhub(&fake, &args);
    until_stored(&fake, 60).await;
    child.kill().unwrap();
    let _ = child.wait();

    // Rerun until it settles: every unknown row is looked up, sent again only when
    // surely not stored. A row the killed run had stored in the same second it sent it
    // cannot be told from an identical one that existed before: it stays unknown, naming
    // the interaction that matches, for a person.
    let too_close = |log: &str| -> Vec<String> {
        log.lines()
            .filter(|line| line.contains("was created too close to the first send"))
            .map(|line| {
                line.split(": ")
                    .nth(2)
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let still_unknown = |log: &str| {
        log.lines()
            .filter(|l| l.starts_with("line ") && l.contains(": still unknown: "))
            .count()
    };
    let mut runs = Vec::new();
    for _ in 0..6 {
        let output = run(&mut ctrlhub(&fake), &args);
        let log = stderr(&output);
        let settled = code(&output) == 0 || still_unknown(&log) == too_close(&log).len();
        runs.push((code(&output), log));
        if settled {
            break;
        }
    }
    faults.abort();
    let (last_code, last_log) = runs.last().unwrap();
    assert!(
        *last_code == 0
            || (*last_code == 9 && still_unknown(last_log) == too_close(last_log).len()),
        "{runs:#?}"
    );
    assert!(
        runs.iter()
            .any(|(_, log)| log.contains("rows of unknown outcome:")),
        "some rows were settled: {runs:#?}"
    );
    // Nothing lost, nothing twice; and each row left for a person is stored, as the one
    // it names.
    let count = notes_count(&fake);
    assert_eq!(count.len(), rows, "{runs:#?}");
    assert!(
        count.values().all(|n| *n == 1),
        "a row was stored twice: {:?}",
        count.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
    );
    let stored: Vec<String> = fake
        .interactions()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    for id in too_close(last_log) {
        assert!(stored.contains(&id), "{id} is not stored");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_settle_leaves_an_unknown_row_for_a_person_and_a_rerun_settles_it() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let log = dir.path().join("calls.journal");
    rows_csv(&file, 3);
    let mut args = vec![
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
        "--concurrency",
        "1",
        "--timeout",
        "1",
        "--no-settle",
    ];
    // The probe for Ctrl Hub's clock passes; the first create fails before storing.
    fake.push_fault(Fault::Pass);
    fake.push_fault(Fault::status(503));
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 9, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("outcome unknown, lines 2"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("settled"), "{}", stderr(&output));
    assert_eq!(fake.interactions().len(), 2);

    args.pop();
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "settled 1 rows of unknown outcome: 0 found created, 1 not stored and sent again \
             (1 created, 0 refused), 0 still unknown"
        ),
        "{}",
        stderr(&output)
    );
    let count = notes_count(&fake);
    assert_eq!(count.len(), 3);
    assert!(count.values().all(|n| *n == 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_row_names_its_line_and_column_and_the_rest_still_go() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let mut bytes = b"method,direction,date_time,contacted,notes,contact\n\
        telephone,inbound,2026-02-01T10:00:00Z,true,first,\n\
        fax,inbound,2026-02-01T10:01:00Z,true,bad method,\n\
        email,inbound,tuesday,true,bad date,\n\
        email,inbound,2026-02-01T10:03:00Z,maybe,bad flag,\n\
        email,inbound,2026-02-01T10:04:00Z,true,bad contact,not-a-uuid\n\
        email,inbound,2026-02-01T10:05:00Z,true\n\
        sms,outbound,2026-02-01T10:06:00Z,false,\"a quoted, fine note\",\n"
        .to_vec();
    bytes.extend_from_slice(b"sms,outbound,2026-02-01T10:07:00Z,false,bad \xff utf8,\n");
    bytes.extend_from_slice(b"letter,outbound,2026-02-01T10:08:00Z,false,last,\n");
    std::fs::write(&file, bytes).unwrap();
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "import",
            file.to_str().unwrap(),
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(code(&output), 8, "{}", stderr(&output));
    let log = stderr(&output);
    for expected in [
        "line 3, column method: \"fax\" is not one of letter, email, telephone, sms",
        "line 4, column date_time: \"tuesday\" is not an RFC 3339 date-time",
        "line 5, column contacted: \"maybe\" is not true or false",
        "line 6, column contact: \"not-a-uuid\" is not a UUID",
        "line 7: has 4 fields, the header has 6",
        "line 9, column notes: is not valid UTF-8",
    ] {
        assert!(log.contains(expected), "missing {expected:?} in:\n{log}");
    }
    let reported: Vec<u64> = json_lines(&output)
        .iter()
        .map(|r| {
            assert_eq!(r["outcome"], "malformed");
            r["line"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(reported, [3, 4, 5, 6, 7, 9]);
    assert_eq!(
        summary(&output),
        "import: 3 created, 0 already created, 0 refused, 6 malformed, 0 outcome unknown, 0 not started"
    );
    let mut notes: Vec<String> = notes_count(&fake).into_keys().collect();
    notes.sort();
    assert_eq!(notes, ["a quoted, fine note", "first", "last"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_with_an_unknown_column_is_refused_before_anything_is_sent() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    std::fs::write(
        &file,
        "method,direction,date_time,notse\nemail,inbound,2026-02-01T10:00:00Z,x\n",
    )
    .unwrap();
    let output = run(
        &mut ctrlhub(&fake),
        &["interactions", "import", file.to_str().unwrap()],
    );
    assert_eq!(code(&output), 3);
    assert!(
        stderr(&output).contains("line 1: unknown column \"notse\""),
        "{}",
        stderr(&output)
    );
    assert!(fake.api_requests().is_empty());

    let file = dir.path().join("calls.jsonl");
    std::fs::write(
        &file,
        "{\"method\":\"email\",\"direction\":\"inbound\",\"date_time\":\"2026-02-01T10:00:00Z\"}\n\
         {\"method\":\"email\",\"direction\":\"inbound\",\"when\":\"2026-02-01T10:00:00Z\"}\n\
         {\"method\": \"email\",, }\n",
    )
    .unwrap();
    let output = run(
        &mut ctrlhub(&fake),
        &["interactions", "import", file.to_str().unwrap()],
    );
    assert_eq!(code(&output), 8, "{}", stderr(&output));
    let log = stderr(&output);
    assert!(log.contains("line 2, column when: unknown field"), "{log}");
    assert!(
        log.contains("line 3, column 20: not a JSON object"),
        "{log}"
    );
    assert_eq!(fake.interactions().len(), 1);
}

/// Reads the journal's entries (after its header line).
fn journal(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Each row's last state in a journal.
fn last_states(path: &Path) -> HashMap<String, Value> {
    let mut states = HashMap::new();
    for entry in journal(path) {
        states.insert(entry["row"].as_str().unwrap().to_owned(), entry);
    }
    states
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_under_429s_503s_and_timeouts_resumes_from_its_journal_with_no_duplicate_and_no_lost_row()
 {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let log = dir.path().join("calls.journal");
    let rows = 2000;
    rows_csv(&file, rows);
    // The small list that reads Ctrl Hub's clock first passes.
    fake.push_fault(Fault::Pass);
    for _ in 0..8 {
        fake.push_fault(Fault::status(429).with_header("retry-after", "1"));
        fake.push_fault(Fault::status(503));
        fake.push_fault(Fault::Hang);
        fake.push_fault(Fault::status(429));
        fake.push_fault(Fault::status(502));
    }
    let args = [
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
        "--concurrency",
        "32",
        "--timeout",
        "3",
        // The journal's own rules, without looking rows up (tested on their own).
        "--no-settle",
    ];
    let first = run(&mut ctrlhub(&fake), &args);
    // 503s, 502s and timeouts may have been stored: unknown, so exit 9.
    assert_eq!(code(&first), 9, "{}", stderr(&first));
    assert!(
        stderr(&first).contains("outcome unknown, lines "),
        "{}",
        stderr(&first)
    );
    let states = last_states(&log);
    assert_eq!(states.len(), rows, "every row has an outcome");
    let unknown_lines = |states: &HashMap<String, Value>| {
        let mut lines: Vec<u64> = states
            .values()
            .filter(|e| e["state"] == "unknown")
            .map(|e| e["line"].as_u64().unwrap())
            .collect();
        lines.sort_unstable();
        lines
    };
    let unknown = unknown_lines(&states);
    // At least one row each for the 8 503s, 8 502s and 8 requests never answered (more
    // only if this machine is so slow that a served request also timed out).
    assert!(unknown.len() >= 24, "{unknown:?}");
    let created: Vec<&Value> = states
        .values()
        .filter(|e| e["state"] == "created")
        .collect();
    assert!(
        created.len() >= rows - unknown.len() - 2,
        "the 429s were sent again"
    );
    // Every created row's id is one the fake stored.
    let stored_ids: std::collections::HashSet<String> = fake
        .interactions()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        created
            .iter()
            .all(|e| stored_ids.contains(e["id"].as_str().unwrap()))
    );

    // A rerun never resends an unknown row (nor a created one); it lists them.
    let stored_count = |fake: &FakeCtrlHub| notes_count(fake).len();
    let stored_before = stored_count(&fake);
    let again = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&again), 9, "{}", stderr(&again));
    let listed: Vec<u64> = json_lines(&again)
        .iter()
        .filter(|r| r["outcome"] == "unknown")
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, unknown);
    assert_eq!(unknown_lines(&last_states(&log)), unknown);
    // Only rows refused earlier (a 429 sent again until the policy gave up) could go.
    assert!(stored_count(&fake) >= stored_before);

    // A person checks each unknown row, as the message says: rows Ctrl Hub stored after
    // all are deleted from the file; the rest are sent again.
    let stored = notes_count(&fake);
    let text = std::fs::read_to_string(&file).unwrap();
    let mut kept = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let number = i as u64 + 1;
        let notes = line.rsplit(',').next().unwrap();
        if !(unknown.contains(&number) && stored.contains_key(notes)) {
            kept.push(line);
        }
    }
    std::fs::write(&file, kept.join("\n") + "\n").unwrap();
    let mut resend = args.to_vec();
    resend.push("--resend-unknown");
    let last = run(&mut ctrlhub(&fake), &resend);
    assert_eq!(code(&last), 0, "{}", stderr(&last));
    let stored = notes_count(&fake);
    assert_eq!(stored.len(), rows, "no row lost");
    assert!(stored.values().all(|n| *n == 1), "no row twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_left_sending_by_a_killed_run_is_never_resent() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let log = dir.path().join("calls.journal");
    rows_csv(&file, 3);
    let args = [
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
        // The journal's own rules, without looking rows up (tested on their own).
        "--no-settle",
    ];
    assert_eq!(code(&run(&mut ctrlhub(&fake), &args)), 0);
    // As if the process died after sending row 2: its last entry is `sending`, and the
    // final line was cut short mid-write.
    let entries = journal(&log);
    let row2 = entries.iter().find(|e| e["line"] == 3).unwrap()["row"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str(&format!(
        "{{\"row\":\"{row2}\",\"line\":3,\"state\":\"sending\"}}\n"
    ));
    text.push_str("{\"row\":\"abc");
    std::fs::write(&log, text).unwrap();
    let requests = fake.api_requests().len();
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 9, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("outcome unknown, lines 3:"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fake.api_requests().len(), requests);

    // A damaged line elsewhere is refused, and the journal is left alone.
    let damaged = "{\"ctrlhub_import_journal\":1}\nnot json\n{}\n";
    std::fs::write(&log, damaged).unwrap();
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("damaged at line 2"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&log).unwrap(), damaged);
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_are_found_in_the_journal_by_content_even_when_the_file_changes() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let log = dir.path().join("calls.journal");
    // Two identical rows are two interactions.
    std::fs::write(
        &file,
        "method,direction,date_time,notes\n\
         email,inbound,2026-02-01T10:00:00Z,same\n\
         email,inbound,2026-02-01T10:00:00Z,same\n",
    )
    .unwrap();
    let args = [
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
    ];
    assert_eq!(code(&run(&mut ctrlhub(&fake), &args)), 0);
    assert_eq!(notes_count(&fake)["same"], 2);
    // A row inserted before them, and a third copy after: only the new ones are sent.
    std::fs::write(
        &file,
        "method,direction,date_time,notes\n\
         sms,inbound,2026-02-01T09:00:00Z,new\n\
         email,inbound,2026-02-01T10:00:00Z,same\n\
         email,inbound,2026-02-01T10:00:00Z,same\n\
         email,inbound,2026-02-01T10:00:00Z,same\n",
    )
    .unwrap();
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        summary(&output),
        "import: 2 created, 2 already created, 0 refused, 0 malformed, 0 outcome unknown, 0 not started"
    );
    let count = notes_count(&fake);
    assert_eq!((count["same"], count["new"]), (3, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_credentials_stop_an_import_and_the_rerun_sends_the_rest() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let log = dir.path().join("calls.journal");
    rows_csv(&file, 200);
    let args = [
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
        "--concurrency",
        "2",
    ];
    let output = run(
        ctrlhub(&fake).env("CTRLHUB_SESSION_TOKEN", "stale-token"),
        &args,
    );
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    assert!(
        fake.api_requests().len() < 10,
        "stopped early: {} sent",
        fake.api_requests().len()
    );
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let count = notes_count(&fake);
    assert_eq!(count.len(), 200);
    assert!(count.values().all(|n| *n == 1));
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_finishes_the_rows_in_flight_records_them_and_exits_130() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.set_create_delay(Duration::from_millis(40));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let log = dir.path().join("calls.journal");
    let rows = 400;
    rows_csv(&file, rows);
    let args = [
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
        "--concurrency",
        "4",
    ];
    let mut child = spawn_ctrlhub(&fake, &args);
    // Once some rows are stored, interrupt.
    until_stored(&fake, 20).await;
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let mut log_text = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut log_text).unwrap();
    assert_eq!(status.code(), Some(130), "{log_text}");
    assert!(log_text.contains("interrupted"), "{log_text}");
    // Every row that was sent finished and was recorded: none is left `sending`. The
    // rows recorded ahead of their batch but never sent say so (at most two batches).
    let states = last_states(&log);
    let created = states.values().filter(|e| e["state"] == "created").count();
    let not_sent = states.values().filter(|e| e["state"] == "not_sent").count();
    assert_eq!(created + not_sent, states.len(), "{states:?}");
    assert!(not_sent <= 2 * 4, "{not_sent} not sent");
    assert_eq!(created, fake.interactions().len());
    assert!(created < rows, "it stopped early: {created}");

    // The rerun sends the rest, and nothing twice.
    fake.set_create_delay(Duration::ZERO);
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let count = notes_count(&fake);
    assert_eq!(count.len(), rows);
    assert!(count.values().all(|n| *n == 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_imports_started_at_once_on_one_journal_store_each_row_once() {
    let fake = FakeCtrlHub::start().await.unwrap();
    // Slow enough that the first import is still running when the second starts.
    fake.set_create_delay(Duration::from_millis(100));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let log = dir.path().join("calls.journal");
    let rows = 30;
    rows_csv(&file, rows);
    let args = [
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
        "--concurrency",
        "2",
    ];
    let start = || spawn_ctrlhub(&fake, &args);
    let (first, second) = (start(), start());
    let outputs = tokio::task::spawn_blocking(move || {
        [first, second].map(|child| child.wait_with_output().unwrap())
    })
    .await
    .unwrap();
    let mut codes: Vec<i32> = outputs.iter().map(code).collect();
    codes.sort_unstable();
    assert_eq!(codes, [0, 1], "{:?}", outputs.each_ref().map(stderr));
    let refused = outputs.iter().find(|o| code(o) == 1).unwrap();
    assert!(
        stderr(refused).contains(&format!(
            "another import holds the journal {}",
            log.display()
        )),
        "{}",
        stderr(refused)
    );
    let count = notes_count(&fake);
    assert_eq!(count.len(), rows, "every row stored");
    assert!(
        count.values().all(|n| *n == 1),
        "a row stored twice: {count:?}"
    );
    assert_eq!(
        fake.api_requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        rows,
        "the refused import sent nothing"
    );

    // The lock went with the process: a rerun takes the journal and sends nothing.
    fake.set_create_delay(Duration::ZERO);
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(summary(&output).contains(&format!("0 created, {rows} already created")));
    assert_eq!(
        fake.api_requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        rows
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_process_killed_mid_import_leaves_no_lock_behind() {
    let fake = FakeCtrlHub::start().await.unwrap();
    fake.set_create_delay(Duration::from_millis(50));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let log = dir.path().join("calls.journal");
    rows_csv(&file, 200);
    let args = [
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
        "--concurrency",
        "2",
    ];
    let mut child = spawn_ctrlhub(&fake, &args);
    until_stored(&fake, 4).await;
    // SIGKILL: no handler runs, nothing is tidied up.
    child.kill().unwrap();
    child.wait().unwrap();
    fake.set_create_delay(Duration::ZERO);
    let output = run(&mut ctrlhub(&fake), &args);
    // The journal opens; rows left `sending` are reported, never resent.
    assert!(
        !stderr(&output).contains("another import holds"),
        "{}",
        stderr(&output)
    );
    assert!([0, 9].contains(&code(&output)), "{}", stderr(&output));
    assert!(notes_count(&fake).values().all(|n| *n == 1));
}

/// The fixture journal of format 1 and its CSV, copied into `dir`.
fn format_1_journal(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (file, log) = (dir.join("calls.csv"), dir.join("calls.journal"));
    std::fs::copy(fixtures.join("journal-v1.csv"), &file).unwrap();
    std::fs::copy(fixtures.join("journal-v1.journal"), &log).unwrap();
    (file, log)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_journal_of_format_1_resumes_without_sending_a_created_or_unknown_row_again() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (file, log) = format_1_journal(dir.path());
    let args = [
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
        // The journal's own rules, without looking rows up (tested on their own).
        "--no-settle",
    ];
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 9, "{}", stderr(&output));
    assert_eq!(
        summary(&output),
        "import: 0 created, 5 already created, 1 refused, 1 malformed, 1 outcome unknown, 0 not started"
    );
    assert!(
        stderr(&output).contains("outcome unknown, lines 9:"),
        "{}",
        stderr(&output)
    );
    // Only the row Ctrl Hub refused before is sent again (and refused again).
    let sent: Vec<String> = fake
        .api_requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.body.as_ref().unwrap()["data"]["attributes"]["notes"].to_string())
        .collect();
    assert_eq!(sent, ["\"No date: the fake refuses it\""]);
    // The journal keeps its format, and its new entries its keys.
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.starts_with("{\"ctrlhub_import_journal\":1}\n"));
    assert_eq!(
        last_states(&log)["02d67c6db555d0a0#0"]["state"],
        "refused",
        "line 5 under its format 1 key"
    );

    // With --resend-unknown, line 9 goes too, and still nothing created goes again.
    let mut resend = args.to_vec();
    resend.push("--resend-unknown");
    let output = run(&mut ctrlhub(&fake), &resend);
    assert_eq!(code(&output), 8, "{}", stderr(&output));
    assert_eq!(
        summary(&output),
        "import: 1 created, 5 already created, 1 refused, 1 malformed, 0 outcome unknown, 0 not started"
    );
    let stored: Vec<Value> = fake
        .interactions()
        .iter()
        .map(|r| r["attributes"]["notes"].clone())
        .collect();
    assert_eq!(stored, [json!("Asked for an invoice")]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_journal_names_its_format_and_keeps_its_keys_when_a_column_is_added_to_the_file() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let log = dir.path().join("calls.journal");
    rows_csv(&file, 3);
    let args = [
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
    ];
    assert_eq!(code(&run(&mut ctrlhub(&fake), &args)), 0);
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().next(), Some("{\"ctrlhub_import_journal\":2}"));
    for entry in journal(&log) {
        let at: chrono::DateTime<chrono::Utc> = entry["at"].as_str().unwrap().parse().unwrap();
        assert!(
            (chrono::Utc::now() - at).num_seconds().abs() < 600,
            "{entry}"
        );
    }
    // The same rows with empty columns added (and the columns moved): the same keys.
    let csv = std::fs::read_to_string(&file).unwrap();
    let mut wider = String::from("status,notes,account,method,direction,date_time,contacted\n");
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        wider.push_str(&format!(
            ",{},,{},{},{},{}\n",
            cells[4], cells[0], cells[1], cells[2], cells[3]
        ));
    }
    std::fs::write(&file, wider).unwrap();
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(summary(&output).starts_with("import: 0 created, 3 already created"));
    assert_eq!(fake.interactions().len(), 3);
}

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
fn table_is_for_people_and_lines_are_for_scripts() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeCtrlHub::start()).unwrap();
    fake.seed_interactions(2);
    let output = run(
        &mut ctrlhub(&fake),
        &["interactions", "list", "--format", "table"],
    );
    let text = stdout(&output);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("id") && header.contains("method") && header.contains("notes"));
    assert_eq!(lines.count(), 2);
    // Not a terminal: JSON lines by default.
    let output = run(&mut ctrlhub(&fake), &["interactions", "list"]);
    assert_eq!(json_lines(&output).len(), 2);
    let output = run(
        &mut ctrlhub(&fake),
        &["interactions", "list", "--format", "json"],
    );
    let all: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    let empty = runtime.block_on(FakeCtrlHub::start()).unwrap();
    let output = run(
        &mut ctrlhub(&empty),
        &["interactions", "list", "--format", "json"],
    );
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&output)).unwrap(),
        json!([])
    );
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

#[tokio::test(flavor = "multi_thread")]
async fn each_error_status_says_what_to_do_next() {
    let fake = FakeCtrlHub::start().await.unwrap();
    // Status, how many times the fake gives it (reads are sent again on 429 and 5xx,
    // three attempts in all), and the advice.
    let cases: &[(u16, usize, &str)] = &[
        (400, 1, "next: correct the values Ctrl Hub named above"),
        (422, 1, "next: correct the values Ctrl Hub named above"),
        (
            403,
            1,
            "next: the credentials may not do this in this organisation",
        ),
        (404, 1, "next: check the id and the organisation"),
        (429, 3, "next: Ctrl Hub is limiting requests"),
        (500, 1, "next: Ctrl Hub failed: try again later"),
        (503, 3, "next: Ctrl Hub failed: try again later"),
        (409, 1, "next: see the message above"),
    ];
    for (status, times, advice) in cases {
        for _ in 0..*times {
            fake.push_fault(Fault::status(*status).with_header("retry-after", "0"));
        }
        let output = run(&mut ctrlhub(&fake), &["contacts", "list"]);
        assert_eq!(code(&output), 5, "{status}: {}", stderr(&output));
        let message = stderr(&output);
        assert!(message.contains(&format!("status: {status}")), "{message}");
        assert!(message.contains(advice), "{status}: {message}");
        assert_eq!(fake.pending_faults(), 0, "{status}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_over_the_size_limit_says_to_ask_for_less() {
    let fake = FakeCtrlHub::start().await.unwrap();
    // 33 MiB, over the client's 32 MiB default.
    fake.push_fault(Fault::Status {
        status: 200,
        headers: vec![("content-type".into(), "application/vnd.api+json".into())],
        body: " ".repeat(33 * 1024 * 1024),
    });
    let output = run(&mut ctrlhub(&fake), &["contacts", "list"]);
    assert_eq!(code(&output), 6, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("next: the answer was larger than the client accepts"),
        "{}",
        stderr(&output)
    );
}

fn summary(output: &Output) -> String {
    stderr(output)
        .lines()
        .find(|l| l.starts_with("import: "))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_reports_and_journals_each_outcome() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    let log = dir.path().join("calls.journal");
    // Line 2 has no date: the fake refuses it (400). Line 4 meets a 503.
    let mut text = String::from("method,direction,date_time,notes\nemail,inbound,,no date\n");
    for i in 0..5 {
        text.push_str(&format!("email,inbound,2026-02-01T10:00:0{i}Z,call {i}\n"));
    }
    std::fs::write(&file, text).unwrap();
    // The small list that reads Ctrl Hub's clock, line 2, then line 3 (the 503 is line 4's).
    fake.push_fault(Fault::Pass);
    fake.push_fault(Fault::Pass);
    fake.push_fault(Fault::Pass);
    fake.push_fault(Fault::status(503));
    let args = [
        "interactions",
        "import",
        file.to_str().unwrap(),
        "--journal",
        log.to_str().unwrap(),
        "--concurrency",
        "1",
        // The journal's own rules, without looking rows up (tested on their own).
        "--no-settle",
    ];
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 9, "{}", stderr(&output));
    assert_eq!(
        summary(&output),
        "import: 4 created, 0 already created, 1 refused, 0 malformed, 1 outcome unknown, 0 not started"
    );
    let log_text = stderr(&output);
    assert!(
        log_text.contains("line 2: refused: Ctrl Hub answered 400"),
        "{log_text}"
    );
    assert!(
        log_text.contains("line 4: outcome unknown: Ctrl Hub answered 503"),
        "{log_text}"
    );
    assert!(!log_text.contains("no --journal"));
    let report = json_lines(&output);
    assert_eq!(
        report
            .iter()
            .map(|r| (r["line"].as_u64().unwrap(), r["outcome"].as_str().unwrap()))
            .collect::<Vec<_>>(),
        [(2, "refused"), (4, "unknown")]
    );
    let states = last_states(&log);
    assert_eq!(
        states.values().filter(|e| e["state"] == "created").count(),
        4
    );

    // The rerun sends the refused row again (refused is safe to resend), not the unknown.
    let posts = |fake: &FakeCtrlHub| {
        fake.api_requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count()
    };
    let requests = posts(&fake);
    let output = run(&mut ctrlhub(&fake), &args);
    assert_eq!(code(&output), 9, "{}", stderr(&output));
    assert_eq!(posts(&fake), requests + 1);
    assert_eq!(
        summary(&output),
        "import: 0 created, 4 already created, 1 refused, 0 malformed, 1 outcome unknown, 0 not started"
    );
    let unknown = json_lines(&output)
        .into_iter()
        .find(|r| r["outcome"] == "unknown")
        .unwrap();
    assert_eq!(unknown["line"], 4);
    assert!(
        unknown["error"].as_str().unwrap().contains("503"),
        "{unknown}"
    );

    // Without a journal a failed row gets a hint to use one; a clean import does not.
    let fresh = FakeCtrlHub::start().await.unwrap();
    let output = run(
        &mut ctrlhub(&fresh),
        &["interactions", "import", file.to_str().unwrap()],
    );
    assert_eq!(code(&output), 8);
    assert!(stderr(&output).contains("no --journal was given"));
    fresh.push_fault(Fault::status(503));
    std::fs::write(
        &file,
        "method,direction,date_time\nemail,inbound,2026-02-01T10:00:00Z\n",
    )
    .unwrap();
    let output = run(
        &mut ctrlhub(&fresh),
        &["interactions", "import", file.to_str().unwrap()],
    );
    assert_eq!(code(&output), 9);
    assert!(stderr(&output).contains("no --journal was given"));
    let output = run(
        &mut ctrlhub(&fresh),
        &["interactions", "import", file.to_str().unwrap()],
    );
    assert_eq!(code(&output), 0);
    assert!(!stderr(&output).contains("no --journal"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_host_stops_an_import_after_the_first_row() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    rows_csv(&file, 10);
    let output = run(
        ctrlhub(&fake).env("CTRLHUB_BASE_URL", format!("http://127.0.0.1:{port}")),
        &[
            "interactions",
            "import",
            file.to_str().unwrap(),
            "--concurrency",
            "1",
        ],
    );
    assert_eq!(code(&output), 7, "{}", stderr(&output));
    assert_eq!(
        summary(&output),
        "import: 0 created, 0 already created, 1 refused, 0 malformed, 0 outcome unknown, 9 not started"
    );
    assert!(stderr(&output).contains("could not connect to 127.0.0.1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn contact_and_member_lists_page_up_to_the_limit_from_the_offset() {
    let fake = FakeCtrlHub::start().await.unwrap();
    // One contact a page: the command pages on until the limit.
    fake.set_max_page_size(Some(1));
    let names = |args: &[&str]| -> Vec<String> {
        let output = run(&mut ctrlhub(&fake), args);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        json_lines(&output)
            .iter()
            .map(|c| c["last_name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        names(&["contacts", "list"]),
        ["Turing", "Lovelace", "Hopper"]
    );
    assert_eq!(
        names(&["contacts", "list", "--limit", "2"]),
        ["Turing", "Lovelace"]
    );
    // The second page asks only for the one still wanted.
    let asked = fake.api_requests().last().unwrap().query.clone().unwrap();
    assert!(asked.contains("limit=1"), "{asked}");
    assert_eq!(
        names(&["contacts", "list", "--offset", "1"]),
        ["Lovelace", "Hopper"]
    );
    assert_eq!(
        names(&["contacts", "list", "--offset", "1", "--limit", "1"]),
        ["Lovelace"]
    );
    assert_eq!(
        names(&["contacts", "list", "--sort", "last_name"]),
        ["Hopper", "Lovelace", "Turing"]
    );
    assert_eq!(
        names(&["contacts", "list", "--sort", "-first_name"]),
        // Grace, Alan, Ada.
        ["Hopper", "Turing", "Lovelace"]
    );
    let output = run(&mut ctrlhub(&fake), &["members", "list", "--limit", "1"]);
    assert_eq!(json_lines(&output).len(), 1);
    let output = run(&mut ctrlhub(&fake), &["members", "list", "--offset", "1"]);
    let members = json_lines(&output);
    assert_eq!(members.len(), fake.members().len() - 1);
    assert_eq!(members[0]["email"], "rep@example.com");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_list_includes_each_relationship_under_its_own_name() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let contact = fake.contacts()[0]["id"].as_str().unwrap().to_owned();
    let account = fake.customer_accounts()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let member = fake.members()[1]["id"].as_str().unwrap().to_owned();
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "create",
            "--method",
            "sms",
            "--direction",
            "outbound",
            "--date-time",
            "2026-01-05T09:00:00Z",
            "--contact",
            &contact,
            "--account",
            &account,
            "--representative",
            &member,
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "list",
            "--include",
            "contact,account,property,representative,author,organisation",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let item = &json_lines(&output)[0];
    assert_eq!(item["included.contact"]["id"], contact.as_str());
    assert_eq!(item["included.account"]["id"], account.as_str());
    assert_eq!(item["included.representative"]["id"], member.as_str());
    assert_eq!(
        item["included.author"]["id"],
        fake.author_id().to_string().as_str()
    );
    // Not linked: nothing to include.
    assert_eq!(item["included.property"], Value::Null);
    assert_eq!(
        item["included.organisation"]["id"],
        fake.org_id().to_string().as_str()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_list_stops_when_the_next_offset_does_not_move_forward() {
    let fake = FakeCtrlHub::start().await.unwrap();
    // A page whose `next` points back at itself: following it would loop.
    let page = json!({
        "data": [fake.contacts()[0]],
        "meta": {"pagination": {
            "current_page": 1,
            "counts": {"pages": 3, "resources": 3},
            "offsets": {"next": 0, "previous": null},
            "requested": {"limit": 5, "offset": 0}
        }},
        "jsonapi": {"version": "1.0"}
    });
    fake.push_fault(Fault::Status {
        status: 200,
        headers: vec![("content-type".into(), "application/vnd.api+json".into())],
        body: page.to_string(),
    });
    let output = run(&mut ctrlhub(&fake), &["contacts", "list", "--limit", "5"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_lines(&output).len(), 1);
    assert_eq!(fake.api_requests().len(), 1);
    // The limit asked of the server is what is still wanted, at most 100.
    let output = run(&mut ctrlhub(&fake), &["contacts", "list", "--limit", "2"]);
    assert_eq!(json_lines(&output).len(), 2);
    let asked = fake.api_requests().last().unwrap().query.clone().unwrap();
    assert!(asked.contains("limit=2"), "{asked}");
    run(&mut ctrlhub(&fake), &["contacts", "list", "--limit", "500"]);
    let asked = fake.api_requests().last().unwrap().query.clone().unwrap();
    assert!(asked.contains("limit=100"), "{asked}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_attribute_the_spec_does_not_name_is_exported_in_extra_and_imported_back_by_the_updates_rule()
 {
    use ctrlhub_fake::UnnamedOnPut;
    let source = FakeCtrlHub::start().await.unwrap();
    varied(&source, 3);
    source.hold_unnamed_attribute("priority", json!({"level": 2}), UnnamedOnPut::Refuse);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("all.csv");
    let output = run(
        &mut ctrlhub(&source),
        &["interactions", "export", "--out", csv.to_str().unwrap()],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header.last().map(String::as_str),
        Some("extra"),
        "{header:?}"
    );
    for record in reader.records() {
        let record = record.unwrap();
        let extra: Value = serde_json::from_str(&record[header.len() - 1]).unwrap();
        assert_eq!(extra, json!({"priority": {"level": 2}}));
    }
    // `get` shows it too.
    let id = source.interactions()[0]["id"].as_str().unwrap().to_owned();
    let output = run(
        &mut ctrlhub(&source),
        &["interactions", "get", &id, "--format", "json"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let shown: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(shown["extra"], json!({"priority": {"level": 2}}), "{shown}");
    // The meta times are columns too, as Ctrl Hub sent them.
    let stored = source
        .interactions()
        .into_iter()
        .find(|i| i["id"] == id.as_str())
        .unwrap();
    for time in ["created_at", "updated_at", "modified_at"] {
        assert_eq!(shown[time], stored["meta"][time], "{time}");
        assert!(shown[time].is_string(), "{time}: {shown}");
    }
    // JSON lines carry `extra` as an object, which import reads back as such.
    let jsonl = dir.path().join("all.jsonl");
    let output = run(
        &mut ctrlhub(&source),
        &["interactions", "export", "--out", jsonl.to_str().unwrap()],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let first: Value = serde_json::from_str(
        std::fs::read_to_string(&jsonl)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["extra"], json!({"priority": {"level": 2}}));

    for ((on_create, kept), file) in [
        ((UnnamedOnPut::Accept, true), &csv),
        ((UnnamedOnPut::Refuse, false), &csv),
        ((UnnamedOnPut::Accept, true), &jsonl),
    ] {
        let target = FakeCtrlHub::start().await.unwrap();
        target.hold_unnamed_attribute("priority", json!(null), on_create);
        let output = run(
            &mut ctrlhub(&target),
            &["interactions", "import", file.to_str().unwrap()],
        );
        assert_eq!(code(&output), 0, "{on_create:?}: {}", stderr(&output));
        assert_eq!(target.interactions().len(), 3, "{on_create:?}");
        assert_eq!(
            sorted_fields(&target),
            sorted_fields(&source),
            "{on_create:?}"
        );
        for stored in target.interactions() {
            let priority = stored["attributes"].get("priority");
            assert_eq!(
                priority,
                kept.then_some(&json!({"level": 2})),
                "{on_create:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_method_this_version_does_not_know_is_refused_unless_said_to_be_new() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rows.csv");
    std::fs::write(
        &file,
        "method,direction,date_time\nwhatsapp,outbound,2026-01-05T09:00:00Z\n",
    )
    .unwrap();
    let output = run(
        &mut ctrlhub(&fake),
        &["interactions", "import", file.to_str().unwrap()],
    );
    assert_ne!(code(&output), 0);
    assert!(
        stderr(&output).contains("--allow-new-values"),
        "{}",
        stderr(&output)
    );
    assert!(fake.interactions().is_empty());
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "import",
            file.to_str().unwrap(),
            "--allow-new-values",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(fake.interactions()[0]["attributes"]["method"], "whatsapp");
    let output = run(
        &mut ctrlhub(&fake),
        &[
            "interactions",
            "create",
            "--method",
            "fax",
            "--direction",
            "inbound",
            "--date-time",
            "2026-01-05T09:00:00Z",
            "--allow-new-values",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(fake.interactions()[1]["attributes"]["method"], "fax");
}
