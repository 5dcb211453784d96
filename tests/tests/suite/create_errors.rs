//! Bad input is refused before sending; bad answers become specific errors or are tolerated.

use ctrlhub::{
    AuthError, Error, InteractionMethod, InteractionStatus, NewInteraction, TransportErrorKind,
};
use httpmock::{Method::POST, MockServer};
use serde_json::json;

use crate::common::*;

fn input_error(error: Error) -> (String, String) {
    match error {
        Error::InvalidInput(e) => (e.field, e.reason),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

/// Creates `new` against a server that would accept anything, and returns the error and
/// how many requests reached the server.
async fn refused(new: NewInteraction) -> (Error, usize) {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|_, then| {
            then.status(201);
        })
        .await;
    let error = client(&server.base_url())
        .interactions()
        .create(new)
        .send()
        .await
        .unwrap_err();
    (error, anything.calls_async().await)
}

#[tokio::test]
async fn a_malformed_id_is_refused_naming_the_field() {
    let (error, sent) = refused(
        NewInteraction::new()
            .method(InteractionMethod::Letter)
            .contact("not-a-uuid"),
    )
    .await;
    let (field, reason) = input_error(error);
    assert_eq!(field, "contact");
    assert!(reason.starts_with("`not-a-uuid` is not a UUID"), "{reason}");
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn the_nil_id_is_refused_naming_the_field() {
    let (error, sent) = refused(NewInteraction::new().representative(uuid::Uuid::nil())).await;
    assert_eq!(
        input_error(error),
        (
            "representative".into(),
            "the nil UUID names no resource".into()
        )
    );
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn a_bad_organisation_id_is_refused_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|_, then| {
            then.status(201);
        })
        .await;
    let error = ctrlhub::Client::builder()
        .base_url(server.base_url())
        .organisation_id("5f0c7b9e-8a4e-4f4e-9b53")
        .session_token(TOKEN)
        .build()
        .unwrap_err();
    let (field, _) = input_error(error);
    assert_eq!(field, "organisation_id");
    assert_eq!(anything.calls_async().await, 0);
}

#[test]
fn a_bad_base_url_or_missing_token_is_named() {
    let build = |url: &str| {
        ctrlhub::Client::builder()
            .base_url(url)
            .organisation_id(ORG)
            .session_token(TOKEN)
            .build()
    };
    assert_eq!(
        input_error(build("api.ctrl-hub.com").unwrap_err()).0,
        "base_url"
    );
    assert_eq!(
        input_error(build("ftp://api.ctrl-hub.com").unwrap_err()).0,
        "base_url"
    );
    let (field, reason) = input_error(
        ctrlhub::Client::builder()
            .organisation_id(ORG)
            .build()
            .unwrap_err(),
    );
    assert_eq!(field, "session_token");
    assert!(reason.contains("no credentials"), "{reason}");
    let (field, reason) = input_error(
        ctrlhub::Client::builder()
            .organisation_id(ORG)
            .session_token("has a space")
            .build()
            .unwrap_err(),
    );
    assert_eq!(field, "session_token");
    assert!(
        !reason.contains("has a space"),
        "the secret is not repeated: {reason}"
    );
}

/// Creates against a server that answers `status` with `body` and extra `headers`.
async fn create_against(
    status: u16,
    content_type: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Result<ctrlhub::Interaction, Error> {
    let server = MockServer::start_async().await;
    let body = body.to_owned();
    let content_type = content_type.to_owned();
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    server
        .mock_async(move |when, then| {
            when.method(POST).path(create_path());
            let mut then = then.status(status);
            if !content_type.is_empty() {
                then = then.header("content-type", content_type);
            }
            for (name, value) in headers {
                then = then.header(name, value);
            }
            then.body(body);
        })
        .await;
    client(&server.base_url())
        .interactions()
        .create(seed_interaction("n"))
        .await
}

#[tokio::test]
async fn a_400_with_the_guides_errors_array_is_an_api_error_naming_the_field() {
    let body = json!({
        "errors": [{"status": "400", "title": "The request body is not valid",
                    "detail": "attributes is required",
                    "meta": {"field": "data", "type": "required", "value": {}}}],
        "jsonapi": {"meta": {}, "version": "1.0"}, "meta": {}
    });
    let error = create_against(400, JSON_API, &body.to_string(), &[])
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Api, got {error:?}")
    };
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(api.errors.len(), 1);
    assert_eq!(
        api.errors[0].detail.as_deref(),
        Some("attributes is required")
    );
    assert_eq!(api.errors[0].location(), Some("data"));
    assert_eq!(
        error.to_string(),
        "Ctrl Hub answered 400 Bad Request: The request body is not valid: \
         attributes is required (at data)"
    );
}

#[tokio::test]
async fn a_400_with_the_references_bare_error_object_is_an_api_error() {
    let body = json!({
        "id": "0b0f3c36-5b43-4d1e-9d59-3f4f8e0b9f77", "status": "400",
        "title": "A validation error was encountered",
        "source": {"parameter": "include"}, "meta": {"resource": "wrong_value"}
    });
    let error = create_against(400, JSON_API, &body.to_string(), &[])
        .await
        .unwrap_err();
    let Error::Api(api) = error else {
        panic!("expected Api, got {error:?}")
    };
    assert_eq!(api.errors.len(), 1);
    let problem = &api.errors[0];
    assert_eq!(
        problem.id.as_deref(),
        Some("0b0f3c36-5b43-4d1e-9d59-3f4f8e0b9f77")
    );
    assert_eq!(
        problem.title.as_deref(),
        Some("A validation error was encountered")
    );
    assert_eq!(
        problem.source.as_ref().unwrap().parameter.as_deref(),
        Some("include")
    );
    assert_eq!(problem.meta["resource"], "wrong_value");
}

#[tokio::test]
async fn a_401_is_an_auth_error_that_does_not_repeat_the_token() {
    let body = json!({"errors": [{"status": "401", "title": "Unauthorized"}]});
    let error = create_against(401, JSON_API, &body.to_string(), &[("x-trace-id", "t-401")])
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Auth(AuthError::Rejected { errors, trace_id })
            if errors[0].title.as_deref() == Some("Unauthorized")
            && trace_id.as_deref() == Some("t-401")),
        "{error:?}"
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(!error.to_string().contains(TOKEN));
    assert!(!format!("{error:?}").contains(TOKEN));
}

