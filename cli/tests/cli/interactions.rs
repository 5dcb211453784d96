//! `ctrlhub interactions` create, get, list and update, and the output formats.

use ctrlhub_fake::{FakeCtrlHub, Fault};
use serde_json::{Value, json};

use crate::{code, ctrlhub, json_lines, run, stderr, stdout};

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
