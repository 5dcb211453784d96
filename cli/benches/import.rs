//! `ctrlhub interactions import` of 2,000 rows at concurrency 32, against the fake, with
//! and without faults, beside the library's `create_many` of the same rows (the
//! baseline, measured in the same run). Each faulted import is resumed from its journal
//! until every row is created, and every round checks that each row was created exactly
//! once.
//!
//! The journal's cost: the same binary imports the same rows with each batch's `sending`
//! records synced to disk before the batch goes (as always) and with
//! `--no-journal-sync` (the switch exists for this comparison), in alternating order.
//! Journals are written under the target directory, on the disk a user's would be on.
//!
//! `cargo bench -p ctrlhub-cli --bench import` (release build). Figures: median and
//! spread of 7 rounds.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ctrlhub::{InteractionDirection, InteractionMethod, NewInteraction};
use ctrlhub_fake::{FakeCtrlHub, Fault};

const ROWS: usize = 2000;
const CONCURRENCY: usize = 32;
const ROUNDS: usize = 7;
/// One API request in this many fails (429, 503, no answer, 502 in turn).
const FAIL_EVERY: usize = 50;

fn notes(i: usize) -> String {
    format!("Imported call {i}")
}

fn csv(path: &std::path::Path) {
    let mut text = String::from("method,direction,date_time,contacted,notes\n");
    for i in 0..ROWS {
        text.push_str(&format!(
            "telephone,inbound,2026-02-01T10:{:02}:{:02}Z,true,{}\n",
            (i / 60) % 60,
            i % 60,
            notes(i)
        ));
    }
    std::fs::write(path, text).unwrap();
}

fn exactly_once(fake: &FakeCtrlHub) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for stored in fake.interactions() {
        let notes = stored["attributes"]["notes"].as_str().unwrap().to_owned();
        *count.entry(notes).or_default() += 1;
    }
    assert_eq!(count.len(), ROWS, "a row was lost");
    assert!(count.values().all(|n| *n == 1), "a row was created twice");
}

fn with_faults(fake: &FakeCtrlHub) {
    let kinds = [
        Fault::status(429).with_header("retry-after", "1"),
        Fault::status(503),
        Fault::Hang,
        Fault::status(502),
    ];
    for k in 0..(2 * ROWS / FAIL_EVERY) {
        for _ in 1..FAIL_EVERY {
            fake.push_fault(Fault::Pass);
        }
        fake.push_fault(kinds[k % kinds.len()].clone());
    }
}

fn import(fake: &FakeCtrlHub, args: &[&str]) -> (i32, Duration) {
    let started = Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ctrlhub"))
        .args(args)
        .env("CTRLHUB_BASE_URL", fake.base_url())
        .env("CTRLHUB_ORG_ID", fake.org_id().to_string())
        .env("CTRLHUB_SESSION_TOKEN", fake.session_token())
        .output()
        .unwrap();
    (output.status.code().unwrap_or(-1), started.elapsed())
}

fn median_spread(mut values: Vec<f64>) -> String {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    format!(
        "{:.3} ({:.3}–{:.3})",
        values[values.len() / 2],
        values[0],
        values[values.len() - 1]
    )
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    csv(&file);
    let file = file.to_str().unwrap().to_owned();
    let concurrency = CONCURRENCY.to_string();
    let (mut library, mut faulted, mut first_pass) = (vec![], vec![], vec![]);
    let (mut synced, mut unsynced) = (vec![], vec![]);
    let journals = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut reruns = Vec::new();
    for round in 0..ROUNDS {
        // Baseline: the library's create_many of the same rows, in this process.
        let fake = runtime.block_on(FakeCtrlHub::start()).unwrap();
        let client = ctrlhub::Client::builder()
            .base_url(fake.base_url())
            .organisation_id(fake.org_id())
            .session_token(fake.session_token())
            .build()
            .unwrap();
        let items: Vec<NewInteraction> = (0..ROWS)
            .map(|i| {
                NewInteraction::new()
                    .method(InteractionMethod::Telephone)
                    .direction(InteractionDirection::Inbound)
                    .date_time(chrono::Utc::now())
                    .contacted(true)
                    .notes(notes(i))
            })
            .collect();
        let started = Instant::now();
        let report = runtime.block_on(
            client
                .interactions()
                .create_many(items)
                .concurrency(CONCURRENCY)
                .send(),
        );
        library.push(started.elapsed().as_secs_f64());
        assert_eq!(report.created, ROWS);
        exactly_once(&fake);
        drop(fake);

        // The CLI, no faults: the journal synced before each batch (as always), and
        // not, in alternating order.
        let durable = [true, false];
        let order = if round % 2 == 0 {
            durable
        } else {
            [false, true]
        };
        for sync in order {
            let fake = runtime.block_on(FakeCtrlHub::start()).unwrap();
            let journal = journals.path().join(format!("sync-{sync}-{round}.journal"));
            let mut args = vec![
                "interactions",
                "import",
                &file,
                "--journal",
                journal.to_str().unwrap(),
                "--concurrency",
                &concurrency,
            ];
            if !sync {
                args.push("--no-journal-sync");
            }
            let (code, took) = import(&fake, &args);
            assert_eq!(code, 0);
            exactly_once(&fake);
            if sync {
                synced.push(took.as_secs_f64());
            } else {
                unsynced.push(took.as_secs_f64());
            }
        }

        // The CLI with faults, resumed from its journal until done.
        let fake = runtime.block_on(FakeCtrlHub::start()).unwrap();
        with_faults(&fake);
        let journal = dir.path().join(format!("faulted-{round}.journal"));
        let args = [
            "interactions",
            "import",
            &file,
            "--journal",
            journal.to_str().unwrap(),
            "--concurrency",
            &concurrency,
            "--timeout",
            "2",
        ];
        let (mut code, took) = import(&fake, &args);
        first_pass.push(took.as_secs_f64());
        let mut total = took;
        let mut runs = 1;
        // The fake stores nothing it faults, so resending the unknown rows is right
        // here; a person would look them up first.
        let mut resend = args.to_vec();
        resend.push("--resend-unknown");
        while code != 0 {
            assert_eq!(code, 9, "only outcome-unknown rows are left");
            let (again, took) = import(&fake, &resend);
            code = again;
            total += took;
            runs += 1;
            assert!(runs < 10);
        }
        faulted.push(total.as_secs_f64());
        reruns.push(runs);
        exactly_once(&fake);
    }
    let per_row = |v: &[f64]| v.iter().map(|s| s * 1e6 / ROWS as f64).collect::<Vec<_>>();
    let ratio = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x / y).collect::<Vec<_>>();
    println!("{ROWS} rows at concurrency {CONCURRENCY}, {ROUNDS} rounds: median (spread)");
    println!(
        "library create_many, µs a row:           {}",
        median_spread(per_row(&library))
    );
    println!(
        "import / create_many:                    {}",
        median_spread(ratio(&synced, &library))
    );
    println!(
        "import, journal synced, µs a row:       {}",
        median_spread(per_row(&synced))
    );
    println!(
        "import, --no-journal-sync, µs a row:     {}",
        median_spread(per_row(&unsynced))
    );
    println!(
        "rows/s synced / rows/s not synced:       {}",
        median_spread(ratio(&unsynced, &synced))
    );
    println!(
        "import with 1 in {FAIL_EVERY} faulted, first run, s: {}",
        median_spread(first_pass.clone())
    );
    println!(
        "... resumed until done, s:               {}",
        median_spread(faulted.clone())
    );
    println!("... runs needed:                          {reruns:?}");
    println!("every round: each of the {ROWS} rows created exactly once");
}
