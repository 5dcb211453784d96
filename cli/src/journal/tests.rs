use super::*;

fn header() -> String {
    KeyFormat::CURRENT.header()
}

#[test]
fn a_journal_remembers_the_last_state_of_each_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let id = Uuid::new_v4();
    {
        let mut journal = Journal::open(&path).unwrap();
        assert_eq!(journal.format(), KeyFormat::V2);
        assert_eq!(journal.state("a#0"), None);
        journal.record("a#0", 2, State::Sending, None).unwrap();
        journal
            .record("a#0", 2, State::Created { id }, None)
            .unwrap();
        journal
            .record_all(
                [("b#0", 3, State::Sending), ("c#0", 4, State::NotSent)],
                None,
            )
            .unwrap();
        journal.sync().unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().next(), Some(r#"{"ctrlhub_import_journal":2}"#));
    assert_eq!(text.lines().count(), 5);
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.state("a#0"), Some(Kept::Created(id)));
    assert_eq!(journal.state("b#0"), Some(Kept::Sending));
    assert_eq!(journal.state("c#0"), Some(Kept::NotSent));
    assert!(journal.state("b#0").unwrap().is_unresolved());
    assert!(State::Unknown { error: "x".into() }.is_unresolved());
    assert!(!State::Created { id }.is_unresolved());
    assert!(!State::NotSent.is_unresolved());
    assert!(!State::Refused { error: "x".into() }.is_unresolved());
    assert!(!State::Malformed { error: "x".into() }.is_unresolved());
}

#[test]
fn each_entry_carries_its_time_and_the_server_date_when_one_is_known() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let server: DateTime<Utc> = "2026-12-01T10:00:05Z".parse().unwrap();
    let before = Utc::now();
    {
        let mut journal = Journal::open(&path).unwrap();
        journal
            .record_all(
                [("a#0", 2, State::Sending), ("b#0", 3, State::Sending)],
                Some(server),
            )
            .unwrap();
        journal.record("a#0", 2, State::NotSent, None).unwrap();
    }
    let after = Utc::now();
    let text = std::fs::read_to_string(&path).unwrap();
    let entries: Vec<serde_json::Value> = text
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 3);
    for entry in &entries {
        let at: DateTime<Utc> = entry["at"].as_str().unwrap().parse().unwrap();
        assert!(before <= at && at <= after, "{entry}");
        assert!(entry["at"].as_str().unwrap().ends_with('Z'), "UTC: {entry}");
    }
    assert_eq!(entries[0]["server_date"], "2026-12-01T10:00:05Z");
    assert_eq!(entries[1]["server_date"], "2026-12-01T10:00:05Z");
    assert!(entries[2].get("server_date").is_none(), "{}", entries[2]);
    assert_eq!(entries[0]["state"], "sending");
    assert_eq!(entries[2]["state"], "not_sent");
}

#[test]
fn a_cut_last_line_is_ignored_and_the_next_entry_starts_on_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    std::fs::write(
        &path,
        format!(
            "{}\n{{\"row\":\"a#0\",\"line\":2,\"state\":\"sending\"}}\n{{\"row\":\"a#0\",\"li",
            header()
        ),
    )
    .unwrap();
    let mut journal = Journal::open(&path).unwrap();
    assert_eq!(journal.state("a#0"), Some(Kept::Sending));
    journal
        .record("c#0", 4, State::Refused { error: "no".into() }, None)
        .unwrap();
    drop(journal);
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.state("c#0"), Some(Kept::Refused));
}

#[test]
fn a_whole_last_entry_without_its_newline_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let id = Uuid::new_v4();
    std::fs::write(
        &path,
        format!(
            "{}\n{{\"row\":\"a#0\",\"line\":2,\"state\":\"created\",\"id\":\"{id}\"}}",
            header()
        ),
    )
    .unwrap();
    let mut journal = Journal::open(&path).unwrap();
    assert_eq!(journal.state("a#0"), Some(Kept::Created(id)));
    journal.record("b#0", 3, State::Sending, None).unwrap();
    drop(journal);
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.state("a#0"), Some(Kept::Created(id)), "still there");
    assert_eq!(journal.state("b#0"), Some(Kept::Sending));
}

