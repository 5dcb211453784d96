use super::*;
use crate::model::InteractionMethod;

const CONTACT: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

fn stored(json: Value) -> Interaction {
    let mut resource = json!({
        "id": "5f0c7b9e-8a4e-4f4e-9b53-0d9a6c3f2e11",
        "type": "customer-interactions",
        "attributes": {
            "method": "email",
            "notes": "hello",
            "date_time": "2026-01-05T09:00:00Z",
            "status": "scheduled"
        },
        "relationships": {"contact": {"data": {"type": "contacts", "id": CONTACT}}},
        "meta": {"created_at": "2026-01-05T09:00:05Z"}
    });
    if let (Value::Object(base), Value::Object(changes)) = (&mut resource["attributes"], json) {
        base.extend(changes);
    }
    <Interaction as crate::resource::TypedResource>::from_raw(
        serde_json::from_value(resource).unwrap(),
    )
}

use serde_json::json;

fn new() -> NewInteraction {
    NewInteraction::new()
        .method(InteractionMethod::Email)
        .notes("hello")
        .date_time(DateTime::parse_from_rfc3339("2026-01-05T10:00:00+01:00").unwrap())
        .contact(CONTACT)
}

#[test]
fn a_match_holds_everything_sent_and_may_hold_more() {
    let one = sent(&new()).unwrap();
    assert!(
        matches(&one, &stored(json!({}))),
        "status is a default the server added"
    );
    assert!(!matches(&one, &stored(json!({"notes": "hello!"}))));
    assert!(!matches(&one, &stored(json!({"method": "sms"}))));
    assert!(
        !matches(&one, &stored(json!({"date_time": "2026-01-05T09:00:01Z"}))),
        "a second apart"
    );
    let elsewhere = sent(&new().contact("9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b")).unwrap();
    assert!(!matches(&elsewhere, &stored(json!({}))));
    let with_account = sent(&new().account(CONTACT)).unwrap();
    assert!(
        !matches(&with_account, &stored(json!({}))),
        "the account is not linked"
    );
}

#[test]
fn date_times_match_as_instants_whatever_their_offset() {
    assert!(same_instant(
        &json!("2026-01-05T10:00:00+01:00"),
        &json!("2026-01-05T09:00:00Z")
    ));
    assert!(!same_instant(
        &json!("2026-01-05T10:00:00Z"),
        &json!("2026-01-05T09:00:00Z")
    ));
    assert!(!same_instant(&json!("not a time"), &json!("not a time")));
}

#[test]
fn each_reason_reads_as_a_sentence() {
    let id = Uuid::nil();
    assert_eq!(
        Unsettled::ListLags { id }.to_string(),
        format!("the list lags: it does not show {id}, created by this run")
    );
    assert_eq!(
        Unsettled::SeveralMatches { ids: vec![id, id] }.to_string(),
        "2 interactions match"
    );
    assert!(Unsettled::TooSoon.to_string().starts_with("too soon"));
    assert!(
        Unsettled::NoCreatedAtOrder
            .to_string()
            .contains("created_at")
    );
}

