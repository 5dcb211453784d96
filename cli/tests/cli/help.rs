//! `--help`: an example for every command, and no secret from the environment.

use crate::{bare, code, run, stdout};

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
