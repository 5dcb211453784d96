//! `ctrlhub interactions import`: rows refused, failed, retried, interrupted and reported.

use std::collections::HashMap;
use std::time::Duration;

use ctrlhub_fake::{FakeCtrlHub, Fault};
use serde_json::Value;

use crate::{
    code, ctrlhub, json_lines, last_states, notes_count, rows_csv, run, spawn_ctrlhub, stderr,
    summary, until_stored,
};

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

/// A pipe can be read only once: it is read as it is sent, every row once, and a JSON
/// array that breaks off in it stops the import after the rows before the break.
#[tokio::test(flavor = "multi_thread")]
async fn an_import_from_a_pipe_reads_it_once_as_it_sends() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    rows_csv(&file, 40);
    let log = dir.path().join("calls.journal");
    let output = ctrlhub(&fake)
        .args([
            "interactions",
            "import",
            "/dev/stdin",
            "--input-format",
            "csv",
        ])
        .args(["--journal", log.to_str().unwrap()])
        .write_stdin(std::fs::read(&file).unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let stored = notes_count(&fake);
    assert_eq!(stored.len(), 40, "{}", stderr(&output));
    assert!(stored.values().all(|n| *n == 1));
    assert!(
        !stderr(&output).contains("was not read"),
        "{}",
        stderr(&output)
    );

    // Stopped early (credentials refused), the rest of a pipe is left unread, and said so.
    let many = dir.path().join("many.csv");
    rows_csv(&many, 2000);
    let output = ctrlhub(&fake)
        .env("CTRLHUB_SESSION_TOKEN", "not-the-token")
        .args([
            "interactions",
            "import",
            "/dev/stdin",
            "--input-format",
            "csv",
        ])
        .write_stdin(std::fs::read(&many).unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the rest of /dev/stdin was not read (a pipe is read only once)"),
        "{}",
        stderr(&output)
    );

    let row = |n: u32| {
        format!(
            "{{\"method\":\"email\",\"direction\":\"outbound\",\
             \"date_time\":\"2026-02-01T10:00:00Z\",\"notes\":\"piped {n}\"}}"
        )
    };
    let broken = format!("[\n{},\n{},\n{{\"notes\":", row(1), row(2));
    let output = ctrlhub(&fake)
        .args([
            "interactions",
            "import",
            "/dev/stdin",
            "--input-format",
            "json",
        ])
        .write_stdin(broken)
        .output()
        .unwrap();
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("/dev/stdin: line 4: not valid JSON"),
        "{}",
        stderr(&output)
    );
    let stored = notes_count(&fake);
    assert_eq!(
        (stored.get("piped 1"), stored.get("piped 2")),
        (Some(&1), Some(&1))
    );
}

/// A report that cannot be written (its reader went away, as with `| head`) stops the
/// import: no more rows start, and it fails naming the report.
#[tokio::test(flavor = "multi_thread")]
async fn an_import_whose_report_cannot_be_written_stops_starting_rows() {
    let fake = FakeCtrlHub::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    rows_csv(&file, 200);
    // Every row is refused, so every row has a line in the report.
    for _ in 0..200 {
        fake.push_fault(Fault::status(400));
    }
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("ctrlhub"));
    for var in ctrlhub::EnvVar::ALL {
        cmd.env_remove(var.name());
    }
    let mut child = cmd
        .args(["interactions", "import", file.to_str().unwrap()])
        .args(["--concurrency", "2"])
        .env("CTRLHUB_BASE_URL", fake.base_url())
        .env("CTRLHUB_ORG_ID", fake.org_id().to_string())
        .env("CTRLHUB_SESSION_TOKEN", fake.session_token())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader of the report goes away before anything is written.
    drop(child.stdout.take());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let errors = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{errors}");
    assert!(errors.contains("could not write the report"), "{errors}");
    let sent = fake.api_requests().len();
    assert!(
        sent < 20,
        "{sent} rows were sent after the report failed: {errors}"
    );
}