/// An interaction like `new()`'s, with this id, created at `created_at`.
fn stored_at(id: u128, created_at: &str, changes: Value) -> Interaction {
    let mut item = stored(changes);
    item.id = Uuid::from_u128(id);
    item.created_at = Some(at(created_at));
    item
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// The verdict for one row first and last sent at `sent`, after a search at `began` that
/// saw `items` and a control created at `control_at` (id 99).
fn verdict(
    sent: &str,
    began: &str,
    items: &[Interaction],
    claimed: &[u128],
    incomplete: bool,
) -> Settled {
    let row = UnknownCreate {
        new: new(),
        first_sent_after: at(sent),
        last_sent_after: at(sent),
    };
    let unknown = [(super::sent(&row.new).unwrap(), &row)];
    let control_id = Uuid::from_u128(99);
    let controls: HashMap<Uuid, Value> = [(control_id, super::sent(&new().notes("c")).unwrap())]
        .into_iter()
        .collect();
    let claimed: HashSet<Uuid> = claimed.iter().map(|id| Uuid::from_u128(*id)).collect();
    let mut search = Search::new(&unknown, &controls, &claimed);
    let mut control = stored_at(99, sent, json!({"notes": "c"}));
    control.id = control_id;
    search.look_at(&control);
    for item in items {
        search.look_at(item);
    }
    let reason = search.control_verdict(incomplete);
    let mut verdicts = search.verdicts(
        at(began),
        Some(Duration::from_secs(30)),
        incomplete,
        reason.as_ref(),
    );
    verdicts.remove(0)
}

const SENT: &str = "2026-01-05T09:00:00Z";
const LATER: &str = "2026-01-05T09:10:00Z";

#[test]
fn a_match_two_seconds_after_the_first_send_is_created_and_one_second_sooner_too_close() {
    let item = stored_at(1, "2026-01-05T09:00:02Z", json!({}));
    assert!(
        matches!(verdict(SENT, LATER, &[item], &[], false), Settled::Created(found) if found.id == Uuid::from_u128(1))
    );
    let item = stored_at(1, "2026-01-05T09:00:01Z", json!({}));
    assert!(matches!(
        verdict(SENT, LATER, &[item], &[], false),
        Settled::Unknown(Unsettled::TooClose { .. })
    ));
    // Two seconds before the send is still too close; three seconds before, it existed.
    let item = stored_at(1, "2026-01-05T08:59:58Z", json!({}));
    assert!(matches!(
        verdict(SENT, LATER, &[item], &[], false),
        Settled::Unknown(Unsettled::TooClose { .. })
    ));
    let item = stored_at(1, "2026-01-05T08:59:57Z", json!({}));
    assert!(matches!(
        verdict(SENT, LATER, &[item], &[], false),
        Settled::NotStored
    ));
}

#[test]
fn not_stored_waits_a_timeout_and_two_seconds_after_the_last_attempt() {
    assert!(matches!(
        verdict(SENT, "2026-01-05T09:00:32Z", &[], &[], false),
        Settled::NotStored
    ));
    assert!(matches!(
        verdict(SENT, "2026-01-05T09:00:31Z", &[], &[], false),
        Settled::Unknown(Unsettled::TooSoon)
    ));
}

#[test]
fn a_claimed_match_is_never_taken_and_a_similar_one_blocks_not_stored() {
    let item = stored_at(7, "2026-01-05T09:00:05Z", json!({}));
    assert!(matches!(
        verdict(SENT, LATER, &[item], &[7], false),
        Settled::NotStored
    ));
    let item = stored_at(7, "2026-01-05T09:00:05Z", json!({"notes": "hello "}));
    assert!(matches!(
        verdict(SENT, LATER, &[item], &[], false),
        Settled::Unknown(Unsettled::Similar { id }) if id == Uuid::from_u128(7)
    ));
    let unlike = stored_at(
        7,
        "2026-01-05T09:00:05Z",
        json!({"notes": "x", "method": "sms"}),
    );
    assert!(matches!(
        verdict(SENT, LATER, &[unlike], &[], false),
        Settled::NotStored
    ));
}

#[test]
fn an_incomplete_search_settles_nothing_not_even_a_match() {
    let item = stored_at(1, "2026-01-05T09:00:05Z", json!({}));
    assert!(matches!(
        verdict(SENT, LATER, &[item], &[], true),
        Settled::Unknown(Unsettled::SearchIncomplete)
    ));
    assert!(matches!(
        verdict(SENT, LATER, &[], &[], true),
        Settled::Unknown(Unsettled::SearchIncomplete)
    ));
}

#[test]
fn without_a_timeout_nothing_is_not_stored() {
    let row = UnknownCreate {
        new: new(),
        first_sent_after: at(SENT),
        last_sent_after: at(SENT),
    };
    let unknown = [(sent(&row.new).unwrap(), &row)];
    let controls = HashMap::new();
    let claimed = HashSet::new();
    let search = Search::new(&unknown, &controls, &claimed);
    let verdicts = search.verdicts(at(LATER), None, false, None);
    assert!(matches!(
        verdicts.as_slice(),
        [Settled::Unknown(Unsettled::NoTimeout)]
    ));
}

#[test]
fn one_match_of_two_identical_rows_is_claimed_by_both() {
    let row = UnknownCreate {
        new: new(),
        first_sent_after: at(SENT),
        last_sent_after: at(SENT),
    };
    let unknown = [
        (sent(&row.new).unwrap(), &row),
        (sent(&row.new).unwrap(), &row),
    ];
    let controls = HashMap::new();
    let claimed = HashSet::new();
    let mut search = Search::new(&unknown, &controls, &claimed);
    search.look_at(&stored_at(1, "2026-01-05T09:00:05Z", json!({})));
    let verdicts = search.verdicts(at(LATER), Some(Duration::from_secs(30)), false, None);
    assert!(
        verdicts
            .iter()
            .all(|v| matches!(v, Settled::Unknown(Unsettled::Claimed { id }) if *id == Uuid::from_u128(1))),
        "{verdicts:?}"
    );
}

#[test]
fn each_control_must_be_found_as_it_was_sent() {
    let row = UnknownCreate {
        new: new(),
        first_sent_after: at(SENT),
        last_sent_after: at(SENT),
    };
    let unknown = [(sent(&row.new).unwrap(), &row)];
    let claimed = HashSet::new();
    let none = HashMap::new();
    assert_eq!(
        Search::new(&unknown, &none, &claimed).control_verdict(false),
        Some(Unsettled::NoControl)
    );
    let controls: HashMap<Uuid, Value> = [
        (Uuid::from_u128(5), sent(&new().notes("five")).unwrap()),
        (Uuid::from_u128(6), sent(&new().notes("six")).unwrap()),
    ]
    .into_iter()
    .collect();
    let mut search = Search::new(&unknown, &controls, &claimed);
    search.look_at(&stored_at(5, SENT, json!({"notes": "five"})));
    assert_eq!(
        search.control_verdict(false),
        Some(Unsettled::ListLags {
            id: Uuid::from_u128(6)
        })
    );
    search.look_at(&stored_at(6, SENT, json!({"notes": "six, changed"})));
    assert_eq!(
        search.control_verdict(false),
        Some(Unsettled::ControlDiffers {
            id: Uuid::from_u128(6)
        })
    );
    search.look_at(&stored_at(6, SENT, json!({"notes": "six"})));
    assert_eq!(search.control_verdict(false), None);
    assert_eq!(
        search.control_verdict(true),
        Some(Unsettled::SearchIncomplete)
    );
}

#[test]
fn an_interaction_linked_elsewhere_is_not_similar() {
    let elsewhere = Uuid::from_u128(42).to_string();
    for link in ["contact", "account", "property", "representative"] {
        let mut item = stored_at(7, "2026-01-05T09:00:05Z", json!({"notes": "other"}));
        let sent = sent(
            &new()
                .account(CONTACT)
                .property(CONTACT)
                .representative(CONTACT),
        )
        .unwrap();
        item.account = Some(CONTACT.parse().unwrap());
        item.property = Some(CONTACT.parse().unwrap());
        item.representative = Some(CONTACT.parse().unwrap());
        assert!(similar(&sent, &item), "{link}: alike but for the notes");
        let other = Some(elsewhere.parse().unwrap());
        match link {
            "contact" => item.contact = other,
            "account" => item.account = other,
            "property" => item.property = other,
            _ => item.representative = other,
        }
        assert!(!similar(&sent, &item), "{link} differs");
    }
}
