//! `ctrlhub contacts` and `ctrlhub members`: lists, paging and one by id.

use ctrlhub_fake::FakeCtrlHub;
use serde_json::Value;

use crate::{code, ctrlhub, json_lines, run, stderr, stdout};

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
