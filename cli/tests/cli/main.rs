//! The real `ctrlhub` binary against the fake Ctrl Hub (served in this process, on
//! loopback): every command, the formats, import and its journal, the exit codes.
//!
//! One test binary, its modules by area (as `tests/tests/suite`); the helpers they share
//! are here.

mod auth;
mod directory;
mod errors;
mod export;
mod fake;
mod help;
mod import;
mod interactions;
mod journal;
mod settle;

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use ctrlhub_fake::FakeCtrlHub;
use serde_json::Value;

/// `ctrlhub` pointed at `fake`, with nothing inherited from the environment.
pub fn ctrlhub(fake: &FakeCtrlHub) -> assert_cmd::Command {
    let mut cmd = bare();
    cmd.env("CTRLHUB_BASE_URL", fake.base_url())
        .env("CTRLHUB_ORG_ID", fake.org_id().to_string())
        .env("CTRLHUB_SESSION_TOKEN", fake.session_token());
    cmd
}

pub fn bare() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("ctrlhub").unwrap();
    for var in ctrlhub::EnvVar::ALL {
        cmd.env_remove(var.name());
    }
    cmd.timeout(Duration::from_secs(120));
    cmd
}

/// `ctrlhub args` pointed at `fake`, started and left running: stdout discarded, stderr
/// piped, nothing inherited from the environment.
pub fn spawn_ctrlhub(fake: &FakeCtrlHub, args: &[&str]) -> std::process::Child {
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
pub async fn until_stored(fake: &FakeCtrlHub, count: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while fake.interactions().len() < count {
        assert!(
            std::time::Instant::now() < deadline,
            "the import did not start"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

pub fn run(cmd: &mut assert_cmd::Command, args: &[&str]) -> Output {
    cmd.args(args).output().unwrap()
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Each stored interaction's notes, and how many times each appears.
pub fn notes_count(fake: &FakeCtrlHub) -> HashMap<String, usize> {
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

pub fn rows_csv(path: &Path, rows: usize) {
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

/// Reads the journal's entries (after its header line).
pub fn journal(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Each row's last state in a journal.
pub fn last_states(path: &Path) -> HashMap<String, Value> {
    let mut states = HashMap::new();
    for entry in journal(path) {
        states.insert(entry["row"].as_str().unwrap().to_owned(), entry);
    }
    states
}

pub fn summary(output: &Output) -> String {
    stderr(output)
        .lines()
        .find(|l| l.starts_with("import: "))
        .unwrap_or_default()
        .to_owned()
}