#[tokio::test]
async fn a_500_without_a_body_surfaces_the_trace_id() {
    let error = create_against(
        500,
        "",
        "",
        &[("X-Trace-Id", "4bf92f3577b34da6a3ce929d0e0e4736")],
    )
    .await
    .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Api, got {error:?}")
    };
    assert_eq!(api.status.as_u16(), 500);
    assert!(api.errors.is_empty());
    assert_eq!(error.trace_id(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
    // A 5xx to a create may come after the interaction was stored.
    assert!(error.is_outcome_unknown());
    assert_eq!(
        error.to_string(),
        "Ctrl Hub answered 500 Internal Server Error (X-Trace-Id 4bf92f3577b34da6a3ce929d0e0e4736); \
         the outcome is unknown: Ctrl Hub may or may not have processed the request"
    );
}

#[tokio::test]
async fn an_html_502_from_a_proxy_is_a_decode_error_with_status_type_and_snippet() {
    let page = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n\
                <center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n\
                </body>\n</html>\n";
    let error = create_against(502, "text/html", page, &[])
        .await
        .unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected Decode, got {error:?}")
    };
    assert_eq!(decode.status.map(|s| s.as_u16()), Some(502));
    assert_eq!(decode.content_type.as_deref(), Some("text/html"));
    assert!(
        decode
            .snippet
            .starts_with("<html> <head><title>502 Bad Gateway</title></head>"),
        "{}",
        decode.snippet
    );
    assert!(
        decode.reason.starts_with("not valid JSON"),
        "{}",
        decode.reason
    );
    assert!(
        error.to_string().contains("502 Bad Gateway, text/html"),
        "{error}"
    );
    // A proxy's 5xx to a create may hide a stored interaction.
    assert_eq!(decode.outcome, Some(ctrlhub::Outcome::Unknown));
    assert!(error.is_outcome_unknown());
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_not_a_panic() {
    let full = seed_response().to_string();
    let truncated = &full[..full.len() / 2];
    let error = create_against(201, JSON_API, truncated, &[])
        .await
        .unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected Decode, got {error:?}")
    };
    assert_eq!(decode.status.map(|s| s.as_u16()), Some(201));
    assert!(
        decode.reason.starts_with("the JSON ends early"),
        "{}",
        decode.reason
    );
    // A 201 means it was stored, even if the answer could not be read.
    assert!(error.is_outcome_unknown());
}

