//! cli/README.md's examples work as shown: every `ctrlhub` line of its example block is
//! run, in order, against a fake started as the README starts it (on a free port rather
//! than 8080).

use std::time::Duration;

/// Splits a shell line into words: spaces separate, double quotes group, `#` after a
/// space starts a comment. Enough for the README, which uses nothing else.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            '#' if !quoted && !started => break,
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quotes in {line:?}");
    if started {
        words.push(word);
    }
    words
}

#[test]
fn words_split_like_a_shell() {
    assert_eq!(
        words(r#"ctrlhub x --notes "a b" c   # note"#),
        ["ctrlhub", "x", "--notes", "a b", "c"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_cli_examples_work_as_shown() {
    let readme = include_str!("../README.md");
    let start = readme.find("<!-- cli-examples").expect("the example block");
    let end = readme.find("<!-- end cli-examples -->").expect("its end");
    let block = &readme[start..end];
    let mut env = Vec::new();
    let mut commands = Vec::new();
    for line in block.lines().map(str::trim) {
        if let Some(assignment) = line.strip_prefix("export ") {
            let (name, value) = assignment.split_once('=').unwrap();
            env.push((name.to_owned(), value.to_owned()));
        } else if line.starts_with("ctrlhub ") {
            commands.push(words(line));
        }
    }
    assert!(commands.len() >= 6, "{commands:?}");
    let value = |name: &str| env.iter().find(|(n, _)| n == name).unwrap().1.clone();
    // The README's fake: `ctrlhub fake --port 8080 --seed 250`, with its default
    // organisation and token, which the README's variables name.
    let fake = ctrlhub_fake::FakeCtrlHub::builder()
        .org_id(value("CTRLHUB_ORG_ID").parse().unwrap())
        .session_token(value("CTRLHUB_SESSION_TOKEN"))
        .start()
        .await
        .unwrap();
    fake.seed_interactions(250);
    assert_eq!(value("CTRLHUB_BASE_URL"), "http://127.0.0.1:8080");
    let dir = tempfile::tempdir().unwrap();
    for command in &commands {
        let output = assert_cmd::Command::cargo_bin("ctrlhub")
            .unwrap()
            .args(&command[1..])
            .current_dir(dir.path())
            .env("CTRLHUB_BASE_URL", fake.base_url())
            .env("CTRLHUB_ORG_ID", value("CTRLHUB_ORG_ID"))
            .env("CTRLHUB_SESSION_TOKEN", value("CTRLHUB_SESSION_TOKEN"))
            .env_remove("CTRLHUB_CLIENT_ID")
            .env_remove("CTRLHUB_CLIENT_SECRET")
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{command:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // 250 seeded + 1 created, exported, imported once: the rerun sent nothing.
    assert_eq!(fake.interactions().len(), 2 * 251);
}
