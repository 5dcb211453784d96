//! The import journal: resuming, locking, and its formats.

use std::path::Path;
use std::time::Duration;

use ctrlhub_fake::FakeCtrlHub;
use serde_json::{Value, json};

use crate::{
    code, ctrlhub, journal, last_states, notes_count, rows_csv, run, spawn_ctrlhub, stderr,
    summary, until_stored,
};

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