#[tokio::test]
async fn a_success_without_data_is_a_decode_error() {
    let error = create_against(201, JSON_API, r#"{"meta":{}}"#, &[])
        .await
        .unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected Decode, got {error:?}")
    };
    assert!(
        decode.reason.contains("missing field `data`"),
        "{}",
        decode.reason
    );
}

#[tokio::test]
async fn unknown_members_everywhere_are_tolerated() {
    let mut body = seed_response();
    body["meta"] = json!({"request_id": "r-1"});
    body["links"] = json!({"self": "/v3/orgs/x/customers/interactions/y"});
    body["included"] = json!([{"type": "users", "id": SEED_ID, "attributes": {"name": "A"}}]);
    body["data"]["attributes"]["priority"] = json!(3);
    body["data"]["links"] = json!({"self": "/somewhere"});
    body["data"]["meta"]["version"] = json!(7);
    body["data"]["relationships"]["author"]["links"] = json!({"related": "/users/1"});
    body["data"]["relationships"]["contact"] = json!({"data": null});
    body["data"]["relationships"]["team"] = json!({"data": {"type": "teams", "id": SEED_ID}});
    body["jsonapi"]["meta"] = json!({"build": "abc"});
    let created = create_against(201, JSON_API, &body.to_string(), &[])
        .await
        .unwrap();
    assert_eq!(created.id.to_string(), SEED_ID);
    assert_eq!(created.notes.as_deref(), Some("<string>"));
    assert_eq!(created.contact, None, "a null link is absent, not an error");
    assert_eq!(
        created.author.map(|id| id.to_string()).as_deref(),
        Some(SEED_ID)
    );
}

#[tokio::test]
async fn new_enum_values_are_tolerated_and_preserved() {
    let mut body = seed_response();
    body["data"]["attributes"]["status"] = json!("awaiting-callback");
    body["data"]["attributes"]["method"] = json!("whatsapp");
    let created = create_against(201, JSON_API, &body.to_string(), &[])
        .await
        .unwrap();
    let status = created.status.expect("status present");
    assert!(!status.is_known());
    assert_eq!(status.as_str(), "awaiting-callback");
    let method = created.method.expect("method present");
    assert_eq!(method.as_str(), "whatsapp");
    // Sent back, the value is unchanged.
    assert_eq!(
        serde_json::to_value(&status).unwrap(),
        json!("awaiting-callback")
    );
    assert_eq!(InteractionStatus::from("awaiting-callback"), status);
    assert_eq!(InteractionMethod::from(method.to_string()), method);
}

#[tokio::test]
async fn a_200_instead_of_201_is_accepted() {
    let created = create_against(200, JSON_API, &seed_response().to_string(), &[])
        .await
        .unwrap();
    assert_eq!(created.id.to_string(), SEED_ID);
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error_that_says_nothing_was_sent() {
    // Bind then drop a listener to get a loopback port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = ctrlhub::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .organisation_id(ORG)
        .session_token(TOKEN)
        .retry_policy(ctrlhub::RetryPolicy::disabled())
        .build()
        .unwrap()
        .interactions()
        .create(seed_interaction("n"))
        .await
        .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("expected Transport, got {error:?}")
    };
    assert_eq!(transport.kind, TransportErrorKind::Connect);
    assert_eq!(transport.outcome, ctrlhub::Outcome::NotSent);
    assert_eq!(transport.attempts, 1);
    assert!(!error.is_outcome_unknown());
    // The message names where and why, and nothing of the path.
    assert_eq!(transport.host, format!("127.0.0.1:{port}"));
    assert_eq!(transport.cause, ctrlhub::TransportCause::Refused);
    assert_eq!(
        error.to_string(),
        format!(
            "could not connect to 127.0.0.1:{port}: the connection was refused; the request \
             was not sent"
        )
    );
}
