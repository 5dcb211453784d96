//! `ctrlhub interactions export`: streamed, whole or not at all, and imported back unchanged.

use std::time::Duration;

use ctrlhub_fake::{FakeCtrlHub, Fault};
use serde_json::{Value, json};

use crate::{code, ctrlhub, json_lines, run, spawn_ctrlhub, stderr, stdout};

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