#[test]
fn a_damaged_journal_a_newer_one_or_another_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let damaged = format!(
        "{}\nnot json\n{{\"row\":\"a#0\",\"line\":2,\"state\":\"sending\"}}\n",
        header()
    );
    std::fs::write(&path, &damaged).unwrap();
    let error = Journal::open(&path).unwrap_err();
    assert!(
        error.message.contains("damaged at line 2"),
        "{}",
        error.message
    );
    assert_eq!(error.exit, crate::exit::Exit::Local);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), damaged);

    // A bad last line that ends with a newline was written whole: damaged, not cut.
    let damaged = format!(
        "{}\n{{\"row\":\"a#0\",\"line\":2,\"state\":\"sending\"}}\nnot json\n",
        header()
    );
    std::fs::write(&path, &damaged).unwrap();
    let error = Journal::open(&path).unwrap_err();
    assert!(
        error.message.contains("damaged at line 3"),
        "{}",
        error.message
    );

    let newer = "{\"ctrlhub_import_journal\":3}\n{\"row\":\"a\",\"line\":2,\"state\":\"sent\"}\n";
    std::fs::write(&path, newer).unwrap();
    let error = Journal::open(&path).unwrap_err();
    assert!(
        error
            .message
            .contains("is of format 3, written by a newer ctrlhub"),
        "{}",
        error.message
    );
    assert_eq!(error.exit, crate::exit::Exit::Local);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), newer);

    for other in [
        "method,direction\nemail,inbound\n",
        "{\"ctrlhub_import_journal\":2,\"extra\":1}\n",
        "{\"ctrlhub_import_journal\":1,\"extra\":1}\n",
        "{\"ctrlhub_import_journal\":\"2\"}\n",
        "[]\n",
    ] {
        std::fs::write(&path, other).unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert!(
            error.message.contains("is not an import journal"),
            "{other}: {}",
            error.message
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), other);
    }
}

#[test]
fn a_format_1_journal_is_read_and_keeps_its_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/journal-v1.journal"
        ),
        &path,
    )
    .unwrap();
    let mut journal = Journal::open(&path).unwrap();
    assert_eq!(journal.format(), KeyFormat::V1);
    assert_eq!(
        journal.state("52b8761d93ceb067#1"),
        Some(Kept::Created(
            "d9a8292f-f33b-4370-8885-ec251298911b".parse().unwrap()
        ))
    );
    assert!(journal.state("fdde3ab61e9f2f45#0").unwrap().is_unresolved());
    journal.record("x#0", 20, State::Sending, None).unwrap();
    drop(journal);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("{\"ctrlhub_import_journal\":1}\n"));
    assert_eq!(
        Journal::open(&path).unwrap().state("x#0"),
        Some(Kept::Sending)
    );
}

#[test]
fn a_journal_is_held_by_one_opener_at_a_time_until_it_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let first = Journal::open(&path).unwrap();
    let before = std::fs::read(&path).unwrap();
    let error = Journal::open(&path).unwrap_err();
    assert!(
        error.message.contains("another import holds the journal"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("nothing was sent"),
        "{}",
        error.message
    );
    assert_eq!(error.exit, crate::exit::Exit::Local);
    assert_eq!(std::fs::read(&path).unwrap(), before, "left as it was");
    drop(first);
    let journal = Journal::open(&path).unwrap();
    let shown = format!("{journal:?}");
    assert!(
        shown.starts_with("Journal {") && shown.contains(&format!("{:?}", path)),
        "{shown}"
    );
    assert!(
        shown.contains("format: V2") && shown.contains("rows: 0"),
        "{shown}"
    );
}

