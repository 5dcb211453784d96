//! The seed fixtures are the documented create endpoint's examples, verbatim: checked
//! against `../shared/seed/` (the contract) when that folder is present.

use serde_json::Value;

use crate::common::{seed_request, seed_response};

/// The seed document, when this checkout has the shared folder beside it.
fn seed_text() -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/seed/create-customer-interaction.txt");
    std::fs::read_to_string(path).ok()
}

/// The request (the curl `--data '...'`) and the response (the JSON right after it).
fn examples(text: &str) -> (Value, Value) {
    let start = text.find("--data '").expect("a --data argument") + "--data '".len();
    let end = start + text[start..].find('\'').expect("the closing quote");
    let request: Value = serde_json::from_str(&text[start..end]).expect("request JSON");
    let mut rest = serde_json::Deserializer::from_str(&text[end + 1..]).into_iter::<Value>();
    let response = rest.next().expect("a response").expect("response JSON");
    (request, response)
}

#[test]
fn the_fixtures_are_the_seed_examples_verbatim() {
    let Some(text) = seed_text() else {
        eprintln!("../shared/seed is not here: nothing to compare the fixtures with");
        return;
    };
    let (request, response) = examples(&text);
    assert_eq!(
        seed_request(),
        request,
        "tests/fixtures/seed-create-request.json"
    );
    assert_eq!(
        seed_response(),
        response,
        "tests/fixtures/seed-create-response.json"
    );
}

#[test]
fn the_seed_parser_finds_both_examples() {
    let text =
        "curl --data '\n{\"data\": {\"type\": \"<string>\"}}\n'{\"data\": {\"id\": \"x\"}}Create…";
    let (request, response) = examples(text);
    assert_eq!(request["data"]["type"], "<string>");
    assert_eq!(response["data"]["id"], "x");
}