#[test]
fn a_pending_sync_covers_what_was_written_and_none_is_made_when_not_durable() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("j")).unwrap();
    let synced = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = synced.clone();
    journal.on_synced(move |covers| {
        seen.lock().unwrap().push(covers);
        Ok(())
    });
    journal
        .record_all(
            [("a#0", 2, State::Sending), ("b#0", 3, State::Sending)],
            None,
        )
        .unwrap();
    let first = journal.pending_sync().unwrap();
    journal.record("c#0", 4, State::Sending, None).unwrap();
    let second = journal.pending_sync().unwrap();
    second.run().unwrap();
    first.run().unwrap();
    assert_eq!(*synced.lock().unwrap(), [3, 2]);
    journal.set_durable(false);
    assert!(journal.pending_sync().is_none());
}

#[test]
fn send_times_are_kept_only_while_a_row_is_unresolved_and_errors_of_unknown_rows_survive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let at = |s: u32| Some(DateTime::from_timestamp(1_800_000_000 + i64::from(s), 0).unwrap());
    let id = Uuid::new_v4();
    {
        let mut journal = Journal::open(&path).unwrap();
        // a: sent twice, unknown in between: first and last send.
        journal.record("a#0", 2, State::Sending, at(1)).unwrap();
        let unknown = State::Unknown {
            error: "no answer".into(),
        };
        journal.record("a#0", 2, unknown, at(5)).unwrap();
        journal.record("a#0", 2, State::Sending, at(9)).unwrap();
        // b: refused, then sent again: the earlier send still counts (an unknown
        // outcome before a refused resend may have stored it).
        journal.record("b#0", 3, State::Sending, at(1)).unwrap();
        let refused = State::Refused {
            error: "400".into(),
        };
        journal.record("b#0", 3, refused, at(2)).unwrap();
        journal.record("b#0", 3, State::Sending, at(7)).unwrap();
        // c: a send without Ctrl Hub's clock cannot be placed.
        journal.record("c#0", 4, State::Sending, None).unwrap();
        journal.record("c#0", 4, State::Sending, at(3)).unwrap();
        // d: created: nothing kept of its sends.
        journal.record("d#0", 5, State::Sending, at(1)).unwrap();
        journal
            .record("d#0", 5, State::Created { id }, at(2))
            .unwrap();
        let unknown = State::Unknown {
            error: "a 503".into(),
        };
        journal.record("e#0", 6, unknown, at(4)).unwrap();
        // f: refused without a send recorded: nothing to keep.
        let refused = State::Refused {
            error: "400".into(),
        };
        journal.record("f#0", 7, refused, at(4)).unwrap();
    }
    // The last entry without its newline: read whole, and the newline is added.
    let mut text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.pop(), Some('\n'));
    std::fs::write(&path, &text).unwrap();
    let journal = Journal::open(&path).unwrap();
    let mended = std::fs::read(&path).unwrap();
    assert!(mended.ends_with(b"}\n"));
    drop(journal);
    let journal = Journal::open(&path).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        mended,
        "a whole journal is left as it is"
    );
    assert_eq!(journal.sent("a#0"), at(1).zip(at(9)));
    assert_eq!(journal.sent("b#0"), at(1).zip(at(7)));
    assert_eq!(journal.sent("c#0"), None);
    assert_eq!(journal.sent("d#0"), None);
    assert_eq!(journal.sent("f#0"), None);
    assert_eq!(journal.state("d#0"), Some(Kept::Created(id)));
    assert_eq!(journal.unknown_error("e#0"), Some("a 503"));
    assert_eq!(journal.unknown_error("a#0"), None, "a is at sending now");
    assert_eq!(journal.created_ids().collect::<Vec<_>>(), [id]);
    assert_ne!(RowKey::of("a#0"), RowKey::of("a#1"));
}
